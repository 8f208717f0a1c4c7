"""BernoulliRBM's mathematics, and pretraining an MLP with a stack of them."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from rosenblatt import BernoulliRBM, MLPClassifier, MLPRegressor
from rosenblatt.rbm import pretrain

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS[:400] / 16
Y_DIGITS = Y_DIGITS[:400]


def test_free_energy_gives_the_exact_marginal_on_a_tiny_machine() -> None:
    # with 3 visible and 2 hidden units every state can be enumerated:
    # p(v) = sum_h exp(-E(v, h)) / Z and exp(-F(v)) = sum_h exp(-E(v, h))
    rng = np.random.default_rng(0)
    rbm = BernoulliRBM(2, random_state=0).fit(rng.integers(0, 2, (20, 3)))
    W, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    states = np.array([[i >> k & 1 for k in range(3)] for i in range(8)], float)
    hidden = np.array([[i >> k & 1 for k in range(2)] for i in range(4)], float)
    energy = -(states @ b)[:, None] - (hidden @ c)[None, :] - states @ W.T @ hidden.T
    np.testing.assert_allclose(
        np.exp(-rbm._free_energy(states)), np.exp(-energy).sum(axis=1), rtol=1e-12
    )


def test_training_raises_the_pseudo_likelihood_and_transform_is_p_h_given_v() -> None:
    before = BernoulliRBM(32, n_iter=0, random_state=0).fit(X_DIGITS)
    after = BernoulliRBM(32, n_iter=10, learning_rate=0.05, random_state=0).fit(
        X_DIGITS
    )
    assert (
        after.score_samples(X_DIGITS).mean() > before.score_samples(X_DIGITS).mean() + 5
    )
    W, c = after.components_, after.intercept_hidden_
    expected = 1 / (1 + np.exp(-(X_DIGITS @ W.T + c)))
    np.testing.assert_allclose(after.transform(X_DIGITS), expected, rtol=1e-12)


def test_bad_parameters_and_input_are_named() -> None:
    with pytest.raises(ValueError, match="n_components"):
        BernoulliRBM(0).fit(X_DIGITS)
    with pytest.raises(ValueError, match="NaN"):
        BernoulliRBM(2).fit(np.full((3, 2), np.nan))
    rbm = BernoulliRBM(2, n_iter=1, random_state=0).fit(X_DIGITS)
    with pytest.raises(ValueError, match="64 features"):
        rbm.transform(X_DIGITS[:, :5])


def test_pretrain_sets_the_rbm_stack_as_the_starting_network_then_fine_tunes() -> None:
    clf = MLPClassifier(
        (16, 8), "logistic", learning_rate_init=0.01, max_iter=100, random_state=0
    )
    pretrain(clf, X_DIGITS, Y_DIGITS, n_iter=2, random_state=0)
    first = BernoulliRBM(16, n_iter=2, random_state=np.random.RandomState(0))
    first.fit(X_DIGITS)  # the same draws as pretrain's first RBM
    np.testing.assert_array_equal(clf.coefs_[0], first.components_.T)
    assert [c.shape for c in clf.coefs_] == [(64, 16), (16, 8), (8, 10)]
    assert clf.warm_start
    start = [c.copy() for c in clf.coefs_]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=1).fit(X_DIGITS, Y_DIGITS)  # two Adam steps of 0.01
        # Adam moves a weight by about the rate per step: started from, not redrawn
        assert 0 < np.abs(clf.coefs_[0] - start[0]).max() < 0.025
        clf.set_params(max_iter=100).fit(X_DIGITS, Y_DIGITS)
    assert clf.score(X_DIGITS, Y_DIGITS) > 0.8
    reg = pretrain(
        MLPRegressor(hidden_layer_sizes=(4,)),
        X_DIGITS,
        Y_DIGITS.astype(float),
        n_iter=1,
    )
    assert reg.coefs_[-1].shape == (4, 1)
    with pytest.raises(ValueError, match="not been fitted"):
        pretrain(clf, X_DIGITS, Y_DIGITS)
