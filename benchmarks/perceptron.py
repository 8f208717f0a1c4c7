"""Workload 4: Perceptron fit against scikit-learn's ``Perceptron``.

The same online rule (one-vs-rest, shuffled each epoch, float64, no penalty;
scikit-learn with ``tol=None``, ours with the stopping rules off) for the same number
of epochs, on digits and on Fashion-MNIST.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from common import Section, fashion, ratio, table, time_rounds


def contenders(epochs: int) -> dict[str, Any]:
    from sklearn.linear_model import Perceptron as SkPerceptron

    from rosenblatt import Perceptron

    def ours(X, y, X_test, y_test, seed):
        # n_iter_no_change > epochs: every epoch runs, as scikit-learn's with tol=None
        clf = Perceptron(
            max_iter=epochs, n_iter_no_change=epochs + 1, random_state=seed
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning
            clf.fit(X, y)
        return clf.score(X_test, y_test)

    def sklearn(X, y, X_test, y_test, seed):
        clf = SkPerceptron(max_iter=epochs, tol=None, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X, y)
        return clf.score(X_test, y_test)

    return {"rosenblatt": ours, "scikit-learn": sklearn}


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.datasets import load_digits

    rounds = rounds or (2 if quick else 3)
    X, y = load_digits(return_X_y=True)
    data = fashion(12_000 if quick else None, np.float64)
    cases = [
        (
            "digits (1,797 x 64), accuracy on the training set",
            20,
            (X / 16, y, X / 16, y),
        ),
        (
            f"{data.source} ({len(data.X):,} x 784)",
            3 if quick else 5,
            (data.X, data.y, data.X_test, data.y_test),
        ),
    ]
    rows, ratios = [], {}
    for name, epochs, arrays in cases:
        results = time_rounds(contenders(epochs), rounds, *arrays, warm_up=True)
        r = ratio(results, "rosenblatt", "scikit-learn")
        ratios[
            f"perceptron_vs_sklearn_{'digits' if name.startswith('digits') else 'fashion'}"
        ] = r
        rows.append(
            [
                name,
                epochs,
                f"{results['rosenblatt']['median']:.3f}",
                f"{results['scikit-learn']['median']:.3f}",
                f"**{r:.2f}**",
                f"{results['rosenblatt']['result']:.4f}",
                f"{results['scikit-learn']['result']:.4f}",
            ]
        )
    header = [
        "data",
        "epochs",
        "rosenblatt s",
        "scikit-learn s",
        "rosenblatt / scikit-learn",
    ]
    return Section(
        [
            "## Workload 4: Perceptron fit against scikit-learn's `Perceptron`",
            "",
            "The same online rule (one-vs-rest, shuffled each epoch, float64, no penalty; "
            "scikit-learn with `tol=None`, ours with stopping off) for the same number of "
            f"epochs; medians of {rounds} interleaved rounds.",
            "",
            *table([*header, "accuracy rosenblatt", "accuracy scikit-learn"], rows),
            "",
        ],
        ratios,
    )
