"""The convolution's data movement as a loop: col2im's scatter-add.

The matrix products stay with BLAS; this kernel only moves numbers. NumPy adds the
column gradient back one kernel offset at a time, each a strided slice-add over a
padded copy of the input's shape; the loop adds each row in place, with no padded
copy. The columns are laid out (C, kH, kW, N, H_out, W_out), as ``ops.conv.Conv2d``
uses them. (im2col's gather as a loop measured slower than NumPy's slice copies, so
it stays NumPy's.)
"""

from __future__ import annotations

from typing import Any

from rosenblatt.kernels import kernel

__all__ = ["col2im", "column_spans"]


def column_spans(width: int, kw: int, sw: int, pw: int, dw: int, ow: int) -> Any:
    """For each kernel column j, the output columns [lo, hi) that read inside the input.

    Output column q reads input column q sw + j dw - pw; the kernels copy (or add)
    those and write zeros (or nothing) for the rest, so the input needs no padding.
    """
    import numpy as np

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
