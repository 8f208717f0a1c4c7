"""Properties that hold for every input hypothesis can draw."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rosenblatt as rb
from rosenblatt import Tensor, nn

finite = st.floats(-50, 50, allow_nan=False, width=64)


@given(
    shapes=hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=4, max_side=5
    ),
    op=st.sampled_from(["add", "sub", "mul", "maximum"]),
)
def test_broadcast_gradients_have_their_inputs_shapes(shapes, op) -> None:
    a_shape, b_shape = shapes.input_shapes
    a = Tensor(np.ones(a_shape), requires_grad=True)
    b = Tensor(np.full(b_shape, 2.0), requires_grad=True)
    out = {"add": a + b, "sub": a - b, "mul": a * b, "maximum": rb.maximum(a, b)}[op]
    assert out.shape == shapes.result_shape
    out.sum().backward()
    assert a.grad.shape == a_shape and b.grad.shape == b_shape
    # Each input element was used (output size / input size) times.
    if op == "add":
        assert a.grad.sum() == out.size and b.grad.sum() == out.size


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
        elements=finite,
    )
)
def test_softmax_rows_are_probabilities(x) -> None:
    p = Tensor(x).softmax(axis=1).data
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)


@given(
    x=hnp.arrays(np.float64, (3, 4), elements=finite),
    y=hnp.arrays(np.float64, (3, 4), elements=finite),
    alpha=finite,
)
def test_a_linear_layer_without_bias_is_linear(x, y, alpha) -> None:
    layer = nn.Linear(4, 2, bias=False, rng=0, dtype=np.float64)
    f = lambda v: layer(Tensor(v)).data  # noqa: E731
    np.testing.assert_allclose(
        f(alpha * x + y), alpha * f(x) + f(y), rtol=1e-9, atol=1e-9
    )


@given(
    x=hnp.arrays(np.float64, (2, 5), elements=finite),
    shift=finite,
)
def test_log_softmax_is_shift_invariant(x, shift) -> None:
    a = Tensor(x).log_softmax(axis=1).data
    b = Tensor(x + shift).log_softmax(axis=1).data
    np.testing.assert_allclose(a, b, atol=1e-9)


@given(seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_initial_weights(seed) -> None:
    a = nn.build_mlp([3, 5, 2], rng=seed)
    b = nn.build_mlp([3, 5, 2], rng=seed)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert pa.data.tobytes() == pb.data.tobytes()
