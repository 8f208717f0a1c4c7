"""The fit loop: mini-batches, forward, loss, backward, step, callbacks, History."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

import numpy as np

from rosenblatt.backend import (
    Array,
    ArrayLike,
    as_sparse_rows,
    is_sparse,
    xp,
)
from rosenblatt.kernels.fast import all_finite
from rosenblatt.kernels.machine import SMALL_PRODUCT, blas_threads
from rosenblatt.nn import Conv2d, Linear, Module
from rosenblatt.nn.rng import resolve_rng
from rosenblatt.optim import Optimizer
from rosenblatt.tensor import Tensor, no_grad
from rosenblatt.train.callbacks import (
    HOOKS,
    Callback,
    LearningRateScheduler,
    Logs,
    ProgressBar,
)
from rosenblatt.train.checkpoint import Resumable, load_checkpoint, save_checkpoint
from rosenblatt.train.metrics import Metric, resolve_metrics

__all__ = [
    "DivergenceError",
    "History",
    "LossFn",
    "Sampler",
    "Trainer",
    "evaluate",
    "fit",
    "predict",
]

_Batchable = tuple[Array, Array, Array | None]  # inputs, targets, sample weights

Sampler = Callable[[int], Array]
"""sampler(n) -> the order (a permutation of range(n)) in which an epoch visits the samples."""

LossFn = Callable[..., Tensor]
"""loss_fn(outputs, targets) -> a scalar Tensor, e.g. ``nn.functional.cross_entropy``.

When ``fit`` is given ``sample_weight``, it is called as loss_fn(outputs, targets,
weights) with the batch's weights, shape (N,).
"""


@dataclass
class History:
    """What training recorded: ``history[name]`` is a list with one value per epoch.

    Names are ``loss``, each metric (``accuracy``), their ``val_`` versions when there
    is validation data, and ``lr`` when a schedule callback runs.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)

    def append(self, epoch: int, logs: Logs) -> None:
        """Record one epoch's logs."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)


def _as_inputs(X: ArrayLike, dtype: np.dtype, who: str) -> Array:
    if is_sparse(X):  # kept sparse, as CSR rows: for a network that starts with Linear
        rows = as_sparse_rows(X, dtype)
        if not all_finite(rows.data):
            raise ValueError(f"{who}: X contains NaN or infinity")
        sparse_rows: Array = rows
        return sparse_rows
    array = xp.asarray(X)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{who}: expected numeric X, got dtype {array.dtype}")
    array = array.astype(dtype, copy=False)
    if array.ndim < 2:
        raise ValueError(
            f"{who}: expected X with a sample axis and features, got shape {array.shape}"
        )
    if not all_finite(array):
        raise ValueError(f"{who}: X contains NaN or infinity")
    return array


def _as_targets(y: ArrayLike, n: int, dtype: np.dtype, who: str) -> Array:
    array = xp.asarray(y)
    if array.shape[:1] != (n,):
        raise ValueError(
            f"{who}: X has {n} samples but y has {array.shape[:1] or 'no'} rows"
        )
    if array.dtype.kind == "f":
        if not all_finite(array):
            raise ValueError(f"{who}: y contains NaN or infinity")
        return array.astype(dtype, copy=False)
    if array.dtype.kind not in "biu":
        raise TypeError(
            f"{who}: expected numeric y (class indices or values), got dtype {array.dtype}; "
            "encode string labels first (e.g. sklearn.preprocessing.LabelEncoder)"
        )
    return array


def _model_dtype(model: Module) -> np.dtype:
    param = next(iter(model.parameters()), None)
    if param is None:
        raise ValueError(
            f"fit: the model {type(model).__name__} has no parameters to train"
        )
    return param.dtype


def predict(model: Module, X: ArrayLike, batch_size: int = 1024) -> Array:
    """The model's outputs for X, in evaluation mode, batch by batch, without a graph."""
    inputs = _as_inputs(X, _model_dtype(model), "predict")
    was_training = model.training
    if was_training:  # a model in evaluation mode is read, never written
        model.eval()
    try:
        with no_grad():
            parts = [
                model(Tensor(inputs[i : i + batch_size])).data
                for i in range(0, inputs.shape[0], batch_size)
            ]
    finally:
        if was_training:
            model.train()
    return xp.concatenate(parts) if parts else xp.empty((0,))


