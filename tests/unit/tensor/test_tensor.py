"""Tensor construction, the backward engine, no_grad, and errors that name the problem."""

import pickle

import numpy as np
import pytest
import scipy.sparse

import rosenblatt as rb
from rosenblatt import Tensor
from rosenblatt.nn import functional as F

# --- construction and dtypes ---


def test_python_data_becomes_float32() -> None:
    assert Tensor([1, 2, 3]).dtype == np.float32
    assert Tensor(2.5).dtype == np.float32
    assert Tensor(np.arange(3)).dtype == np.float32


def test_float_arrays_keep_their_dtype_and_are_not_copied() -> None:
    a = np.zeros(3)
    t = Tensor(a)
    assert t.dtype == np.float64
    assert t.data is a


def test_explicit_dtype_wins() -> None:
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="float32 or float64"):
        Tensor([1], dtype=np.int32)


def test_strings_are_rejected_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="expected numbers"):
        Tensor(np.array(["a", "b"]))


def test_item_shape_len_repr() -> None:
    t = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert t.shape == (1, 3) and t.ndim == 2 and t.size == 3 and len(t) == 1
    assert "requires_grad=True" in repr(t)
    assert Tensor([4.0]).item() == 4.0
    with pytest.raises(ValueError, match="one element"):
        t.item()


def test_scalar_operand_keeps_float32() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = (t * 0.1 + 1) / 3 - 2
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad is not None and t.grad.dtype == np.float32


def test_numpy_on_the_left_defers_to_tensor() -> None:
    out = np.ones(2) + Tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(out, Tensor)


# --- backward ---


def test_backward_accumulates_across_calls_until_zeroed() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])


def test_a_tensor_used_twice_gets_both_contributions() -> None:
    x = Tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1 = 7
    y.backward()
    assert x.grad == pytest.approx(7.0)


def test_leaf_gradients_never_share_memory() -> None:
    # Add hands the same array to both parents; each leaf must get its own copy.
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(np.array([1.0, 1.0]))
    assert a.grad is not None and b.grad is not None
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_backward_on_a_non_scalar_needs_grad() -> None:
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"got shape \(3, 4\). Pass grad="):
        (x * 2).backward()
    with pytest.raises(
        ValueError, match=r"expected grad of shape \(3, 4\), got \(4,\)"
    ):
        (x * 2).backward(np.ones(4))


def test_backward_without_requires_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()


def test_a_100000_op_chain_backpropagates_without_recursion() -> None:
    x = Tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_an_interior_tensor_waits_for_every_consumer_long_and_short() -> None:
    # h feeds a one-op branch and a three-op branch: its gradient must be complete
    # (both shares in) before it passes anything on to x.
    x = Tensor(0.5, requires_grad=True, dtype=np.float64)
    h = x * 3.0
    out = h + ((h * h) * h).exp()  # d out / d h = 1 + 3 h^2 exp(h^3)
    out.backward()
    h0 = 1.5
    assert x.grad == pytest.approx(3.0 * (1 + 3 * h0**2 * np.exp(h0**3)), rel=1e-12)


def test_the_order_comes_from_the_graph_whatever_made_the_leaf() -> None:
    # A parameter restored from a pickle was made in another process; the order of
    # backward must come from the graph alone.
    w = pickle.loads(pickle.dumps(Tensor(2.0, requires_grad=True, dtype=np.float64)))
    y = (w * w).exp() + w * 5.0  # dy/dw = 2 w exp(w^2) + 5
    y.backward()
    assert w.grad == pytest.approx(4 * np.exp(4.0) + 5.0, rel=1e-12)


def test_the_graph_is_freed_after_backward() -> None:
    x = Tensor([1.0], requires_grad=True)
    hidden = x * 2
    y = hidden.sum()
    y.backward()
    assert hidden._op is None and hidden._parents == ()  # nothing keeps arrays alive
    with pytest.raises(RuntimeError, match="already freed"):
        y.backward()
    w = Tensor([3.0], requires_grad=True)  # a live leaf beside the freed part
    z = (hidden * w).sum()
    with pytest.raises(RuntimeError, match="already freed"):
        z.backward()
    assert w.grad is None  # the failed call left no partial gradient behind


def test_no_grad_records_nothing_and_restores_the_mode() -> None:
    w = Tensor([1.0], requires_grad=True)
    with rb.no_grad():
        assert not rb.is_grad_enabled()
        y = w * 2
    assert rb.is_grad_enabled()
    assert not y.requires_grad and y._op is None


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), rb.no_grad():
        raise ZeroDivisionError
    assert rb.is_grad_enabled()


def test_detach_cuts_the_graph() -> None:
    w = Tensor([2.0], requires_grad=True)
    d = (w * 3).detach()
    assert not d.requires_grad
    np.testing.assert_array_equal(d.data, [6.0])


def test_retain_grad_keeps_an_interior_gradient() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()  # d/dh = 2h = [6, 12]
    np.testing.assert_array_equal(h.grad, [6.0, 12.0])


def test_gradient_flows_only_where_needed() -> None:
    const = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    (const * w).sum().backward()
    assert const.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_broadcast_gradient_is_summed_back_to_the_input_shape() -> None:
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((1, 3)), requires_grad=True)
    c = Tensor(2.0, requires_grad=True)
    (a * b * c).sum().backward()
    assert b.grad is not None and b.grad.shape == (1, 3)
    np.testing.assert_array_equal(b.grad, [[4.0, 4.0, 4.0]])  # 2 rows x c = 2
    assert c.grad == 6.0  # six ones


