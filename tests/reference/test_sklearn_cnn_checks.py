"""scikit-learn's estimator checks on CNNClassifier (with a network that fits any width)."""

import warnings

from sklearn.utils.estimator_checks import parametrize_with_checks

from rosenblatt import CNNClassifier, nn


class Tiny:
    """A small convolutional network for images of any size (the checks use 1 x 1 x F).

    A class with a fixed repr, so test ids are the same in every pytest-xdist worker.
    """

    def __call__(self, channels, height, width, n_classes, rng):
        return nn.Sequential(
            nn.Conv2d(channels, 8, 1, rng=rng),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(8 * height * width, n_classes, rng=rng),
        )

    def __repr__(self) -> str:
        return "Tiny()"


@parametrize_with_checks(
    [CNNClassifier(Tiny(), max_iter=60, batch_size=32, random_state=0)]
)
def test_scikit_learn_estimator_checks(estimator, check) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)
