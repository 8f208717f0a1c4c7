"""ONNX export and import, checked by ONNX Runtime: every layer and activation, every
estimator, batch sizes 1 and many, PyTorch's exports imported, hostile files refused."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits

from rosenblatt import (
    CNNClassifier,
    MLPClassifier,
    MLPRegressor,
    Perceptron,
    Tensor,
    cli,
    models,
    nn,
    no_grad,
)
from rosenblatt.onnx import OPSET, ExportError, OnnxImportError, from_onnx, to_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-9}
X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS / 16


def predict(network, X):
    """The network's output in evaluation mode (no fit machinery)."""
    with no_grad():
        return network.eval()(Tensor(X)).data


def run(proto, X):
    """The model's outputs in ONNX Runtime, by name."""
    session = ort.InferenceSession(
        proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"input": X}), strict=True))


def _image_layers(dtype):
    return [
        nn.Conv2d(2, 4, 3, padding=1, dtype=dtype, rng=0),
        nn.Conv2d(2, 4, (3, 2), stride=(2, 1), dilation=(1, 2), dtype=dtype, rng=0),
        nn.Conv2d(2, 4, 3, groups=2, bias=False, dtype=dtype, rng=0),
        nn.MaxPool2d(2),
        nn.MaxPool2d(3, stride=1, padding=1, dilation=1),
        nn.AvgPool2d(2, padding=1),
        nn.LocalResponseNorm(3, alpha=0.1, beta=0.75, k=2.0),
        nn.BatchNorm2d(2, dtype=dtype),
        nn.Dropout2d(0.5),
        nn.ReLU(),
    ]


def _row_layers(dtype):
    return [
        nn.Linear(6, 4, dtype=dtype, rng=0),
        nn.Linear(6, 4, bias=False, dtype=dtype, rng=0),
        nn.BatchNorm1d(6, dtype=dtype),
        nn.Identity(),
        nn.Step(),
        nn.Sigmoid(),
        nn.Tanh(),
        nn.ReLU(),
        nn.LeakyReLU(0.2),
        nn.Softmax(axis=1),
        nn.Dropout(0.5),
    ]


def _with_statistics(layer, rng):
    """A BatchNorm with running statistics and affine parameters other than 1 and 0."""
    if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
        n = layer.num_features
        layer.running_mean[...] = rng.normal(size=n)
        layer.running_var[...] = rng.uniform(0.5, 2, n)
        layer.weight.data[...] = rng.normal(size=n)
        layer.bias.data[...] = rng.normal(size=n)
    return layer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [1, 9])
def test_every_layer_and_activation_gives_the_same_numbers(dtype, batch) -> None:
    rng = np.random.default_rng(batch)
    cases = [(layer, (batch, 2, 7, 6)) for layer in _image_layers(dtype)]
    cases += [(layer, (batch, 6)) for layer in _row_layers(dtype)]
    for layer, shape in cases:
        float32_only = (nn.Conv2d, nn.LocalResponseNorm, nn.AvgPool2d)
        if dtype == np.float64 and isinstance(layer, float32_only):
            continue  # ONNX Runtime's CPU kernels for these are float32 only
        network = nn.Sequential(_with_statistics(layer, rng)).eval()
        X = (rng.normal(size=shape) * 2).astype(dtype)
        proto = to_onnx(network, X)
        onnx.checker.check_model(proto, full_check=True)
        assert proto.opset_import[0].version == OPSET >= 17
        got = run(proto, X)["output"]
        tol = TOLERANCE[dtype]
        if isinstance(layer, nn.LeakyReLU):
            tol = max(tol, 1e-7)  # ONNX keeps the slope as a float32 attribute
        np.testing.assert_allclose(
            got, predict(network, X), rtol=tol, atol=tol, err_msg=type(layer).__name__
        )


def test_lenet5_and_alexnet_small_export_with_a_dynamic_batch() -> None:
    rng = np.random.default_rng(0)
    for network in (models.lenet5(rng=0), models.alexnet_small(rng=0)):
        network.eval()
        proto = to_onnx(network, np.zeros((1, 1, 28, 28), np.float32))
        for batch in (1, 5):
            X = rng.random((batch, 1, 28, 28), dtype=np.float32)
            np.testing.assert_allclose(
                run(proto, X)["output"], predict(network, X), rtol=1e-4, atol=1e-5
            )


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