# --- kinks, pinned exactly ---


def test_kink_conventions() -> None:
    x = Tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])  # relu'(0) = 0
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])  # abs'(0) = 0
    x.grad = None
    x.leaky_relu(0.1).sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 0.1, 1.0])  # slope at 0, like PyTorch
    x.grad = None
    x.clip(-1.0, 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 0.0])  # bounds are inclusive
    np.testing.assert_array_equal(x.step().data, [0.0, 1.0, 1.0])  # step(0) = 1


def test_max_ties_share_the_gradient() -> None:
    x = Tensor([3.0, 1.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.0, 0.5])


def test_maximum_ties_split_in_half() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 0.0], requires_grad=True)
    rb.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0])


def test_integer_array_indexing_adds_repeated_gradients() -> None:
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[np.array([0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])


def test_softmax_is_stable_for_huge_logits() -> None:
    z = Tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    p = z.softmax(axis=1)
    np.testing.assert_allclose(p.data, [[1.0, 0.0, 0.0]])
    assert np.isfinite(z.logsumexp(axis=1).data).all()
    p[:, 0].sum().backward()
    assert np.isfinite(z.grad).all()


def test_logsumexp_of_all_minus_infinity_is_minus_infinity() -> None:
    z = Tensor([[-np.inf, -np.inf]])
    assert z.logsumexp(axis=1).data[0] == -np.inf


# --- errors name the problem ---

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": rb.maximum,
    "minimum": rb.minimum,
    "where": lambda a, b: rb.where(np.ones((2, 3), dtype=bool), a, b),
    "pow": lambda a, b: a**b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_mismatched_shapes_in_binary_ops_name_both_shapes(name: str) -> None:
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4,)))
    with pytest.raises(
        ValueError, match=r"shapes \(2, 3\) and \(4,\) do not broadcast"
    ):
        BINARY[name](a, b)


def test_matmul_mismatch_names_the_inner_dimensions() -> None:
    with pytest.raises(
        ValueError, match=r"\(2, 3\) and \(4, 5\) do not align: 3 .* != 4"
    ):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_reshape_concatenate_stack_errors() -> None:
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match="all shapes must agree except along axis 0"):
        rb.concatenate([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="expected tensors of one shape"):
        rb.stack([np.ones(2), np.ones(3)])
    with pytest.raises(ValueError, match="at least one"):
        Tensor([1.0]).clip()


def test_reduce_axis_out_of_range() -> None:
    with pytest.raises(ValueError, match="axis 2 is out of range for 2 dimensions"):
        Tensor(np.ones((2, 3))).sum(axis=2)


def test_ops_do_not_modify_their_inputs() -> None:
    a = np.array([1.0, -2.0, 3.0])
    before = a.copy()
    t = Tensor(a, requires_grad=True)
    (t.relu() * t.sigmoid() + t.softmax() + t.clip(-1, 1)).sum().backward()
    np.testing.assert_array_equal(a, before)


# --- sparse input: constant data for linear layers ---


def test_linear_on_sparse_input_matches_its_dense_copy() -> None:
    dense = np.random.default_rng(0).random((6, 5)) * (np.arange(30) % 4 == 0).reshape(
        6, 5
    )
    sparse = scipy.sparse.csc_matrix(dense)  # kept as CSR rows
    weight = Tensor(np.random.default_rng(1).random((5, 3)), requires_grad=True)
    bias = Tensor(np.zeros(3), requires_grad=True)
    grads = []
    for x in (Tensor(sparse), Tensor(dense)):
        weight.grad = bias.grad = None
        out = F.linear(x, weight, bias)
        (out * out).sum().backward()
        grads.append((out.data, weight.grad, bias.grad))
    assert scipy.sparse.isspmatrix_csr(Tensor(sparse).data)
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_sparse_input_elsewhere_gets_a_clear_error() -> None:
    x = Tensor(scipy.sparse.random(3, 4, density=0.5, random_state=0))
    with pytest.raises(TypeError, match=r"ReLU: an input is a scipy\.sparse matrix"):
        x.relu()
    with pytest.raises(TypeError, match="cannot require grad"):
        Tensor(scipy.sparse.eye(3), requires_grad=True)


def test_boolean_masks_index_as_in_numpy_and_float_tensors_are_refused() -> None:
    x = Tensor([10.0, 20.0, 30.0, 40.0], requires_grad=True)
    mask = np.array([True, False, True, False])
    picked = x[mask]
    np.testing.assert_array_equal(picked.data, [10.0, 30.0])  # NumPy: x[mask]
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0, 0.0])
    with pytest.raises(IndexError, match="a Tensor holds floats"):
        x[Tensor([True, False, True, False])]  # made float: was [20, 10, 20, 10]


def test_a_power_of_a_non_positive_base_is_refused() -> None:
    x = Tensor([0.5, 2.0])
    np.testing.assert_allclose((2.0**x).data, [2**0.5, 4.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"base > 0, got -2\.0"):
        (-2.0) ** x  # exp(x log(-2)) was NaN, silently
    with pytest.raises(ValueError, match="every base > 0"):
        Tensor([-1.0, 2.0]) ** x
