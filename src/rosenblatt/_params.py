"""Hyper-parameter checks for the estimators, with scikit-learn's wording.

Each estimator declares its parameters as annotated fields (``@estimator`` writes the
constructor from them), lists their constraints in one ``_constraints`` dict and calls
``check_params`` at the start of ``fit`` (never in ``__init__``, as scikit-learn
requires). A small local helper rather than scikit-learn's private ``_param_validation``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, dataclass_transform

__all__ = ["Interval", "InvalidParameterError", "Options", "check_params", "estimator"]

_Class = TypeVar("_Class", bound=type)


@dataclass_transform(eq_default=False)
def estimator(cls: _Class) -> _Class:
    """Write scikit-learn's estimator constructor from the class's annotated parameters.

    scikit-learn's rule: ``__init__`` stores each parameter under its own name and does
    nothing else, since ``clone``, ``get_params`` and grid searches rebuild estimators
    through it. The class lists its parameters with their defaults, in signature order
    (``_: KW_ONLY`` before the keyword-only ones; in each group, a base class's come
    first), and this writes that constructor as ``dataclasses`` would, without
    ``__eq__`` (estimators compare by identity) and without ``__repr__``
    (scikit-learn's, which shows the parameters changed from their defaults, stays).
    An attribute that ``fit`` sets is declared ``= field(init=False)``: typed, but
    no parameter.
    """
    return dataclass(eq=False, repr=False)(cls)  # type: ignore[return-value]


class InvalidParameterError(ValueError, TypeError):
    """A hyper-parameter has the wrong type or value (as scikit-learn's, a ValueError too)."""


@dataclass(frozen=True)
class Interval:
    """Numbers of ``kind`` (int or float) between ``low`` and ``high``; None is unbounded."""

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"  # "both", "left", "right" or "neither"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if self.kind is int and not isinstance(value, numbers.Integral):
            return False
        if self.kind is float and not isinstance(value, numbers.Real):
            return False
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (
            value < self.low or (value == self.low and not left)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not right))
        )

    def __str__(self) -> str:
        name = "an int" if self.kind is int else "a float"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = (
            "]" if self.closed in ("both", "right") and self.high is not None else ")"
        )
        return f"{name} in the range {left}{lo}, {hi}{right}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (strings, booleans, None)."""

    values: tuple[Any, ...]

    def accepts(self, value: Any) -> bool:
        return any(
            value is v or (type(value) is type(v) and value == v) for v in self.values
        )

    def __str__(self) -> str:
        if set(self.values) <= {True, False}:
            return "an instance of 'bool'"
        given = [v for v in self.values if v is not None]
        if not given:
            return "None"
        kind = (
            type(given[0]).__name__ if len({type(v) for v in given}) == 1 else "value"
        )
        text = f"a {kind} among {{{', '.join(repr(v) for v in given)}}}"
        return text + (" or None" if None in self.values else "")


Constraint = Interval | Options | type


def _describe(constraint: Constraint) -> str:
    if isinstance(constraint, type):
        return f"an instance of '{constraint.__name__}'"
    return str(constraint)


def _accepts(constraint: Constraint, value: Any) -> bool:
    if isinstance(constraint, type):
        return isinstance(value, constraint)
    return constraint.accepts(value)


def check_params(
    estimator: Any, constraints: Mapping[str, Sequence[Constraint]]
) -> None:
    """Raise InvalidParameterError for the first parameter that meets none of its constraints.

    The message is scikit-learn's: "The 'max_iter' parameter of Perceptron must be an
    int in the range [1, inf). Got -1 instead."
    """
    for name, options in constraints.items():
        value = getattr(estimator, name)  # as get_params gives, without inspecting
        if any(_accepts(c, value) for c in options):
            continue
        described = [_describe(c) for c in options]
        expected = (
            described[0]
            if len(described) == 1
            else ", ".join(described[:-1]) + " or " + described[-1]
        )
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(estimator).__name__} must be {expected}. "
            f"Got {value!r} instead."
        )
