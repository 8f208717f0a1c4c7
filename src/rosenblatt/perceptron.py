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

scikit-learn's ``Perceptron`` is the same rule in other words: on a mistake it adds
eta' d x, where this rule adds eta (d - y) x = 2 eta d x (bipolar coding); and it
counts a zero score w . x = 0 as a mistake for both classes, where sgn(0) = +1 here.
``Perceptron.from_sklearn_params(**params)`` makes the Perceptron that reproduces
``sklearn.linear_model.Perceptron(**params)``: eta0 halved, ``zero_score='mistake'``,
only the loss rule for stopping, scikit-learn's ``random_state=0`` default. The weights
are then the same, bit for bit, when the samples come in the same order
(``shuffle=False``; scikit-learn shuffles with its own generator) and the input is
dense (scikit-learn damps the intercept's updates by 0.01 for sparse input).

Rosenblatt's rule converges on linearly separable data: Novikoff (1962) showed that
with w(0) = 0 it makes at most (R / gamma)^2 mistakes, R the largest |x| and gamma the
margin of the best separating hyperplane. On XOR, which no line separates (Minsky and
Papert, 1969), it never converges; ``pocket=True`` (Gallant, 1990) then keeps the best
weights seen.
"""

from __future__ import annotations

import warnings
from dataclasses import KW_ONLY, field
from typing import Any, ClassVar

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from rosenblatt._labels import labels_from_json, labels_to_json
from rosenblatt._params import Interval, Options, check_params, estimator
from rosenblatt._persist import SavableEstimator, require_int
from rosenblatt.io import ModelFileError

__all__ = ["Perceptron"]

Array = np.ndarray[Any, np.dtype[Any]]

# Samples scored at once by the online rule (see Perceptron._online_epoch): large
# enough to amortise Python's per-step cost, small enough that the score updates after
# each mistake stay cheap while mistakes are frequent.
_BLOCK = 64
# Work per epoch (samples x units x inputs) from which the compiled loop
# (kernels.perceptron.online_epoch) takes over from the block algorithm; below it a
# fit is too small to repay the kernel's first-call cost (compiling, or loading it
# from the cache).
_KERNEL_WORK = 20_000


def _augment(X: Any, constant: float) -> Any:
    """[c, x1..xN] for every row: the constant input that carries the bias (c = +1)."""
    column = np.full((X.shape[0], 1), constant, dtype=X.dtype)
    if scipy.sparse.issparse(X):
        return scipy.sparse.hstack([column, X], format="csr")
    return np.hstack([column, X])


class _Pocket:
    """The best weights seen so far, one pocket per one-vs-rest unit (Gallant, 1990).

    Weights are offered with their training-set mistakes; a pocket takes them only
    when they make fewer mistakes than the weights it holds (the "ratchet").
    """

    def __init__(self, W: Array, mistakes: Array) -> None:
        self.weights = W.copy()
        self.mistakes = mistakes.astype(np.float64)  # weighted counts may be fractions

    def offer(self, W: Array, mistakes: Array, units: Array) -> None:
        """Pocket the weights of ``units`` whose ``mistakes`` beat the pocket's."""
        better = mistakes < self.mistakes[units]
        chosen = units[better]
        self.weights[chosen] = W[chosen]
        self.mistakes[chosen] = mistakes[better]


@estimator
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
    zero_score : {'positive', 'mistake'}, default='positive'
        How a score w . x = 0 is read while learning: as sgn(0) = +1 (the text's rule),
        or as a mistake whatever the class (scikit-learn's perceptron loss, which
        updates when d w . x <= 0).
    max_iter : int, default=1000
        M: the most epochs ``fit`` runs.
    tol : float or None, default=1e-3
        "Learning has stopped": an epoch meets this rule when its perceptron loss,
        the mean over samples of max(0, -s w . x) (s = +1 or -1, the sign of d) at
        the moment each is presented, is not below the lowest so far minus ``tol``
        (scikit-learn's rule, with its default). With sample or class weights each
        sample's term is weighted too. None turns the rule off, and so does
        ``pocket=True``: the pocket keeps searching for better weights until
        ``max_iter`` (or the text's rules), as in Gallant's algorithm.
    tol_error : float or None, default=0.0
        An epoch "converges by error" when its fraction of mistakes is at most this
        (0: every sample right); None turns the rule off.
    tol_weight : float or None, default=None
        An epoch "converges by weight" when the Euclidean norm of its total weight
        change is below this; None turns the rule off.
    n_iter_no_change : int, default=5
        k: how many consecutive epochs must meet a rule before training stops (the
        text's k; 5 is scikit-learn's default).
    shuffle : bool, default=True
        Present the samples in a new random order each epoch (else in the given order).
    fit_intercept : bool, default=True
        Learn the bias w0 (the weight of the constant input +1); False keeps it at 0.
    class_weight : dict, 'balanced' or None, default=None
        Multiplies the update of a mistake on a sample of class c by its weight (for
        more than two classes, only the class's own one-vs-rest unit is weighted, as
        in scikit-learn).
    warm_start : bool, default=False
        ``fit`` starts from the weights of the previous fit instead of ``init``.
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
    penalty, alpha, l1_ratio, early_stopping, validation_fraction, n_jobs
        scikit-learn's names, accepted so that its code runs unchanged. A penalty and
        early stopping on a held-out score are not part of Rosenblatt's rule: ``fit``
        refuses ``penalty`` other than None and ``early_stopping=True``, naming what to
        use instead. ``alpha``, ``l1_ratio`` and ``validation_fraction`` only act with
        those (as in scikit-learn); ``n_jobs`` has no effect, since the one-vs-rest
        units learn together in one pass.

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
        Which rule stopped training -- 'error', 'weight' or 'loss' (``tol``) -- or None
        when ``max_iter`` did. With more than two classes, one entry per one-vs-rest
        unit.
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

    scikit-learn's ``Perceptron(shuffle=False)``, reproduced (see the module's notes):

    >>> from sklearn.linear_model import Perceptron as SkPerceptron
    >>> ours = Perceptron.from_sklearn_params(shuffle=False).fit(X, [0, 1, 1, 1])
    >>> theirs = SkPerceptron(shuffle=False).fit(X, [0, 1, 1, 1])
    >>> bool((ours.coef_ == theirs.coef_).all()), ours.n_iter_ == theirs.n_iter_
    (True, True)
    """

    _: KW_ONLY
    eta0: float = 1.0
    learning_rate: str = "constant"
    power_t: float = 0.5
    init: str = "zeros"
    target_coding: str = "bipolar"
    update: str = "online"
    zero_score: str = "positive"
    max_iter: int = 1000
    tol: float | None = 1e-3
    tol_error: float | None = 0.0
    tol_weight: float | None = None
    n_iter_no_change: int = 5
    shuffle: bool = True
    fit_intercept: bool = True
    class_weight: dict[Any, float] | str | None = None
    warm_start: bool = False
    pocket: bool = False
    record_history: bool = False
    random_state: int | np.random.RandomState | None = None
    verbose: int = 0
    penalty: str | None = None
    alpha: float = 0.0001
    l1_ratio: float = 0.15
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_jobs: int | None = None

    classes_: Array = field(init=False)

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "eta0": [Interval(float, 0, 1, closed="right")],
        "learning_rate": [Options(("constant", "invscaling"))],
        "power_t": [Interval(float, 0, None)],
        "init": [Options(("zeros", "random"))],
        "target_coding": [Options(("bipolar", "binary"))],
        "update": [Options(("online", "batch"))],
        "zero_score": [Options(("positive", "mistake"))],
        "max_iter": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None), Options((None,))],
        "tol_error": [Interval(float, 0, 1), Options((None,))],
        "tol_weight": [Interval(float, 0, None), Options((None,))],
        "n_iter_no_change": [Interval(int, 1, None)],
        "shuffle": [Options((True, False))],
        "fit_intercept": [Options((True, False))],
        "class_weight": [dict, Options(("balanced", None))],
        "warm_start": [Options((True, False))],
        "pocket": [Options((True, False))],
        "record_history": [Options((True, False))],
        "random_state": [
            Interval(int, 0, 2**32 - 1),
            np.random.RandomState,
            Options((None,)),
        ],
        "verbose": [Interval(int, 0, None), Options((True, False))],
        "penalty": [Options(("l2", "l1", "elasticnet", None))],
        "alpha": [Interval(float, 0, None)],
        "l1_ratio": [Interval(float, 0, 1)],
        "early_stopping": [Options((True, False))],
        "validation_fraction": [Interval(float, 0, 1, closed="neither")],
        "n_jobs": [Interval(int, None, None), Options((None,))],
    }

    @classmethod
    def from_sklearn_params(cls, **params: Any) -> Perceptron:
        """The Perceptron that reproduces ``sklearn.linear_model.Perceptron(**params)``.

        scikit-learn adds eta0 d x on a mistake where Rosenblatt's rule adds
        eta (d - y) x = 2 eta d x, so eta0 is halved; it counts a zero score as a
        mistake (``zero_score='mistake'``); it stops by its loss rule (``tol``) alone,
        so the error rule is off (``tol_error=None``); its ``random_state`` defaults to
        0. Every other parameter keeps its name and meaning.
        """
        mapped: dict[str, Any] = {
            "random_state": 0,
            "zero_score": "mistake",
            "tol_error": None,
            **params,
        }
        mapped["eta0"] = float(mapped.get("eta0", 1.0)) / 2
        return cls(**mapped)

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
        sample_weight: Any = None,
    ) -> Perceptron:
        """Learn the weights by the perceptron rule, for up to ``max_iter`` epochs.

        ``coef_init`` (units, n_features) and ``intercept_init`` (units,) override
        ``init`` (and ``warm_start``), as in scikit-learn; ``sample_weight`` (n,)
        multiplies each sample's updates.
        """
        self._check_hyperparameters()
        warm = self.warm_start and hasattr(self, "weights_")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=not warm,
        )
        check_classification_targets(y)
        classes: Array = unique_labels(y)
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"Perceptron: warm_start needs the classes of the previous fit, "
                f"{self.classes_.tolist()}; y has {classes.tolist()}"
            )
        self.classes_ = classes
        self._check_two_or_more_classes()
        rng = check_random_state(self.random_state)
        if warm and coef_init is None and intercept_init is None:
            self._restart(self.weights_.copy())
        else:
            self._initialise(X, rng, coef_init, intercept_init)
        weights = self._update_weights(y, _check_sample_weight(sample_weight, X))
        self._run(X, y, weights, rng, self.max_iter, freeze_converged=True)
        rules = (self.tol_error, self.tol_weight, None if self.pocket else self.tol)
        # with no rule to meet, running max_iter epochs is what was asked for
        has_rule = any(rule is not None for rule in rules)
        if has_rule and any(reason is None for reason in self._reasons):
            warnings.warn(
                f"Perceptron: max_iter={self.max_iter} epochs ended without convergence; "
                "the classes may not be linearly separable (pocket=True keeps the best "
                "weights seen), or more epochs are needed",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> Perceptron:
        """One epoch of the perceptron rule on (X, y), continuing from the current weights.

        ``classes`` (every label that will ever appear) is required on the first call.
        """
        first = not hasattr(self, "weights_")
        self._check_hyperparameters()
        # each call draws from random_state afresh, as scikit-learn's partial_fit (a
        # RandomState instance continues its stream from call to call)
        rng = check_random_state(self.random_state)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=first,
        )
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            self.classes_ = unique_labels(classes)
            self._check_two_or_more_classes()
            self._initialise(X, rng, None, None)
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
        weights = self._update_weights(y, _check_sample_weight(sample_weight, X))
        self._run(X, y, weights, rng, 1, freeze_converged=False, accumulate=True)
        return self

    def _check_hyperparameters(self) -> None:
        """The constraints, then the scikit-learn options Rosenblatt's rule has not."""
        check_params(self, self._constraints)
        if self.penalty is not None:
            raise ValueError(
                f"Perceptron: penalty={self.penalty!r} is not part of Rosenblatt's rule, "
                "w <- w + eta (d - y) x, which has no weight decay. For a penalised "
                "perceptron use sklearn.linear_model.SGDClassifier(loss='perceptron', "
                f"penalty={self.penalty!r}, learning_rate='constant', eta0=...)."
            )
        if self.early_stopping:
            raise ValueError(
                "Perceptron: early_stopping=True (stopping on a held-out score) is not "
                "one of the text's stopping rules. This Perceptron stops when the loss "
                "stops improving (tol), when it makes few mistakes (tol_error) or when "
                "the weights stop changing (tol_weight), each for n_iter_no_change "
                "epochs; on data no line separates, pocket=True keeps the best weights."
            )

    def _check_two_or_more_classes(self) -> None:
        if len(self.classes_) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{len(self.classes_)} class"
            )

    def _initialise(
        self,
        X: Any,
        rng: np.random.RandomState,
        coef_init: Any,
        intercept_init: Any,
    ) -> None:
        """w(0) for X's features, in X's dtype (float32 data trains float32 weights)."""
        units = 1 if len(self.classes_) == 2 else len(self.classes_)
        shape = (units, X.shape[1] + 1)
        if self.init == "random":
            W = rng.uniform(-0.5, 0.5, size=shape).astype(X.dtype)
        else:
            W = np.zeros(shape, dtype=X.dtype)
        if not self.fit_intercept:
            W[:, 0] = 0.0
        if coef_init is not None:
            W[:, 1:] = np.asarray(coef_init, dtype=np.float64).reshape(
                units, X.shape[1]
            )
        if intercept_init is not None:
            W[:, 0] = np.asarray(intercept_init, dtype=np.float64).reshape(units)
        self._restart(W[0] if units == 1 else W)

    def _restart(self, weights: Array) -> None:
        """Start training from ``weights``: counters, errors and history afresh."""
        self.weights_ = weights
        self.t_ = 0
        self.errors_: list[int] = []
        self._reasons: list[str | None] = [None] * len(self._matrix())
        self.weight_history_: list[Array] = (
            [self.weights_.copy()] if self.record_history else []
        )

    def _desired(self, y: Array) -> Array:
        """Desired outputs d per sample and unit: +1 for the unit's class, else -1 (or 0)."""
        return np.where(y[:, None] == self._positives[None, :], 1.0, self._negative)

    @property
    def _positives(self) -> Array:
        """The class each unit answers +1 for (the second class when there are two)."""
        positives: Array = (
            self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        )
        return positives

    def _update_weights(self, y: Array, sample_weight: Array) -> Array | None:
        """Each sample's factor on each unit's updates, shape (n, units); None if all 1.

        ``sample_weight`` times ``class_weight``: a unit weights the samples of its
        class by that class's weight; the other samples count with the weight of the
        negative class for two classes and 1 for more, as in scikit-learn.
        """
        if self.class_weight is None and np.all(sample_weight == 1):
            return None
        factors = np.ones((len(y), len(self._positives)))
        if self.class_weight is not None:
            per_class = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y
            )
            weight_of = dict(zip(self.classes_.tolist(), per_class, strict=True))
            mine = y[:, None] == self._positives[None, :]
            positive = np.array([weight_of[c] for c in self._positives.tolist()])
            negative = (
                weight_of[self.classes_[0].item()] if len(self.classes_) == 2 else 1.0
            )
            factors = np.where(mine, positive[None, :], negative)
        result: Array = factors * sample_weight[:, None]
        return result

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
        weights: Array | None,
        rng: np.random.RandomState,
        epochs: int,
        freeze_converged: bool,
        accumulate: bool = False,
    ) -> None:
        W = self._matrix()  # a view: updates land in weights_
        Xa = _augment(X, 1.0 if self.fit_intercept else 0.0)  # x = [+1, x1..xN]
        d = self._desired(y)
        n = Xa.shape[0]
        active = np.ones(len(W), dtype=bool)
        streak = {rule: np.zeros(len(W), int) for rule in ("error", "weight", "loss")}
        lowest = np.full(len(W), np.inf)  # the lowest epoch loss so far, per unit
        self._pocket = (
            _Pocket(W, self._mistakes(Xa, d, W, weights)) if self.pocket else None
        )
        done = 0
        for _ in range(epochs):
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            start = W.copy()
            if self.update == "online":
                mistakes, loss = self._online_epoch(Xa, d, weights, W, order, active)
            else:
                mistakes, loss = self._batch_epoch(Xa, d, weights, W, active)
            done += 1
            self.errors_.append(int(mistakes.sum()))
            if self._pocket is not None and self.update == "batch":
                self._pocket.offer(
                    W, self._mistakes(Xa, d, W, weights), np.arange(len(W))
                )
            change = np.linalg.norm(W - start, axis=1)
            loss /= n
            if self.verbose:
                print(
                    f"Epoch {len(self.errors_)}: {int(mistakes.sum())} mistakes, "
                    f"loss {loss.mean():.6g}, |dw| = {change.max():.4g}, "
                    f"eta = {self._eta():.4g}"
                )
            met = {
                "error": (
                    mistakes / n <= self.tol_error
                    if self.tol_error is not None
                    else np.zeros(len(W), bool)
                ),
                "weight": (
                    change < self.tol_weight
                    if self.tol_weight is not None
                    else np.zeros(len(W), bool)
                ),
                # scikit-learn's rule: no epoch loss below the lowest so far - tol
                "loss": (
                    loss > lowest - self.tol
                    if self.tol is not None and not self.pocket
                    else np.zeros(len(W), bool)
                ),
            }
            lowest = np.minimum(lowest, loss)
            for rule, now in met.items():
                streak[rule] = np.where(now, streak[rule] + 1, 0)
            for unit in np.flatnonzero(active):
                for rule in ("error", "weight", "loss"):
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
        self,
        Xa: Any,  # an array, or a CSR matrix for sparse input
        d: Array,
        weights: Array | None,
        W: Array,
        order: Array,
        active: Array,
    ) -> tuple[Array, Array]:
        """One pass, one sample at a time: w <- w + eta (d - y) x on every mistake.

        Returns each unit's mistakes and summed perceptron loss max(0, -s w . x), s the
        sign of d, taken as each sample is presented.

        Each one-vs-rest unit follows the rule exactly, sample by sample in ``order``;
        the units are independent, so they advance together. A block of samples is
        scored at once (S = X_block W^T), each unit jumps to its own next mistake in
        the block, all those units update together, and only the scores of the rows
        after each unit's mistake change, by (x_i . x_r) times its update -- read from
        the block's Gram matrix, computed once. A block costs two matrix products and
        a few small steps per mistake, instead of a Python step per sample.
        """
        mistakes = np.zeros(len(W), dtype=np.int64)
        loss = np.zeros(len(W))
        notify = self.record_history or self._pocket is not None
        constant = self.learning_rate == "constant"
        zero_is_wrong = self.zero_score == "mistake"
        watch_loss = self.tol is not None and not self.pocket
        sparse = scipy.sparse.issparse(Xa)
        if not self.record_history and not sparse and Xa.size * len(W) >= _KERNEL_WORK:
            from rosenblatt.kernels.perceptron import online_epoch

            none = np.empty((0, 0), dtype=W.dtype)
            pocket = self._pocket
            online_epoch(
                Xa, d, np.empty((0, 0)) if weights is None else weights, W, order, active,
                float(self.eta0), float(self.power_t), not constant, int(self.t_),
                self._negative < 0, zero_is_wrong, mistakes, loss,
                none if pocket is None else pocket.weights,
                np.empty(0) if pocket is None else pocket.mistakes,
            )  # fmt: skip
            self.t_ += len(order)
            return mistakes, loss
        for start in range(0, len(order), _BLOCK):
            rows = order[start : start + _BLOCK]
            Xb, db = Xa[rows], d[rows]
            wants_positive = db > 0
            # On a mistake y is the other value, so d - y is 2d (bipolar: +-2) or
            # 2d - 1 (binary: +-1), known before any score is looked at.
            correction = 2 * db if self._negative < 0 else 2 * db - 1
            if weights is not None:
                correction = correction * weights[rows]
            index = np.arange(len(rows))[:, None]
            scores = np.asarray(Xb @ W.T)  # (B, units): w . x for each row of the block
            # (B, B): x_i . x_j, how an update at row j moves row i
            gram = (Xb @ Xb.T).toarray() if sparse else Xb @ Xb.T
            # Per unit, the first row not yet presented (the rows before it are done).
            next_row = np.zeros(len(W), dtype=np.int64)
            while True:
                # y = +1 exactly when w . x >= 0: wrong where that differs from d (or,
                # with zero_score='mistake', also wherever w . x = 0)
                wrong = (scores >= 0) != wants_positive
                if zero_is_wrong:
                    wrong |= scores == 0
                wrong &= active & (index >= next_row)
                units = np.flatnonzero(wrong.any(axis=0))
                if units.size == 0:
                    break
                r = wrong[:, units].argmax(axis=0)  # each unit's first mistake
                if watch_loss:
                    # a mistake's score is 0 or of the wrong sign: max(0, -s w.x) = |w.x|
                    hinge = np.abs(scores[r, units])
                    if weights is not None:
                        hinge = hinge * weights[rows][r, units]
                    loss[units] += hinge
                step = correction[r, units]  # d - y
                # eta (d - y), eta at each mistake's own step count n (for invscaling)
                step = step * (self.eta0 if constant else self._eta_at(self.t_ + r + 1))
                W[units] += step[:, None] * (Xb[r].toarray() if sparse else Xb[r])
                later = gram[:, r] * step  # (B, moved units): (x_i . x_r) eta (d - y)
                later[index <= r] = 0  # rows up to the mistake keep their scores
                scores[:, units] += later
                mistakes[units] += 1
                next_row[units] = r + 1
                if notify:
                    self._after_update(Xa, d, weights, W, units)
            self.t_ += len(rows)
        return mistakes, loss

    def _after_update(
        self, Xa: Any, d: Array, weights: Array | None, W: Array, changed: Array
    ) -> None:
        if self.record_history:
            self.weight_history_.append(self.weights_.copy())
        if self._pocket is not None:
            self._pocket.offer(W, self._mistakes(Xa, d, W, weights, changed), changed)

    def _batch_epoch(
        self, Xa: Any, d: Array, weights: Array | None, W: Array, active: Array
    ) -> tuple[Array, Array]:
        """One summed step: w <- w + eta sum_n (d(n) - y(n)) x(n), y from the same w."""
        self.t_ += 1
        scores = np.asarray(Xa @ W.T)
        out = np.where(scores >= 0, 1.0, self._negative)
        if self.zero_score == "mistake":
            out = np.where(scores == 0, np.where(d > 0, self._negative, 1.0), out)
        error = (d - out) * active[None, :]
        step = error if weights is None else error * weights
        W += self._eta() * np.asarray(Xa.T @ step).T
        if self.record_history:
            self.weight_history_.append(self.weights_.copy())
        hinge = np.maximum(0.0, -np.where(d > 0, 1.0, -1.0) * scores)
        loss = (hinge if weights is None else hinge * weights).sum(axis=0)
        return np.asarray((error != 0).sum(axis=0), dtype=np.int64), loss

    def _mistakes(
        self,
        Xa: Any,  # an array, or a CSR matrix for sparse input
        d: Array,
        W: Array,
        weights: Array | None,
        units: Array | None = None,
    ) -> Array:
        """Training-set mistakes of each unit's weights (of ``units`` only, if given).

        Each mistake counts with its sample's weight, when there are weights.
        """
        pick = slice(None) if units is None else units
        out = np.where(np.asarray(Xa @ W[pick].T) >= 0, 1.0, self._negative)
        wrong = out != d[:, pick]
        if weights is None:
            return np.asarray(wrong.sum(axis=0), dtype=np.int64)
        return np.asarray((wrong * weights[:, pick]).sum(axis=0))

    # --- prediction ---

    def decision_function(self, X: Any) -> Array:
        """Scores w . x: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False
        )
        W = self._matrix()
        scores = np.asarray(X @ W[:, 1:].T) + W[:, 0]
        return scores[:, 0] if len(W) == 1 else scores

    def predict(self, X: Any) -> Array:
        """The class of each sample: sgn(w . x) for two classes, else the highest w . x."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores >= 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # --- model files (est.save(path), Perceptron.load(path)) ---

    def _fitted_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        arrays = {"weights": self.weights_}
        if self.weight_history_:
            arrays["weight_history"] = np.stack(self.weight_history_)
        fitted = {
            "classes": labels_to_json(self.classes_),
            "n_iter": int(self.n_iter_),
            "t": int(self.t_),
            "converged": self.converged_,
            "errors": [int(e) for e in self.errors_],
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
        history = arrays.get("weight_history")
        if (
            weights.dtype not in (np.float64, np.float32)
            or (history is not None and history.dtype != weights.dtype)
            or set(arrays) - {"weights", "weight_history"}
        ):
            raise ModelFileError(
                f"{where}: unexpected arrays or dtype in a Perceptron file (weights "
                f"must be float64 or float32, their history of the same dtype)"
            )
        errors = fitted.get("errors")
        if not isinstance(errors, list) or not all(isinstance(e, int) for e in errors):
            raise ModelFileError(
                f"{where}: fitted field 'errors' must be a list of ints"
            )
        self.classes_ = classes
        self.n_features_in_ = n_features
        self.weights_ = weights
        self.n_iter_ = require_int(fitted, "n_iter", where)
        self.t_ = require_int(fitted, "t", where)
        self.errors_ = errors
        self.converged_ = fitted.get("converged")
        self.weight_history_ = [] if history is None else list(history)
        self._reasons = (
            list(self.converged_)
            if isinstance(self.converged_, list)
            else [self.converged_]
        )
