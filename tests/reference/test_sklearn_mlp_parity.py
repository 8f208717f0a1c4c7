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
