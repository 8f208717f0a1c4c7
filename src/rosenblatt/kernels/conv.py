"""The convolution's data movement: im2col's gather and col2im's scatter-add.

The matrix products stay with BLAS; this module only moves numbers. The columns are
laid out (C, kH, kW, N, H_out, W_out): channels and kernel offsets first, so that
``unfold`` (im2col) is kH kW strided slice copies of the whole batch (measured 2-4x
faster than gathering every receptive field into rows) and ``fold`` (col2im) adds
the same slices back. Large column gradients are folded by a compiled loop
(``col2im``) that adds each row in place, with no padded copy (a LeNet-5 epoch 7 %
faster); im2col's gather as a loop measured slower than NumPy's slice copies (a
LeNet-5 epoch 22 % slower), so it stays NumPy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rosenblatt.kernels import kernel

__all__ = [
    "Unfolding",
    "col2im",
    "column_spans",
    "fold",
    "offset_slices",
    "pad",
    "unfold",
]

Pair = tuple[int, int]
# Column gradients of this many entries or more are folded by the compiled loop;
# smaller convolutions (the tests', a digit's) keep NumPy's slice-adds and never pay
# for compiling it.
KERNEL_COLUMNS = 1 << 18


def pad(x: Any, padding: Pair, value: float = 0.0) -> Any:
    """X (N, C, H, W) with ``padding`` rows and columns of ``value`` on each side."""
    if padding == (0, 0):
        return x
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def offset_slices(
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


def window_max(padded: Any, slices: list[tuple[int, int, Any]]) -> tuple[Any, Any]:
    """The max over each window, and which kernel offset k (in ``slices``) held it.

    Walks the offsets, each a strided slice of the padded input, keeping the running
    maximum and its offset; ties keep the earlier offset (the first maximum in
    row-major window order, as PyTorch's CPU kernel), and a NaN propagates. Measured
    3-6x faster than an argmax over a copy of every window, which needs a transposed
    gather and a reduction over a short axis. The offsets are bytes when there are
    at most 256 (one (N, C, H_out, W_out) byte array is what backward keeps).
    """
    best = padded[slices[0][2]].copy()
    index = np.zeros(best.shape, dtype=np.uint8 if len(slices) <= 256 else np.intp)
    for k, (_, _, where) in enumerate(slices[1:], start=1):
        candidate = padded[where]
        better = candidate > best
        np.maximum(best, candidate, out=best)  # maximum, not where: NaN propagates
        np.copyto(index, k, where=better)
    return best, index


def window_max_backward(
    grad_output: Any, index: Any, slices: list[tuple[int, int, Any]], shape: Any
) -> Any:
    """Each window's gradient, added to the entry that held its max; padded ``shape``.

    Windows that do not overlap (stride at least the window's reach) write each
    position at most once: the masked gradient then goes straight into its slice,
    with no temporary.
    """
    grad = np.zeros(shape, dtype=grad_output.dtype)
    reach = [axis.start + 1 for axis in slices[-1][2][2:]]  # d (k - 1) + 1 per axis
    disjoint = all(
        axis.step >= r for axis, r in zip(slices[0][2][2:], reach, strict=True)
    )
    for k, (_, _, where) in enumerate(slices):
        if disjoint:
            np.multiply(grad_output, index == k, out=grad[where])
        else:
            grad[where] += grad_output * (index == k)
    return grad


@dataclass
class Unfolding:
    """What ``fold`` needs to know of an ``unfold``: shapes, slices, geometry."""

    x_shape: tuple[int, ...]
    padding: Pair
    slices: list[tuple[int, int, Any]]
    geometry: tuple[Any, Any] | None  # for the compiled loop, or None for NumPy's


def unfold(
    x: Any, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, out: Pair
) -> tuple[Any, Unfolding]:
    """im2col: cols[c, i, j, n, y, q] = padded x[n, c, y sh + i dh, q sw + j dw]."""
    n, c, _, width = x.shape
    slices = offset_slices(kernel, stride, dilation, out)
    cols = np.empty((c, kernel[0], kernel[1], n, out[0], out[1]), dtype=x.dtype)
    padded = pad(x, padding)
    for i, j, where in slices:
        cols[:, i, j] = padded[where].transpose(1, 0, 2, 3)
    geometry = None
    if cols.size >= KERNEL_COLUMNS and x.flags.c_contiguous:
        numbers = [*kernel, *stride, *padding, *dilation, *out]
        spans = column_spans(
            width, kernel[1], stride[1], padding[1], dilation[1], out[1]
        )
        geometry = (np.array(numbers, dtype=np.int64), spans)
    return cols, Unfolding(x.shape, padding, slices, geometry)


def fold(cols: Any, unfolding: Unfolding) -> Any:
    """col2im, the adjoint of ``unfold``: add cols back into a zero (N, C, H, W) array."""
    if unfolding.geometry is not None:
        grad = np.zeros(unfolding.x_shape, dtype=cols.dtype)
        col2im(cols, *unfolding.geometry, grad)
        return grad
    n, c, h, w = unfolding.x_shape
    ph, pw = unfolding.padding
    grad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i, j, where in unfolding.slices:
        grad[where] += cols[:, i, j].transpose(1, 0, 2, 3)
    return grad[:, :, ph : ph + h, pw : pw + w]


def column_spans(width: int, kw: int, sw: int, pw: int, dw: int, ow: int) -> Any:
    """For each kernel column j, the output columns [lo, hi) that read inside the input.

    Output column q reads input column q sw + j dw - pw; the kernels copy (or add)
    those and write zeros (or nothing) for the rest, so the input needs no padding.
    """
    q = np.arange(ow)
    spans = np.zeros((kw, 2), dtype=np.int64)
    for j in range(kw):
        inside = np.flatnonzero(
            (q * sw + j * dw - pw >= 0) & (q * sw + j * dw - pw < width)
        )
        spans[j] = (inside[0], inside[-1] + 1) if inside.size else (0, 0)
    return spans


@kernel()
def col2im(cols: Any, geometry: Any, spans: Any, out: Any) -> None:
    """out[b, c, y sh + i dh - ph, q sw + j dw - pw] += cols[c, i, j, b, y, q].

    The adjoint of ``im2col``: each input position receives the columns that read it,
    in the order of the kernel offsets (i, j), as NumPy's slice-adds give them. ``out``
    is (N, C, H, W), zero on entry.
    """
    n, c, h, _ = out.shape
    kh, kw, sh, sw, ph, pw, dh, dw, oh, _ = geometry
    for b in range(n):
        for ci in range(c):
            for i in range(kh):
                for j in range(kw):
                    left, lo, hi = j * dw - pw, spans[j, 0], spans[j, 1]
                    for y in range(oh):
                        row = y * sh + i * dh - ph
                        if row < 0 or row >= h:
                            continue
                        target = out[b, ci, row]
                        source = cols[ci, i, j, b, y]
                        if sw == 1:  # unit stride, known here: the loop vectorises
                            for q in range(lo, hi):
                                target[left + q] += source[q]
                        else:
                            for q in range(lo, hi):
                                target[left + q * sw] += source[q]
