"""The NumPy formulations of kernels.fast: each equals the obvious expression on both
sides of the size where it switches ways."""

import numpy as np
import pytest

from rosenblatt.kernels.fast import (
    all_finite,
    column_sums,
    logistic,
    row_max,
    row_sums,
    small_times_wide,
    times_transposed,
)


@pytest.mark.parametrize("n", [1, 4, 32, 33, 57])  # column sums switch after 32 rows
@pytest.mark.parametrize("k", [1, 10, 32, 33, 100])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_and_column_reductions_equal_numpys(n: int, k: int, dtype) -> None:
    x = np.random.default_rng(k).normal(size=(n, k)).astype(dtype)
    assert np.array_equal(row_max(x), x.max(axis=1))
    tol = 1e-5 if dtype == np.float32 else 1e-13  # sums in another order
    np.testing.assert_allclose(row_sums(x), x.sum(axis=1), rtol=tol, atol=tol)
    np.testing.assert_allclose(column_sums(x), x.sum(axis=0), rtol=tol, atol=tol)
    assert row_sums(x).dtype == column_sums(x).dtype == dtype


@pytest.mark.parametrize("size", [6, 1024, 1025, 6_000])  # SciPy's expit, then NumPy's
def test_logistic_is_exact_far_out_on_both_sides(size: int) -> None:
    x = np.resize([-700.0, -40.0, -1.0, 0.0, 3.0, 40.0, 1000.0, -1000.0], size)
    with np.errstate(over="ignore", invalid="ignore"):  # np.where computes both
        safe = np.where(x < 0, np.exp(x) / (1 + np.exp(x)), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(logistic(x), safe, rtol=1e-15)
    assert logistic(x.astype(np.float32)).dtype == np.float32


# (groups, small rows, inner, columns): blocks of 2,048 columns, a ragged last one,
# one block, and a small matrix too large (over 450 entries) for blocks
PRODUCTS = [(1, 6, 25, 5000), (2, 3, 9, 4100), (1, 6, 25, 2048), (1, 16, 150, 5000)]


@pytest.mark.parametrize(("g", "m", "k", "p"), PRODUCTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blocked_products_equal_one_product(g, m, k, p, dtype) -> None:
    rng = np.random.default_rng(p)
    small = rng.normal(size=(g, m, k)).astype(dtype)
    wide = rng.normal(size=(g, k, p)).astype(dtype)
    grads = rng.normal(size=(g, m, p)).astype(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    out = small_times_wide(small, wide)  # each block: the same product, fewer columns
    assert out.dtype == dtype and out.flags.c_contiguous
    np.testing.assert_allclose(out, np.matmul(small, wide), rtol=tol, atol=tol)
    # the weight gradient sums its blocks: the same numbers in another order
    expected = np.einsum("gmp,gkp->gmk", grads, wide, optimize=False)
    # sums of p products of about 1 each: a missing or doubled column moves one by ~1
    np.testing.assert_allclose(
        times_transposed(grads, wide), expected, rtol=tol, atol=tol * 10
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_all_finite_finds_every_bad_entry_and_is_not_fooled_by_overflow(dtype) -> None:
    big = np.finfo(dtype).max
    assert all_finite(np.array([[big, big], [big, -big]], dtype=dtype))  # sum: inf
    assert all_finite(np.array([[big, big], [big, big]], dtype=dtype))
    assert all_finite(np.zeros((0, 3), dtype=dtype))
    for bad in (np.nan, np.inf, -np.inf):
        x = np.ones((50, 7), dtype=dtype)
        x[31, 4] = bad
        assert not all_finite(x)
        x[0, 0] = -bad  # inf and -inf: a NaN sum
        assert not all_finite(x)
