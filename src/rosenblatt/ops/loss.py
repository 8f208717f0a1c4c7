"""Fused losses: softmax cross-entropy and binary cross-entropy on logits.

Both return one loss per sample (shape (N,) or the input's shape); ``nn.functional``
applies the reduction. The targets are constants of the op (no gradient flows to them).
"""

from __future__ import annotations

from rosenblatt.backend import Array, xp
from rosenblatt.ops.elementwise import logistic
from rosenblatt.ops.op import Op

__all__ = ["BinaryCrossEntropyWithLogits", "SoftmaxCrossEntropy"]


class SoftmaxCrossEntropy(Op):
    """loss_n = -sum_k t_nk log softmax(z_n)_k for logits z of shape (N, K).

    The target is either class indices of shape (N,) (then t is one-hot) or a
    probability (or one-hot) matrix of shape (N, K).

    Backward: grad_z = grad_output[:, None] * (softmax(z) * sum_k t_nk - t).

    Fused for stability and speed: log softmax(z) = z - logsumexp(z) never takes the
    log of an underflowed probability, so logits of +-1e4 give a finite loss and
    gradient; and the gradient p - t costs one subtraction instead of a chain of ops.
    """

    def __init__(self, target: Array) -> None:
        self.target = target

    def forward(self, logits: Array) -> Array:
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        log_probs = shifted - xp.log(sum_exp)
        self.probs = exp / sum_exp
        if self.target.ndim == 1:
            rows = xp.arange(logits.shape[0])
            return -log_probs[rows, self.target]
        return -(self.target * log_probs).sum(axis=1)

    def backward(self, grad_output: Array) -> tuple[Array]:
        if self.target.ndim == 1:
            grad = self.probs.copy()
            grad[xp.arange(grad.shape[0]), self.target] -= 1
        else:
            mass = self.target.sum(axis=1, keepdims=True)
            grad = self.probs * mass - self.target
        grad *= grad_output[:, None]
        return (grad,)


class BinaryCrossEntropyWithLogits(Op):
    """loss = -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))], elementwise.

    Computed as max(z, 0) - z t + log(1 + exp(-|z|)), which is finite for any z.
    Backward: grad_z = grad_output * (sigmoid(z) - t).

    Fused for stability, and for a correct gradient at z = 0: composing relu and abs
    from their own ops would use relu'(0) = abs'(0) = 0 and get -t there, not 1/2 - t.
    """

    def __init__(self, target: Array) -> None:
        self.target = target

    def forward(self, logits: Array) -> Array:
        self.logits = logits
        return (
            xp.maximum(logits, 0)
            - logits * self.target
            + xp.log1p(xp.exp(-xp.abs(logits)))
        )

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output * (logistic(self.logits) - self.target),)
