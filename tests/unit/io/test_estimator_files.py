"""est.save(path) / Estimator.load(path): exact round trips, and tampered files refused."""

import json
import struct
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning

from rosenblatt import MLPClassifier, MLPRegressor, Perceptron, io
from rosenblatt.io import ModelFileError

X, Y = load_iris(return_X_y=True)
NAMES = np.array(["setosa", "versicolor", "virginica"])[Y]


def fitted(make, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make().fit(X, y)


CASES = {
    "mlp_strings": (lambda: MLPClassifier((6,), max_iter=30, random_state=0), X, NAMES),
    "mlp_binary_bool": (
        lambda: MLPClassifier((6,), max_iter=30, random_state=0),
        X,
        Y == 1,
    ),
    "mlp_float32_dropout": (
        lambda: MLPClassifier(
            (6, 4), ["tanh", "relu"], dropout=0.2, max_iter=30, random_state=0
        ),
        X.astype(np.float32),
        Y,
    ),
    "mlp_multilabel": (
        lambda: MLPClassifier((6,), max_iter=30, random_state=0),
        *make_multilabel_classification(60, 5, n_classes=3, random_state=0),
    ),
    "regressor": (
        lambda: MLPRegressor(hidden_layer_sizes=(6,), max_iter=30, random_state=0),
        X,
        X[:, 0],
    ),
    "poisson": (
        lambda: MLPRegressor("poisson", (6,), max_iter=30, random_state=0),
        X,
        np.abs(X[:, :2]),
    ),
    "perceptron": (
        lambda: Perceptron(random_state=0, record_history=True, max_iter=5),
        X,
        NAMES,
    ),
    "perceptron_binary": (lambda: Perceptron(random_state=0), X[:100], Y[:100]),
}


def outputs(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    if hasattr(est, "decision_function"):
        return est.decision_function(X)
    return est.predict(X)


@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip_predicts_bit_for_bit(tmp_path, case: str) -> None:
    make, X_, y_ = CASES[case]
    est = fitted(make, X_, y_)
    path = tmp_path / "model.safetensors"
    est.save(path, data_name="iris")
    again = type(est).load(path)
    assert outputs(est, X_).tobytes() == outputs(again, X_).tobytes()
    np.testing.assert_array_equal(est.predict(X_), again.predict(X_))
    assert again.n_features_in_ == est.n_features_in_ and again.n_iter_ == est.n_iter_
    _, info = io.read_file(path)
    assert info["estimator"] == type(est).__name__ and info["data"] == "iris"


def test_loading_with_the_wrong_class_names_both(tmp_path) -> None:
    est = fitted(*CASES["regressor"][:1], X, X[:, 0])
    est.save(tmp_path / "m.safetensors")
    with pytest.raises(
        ModelFileError, match="holds a 'MLPRegressor', not a MLPClassifier"
    ):
        MLPClassifier.load(tmp_path / "m.safetensors")
    assert isinstance(
        io.load(tmp_path / "m.safetensors"), MLPRegressor
    )  # what it holds


def tamper(path, edit):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    info = json.loads(header["__metadata__"]["rosenblatt"])
    edit(header, info)
    header["__metadata__"]["rosenblatt"] = json.dumps(info)
    body = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(body)) + body + raw[8 + n :])


@pytest.mark.parametrize(
    ("case", "edit", "message"),
    [
        (
            "mlp_strings",
            lambda h, i: i["fitted"].update(classes={"kind": "U", "values": [1, 2]}),
            "class labels of kind 'U' are malformed",
        ),
        (
            "mlp_strings",
            lambda h, i: i["fitted"].update(y_type="binary"),
            "do not match 3 outputs",
        ),
        (
            "mlp_strings",
            lambda h, i: i["fitted"].update(n_features_in=7),
            "does not map 7 features",
        ),
        (
            "mlp_strings",
            lambda h, i: i["fitted"].update(out_activation="exp"),
            "invalid output activation",
        ),
        (
            "mlp_strings",
            lambda h, i: i["fitted"].update(architecture={"type": "Conv9d"}),
            "unknown layer type",
        ),
        (
            "mlp_strings",
            lambda h, i: i["params"].update(not_a_param=1),
            "parameters do not fit MLPClassifier",
        ),
        (
            "mlp_strings",
            lambda h, i: i["fitted"].update(n_iter=-3),
            "'n_iter' must be a non-negative int",
        ),
        (
            "perceptron",
            lambda h, i: i["fitted"].update(n_features_in=3),
            r"expected weights of shape \(3, 4\)",
        ),
        ("perceptron", lambda h, i: i.update(fitted=[1, 2]), "not JSON objects"),
    ],
)
def test_tampered_estimator_files_are_refused(tmp_path, case, edit, message) -> None:
    make, X_, y_ = CASES[case]
    path = tmp_path / "model.safetensors"
    fitted(make, X_, y_).save(path)
    tamper(path, edit)
    with pytest.raises(ModelFileError, match=message):
        type(make()).load(path)


