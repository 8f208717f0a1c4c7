"""Model files: exact round trips, atomic saves, and a corpus of hostile files refused."""

import json
import struct

import numpy as np
import pytest

from rosenblatt import Tensor, io, nn
from rosenblatt.io import ModelFileError


def net() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(4, 8, rng=0),
        nn.Tanh(),
        nn.Dropout(0.25),
        nn.Linear(8, 8, rng=1),
        nn.LeakyReLU(0.2),
        nn.Linear(8, 3, rng=2),
        nn.Softmax(axis=1),
    )


def test_round_trip_is_exact(tmp_path) -> None:
    model = net().eval()
    path = tmp_path / "model.safetensors"
    io.save(model, path, data_name="iris")
    again = io.load(path).eval()
    assert repr(again) == repr(model)
    x = Tensor(np.random.default_rng(0).standard_normal((5, 4)))
    assert model(x).data.tobytes() == again(x).data.tobytes()  # bit for bit
    _, info = io.read_file(path)
    assert info["data"] == "iris" and info["format_version"] == io.FORMAT_VERSION
    assert info["library"].startswith("rosenblatt ")


def test_float64_networks_round_trip(tmp_path) -> None:
    model = nn.build_mlp([3, 5, 2], rng=0, dtype=np.float64)
    io.save(model, tmp_path / "m.safetensors")
    again = io.load(tmp_path / "m.safetensors")
    assert again[0].weight.dtype == np.float64
    np.testing.assert_array_equal(again[0].weight.data, model[0].weight.data)


def test_a_failed_save_leaves_the_previous_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.safetensors"
    io.save(net(), path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(io.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        io.save(nn.build_mlp([4, 2], rng=5), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]  # no temp left


def test_unknown_layers_are_refused_at_save(tmp_path) -> None:
    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="Custom is not a layer this file format knows"):
        io.save(nn.Sequential(Custom()), tmp_path / "m.safetensors")


def container(
    header: object, payload: bytes = b"", raw_header: bytes | None = None
) -> bytes:
    body = raw_header if raw_header is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(body)) + body + payload


def valid_parts():
    """A valid file's header (dict) and payload, to corrupt one thing at a time."""
    arch = {
        "type": "Sequential",
        "layers": [
            {
                "type": "Linear",
                "in_features": 2,
                "out_features": 1,
                "bias": True,
                "dtype": "float32",
            }
        ],
    }
    info = {"format_version": 1, "kind": "module", "architecture": arch}
    header = {
        "__metadata__": {"rosenblatt": json.dumps(info)},
        "0.weight": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]},
        "0.bias": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]},
    }
    return header, info, np.arange(3, dtype="<f4").tobytes()


def corrupt(change):
    header, info, payload = valid_parts()
    return change(header, info, payload)


def with_info(header, info, **updates):
    info = {**info, **updates}
    header["__metadata__"] = {"rosenblatt": json.dumps(info)}
    return header


