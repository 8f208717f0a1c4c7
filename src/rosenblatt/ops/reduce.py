"""Reductions over axes: sum, mean, max, min and the fused, stable logsumexp.

``axis`` and ``keepdims`` mean what they mean in NumPy. Each backward first restores
the reduced axes (as size 1), then broadcasts the gradient over them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rosenblatt.backend import Array, xp
from rosenblatt.kernels.fast import row_max, row_sums
from rosenblatt.ops.op import Op

__all__ = [
    "Axis",
    "LogSumExp",
    "Max",
    "Mean",
    "Min",
    "Sum",
    "SumOfSquares",
    "softmax",
]

Axis = int | tuple[int, ...] | None


def _normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """Return the reduced axes as non-negative ints (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"reduce: axis {a} is out of range for {ndim} dimensions")
    return tuple(sorted(a % ndim for a in axes))


def _with_kept_dims(grad: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """Reinsert the reduced axes of ``grad`` as size-1 axes (a view).

    ``axes`` are sorted and non-negative, so inserting in order lands each one at
    its place (a reshape: several times cheaper than ``expand_dims`` on small arrays).
    """
    if keepdims:
        return grad
    shape = list(grad.shape)
    for a in axes:
        shape.insert(a, 1)
    return grad.reshape(shape)


class Sum(Op):
    """y = sum of x over ``axis``.  Backward: grad_output broadcast back over the axes."""

    def __init__(self, axis: Axis = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: Array) -> Array:
        self.shape = x.shape
        self.axes = _normalize_axes(self.axis, x.ndim)
        return xp.sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = _with_kept_dims(grad_output, self.axes, self.keepdims)
        return (xp.broadcast_to(grad, self.shape),)


class Mean(Op):
    """y = mean of x over ``axis``.  Backward: grad_output / count, broadcast back."""

    def __init__(self, axis: Axis = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: Array) -> Array:
        self.shape = x.shape
        self.axes = _normalize_axes(self.axis, x.ndim)
        self.count = 1
        for a in self.axes:
            self.count *= x.shape[a] if x.ndim else 1
        return xp.mean(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = _with_kept_dims(grad_output, self.axes, self.keepdims) / self.count
        return (xp.broadcast_to(grad, self.shape),)


class Max(Op):
    """y = max of x over ``axis``.  Backward: to the maximal entries; ties share equally.

    With k entries tied for the maximum, each receives grad_output / k (as
    ``torch.amax``), so the gradient is the same whichever tie NumPy would pick.
    """

    _reduce: Callable[..., Any] = staticmethod(xp.max)

    def __init__(self, axis: Axis = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: Array) -> Array:
        self.axes = _normalize_axes(self.axis, x.ndim)
        kept = self._reduce(x, axis=self.axes, keepdims=True)
        winners = x == kept
        self.share = winners / xp.sum(winners, axis=self.axes, keepdims=True)
        self.share = self.share.astype(x.dtype, copy=False)
        return kept if self.keepdims else xp.squeeze(kept, axis=self.axes)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = _with_kept_dims(grad_output, self.axes, self.keepdims)
        return (grad * self.share,)


class Min(Max):
    """y = min of x over ``axis``.  Backward: to the minimal entries; ties share equally."""

    _reduce: Callable[..., Any] = staticmethod(xp.min)


_LOWEST = {xp.dtype(t): xp.finfo(t).min for t in (xp.float32, xp.float64)}


def softmax(x: Array, axes: tuple[int, ...]) -> tuple[Array, Array]:
    """softmax(x) over the axes, and logsumexp(x) with the axes kept (size 1).

    With m the maximum over the axes and e = exp(x - m): softmax = e / sum(e), and
    logsumexp = m + log(sum(e)). exp(x) overflows float32 for x > 88; x - m <= 0
    never does. m is at least the lowest finite number, so that an all -inf slice
    gives -inf rather than NaN from -inf - (-inf). The one softmax of the library:
    ``LogSumExp`` (so ``Tensor.softmax``) and the fused cross-entropy use it.
    """
    rows = x.ndim == 2 and axes == (1,)  # the classes of a batch (fast reductions)
    m = row_max(x)[:, None] if rows else xp.max(x, axis=axes, keepdims=True)
    xp.maximum(m, _LOWEST[x.dtype], out=m)
    e = xp.exp(x - m)
    total = row_sums(e)[:, None] if rows else xp.sum(e, axis=axes, keepdims=True)
    with xp.errstate(divide="ignore", invalid="ignore"):  # an all -inf slice:
        e /= total  # its softmax is undefined (NaN, as PyTorch's),
        m += xp.log(total)  # its logsumexp is log(0) = -inf
    return e, m


class LogSumExp(Op):
    """y = log(sum(exp(x), axis)), computed without overflow (see ``softmax``).

    Backward: grad_x = grad_output * exp(x - y), i.e. grad_output times the softmax.
    """

    def __init__(self, axis: Axis = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: Array) -> Array:
        self.axes = _normalize_axes(self.axis, x.ndim)
        self.probs, y = softmax(x, self.axes)
        return y if self.keepdims else xp.squeeze(y, axis=self.axes)

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = _with_kept_dims(grad_output, self.axes, self.keepdims)
        return (grad * self.probs,)


class SumOfSquares(Op):
    """y = scale * sum over every input of sum(x_i ** 2): an L2 penalty in one node.

    Backward: grad_x_i = 2 * scale * grad_output * x_i.

    Fused for measured speed: ``(W * W).sum()`` per layer allocates a W-sized product,
    and its backward two more (the product's two factors are the same tensor), each
    then added into W's gradient; for a 784x256 layer that was half of an MLP
    estimator's epoch. This computes the value with a dot product (no temporary)
    and returns one gradient array per input.
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def forward(self, *inputs: Array) -> Array:
        self.inputs = inputs
        total = sum(float(xp.vdot(x, x)) for x in inputs)
        return xp.asarray(self.scale * total, dtype=inputs[0].dtype)

    def backward(self, grad_output: Array) -> tuple[Array, ...]:
        scale = 2 * self.scale * grad_output
        return tuple(x * scale for x in self.inputs)
