"""Matrix products: matmul and the fused affine map x @ W + b."""

from __future__ import annotations

from rosenblatt.backend import Array, xp
from rosenblatt.kernels.fast import column_sums
from rosenblatt.ops.op import Op

__all__ = ["Linear", "MatMul"]


class MatMul(Op):
    """z = a @ b with NumPy's rules (1-D operands promoted, batch dims broadcast).

    Backward: grad_a = grad_output @ b^T, grad_b = a^T @ grad_output, where ^T swaps
    the last two axes. A 1-D operand is promoted to a matrix for the products and its
    gradient squeezed back; broadcast batch dimensions are summed by ``tensor.py``.
    """

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return xp.matmul(a, b)

    def backward(self, grad_output: Array) -> tuple[Array | None, Array | None]:
        # Promote 1-D operands to matrices, (k,) -> (1, k) on the left and (k, 1) on
        # the right, and view grad_output in the promoted product's shape.
        a = self.a[None, :] if self.a.ndim == 1 else self.a
        b = self.b[:, None] if self.b.ndim == 1 else self.b
        promoted = (
            *xp.broadcast_shapes(a.shape[:-2], b.shape[:-2]),
            a.shape[-2],
            b.shape[-1],
        )
        g = grad_output.reshape(promoted)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = xp.matmul(g, xp.swapaxes(b, -1, -2))
            if self.a.ndim == 1:
                grad_a = grad_a.sum(axis=tuple(range(grad_a.ndim - 2))).reshape(
                    self.a.shape
                )
        if self.needs_input_grad[1]:
            grad_b = xp.matmul(xp.swapaxes(a, -1, -2), g)
            if self.b.ndim == 1:
                grad_b = grad_b.sum(axis=tuple(range(grad_b.ndim - 2))).reshape(
                    self.b.shape
                )
        return grad_a, grad_b


class Linear(Op):
    """y = x @ W + b for x of shape (N, D_in), W (D_in, D_out), b (D_out,).

    Backward: grad_x = grad_output @ W^T, grad_W = x^T @ grad_output,
    grad_b = grad_output summed over N.

    Fused for measured speed: one op instead of MatMul + Add saves a graph node, the
    broadcast bias gradient's reduction in ``tensor.py``, and one (N, D_out) temporary
    (the bias is added in place). The input gradient is skipped when no one needs it
    (a network's first layer), which saves a third of that layer's backward products.

    x may be a scipy.sparse CSR matrix (constant input data, such as TF-IDF rows):
    x @ W and x^T @ grad_output are then SciPy's sparse-times-dense products, and
    the input is never densified.
    """

    accepts_sparse = True

    def forward(self, x: Array, weight: Array, bias: Array | None = None) -> Array:
        self.x, self.weight = x, weight
        y = x @ weight
        if bias is not None:
            y += bias
        return y

    def backward(self, grad_output: Array) -> tuple[Array | None, ...]:
        needs = self.needs_input_grad
        grad_x = grad_output @ self.weight.T if needs[0] else None
        grad_w = self.x.T @ grad_output if needs[1] else None
        if len(needs) < 3:
            return grad_x, grad_w
        return grad_x, grad_w, column_sums(grad_output) if needs[2] else None
