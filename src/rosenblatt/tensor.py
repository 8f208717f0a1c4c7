"""Tensor: an array that remembers how it was made, so gradients can flow back.

How backpropagation works here, in four sentences. Every operation on tensors runs a
primitive from ``ops/`` on the underlying arrays and, when gradients are wanted,
records the primitive and its input tensors (the *parents*) on the output tensor;
a computation therefore leaves behind a graph from the inputs to the result.
``result.backward()`` visits that graph from the result towards the inputs, in an
order where every node comes after all the nodes that use it (reverse topological
order), so that a node's gradient is complete when it is reached. At each node it
asks the node's op for the vector-Jacobian product -- the chain rule, d(loss)/d(input)
= d(loss)/d(output) * d(output)/d(input) -- and adds the result into each parent's
running gradient. Leaves that asked for it
(``requires_grad=True``, typically parameters) keep their gradient in ``.grad``.

Example
-------
>>> from rosenblatt import Tensor
>>> w = Tensor([2.0, -1.0], requires_grad=True)
>>> x = Tensor([3.0, 4.0])
>>> loss = (w * x).sum() ** 2        # (2*3 - 1*4)^2 = 4
>>> loss.backward()                  # d/dw = 2 * (w.x) * x = 2 * 2 * [3, 4]
>>> w.grad
array([12., 16.], dtype=float32)
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from rosenblatt import ops
from rosenblatt.backend import (
    Array,
    ArrayLike,
    DTypeLike,
    as_array,
    as_sparse_rows,
    is_sparse,
    xp,
)
from rosenblatt.ops import Axis, Op

__all__ = ["Tensor", "is_grad_enabled", "no_grad"]


class _GradMode(threading.local):
    """Whether this thread records the graph.

    Each thread has its own switch, so one thread's ``no_grad`` (a ``predict``) cannot
    stop another's training.
    """

    enabled = True


_grad_mode = _GradMode()
_births = itertools.count()  # numbers the tensors in the order they are made
_birth = operator.attrgetter("_birth")


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for backward (False inside ``no_grad``)."""
    return _grad_mode.enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Context manager: inside it, operations record no graph (for inference).

    >>> from rosenblatt import Tensor, no_grad
    >>> w = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    previous, _grad_mode.enabled = _grad_mode.enabled, False
    try:
        yield
    finally:
        _grad_mode.enabled = previous


def _unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``grad`` over the dimensions that broadcasting added or stretched.

    If a of shape (3,) was added to b of shape (2, 3), a was used twice (once per row),
    so its gradient is the sum of the two rows of the output gradient.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _consumers_first(root: Tensor) -> list[Tensor]:
    """The op outputs in root's graph, each before the tensors it was computed from.

    Root comes first; leaves are not listed (this is reverse topological order).

    A tensor is always made after the tensors it is computed from, so its birth
    number (``Tensor._birth``) is larger than theirs: the graph's op outputs, newest
    first, are in that order. A walk over a growing list finds them (a chain of
    100,000 ops needs no recursion); one sort puts them in order.
    """
    if root._op is None:
        return []
    found, seen = [root], {root}
    for node in found:  # the list grows as the walk goes
        for parent in node._parents:
            if parent._op is not None and parent.requires_grad and parent not in seen:
                seen.add(parent)
                found.append(parent)
    found.sort(key=_birth, reverse=True)
    return found


def _refuse_freed() -> None:
    """Raise: a tensor in the graph was released by an earlier backward."""
    raise RuntimeError(
        "backward: part of this graph was already freed by an earlier "
        "backward(); run the forward computation again"
    )


