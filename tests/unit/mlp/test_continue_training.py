"""A model keeps training after save and load, and from weights set by hand, exactly."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.preprocessing import StandardScaler

from rosenblatt import MLPClassifier, MLPRegressor
from rosenblatt.io import ModelFileError

X, Y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
TARGET = X[:, 0] * 0.5 - X[:, 1]  # a regression target


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


CASES = [
    (estimator, solver, early)
    for estimator in (MLPClassifier, MLPRegressor)
    for solver in ("sgd", "adam", "lbfgs")
    for early in (False, True)
    if not (solver == "lbfgs" and early)  # L-BFGS has no early stopping
]


def _state(est):
    fitted = {
        name: getattr(est, name, None)
        for name in (
            "n_iter_",
            "t_",
            "loss_",
            "loss_curve_",
            "best_loss_",
            "validation_scores_",
            "best_validation_score_",
        )
    }
    return [c.copy() for c in est.coefs_ + est.intercepts_], fitted


def _assert_same(a, b) -> None:
    (weights_a, fitted_a), (weights_b, fitted_b) = _state(a), _state(b)
    for wa, wb in zip(weights_a, weights_b, strict=True):
        np.testing.assert_array_equal(wa, wb)  # bit for bit
    assert repr(fitted_a) == repr(fitted_b)  # nan-aware equality of the bookkeeping


@pytest.mark.parametrize(("estimator", "solver", "early"), CASES)
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_loaded_model_continues_as_if_never_saved(
    tmp_path, estimator, solver, early, how
) -> None:
    if how == "partial_fit" and (solver == "lbfgs" or early):
        pytest.skip("partial_fit exists for sgd and adam without early stopping")
    y = Y if estimator is MLPClassifier else TARGET
    params = dict(
        hidden_layer_sizes=(5,),
        solver=solver,
        early_stopping=early,
        max_iter=4,
        random_state=0,
        learning_rate_init=0.01,
    )
    never_saved = quiet(estimator(**params).fit, X, y)
    never_saved.save(tmp_path / "model.safetensors")
    loaded = estimator.load(tmp_path / "model.safetensors")
    _assert_same(never_saved, loaded)
    for est in (never_saved, loaded):
        if how == "warm_start":
            quiet(est.set_params(warm_start=True, max_iter=3).fit, X, y)
        else:
            for _ in range(3):
                est.partial_fit(X, y)
    _assert_same(never_saved, loaded)
    assert loaded.n_iter_ == 3 if how == "warm_start" else 1


def test_the_training_state_in_a_file_is_checked(tmp_path) -> None:
    from rosenblatt import io

    clf = quiet(MLPClassifier((5,), max_iter=2, random_state=0).fit, X, Y)
    clf.save(tmp_path / "m.safetensors")
    arrays, info = io.read_file(tmp_path / "m.safetensors")
    arrays["optimizer/0/exp_avg"] = np.zeros((2, 2))
    io.write_file(tmp_path / "bad.safetensors", arrays, info)
    with pytest.raises(ModelFileError, match="optimizer state does not match"):
        MLPClassifier.load(tmp_path / "bad.safetensors")
    arrays.pop("optimizer/0/exp_avg")
    arrays["optimizer/9/exp_avg"] = np.zeros(3)
    io.write_file(tmp_path / "bad.safetensors", arrays, info)
    with pytest.raises(ModelFileError, match="unexpected arrays"):
        MLPClassifier.load(tmp_path / "bad.safetensors")


def test_weights_set_by_hand_are_where_training_starts() -> None:
    # scikit-learn's own worked example (test_fit in its test_mlp.py), through the
    # public attributes only: the same step from the same weights
    W = [np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0]]), np.array([[0.1], [0.2]])]
    b = [np.array([0.1, 0.1]), np.array([1.0])]
    params = dict(
        solver="sgd",
        learning_rate_init=0.1,
        alpha=0.1,
        activation="logistic",
        hidden_layer_sizes=2,
        momentum=0,
    )
    x, y = np.array([[0.6, 0.8, 0.7]]), np.array([0])
    ours, theirs = MLPClassifier(**params), SkMLPClassifier(**params)
    for est in (ours, theirs):
        est.coefs_ = [w.copy() for w in W]
        est.intercepts_ = [v.copy() for v in b]
        est.n_features_in_, est.n_layers_, est.n_outputs_ = 3, 3, 1
        est.out_activation_ = "logistic"
        est.t_, est.best_loss_, est.loss_curve_ = 0, np.inf, []
        est._no_improvement_count = 0
        est.partial_fit(x, y, classes=[0, 1])
    for a, b_ in zip(
        ours.coefs_ + ours.intercepts_,
        theirs.coefs_ + theirs.intercepts_,
        strict=True,
    ):
        np.testing.assert_allclose(a, b_, rtol=1e-12)
    # hand arithmetic (scikit-learn's comment): W1[0, 0] = 0.1 - 0.1 * 0.0200 = 0.098
    assert ours.coefs_[0][0, 0] == pytest.approx(0.098, abs=1e-3)
    assert ours.predict_proba(x)[0, 1] == pytest.approx(0.739, abs=1e-3)


def test_replacing_a_weight_matrix_changes_the_network() -> None:
    clf = quiet(MLPClassifier((5,), max_iter=5, random_state=0).fit, X, Y)
    before = clf.predict_proba(X)
    clf.coefs_[1] = np.zeros_like(clf.coefs_[1])  # the output then depends on b only
    after = clf.predict_proba(X)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, np.tile(after[0], (len(X), 1)))
    with pytest.raises(ValueError, match=r"coefs_\[0\] has shape \(2, 2\)"):
        clf.coefs_[0] = np.zeros((2, 2))
        clf.predict(X)