def evaluate(
    model: Module,
    loss_fn: LossFn,
    X: ArrayLike,
    y: ArrayLike,
    metrics: Sequence[str | Metric] = ("accuracy",),
    batch_size: int = 1024,
) -> dict[str, float]:
    """Loss and metrics of the model on (X, y), in evaluation mode."""
    outputs = predict(model, X, batch_size)
    targets = _as_targets(y, len(outputs), outputs.dtype, "evaluate")
    with no_grad():
        logs = {"loss": loss_fn(Tensor(outputs), targets).item()}
    for name, metric in resolve_metrics(metrics).items():
        logs[name] = metric(outputs, targets)
    return logs


class DivergenceError(FloatingPointError):
    """Training diverged: the loss became NaN or infinite, or exploded (see ``Trainer``).

    ``exploded`` tells the two apart: True when the loss was still a finite number.
    """

    def __init__(self, message: str, exploded: bool) -> None:
        super().__init__(message)
        self.exploded = exploded


def largest_product(model: Module, batch_size: int) -> int:
    """The multiply-adds of a step's largest matrix product, for BLAS's thread count.

    batch x in x out for each Linear layer. A network with convolutions counts as
    large: their products grow with the images, which the parameters do not show.
    """
    largest = 0
    for module in model.modules():
        if isinstance(module, Conv2d):
            return SMALL_PRODUCT
        if isinstance(module, Linear):
            largest = max(
                largest, batch_size * module.in_features * module.out_features
            )
    return largest


class FitOptions(TypedDict, total=False):
    """The keyword arguments of ``Trainer.fit``, which ``fit`` passes on to it."""

    epochs: int
    batch_size: int
    shuffle: bool
    rng: np.random.Generator | int | None
    validation_data: tuple[ArrayLike, ArrayLike] | None
    validation_split: float
    sample_weight: ArrayLike | None
    checkpoint: str | os.PathLike[str] | None
    checkpoint_every: int
    resume_from: str | os.PathLike[str] | None
    sampler: Sampler | None


