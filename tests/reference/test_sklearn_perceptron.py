"""Our Perceptron against scikit-learn's: the same algorithm agrees; the contract holds."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_blobs,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SkPerceptron
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from rosenblatt import Perceptron


def datasets():
    iris = load_iris(return_X_y=True)
    wine = load_wine(return_X_y=True)
    cancer = load_breast_cancer(return_X_y=True)
    digits = load_digits(return_X_y=True)
    blobs = make_blobs(n_samples=120, centers=2, random_state=3)
    return {
        "iris": iris,
        "wine": (StandardScaler().fit_transform(wine[0]), wine[1]),
        "breast_cancer": (StandardScaler().fit_transform(cancer[0]), cancer[1]),
        "digits": (digits[0][:600], digits[1][:600]),
        "blobs": blobs,
    }


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits", "blobs"])
@pytest.mark.parametrize("eta", [1.0, 0.1])
def test_same_algorithm_same_predictions_as_scikit_learn(name: str, eta: float) -> None:
    # scikit-learn's perceptron loss updates w += eta' * d * x on a mistake; ours adds
    # eta * (d - y) * x = 2 eta d x with +-1 coding: so eta' = 2 eta. Both start from the
    # same random weights (w . x = 0 then never happens, where the two rules differ),
    # visit the samples in the given order, and run the same number of epochs.
    X, y = datasets()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = Perceptron(
            eta0=eta,
            init="random",
            shuffle=False,
            max_iter=5,
            random_state=0,
            record_history=True,
        ).fit(X, y)
        start = np.atleast_2d(ours.weight_history_[0])
        theirs = SkPerceptron(
            eta0=2 * eta, shuffle=False, max_iter=5, tol=None, penalty=None
        )
        theirs.fit(X, y, coef_init=start[:, 1:], intercept_init=start[:, 0])
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)


def test_works_inside_pipeline_grid_search_and_cross_validation() -> None:
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), Perceptron(max_iter=50, random_state=0))
        scores = cross_val_score(pipe, X, y, cv=3)
        grid = GridSearchCV(pipe, {"perceptron__eta0": [0.1, 1.0]}, cv=3).fit(X, y)
    assert scores.mean() > 0.7
    assert grid.best_params_["perceptron__eta0"] in (0.1, 1.0)


# Online, a weight of 2 is one step of twice the size, a duplicated row two steps, and
# the second is skipped when the first fixed the mistake: scikit-learn's own Perceptron
# fails these two checks for that reason. The batch rule sums the epoch, so there a
# weight of 2 and a duplicated row are the same (and the checks pass).
_WEIGHT_IS_NOT_DUPLICATION = {
    name: "the online rule: a weight of 2 is not a sample seen twice"
    for name in (
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    )
}


def _expected_failures(estimator):
    return _WEIGHT_IS_NOT_DUPLICATION if estimator.update == "online" else {}


@parametrize_with_checks(
    [
        Perceptron(max_iter=100, random_state=0),
        # tol=None: on the checks' unscaled, overlapping blobs the batch rule's loss
        # falls only every few dozen epochs while the bias creeps towards the class
        # weights, so the loss rule would end it first; the text's M epochs are checked
        Perceptron(update="batch", pocket=True, eta0=0.1, tol=None),
    ],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_estimator_checks(estimator, check) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits", "blobs"])
@pytest.mark.parametrize(
    "params",
    [dict(), dict(eta0=0.2, n_iter_no_change=3), dict(tol=None, max_iter=7)],
    ids=["defaults", "eta-and-patience", "no-tol"],
)
def test_from_sklearn_params_reproduces_scikit_learn(name, params) -> None:
    # the documented mapping: same weights bit for bit, same stopping epoch
    X, y = datasets()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = Perceptron.from_sklearn_params(shuffle=False, **params).fit(X, y)
        theirs = SkPerceptron(shuffle=False, **params).fit(X, y)
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    np.testing.assert_array_equal(ours.intercept_, theirs.intercept_)
    assert ours.n_iter_ == theirs.n_iter_
