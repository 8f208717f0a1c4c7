"""Convolution and pooling on NCHW arrays, by im2col and one matrix product.

Layouts follow PyTorch: inputs (N, C, H, W); convolution weights (C_out, C_in/groups,
kH, kW) -- unlike Linear's (D_in, D_out), because a kernel is naturally indexed by the
output channel first. Outputs are H_out = (H + 2 p - d (k - 1) - 1) // s + 1 (same for W).

Forward unfolds every receptive field into a row of a matrix (im2col) and multiplies
it by the flattened kernels. Backward folds the column gradient back (col2im) by a
loop over the kH x kW kernel offsets, each a strided slice-add over all samples and
positions at once: no Python loop over pixels or samples, and no ``np.add.at``.
"""

from __future__ import annotations

from rosenblatt.backend import Array, xp
from rosenblatt.ops.op import Op

__all__ = ["AvgPool2d", "Conv2d", "MaxPool2d", "conv_output_size"]

Pair = tuple[int, int]


def conv_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int:
    """Output length on one axis: (size + 2 padding - dilation (kernel - 1) - 1) // stride + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _windows(x: Array, kernel: Pair, stride: Pair, dilation: Pair, out: Pair) -> Array:
    """A strided view (N, C, H_out, W_out, kH, kW) of every receptive field of padded x."""
    n, c = x.shape[:2]
    s_n, s_c, s_h, s_w = x.strides
    shape = (n, c, out[0], out[1], kernel[0], kernel[1])
    strides = (
        s_n,
        s_c,
        s_h * stride[0],
        s_w * stride[1],
        s_h * dilation[0],
        s_w * dilation[1],
    )
    return xp.lib.stride_tricks.as_strided(
        x, shape=shape, strides=strides, writeable=False
    )


def _pad(x: Array, padding: Pair, value: float = 0.0) -> Array:
    if padding == (0, 0):
        return x
    ph, pw = padding
    return xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _fold(
    cols: Array,
    shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    dilation: Pair,
    padding: Pair,
) -> Array:
    """col2im: add (N, C, H_out, W_out, kH, kW) back into a zero (N, C, H, W) array."""
    n, c, h, w = shape
    ph, pw = padding
    grad = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    h_out, w_out = cols.shape[2], cols.shape[3]
    for i in range(kernel[0]):
        top = i * dilation[0]
        for j in range(kernel[1]):
            left = j * dilation[1]
            grad[
                :,
                :,
                top : top + stride[0] * (h_out - 1) + 1 : stride[0],
                left : left + stride[1] * (w_out - 1) + 1 : stride[1],
            ] += cols[:, :, :, :, i, j]
    return grad[:, :, ph : ph + h, pw : pw + w]


class Conv2d(Op):
    """y = conv2d(x, w) + b: cross-correlation as PyTorch defines it, with groups.

    Forward: cols = im2col(x) of shape (G, N H_out W_out, C_in/G kH kW), then
    y_g = cols_g @ w_g^T for each group g. Backward: grad_w_g = grad_y_g^T @ cols_g,
    grad_b = grad_y summed over N, H_out, W_out, grad_x = col2im(grad_y_g @ w_g).

    Memory: the im2col buffer, N * H_out * W_out * C_in * kH * kW elements, is the
    largest temporary and the only one kept for backward (one per layer).
    """

    def __init__(
        self, stride: Pair, padding: Pair, dilation: Pair, groups: int
    ) -> None:
        self.stride, self.padding, self.dilation, self.groups = (
            stride,
            padding,
            dilation,
            groups,
        )

    def forward(self, x: Array, weight: Array, bias: Array | None = None) -> Array:
        n, _, h, w = x.shape
        c_out, c_group, kh, kw = weight.shape
        g = self.groups
        out = (
            conv_output_size(h, kh, self.stride[0], self.padding[0], self.dilation[0]),
            conv_output_size(w, kw, self.stride[1], self.padding[1], self.dilation[1]),
        )
        windows = _windows(
            _pad(x, self.padding), (kh, kw), self.stride, self.dilation, out
        )
        # (N, C, H_out, W_out, kH, kW) -> (G, N H_out W_out, C/G kH kW), one copy
        cols = windows.reshape(n, g, c_group, out[0], out[1], kh, kw)
        cols = cols.transpose(1, 0, 3, 4, 2, 5, 6).reshape(g, n * out[0] * out[1], -1)
        kernels = weight.reshape(g, c_out // g, -1)  # (G, C_out/G, C/G kH kW)
        y = xp.matmul(cols, kernels.transpose(0, 2, 1))  # (G, N H_out W_out, C_out/G)
        y = y.reshape(g, n, out[0], out[1], c_out // g).transpose(1, 0, 4, 2, 3)
        y = y.reshape(n, c_out, out[0], out[1])
        if bias is not None:
            y = y + bias.reshape(1, -1, 1, 1)
        self.cols, self.kernels, self.x_shape, self.out = cols, kernels, x.shape, out
        self.kernel = (kh, kw)
        return xp.ascontiguousarray(y)

    def backward(self, grad_output: Array) -> tuple[Array | None, ...]:
        n, c_out = grad_output.shape[:2]
        g, (h_out, w_out), (kh, kw) = self.groups, self.out, self.kernel
        needs = self.needs_input_grad
        # (N, C_out, H_out, W_out) -> (G, N H_out W_out, C_out/G)
        grads = grad_output.reshape(n, g, c_out // g, h_out, w_out)
        grads = grads.transpose(1, 0, 3, 4, 2).reshape(g, n * h_out * w_out, c_out // g)
        grad_x = grad_w = grad_b = None
        if needs[1]:
            grad_w = xp.matmul(
                grads.transpose(0, 2, 1), self.cols
            )  # (G, C_out/G, C/G kk)
            grad_w = grad_w.reshape(c_out, -1, kh, kw)
        if len(needs) > 2 and needs[2]:
            grad_b = grad_output.sum(axis=(0, 2, 3))
        if needs[0]:
            c = self.x_shape[1]
            grad_cols = xp.matmul(grads, self.kernels)  # (G, N H_out W_out, C/G kH kW)
            # A view as (N, C, H_out, W_out, kH, kW): no copy; col2im reads it strided.
            grad_cols = grad_cols.reshape(g, n, h_out, w_out, c // g, kh, kw)
            grad_cols = (
                grad_cols.transpose(1, 0, 4, 2, 3, 5, 6).reshape(
                    n, c, h_out, w_out, kh, kw
                )
                if g > 1
                else grad_cols[0].transpose(0, 3, 1, 2, 4, 5)
            )
            grad_x = _fold(
                grad_cols,
                self.x_shape,
                (kh, kw),
                self.stride,
                self.dilation,
                self.padding,
            )
        self.cols = self.kernels = None  # type: ignore[assignment]  # free the buffer
        return (grad_x, grad_w) if len(needs) == 2 else (grad_x, grad_w, grad_b)


class MaxPool2d(Op):
    """y = max over each window.  Backward: to the first maximal entry of each window.

    Ties go to the first maximum in row-major window order (as PyTorch's CPU kernel);
    padding counts as -inf, so it is never chosen.
    """

    def __init__(
        self, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair
    ) -> None:
        self.kernel, self.stride, self.padding, self.dilation = (
            kernel,
            stride,
            padding,
            dilation,
        )

    def forward(self, x: Array) -> Array:
        out = tuple(
            conv_output_size(
                x.shape[2 + a],
                self.kernel[a],
                self.stride[a],
                self.padding[a],
                self.dilation[a],
            )
            for a in (0, 1)
        )
        padded = _pad(x, self.padding, -xp.inf)
        windows = _windows(padded, self.kernel, self.stride, self.dilation, out)  # type: ignore[arg-type]
        flat = windows.reshape(*windows.shape[:4], -1)
        self.argmax = flat.argmax(axis=-1)
        self.x_shape = x.shape
        return xp.take_along_axis(flat, self.argmax[..., None], axis=-1)[..., 0]

    def backward(self, grad_output: Array) -> tuple[Array]:
        kh, kw = self.kernel
        positions = xp.arange(kh * kw).reshape(kh, kw)
        cols = (self.argmax[..., None, None] == positions) * grad_output[
            ..., None, None
        ]
        return (
            _fold(
                cols.astype(grad_output.dtype),
                self.x_shape,
                self.kernel,
                self.stride,
                self.dilation,
                self.padding,
            ),
        )


class AvgPool2d(Op):
    """y = mean over each window (padding counts as zeros, as PyTorch's default).

    Backward: each window's gradient divided by kH kW, added back to its entries.
    """

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair) -> None:
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x: Array) -> Array:
        out = tuple(
            conv_output_size(
                x.shape[2 + a], self.kernel[a], self.stride[a], self.padding[a], 1
            )
            for a in (0, 1)
        )
        windows = _windows(_pad(x, self.padding), self.kernel, self.stride, (1, 1), out)  # type: ignore[arg-type]
        self.x_shape = x.shape
        return windows.mean(axis=(4, 5))

    def backward(self, grad_output: Array) -> tuple[Array]:
        kh, kw = self.kernel
        share = grad_output / (kh * kw)
        cols = xp.broadcast_to(share[..., None, None], (*share.shape, kh, kw))
        return (
            _fold(cols, self.x_shape, self.kernel, self.stride, (1, 1), self.padding),
        )
