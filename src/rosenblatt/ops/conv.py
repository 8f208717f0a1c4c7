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

from typing import Any

from rosenblatt.backend import Array, xp
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


def _offset_slices(
    k: Pair, stride: Pair, dilation: Pair, out: Pair
) -> list[tuple[int, int, Any]]:
    """For each kernel offset (i, j): the strided slice of the padded input it reads."""
    slices = []
    for i in range(k[0]):
        top = i * dilation[0]
        for j in range(k[1]):
            left = j * dilation[1]
            slices.append((i, j, (
                slice(None), slice(None),
                slice(top, top + stride[0] * (out[0] - 1) + 1, stride[0]),
                slice(left, left + stride[1] * (out[1] - 1) + 1, stride[1]),
            )))  # fmt: skip
    return slices


# Column gradients of this many entries or more are added back into the input's
# gradient by the compiled loop (kernels.conv.col2im: a LeNet-5 epoch 7 % faster);
# smaller convolutions (the tests', a digit's) keep NumPy's slice-adds and never pay
# for compiling it.
KERNEL_COLUMNS = 1 << 18


def _kernel_geometry(
    x: Array, kernel: Pair, conv: Any, out: Pair
) -> tuple[Array, Array] | None:
    """The geometry and column spans for ``kernels.conv``, or None to keep NumPy."""
    n, c, _, width = x.shape
    if (
        n * c * kernel[0] * kernel[1] * out[0] * out[1] < KERNEL_COLUMNS
        or not isinstance(x, xp.ndarray)
        or not x.flags.c_contiguous
    ):
        return None
    from rosenblatt.kernels.conv import column_spans

    (sh, sw), (ph, pw), (dh, dw) = conv.stride, conv.padding, conv.dilation
    geometry = xp.array(
        [kernel[0], kernel[1], sh, sw, ph, pw, dh, dw, out[0], out[1]], dtype=xp.int64
    )
    return geometry, column_spans(width, kernel[1], sw, pw, dw, out[1])


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
        self.stride, self.padding, self.dilation, self.groups = (
            stride,
            padding,
            dilation,
            groups,
        )

    def forward(self, x: Array, weight: Array, bias: Array | None = None) -> Array:
        n, c = x.shape[:2]
        c_out, c_group, kh, kw = weight.shape
        g = self.groups
        out = _output_shape(x, (kh, kw), self.stride, self.padding, self.dilation)
        unfolded: Array = xp.empty((c, kh, kw, n, out[0], out[1]), dtype=x.dtype)
        self.slices = _offset_slices((kh, kw), self.stride, self.dilation, out)
        # im2col stays NumPy's slice copies: as a compiled loop it made a LeNet-5
        # epoch 22 % slower (0.335 s against 0.275 s for 2,048 images, one thread)
        padded = _pad(x, self.padding)
        for i, j, where in self.slices:  # backward scatters through the same slices
            unfolded[:, i, j] = padded[where].transpose(1, 0, 2, 3)
        self.geometry = _kernel_geometry(x, (kh, kw), self, out)
        cols = unfolded.reshape(g, c_group * kh * kw, n * out[0] * out[1])
        kernels = weight.reshape(g, c_out // g, -1)  # (G, C_out/G, C/G kH kW)
        y = xp.matmul(kernels, cols).reshape(
            c_out, n, out[0], out[1]
        )  # (C_out, N, H, W)
        if bias is not None:
            y += bias.reshape(-1, 1, 1, 1)
        self.cols, self.kernels, self.x_shape, self.out = cols, kernels, x.shape, out
        self.kernel = (kh, kw)
        return xp.ascontiguousarray(y.transpose(1, 0, 2, 3))

    def backward(self, grad_output: Array) -> tuple[Array | None, ...]:
        n, c_out = grad_output.shape[:2]
        g, (h_out, w_out), (kh, kw) = self.groups, self.out, self.kernel
        needs = self.needs_input_grad
        # (N, C_out, H_out, W_out) -> (G, C_out/G, N H_out W_out)
        grads = grad_output.transpose(1, 0, 2, 3).reshape(g, c_out // g, -1)
        grad_x = grad_w = grad_b = None
        if needs[1]:
            # grad_w = grads @ cols^T, computed as (cols @ grads^T)^T: the same
            # numbers, but OpenBLAS runs this operand order 1.3-2.3x faster for
            # LeNet's and AlexNet-small's layers (a long reduction, a small result).
            grad_w = xp.matmul(self.cols, grads.transpose(0, 2, 1)).transpose(0, 2, 1)
            grad_w = grad_w.reshape(c_out, -1, kh, kw)
        if len(needs) > 2 and needs[2]:
            grad_b = grad_output.sum(axis=(0, 2, 3))
        if needs[0]:
            c = self.x_shape[1]
            grad_cols = xp.matmul(self.kernels.transpose(0, 2, 1), grads)
            grad_cols = grad_cols.reshape(c, kh, kw, n, h_out, w_out)
            if self.geometry is not None:
                from rosenblatt.kernels.conv import col2im

                grad_x = xp.zeros(self.x_shape, dtype=grad_output.dtype)
                col2im(grad_cols, *self.geometry, grad_x)
            else:
                ph, pw = self.padding
                grad_x = xp.zeros(
                    (n, c, self.x_shape[2] + 2 * ph, self.x_shape[3] + 2 * pw),
                    dtype=grad_output.dtype,
                )
                for i, j, where in self.slices:
                    grad_x[where] += grad_cols[:, i, j].transpose(1, 0, 2, 3)
                grad_x = grad_x[
                    :, :, ph : ph + self.x_shape[2], pw : pw + self.x_shape[3]
                ]
        self.cols = self.kernels = None  # type: ignore[assignment]  # free the buffer
        return (grad_x, grad_w) if len(needs) == 2 else (grad_x, grad_w, grad_b)


class MaxPool2d(Op):
    """y = max over each window.  Backward: to the first maximal entry of each window.

    Forward walks the kH x kW kernel offsets, each a strided slice of the padded input
    (as im2col does), keeping the running maximum and the offset it came from; ties
    keep the earlier offset, so the gradient goes to the first maximum in row-major
    window order (as PyTorch's CPU kernel). Padding counts as -inf, never chosen; a
    NaN propagates to the output. Backward adds the gradient back through the same
    slices, masked by that offset. Measured 3-6x faster than an argmax over a copy
    of every window, which needs a transposed gather and a reduction over a short axis.

    Memory: one (N, C, H_out, W_out) index array of bytes, kept for backward.
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
        out = _output_shape(x, self.kernel, self.stride, self.padding, self.dilation)
        padded = _pad(x, self.padding, -xp.inf)
        slices = _offset_slices(self.kernel, self.stride, self.dilation, out)
        self.x_shape, self.slices = x.shape, slices  # backward walks the same slices
        best = padded[slices[0][2]].copy()
        index_type = xp.uint8 if len(slices) <= 256 else xp.intp
        self.index = xp.zeros(best.shape, dtype=index_type)
        for k, (_, _, where) in enumerate(slices[1:], start=1):
            candidate = padded[where]
            better = candidate > best
            xp.maximum(best, candidate, out=best)  # maximum, not where: NaN propagates
            xp.copyto(self.index, k, where=better)
        return best

    def backward(self, grad_output: Array) -> tuple[Array]:
        ph, pw = self.padding
        n, c, h, w = self.x_shape
        grad = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=grad_output.dtype)
        # Windows that do not overlap write each input position at most once: the
        # masked gradient goes straight into its slice, with no temporary.
        reach = [
            d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel, strict=True)
        ]
        disjoint = all(s >= r for s, r in zip(self.stride, reach, strict=True))
        for k, (_, _, where) in enumerate(self.slices):
            if disjoint:
                xp.multiply(grad_output, self.index == k, out=grad[where])
            else:
                grad[where] += grad_output * (self.index == k)
        return (grad[:, :, ph : ph + h, pw : pw + w],)


class AvgPool2d(Op):
    """y = mean over each window (padding counts as zeros, as PyTorch's default).

    Backward: each window's gradient divided by kH kW, added back to its entries.
    """

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair) -> None:
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x: Array) -> Array:
        out = _output_shape(x, self.kernel, self.stride, self.padding, (1, 1))
        windows = _windows(_pad(x, self.padding), self.kernel, self.stride, (1, 1), out)
        self.x_shape = x.shape
        return windows.mean(axis=(4, 5))

    def backward(self, grad_output: Array) -> tuple[Array]:
        kh, kw = self.kernel
        share = grad_output / (kh * kw)
        cols = xp.broadcast_to(share[..., None, None], (*share.shape, kh, kw))
        return (
            _fold(cols, self.x_shape, self.kernel, self.stride, (1, 1), self.padding),
        )
