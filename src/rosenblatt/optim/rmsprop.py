"""RMSprop (Hinton's lecture notes, 2012)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rosenblatt.backend import Array, xp
from rosenblatt.optim.optimizer import Optimizer
from rosenblatt.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """w <- w - lr * g / (sqrt(v) + eps), v = alpha v + (1 - alpha) g^2; as ``torch.optim.RMSprop``.

    With ``centered``, v is replaced by v - mean(g)^2 (a running variance); with
    ``momentum``, the scaled step is averaged: buf = momentum buf + g / (sqrt(v) + eps).
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self._check_unit("alpha", alpha)
        self._check_unit("momentum", momentum)
        self._check_positive("eps", eps, allow_zero=True)
        self._check_positive("weight_decay", weight_decay, allow_zero=True)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def _update(self, param: Tensor, grad: Array, state: dict[str, Any]) -> None:
        flat = self._flat_for_kernel(param, grad)
        if flat is not None:
            from rosenblatt.kernels.optim import rmsprop_step

            kind, data = param.data.dtype.type, param.data
            v = self._buffer(state, "square_avg", data).reshape(-1)
            mean = self._buffer(state, "grad_avg", data) if self.centered else data
            buf = (
                self._buffer(state, "momentum_buffer", data) if self.momentum else data
            )
            rmsprop_step(
                *flat, v, mean.reshape(-1), buf.reshape(-1), kind(self.alpha),
                kind(1 - self.alpha), kind(self.eps), kind(self.lr), kind(self.momentum),
                kind(self.weight_decay), self.centered, bool(self.momentum),
            )  # fmt: skip
            return
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        v = self._buffer(state, "square_avg", param.data)
        v *= self.alpha
        v += (1 - self.alpha) * (grad * grad)
        if self.centered:
            mean = self._buffer(state, "grad_avg", param.data)
            mean *= self.alpha
            mean += (1 - self.alpha) * grad
            denom = xp.sqrt(v - mean * mean)
        else:
            denom = xp.sqrt(v)
        denom += self.eps
        if self.momentum:
            buf = self._buffer(state, "momentum_buffer", param.data)
            buf *= self.momentum
            buf += grad / denom
            param.data -= self.lr * buf
        else:
            param.data -= self.lr * (grad / denom)
