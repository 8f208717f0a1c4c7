"""One table of differentiable ops, driving the gradchecks and the PyTorch comparisons.

Each case says how to call the op in rosenblatt and in PyTorch, which shapes to draw
(with hypothesis) and which domain the values come from: away from kinks (relu at 0),
poles (1/x at 0) and the edges of a domain (log at 0), where finite differences lie.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rosenblatt as rb
from rosenblatt.kernels import conv
from rosenblatt.nn import functional as F

Draw = Any  # hypothesis' data.draw


# --- domains: map standard-normal draws into the region a case is checked on ---


def anywhere(x: np.ndarray) -> np.ndarray:
    return x


def positive(x: np.ndarray) -> np.ndarray:
    return np.abs(x) + 0.5


def away_from_zero(x: np.ndarray) -> np.ndarray:
    return np.sign(x + 1e-12) * (np.abs(x) + 0.1)


def away_from(*points: float) -> Callable[[np.ndarray], np.ndarray]:
    """Move values closer than 0.1 to any of ``points`` out to 0.1 from it."""

    def domain(x: np.ndarray) -> np.ndarray:
        y = np.array(x, dtype=np.float64)
        for p in points:
            near = np.abs(y - p) < 0.1
            y[near] = p + np.where(y[near] >= p, 0.1, -0.1)
        return y

    return domain


# --- shape strategies ---


def small_shape(
    min_dims: int = 1, max_dims: int = 3
) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4
    )


def broadcast_pair() -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4
    ).map(lambda b: b.input_shapes)


@dataclass(frozen=True)
class OpCase:
    """How to build inputs, and how to call the op in both libraries.

    ``draw(data)`` returns (input shapes, extra keyword arguments); ``fn(*tensors,
    **extra)`` is rosenblatt's call and ``torch_fn(*tensors, **extra)`` PyTorch's.
    ``domains`` gives one domain per input. ``torch_grad`` is False where PyTorch has
    no gradient to compare (step).
    """

    name: str
    draw: Callable[[Draw], tuple[list[tuple[int, ...]], dict[str, Any]]]
    fn: Callable[..., rb.Tensor]
    torch_fn: Callable[..., Any]
    domains: tuple[Callable[[np.ndarray], np.ndarray], ...] = (anywhere,)
    torch_grad: bool = True


def unary(shape_strategy: st.SearchStrategy[tuple[int, ...]] | None = None) -> Callable:
    strategy = small_shape(0, 3) if shape_strategy is None else shape_strategy

    def draw(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
        return [data.draw(strategy)], {}

    return draw


def binary(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    return list(data.draw(broadcast_pair())), {}


def reduction(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 3))
    ndim = len(shape)
    axis = data.draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(
                st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True
            ).map(tuple),
        )
    )
    return [shape], {"axis": axis, "keepdims": data.draw(st.booleans())}


def torch_dims(x: Any, axis: Any) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(x.ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def matmul_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    form = data.draw(st.sampled_from(["mm", "vm", "mv", "vv", "batched"]))
    shapes = {
        "mm": [(n, k), (k, m)],
        "vm": [(k,), (k, m)],
        "mv": [(n, k), (k,)],
        "vv": [(k,), (k,)],
        "batched": [(2, n, k), (k, m)],
    }[form]
    return shapes, {}


def linear_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    n, d_in, d_out = (data.draw(st.integers(1, 4)) for _ in range(3))
    return [(n, d_in), (d_in, d_out), (d_out,)], {}


def softmax_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 3))
    return [shape], {"axis": data.draw(st.integers(-len(shape), len(shape) - 1))}


def getitem_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    rows, cols = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    kind = data.draw(st.sampled_from(["slice", "int", "array", "pair", "mask", "rows"]))
    if kind == "mask":  # a boolean mask over every entry: NumPy's x[x > t]
        index: Any = (np.arange(rows * cols).reshape(rows, cols) % 3 != 1,)
    elif kind == "rows":  # a boolean mask over the rows
        index = (np.arange(rows) % 2 == 0,)
    elif kind == "slice":
        index = (slice(0, None, 2), slice(None, None, -1))
    elif kind == "int":
        index = (rows - 1,)
    elif kind == "array":  # repeated rows: their gradients must add up
        index = (np.array([0, rows - 1, 0]),)
    else:
        index = (np.array([0, rows - 1]), np.array([cols - 1, 0]))
    return [(rows, cols)], {"index": index}


def join_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 3))
    axis = data.draw(st.integers(0, len(shape) - 1))
    other = list(shape)
    other[axis] = data.draw(st.integers(1, 4))
    return [shape, tuple(other)], {"axis": axis}


def stack_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 2))
    return [shape, shape, shape], {"axis": data.draw(st.integers(0, len(shape)))}


def where_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    a, b = data.draw(broadcast_pair())
    out = np.broadcast_shapes(a, b)
    seed = data.draw(st.integers(0, 2**16))
    condition = np.random.default_rng(seed).random(out) > 0.5
    return [a, b], {"condition": condition}


def ce_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    n, k = data.draw(st.integers(1, 5)), data.draw(st.integers(2, 5))
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if data.draw(st.booleans()):
        target: np.ndarray = rng.integers(0, k, size=n)
    else:
        target = rng.dirichlet(np.ones(k), size=n)
    reduction = data.draw(st.sampled_from(["mean", "sum", "none"]))
    return [(n, k)], {"target": target, "reduction": reduction}


def bce_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 2))
    seed = data.draw(st.integers(0, 2**16))
    target = np.random.default_rng(seed).random(shape)
    return [shape], {
        "target": target,
        "reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
    }


def mse_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 2))
    target = np.random.default_rng(data.draw(st.integers(0, 2**16))).standard_normal(
        shape
    )
    return [shape], {
        "target": target,
        "reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
    }


def poisson_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shape = data.draw(small_shape(1, 2))
    seed = data.draw(st.integers(0, 2**16))
    counts = np.random.default_rng(seed).poisson(2.0, shape).astype(np.float64)
    return [shape], {
        "target": counts,
        "reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
    }


def conv_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    groups = data.draw(st.sampled_from([1, 1, 2]))
    c_in, c_out = (
        groups * data.draw(st.integers(1, 2)),
        groups * data.draw(st.integers(1, 2)),
    )
    k = data.draw(st.integers(1, 3))
    stride, padding, dilation = (data.draw(st.integers(1, 2)) for _ in range(3))
    padding -= 1  # 0 or 1
    reach = dilation * (k - 1) + 1
    h = data.draw(st.integers(max(1, reach - 2 * padding), 6))
    w = data.draw(st.integers(max(1, reach - 2 * padding), 6))
    n = data.draw(st.integers(1, 2))
    shapes = [(n, c_in, h, w), (c_out, c_in // groups, k, k), (c_out,)]
    return shapes, {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


def pool_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    k = data.draw(st.integers(1, 3))
    stride = data.draw(st.integers(1, 3))
    padding = data.draw(st.integers(0, k // 2))
    h, w = data.draw(st.integers(k, 6)), data.draw(st.integers(k, 6))
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)), h, w)
    return [shape], {"kernel_size": k, "stride": stride, "padding": padding}


def dilated_pool_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    shapes, extra = pool_shapes(data)
    dilation = data.draw(st.integers(1, 2))
    reach = dilation * (extra["kernel_size"] - 1) + 1 - 2 * extra["padding"]
    n, c, h, w = shapes[0]
    return [(n, c, max(h, reach), max(w, reach))], {**extra, "dilation": dilation}


def lrn_shapes(data: Draw) -> tuple[list[tuple[int, ...]], dict[str, Any]]:
    size = data.draw(st.integers(1, 6))
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 7)))
    shape += tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    beta = data.draw(st.sampled_from([0.5, 0.75, 1.0]))
    return [shape], {"size": size, "alpha": 0.5, "beta": beta, "k": 2.0}


def _torch() -> Any:
    import torch

    return torch


def _tf() -> Any:
    import torch.nn.functional as tf

    return tf


def _index_for_torch(index: tuple[Any, ...]) -> tuple[Any, ...]:
    torch = _torch()
    return tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)


def _torch_getitem(x: Any, index: tuple[Any, ...]) -> Any:
    if any(isinstance(i, slice) and i.step is not None and i.step < 0 for i in index):
        # PyTorch has no negative-step slices; flip reproduces ::-1 on the last axis.
        first = index[0]
        return _torch().flip(x[first], dims=[1])
    return x[_index_for_torch(index)]


def _torch_ce(z: Any, target: np.ndarray, reduction: str) -> Any:
    torch = _torch()
    t = torch.as_tensor(target)
    return _tf().cross_entropy(z, t, reduction=reduction)


OP_CASES: list[OpCase] = [
    # arithmetic (broadcasting)
    OpCase("add", binary, lambda a, b: a + b, lambda a, b: a + b, (anywhere, anywhere)),
    OpCase("sub", binary, lambda a, b: a - b, lambda a, b: a - b, (anywhere, anywhere)),
    OpCase("mul", binary, lambda a, b: a * b, lambda a, b: a * b, (anywhere, anywhere)),
    OpCase(
        "div",
        binary,
        lambda a, b: a / b,
        lambda a, b: a / b,
        (anywhere, away_from_zero),
    ),
    OpCase("neg", unary(), lambda x: -x, lambda x: -x),
    OpCase("pow_scalar", unary(), lambda x: x**2.5, lambda x: x**2.5, (positive,)),
    OpCase("pow_int", unary(), lambda x: x**3, lambda x: x**3),
    OpCase(
        "pow_tensor", binary, lambda a, b: a**b, lambda a, b: a**b, (positive, anywhere)
    ),
    OpCase("rsub_scalar", unary(), lambda x: 1.5 - x, lambda x: 1.5 - x),
    OpCase(
        "rdiv_scalar", unary(), lambda x: 2.0 / x, lambda x: 2.0 / x, (away_from_zero,)
    ),
    OpCase(
        "matmul",
        matmul_shapes,
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        (anywhere, anywhere),
    ),
    # elementwise functions
    OpCase("exp", unary(), lambda x: x.exp(), lambda x: x.exp()),
    OpCase("log", unary(), lambda x: x.log(), lambda x: x.log(), (positive,)),
    OpCase("sqrt", unary(), lambda x: x.sqrt(), lambda x: x.sqrt(), (positive,)),
    OpCase("abs", unary(), lambda x: x.abs(), lambda x: x.abs(), (away_from_zero,)),
    OpCase("tanh", unary(), lambda x: x.tanh(), lambda x: x.tanh()),
    OpCase("sigmoid", unary(), lambda x: x.sigmoid(), lambda x: x.sigmoid()),
    OpCase("relu", unary(), lambda x: x.relu(), lambda x: x.relu(), (away_from_zero,)),
    OpCase(
        "leaky_relu",
        unary(),
        lambda x: x.leaky_relu(0.2),
        lambda x: _tf().leaky_relu(x, 0.2),
        (away_from_zero,),
    ),
    OpCase(
        "clip",
        unary(),
        lambda x: x.clip(-0.55, 0.65),
        lambda x: x.clamp(-0.55, 0.65),
        (away_from(-0.55, 0.65),),
    ),
    OpCase(
        "step",
        unary(),
        lambda x: x.step(),
        lambda x: _torch().heaviside(x, _torch().tensor(1.0, dtype=x.dtype)),
        (away_from_zero,),
        torch_grad=False,
    ),
    # reductions
    OpCase(
        "sum",
        reduction,
        lambda x, axis, keepdims: x.sum(axis, keepdims),
        lambda x, axis, keepdims: x.sum(dim=torch_dims(x, axis), keepdim=keepdims),
    ),
    OpCase(
        "mean",
        reduction,
        lambda x, axis, keepdims: x.mean(axis, keepdims),
        lambda x, axis, keepdims: x.mean(dim=torch_dims(x, axis), keepdim=keepdims),
    ),
    OpCase(
        "max",
        reduction,
        lambda x, axis, keepdims: x.max(axis, keepdims),
        lambda x, axis, keepdims: x.amax(dim=torch_dims(x, axis), keepdim=keepdims),
    ),
    OpCase(
        "min",
        reduction,
        lambda x, axis, keepdims: x.min(axis, keepdims),
        lambda x, axis, keepdims: x.amin(dim=torch_dims(x, axis), keepdim=keepdims),
    ),
    OpCase(
        "logsumexp",
        reduction,
        lambda x, axis, keepdims: x.logsumexp(axis, keepdims),
        lambda x, axis, keepdims: x.logsumexp(
            dim=torch_dims(x, axis), keepdim=keepdims
        ),
    ),
    OpCase(
        "sum_of_squares",
        stack_shapes,
        lambda a, b, c, axis: rb.sum_of_squares([a, b, c], scale=0.3),
        lambda a, b, c, axis: 0.3 * ((a * a).sum() + (b * b).sum() + (c * c).sum()),
        (anywhere, anywhere, anywhere),
    ),
    OpCase(
        "softmax",
        softmax_shapes,
        lambda x, axis: x.softmax(axis),
        lambda x, axis: x.softmax(dim=axis),
    ),
    OpCase(
        "log_softmax",
        softmax_shapes,
        lambda x, axis: x.log_softmax(axis),
        lambda x, axis: x.log_softmax(dim=axis),
    ),
    # shape
    OpCase(
        "reshape",
        unary(small_shape(1, 3)),
        lambda x: x.reshape(-1),
        lambda x: x.reshape(-1),
    ),
    OpCase(
        "transpose",
        unary(small_shape(0, 3)),
        lambda x: x.T,
        lambda x: x.permute(*reversed(range(x.ndim))) if x.ndim else x,
    ),
    OpCase(
        "transpose_axes",
        unary(small_shape(3, 3)),
        lambda x: x.transpose(1, 2, 0),
        lambda x: x.permute(1, 2, 0),
    ),
    OpCase(
        "getitem",
        getitem_shapes,
        lambda x, index: x[index],
        _torch_getitem,
    ),
    OpCase(
        "concatenate",
        join_shapes,
        lambda a, b, axis: rb.concatenate([a, b], axis=axis),
        lambda a, b, axis: _torch().cat([a, b], dim=axis),
        (anywhere, anywhere),
    ),
    OpCase(
        "stack",
        stack_shapes,
        lambda a, b, c, axis: rb.stack([a, b, c], axis=axis),
        lambda a, b, c, axis: _torch().stack([a, b, c], dim=axis),
        (anywhere, anywhere, anywhere),
    ),
    OpCase(
        "where",
        where_shapes,
        lambda a, b, condition: rb.where(condition, a, b),
        lambda a, b, condition: _torch().where(_torch().as_tensor(condition), a, b),
        (anywhere, anywhere),
    ),
    OpCase(
        "maximum",
        binary,
        lambda a, b: rb.maximum(a, b),
        lambda a, b: _torch().maximum(a, b),
        (anywhere, anywhere),
    ),
    OpCase(
        "minimum",
        binary,
        lambda a, b: rb.minimum(a, b),
        lambda a, b: _torch().minimum(a, b),
        (anywhere, anywhere),
    ),
    # convolution and pooling (NCHW), hypothesis-drawn strides, paddings, dilations, groups
    OpCase(
        "conv2d",
        conv_shapes,
        lambda x, w, b, **kw: F.conv2d(x, w, b, **kw),
        lambda x, w, b, **kw: _tf().conv2d(x, w, b, **kw),
        (anywhere, anywhere, anywhere),
    ),
    OpCase(
        "max_pool2d",
        pool_shapes,
        lambda x, **kw: F.max_pool2d(x, **kw),
        lambda x, **kw: _tf().max_pool2d(x, **kw),
    ),
    OpCase(
        "max_pool2d_dilated",
        dilated_pool_shapes,
        lambda x, **kw: F.max_pool2d(x, **kw),
        lambda x, **kw: _tf().max_pool2d(x, **kw),
    ),
    OpCase(
        "avg_pool2d",
        pool_shapes,
        lambda x, **kw: F.avg_pool2d(x, **kw),
        lambda x, **kw: _tf().avg_pool2d(x, **kw),
    ),
    OpCase(
        "local_response_norm",
        lrn_shapes,
        lambda x, **kw: F.local_response_norm(x, **kw),
        lambda x, **kw: _tf().local_response_norm(x, **kw),
    ),
    # nn.functional: fused linear and losses
    OpCase(
        "linear",
        linear_shapes,
        lambda x, w, b: F.linear(x, w, b),
        lambda x, w, b: _tf().linear(x, w.T, b),
        (anywhere, anywhere, anywhere),
    ),
    OpCase(
        "cross_entropy",
        ce_shapes,
        lambda z, target, reduction: F.cross_entropy(z, target, reduction),
        _torch_ce,
    ),
    OpCase(
        "bce_with_logits",
        bce_shapes,
        lambda z, target, reduction: F.binary_cross_entropy_with_logits(
            z, target, reduction
        ),
        lambda z, target, reduction: _tf().binary_cross_entropy_with_logits(
            z, _torch().as_tensor(target), reduction=reduction
        ),
    ),
    OpCase(
        "poisson_nll_loss",
        poisson_shapes,
        lambda z, target, reduction: F.poisson_nll_loss(z, target, reduction),
        lambda z, target, reduction: _tf().poisson_nll_loss(
            z,
            _torch().as_tensor(target),
            log_input=True,
            full=False,
            reduction=reduction,
        ),
    ),
    OpCase(
        "mse_loss",
        mse_shapes,
        lambda x, target, reduction: F.mse_loss(x, target, reduction),
        lambda x, target, reduction: _tf().mse_loss(
            x, _torch().as_tensor(target), reduction=reduction
        ),
    ),
]


@contextlib.contextmanager
def _compiled_loops() -> Iterator[None]:
    """Every size takes the compiled im2col, col2im and max-pool loops (as only large
    layers do otherwise); col2im's choice is made in the forward, by ``unfold``."""
    saved = conv.KERNEL_COLUMNS, conv.POOL_ELEMENTS
    conv.KERNEL_COLUMNS = conv.POOL_ELEMENTS = 0
    try:
        yield
    finally:
        conv.KERNEL_COLUMNS, conv.POOL_ELEMENTS = saved


def _compiled(case: OpCase) -> OpCase:
    """The case with its forward (which chooses the backward's path) on the loops."""

    def fn(*args: Any, **kwargs: Any) -> rb.Tensor:
        with _compiled_loops():
            return case.fn(*args, **kwargs)

    return dataclasses.replace(case, name=case.name + "_compiled", fn=fn)


OP_CASES += [
    _compiled(case)
    for case in OP_CASES
    if case.name in ("conv2d", "max_pool2d", "max_pool2d_dilated")
]


def make_inputs(case: OpCase, data: Draw) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Draw shapes and float64 values in the case's domains."""
    shapes, extra = case.draw(data)
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    domains = (
        case.domains if len(case.domains) == len(shapes) else case.domains * len(shapes)
    )
    arrays = [
        np.asarray(domain(rng.standard_normal(shape)), dtype=np.float64)
        for shape, domain in zip(shapes, domains, strict=True)
    ]
    return arrays, extra
