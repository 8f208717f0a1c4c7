"""Every dataset by name: ``load(name)`` returns a seeded train/test split with metadata.

Generated (seeded, with ``n_samples`` and ``noise`` options): the logic gates (and,
or, nand, nor, xor), moons, circles, spirals and blobs. Bundled with scikit-learn
(offline): digits, iris, wine, breast_cancer. From IDX files: fashion-mnist and mnist
(see ``data.idx``). Any CSV file: ``load("path/to/file.csv", target="column")``.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rosenblatt.backend import Array

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetInfo",
    "load",
    "load_digits",
    "read_csv",
    "standardize_statistics",
]


@dataclass(frozen=True)
class Dataset:
    """A train/test split and what it is.

    X_train, X_test : arrays of shape (n, D), float32 (images: pixels in [0, 1]).
    y_train, y_test : arrays of shape (n,): class indices or labels, or values.
    """

    X_train: Array
    X_test: Array
    y_train: Array
    y_test: Array
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] | None
    name: str
    source: str
    image_shape: tuple[int, int, int] | None = None  # (C, H, W) when rows are images

    @property
    def task(self) -> str:
        """'classification' or 'regression'."""
        return "regression" if self.class_names is None else "classification"


@dataclass(frozen=True)
class DatasetInfo:
    """One entry of the catalogue: how big, where from, how to make it."""

    size: str
    source: str
    make: Callable[..., tuple[Array, Array, tuple[str, ...], tuple[str, ...] | None]]


# --- generators ---

_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}


def _gate(name: str) -> Callable[..., Any]:
    def make(**_: Any) -> tuple[Array, Array, tuple[str, ...], tuple[str, ...]]:
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        return X, np.array(_GATES[name]), ("x1", "x2"), ("0", "1")

    return make


def _moons(n_samples: int = 400, noise: float = 0.2, seed: int = 0, **_: Any) -> Any:
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X.astype(np.float32), y, ("x1", "x2"), ("0", "1")


def _circles(n_samples: int = 400, noise: float = 0.1, seed: int = 0, **_: Any) -> Any:
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=n_samples, noise=noise, factor=0.5, random_state=seed)
    return X.astype(np.float32), y, ("x1", "x2"), ("outer", "inner")


def _blobs(n_samples: int = 400, noise: float = 1.0, seed: int = 0, **_: Any) -> Any:
    from sklearn.datasets import make_blobs

    X, y = make_blobs(
        n_samples=n_samples, centers=3, cluster_std=noise, random_state=seed
    )
    return X.astype(np.float32), y, ("x1", "x2"), ("0", "1", "2")


def _spirals(n_samples: int = 400, noise: float = 0.2, seed: int = 0, **_: Any) -> Any:
    """Two interleaved spirals: r = t, angle = t (+ pi for the second arm), t in [0.5, 3 pi]."""
    rng = np.random.default_rng(seed)
    per_arm = n_samples // 2
    t = np.sqrt(rng.uniform(0.25, (3 * math.pi) ** 2, size=2 * per_arm))
    arm = np.repeat([0, 1], per_arm)
    angle = t + math.pi * arm
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) / math.pi
    X += rng.normal(0, noise * 0.3, X.shape)
    return X.astype(np.float32), arm, ("x1", "x2"), ("0", "1")


def _sklearn(name: str, scale: float | None = None) -> Callable[..., Any]:
    def make(**_: Any) -> Any:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, f"load_{name}")()
        X = bunch.data / scale if scale else bunch.data
        return (
            X.astype(np.float32),
            bunch.target.astype(np.intp),
            tuple(str(f) for f in getattr(bunch, "feature_names", range(X.shape[1]))),
            tuple(str(c) for c in bunch.target_names),
        )

    return make


def _idx(name: str) -> Callable[..., Any]:
    def make(data_dir: str | os.PathLike[str] | None = None, **_: Any) -> Any:
        from rosenblatt.data.idx import load_mnist_like

        X_train, y_train, X_test, y_test = load_mnist_like(name, data_dir)
        classes = (
            _FASHION if name == "fashion-mnist" else tuple(str(i) for i in range(10))
        )
        X = np.concatenate([X_train, X_test]).astype(np.float32) / 255.0
        y = np.concatenate([y_train, y_test]).astype(np.intp)
        features = tuple(f"pixel{i}" for i in range(X.shape[1]))
        return X, y, features, classes, len(X_train)  # the official split

    return make


_FASHION = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

_SK = "bundled with scikit-learn"
DATASETS: dict[str, DatasetInfo] = {
    **{
        g: DatasetInfo("4 x 2", f"generated: the {g.upper()} truth table", _gate(g))
        for g in _GATES
    },
    "moons": DatasetInfo("400 x 2", "generated (scikit-learn make_moons)", _moons),
    "circles": DatasetInfo(
        "400 x 2", "generated (scikit-learn make_circles)", _circles
    ),
    "spirals": DatasetInfo("400 x 2", "generated: two interleaved spirals", _spirals),
    "blobs": DatasetInfo(
        "400 x 2, 3 classes", "generated (scikit-learn make_blobs)", _blobs
    ),
    "digits": DatasetInfo(
        "1,797 x 64", f"{_SK} (UCI optical digits)", _sklearn("digits", 16.0)
    ),
    "iris": DatasetInfo("150 x 4", f"{_SK} (Fisher, 1936)", _sklearn("iris")),
    "wine": DatasetInfo("178 x 13", f"{_SK} (UCI wine)", _sklearn("wine")),
    "breast_cancer": DatasetInfo(
        "569 x 30", f"{_SK} (UCI Wisconsin breast cancer)", _sklearn("breast_cancer")
    ),
    "fashion-mnist": DatasetInfo(
        "70,000 x 784",
        "IDX files (Debian: dataset-fashion-mnist)",
        _idx("fashion-mnist"),
    ),
    "mnist": DatasetInfo(
        "70,000 x 784", "IDX files in data_dir or $ROSENBLATT_DATA", _idx("mnist")
    ),
}


# The catalogue's datasets whose rows are images, as (C, H, W).
_IMAGES = {
    "digits": (1, 8, 8),
    "fashion-mnist": (1, 28, 28),
    "mnist": (1, 28, 28),
}


def load(
    name: str,
    *,
    test_size: float = 0.25,
    seed: int = 0,
    target: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Dataset:
    """Load a dataset by name (see ``DATASETS``) or a CSV file by path, split with a seed.

    Parameters
    ----------
    name : str
        A catalogue name, or a path ending in ``.csv``.
    test_size : float
        The held-out fraction (stratified for classification). The gates use all four
        rows for both; Fashion-MNIST and MNIST keep their official 60,000/10,000 split.
    seed : int
        Seeds the generators and the split: the same seed, the same data.
    target : str, optional
        For CSV files: the target column (default: the last one).
    data_dir : path, optional
        Where to look for IDX files.
    **options
        For generators: ``n_samples`` and ``noise``.
    """
    if str(name).lower().endswith(".csv"):
        X, y, features, classes = read_csv(name, target)
        return _split(
            X,
            y,
            features,
            classes,
            Path(name).stem,
            f"CSV file {name}",
            test_size,
            seed,
        )
    key = str(name).lower()
    if key not in DATASETS:
        raise ValueError(
            f"load: unknown dataset {name!r}; expected one of {sorted(DATASETS)} or a .csv path"
        )
    info = DATASETS[key]
    made = info.make(seed=seed, data_dir=data_dir, **options)
    X, y, features, classes = made[:4]
    images = _IMAGES.get(key)
    if key in _GATES:
        return Dataset(X, X.copy(), y, y.copy(), features, classes, key, info.source)
    if len(made) == 5:  # an official split
        n_train = made[4]
        return Dataset(
            X[:n_train],
            X[n_train:],
            y[:n_train],
            y[n_train:],
            features,
            classes,
            key,
            info.source,
            images,
        )
    split = _split(X, y, features, classes, key, info.source, test_size, seed)
    return dataclasses.replace(split, image_shape=images)


def _split(
    X: Array,
    y: Array,
    features: tuple[str, ...],
    classes: tuple[str, ...] | None,
    name: str,
    source: str,
    test_size: float,
    seed: int,
) -> Dataset:
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_size < 1.0:
        raise ValueError(f"load: expected test_size in (0, 1), got {test_size}")
    counts = np.unique(y, return_counts=True)[1]
    n_test = math.ceil(test_size * len(y))
    # Stratify when every class can appear on both sides; tiny files split plainly.
    fits = counts.min() >= 2 and len(counts) <= min(n_test, len(y) - n_test)
    stratify = y if classes is not None and fits else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=stratify
    )
    return Dataset(X_train, X_test, y_train, y_test, features, classes, name, source)


def load_digits(test_size: float = 0.25, seed: int = 0) -> Dataset:
    """The 8x8 digits, pixels in [0, 1]: ``load("digits")``."""
    return load("digits", test_size=test_size, seed=seed)


def standardize_statistics(X: Array) -> tuple[Array, Array]:
    """Per-feature mean and scale (standard deviation; 1 where a feature is constant)."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    return mean.astype(X.dtype), scale.astype(X.dtype)


