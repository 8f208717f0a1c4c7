"""Module registration, modes, state_dict, summary, and the layers."""

import numpy as np
import pytest
import scipy.special

from rosenblatt import Tensor, nn
from rosenblatt.nn import functional as F
from rosenblatt.nn import init


def small_net() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(3, 4, rng=0),
        nn.ReLU(),
        nn.Dropout(0.5, rng=0),
        nn.Linear(4, 2, rng=1),
    )


def test_parameters_are_registered_in_order_with_dotted_names() -> None:
    net = small_net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert [p.shape for p in net.parameters()] == [(3, 4), (4,), (4, 2), (2,)]
    assert [type(c).__name__ for c in net.children()] == [
        "Linear",
        "ReLU",
        "Dropout",
        "Linear",
    ]


def test_shared_parameters_are_listed_once() -> None:
    layer = nn.Linear(2, 2, rng=0)
    net = nn.Sequential(layer, layer)
    assert len(list(net.parameters())) == 2


def test_super_init_is_required() -> None:
    class Forgetful(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\)"):
        Forgetful()


def test_train_and_eval_reach_every_submodule() -> None:
    net = small_net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_clears_every_gradient() -> None:
    net = small_net()
    F.cross_entropy(net(Tensor(np.ones((2, 3)))), [0, 1]).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_is_exact_and_in_place() -> None:
    source, target = (
        small_net(),
        nn.Sequential(
            nn.Linear(3, 4, rng=5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2, rng=6)
        ),
    )
    weight_array = target[0].weight.data
    target.load_state_dict(source.state_dict())
    for (_, a), (_, b) in zip(
        source.named_parameters(), target.named_parameters(), strict=True
    ):
        np.testing.assert_array_equal(a.data, b.data)
    assert target[0].weight.data is weight_array  # optimizers keep pointing at it


def test_state_dict_returns_copies() -> None:
    net = small_net()
    state = net.state_dict()
    state["0.weight"][...] = 0
    assert np.any(net[0].weight.data != 0)


def test_load_state_dict_names_missing_unexpected_and_misshaped_keys() -> None:
    net = small_net()
    state = net.state_dict()
    del state["0.bias"]
    state["extra.weight"] = np.ones(1)
    with pytest.raises(
        KeyError, match=r"missing keys '0.bias'; unexpected keys 'extra.weight'"
    ):
        net.load_state_dict(state)
    state = net.state_dict()
    state["3.weight"] = np.ones((2, 4))
    with pytest.raises(ValueError, match=r"3.weight: expected \(4, 2\), got \(2, 4\)"):
        net.load_state_dict(state)


def test_non_strict_load_ignores_unknown_keys() -> None:
    net = small_net()
    net.load_state_dict({"0.bias": np.zeros(4), "nope": np.ones(3)}, strict=False)
    np.testing.assert_array_equal(net[0].bias.data, np.zeros(4))


def test_summary_lists_layers_shapes_and_counts() -> None:
    text = small_net().summary((3,))
    assert "0 (Linear)" in text and "(None, 4)" in text and "(None, 2)" in text
    assert "Total params: 26" in text  # 3*4 + 4 + 4*2 + 2
    assert "Trainable params: 26" in text


def test_modules_walk_depth_first_in_named_modules_order() -> None:
    inner = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    net = nn.Sequential(nn.Linear(2, 4), inner, nn.Sigmoid())
    names = [name for name, _ in net.named_modules()]
    assert names == ["", "0", "1", "1.0", "1.1", "2"]
    assert list(net.modules()) == [m for _, m in net.named_modules()]
    net.eval()
    assert not any(m.training for m in (net, inner, inner[0], net[2]))


def test_sequential_rejects_non_modules() -> None:
    with pytest.raises(TypeError, match="got int at position 1"):
        nn.Sequential(nn.ReLU(), 3)


