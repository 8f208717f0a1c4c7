"""The tests of scikit-learn's own files that `make sklearn-tests` leaves out, and why.

`make sklearn-tests` (scripts/sklearn_suite.py) copies scikit-learn's
``neural_network/tests/test_mlp.py`` and ``linear_model/tests/test_perceptron.py`` from
the installed package, changes only their import line (the Perceptron through the
documented mapping, ``Perceptron.from_sklearn_params``) and runs them against
rosenblatt. Every test it deselects is listed here with the reason, and each has a
test below that checks the same behaviour through rosenblatt's public API.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer

from rosenblatt import MLPClassifier, Perceptron, Tensor, nn

# scikit-learn's test -> (why it cannot run unchanged, our test of the same behaviour)
EXCEPTIONS = {
    "test_mlp.py::test_gradient": (
        "calls the private _loss_grad_lbfgs",
        "test_gradient_of_the_loss_matches_finite_differences",
    ),
    "test_mlp.py::test_learning_rate_warmstart": (
        "reads the private _optimizer.learning_rate (ours: the public optimizer_.lr)",
        "test_learning_rate_warmstart",
    ),
    "test_mlp.py::test_adaptive_learning_rate": (
        "reads the private _optimizer.learning_rate (ours: the public optimizer_.lr)",
        "test_adaptive_learning_rate",
    ),
    "test_perceptron.py::test_perceptron_l1_ratio": (
        "a penalty is not part of Rosenblatt's rule: penalty != None is refused",
        "test_a_penalty_is_refused_with_the_estimator_to_use",
    ),
}


def test_every_exception_names_a_test_that_exists_on_both_sides() -> None:
    root = Path(sklearn.__file__).parent
    files = {
        "test_mlp.py": root / "neural_network" / "tests" / "test_mlp.py",
        "test_perceptron.py": root / "linear_model" / "tests" / "test_perceptron.py",
    }
    for name, (reason, ours) in EXCEPTIONS.items():
        file, test = name.split("::")
        assert f"def {test}(" in files[file].read_text(), f"{name} is gone: drop it"
        assert callable(globals().get(ours)), f"{name}: no test {ours} here"
        assert reason


X_IRIS, Y_IRIS = load_iris(return_X_y=True)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("n_labels", [2, 3])
def test_gradient_of_the_loss_matches_finite_differences(activation, n_labels) -> None:
    # scikit-learn's test_gradient, through the network and nn.MLPLoss
    rng = np.random.RandomState(42)
    X = rng.rand(5, 10)
    y = 1 + np.mod(np.arange(5) + 1, n_labels)
    Y = LabelBinarizer().fit_transform(y).astype(float)
    clf = MLPClassifier(
        hidden_layer_sizes=10,
        activation=activation,
        solver="lbfgs",
        alpha=1e-5,
        max_iter=1,
        random_state=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    params = list(clf.module_.parameters())
    weights = [m.weight for m in clf.module_ if isinstance(m, nn.Linear)]
    loss_fn = nn.MLPLoss(clf.out_activation_, weights, alpha=clf.alpha)

    def loss() -> Tensor:
        return loss_fn(clf.module_(Tensor(X)), Y)

    clf.module_.zero_grad()
    loss().backward()
    for p in params:
        numeric = np.zeros_like(p.data)
        for i in np.ndindex(p.shape):
            saved = p.data[i]
            p.data[i] = saved + 1e-5
            up = loss().item()
            p.data[i] = saved - 1e-5
            down = loss().item()
            p.data[i] = saved
            numeric[i] = (up - down) / 2e-5
        np.testing.assert_almost_equal(p.grad, numeric, decimal=7)


def test_learning_rate_warmstart() -> None:
    X, y = [[3, 2], [1, 6], [5, 6], [-2, -4]], [1, 1, 1, 0]
    for learning_rate in ["invscaling", "constant"]:
        mlp = MLPClassifier(
            solver="sgd",
            hidden_layer_sizes=4,
            learning_rate=learning_rate,
            max_iter=1,
            power_t=0.25,
            warm_start=True,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(X, y)
            prev_eta = mlp.optimizer_.lr
            mlp.fit(X, y)
            post_eta = mlp.optimizer_.lr
        if learning_rate == "constant":
            assert prev_eta == post_eta
        else:  # t_ = 8 samples seen after two epochs of 4
            assert mlp.learning_rate_init / pow(8 + 1, mlp.power_t) == post_eta


def test_adaptive_learning_rate() -> None:
    X, y = [[3, 2], [1, 6]], [1, 0]
    clf = MLPClassifier(tol=0.5, max_iter=3000, solver="sgd", learning_rate="adaptive")
    clf.fit(X, y)
    assert clf.max_iter > clf.n_iter_
    assert 1e-6 > clf.optimizer_.lr


def test_a_penalty_is_refused_with_the_estimator_to_use() -> None:
    for penalty in ("l1", "l2", "elasticnet"):
        with pytest.raises(ValueError, match=r"SGDClassifier\(loss='perceptron'"):
            Perceptron.from_sklearn_params(penalty=penalty).fit(X_IRIS, Y_IRIS)
    # without a penalty, l1_ratio does nothing, as in scikit-learn
    a = Perceptron.from_sklearn_params(l1_ratio=0.0).fit(X_IRIS, Y_IRIS)
    b = Perceptron.from_sklearn_params(l1_ratio=1.0).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(a.coef_, b.coef_)
