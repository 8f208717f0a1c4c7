"""Data larger than memory: read it a chunk of rows at a time, and train on the chunks.

``chunks(source, rows)`` yields ``(X, y)`` pieces of ``rows`` rows from

- a ``.npy`` file (a 2-D array; its last column is the target, as a CSV's is), read
  with plain file reads, so only the chunk is ever in memory (a memory map would
  count every page it touched in the process's resident memory);
- a ``.npz`` file holding ``X`` and ``y``, or a folder of ``.npy`` shards (in name
  order), each read the same way;
- a Dask array pair ``(X, y)``, one block computed at a time;
- NumPy arrays (a memory map included), or any iterable of ``(X, y)`` pairs.

``partial_fit_chunks(estimator, source, epochs=...)`` feeds them to ``partial_fit``,
the way scikit-learn trains out of core. With ``shuffle=False`` and chunks a multiple
of the batch size, it makes the very updates one ``partial_fit`` on all the data makes.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["chunks", "partial_fit_chunks"]


def _header(handle: Any, where: str) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    """The shape, Fortran order and dtype of the .npy stream at ``handle``."""
    version = np.lib.format.read_magic(handle)
    readers = {
        (1, 0): np.lib.format.read_array_header_1_0,
        (2, 0): np.lib.format.read_array_header_2_0,
    }
    if version not in readers:
        raise ValueError(f"{where}: .npy format version {version} is not supported")
    shape, fortran, dtype = readers[version](handle)
    return tuple(shape), bool(fortran), np.dtype(dtype)


def _npy_chunks(
    handle: Any, rows: int, where: str
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(X, y) chunks of a .npy stream: the last column is y; nothing read twice."""
    shape, fortran, dtype = _header(handle, where)
    if len(shape) != 2 or shape[1] < 2 or fortran or dtype.hasobject:
        raise ValueError(
            f"{where}: expected a C-ordered 2-D numeric array with the target in its "
            f"last column, got shape {shape}{' (Fortran order)' if fortran else ''}"
        )
    n, width = shape
    for start in range(0, n, rows):
        count = min(rows, n - start) * width
        block = np.frombuffer(handle.read(count * dtype.itemsize), dtype=dtype)
        if block.size != count:
            raise ValueError(f"{where}: the file ends early, at row {start}")
        block = block.reshape(-1, width)
        yield block[:, :-1], block[:, -1]


