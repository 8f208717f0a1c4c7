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
from rosenblatt.nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from rosenblatt.nn.module import Module, Parameter, Sequential

__all__ = [
    "ACTIVATIONS",
    "AvgPool2d",
    "BCEWithLogitsLoss",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "Parameter",
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
