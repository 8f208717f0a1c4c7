"""The convolution's data movement (im2col's gather, col2im's scatter-add), and pooling's.

The matrix products stay with BLAS; this module only moves numbers. The columns are
laid out (C, kH, kW, N, H_out, W_out): channels and kernel offsets first, so that
``unfold`` (im2col) is kH kW strided slice copies of the whole batch (measured 2-4x
faster than gathering every receptive field into rows) and ``fold`` (col2im) adds
the same slices back. Large ones run as compiled loops instead (``im2col`` and
``col2im``), which copy or add each row of the image straight into place, without
the padded copy: for LeNet-5's second layer (a batch of 128), im2col 1.09 -> 0.70 ms
and col2im 2.9 -> 0.66 ms, against NumPy's slices. With a stride along the rows the
copy becomes a gather, and NumPy's slices gather faster (0.68 against 0.83 ms for a
stride of 2), so im2col keeps them there; col2im is faster either way.

Max pooling's forward is a compiled loop too for large inputs (``max_pool``), 3x
faster than walking NumPy's slices on LeNet-5's first pool.

The loops are written so that the compiler can see every index is at least zero:
the spans are clamped with ``max(..., 0)`` and each row's copy counts from 0. An
index it cannot prove non-negative gets Python's negative-index wraparound test on
every access, which keeps the loop from vectorising; written that way, the same
loops were 2-3x *slower* than NumPy's slices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rosenblatt.kernels import kernel

__all__ = [
    "Unfolding",
    "col2im",
    "im2col",
    "max_pool",
    "column_spans",
    "fold",
    "offset_slices",
    "pad",
    "unfold",
]

Pair = tuple[int, int]
# Columns of this many entries or more are gathered and folded by the compiled
# loops; smaller convolutions (the tests', a digit's) keep NumPy's slices and never
# pay for compiling them.
KERNEL_COLUMNS = 1 << 18
# Max pooling over inputs of this many entries or more runs the compiled loop (a
# batch of 128 6-channel 28 x 28 maps: 2.18 -> 0.74 ms; 128 x 16 x 10 x 10: 0.86 ->
# 0.36 ms). Its backward stays NumPy's: a loop measured 1.5-1.8x slower there.
POOL_ELEMENTS = 1 << 16


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


def window_max(
    padded: Any, kernel: Pair, stride: Pair, dilation: Pair, out: Pair
) -> tuple[Any, Any]:
    """The max over each window, and which kernel offset k = i kW + j held it.

    Ties keep the earlier offset (the first maximum in row-major window order, as
    PyTorch's CPU kernel), and a NaN propagates. The offsets are bytes when there are
    at most 256 (one (N, C, H_out, W_out) byte array is what backward keeps).

    Large inputs (``POOL_ELEMENTS``) go to the compiled loop ``max_pool``; smaller
    ones walk the offsets, each a strided slice of the padded input, keeping the
    running maximum and its offset (measured 3-6x faster than an argmax over a copy
    of every window, which needs a transposed gather and a reduction over a short
    axis).
    """
    dtype = np.uint8 if kernel[0] * kernel[1] <= 256 else np.intp
    if padded.size >= POOL_ELEMENTS and padded.flags.c_contiguous:
        best = np.empty((*padded.shape[:2], *out), dtype=padded.dtype)
        index = np.empty(best.shape, dtype=dtype)
        geometry = np.array([*kernel, *stride, *dilation], dtype=np.int64)
        max_pool(padded, geometry, best, index)
        return best, index
    slices = offset_slices(kernel, stride, dilation, out)
    best = padded[slices[0][2]].copy()
    index = np.zeros(best.shape, dtype=dtype)
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
    slices: list[tuple[int, int, Any]]  # for NumPy's fold; empty when a loop folds
    geometry: tuple[Any, Any] | None  # for the compiled loop, or None for NumPy's


def unfold(
    x: Any, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, out: Pair
) -> tuple[Any, Unfolding]:
    """im2col: cols[c, i, j, n, y, q] = padded x[n, c, y sh + i dh, q sw + j dw]."""
    n, c, _, width = x.shape
    cols = np.empty((c, kernel[0], kernel[1], n, out[0], out[1]), dtype=x.dtype)
    geometry = None
    if cols.size >= KERNEL_COLUMNS and x.flags.c_contiguous:
        numbers = [*kernel, *stride, *padding, *dilation, *out]
        spans = column_spans(
            width, kernel[1], stride[1], padding[1], dilation[1], out[1]
        )
        geometry = (np.array(numbers, dtype=np.int64), spans)
    if geometry is not None and stride[1] == 1:  # strided rows: NumPy's slices win
        im2col(x, *geometry, cols)
        return cols, Unfolding(x.shape, padding, [], geometry)
    slices = offset_slices(kernel, stride, dilation, out)
    padded = pad(x, padding)
    for i, j, where in slices:
        cols[:, i, j] = padded[where].transpose(1, 0, 2, 3)
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
    spans = np.zeros((kw, 2), dtype=np.int64)
    for j in range(kw):
        first = j * dw - pw  # the input column that output column 0 reads
        lo = max(0, -(first // sw))  # the least q with q sw + first >= 0
        hi = min(ow, (width - 1 - first) // sw + 1)  # past the last inside width
        if lo < hi:
            spans[j] = lo, hi
    return spans


@kernel()
def im2col(x: Any, geometry: Any, spans: Any, cols: Any) -> None:
    """cols[c, i, j, b, y, q] = x[b, c, y sh + i dh - ph, q sw + j dw - pw], 0 outside x.

    ``geometry`` is (kH, kW, sH, sW, pH, pW, dH, dW, H_out, W_out); ``spans[j]`` the
    output columns [lo, hi) whose input column lies inside x (``column_spans``).
    Each output row copies its stretch of one input row and zeroes the rest.
    """
    n, c, h, _ = x.shape
    kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = geometry
    for ci in range(c):
        for i in range(kh):
            for j in range(kw):
                lo, hi = max(spans[j, 0], 0), max(spans[j, 1], 0)
                first = max(j * dw - pw + lo * sw, 0)  # the input column read at lo
                for b in range(n):
                    for y in range(oh):
                        row = y * sh + i * dh - ph
                        if row < 0 or row >= h:  # the whole row is padding
                            for q in range(ow):
                                cols[ci, i, j, b, y, q] = 0
                            continue
                        for q in range(lo):
                            cols[ci, i, j, b, y, q] = 0
                        for q in range(hi, ow):
                            cols[ci, i, j, b, y, q] = 0
                        if sw == 1:  # unit stride, known here: the copy vectorises
                            for q in range(hi - lo):
                                cols[ci, i, j, b, y, lo + q] = x[b, ci, row, first + q]
                        else:
                            for q in range(hi - lo):
                                cols[ci, i, j, b, y, lo + q] = x[
                                    b, ci, row, first + q * sw
                                ]


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
                    lo, hi = max(spans[j, 0], 0), max(spans[j, 1], 0)
                    first = max(j * dw - pw + lo * sw, 0)  # the column written at lo
                    for y in range(oh):
                        row = y * sh + i * dh - ph
                        if row < 0 or row >= h:
                            continue
                        if sw == 1:  # unit stride, known here: the loop vectorises
                            for q in range(hi - lo):
                                out[b, ci, row, first + q] += cols[
                                    ci, i, j, b, y, lo + q
                                ]
                        else:
                            for q in range(hi - lo):
                                out[b, ci, row, first + q * sw] += cols[
                                    ci, i, j, b, y, lo + q
                                ]


@kernel()
def max_pool(x: Any, geometry: Any, best: Any, index: Any) -> None:
    """best[b, c, y, q] = max_{i, j} x[b, c, y sh + i dh, q sw + j dw], index = i kW + j.

    ``geometry`` is (kH, kW, sH, sW, dH, dW); x is the padded input. The first maximum
    wins a tie, and a NaN propagates: index takes k only when v > best, and best takes
    v when v >= best or v is NaN, as NumPy's ``>`` and ``maximum`` do in
    ``window_max`` (``maximum`` of equal numbers gives the second: -0.0 after 0.0). Each
    offset updates a whole output row, with selects instead of branches, so the row
    vectorises.
    """
    n, c, oh, ow = best.shape
    kh, kw, sh, sw, dh, dw = geometry
    sw = max(sw, 1)  # known positive here, so no index below can be negative
    for b in range(n):
        for ci in range(c):
            for y in range(oh):
                for i in range(kh):
                    row = max(y * sh + i * dh, 0)
                    for j in range(kw):
                        k = index.dtype.type(i * kw + j)
                        left = max(j * dw, 0)
                        if k == 0:
                            for q in range(ow):
                                best[b, ci, y, q] = x[b, ci, row, q * sw + left]
                                index[b, ci, y, q] = k
                            continue
                        if sw == 2:  # the usual 2 x 2 pool: a known stride vectorises
                            for q in range(ow):
                                v = x[b, ci, row, 2 * q + left]
                                m = best[b, ci, y, q]
                                index[b, ci, y, q] = k if v > m else index[b, ci, y, q]
                                best[b, ci, y, q] = v if v >= m or v != v else m
                            continue
                        for q in range(ow):
                            v = x[b, ci, row, q * sw + left]
                            m = best[b, ci, y, q]
                            index[b, ci, y, q] = k if v > m else index[b, ci, y, q]
                            best[b, ci, y, q] = v if v >= m or v != v else m
