"""Convolution and pooling on NCHW arrays, by im2col and one matrix product.

Layouts follow PyTorch: inputs (N, C, H, W); convolution weights (C_out, C_in/groups,
kH, kW) -- unlike Linear's (D_in, D_out), because a kernel is naturally indexed by the
output channel first. Outputs are H_out = (H + 2 p - d (k - 1) - 1) // s + 1 (same for W).

Forward unfolds every receptive field into a column of a matrix (im2col) and
multiplies it by the flattened kernels; backward folds the column gradient back
(col2im). Both are data movement, in ``kernels.conv``: a loop over the kH x kW kernel
offsets, each a strided slice of all samples and positions at once, or for large
layers compiled loops that copy row by row. Max pooling walks the same slices (a
compiled loop, too, for large inputs).
"""

from __future__ import annotations

from rosenblatt.backend import Array, xp
from rosenblatt.kernels import conv as moves  # the data movement
from rosenblatt.kernels.fast import row_sums, small_times_wide, times_transposed
from rosenblatt.ops.op import Op

__all__ = ["AvgPool2d", "Conv2d", "MaxPool2d", "conv_output_size"]

Pair = tuple[int, int]


def conv_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int:
    """Output length on one axis: (size + 2 padding - dilation (kernel - 1) - 1) // stride + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _output_shape(
    x: Array, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> Pair:
    """(H_out, W_out) of a window op over (N, C, H, W) input x."""
    h, w = (
        conv_output_size(x.shape[2 + a], kernel[a], stride[a], padding[a], dilation[a])
        for a in (0, 1)
    )
    return h, w


class Conv2d(Op):
    """y = conv2d(x, w) + b: cross-correlation as PyTorch defines it, with groups.

    Forward: cols = im2col(x), laid out (G, C_in/G kH kW, N H_out W_out), then
    y_g = w_g @ cols_g for each group g. Backward: grad_w_g = grad_y_g @ cols_g^T,
    grad_b = grad_y summed over N, H_out, W_out, grad_x = col2im(w_g^T @ grad_y_g).

    The column layout puts channels and kernel offsets first, so im2col is kH kW
    strided slice copies of the whole batch (measured 2-4x faster than gathering
    every receptive field into rows), and col2im adds the same slices back.

    Memory: the im2col buffer, N * H_out * W_out * C_in * kH * kW elements, is the
    largest temporary and the only one kept for backward (one per layer; backward
    frees it).
    """

    def __init__(
        self, stride: Pair, padding: Pair, dilation: Pair, groups: int
    ) -> None:
        self.stride, self.padding = stride, padding
        self.dilation, self.groups = dilation, groups

    def forward(self, x: Array, weight: Array, bias: Array | None = None) -> Array:
        n = x.shape[0]
        c_out, c_group, kh, kw = weight.shape
        g = self.groups
        out = _output_shape(x, (kh, kw), self.stride, self.padding, self.dilation)
        unfolded, self.unfolding = moves.unfold(
            x, (kh, kw), self.stride, self.padding, self.dilation, out
        )
        cols = unfolded.reshape(g, c_group * kh * kw, n * out[0] * out[1])
        kernels = weight.reshape(g, c_out // g, -1)  # (G, C_out/G, C/G kH kW)
        y = small_times_wide(kernels, cols).reshape(c_out, n, *out)  # (C_out, N, H, W)
        if bias is not None:
            y += bias.reshape(-1, 1, 1, 1)
        self.cols, self.kernels, self.out, self.kernel = cols, kernels, out, (kh, kw)
        return xp.ascontiguousarray(y.transpose(1, 0, 2, 3))

    def backward(self, grad_output: Array) -> tuple[Array | None, ...]:
        n, c_out = grad_output.shape[:2]
        g, (h_out, w_out), (kh, kw) = self.groups, self.out, self.kernel
        needs = self.needs_input_grad
        # (N, C_out, H_out, W_out) -> (G, C_out/G, N H_out W_out)
        grads = grad_output.transpose(1, 0, 2, 3).reshape(g, c_out // g, -1)
        grad_x = grad_w = grad_b = None
        if needs[1]:
            grad_w = times_transposed(grads, self.cols).reshape(c_out, -1, kh, kw)
        if len(needs) > 2 and needs[2]:
            grad_b = row_sums(grads.reshape(c_out, -1))  # over N, H_out, W_out
        if needs[0]:
            grad_cols = small_times_wide(self.kernels.transpose(0, 2, 1), grads)
            c = self.unfolding.x_shape[1]
            grad_x = moves.fold(
                grad_cols.reshape(c, kh, kw, n, h_out, w_out), self.unfolding
            )
        self.cols = self.kernels = None  # type: ignore[assignment]  # free the buffer
        return (grad_x, grad_w) if len(needs) == 2 else (grad_x, grad_w, grad_b)


class MaxPool2d(Op):
    """y = max over each window.  Backward: to the first maximal entry of each window.

    Padding counts as -inf, never chosen; a NaN propagates to the output. The windows
    are the kernel offsets' slices (as im2col's), walked by ``kernels.conv``.
    """

    def __init__(
        self, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair
    ) -> None:
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.dilation = dilation

    def forward(self, x: Array) -> Array:
        out = _output_shape(x, self.kernel, self.stride, self.padding, self.dilation)
        padded = moves.pad(x, self.padding, -xp.inf)
        self.x_shape, self.padded_shape, self.out = x.shape, padded.shape, out
        y, self.index = moves.window_max(
            padded, self.kernel, self.stride, self.dilation, out
        )
        return y

    def backward(self, grad_output: Array) -> tuple[Array]:
        slices = moves.offset_slices(self.kernel, self.stride, self.dilation, self.out)
        grad = moves.window_max_backward(
            grad_output, self.index, slices, self.padded_shape
        )
        (ph, pw), (_, _, h, w) = self.padding, self.x_shape
        return (grad[:, :, ph : ph + h, pw : pw + w],)


class AvgPool2d(Op):
    """y = mean over each window (padding counts as zeros, as PyTorch's default).

    Backward: each window's gradient divided by kH kW, added back to its entries.
    Both walk the kernel offsets' slices, as MaxPool2d.
    """

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair) -> None:
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x: Array) -> Array:
        out = _output_shape(x, self.kernel, self.stride, self.padding, (1, 1))
        padded = moves.pad(x, self.padding)
        self.x_shape, self.padded_shape = x.shape, padded.shape
        self.slices = moves.offset_slices(self.kernel, self.stride, (1, 1), out)
        total = sum(padded[where] for _, _, where in self.slices)
        return total / (self.kernel[0] * self.kernel[1])

    def backward(self, grad_output: Array) -> tuple[Array]:
        share = grad_output / (self.kernel[0] * self.kernel[1])
        grad = xp.zeros(self.padded_shape, dtype=grad_output.dtype)
        for _, _, where in self.slices:
            grad[where] += share
        (ph, pw), (_, _, h, w) = self.padding, self.x_shape
        return (grad[:, :, ph : ph + h, pw : pw + w],)
