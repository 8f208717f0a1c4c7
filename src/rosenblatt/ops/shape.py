"""Shape primitives: reshape, transpose, indexing, concatenate and stack.

These move numbers around without changing them, so each backward moves the gradient
back the same way.
"""

from __future__ import annotations

from typing import Any

from rosenblatt.backend import Array, xp
from rosenblatt.ops.op import Op

__all__ = ["Concatenate", "GetItem", "Reshape", "Stack", "Transpose"]


class Reshape(Op):
    """y = x viewed with a new shape.  Backward: grad_output reshaped to x's shape."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: Array) -> Array:
        self.input_shape = x.shape
        return xp.reshape(x, self.shape)

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (xp.reshape(grad_output, self.input_shape),)


class Transpose(Op):
    """y = x with axes permuted (reversed when ``axes`` is None).  Backward: inverse permutation."""

    def __init__(self, axes: tuple[int, ...] | None = None) -> None:
        self.axes = axes

    def forward(self, x: Array) -> Array:
        return xp.transpose(x, self.axes)

    def backward(self, grad_output: Array) -> tuple[Array]:
        inverse = None if self.axes is None else tuple(xp.argsort(self.axes))
        return (xp.transpose(grad_output, inverse),)


def _has_array_index(index: Any) -> bool:
    """Whether ``index`` uses integer/boolean arrays (advanced indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (list, xp.ndarray)) for p in parts)


class GetItem(Op):
    """y = x[index], NumPy's indexing (masks too).  Backward: scatter-add into zeros.

    With integer arrays an entry may be picked twice (``x[[0, 0]]``); its gradients
    then add up, which ``np.add.at`` does and plain assignment would not.
    """

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x: Array) -> Array:
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, grad_output: Array) -> tuple[Array]:
        grad = xp.zeros(self.shape, dtype=self.dtype)
        if _has_array_index(self.index):
            xp.add.at(grad, self.index, grad_output)
        else:
            grad[self.index] = grad_output
        return (grad,)


class Concatenate(Op):
    """y = concatenate(inputs, axis).  Backward: grad_output split at the input boundaries."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, *inputs: Array) -> Array:
        self.sizes = [x.shape[self.axis] for x in inputs]
        return xp.concatenate(inputs, axis=self.axis)

    def backward(self, grad_output: Array) -> tuple[Array, ...]:
        bounds = xp.cumsum(self.sizes)[:-1]
        return tuple(xp.split(grad_output, bounds, axis=self.axis))


class Stack(Op):
    """y = stack(inputs, axis) along a new axis.  Backward: grad_output sliced along it."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def forward(self, *inputs: Array) -> Array:
        return xp.stack(inputs, axis=self.axis)

    def backward(self, grad_output: Array) -> tuple[Array, ...]:
        return tuple(xp.moveaxis(grad_output, self.axis, 0))  # one slice per input
