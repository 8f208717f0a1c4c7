"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rosenblatt.backend import Array, xp
from rosenblatt.optim.optimizer import Optimizer
from rosenblatt.tensor import Tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    """w <- w - lr * v, with v the (momentum-averaged) gradient; as ``torch.optim.SGD``.

    g = grad + weight_decay * w;  buf = momentum * buf + g (buf = g at the first step);
    v = g + momentum * buf with ``nesterov``, else buf (plain g when momentum is 0).

    With a constant lr this is the same update as scikit-learn's
    velocity = momentum * velocity - lr * g; w += velocity.

    Examples
    --------
    >>> from rosenblatt import Tensor, optim
    >>> w = Tensor([1.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()   # grad 2w = 2
    >>> opt.step()                 # w = 1 - 0.1 * 2
    >>> w.data
    array([0.8], dtype=float32)
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self._check_unit("momentum", momentum)
        self._check_positive("weight_decay", weight_decay, allow_zero=True)
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov momentum needs momentum > 0, got 0")
        self.momentum, self.weight_decay, self.nesterov = (
            momentum,
            weight_decay,
            nesterov,
        )

    def _update(self, param: Tensor, grad: Array, state: dict[str, Any]) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        if self.momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = xp.array(grad, copy=True)
            else:
                buf = state["momentum_buffer"]
                buf *= self.momentum
                buf += grad
            buf = state["momentum_buffer"]
            grad = grad + self.momentum * buf if self.nesterov else buf
        param.data -= self.lr * grad