@pytest.mark.parametrize(
    "labels",
    [Y_DIGITS, np.where(Y_DIGITS > 4, "large", "small"), Y_DIGITS == 3],
    ids=["ten classes", "two named classes", "booleans"],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mlp_classifier_labels_and_probabilities(labels, dtype) -> None:
    clf = _fit(
        MLPClassifier((16,), max_iter=15, random_state=0, dtype=dtype), X_DIGITS, labels
    )
    X = X_DIGITS.astype(dtype)
    out = run(to_onnx(clf), X)
    np.testing.assert_array_equal(out["label"], clf.predict(X))
    tol = TOLERANCE[np.dtype(dtype).type]
    np.testing.assert_allclose(
        out["probabilities"], clf.predict_proba(X), rtol=tol, atol=tol
    )
    one = run(to_onnx(clf), X[:1])
    np.testing.assert_array_equal(one["label"], clf.predict(X[:1]))


def test_a_multilabel_classifier_gives_its_indicator_matrix() -> None:
    Y = np.stack([Y_DIGITS > 4, Y_DIGITS % 2 == 0], axis=1).astype(int)
    clf = _fit(MLPClassifier((16,), max_iter=15, random_state=0), X_DIGITS, Y)
    out = run(to_onnx(clf), X_DIGITS.astype(clf.coefs_[0].dtype))
    np.testing.assert_array_equal(out["label"], clf.predict(X_DIGITS))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_mlp_regressor(loss) -> None:
    y = Y_DIGITS.astype(float) + 1
    reg = _fit(
        MLPRegressor(loss=loss, hidden_layer_sizes=(8,), max_iter=20, random_state=0),
        X_DIGITS,
        y,
    )
    X = X_DIGITS.astype(reg.coefs_[0].dtype)
    got = run(to_onnx(reg), X)["variable"].ravel()
    np.testing.assert_allclose(got, reg.predict(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("labels", [Y_DIGITS, Y_DIGITS > 4], ids=["ten", "two"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_perceptron(labels, dtype) -> None:
    clf = _fit(Perceptron(random_state=0, max_iter=5), X_DIGITS.astype(dtype), labels)
    X = X_DIGITS.astype(dtype)
    out = run(to_onnx(clf), X)
    np.testing.assert_array_equal(out["label"], clf.predict(X))
    scores = clf.decision_function(X).reshape(len(X), -1)
    np.testing.assert_allclose(out["scores"], scores, rtol=1e-5, atol=1e-4)


def test_cnn_classifier_takes_flat_rows_as_it_does() -> None:
    clf = _fit(
        CNNClassifier("simple_cnn", image_shape=(1, 8, 8), max_iter=1, random_state=0),
        X_DIGITS[:400],
        Y_DIGITS[:400],
    )
    X = X_DIGITS[:50].astype(np.float32)
    out = run(to_onnx(clf), X)
    np.testing.assert_array_equal(out["label"], clf.predict(X))
    np.testing.assert_allclose(out["probabilities"], clf.predict_proba(X), atol=1e-5)


def test_an_exported_network_comes_back_the_same() -> None:
    rng = np.random.default_rng(3)
    layers = [*_image_layers(np.float32)[:1], nn.Tanh(), nn.MaxPool2d(2), nn.Flatten()]
    network = nn.Sequential(
        *layers, nn.Linear(4 * 3 * 3, 5, rng=0), nn.Step(), nn.Linear(5, 2, rng=1)
    ).eval()
    X = rng.normal(size=(4, 2, 7, 6)).astype(np.float32)
    back = from_onnx(to_onnx(network, X))
    assert [type(m).__name__ for m in back] == [
        type(m).__name__ for m in network if not isinstance(m, nn.Identity)
    ]
    np.testing.assert_array_equal(predict(back, X), predict(network, X))


def test_pytorch_exports_of_an_mlp_and_lenet5_import_with_equal_outputs(
    tmp_path,
) -> None:
    torch = pytest.importorskip("torch")
    mlp = torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)
    )
    lenet = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.Tanh(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.Tanh(),
        torch.nn.Linear(120, 84), torch.nn.Sigmoid(), torch.nn.Linear(84, 10),
    )  # fmt: skip
    for network, shape in ((mlp, (3, 64)), (lenet, (3, 1, 28, 28))):
        path = tmp_path / "torch.onnx"
        example = torch.randn(*shape)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation
            torch.onnx.export(
                network.eval(), (example,), str(path), dynamo=False,
                input_names=["input"], dynamic_axes={"input": {0: "N"}},
            )  # fmt: skip
        ours = from_onnx(path)
        X = np.random.default_rng(0).normal(size=shape).astype(np.float32)
        with torch.no_grad():
            expected = network(torch.from_numpy(X)).numpy()
        np.testing.assert_allclose(predict(ours, X), expected, rtol=1e-4, atol=1e-5)


def _graph_with(op_type: str):
    from onnx import TensorProto, helper

    node = helper.make_node(op_type, ["input"], ["output"], name="the_node")
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3])],
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_an_unsupported_operator_is_named_with_its_node() -> None:
    with pytest.raises(OnnxImportError, match=r"the_node.*Sin"):
        from_onnx(_graph_with("Sin"))