class Trainer:
    """Trains ``model`` by mini-batch gradient descent; ``fit`` is the usual entry point.

    One step walks down and up once: a batch becomes a Tensor, ``model(x)`` records
    the graph, ``loss_fn`` reduces it to a number, ``backward()`` fills every
    parameter's ``grad``, and ``optimizer.step()`` updates the weights in place.

    Training stops with ``DivergenceError`` (naming the epoch and the batch, the
    weights left as they were before that batch) when a batch's loss is NaN or
    infinite, or when it explodes: above ``divergence`` times the larger of 1 and the
    first batch's loss of this ``fit`` (a loss that grew a hundredfold is not
    learning; ``divergence=None`` turns the rule off).
    """

    def __init__(
        self,
        model: Module,
        loss_fn: LossFn,
        optimizer: Optimizer,
        *,
        metrics: Sequence[str | Metric] = (),
        callbacks: Sequence[Callback] = (),
        verbose: int = 1,
        divergence: float | None = 100.0,
        threads: int | None = None,
    ) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.threads = threads
        if divergence is not None and not divergence > 1:
            raise ValueError(
                f"Trainer: expected divergence > 1 or None, got {divergence}"
            )
        self.divergence = divergence
        self._first_loss: float | None = None
        self._limit = math.inf  # the loss that counts as exploded, from the first
        self.metrics = resolve_metrics(metrics)
        self.callbacks = list(callbacks)
        if verbose:
            self.callbacks.append(ProgressBar(verbose))
        for callback in self.callbacks:
            callback.trainer = self
        self._hooks: dict[str, list[Callable[..., None]]] = {}  # by _find_hooks
        self.stop_training = False
        self.epochs = 0
        self.n_batches = 0

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        epochs: int = 10,
        batch_size: int = 32,
        shuffle: bool = True,
        rng: np.random.Generator | int | None = None,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        validation_split: float = 0.0,
        sample_weight: ArrayLike | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        checkpoint_every: int = 1,
        resume_from: str | os.PathLike[str] | None = None,
        sampler: Sampler | None = None,
    ) -> History:
        """Train for ``epochs`` passes over (X, y); see ``rosenblatt.train.fit``."""
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"fit: expected epochs a positive int, got {epochs!r}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"fit: expected batch_size a positive int, got {batch_size!r}"
            )
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(
                f"fit: expected validation_split in [0, 1), got {validation_split}"
            )
        dtype = _model_dtype(self.model)
        inputs = _as_inputs(X, dtype, "fit")
        targets = _as_targets(y, inputs.shape[0], dtype, "fit")
        weights = None
        if sample_weight is not None:
            weights = _as_targets(
                sample_weight, inputs.shape[0], dtype, "fit (sample_weight)"
            )
            if weights.ndim != 1 or (weights < 0).any():
                raise ValueError(
                    "fit: expected sample_weight of shape (n_samples,) with values >= 0"
                )
        if validation_split and validation_data is None:
            # As Keras: the *last* samples, taken before any shuffling.
            n_val = max(1, round(inputs.shape[0] * validation_split))
            validation_data = (inputs[-n_val:], targets[-n_val:])
            inputs, targets = inputs[:-n_val], targets[:-n_val]
            weights = None if weights is None else weights[:-n_val]
        if inputs.shape[0] == 0:
            raise ValueError("fit: no training samples (X is empty)")
        if not isinstance(checkpoint_every, int) or checkpoint_every < 1:
            raise ValueError(
                f"fit: expected checkpoint_every a positive int, got {checkpoint_every!r}"
            )
        generator = resolve_rng(rng)
        n = inputs.shape[0]
        self.epochs, self.n_batches = epochs, math.ceil(n / batch_size)
        self.stop_training = False
        self._first_loss = None
        history, start = History(), 0
        schedules = [
            c.scheduler for c in self.callbacks if isinstance(c, LearningRateScheduler)
        ]
        state = Resumable(self.model, self.optimizer, schedules, generator)
        if resume_from is not None:
            start, past = load_checkpoint(resume_from, state)
            history = History({k: list(v) for k, v in past.items()}, list(range(start)))
        data = (inputs, targets, weights)
        self._find_hooks()
        with blas_threads(largest_product(self.model, batch_size), self.threads):
            self._call("on_train_begin", {})
            for epoch in range(start, epochs):
                self._call("on_epoch_begin", epoch, {})
                order: Array | None = None  # None: in order, batches are slices
                if sampler is not None:
                    order = sampler(n)
                elif shuffle:
                    order = generator.permutation(n)
                logs = self._run_epoch(data, order, batch_size, epoch)
                if validation_data is not None:
                    val = evaluate(
                        self.model,
                        self.loss_fn,
                        *validation_data,
                        metrics=list(self.metrics.values()),
                    )
                    logs.update({f"val_{k}": v for k, v in val.items()})
                self._call("on_epoch_end", epoch, logs)
                history.append(epoch, logs)
                done = epoch + 1
                if checkpoint is not None and (
                    done % checkpoint_every == 0 or done == epochs
                ):
                    save_checkpoint(checkpoint, state, done, history.history)
                if self.stop_training:
                    break
            self._call("on_train_end", {})
        return history

    def fit_batches(
        self, batches: Iterable[tuple[ArrayLike, ArrayLike]], *, epochs: int = 1
    ) -> History:
        """Train on ``(x, y)`` batches as they come, ``epochs`` times over them.

        ``batches``: any re-iterable of batches (a list; an object whose ``__iter__``
        reads them from disk, as ``rosenblatt.data.stream.chunks`` does), each checked
        as ``fit`` checks its arrays; only one batch need be in memory. Their order is
        the training order (no shuffling, no checkpoints).
        """
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(
                f"fit_batches: expected epochs a positive int, got {epochs!r}"
            )
        dtype, history = _model_dtype(self.model), History()
        self.epochs, self.stop_training, self._first_loss = epochs, False, None
        sized = batches if isinstance(batches, Sized) else None
        self.n_batches = len(sized) if sized is not None else 0
        self._find_hooks()
        self._call("on_train_begin", {})
        for epoch in range(epochs):
            self._call("on_epoch_begin", epoch, {})
            self.model.train()
            sums: dict[str, float] = dict.fromkeys(["loss", *self.metrics], 0.0)
            seen = 0
            with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for batch, (x_batch, y_batch) in enumerate(batches):
                    inputs = _as_inputs(x_batch, dtype, "fit_batches")
                    targets = _as_targets(
                        y_batch, inputs.shape[0], dtype, "fit_batches"
                    )
                    whole = slice(None)
                    self._run_batch((inputs, targets, None), whole, batch, epoch, sums)
                    seen += inputs.shape[0]
            if not seen:
                raise ValueError("fit_batches: the batches were empty")
            logs = {key: total / seen for key, total in sums.items()}
            self._call("on_epoch_end", epoch, logs)
            history.append(epoch, logs)
            if self.stop_training:
                break
        self._call("on_train_end", {})
        return history

    def _run_epoch(
        self, data: _Batchable, order: Array | None, batch_size: int, epoch: int
    ) -> Logs:
        """One pass over the samples in ``order`` (None: as they are, by slices)."""
        self.model.train()
        sums: dict[str, float] = dict.fromkeys(["loss", *self.metrics], 0.0)
        n = data[0].shape[0] if order is None else len(order)
        # NumPy's overflow warnings are noise here: a non-finite loss is caught below
        # and reported with the epoch and batch.
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for batch, start in enumerate(range(0, n, batch_size)):
                rows = slice(start, start + batch_size)
                index = rows if order is None else order[rows]
                self._run_batch(data, index, batch, epoch, sums)
        return {key: total / n for key, total in sums.items()}

    def _run_batch(
        self,
        data: _Batchable,
        index: Array | slice,
        batch: int,
        epoch: int,
        sums: dict[str, float],
    ) -> None:
        """One step: forward, loss, backward, update; adds the batch's logs to ``sums``."""
        inputs, targets, weights = data
        x_batch, y_batch = inputs[index], targets[index]
        outputs = self.model(Tensor(x_batch))
        if weights is None:
            loss = self.loss_fn(outputs, y_batch)
        else:
            loss = self.loss_fn(outputs, y_batch, weights[index])
        value = loss.item()
        if self._first_loss is None:
            self._first_loss = value
            self._limit = (
                math.inf
                if self.divergence is None
                else self.divergence * max(1.0, value)
            )
        if not math.isfinite(value) or value > self._limit:
            what = "became" if not math.isfinite(value) else "exploded to"
            when = f"epoch {epoch + 1}, batch" if self.epochs > 1 else "batch"
            raise DivergenceError(
                f"fit: the loss {what} {value:.4g} at {when} "
                f"{batch + 1} of {self.n_batches} (the first batch's was "
                f"{self._first_loss:.4g}); the weights are those from before that "
                f"batch. Lower the learning rate (now {self.optimizer.lr:g}) or check "
                "the data",
                exploded=math.isfinite(value),
            )
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        batch_logs = {"loss": value}
        for name, metric in self.metrics.items():
            batch_logs[name] = metric(outputs.data, y_batch)
        for key, val in batch_logs.items():
            sums[key] += val * y_batch.shape[0]
        self._call("on_batch_end", batch, batch_logs)

    def _find_hooks(self) -> None:
        """Each hook's methods, from the callbacks that override it (before training).

        ``Callback``'s own hooks do nothing; leaving them out saves a call a batch.
        """
        self._hooks = {
            hook: [
                method
                for callback in self.callbacks
                if getattr(method := getattr(callback, hook), "__func__", None)
                is not getattr(Callback, hook)
            ]
            for hook in HOOKS
        }

    def _call(self, hook: str, *args: object) -> None:
        for method in self._hooks[hook]:
            method(*args)


