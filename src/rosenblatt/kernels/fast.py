"""NumPy formulations chosen by measurement: the same numbers, computed faster.

Each function states what it computes, then why its way is faster, with the
measurement (per call on this project's 2-core machine, NumPy 2.4, float32). Ops call
these instead of the obvious NumPy expression, so an op's body reads like its
docstring and the speed argument lives here, once.
"""

from __future__ import annotations

from typing import Any

from rosenblatt.backend import Array, xp

__all__ = [
    "all_finite",
    "column_sums",
    "logistic",
    "row_max",
    "row_sums",
    "small_times_wide",
    "times_transposed",
]

# Up to this many classes, reducing a transposed copy beats NumPy's row-wise max.
_FEW_COLUMNS = 32
# Up to this many rows, NumPy's column sums beat the product with a ones vector.
_FEW_ROWS = 32
# Up to this many elements, SciPy's one-pass expit beats the formula's NumPy calls.
_SMALL_LOGISTIC = 1024
_expit: Any = None
# Products with a small matrix of at most this many entries (a first convolution's
# few kernels, C_out x C_in kH kW) and a wide one run in blocks of _BLOCK columns.
_SMALL_MATRIX = 450
_BLOCK = 2048


def all_finite(x: Array) -> bool:
    """Whether no entry of x is NaN or infinite.

    First by the sum: a NaN or an infinity makes it NaN or infinite, so a finite sum
    settles it in one read of x, with nothing allocated (60,000 x 784 float64: 13 ms,
    against 23 ms for ``isfinite(x).all()``, which writes a boolean array as large as
    x). Only a sum that is not finite, from bad entries or from finite ones that
    overflowed, sends x to the entry-by-entry test. (scikit-learn checks the same way.)
    """
    with xp.errstate(over="ignore", invalid="ignore"):
        if xp.isfinite(xp.sum(x)):
            return True
    return bool(xp.isfinite(x).all())


def row_max(x: Array) -> Array:
    """max_k x[n, k] for x of shape (N, K); shape (N,).

    NumPy reduces each row in an inner loop of its own, which for a few classes
    costs more than the work: for 200 x 10, 9 us, against 3 us for reducing a
    transposed copy across its rows (one vectorised pass per class). From about 48
    classes on, the row-wise reduction is the faster one.
    """
    if x.shape[1] <= _FEW_COLUMNS:
        return xp.ascontiguousarray(x.T).max(axis=0)
    return x.max(axis=1)


def row_sums(x: Array) -> Array:
    """sum_k x[n, k] for x of shape (N, K); shape (N,).

    As the product x @ ones: for the few classes of a typical problem NumPy's sum
    over axis 1 costs twice as much as BLAS's matrix-vector product; so it does for
    a convolution's bias gradient, a few long rows (LeNet-5's first layer, 6 rows of
    100,352: 24 us against NumPy's 102, or 111 for summing the NCHW gradient).
    """
    return x @ xp.ones(x.shape[1], dtype=x.dtype)


def column_sums(x: Array) -> Array:
    """sum_n x[n, k] for x of shape (N, K); shape (K,): a bias's gradient.

    As the product ones @ x: half the time of NumPy's sum over axis 0 for a batch of
    200 x 100 (3 us against 6); both add down each column. NumPy's sum walks the
    rows, so for a batch of at most 32 rows it is the cheaper call (4 x 4: 1.0 us
    against 1.7; 32 x 64: 1.6 against 1.9).
    """
    if len(x) <= _FEW_ROWS:
        return xp.add.reduce(x, axis=0)
    return xp.ones(len(x), dtype=x.dtype) @ x


def small_times_wide(a: Array, b: Array) -> Array:
    """A @ b over the last two axes (batched), for a small a (G, M, K), wide b (G, K, P).

    For float32 and an a of at most 450 entries, computed in blocks of 2,048 columns
    of b: OpenBLAS multiplies such skinny operands twice as fast block by block
    (LeNet-5's first layer, 6 x 25 kernels times 100,352 columns: 1.19 -> 0.56 ms).
    Each block is the same product on fewer columns. In float64, and from about
    64 x 9 entries on, the blocks gained nothing or lost (up to 2x), so those keep
    one call.
    """
    if a.dtype != xp.float32 or not _in_blocks(a.shape[-2] * a.shape[-1], b.shape[-1]):
        return xp.matmul(a, b)
    out = xp.empty((*b.shape[:-2], a.shape[-2], b.shape[-1]), dtype=b.dtype)
    for start in range(0, b.shape[-1], _BLOCK):
        block = slice(start, start + _BLOCK)
        xp.matmul(a, b[..., block], out=out[..., block])
    return out


def times_transposed(a: Array, b: Array) -> Array:
    """A @ b^T over the last two axes (batched), computed as (b @ a^T)^T.

    The same numbers; but for a convolution's weight gradient (a long reduction with
    a small result) OpenBLAS runs this operand order 1.3-2.3x faster on LeNet-5's and
    AlexNet-small's layers. A result of at most 450 entries (a first convolution's
    weight gradient) is summed over blocks of 2,048 columns, 2-3x faster again in
    float32 and float64 (LeNet-5's first layer: 1.30 -> 0.55 ms); the blocks change
    only the order of the additions.
    """
    if not _in_blocks(a.shape[-2] * b.shape[-2], a.shape[-1]):
        product: Array = xp.matmul(b, xp.swapaxes(a, -1, -2))
        return xp.swapaxes(product, -1, -2)
    total = None
    for start in range(0, a.shape[-1], _BLOCK):
        block = slice(start, start + _BLOCK)
        part = xp.matmul(b[..., block], xp.swapaxes(a[..., block], -1, -2))
        total = part if total is None else xp.add(total, part, out=total)
    assert total is not None
    return xp.swapaxes(total, -1, -2)


def _in_blocks(small: int, width: int) -> bool:
    """Whether a product with a small matrix of ``small`` entries runs in blocks."""
    return small <= _SMALL_MATRIX and width > _BLOCK


def logistic(x: Array) -> Array:
    """1 / (1 + exp(-x)), without overflow and with full relative precision for x << 0.

    With e = exp(-|x|) (never above 1): 1 / (1 + e) for x >= 0, e / (1 + e) for
    x < 0. (The shortcut (1 + tanh(x/2)) / 2 rounds to exactly 0 already for
    x < -37.) Small arrays go to SciPy's ``expit``, the same function in one
    compiled pass: up to 1,024 elements that beats the formula's seven NumPy calls
    (4 x 4: 0.4 us against 3.8 us, a tenth of a small network's training step); for
    200 x 100 the formula is twice as fast. SciPy is imported on first use, which
    keeps ``import rosenblatt`` from loading it.
    """
    global _expit
    if x.size <= _SMALL_LOGISTIC:
        if _expit is None:
            from scipy.special import expit

            _expit = expit
        small: Array = _expit(x)
        return small
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1, e) / (1 + e)
