"""What the scikit-learn estimators share: the solvers' loops and their bookkeeping.

scikit-learn's MLP solvers, written once over the library: the epoch order
(``sklearn_order``), the end-of-epoch bookkeeping (``EpochBookkeeping``), the loop
with early stopping, divergence and convergence warnings (``fit_stochastic``),
L-BFGS on the whole batch (``fit_lbfgs``), and ``set_output`` for a ``transform``
whose columns vary (``OutputContainer``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import get_config
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from rosenblatt import optim
from rosenblatt.kernels.machine import blas_threads
from rosenblatt.tensor import Tensor
from rosenblatt.train import Callback, DivergenceError, LossFn, Trainer
from rosenblatt.train.loop import largest_product

__all__ = [
    "NON_FINITE",
    "EpochBookkeeping",
    "OutputContainer",
    "fit_lbfgs",
    "fit_stochastic",
    "sklearn_order",
]

Array = np.ndarray[Any, np.dtype[Any]]
NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed, or learning_rate_init (now {lr:g}) may be too "
    "large; try a smaller one."
)


def sklearn_order(random_state: np.random.RandomState) -> Callable[[int], Array]:
    """scikit-learn's epoch order: each epoch shuffles the previous epoch's order.

    ``sklearn.utils.shuffle`` of the index array draws ``random_state.permutation(n)``
    and indexes the current order with it; the same draws give the same batches.
    """
    order: Array | None = None

    def next_order(n: int) -> Array:
        nonlocal order
        current = np.arange(n) if order is None else order
        order = current[random_state.permutation(n)]
        return order

    return next_order


class EpochBookkeeping(Callback):
    """scikit-learn's end-of-epoch bookkeeping, as one callback that owns its state.

    ``est`` is a scikit-learn-style stochastic estimator: it has scikit-learn's MLP
    parameters (``tol``, ``n_iter_no_change``, ``early_stopping``, ``solver``,
    ``learning_rate``, ...), ``module_``, and ``_score_on`` / ``_data_loss`` for the
    validation data.

    It starts from the estimator's fitted attributes (a warm start, ``partial_fit``,
    a loaded model, or weights set by hand) or afresh, records ``loss_curve_``,
    ``t_``, ``n_iter_``, the validation scores and the best weights, counts epochs
    without improvement by ``tol``, applies 'invscaling' and 'adaptive' rates,
    prints what scikit-learn prints with ``verbose``, stops training when
    scikit-learn would, and ``write`` puts its state back on the estimator once.
    """

    def __init__(
        self, est: Any, fresh: bool, n_samples: int, validation: dict[str, Any]
    ) -> None:
        self.est, self.n_samples, self.validation = est, n_samples, validation
        early = est.early_stopping

        def previous(name: str, default: Any) -> Any:
            value = None if fresh else getattr(est, name, None)
            return default if value is None else value

        self.n_iter, self.t = 0, int(previous("t_", 0))
        self.loss = previous("loss_", np.nan)
        self.loss_curve = list(previous("loss_curve_", []))
        self.validation_loss_curve = list(previous("validation_loss_curve_", []))
        self.no_improvement = int(previous("_no_improvement_count", 0))
        self.best_loss = None if early else previous("best_loss_", np.inf)
        self.scores = list(previous("validation_scores_", [])) if early else None
        self.best_score = previous("best_validation_score_", -np.inf) if early else None
        self.best_params: list[Array] | None = (
            previous("_best_params", None) if early else None
        )
        if early and self.best_params is None:
            self.best_params = self._snapshot()
        self.stopped = False

    def _snapshot(self) -> list[Array]:
        """Copies of the network's parameters, as they are now."""
        return [p.data.copy() for p in self.est.module_.parameters()]

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        est = self.est
        self.n_iter += 1
        self.loss = logs["loss"]
        self.t += self.n_samples
        self.loss_curve.append(self.loss)
        if est.verbose:
            print(f"Iteration {self.n_iter}, loss = {self.loss:.8f}")
        if "loss" in self.validation:
            X_val, Y_val, w_val = self.validation["loss"]
            self.validation_loss_curve.append(est._data_loss(X_val, Y_val, w_val))
            logs["val_loss"] = self.validation_loss_curve[-1]
        if "score" in self.validation:
            self._record_score(est._score_on(*self.validation["score"]))
        else:
            self._record_loss()
        optimizer = self.trainer.optimizer
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            optimizer.lr = est.learning_rate_init / (self.t + 1) ** est.power_t
        if self.no_improvement > est.n_iter_no_change:
            what = "Validation score" if "score" in self.validation else "Training loss"
            message = (
                f"{what} did not improve more than tol={est.tol:f} for "
                f"{est.n_iter_no_change} consecutive epochs."
            )
            adaptive = est.solver == "sgd" and est.learning_rate == "adaptive"
            if adaptive and optimizer.lr > 1e-6:
                optimizer.lr /= 5.0  # scikit-learn's adaptive rate: divide by 5, go on
                self.no_improvement = 0
                if est.verbose:
                    print(f"{message} Setting learning rate to {optimizer.lr:f}")
                return
            if est.verbose:
                small = " Learning rate too small." if adaptive else ""
                print(f"{message}{small} Stopping.")
            self.stopped = self.trainer.stop_training = True

    def _record_score(self, score: float) -> None:
        assert self.scores is not None and self.best_score is not None
        self.scores.append(score)
        if self.est.verbose:
            print(f"Validation score: {score:f}")
        # a nan score is neither worse nor better: the count restarts, as scikit-learn's
        if score < self.best_score + self.est.tol:
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        if score > self.best_score:
            self.best_score = score
            self.best_params = self._snapshot()

    def _record_loss(self) -> None:
        assert self.best_loss is not None
        if self.loss > self.best_loss - self.est.tol:
            self.no_improvement += 1
        else:
            self.no_improvement = 0
        self.best_loss = min(self.best_loss, self.loss)

    def diverged(self) -> None:
        """The loss became NaN or infinite: the epoch counts, its score is nan."""
        self.n_iter += 1
        self.t += self.n_samples
        self.loss = np.nan
        self.loss_curve.append(np.nan)
        if self.scores is not None:
            self.scores.append(np.nan)
        self.stopped = True

    def restore_best(self) -> None:
        """Put the best validation weights back into the network (early stopping)."""
        assert self.best_params is not None
        for param, best in zip(
            self.est.module_.parameters(), self.best_params, strict=True
        ):
            param.data[...] = best

    def write(self) -> None:
        """Set the fitted attributes that this state stands for."""
        est = self.est
        est.n_iter_, est.t_, est.loss_ = self.n_iter, self.t, self.loss
        est.loss_curve_ = self.loss_curve
        est.validation_loss_curve_ = self.validation_loss_curve
        est.best_loss_, est._no_improvement_count = self.best_loss, self.no_improvement
        est.validation_scores_, est.best_validation_score_ = (
            self.scores,
            self.best_score,
        )
        est._best_params = self.best_params