HOSTILE = {
    "empty": (lambda h, i, p: b"", "truncated"),
    "truncated header length": (lambda h, i, p: b"\x10\x00\x00", "truncated"),
    "header longer than file": (
        lambda h, i, p: struct.pack("<Q", 10_000) + b"{}",
        "runs past the end",
    ),
    "huge header": (
        lambda h, i, p: struct.pack("<Q", 2**40) + b"{}",
        "larger than the",
    ),
    "header not json": (
        lambda h, i, p: container(None, p, raw_header=b"\xff\xfe not json"),
        "not valid UTF-8 JSON",
    ),
    "header is a list": (lambda h, i, p: container([1, 2], p), "not an object"),
    "no metadata": (
        lambda h, i, p: container(
            {k: v for k, v in h.items() if k != "__metadata__"}, p
        ),
        "not a rosenblatt model file",
    ),
    "metadata is a list": (
        lambda h, i, p: container({**h, "__metadata__": {"rosenblatt": "[1]"}}, p),
        "not an object",
    ),
    "unknown version": (
        lambda h, i, p: container(with_info(h, i, format_version=99), p),
        "unknown format version 99",
    ),
    "truncated data": (lambda h, i, p: container(h, p[:-4]), "outside the"),
    "offsets out of range": (
        lambda h, i, p: container(
            {**h, "0.bias": {"dtype": "F32", "shape": [1], "data_offsets": [8, 400]}}, p
        ),
        "outside the",
    ),
    "negative offsets": (
        lambda h, i, p: container(
            {**h, "0.bias": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}, p
        ),
        "invalid offsets",
    ),
    "overlapping": (
        lambda h, i, p: container(
            {**h, "0.bias": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, p
        ),
        "overlap",
    ),
    "size disagrees with shape": (
        lambda h, i, p: container(
            {**h, "0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [8, 12]}}, p
        ),
        "needs 8 bytes",
    ),
    "unsupported dtype": (
        lambda h, i, p: container(
            {**h, "0.bias": {"dtype": "BOOL", "shape": [4], "data_offsets": [8, 12]}}, p
        ),
        "unsupported dtype",
    ),
    "wrong dtype for architecture": (
        lambda h, i, p: container(
            {**h, "0.bias": {"dtype": "I64", "shape": [0], "data_offsets": [8, 8]}},
            p[:8] + b"\x00" * 4,
        ),
        "the architecture needs",
    ),
    "shape disagrees with architecture": (
        lambda h, i, p: container(
            {
                **h,
                "0.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},
            },
            p,
        ),
        r"the architecture needs float32 \(2, 1\)",
    ),
    "missing array": (
        lambda h, i, p: container({k: v for k, v in h.items() if k != "0.bias"}, p[:8]),
        "missing \\['0.bias'\\]",
    ),
    "unknown layer": (
        lambda h, i, p: container(
            with_info(h, i, architecture={"type": "os.system"}), p
        ),
        "unknown layer type 'os.system'",
    ),
    "bad layer sizes": (
        lambda h, i, p: container(
            with_info(
                h,
                i,
                architecture={
                    "type": "Linear",
                    "in_features": -1,
                    "out_features": 2,
                    "bias": True,
                    "dtype": "float32",
                },
            ),
            p,
        ),
        "positive in/out",
    ),
    "an estimator of no known class": (
        lambda h, i, p: container(with_info(h, i, kind="estimator"), p),
        "holds an unknown estimator None",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_and_corrupt_files_raise_model_file_error(tmp_path, case: str) -> None:
    make, message = HOSTILE[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(corrupt(make))
    with pytest.raises(ModelFileError, match=message):
        io.load(path)


def test_the_valid_base_of_the_corpus_loads(tmp_path) -> None:
    header, _, payload = valid_parts()
    path = tmp_path / "good.safetensors"
    path.write_bytes(container(header, payload))
    model = io.load(path)
    np.testing.assert_array_equal(model[0].weight.data, [[0.0], [1.0]])


def test_a_missing_file_is_a_model_file_error(tmp_path) -> None:
    with pytest.raises(ModelFileError, match="cannot read"):
        io.load(tmp_path / "nope.safetensors")


def test_a_model_with_non_finite_values_is_not_saved_over_a_good_one(tmp_path) -> None:
    good = net()
    io.save(good, tmp_path / "m.safetensors")
    bad = net()
    bad[0].weight.data[0, 0] = np.inf
    with pytest.raises(ValueError, match="holds NaN or infinity"):
        io.save(bad, tmp_path / "m.safetensors")
    again = io.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(again[0].weight.data, good[0].weight.data)


def test_temporaries_of_dead_writers_are_removed_and_live_ones_kept(tmp_path) -> None:
    import os
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".m.safetensors.{dead.stdout.strip()}.abc.tmp"
    live = tmp_path / f".m.safetensors.{os.getppid()}.def.tmp"  # our parent: alive
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    io.save(net(), tmp_path / "m.safetensors")
    assert not stale.exists() and live.exists()
