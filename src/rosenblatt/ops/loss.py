"""Fused losses: softmax and binary cross-entropy, squared error, Poisson NLL.

Each op computes the per-sample (or per-element) losses and applies the reduction
('none', 'sum' or 'mean') itself, so a loss is one graph node: a separate Mean node
cost a fifth of a small network's training step (measured on XOR) for a division.
The targets are constants of the op (no gradient flows to them).
"""

from __future__ import annotations

from rosenblatt.backend import Array, xp
from rosenblatt.kernels.fast import logistic, row_sums
from rosenblatt.ops.op import Op
from rosenblatt.ops.reduce import softmax

__all__ = [
    "BinaryCrossEntropyWithLogits",
    "PoissonNLLWithLogRate",
    "SoftmaxCrossEntropy",
    "SquaredError",
]

REDUCTIONS = ("none", "sum", "mean")


class _ReducedLoss(Op):
    """The reduction shared by the losses: forward reduces, backward scales.

    With losses l of shape S: 'none' returns l and each element's gradient is scaled
    by its own grad_output; 'sum' returns sum(l) and every element gets grad_output;
    'mean' returns sum(l) / |S| and every element gets grad_output / |S|.
    """

    def __init__(self, target: Array, reduction: str = "none") -> None:
        self.target, self.reduction = target, reduction  # one of REDUCTIONS

    def _reduce(self, losses: Array) -> Array:
        self.count = losses.size
        if self.reduction == "none":
            return losses
        total = losses.sum()
        if self.reduction == "mean":
            total = total / self.count
        return xp.asarray(total, dtype=losses.dtype)

    def _scale(self, grad_output: Array) -> Array:
        """The factor each loss's gradient is multiplied by (shape S, or a scalar)."""
        if self.reduction == "mean":
            return grad_output / self.count
        return grad_output


class SoftmaxCrossEntropy(_ReducedLoss):
    """loss_n = -sum_k t_nk log softmax(z_n)_k for logits z of shape (N, K).

    The target is either class indices of shape (N,) (then t is one-hot) or a
    probability (or one-hot) matrix of shape (N, K).

    Backward: grad_z = scale_n * (softmax(z) * sum_k t_nk - t), with scale_n the
    reduction's factor (see ``_ReducedLoss``).

    Fused for stability and speed: log softmax(z) = z - logsumexp(z) never takes the
    log of an underflowed probability, so logits of +-1e4 give a finite loss and
    gradient; and the gradient p - t costs one subtraction instead of a chain of ops.
    """

    def forward(self, logits: Array) -> Array:
        self.probs, lse = softmax(logits, (1,))
        if self.target.ndim == 1:  # -log softmax(z)_t = logsumexp(z) - z_t
            losses = lse[:, 0] - logits[xp.arange(logits.shape[0]), self.target]
        else:  # -sum_k t_k (z_k - logsumexp(z)) = mass logsumexp(z) - t . z
            self.mass = row_sums(self.target)  # sum_k t_nk (1 for probabilities)
            losses = self.mass * lse[:, 0] - row_sums(self.target * logits)
        return self._reduce(losses)

    def backward(self, grad_output: Array) -> tuple[Array]:
        if self.target.ndim == 1:
            grad = self.probs.copy()
            grad[xp.arange(grad.shape[0]), self.target] -= 1
        else:
            grad = self.probs * self.mass[:, None]
            grad -= self.target
        scale = self._scale(grad_output)
        grad *= scale[:, None] if scale.ndim else scale
        return (grad,)


class BinaryCrossEntropyWithLogits(_ReducedLoss):
    """loss = -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))], elementwise.

    Computed as log(1 + exp(z)) - z t, the first term by NumPy's ``logaddexp(0, z)``
    = max(z, 0) + log(1 + exp(-|z|)), which is finite for any z (and one pass
    instead of five). Backward: grad_z = scale * (sigmoid(z) - t).

    Fused for stability, and for a correct gradient at z = 0: composing relu and abs
    from their own ops would use relu'(0) = abs'(0) = 0 and get -t there, not 1/2 - t.
    """

    def forward(self, logits: Array) -> Array:
        self.logits = logits
        losses = xp.logaddexp(0, logits)
        losses -= logits * self.target
        return self._reduce(losses)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = logistic(self.logits) - self.target
        grad *= self._scale(grad_output)
        return (grad,)


class SquaredError(_ReducedLoss):
    """loss = (x - t)^2, elementwise.  Backward: grad_x = scale * 2 (x - t).

    Fused so that a regression loss is one node, not a subtraction, a product and a
    reduction.
    """

    def forward(self, x: Array) -> Array:
        self.diff = x - self.target
        return self._reduce(self.diff * self.diff)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = self.diff * 2
        grad *= self._scale(grad_output)
        return (grad,)


class PoissonNLLWithLogRate(_ReducedLoss):
    """loss = exp(z) - t z, elementwise, for z the log of a Poisson rate and counts t.

    The negative log-likelihood of t under Poisson(exp(z)), without the log(t!) that
    does not depend on z (PyTorch's ``poisson_nll_loss`` with ``log_input=True``,
    ``full=False``). Backward: grad_z = scale * (exp(z) - t).

    Fused so that a Poisson regression's loss is one node, not an exp, a product, a
    difference and a reduction.
    """

    def forward(self, z: Array) -> Array:
        self.rate = xp.exp(z)
        return self._reduce(self.rate - self.target * z)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = self.rate - self.target
        grad *= self._scale(grad_output)
        return (grad,)
