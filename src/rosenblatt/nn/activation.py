"""Activation layers: the text's five (identity, step, sigmoid, tanh, ReLU) and more."""

from __future__ import annotations

from rosenblatt.nn.module import Module
from rosenblatt.tensor import Tensor

__all__ = ["Identity", "LeakyReLU", "ReLU", "Sigmoid", "Softmax", "Step", "Tanh"]


class Identity(Module):
    """y = x (the text's "date" activation is this one, misspelt)."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Step(Module):
    """y = 1 if x >= 0 else 0: McCulloch and Pitts' threshold. Gradient 0."""

    def forward(self, x: Tensor) -> Tensor:
        return x.step()


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x)), the 1986 backpropagation activation."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    """y = tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class ReLU(Module):
    """y = max(x, 0) (2011); relu'(0) = 0."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """y = exp(x) / sum(exp(x)) along ``axis``: a probability vector per sample.

    For training, feed logits to ``cross_entropy`` instead: it applies the softmax
    itself, more accurately and faster.
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