def test_an_unfitted_estimator_cannot_be_saved(tmp_path) -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MLPClassifier().save(tmp_path / "m.safetensors")


def test_io_save_and_load_take_anything_rosenblatt_writes(tmp_path) -> None:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from rosenblatt import MLPRegressor, Perceptron, io, nn, optim
    from rosenblatt.nn import functional as F
    from rosenblatt.train import fit

    X = np.random.default_rng(0).random((20, 3))
    y = (X[:, 0] > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for estimator in (
            Perceptron(random_state=0).fit(X, y),
            MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(
                X, X[:, 0]
            ),
        ):
            io.save(estimator, tmp_path / "e.safetensors", "toy", {"note": 1})
            again = io.load(tmp_path / "e.safetensors")
            assert type(again) is type(estimator)
            np.testing.assert_array_equal(again.predict(X), estimator.predict(X))
            assert io.read_file(tmp_path / "e.safetensors")[1]["extra"] == {"note": 1}
    net = nn.build_mlp([3, 4, 2], rng=0)
    fit(
        net,
        F.cross_entropy,
        optim.Adam(net.parameters()),
        X,
        y,
        epochs=2,
        verbose=0,
        checkpoint=tmp_path / "c.safetensors",
    )
    checkpoint = io.load(tmp_path / "c.safetensors")
    assert isinstance(checkpoint, io.Checkpoint) and checkpoint.epochs_done == 2
    assert len(checkpoint.history["loss"]) == 2
    io.save(checkpoint, tmp_path / "copy.safetensors")
    assert io.load(tmp_path / "copy.safetensors").epochs_done == 2
    with pytest.raises(TypeError, match="got list"):
        io.save([1, 2], tmp_path / "x.safetensors")


def test_feature_names_travel_with_every_estimator(tmp_path) -> None:
    pd = pytest.importorskip("pandas")
    from rosenblatt import CNNClassifier

    frame = pd.DataFrame(
        np.random.default_rng(0).random((12, 4)), columns=["a", "b", "c", "d"]
    )
    y = np.arange(12) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (
            Perceptron(random_state=0),
            MLPClassifier((3,), max_iter=2, random_state=0),
            CNNClassifier("simple_cnn", image_shape=(2, 2), max_iter=1),
        ):
            est.fit(frame, y).save(tmp_path / "m.safetensors")
            again = io.load(tmp_path / "m.safetensors")
            assert list(again.feature_names_in_) == ["a", "b", "c", "d"]
            with pytest.warns(UserWarning, match="feature names"):
                again.predict(frame.to_numpy())  # scikit-learn's check still applies


def test_a_file_from_before_training_states_still_loads_and_trains(tmp_path) -> None:
    path = tmp_path / "old.safetensors"
    est = fitted(lambda: MLPClassifier((5,), max_iter=3, random_state=0), X, Y)
    est.save(path)

    def as_before(header, info):  # no training state, no optimizer arrays
        info["fitted"].pop("training")
        for name in [k for k in header if k.startswith("optimizer/")]:
            header.pop(name)

    tamper(path, as_before)
    old = MLPClassifier.load(path)
    np.testing.assert_array_equal(old.predict(X), est.predict(X))
    assert old.best_loss_ == min(est.loss_curve_) and not hasattr(old, "optimizer_")
    old.partial_fit(X, Y)  # trains on, from a fresh optimizer
    assert len(old.loss_curve_) == len(est.loss_curve_) + 1
