"""Multilayer perceptrons trained by backpropagation: drop-in MLPClassifier and MLPRegressor.

The estimators take scikit-learn's parameters, with its names, defaults and meaning,
and expose its fitted attributes; change the import and every call keeps working.
They are thin skins over the library: the network is an ``nn.Sequential`` whose
weights ``nn.init`` draws as scikit-learn draws them, the loss is ``nn.MLPLoss``, the
solvers are ``optim.SGD`` / ``optim.Adam`` driven by ``train.Trainer`` and
``optim.LBFGS``, and scikit-learn's end-of-epoch bookkeeping is one callback.

Deliberate differences from scikit-learn (each tested in
``tests/reference/test_sklearn_suite_exceptions.py``):

- With ``early_stopping``, a fit whose loss becomes NaN or infinite stops at that
  epoch (its validation score recorded as nan, the best weights kept, a
  ConvergenceWarning); scikit-learn runs on to ``max_iter`` with NaN weights, to the
  same end. Without early stopping both raise "Solver produced non-finite parameter
  weights".
- ``optimizer_`` (public) holds what scikit-learn keeps in ``_optimizer``: its current
  rate is ``optimizer_.lr`` (scikit-learn's ``_optimizer.learning_rate``).
- ``verbose`` with ``solver='lbfgs'`` prints nothing (SciPy's own printing is
  deprecated).

Beyond scikit-learn, each off by default: ``dropout``, one ``activation`` per hidden
layer, ``class_weight``, ``fit(..., validation_data=(X_val, y_val))`` with
``validation_loss_curve_``, ``callbacks``, ``transform(X, layer)`` for hidden
activations, ``dtype``, ``module_``, and model files (``save`` / ``load``) from which a
model keeps training exactly as if it had never been saved.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
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
    restore_training_state,
    training_state,
)
from rosenblatt._skin import (
    NON_FINITE,
    OutputContainer,
    fit_stochastic,
    partial_fit_classes,
)
from rosenblatt.backend import as_sparse_rows, is_sparse
from rosenblatt.io import ModelFileError
from rosenblatt.nn.builders import per_hidden_layer
from rosenblatt.tensor import Tensor, no_grad

__all__ = ["MLPClassifier", "MLPRegressor"]

Array = np.ndarray[Any, np.dtype[Any]]
_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
_STOCHASTIC = ("sgd", "adam")
_DROPOUT = Interval(float, 0, 1, closed="left")
_CURVES = ("loss_curve_", "validation_loss_curve_", "validation_scores_")


def _rows(X: Any) -> Array:
    """Sparse input stays sparse, as CSR rows: the first layer multiplies it as it is."""
    rows: Array = as_sparse_rows(X) if is_sparse(X) else X
    return rows


class _BaseMLP(
    SavableEstimator,
    OutputContainer,
    TransformerMixin,  # type: ignore[misc]
    BaseEstimator,  # type: ignore[misc]
    auto_wrap_output_keys=None,  # type: ignore[call-arg]  # transform wraps its output
):
    """What MLPClassifier and MLPRegressor share: network, solvers, bookkeeping, files."""

    module_: nn.Sequential
    best_loss_: float | None
    validation_scores_: list[float] | None
    best_validation_score_: float | None
    _best_params: list[Array] | None

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
        "dropout": [_DROPOUT, list, tuple],
        "callbacks": [list, tuple, Options((None,))],
        "divergence": [Interval(float, 1, None, closed="neither"), Options((None,))],
        "dtype": [Options((None, "float32", "float64", np.float32, np.float64))],
    }

    # --- the network ---

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(int(n) != n or n <= 0 for n in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(n) for n in sizes]

    def _layer_plan(self) -> tuple[list[str], list[float]]:
        """Each hidden layer's activation and drop probability, checked."""
        n_hidden, who = len(self._hidden_sizes()), type(self).__name__
        activations = per_hidden_layer("activation", self.activation, n_hidden, who)
        for act in activations:
            if act not in _ACTIVATIONS:
                raise ValueError(
                    f"{who}: unknown activation {act!r}; expected one of "
                    f"{list(_ACTIVATIONS)}"
                )
        dropouts = per_hidden_layer("dropout", self.dropout, n_hidden, who)
        for p in dropouts:
            if not _DROPOUT.accepts(p):
                raise ValueError(f"{who}: dropout must be {_DROPOUT}, got {p}")
        if any(dropouts) and self.solver == "lbfgs":
            raise ValueError(
                f"{who}: dropout needs a stochastic solver ('sgd' or 'adam'); L-BFGS "
                "needs a deterministic loss"
            )
        return activations, [float(p) for p in dropouts]

    def _build(self, units: list[int], dtype: Any) -> None:
        """A network for layer widths ``units`` (not yet initialised), adopted."""
        activations, dropouts = self._layer_plan()
        self._adopt(nn.build_mlp(units, activations, dropout=dropouts, dtype=dtype))

    def _adopt(self, module: nn.Sequential) -> None:
        """Make ``module`` the estimator's network: ``coefs_``, ``intercepts_`` its arrays."""
        module.eval()  # fitted or loaded, it predicts
        self.module_ = module
        self._linears = [m for m in module if isinstance(m, nn.Linear)]
        self.coefs_ = [layer.weight.data for layer in self._linears]
        self.intercepts_ = [layer.bias.data for layer in self._linears]  # type: ignore[union-attr]
        self.n_layers_, self.n_outputs_ = (
            len(self._linears) + 1,
            self.coefs_[-1].shape[1],
        )
        self._dtype = self.coefs_[0].dtype

    def _initialise(
        self, n_features: int, n_outputs: int, random_state: np.random.RandomState
    ) -> None:
        """A new network, its weights drawn as scikit-learn draws them."""
        self._build([n_features, *self._hidden_sizes(), n_outputs], self._dtype)
        activations = self._layer_plan()[0]
        for i, layer in enumerate(self._linears):
            # layer by layer, W then b, from one RandomState: the same random_state
            # starts from the same network as scikit-learn's
            act = activations[min(i, len(activations) - 1)]
            nn.init.glorot_uniform_sklearn_(layer.weight, layer.bias, act, random_state)
        self.n_iter_, self.t_ = 0, 0

    def _network(self) -> nn.Sequential:
        """``module_``, made to hold the arrays now in ``coefs_`` and ``intercepts_``.

        A user may replace them (``clf.coefs_[0] = W``), or set both before any fit to
        start from given weights, as with scikit-learn; the network takes them over.
        """
        coefs, intercepts = self.coefs_, self.intercepts_
        if not hasattr(self, "module_"):
            units = [np.shape(coefs[0])[0], *(np.shape(c)[1] for c in coefs)]
            if units[1:-1] != self._hidden_sizes():
                raise ValueError(
                    f"{type(self).__name__}: coefs_ has hidden layers of widths "
                    f"{units[1:-1]}, but hidden_layer_sizes is {self.hidden_layer_sizes}"
                )
            self._build(units, self._dtype)
        if len(coefs) != len(self._linears) or len(intercepts) != len(self._linears):
            raise ValueError(
                f"{type(self).__name__}: coefs_ and intercepts_ must have one entry per "
                f"layer ({len(self._linears)})"
            )
        for i, layer in enumerate(self._linears):
            for param, given, name in (
                (layer.weight, coefs, "coefs_"),
                (layer.bias, intercepts, "intercepts_"),
            ):
                assert param is not None
                if given[i] is not param.data:
                    value = np.asarray(given[i], dtype=param.dtype)
                    if value.shape != param.shape:
                        raise ValueError(
                            f"{type(self).__name__}: {name}[{i}] has shape "
                            f"{value.shape}, the network needs {param.shape}"
                        )
                    param.data = given[i] = value  # the list the user holds, too
        # after a build, the lists the user set (now holding the network's arrays)
        self.coefs_, self.intercepts_ = coefs, intercepts
        return self.module_

    def _raw(self, X: Array) -> Array:
        """The output layer's values before its activation, for validated X."""
        module = self._network()
        was_training = module.training  # fit leaves it False: no walk over modules
        if was_training:
            module.eval()
        try:
            # a diverged network's inf and nan are answers here, not warnings
            with no_grad(), np.errstate(over="ignore", invalid="ignore"):
                return module(Tensor(X)).data
        finally:
            if was_training:
                module.train()

    def _activate(self, raw: Array) -> Array:
        """The output activation applied to the output layer's values."""
        act = self.out_activation_
        if act == "identity":
            return raw
        with no_grad(), np.errstate(over="ignore"):
            z = Tensor(raw)
            out = z.softmax(axis=1) if act == "softmax" else z.sigmoid()
            return z.exp().data if act == "exp" else out.data

    def _output(self, X: Any) -> Array:
        """Validated input through the network and the output activation."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=self._dtype, reset=False
        )
        return self._activate(self._raw(_rows(X)))

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
        self._check_hyperparameters()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y = self._validate_input(X, y, incremental, first_pass, classes)
        X = _rows(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = self._with_class_weight(y, sample_weight)
        random_state = check_random_state(self.random_state)
        if first_pass or not hasattr(self, "_dtype"):
            self._dtype = X.dtype
        if first_pass:
            self.out_activation_ = self._out_activation()
            self._initialise(X.shape[1], Y.shape[1], random_state)
        else:
            if not hasattr(self, "out_activation_"):
                self.out_activation_ = self._out_activation()
            self._network()
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"{type(self).__name__}: y has {Y.shape[1]} outputs, but the network was "
                f"fitted with {self.n_outputs_}"
            )
        for layer in self.module_.modules():  # each fit's randomness from random_state
            if isinstance(layer, nn.Dropout):
                layer.rng = np.random.default_rng(random_state.randint(2**31))
        weights = [layer.weight for layer in self._linears]
        loss = nn.MLPLoss(self.out_activation_, weights, alpha=self.alpha)
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, Y, sample_weight, loss)
        else:
            validation = {}
            if validation_data is not None:
                X_val, Y_val = self._validate_validation_data(*validation_data)
                validation["loss"] = (X_val, Y_val, None)
            fit_stochastic(
                self,
                X,
                Y,
                sample_weight,
                loss,
                validation,
                incremental=incremental,
                first_pass=first_pass,
                random_state=random_state,
            )
        self.module_.eval()  # fitted: from now on it predicts
        if not all(np.isfinite(p.data).all() for p in self.module_.parameters()):
            raise ValueError(NON_FINITE.format(lr=self.learning_rate_init))
        return self

    def _with_class_weight(self, y: Any, sample_weight: Array | None) -> Array | None:
        return sample_weight

    def _check_hyperparameters(self) -> None:
        check_params(self, self._constraints)
        self._layer_plan()

    def _make_optimizer(self) -> optim.Optimizer:
        params = list(self.module_.parameters())
        if self.solver == "sgd":
            return optim.SGD(
                params,
                lr=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum and self.momentum > 0,
                lr_in_momentum=True,  # scikit-learn's velocity: schedules change lr
            )
        return optim.Adam(
            params,
            lr=self.learning_rate_init,
            betas=(self.beta_1, self.beta_2),
            eps=self.epsilon,
            eps_placement="raw",  # scikit-learn's form of the Adam step
        )

    def _fit_lbfgs(
        self, X: Array, Y: Array, sample_weight: Array | None, loss: nn.MLPLoss
    ) -> None:
        optimizer = optim.LBFGS(
            self.module_.parameters(),
            max_iter=self.max_iter,
            max_eval=self.max_fun,
            tolerance_grad=self.tol,
        )
        inputs = Tensor(X)

        def closure() -> Tensor:
            optimizer.zero_grad()
            value = loss(self.module_(inputs), Y, sample_weight)
            value.backward()
            return value

        self.loss_ = optimizer.step(closure)
        self.n_iter_ = min(optimizer.n_iter, self.max_iter)
        if not optimizer.converged:
            warnings.warn(
                f"lbfgs failed to converge after {optimizer.n_iter} iteration(s): "
                f"{optimizer.message}. Increase the number of iterations (max_iter) or "
                "scale the data.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _data_loss(self, X: Array, Y: Array, weights: Array | None) -> float:
        """The loss without the penalty, in evaluation mode (for validation data)."""
        with no_grad(), np.errstate(all="ignore"):
            loss = nn.MLPLoss(self.out_activation_, [])
            per_sample = loss.per_sample(Tensor(self._raw(X)), Y).data
            return float(np.average(per_sample, weights=weights))

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

    # --- beyond scikit-learn: hidden activations as a transformer ---

    def transform(self, X: Any, layer: int = -1) -> Any:
        """Activations of hidden layer ``layer`` (0-based; -1 the last), shape (n, width).

        The output is an array, or a DataFrame after ``set_output(transform='pandas')``
        (or 'polars'), with columns named by ``get_feature_names_out``'s rule.
        """
        check_is_fitted(self)
        original = X
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
        module = self._network()
        out, seen = Tensor(_rows(X)), -1
        with no_grad():
            for step in module:
                if isinstance(step, nn.Dropout):
                    continue  # evaluation: dropout is the identity
                out = step(out)
                if isinstance(step, nn.Linear):
                    seen += 1
                elif seen == target:
                    return self._container(out.data, original, self._unit_names(target))
        raise AssertionError("unreachable: every hidden layer has an activation")

    def get_feature_names_out(self, input_features: Any = None) -> Array:
        """Names of ``transform``'s columns for the last hidden layer: 'mlpclassifier0', ..."""
        check_is_fitted(self)
        return self._unit_names(self.n_layers_ - 3)

    def _unit_names(self, hidden: int) -> Array:
        prefix = type(self).__name__.lower()
        if hidden != self.n_layers_ - 3:
            prefix += f"_layer{hidden}_"
        width = self._linears[hidden].out_features
        return np.array([f"{prefix}{j}" for j in range(width)], dtype=object)

    # --- model files: est.save(path), MLPClassifier.load(path) ---

    def _fitted_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        arrays = dict(self._network().state_dict())
        fitted: dict[str, Any] = {
            "architecture": io.describe(self.module_),
            "out_activation": self.out_activation_,
            "n_outputs": int(self.n_outputs_),
            "n_iter": int(self.n_iter_),
            "t": int(self.t_),
            "loss": float(self.loss_),
            "curves": {
                name: [float(v) for v in getattr(self, name)]
                for name in _CURVES
                if getattr(self, name, None) is not None
            },
        }
        if self.solver in _STOCHASTIC:
            state_arrays, fitted["training"] = training_state(self)
            arrays.update(state_arrays)
        if hasattr(self, "_label_binarizer"):
            fitted["classes"] = labels_to_json(self.classes_)
            fitted["y_type"] = self._label_binarizer.y_type_
        return arrays, fitted

    def _restore_fitted(
        self, arrays: dict[str, Any], fitted: dict[str, Any], where: str
    ) -> None:
        network = {k: v for k, v in arrays.items() if "/" not in k}
        module = io.rebuild(fitted.get("architecture"), network, where)
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
        self._adopt(module)
        self.n_features_in_ = n_features
        self.out_activation_ = activation
        self.n_iter_ = require_int(fitted, "n_iter", where)
        self.t_ = require_int(fitted, "t", where)
        self.loss_ = require_floats({"v": [fitted.get("loss")]}, "v", where)[0]
        curves = fitted.get("curves", {})
        if not isinstance(curves, dict):
            raise ModelFileError(f"{where}: fitted curves must be an object")
        for name in _CURVES:
            if name in curves:
                setattr(self, name, require_floats(curves, name, where))
        if self.solver in _STOCHASTIC:
            restore_training_state(self, arrays, fitted.get("training"), where)
            if not self.early_stopping:
                self.validation_scores_ = None
        elif len(network) != len(arrays):
            raise ModelFileError(
                f"{where}: unexpected arrays {sorted(set(arrays) - set(network))}"
            )

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
        As in scikit-learn, with the same defaults; ``verbose`` prints what
        scikit-learn's prints (for a progress bar, pass
        ``callbacks=[rosenblatt.train.ProgressBar()]``).
    dropout : float or list of float, default=0.0
        Extra: drop probability after each hidden layer (one value, or one per layer);
        needs 'sgd' or 'adam'.
    callbacks : list of rosenblatt.train.Callback, default=None
        Extra: called by the fit loop (sgd and adam), e.g. ``EarlyStopping``.
    divergence : float or None, default=None
        Extra: stop with an error naming the epoch and batch when a batch's loss
        exceeds this many times max(1, the first batch's) (``train.Trainer``'s rule;
        ``rosenblatt train`` uses 100). None keeps scikit-learn's behaviour: only a
        NaN or infinite loss stops training, and an adaptive rate may recover.
    dtype : {None, 'float32', 'float64'}, default=None
        Extra: train in this dtype whatever X is (None: follow X, as scikit-learn).
    class_weight : dict, 'balanced' or None, default=None
        Extra: multiplies each sample's weight by its class's weight.

    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_iter_, n_layers_, n_outputs_, out_activation_,
    n_features_in_, feature_names_in_
        As in scikit-learn. ``coefs_`` and ``intercepts_`` are the network's own
        arrays; set them (before a ``partial_fit`` or a warm start) to start from given
        weights.
    validation_loss_curve_ : list of float
        Extra: the loss on the validation data after each epoch (early stopping's split,
        or ``validation_data`` given to ``fit``), without the penalty.
    module_ : nn.Sequential
        Extra: the network (raw outputs, before the output activation).
    optimizer_ : optim.SGD or optim.Adam
        Extra: the stochastic solver, kept for ``partial_fit`` (scikit-learn's
        ``_optimizer``); ``optimizer_.lr`` is its current rate.

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
        divergence: float | None = None,
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
        self.divergence = divergence
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
        if incremental:
            self._partial_fit_classes(y, classes)
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
        if incremental:
            pass  # _partial_fit_classes checked the labels
        elif first_pass:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            previous, now = self.classes_, unique_labels(y)
            if set(previous) != set(now):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {previous}, `y` has {now}"
                )
        return X, self._one_hot(y, X.dtype)

    def _partial_fit_classes(self, y: Any, classes: Any) -> None:
        """scikit-learn's checks of ``classes``; the first call fixes the labels."""
        if hasattr(self, "_label_binarizer"):  # the first call told the target's kind
            multilabel = self._label_binarizer.y_type_.startswith("multilabel")
        else:
            multilabel = type_of_target(y).startswith("multilabel")
        if partial_fit_classes(self, y, classes, multilabel):
            self._label_binarizer = LabelBinarizer().fit(y if multilabel else classes)
            self.classes_ = self._label_binarizer.classes_
            partial_fit_classes(self, y, None, multilabel)  # y's labels among them

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
        return bool(self.n_outputs_ == 1)

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
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, ...
        Every other parameter as ``MLPClassifier``'s (``class_weight`` aside).

    Attributes
    ----------
    coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_iter_, n_layers_, n_outputs_, out_activation_,
    n_features_in_, feature_names_in_
        As in scikit-learn (``validation_scores_`` are R^2).
    validation_loss_curve_, module_, optimizer_
        Extras, as ``MLPClassifier``'s.

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
        divergence: float | None = None,
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
        self.divergence = divergence
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
        """R^2 on validation data; nan where the network's outputs are not finite."""
        pred = self._activate(self._raw(X))
        if not np.isfinite(pred).all():
            return float("nan")  # a diverged network, as scikit-learn scores it
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
