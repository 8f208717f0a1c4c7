"""Neural-network building blocks: Module, layers, activations, init, losses, F."""

from rosenblatt.nn import functional, init
from rosenblatt.nn.activation import (
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
)
from rosenblatt.nn.builders import ACTIVATIONS, build_mlp
from rosenblatt.nn.conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from rosenblatt.nn.dropout import Dropout
from rosenblatt.nn.linear import Linear
from rosenblatt.nn.loss import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MLPLoss,
    MSELoss,
    PoissonNLLLoss,
)
from rosenblatt.nn.module import Module, Parameter, Sequential
from rosenblatt.nn.normalization import (
    BatchNorm1d,
    BatchNorm2d,
    Dropout2d,
    LocalResponseNorm,
)

__all__ = [
    "ACTIVATIONS",
    "AvgPool2d",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "MLPLoss",
    "Dropout",
    "Dropout2d",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "Parameter",
    "PoissonNLLLoss",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Step",
    "Tanh",
    "build_mlp",
    "functional",
    "init",
]
