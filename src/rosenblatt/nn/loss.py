"""Loss modules wrapping ``nn.functional``: MSE, cross-entropy, BCE, Poisson NLL, MLP."""

from __future__ import annotations

from collections.abc import Sequence

from rosenblatt.backend import Array, ArrayLike, xp
from rosenblatt.functions import sum_of_squares
from rosenblatt.nn import functional as F
from rosenblatt.nn.module import Module
from rosenblatt.tensor import Tensor

__all__ = [
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "MLPLoss",
    "MSELoss",
    "PoissonNLLLoss",
]


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


class MLPLoss(Module):
    """scikit-learn's MLP loss: the output layer's loss per sample, averaged, + L2.

    L = sum_n s_n l(z_n, y_n) / sum_n s_n  +  alpha / 2 * sum_W ||W||^2 / sum_n s_n,

    with s_n the sample weights (1 without them), z_n the output layer's values before
    its activation (N, K), and l the loss that goes with the output activation:

    - 'softmax': cross-entropy, -sum_k y_k log softmax(z)_k;
    - 'logistic': binary cross-entropy, summed over the K outputs;
    - 'identity': half the squared error, summed over the K outputs (scikit-learn
      reports it averaged over the outputs but follows the gradient of the sum, and
      so does this loss: its value is the average, its gradient the sum's);
    - 'exp': half the Poisson deviance, exp(z) - y z + y log y - y, summed over the
      K outputs (the last two terms take no gradient).

    Parameters
    ----------
    out_activation : {'softmax', 'logistic', 'identity', 'exp'}
    weights : sequence of Tensor
        The penalised weights (biases are not penalised).
    alpha : float, default=0.0
        The strength of the L2 penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import Tensor, nn
    >>> loss = nn.MLPLoss("identity", weights=[])
    >>> loss(Tensor([[1.0], [3.0]]), np.array([[0.0], [0.0]])).item()  # (1 + 9) / 2 / 2
    2.5
    """

    ACTIVATIONS = ("softmax", "logistic", "identity", "exp")

    def __init__(
        self, out_activation: str, weights: Sequence[Tensor], alpha: float = 0.0
    ) -> None:
        super().__init__()
        if out_activation not in self.ACTIVATIONS:
            raise ValueError(
                f"MLPLoss: expected out_activation in {list(self.ACTIVATIONS)}, got "
                f"{out_activation!r}"
            )
        self.out_activation, self.alpha = out_activation, alpha
        self.penalised = list(weights)

    def prediction(self, raw: Tensor) -> Tensor:
        """What the outputs predict: the output activation of z, shape (N, K).

        softmax(z), sigmoid(z), z or exp(z): the mean the loss's distribution has.
        """
        act = self.out_activation
        if act == "softmax":
            return raw.softmax(axis=1)
        if act == "logistic":
            return raw.sigmoid()
        return raw.exp() if act == "exp" else raw

    def per_sample(self, raw: Tensor, target: Array) -> Tensor:
        """Each sample's loss l(z_n, y_n), shape (N,) (averaged over outputs for 'identity')."""
        act, k = self.out_activation, raw.shape[1]
        if act == "softmax":
            return F.cross_entropy(raw, target, reduction="none")
        if act == "logistic":
            loss = F.binary_cross_entropy_with_logits(raw, target, reduction="none")
            return loss.sum(axis=1)
        if act == "exp":
            nll = F.poisson_nll_loss(raw, target, reduction="none").sum(axis=1)
            return nll + _poisson_constant(target).sum(axis=1).astype(raw.dtype)
        diff = raw - target
        return (diff * diff).sum(axis=1) * (0.5 / k)

    def forward(
        self, raw: Tensor, target: Array, sample_weight: Array | None = None
    ) -> Tensor:
        k = raw.shape[1]
        if sample_weight is None:
            total, data = float(len(target)), self._mean(raw, target)
        else:
            total = float(sample_weight.sum())
            weights = Tensor(xp.asarray(sample_weight, dtype=raw.dtype))
            data = (self.per_sample(raw, target) * weights).sum() / total
            if self.out_activation == "identity":
                data = data * float(k)  # the sum over outputs, reported below
        if self.out_activation == "identity" and k > 1:
            # report the average over outputs, step along the sum's gradient
            data = data + (data * (1.0 / k - 1.0)).detach()
        if self.alpha == 0 or not self.penalised:
            return data
        return data + sum_of_squares(self.penalised, scale=0.5 * self.alpha / total)

    def _mean(self, raw: Tensor, target: Array) -> Tensor:
        """The mean over samples, inside the fused loss node where there is one.

        The mean over samples of a sum over K outputs is K times the mean over all
        entries.
        """
        act, k = self.out_activation, float(raw.shape[1])
        if act == "softmax":
            return F.cross_entropy(raw, target)
        if act == "logistic":
            loss = F.binary_cross_entropy_with_logits(raw, target)
            return loss if k == 1 else loss * k
        if act == "exp":
            constant = float(_poisson_constant(target).sum()) / len(target)
            return F.poisson_nll_loss(raw, target) * k + constant
        return F.mse_loss(raw, target) * (0.5 * k)

    def extra_repr(self) -> str:
        return f"{self.out_activation!r}, alpha={self.alpha}"


def _poisson_constant(y: Array) -> Array:
    """The half Poisson deviance's term without z: y log y - y (0 log 0 = 0)."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.where(y > 0, y * xp.log(xp.where(y > 0, y, 1)), 0.0) - y
