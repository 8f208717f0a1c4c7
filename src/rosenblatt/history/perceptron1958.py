"""1958: Rosenblatt's perceptron learns what a line can separate.

The rule of the text's section 3.2.2: present one sample at a time; when the unit
answers wrongly, move the weights toward the sample (w += eta (d - y) x). On data a
line can separate, it stops making mistakes.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.perceptron import Perceptron

CLAIM = (
    "The perceptron learns, by its error-correcting rule alone, any classification a "
    "line can make: AND, OR, and two separable clouds of points."
)
RULE = (
    "Supported when, from zero weights, the perceptron stops by its error rule (an "
    "epoch without a mistake) with every training sample right, on AND, on OR and on "
    "seeded separable 2-D data, within 1,000 epochs."
)


def separable_clouds(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two separable clouds of points in the plane.

    Two Gaussian clouds, keeping the points on their cloud's side of the line
    x1 + x2 = 0 and at least 0.15 from it: separable by construction.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 2)) * 0.7 + np.where(y[:, None] == 1, 0.7, -0.7)
    side = X.sum(axis=1) / np.sqrt(2)  # signed distance to the line x1 + x2 = 0
    keep = (np.abs(side) >= 0.15) & ((side > 0) == (y == 1))
    return X[keep], y[keep]


def _learn(X: Any, y: Any, seed: int) -> Perceptron:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is a result here
        return Perceptron(
            tol=None, max_iter=1000, record_history=True, random_state=seed
        ).fit(X, y)


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """The perceptron on AND, OR and separable clouds, its line recorded update by update."""
    gates = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    X, y = separable_clouds(60 if quick else 200, seed)
    tasks = {
        "AND": (gates, [0, 0, 0, 1]),
        "OR": (gates, [0, 1, 1, 1]),
        "clouds": (X, y),
    }
    learned = {
        name: _learn(data, labels, seed) for name, (data, labels) in tasks.items()
    }
    checks = []
    numbers: dict[str, Any] = {}
    for name, clf in learned.items():
        data, labels = tasks[name]
        accuracy = clf.score(data, labels)
        updates = len(clf.weight_history_) - 1
        numbers[name] = {
            "epochs": clf.n_iter_,
            "updates": updates,
            "stopped_by": clf.converged_,
            "accuracy": accuracy,
        }
        checks.append(
            Check(
                f"learns {name}",
                f"{name}: all right after {updates} updates ({clf.n_iter_} epochs)"
                if clf.converged_ == "error" and accuracy == 1.0
                else f"{name}: accuracy {accuracy:.2f} after {clf.n_iter_} epochs",
                clf.converged_ == "error" and accuracy == 1.0,
            )
        )
    clouds = learned["clouds"]
    figure = plot.perceptron_history(
        clouds,
        X,
        y,
        title=f"The line settles after {len(clouds.weight_history_) - 1} updates",
    )
    return Milestone(
        year="1958",
        title="The perceptron learns a line",
        claim=CLAIM,
        setup=(
            "rosenblatt.Perceptron with the text's rule: bipolar targets, eta = 1, zero "
            "initial weights, samples shuffled each epoch (seeded), stopping at the first "
            f"epoch without a mistake. Clouds: {len(X)} points from two seeded Gaussian "
            "clouds, keeping the points on their cloud's side of x1 + x2 = 0 and 0.15 or more "
            "from it."
        ),
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[
            ("The perceptron's line, update by update, on separable data", figure)
        ],
    )
