"""backend: the allocator setting the training loop makes."""

import platform
import subprocess
import sys

import numpy as np
import pytest

from rosenblatt import MLPClassifier, backend, nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.train import fit

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(backend, "_kept", None)  # as in a new process
    return monkeypatch


def test_the_environment_variable_leaves_the_allocator_alone(fresh) -> None:
    fresh.setenv("ROSENBLATT_SYSTEM_MALLOC", "1")
    assert backend.keep_freed_memory() is False
    assert backend._kept is False  # decided once, not retried


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_on_glibc_training_keeps_freed_memory(fresh) -> None:
    fresh.delenv("ROSENBLATT_SYSTEM_MALLOC", raising=False)
    net = nn.build_mlp([2, 3, 2], rng=0)
    X, y = np.random.default_rng(0).random((8, 2)), np.array([0, 1] * 4)
    fit(net, F.cross_entropy, optim.SGD(net.parameters(), lr=0.1), X, y, verbose=0)
    assert backend._kept is True  # fit asked, and glibc accepted both settings
    assert backend.keep_freed_memory() is True


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_training_keeps_freed_memory_too(fresh) -> None:
    fresh.delenv("ROSENBLATT_SYSTEM_MALLOC", raising=False)
    X, y = np.random.default_rng(0).random((8, 2)), np.array([0, 1] * 4)
    MLPClassifier((3,), solver="lbfgs", max_iter=2).fit(X, y)  # no Trainer involved
    assert backend._kept is True


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
