"""The McCulloch-Pitts neuron (1943): a threshold logic unit, its gates, and their limit.

A unit sums its binary inputs with weights and fires (outputs 1) when the sum reaches
its threshold: y = 1 if sum_i w_i x_i >= theta else 0. In McCulloch and Pitts' paper an
inhibitory input is absolute: when any inhibitory input is active the unit stays
silent, whatever the sum. With these two mechanisms single units compute AND, OR, NOT,
NOR and majority; NAND needs a negative weight. No single unit computes XOR: no line
separates {01, 10} from {00, 11}, which ``find_threshold_unit`` shows.

Examples
--------
>>> from rosenblatt.neuron import MCPNeuron
>>> MCPNeuron.AND(2).truth_table()
[((0, 0), 0), ((0, 1), 0), ((1, 0), 0), ((1, 1), 1)]
>>> find_threshold_unit([0, 1, 1, 0]).reason.split(":")[0]   # XOR
'not linearly separable'
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from rosenblatt.backend import Array, ArrayLike, xp

__all__ = ["MCPNeuron", "ThresholdSearch", "find_threshold_unit", "all_inputs"]


def all_inputs(n_inputs: int) -> Array:
    """Every binary input vector of length n, in counting order: shape (2**n, n)."""
    if n_inputs < 0:
        raise ValueError(f"all_inputs: expected n_inputs >= 0, got {n_inputs}")
    rows = list(itertools.product((0, 1), repeat=n_inputs))
    return xp.array(rows, dtype=xp.int64).reshape(len(rows), n_inputs)


class MCPNeuron:
    """Threshold logic unit: y = 1 if w . x >= threshold and no inhibitory input is on.

    Parameters
    ----------
    weights : sequence of float, length n
        One weight per input (excitatory when positive).
    threshold : float
        theta: the unit fires when the weighted sum reaches it.
    inhibitory : sequence of bool, length n, optional
        Inputs with absolute inhibition: any of them at 1 forces the output to 0.
        Their weights play no part in the sum.
    """

    def __init__(
        self,
        weights: Sequence[float],
        threshold: float,
        inhibitory: Sequence[bool] | None = None,
    ) -> None:
        self.weights = xp.asarray(weights, dtype=xp.float64).reshape(-1)
        self.threshold = float(threshold)
        n = self.weights.size
        mask = [False] * n if inhibitory is None else list(inhibitory)
        if len(mask) != n:
            raise ValueError(
                f"MCPNeuron: expected {n} inhibitory flags (one per weight), got {len(mask)}"
            )
        self.inhibitory = xp.asarray(mask, dtype=bool)

    @property
    def n_inputs(self) -> int:
        """The number of inputs."""
        return int(self.weights.size)

    def __call__(self, x: ArrayLike) -> Array:
        """Outputs for binary inputs x of shape (n,) or (N, n): 0 or 1 (ints)."""
        inputs = xp.asarray(x)
        single = inputs.ndim == 1
        inputs = xp.atleast_2d(inputs)
        if inputs.shape[1] != self.n_inputs:
            raise ValueError(
                f"MCPNeuron: expected inputs of length {self.n_inputs}, got {inputs.shape[1]}"
            )
        if not xp.isin(inputs, (0, 1)).all():
            raise ValueError("MCPNeuron: expected binary inputs (0 or 1)")
        excitatory = xp.where(self.inhibitory, 0.0, self.weights)
        fires = inputs @ excitatory >= self.threshold
        inhibited = (inputs[:, self.inhibitory] == 1).any(axis=1)
        out = (fires & ~inhibited).astype(xp.int64)
        return out[0] if single else out

    def truth_table(self) -> list[tuple[tuple[int, ...], int]]:
        """Every input vector with the unit's output, in counting order."""
        inputs = all_inputs(self.n_inputs)
        return [
            (tuple(int(v) for v in row), int(y))
            for row, y in zip(inputs, self(inputs), strict=True)
        ]

    def __repr__(self) -> str:
        parts = f"weights={self.weights.tolist()}, threshold={self.threshold:g}"
        if self.inhibitory.any():
            parts += f", inhibitory={self.inhibitory.tolist()}"
        return f"MCPNeuron({parts})"

    # --- ready-made gates ---

    @classmethod
    def AND(cls, n: int = 2) -> MCPNeuron:  # noqa: N802 (the gates' names)
        """Fires when all n inputs are on: weights 1, threshold n."""
        _check_arity(n, "AND")
        return cls([1.0] * n, n)

    @classmethod
    def OR(cls, n: int = 2) -> MCPNeuron:  # noqa: N802
        """Fires when any input is on: weights 1, threshold 1."""
        _check_arity(n, "OR")
        return cls([1.0] * n, 1)

    @classmethod
    def NOT(cls) -> MCPNeuron:  # noqa: N802
        """Fires unless its input is on: one inhibitory input, threshold 0 (1943)."""
        return cls([1.0], 0, inhibitory=[True])

    @classmethod
    def NOR(cls, n: int = 2) -> MCPNeuron:  # noqa: N802
        """Fires when no input is on: all inputs inhibitory, threshold 0 (1943)."""
        _check_arity(n, "NOR")
        return cls([1.0] * n, 0, inhibitory=[True] * n)

    @classmethod
    def NAND(cls, n: int = 2) -> MCPNeuron:  # noqa: N802
        """Fires unless all inputs are on: weights -1, threshold -(n - 1).

        Absolute inhibition cannot express NAND (one active input must not silence
        the unit), so this gate uses negative weights, as a modern threshold unit does.
        """
        _check_arity(n, "NAND")
        return cls([-1.0] * n, -(n - 1))

    @classmethod
    def majority(cls, n: int = 3) -> MCPNeuron:
        """Fires when more than half of the n inputs are on: weights 1, threshold n//2 + 1."""
        _check_arity(n, "majority")
        return cls([1.0] * n, n // 2 + 1)


def _check_arity(n: int, gate: str) -> None:
    if not isinstance(n, int) or n < 1:
        raise ValueError(
            f"MCPNeuron.{gate}: expected a positive number of inputs, got {n!r}"
        )


@dataclass(frozen=True)
class ThresholdSearch:
    """What ``find_threshold_unit`` found: a neuron, or None and the reason."""

    neuron: MCPNeuron | None
    reason: str

    def __bool__(self) -> bool:
        return self.neuron is not None


def _linearly_separable(inputs: Array, outputs: Array) -> bool:
    """Whether some real w, theta give w.x >= theta + 1 on the 1s and <= theta - 1 on the 0s.

    A feasibility linear programme (the margin 1 loses nothing: any strict separation
    can be scaled to it).
    """
    from scipy.optimize import linprog  # loaded on use

    # Variables (w_1..w_n, theta); constraints A v <= b.
    sign = xp.where(outputs == 1, -1.0, 1.0)[:, None]  # 1s: -(w.x - theta) <= -1
    A = sign * xp.hstack([inputs, -xp.ones((len(inputs), 1))])
    b = -xp.ones(len(inputs))
    result = linprog(xp.zeros(A.shape[1]), A_ub=A, b_ub=b, bounds=(None, None))
    return bool(result.status == 0)


def find_threshold_unit(outputs: Sequence[int], max_weight: int = 3) -> ThresholdSearch:
    """Search integer weights in [-max_weight, max_weight] for a unit with this truth table.

    Parameters
    ----------
    outputs : sequence of 0/1, length 2**n
        The desired output for each input vector in counting order (00, 01, 10, 11, ...).
    max_weight : int
        The largest absolute weight tried.

    Returns
    -------
    ThresholdSearch
        ``neuron`` realising the table (smallest weights first), or None with
        ``reason``: either the table is not linearly separable (decided exactly, by a
        linear programme, so no weights at all would do), or larger weights are needed.
    """
    target = xp.asarray(outputs, dtype=xp.int64).reshape(-1)
    n = round(float(xp.log2(max(target.size, 1))))
    if target.size < 2 or 2**n != target.size:
        raise ValueError(
            f"find_threshold_unit: expected 2**n outputs (one per input vector), got {target.size}"
        )
    if not xp.isin(target, (0, 1)).all():
        raise ValueError("find_threshold_unit: expected outputs of 0 or 1")
    inputs = all_inputs(n)
    if not _linearly_separable(inputs.astype(xp.float64), target):
        return ThresholdSearch(
            None,
            "not linearly separable: no weights and threshold, integer or real, separate "
            "the inputs that give 1 from those that give 0",
        )
    values = sorted(range(-max_weight, max_weight + 1), key=abs)
    candidates = xp.array(list(itertools.product(values, repeat=n)), dtype=xp.int64)
    sums = candidates @ inputs.T  # (n_candidates, 2**n)
    on, off = target == 1, target == 0
    # theta must be <= every sum where the output is 1 and > every sum where it is 0.
    lowest_on = xp.where(on, sums, xp.iinfo(xp.int64).max).min(axis=1)
    highest_off = xp.where(off, sums, xp.iinfo(xp.int64).min).max(axis=1)
    feasible = xp.flatnonzero(lowest_on > highest_off)
    if feasible.size == 0:
        return ThresholdSearch(
            None,
            f"linearly separable, but it needs integer weights beyond +-{max_weight}",
        )
    best = feasible[0]
    theta = int(lowest_on[best]) if on.any() else int(highest_off[best]) + 1
    neuron = MCPNeuron(candidates[best].astype(xp.float64).tolist(), theta)
    return ThresholdSearch(neuron, "found")
