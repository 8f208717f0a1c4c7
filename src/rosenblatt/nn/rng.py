"""Random generators for the layers, their initialisation, dropout and the fit loop."""

from __future__ import annotations

import numpy as np

__all__ = ["resolve_rng"]


def resolve_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a Generator: ``rng`` itself, a new one seeded with it, or a fresh one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng: expected a numpy Generator, an int seed or None, got {type(rng).__name__}"
    )
