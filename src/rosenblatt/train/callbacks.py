"""Callbacks: code the fit loop calls at fixed points (early stopping, schedules, progress)."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Protocol

from rosenblatt.backend import Array
from rosenblatt.nn import Module
from rosenblatt.optim import LRScheduler, Optimizer, ReduceLROnPlateau

__all__ = ["HOOKS", "Callback", "EarlyStopping", "LearningRateScheduler", "ProgressBar"]

Logs = dict[str, float]


class Training(Protocol):
    """What a callback sees of the loop that runs it (``train.loop.Trainer``)."""

    model: Module
    optimizer: Optimizer
    epochs: int
    n_batches: int
    stop_training: bool


class Callback:
    """Base class: override any of the hooks; ``self.trainer`` is set before training.

    A callback stops training by setting ``self.trainer.stop_training = True``.
    """

    trainer: Training

    def on_train_begin(self, logs: Logs) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        """Before each epoch (epochs count from 0)."""

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        """After each optimizer step; logs hold the batch's loss and metrics."""

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        """After each epoch; logs hold the epoch's loss, metrics and val_* values."""

    def on_train_end(self, logs: Logs) -> None:
        """After the last epoch (also when a callback stopped training)."""


HOOKS = (
    "on_train_begin",
    "on_epoch_begin",
    "on_batch_end",
    "on_epoch_end",
    "on_train_end",
)
"""The names of ``Callback``'s hooks, in the order training reaches them."""


def _mode_for(monitor: str, mode: str) -> str:
    if mode == "auto":
        return "max" if "acc" in monitor or "score" in monitor else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"expected mode 'auto', 'min' or 'max', got {mode!r}")
    return mode


def _monitored(logs: Logs, monitor: str, who: str) -> float:
    if monitor not in logs:
        raise KeyError(
            f"{who}: monitored quantity {monitor!r} is not in the logs "
            f"(available: {', '.join(sorted(logs))}); validation metrics need validation data"
        )
    return logs[monitor]


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    With ``restore_best_weights`` the model gets back the weights of its best epoch
    when training ends. Parameters mean what they mean in Keras.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        if patience < 0:
            raise ValueError(f"EarlyStopping: expected patience >= 0, got {patience}")
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.mode = _mode_for(monitor, mode)
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs: Logs) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1
        self.wait = 0
        self.best_state: dict[str, Array] | None = None
        self.stopped_epoch: int | None = None

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        value = _monitored(logs, self.monitor, "EarlyStopping")
        better = (
            value < self.best - self.min_delta
            if self.mode == "min"
            else value > self.best + self.min_delta
        )
        if better:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = self.trainer.model.state_dict()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: Logs) -> None:
        if self.restore_best_weights and self.best_state is not None:
            self.trainer.model.load_state_dict(self.best_state)


class LearningRateScheduler(Callback):
    """Step a learning-rate schedule after every epoch; the rate is logged as ``lr``.

    ``ReduceLROnPlateau`` is given the value of ``monitor`` from the epoch's logs.
    """

    def __init__(self, scheduler: LRScheduler, monitor: str = "loss") -> None:
        self.scheduler, self.monitor = scheduler, monitor

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        logs["lr"] = self.scheduler.get_last_lr()
        if isinstance(self.scheduler, ReduceLROnPlateau):
            self.scheduler.step(_monitored(logs, self.monitor, "LearningRateScheduler"))
        else:
            self.scheduler.step()


def _format_logs(logs: Logs) -> str:
    return " - ".join(
        f"{k}: {v:.4g}" if k == "lr" else f"{k}: {v:.4f}" for k, v in logs.items()
    )


class ProgressBar(Callback):
    """Shows progress on stderr: a bar per epoch on a terminal, else one line per epoch.

    ``fit`` adds it when ``verbose`` is 1 or more; ``verbose=2`` forces the
    one-line-per-epoch form even on a terminal.
    """

    def __init__(self, verbose: int = 1, stream: Any = None) -> None:
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stderr
        self.bar: Any = None

    def _use_bar(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return self.verbose == 1 and callable(isatty) and bool(isatty())

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        self.started = time.perf_counter()
        self.epoch = epoch
        if self._use_bar():
            from tqdm import tqdm  # loaded on first use: import rosenblatt stays light

            self.bar = tqdm(
                total=self.trainer.n_batches,
                desc=f"Epoch {epoch + 1}/{self.trainer.epochs}",
                unit="batch",
                file=self.stream,
                leave=True,
                dynamic_ncols=True,
            )

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        if self.bar is not None:
            self.bar.update(1)
            if batch % 10 == 0 or batch == self.trainer.n_batches - 1:
                self.bar.set_postfix_str(_format_logs(logs), refresh=False)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(_format_logs(logs))
            self.bar.close()
            self.bar = None
            return
        seconds = time.perf_counter() - self.started
        print(
            f"Epoch {epoch + 1}/{self.trainer.epochs} - {seconds:.2f}s - {_format_logs(logs)}",
            file=self.stream,
            flush=True,
        )
