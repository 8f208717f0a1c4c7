"""Multilayer perceptrons trained by backpropagation: drop-in MLPClassifier and MLPRegressor.

scikit-learn's estimators as a thin skin over the library: the network is an
``nn.Sequential`` whose weights ``nn.init`` draws as scikit-learn draws them, the loss
is ``nn.MLPLoss``, the solvers are ``optim.SGD`` and ``optim.Adam`` on the fit loop
(``_skin.fit_stochastic``) and ``optim.LBFGS`` (``_skin.fit_lbfgs``), and labels are
``_labels.ClassLabels``. ``docs/sklearn.md`` lists the extras and each deliberate
difference from scikit-learn.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from rosenblatt import io, nn, optim
from rosenblatt._labels import ClassLabels, partial_fit_labels, with_class_weight
from rosenblatt._params import Interval, Options, check_params, estimator
from rosenblatt._persist import (
    SavableEstimator,
    fit_record,
    require_int,
    restore_fit_record,
    restore_training_state,
    training_state,
)
from rosenblatt._skin import NON_FINITE, OutputContainer, fit_lbfgs, fit_stochastic
from rosenblatt.backend import as_sparse_rows, is_sparse
from rosenblatt.io import ModelFileError
from rosenblatt.nn.builders import per_hidden_layer
from rosenblatt.tensor import Tensor, no_grad

__all__ = ["MLPClassifier", "MLPRegressor"]

Array = np.ndarray[Any, np.dtype[Any]]
_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
_STOCHASTIC = ("sgd", "adam")
_DROPOUT = Interval(float, 0, 1, closed="left")


def _rows(X: Any) -> Array:
    """Sparse input stays sparse, as CSR rows: the first layer multiplies it as it is."""
    rows: Array = as_sparse_rows(X) if is_sparse(X) else X
    return rows


@estimator
class _BaseMLP(
    SavableEstimator,
    OutputContainer,
    TransformerMixin,  # type: ignore[misc]
    BaseEstimator,  # type: ignore[misc]
    auto_wrap_output_keys=None,  # type: ignore[call-arg]  # transform wraps its output
):
    """What MLPClassifier and MLPRegressor share: network, solvers, bookkeeping, files.

    Its parameters are the keyword-only ones of both, in scikit-learn's order and with
    its defaults; each class adds its own positional parameters in front.
    """

    _: KW_ONLY
    solver: str = "adam"
    alpha: float = 0.0001
    batch_size: Any = "auto"
    learning_rate: str = "constant"
    learning_rate_init: float = 0.001
    power_t: float = 0.5
    max_iter: int = 200
    shuffle: bool = True
    random_state: Any = None
    tol: float = 1e-4
    verbose: bool = False
    warm_start: bool = False
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    early_stopping: bool = False
    validation_fraction: float = 0.1
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    n_iter_no_change: int = 10
    max_fun: int = 15000
    dropout: Any = 0.0
    callbacks: Any = None
    divergence: float | None = None
    dtype: Any = None
    threads: int | None = None

    module_: nn.Sequential = field(init=False)
    best_loss_: float | None = field(init=False)
    validation_scores_: list[float] | None = field(init=False)
    best_validation_score_: float | None = field(init=False)
    _best_params: list[Array] | None = field(init=False)

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
        "threads": [Interval(int, 1, None), Options((None,))],
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

    def _raw(self, X: Array, upto: int | None = None) -> Array:
        """The output layer's values before its activation, in evaluation mode.

        For validated X; ``upto`` stops at ``module_[:upto]`` (hidden activations).
        """
        module = self._network()
        net = module if upto is None else module[:upto]
        was_training = module.training  # fit leaves it False: no walk over modules
        if was_training:
            net.eval()
        try:
            # a diverged network's inf and nan are answers here, not warnings
            with no_grad(), np.errstate(over="ignore", invalid="ignore"):
                return net(Tensor(X)).data
        finally:
            if was_training:
                net.train()

    def _activate(self, raw: Array) -> Array:
        """The output activation applied to the output layer's values."""
        with no_grad(), np.errstate(over="ignore"):
            loss = nn.MLPLoss(self.out_activation_, [])
            return loss.prediction(Tensor(raw)).data

    def _validated(self, X: Any) -> Array:
        """X checked against the fitted network: features, dtype; sparse as CSR rows."""
        check_is_fitted(self)
        return _rows(
            validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=self._dtype, reset=False
            )
        )

    def _output(self, X: Any) -> Array:
        """Validated input through the network and the output activation."""
        return self._activate(self._raw(self._validated(X)))

    # --- fitting ---

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        validation_data: tuple[Any, Any] | None = None,
    ) -> Any:
        """Fit the network to X and y (``validation_data``: an extra)."""
        return self._fit(X, y, sample_weight, validation_data=validation_data)

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        incremental: bool = False,
        validation_data: tuple[Any, Any] | None = None,
    ) -> _BaseMLP:
        self._check_hyperparameters()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y = self._validate_input(X, y, first_pass, incremental)
        X = _rows(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = with_class_weight(
            getattr(self, "class_weight", None), y, sample_weight, type(self).__name__
        )
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
            fit_lbfgs(self, X, Y, sample_weight, loss)
        else:
            validation = {}
            if validation_data is not None:
                X_val, y_val = validation_data
                Y_val = self._validation_targets(y_val)
                validation["loss"] = (self._validated(X_val), Y_val, None)
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

    def _validate_input(
        self, X: Any, y: Any, first_pass: bool, incremental: bool
    ) -> tuple[Array, Array]:
        """X and the network's targets for y; a first pass fixes the features."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=not isinstance(self, ClassifierMixin),
            dtype=self._wanted_dtype(),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, self._targets(y, X.dtype, first_pass, incremental)

    # --- what subclasses provide ---

    def _out_activation(self) -> str:
        raise NotImplementedError

    def _targets(
        self, y: Array, dtype: Any, first_pass: bool, incremental: bool
    ) -> Array:
        raise NotImplementedError

    def _validation_targets(self, y: Any) -> Array:
        raise NotImplementedError

    def _score_on(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        raise NotImplementedError

    # --- beyond scikit-learn: hidden activations as a transformer ---

    def transform(self, X: Any, layer: int = -1) -> Any:
        """Activations of hidden layer ``layer`` (0-based; -1 the last), shape (n, width).

        The output is an array, or a DataFrame after ``set_output(transform='pandas')``
        (or 'polars'), with columns named by ``get_feature_names_out``'s rule.
        """
        rows, n_hidden = self._validated(X), self.n_layers_ - 2
        if not -n_hidden <= layer < n_hidden:
            raise ValueError(
                f"{type(self).__name__}.transform: layer must be in [{-n_hidden}, "
                f"{n_hidden - 1}] for {n_hidden} hidden layers, got {layer}"
            )
        hidden = layer % n_hidden
        linear_at = [i for i, m in enumerate(self.module_) if isinstance(m, nn.Linear)]
        out = self._raw(rows, upto=linear_at[hidden] + 2)  # through its activation
        return self._container(out, X, self._unit_names(hidden))

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
            **fit_record(self),
        }
        if self.solver in _STOCHASTIC:
            state_arrays, fitted["training"] = training_state(self)
            arrays.update(state_arrays)
        if hasattr(self, "_labels"):
            fitted.update(self._labels.to_json())
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
        self._restore_labels(fitted, n_outputs, where)
        activation = fitted.get("out_activation")
        if activation != self._out_activation():
            raise ModelFileError(f"{where}: invalid output activation {activation!r}")
        self._adopt(module)
        self.n_features_in_ = n_features
        self.out_activation_ = activation
        restore_fit_record(self, fitted, where)
        if self.solver in _STOCHASTIC:
            restore_training_state(self, arrays, fitted.get("training"), where)
            if not self.early_stopping:
                self.validation_scores_ = None
        elif len(network) != len(arrays):
            raise ModelFileError(
                f"{where}: unexpected arrays {sorted(set(arrays) - set(network))}"
            )

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


@estimator
class MLPClassifier(ClassifierMixin, _BaseMLP):  # type: ignore[misc]
    """Multilayer perceptron classifier: scikit-learn's ``MLPClassifier``, on rosenblatt.

    Softmax output and cross-entropy for several classes; a logistic output and
    binary cross-entropy per label for two classes or multilabel targets.

    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate,
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        scikit-learn's, with its defaults and meaning; ``activation`` may also be a
        list, one per hidden layer.
    dropout : float or list of float, default=0.0
        Drop probability after each hidden layer (one, or one per layer); sgd, adam.
    class_weight : dict, 'balanced' or None, default=None
        Multiplies each sample's weight by its class's.
    callbacks : list of rosenblatt.train.Callback, default=None
        Called by the fit loop (sgd, adam), e.g. ``train.ProgressBar()``.
    divergence : float or None, default=None
        Stop with an error naming the epoch and batch when a batch's loss exceeds
        this many times max(1, the first batch's); None: as scikit-learn, only a
        non-finite loss stops training.
    dtype : {None, 'float32', 'float64'}, default=None
        Train in this dtype whatever X is (None: follow X, as scikit-learn).
    threads : int or None, default=None
        BLAS threads while fitting; None: one for small networks (their products are
        too small to share), BLAS's own count for large ones or when the environment
        sets one (``OMP_NUM_THREADS`` ...).

    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_iter_, n_layers_, n_outputs_, out_activation_,
    n_features_in_, feature_names_in_
        scikit-learn's. ``coefs_`` and ``intercepts_`` are the network's own arrays:
        set them to start training from given weights.
    validation_loss_curve_ : list of float
        The loss (without the penalty) on validation data after each epoch.
    module_ : nn.Sequential
        The network, its outputs taken before the output activation.
    optimizer_ : optim.SGD or optim.Adam
        The stochastic solver (scikit-learn's ``_optimizer``); its rate is ``.lr``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from rosenblatt import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    """

    hidden_layer_sizes: Any = (100,)
    activation: Any = "relu"
    _: KW_ONLY
    class_weight: Any = None

    _labels: ClassLabels = field(init=False)
    _constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._constraints,
        "class_weight": [dict, Options(("balanced", None))],
    }

    @available_if(_BaseMLP._check_solver)  # type: ignore[untyped-decorator]
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> MLPClassifier:
        """One epoch on (X, y); ``classes`` (every label) is required on the first call."""
        labels = partial_fit_labels(self, y, classes)
        if labels is not None:
            self._labels = labels
        self._fit(X, y, sample_weight, incremental=True)
        return self

    def _out_activation(self) -> str:
        return "softmax" if self._labels.kind == "multiclass" else "logistic"

    def _targets(
        self, y: Array, dtype: Any, first_pass: bool, incremental: bool
    ) -> Array:
        check_classification_targets(y)
        if incremental:
            pass  # partial_fit checked the labels
        elif first_pass or not hasattr(self, "_labels"):  # (or given weights)
            self._labels = ClassLabels.fit(y)
            self.classes_ = self._labels.classes
        else:
            self._labels.check_same(y)  # a warm start
        return self._labels.one_hot(y, dtype)

    def _validation_targets(self, y: Any) -> Array:
        self._labels.check_known(y, "validation_data's y")
        return self._labels.one_hot(y, self._dtype)

    def _restore_labels(
        self, fitted: dict[str, Any], n_outputs: int, where: str
    ) -> None:
        self._labels = ClassLabels.from_json(fitted, n_outputs, where)
        self.classes_ = self._labels.classes

    def _score_on(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        # the logits decide as the probabilities do: p > 1/2 is z > 0
        predicted = self._labels.decode(self._raw(X), threshold=0.0)
        return float(accuracy_score(y, predicted, sample_weight=sample_weight))

    def predict(self, X: Any) -> Array:
        """The predicted class (or label set) of each sample."""
        probs = self._output(X)  # checks that it is fitted
        return self._labels.decode(probs)

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


@estimator
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
        scikit-learn's (``validation_scores_`` are R^2).
    validation_loss_curve_, module_, optimizer_
        As ``MLPClassifier``'s.

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    >>> reg.fit(X, X.ravel() ** 2).score(X, X.ravel() ** 2) > 0.99
    True
    """

    loss: str = "squared_error"
    hidden_layer_sizes: Any = (100,)
    activation: Any = "relu"

    _constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._constraints,
        "loss": [Options(("squared_error", "poisson"))],
    }

    @available_if(_BaseMLP._check_solver)  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch on (X, y), continuing from the current weights."""
        self._fit(X, y, sample_weight, incremental=True)
        return self

    def _out_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _validate_input(
        self, X: Any, y: Any, first_pass: bool, incremental: bool
    ) -> tuple[Array, Array]:
        _check_numeric_targets(y)
        return super()._validate_input(X, y, first_pass, incremental)

    def _targets(
        self, y: Array, dtype: Any, first_pass: bool = False, incremental: bool = False
    ) -> Array:
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return Y.astype(dtype, copy=False)

    def _validation_targets(self, y: Any) -> Array:
        _check_numeric_targets(y)
        return self._targets(np.asarray(y), self._dtype)

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