def test_hostile_and_broken_files_get_one_clear_error(tmp_path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x08\x07" + np.random.default_rng(0).bytes(500))
    with pytest.raises(OnnxImportError, match=r"not an ONNX model|malformed"):
        from_onnx(garbage)
    from onnx import TensorProto, helper

    proto = _graph_with("Relu")
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1], b"\0\0\0\0", raw=True)
    weight.data_location = TensorProto.EXTERNAL
    from onnx.external_data_helper import set_external_data

    set_external_data(weight, location="../../etc/passwd")
    proto.graph.initializer.append(weight)
    path = tmp_path / "external.onnx"
    path.write_bytes(proto.SerializeToString())
    with pytest.raises(OnnxImportError, match="external data"):
        from_onnx(path)
    branching = _graph_with("Relu")
    branching.graph.node.append(
        helper.make_node("Relu", ["input"], ["other"], name="branch")
    )
    with pytest.raises(OnnxImportError):
        from_onnx(branching)


def test_what_onnx_cannot_say_is_refused_by_name() -> None:
    with pytest.raises(ExportError, match="height and width"):
        to_onnx(models.lenet5(rng=0))
    with pytest.raises(ExportError, match="LocalResponseNorm"):
        to_onnx(nn.Sequential(nn.LocalResponseNorm(4)), np.zeros((1, 4, 3, 3)))
    with pytest.raises(ExportError, match="not fitted"):
        to_onnx(MLPClassifier())
    with pytest.raises(ExportError, match="cannot export"):
        to_onnx(object())


def test_the_export_command_builds_the_scaler_and_the_class_names_in(
    tmp_path, capsys
) -> None:
    run_folder = tmp_path / "run"
    assert cli.main([
        "train", "--data", "iris", "--standardize", "--hidden", "8", "--epochs", "30",
        "--out", str(run_folder), "--seed", "0", "--json",
    ]) == 0  # fmt: skip
    capsys.readouterr()
    target = tmp_path / "iris.onnx"
    assert (
        cli.main(["export", str(run_folder), "--format", "onnx", "-o", str(target)])
        == 0
    )
    assert "opset 17" in capsys.readouterr().out
    rows = tmp_path / "rows.csv"
    from sklearn.datasets import load_iris

    iris = load_iris()
    command = [sys.executable, "-m", "rosenblatt", "info", str(run_folder), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["standardized"]
    from rosenblatt import io

    extra = io.read_file(run_folder / "model.safetensors")[1]["extra"]
    features = extra["feature_names"]
    rows.write_text(",".join(features) + "\n" + "\n".join(
        ",".join(str(v) for v in row) for row in iris.data[::10]))  # fmt: skip
    assert cli.main(["predict", str(run_folder), str(rows), "--json"]) == 0
    expected = [r["prediction"] for r in json.loads(capsys.readouterr().out)]
    got = run(onnx.load(str(target)), iris.data[::10].astype(np.float32))["label"]
    assert list(got) == expected  # raw features in, class names out


def test_import_rosenblatt_does_not_import_onnx() -> None:
    code = "import sys, rosenblatt, rosenblatt.cli; assert 'onnx' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
