"""IDX files: read exactly, and every malformed header refused with IDXError."""

import gzip
import struct

import numpy as np
import pytest

from rosenblatt.data.idx import IDXError, find_dataset_dir, load_mnist_like, read_idx


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_reads_plain_and_gzipped_files(tmp_path) -> None:
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(idx_bytes(images))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(images)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx.gz"), images)
    floats = np.array([1.5, -2.0], dtype=np.float32)
    (tmp_path / "f.idx").write_bytes(idx_bytes(floats, 0x0D))
    np.testing.assert_array_equal(read_idx(tmp_path / "f.idx"), floats)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x08\x01", "bad magic number"),
        (b"\x00\x00\x07\x01", "bad magic number"),
        (b"\x00\x00\x08\x09", "expected 1 to 4 dimensions, got 9"),
        (b"\x00\x00\x08\x02\x00\x00", "truncated header"),
        (idx_bytes(np.zeros((2, 2), np.uint8))[:-1], "file holds 3"),
        (idx_bytes(np.zeros((2, 2), np.uint8)) + b"\x00", "file holds 5"),
        (
            b"\x00\x00\x08\x02\xff\xff\xff\xff\xff\xff\xff\xff",
            "more than this reader allows",
        ),
    ],
)
def test_malformed_files_are_refused(tmp_path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.idx"
    path.write_bytes(data)
    with pytest.raises(IDXError, match=message):
        read_idx(path)


def test_a_truncated_gzip_is_refused(tmp_path) -> None:
    path = tmp_path / "bad.idx.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((4, 4), np.uint8)))[:-8])
    with pytest.raises(IDXError, match="cannot read"):
        read_idx(path)


def test_missing_dataset_says_how_to_get_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ROSENBLATT_DATA", str(tmp_path))
    with pytest.raises(
        FileNotFoundError, match=r"train-images-idx3-ubyte\.gz, train-labels"
    ):
        find_dataset_dir("mnist")


def test_loads_a_small_dataset_from_a_folder(tmp_path) -> None:
    rng = np.random.default_rng(0)
    for split, n in (("train", 5), ("t10k", 3)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        (tmp_path / f"{split}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(idx_bytes(images))
        )
        (tmp_path / f"{split}-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    X_train, y_train, X_test, y_test = load_mnist_like("mnist", data_dir=tmp_path)
    assert X_train.shape == (5, 784) and y_train.shape == (5,)
    assert (
        X_test.shape == (3, 784) and y_test.shape == (3,) and X_train.dtype == np.uint8
    )
