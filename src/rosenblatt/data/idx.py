"""IDX files (the MNIST family's format), read and validated, and Fashion-MNIST / MNIST.

An IDX file is: two zero bytes, a type code (0x08 = unsigned byte), the number of
dimensions k, then k big-endian uint32 sizes, then the data in C order. Files may be
gzipped. Every header field and the data length are checked before use.
"""

from __future__ import annotations

import gzip
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from rosenblatt.backend import Array

__all__ = [
    "DEBIAN_FASHION_MNIST",
    "IDXError",
    "find_dataset_dir",
    "load_mnist_like",
    "read_idx",
]

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")

_TYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MAX_BYTES = 2**31  # refuse headers that promise absurd sizes before allocating


class IDXError(ValueError):
    """An IDX file is malformed: wrong magic number, dimensions or length."""


def read_idx(path: str | os.PathLike[str]) -> Array:
    """Read one IDX file (plain or gzipped) into an array of the shape its header gives."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except (OSError, EOFError) as error:
        raise IDXError(f"{path}: cannot read ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise IDXError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    dtype, ndim = _TYPES[raw[2]], raw[3]
    if not 1 <= ndim <= 4:
        raise IDXError(f"{path}: expected 1 to 4 dimensions, got {ndim}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{path}: truncated header")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if expected > _MAX_BYTES:
        raise IDXError(
            f"{path}: header promises {expected} bytes, more than this reader allows"
        )
    if len(raw) - header != expected:
        raise IDXError(
            f"{path}: header gives shape {shape} ({expected} bytes of data), "
            f"but the file holds {len(raw) - header}"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def find_dataset_dir(name: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the IDX files of ``name`` live: ``data_dir``, $ROSENBLATT_DATA/<name>, or Debian's."""
    candidates = []
    if data_dir is not None:
        candidates += [Path(data_dir), Path(data_dir) / name]
    if os.environ.get("ROSENBLATT_DATA"):
        root = Path(os.environ["ROSENBLATT_DATA"])
        candidates += [root / name, root]
    if name == "fashion-mnist":
        candidates.append(DEBIAN_FASHION_MNIST)
    for directory in candidates:
        if any(
            (directory / f"train-images-idx3-ubyte{ext}").exists()
            for ext in ("", ".gz")
        ):
            return directory
    looked = (
        ", ".join(str(c) for c in candidates)
        or "nowhere: no data_dir or $ROSENBLATT_DATA"
    )
    debian = (
        "install Debian's package (apt-get install dataset-fashion-mnist), or "
        if name == "fashion-mnist"
        else ""
    )
    raise FileNotFoundError(
        f"{name}: IDX files not found (looked in {looked}). To get them, {debian}put "
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz "
        "and t10k-labels-idx1-ubyte.gz in a folder and pass it as data_dir (--data-dir) "
        "or $ROSENBLATT_DATA"
    )


def _read_pair(directory: Path, stem: str) -> Array:
    for ext in (".gz", ""):
        path = directory / f"{stem}{ext}"
        if path.exists():
            return read_idx(path)
    raise FileNotFoundError(f"{directory}: {stem}[.gz] is missing")


def load_mnist_like(
    name: str = "fashion-mnist", data_dir: str | os.PathLike[str] | None = None
) -> tuple[Array, Array, Array, Array]:
    """(X_train, y_train, X_test, y_test): images as (n, 784) uint8, labels as uint8."""
    directory = find_dataset_dir(name, data_dir)
    parts = []
    for split in ("train", "t10k"):
        images = _read_pair(directory, f"{split}-images-idx3-ubyte")
        labels = _read_pair(directory, f"{split}-labels-idx1-ubyte")
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise IDXError(
                f"{directory}: {split} images {images.shape} and labels {labels.shape} "
                "do not pair up"
            )
        parts += [images.reshape(len(images), -1), labels]
    return parts[0], parts[1], parts[2], parts[3]
