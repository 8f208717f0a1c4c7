"""Workload 5: the MLP estimators' ``fit`` against scikit-learn's, the drop-in comparison.

Same parameters (scikit-learn's defaults unless a row says otherwise), the same
``random_state`` (so the same initial weights and batch order), the same dtype; the
whole ``fit`` is timed, checks included, and each model is scored on a test split.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from common import Section, fashion, ratio, table, time_rounds


def contenders(params: dict[str, Any], regressor: bool = False) -> dict[str, Any]:
    from sklearn import neural_network

    import rosenblatt

    name = "MLPRegressor" if regressor else "MLPClassifier"

    def run(cls: type) -> Any:
        def fit_and_score(X, y, X_test, y_test, seed):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
                clf = cls(**params, random_state=seed).fit(X, y)
            return clf.score(X_test, y_test)

        return fit_and_score

    return {
        "rosenblatt": run(getattr(rosenblatt, name)),
        "scikit-learn": run(getattr(neural_network, name)),
    }


def _sparse_text_like(n: int) -> tuple[Any, Any, Any, Any]:
    """CSR rows of 10,000 features, 50 non-zeros each; 5 classes from a linear rule."""
    import scipy.sparse

    rng = np.random.default_rng(0)
    X = scipy.sparse.random(n, 10_000, density=0.005, format="csr", random_state=rng)
    y = np.asarray(X @ rng.normal(size=(10_000, 5))).argmax(axis=1)
    cut = n * 3 // 4
    return X[:cut], y[:cut], X[cut:], y[cut:]


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    rounds = rounds or (2 if quick else 3)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, random_state=0)
    digits = (X_train, y_train, X_test, y_test)
    X, y = load_diabetes(return_X_y=True)
    Xr_train, Xr_test, yr_train, yr_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(Xr_train)
    diabetes = (
        scaler.transform(Xr_train),
        yr_train / 100,  # targets of order 1, as Adam's default step expects
        scaler.transform(Xr_test),
        yr_test / 100,
    )
    f64 = fashion(12_000 if quick else None, np.float64)
    f32 = fashion(12_000 if quick else None, np.float32)
    big = {"hidden_layer_sizes": (256, 128), "batch_size": 128}
    name = f"{f64.source} ({len(f64.X):,} x 784)"
    epochs = 2 if quick else 5
    sparse = _sparse_text_like(4_000 if quick else 12_000)
    cases = [
        ("digits, default parameters", {}, digits),
        ("digits, `solver='lbfgs'`", {"solver": "lbfgs"}, digits),
        ("digits, `solver='sgd'`", {"solver": "sgd"}, digits),
        ("diabetes, `MLPRegressor`, default parameters (R^2)", {}, diabetes),
        (
            f"sparse {sparse[0].shape[0] + sparse[2].shape[0]:,} x 10,000 (density "
            "0.005, TF-IDF-like), 3 epochs",
            {"max_iter": 3},
            sparse,
        ),
        (
            f"{name}, default network, float64, {epochs} epochs",
            {"max_iter": epochs},
            (f64.X, f64.y, f64.X_test, f64.y_test),
        ),
        (
            f"{name}, default network, float32, {epochs} epochs",
            {"max_iter": epochs},
            (f32.X, f32.y, f32.X_test, f32.y_test),
        ),
        (
            f"{name}, 784-256-128-10, batch 128, float64, {epochs} epochs",
            {**big, "max_iter": epochs},
            (f64.X, f64.y, f64.X_test, f64.y_test),
        ),
        (
            f"{name}, 784-256-128-10, batch 128, float32, {epochs} epochs",
            {**big, "max_iter": epochs},
            (f32.X, f32.y, f32.X_test, f32.y_test),
        ),
    ]
    rows, ratios = [], {}
    for label, params, arrays in cases:
        regressor = "MLPRegressor" in label
        results = time_rounds(
            contenders(params, regressor), rounds, *arrays, warm_up=True
        )
        r = ratio(results, "rosenblatt", "scikit-learn")
        if label == "digits, default parameters":
            ratios["digits_mlpclassifier_vs_sklearn"] = r
            ratios["digits_accuracy_gap"] = (
                results["rosenblatt"]["result"] - results["scikit-learn"]["result"]
            )
        rows.append(
            [
                label,
                f"{results['rosenblatt']['median']:.3f}",
                f"{results['scikit-learn']['median']:.3f}",
                f"**{r:.2f}**",
                f"{results['rosenblatt']['result']:.4f}",
                f"{results['scikit-learn']['result']:.4f}",
            ]
        )
    header = ["data", "rosenblatt s", "scikit-learn s", "rosenblatt / scikit-learn"]
    return Section(
        [
            "## Workload 5: the MLP estimators' `fit` against scikit-learn's",
            "",
            "Same parameters (scikit-learn's defaults -- one hidden layer of 100 ReLU "
            "units, Adam, batch 200, alpha 1e-4, early stopping off -- unless the row "
            "says otherwise), the same `random_state` (so the same initial weights), "
            f"the same dtype; medians of {rounds} interleaved rounds; accuracy (R^2 "
            "for the regressor) on the test split.",
            "",
            *table([*header, "score rosenblatt", "score scikit-learn"], rows),
            "",
        ],
        ratios,
    )