def test_a_slice_of_sequential_shares_the_layers_and_keeps_the_mode() -> None:
    net = small_net().eval()
    head = net[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head[0] is net[0] and not head.training  # the same layer, still predicting
    x = Tensor(np.random.default_rng(0).random((5, 3)))
    np.testing.assert_array_equal(head(x).data, np.maximum(net[0](x).data, 0))
    assert len(net[1:]) == 3 and len(net[5:]) == 0
    assert net.train()[:1].training


# --- Linear ---


def test_linear_weight_is_in_by_out_and_initialised_like_torch() -> None:
    layer = nn.Linear(100, 7, rng=0)
    assert layer.weight.shape == (100, 7) and layer.bias is not None
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound  # the whole interval is used


def test_linear_computes_x_w_plus_b() -> None:
    layer = nn.Linear(2, 1, rng=0)
    layer.load_state_dict({"weight": [[2.0], [3.0]], "bias": [1.0]})
    out = layer(Tensor([[1.0, 1.0], [0.0, 2.0]]))
    np.testing.assert_allclose(out.data, [[6.0], [7.0]])  # 2+3+1, 6+1


def test_linear_rejects_the_wrong_width_and_bad_sizes() -> None:
    with pytest.raises(
        ValueError, match=r"Linear: expected input of shape \(N, 3\), got \(4, 5\)"
    ):
        nn.Linear(3, 2)(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match="in_features a positive int"):
        nn.Linear(0, 2)


def test_linear_accepts_float64_data_into_float32_weights() -> None:
    out = nn.Linear(2, 2, rng=0)(Tensor(np.ones((1, 2))))
    assert out.dtype == np.float32


def test_same_seed_same_weights() -> None:
    a, b = nn.build_mlp([5, 8, 3], rng=42), nn.build_mlp([5, 8, 3], rng=42)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)
    c = nn.build_mlp([5, 8, 3], rng=43)
    assert not np.array_equal(next(a.parameters()).data, next(c.parameters()).data)


def test_build_mlp_layers_and_errors() -> None:
    net = nn.build_mlp([4, 8, 8, 2], activation="tanh", dropout=0.1, rng=0)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.build_mlp([2, 2], activation="swish")
    net = nn.build_mlp([4, 8, 8, 2], ["relu", "sigmoid"], dropout=[0.0, 0.5], rng=0)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "ReLU", "Linear", "Sigmoid", "Dropout", "Linear"]
    assert net[4].p == 0.5
    with pytest.raises(ValueError, match="activation lists 1 values but there are 2"):
        nn.build_mlp([4, 8, 8, 2], ["relu"])


# --- Dropout ---


def test_dropout_is_inverted_and_off_in_eval() -> None:
    drop = nn.Dropout(0.25, rng=0)
    x = Tensor(np.ones((200, 100)))
    out = drop(x).data
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.75)  # survivors are scaled up
    drop.eval()
    assert drop(x) is x


def test_dropout_gradient_follows_the_mask() -> None:
    x = Tensor(np.ones((4, 5)), requires_grad=True)
    out = nn.Dropout(0.5, rng=1)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # 2 where kept, 0 where dropped


def test_dropout_rejects_a_bad_probability() -> None:
    with pytest.raises(ValueError, match=r"drop probability p in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


# --- activations ---


def test_activation_modules_match_their_formulas() -> None:
    x = np.array([-2.0, 0.0, 3.0])
    t = Tensor(x, dtype=np.float64)
    np.testing.assert_allclose(nn.Identity()(t).data, x)
    np.testing.assert_allclose(nn.Step()(t).data, [0, 1, 1])
    np.testing.assert_allclose(nn.Sigmoid()(t).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nn.Tanh()(t).data, np.tanh(x))
    np.testing.assert_allclose(nn.ReLU()(t).data, [0, 0, 3])
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(t).data, [-0.2, 0, 3])
    p = nn.Softmax()(t).data
    np.testing.assert_allclose(p, np.exp(x) / np.exp(x).sum())


