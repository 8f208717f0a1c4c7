"""Loss modules wrapping ``nn.functional``: MSE, cross-entropy, BCE, Poisson NLL."""

from __future__ import annotations

from rosenblatt.backend import ArrayLike
from rosenblatt.nn import functional as F
from rosenblatt.nn.module import Module
from rosenblatt.tensor import Tensor

__all__ = ["BCEWithLogitsLoss", "CrossEntropyLoss", "MSELoss", "PoissonNLLLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """mean((input - target)^2)."""

    def forward(self, input: Tensor, target: Tensor | ArrayLike) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (N, K) and class indices (N,) or probabilities (N, K)."""

    def forward(self, input: Tensor, target: Tensor | ArrayLike) -> Tensor:
        return F.cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits and 0/1 (or probability) targets, stable."""

    def forward(self, input: Tensor, target: Tensor | ArrayLike) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class PoissonNLLLoss(_Loss):
    """exp(input) - target * input: Poisson NLL of counts, the input a log-rate."""

    def forward(self, input: Tensor, target: Tensor | ArrayLike) -> Tensor:
        return F.poisson_nll_loss(input, target, self.reduction)