def _owned(grad: Array, grad_output: Array, kept: set[int]) -> Array:
    """``grad`` as an array a leaf may keep in ``.grad``: copied if anyone else holds it.

    An op's backward may return ``grad_output`` itself (Add passes it to both
    inputs), a view of it, or one array for two inputs; a leaf's ``.grad`` outlives
    the pass and may be changed in place (optimisers, clipping), so it must not be
    shared. ``kept`` collects the ids of the arrays already handed to leaves.
    """
    if grad is grad_output or not grad.flags.owndata or id(grad) in kept:
        grad = grad.copy()
    kept.add(id(grad))
    return grad


def _refuse_sparse(op: Op, array: Array) -> None:
    """Raise if ``array`` is a scipy.sparse matrix, which only ``Linear`` takes."""
    if is_sparse(array):
        raise TypeError(
            f"{type(op).__name__}: an input is a scipy.sparse matrix, which "
            "only linear layers take; convert it with .toarray() first"
        )


def _shape_text(shape: tuple[int, ...]) -> str:
    return (
        "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    )


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Parameters
    ----------
    data : array_like
        The values. Floating NumPy arrays keep their dtype (as ``torch.as_tensor``);
        Python numbers, lists, integer and boolean arrays become the default dtype
        (float32, see ``backend.set_default_dtype``). No copy is made when ``data``
        already is an array of the wanted dtype. A scipy.sparse matrix is kept as
        CSR: constant input data that only linear layers (``F.linear``) take.
    requires_grad : bool
        Whether ``backward()`` should compute and keep a gradient for this tensor.
    dtype : dtype, optional
        float32 or float64, overriding the rule above.

    Attributes
    ----------
    data : ndarray
        The values.
    grad : ndarray or None
        d(output)/d(self) after ``backward()``, same shape as ``data``; kept for leaves
        with ``requires_grad`` (and tensors that called ``retain_grad()``). Gradients
        accumulate across calls until reset (``Module.zero_grad``).
    """

    __slots__ = (
        "_birth",
        "_freed",
        "_op",
        "_parents",
        "_retain",
        "data",
        "grad",
        "requires_grad",
    )
    # Make NumPy defer to Tensor in mixed expressions: ndarray + Tensor -> Tensor.__radd__.
    __array_ufunc__ = None

    def __init__(
        self,
        data: ArrayLike | Tensor,
        requires_grad: bool = False,
        dtype: DTypeLike | None = None,
    ) -> None:
        if isinstance(data, Tensor):
            data = data.data
        if not is_sparse(data):
            self._fill(as_array(data, dtype), requires_grad)
        elif requires_grad:
            raise TypeError(
                "Tensor: a scipy.sparse matrix is constant input data (for linear "
                "layers); it cannot require grad"
            )
        else:
            self._fill(as_sparse_rows(data, dtype), False)

    def _fill(
        self,
        data: Array,
        requires_grad: bool,
        op: Op | None = None,
        parents: tuple[Tensor, ...] = (),
    ) -> None:
        """Set every field: the one place a tensor's fields are listed.

        ``_op`` and ``_parents`` record how an op's output was made (None and () for a
        leaf); ``_birth`` numbers tensors in the order they are made (backward's
        order); ``_retain`` asks backward to keep an interior gradient; ``_freed``
        marks a tensor whose graph a backward pass has already released.
        """
        self.data: Array = data
        self.grad: Array | None = None
        self.requires_grad = requires_grad
        self._op, self._parents = op, parents
        self._birth = next(_births)
        self._retain = self._freed = False

    # --- graph building ---

    @staticmethod
    def from_op(op: Op, *parents: Tensor) -> Tensor:
        """Run ``op`` forward on the parents' arrays and record it if grads are wanted.

        This is how every operation enters the graph, and how to add your own: write
        an ``Op`` (forward and backward on arrays) and call ``Tensor.from_op(op, x)``.
        """
        arrays = [p.data for p in parents]
        if not op.accepts_sparse:
            for array in arrays:  # the type test first: one comparison per input
                if type(array) is not xp.ndarray:
                    _refuse_sparse(op, array)
        needs = tuple([p.requires_grad for p in parents])
        out = Tensor.__new__(Tensor)
        if _grad_mode.enabled and True in needs:
            op.needs_input_grad = needs
            out._fill(op.forward(*arrays), True, op, parents)
        else:
            out._fill(op.forward(*arrays), False)
        return out

    def _lift(self, other: ArrayLike | Tensor) -> Tensor:
        """Wrap a number or array as a constant tensor of this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        return Tensor(xp.asarray(other, dtype=self.data.dtype))

    def _check_broadcast(self, other: Tensor, name: str) -> None:
        if self.data.shape == other.data.shape:
            return
        try:
            xp.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(
                f"{name}: shapes {_shape_text(self.shape)} and "
                f"{_shape_text(other.shape)} do not broadcast; each trailing "
                "dimension must be equal or 1"
            ) from None

    def _binary(self, op: Op, other: ArrayLike | Tensor, name: str) -> Tensor:
        other = self._lift(other)
        self._check_broadcast(other, name)
        return Tensor.from_op(op, self, other)

    # --- backward ---

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Compute d(self)/d(leaf) for every leaf with ``requires_grad`` in the graph.

        Parameters
        ----------
        grad : array_like, optional
            d(loss)/d(self), of self's shape. May be omitted only when self holds a
            single number (a loss), for which it is 1.

        Notes
        -----
        The algorithm: order the graph so that every tensor comes after all the
        tensors made from it (``_consumers_first``); then, for each tensor in that
        order, its gradient is complete, and its op's ``backward`` turns it into one
        gradient per parent, which is added into that parent's. A leaf keeps its
        gradient in ``.grad``. Each op is released as soon as it has run, so a second
        ``backward()`` through the same graph raises (run the forward again).
        """
        # Tensors are the keys (by identity: Tensor defines no == of its own).
        grads = {self: self._seed(grad)}  # d(self)/d(tensor)
        if self._freed:
            _refuse_freed()
        leaves = [self] if self._op is None else []  # they take theirs at the end
        kept: set[int] = set()  # ids of the arrays handed to leaves to keep
        for node in _consumers_first(self):
            g = grads.pop(node, None)
            if g is None:  # no op passed a gradient to it (a step, an index)
                continue
            if node._retain:
                node._accumulate(g.copy())
            op = node._op
            assert op is not None  # _consumers_first lists op outputs only
            # The chain rule: the op turns d(self)/d(output) into d(self)/d(input).
            for parent, pg in zip(node._parents, op.backward(g), strict=True):
                if pg is None or not parent.requires_grad:
                    continue
                if pg.shape != parent.data.shape:
                    pg = _unbroadcast(pg, parent.data.shape)
                if parent in grads:
                    grads[parent] = grads[parent] + pg  # a new array
                elif parent._op is None:  # a leaf, or freed by an earlier backward
                    if parent._freed:
                        _refuse_freed()
                    grads[parent] = _owned(pg, g, kept)
                    leaves.append(parent)
                else:
                    grads[parent] = pg
            node._op, node._parents, node._freed = None, (), True  # release its arrays
        for leaf in leaves:  # none was freed: they take their gradients now
            leaf._accumulate(grads[leaf])

    def _seed(self, grad: ArrayLike | None) -> Array:
        """d(self)/d(self): ``grad`` (copied, checked), or 1 for a single number."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad; create the leaves "
                "with requires_grad=True (and not inside no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "backward: grad can be omitted only for a single-number output; "
                    f"got shape {_shape_text(self.shape)}. Pass grad= of that shape, "
                    "or reduce the output first (e.g. .sum())"
                )
            one = xp.array(1, dtype=self.data.dtype)  # cheaper than ones_like
            return one if self.data.ndim == 0 else one.reshape(self.data.shape)
        seed = xp.array(grad, dtype=self.data.dtype)  # a copy we own
        if seed.shape != self.shape:
            raise ValueError(
                f"backward: expected grad of shape {_shape_text(self.shape)}, "
                f"got {_shape_text(seed.shape)}"
            )
        return seed

    def _accumulate(self, grad: Array) -> None:
        """Add ``grad`` (an array this tensor may keep) into ``.grad``."""
        self.grad = grad if self.grad is None else self.grad + grad

    def retain_grad(self) -> Tensor:
        """Keep this interior tensor's gradient in ``.grad`` after ``backward()``."""
        self._retain = True
        return self

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph (no grad)."""
        return Tensor(self.data)

    # --- introspection ---

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``."""
        return tuple(self.data.shape)

    @property
    def dtype(self) -> Any:
        """The dtype of ``data`` (float32 by default)."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return int(self.data.ndim)

    @property
    def size(self) -> int:
        """The number of elements."""
        return int(self.data.size)

    def item(self) -> float:
        """The single number this tensor holds, as a Python float."""
        if self.data.size != 1:
            raise ValueError(
                f"item: expected a tensor with one element, got shape "
                f"{_shape_text(self.shape)}"
            )
        return float(self.data if self.data.ndim == 0 else self.data.reshape(()))

    def numpy(self) -> Array:
        """The underlying array (shared, not copied)."""
        return self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self.data.shape[0])

    def __repr__(self) -> str:
        body = xp.array2string(self.data, separator=", ", precision=4)
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}, dtype={self.data.dtype.name}{grad})"

    # --- arithmetic ---

    def __add__(self, other: ArrayLike | Tensor) -> Tensor:
        return self._binary(ops.Add(), other, "add")

    def __radd__(self, other: ArrayLike) -> Tensor:
        return self._lift(other)._binary(ops.Add(), self, "add")

    def __sub__(self, other: ArrayLike | Tensor) -> Tensor:
        return self._binary(ops.Sub(), other, "sub")

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return self._lift(other)._binary(ops.Sub(), self, "sub")

    def __mul__(self, other: ArrayLike | Tensor) -> Tensor:
        return self._binary(ops.Mul(), other, "mul")

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return self._lift(other)._binary(ops.Mul(), self, "mul")

    def __truediv__(self, other: ArrayLike | Tensor) -> Tensor:
        return self._binary(ops.Div(), other, "div")

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return self._lift(other)._binary(ops.Div(), self, "div")

    def __pow__(self, exponent: float | Tensor) -> Tensor:
        if isinstance(exponent, Tensor):
            self._check_broadcast(exponent, "pow")
            if not xp.all(self.data > 0):
                raise ValueError(
                    "pow: Tensor ** Tensor needs every base > 0 (a**b = exp(b log a)); "
                    "for a fixed exponent use a ** 2.0"
                )
            return (exponent * self.log()).exp()  # a**b = exp(b log a), for a > 0
        return Tensor.from_op(ops.Pow(float(exponent)), self)

    def __rpow__(self, base: float) -> Tensor:
        if not base > 0:
            # b**x = exp(x log b) needs b > 0; a real power of b <= 0 is undefined
            raise ValueError(f"pow: base ** Tensor needs base > 0, got {base}")
        return (self * float(xp.log(base))).exp()

    def __neg__(self) -> Tensor:
        return Tensor.from_op(ops.Neg(), self)

    def __matmul__(self, other: ArrayLike | Tensor) -> Tensor:
        other = self._lift(other)
        a, b = self.shape, other.shape
        if not a or not b:
            raise ValueError("matmul: expected operands with at least 1 dimension")
        inner_a = a[-1]
        inner_b = b[0] if len(b) == 1 else b[-2]
        if inner_a != inner_b:
            raise ValueError(
                f"matmul: shapes {_shape_text(a)} and {_shape_text(b)} do not align: "
                f"{inner_a} (last dim of the left) != {inner_b} (first dim of the right)"
            )
        return Tensor.from_op(ops.MatMul(), self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return self._lift(other).__matmul__(self)

    # --- elementwise functions ---

    def exp(self) -> Tensor:
        """E ** self, elementwise."""
        return Tensor.from_op(ops.Exp(), self)

    def log(self) -> Tensor:
        """Natural logarithm, elementwise."""
        return Tensor.from_op(ops.Log(), self)

    def sqrt(self) -> Tensor:
        """Square root, elementwise."""
        return Tensor.from_op(ops.Sqrt(), self)

    def abs(self) -> Tensor:
        """|self|, elementwise (gradient 0 at 0)."""
        return Tensor.from_op(ops.Abs(), self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent, elementwise."""
        return Tensor.from_op(ops.Tanh(), self)

    def sigmoid(self) -> Tensor:
        """Logistic function 1 / (1 + exp(-x)), elementwise."""
        return Tensor.from_op(ops.Sigmoid(), self)

    def relu(self) -> Tensor:
        """max(x, 0), elementwise (gradient 0 at 0)."""
        return Tensor.from_op(ops.ReLU(), self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """X if x > 0 else negative_slope * x, elementwise."""
        return Tensor.from_op(ops.LeakyReLU(negative_slope), self)

    def step(self) -> Tensor:
        """Heaviside step: 1 where x >= 0 else 0. Its gradient is defined as 0."""
        return Tensor.from_op(ops.Step(), self)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit values to [min, max]; gradient passes where min <= x <= max."""
        if min is None and max is None:
            raise ValueError("clip: expected at least one of min and max, got neither")
        return Tensor.from_op(ops.Clip(min, max), self)

    clamp = clip

    # --- reductions ---

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes when None)."""
        return Tensor.from_op(ops.Sum(axis, keepdims), self)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (all axes when None)."""
        return Tensor.from_op(ops.Mean(axis, keepdims), self)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; tied maxima share the gradient equally."""
        return Tensor.from_op(ops.Max(axis, keepdims), self)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Minimum over ``axis``; tied minima share the gradient equally."""
        return Tensor.from_op(ops.Min(axis, keepdims), self)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log(sum(exp(self), axis)), computed without overflow."""
        return Tensor.from_op(ops.LogSumExp(axis, keepdims), self)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """Self - logsumexp(self, axis): log-probabilities, stable for any logits."""
        return self - self.logsumexp(axis=axis, keepdims=True)

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(log_softmax(self)): probabilities along ``axis`` that sum to 1."""
        return self.log_softmax(axis).exp()

    # --- shape ---

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """The same values in a new shape; accepts ``reshape(2, 3)`` or ``reshape((2, 3))``."""
        first = shape[0] if len(shape) == 1 else None
        dims = shape if first is None or isinstance(first, int) else tuple(first)
        target = tuple(int(n) for n in dims)  # type: ignore[arg-type]
        try:
            return Tensor.from_op(ops.Reshape(target), self)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {_shape_text(self.shape)} "
                f"({self.size} elements) into {target}"
            ) from None

    def transpose(self, *axes: int) -> Tensor:
        """Permute the axes (reverse them when none are given)."""
        order = (
            tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], int) else axes
        )
        return Tensor.from_op(ops.Transpose(order or None), self)

    @property
    def T(self) -> Tensor:  # noqa: N802 (NumPy's and PyTorch's name)
        """The transpose (axes reversed)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """NumPy's indexing: slices, ints, integer arrays and boolean masks."""
        if isinstance(index, Tensor):
            # A Tensor holds floats (booleans and ints become floats when it is made),
            # and NumPy refuses float indices: a mask could not be told from positions.
            raise IndexError(
                "Tensor index: a Tensor holds floats, which NumPy refuses as indices; "
                "index with a boolean or integer array, e.g. x[mask.data > 0] or "
                "x[positions.data.astype(int)]"
            )
        return Tensor.from_op(ops.GetItem(index), self)
