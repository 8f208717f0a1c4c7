"""CNNClassifier: input layouts, architectures, validation history, and LeNet-5 on Fashion-MNIST."""

import numpy as np
import pytest

from rosenblatt import CNNClassifier, nn
from rosenblatt.data import load
from rosenblatt.data.idx import DEBIAN_FASHION_MNIST


def small(channels, height, width, n_classes, rng):
    return nn.Sequential(
        nn.Conv2d(channels, 6, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6 * (height // 2) * (width // 2), n_classes, rng=rng),
    )  # fmt: skip


def test_digits_as_flat_rows_with_an_image_shape() -> None:
    data = load("digits", seed=0)
    clf = CNNClassifier(
        small,
        image_shape=(1, 8, 8),
        max_iter=10,
        batch_size=64,
        learning_rate_init=5e-3,
        random_state=0,
    )
    clf.fit(data.X_train, data.y_train, validation_data=(data.X_test, data.y_test))
    assert clf.score(data.X_test, data.y_test) > 0.9
    assert clf.image_shape_ == (1, 8, 8) and clf.n_iter_ == 10
    assert len(clf.history_["val_accuracy"]) == 10
    four_d = data.X_test.reshape(-1, 1, 8, 8)
    np.testing.assert_array_equal(clf.predict(four_d), clf.predict(data.X_test))
    assert clf.predict_proba(data.X_test).shape == (len(data.X_test), 10)


def test_square_grey_images_are_recognised_and_shapes_checked() -> None:
    X = np.random.default_rng(0).random((20, 64))
    y = np.arange(20) % 2
    clf = CNNClassifier(small, max_iter=1, random_state=0).fit(X, y)
    assert clf.image_shape_ == (1, 8, 8)
    with pytest.raises(ValueError, match="cannot be images of shape"):
        CNNClassifier(small, image_shape=(1, 5, 5), max_iter=1).fit(X, y)


def test_same_seed_same_network() -> None:
    X = np.random.default_rng(1).random((30, 16))
    y = np.arange(30) % 3
    a = CNNClassifier(small, max_iter=3, random_state=4).fit(X, y)
    b = CNNClassifier(small, max_iter=3, random_state=4).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.skipif(
    not (DEBIAN_FASHION_MNIST / "train-images-idx3-ubyte.gz").exists(),
    reason="needs Debian's dataset-fashion-mnist (.ci/run installs it)",
)
def test_lenet5_learns_a_fashion_mnist_subset() -> None:
    data = load("fashion-mnist")
    clf = CNNClassifier("lenet5", max_iter=3, batch_size=64, random_state=0)
    clf.fit(data.X_train[:3000], data.y_train[:3000])
    assert clf.image_shape_ == (1, 28, 28)
    assert clf.score(data.X_test[:1000], data.y_test[:1000]) > 0.7
