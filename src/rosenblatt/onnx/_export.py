"""rosenblatt models to ONNX graphs: each layer one or two standard operators."""

from __future__ import annotations

from typing import Any

import numpy as np

from rosenblatt import nn
from rosenblatt.nn.functional import _pair

OPSET = 17
_FLOATS = {np.dtype(np.float32): 1, np.dtype(np.float64): 11}  # TensorProto types


class ExportError(ValueError):
    """A model (or a layer of it) that ONNX export cannot express; the message names it."""


class _Graph:
    """The nodes and constant tensors of a graph being built, with fresh names."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        from onnx import helper

        self.helper, self.dtype = helper, dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def constant(self, value: Any, stem: str, dtype: Any = None) -> str:
        from onnx import numpy_helper

        array = np.asarray(value, dtype=dtype or self.dtype)
        name = self.name(stem)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(
        self, op: str, inputs: list[str], output: str | None = None, **attrs: Any
    ) -> str:
        out = output or self.name(op.lower())
        self.nodes.append(self.helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def _pads(padding: Any) -> list[int]:
    top, left = _pair(padding, "padding", 0)
    return [top, left, top, left]


def _window(module: Any) -> dict[str, Any]:
    """A pooling or convolution layer's kernel and strides as ONNX attributes."""
    kernel = _pair(module.kernel_size, "kernel_size", 1)
    stride = kernel if module.stride is None else _pair(module.stride, "stride", 1)
    return {"kernel_shape": list(kernel), "strides": list(stride)}


def module_nodes(graph: _Graph, module: nn.Module, x: str) -> str:
    """Append the nodes computing ``module(x)`` (evaluation mode); the output's name."""
    if isinstance(module, nn.Sequential):
        for layer in module:
            x = module_nodes(graph, layer, x)
        return x
    if isinstance(module, nn.Linear):
        inputs = [x, graph.constant(module.weight.data, "weight")]
        if module.bias is not None:
            inputs.append(graph.constant(module.bias.data, "bias"))
        return graph.node("Gemm", inputs)  # x @ W + b, W (in, out): no transpose
    if isinstance(module, nn.Conv2d):
        inputs = [x, graph.constant(module.weight.data, "weight")]
        if module.bias is not None:
            inputs.append(graph.constant(module.bias.data, "bias"))
        return graph.node(
            "Conv", inputs, **_window(module), pads=_pads(module.padding),
            dilations=list(_pair(module.dilation, "dilation", 1)), group=module.groups,
        )  # fmt: skip
    if isinstance(module, nn.MaxPool2d):
        return graph.node(
            "MaxPool", [x], **_window(module), pads=_pads(module.padding),
            dilations=list(_pair(module.dilation, "dilation", 1)),
        )  # fmt: skip
    if isinstance(module, nn.AvgPool2d):
        return graph.node(
            "AveragePool", [x], **_window(module), pads=_pads(module.padding),
            count_include_pad=1,
        )  # fmt: skip
    if isinstance(module, nn.LocalResponseNorm):
        if module.size % 2 == 0:
            raise ExportError(
                f"to_onnx: LocalResponseNorm(size={module.size}): ONNX's LRN centres an "
                "even window one channel later than PyTorch's and ours; odd sizes only"
            )
        return graph.node(
            "LRN", [x], size=module.size, alpha=float(module.alpha),
            beta=float(module.beta), bias=float(module.k),
        )  # fmt: skip
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        n = module.num_features
        scale = module.weight.data if module.weight is not None else np.ones(n)
        shift = module.bias.data if module.bias is not None else np.zeros(n)
        inputs = [x, graph.constant(scale, "scale"), graph.constant(shift, "shift")]
        inputs += [graph.constant(module.running_mean, "mean")]
        inputs += [graph.constant(module.running_var, "var")]
        return graph.node("BatchNormalization", inputs, epsilon=float(module.eps))
    if isinstance(module, nn.Flatten):
        return graph.node("Flatten", [x], axis=1)
    if isinstance(module, (nn.Dropout, nn.Dropout2d, nn.Identity)):
        return x  # the identity at inference
    if isinstance(module, nn.Step):  # 1 where x >= 0 else 0
        zero = graph.constant(0.0, "zero")
        return graph.node("Cast", [graph.node("GreaterOrEqual", [x, zero])],
                          to=_FLOATS[graph.dtype])  # fmt: skip
    simple = {nn.Sigmoid: "Sigmoid", nn.Tanh: "Tanh", nn.ReLU: "Relu"}
    if type(module) in simple:
        return graph.node(simple[type(module)], [x])
    if isinstance(module, nn.LeakyReLU):
        return graph.node("LeakyRelu", [x], alpha=float(module.negative_slope))
    if isinstance(module, nn.Softmax):
        return graph.node("Softmax", [x], axis=int(module.axis))
    raise ExportError(f"to_onnx: no ONNX form for the layer {type(module).__name__}")


def dtype_of(module: nn.Module, X: Any = None) -> np.dtype[Any]:
    """The float type of the graph: the parameters', else X's, else float32."""
    for parameter in module.parameters():
        return np.dtype(parameter.data.dtype)
    if X is not None and np.asarray(X).dtype in _FLOATS:
        return np.dtype(np.asarray(X).dtype)
    return np.dtype(np.float32)


def input_shape(module: nn.Module, X: Any) -> list[Any]:
    """The input's shape with a dynamic batch axis: from X, or from the first layer."""
    if X is not None:
        return ["N", *np.shape(X)[1:]]
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            return ["N", layer.in_features]
        if isinstance(layer, nn.Conv2d):
            raise ExportError(
                "to_onnx: a network of images cannot tell their height and width; "
                "pass X, a few images (N, C, H, W)"
            )
    raise ExportError("to_onnx: cannot tell the input's shape; pass X, a few samples")


def model(graph: _Graph, inputs: list[Any], outputs: list[Any], name: str) -> Any:
    """The ModelProto of the graph, at OPSET, checked by onnx.checker."""
    import onnx
    from onnx import helper

    body = helper.make_graph(graph.nodes, name, inputs, outputs, graph.initializers)
    proto = helper.make_model(
        body,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="rosenblatt",
    )
    known = all(o.type.tensor_type.HasField("shape") for o in proto.graph.output)
    onnx.checker.check_model(proto, full_check=known)  # with shape inference if known
    return proto


def value_info(name: str, elem_type: int, shape: list[Any] | None) -> Any:
    from onnx import helper

    return helper.make_tensor_value_info(name, elem_type, shape)
