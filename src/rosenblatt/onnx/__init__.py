"""ONNX export and import: models that leave rosenblatt and models that enter it.

``to_onnx(model, X=None)`` gives an ``onnx.ModelProto`` (opset 17, checked by
``onnx.checker``) for every fitted estimator (``MLPClassifier`` with its labels and
probabilities, ``MLPRegressor``, ``Perceptron``, ``CNNClassifier``) and every network
the model-file format holds; ``from_onnx(path)`` reads a feed-forward graph of those
operators (rosenblatt's, or ``torch.onnx.export``'s of an MLP or a LeNet-5) into an
``nn.Sequential``. Both need the ``onnx`` extra (``pip install 'rosenblatt[onnx]'``);
``import rosenblatt`` never imports them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rosenblatt import nn
from rosenblatt.onnx._export import OPSET, ExportError
from rosenblatt.onnx._import import OnnxImportError, from_onnx

__all__ = ["OPSET", "ExportError", "OnnxImportError", "from_onnx", "to_onnx"]

_LABEL_TYPES = {"i": 7, "u": 7, "b": 7, "f": 11, "U": 8, "O": 8, "S": 8}


def _require_onnx() -> None:
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ImportError(
            "rosenblatt.onnx needs the onnx package: pip install 'rosenblatt[onnx]'"
        ) from None


def to_onnx(
    model: Any,
    X: Any = None,
    *,
    mean: Any = None,
    scale: Any = None,
    class_names: list[str] | None = None,
) -> Any:
    """An ``onnx.ModelProto`` computing ``model``'s predictions, with a dynamic batch.

    Parameters
    ----------
    model : fitted estimator or nn.Module
        ``MLPClassifier`` (outputs ``label`` and ``probabilities``), ``MLPRegressor``
        (``variable``), ``Perceptron`` (``label``, ``scores``), ``CNNClassifier``
        (``label``, ``probabilities``), or a network (``output``).
    X : array_like, optional
        A few samples: used only where the model cannot tell its input's shape (a
        network that starts with neither Linear nor Conv2d).
    mean, scale : array_like, optional
        Scaler statistics applied first, (x - mean) / scale (``rosenblatt export``
        passes those a ``train --standardize`` run saved).
    class_names : list of str, optional
        For a network that classifies: ``label`` is then the name of the highest
        output, and ``probabilities`` the softmax of the outputs. For a classifier
        whose classes are 0..K-1 (as ``rosenblatt train`` fits them): the names its
        ``label`` gives instead.
    """
    _require_onnx()
    from rosenblatt.onnx import _export as ex

    kind = type(model).__name__
    if isinstance(model, nn.Module):
        network = model
    elif kind in ("MLPClassifier", "MLPRegressor", "CNNClassifier"):
        if not hasattr(model, "module_"):
            raise ExportError(f"to_onnx: this {kind} is not fitted; call fit first")
        network = model.module_
    elif kind == "Perceptron":
        if not hasattr(model, "weights_"):
            raise ExportError("to_onnx: this Perceptron is not fitted; call fit first")
        return _perceptron(model, mean, scale)
    else:
        raise ExportError(f"to_onnx: cannot export a {kind}")
    network = network.eval() if network.training else network
    dtype = ex.dtype_of(network, X)
    graph = ex._Graph(dtype)
    elem = ex._FLOATS[dtype]
    if kind == "CNNClassifier":
        c, h, w = model.image_shape_
        shape: list[Any] = ["N", c * h * w]
        x = graph.node(
            "Reshape", ["input", graph.constant([-1, c, h, w], "shape", np.int64)]
        )
    else:
        shape = ex.input_shape(network, X)
        x = "input"
    x = _scaled(graph, x, mean, scale)
    raw = ex.module_nodes(graph, network, x)
    outputs: list[Any]
    if kind == "MLPRegressor":
        value = graph.node("Exp", [raw]) if model.out_activation_ == "exp" else raw
        graph.node("Identity", [value], output="variable")
        outputs = [ex.value_info("variable", elem, ["N", model.n_outputs_])]
    elif kind in ("MLPClassifier", "CNNClassifier"):
        outputs = _classifier_outputs(graph, raw, model, elem, class_names)
    elif class_names is not None:
        outputs = _classifier_outputs(graph, raw, np.asarray(class_names), elem)
    else:
        graph.node("Identity", [raw], output="output")
        outputs = [ex.value_info("output", elem, _output_shape(network, shape))]
    inputs = [ex.value_info("input", elem, shape)]
    return ex.model(graph, inputs, outputs, f"rosenblatt_{kind}")


def _output_shape(network: nn.Module, shape: list[Any]) -> list[Any] | None:
    """The network's output shape, batch axis dynamic, when its input's is known."""
    from rosenblatt import Tensor, no_grad

    dtype = next((p.data.dtype for p in network.parameters()), np.float32)
    with no_grad():
        out = network(Tensor(np.zeros((1, *shape[1:]), dtype=dtype)))
    return ["N", *out.shape[1:]]


def _scaled(graph: Any, x: str, mean: Any, scale: Any) -> str:
    if mean is None or scale is None:
        return x
    centred = graph.node("Sub", [x, graph.constant(mean, "mean")])
    return str(graph.node("Div", [centred, graph.constant(scale, "scale")]))


def _labels_constant(graph: Any, classes: Any) -> tuple[str, int]:
    classes = np.asarray(classes)
    elem = _LABEL_TYPES[classes.dtype.kind]
    if elem == 8:
        values = classes.astype(str).astype(object)
    else:
        values = classes.astype(np.int64 if elem == 7 else np.float64)
    return graph.constant(values, "classes", values.dtype), elem


def _classifier_outputs(
    graph: Any, raw: str, model: Any, elem: int, names: Any = None
) -> list[Any]:
    """``probabilities`` and ``label`` from the output layer's values.

    ``names`` stand in for the classes when given.
    """
    from rosenblatt.onnx._export import value_info

    classes = model if isinstance(model, np.ndarray) else model.classes_
    if names is not None:
        classes = np.asarray(names)
    labels = getattr(model, "_labels", None)
    kind = labels.kind if labels is not None else "multiclass"
    if kind == "multilabel-indicator":
        probs = graph.node("Sigmoid", [raw], output="probabilities")
        half = graph.constant(0.5, "half")
        graph.node("Cast", [graph.node("Greater", [probs, half])], output="label", to=7)
        n = len(classes)
        return [
            value_info("label", 7, ["N", n]),
            value_info("probabilities", elem, ["N", n]),
        ]
    names, label_elem = _labels_constant(graph, classes)
    if kind == "binary" and labels is not None and labels.width == 1:
        p = graph.node("Sigmoid", [raw])
        one = graph.constant(1.0, "one")
        graph.node(
            "Concat", [graph.node("Sub", [one, p]), p], output="probabilities", axis=1
        )
        above = graph.node("Greater", [p, graph.constant(0.5, "half")])
        flat = graph.node("Reshape", [above, graph.constant([-1], "flat", np.int64)])
        index = graph.node("Cast", [flat], to=7)
    else:
        probs = graph.node("Softmax", [raw], output="probabilities", axis=1)
        index = graph.node("ArgMax", [probs], axis=1, keepdims=0)
    graph.node("Gather", [names, index], output="label", axis=0)
    return [
        value_info("label", label_elem, ["N"]),
        value_info("probabilities", elem, ["N", len(classes)]),
    ]


def _perceptron(model: Any, mean: Any, scale: Any) -> Any:
    from rosenblatt.onnx import _export as ex

    W = np.atleast_2d(model.weights_)  # (units, 1 + features): bias first
    dtype = np.dtype(W.dtype)
    graph = ex._Graph(dtype)
    elem = ex._FLOATS[dtype]
    x = _scaled(graph, "input", mean, scale)
    weights, bias = (
        graph.constant(W[:, 1:].T, "weight"),
        graph.constant(W[:, 0], "bias"),
    )
    scores = graph.node("Gemm", [x, weights, bias], output="scores")
    names, label_elem = _labels_constant(graph, model.classes_)
    if len(W) == 1:  # sgn(w . x): the second class where w . x >= 0
        zero = graph.constant(0.0, "zero")
        above = graph.node("GreaterOrEqual", [scores, zero])
        flat = graph.node("Reshape", [above, graph.constant([-1], "flat", np.int64)])
        index = graph.node("Cast", [flat], to=7)
    else:
        index = graph.node("ArgMax", [scores], axis=1, keepdims=0)
    graph.node("Gather", [names, index], output="label", axis=0)
    inputs = [ex.value_info("input", elem, ["N", W.shape[1] - 1])]
    outputs = [
        ex.value_info("label", label_elem, ["N"]),
        ex.value_info("scores", elem, ["N", len(W)]),
    ]
    return ex.model(graph, inputs, outputs, "rosenblatt_Perceptron")
