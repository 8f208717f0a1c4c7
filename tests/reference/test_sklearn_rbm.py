"""BernoulliRBM against scikit-learn's: its estimator checks, and the same numbers."""

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_digits
from sklearn.neural_network import BernoulliRBM as SkBernoulliRBM
from sklearn.utils.estimator_checks import parametrize_with_checks

from rosenblatt import BernoulliRBM

X_DIGITS = load_digits().data[:300] / 16


# score_samples flips one randomly chosen feature per row, so a subset or a
# reordering of the rows flips other features: scikit-learn expects these two
# checks to fail for its own BernoulliRBM, for the same reason.
RANDOM_SCORES = "score_samples flips a random feature in each row"


@parametrize_with_checks(
    [BernoulliRBM(n_components=8, n_iter=3, random_state=0)],
    expected_failed_checks=lambda _: {
        "check_methods_subset_invariance": RANDOM_SCORES,
        "check_methods_sample_order_invariance": RANDOM_SCORES,
    },
)
def test_scikit_learn_estimator_checks(estimator, check) -> None:
    check(estimator)


@pytest.mark.parametrize(
    "params",
    [
        {"n_components": 32, "n_iter": 3, "random_state": 0},
        {"n_components": 7, "batch_size": 7, "learning_rate": 0.05, "random_state": 3},
    ],
)
@pytest.mark.parametrize("sparse", [False, True])
def test_same_random_state_same_machine_as_scikit_learn(params, sparse) -> None:
    X = scipy.sparse.csr_matrix(X_DIGITS) if sparse else X_DIGITS
    ours, theirs = BernoulliRBM(**params).fit(X), SkBernoulliRBM(**params).fit(X)
    for name in (
        "components_",
        "intercept_hidden_",
        "intercept_visible_",
        "h_samples_",
    ):
        np.testing.assert_allclose(
            getattr(ours, name), getattr(theirs, name), atol=1e-12
        )
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-12)
    np.testing.assert_allclose(
        ours.score_samples(X), theirs.score_samples(X), atol=1e-9
    )
    np.testing.assert_array_equal(ours.gibbs(X_DIGITS[:9]), theirs.gibbs(X_DIGITS[:9]))
    for batch in (X_DIGITS[:10], X_DIGITS[10:17]):  # partial_fit goes on the same way
        ours.partial_fit(batch)
        theirs.partial_fit(batch)
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-12)


def test_partial_fit_from_scratch_and_float32_equal_scikit_learn_s() -> None:
    ours, theirs = BernoulliRBM(5, random_state=2), SkBernoulliRBM(5, random_state=2)
    for start in range(0, 50, 10):
        ours.partial_fit(X_DIGITS[start : start + 10])
        theirs.partial_fit(X_DIGITS[start : start + 10])
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-12)
    X32 = X_DIGITS.astype(np.float32)
    ours = BernoulliRBM(6, n_iter=2, random_state=0).fit(X32)
    theirs = SkBernoulliRBM(6, n_iter=2, random_state=0).fit(X32)
    assert (
        ours.components_.dtype == np.float32 and ours.transform(X32).dtype == np.float32
    )
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-5)
