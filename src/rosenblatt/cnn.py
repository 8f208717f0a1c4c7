"""CNNClassifier: a scikit-learn-compatible convolutional image classifier.

Images come as (n, C, H, W), as (n, H, W) grey images, or flattened as (n, H*W) or
(n, C*H*W) with ``image_shape=(C, H, W)`` or ``(H, W)`` (square grey images, such as
784 = 28 x 28, are recognised without it). The network is ``architecture``: 'lenet5',
'alexnet_small' or 'simple_cnn' from ``rosenblatt.models``, sized for the images, or a
callable ``factory(in_channels, height, width, n_classes, rng) -> nn.Module``. Training
is the fit loop with Adam and softmax cross-entropy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import KW_ONLY, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from rosenblatt import io, models, nn, optim
from rosenblatt._labels import (
    ClassLabels,
    labels_from_json,
    labels_to_json,
    partial_fit_classes,
)
from rosenblatt._params import Interval, Options, estimator
from rosenblatt._persist import (
    SavableEstimator,
    optimizer_state,
    require_int,
    restore_optimizer,
)
from rosenblatt._skin import OutputContainer
from rosenblatt.io import ModelFileError
from rosenblatt.tensor import Tensor
from rosenblatt.train import Trainer, predict

__all__ = ["CNNClassifier"]

Array = np.ndarray[Any, np.dtype[Any]]
# name -> (factory(c, h, w, k, rng, dropout), its default dropout)
_ARCHITECTURES: dict[str, tuple[Callable[..., nn.Module], float]] = {
    "lenet5": (
        lambda c, h, w, k, rng, p: models.lenet5(
            k, in_channels=c, height=h, width=w, dropout=p, rng=rng
        ),
        0.0,
    ),
    "alexnet_small": (
        lambda c, h, w, k, rng, p: models.alexnet_small(
            k, in_channels=c, height=h, width=w, dropout=p, rng=rng
        ),
        0.5,
    ),
    "simple_cnn": (
        lambda c, h, w, k, rng, p: models.simple_cnn(c, h, w, k, rng, dropout=p),
        0.0,
    ),
}


@estimator
class CNNClassifier(
    SavableEstimator,
    OutputContainer,
    ClassifierMixin,  # type: ignore[misc]
    TransformerMixin,  # type: ignore[misc]
    BaseEstimator,  # type: ignore[misc]
    auto_wrap_output_keys=None,  # type: ignore[call-arg]  # transform wraps its output
):
    """Convolutional network classifier for images, with scikit-learn's API.

    Parameters
    ----------
    architecture : {'lenet5', 'alexnet_small', 'simple_cnn'} or callable, default='lenet5'
        The network, sized for the images: LeNet-5 needs at least 12x12 pixels, the
        AlexNet-style net 8x8, 'simple_cnn' fits any size; a callable gets
        (in_channels, height, width, n_classes, rng).
    image_shape : (C, H, W), (H, W) or None, default=None
        How to read flattened rows ((H, W): grey images); None accepts (n, C, H, W)
        and (n, H, W) input, or rows of square grey images.
    dropout : float or None, default=None
        The drop probability of the named architecture's Dropout layers (None: its
        own, 0.5 for 'alexnet_small' and 0 for the others).
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
    threads : int or None, default=None
        BLAS threads while fitting (None: BLAS's own count; convolutions are large).

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
    optimizer_ : optim.Adam
        The solver, kept for ``partial_fit``.

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

    architecture: Any = "lenet5"
    _: KW_ONLY
    image_shape: Any = None
    dropout: float | None = None
    max_iter: int = 10
    batch_size: int = 128
    learning_rate_init: float = 1e-3
    random_state: Any = None
    verbose: bool = False
    callbacks: Any = None
    dtype: str = "float32"
    threads: int | None = None

    image_shape_: tuple[int, int, int] = field(init=False)

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "architecture": [Options(tuple(_ARCHITECTURES)), Callable],
        "image_shape": [tuple, list, Options((None,))],
        "dropout": [Interval(float, 0, 1, closed="left"), Options((None,))],
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
        "threads": [Interval(int, 1, None), Options((None,))],
    }

    def _flatten(self, X: Any) -> tuple[Any, tuple[int, int, int] | None]:
        """(n, C, H, W) or (n, H, W) images as (n, C H W) rows (n_features_in_ = C H W)."""
        ndim = getattr(X, "ndim", 2)
        if ndim not in (3, 4):
            return X, None
        dims = tuple(int(v) for v in X.shape[1:])
        shape = (1, *dims) if ndim == 3 else dims
        shape = (shape[0], shape[1], shape[2])
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
            shape = (1, *shape) if len(shape) == 2 else shape
            if len(shape) != 3 or min(shape) < 1:
                raise ValueError(
                    "CNNClassifier: image_shape must be (C, H, W) or (H, W), got "
                    f"{tuple(self.image_shape)}"
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
        for name in ("image_shape_", "optimizer_", "module_"):
            if hasattr(self, name):
                delattr(self, name)  # a new fit may bring new images
        rs = check_random_state(self.random_state)
        images, targets = self._prepare(X, y, None, rs)
        self._train(images, targets, self.max_iter, validation_data, rs)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> CNNClassifier:
        """One epoch on (X, y), continuing; ``classes`` is required on the first call."""
        first = partial_fit_classes(self, y, classes, multilabel=False)
        # each call draws from random_state afresh, as scikit-learn's partial_fit (a
        # RandomState instance continues its stream from call to call)
        rs = check_random_state(self.random_state)
        images, targets = self._prepare(X, y, classes if first else None, rs)
        self._train(images, targets, 1, None, rs)
        return self

    def _prepare(
        self, X: Any, y: Any, classes: Any, rs: np.random.RandomState
    ) -> tuple[Array, Array]:
        """Validated images and class indices; a new network on a first fit."""
        self._check_hyperparameters()
        first = not hasattr(self, "module_")
        X, given = self._flatten(X)
        X, y = validate_data(self, X, y, dtype=np.dtype(self.dtype), reset=first)
        check_classification_targets(y)
        if first:
            self._labels = ClassLabels.fit(y if classes is None else classes)
            self.classes_ = self._labels.classes
            self.image_shape_ = self._infer_shape(X, given)
            rng = np.random.default_rng(rs.randint(2**31 - 1))
            self.module_ = self._network(*self.image_shape_, rng)
            self.optimizer_ = self._make_optimizer()
            self.n_iter_ = 0
            self.history_: dict[str, list[float]] = {}
        partial_fit_classes(self, y, None, multilabel=False)  # y's labels are known
        return self._images(X, self.image_shape_), self._labels.indices(y)

    def _make_optimizer(self) -> optim.Optimizer:
        return optim.Adam(self.module_.parameters(), lr=self.learning_rate_init)

    def _network(self, c: int, h: int, w: int, rng: np.random.Generator) -> nn.Module:
        """The architecture, sized for (c, h, w) images, in the estimator's dtype."""
        k = max(len(self.classes_), 2)
        if isinstance(self.architecture, str):
            factory, default = _ARCHITECTURES[self.architecture]
            p = default if self.dropout is None else self.dropout
            module = factory(c, h, w, k, rng, p)
        elif self.dropout is not None:
            raise ValueError(
                "CNNClassifier: dropout applies to the named architectures; put "
                "Dropout layers in your factory instead"
            )
        else:
            module = self.architecture(c, h, w, k, rng)
        return module.to(self.dtype)

    def _train(
        self,
        images: Array,
        targets: Array,
        epochs: int,
        validation_data: tuple[Any, Any] | None,
        rs: np.random.RandomState,
    ) -> None:
        for layer in self.module_.modules():  # each call's randomness from rs
            if isinstance(layer, (nn.Dropout, nn.Dropout2d)):
                layer.rng = np.random.default_rng(rs.randint(2**31 - 1))
        trainer = Trainer(
            self.module_,
            nn.functional.cross_entropy,
            self.optimizer_,
            metrics=["accuracy"],
            callbacks=list(self.callbacks or []),
            verbose=1 if self.verbose else 0,
            threads=self.threads,
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
                self._labels.indices(validation_data[1]),
            )
        history = trainer.fit(
            images,
            targets,
            epochs=epochs,
            batch_size=min(self.batch_size, len(images)),
            rng=np.random.default_rng(rs.randint(2**31 - 1)),
            validation_data=validation,
        )
        self.module_.eval()
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(values)
        self.n_iter_ = len(history) if epochs > 1 else self.n_iter_ + len(history)

    def transform(self, X: Any, layer: int = -2) -> Array:
        """The activations after ``module_[layer]``, for a Sequential network.

        By default (-2) the features the last layer classifies, shape (n, width); an
        earlier layer gives its feature maps, shape (n, C, H, W).
        """
        check_is_fitted(self)
        if not isinstance(self.module_, nn.Sequential):
            raise TypeError(
                "CNNClassifier.transform: needs an nn.Sequential network, got "
                f"{type(self.module_).__name__}"
            )
        X = validate_data(
            self, self._flatten(X)[0], reset=False, dtype=np.dtype(self.dtype)
        )
        n = len(self.module_)
        if not -n <= layer < n:
            raise ValueError(
                f"CNNClassifier.transform: layer must be in [{-n}, {n - 1}] for a "
                f"network of {n} layers, got {layer}"
            )
        head = self.module_[: layer % n + 1]  # the fitted layers, in their mode
        out = predict(head, self._images(X, self.image_shape_), batch_size=256)
        if out.ndim != 2:
            return out  # feature maps: no table to put them in
        prefix = type(self).__name__.lower() + (
            "" if layer % n == n - 2 else f"_layer{layer % n}_"
        )
        return self._container(
            out,
            X,
            np.array([f"{prefix}{j}" for j in range(out.shape[1])], dtype=object),
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # transform() gives features in the network's dtype, whatever X's is
        tags.transformer_tags.preserves_dtype = [str(self.dtype)]
        return tags

    def get_feature_names_out(self, input_features: Any = None) -> Array:
        """Names of ``transform``'s columns (the default layer): 'cnnclassifier0', ..."""
        check_is_fitted(self)
        width = self.transform(np.zeros((1, self.n_features_in_), self.dtype)).shape[1]
        return np.array([f"cnnclassifier{j}" for j in range(width)], dtype=object)

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
            "n_iter": int(self.n_iter_),
            "optimizer": None,
        }
        arrays = self.module_.state_dict()
        if hasattr(self, "optimizer_"):  # partial_fit goes on from it
            optimizer_arrays, fitted["optimizer"] = optimizer_state(self.optimizer_)
            arrays.update(optimizer_arrays)
        return arrays, fitted

    def _restore_fitted(
        self, arrays: dict[str, Any], fitted: dict[str, Any], where: str
    ) -> None:
        network = {k: v for k, v in arrays.items() if "/" not in k}
        module = io.rebuild(fitted.get("architecture"), network, where)
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
        self._labels = ClassLabels.fit(self.classes_)
        self.module_, self.image_shape_ = module.eval(), (shape[0], shape[1], shape[2])
        self.n_features_in_, self.n_iter_ = (
            n_features,
            require_int(fitted, "n_iter", where),
        )
        self.history_ = {}
        restore_optimizer(self, arrays, fitted.get("optimizer"), where)
