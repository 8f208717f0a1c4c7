"""Machine-tuned code, each piece a named function that states what it computes.

Two kinds live here. ``fast.py`` holds NumPy formulations chosen by measurement
(a row max over a transposed copy, sums as products with ones, SciPy's one-pass
logistic for small arrays), so that the ops' bodies read like their formulas. The
other modules hold compiled kernels: plain loops that numba compiles on first use,
where NumPy's cost per call is the bottleneck. Each kernel is an ordinary
Python function whose docstring states its formula; the ``kernel`` decorator compiles
it (serial, no parallel threads: they fight BLAS for the cores and make ``fork()``
unsafe) the first time it is called, so ``import rosenblatt`` never imports numba.
Compiled code is cached on disk beside the source, or in numba's user cache; where
neither is writable (a read-only install without a home), the kernel compiles
without a cache instead of failing. ``k.py_func`` is the plain function, which the
tests run against the compiled one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["kernel"]


class Kernel:
    """A function compiled by numba on its first call; ``py_func`` is the original."""

    def __init__(self, fn: Callable[..., Any], fastmath: Any) -> None:
        self.py_func = fn
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self._fastmath = fastmath
        self._compiled: Callable[..., Any] | None = None
        self._lock = threading.Lock()

    def compile(self) -> Callable[..., Any]:
        """The compiled function (compiling it now if it is not yet)."""
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    import numba

                    # NumPy's error model: x / 0 is inf, not a ZeroDivisionError,
                    # so a loop that divides has no branch and can vectorise
                    options = {"fastmath": self._fastmath, "error_model": "numpy"}
                    try:
                        compiled = numba.njit(cache=True, **options)(self.py_func)
                    except RuntimeError:  # no writable cache location: compile anyway
                        compiled = numba.njit(cache=False, **options)(self.py_func)
                    self._compiled = compiled
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        return self.compile()(*args)


def kernel(fastmath: Any = False) -> Callable[[Callable[..., Any]], Kernel]:
    """Mark a plain loop as a kernel, compiled on first use.

    ``fastmath``: numba's flags, e.g. ``{"reassoc"}`` to let a sum vectorise by
    adding in another order (its result then differs from the loop's in the last
    bits; the tests compare within a tolerance).
    """

    def wrap(fn: Callable[..., Any]) -> Kernel:
        return Kernel(fn, fastmath)

    return wrap
