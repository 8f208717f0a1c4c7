"""Ready-made convolutional networks for 28x28 grey images (Fashion-MNIST, MNIST)."""

from __future__ import annotations

import numpy as np

from rosenblatt import nn
from rosenblatt.backend import DTypeLike, resolve_rng

__all__ = ["alexnet_small", "lenet5", "simple_cnn"]


def lenet5(
    n_classes: int = 10,
    *,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike | None = None,
) -> nn.Sequential:
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, for (N, 1, 28, 28) input.

    conv 5x5 (6, padding 2) -> pool -> conv 5x5 (16) -> pool -> 120 -> 84 -> n_classes;
    61,706 parameters for 10 classes.
    """
    g = resolve_rng(rng)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, rng=g, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, rng=g, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120, rng=g, dtype=dtype), nn.ReLU(),
        nn.Linear(120, 84, rng=g, dtype=dtype), nn.ReLU(),
        nn.Linear(84, n_classes, rng=g, dtype=dtype),
    )  # fmt: skip


def alexnet_small(
    n_classes: int = 10,
    *,
    dropout: float = 0.5,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike | None = None,
) -> nn.Sequential:
    """An AlexNet-style network (Krizhevsky et al., 2012) sized for (N, 1, 28, 28) input.

    AlexNet's ingredients at a small scale: ReLU convolutions, local response
    normalisation after the first two, overlapping-free max pooling, and dropout
    before each dense layer. 3x3 convolutions 32 -> 64 -> 128 -> 128, then
    1152 -> 256 -> n_classes.
    """
    g = resolve_rng(rng)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
        nn.Conv2d(128, 128, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(dropout, rng=g), nn.Linear(128 * 3 * 3, 256, rng=g, dtype=dtype), nn.ReLU(),
        nn.Dropout(dropout, rng=g), nn.Linear(256, n_classes, rng=g, dtype=dtype),
    )  # fmt: skip


def simple_cnn(
    in_channels: int,
    height: int,
    width: int,
    n_classes: int,
    rng: np.random.Generator | int | None = None,
    *,
    dtype: DTypeLike | None = None,
) -> nn.Sequential:
    """A small CNN for images of any size: conv 3x3 (16) -> [pool] -> conv 3x3 (32) -> dense.

    The 2x2 pooling is used only when both sides are at least 2 pixels.
    """
    g = resolve_rng(rng)
    pool = height >= 2 and width >= 2
    h, w = (height // 2, width // 2) if pool else (height, width)
    layers: list[nn.Module] = [
        nn.Conv2d(in_channels, 16, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
    ]  # fmt: skip
    if pool:
        layers.append(nn.MaxPool2d(2))
    layers += [
        nn.Conv2d(16, 32, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(), nn.Flatten(),
        nn.Linear(32 * h * w, n_classes, rng=g, dtype=dtype),
    ]  # fmt: skip
    return nn.Sequential(*layers)
