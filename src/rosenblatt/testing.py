"""Testing helpers: ``gradcheck`` compares backpropagated gradients with finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rosenblatt.backend import ArrayLike
from rosenblatt.tensor import Tensor

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """A backpropagated gradient disagrees with the finite-difference estimate."""


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Tensor | ArrayLike,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences, in float64.

    The output is reduced to a number with a fixed random weighting, s = sum(r * fn(x)),
    and for every input element the backpropagated ds/dx_i is compared with
    (s(x + eps e_i) - s(x - eps e_i)) / (2 eps). (This is PyTorch's "fast mode":
    a wrong vector-Jacobian product fails it for almost every r.)

    Parameters
    ----------
    fn : callable
        Takes the inputs as Tensors, returns a Tensor.
    *inputs : Tensor or array_like
        Converted to float64 tensors that require grad.
    eps, atol, rtol : float
        Step and tolerances: |analytic - numeric| <= atol + rtol * |numeric|.

    Returns
    -------
    bool
        True (it raises otherwise).

    Raises
    ------
    GradcheckError
        Naming the input, the element, and both values.

    Examples
    --------
    >>> from rosenblatt.testing import gradcheck
    >>> gradcheck(lambda x: (x * x).sum(), [1.0, -2.0])
    True
    """
    arrays = [
        np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64)
        for x in inputs
    ]
    probe = fn(*[Tensor(a, dtype=np.float64) for a in arrays])
    weights = np.random.default_rng(seed).standard_normal(probe.shape)

    def scalar(values: list[np.ndarray]) -> float:
        out = fn(*[Tensor(v, dtype=np.float64) for v in values])
        return float(np.sum(out.data * weights))

    leaves = [Tensor(a.copy(), requires_grad=True, dtype=np.float64) for a in arrays]
    out = fn(*leaves)
    if out.dtype != np.float64:
        raise GradcheckError(f"gradcheck: expected a float64 output, got {out.dtype}")
    (out * Tensor(weights, dtype=np.float64)).sum().backward()
    for k, (array, leaf) in enumerate(zip(arrays, leaves, strict=True)):
        analytic = np.zeros_like(array) if leaf.grad is None else leaf.grad
        for i in np.ndindex(array.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[k][i] += eps
            minus[k][i] -= eps
            numeric = (scalar(plus) - scalar(minus)) / (2 * eps)
            if abs(analytic[i] - numeric) > atol + rtol * abs(numeric):
                raise GradcheckError(
                    f"gradcheck: input {k}, element {i}: backprop gives {analytic[i]:.8g}, "
                    f"finite differences give {numeric:.8g}"
                )
    return True
