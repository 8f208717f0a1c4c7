"""A classifier's labels: which classes there are, and the network's targets for them.

scikit-learn's classifiers turn labels into targets with ``LabelBinarizer`` (one
column per class; one column for two classes; a multilabel indicator as it is) and
back. ``ClassLabels`` is that, once, for every rosenblatt classifier: its rules for
``classes`` in ``partial_fit``, its messages, its file form and class weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d, compute_sample_weight
from sklearn.utils.multiclass import type_of_target, unique_labels

from rosenblatt.io import ModelFileError

__all__ = [
    "ClassLabels",
    "labels_from_json",
    "labels_to_json",
    "partial_fit_classes",
    "with_class_weight",
]

Array = np.ndarray[Any, np.dtype[Any]]
_KINDS = ("binary", "multiclass", "multilabel-indicator")


class ClassLabels:
    """The classes seen in fit (``classes``), of one ``kind`` of target (``_KINDS``).

    ``width`` is the network's number of outputs: 1 for two classes (the second
    class's score), one per class otherwise.
    """

    def __init__(self, binarizer: LabelBinarizer) -> None:
        self._binarizer = binarizer
        self.classes: Array = binarizer.classes_
        self.kind: str = binarizer.y_type_
        self.width = 1 if self.kind == "binary" else len(self.classes)

    @classmethod
    def fit(cls, y: Any) -> ClassLabels:
        """The labels of y: a label vector or a multilabel indicator matrix."""
        return cls(LabelBinarizer().fit(y))

    def one_hot(self, y: Any, dtype: Any) -> Array:
        """Targets for known labels y, shape (n, width), as ``LabelBinarizer.transform``.

        Label vectors are compared with ``classes`` directly: the binarizer re-checks
        the labels' type on every call (0.5 ms for 200 labels, a quarter of a
        ``partial_fit`` step).
        """
        labels = np.asarray(y)
        if labels.ndim == 1 and len(self.classes) >= 2 and self.kind != _KINDS[2]:
            hits = labels[:, None] == self.classes
            return (hits[:, 1:] if self.kind == "binary" else hits).astype(dtype)
        Y: Array = self._binarizer.transform(y).astype(dtype, copy=False)
        return Y

    def indices(self, y: Any) -> Array:
        """Each label's position in ``classes`` (for a cross-entropy over logits)."""
        self.check_known(y, "y")
        return np.searchsorted(self.classes, np.asarray(y))

    def decode(self, scores: Array, threshold: float = 0.5) -> Array:
        """Labels from scores (n, width): the best class, or those above ``threshold``."""
        if self.kind == "multiclass":
            labels: Array = self.classes.take(scores.argmax(axis=1), mode="clip")
            return labels
        if self.width == 1:
            scores = scores.ravel()
        return self._binarizer.inverse_transform(scores, threshold=threshold)

    def check_known(self, y: Any, what: str) -> None:
        """Refuse labels that fit did not see, naming ``what`` holds them."""
        unknown = set(unique_labels(y)) - set(self.classes)
        if unknown:
            raise ValueError(
                f"{what} contains labels not seen in fit: "
                f"{np.array(sorted(unknown)).tolist()}"
            )

    def check_same(self, y: Any) -> None:
        """A warm start refits on the same classes (scikit-learn's message)."""
        now = unique_labels(y)
        if set(self.classes) != set(now):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {self.classes}, `y` has {now}"
            )

    def to_json(self) -> dict[str, Any]:
        return {"classes": labels_to_json(self.classes), "y_type": self.kind}

    @classmethod
    def from_json(
        cls, fitted: dict[str, Any], n_outputs: int, where: str
    ) -> ClassLabels:
        """Labels saved by ``to_json``, checked against the network's outputs."""
        classes = labels_from_json(fitted.get("classes"), where)
        kind = fitted.get("y_type")
        width = 1 if kind == "binary" else len(classes)
        if kind not in _KINDS or width != n_outputs:
            raise ModelFileError(
                f"{where}: {len(classes)} classes of type {kind!r} do not match "
                f"{n_outputs} outputs"
            )
        binarizer = LabelBinarizer()
        binarizer.classes_, binarizer.y_type_, binarizer.sparse_input_ = (
            classes,
            kind,
            False,
        )
        return cls(binarizer)