def test_sigmoid_does_not_overflow() -> None:
    out = Tensor([-1000.0, 1000.0]).sigmoid().data
    np.testing.assert_array_equal(out, [0.0, 1.0])
    # and keeps full relative precision far out on the left, where it is tiny
    for size in (6, 6_000):  # SciPy's expit for small arrays, NumPy's calls beyond
        x = np.resize([-700.0, -40.0, -1.0, 0.0, 3.0, 40.0], size)
        safe = np.where(x < 0, np.exp(x) / (1 + np.exp(x)), 1 / (1 + np.exp(-x)))
        np.testing.assert_allclose(Tensor(x).sigmoid().data, safe, rtol=1e-15)


# --- init ---


def test_xavier_and_kaiming_bounds_and_spread() -> None:
    w = nn.Parameter(np.zeros((300, 200)))
    init.xavier_uniform_(w, rng=0)
    bound = np.sqrt(6 / 500)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    init.xavier_normal_(w, rng=0)
    assert w.data.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    init.kaiming_uniform_(w, nonlinearity="relu", rng=0)
    assert np.abs(w.data).max() <= np.sqrt(2) * np.sqrt(3 / 300)
    init.kaiming_normal_(w, nonlinearity="relu", mode="fan_out", rng=0)
    assert w.data.std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)


def test_sklearn_glorot_factor_for_logistic_units() -> None:
    w, b = nn.Parameter(np.zeros((30, 20))), nn.Parameter(np.zeros(20))
    init.glorot_uniform_sklearn_(w, b, activation="logistic", rng=0)
    bound = np.sqrt(2 / 50)  # factor 2 instead of 6
    assert np.abs(w.data).max() <= bound and np.abs(b.data).max() <= bound
    assert np.abs(w.data).max() > 0.95 * bound


def test_sklearn_glorot_draws_like_sklearn() -> None:
    # scikit-learn draws W then b from one RandomState-like stream; with a Generator
    # the same order holds: the first fan_in*fan_out numbers are W, the next ones b.
    gen = np.random.default_rng(3)
    expected = gen.uniform(-np.sqrt(6 / 7), np.sqrt(6 / 7), (3, 4))
    w, b = (
        nn.Parameter(np.zeros((3, 4)), dtype=np.float64),
        nn.Parameter(np.zeros(4), dtype=np.float64),
    )
    init.glorot_uniform_sklearn_(w, b, rng=np.random.default_rng(3))
    np.testing.assert_allclose(w.data, expected)


