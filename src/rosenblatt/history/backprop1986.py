"""1986: backpropagation trains a network with a hidden layer of sigmoid units: XOR falls.

Rumelhart, Hinton and Williams: with differentiable (sigmoid) units, the chain rule
carries the output error back to every weight, and gradient descent finds hidden
units that make XOR separable. Not from every start: some seeds end in the known
local minima, with the error stuck and points unresolved.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.data import load
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.mlp import MLPClassifier

CLAIM = (
    "Backpropagation trains a 2-2-1 network of sigmoid units to compute XOR, which no "
    "single unit can; with a wider hidden layer it learns curved boundaries (moons, "
    "circles, spirals)."
)
RULE = (
    "Supported when at least 10 of 20 seeded 2-2-1 sigmoid networks, trained by "
    "gradient descent with momentum on XOR's four points, get all four right, and when "
    "a one-hidden-layer sigmoid network reaches test accuracy >= 0.9 on moons, circles "
    "and spirals."
)
X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y_XOR = np.array([0, 1, 1, 0])


def xor_network(seed: int, epochs: int) -> MLPClassifier:
    """A 2-2-1 sigmoid network trained on XOR by full-batch gradient descent."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter is the budget
        return MLPClassifier(
            (2,),
            activation="logistic",
            solver="sgd",
            learning_rate_init=0.5,
            momentum=0.9,
            batch_size=4,
            max_iter=epochs,
            alpha=0.0,
            tol=0.0,
            n_iter_no_change=epochs,
            shuffle=False,
            random_state=seed,
        ).fit(X_XOR, Y_XOR)


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """Twenty XOR networks from twenty seeds; then moons, circles and spirals."""
    epochs = 1000 if quick else 3000
    nets = [xor_network(seed * 1000 + s, epochs) for s in range(20)]
    solved = [net.score(X_XOR, Y_XOR) == 1.0 for net in nets]
    failures = [
        {
            "seed": seed * 1000 + s,
            "loss": round(float(net.loss_), 4),
            "right": round(net.score(X_XOR, Y_XOR) * 4),
            "outputs": np.round(net.predict_proba(X_XOR)[:, 1], 3).tolist(),
        }
        for s, (net, ok) in enumerate(zip(nets, solved, strict=True))
        if not ok
    ]
    shapes: dict[str, Any] = {}
    fitted = {}
    for name in ("moons", "circles", "spirals"):
        data = load(name, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = MLPClassifier(
                (16,),
                activation="logistic",
                solver="lbfgs",
                max_iter=2000,
                random_state=seed,
            ).fit(data.X_train, data.y_train)
        fitted[name] = (clf, data)
        shapes[name] = round(float(clf.score(data.X_test, data.y_test)), 4)
    failed_losses = sorted({f["loss"] for f in failures})
    checks = [
        Check(
            "most seeds solve XOR",
            f"{sum(solved)} of 20 seeds solve XOR; the others stop at loss "
            f"{', '.join(map(str, failed_losses)) or '-'}",
            sum(solved) >= 10,
        ),
        Check(
            "curved boundaries",
            "test accuracy " + ", ".join(f"{k} {v:.2f}" for k, v in shapes.items()),
            all(v >= 0.9 for v in shapes.values()),
        ),
    ]
    good = (
        next(net for net, ok in zip(nets, solved, strict=True) if ok)
        if any(solved)
        else nets[0]
    )
    bad = next((net for net, ok in zip(nets, solved, strict=True) if not ok), None)
    return Milestone(
        year="1986",
        title="Backpropagation learns XOR",
        claim=CLAIM,
        setup=(
            f"MLPClassifier(2 logistic hidden units), SGD on the full batch of 4, rate 0.5, "
            f"momentum 0.9, no penalty, {epochs} epochs, seeds 0-19 (+1000 x seed). "
            "Moons, circles and spirals: the library's seeded generators (300 train, 100 "
            "test), 16 logistic hidden units, L-BFGS on backpropagated gradients."
        ),
        rule=RULE,
        checks=checks,
        numbers={
            "xor_solved": int(sum(solved)),
            "xor_failures": failures,
            "test_accuracy": shapes,
        },
        figures=[
            ("XOR: the hidden units' lines and the output", _xor_figure(good, bad)),
            ("Curved boundaries from one hidden layer", _shapes_figure(fitted)),
        ],
    )


def _xor_figure(good: MLPClassifier, bad: MLPClassifier | None) -> Any:
    fig = plot.new_figure(10, 4.4)
    for panel, (net, title) in enumerate(
        [
            (good, "A solved seed: two lines, a band"),
            (bad, "A failed seed: a local minimum"),
        ]
    ):
        if net is None:
            continue
        ax = plot.axes(fig, 1, 2, panel + 1)
        plot.decision_surface(net, X_XOR, Y_XOR, resolution=120, ax=ax)
        xs = np.linspace(-0.3, 1.3, 2)
        W, b = net.coefs_[0], net.intercepts_[0]
        for j in range(2):  # hidden unit j's line: W[0, j] x1 + W[1, j] x2 + b[j] = 0
            ax.plot(xs, -(b[j] + W[0, j] * xs) / W[1, j], "--", color=plot.PALETTE[4 + j],
                    linewidth=2, label=f"hidden unit {j + 1}")  # fmt: skip
        ax.set_xlim(-0.3, 1.3)
        ax.set_ylim(-0.3, 1.3)
        ax.legend(loc="lower left", fontsize="small")
        ax.set_title(f"{title} (loss {net.loss_:.3f})")
    fig.suptitle(
        "1986: backpropagation finds hidden units that make XOR separable"
        if good.score(X_XOR, Y_XOR) == 1.0
        else "1986: no seed solved XOR in this run"
    )
    return fig


def _shapes_figure(fitted: dict[str, Any]) -> Any:
    fig = plot.new_figure(15, 4.4)
    for i, (name, (clf, data)) in enumerate(fitted.items()):
        ax = plot.axes(fig, 1, 3, i + 1)
        plot.decision_surface(clf, data.X_test, data.y_test, resolution=120, ax=ax)
        ax.set_title(f"{name}: test accuracy {clf.score(data.X_test, data.y_test):.2f}")
    fig.suptitle("16 sigmoid units, trained by backpropagation, bend the boundary")
    return fig
