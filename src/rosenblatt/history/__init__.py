"""The history lab: each claim of the source text, run on real numbers and judged.

The source text tells the history of neural networks as an argument: threshold units
compute logic (1943); the perceptron learns what a line separates (1958) and provably
stops (1962) but cannot learn XOR (1969); backpropagation through sigmoid units can
(1986); deep sigmoid networks lose their gradient on the way back (1991); shallow
models such as SVMs held the field (1990s); unsupervised pretraining got deep networks
training (2006); ReLU made it unnecessary (2011); and AlexNet won with ReLU, dropout,
LRN and a GPU (2012). One module per milestone runs its claim with this library:

>>> from rosenblatt import history
>>> result = history.run_milestone("1943", quick=True)
>>> result.verdict, result.checks[1].measured
('supported', '14 of the 16 two-input functions; XOR and XNOR by none')

``run(years, quick, seed)`` runs several; ``report.write(results, folder)`` writes
``report.html`` (self-contained), ``report.md`` and ``results.json``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable

from rosenblatt.history.milestone import Check, Milestone

__all__ = ["MILESTONES", "Check", "Milestone", "run", "run_milestone"]

# year -> (module, what it is about), in the text's order
MILESTONES: dict[str, tuple[str, str]] = {
    "1943": ("mcp1943", "McCulloch-Pitts units compute logic"),
    "1958": ("perceptron1958", "the perceptron learns a line"),
    "1962": ("novikoff1962", "the perceptron's convergence theorem"),
    "1969": ("xor1969", "XOR defeats the perceptron"),
    "1986": ("backprop1986", "backpropagation learns XOR"),
    "1991": ("vanishing1991", "the vanishing gradient"),
    "1990s": ("svm1990s", "shallow models hold the field"),
    "2006": ("pretraining2006", "pretraining gets deep networks training"),
    "2011": ("relu2011", "ReLU keeps the gradient"),
    "2012": ("alexnet2012", "AlexNet's ingredients"),
}


def run_milestone(year: str, quick: bool = False, seed: int = 0) -> Milestone:
    """Run one milestone (a key of ``MILESTONES``), timed, with the code to rerun it."""
    if year not in MILESTONES:
        raise ValueError(
            f"history: unknown milestone {year!r}; expected one of {list(MILESTONES)}"
        )
    module = importlib.import_module(f"rosenblatt.history.{MILESTONES[year][0]}")
    started = time.perf_counter()
    result: Milestone = module.run(quick=quick, seed=seed)
    result.seconds = time.perf_counter() - started
    result.code = (
        f"from rosenblatt.history import {MILESTONES[year][0]}\n"
        f"result = {MILESTONES[year][0]}.run(quick={quick}, seed={seed})\n"
        "print(result.verdict, result.measured)"
    )
    return result


def run(
    years: Iterable[str] | None = None,
    quick: bool = False,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[Milestone]:
    """Run the milestones ``years`` (all by default), in the text's order.

    ``progress(year)`` is called before each one starts.
    """
    chosen = list(MILESTONES) if years is None else list(years)
    unknown = [y for y in chosen if y not in MILESTONES]
    if unknown:
        raise ValueError(
            f"history: unknown milestone(s) {unknown}; expected some of {list(MILESTONES)}"
        )
    results = []
    for year in sorted(set(chosen), key=list(MILESTONES).index):
        if progress is not None:
            progress(year)
        results.append(run_milestone(year, quick, seed))
    return results
