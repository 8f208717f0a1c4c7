"""The array module and default dtype: the one place numeric code asks for NumPy.

Every numeric room imports ``xp`` from here instead of ``numpy`` directly, so that a
GPU array module with NumPy's API (CuPy) can later be swapped in at this one spot.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = [
    "Array",
    "ArrayLike",
    "DTypeLike",
    "as_array",
    "as_sparse_rows",
    "blas_threads",
    "get_default_dtype",
    "is_sparse",
    "keep_freed_memory",
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


# A step whose largest matrix product has fewer multiply-adds than this runs BLAS on
# one thread: splitting a small product costs more in meeting than it saves, and when
# the other core is busy the second thread waits for it (digits' MLPClassifier took
# 0.9-8.6 s with two threads and a busy machine, 0.24 s with one).
SMALL_PRODUCT = 1 << 22
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
)


@contextlib.contextmanager
def blas_threads(largest_product: int, threads: int | None = None) -> Iterator[None]:
    """BLAS's thread count inside the block, put back after it.

    ``threads`` when given; otherwise one thread when ``largest_product`` (the
    multiply-adds of a step's largest matrix product) is below ``SMALL_PRODUCT`` and
    the environment sets no thread count (``OMP_NUM_THREADS`` and the like); otherwise
    BLAS as it is. The limit is process-wide while the block runs (threadpoolctl).
    """
    if threads is None and (
        largest_product >= SMALL_PRODUCT
        or any(os.environ.get(name) for name in _THREAD_VARIABLES)
    ):
        yield
        return
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads: expected a positive int or None, got {threads!r}")
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=threads or 1, user_api="blas"):
        yield


def resolve_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a Generator: ``rng`` itself, a new one seeded with it, or a fresh one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng: expected a numpy Generator, an int seed or None, got {type(rng).__name__}"
    )


# glibc's mallopt parameters (malloc.h) and the values keep_freed_memory sets.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 * 2**20  # glibc's largest: blocks above it are always mmapped
_TRIM_THRESHOLD = 256 * 2**20
_kept: bool | None = None


def keep_freed_memory() -> bool:
    """Let the C allocator keep freed array memory for reuse; True if it now does.

    A training step frees and requests the same large temporaries (im2col buffers,
    activations, gradients) every batch. By default glibc serves large blocks with
    fresh ``mmap``s and hands the free top of its heap back to the system, adjusting
    both thresholds as it goes; whether a step then reuses memory or faults fresh
    zeroed pages in depends on the exact order of allocations. Measured on LeNet-5
    training (batch 128): from 13 to 3,600 page faults per batch for small changes
    in the code, and up to 50 % longer epochs. Fixing the mmap threshold at 32 MiB
    and the trim threshold at 256 MiB keeps that memory in the process (the effect
    PyTorch's CPU tuning guide gets by switching to jemalloc or tcmalloc).

    An explicit opt-in: nothing in the library calls it behind a program's back,
    because it changes the allocator of the whole process and cannot be scoped or
    undone (once a threshold is set, glibc stops adjusting it, and there is no call
    that gives the dynamic behaviour back). ``rosenblatt train`` and the benchmarks
    opt in; a training script calls it once at the start. The peak resident memory
    is unchanged, but up to 256 MiB freed by training may stay resident afterwards.
    Only glibc has these settings (elsewhere this does nothing and returns False);
    the environment variable ROSENBLATT_SYSTEM_MALLOC=1 overrides any opt-in.
    """
    global _kept
    if _kept is None:
        _kept = False
        if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
            if os.environ.get("ROSENBLATT_SYSTEM_MALLOC", "") in ("", "0"):
                libc = ctypes.CDLL(None)  # the running process, glibc included
                _kept = bool(
                    libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
                    and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
                )
    return _kept
