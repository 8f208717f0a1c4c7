"""kernels.machine: the allocator setting, an explicit opt-in, and the BLAS-thread policy."""

import platform
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from rosenblatt import MLPClassifier, nn, optim
from rosenblatt.kernels import machine
from rosenblatt.nn import functional as F
from rosenblatt.train import fit

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(machine, "_kept", None)  # as in a new process
    return monkeypatch


def test_the_environment_variable_leaves_the_allocator_alone(fresh) -> None:
    fresh.setenv("ROSENBLATT_SYSTEM_MALLOC", "1")
    assert machine.keep_freed_memory() is False
    assert machine._kept is False  # decided once, not retried


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_the_allocator_setting_is_an_explicit_opt_in(fresh) -> None:
    fresh.delenv("ROSENBLATT_SYSTEM_MALLOC", raising=False)
    net = nn.build_mlp([2, 3, 2], rng=0)
    X, y = np.random.default_rng(0).random((8, 2)), np.array([0, 1] * 4)
    fit(net, F.cross_entropy, optim.SGD(net.parameters(), lr=0.1), X, y, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((3,), solver="lbfgs", max_iter=2).fit(X, y)
        MLPClassifier((3,), max_iter=2).fit(X, y)
    assert machine._kept is None  # a plain fit left the host's allocator alone
    assert machine.keep_freed_memory() is True  # glibc accepted both settings
    assert machine.keep_freed_memory() is True  # decided once


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_the_cli_opts_in(fresh, tmp_path, capsys) -> None:
    from rosenblatt.cli import main

    fresh.delenv("ROSENBLATT_SYSTEM_MALLOC", raising=False)
    assert main(["train", "--data", "xor", "--epochs", "1", "--json"]) == 0
    capsys.readouterr()
    assert machine._kept is True


def test_the_engine_imports_without_scipy() -> None:
    # SciPy takes 0.13 s to import; the engine needs it only for sparse input
    # (already loaded by whoever built the matrix) and, on first use, expit.
    code = (
        "import sys, numpy as np, rosenblatt.tensor as t, rosenblatt.nn as nn;"
        "x = t.Tensor(np.ones((2, 3), np.float32), requires_grad=True);"
        "(nn.Linear(3, 2)(x).relu().sum()).backward();"
        "assert 'scipy' not in sys.modules, 'scipy was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- BLAS's thread count while fitting ---


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max(
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    )


def test_small_products_run_blas_on_one_thread_and_large_ones_as_they_are(
    monkeypatch,
) -> None:
    from threadpoolctl import threadpool_limits

    from rosenblatt.kernels.machine import SMALL_PRODUCT, blas_threads

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    with threadpool_limits(limits=2, user_api="blas"):
        with blas_threads(SMALL_PRODUCT - 1):
            assert _blas_threads() == 1
        assert _blas_threads() == 2  # put back
        with blas_threads(SMALL_PRODUCT):
            assert _blas_threads() == 2
        with blas_threads(10, threads=2):  # the user's choice wins
            assert _blas_threads() == 2
        monkeypatch.setenv("OMP_NUM_THREADS", "2")
        with blas_threads(10):  # so does the environment's
            assert _blas_threads() == 2
    with pytest.raises(ValueError, match="threads: expected a positive int"):
        with blas_threads(10, threads=0):
            pass


def test_the_thread_pools_are_found_again_only_after_an_import(monkeypatch) -> None:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    first = machine._thread_pools()
    with machine.blas_threads(10):  # a small fit: limits through the kept controller
        assert _blas_threads() == 1
        assert machine._thread_pools() is first
    monkeypatch.setitem(sys.modules, "imported_since", types.ModuleType("since"))
    again = machine._thread_pools()
    assert again is not first  # a new import may have brought a new BLAS
    assert machine._thread_pools() is again
