"""Workload 10: the BLAS-thread policy, on an idle machine and with the other core busy.

``MLPClassifier(threads=None)`` (the policy: one BLAS thread while a fit's largest
product is small) against ``threads=2`` (BLAS on every core, what the policy replaces)
and against scikit-learn's ``MLPClassifier`` (which leaves BLAS as it is), on digits,
a small network; and the policy against ``threads=1`` and ``threads=2`` on a
Fashion-MNIST-sized 784-256-128-10 network, where the policy must keep both threads.
Wall time, since that is what the policy changes. The background load is a process
that spins on one core, which this section starts before the busy rounds and stops
after them.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from common import Section, fashion, ratio, table, time_rounds


@contextmanager
def other_core_busy() -> Iterator[None]:
    """A process that keeps one core busy for the duration of the block."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def contenders(params: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    from rosenblatt import MLPClassifier

    def run(cls: type, **extra: Any) -> Any:
        def fit(X, y, seed):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
                return cls(**params, **extra, random_state=seed).fit(X, y).n_iter_

        return fit

    runs = {name: run(MLPClassifier, threads=t) for name, t in ours.items()}
    return {**runs, "scikit-learn": run(SkMLPClassifier)}


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.datasets import load_digits

    rounds = rounds or (2 if quick else 3)
    X, y = load_digits(return_X_y=True)
    data = fashion(5_000 if quick else 20_000)
    cases = [
        (
            "digits, 64-100-10, 50 epochs",
            {"max_iter": 50},
            {"policy": None, "threads=2": 2},
            (X / 16, y),
        ),
        (
            f"{data.source} {len(data.X):,} rows, 784-256-128-10, 2 epochs",
            {"hidden_layer_sizes": (256, 128), "max_iter": 2},
            {"policy": None, "threads=1": 1, "threads=2": 2},
            (data.X, data.y),
        ),
    ]
    rows, ratios = [], {}
    for label, params, ours, arrays in cases:
        for load in ("idle", "other core busy"):
            chosen = contenders(params, ours)
            if load == "idle":
                results = time_rounds(chosen, rounds, *arrays, warm_up=True)
            else:
                with other_core_busy():
                    results = time_rounds(chosen, rounds, *arrays, warm_up=True)
            cells = [label, load]
            for name in chosen:
                cells.append(f"{results[name]['median']:.2f}")
            versus = {
                name: ratio(results, "policy", name)
                for name in chosen
                if name != "policy"
            }
            cells.append(", ".join(f"{r:.2f} vs {name}" for name, r in versus.items()))
            small = label.startswith("digits")
            key = f"threads_policy_{'small' if small else 'large'}_{load.split()[0]}"
            ratios[f"{key}_vs_2"] = versus["threads=2"]
            rows.append(cells)
    return Section(
        [
            "## Workload 10: the BLAS-thread policy, idle and with the other core busy",
            "",
            "rosenblatt's `MLPClassifier` with `threads=None` (the policy) against fixed "
            "thread counts and scikit-learn's `MLPClassifier` (BLAS as it is, 2 threads); "
            "wall seconds, medians of "
            f"{rounds} interleaved rounds; the busy rounds run beside a process that "
            "spins on one core. Columns: the contenders in the order listed under "
            "'policy / each', scikit-learn last.",
            "",
            *table(
                [
                    "workload",
                    "load",
                    "seconds (policy, fixed counts..., scikit-learn)",
                    "policy / each",
                ],
                [[r[0], r[1], " / ".join(r[2:-1]), r[-1]] for r in rows],
            ),
            "",
        ],
        ratios,
    )
