"""ONNX graphs to rosenblatt networks: a chain of known operators, an nn.Sequential.

Anything else is refused, naming the operator and its node.

An ONNX file is untrusted input: nothing in it runs (ONNX has no code to run, and
external data files are refused), its size is bounded, and a malformed graph raises
one ``OnnxImportError`` naming what is wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from rosenblatt import nn

MAX_BYTES = 1 << 30  # 1 GiB: larger than any network this library trains
SUPPORTED = (
    "Gemm", "MatMul", "Add", "Conv", "MaxPool", "AveragePool", "LRN",
    "BatchNormalization", "Flatten", "Reshape", "Relu", "Sigmoid", "Tanh",
    "LeakyRelu", "Softmax", "Identity", "Dropout", "GreaterOrEqual", "Cast",
)  # fmt: skip


class OnnxImportError(ValueError):
    """An ONNX file rosenblatt cannot read as a network; the message says why."""


def _attributes(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _pair(values: Any, where: str, default: int) -> tuple[int, int]:
    values = list(values) if values is not None else [default, default]
    if len(values) != 2:
        raise OnnxImportError(f"{where}: expected 2-D windows, got {values}")
    return int(values[0]), int(values[1])


def _padding(pads: Any, where: str) -> tuple[int, int]:
    if pads is None:
        return 0, 0
    top, left, bottom, right = (int(p) for p in pads)
    if (top, left) != (bottom, right):
        raise OnnxImportError(
            f"{where}: asymmetric padding {list(pads)} is not supported"
        )
    return top, left


def from_onnx(source: str | os.PathLike[str] | Any) -> nn.Sequential:
    """The network an ONNX file (or ModelProto) computes, as an ``nn.Sequential``.

    The graph must be a chain from its one input to its one output through the
    operators in ``SUPPORTED`` (MatMul followed by Add is read as one Linear); the
    weights become parameters of the input's float type.
    """
    import onnx

    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.stat().st_size > MAX_BYTES:
            raise OnnxImportError(f"{path}: larger than {MAX_BYTES >> 20} MiB")
        try:
            proto = onnx.load(str(path), load_external_data=False)
        except Exception as error:  # noqa: BLE001 (protobuf raises several kinds)
            raise OnnxImportError(f"{path}: not an ONNX model ({error})") from None
        where = str(path)
    else:
        proto, where = source, "model"
    for tensor in proto.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise OnnxImportError(f"{where}: refers to external data files; not read")
    try:
        onnx.checker.check_model(proto)
    except Exception as error:  # noqa: BLE001
        raise OnnxImportError(f"{where}: a malformed graph ({error})") from None
    return _Reader(proto, where).read()


class _Reader:
    def __init__(self, proto: Any, where: str) -> None:
        from onnx import numpy_helper

        self.where = where
        self.graph = proto.graph
        self.constants = {
            t.name: numpy_helper.to_array(t) for t in self.graph.initializer
        }
        for node in self.graph.node:  # Constant nodes hold weights too
            if node.op_type == "Constant":
                value = _attributes(node).get("value")
                if value is not None:
                    self.constants[node.output[0]] = numpy_helper.to_array(value)
        inputs = [i for i in self.graph.input if i.name not in self.constants]
        if len(inputs) != 1 or len(self.graph.output) != 1:
            raise OnnxImportError(f"{where}: expected one input and one output")
        elem = inputs[0].type.tensor_type.elem_type
        self.dtype = {1: np.float32, 11: np.float64}.get(elem)
        if self.dtype is None:
            raise OnnxImportError(f"{where}: the input must be float32 or float64")

    def weight(self, name: str, where: str) -> np.ndarray:
        if name not in self.constants:
            raise OnnxImportError(
                f"{where}: {name!r} is computed, not a constant weight"
            )
        return np.asarray(self.constants[name], dtype=self.dtype)

    def read(self) -> nn.Sequential:
        nodes = [n for n in self.graph.node if n.op_type != "Constant"]
        current = next(i.name for i in self.graph.input if i.name not in self.constants)
        layers: list[nn.Module] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            where = f"{self.where}: node {i} ({node.name or node.op_type})"
            if node.op_type not in SUPPORTED:
                raise OnnxImportError(
                    f"{where}: the operator {node.op_type} has no rosenblatt layer; "
                    f"supported: {', '.join(SUPPORTED)}"
                )
            data_inputs = [n for n in node.input if n and n not in self.constants]
            if data_inputs != [current]:
                raise OnnxImportError(
                    f"{where}: not a chain (it reads {list(node.input)})"
                )
            layer, used = self._layer(node, nodes[i + 1 :], where)
            if layer is not None:
                layers.append(layer)
            current = nodes[i + used - 1].output[0]
            i += used
        if current != self.graph.output[0].name:
            raise OnnxImportError(f"{self.where}: the chain does not end at the output")
        network = nn.Sequential(*layers)
        network.eval()
        return network

    def _layer(self, node: Any, rest: list[Any], where: str) -> tuple[Any, int]:
        """The layer for ``node`` (None: the identity) and how many nodes it used."""
        op, attrs = node.op_type, _attributes(node)
        if op == "Gemm":
            W = self.weight(node.input[1], where)
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0:
                raise OnnxImportError(
                    f"{where}: Gemm with transA or alpha is not a layer"
                )
            W = W.T if attrs.get("transB", 0) else W
            b = (
                self.weight(node.input[2], where) * attrs.get("beta", 1.0)
                if len(node.input) > 2
                else None
            )
            return self._linear(W, b), 1
        if op == "MatMul":
            W = self.weight(node.input[1], where)
            follows = rest[0] if rest else None
            if follows is not None and follows.op_type == "Add":
                b = self.weight(
                    next(n for n in follows.input if n != node.output[0]), where
                )
                return self._linear(W, b.reshape(-1)), 2
            return self._linear(W, None), 1
        if op == "Conv":
            W = self.weight(node.input[1], where)
            b = self.weight(node.input[2], where) if len(node.input) > 2 else None
            groups = int(attrs.get("group", 1))
            conv = nn.Conv2d(
                W.shape[1] * groups, W.shape[0], _pair(W.shape[2:], where, 1),
                stride=_pair(attrs.get("strides"), where, 1),
                padding=_padding(attrs.get("pads"), where),
                dilation=_pair(attrs.get("dilations"), where, 1),
                groups=groups, bias=b is not None, dtype=self.dtype,
            )  # fmt: skip
            conv.weight.data[...] = W
            if b is not None and conv.bias is not None:
                conv.bias.data[...] = b
            return conv, 1
        if op in ("MaxPool", "AveragePool"):
            kernel = _pair(attrs.get("kernel_shape"), where, 1)
            stride = _pair(attrs.get("strides"), where, 1)
            padding = _padding(attrs.get("pads"), where)
            if attrs.get("ceil_mode", 0):
                raise OnnxImportError(f"{where}: ceil_mode is not supported")
            if op == "MaxPool":
                return nn.MaxPool2d(
                    kernel, stride, padding, _pair(attrs.get("dilations"), where, 1)
                ), 1
            if padding != (0, 0) and not attrs.get("count_include_pad", 0):
                raise OnnxImportError(f"{where}: padding left out of the average")
            return nn.AvgPool2d(kernel, stride, padding), 1
        if op == "LRN":
            size = int(attrs["size"])
            if size % 2 == 0:
                raise OnnxImportError(
                    f"{where}: an even LRN window is centred differently"
                )
            alpha, beta = attrs.get("alpha", 1e-4), attrs.get("beta", 0.75)
            return nn.LocalResponseNorm(size, alpha, beta, attrs.get("bias", 1.0)), 1
        if op == "BatchNormalization":
            scale, shift, mean, var = (self.weight(n, where) for n in node.input[1:5])
            cls = nn.BatchNorm2d
            layer = cls(
                len(scale), eps=float(attrs.get("epsilon", 1e-5)), dtype=self.dtype
            )
            layer.weight.data[...], layer.bias.data[...] = scale, shift  # type: ignore[union-attr]
            layer.running_mean[...], layer.running_var[...] = mean, var
            return layer, 1
        if op in ("Flatten", "Reshape"):
            if op == "Flatten" and int(attrs.get("axis", 1)) != 1:
                raise OnnxImportError(f"{where}: Flatten must keep the batch axis")
            if op == "Reshape":
                shape = self.weight(node.input[1], where).astype(int).tolist()
                if len(shape) != 2 or (shape[1] != -1 and shape[0] not in (-1, 0)):
                    raise OnnxImportError(
                        f"{where}: a Reshape to {shape} is not a Flatten"
                    )
            return nn.Flatten(), 1
        if op == "GreaterOrEqual":  # x >= 0 then Cast: the step unit
            threshold = self.weight(node.input[1], where)
            if rest and rest[0].op_type == "Cast" and np.all(threshold == 0):
                return nn.Step(), 2
            raise OnnxImportError(
                f"{where}: only x >= 0 followed by Cast (a step unit)"
            )
        if op in ("Identity", "Dropout", "Cast"):
            return None, 1
        simple = {"Relu": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh}
        if op in simple:
            return simple[op](), 1
        if op == "LeakyRelu":
            return nn.LeakyReLU(float(attrs.get("alpha", 0.01))), 1
        if op == "Softmax":
            return nn.Softmax(int(attrs.get("axis", -1))), 1
        raise OnnxImportError(f"{where}: the operator {op} cannot start a layer here")

    def _linear(self, W: np.ndarray, b: np.ndarray | None) -> nn.Linear:
        layer = nn.Linear(W.shape[0], W.shape[1], bias=b is not None, dtype=self.dtype)
        layer.weight.data[...] = W
        if b is not None and layer.bias is not None:
            layer.bias.data[...] = b
        return layer
