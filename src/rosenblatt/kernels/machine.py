"""How the library uses this machine: BLAS's threads and the C allocator's memory.

Process-wide settings, measured to matter for training speed; neither changes a
single computed number.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["SMALL_PRODUCT", "blas_threads", "keep_freed_memory"]

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
    with _thread_pools().limit(limits=threads or 1, user_api="blas"):
        yield


_pools: Any = None  # threadpoolctl's ThreadpoolController, once found
_pools_modules = 0  # how many modules Python had imported when it was found


def _thread_pools() -> Any:
    """The controller (threadpoolctl's) of the loaded thread pools: BLAS, OpenMP.

    Finding the pools walks every loaded shared library: 2.2 ms, which each ``fit``
    of a small network (and each ``partial_fit`` call) paid when it built a new one.
    The controller is kept, and found again only after Python has imported more
    modules (a library such as SciPy's or PyTorch's BLAS comes with an import).
    Limiting through it reads and restores each pool's current count, as
    ``threadpool_limits`` does (0.02 ms).
    """
    global _pools, _pools_modules
    if _pools is None or len(sys.modules) != _pools_modules:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

        _pools, _pools_modules = ThreadpoolController(), len(sys.modules)
    return _pools


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
