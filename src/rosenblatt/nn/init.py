"""Weight initialisation, in place: Glorot/Xavier, He/Kaiming, zeros, constant.

Fan sizes follow this library's layouts: a Linear weight is (D_in, D_out), so
fan_in = shape[0] and fan_out = shape[1] (PyTorch's Linear is the transpose); a conv
weight (C_out, C_in, kH, kW) has fan_in = C_in*kH*kW and fan_out = C_out*kH*kW.
Every function draws from ``rng`` (a Generator, an int seed, None for fresh entropy, or
a legacy ``RandomState`` such as scikit-learn's estimators keep) and returns the tensor
it filled.
"""

from __future__ import annotations

import math

import numpy as np

from rosenblatt.nn.rng import resolve_rng
from rosenblatt.tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "glorot_uniform_sklearn_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

Rng = np.random.Generator | np.random.RandomState | int | None


def _generator(rng: Rng) -> np.random.Generator | np.random.RandomState:
    """A source of draws: a RandomState as it is (its draws continue), else a Generator."""
    return rng if isinstance(rng, np.random.RandomState) else resolve_rng(rng)


def _fans(tensor: Tensor) -> tuple[int, int]:
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"init: fan in/out need a weight with at least 2 dimensions, got shape {shape}"
        )
    if len(shape) == 2:
        return shape[0], shape[1]  # (D_in, D_out)
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive  # (C_out, C_in, kH, kW)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain PyTorch recommends for a nonlinearity: relu sqrt(2), tanh 5/3, ..."""
    gains = {
        "linear": 1.0,
        "identity": 1.0,
        "sigmoid": 1.0,
        "tanh": 5.0 / 3,
        "relu": math.sqrt(2.0),
    }
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in gains:
        raise ValueError(
            f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected one of "
            f"{sorted([*gains, 'leaky_relu'])}"
        )
    return gains[nonlinearity]


def _fill_uniform(tensor: Tensor, bound: float, rng: Rng) -> Tensor:
    values = _generator(rng).uniform(-bound, bound, size=tensor.shape)
    tensor.data[...] = values
    return tensor


def _fill_normal(tensor: Tensor, std: float, rng: Rng) -> Tensor:
    tensor.data[...] = _generator(rng).normal(0.0, std, size=tensor.shape)
    return tensor


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: Rng = None) -> Tensor:
    """W ~ U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _fans(tensor)
    return _fill_uniform(tensor, gain * math.sqrt(6.0 / (fan_in + fan_out)), rng)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: Rng = None) -> Tensor:
    """W ~ N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    return _fill_normal(tensor, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def glorot_uniform_sklearn_(
    weight: Tensor,
    bias: Tensor | None = None,
    activation: str = "relu",
    rng: Rng = None,
) -> Tensor:
    """scikit-learn's MLP initialisation: W and b ~ U(-a, a), a = sqrt(f / (fan_in + fan_out)).

    f is 6 (Glorot's factor), or 2 when ``activation == 'logistic'``, as in
    ``sklearn.neural_network``; the bias is drawn from the same interval, after the
    weight, from the same generator (so a seed reproduces scikit-learn's draw order).
    """
    fan_in, fan_out = _fans(weight)
    factor = 2.0 if activation == "logistic" else 6.0
    bound = math.sqrt(factor / (fan_in + fan_out))
    generator = _generator(rng)
    _fill_uniform(weight, bound, generator)
    if bias is not None:
        _fill_uniform(bias, bound, generator)
    return weight


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: Rng = None,
) -> Tensor:
    """W ~ U(-b, b) with b = gain * sqrt(3 / fan) (He et al., 2015); gain from ``nonlinearity``."""
    fan = _pick_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return _fill_uniform(tensor, gain * math.sqrt(3.0 / fan), rng)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: Rng = None,
) -> Tensor:
    """W ~ N(0, std^2) with std = gain / sqrt(fan) (He et al., 2015)."""
    fan = _pick_fan(tensor, mode)
    return _fill_normal(tensor, calculate_gain(nonlinearity, a) / math.sqrt(fan), rng)


def _pick_fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: expected mode 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor)
    return fan_in if mode == "fan_in" else fan_out


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    tensor.data[...] = 0
    return tensor


def constant_(tensor: Tensor, value: float) -> Tensor:
    """Fill with ``value``."""
    tensor.data[...] = value
    return tensor
