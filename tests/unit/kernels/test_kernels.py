"""Compiled kernels: each equals its plain-Python loop; the estimators' results do not
change when a kernel takes over; numba stays out of ``import rosenblatt``."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

import rosenblatt.perceptron as perceptron_module
from rosenblatt import Perceptron
from rosenblatt.kernels import Kernel, kernel
from rosenblatt.kernels.perceptron import online_epoch

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)


def _epoch_inputs(dtype, weighted: bool, units: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = np.hstack([np.ones((40, 1)), rng.integers(-3, 4, (40, 5))]).astype(dtype)
    d = np.where(rng.random((40, units)) < 0.5, 1.0, -1.0)
    factors = (
        rng.integers(1, 3, (40, units)).astype(float) if weighted else np.empty((0, 0))
    )
    W = np.zeros((units, 6), dtype=dtype)
    order = rng.permutation(40)
    active = np.array([True, False, True][:units])
    return X, d, factors, W, order, active


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    ("invscaling", "bipolar", "zero_is_wrong"),
    [(False, True, False), (True, True, False), (False, False, True)],
)
def test_perceptron_epoch_compiled_equals_its_python_loop(
    dtype, weighted, invscaling, bipolar, zero_is_wrong
) -> None:
    results = []
    for run in (online_epoch.py_func, online_epoch):
        X, d, factors, W, order, active = _epoch_inputs(dtype, weighted)
        if not bipolar:
            d = np.where(d > 0, 1.0, 0.0)
        mistakes, loss = np.zeros(3, np.int64), np.zeros(3)
        for epoch in range(3):
            run(X, d, factors, W, order, active, 0.5, 0.5, invscaling, 40 * epoch,
                bipolar, zero_is_wrong, mistakes, loss)  # fmt: skip
        results.append((W, mistakes, loss))
    (W0, m0, l0), (W1, m1, l1) = results
    np.testing.assert_array_equal(m0, m1)
    assert m0[1] == 0 and np.all(W0[1] == 0)  # an inactive unit never moves
    assert W1.dtype == dtype
    # small integers and rates of 1/2: every sum is exact, in any order
    tol = 0 if not invscaling else 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(W0, W1, rtol=tol, atol=tol)
    np.testing.assert_allclose(l0, l1, rtol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"learning_rate": "invscaling", "eta0": 0.5},
        {"class_weight": "balanced", "target_coding": "binary"},
        {"zero_score": "mistake", "shuffle": False, "tol_weight": 1e-3},
        {"tol": None, "max_iter": 30},
    ],
)
def test_perceptron_learns_the_same_with_and_without_the_kernel(
    params, monkeypatch
) -> None:
    X, y = X_DIGITS[:600], Y_DIGITS[:600]
    weights = np.random.default_rng(0).integers(1, 3, len(X)).astype(float)
    fits = []
    for work in (10**15, 0):  # the block algorithm, then the compiled loop
        monkeypatch.setattr(perceptron_module, "_KERNEL_WORK", work)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = Perceptron(random_state=0, **params).fit(X, y, sample_weight=weights)
        fits.append(clf)
    block, compiled = fits
    np.testing.assert_allclose(compiled.weights_, block.weights_, rtol=1e-12)
    assert compiled.errors_ == block.errors_
    assert (compiled.n_iter_, compiled.t_, compiled.converged_) == (
        block.n_iter_,
        block.t_,
        block.converged_,
    )


def test_import_rosenblatt_does_not_import_numba() -> None:
    code = (
        "import sys, rosenblatt; from rosenblatt import Perceptron\n"
        "Perceptron().fit([[0, 0], [1, 1]], [0, 1])  # tiny: NumPy, no kernel\n"
        "assert 'numba' not in sys.modules, 'numba imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_kernel_compiles_without_a_cache_where_none_can_be_written(
    monkeypatch,
) -> None:
    import numba

    real_njit = numba.njit
    asked = []

    def njit(*args, cache=False, **kwargs):
        asked.append(cache)
        if cache:  # what numba raises on a read-only install without a home
            raise RuntimeError("cannot cache function: no locator available")
        return real_njit(*args, cache=cache, **kwargs)

    monkeypatch.setattr(numba, "njit", njit)

    @kernel()
    def twice(x: float) -> float:
        """2 x."""
        return 2 * x

    assert isinstance(twice, Kernel) and twice.__doc__ == "2 x."
    assert twice(3.5) == 7.0 and twice.py_func(3.5) == 7.0
    assert asked == [True, False]
