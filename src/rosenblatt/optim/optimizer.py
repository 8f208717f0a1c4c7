"""Optimizer: the base of every update rule; it owns per-parameter state."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from rosenblatt.backend import Array, xp
from rosenblatt.tensor import Tensor

__all__ = ["KERNEL_SIZE", "Optimizer"]

# When a parameter has this many entries or more, every parameter takes a compiled
# update (see Optimizer._flat_for_kernel).
KERNEL_SIZE = 4096


class Optimizer:
    """Updates parameters in place from their ``.grad``.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to update (``model.parameters()``); each must require grad.
    lr : float
        The learning rate, > 0. Schedules change ``optimizer.lr`` between steps.

    Notes
    -----
    Subclasses implement ``_update(param, grad, state)``, which must change
    ``param.data`` in place (so anything holding the array sees the new values) and
    must not modify ``grad``. Parameters whose ``grad`` is None are skipped.
    """

    # Set per optimiser in __init__; this default serves optimisers pickled before
    # the attribute existed (they keep NumPy's updates for their small parameters).
    _compiled_updates = False

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        self.params: list[Tensor] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: expected Tensors, got {type(p).__name__} at "
                    f"position {i}"
                )
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(
                f"{type(self).__name__}: a parameter appears more than once"
            )
        self.lr = lr
        self._check_positive("lr", lr)
        self.state: list[dict[str, Any]] = [{} for _ in self.params]
        self.step_count = 0
        self._compiled_updates = max(p.data.size for p in self.params) >= KERNEL_SIZE

    def _check_positive(
        self, name: str, value: float, allow_zero: bool = False
    ) -> None:
        if not (value >= 0 if allow_zero else value > 0):
            bound = ">= 0" if allow_zero else "> 0"
            raise ValueError(
                f"{type(self).__name__}: expected {name} {bound}, got {value}"
            )

    def _check_unit(self, name: str, value: float) -> None:
        if not 0.0 <= value < 1.0:
            raise ValueError(
                f"{type(self).__name__}: expected {name} in [0, 1), got {value}"
            )

    def zero_grad(self) -> None:
        """Forget the gradients (set each ``grad`` to None)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        self.step_count += 1
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad is not None:
                self._update(p, p.grad, state)

    def _update(self, param: Tensor, grad: Array, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def _flat_for_kernel(
        self, param: Tensor, grad: Array
    ) -> tuple[Array, Array] | None:
        """``param.data`` and ``grad`` as flat views for a compiled update, or None.

        Contiguous NumPy parameters with a gradient of their dtype, in a model with a
        parameter of ``KERNEL_SIZE`` entries or more. There a one-pass kernel beats
        NumPy's pass per operation (Adam on 200,704 float32 weights: 141 us against
        about 500 us), and so does it on the same model's biases, once compiled (Adam
        on 100 entries: 5.3 us against 7.3 us, the Python around the call included).
        Small networks (XOR's) never pay for compiling one.
        """
        w = param.data
        if (
            not self._compiled_updates
            or not isinstance(w, np.ndarray)
            or not isinstance(grad, np.ndarray)
            or grad.dtype != w.dtype
            or not (w.flags.c_contiguous and grad.flags.c_contiguous)
        ):
            return None
        return w.reshape(-1), grad.reshape(-1)

    def _buffer(self, state: dict[str, Any], name: str, like: Array) -> Array:
        """A zero-initialised per-parameter buffer, created on first use."""
        if name not in state:
            state[name] = xp.zeros_like(like)
        buf: Array = state[name]
        return buf

    @staticmethod
    def _scratch(state: dict[str, Any], like: Array) -> Array:
        """A per-parameter work array, reused by every step (not part of the state)."""
        tmp = state.get("_scratch")
        if tmp is None:
            tmp = state["_scratch"] = xp.empty_like(like)
        scratch: Array = tmp
        return scratch

    def state_dict(self) -> dict[str, Any]:
        """The learning rate, step count and per-parameter buffers (copies)."""
        return {
            "lr": self.lr,
            "step_count": self.step_count,
            "state": [
                {
                    k: xp.array(v, copy=True)
                    for k, v in s.items()
                    if not k.startswith("_")
                }
                for s in self.state
            ],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (for resuming training)."""
        states = state_dict["state"]
        if len(states) != len(self.params):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected state for "
                f"{len(self.params)} parameters, got {len(states)}"
            )
        self.lr = float(state_dict["lr"])
        self.step_count = int(state_dict["step_count"])
        self.state = [{k: xp.array(v, copy=True) for k, v in s.items()} for s in states]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr})"
