"""Restricted Boltzmann machines and the pretraining of 2006: BernoulliRBM, ``pretrain``.

An RBM has binary visible units v (one per feature) and binary hidden units h (one
per component), joined by weights W of shape (n_components, n_features) and no links
within a layer, so each layer's units are independent given the other's:

    p(h_j = 1 | v) = sigmoid(W v + c)_j,        p(v_i = 1 | h) = sigmoid(W^T h + b)_i.

Its free energy F(v) = -b . v - sum_j log(1 + exp((W v + c)_j)) gives p(v) ~ exp(-F(v)).
The log-likelihood's gradient is <v h>_data - <v h>_model; persistent contrastive
divergence (Tieleman, 2008) estimates the model's term from a Gibbs chain that goes on
from batch to batch (``h_samples_``), one step per batch.

Hinton and Salakhutdinov (2006) trained a deep network by stacking RBMs greedily, each
on the hidden activations of the one below, and then fine-tuning the whole stack with
backpropagation. ``pretrain`` does that for an ``MLPClassifier`` or ``MLPRegressor``.
"""

from __future__ import annotations

import time
from dataclasses import KW_ONLY
from typing import Any, ClassVar

import numpy as np
import scipy.sparse
from scipy.special import expit
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state, gen_even_slices
from sklearn.utils.validation import check_is_fitted, validate_data

from rosenblatt._labels import ClassLabels
from rosenblatt._params import Interval, Options, check_params, estimator

__all__ = ["BernoulliRBM", "pretrain"]

Array = np.ndarray[Any, np.dtype[Any]]


def _dot(a: Any, b: Array) -> Array:
    """A @ b as a dense array, for dense or sparse a."""
    out = a @ b
    return out if isinstance(out, np.ndarray) else np.asarray(out.toarray())