def fit_stochastic(
    est: Any,
    X: Array,
    Y: Array,
    sample_weight: Array | None,
    loss: LossFn,
    validation: dict[str, Any],
    *,
    incremental: bool,
    first_pass: bool,
    random_state: np.random.RandomState,
) -> None:
    """scikit-learn's stochastic solvers (sgd, adam) for ``est``, on the fit loop.

    Makes ``est.optimizer_`` (kept across ``partial_fit`` calls), splits off the
    early-stopping data as scikit-learn does, runs ``train.Trainer`` for
    ``max_iter`` epochs (one for ``partial_fit``) in scikit-learn's order, and keeps
    the bookkeeping; a diverging loss raises scikit-learn's message, or with early
    stopping ends training with the best weights.
    """
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if not incremental or not hasattr(est, "optimizer_"):
        est.optimizer_ = est._make_optimizer()
    if est.early_stopping:
        # scikit-learn stratifies single-output classification only
        classifier = is_classifier(est)
        stratify = Y.astype(bool) if classifier and Y.shape[1] == 1 else None
        parts = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        split = train_test_split(
            *parts,
            random_state=random_state,
            test_size=est.validation_fraction,
            stratify=stratify,
        )
        X, X_val, Y, Y_val = split[:4]
        w_val = None if sample_weight is None else split[5]
        sample_weight = None if sample_weight is None else split[4]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        labels = est._labels.decode(Y_val) if classifier else Y_val
        validation["score"] = (X_val, labels, w_val)
        validation.setdefault("loss", (X_val, Y_val, w_val))
    n_samples = X.shape[0]
    if est.batch_size == "auto":
        batch_size = min(200, n_samples)
    else:
        if est.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going "
                "to be clipped",
                stacklevel=4,
            )
        batch_size = int(np.clip(est.batch_size, 1, n_samples))
    book = EpochBookkeeping(est, first_pass, n_samples, validation)
    trainer = Trainer(
        est.module_,
        loss,
        est.optimizer_,
        callbacks=[book, *(est.callbacks or [])],
        verbose=0,
        divergence=est.divergence,
        threads=est.threads,
    )
    try:
        trainer.fit(
            X,
            Y,
            epochs=1 if incremental else est.max_iter,
            batch_size=batch_size,
            shuffle=False,
            sampler=sklearn_order(random_state) if est.shuffle else None,
            sample_weight=sample_weight,
        )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=3)
    except DivergenceError as error:
        if not est.early_stopping:
            # scikit-learn's message for NaN weights; the epoch and batch otherwise
            message = str(error) if error.exploded else NON_FINITE
            raise ValueError(message.format(lr=est.learning_rate_init)) from None
        book.diverged()
        warnings.warn(
            f"{error}. Training stopped at that epoch and kept the weights of the "
            "best validation score.",
            ConvergenceWarning,
            stacklevel=3,
        )
    finally:
        book.write()
    if est.early_stopping:
        book.restore_best()
    if not incremental and not book.stopped and book.n_iter == est.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and "
            "the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )


