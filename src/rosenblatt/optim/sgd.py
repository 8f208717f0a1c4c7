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

    With ``lr_in_momentum=True`` the velocity is a step, with the rate inside it, as
    in Sutskever et al. (2013), Keras and scikit-learn's MLP:
    v = momentum * v - lr * g (v = 0 before the first step); w += v, or with
    ``nesterov`` w += momentum * v - lr * g. While lr is constant the two forms make
    the same steps; once a schedule changes lr they differ, because the default form
    applies the new rate to the whole history of gradients and this one only to the
    new gradient.

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
        lr_in_momentum: bool = False,
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
        self.lr_in_momentum = lr_in_momentum

    def _update(self, param: Tensor, grad: Array, state: dict[str, Any]) -> None:
        flat = self._flat_for_kernel(param, grad) if self.momentum else None
        if flat is not None:
            from rosenblatt.kernels.optim import sgd_step

            first = "momentum_buffer" not in state
            buf = self._buffer(state, "momentum_buffer", param.data).reshape(-1)
            kind = param.data.dtype.type
            sgd_step(
                *flat, buf, kind(self.lr), kind(self.momentum), kind(self.weight_decay),
                self.nesterov, self.lr_in_momentum, first,
            )  # fmt: skip
            return
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        if not self.momentum:
            param.data -= self.lr * grad
        elif self.lr_in_momentum:
            velocity = self._buffer(state, "momentum_buffer", param.data)
            velocity *= self.momentum
            velocity -= self.lr * grad
            if self.nesterov:
                param.data += self.momentum * velocity - self.lr * grad
            else:
                param.data += velocity
        else:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = xp.array(grad, copy=True)
            else:
                buf = state["momentum_buffer"]
                buf *= self.momentum
                buf += grad
            buf = state["momentum_buffer"]
            param.data -= self.lr * (
                grad + self.momentum * buf if self.nesterov else buf
            )
