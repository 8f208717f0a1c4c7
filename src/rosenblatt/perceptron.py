"""Rosenblatt's perceptron (1958), exactly as the source text's section 3.2.2 gives it.

The algorithm, step by step:

1. Augment each input with a constant +1, so the bias is the first weight:
   x(n) = [+1, x1(n), ..., xN(n)],  w(n) = [b(n), w1(n), ..., wN(n)].
2. Start from w(0) = 0, or small random values.
3. Present a sample x(n) with its desired output d(n): +1 for one class, -1 (or 0)
   for the other.
4. Compute the actual output y(n) = sgn(w(n) . x(n)), where a non-negative sum gives +1.
5. Update w(n+1) = w(n) + eta [d(n) - y(n)] x(n): nothing changes when the output is
   right; a mistake moves w towards x (d = +1) or away from it (d = -1).
6. Stop when an epoch's error is small enough, or the weights stop changing, for k
   epochs in a row, or after M epochs; otherwise go back to 3.

The text asks why the update uses one sample at a time rather than all the data at
once. ``update='batch'`` is that alternative: the corrections of a whole epoch,
computed with the same weights, are summed into one step. On separable data both
converge; the online rule needs no pass over the data to make progress, which is why
it came first (and why the convergence proof, below, counts mistakes one at a time).

Rosenblatt's rule converges on linearly separable data: Novikoff (1962) showed that
with w(0) = 0 it makes at most (R / gamma)^2 mistakes, R the largest |x| and gamma the
margin of the best separating hyperplane. On XOR, which no line separates (Minsky and
Papert, 1969), it never converges; ``pocket=True`` (Gallant, 1990) then keeps the best
weights seen.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from rosenblatt._params import Interval, Options, check_params
from rosenblatt._persist import (
    SavableEstimator,
    labels_from_json,
    labels_to_json,
    require_int,
)
from rosenblatt.io import ModelFileError

__all__ = ["Perceptron"]

Array = np.ndarray[Any, np.dtype[Any]]

# Samples scored at once by the online rule (see Perceptron._online_epoch): large
# enough to amortise Python's per-step cost, small enough that the score updates after
# each mistake stay cheap while mistakes are frequent.
_BLOCK = 64


class _Pocket:
    """The best weights seen so far, one pocket per one-vs-rest unit (Gallant, 1990).

    Weights are offered with their training-set mistakes; a pocket takes them only
    when they make fewer mistakes than the weights it holds (the "ratchet").
    """

    def __init__(self, W: Array, mistakes: Array) -> None:
        self.weights = W.copy()
        self.mistakes = mistakes.copy()

    def offer(self, W: Array, mistakes: Array, units: Array) -> None:
        """Pocket the weights of ``units`` whose ``mistakes`` beat the pocket's."""
        better = mistakes < self.mistakes[units]
        chosen = units[better]
        self.weights[chosen] = W[chosen]
        self.mistakes[chosen] = mistakes[better]


