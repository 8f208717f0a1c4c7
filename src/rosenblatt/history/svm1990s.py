"""The 1990s: support vector machines, shallow and well-founded, held the field.

Vapnik's SVM finds the separating boundary of largest margin in a kernel's feature
space by solving a convex problem: one answer, no learning rate, no local minima. On
the small data sets of the time it matched or beat the shallow neural networks.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from rosenblatt import plot
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.mlp import MLPClassifier

CLAIM = (
    "Shallow models such as the SVM matched or beat the neural networks of the 1990s "
    "(one hidden layer of sigmoid units) on the problems of the day."
)
RULE = (
    "Supported when scikit-learn's SVC (RBF kernel, default settings) is at least as "
    "accurate as a one-hidden-layer sigmoid MLPClassifier (less 0.01) on both data sets, "
    "in the same run. Fit times are reported, not judged."
)


def _data(name: str, seed: int) -> tuple[Any, Any, Any, Any]:
    loader = load_digits if name == "digits" else load_breast_cancer
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _timed(model: Any, X: Any, y: Any) -> tuple[Any, float, float]:
    cpu, wall = time.thread_time(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model, time.thread_time() - cpu, time.perf_counter() - wall


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """SVC against the shallow sigmoid MLP, on digits and breast cancer."""
    rows: dict[str, dict[str, Any]] = {}
    for name in ("digits", "breast cancer"):
        X, X_test, y, y_test = _data(name, seed)
        contenders = {
            "SVC (scikit-learn)": SVC(),
            "MLP, 64 sigmoid units": MLPClassifier(
                (64,), activation="logistic", max_iter=300 if quick else 1000,
                random_state=seed,
            ),
        }  # fmt: skip
        for label, model in contenders.items():
            fitted, cpu, wall = _timed(model, X, y)
            rows.setdefault(name, {})[label] = {
                "accuracy": round(float(fitted.score(X_test, y_test)), 4),
                "cpu_seconds": round(cpu, 3),
                "wall_seconds": round(wall, 3),
            }
    svm, mlp = "SVC (scikit-learn)", "MLP, 64 sigmoid units"
    checks = [
        Check(
            f"the SVM is as accurate on {name}",
            f"{name}: SVC {r[svm]['accuracy']:.3f} in {r[svm]['cpu_seconds']:.2f} s, MLP "
            f"{r[mlp]['accuracy']:.3f} in {r[mlp]['cpu_seconds']:.2f} s (CPU)",
            r[svm]["accuracy"] >= r[mlp]["accuracy"] - 0.01,
        )
        for name, r in rows.items()
    ]
    return Milestone(
        year="1990s",
        title="Shallow models hold the field",
        claim=CLAIM,
        setup=(
            "scikit-learn's SVC (the peer: RBF kernel, C = 1, gamma 'scale') against "
            "rosenblatt's MLPClassifier with one hidden layer of 64 logistic units (Adam, "
            "scikit-learn's defaults otherwise), on standardised digits and breast-cancer "
            "data, 75/25 stratified split with the seed; CPU time of each fit on this thread."
        ),
        rule=RULE,
        checks=checks,
        numbers=rows,
        figures=[("Accuracy and fit time, SVM against shallow MLP", _figure(rows))],
    )


def _figure(rows: dict[str, dict[str, Any]]) -> Any:
    fig = plot.new_figure(10, 4.2)
    names = list(rows)
    labels = list(next(iter(rows.values())))
    for panel, (key, ylabel) in enumerate(
        [("accuracy", "test accuracy"), ("cpu_seconds", "fit time (CPU seconds)")]
    ):
        ax = plot.axes(fig, 1, 2, panel + 1)
        for k, label in enumerate(labels):
            values = [rows[n][label][key] for n in names]
            ax.bar(np.arange(len(names)) + 0.38 * k, values, width=0.36,
                   color=plot.PALETTE[k], label=label)  # fmt: skip
        ax.set_xticks(np.arange(len(names)) + 0.19, names)
        ax.set_ylabel(ylabel)
        if key == "accuracy":
            ax.set_ylim(0.8, 1.0)
        ax.legend(
            loc="lower right" if key == "accuracy" else "upper left", fontsize="small"
        )
    best = all(r["SVC (scikit-learn)"]["accuracy"] >= r["MLP, 64 sigmoid units"]["accuracy"]
               for r in rows.values())  # fmt: skip
    fig.suptitle(
        "1990s: the SVM matches the shallow network"
        if best
        else "1990s: the shallow network edges the SVM here"
    )
    return fig
