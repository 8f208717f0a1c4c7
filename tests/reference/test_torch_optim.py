"""Optimizers and schedules step for step against torch.optim (float64)."""

from collections.abc import Callable

import numpy as np
import pytest

from rosenblatt import Tensor, optim

torch = pytest.importorskip("torch")

STEPS = 6

CASES: dict[str, tuple[Callable, Callable]] = {
    "sgd": (lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd_momentum_wd": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
    ),
    "sgd_nesterov": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
    ),
    "adam": (
        lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.95), eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.95), eps=1e-6),
    ),
    "adam_l2": (
        lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
    ),
    "adamw": (
        lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ),
    "rmsprop": (
        lambda p: optim.RMSprop(p, lr=0.01),
        lambda p: torch.optim.RMSprop(p, lr=0.01),
    ),
    "rmsprop_centered_momentum": (
        lambda p: optim.RMSprop(
            p, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01
        ),
        lambda p: torch.optim.RMSprop(
            p, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01
        ),
    ),
}


def loss_of(
    w, x
):  # works for both libraries: a non-quadratic loss with varying gradients
    return ((w * x).tanh() ** 2).sum() + (w**4).sum() * 0.1


@pytest.mark.parametrize("name", sorted(CASES))
def test_optimizer_matches_torch_step_for_step(name: str) -> None:
    ours_make, theirs_make = CASES[name]
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    xs = [rng.standard_normal((3, 4)) for _ in range(STEPS)]
    ours = Tensor(w0.copy(), requires_grad=True, dtype=np.float64)
    theirs = torch.tensor(w0.copy(), requires_grad=True)
    opt_ours, opt_theirs = ours_make([ours]), theirs_make([theirs])
    for x in xs:
        opt_ours.zero_grad()
        loss_of(ours, Tensor(x, dtype=np.float64)).backward()
        opt_ours.step()
        opt_theirs.zero_grad()
        loss_of(theirs, torch.tensor(x)).backward()
        opt_theirs.step()
        np.testing.assert_allclose(
            ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14
        )


SCHEDULES: dict[str, tuple[Callable, Callable]] = {
    "step": (
        lambda o: optim.StepLR(o, step_size=3, gamma=0.3),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.3),
    ),
    "exponential": (
        lambda o: optim.ExponentialLR(o, gamma=0.9),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    ),
    "cosine": (
        lambda o: optim.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    ),
    "constant": (
        lambda o: optim.ConstantLR(o, factor=0.25, total_iters=3),
        lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=3),
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name: str) -> None:
    ours_make, theirs_make = SCHEDULES[name]
    opt = optim.SGD([Tensor([0.0], requires_grad=True)], lr=0.5)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    ours, theirs = ours_make(opt), theirs_make(topt)
    assert opt.lr == pytest.approx(topt.param_groups[0]["lr"])
    for _ in range(7):
        topt.step()
        ours.step()
        theirs.step()
        assert opt.lr == pytest.approx(theirs.get_last_lr()[0], rel=1e-12)


def test_reduce_on_plateau_matches_torch() -> None:
    opt = optim.SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    ours = optim.ReduceLROnPlateau(
        opt, factor=0.5, patience=2, threshold=1e-3, cooldown=1
    )
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        topt, factor=0.5, patience=2, threshold=1e-3, cooldown=1
    )
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7]
    for m in metrics:
        ours.step(m)
        theirs.step(m)
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"])
