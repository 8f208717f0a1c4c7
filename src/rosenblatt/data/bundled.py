"""scikit-learn's bundled datasets (no network): split with a seed, scaled to [0, 1]."""

from __future__ import annotations

from dataclasses import dataclass

from rosenblatt.backend import Array, xp

__all__ = ["Split", "load_digits"]


@dataclass(frozen=True)
class Split:
    """A train/test split with its description.

    X_train, X_test : arrays of shape (n, D); y_train, y_test : int arrays of shape (n,).
    """

    X_train: Array
    X_test: Array
    y_train: Array
    y_test: Array
    class_names: tuple[str, ...]
    name: str
    source: str


def load_digits(test_size: float = 0.25, seed: int = 0) -> Split:
    """The 1,797 8x8 handwritten digits (UCI, via scikit-learn), pixels scaled to [0, 1].

    The split is stratified and fixed by ``seed``: the same seed gives the same split
    on every machine.
    """
    from sklearn.datasets import load_digits as sklearn_digits  # heavy: load on use
    from sklearn.model_selection import train_test_split

    bunch = sklearn_digits()
    X = (bunch.data / 16.0).astype(xp.float32)  # pixel intensities are 0..16
    y = bunch.target.astype(xp.intp)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    return Split(
        X_train,
        X_test,
        y_train,
        y_test,
        class_names=tuple(str(c) for c in bunch.target_names),
        name="digits",
        source="scikit-learn bundled copy of the UCI optical digits test set",
    )
