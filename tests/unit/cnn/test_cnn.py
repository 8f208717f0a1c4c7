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


# --- any image large enough; (H, W) shapes and (n, H, W) input; the extras ---


@pytest.mark.parametrize(
    ("architecture", "shape"),
    [("lenet5", (3, 32, 32)), ("lenet5", (1, 16, 20)), ("alexnet_small", (3, 32, 32))],
)
def test_named_architectures_fit_any_image_large_enough(architecture, shape) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((12, *shape), dtype=np.float32)
    y = np.arange(12) % 3
    clf = CNNClassifier(architecture, max_iter=1, batch_size=6, random_state=0)
    clf.fit(X, y)
    assert clf.image_shape_ == shape and clf.predict(X).shape == (12,)


def test_images_too_small_for_lenet_say_so() -> None:
    X = np.zeros((6, 64), dtype=np.float32)  # digits: 8x8
    with pytest.raises(ValueError, match="at least 12x12 pixels, got 8x8"):
        CNNClassifier("lenet5", max_iter=1).fit(X, np.arange(6) % 2)


def test_image_shape_h_w_and_three_dimensional_input_are_grey_images() -> None:
    X = np.random.default_rng(0).random((8, 6, 5), dtype=np.float32)
    y = np.arange(8) % 2
    flat = CNNClassifier("simple_cnn", image_shape=(6, 5), max_iter=2, random_state=0)
    cube = CNNClassifier("simple_cnn", max_iter=2, random_state=0)
    flat.fit(X.reshape(8, 30), y)
    cube.fit(X, y)
    assert flat.image_shape_ == cube.image_shape_ == (1, 6, 5)
    np.testing.assert_array_equal(
        flat.predict_proba(X.reshape(8, 30)), cube.predict_proba(X)
    )


def test_float64_converts_buffers_too() -> None:
    def with_batchnorm(c, h, w, k, rng):
        return nn.Sequential(
            nn.Conv2d(c, 2, 3, padding=1, rng=rng), nn.BatchNorm2d(2), nn.ReLU(),
            nn.Flatten(), nn.Linear(2 * h * w, k, rng=rng),
        )  # fmt: skip

    X = np.random.default_rng(0).random((8, 16))
    clf = CNNClassifier(with_batchnorm, max_iter=1, dtype="float64").fit(
        X, np.arange(8) % 2
    )
    assert {b.dtype for _, b in clf.module_.named_buffers()} == {np.dtype(np.float64)}
    assert clf.predict_proba(X).dtype == np.float64


def test_dropout_transform_and_partial_fit() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 1, 12, 12), dtype=np.float32), np.arange(20) % 2
    clf = CNNClassifier("lenet5", dropout=0.3, max_iter=1, random_state=0).fit(X, y)
    drops = [m for m in clf.module_ if isinstance(m, nn.Dropout)]
    assert drops and all(d.p == 0.3 for d in drops)
    assert clf.transform(X).shape == (20, 84)  # the features the last layer classifies
    assert clf.transform(X, layer=2).shape == (20, 6, 6, 6)  # after the first pool
    online = CNNClassifier("lenet5", random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        online.partial_fit(X, y)
    online.partial_fit(X, y, classes=[0, 1]).partial_fit(X, y)
    assert online.n_iter_ == 2 and len(online.history_["loss"]) == 2
    with pytest.raises(ValueError, match=r"`y` has classes not in `self\.classes_`"):
        online.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match="is not the same as on last call"):
        online.partial_fit(X, y, classes=[0, 1, 2])  # was silently ignored
    with pytest.raises(ValueError, match="dropout applies to the named architectures"):
        CNNClassifier(lambda c, h, w, k, rng: None, dropout=0.5).fit(X, y)
