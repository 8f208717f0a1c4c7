"""Tensor-level functions (``F``): activations, linear, dropout and losses.

Composites are written with Tensor operations and need no backward of their own;
the fused primitives they call (linear, convolution, pooling, LRN, and the losses,
which reduce inside their node) are in ``ops/``.
"""

from __future__ import annotations

import numpy as np

from rosenblatt import ops
from rosenblatt.backend import Array, ArrayLike, xp
from rosenblatt.nn.rng import resolve_rng
from rosenblatt.ops.loss import REDUCTIONS
from rosenblatt.tensor import Tensor

__all__ = [
    "avg_pool2d",
    "binary_cross_entropy_with_logits",
    "check_drop_probability",
    "conv2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "leaky_relu",
    "linear",
    "local_response_norm",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "poisson_nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "step",
    "tanh",
]


# --- activations ---


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """X if x > 0 else negative_slope * x."""
    return x.leaky_relu(negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x)."""
    return x.tanh()


def step(x: Tensor) -> Tensor:
    """1 where x >= 0 else 0 (gradient 0)."""
    return x.step()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x), axis), stable."""
    return x.softmax(axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """X - logsumexp(x, axis), stable."""
    return x.log_softmax(axis)


# --- layers ---


def _in_dtype_of(x: Tensor, weight: Tensor, who: str) -> Tensor:
    """X in the weight's dtype: data (no gradient) is converted quietly; a variable raises."""
    if x.dtype == weight.dtype:
        return x
    if x.requires_grad:
        raise TypeError(
            f"{who}: input is {x.dtype} but the weight is {weight.dtype}; convert one of them"
        )
    return Tensor(x.data.astype(weight.dtype))


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Y = x @ W + b for x (N, D_in), W (D_in, D_out), b (D_out,); leading dims of x kept."""
    data, w = x.data, weight.data
    # the usual input, a batch of rows in the weight's dtype, checked in one go (a
    # small network's step has many); any other is checked, converted, flattened
    usual = data.ndim == 2 and data.shape[1] == w.shape[0] and data.dtype == w.dtype
    if not usual:
        if x.ndim < 1 or x.shape[-1] != weight.shape[0]:
            raise ValueError(
                f"linear: expected input of shape (N, {weight.shape[0]}), got {x.shape}"
            )
        x = _in_dtype_of(x, weight, "linear")
    rows = usual or x.ndim == 2
    flat = x if rows else x.reshape(-1, weight.shape[0])
    parents = (flat, weight) if bias is None else (flat, weight, bias)
    y = Tensor.from_op(ops.Linear(), *parents)
    return y if rows else y.reshape(*x.shape[:-1], weight.shape[1])


def check_drop_probability(p: float, who: str) -> None:
    """Raise ValueError unless p is a probability, 0 <= p <= 1 (the one check of it)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{who}: expected a drop probability p in [0, 1], got {p}")


def _inverted_dropout(
    x: Tensor,
    p: float,
    training: bool,
    rng: np.random.Generator | int | None,
    mask_shape: tuple[int, ...],
    who: str,
) -> Tensor:
    """Multiply x by a mask of ``mask_shape``: 0 with probability p, else 1/(1-p)."""
    check_drop_probability(p, who)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = resolve_rng(rng).random(mask_shape, dtype=np.float32) >= p
    mask = keep.astype(x.dtype) * (1.0 / (1.0 - p))
    return x * mask


def dropout(
    x: Tensor,
    p: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Tensor:
    """Inverted dropout: zero each entry with probability p, scale survivors by 1/(1-p).

    The scaling keeps E[output] = x, so nothing changes at evaluation time, when
    (``training=False``) the input is returned as is.
    """
    return _inverted_dropout(x, p, training, rng, x.shape, "dropout")


def dropout2d(
    x: Tensor,
    p: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Tensor:
    """Inverted dropout of whole channels of (N, C, ...): one draw per sample and channel."""
    shape = (x.shape[0], x.shape[1]) + (1,) * (x.ndim - 2)
    return _inverted_dropout(x, p, training, rng, shape, "dropout2d")


# --- convolution and pooling (NCHW) ---


def _pair(value: int | tuple[int, int], name: str, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v >= minimum for v in pair):
        raise ValueError(
            f"expected {name} an int >= {minimum} or a pair of them, got {value!r}"
        )
    return pair[0], pair[1]


def _check_image(x: Tensor, who: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{who}: expected input of shape (N, C, H, W), got {x.shape}")


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation: x (N, C_in, H, W), weight (C_out, C_in/groups, kH, kW)."""
    _check_image(x, "conv2d")
    s, p, d = (
        _pair(stride, "stride", 1),
        _pair(padding, "padding", 0),
        _pair(dilation, "dilation", 1),
    )
    c_out, c_group, kh, kw = weight.shape
    if (
        groups < 1
        or x.shape[1] % groups
        or c_out % groups
        or x.shape[1] // groups != c_group
    ):
        raise ValueError(
            f"conv2d: input has {x.shape[1]} channels, weight {weight.shape} expects "
            f"{c_group * groups} in {groups} group(s)"
        )
    out = [
        ops.conv_output_size(x.shape[2 + a], (kh, kw)[a], s[a], p[a], d[a])
        for a in (0, 1)
    ]
    if min(out) < 1:
        raise ValueError(f"conv2d: a {kh}x{kw} kernel does not fit input {x.shape[2:]}")
    x = _in_dtype_of(x, weight, "conv2d")
    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor.from_op(ops.Conv2d(s, p, d, groups), *parents)


def _pool_arguments(
    x: Tensor,
    who: str,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None,
    padding: int | tuple[int, int],
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Checked (kernel, stride, padding) pairs; stride defaults to the kernel."""
    _check_image(x, who)
    k = _pair(kernel_size, "kernel_size", 1)
    s = k if stride is None else _pair(stride, "stride", 1)
    p = _pair(padding, "padding", 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{who}: padding {p} must be at most half the kernel {k}")
    return k, s, p


def max_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> Tensor:
    """Maximum over each kernel window (stride defaults to the kernel size)."""
    k, s, p = _pool_arguments(x, "max_pool2d", kernel_size, stride, padding)
    return Tensor.from_op(ops.MaxPool2d(k, s, p, _pair(dilation, "dilation", 1)), x)


def avg_pool2d(
    x: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Mean over each kernel window (padding counts as zeros)."""
    k, s, p = _pool_arguments(x, "avg_pool2d", kernel_size, stride, padding)
    return Tensor.from_op(ops.AvgPool2d(k, s, p), x)


def local_response_norm(
    x: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """AlexNet's LRN across the channels of (N, C, ...): a_c / (k + alpha/n sum a^2)^beta.

    The sum covers ``size`` channels centred on c (zero beyond the edges), as PyTorch.
    """
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: expected (N, C, ...), got {x.shape}")
    if size < 1:
        raise ValueError(f"local_response_norm: expected size >= 1, got {size}")
    return Tensor.from_op(ops.LocalResponseNorm(size, alpha, beta, k), x)


# --- losses ---


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{name}: expected reduction in {REDUCTIONS}, got {reduction!r}"
        )


def _target_array(target: Tensor | ArrayLike) -> Array:
    return target.data if isinstance(target, Tensor) else xp.asarray(target)


def _elementwise_target(
    name: str, input: Tensor, target: Tensor | ArrayLike, reduction: str, like: str
) -> Array:
    """The checked target of an elementwise loss: input's shape and dtype."""
    _check_reduction(name, reduction)
    t = _target_array(target)
    if t.dtype != input.dtype:
        t = t.astype(input.dtype)
    if t.shape != input.shape:
        raise ValueError(
            f"{name}: expected target of shape {input.shape} (as {like}), got {t.shape}"
        )
    return t


def mse_loss(
    input: Tensor, target: Tensor | ArrayLike, reduction: str = "mean"
) -> Tensor:
    """Mean squared error: mean((input - target)^2)."""
    _check_reduction("mse_loss", reduction)
    t = (
        target
        if isinstance(target, Tensor)
        else Tensor(xp.asarray(target, dtype=input.dtype))
    )
    if t.shape != input.shape:
        raise ValueError(
            f"mse_loss: expected target of shape {input.shape} (as the input), got {t.shape}"
        )
    if t.requires_grad:  # the target takes a gradient too: the composed form
        diff = input - t
        squares = diff * diff
        if reduction == "none":
            return squares
        return squares.mean() if reduction == "mean" else squares.sum()
    target_data = t.data.astype(input.dtype, copy=False)
    return Tensor.from_op(ops.SquaredError(target_data, reduction), input)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor | ArrayLike, reduction: str = "mean"
) -> Tensor:
    """-[t log sigmoid(z) + (1-t) log(1 - sigmoid(z))], stable for any logit z."""
    t = _elementwise_target(
        "binary_cross_entropy_with_logits", input, target, reduction, "the logits"
    )
    return Tensor.from_op(ops.BinaryCrossEntropyWithLogits(t, reduction), input)


def poisson_nll_loss(
    input: Tensor, target: Tensor | ArrayLike, reduction: str = "mean"
) -> Tensor:
    """exp(z) - t z for log-rates z and counts t >= 0: Poisson NLL without log(t!).

    PyTorch's ``poisson_nll_loss`` with ``log_input=True`` and ``full=False``.
    """
    t = _elementwise_target("poisson_nll_loss", input, target, reduction, "the input")
    return Tensor.from_op(ops.PoissonNLLWithLogRate(t, reduction), input)


def cross_entropy(
    input: Tensor, target: Tensor | ArrayLike, reduction: str = "mean"
) -> Tensor:
    """Softmax cross-entropy of logits (N, K) against class indices (N,) or probabilities (N, K).

    loss_n = logsumexp(z_n) - sum_k t_nk z_nk; finite for logits as large as +-1e4.
    """
    _check_reduction("cross_entropy", reduction)
    if input.ndim != 2:
        raise ValueError(
            f"cross_entropy: expected logits of shape (N, K), got {input.shape}"
        )
    n, k = input.shape
    t = _target_array(target)
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(
                f"cross_entropy: expected {n} class indices, got {t.shape[0]}"
            )
        if t.dtype.kind not in "iu":
            if t.dtype.kind != "f" or not xp.all(t == xp.round(t)):
                raise ValueError("cross_entropy: class indices must be integers")
            t = t.astype(xp.intp)
        if t.size and (t.min() < 0 or t.max() >= k):
            raise ValueError(
                f"cross_entropy: class indices must lie in [0, {k - 1}], got "
                f"{int(t.min())}..{int(t.max())}"
            )
    elif t.shape == (n, k):
        t = t.astype(input.dtype, copy=False)
    else:
        raise ValueError(
            f"cross_entropy: expected target of shape ({n},) or ({n}, {k}), got {t.shape}"
        )
    return Tensor.from_op(ops.SoftmaxCrossEntropy(t, reduction), input)
