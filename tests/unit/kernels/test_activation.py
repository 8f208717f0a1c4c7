"""ReLU's compiled loops: the loops equal their Python form, and ``relu`` and
``relu_backward`` give NumPy's numbers on both sides of the size where they switch."""

import numpy as np
import pytest

from rosenblatt import Tensor, nn
from rosenblatt.kernels.activation import (
    KERNEL_ELEMENTS,
    relu,
    relu_backward,
    relu_backward_loop,
    relu_loop,
)

EDGES = [np.nan, -np.inf, np.inf, -0.0, 0.0, -1.5, 2.5]


def _inputs(size: int, dtype) -> np.ndarray:
    rng = np.random.default_rng(size)
    x = rng.normal(size=size)
    x[: len(EDGES)] = EDGES
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loops_equal_their_python_form(dtype) -> None:
    x, g = _inputs(50, dtype), _inputs(51, dtype)[:50]
    y_py, y_jit = np.empty_like(x), np.empty_like(x)
    relu_loop.py_func(x, y_py)
    relu_loop(x, y_jit)
    np.testing.assert_array_equal(y_jit, y_py)
    grad_py, grad_jit = np.empty_like(x), np.empty_like(x)
    relu_backward_loop.py_func(g, y_py, grad_py)
    relu_backward_loop(g, y_jit, grad_jit)
    np.testing.assert_array_equal(grad_jit, grad_py)


@pytest.mark.parametrize("size", [KERNEL_ELEMENTS - 1, KERNEL_ELEMENTS, 3 * 4096])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_and_its_gradient_are_numpys_on_both_sides_of_the_switch(
    size: int, dtype
) -> None:
    x = _inputs(size, dtype).reshape(-1, 1) if size % 2 else _inputs(size, dtype)
    y = relu(x)
    assert y.dtype == dtype and y.shape == x.shape
    # NumPy's max(x, 0), the sign of zero aside (the loop gives +0.0 for -0.0)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    assert np.isnan(y[np.isnan(x)]).all()
    g = _inputs(size + 7, dtype)[:size].reshape(x.shape)
    g[np.isfinite(g)] *= 3
    grad = relu_backward(g, y)
    expected = np.where(y > 0, g, 0)  # 0 where y <= 0, even for a NaN gradient
    np.testing.assert_array_equal(grad, expected)


def test_a_strided_or_half_precision_input_takes_numpy_s_way() -> None:
    x = _inputs(2 * KERNEL_ELEMENTS, np.float64).reshape(2, -1).T  # not C-contiguous
    np.testing.assert_array_equal(relu(x), np.maximum(x, 0))
    half = _inputs(2 * KERNEL_ELEMENTS, np.float16)
    assert relu(half).dtype == np.float16
    np.testing.assert_array_equal(relu(half), np.maximum(half, 0))
    g = np.ones_like(x)
    np.testing.assert_array_equal(relu_backward(g, relu(x)), (x > 0).astype(float))


def test_a_large_relu_layer_backpropagates_through_the_loops() -> None:
    x = Tensor(
        _inputs(2 * KERNEL_ELEMENTS, np.float32).reshape(64, -1), requires_grad=True
    )
    x.data[~np.isfinite(x.data)] = 1.0
    nn.ReLU()(x).sum().backward()
    np.testing.assert_array_equal(x.grad, (x.data > 0).astype(np.float32))
