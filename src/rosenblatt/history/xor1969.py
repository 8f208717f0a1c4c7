"""1969: Minsky and Papert: the perceptron cannot learn XOR.

No line separates XOR's ones from its zeros, so the perceptron's weights never stop
moving while a mistake remains: under the text's every stopping rule it ends with
samples wrong, and the best any line does is 3 of the 4.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history.mcp1943 import XOR_NAMES
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.perceptron import Perceptron

CLAIM = (
    "A single-layer perceptron cannot learn XOR: it never converges to a solution, and "
    "no line classifies more than 3 of its 4 points."
)
RULE = (
    "Supported when the perceptron ends with at least one XOR point wrong under each "
    "stopping rule of the text (error, weight change, loss, and M epochs, each with "
    "k = 1 and k = 5), when the best of all weight vectors it visits gets at most 3 of "
    "4 right, and when a search over 10^6 lines finds none better than 3 of 4."
)

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
Y_XOR = np.array([0, 1, 1, 0])


def _best_line(n: int) -> int:
    """The most XOR points any of n^2 lines w . x + b > 0 (angles x offsets) gets right."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    offsets = np.linspace(-1.5, 1.5, n)
    normals = np.column_stack([np.cos(angles), np.sin(angles)])
    scores = (X_XOR @ normals.T)[:, :, None] + offsets[None, None, :]  # (4, angle, b)
    right = ((scores > 0) == (Y_XOR[:, None, None] == 1)).sum(axis=0)
    return int(right.max())


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """The perceptron on XOR under every stopping rule, and every line tried."""
    epochs = 200 if quick else 1000
    rules: dict[str, dict[str, Any]] = {
        "error": {"tol": None, "tol_error": 0.0},
        "weight": {"tol": None, "tol_error": None, "tol_weight": 1e-6},
        "loss": {"tol": 1e-3, "tol_error": None},
        "M epochs": {"tol": None, "tol_error": None},
    }
    outcomes: dict[str, Any] = {}
    for name, params in rules.items():
        for k in (1, 5):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf = Perceptron(
                    **params, n_iter_no_change=k, max_iter=epochs, random_state=seed
                ).fit(X_XOR, Y_XOR)
            outcomes[f"{name}, k={k}"] = {
                "stopped_by": clf.converged_,
                "epochs": clf.n_iter_,
                "right": round(clf.score(X_XOR, Y_XOR) * 4),
            }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = Perceptron(
            tol=None, max_iter=50, record_history=True, random_state=seed
        ).fit(X_XOR, Y_XOR)
    augmented = np.hstack([np.ones((4, 1)), X_XOR])
    visited = np.array(traced.weight_history_)
    best_visited = int(
        ((augmented @ visited.T >= 0) == (Y_XOR[:, None] == 1)).sum(axis=0).max()
    )
    best_line = _best_line(1000)
    never = all(o["right"] < 4 for o in outcomes.values())
    stopped = {k: o for k, o in outcomes.items() if o["stopped_by"] is not None}
    checks = [
        Check(
            "no stopping rule ends with XOR learned",
            f"best final result {max(o['right'] for o in outcomes.values())} of 4 over "
            f"{len(outcomes)} rule settings; {len(stopped)} stopped early, the rest ran "
            f"all {epochs} epochs",
            never,
        ),
        Check(
            "the weights it visits get at most 3 of 4",
            f"best of {len(visited)} visited weight vectors: {best_visited} of 4",
            best_visited <= 3,
        ),
        Check(
            "no line gets 4 of 4",
            f"best of 10^6 lines: {best_line} of 4",
            best_line <= 3,
        ),
    ]
    return Milestone(
        year="1969",
        title="XOR defeats the perceptron",
        claim=CLAIM,
        setup=(
            "rosenblatt.Perceptron on XOR's four points, from zero weights, shuffled "
            f"(seeded), up to M = {epochs} epochs, under each stopping rule with k = 1 and "
            "5; the weights it visits in 50 epochs; 1,000 directions x 1,000 offsets of "
            "a line."
        ),
        rule=RULE,
        checks=checks,
        numbers={
            "rules": outcomes,
            "best_visited": best_visited,
            "best_line": best_line,
        },
        figures=[
            ("Why: the line keeps moving and the mistakes never end", _figure(traced))
        ],
    )


def _figure(traced: Perceptron) -> Any:
    fig = plot.new_figure(10, 4.4)
    ax = plot.axes(fig, 1, 2, 1)
    xs = np.linspace(-0.5, 1.5, 2)
    history = traced.weight_history_
    for i, (b, w1, w2) in enumerate(history[-12:]):
        if abs(w2) > 1e-12:
            ax.plot(xs, -(b + w1 * xs) / w2, color=plot.PALETTE[0],
                    alpha=0.2 + 0.6 * i / 12, linewidth=1)  # fmt: skip
        elif abs(w1) > 1e-12:
            ax.axvline(-b / w1, color=plot.PALETTE[0], alpha=0.2 + 0.6 * i / 12)
    plot.class_points(ax, X_XOR, Y_XOR, XOR_NAMES, size=90, zorder=3)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlabel("input $x_1$")
    ax.set_ylabel("input $x_2$")
    ax.set_title("Its last 12 lines: each leaves a point wrong")
    ax.legend(loc="upper right", fontsize="small")
    ax = plot.axes(fig, 1, 2, 2)
    ax.plot(np.arange(1, len(traced.errors_) + 1), traced.errors_, marker="o",
            markersize=3, color=plot.PALETTE[1])  # fmt: skip
    ax.set_ylim(0, 4.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes in the epoch (of 4)")
    fewest = min(traced.errors_)
    ax.set_title(f"Mistakes per epoch never fall below {fewest}" if fewest else
                 "An epoch without mistakes")  # fmt: skip
    fig.suptitle("1969: no line separates XOR, so the perceptron never settles")
    return fig