# --- CSV ---

_MISSING = {"", "na", "nan", "null", "none", "?"}


def read_csv(
    path: str | os.PathLike[str], target: str | None = None
) -> tuple[Array, Array, tuple[str, ...], tuple[str, ...] | None]:
    """Read a CSV with a header: numeric feature columns and one target column.

    A target of numbers with a fractional part is a regression target; anything else
    (strings, integers) is class labels, and the classes are named by their labels.
    Missing values are reported with their row and column.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return _parse_csv(csv.reader(handle), path, target)
    except OSError as error:
        raise ValueError(f"{path}: cannot read the CSV file ({error})") from None
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {error.start} of the file); save it as UTF-8"
        ) from None


def _parse_csv(
    reader: Any, path: Path, target: str | None
) -> tuple[Array, Array, tuple[str, ...], tuple[str, ...] | None]:
    """Rows streamed into a float32 array that grows by doubling (no list of rows)."""
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise ValueError(f"{path}: expected a header and at least one row")
    column = len(header) - 1 if target is None else _column(header, target, path)
    features = tuple(h for i, h in enumerate(header) if i != column)
    X = np.empty((1024, len(header) - 1), dtype=np.float32)
    labels: list[str] = []
    n = 0
    for r, row in enumerate(reader, start=2):  # line numbers as a spreadsheet shows
        if n == len(X):
            X = np.concatenate([X, np.empty_like(X)])
        n += 1
        if len(row) != len(header):
            raise ValueError(
                f"{path}: row {r} has {len(row)} fields, the header has {len(header)}"
            )
        values = [v.strip() for v in row]
        for c, value in enumerate(values):
            if value.lower() in _MISSING:
                raise ValueError(
                    f"{path}: missing value in row {r}, column {header[c]!r}"
                )
        labels.append(values[column])
        numbers = [v for i, v in enumerate(values) if i != column]
        for j, value in enumerate(numbers):
            try:
                number = float(value)
                if not abs(number) <= _FLOAT32_MAX:
                    raise OverflowError
                X[n - 1, j] = number
            except OverflowError:
                raise ValueError(
                    f"{path}: row {r}, column {features[j]!r}: {value!r} is not a finite "
                    f"number within float32's range (|x| <= {_FLOAT32_MAX:.4g})"
                ) from None
            except ValueError:
                hint = (
                    f"; if {features[j]!r} holds the labels, name it as the target "
                    f"(target={features[j]!r}, or --target {features[j]})"
                    if target is None
                    else ""
                )
                raise ValueError(
                    f"{path}: row {r}, column {features[j]!r}: {value!r} is not a "
                    f"number{hint}"
                ) from None
    if n == 0:
        raise ValueError(f"{path}: expected a header and at least one row")
    y, classes = _target(labels)
    return X[:n].copy(), y, features, classes


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _column(header: list[str], target: str, path: Path) -> int:
    if target not in header:
        raise ValueError(f"{path}: no column {target!r}; the columns are {header}")
    return header.index(target)


def _target(labels: list[str]) -> tuple[Array, tuple[str, ...] | None]:
    """Class indices and class names, or float values (None) for a regression target."""
    try:
        values = np.array([float(v) for v in labels])
    except ValueError:
        values = None
    few_levels = values is not None and len(np.unique(values)) <= max(
        2, len(values) // 5
    )
    if values is not None and not (np.all(values == np.round(values)) and few_levels):
        return values.astype(np.float32), None
    # Class labels: strings, or a few distinct whole numbers (named by their values).
    keys = labels if values is None else [str(int(v)) for v in values]
    names = tuple(sorted(set(keys), key=lambda k: (values is not None and float(k), k)))
    lookup = {name: i for i, name in enumerate(names)}
    return np.array([lookup[k] for k in keys], dtype=np.intp), names
