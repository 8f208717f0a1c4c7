"""Differentiable primitives on arrays: each op's forward and backward side by side.

Read ``op.py`` first (the contract), then ``elementwise.py``. Nothing here knows about
tensors or graphs; ``tensor.py`` builds the graph and calls these.
"""

from rosenblatt.ops.conv import AvgPool2d, Conv2d, MaxPool2d, conv_output_size
from rosenblatt.ops.elementwise import (
    Abs,
    Add,
    Clip,
    Div,
    Exp,
    LeakyReLU,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Sqrt,
    Step,
    Sub,
    Tanh,
    Where,
)
from rosenblatt.ops.linalg import Linear, MatMul
from rosenblatt.ops.loss import (
    BinaryCrossEntropyWithLogits,
    PoissonNLLWithLogRate,
    SoftmaxCrossEntropy,
    SquaredError,
)
from rosenblatt.ops.normalization import LocalResponseNorm
from rosenblatt.ops.op import Op
from rosenblatt.ops.reduce import Axis, LogSumExp, Max, Mean, Min, Sum, SumOfSquares
from rosenblatt.ops.shape import Concatenate, GetItem, Reshape, Stack, Transpose

__all__ = [
    "Abs",
    "Add",
    "AvgPool2d",
    "Axis",
    "BinaryCrossEntropyWithLogits",
    "PoissonNLLWithLogRate",
    "Clip",
    "Concatenate",
    "Conv2d",
    "Div",
    "Exp",
    "GetItem",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "Log",
    "LogSumExp",
    "MatMul",
    "Max",
    "MaxPool2d",
    "Maximum",
    "Mean",
    "Min",
    "Minimum",
    "Mul",
    "Neg",
    "Op",
    "Pow",
    "ReLU",
    "Reshape",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Sqrt",
    "SquaredError",
    "Stack",
    "Step",
    "Sub",
    "Sum",
    "SumOfSquares",
    "Tanh",
    "Transpose",
    "Where",
    "conv_output_size",
]