@estimator
class BernoulliRBM(
    ClassNamePrefixFeaturesOutMixin,  # type: ignore[misc]
    TransformerMixin,  # type: ignore[misc]
    BaseEstimator,  # type: ignore[misc]
):
    """Bernoulli restricted Boltzmann machine: scikit-learn's ``BernoulliRBM``, on rosenblatt.

    The same parameters, attributes and training (persistent contrastive divergence,
    the same random draws for the same ``random_state``). Inputs are in [0, 1]: binary
    values, or probabilities of being on.

    Parameters
    ----------
    n_components : int, default=256
        The number of hidden units.
    learning_rate : float, default=0.1
        The step of each update; scikit-learn divides it by the batch's size.
    batch_size : int, default=10
        Samples per update.
    n_iter : int, default=10
        Passes over the data.
    verbose : int, default=0
        Print the pseudo-likelihood after each pass.
    random_state : int, RandomState or None, default=None
        Seeds the initial weights and every Gibbs sample.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The weights W.
    intercept_hidden_ : ndarray of shape (n_components,)
        The hidden biases c.
    intercept_visible_ : ndarray of shape (n_features,)
        The visible biases b.
    h_samples_ : ndarray of shape (batch_size, n_components)
        The persistent chain's hidden states.
    n_features_in_, feature_names_in_
        As in scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import BernoulliRBM
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> rbm = BernoulliRBM(n_components=2, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (4, 2)
    """

    n_components: int = 256
    _: KW_ONLY
    learning_rate: float = 0.1
    batch_size: int = 10
    n_iter: int = 10
    verbose: int = 0
    random_state: Any = None

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "n_components": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "batch_size": [Interval(int, 1, None)],
        "n_iter": [Interval(int, 0, None)],
        "verbose": [Interval(int, 0, None), Options((True, False))],
        "random_state": [
            Interval(int, 0, 2**32 - 1),
            np.random.RandomState,
            Options((None,)),
        ],
    }

    # --- the two conditionals ---

    def _mean_hiddens(self, v: Any) -> Array:
        """p(h = 1 | v) = sigmoid(v W^T + c), shape (n, n_components)."""
        p = _dot(v, self.components_.T)
        p += self.intercept_hidden_
        return expit(p, out=p)

    def _sample_visibles(self, h: Array, rng: np.random.RandomState) -> Array:
        """A draw of v ~ p(v | h) = sigmoid(h W + b), as booleans."""
        p = h @ self.components_
        p += self.intercept_visible_
        return rng.uniform(size=p.shape) < expit(p, out=p)

    def _free_energy(self, v: Any) -> Array:
        """F(v) = -v . b - sum_j log(1 + exp(v W^T + c)_j), shape (n,)."""
        hidden = _dot(v, self.components_.T) + self.intercept_hidden_
        return -_dot(v, self.intercept_visible_) - np.logaddexp(0, hidden).sum(axis=1)

    # --- training ---

    def fit(self, X: Any, y: Any = None) -> BernoulliRBM:
        """Train on X (n_samples, n_features), values in [0, 1], for ``n_iter`` passes."""
        check_params(self, self._constraints)
        X = validate_data(self, X, accept_sparse="csr", dtype=(np.float64, np.float32))
        rng = check_random_state(self.random_state)
        self._start(X.shape[1], X.dtype, rng)
        n = X.shape[0]
        n_batches = -(-n // self.batch_size)
        batches = list(
            gen_even_slices(n_batches * self.batch_size, n_batches, n_samples=n)
        )
        for iteration in range(1, self.n_iter + 1):
            begin = time.perf_counter()
            for batch in batches:
                self._step(X[batch], rng)
            if self.verbose:
                print(
                    f"[BernoulliRBM] Iteration {iteration}, pseudo-likelihood = "
                    f"{self.score_samples(X).mean():.2f}, time = "
                    f"{time.perf_counter() - begin:.2f}s"
                )
        return self

    def partial_fit(self, X: Any, y: Any = None) -> BernoulliRBM:
        """One update on the batch X, continuing (the first call starts the machine)."""
        check_params(self, self._constraints)
        first = not hasattr(self, "components_")
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=first)
        if not hasattr(self, "random_state_"):
            self.random_state_ = check_random_state(self.random_state)
        if first:
            self._start(X.shape[1], np.float64, self.random_state_)
        self._step(X, self.random_state_)
        return self

    def _start(self, n_features: int, dtype: Any, rng: np.random.RandomState) -> None:
        """Small random weights N(0, 0.01^2), zero biases, a chain of zeros."""
        weights = rng.normal(0, 0.01, (self.n_components, n_features))
        self.components_ = np.asarray(weights, order="F", dtype=dtype)
        self._n_features_out = self.n_components
        self.intercept_hidden_ = np.zeros(self.n_components, dtype=dtype)
        self.intercept_visible_ = np.zeros(n_features, dtype=dtype)
        self.h_samples_ = np.zeros((self.batch_size, self.n_components), dtype=dtype)

    def _step(self, v_data: Any, rng: np.random.RandomState) -> None:
        """One step of persistent contrastive divergence on a batch.

        With the chain's visible sample v' drawn from h_samples_ and q = p(h | .):
        dW = lr / n (q(v)^T v - q(v')^T v'), dc = lr / n sum (q(v) - q(v')),
        db = lr / n sum (v - v'); then the chain's hidden state becomes a draw of q(v').
        """
        h_data = self._mean_hiddens(v_data)
        # as numbers once: two products with booleans would each convert them
        v_model = self._sample_visibles(self.h_samples_, rng).astype(h_data.dtype)
        h_model = self._mean_hiddens(v_model)
        lr = float(self.learning_rate) / v_data.shape[0]
        update = _dot(v_data.T, h_data).T
        update -= h_model.T @ v_model
        update *= lr
        self.components_ += update
        hidden = h_data.sum(axis=0)
        hidden -= h_model.sum(axis=0)
        hidden *= lr
        self.intercept_hidden_ += hidden
        visible = np.asarray(v_data.sum(axis=0)).ravel()
        visible -= v_model.sum(axis=0)
        visible *= lr
        self.intercept_visible_ += visible
        self.h_samples_ = (rng.uniform(size=h_model.shape) < h_model).astype(
            h_model.dtype
        )

    # --- using it ---

    def transform(self, X: Any) -> Array:
        """The hidden units' probabilities p(h = 1 | v), shape (n, n_components)."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", reset=False, dtype=(np.float64, np.float32)
        )
        return self._mean_hiddens(X)

    def gibbs(self, v: Any) -> Array:
        """One Gibbs step from visible states v: draw h ~ p(h | v), then v ~ p(v | h)."""
        check_is_fitted(self)
        if not hasattr(self, "random_state_"):
            self.random_state_ = check_random_state(self.random_state)
        p = self._mean_hiddens(v)
        h = self.random_state_.uniform(size=p.shape) < p
        return self._sample_visibles(h, self.random_state_)

    def score_samples(self, X: Any) -> Array:
        """The pseudo-likelihood of each sample: n_features log sigmoid(F(v~) - F(v)).

        v~ is v with one randomly chosen feature flipped (drawn from ``random_state``);
        a stochastic approximation of log p(v), shape (n,).
        """
        check_is_fitted(self)
        v = validate_data(self, X, accept_sparse="csr", reset=False)
        rng = check_random_state(self.random_state)
        rows = np.arange(v.shape[0])
        cols = rng.randint(0, v.shape[1], v.shape[0])
        if scipy.sparse.issparse(v):
            flips = -2 * np.asarray(v[rows, cols]).ravel() + 1
            flipped = v + scipy.sparse.csr_array((flips, (rows, cols)), shape=v.shape)
        else:
            flipped = v.copy()
            flipped[rows, cols] = 1 - flipped[rows, cols]
        gap = self._free_energy(flipped) - self._free_energy(v)
        scores: Array = -v.shape[1] * np.logaddexp(0, -gap)
        return scores

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def pretrain(
    est: Any,
    X: Any,
    y: Any,
    *,
    n_iter: int = 10,
    learning_rate: float = 0.1,
    batch_size: int = 10,
    random_state: Any = None,
) -> Any:
    """Greedy layer-wise RBM pretraining of an MLP's hidden layers, ready to fine-tune.

    One ``BernoulliRBM`` per hidden layer of ``est.hidden_layer_sizes``, each trained
    on the hidden probabilities of the one below (the first on X, values in [0, 1]);
    layer i's ``coefs_`` are RBM i's ``components_.T`` and its ``intercepts_`` the
    hidden biases. The output layer is drawn as scikit-learn draws it for logistic
    units. ``est`` gets ``warm_start=True``, so its next ``fit(X, y)`` fine-tunes these
    weights by backpropagation (Hinton and Salakhutdinov, 2006). Returns ``est``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from rosenblatt import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPClassifier((32,), activation="logistic", solver="lbfgs", random_state=0)
    >>> clf = pretrain(clf, X / 16, y, n_iter=2, random_state=0).fit(X / 16, y)
    >>> clf.score(X / 16, y) > 0.95
    True
    """
    rng = check_random_state(random_state)
    if hasattr(est, "classes_") or hasattr(est, "coefs_"):
        raise ValueError("pretrain: expected an estimator that has not been fitted")
    sizes = est.hidden_layer_sizes
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    Y = np.asarray(y)
    if hasattr(est, "predict_proba"):
        n_outputs = ClassLabels.fit(y).width
    else:
        n_outputs = 1 if Y.ndim == 1 else Y.shape[1]
    inputs = np.asarray(X, dtype=np.float64)
    coefs, intercepts = [], []
    for width in sizes:
        rbm = BernoulliRBM(
            int(width),
            learning_rate=learning_rate,
            batch_size=batch_size,
            n_iter=n_iter,
            random_state=rng,
        ).fit(inputs)
        coefs.append(rbm.components_.T.copy())
        intercepts.append(rbm.intercept_hidden_.copy())
        inputs = rbm.transform(inputs)
    bound = np.sqrt(2.0 / (inputs.shape[1] + n_outputs))  # Glorot, logistic units
    coefs.append(rng.uniform(-bound, bound, (inputs.shape[1], n_outputs)))
    intercepts.append(rng.uniform(-bound, bound, n_outputs))
    est.set_params(warm_start=True)
    est.coefs_, est.intercepts_ = coefs, intercepts
    return est
