"""The playground's sessions: settings checked, networks that learn, the 1958 rule,
and what leaves the page (the model file and the script)."""

import base64
import json
import warnings

import numpy as np
import pytest

from rosenblatt import cli
from rosenblatt.playground import Session, Spec, SpecError, dataset
from rosenblatt.playground.export import model_file, python_snippet
from rosenblatt.playground.session import GRID, points


def _spec(**settings) -> Spec:
    return Spec.parse({"layers": [4], "activations": ["tanh"], **settings})


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ([], "JSON object"),
        ({"dataset": "mnist"}, "dataset"),
        ({"nonsense": 1}, "unknown settings"),
        ({"layers": [9], "activations": ["tanh"]}, "neurons"),
        ({"layers": [2] * 7, "activations": ["tanh"] * 7}, "at most 6"),
        ({"layers": [2], "activations": []}, "one activation per hidden layer"),
        ({"activations": ["tanh", "softplus"]}, "activation"),
        ({"features": []}, "non-empty"),
        ({"features": ["x1", "x1"]}, "twice"),
        ({"features": ["x3"]}, "feature"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": True}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"noise": 80}, "noise"),
        ({"dataset": "plane"}, "regression"),
        ({"dataset": "plane", "problem": "regression", "mode": "1958"}, "1958"),
    ],
)
def test_every_bad_setting_is_refused_by_name(raw, named) -> None:
    with pytest.raises(SpecError, match=named):
        Spec.parse(raw)


def test_a_2_4_1_tanh_network_learns_xor() -> None:
    session = Session(_spec(dataset="xor"))
    first = session.test_loss[-1]
    session.step(100)
    assert session.epoch == 100
    assert session.test_loss[-1] < 0.15 < first
    view = session.view()
    assert [len(layer) for layer in view["neurons"]] == [2, 4]  # inputs, hidden
    picture = base64.b64decode(view["output"])
    assert len(picture) == GRID * GRID and len(set(picture)) > 50  # a real surface
    assert [np.shape(w) for w in view["weights"]] == [(2, 4), (4, 2)]
    assert len(view["grad_norms"]) == 100 and len(view["grad_norms"][0]) == 2
    json.dumps(view)  # what the server sends


def test_regression_on_the_plane_learns() -> None:
    session = Session(_spec(dataset="plane", problem="regression", learning_rate=0.01))
    first = session.test_loss[-1]
    session.step(30)
    assert session.test_loss[-1] < 0.1 * first


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_a_penalty_shrinks_the_weights(penalty) -> None:
    norms = []
    for rate in (0.0, 0.3):
        spec = _spec(dataset="circle", regularization=penalty, regularization_rate=rate)
        session = Session(spec)
        session.step(20)
        norms.append(sum(np.abs(m.weight.data).sum() for m in session.linears))
    assert norms[1] < 0.5 * norms[0]


def test_the_1958_perceptron_settles_on_gaussians_and_never_on_xor() -> None:
    no_layers = {"layers": [], "activations": [], "mode": "1958"}
    separable = Session(Spec.parse({"dataset": "gauss", **no_layers}))
    separable.step(250 * 12)
    assert separable.view()["settled"] and separable.epoch_errors[-1] == 0
    xor = Session(Spec.parse({"dataset": "xor", **no_layers}))
    for _ in range(250 * 12):
        before = xor.perceptron.weights_.copy()
        x, d = xor.inputs[xor.cursor], xor.y[xor.cursor]
        wrong = (before[0] + x @ before[1:] >= 0) != (d > 0)
        xor.step(1)
        # the rule: the weights move exactly on a mistake, by eta (d - y) x
        assert xor.last["mistake"] == wrong
        assert (not np.array_equal(before, xor.perceptron.weights_)) == wrong
    view = xor.view()
    assert not view["settled"] and min(xor.epoch_errors) > 50  # never a clean pass


def test_each_seed_and_dataset_gives_points_inside_the_plane() -> None:
    for name in ("xor", "circle", "gauss", "spiral", "moons"):
        X, y = points(_spec(dataset=name, noise=50))
        assert X.shape == (500, 2) and np.abs(X).max() <= 6
        assert set(np.unique(y)) == {0.0, 1.0} and abs(y.mean() - 0.5) < 0.1
    a, b = points(_spec(seed=1))[0], points(_spec(seed=2))[0]
    assert not np.array_equal(a, b)


def test_the_exported_file_is_a_model_info_evaluate_and_predict_accept(
    tmp_path, capsys
) -> None:
    session = Session(_spec(dataset="moons"))
    session.step(40)
    path = tmp_path / "playground.safetensors"
    model_file(session, path)
    assert cli.main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["classes"] == ["0", "1"] and info["features"] == 2
    assert cli.main(["evaluate", str(path), "--data", "moons", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] > 0
    rows = tmp_path / "rows.csv"
    rows.write_text("x1,x2\n-3,3\n3,-3\n")
    assert cli.main(["predict", str(path), str(rows)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "prediction"


@pytest.mark.parametrize("mode", ["network", "1958"])
def test_the_exported_script_rebuilds_the_data_and_retrains(mode, capsys) -> None:
    layers = {"layers": [4], "activations": ["tanh"]} if mode == "network" else {}
    spec = Spec.parse(
        {"dataset": "gauss", "mode": mode, "layers": [], "activations": [], **layers}
    )
    session = Session(spec)
    session.step(250 * 3 if mode == "1958" else 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at the page's epochs
        exec(python_snippet(session), {})
    printed = capsys.readouterr().out
    assert float(printed.strip().splitlines()[-1].split()[-1]) > 0.9
    X_train, y_train, X_test, _ = dataset(spec)
    assert np.array_equal(X_train, session.inputs[session.train])
    assert np.array_equal(y_train, session.y[session.train])
    assert len(X_train) + len(X_test) == 500
