"""Normalisation layers: AlexNet's local response normalisation, batch norm, Dropout2d."""

from __future__ import annotations

import numpy as np

from rosenblatt.backend import Array, DTypeLike, get_default_dtype, xp
from rosenblatt.nn import functional as F
from rosenblatt.nn.module import Module, Parameter
from rosenblatt.nn.rng import resolve_rng
from rosenblatt.tensor import Tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "Dropout2d", "LocalResponseNorm"]


class LocalResponseNorm(Module):
    """AlexNet's LRN across channels (Krizhevsky et al., 2012), as PyTorch defines it.

    b_c = a_c / (k + alpha / n * sum_{c' in window(c)} a_{c'}^2) ** beta, where the
    window holds ``size`` channels centred on c (n = size; zero beyond the edges).
    One fused op (``ops.LocalResponseNorm``) computes it and its gradient.
    """

    def __init__(
        self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
    ) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(f"LocalResponseNorm: expected size >= 1, got {size}")
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x: Tensor) -> Tensor:
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"size={self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class _BatchNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * gamma + beta over the batch (and positions).

    In training mode mean and var are the batch's (var biased) and running estimates
    are updated: running = (1 - momentum) running + momentum batch (var unbiased), as
    PyTorch does; in eval mode the running estimates are used.
    """

    running_mean: Array
    running_var: Array

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        *,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        dtype = get_default_dtype() if dtype is None else dtype
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(xp.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(xp.zeros(num_features, dtype=dtype)) if affine else None
        self.register_buffer("running_mean", xp.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", xp.ones(num_features, dtype=dtype))

    def _shape(self, x: Tensor) -> tuple[int, ...]:
        return (1, self.num_features) + (1,) * (x.ndim - 2)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}: expected input with {self.num_features} channels "
                f"on axis 1, got {x.shape}"
            )
        axes = (0, *range(2, x.ndim))
        shape = self._shape(x)
        if self.training:
            mean = x.mean(axis=axes, keepdims=True)
            centred = x - mean
            var = (centred * centred).mean(axis=axes, keepdims=True)
            count = x.size // self.num_features
            with np.errstate(divide="ignore", invalid="ignore"):
                unbiased = var.data.reshape(-1) * count / max(count - 1, 1)
            self.running_mean[...] = (
                1 - self.momentum
            ) * self.running_mean + self.momentum * mean.data.reshape(-1)
            self.running_var[...] = (
                1 - self.momentum
            ) * self.running_var + self.momentum * unbiased
        else:
            centred = x - Tensor(self.running_mean.reshape(shape))
            var = Tensor(self.running_var.reshape(shape))
        y = centred / (var + self.eps).sqrt()
        if self.weight is not None and self.bias is not None:
            y = y * self.weight.reshape(*shape) + self.bias.reshape(*shape)
        return y

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs (Ioffe & Szegedy, 2015)."""


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel (Ioffe & Szegedy, 2015)."""


class Dropout2d(Module):
    """Zero whole channels with probability ``p`` in training (scaling the rest by 1/(1-p))."""

    def __init__(
        self, p: float = 0.5, *, rng: np.random.Generator | int | None = None
    ) -> None:
        super().__init__()
        F.check_drop_probability(p, "Dropout2d")
        self.p, self.rng = p, resolve_rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
