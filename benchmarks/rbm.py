"""Workload 8: BernoulliRBM ``fit`` against scikit-learn's, the 2006 pretraining step.

The same parameters and ``random_state`` give the same machine in both (the tests
check it); each round fits both, in turn, and records CPU time on this thread
(``time.thread_time``) and wall time.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from common import Section, fashion, table


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM as SkBernoulliRBM

    from rosenblatt import BernoulliRBM

    rounds = rounds or (3 if quick else 5)
    digits = load_digits().data / 16
    images = fashion(5_000 if quick else 20_000).X.astype("float64")
    cases: list[tuple[str, Any, dict[str, Any]]] = [
        (
            "digits (1,797 x 64), 64 hidden, batch 10, 10 passes",
            digits,
            {"n_components": 64},
        ),
        ("digits, 256 hidden (the default), batch 10, 10 passes", digits, {}),
        (
            f"Fashion-MNIST-sized ({len(images):,} x 784), 256 hidden, batch 100, 2 passes",
            images,
            {"batch_size": 100, "n_iter": 2},
        ),
    ]
    rows, ratios = [], {}
    for label, X, params in cases:
        cpu: dict[str, list[float]] = {"rosenblatt": [], "scikit-learn": []}
        wall: dict[str, list[float]] = {"rosenblatt": [], "scikit-learn": []}
        for r in range(rounds):
            for name, cls in (
                ("rosenblatt", BernoulliRBM),
                ("scikit-learn", SkBernoulliRBM),
            ):
                t, w = time.thread_time(), time.perf_counter()
                cls(**params, random_state=r).fit(X)
                cpu[name].append(time.thread_time() - t)
                wall[name].append(time.perf_counter() - w)
            print(f"  {label}: round {r + 1}/{rounds}", file=sys.stderr, flush=True)
        cpu_ratio = statistics.median(
            a / b for a, b in zip(cpu["rosenblatt"], cpu["scikit-learn"], strict=True)
        )
        wall_ratio = statistics.median(
            a / b for a, b in zip(wall["rosenblatt"], wall["scikit-learn"], strict=True)
        )
        if not ratios:
            ratios["digits_bernoullirbm_vs_sklearn"] = cpu_ratio
        rows.append(
            [
                label,
                f"{statistics.median(cpu['rosenblatt']):.3f}",
                f"{statistics.median(cpu['scikit-learn']):.3f}",
                f"**{cpu_ratio:.2f}**",
                f"{wall_ratio:.2f}",
            ]
        )
    header = [
        "data",
        "rosenblatt CPU s",
        "scikit-learn CPU s",
        "rosenblatt / scikit-learn (CPU, 1 thread)",
        "(wall)",
    ]
    return Section(
        [
            "## Workload 8: `BernoulliRBM.fit` against scikit-learn's",
            "",
            "The same parameters and `random_state`, hence the same machine (to 1e-12); "
            f"medians of {rounds} interleaved rounds.",
            "",
            *table(header, rows),
            "",
        ],
        ratios,
    )
