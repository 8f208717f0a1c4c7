"""The optimisers' updates as one pass over each parameter: Adam, SGD and RMSprop.

NumPy updates a parameter in one pass per operation (ten for Adam), each reading and
writing the whole array; a kernel reads and writes each array once. Every operation
is done in the order the NumPy version does it, in the arrays' dtype (the caller
passes the scalars in that dtype, rounded from float64 as NumPy rounds a Python
float), so both give the same bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rosenblatt.kernels import kernel

__all__ = ["adam_step", "rmsprop_step", "sgd_step"]


@kernel()
def adam_step(
    w: Any,
    g: Any,
    m: Any,
    v: Any,
    b1: Any,
    c1: Any,
    b2: Any,
    c2: Any,
    decay: Any,
    scale: Any,
    eps: Any,
    step_size: Any,
) -> None:
    """One Adam step on the flat arrays w (weights), m and v (moments), in place.

    g <- g + decay w (coupled weight decay; skipped for decay = 0);
    m <- b1 m + c1 g;  v <- b2 v + c2 g^2  (c1 = 1 - b1, c2 = 1 - b2);
    w <- w - (m / (sqrt(v) scale + eps)) step_size,
    with scale = 1 / sqrt(1 - b2^t) and step_size = lr / (1 - b1^t) for PyTorch's
    placement of eps, or scale = 1 and step_size = lr sqrt(1 - b2^t) / (1 - b1^t) for
    scikit-learn's.
    """
    if decay != 0:  # one loop each way: no test inside a loop, so it vectorises
        for i in range(w.shape[0]):
            grad = g[i] + decay * w[i]
            m[i] = m[i] * b1 + grad * c1
            v[i] = v[i] * b2 + grad * grad * c2
            w[i] -= m[i] / (np.sqrt(v[i]) * scale + eps) * step_size
    else:
        for i in range(w.shape[0]):
            m[i] = m[i] * b1 + g[i] * c1
            v[i] = v[i] * b2 + g[i] * g[i] * c2
            w[i] -= m[i] / (np.sqrt(v[i]) * scale + eps) * step_size


@kernel()
def sgd_step(
    w: Any,
    g: Any,
    buf: Any,
    lr: Any,
    momentum: Any,
    decay: Any,
    nesterov: bool,
    lr_in_momentum: bool,
    first: bool,
) -> None:
    """One SGD step with momentum on the flat arrays w and buf (the velocity), in place.

    g <- g + decay w (skipped for decay = 0). PyTorch's form: buf <- momentum buf + g
    (buf <- g on the ``first`` step), w <- w - lr (g + momentum buf) with Nesterov,
    else w <- w - lr buf. scikit-learn's (``lr_in_momentum``): buf <- momentum buf -
    lr g, w <- w + (momentum buf - lr g) with Nesterov, else w <- w + buf.
    """
    for i in range(w.shape[0]):
        grad = g[i] + decay * w[i] if decay != 0 else g[i]
        if lr_in_momentum:
            buf[i] = buf[i] * momentum - lr * grad
            w[i] += momentum * buf[i] - lr * grad if nesterov else buf[i]
        else:
            buf[i] = grad if first else buf[i] * momentum + grad
            w[i] -= lr * (grad + momentum * buf[i] if nesterov else buf[i])


@kernel()
def rmsprop_step(
    w: Any,
    g: Any,
    v: Any,
    mean: Any,
    buf: Any,
    alpha: Any,
    c: Any,
    eps: Any,
    lr: Any,
    momentum: Any,
    decay: Any,
    centered: bool,
    with_momentum: bool,
) -> None:
    """One RMSprop step on the flat arrays w, v (and mean, buf when used), in place.

    g <- g + decay w (skipped for decay = 0); v <- alpha v + c g^2 (c = 1 - alpha);
    with ``centered``, mean <- alpha mean + c g and d = sqrt(v - mean^2) + eps, else
    d = sqrt(v) + eps; with momentum, buf <- momentum buf + g / d and w <- w - lr buf,
    else w <- w - lr (g / d).
    """
    for i in range(w.shape[0]):
        grad = g[i] + decay * w[i] if decay != 0 else g[i]
        v[i] = v[i] * alpha + c * (grad * grad)
        if centered:
            mean[i] = mean[i] * alpha + c * grad
            denom = np.sqrt(v[i] - mean[i] * mean[i]) + eps
        else:
            denom = np.sqrt(v[i]) + eps
        if with_momentum:
            buf[i] = buf[i] * momentum + grad / denom
            w[i] -= lr * buf[i]
        else:
            w[i] -= lr * (grad / denom)
