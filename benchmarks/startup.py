"""Workload 9: what a new process pays: import time, and the first fit's latency.

Each figure is measured in a fresh Python process (so nothing is imported or
compiled yet), median of the rounds, contenders interleaved. The first fit is timed
after the imports; "cold" clears numba's cache of rosenblatt's kernels first, so a
kernel that the fit uses is compiled; "cached" loads it from the cache.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from common import Section, table

IMPORTS = {
    "rosenblatt": "import rosenblatt",
    "rosenblatt + its estimators": "import rosenblatt; rosenblatt.MLPClassifier",
    "sklearn.neural_network": "import sklearn.neural_network",
    "torch": "import torch",
}
XOR = "X = [[0, 0], [0, 1], [1, 0], [1, 1]]; y = [0, 1, 1, 0]\n"
FITS = {
    "Perceptron on XOR": (
        "from rosenblatt import Perceptron\n" + XOR,
        "Perceptron(max_iter=20).fit(X, y)",
    ),
    "MLPClassifier on XOR": (
        "from rosenblatt import MLPClassifier\n" + XOR,
        "MLPClassifier((4,), max_iter=20).fit(X, y)",
    ),
    "scikit-learn's MLPClassifier on XOR": (
        "from sklearn.neural_network import MLPClassifier\n" + XOR,
        "MLPClassifier((4,), max_iter=20).fit(X, y)",
    ),
    "Perceptron on digits (a kernel)": (
        "from rosenblatt import Perceptron\nfrom sklearn.datasets import load_digits\n"
        "X, y = load_digits(return_X_y=True)\n",
        "Perceptron(max_iter=5, tol=None).fit(X, y)",
    ),
}


def _seconds(setup: str, timed: str) -> float:
    code = (
        "import time, warnings\nwarnings.simplefilter('ignore')\n"
        f"{setup}\nstarted = time.perf_counter()\n{timed}\n"
        "print(time.perf_counter() - started)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def _kernel_cache() -> Path:
    import rosenblatt.kernels

    return Path(rosenblatt.kernels.__file__).parent / "__pycache__"


def section(quick: bool, rounds: int | None = None) -> Section:
    rounds = rounds or (3 if quick else 7)
    imports: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(rounds):
        for name, statement in IMPORTS.items():
            imports[name].append(_seconds("", statement))
    first: dict[str, dict[str, list[float]]] = {
        name: {"cold": [], "cached": []} for name in FITS
    }
    for _ in range(rounds):
        for name, (setup, timed) in FITS.items():
            for kind in ("cold", "cached"):
                if kind == "cold":
                    shutil.rmtree(_kernel_cache(), ignore_errors=True)
                first[name][kind].append(_seconds(setup, timed))
    median = {name: statistics.median(v) for name, v in imports.items()}
    ratios = {
        "import_rosenblatt_vs_sklearn": median["rosenblatt"]
        / median["sklearn.neural_network"],
        # the estimators import scikit-learn's base, whose import is most of this
        "import_estimators_vs_sklearn": median["rosenblatt + its estimators"]
        / median["sklearn.neural_network"],
        "first_xor_fit_seconds": max(
            statistics.median(first[n]["cached"])
            for n in ("Perceptron on XOR", "MLPClassifier on XOR")
        ),
    }
    return Section(
        [
            "## Workload 9: import time and the first fit, in a fresh process",
            "",
            f"Medians of {rounds} fresh processes each, contenders interleaved.",
            "",
            *table(
                ["import", "seconds"],
                [[f"`{IMPORTS[n]}`", f"{median[n]:.3f}"] for n in IMPORTS],
            ),
            "",
            *table(
                ["first fit, after the imports", "cold kernel cache s", "cached s"],
                [
                    [
                        n,
                        f"{statistics.median(v['cold']):.3f}",
                        f"{statistics.median(v['cached']):.3f}",
                    ]
                    for n, v in first.items()
                ],
            ),
            "",
        ],
        ratios,
    )
