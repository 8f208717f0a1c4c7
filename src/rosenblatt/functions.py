"""Functions of several tensors, and the elementwise ones of two (torch.cat and kin).

Each builds one op of ``ops/`` into the graph after checking the shapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rosenblatt import ops
from rosenblatt.backend import ArrayLike, xp
from rosenblatt.tensor import Tensor, _shape_text

__all__ = ["concatenate", "maximum", "minimum", "stack", "sum_of_squares", "where"]


def _as_tensors(tensors: Sequence[Tensor | ArrayLike]) -> list[Tensor]:
    if len(tensors) == 0:
        raise ValueError("expected at least one tensor, got an empty sequence")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def concatenate(tensors: Sequence[Tensor | ArrayLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``)."""
    ts = _as_tensors(tensors)
    shapes = [t.shape for t in ts]
    rest = {s[: axis % len(s)] + s[axis % len(s) + 1 :] for s in shapes if s}
    if len(rest) > 1 or len({len(s) for s in shapes}) > 1:
        raise ValueError(
            f"concatenate: all shapes must agree except along axis {axis}; got "
            + ", ".join(_shape_text(s) for s in shapes)
        )
    return Tensor.from_op(ops.Concatenate(axis), *ts)


def stack(tensors: Sequence[Tensor | ArrayLike], axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    ts = _as_tensors(tensors)
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError(
            "stack: expected tensors of one shape, got "
            + ", ".join(_shape_text(s) for s in sorted(shapes))
        )
    return Tensor.from_op(ops.Stack(axis), *ts)


def sum_of_squares(
    tensors: Sequence[Tensor | ArrayLike], *, scale: float = 1.0
) -> Tensor:
    """Sum of the squares of every element of every tensor, times scale, in one node.

    An L2 penalty such as alpha/2 ||W||^2 is ``sum_of_squares(weights, scale=alpha/2)``.
    """
    ts = _as_tensors(tensors)
    return Tensor.from_op(ops.SumOfSquares(scale), *ts)


def where(
    condition: Tensor | ArrayLike, a: Tensor | ArrayLike, b: Tensor | ArrayLike
) -> Tensor:
    """Elementwise a where condition is true, else b; the condition gets no gradient."""
    cond = condition.data if isinstance(condition, Tensor) else xp.asarray(condition)
    ta = a if isinstance(a, Tensor) else Tensor(a)
    tb = ta._lift(b)
    ta._check_broadcast(tb, "where")
    try:
        xp.broadcast_shapes(cond.shape, ta.shape, tb.shape)
    except ValueError:
        raise ValueError(
            f"where: condition of shape {_shape_text(cond.shape)} does not broadcast "
            f"with {_shape_text(ta.shape)} and {_shape_text(tb.shape)}"
        ) from None
    return Tensor.from_op(ops.Where(cond.astype(bool)), ta, tb)


def maximum(a: Tensor | ArrayLike, b: Tensor | ArrayLike) -> Tensor:
    """Elementwise maximum; at ties each input gets half the gradient."""
    ta = a if isinstance(a, Tensor) else Tensor(a)
    return ta._binary(ops.Maximum(), b, "maximum")


def minimum(a: Tensor | ArrayLike, b: Tensor | ArrayLike) -> Tensor:
    """Elementwise minimum; at ties each input gets half the gradient."""
    ta = a if isinstance(a, Tensor) else Tensor(a)
    return ta._binary(ops.Minimum(), b, "minimum")