def partial_fit_classes(est: Any, y: Any, classes: Any, multilabel: bool) -> bool:
    """scikit-learn's rules for ``classes`` in ``partial_fit``; True on the first call.

    The first call (``est`` has no ``classes_`` yet) needs ``classes``; a later one
    may repeat them but not change them; every label in y must be among them (a
    multilabel indicator y carries its own columns). The messages are scikit-learn's.
    """
    first = not hasattr(est, "classes_")
    if first and classes is None:
        raise ValueError("classes must be passed on the first call to partial_fit.")
    if not first and classes is not None:
        if not np.array_equal(est.classes_, unique_labels(classes)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to "
                f"partial_fit, was: {est.classes_!r}"
            )
    if not first and not multilabel:
        seen = np.unique(np.asarray(y))  # their types are checked with y's
        if np.setdiff1d(seen, est.classes_).size:
            raise ValueError(
                "`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{est.classes_}. 'y' has {seen}."
            )
    return first


def partial_fit_labels(est: Any, y: Any, classes: Any) -> ClassLabels | None:
    """New ``ClassLabels`` on ``partial_fit``'s first call (None later), y checked.

    A multilabel indicator y gives its own columns; otherwise ``classes`` does.
    """
    known: ClassLabels | None = getattr(est, "_labels", None)
    kind = known.kind if known is not None else type_of_target(y)
    multilabel = kind.startswith("multilabel")
    if not partial_fit_classes(est, y, classes, multilabel):
        return None
    labels = ClassLabels.fit(y if multilabel else classes)
    est.classes_ = labels.classes
    partial_fit_classes(est, y, None, multilabel)  # y's labels among them
    return labels


def with_class_weight(
    class_weight: Any, y: Any, sample_weight: Array | None, who: str
) -> Array | None:
    """``sample_weight`` times each sample's class weight (dict or 'balanced')."""
    if class_weight is None:
        return sample_weight
    if not (np.ndim(y) == 1 or np.shape(y)[1] == 1):
        raise ValueError(f"{who}: class_weight needs single-label targets")
    factors = compute_sample_weight(class_weight, column_or_1d(np.asarray(y)))
    return factors if sample_weight is None else sample_weight * factors


def labels_to_json(labels: Array) -> dict[str, Any]:
    """Class labels as JSON: their kind and values (numbers, booleans or strings)."""
    if labels.dtype.kind in "biuf":
        return {"kind": labels.dtype.kind, "values": labels.tolist()}
    if all(isinstance(v, str) for v in labels.tolist()):
        return {"kind": "U", "values": [str(v) for v in labels.tolist()]}
    raise TypeError("save: class labels must be numbers, booleans or strings")


def labels_from_json(spec: Any, where: str) -> Array:
    """Rebuild class labels saved by ``labels_to_json``; refuse anything else."""
    if not isinstance(spec, dict) or not isinstance(spec.get("values"), list):
        raise ModelFileError(f"{where}: class labels are missing or malformed")
    kind, values = str(spec.get("kind")), spec["values"]
    expected: dict[str, tuple[type, ...]] = {
        "b": (bool,),
        "i": (int,),
        "u": (int,),
        "f": (int, float),
        "U": (str,),
    }
    if kind not in expected or not all(
        isinstance(v, expected[kind]) and (kind == "b" or not isinstance(v, bool))
        for v in values
    ):
        raise ModelFileError(f"{where}: class labels of kind {kind!r} are malformed")
    dtypes: dict[str, Any] = {
        "b": bool,
        "i": np.int64,
        "u": np.int64,
        "f": float,
        "U": None,
    }
    return np.array(values, dtype=dtypes[kind])
