"""NumPy formulations chosen by measurement: the same numbers, computed faster.

Each function states what it computes, then why its way is faster, with the
measurement (per call on this project's 2-core machine, NumPy 2.4, float32). Ops call
these instead of the obvious NumPy expression, so an op's body reads like its
docstring and the speed argument lives here, once.
"""

from __future__ import annotations

from typing import Any

from rosenblatt.backend import Array, xp

__all__ = ["column_sums", "logistic", "row_max", "row_sums", "times_transposed"]

# Up to this many classes, reducing a transposed copy beats NumPy's row-wise max.
_FEW_COLUMNS = 32
# Up to this many elements, SciPy's one-pass expit beats the formula's NumPy calls.
_SMALL_LOGISTIC = 1024
_expit: Any = None


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
    over axis 1 costs twice as much as BLAS's matrix-vector product.
    """
    return x @ xp.ones(x.shape[1], dtype=x.dtype)


def column_sums(x: Array) -> Array:
    """sum_n x[n, k] for x of shape (N, K); shape (K,): a bias's gradient.

    As the product ones @ x: half the time of NumPy's sum over axis 0 for a batch of
    200 x 100 (3 us against 6); both add down each column.
    """
    return xp.ones(len(x), dtype=x.dtype) @ x


def times_transposed(a: Array, b: Array) -> Array:
    """A @ b^T over the last two axes (batched), computed as (b @ a^T)^T.

    The same numbers; but for a convolution's weight gradient (a long reduction with
    a small result) OpenBLAS runs this operand order 1.3-2.3x faster on LeNet-5's and
    AlexNet-small's layers.
    """
    product: Array = xp.matmul(b, xp.swapaxes(a, -1, -2))
    return xp.swapaxes(product, -1, -2)


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
