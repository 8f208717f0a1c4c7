"""Parity with scikit-learn: mean test score over 5 seeds within 1 point, per dataset and solver."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rosenblatt import MLPClassifier, MLPRegressor

LOADERS = {
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "diabetes": load_diabetes,  # the regression set
}
SEEDS = range(5)


def split(name: str):
    X, y = LOADERS[name](return_X_y=True)
    if name == "diabetes":
        y = (y - y.mean()) / y.std()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def mean_score(make, data) -> float:
    X_train, X_test, y_train, y_test = data
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in SEEDS:
            scores.append(make(seed).fit(X_train, y_train).score(X_test, y_test))
    return float(np.mean(scores))


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("name", list(LOADERS))
def test_mean_score_over_five_seeds_within_one_point(name: str, solver: str) -> None:
    data = split(name)
    params = {"hidden_layer_sizes": (32,), "solver": solver, "max_iter": 200}
    if solver == "sgd":
        params["learning_rate_init"] = 0.01
    ours_cls, theirs_cls = (
        (MLPRegressor, SkMLPRegressor)
        if name == "diabetes"
        else (MLPClassifier, SkMLPClassifier)
    )
    ours = mean_score(lambda seed: ours_cls(**params, random_state=seed), data)
    theirs = mean_score(lambda seed: theirs_cls(**params, random_state=seed), data)
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


def test_works_in_pipeline_grid_search_cross_validation_and_clone() -> None:
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier((8,), solver="lbfgs", random_state=0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipe, X, y, cv=3)
        grid = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1.0]}, cv=3).fit(X, y)
    assert scores.mean() > 0.9
    assert grid.best_params_["mlpclassifier__alpha"] in (1e-4, 1.0)
    cloned = clone(MLPRegressor("poisson", (4,), dropout=0.2))
    assert cloned.get_params()["loss"] == "poisson" and cloned.dropout == 0.2


# --- the same path as scikit-learn's, epoch by epoch ---


@pytest.mark.parametrize("learning_rate", ["constant", "invscaling", "adaptive"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_sgd_schedules_and_batch_order_follow_scikit_learn(learning_rate, shuffle):
    # Nesterov momentum with a changing rate: the velocity holds the rate (v = m v -
    # lr g), and each epoch reshuffles the last epoch's order from random_state
    X, y = load_digits(return_X_y=True)
    params = dict(
        solver="sgd",
        learning_rate=learning_rate,
        learning_rate_init=0.1,
        momentum=0.9,
        max_iter=5,
        shuffle=shuffle,
        random_state=0,
        n_iter_no_change=1,
        tol=0.5 if learning_rate == "adaptive" else 1e-4,  # adaptive: lr falls twice
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**params).fit(X / 16, y)
        theirs = SkMLPClassifier(**params).fit(X / 16, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    assert ours.optimizer_.lr == theirs._optimizer.learning_rate


@pytest.mark.parametrize("make", [MLPClassifier, MLPRegressor])
def test_early_stopping_splits_and_scores_like_scikit_learn(make):
    X, y = load_digits(return_X_y=True)
    sk = SkMLPClassifier if make is MLPClassifier else SkMLPRegressor
    params = dict(early_stopping=True, random_state=0, max_iter=15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = make(**params).fit(
            X / 16, y.astype(float) if make is MLPRegressor else y
        )
        theirs = sk(**params).fit(
            X / 16, y.astype(float) if make is MLPRegressor else y
        )
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=1e-9
    )
    assert ours.n_iter_ == theirs.n_iter_
