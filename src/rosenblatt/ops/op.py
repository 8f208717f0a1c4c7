"""The base of every differentiable primitive: forward on arrays, backward = VJP."""

from __future__ import annotations

from typing import Any

from rosenblatt.backend import Array

__all__ = ["Op"]


class Op:
    """A differentiable primitive acting on arrays.

    ``forward(*inputs)`` computes the output array and saves what ``backward`` needs.
    ``backward(grad_output)`` returns the vector-Jacobian product for each input, in
    input order: ``grad_input_i = J_i^T grad_output`` with the input's own shape (or a
    shape that broadcasts to it; ``tensor.py`` sums broadcast dimensions back). It
    returns ``None`` for inputs that take no gradient (indices, masks, constants).

    ``needs_input_grad`` is set by the engine before ``backward`` so that an op can
    skip work nobody will use (for example the input gradient of a first layer).
    An op object serves exactly one call: it is created, run forward, run backward.

    Ownership: ``backward`` must never write into ``grad_output`` or into an array
    it returned before, and may return ``grad_output`` itself, a view of it, or the
    same array for two inputs. The engine relies on this to pass gradients on
    without copying them; it copies only what a leaf keeps in ``.grad`` (see
    ``tensor._owned``). An array ``backward`` allocates is its own to return.
    """

    needs_input_grad: tuple[bool, ...] = ()
    accepts_sparse: bool = False
    """Whether an input may be a scipy.sparse matrix (constant data); only Linear's."""

    # Each op declares its own inputs (``forward(self, a, b)``); ``*args: Any`` lets
    # the type checker accept every such signature as an override.
    def forward(self, *args: Any, **kwargs: Any) -> Array:
        """Compute the output from the input arrays."""
        raise NotImplementedError

    def backward(self, grad_output: Array) -> tuple[Array | None, ...]:
        """Return one gradient (or None) per input, given d(loss)/d(output)."""
        raise NotImplementedError
