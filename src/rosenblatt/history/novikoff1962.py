"""1962: Novikoff's theorem: the perceptron stops after at most (R / gamma)^2 mistakes.

If some unit vector u separates the data with margin gamma (d u . x >= gamma for
every sample, x with its constant input) and every input has length at most R, the
perceptron started from zero makes at most (R / gamma)^2 updates, whatever the order
of the samples. Each update raises u . w by at least gamma and ||w||^2 by at most R^2.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.perceptron import Perceptron

CLAIM = (
    "On data separated with margin gamma by a unit vector, inputs of length at most R, "
    "the perceptron converges after at most (R / gamma)^2 updates."
)
RULE = (
    "Supported when, on every one of at least 100 seeded separable datasets, the "
    "perceptron (zero start) stops with no mistake and its number of updates is at "
    "most (R / gamma)^2, R and gamma measured on the augmented inputs [1, x] and the "
    "generating separator."
)


def margin_dataset(seed: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Separable points with a known margin: X, y, R and gamma.

    Points in [-1, 1]^d labelled by a random hyperplane through the origin, with a
    band of random width around it emptied.
    """
    rng = np.random.default_rng(seed)
    d = int(rng.choice([2, 5, 10]))
    u = rng.normal(size=d)
    u /= np.linalg.norm(u)
    X = rng.uniform(-1, 1, size=(int(rng.integers(50, 200)), d))
    band = rng.uniform(0.02, 0.2)
    X = X[np.abs(X @ u) >= band]
    y = (X @ u > 0).astype(int)
    # the separator [0, u] of the augmented inputs [1, x] is a unit vector
    gamma = float(np.min(np.abs(X @ u)))
    radius = float(np.sqrt(1 + np.max(np.sum(X * X, axis=1))))
    return X, y, radius, gamma


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """Count the perceptron's updates on many separable datasets against the bound."""
    n_sets = 100 if quick else 300
    updates, bounds, stopped = [], [], []
    for i in range(n_sets):
        X, y, radius, gamma = margin_dataset(seed * 100_003 + i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = Perceptron(
                tol=None, max_iter=100_000, n_iter_no_change=1, random_state=i
            ).fit(X, y)
        updates.append(int(np.sum(clf.errors_)))
        bounds.append((radius / gamma) ** 2)
        stopped.append(clf.converged_ == "error" and clf.score(X, y) == 1.0)
    ratio = np.array(updates) / np.array(bounds)
    under = int(np.sum(ratio <= 1))
    numbers: dict[str, Any] = {
        "datasets": n_sets,
        "converged": int(sum(stopped)),
        "under_bound": under,
        "updates_over_bound": {
            "median": float(np.median(ratio)),
            "max": float(ratio.max()),
            "min": float(ratio.min()),
        },
    }
    checks = [
        Check(
            "every run converges",
            f"{sum(stopped)} of {n_sets} runs converged",
            all(stopped),
        ),
        Check(
            "updates <= (R / gamma)^2",
            f"{under} of {n_sets} under the bound; updates are a median "
            f"{np.median(ratio):.2%} (at most {ratio.max():.2%}) of it",
            under == n_sets,
        ),
    ]
    return Milestone(
        year="1962",
        title="The perceptron's convergence theorem",
        claim=CLAIM,
        setup=(
            f"{n_sets} seeded datasets: 50-200 points uniform in [-1, 1]^d (d = 2, 5 or 10) "
            "labelled by a random hyperplane through the origin, a band of width "
            "0.02-0.2 around it emptied; rosenblatt.Perceptron from zero weights, "
            "shuffled, until an epoch without a mistake."
        ),
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[("Updates against Novikoff's bound", _figure(updates, bounds))],
    )


def _figure(updates: list[int], bounds: list[float]) -> Any:
    fig = plot.new_figure(6.4, 5)
    ax = plot.axes(fig)
    ax.scatter(bounds, np.maximum(updates, 0.8), s=14, alpha=0.7, color=plot.PALETTE[0])
    line = np.array([min(bounds), max(bounds)])
    ax.plot(
        line, line, color=plot.PALETTE[1], label="the bound: updates = (R / gamma)^2"
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Novikoff's bound (R / gamma)^2 (updates)")
    ax.set_ylabel("updates the perceptron made")
    ratio = np.median(np.array(updates) / np.array(bounds))
    ax.set_title(f"Every run under the bound, typically at {ratio:.1%} of it")
    ax.legend(loc="upper left")
    return fig
