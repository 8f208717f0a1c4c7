"""Learning-rate schedules: constant, inverse scaling, step, exponential, cosine, plateau.

Each scheduler changes ``optimizer.lr``; call ``scheduler.step()`` once per epoch,
after that epoch's optimizer steps (``ReduceLROnPlateau.step(metric)`` takes the
monitored value). The text's advice -- large steps first, then smaller ones, like
focusing a microscope -- is what every decaying schedule here does.
"""

from __future__ import annotations

import math

from rosenblatt.optim.optimizer import Optimizer

__all__ = [
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "InverseScalingLR",
    "LRScheduler",
    "ReduceLROnPlateau",
    "StepLR",
]


class LRScheduler:
    """Base: sets ``optimizer.lr = lr_at(t)`` where t counts ``step()`` calls."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, t: int) -> float:
        """The learning rate after t epochs."""
        raise NotImplementedError

    def step(self, metric: float | None = None) -> None:
        """Advance one epoch and update the optimizer's learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        """The learning rate now in use."""
        return self.optimizer.lr

    def state_dict(self) -> dict[str, float]:
        """What is needed to resume the schedule."""
        return {k: v for k, v in vars(self).items() if isinstance(v, (int, float))}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Restore what ``state_dict()`` returned."""
        for key, value in state.items():
            setattr(self, key, value)


class ConstantLR(LRScheduler):
    """lr = base_lr * factor for the first ``total_iters`` epochs, then base_lr (as PyTorch).

    With ``factor=1`` the rate never changes -- scikit-learn's 'constant'.
    """

    def __init__(
        self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5
    ) -> None:
        super().__init__(optimizer)
        if not 0 < factor <= 1:
            raise ValueError(f"ConstantLR: expected factor in (0, 1], got {factor}")
        self.factor, self.total_iters = factor, total_iters
        optimizer.lr = self.lr_at(0)

    def lr_at(self, t: int) -> float:
        return self.base_lr * (self.factor if t < self.total_iters else 1.0)


class InverseScalingLR(LRScheduler):
    """lr = base_lr / (t + 1)^power_t (scikit-learn's 'invscaling'; it counts samples as t)."""

    def __init__(self, optimizer: Optimizer, power_t: float = 0.5) -> None:
        super().__init__(optimizer)
        if power_t < 0:
            raise ValueError(f"InverseScalingLR: expected power_t >= 0, got {power_t}")
        self.power_t = power_t

    def lr_at(self, t: int) -> float:
        return float(self.base_lr / (t + 1) ** self.power_t)


class StepLR(LRScheduler):
    """lr = base_lr * gamma^(t // step_size): drop by gamma every step_size epochs."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1
    ) -> None:
        super().__init__(optimizer)
        if step_size < 1:
            raise ValueError(f"StepLR: expected step_size >= 1, got {step_size}")
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma^t."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer)
        if not 0 < gamma <= 1:
            raise ValueError(f"ExponentialLR: expected gamma in (0, 1], got {gamma}")
        self.gamma = gamma

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma**t


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2.

    References
    ----------
    Loshchilov & Hutter, "SGDR: Stochastic gradient descent with warm restarts", 2017.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer)
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: expected T_max >= 1, got {T_max}")
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self, t: int) -> float:
        phase = math.pi * min(t, self.T_max) / self.T_max
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(phase)) / 2


class ReduceLROnPlateau(LRScheduler):
    """Multiply lr by ``factor`` when the metric has not improved for ``patience`` epochs.

    "Improved" means below best * (1 - threshold) (``threshold_mode='rel'``) or below
    best - threshold ('abs') in ``mode='min'``; the mirror image in 'max'. With
    factor=0.2, threshold_mode='abs', threshold=tol and patience=n_iter_no_change - 1
    this is scikit-learn's 'adaptive' rate (which also stops training once lr <= 1e-6).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(
                f"ReduceLROnPlateau: expected mode 'min' or 'max', got {mode!r}"
            )
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: expected threshold_mode 'rel' or 'abs', got {threshold_mode!r}"
            )
        if not 0 < factor < 1:
            raise ValueError(
                f"ReduceLROnPlateau: expected factor in (0, 1), got {factor}"
            )
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr = cooldown, min_lr
        self.best = math.inf if mode == "min" else -math.inf
        self.bad_epochs = 0
        self.cooldown_left = 0

    def _improved(self, metric: float) -> bool:
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            bar = self.best * (1 - sign * self.threshold)
        else:
            bar = self.best - sign * self.threshold
        return sign * metric < sign * bar

    def step(self, metric: float | None = None) -> None:
        if metric is None:
            raise ValueError(
                "ReduceLROnPlateau.step: expected the monitored metric, got None"
            )
        self.last_epoch += 1
        if self._improved(metric):
            self.best, self.bad_epochs = metric, 0
        else:
            self.bad_epochs += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_epochs = 0
        if self.bad_epochs > self.patience:
            self.optimizer.lr = max(self.optimizer.lr * self.factor, self.min_lr)
            self.cooldown_left, self.bad_epochs = self.cooldown, 0