def fit(
    model: Module,
    loss_fn: LossFn,
    optimizer: Optimizer,
    X: ArrayLike,
    y: ArrayLike,
    *,
    metrics: Sequence[str | Metric] = (),
    callbacks: Sequence[Callback] = (),
    verbose: int = 1,
    divergence: float | None = 100.0,
    **options: Unpack[FitOptions],
) -> History:
    """Train ``model`` on (X, y) by mini-batch gradient descent and return its History.

    The options after ``verbose`` are those of ``Trainer.fit`` (``FitOptions``).

    Parameters
    ----------
    model : Module
        Maps a batch of shape (N, D) to outputs (N, K).
    loss_fn : callable
        ``loss_fn(outputs, targets)`` -> scalar Tensor (``F.cross_entropy``, ...).
    optimizer : Optimizer
        Built over ``model.parameters()``.
    X : array_like of shape (n_samples, ...), or a scipy.sparse matrix
        Inputs; converted once to the model's dtype. NaN or inf raise. A sparse
        matrix stays sparse (as CSR) for a model whose first layer is ``Linear``.
    y : array_like of shape (n_samples,) or (n_samples, K)
        Class indices or target values.
    epochs, batch_size : int
        Passes over the data, and samples per step (the last batch may be smaller).
    shuffle : bool
        Visit the samples in a new random order each epoch.
    rng : Generator, int or None
        Source of the shuffling order; with a seed (and seeded model and dropout),
        training on the same machine is bit-for-bit reproducible.
    validation_data : (X_val, y_val), optional
        Evaluated after every epoch; adds ``val_loss`` and ``val_<metric>`` to the logs.
    validation_split : float
        Instead of ``validation_data``: hold out this fraction, the *last* samples.
    sample_weight : array_like of shape (n_samples,), optional
        Non-negative weights; ``loss_fn`` then receives each batch's weights as a third
        argument and decides how to apply them.
    checkpoint : path, optional
        Write a checkpoint here (atomically) every ``checkpoint_every`` epochs and after
        the last: weights, optimizer state, schedules, epoch, history, RNG states.
    resume_from : path, optional
        Continue from a checkpoint: the same arguments then give the same final weights,
        bit for bit, as one uninterrupted run. ``epochs`` counts from the beginning.
    metrics : sequence of 'accuracy' or callables
        Computed on every batch (training) and on the validation data.
    callbacks : sequence of Callback
        ``EarlyStopping``, ``LearningRateScheduler``, or your own.
    verbose : int
        0 silent; 1 a progress bar per epoch on a terminal (one line per epoch
        otherwise); 2 one line per epoch. Progress goes to stderr.
    sampler : callable, optional
        ``sampler(n)`` gives each epoch's order of the samples, instead of ``shuffle``
        and ``rng`` (the MLP estimators use it to visit samples in scikit-learn's order).

    Returns
    -------
    History
        Per-epoch lists of ``loss``, the metrics and their ``val_`` versions.

    divergence : float or None
        Stop when a batch's loss exceeds this many times max(1, the first batch's
        loss); see ``Trainer``.

    Raises
    ------
    DivergenceError
        A FloatingPointError: when the loss becomes NaN or infinite, or explodes; the
        message names the epoch and batch, and the weights are left as they were
        before that batch.
    """
    trainer = Trainer(
        model,
        loss_fn,
        optimizer,
        metrics=metrics,
        callbacks=callbacks,
        verbose=verbose,
        divergence=divergence,
    )
    return trainer.fit(X, y, **options)