def _file_chunks(path: Path, rows: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    if path.is_dir():
        shards = sorted(path.glob("*.npy"))
        if not shards:
            raise ValueError(f"{path}: a folder without .npy shards")
        for shard in shards:
            yield from _file_chunks(shard, rows)
    elif path.suffix == ".npy":
        with path.open("rb") as handle:
            yield from _npy_chunks(handle, rows, str(path))
    elif path.suffix == ".npz":
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {"X.npy", "y.npy"} <= names:
                raise ValueError(f"{path}: expected arrays named X and y")
            with archive.open("y.npy") as handle:
                y = np.lib.format.read_array(handle, allow_pickle=False)
            with archive.open("X.npy") as handle:
                shape, fortran, dtype = _header(handle, f"{path}: X")
                if len(shape) != 2 or fortran or dtype.hasobject or len(y) != shape[0]:
                    raise ValueError(f"{path}: X must be (n, D), C-ordered, y (n,)")
                for start in range(0, shape[0], rows):
                    count = min(rows, shape[0] - start)
                    raw = handle.read(count * shape[1] * dtype.itemsize)
                    X = np.frombuffer(raw, dtype=dtype).reshape(count, shape[1])
                    yield X, y[start : start + count]
    else:
        raise ValueError(f"{path}: expected a .npy or .npz file, or a folder of .npy")


def chunks(
    source: Any, rows: int = 10_000, y: Any = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(X, y) chunks of at most ``rows`` rows from a file, a folder, arrays or pieces."""
    if isinstance(source, (str, os.PathLike)):
        yield from _file_chunks(Path(source), rows)
        return
    if y is not None:
        if hasattr(source, "blocks") and hasattr(source, "compute"):  # a Dask array
            X_parts = source.rechunk({1: -1}).to_delayed().ravel()
            y_parts = y.rechunk(source.chunks[0]).to_delayed().ravel()
            for X_part, y_part in zip(X_parts, y_parts, strict=True):
                yield np.asarray(X_part.compute()), np.asarray(y_part.compute())
            return
        for start in range(0, len(source), rows):
            yield (
                np.asarray(source[start : start + rows]),
                np.asarray(y[start : start + rows]),
            )
        return
    yield from source  # already (X, y) pieces


def partial_fit_chunks(
    estimator: Any,
    source: Any,
    y: Any = None,
    *,
    epochs: int = 1,
    rows: int = 10_000,
    classes: Any = None,
) -> Any:
    """Train ``estimator`` by ``partial_fit`` on each chunk, ``epochs`` times over.

    ``source``: a file or folder (see the module), arrays ``(source, y)`` (NumPy, a
    memory map or Dask), or a re-iterable of ``(X, y)`` pairs. ``classes``: every
    label there is, which a classifier's first ``partial_fit`` needs (scikit-learn's
    rule: the first chunk need not hold every class).
    """
    if epochs < 1:
        raise ValueError(f"partial_fit_chunks: epochs must be at least 1, got {epochs}")
    first = True
    for _ in range(epochs):
        seen = 0
        for X_part, y_part in chunks(source, rows, y):
            if first and classes is not None:
                estimator.partial_fit(X_part, y_part, classes=classes)
            else:
                estimator.partial_fit(X_part, y_part)
            first, seen = False, seen + len(X_part)
        if not seen:
            raise ValueError("partial_fit_chunks: the source gave no rows")
        if isinstance(source, Iterator):
            break  # a one-pass iterator cannot be read again
    return estimator


class Rows:
    """Rows [start, stop) of a file or folder, read a chunk at a time, never whole.

    ``mean`` and ``scale``, when set, standardise each chunk as it is read. It is
    what ``rosenblatt train --data FILE.npy`` trains on and predicts from.
    """

    def __init__(
        self, source: str | os.PathLike[str], start: int, stop: int, rows: int
    ) -> None:
        self.source, self.start, self.stop, self.rows = source, start, stop, rows
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    def __len__(self) -> int:
        return self.stop - self.start

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(X, y) chunks of these rows, in file order, standardised if asked."""
        at = 0
        for X, y in chunks(self.source, self.rows):
            lo, hi = max(self.start - at, 0), min(self.stop - at, len(X))
            at += len(X)
            if lo < hi:
                part = X[lo:hi]
                if self.mean is not None and self.scale is not None:
                    part = (part - self.mean) / self.scale
                yield np.ascontiguousarray(part), y[lo:hi]
            if at >= self.stop:
                return

    def head(self, n: int) -> np.ndarray:
        """The first ``n`` rows' features (a sample, for figures)."""
        taken: list[np.ndarray] = []
        wanted = n
        for X, _ in self.chunks():
            taken.append(X[:wanted])
            wanted -= len(taken[-1])
            if wanted <= 0:
                break
        return np.concatenate(taken)


class StreamedData:
    """A data file too large to load, as ``rosenblatt train`` sees a data set.

    One pass reads the targets (8 bytes a row) and counts the rows; the features stay
    on disk. The last ``test_fraction`` of the rows is the test split (a file is
    shuffled once, when written; its order is then kept). The target is a class when
    every value is a whole number, else a value to regress.
    """

    def __init__(
        self, path: str | os.PathLike[str], rows: int, test_fraction: float = 0.2
    ) -> None:
        self.path = Path(path)
        self.name = self.path.stem
        self.source = str(self.path)
        targets, width, dtype = [], 0, np.dtype(np.float32)
        for X, y in chunks(self.path, rows):
            targets.append(np.asarray(y, dtype=np.float64))
            width, dtype = X.shape[1], X.dtype
        if not targets:
            raise ValueError(f"{self.path}: no rows")
        y = np.concatenate(targets)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{self.path}: the target column holds NaN or inf")
        n = len(y)
        cut = n - max(1, round(n * test_fraction))
        if cut < 1:
            raise ValueError(f"{self.path}: too few rows ({n}) for a test split")
        self.dtype = dtype
        self.feature_names = tuple(f"x{j + 1}" for j in range(width))
        self.image_shape = None
        if np.all(y == np.round(y)):
            self.task = "classification"
            labels = np.unique(y)
            self.class_names: tuple[str, ...] | None = tuple(
                str(int(v)) for v in labels
            )
            y = np.searchsorted(labels, y)  # classes 0..K-1, as train uses them
        else:
            self.task, self.class_names = "regression", None
        self.y_train, self.y_test = y[:cut], y[cut:]
        self.X_train = Rows(self.path, 0, cut, rows)
        self.X_test = Rows(self.path, cut, n, rows)

    def standardize(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-feature mean and scale of the training rows, in one chunked pass.

        The reads from now on are standardised by them (scale 1 where a feature is
        constant).
        """
        total = squares = None
        for X, _ in self.X_train.chunks():
            X64 = X.astype(np.float64)
            total = X64.sum(axis=0) if total is None else total + X64.sum(axis=0)
            part = (X64 * X64).sum(axis=0)
            squares = part if squares is None else squares + part
        assert total is not None and squares is not None
        n = len(self.X_train)
        mean = total / n
        scale = np.sqrt(np.maximum(squares / n - mean * mean, 0.0))
        scale[scale == 0] = 1.0
        mean, scale = mean.astype(self.dtype), scale.astype(self.dtype)
        for rows in (self.X_train, self.X_test):
            rows.mean, rows.scale = mean, scale
        return mean, scale
