"""Multilayer perceptrons trained by backpropagation: drop-in MLPClassifier and MLPRegressor.

The estimators take scikit-learn's parameters, with its names, defaults and meaning,
and expose its fitted attributes; change the import and every call keeps working.
Underneath they are thin skins: the network is an ``nn.Sequential``, the gradients
come from the autograd engine, the stochastic solvers are ``optim.SGD`` / ``optim.Adam``
driven by ``train.Trainer``, and L-BFGS is SciPy's, fed by the same engine.

The loss is scikit-learn's: the mean over samples (weighted by ``sample_weight``) of
the output layer's loss, summed over outputs, plus alpha/2 ||W||^2 / n_samples (biases
unpenalised); the initial weights are drawn exactly as scikit-learn draws them, so the
same ``random_state`` gives the same starting network.

Beyond scikit-learn, each off by default: ``dropout``, one ``activation`` per hidden
layer, ``class_weight``, ``fit(..., validation_data=(X_val, y_val))`` with
``validation_loss_curve_``, ``callbacks``, a progress bar with ``verbose``,
``transform(X, layer)`` for hidden activations, ``dtype``, and ``module_``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.optimize
from scipy.special import expit, xlogy
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d, compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from rosenblatt import io, nn, optim
from rosenblatt._params import Interval, Options, check_params
from rosenblatt._persist import (
    SavableEstimator,
    labels_from_json,
    labels_to_json,
    require_floats,
    require_int,
)
from rosenblatt.backend import as_sparse_rows, is_sparse, keep_freed_memory
from rosenblatt.io import ModelFileError
from rosenblatt.nn import functional as F
from rosenblatt.tensor import Tensor, no_grad, sum_of_squares
from rosenblatt.train import Callback, Trainer

__all__ = ["MLPClassifier", "MLPRegressor"]

Array = np.ndarray[Any, np.dtype[Any]]
_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
_STOCHASTIC = ("sgd", "adam")


def _rows(X: Any) -> Array:
    """Sparse input stays sparse, as CSR rows: the first layer multiplies it as it is."""
    rows: Array = as_sparse_rows(X) if is_sparse(X) else X
    return rows


class _SklearnEpochEnd(Callback):
    """scikit-learn's end-of-epoch bookkeeping, as a fit-loop callback.

    Records ``loss_``, ``loss_curve_``, ``t_`` and ``n_iter_``; scores the validation
    set (early stopping) and the validation loss; counts epochs without improvement
    by ``tol``; applies 'invscaling' and 'adaptive' rates; stops training when
    scikit-learn would.
    """

    def __init__(self, estimator: _BaseMLP, n_samples: int, validation: Any) -> None:
        self.estimator, self.n_samples, self.validation = (
            estimator,
            n_samples,
            validation,
        )
        self.stopped = False

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        est = self.estimator
        est.n_iter_ += 1
        est.loss_ = logs["loss"]
        est.t_ += self.n_samples
        est.loss_curve_.append(est.loss_)
        if self.validation.get("loss") is not None:
            X_val, Y_val, w_val = self.validation["loss"]
            est.validation_loss_curve_.append(est._data_loss(X_val, Y_val, w_val))
            logs["val_loss"] = est.validation_loss_curve_[-1]
        est._update_no_improvement_count(self.validation.get("score"))
        opt = self.trainer.optimizer
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            opt.lr = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        if est._no_improvement_count > est.n_iter_no_change:
            if (
                est.solver == "sgd"
                and est.learning_rate == "adaptive"
                and opt.lr > 1e-6
            ):
                opt.lr /= 5.0  # scikit-learn's adaptive rate: divide by 5 and go on
                est._no_improvement_count = 0
            else:
                self.stopped = True
                self.trainer.stop_training = True


class _BaseMLP(SavableEstimator, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """What MLPClassifier and MLPRegressor share: network, loss, solvers, bookkeeping."""

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_layer_sizes": [Interval(int, 1, None), list, tuple, np.ndarray],
        "activation": [Options(_ACTIVATIONS), list, tuple],
        "solver": [Options(("lbfgs", "sgd", "adam"))],
        "alpha": [Interval(float, 0, None)],
        "batch_size": [Interval(int, 1, None), Options(("auto",))],
        "learning_rate": [Options(("constant", "invscaling", "adaptive"))],
        "learning_rate_init": [Interval(float, 0, None, closed="neither")],
        "power_t": [Interval(float, 0, None)],
        "max_iter": [Interval(int, 1, None)],
        "shuffle": [Options((True, False))],
        "random_state": [
            Interval(int, 0, 2**32 - 1),
            np.random.RandomState,
            Options((None,)),
        ],
        "tol": [Interval(float, 0, None)],
        "verbose": [Interval(int, 0, None), Options((True, False))],
        "warm_start": [Options((True, False))],
        "momentum": [Interval(float, 0, 1)],
        "nesterovs_momentum": [Options((True, False))],
        "early_stopping": [Options((True, False))],
        "validation_fraction": [Interval(float, 0, 1, closed="left")],
        "beta_1": [Interval(float, 0, 1, closed="left")],
        "beta_2": [Interval(float, 0, 1, closed="left")],
        "epsilon": [Interval(float, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(int, 1, None), Options((np.inf,))],
        "max_fun": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left"), list, tuple],
        "callbacks": [list, tuple, Options((None,))],
        "dtype": [Options((None, "float32", "float64", np.float32, np.float64))],
    }

    # --- the network ---

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(int(n) != n or n <= 0 for n in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(n) for n in sizes]

    def _per_layer(self, name: str, value: Any, n_hidden: int) -> list[Any]:
        values = list(value) if isinstance(value, (list, tuple)) else [value] * n_hidden
        if len(values) != n_hidden:
            raise ValueError(
                f"{type(self).__name__}: {name} lists {len(values)} values but there are "
                f"{n_hidden} hidden layers; give one value, or one per hidden layer"
            )
        return values

    def _layer_plan(self) -> tuple[list[int], list[str], list[float]]:
        sizes = self._hidden_sizes()
        activations = self._per_layer("activation", self.activation, len(sizes))
        for act in activations:
            if act not in _ACTIVATIONS:
                raise ValueError(
                    f"{type(self).__name__}: unknown activation {act!r}; expected one of "
                    f"{list(_ACTIVATIONS)}"
                )
        dropouts = [
            float(p) for p in self._per_layer("dropout", self.dropout, len(sizes))
        ]
        for p in dropouts:
            if not 0.0 <= p < 1.0:
                raise ValueError(
                    f"{type(self).__name__}: dropout must be in [0, 1), got {p}"
                )
        if any(dropouts) and self.solver == "lbfgs":
            raise ValueError(
                f"{type(self).__name__}: dropout needs a stochastic solver ('sgd' or "
                "'adam'); L-BFGS needs a deterministic loss"
            )
        return sizes, activations, dropouts

    def _build(self, n_features: int, n_outputs: int, dtype: np.dtype[Any]) -> None:
        """Create ``module_`` and draw its weights the way scikit-learn does."""
        sizes, activations, dropouts = self._layer_plan()
        units = [n_features, *sizes, n_outputs]
        layers: list[nn.Module] = []
        linears: list[nn.Linear] = []
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(units)):
            linear = nn.Linear(fan_in, fan_out, dtype=dtype)
            # scikit-learn: W, b ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)), factor 2
            # instead of 6 for logistic units; W then b from one RandomState, layer by
            # layer -- so the same random_state starts from the same network.
            factor = (
                2.0 if activations[min(i, len(activations) - 1)] == "logistic" else 6.0
            )
            bound = math.sqrt(factor / (fan_in + fan_out))
            linear.weight.data[...] = self._random_state.uniform(
                -bound, bound, (fan_in, fan_out)
            )
            assert linear.bias is not None
            linear.bias.data[...] = self._random_state.uniform(-bound, bound, fan_out)
            layers.append(linear)
            linears.append(linear)
            if i < len(sizes):
                layers.append(nn.ACTIVATIONS[activations[i]]())
                if dropouts[i]:
                    layers.append(
                        nn.Dropout(dropouts[i], rng=self._random_state.randint(2**31))
                    )
        self.module_ = nn.Sequential(*layers)
        self._linears = linears
        self.n_layers_ = len(units)
        self.n_outputs_ = n_outputs

    @property
    def coefs_(self) -> list[Array]:
        """Weight matrices, (fan_in, fan_out) per layer: the network's own arrays."""
        check_is_fitted(self)
        return [layer.weight.data for layer in self._linears]

    @coefs_.setter
    def coefs_(self, values: Sequence[Any]) -> None:
        for layer, value in zip(self._linears, values, strict=True):
            layer.weight.data[...] = value

    @property
    def intercepts_(self) -> list[Array]:
        """Bias vectors, (fan_out,) per layer: the network's own arrays."""
        check_is_fitted(self)
        return [layer.bias.data for layer in self._linears]  # type: ignore[union-attr]

    @intercepts_.setter
    def intercepts_(self, values: Sequence[Any]) -> None:
        for layer, value in zip(self._linears, values, strict=True):
            layer.bias.data[...] = value  # type: ignore[union-attr]

    # --- the loss ---

    def _loss(self, raw: Tensor, Y: Array, mean: bool) -> Tensor:
        """Each sample's loss summed over its k outputs (N,), or the mean of that.

        Computed from the output layer's raw values (before the output activation).
        The mean is taken inside the fused loss node where there is one: the mean over
        samples of a sum over k outputs is k times the mean over all entries.
        """
        act, k = self.out_activation_, raw.shape[1]
        if act == "softmax":
            return F.cross_entropy(raw, Y, reduction="mean" if mean else "none")
        if act == "logistic":
            if mean:
                loss = F.binary_cross_entropy_with_logits(raw, Y)
                return loss if k == 1 else loss * float(k)
            return F.binary_cross_entropy_with_logits(raw, Y, reduction="none").sum(
                axis=1
            )
        if act == "exp":
            # half Poisson deviance: exp(z) - y z (one fused node) plus scikit-learn's
            # constant xlogy(y, y) - y, which takes no gradient
            constant = xlogy(Y, Y) - Y
            if mean:
                loss = F.poisson_nll_loss(raw, Y) * float(k)
                return loss + float(constant.sum()) / len(Y)
            per_sample = F.poisson_nll_loss(raw, Y, reduction="none").sum(axis=1)
            return per_sample + constant.sum(axis=1).astype(raw.dtype)
        if mean:
            return F.mse_loss(raw, Y) * (0.5 * k)
        diff = raw - Y
        return (diff * diff).sum(axis=1) * 0.5

    def _objective(self, raw: Tensor, Y: Array, weights: Array | None = None) -> Tensor:
        """scikit-learn's training loss for a batch, as a Tensor to backpropagate."""
        if weights is None:
            total, data = float(len(Y)), self._loss(raw, Y, mean=True)
        else:
            total = float(weights.sum())
            per_sample = self._loss(raw, Y, mean=False)
            data = (per_sample * Tensor(weights.astype(raw.dtype))).sum() / total
        if self.out_activation_ == "identity" and self.n_outputs_ > 1:
            # scikit-learn reports the squared loss averaged over outputs but steps
            # along the gradient of its sum: report one, follow the other.
            data = data + (data * (1.0 / self.n_outputs_ - 1.0)).detach()
        if self.alpha == 0:
            return data
        weights_ = [layer.weight for layer in self._linears]
        return data + sum_of_squares(weights_, scale=0.5 * self.alpha / total)

    def _data_loss(self, X: Array, Y: Array, weights: Array | None) -> float:
        """The loss without the penalty, in evaluation mode (for validation data)."""
        with no_grad():
            per_sample = self._loss(Tensor(self._raw(X)), Y, mean=False).data
        if self.out_activation_ == "identity":
            per_sample = per_sample / self.n_outputs_
        return float(np.average(per_sample, weights=weights))

    def _raw(self, X: Array) -> Array:
        """The output layer's values before its activation, for validated X."""
        module = self.module_
        was_training = module.training  # fit leaves it False: no walk over modules
        if was_training:
            module.eval()
        try:
            with no_grad(), np.errstate(over="ignore"):
                return module(Tensor(X)).data
        finally:
            if was_training:
                module.train()

    def _output(self, X: Any) -> Array:
        """Validated input through the network and the output activation."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=self._dtype, reset=False
        )
        raw = self._raw(_rows(X))
        act = self.out_activation_
        with np.errstate(over="ignore"):
            if act == "softmax":
                shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
                return shifted / shifted.sum(axis=1, keepdims=True)
            if act == "logistic":
                return expit(raw)
            if act == "exp":
                return np.exp(raw)
        return raw

    # --- fitting ---

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        incremental: bool = False,
        validation_data: tuple[Any, Any] | None = None,
        classes: Any = None,
    ) -> _BaseMLP:
        check_params(self, self._constraints)
        self._layer_plan()
        first_pass = not hasattr(self, "module_") or (
            not self.warm_start and not incremental
        )
        X, Y = self._validate_input(X, y, incremental, first_pass, classes)
        X = _rows(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = self._with_class_weight(y, sample_weight)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._dtype = X.dtype
            self._initialise(X.shape[1], Y)
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"{type(self).__name__}: y has {Y.shape[1]} outputs, but the network was "
                f"fitted with {self.n_outputs_}"
            )
        if self.solver == "lbfgs":
            # As the fit loop does for the stochastic solvers: each evaluation's
            # temporaries reuse the last one's memory instead of faulting in fresh
            # pages (digits, 48 iterations: 0.31 s -> 0.15 s of CPU time).
            keep_freed_memory()
            self._fit_lbfgs(X, Y, sample_weight)
        else:
            self._fit_stochastic(X, Y, sample_weight, incremental, validation_data)
        self.module_.eval()  # fitted: from now on it predicts
        if not all(np.isfinite(p.data).all() for p in self.module_.parameters()):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed, or learning_rate_init "
                f"(now {self.learning_rate_init:g}) may be too large; try a smaller one."
            )
        return self

    def _with_class_weight(self, y: Any, sample_weight: Array | None) -> Array | None:
        return sample_weight

    def _initialise(self, n_features: int, Y: Array) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.out_activation_ = self._out_activation()
        self.n_outputs_ = Y.shape[1]
        self._build(n_features, Y.shape[1], self._dtype)
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        if self.solver in _STOCHASTIC:
            self.loss_curve_: list[float] = []
            self.validation_loss_curve_: list[float] = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_: list[float] | None = []
                self.best_validation_score_: float | None = -np.inf
                self.best_loss_: float | None = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _make_optimizer(self) -> optim.Optimizer:
        params = list(self.module_.parameters())
        if self.solver == "sgd":
            return optim.SGD(
                params,
                lr=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum and self.momentum > 0,
            )
        return optim.Adam(
            params,
            lr=self.learning_rate_init,
            betas=(self.beta_1, self.beta_2),
            eps=self.epsilon,
            eps_placement="raw",  # scikit-learn's form of the Adam step
        )

    def _fit_stochastic(
        self,
        X: Array,
        Y: Array,
        sample_weight: Array | None,
        incremental: bool,
        validation_data: tuple[Any, Any] | None,
    ) -> None:
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        validation: dict[str, Any] = {}
        if self.early_stopping:
            stratify = Y if self._stratify() else None
            parts = [X, Y] if sample_weight is None else [X, Y, sample_weight]
            split = train_test_split(
                *parts,
                random_state=self._random_state,
                test_size=self.validation_fraction,
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
            validation["score"] = (X_val, self._labels_of(Y_val), w_val)
            validation["loss"] = (X_val, Y_val, w_val)
        if validation_data is not None:
            X_val, Y_val = self._validate_validation_data(*validation_data)
            validation["loss"] = (X_val, Y_val, None)
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going "
                    "to be clipped",
                    stacklevel=4,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_samples))
        epoch_end = _SklearnEpochEnd(self, n_samples, validation)
        trainer = Trainer(
            self.module_,
            self._objective,
            self._optimizer,
            callbacks=[epoch_end, *(self.callbacks or [])],
            verbose=1 if self.verbose else 0,
        )
        self.n_iter_ = 0
        epochs = 1 if incremental else self.max_iter
        try:
            trainer.fit(
                X,
                Y,
                epochs=epochs,
                batch_size=batch_size,
                shuffle=self.shuffle,
                rng=np.random.default_rng(self._random_state.randint(2**31 - 1)),
                sample_weight=sample_weight,
            )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        except FloatingPointError:
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed, or learning_rate_init "
                f"(now {self.learning_rate_init:g}) may be too large; try a smaller one."
            ) from None
        if not incremental and not epoch_end.stopped and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        if self.early_stopping:
            self.coefs_ = self._best_coefs
            self.intercepts_ = self._best_intercepts

    def _update_no_improvement_count(self, score_data: Any) -> None:
        if score_data is not None:
            X_val, y_val, w_val = score_data
            score = self._score_on(X_val, y_val, w_val)
            assert self.validation_scores_ is not None
            self.validation_scores_.append(score)
            best = self.best_validation_score_
            assert best is not None
            if score < best + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > best:
                self.best_validation_score_ = score
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
        else:
            best_loss = self.best_loss_
            assert best_loss is not None
            if self.loss_curve_[-1] > best_loss - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < best_loss:
                self.best_loss_ = self.loss_curve_[-1]

    def _fit_lbfgs(self, X: Array, Y: Array, sample_weight: Array | None) -> None:
        params = list(self.module_.parameters())
        shapes = [p.shape for p in params]
        bounds = np.cumsum([0] + [int(np.prod(s)) for s in shapes])

        def unpack(flat: Array) -> None:
            for p, lo, hi, shape in zip(
                params, bounds[:-1], bounds[1:], shapes, strict=True
            ):
                p.data[...] = flat[lo:hi].reshape(shape)

        def loss_and_grad(flat: Array) -> tuple[float, Array]:
            unpack(flat)
            self.module_.zero_grad()
            with np.errstate(over="ignore", invalid="ignore"):
                loss = self._objective(self.module_(Tensor(X)), Y, sample_weight)
                loss.backward()
            grads = [
                np.zeros(s) if p.grad is None else p.grad
                for p, s in zip(params, shapes, strict=True)
            ]
            # float64 for SciPy, cast while concatenating (one pass, not two)
            return loss.item(), np.concatenate(
                [g.ravel() for g in grads], dtype=np.float64
            )

        start = np.concatenate([p.data.ravel() for p in params], dtype=np.float64)
        result = scipy.optimize.minimize(
            loss_and_grad,
            start,
            method="L-BFGS-B",
            jac=True,
            options={
                "maxfun": self.max_fun,
                "maxiter": self.max_iter,
                "gtol": self.tol,
            },
        )
        if result.status != 0:
            message = (
                result.message.decode()
                if isinstance(result.message, bytes)
                else result.message
            )
            warnings.warn(
                f"lbfgs failed to converge after {result.nit} iteration(s) "
                f"(status={result.status}): {message}. Increase the number of iterations "
                "(max_iter) or scale the data.",
                ConvergenceWarning,
                stacklevel=4,
            )
        self.n_iter_ = int(min(result.nit, self.max_iter))
        self.loss_ = float(result.fun)
        unpack(result.x)

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} "
                "is not stochastic."
            )
        return True

    def _wanted_dtype(self) -> Any:
        if self.dtype is not None:
            return np.dtype(self.dtype)
        if hasattr(self, "_dtype") and self.warm_start:
            return self._dtype
        return (np.float64, np.float32)

    # --- what subclasses provide ---

    def _out_activation(self) -> str:
        raise NotImplementedError

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, first_pass: bool, classes: Any
    ) -> tuple[Array, Array]:
        raise NotImplementedError

    def _validate_validation_data(self, X: Any, y: Any) -> tuple[Array, Array]:
        raise NotImplementedError

    def _stratify(self) -> bool:
        return False

    def _labels_of(self, Y: Array) -> Array:
        return Y

    def _score_on(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        raise NotImplementedError

    # --- beyond scikit-learn ---

    def transform(self, X: Any, layer: int = -1) -> Array:
        """Activations of hidden layer ``layer`` (0-based; -1 the last), shape (n, width)."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=self._dtype, reset=False
        )
        n_hidden = self.n_layers_ - 2
        if not -n_hidden <= layer < n_hidden:
            raise ValueError(
                f"{type(self).__name__}.transform: layer must be in [{-n_hidden}, "
                f"{n_hidden - 1}] for {n_hidden} hidden layers, got {layer}"
            )
        target = layer % n_hidden
        was_training = self.module_.training
        self.module_.eval()
        try:
            out = Tensor(_rows(X))
            seen = -1
            with no_grad():
                for module in self.module_:
                    out = module(out)
                    if isinstance(module, nn.Linear):
                        seen += 1
                    elif seen == target and not isinstance(module, nn.Dropout):
                        return out.data
        finally:
            self.module_.train(was_training)
        raise AssertionError("unreachable: every hidden layer has an activation")

    # --- model files (est.save(path), MLPClassifier.load(path)) ---

    def _fitted_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        fitted: dict[str, Any] = {
            "architecture": io.describe(self.module_),
            "out_activation": self.out_activation_,
            "n_outputs": int(self.n_outputs_),
            "n_features_in": int(self.n_features_in_),
            "n_iter": int(self.n_iter_),
            "t": int(self.t_),
            "loss": float(self.loss_),
            "curves": {
                name: [float(v) for v in getattr(self, name)]
                for name in (
                    "loss_curve_",
                    "validation_loss_curve_",
                    "validation_scores_",
                )
                if getattr(self, name, None) is not None
            },
            "feature_names_in": getattr(
                self, "feature_names_in_", np.array([])
            ).tolist(),
        }
        if hasattr(self, "_label_binarizer"):
            fitted["classes"] = labels_to_json(self.classes_)
            fitted["y_type"] = self._label_binarizer.y_type_
        return self.module_.state_dict(), fitted

    def _restore_fitted(
        self, arrays: dict[str, Any], fitted: dict[str, Any], where: str
    ) -> None:
        module = io.rebuild(fitted.get("architecture"), arrays, where)
        linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
        n_features = require_int(fitted, "n_features_in", where)
        n_outputs = require_int(fitted, "n_outputs", where)
        if (
            not isinstance(module, nn.Sequential)
            or not linears
            or linears[0].in_features != n_features
            or linears[-1].out_features != n_outputs
        ):
            raise ModelFileError(
                f"{where}: the network does not map {n_features} features to {n_outputs} outputs"
            )
        activation = fitted.get("out_activation")
        if activation not in self._output_activations():
            raise ModelFileError(f"{where}: invalid output activation {activation!r}")
        self._restore_labels(fitted, n_outputs, where)
        module.eval()
        self.module_, self._linears = module, linears
        self._dtype = linears[0].weight.dtype
        self.n_layers_, self.n_outputs_ = len(linears) + 1, n_outputs
        self.n_features_in_ = n_features
        names = fitted.get("feature_names_in")
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            self.feature_names_in_ = np.array(names, dtype=object)
        self.out_activation_ = activation
        self.n_iter_ = require_int(fitted, "n_iter", where)
        self.t_ = require_int(fitted, "t", where)
        self.loss_ = require_floats({"v": [fitted.get("loss")]}, "v", where)[0]
        curves = fitted.get("curves", {})
        if not isinstance(curves, dict):
            raise ModelFileError(f"{where}: fitted curves must be an object")
        for name in ("loss_curve_", "validation_loss_curve_", "validation_scores_"):
            if name in curves:
                setattr(self, name, require_floats(curves, name, where))

    def _output_activations(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _restore_labels(
        self, fitted: dict[str, Any], n_outputs: int, where: str
    ) -> None:
        """Classifiers restore their labels; regressors have none."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # transform() gives hidden activations in the network's dtype (float32 stays).
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):  # type: ignore[misc]
    """Multilayer perceptron classifier: scikit-learn's ``MLPClassifier``, on rosenblatt.

    Softmax output and cross-entropy for several classes; a logistic output and
    binary cross-entropy per label for two classes or multilabel targets.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The width of each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'} or list of them, default='relu'
        The hidden layers' activation; a list gives one per hidden layer (an extra).
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        L-BFGS (SciPy, full batch), SGD with momentum, or Adam.
    alpha : float, default=1e-4
        L2 penalty: the loss gains alpha/2 ||W||^2 / n_samples (biases excluded).
    batch_size : int or 'auto', default='auto'
        Samples per step for sgd and adam; 'auto' is min(200, n_samples).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        sgd's schedule: constant; lr0 / (t + 1)^power_t with t the samples seen; or
        divided by 5 whenever n_iter_no_change epochs fail to improve by tol.
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in scikit-learn, with the same defaults. ``verbose`` shows the fit loop's
        progress bar (on stderr) instead of printing each loss.
    dropout : float or list of float, default=0.0
        Extra: drop probability after each hidden layer (one value, or one per layer);
        needs 'sgd' or 'adam'.
    callbacks : list of rosenblatt.train.Callback, default=None
        Extra: called by the fit loop (sgd and adam), e.g. ``EarlyStopping``.
    dtype : {None, 'float32', 'float64'}, default=None
        Extra: train in this dtype whatever X is (None: follow X, as scikit-learn).
    class_weight : dict, 'balanced' or None, default=None
        Extra: multiplies each sample's weight by its class's weight.

    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_iter_, n_layers_, n_outputs_, out_activation_,
    n_features_in_, feature_names_in_
        As in scikit-learn. ``coefs_`` and ``intercepts_`` are the network's arrays.
    validation_loss_curve_ : list of float
        Extra: the loss on the validation data after each epoch (early stopping's split,
        or ``validation_data`` given to ``fit``), without the penalty.
    module_ : nn.Sequential
        Extra: the network (raw outputs, before the output activation).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from rosenblatt import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        dropout: Any = 0.0,
        class_weight: Any = None,
        callbacks: Any = None,
        dtype: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.dtype = dtype

    _constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._constraints,
        "class_weight": [dict, Options(("balanced", None))],
    }

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        validation_data: tuple[Any, Any] | None = None,
    ) -> MLPClassifier:
        """Fit the network to X and the labels y (``validation_data``: an extra)."""
        self._fit(
            X, y, sample_weight, incremental=False, validation_data=validation_data
        )
        return self

    @available_if(_BaseMLP._check_solver)  # type: ignore[untyped-decorator]
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> MLPClassifier:
        """One epoch on (X, y); ``classes`` (every label) is required on the first call."""
        self._fit(X, y, sample_weight, incremental=True, classes=classes)
        return self

    def _out_activation(self) -> str:
        return (
            "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"
        )

    def _output_activations(self) -> tuple[str, ...]:
        return ("softmax", "logistic")

    def _restore_labels(
        self, fitted: dict[str, Any], n_outputs: int, where: str
    ) -> None:
        classes = labels_from_json(fitted.get("classes"), where)
        y_type = fitted.get("y_type")
        width = 1 if y_type == "binary" else len(classes)
        if (
            y_type not in ("binary", "multiclass", "multilabel-indicator")
            or width != n_outputs
        ):
            raise ModelFileError(
                f"{where}: {len(classes)} classes of type {y_type!r} do not match "
                f"{n_outputs} outputs"
            )
        binarizer = LabelBinarizer()
        binarizer.classes_, binarizer.y_type_, binarizer.sparse_input_ = (
            classes,
            y_type,
            False,
        )
        self._label_binarizer, self.classes_ = binarizer, classes

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, first_pass: bool, classes: Any
    ) -> tuple[Array, Array]:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=self._wanted_dtype(),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if incremental and not hasattr(self, "_label_binarizer"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        elif first_pass:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        elif incremental:
            unknown = set(unique_labels(y)) - set(self.classes_)
            if unknown and not type_of_target(y).startswith("multilabel"):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {unique_labels(y)}."
                )
        else:
            previous, now = self.classes_, unique_labels(y)
            if len(previous) != len(now) or not np.array_equal(
                np.sort(previous), np.sort(now)
            ):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {previous}, `y` has {now}"
                )
        return X, self._one_hot(y, X.dtype)

    def _one_hot(self, y: Any, dtype: Any) -> Array:
        """The network's targets for known labels y, as ``LabelBinarizer.transform``.

        For 1-D labels of two or more classes this compares them with ``classes_``
        directly (one column per class; for two classes, the second one's). The
        binarizer re-checks the labels' type on every call: 0.5 ms for 200 digits
        labels, a quarter of a ``partial_fit`` call.
        """
        binarizer = self._label_binarizer
        labels = np.asarray(y)
        classes = binarizer.classes_
        if (
            labels.ndim == 1
            and len(classes) >= 2
            and binarizer.y_type_ in ("binary", "multiclass")
        ):
            hits = labels[:, None] == classes
            return (hits[:, 1:] if len(classes) == 2 else hits).astype(dtype)
        Y: Array = binarizer.transform(y).astype(dtype, copy=False)
        return Y

    def _with_class_weight(self, y: Any, sample_weight: Array | None) -> Array | None:
        if self.class_weight is None:
            return sample_weight
        labels = (
            column_or_1d(np.asarray(y))
            if np.ndim(y) == 1 or np.shape(y)[1] == 1
            else None
        )
        if labels is None:
            raise ValueError("MLPClassifier: class_weight needs single-label targets")
        factors = compute_sample_weight(self.class_weight, labels)
        return factors if sample_weight is None else sample_weight * factors

    def _validate_validation_data(self, X: Any, y: Any) -> tuple[Array, Array]:
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=self._dtype, reset=False
        )
        y = np.asarray(y)
        unknown = set(unique_labels(y)) - set(self.classes_)
        if unknown:
            raise ValueError(
                "validation_data: y contains labels not seen in fit: "
                f"{np.array(sorted(unknown)).tolist()}"
            )
        return _rows(X), self._one_hot(y, self._dtype)

    def _stratify(self) -> bool:
        return self.n_outputs_ == 1 or self._label_binarizer.y_type_ == "multiclass"

    def _labels_of(self, Y: Array) -> Array:
        return self._label_binarizer.inverse_transform(Y)

    def _score_on(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        return float(
            accuracy_score(y, self._predict_validated(X), sample_weight=sample_weight)
        )

    def _predict_validated(self, X: Array) -> Array:
        """Labels for X already validated (dense, or CSR rows), from the logits."""
        raw = self._raw(X)
        if self.out_activation_ == "softmax":
            probs = raw  # argmax of the logits is the argmax of the softmax
            return self.classes_[np.argmax(probs, axis=1)]
        scores = raw.ravel() if self.n_outputs_ == 1 else raw
        # p > 1/2, as predict thresholds the probabilities, is z > 0
        return self._label_binarizer.inverse_transform((scores > 0).astype(int))

    def predict(self, X: Any) -> Array:
        """The predicted class (or label set) of each sample."""
        probs = self._output(X)
        if self._label_binarizer.y_type_ == "multiclass":
            # what inverse_transform does here, without its 30 us of checks
            labels: Array = self.classes_.take(probs.argmax(axis=1), mode="clip")
            return labels
        if self.n_outputs_ == 1:
            probs = probs.ravel()
        return self._label_binarizer.inverse_transform(probs)

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, shape (n, n_classes); two classes give [1 - p, p]."""
        probs = self._output(X)
        if self.n_outputs_ == 1:
            p = probs.ravel()
            return np.vstack([1 - p, p]).T
        return probs

    def predict_log_proba(self, X: Any) -> Array:
        """log(predict_proba(X))."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):  # type: ignore[misc]
    """Multilayer perceptron regressor: scikit-learn's ``MLPRegressor``, on rosenblatt.

    Identity output and squared error, or an exponential output and the Poisson
    deviance with ``loss='poisson'``.

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default='squared_error'
        The first positional parameter, as in scikit-learn 1.7 and later.
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The width of each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'} or list of them, default='relu'
        The hidden layers' activation; a list gives one per hidden layer (an extra).
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        L-BFGS (SciPy, full batch), SGD with momentum, or Adam.
    alpha : float, default=1e-4
        L2 penalty: the loss gains alpha/2 ||W||^2 / n_samples (biases excluded).
    batch_size : int or 'auto', default='auto'
        Samples per step for sgd and adam; 'auto' is min(200, n_samples).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        sgd's schedule: constant; lr0 / (t + 1)^power_t with t the samples seen; or
        divided by 5 whenever n_iter_no_change epochs fail to improve by tol.
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in scikit-learn, with the same defaults. ``verbose`` shows the fit loop's
        progress bar (on stderr) instead of printing each loss.
    dropout : float or list of float, default=0.0
        Extra: drop probability after each hidden layer (one value, or one per layer);
        needs 'sgd' or 'adam'.
    callbacks : list of rosenblatt.train.Callback, default=None
        Extra: called by the fit loop (sgd and adam), e.g. ``EarlyStopping``.
    dtype : {None, 'float32', 'float64'}, default=None
        Extra: train in this dtype whatever X is (None: follow X, as scikit-learn).

    Attributes
    ----------
    coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_iter_, n_layers_, n_outputs_, out_activation_,
    n_features_in_, feature_names_in_
        As in scikit-learn (``validation_scores_`` are R^2).
    validation_loss_curve_ : list of float
        Extra: the validation loss after each epoch.
    module_ : nn.Sequential
        Extra: the network.

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    >>> reg.fit(X, X.ravel() ** 2).score(X, X.ravel() ** 2) > 0.99
    True
    """

    _constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._constraints,
        "loss": [Options(("squared_error", "poisson"))],
    }

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        dropout: Any = 0.0,
        callbacks: Any = None,
        dtype: Any = None,
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.callbacks = callbacks
        self.dtype = dtype

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        validation_data: tuple[Any, Any] | None = None,
    ) -> MLPRegressor:
        """Fit the network to X and the targets y (``validation_data``: an extra)."""
        self._fit(
            X, y, sample_weight, incremental=False, validation_data=validation_data
        )
        return self

    @available_if(_BaseMLP._check_solver)  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch on (X, y), continuing from the current weights."""
        self._fit(X, y, sample_weight, incremental=True)
        return self

    def _out_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _output_activations(self) -> tuple[str, ...]:
        return ("exp",) if self.loss == "poisson" else ("identity",)

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, first_pass: bool, classes: Any
    ) -> tuple[Array, Array]:
        _check_numeric_targets(y)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=self._wanted_dtype(),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, Y.astype(X.dtype, copy=False)

    def _validate_validation_data(self, X: Any, y: Any) -> tuple[Array, Array]:
        _check_numeric_targets(y)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=self._dtype, reset=False
        )
        Y = np.asarray(y, dtype=self._dtype)
        return _rows(X), Y.reshape(-1, 1) if Y.ndim == 1 else Y

    def _score_on(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        pred = self._raw(X)
        if self.out_activation_ == "exp":
            pred = np.exp(pred)
        return float(r2_score(y, pred, sample_weight=sample_weight))

    def predict(self, X: Any) -> Array:
        """The predicted value(s) of each sample: shape (n,) or (n, n_outputs)."""
        out = self._output(X)
        return out.ravel() if self.n_outputs_ == 1 else out


def _check_numeric_targets(y: Any) -> None:
    """A clear message where scikit-learn raises NumPy's (string targets to a regressor)."""
    array = np.asarray(y)
    if array.dtype.kind in "USO":
        try:
            array.astype(np.float64)
        except (TypeError, ValueError):
            example = next(iter(array.ravel()), "")
            raise ValueError(
                f"MLPRegressor: y must be numbers, got strings such as {str(example)!r}; for "
                "class labels use MLPClassifier"
            ) from None