def fit_lbfgs(
    est: Any, X: Array, Y: Array, sample_weight: Array | None, loss: LossFn
) -> None:
    """scikit-learn's 'lbfgs' solver for ``est``: ``optim.LBFGS`` on the whole batch.

    Sets ``loss_`` and ``n_iter_``; warns as scikit-learn does when it stops before
    converging.
    """
    optimizer = optim.LBFGS(
        est.module_.parameters(),
        max_iter=est.max_iter,
        max_eval=est.max_fun,
        tolerance_grad=est.tol,
    )
    inputs = Tensor(X)

    def closure() -> Tensor:
        optimizer.zero_grad()
        value = loss(est.module_(inputs), Y, sample_weight)
        value.backward()
        return value

    with blas_threads(largest_product(est.module_, X.shape[0]), est.threads):
        est.loss_ = optimizer.step(closure)
    est.n_iter_ = min(optimizer.n_iter, est.max_iter)
    if not optimizer.converged:
        warnings.warn(
            f"lbfgs failed to converge after {optimizer.n_iter} iteration(s): "
            f"{optimizer.message}. Increase the number of iterations (max_iter) or "
            "scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )


class OutputContainer:
    """``set_output`` for an estimator whose ``transform`` wraps its own output.

    scikit-learn's own wrapper names the columns with ``get_feature_names_out()``,
    which cannot know a ``transform(X, layer)`` whose width depends on its argument;
    such a ``transform`` calls ``_container`` with the right names instead.
    """

    def set_output(self, *, transform: str | None = None) -> Any:
        """Choose ``transform``'s output, as scikit-learn's: 'default', 'pandas', 'polars'."""
        if transform is not None:
            if transform not in ("default", "pandas", "polars"):
                raise ValueError(
                    "set_output: transform must be 'default', 'pandas' or 'polars', got "
                    f"{transform!r}"
                )
            self._sklearn_output_config = {"transform": transform}  # clone keeps it
        return self

    def _container(self, data: Array, original: Any, columns: Array) -> Any:
        """``data`` in the container that set_output (or scikit-learn's config) asks for."""
        config = getattr(self, "_sklearn_output_config", {})
        kind = config.get("transform") or get_config()["transform_output"]
        if kind == "pandas":
            import pandas as pd

            index = original.index if isinstance(original, pd.DataFrame) else None
            return pd.DataFrame(data, index=index, columns=columns)
        if kind == "polars":
            import polars as pl

            return pl.DataFrame(data, schema=list(columns), orient="row")
        return data
