"""backend: the allocator setting and the BLAS thread policy of training."""

import platform

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from rosenblatt import MLPClassifier, backend, nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.train import Callback, fit

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


def _blas_threads() -> set[int]:
    return {
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    }


@pytest.fixture
def two_blas_threads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ROSENBLATT_BLAS_THREADS", raising=False)
    with threadpool_limits(limits=2, user_api="blas"):
        if _blas_threads() != {2}:
            pytest.skip("this BLAS cannot run two threads here")
        yield


def test_a_small_product_runs_blas_on_one_thread(two_blas_threads) -> None:
    with backend.blas_threads_for(backend.SMALL_PRODUCT - 1) as limited:
        assert limited is True
        assert _blas_threads() == {1}
    assert _blas_threads() == {2}  # restored on leaving


def test_a_large_product_leaves_the_threads_alone(two_blas_threads) -> None:
    with backend.blas_threads_for(backend.SMALL_PRODUCT) as limited:
        assert limited is False
        assert _blas_threads() == {2}


def test_the_environment_variable_leaves_the_threads_alone(
    two_blas_threads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROSENBLATT_BLAS_THREADS", "all")
    with backend.blas_threads_for(1) as limited:
        assert limited is False
        assert _blas_threads() == {2}


class _RecordThreads(Callback):
    def __init__(self) -> None:
        self.seen: set[int] = set()

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        self.seen |= _blas_threads()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    ("hidden", "threads"),
    [((10,), {1}), ((2048,), {2})],  # 32 x 100 x 10 products; 32 x 2048 x 100
)
def test_mlp_training_limits_blas_only_for_small_layers(
    two_blas_threads, hidden: tuple[int, ...], threads: set[int]
) -> None:
    X, y = np.random.default_rng(0).random((64, 100)), np.arange(64) % 3
    record = _RecordThreads()
    MLPClassifier(
        hidden, batch_size=32, max_iter=2, callbacks=[record], random_state=0
    ).fit(X, y)
    assert record.seen == threads
    assert _blas_threads() == {2}
