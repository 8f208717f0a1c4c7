"""The array module and default dtype: the one place numeric code asks for NumPy.

Every numeric room imports ``xp`` from here instead of ``numpy`` directly, so that a
GPU array module with NumPy's API (CuPy) can later be swapped in at this one spot.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = [
    "Array",
    "ArrayLike",
    "DTypeLike",
    "as_array",
    "as_sparse_rows",
    "get_default_dtype",
    "is_sparse",
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


def is_sparse(data: Any) -> bool:
    """True for a scipy.sparse matrix or array (input data a Linear layer can take).

    SciPy is not imported for this (0.13 s): without scipy.sparse loaded, nothing
    can be one of its matrices.
    """
    if type(data) is np.ndarray:
        return False
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(data))


def as_sparse_rows(data: Any, dtype: DTypeLike | None = None) -> Any:
    """A scipy.sparse input as CSR (rows are samples: batches slice it by row).

    Floating data keeps its dtype unless ``dtype`` is given; other data becomes the
    default dtype, as in ``as_array``. No copy when it already is CSR of that dtype.
    """
    rows = data.tocsr()
    wanted = np.dtype(dtype) if dtype is not None else rows.dtype
    if wanted not in _FLOAT_DTYPES:
        if dtype is not None:
            raise TypeError(
                f"as_sparse_rows: expected float32 or float64, got {wanted.name}"
            )
        wanted = _default_dtype
    return rows if rows.dtype == wanted else rows.astype(wanted)
