"""ReLU forward and backward in one pass each, for the hidden layers of an MLP.

``np.maximum(x, 0)`` and ``g * (y > 0)`` are slow for what they do: the scalar operand
and the boolean mask's cast to float keep both off NumPy's fast loops (every NumPy
alternative measured -- clip, fmax, where, sign, heaviside, a float mask -- is as slow
or slower). A compiled loop reads each input once and writes the output once.
Measured per call, float32 (float64 in brackets), one thread:

=============  ================  ================
shape          max(x, 0)         g * (y > 0)
=============  ================  ================
200 x 100      8.1 -> 2.3 us     6.9 -> 3.2 us
               (9.8 -> 4.0)      (12.9 -> 5.6)
128 x 256      13.0 -> 3.5 us    10.6 -> 4.7 us
               (15.7 -> 6.2)     (20.6 -> 9.4)
=============  ================  ================

Below ``KERNEL_ELEMENTS`` NumPy's call is cheap enough, and the small networks of the
history lab and the tests (XOR's 4 x 4 hidden layer) never pay for compiling a kernel.
The results are the same either way, and PyTorch's: a NaN input stays NaN, max(x, 0)
of -0.0 is 0, and the gradient where y <= 0 is exactly 0, even where the incoming
gradient is NaN or infinite (as ``torch.threshold_backward``; ``g * (y > 0)`` would
give NaN there).
"""

from __future__ import annotations

from typing import Any

from rosenblatt.backend import Array, xp
from rosenblatt.kernels import kernel

__all__ = ["KERNEL_ELEMENTS", "relu", "relu_backward"]

# Arrays of this many elements or more take the compiled loops (a 64 x 64 batch).
KERNEL_ELEMENTS = 4096


def _compiled(*arrays: Array) -> bool:
    """Whether the loops serve these arrays: large, contiguous NumPy, float32 or 64."""
    first = arrays[0]
    return (
        first.size >= KERNEL_ELEMENTS
        and all(type(a) is xp.ndarray and a.flags.c_contiguous for a in arrays)
        and all(a.dtype == first.dtype for a in arrays)
        and first.dtype.char in "fd"  # numba has no float16 or long double loops
    )


def relu(x: Array) -> Array:
    """max(x, 0), elementwise; a NaN stays NaN."""
    if not _compiled(x):
        return xp.maximum(x, 0)
    y = xp.empty_like(x)
    relu_loop(x.reshape(-1), y.reshape(-1))
    return y


def relu_backward(grad_output: Array, y: Array) -> Array:
    """grad_output where y > 0, else 0: ReLU's gradient, given its output y."""
    if grad_output.shape != y.shape or not _compiled(grad_output, y):
        return xp.where(y > 0, grad_output, 0)
    grad = xp.empty_like(grad_output)
    relu_backward_loop(grad_output.reshape(-1), y.reshape(-1), grad.reshape(-1))
    return grad


@kernel()
def relu_loop(x: Any, y: Any) -> None:
    """y[i] = 0 if x[i] <= 0 else x[i] (a NaN fails the test and is kept)."""
    for i in range(x.shape[0]):
        v = x[i]
        y[i] = 0 if v <= 0 else v


@kernel()
def relu_backward_loop(g: Any, y: Any, grad: Any) -> None:
    """grad[i] = g[i] if y[i] > 0 else 0."""
    for i in range(g.shape[0]):
        grad[i] = g[i] if y[i] > 0 else 0
