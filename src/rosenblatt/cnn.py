"""CNNClassifier: a scikit-learn-compatible convolutional image classifier.

Images come as (n, C, H, W), or flattened as (n, H*W) or (n, C*H*W) with
``image_shape=(C, H, W)`` (square grey images, such as 784 = 28 x 28, are recognised
without it). The network is ``architecture``: 'lenet5' or 'alexnet_small' (for 28x28
grey images, from ``rosenblatt.models``), or a callable
``factory(in_channels, height, width, n_classes, rng) -> nn.Module``. Training is the
fit loop with Adam and softmax cross-entropy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from rosenblatt import io, models, nn, optim
from rosenblatt._params import Interval, Options, check_params
from rosenblatt._persist import (
    SavableEstimator,
    labels_from_json,
    labels_to_json,
    require_int,
)
from rosenblatt.io import ModelFileError
from rosenblatt.tensor import Tensor
from rosenblatt.train import Trainer, predict

__all__ = ["CNNClassifier"]

Array = np.ndarray[Any, np.dtype[Any]]
_ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {
    "lenet5": lambda c, h, w, k, rng: models.lenet5(k, rng=rng),
    "alexnet_small": lambda c, h, w, k, rng: models.alexnet_small(k, rng=rng),
    "simple_cnn": models.simple_cnn,
}


class CNNClassifier(SavableEstimator, ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Convolutional network classifier for images, with scikit-learn's API.

    Parameters
    ----------
    architecture : {'lenet5', 'alexnet_small', 'simple_cnn'} or callable, default='lenet5'
        The network: the first two need 28x28 grey images, 'simple_cnn' fits any size;
        a callable gets (in_channels, height, width, n_classes, rng).
    image_shape : (C, H, W) or None, default=None
        How to read flattened rows; None accepts 4-D input, or square grey images.
    max_iter : int, default=10
        Epochs.
    batch_size : int, default=128
        Images per step.
    learning_rate_init : float, default=1e-3
        Adam's learning rate.
    random_state : int, RandomState or None, default=None
        Seeds the weights, dropout and the order of the batches.
    verbose : bool, default=False
        Show the fit loop's progress bar.
    callbacks : list of rosenblatt.train.Callback, default=None
        Called by the fit loop.
    dtype : {'float32', 'float64'}, default='float32'
        The dtype of the network and the arithmetic.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    module_ : nn.Module
        The trained network.
    image_shape_ : (C, H, W)
    history_ : dict of lists
        Per-epoch ``loss``, ``accuracy`` and, with validation data, ``val_*``.
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import CNNClassifier, models, nn
    >>> def tiny(c, h, w, k, rng):
    ...     return nn.Sequential(nn.Conv2d(c, 4, 3, padding=1, rng=rng), nn.ReLU(),
    ...                          nn.Flatten(), nn.Linear(4 * h * w, k, rng=rng))
    >>> X = np.random.default_rng(0).random((40, 16))
    >>> y = (X[:, :8].sum(axis=1) > X[:, 8:].sum(axis=1)).astype(int)
    >>> clf = CNNClassifier(tiny, max_iter=30, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "architecture": [Options(tuple(_ARCHITECTURES)), Callable],
        "image_shape": [tuple, list, Options((None,))],
        "max_iter": [Interval(int, 1, None)],
        "batch_size": [Interval(int, 1, None)],
        "learning_rate_init": [Interval(float, 0, None, closed="neither")],
        "random_state": [
            Interval(int, 0, 2**32 - 1),
            np.random.RandomState,
            Options((None,)),
        ],
        "verbose": [Options((True, False)), Interval(int, 0, None)],
        "callbacks": [list, tuple, Options((None,))],
        "dtype": [Options(("float32", "float64"))],
    }

    def __init__(
        self,
        architecture: Any = "lenet5",
        *,
        image_shape: Any = None,
        max_iter: int = 10,
        batch_size: int = 128,
        learning_rate_init: float = 1e-3,
        random_state: Any = None,
        verbose: bool = False,
        callbacks: Any = None,
        dtype: str = "float32",
    ) -> None:
        self.architecture = architecture
        self.image_shape = image_shape
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.dtype = dtype

    image_shape_: tuple[int, int, int]

    def _flatten(self, X: Any) -> tuple[Any, tuple[int, int, int] | None]:
        """(n, C, H, W) images as (n, C H W) rows, so n_features_in_ is C H W either way."""
        if getattr(X, "ndim", 2) != 4:
            return X, None
        shape = (int(X.shape[1]), int(X.shape[2]), int(X.shape[3]))
        if hasattr(self, "image_shape_") and shape != self.image_shape_:
            raise ValueError(
                f"CNNClassifier: expected images {self.image_shape_}, got {shape}"
            )
        return np.asarray(X).reshape(len(X), -1), shape

    def _images(self, X: Array, shape: tuple[int, int, int]) -> Array:
        """Rows of C H W values as (n, C, H, W) images."""
        if X.shape[1] != math.prod(shape):
            raise ValueError(
                f"CNNClassifier: rows of {X.shape[1]} values cannot be images of shape {shape}"
            )
        return X.reshape(len(X), *shape)

    def _infer_shape(
        self, X: Array, given: tuple[int, int, int] | None
    ) -> tuple[int, int, int]:
        if self.image_shape is not None:
            shape = tuple(int(v) for v in self.image_shape)
            if len(shape) != 3 or min(shape) < 1:
                raise ValueError(
                    f"CNNClassifier: image_shape must be (C, H, W), got {shape}"
                )
            return shape[0], shape[1], shape[2]
        if given is not None:
            return given
        side = math.isqrt(X.shape[1])
        if side * side == X.shape[1]:
            return (1, side, side)
        # A one-row image: any width works with a suitable network.
        return (1, 1, X.shape[1])

    def fit(
        self, X: Any, y: Any, validation_data: tuple[Any, Any] | None = None
    ) -> CNNClassifier:
        """Train the network on images X and labels y (``validation_data``: an extra)."""
        check_params(self, self._constraints)
        if hasattr(self, "image_shape_"):
            del self.image_shape_  # a new fit may bring new images
        X, given = self._flatten(X)
        X, y = validate_data(self, X, y, dtype=np.dtype(self.dtype))
        check_classification_targets(y)
        self._encoder = LabelEncoder().fit(y)
        self.classes_ = self._encoder.classes_
        self.image_shape_ = self._infer_shape(X, given)
        images = self._images(X, self.image_shape_)
        rs = check_random_state(self.random_state)
        rng = np.random.default_rng(rs.randint(2**31 - 1))
        factory = (
            _ARCHITECTURES[self.architecture]
            if isinstance(self.architecture, str)
            else self.architecture
        )
        self.module_ = factory(*self.image_shape_, max(len(self.classes_), 2), rng)
        if self.dtype == "float64":
            for p in self.module_.parameters():
                p.data = p.data.astype(np.float64)
        trainer = Trainer(
            self.module_,
            nn.functional.cross_entropy,
            optim.Adam(self.module_.parameters(), lr=self.learning_rate_init),
            metrics=["accuracy"],
            callbacks=list(self.callbacks or []),
            verbose=1 if self.verbose else 0,
        )
        validation = None
        if validation_data is not None:
            X_val = validate_data(
                self,
                self._flatten(validation_data[0])[0],
                reset=False,
                dtype=np.dtype(self.dtype),
            )
            validation = (
                self._images(X_val, self.image_shape_),
                self._encoder.transform(validation_data[1]),
            )
        history = trainer.fit(
            images,
            self._encoder.transform(y),
            epochs=self.max_iter,
            batch_size=min(self.batch_size, len(images)),
            rng=rng,
            validation_data=validation,
        )
        self.history_ = history.history
        self.n_iter_ = len(history)
        return self

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, shape (n, n_classes)."""
        check_is_fitted(self)
        X = validate_data(
            self, self._flatten(X)[0], reset=False, dtype=np.dtype(self.dtype)
        )
        if len(self.classes_) == 1:  # one class seen: it is the only answer
            return np.ones((len(X), 1), dtype=X.dtype)
        logits = predict(
            self.module_, self._images(X, self.image_shape_), batch_size=256
        )
        return Tensor(logits).softmax(axis=1).data

    def predict(self, X: Any) -> Array:
        """The most probable class of each image."""
        probs = self.predict_proba(X)  # checks fittedness first
        return self.classes_[np.argmax(probs, axis=1)]

    # --- model files (est.save(path), CNNClassifier.load(path)) ---

    def _fitted_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        fitted = {
            "architecture": io.describe(self.module_),
            "classes": labels_to_json(self.classes_),
            "image_shape": list(self.image_shape_),
            "n_features_in": int(self.n_features_in_),
            "n_iter": int(self.n_iter_),
        }
        return self.module_.state_dict(), fitted

    def _restore_fitted(
        self, arrays: dict[str, Any], fitted: dict[str, Any], where: str
    ) -> None:
        module = io.rebuild(fitted.get("architecture"), arrays, where)
        shape = fitted.get("image_shape")
        if not (
            isinstance(shape, list)
            and len(shape) == 3
            and all(isinstance(v, int) and v > 0 for v in shape)
        ):
            raise ModelFileError(f"{where}: image_shape must be three positive ints")
        n_features = require_int(fitted, "n_features_in", where)
        if n_features != math.prod(shape):
            raise ModelFileError(
                f"{where}: {n_features} features are not images {shape}"
            )
        self.classes_ = labels_from_json(fitted.get("classes"), where)
        self._encoder = LabelEncoder().fit(self.classes_)
        self.module_, self.image_shape_ = module.eval(), (shape[0], shape[1], shape[2])
        self.n_features_in_, self.n_iter_ = (
            n_features,
            require_int(fitted, "n_iter", where),
        )
        self.history_ = {}
