"""backend: the allocator setting the training loop makes."""

import platform
from typing import Any

import numpy as np
import pytest

from rosenblatt import backend, nn, optim
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


def _cases() -> list[Any]:
    rng = np.random.default_rng(0)
    square = rng.random((6, 6))
    cases = {
        "float64 matrix": (rng.random((4, 5)), rng.random((4, 5))),
        "float32 vector": (rng.random(7, np.float32), rng.random(7, np.float32)),
        "transposed x": (square.T, rng.random((6, 6))),  # BLAS gets a copy of x
        "transposed y": (rng.random((6, 6)), square.copy().T),  # NumPy, in place
        "broadcast x": (rng.random(5), rng.random((3, 5))),
        "mixed dtypes": (rng.random(5, np.float32), rng.random(5)),
        "empty": (np.empty((0, 3)), np.empty((0, 3))),
    }
    return [pytest.param(x, y, id=name) for name, (x, y) in cases.items()]


@pytest.mark.parametrize(("x", "y"), _cases())
def test_axpy_and_scal_update_y_in_place_as_numpy_would(x, y) -> None:
    expected = y + (-0.25) * x
    backend.axpy(-0.25, x, y)  # returns nothing: y itself must change
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    expected = y * 3.0
    backend.scal(3.0, y)
    np.testing.assert_allclose(y, expected, rtol=1e-6)
