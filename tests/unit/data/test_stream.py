"""Data larger than memory: chunks from files, folders, memory maps and Dask arrays,
and partial_fit over them making the same updates as one partial_fit on all the data."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits

from helpers import write_random_table
from rosenblatt import MLPClassifier, Perceptron
from rosenblatt.data.stream import chunks, partial_fit_chunks

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS / 16
TABLE = np.column_stack([X_DIGITS, Y_DIGITS])  # the target in the last column


def _mlp():
    return MLPClassifier((16,), batch_size=50, shuffle=False, random_state=0)


def _same_fits(a, b) -> None:
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_a_npy_file_a_npz_file_and_shards_give_the_same_rows(tmp_path) -> None:
    np.save(tmp_path / "all.npy", TABLE)
    np.savez(tmp_path / "all.npz", X=X_DIGITS, y=Y_DIGITS)
    (tmp_path / "shards").mkdir()
    for i, part in enumerate(np.array_split(TABLE, 3)):
        np.save(tmp_path / "shards" / f"part{i}.npy", part)
    for source in ("all.npy", "all.npz", "shards"):
        pieces = list(chunks(tmp_path / source, rows=100))
        assert max(len(X) for X, _ in pieces) <= 100
        np.testing.assert_array_equal(np.concatenate([X for X, _ in pieces]), X_DIGITS)
        np.testing.assert_array_equal(np.concatenate([y for _, y in pieces]), Y_DIGITS)


@pytest.mark.parametrize("source", ["file", "memmap", "iterable"])
def test_chunked_partial_fit_makes_the_updates_of_one_partial_fit(
    source, tmp_path
) -> None:
    whole = _mlp()
    classes = np.unique(Y_DIGITS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            whole.partial_fit(X_DIGITS, Y_DIGITS, classes=classes)
        np.save(tmp_path / "digits.npy", TABLE)
        if source == "file":
            args = (tmp_path / "digits.npy",)
        elif source == "memmap":
            mapped = np.load(tmp_path / "digits.npy", mmap_mode="r")
            args = (mapped[:, :-1], mapped[:, -1])
        else:
            args = (
                [
                    (X_DIGITS[i : i + 200], Y_DIGITS[i : i + 200])
                    for i in range(0, 1797, 200)
                ],
            )
        chunked = partial_fit_chunks(_mlp(), *args, epochs=3, rows=200, classes=classes)
    _same_fits(chunked, whole)


def test_a_dask_array_is_read_one_block_at_a_time() -> None:
    da = pytest.importorskip("dask.array")
    X = da.from_array(X_DIGITS, chunks=(400, 16))  # chunked along both axes
    y = da.from_array(Y_DIGITS, chunks=400)
    whole, classes = Perceptron(shuffle=False, random_state=0), np.unique(Y_DIGITS)
    whole.partial_fit(X_DIGITS, Y_DIGITS, classes=classes)
    pieces = list(chunks(X, y=y))
    assert [len(p[0]) for p in pieces] == [400, 400, 400, 400, 197]
    chunked = partial_fit_chunks(
        Perceptron(shuffle=False, random_state=0), X, y, classes=classes
    )
    # one epoch of the perceptron's rule, sample by sample: the same weights
    np.testing.assert_allclose(chunked.weights_, whole.weights_, rtol=1e-12)


def test_bad_sources_are_named(tmp_path) -> None:
    np.save(tmp_path / "flat.npy", np.arange(10.0))
    with pytest.raises(ValueError, match="2-D"):
        list(chunks(tmp_path / "flat.npy"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"without \.npy shards"):
        list(chunks(tmp_path / "empty"))
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"\.npy or \.npz"):
        list(chunks(tmp_path / "data.csv"))
    truncated = tmp_path / "cut.npy"
    np.save(truncated, TABLE)
    truncated.write_bytes(truncated.read_bytes()[:-1000])
    with pytest.raises(ValueError, match="ends early"):
        list(chunks(truncated, rows=100))
    with pytest.raises(ValueError, match="epochs"):
        partial_fit_chunks(Perceptron(), tmp_path / "x.npy", epochs=0)


STREAM = """
import sys, warnings
import numpy as np
from rosenblatt import Perceptron
from rosenblatt.data.stream import partial_fit_chunks
warnings.simplefilter("ignore")
clf = Perceptron(shuffle=False, random_state=0)
partial_fit_chunks(clf, sys.argv[1], rows=2_000, classes=np.arange(10.0))
# the peak resident memory of this process image (getrusage's ru_maxrss would also
# count the parent's pages at the fork before exec)
status = open("/proc/self/status").read()
print(int(status.split("VmHWM:")[1].split()[0]) // 1024)  # MiB
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_training_on_a_file_holds_only_a_chunk_in_memory(tmp_path) -> None:
    path = tmp_path / "big.npy"  # 598 MiB, streamed in chunks of 2,000 rows
    write_random_table(path)
    size_mib = path.stat().st_size >> 20
    small = tmp_path / "small.npy"  # the same rows, one chunk's worth
    np.save(small, np.load(path, mmap_mode="r")[:2_000])

    def peak(file) -> int:
        command = [sys.executable, "-c", STREAM, str(file)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return int(done.stdout.split()[-1])

    # the first run may compile the perceptron's kernel (numba's compiler alone can
    # take hundreds of MiB, once); the later ones load it from the cache
    peak(small)
    baseline, peak_mib = peak(small), peak(path)
    # the runtime (Python, NumPy, SciPy, scikit-learn, numba) is the same for both:
    # what streaming 300 times more rows adds stays a few chunks' worth
    assert size_mib > 590 and peak_mib - baseline < 64, (peak_mib, baseline, size_mib)
    print(
        f"streamed a {size_mib} MiB file: peak {peak_mib} MiB, {baseline} for 2,000 rows"
    )
