"""Ready-made convolutional networks: LeNet-5, an AlexNet-style net, a small CNN."""

from __future__ import annotations

import numpy as np

from rosenblatt import nn
from rosenblatt.backend import DTypeLike
from rosenblatt.nn.rng import resolve_rng

__all__ = ["alexnet_small", "lenet5", "simple_cnn"]


def _check_size(who: str, height: int, width: int, smallest: int) -> None:
    if height < smallest or width < smallest:
        raise ValueError(
            f"{who}: needs images of at least {smallest}x{smallest} pixels, got "
            f"{height}x{width}; for smaller images use simple_cnn"
        )


def lenet5(
    n_classes: int = 10,
    *,
    in_channels: int = 1,
    height: int = 28,
    width: int = 28,
    dropout: float = 0.0,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike | None = None,
) -> nn.Sequential:
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, for (N, C, H, W) input.

    conv 5x5 (6, padding 2) -> pool -> conv 5x5 (16) -> pool -> 120 -> 84 -> n_classes,
    the dense layers sized for the image: 16 x ((H/2 - 4)/2) x ((W/2 - 4)/2) inputs.
    61,706 parameters for 28x28 grey images and 10 classes; images need at least 12
    pixels a side. ``dropout`` > 0 adds Dropout before each dense layer after the first.
    """
    _check_size("lenet5", height, width, 12)
    g = resolve_rng(rng)
    h, w = (height // 2 - 4) // 2, (width // 2 - 4) // 2
    drop: list[nn.Module] = [nn.Dropout(dropout, rng=g)] if dropout else []
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=2, rng=g, dtype=dtype), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, rng=g, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * h * w, 120, rng=g, dtype=dtype), nn.ReLU(), *drop,
        nn.Linear(120, 84, rng=g, dtype=dtype), nn.ReLU(), *drop,
        nn.Linear(84, n_classes, rng=g, dtype=dtype),
    )  # fmt: skip


def alexnet_small(
    n_classes: int = 10,
    *,
    in_channels: int = 1,
    height: int = 28,
    width: int = 28,
    dropout: float = 0.5,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike | None = None,
) -> nn.Sequential:
    """An AlexNet-style network (Krizhevsky et al., 2012), for (N, C, H, W) input.

    AlexNet's ingredients at a small scale: ReLU convolutions, local response
    normalisation after the first two, overlapping-free max pooling, and dropout
    before each dense layer. 3x3 convolutions 32 -> 64 -> 128 -> 128, three 2x2
    pools, then 128 (H/8) (W/8) -> 256 -> n_classes (1152 inputs for 28x28 images);
    images need at least 8 pixels a side.
    """
    _check_size("alexnet_small", height, width, 8)
    g = resolve_rng(rng)
    flat = 128 * (height // 8) * (width // 8)
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(),
        nn.Conv2d(128, 128, 3, padding=1, rng=g, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(dropout, rng=g), nn.Linear(flat, 256, rng=g, dtype=dtype), nn.ReLU(),
        nn.Dropout(dropout, rng=g), nn.Linear(256, n_classes, rng=g, dtype=dtype),
    )  # fmt: skip


def simple_cnn(
    in_channels: int,
    height: int,
    width: int,
    n_classes: int,
    rng: np.random.Generator | int | None = None,
    *,
    dropout: float = 0.0,
    dtype: DTypeLike | None = None,
) -> nn.Sequential:
    """A small CNN for images of any size: conv 3x3 (16) -> [pool] -> conv 3x3 (32) -> dense.

    The 2x2 pooling is used only when both sides are at least 2 pixels; ``dropout`` > 0
    adds Dropout before the dense layer.
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
        *([nn.Dropout(dropout, rng=g)] if dropout else []),
        nn.Linear(32 * h * w, n_classes, rng=g, dtype=dtype),
    ]  # fmt: skip
    return nn.Sequential(*layers)
