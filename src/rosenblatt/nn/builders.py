"""Ready-made architectures built from the layers: ``build_mlp``."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from rosenblatt.backend import DTypeLike, resolve_rng
from rosenblatt.nn.activation import Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh
from rosenblatt.nn.dropout import Dropout
from rosenblatt.nn.linear import Linear
from rosenblatt.nn.module import Module, Sequential

__all__ = ["ACTIVATIONS", "build_mlp"]

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
    activation: str = "relu",
    *,
    dropout: float = 0.0,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike | None = None,
) -> Sequential:
    """A multilayer perceptron: Linear, activation (and Dropout) per hidden layer, Linear out.

    ``layer_sizes`` lists every layer's width from input to output, e.g. [64, 128, 10]
    for 64 inputs, one hidden layer of 128 and 10 outputs (logits: no final activation).

    Examples
    --------
    >>> from rosenblatt import nn
    >>> net = nn.build_mlp([2, 4, 1], activation="sigmoid", rng=0)
    >>> [type(m).__name__ for m in net]
    ['Linear', 'Sigmoid', 'Linear']
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"build_mlp: expected at least input and output sizes, got {sizes}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"build_mlp: unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    generator = resolve_rng(rng)
    layers: list[Module] = []
    for i, (d_in, d_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(Linear(d_in, d_out, rng=generator, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(Dropout(dropout, rng=generator))
    return Sequential(*layers)