class Perceptron(SavableEstimator, ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Rosenblatt's single-layer perceptron with the text's learning rule and stopping rules.

    Parameters
    ----------
    eta0 : float, default=1.0
        The learning rate eta, in (0, 1] as the text requires.
    learning_rate : {'constant', 'invscaling'}, default='constant'
        'invscaling' shrinks the rate as eta(t) = eta0 / t**power_t, t counting the
        steps (samples presented online, epochs in batch mode): large steps first, then
        small ones, "like focusing a microscope".
    power_t : float, default=0.5
        The exponent of 'invscaling'.
    init : {'zeros', 'random'}, default='zeros'
        w(0): all zeros, or uniform in [-0.5, 0.5) drawn from ``random_state``.
    target_coding : {'bipolar', 'binary'}, default='bipolar'
        The desired and actual outputs: +1/-1, or 1/0. With bipolar coding a mistake
        moves w by 2 eta x; with binary coding by eta x.
    update : {'online', 'batch'}, default='online'
        One update per sample, or one summed update per epoch.
    max_iter : int, default=1000
        M: the most epochs ``fit`` runs.
    tol_error : float, default=0.0
        An epoch "converges by error" when its fraction of mistakes is at most this
        (0: every sample right).
    tol_weight : float or None, default=None
        An epoch "converges by weight" when the Euclidean norm of its total weight
        change is below this; None turns the rule off.
    n_iter_no_change : int, default=1
        k: how many consecutive epochs must meet a rule before training stops.
    shuffle : bool, default=True
        Present the samples in a new random order each epoch (else in the given order).
    pocket : bool, default=False
        Gallant's pocket algorithm with ratchet, for data that is not linearly
        separable: every new weight vector is counted on the whole training set, and
        the one with the fewest mistakes so far is kept "in the pocket"; ``fit`` ends
        with it. The count costs O(n_samples * n_features) per update online (once per
        epoch in batch mode), so on large data prefer ``update='batch'``. (Gallant's
        cheaper variant only counts weights that beat the longest run of consecutive
        right answers; on XOR it can miss the best weights for hundreds of epochs.)
    record_history : bool, default=False
        Keep every weight vector in ``weight_history_`` (w(0), then after each update).
    random_state : int, RandomState or None, default=None
        Seeds the random start and the shuffling.
    verbose : int, default=0
        Print one line per epoch.

    Attributes
    ----------
    weights_ : ndarray of shape (n_features + 1,) or (n_classes, n_features + 1)
        w = [b, w1, ..., wN], bias first; one row per class when there are more than two.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights without the bias (a view of ``weights_``), as scikit-learn's.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The bias b (a view of ``weights_``).
    classes_ : ndarray of shape (n_classes,)
        The labels; for two classes, ``classes_[1]`` is the one coded +1.
    n_iter_ : int
        Epochs run by the last ``fit`` (accumulated by ``partial_fit``).
    t_ : int
        Steps taken so far (samples presented online, epochs in batch mode).
    converged_ : str or None, or list of those (one per class)
        Which rule stopped training -- 'error' or 'weight' -- or None when ``max_iter``
        did. With more than two classes, one entry per one-vs-rest unit.
    errors_ : list of int
        Mistakes in each epoch (summed over the one-vs-rest units).
    weight_history_ : list of ndarray
        With ``record_history``: w(0) and the weights after every update.
    n_features_in_ : int
        The number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> clf = Perceptron(eta0=0.5, shuffle=False).fit(X, [0, 0, 0, 1])   # AND
    >>> clf.predict(X), clf.converged_
    (array([0, 0, 0, 1]), 'error')
    """

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "eta0": [Interval(float, 0, 1, closed="right")],
        "learning_rate": [Options(("constant", "invscaling"))],
        "power_t": [Interval(float, 0, None)],
        "init": [Options(("zeros", "random"))],
        "target_coding": [Options(("bipolar", "binary"))],
        "update": [Options(("online", "batch"))],
        "max_iter": [Interval(int, 1, None)],
        "tol_error": [Interval(float, 0, 1)],
        "tol_weight": [Interval(float, 0, None), Options((None,))],
        "n_iter_no_change": [Interval(int, 1, None)],
        "shuffle": [Options((True, False))],
        "pocket": [Options((True, False))],
        "record_history": [Options((True, False))],
        "random_state": [
            Interval(int, 0, 2**32 - 1),
            np.random.RandomState,
            Options((None,)),
        ],
        "verbose": [Interval(int, 0, None), Options((True, False))],
    }

    def __init__(
        self,
        *,
        eta0: float = 1.0,
        learning_rate: str = "constant",
        power_t: float = 0.5,
        init: str = "zeros",
        target_coding: str = "bipolar",
        update: str = "online",
        max_iter: int = 1000,
        tol_error: float = 0.0,
        tol_weight: float | None = None,
        n_iter_no_change: int = 1,
        shuffle: bool = True,
        pocket: bool = False,
        record_history: bool = False,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.eta0 = eta0
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.init = init
        self.target_coding = target_coding
        self.update = update
        self.max_iter = max_iter
        self.tol_error = tol_error
        self.tol_weight = tol_weight
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.pocket = pocket
        self.record_history = record_history
        self.random_state = random_state
        self.verbose = verbose

    # --- fitted views ---

    @property
    def coef_(self) -> Array:
        """Weights without the bias, shape (1 or n_classes, n_features)."""
        check_is_fitted(self)
        return self._matrix()[:, 1:]

    @property
    def intercept_(self) -> Array:
        """The bias of each unit, shape (1 or n_classes,)."""
        check_is_fitted(self)
        return self._matrix()[:, 0]

    def _matrix(self) -> Array:
        """``weights_`` as a (units, n_features + 1) view, one row per unit."""
        w: Array = self.weights_
        return w[None, :] if w.ndim == 1 else w

    # --- fitting ---

    def fit(
        self,
        X: Any,
        y: Any,
        coef_init: Any = None,
        intercept_init: Any = None,
    ) -> Perceptron:
        """Learn the weights by the perceptron rule, for up to ``max_iter`` epochs.

        ``coef_init`` (units, n_features) and ``intercept_init`` (units,) override
        ``init``, as in scikit-learn.
        """
        check_params(self, self._constraints)
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = unique_labels(y)
        self._check_two_or_more_classes()
        self._rng = check_random_state(
            self.random_state
        )  # partial_fit continues with it
        self._initialise(X.shape[1], self._rng, coef_init, intercept_init)
        self._run(X, y, self._rng, epochs=self.max_iter, freeze_converged=True)
        if any(reason is None for reason in self._reasons):
            warnings.warn(
                f"Perceptron: max_iter={self.max_iter} epochs ended without convergence; "
                "the classes may not be linearly separable (pocket=True keeps the best "
                "weights seen), or more epochs are needed",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> Perceptron:
        """One epoch of the perceptron rule on (X, y), continuing from the current weights.

        ``classes`` (every label that will ever appear) is required on the first call.
        """
        first = not hasattr(self, "weights_")
        check_params(self, self._constraints)
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            self.classes_ = unique_labels(classes)
            self._check_two_or_more_classes()
            self._rng = check_random_state(self.random_state)
            self._initialise(X.shape[1], self._rng, None, None)
            self.n_iter_ = 0
        elif classes is not None and not np.array_equal(
            unique_labels(classes), self.classes_
        ):
            raise ValueError(
                f"classes={unique_labels(classes)!r} is not the same as on the first call "
                f"to partial_fit: {self.classes_!r}"
            )
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not in classes: {unknown.tolist()}; expected only "
                f"{self.classes_.tolist()}"
            )
        self._run(X, y, self._rng, epochs=1, freeze_converged=False, accumulate=True)
        return self

    def _check_two_or_more_classes(self) -> None:
        if len(self.classes_) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{len(self.classes_)} class"
            )

    def _initialise(
        self,
        n_features: int,
        rng: np.random.RandomState,
        coef_init: Any,
        intercept_init: Any,
    ) -> None:
        units = 1 if len(self.classes_) == 2 else len(self.classes_)
        if self.init == "random":
            W = rng.uniform(-0.5, 0.5, size=(units, n_features + 1))
        else:
            W = np.zeros((units, n_features + 1))
        if coef_init is not None:
            W[:, 1:] = np.asarray(coef_init, dtype=np.float64).reshape(
                units, n_features
            )
        if intercept_init is not None:
            W[:, 0] = np.asarray(intercept_init, dtype=np.float64).reshape(units)
        self.weights_ = W[0] if units == 1 else W
        self.t_ = 0
        self.errors_: list[int] = []
        self._reasons: list[str | None] = [None] * units
        self.weight_history_: list[Array] = (
            [self.weights_.copy()] if self.record_history else []
        )

    def _desired(self, y: Array) -> Array:
        """Desired outputs d per sample and unit: +1 for the unit's class, else -1 (or 0)."""
        positives = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        return np.where(y[:, None] == positives[None, :], 1.0, self._negative)

    @property
    def _negative(self) -> float:
        """The output and desired value of the "other" class: -1 (bipolar) or 0 (binary)."""
        return -1.0 if self.target_coding == "bipolar" else 0.0

    def _eta(self) -> float:
        return float(self._eta_at(np.array([max(self.t_, 1)]))[0])

    def _eta_at(self, t: Array) -> Array:
        """The rate at step counts t: eta0, or eta0 / t**power_t for 'invscaling'."""
        if self.learning_rate == "constant":
            return np.full(t.shape, float(self.eta0))
        return float(self.eta0) / t.astype(np.float64) ** self.power_t

    def _run(
        self,
        X: Array,
        y: Array,
        rng: np.random.RandomState,
        epochs: int,
        freeze_converged: bool,
        accumulate: bool = False,
    ) -> None:
        W = self._matrix()  # a view: updates land in weights_
        Xa = np.hstack([np.ones((X.shape[0], 1)), X])  # x = [+1, x1..xN]
        d = self._desired(y)
        n = len(Xa)
        active = np.ones(len(W), dtype=bool)
        streak = {"error": np.zeros(len(W), int), "weight": np.zeros(len(W), int)}
        self._pocket = _Pocket(W, self._mistakes(Xa, d, W)) if self.pocket else None
        done = 0
        for _ in range(epochs):
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            start = W.copy()
            if self.update == "online":
                mistakes = self._online_epoch(Xa, d, W, order, active)
            else:
                mistakes = self._batch_epoch(Xa, d, W, active)
            done += 1
            self.errors_.append(int(mistakes.sum()))
            if self._pocket is not None and self.update == "batch":
                self._pocket.offer(W, self._mistakes(Xa, d, W), np.arange(len(W)))
            change = np.linalg.norm(W - start, axis=1)
            if self.verbose:
                print(
                    f"Epoch {len(self.errors_)}: {int(mistakes.sum())} mistakes, "
                    f"|dw| = {change.max():.4g}, eta = {self._eta():.4g}"
                )
            met_error = mistakes / n <= self.tol_error
            met_weight = (
                change < self.tol_weight
                if self.tol_weight is not None
                else np.zeros_like(met_error)
            )
            streak["error"] = np.where(met_error, streak["error"] + 1, 0)
            streak["weight"] = np.where(met_weight, streak["weight"] + 1, 0)
            for unit in np.flatnonzero(active):
                for rule in ("error", "weight"):
                    if streak[rule][unit] >= self.n_iter_no_change:
                        self._reasons[unit] = rule
                        break
                if freeze_converged and self._reasons[unit] is not None:
                    active[unit] = False
            if freeze_converged and not active.any():
                break
        if self._pocket is not None:
            W[...] = self._pocket.weights
            self._pocket = None
        self.n_iter_ = self.n_iter_ + done if accumulate else done
        self.converged_: str | list[str | None] | None = (
            self._reasons[0] if len(W) == 1 else list(self._reasons)
        )

    def _online_epoch(
        self, Xa: Array, d: Array, W: Array, order: Array, active: Array
    ) -> Array:
        """One pass, one sample at a time: w <- w + eta (d - y) x on every mistake.

        Each one-vs-rest unit follows the rule exactly, sample by sample in ``order``;
        the units are independent, so they advance together. A block of samples is
        scored at once (S = X_block W^T), each unit jumps to its own next mistake in
        the block, all those units update together, and only the scores of the rows
        after each unit's mistake change, by (x_i . x_r) times its update -- read from
        the block's Gram matrix, computed once. A block costs two matrix products and
        a few small steps per mistake, instead of a Python step per sample.
        """
        mistakes = np.zeros(len(W), dtype=np.int64)
        notify = self.record_history or self._pocket is not None
        constant = self.learning_rate == "constant"
        for start in range(0, len(order), _BLOCK):
            rows = order[start : start + _BLOCK]
            Xb, db = Xa[rows], d[rows]
            wants_positive = db > 0
            # On a mistake y is the other value, so d - y is 2d (bipolar: +-2) or
            # 2d - 1 (binary: +-1), known before any score is looked at.
            correction = 2 * db if self._negative < 0 else 2 * db - 1
            index = np.arange(len(rows))[:, None]
            scores = Xb @ W.T  # (B, units): w . x for every row of the block
            gram = Xb @ Xb.T  # (B, B): x_i . x_j, how an update at row j moves row i
            # Per unit, the first row not yet presented (the rows before it are done).
            next_row = np.zeros(len(W), dtype=np.int64)
            while True:
                # y = +1 exactly when w . x >= 0: wrong where that differs from d.
                wrong = (scores >= 0) != wants_positive
                wrong &= active & (index >= next_row)
                units = np.flatnonzero(wrong.any(axis=0))
                if units.size == 0:
                    break
                r = wrong[:, units].argmax(axis=0)  # each unit's first mistake
                step = correction[r, units]  # d - y
                # eta (d - y), eta at each mistake's own step count n (for invscaling)
                step = step * (self.eta0 if constant else self._eta_at(self.t_ + r + 1))
                W[units] += step[:, None] * Xb[r]
                later = gram[:, r] * step  # (B, moved units): (x_i . x_r) eta (d - y)
                later[index <= r] = 0  # rows up to the mistake keep their scores
                scores[:, units] += later
                mistakes[units] += 1
                next_row[units] = r + 1
                if notify:
                    self._after_update(Xa, d, W, units)
            self.t_ += len(rows)
        return mistakes

    def _after_update(self, Xa: Array, d: Array, W: Array, changed: Array) -> None:
        if self.record_history:
            self.weight_history_.append(self.weights_.copy())
        if self._pocket is not None:
            self._pocket.offer(W, self._mistakes(Xa, d, W, changed), changed)

    def _batch_epoch(self, Xa: Array, d: Array, W: Array, active: Array) -> Array:
        """One summed step: w <- w + eta sum_n (d(n) - y(n)) x(n), y from the same w."""
        self.t_ += 1
        out = np.where(Xa @ W.T >= 0, 1.0, self._negative)
        error = (d - out) * active[None, :]
        W += self._eta() * (error.T @ Xa)
        if self.record_history:
            self.weight_history_.append(self.weights_.copy())
        return np.asarray((error != 0).sum(axis=0), dtype=np.int64)

    def _mistakes(
        self, Xa: Array, d: Array, W: Array, units: Array | None = None
    ) -> Array:
        """Training-set mistakes of each unit's weights (of ``units`` only, if given)."""
        rows = W if units is None else W[units]
        cols = d if units is None else d[:, units]
        out = np.where(Xa @ rows.T >= 0, 1.0, self._negative)
        return np.asarray((out != cols).sum(axis=0), dtype=np.int64)

    # --- prediction ---

    def decision_function(self, X: Any) -> Array:
        """Scores w . x: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        W = self._matrix()
        scores = X @ W[:, 1:].T + W[:, 0]
        return scores[:, 0] if len(W) == 1 else scores

    def predict(self, X: Any) -> Array:
        """The class of each sample: sgn(w . x) for two classes, else the highest w . x."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores >= 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    # --- model files (est.save(path), Perceptron.load(path)) ---

    def _fitted_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        arrays = {"weights": self.weights_}
        if self.weight_history_:
            arrays["weight_history"] = np.stack(self.weight_history_)
        fitted = {
            "classes": labels_to_json(self.classes_),
            "n_features_in": int(self.n_features_in_),
            "n_iter": int(self.n_iter_),
            "t": int(self.t_),
            "converged": self.converged_,
            "errors": [int(e) for e in self.errors_],
            "feature_names_in": getattr(
                self, "feature_names_in_", np.array([])
            ).tolist(),
        }
        return arrays, fitted

    def _restore_fitted(
        self, arrays: dict[str, Any], fitted: dict[str, Any], where: str
    ) -> None:
        classes = labels_from_json(fitted.get("classes"), where)
        n_features = require_int(fitted, "n_features_in", where)
        units = 1 if len(classes) == 2 else len(classes)
        shape = (n_features + 1,) if units == 1 else (units, n_features + 1)
        weights = arrays.get("weights")
        if len(classes) < 2 or weights is None or weights.shape != shape:
            raise ModelFileError(
                f"{where}: expected weights of shape {shape} for {len(classes)} classes and "
                f"{n_features} features, got {None if weights is None else weights.shape}"
            )
        if weights.dtype != np.float64 or set(arrays) - {"weights", "weight_history"}:
            raise ModelFileError(
                f"{where}: unexpected arrays or dtype in a Perceptron file"
            )
        errors = fitted.get("errors")
        if not isinstance(errors, list) or not all(isinstance(e, int) for e in errors):
            raise ModelFileError(
                f"{where}: fitted field 'errors' must be a list of ints"
            )
        self.classes_ = classes
        self.n_features_in_ = n_features
        names = fitted.get("feature_names_in")
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            self.feature_names_in_ = np.array(names, dtype=object)
        self.weights_ = weights
        self.n_iter_ = require_int(fitted, "n_iter", where)
        self.t_ = require_int(fitted, "t", where)
        self.errors_ = errors
        self.converged_ = fitted.get("converged")
        history = arrays.get("weight_history")
        self.weight_history_ = [] if history is None else list(history)
        self._reasons = (
            list(self.converged_)
            if isinstance(self.converged_, list)
            else [self.converged_]
        )
