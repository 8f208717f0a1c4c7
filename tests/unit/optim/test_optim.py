"""Optimizers update in place by their formulas; schedules follow theirs; bad settings raise."""

import math

import numpy as np
import pytest

from rosenblatt import Tensor, optim


def param(values: list[float]) -> Tensor:
    return Tensor(values, requires_grad=True, dtype=np.float64)


def test_sgd_plain_step_by_hand() -> None:
    w = param([1.0, -2.0])
    data = w.data
    w.grad = np.array([0.5, 1.0])
    optim.SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.data, [0.95, -2.1])  # w - 0.1 g
    assert w.data is data  # in place


def test_sgd_momentum_and_nesterov_by_hand() -> None:
    w = param([0.0])
    opt = optim.SGD([w], lr=1.0, momentum=0.5)
    for _ in range(2):
        w.grad = np.array([1.0])
        opt.step()
    # buf1 = 1, w = -1; buf2 = 0.5 * 1 + 1 = 1.5, w = -2.5
    np.testing.assert_allclose(w.data, [-2.5])
    v = param([0.0])
    opt = optim.SGD([v], lr=1.0, momentum=0.5, nesterov=True)
    for _ in range(2):
        v.grad = np.array([1.0])
        opt.step()
    # step 1: buf = 1, update g + 0.5 buf = 1.5; step 2: buf = 1.5, update 1 + 0.75 = 1.75
    np.testing.assert_allclose(v.data, [-3.25])


def test_sgd_weight_decay_adds_l2_gradient() -> None:
    w = param([2.0])
    w.grad = np.array([0.0])
    optim.SGD([w], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(w.data, [2.0 - 0.1 * 0.5 * 2.0])


def test_adam_first_step_moves_each_weight_by_lr() -> None:
    # After one step m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps).
    w = param([1.0, 1.0])
    w.grad = np.array([10.0, -0.001])
    optim.Adam([w], lr=0.01, eps=0.0).step()
    np.testing.assert_allclose(w.data, [0.99, 1.01])


def test_optimizers_skip_parameters_without_grad_and_do_not_touch_grad() -> None:
    a, b = param([1.0]), param([2.0])
    a.grad = np.array([1.0])
    grad = a.grad.copy()
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop):
        opt = cls([a, b], lr=0.1)
        opt.step()
        np.testing.assert_array_equal(b.data, [2.0])
        np.testing.assert_array_equal(a.grad, grad)


def test_zero_grad_and_state_dict_round_trip() -> None:
    w = param([1.0, 2.0])
    opt = optim.Adam([w], lr=0.1)
    w.grad = np.array([1.0, 1.0])
    opt.step()
    saved = opt.state_dict()
    clone = optim.Adam([param([1.0, 2.0])], lr=0.5)
    clone.load_state_dict(saved)
    assert clone.lr == 0.1 and clone.step_count == 1
    np.testing.assert_array_equal(clone.state[0]["exp_avg"], opt.state[0]["exp_avg"])
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: optim.SGD(p, lr=0), "lr > 0"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=1.5), r"momentum in \[0, 1\)"),
        (
            lambda p: optim.SGD(p, lr=0.1, nesterov=True),
            "nesterov momentum needs momentum > 0",
        ),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), r"betas\[1\] in \[0, 1\)"),
        (lambda p: optim.RMSprop(p, weight_decay=-1), "weight_decay >= 0"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD([p[0], p[0]], lr=0.1), "more than once"),
    ],
)
def test_bad_settings_raise_clearly(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([param([1.0])])


def test_non_tensor_parameters_are_rejected() -> None:
    with pytest.raises(TypeError, match="expected Tensors, got ndarray at position 0"):
        optim.SGD([np.ones(2)], lr=0.1)


# --- schedules ---


def lrs(
    scheduler: optim.LRScheduler, epochs: int, metrics: list[float] | None = None
) -> list[float]:
    out = []
    for i in range(epochs):
        scheduler.step(None if metrics is None else metrics[i])
        out.append(scheduler.get_last_lr())
    return out


def test_schedules_follow_their_formulas() -> None:
    def fresh() -> optim.Optimizer:
        return optim.SGD([param([0.0])], lr=1.0)

    assert lrs(optim.StepLR(fresh(), step_size=2, gamma=0.5), 5) == [
        1,
        0.5,
        0.5,
        0.25,
        0.25,
    ]
    assert lrs(optim.ExponentialLR(fresh(), gamma=0.5), 3) == [0.5, 0.25, 0.125]
    np.testing.assert_allclose(
        lrs(optim.InverseScalingLR(fresh(), power_t=0.5), 3),
        [1 / math.sqrt(t) for t in (2, 3, 4)],
    )
    np.testing.assert_allclose(
        lrs(optim.CosineAnnealingLR(fresh(), T_max=4, eta_min=0.0), 5),
        [(1 + math.cos(math.pi * t / 4)) / 2 for t in (1, 2, 3, 4, 4)],
    )
    opt = fresh()
    constant = optim.ConstantLR(opt, factor=0.5, total_iters=2)
    assert opt.lr == 0.5
    assert lrs(constant, 3) == [0.5, 1.0, 1.0]


def test_reduce_on_plateau_waits_for_patience_then_cuts() -> None:
    opt = optim.SGD([param([0.0])], lr=1.0)
    sched = optim.ReduceLROnPlateau(
        opt, factor=0.2, patience=1, threshold=0.01, threshold_mode="abs"
    )
    # improves, then stalls for two epochs (> patience 1) -> cut; then stalls again.
    out = lrs(sched, 6, [1.0, 0.5, 0.499, 0.498, 0.497, 0.496])
    np.testing.assert_allclose(out, [1.0, 1.0, 1.0, 0.2, 0.2, 0.04])
    with pytest.raises(ValueError, match="expected the monitored metric"):
        sched.step()


def test_schedule_errors() -> None:
    opt = optim.SGD([param([0.0])], lr=1.0)
    with pytest.raises(ValueError, match="step_size >= 1"):
        optim.StepLR(opt, step_size=0)
    with pytest.raises(TypeError, match="expected an Optimizer"):
        optim.StepLR("adam", step_size=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode 'min' or 'max'"):
        optim.ReduceLROnPlateau(opt, mode="sideways")
