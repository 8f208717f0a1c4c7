"""rosenblatt: neural networks from first principles, on NumPy.

From McCulloch and Pitts' threshold unit and Rosenblatt's perceptron through
backpropagation to convolutional networks -- a small PyTorch-style core you can read,
and scikit-learn-compatible estimators you can use.
"""

from rosenblatt import models, nn, optim, testing, train
from rosenblatt._version import __version__
from rosenblatt.backend import get_default_dtype, set_default_dtype
from rosenblatt.functions import (
    concatenate,
    maximum,
    minimum,
    stack,
    sum_of_squares,
    where,
)
from rosenblatt.tensor import Tensor, is_grad_enabled, no_grad

# The estimators need scikit-learn, whose import takes most of a second: they load on
# first use, so `import rosenblatt` stays light.
_LAZY = {
    "BernoulliRBM": "rosenblatt.rbm",
    "CNNClassifier": "rosenblatt.cnn",
    "MCPNeuron": "rosenblatt.neuron",
    "MLPClassifier": "rosenblatt.mlp",
    "MLPRegressor": "rosenblatt.mlp",
    "Perceptron": "rosenblatt.perceptron",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rosenblatt' has no attribute {name!r}")


__all__ = [
    "BernoulliRBM",
    "CNNClassifier",
    "MCPNeuron",
    "MLPClassifier",
    "MLPRegressor",
    "Perceptron",
    "Tensor",
    "__version__",
    "concatenate",
    "get_default_dtype",
    "is_grad_enabled",
    "maximum",
    "minimum",
    "models",
    "nn",
    "no_grad",
    "optim",
    "set_default_dtype",
    "stack",
    "sum_of_squares",
    "testing",
    "train",
    "where",
]
