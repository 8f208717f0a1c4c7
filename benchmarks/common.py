"""What every benchmark section shares: data, interleaved timing, peak memory, tables."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rosenblatt.kernels.machine import keep_freed_memory

HERE = Path(__file__).resolve().parent

# The benchmarks opt in to the allocator setting, as `rosenblatt train` does (every
# section and probe runs in a process of its own that imports this module first).
keep_freed_memory()


@dataclass
class Data:
    """A train/test split and where it came from."""

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str


@dataclass
class Section:
    """A section of RESULTS.md: its Markdown lines, and the ratios its targets judge."""

    lines: list[str]
    ratios: dict[str, float] = field(default_factory=dict)


def synthetic_fashion(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST's shape: n x 784 pixels in [0, 1], 10 classes with learnable structure.

    Each class has a random template; a sample is its template plus noise, clipped
    to [0, 1] and quantised to 256 grey levels like the real images.
    """
    rng = np.random.default_rng(seed)
    templates = rng.random((10, 784))
    y = rng.integers(0, 10, n)
    X = np.clip(templates[y] + rng.normal(0, 0.35, (n, 784)), 0, 1)
    X = (np.round(X * 255) / 255).astype(np.float32)
    return X, y.astype(np.int64)


def fashion(n_train: int | None = None, dtype: Any = np.float32) -> Data:
    """Fashion-MNIST (Debian's dataset-fashion-mnist) scaled to [0, 1], or synthetic
    data of its shape when the package is absent; the first ``n_train`` training rows."""
    from rosenblatt.data.idx import load_mnist_like

    try:
        X, y, X_test, y_test = load_mnist_like("fashion-mnist")
        source = "Fashion-MNIST"
    except FileNotFoundError:
        X, y = synthetic_fashion(60_000, seed=1)
        X_test, y_test = synthetic_fashion(10_000, seed=2)
        source = "synthetic Fashion-MNIST-shaped data"
    n = len(X) if n_train is None else n_train

    def scaled(a: np.ndarray) -> np.ndarray:
        out = a.astype(dtype)
        if a.dtype == np.uint8:
            out *= dtype(1 / 255)
        return out

    return Data(
        scaled(X[:n]),
        y[:n].astype(np.int64),
        scaled(X_test),
        y_test.astype(np.int64),
        source,
    )


# How a section measures time, set once per section process by run.py's --threads:
# on 1 thread (every library's BLAS and PyTorch limited to one), CPU time of the
# calling thread (time.thread_time), which other load on the machine hardly moves;
# on more threads, wall time (perf_counter), since the CPU time of one thread then
# misses the work of the others.
THREADS = 1


def use_threads(threads: int) -> None:
    """Run BLAS (NumPy's and SciPy's) and PyTorch on ``threads`` threads from now on."""
    global THREADS
    import threadpoolctl

    THREADS = threads
    threadpoolctl.threadpool_limits(limits=threads)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def clock() -> float:
    """The section's clock: thread CPU time on 1 thread, else wall time."""
    return time.thread_time() if THREADS == 1 else time.perf_counter()


def clock_name() -> str:
    return (
        "CPU time on 1 thread (`time.thread_time`)"
        if THREADS == 1
        else f"wall time on {THREADS} threads"
    )


def time_rounds(
    contenders: dict[str, Callable[..., Any]],
    rounds: int,
    *args: Any,
    warm_up: bool = False,
) -> dict[str, dict[str, Any]]:
    """Run every contender once per round, in turn (interleaved, so drifts in machine
    load hit all alike); keep each one's times (on the section's clock) and its last
    result. ``warm_up``: run each once, untimed, first (what a first call pays once:
    imports, loading compiled kernels, BLAS's threads; workload 9 measures that)."""
    results: dict[str, dict[str, Any]] = {
        name: {"seconds": [], "result": None} for name in contenders
    }
    for run in contenders.values() if warm_up else ():
        run(*args, seed=0)
    for r in range(rounds):
        for name, run in contenders.items():
            started = clock()
            result = run(*args, seed=r)
            results[name]["seconds"].append(clock() - started)
            results[name]["result"] = result
        print(
            f"  round {r + 1}/{rounds}: "
            + ", ".join(f"{n} {v['seconds'][-1]:.4g}s" for n, v in results.items()),
            file=sys.stderr,
            flush=True,
        )
    for v in results.values():
        v["median"] = statistics.median(v["seconds"])
    return results


def ratio(results: dict[str, dict[str, Any]], ours: str, theirs: str) -> float:
    """Time of ``ours`` / time of ``theirs``: the median of the per-round ratios.

    Each round measures both back to back, so a ratio within a round is little
    affected by the machine's load at that moment, which can shift every time in
    a round by 50 % here; the median of those ratios is the robust summary.
    """
    pairs = zip(results[ours]["seconds"], results[theirs]["seconds"], strict=True)
    return statistics.median(a / b for a, b in pairs)


def torch_epoch(
    model: Any, X: np.ndarray, y: np.ndarray, seed: int, batch: int
) -> float:
    """One epoch of Adam (lr 0.001) on a PyTorch model, in the order numpy's
    ``default_rng(seed).permutation`` gives (as rosenblatt's fit); the mean loss."""
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    total = 0.0
    for start in range(0, len(X), batch):
        index = order[start : start + batch]
        loss = torch.nn.functional.cross_entropy(model(Xt[index]), yt[index])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(index)
    return total / len(X)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A Markdown table."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]


def peak_memory(contender: str, *args: str) -> dict[str, float]:
    """Run ``memory_probe.py contender args`` in a fresh process; its RSS in MiB.

    A fresh process per contender, because the peak resident set size is a
    high-water mark that only grows.
    """
    done = subprocess.run(
        [sys.executable, str(HERE / "memory_probe.py"), contender, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
