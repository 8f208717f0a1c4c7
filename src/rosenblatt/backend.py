"""The array module and default dtype: the one place numeric code asks for NumPy.

Every numeric room imports ``xp`` from here instead of ``numpy`` directly, so that a
GPU array module with NumPy's API (CuPy) can later be swapped in at this one spot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = [
    "Array",
    "ArrayLike",
    "DTypeLike",
    "as_array",
    "get_default_dtype",
    "resolve_rng",
    "set_default_dtype",
    "xp",
]

xp = np
"""The array module: NumPy today."""

Array = NDArray[Any]
"""An array of the array module (float32 or float64 for data; bool or int for masks)."""

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_default_dtype: np.dtype[Any] = np.dtype(np.float32)


def get_default_dtype() -> np.dtype[Any]:
    """Return the dtype new tensors and parameters get when none is given (float32)."""
    return _default_dtype


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the default floating dtype; only float32 and float64 are accepted."""
    global _default_dtype
    resolved = np.dtype(dtype)
    if resolved not in _FLOAT_DTYPES:
        raise TypeError(
            f"set_default_dtype: expected float32 or float64, got {resolved.name}"
        )
    _default_dtype = resolved


def as_array(data: ArrayLike, dtype: DTypeLike | None = None) -> Array:
    """Convert ``data`` once, at a boundary, to a floating array.

    Floating arrays keep their dtype unless ``dtype`` is given (as ``torch.as_tensor``
    does); Python numbers, lists, integer and boolean arrays become the default dtype.
    No copy is made when ``data`` already is an array of the wanted dtype.
    """
    if dtype is not None:
        wanted = np.dtype(dtype)
        if wanted not in _FLOAT_DTYPES:
            raise TypeError(f"as_array: expected float32 or float64, got {wanted.name}")
        return xp.asarray(data, dtype=wanted)
    if isinstance(data, (xp.ndarray, xp.generic)) and data.dtype in _FLOAT_DTYPES:
        return xp.asarray(data)
    array = xp.asarray(data)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"as_array: expected numbers, got an array of dtype {array.dtype.name}"
        )
    return array.astype(_default_dtype)


def resolve_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a Generator: ``rng`` itself, a new one seeded with it, or a fresh one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng: expected a numpy Generator, an int seed or None, got {type(rng).__name__}"
    )
