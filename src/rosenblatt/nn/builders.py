"""Ready-made architectures built from the layers: ``build_mlp``."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from rosenblatt.backend import DTypeLike
from rosenblatt.nn.activation import Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh
from rosenblatt.nn.dropout import Dropout
from rosenblatt.nn.linear import Linear
from rosenblatt.nn.module import Module, Sequential
from rosenblatt.nn.rng import resolve_rng

__all__ = ["ACTIVATIONS", "build_mlp", "per_hidden_layer"]

ACTIVATIONS: dict[str, type[Module]] = {
    "identity": Identity,
    "step": Step,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,  # scikit-learn's name
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
}


def build_mlp(
    layer_sizes: Sequence[int],
    activation: str | Sequence[str] = "relu",
    *,
    dropout: float | Sequence[float] = 0.0,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike | None = None,
) -> Sequential:
    """A multilayer perceptron: Linear, activation (and Dropout) per hidden layer, Linear out.

    ``layer_sizes`` lists every layer's width from input to output, e.g. [64, 128, 10]
    for 64 inputs, one hidden layer of 128 and 10 outputs (logits: no final activation).
    ``activation`` and ``dropout`` (the drop probability) are one value for every
    hidden layer or one per hidden layer; a dropout of 0 adds no layer.

    Examples
    --------
    >>> from rosenblatt import nn
    >>> net = nn.build_mlp([2, 4, 1], activation="sigmoid", rng=0)
    >>> [type(m).__name__ for m in net]
    ['Linear', 'Sigmoid', 'Linear']
    >>> net = nn.build_mlp([2, 4, 3, 1], ["tanh", "relu"], dropout=[0.5, 0.0], rng=0)
    >>> [type(m).__name__ for m in net]
    ['Linear', 'Tanh', 'Dropout', 'Linear', 'ReLU', 'Linear']
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"build_mlp: expected at least input and output sizes, got {sizes}"
        )
    activations = per_hidden_layer("activation", activation, len(sizes) - 2)
    dropouts = per_hidden_layer("dropout", dropout, len(sizes) - 2)
    for name in [activation] if isinstance(activation, str) else activations:
        if name not in ACTIVATIONS:
            raise ValueError(
                f"build_mlp: unknown activation {name!r}; expected one of "
                f"{sorted(ACTIVATIONS)}"
            )
    generator = resolve_rng(rng)
    layers: list[Module] = []
    for i, (d_in, d_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(Linear(d_in, d_out, rng=generator, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activations[i]]())
            if dropouts[i]:
                layers.append(Dropout(dropouts[i], rng=generator))
    return Sequential(*layers)


def per_hidden_layer(
    name: str, value: Any, n_hidden: int, who: str = "build_mlp"
) -> list[Any]:
    """One value per hidden layer, from one value or a sequence of ``n_hidden``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value] * n_hidden
    if len(value) != n_hidden:
        raise ValueError(
            f"{who}: {name} lists {len(value)} values but there are {n_hidden} "
            "hidden layers; give one value, or one per hidden layer"
        )
    return list(value)
