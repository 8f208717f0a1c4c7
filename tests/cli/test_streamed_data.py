"""rosenblatt train --data FILE.npy: data larger than memory, streamed a chunk at a
time, training to the same model as the same data read whole."""

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits

from helpers import write_random_table
from rosenblatt import cli, io


@pytest.fixture(scope="module")
def digits_file(tmp_path_factory):
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(X))  # shuffled once, when written
    table = np.column_stack([X[order] / 16, y[order]]).astype(np.float32)
    folder = tmp_path_factory.mktemp("stream")
    np.save(folder / "digits.npy", table)
    np.savez(folder / "digits.npz", X=table[:, :-1], y=table[:, -1])
    (folder / "shards").mkdir()
    for i, part in enumerate(np.array_split(table, 4)):
        np.save(folder / "shards" / f"part{i:02d}.npy", part)
    return folder


def _train(capsys, data, out, *flags):
    status = cli.main(["train", "--data", str(data), "--epochs", "3", "--out", str(out),
                       "--json", *flags])  # fmt: skip
    assert status == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("model", ["mlp", "perceptron"])
def test_chunks_train_the_model_the_whole_data_trains(
    model, digits_file, tmp_path, capsys
) -> None:
    # 256 rows a chunk: two of the MLP's batches of 128; one chunk of 10**6 rows is
    # the whole file read at once
    runs = {}
    for rows in (256, 10**6):
        out = tmp_path / f"{model}{rows}"
        report = _train(capsys, digits_file / "digits.npy", out, "--model", model,
                        "--chunk-rows", str(rows))  # fmt: skip
        runs[rows] = (report, io.load(out / "model.safetensors"))
    (streamed, a), (whole, b) = runs[256], runs[10**6]
    assert streamed["test_samples"] == whole["test_samples"] == 359
    assert streamed["test_accuracy"] == whole["test_accuracy"] > 0.85
    if model == "mlp":
        for wa, wb in zip(
            a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
        ):
            np.testing.assert_array_equal(wa, wb)
        assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_ == 3
    else:
        np.testing.assert_array_equal(a.weights_, b.weights_)
        assert a.errors_ == b.errors_ and len(a.errors_) == 3


def test_npz_files_and_shard_folders_stream_the_same_rows(
    digits_file, tmp_path, capsys
) -> None:
    reports = [
        _train(
            capsys,
            digits_file / source,
            tmp_path / source.replace(".", "_"),
            "--model",
            "perceptron",
            "--chunk-rows",
            "300",
            "--standardize",
        )
        for source in ("digits.npy", "digits.npz", "shards")
    ]
    assert len({r["test_accuracy"] for r in reports}) == 1


def test_streamed_data_refuses_a_validation_split(digits_file, capsys) -> None:
    status = cli.main(
        ["train", "--data", str(digits_file / "digits.npy"), "--val-split", "0.1"]
    )
    assert status == 1 and "--val-split" in capsys.readouterr().err


PEAK = """
import sys
from rosenblatt import cli
status = cli.main(sys.argv[1:])
status_file = open("/proc/self/status").read()
print(status, int(status_file.split("VmHWM:")[1].split()[0]) // 1024)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_file_larger_than_memory_trains_in_the_memory_of_one_chunk(tmp_path) -> None:
    path = tmp_path / "big.npy"
    write_random_table(path)
    small = tmp_path / "small.npy"
    np.save(small, np.load(path, mmap_mode="r")[:4_000])

    def peak(file) -> int:
        args = ["train", "--data", str(file), "--model", "perceptron", "--epochs", "1",
                "--chunk-rows", "2000", "--json"]  # fmt: skip
        done = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True,
                              text=True, check=True)  # fmt: skip
        status, mib = done.stdout.split()[-2:]
        assert status == "0", done.stderr
        return int(mib)

    peak(small)  # compiles the perceptron's kernel once, into the cache
    baseline, streamed = peak(small), peak(path)
    size_mib = path.stat().st_size >> 20
    assert size_mib > 590 and streamed - baseline < 64, (streamed, baseline, size_mib)