def test_zeros_constant_and_bad_arguments() -> None:
    w = nn.Parameter(np.ones((2, 2)))
    init.zeros_(w)
    assert not w.data.any()
    init.constant_(w, 0.5)
    assert (w.data == 0.5).all()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(nn.Parameter(np.ones(3)))
    with pytest.raises(ValueError, match="mode 'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(w, mode="sideways")
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        init.calculate_gain("swish")


# --- losses ---


def test_cross_entropy_with_one_hot_equals_integer_targets() -> None:
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    a = F.cross_entropy(Tensor(z), [0, 1]).item()
    b = F.cross_entropy(Tensor(z), np.eye(3)[[0, 1]]).item()
    expected = np.mean(
        [
            -np.log(np.exp(2) / np.exp(z[0]).sum()),
            -np.log(np.exp(2.5) / np.exp(z[1]).sum()),
        ]
    )
    assert a == pytest.approx(expected, rel=1e-6) and b == pytest.approx(
        expected, rel=1e-6
    )


@pytest.mark.parametrize("k", [2, 10, 32, 33, 100])  # both ways of taking the row max
@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_and_its_gradient_match_the_definition(
    k: int, soft: bool
) -> None:
    rng = np.random.default_rng(k)
    z = rng.normal(scale=30.0, size=(7, k))
    if soft:
        target = rng.dirichlet(np.ones(k), size=7) * rng.uniform(0.5, 2.0, (7, 1))
    else:
        target = np.eye(k)[rng.integers(0, k, 7)]
    logits = Tensor(z, requires_grad=True)
    loss = F.cross_entropy(logits, target, reduction="sum")
    loss.backward()
    log_probs = z - scipy.special.logsumexp(z, axis=1, keepdims=True)
    assert loss.item() == pytest.approx(-(target * log_probs).sum(), rel=1e-12)
    probs = np.exp(log_probs)
    expected_grad = probs * target.sum(axis=1, keepdims=True) - target
    np.testing.assert_allclose(logits.grad, expected_grad, rtol=1e-10, atol=1e-14)


def test_cross_entropy_is_finite_for_logits_of_1e4() -> None:
    z = Tensor([[1e4, -1e4], [-1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(z, [1, 1])  # first row is confidently wrong: loss 2e4 / 2
    loss.backward()
    assert loss.item() == pytest.approx(1e4, rel=1e-6)
    assert np.isfinite(z.grad).all()


def test_loss_errors_name_the_problem() -> None:
    z = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 2\]"):
        F.cross_entropy(z, [0, 3])
    with pytest.raises(
        ValueError, match=r"expected target of shape \(2,\) or \(2, 3\)"
    ):
        F.cross_entropy(z, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="expected logits of shape"):
        F.cross_entropy(Tensor(np.zeros(3)), [0])
    with pytest.raises(ValueError, match="reduction in"):
        F.mse_loss(z, np.zeros((2, 3)), reduction="median")
    with pytest.raises(
        ValueError, match=r"mse_loss: expected target of shape \(2, 3\)"
    ):
        F.mse_loss(z, np.zeros(3))


def test_loss_modules_match_functions() -> None:
    z = Tensor([[0.3, -0.2]])
    assert nn.CrossEntropyLoss()(z, [1]).item() == F.cross_entropy(z, [1]).item()
    assert nn.MSELoss()(z, [[0.0, 0.0]]).item() == pytest.approx(0.065)
    assert nn.BCEWithLogitsLoss(reduction="sum")(
        z, [[1.0, 0.0]]
    ).item() == pytest.approx(np.log1p(np.exp(-0.3)) + np.log1p(np.exp(-0.2)))


def test_bce_gradient_at_zero_is_half_minus_target() -> None:
    z = Tensor([0.0], requires_grad=True)
    F.binary_cross_entropy_with_logits(z, [1.0], reduction="sum").backward()
    assert z.grad[0] == pytest.approx(-0.5)


def test_mse_loss_gives_a_target_that_requires_grad_its_gradient() -> None:
    x = Tensor([[1.0, 2.0]], requires_grad=True, dtype=np.float64)
    t = Tensor([[0.5, 3.0]], requires_grad=True, dtype=np.float64)
    F.mse_loss(x, t).backward()  # mean of (x - t)^2 over 2 elements: grad (x - t)
    np.testing.assert_allclose(x.grad, [[0.5, -1.0]])
    np.testing.assert_allclose(t.grad, [[-0.5, 1.0]])


def test_a_loss_is_one_graph_node() -> None:
    z = Tensor(np.zeros((4, 3)), requires_grad=True)
    for loss in (
        F.cross_entropy(z, [0, 1, 2, 0]),
        F.binary_cross_entropy_with_logits(z, np.ones((4, 3)), reduction="sum"),
        F.mse_loss(z, np.ones((4, 3))),
    ):
        assert loss._parents == (z,)  # the reduction happened inside the loss's node


def test_to_converts_parameters_and_buffers() -> None:
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4), nn.ReLU())
    assert net.to("float64") is net
    assert {p.dtype for p in net.parameters()} == {np.dtype(np.float64)}
    assert {b.dtype for _, b in net.named_buffers()} == {np.dtype(np.float64)}
    assert net[1].running_mean.dtype == np.float64  # the attribute, not only the dict
    out = net(Tensor(np.ones((5, 3)), dtype="float64"))
    assert out.dtype == np.float64
    with pytest.raises(TypeError, match="float32 or float64"):
        net.to("int64")
