"""Safe model files: arrays in safetensors, everything else in JSON, never pickle.

A model file is one safetensors file: an 8-byte little-endian header length N, N
bytes of UTF-8 JSON describing each array (dtype, shape, byte offsets), then the raw
little-endian array bytes. Its ``__metadata__`` holds one key, ``rosenblatt``: a JSON
object with the format version, the architecture, and provenance (library version,
date, training data name).

Saving writes a temporary file next to the target, flushes it to disk and renames it
over the target, so a crash mid-save leaves the previous file intact. Loading reads
only data: it checks every header field, offset, dtype and shape, and rebuilds the
network from a fixed vocabulary of layers (nothing named in the file is imported or
called). Anything wrong raises ``ModelFileError`` naming the problem.

Examples
--------
>>> import tempfile, os
>>> from rosenblatt import nn, io
>>> net = nn.build_mlp([4, 8, 3], rng=0)
>>> path = os.path.join(tempfile.mkdtemp(), "net.safetensors")
>>> io.save(net, path)
>>> again = io.load(path)
>>> [type(m).__name__ for m in again]
['Linear', 'ReLU', 'Linear']
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import os
import struct
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rosenblatt._version import __version__
from rosenblatt.backend import Array
from rosenblatt.nn import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Dropout2d,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LocalResponseNorm,
    MaxPool2d,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
)

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "ModelFileError",
    "from_contents",
    "load",
    "read_file",
    "save",
    "write_file",
]

FORMAT_VERSION = 1
MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit: refuse larger headers unread

_DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
}
_CODES = {
    np.dtype(np.float32): "F32",
    np.dtype(np.float64): "F64",
    np.dtype(np.int64): "I64",
}


class ModelFileError(ValueError):
    """A model file is corrupt, hostile or not ours; the message names the problem."""


# --- the container: safetensors, written with the library, read with checks ---


def write_file(
    path: str | os.PathLike[str], arrays: Mapping[str, Array], info: Mapping[str, Any]
) -> None:
    """Write ``arrays`` and the JSON object ``info`` to ``path`` atomically."""
    from safetensors.numpy import save as safetensors_bytes  # loaded on use

    for name, array in arrays.items():
        if np.dtype(array.dtype) not in _CODES:
            raise TypeError(f"save: array {name!r} has unsupported dtype {array.dtype}")
        if np.dtype(array.dtype).kind == "f" and not np.isfinite(array).all():
            # the loader refuses such a file: writing it would lose the good one
            raise ValueError(
                f"save: array {name!r} holds NaN or infinity (a diverged model?); "
                f"nothing was written to {path}"
            )
    # safetensors stores 0-d arrays as shape (1,): remember which were scalars.
    scalars = sorted(k for k, v in arrays.items() if np.ndim(v) == 0)
    data = safetensors_bytes(
        {
            k: np.ascontiguousarray(v).reshape(-1)
            if k in scalars
            else np.ascontiguousarray(v)
            for k, v in arrays.items()
        },
        metadata={
            "rosenblatt": json.dumps({**info, "scalars": scalars}, sort_keys=True)
        },
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    # the writer's process id in the name: a later save can tell an abandoned file
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)  # atomic on POSIX: old file or new, never half
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporaries that killed writers of ``target`` left behind.

    A save writes ``.<name>.<pid>.<random>.tmp`` beside the target and renames it over
    the target; a process killed in between leaves it. Those whose process is gone
    are removed; a live writer's (another process saving now) is left alone.
    """
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        pid = leftover.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (this one does: another thread may be writing)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, and someone else's
    return True


def read_file(path: str | os.PathLike[str]) -> tuple[dict[str, Array], dict[str, Any]]:
    """Read and validate a model file: (arrays, info). Raises ModelFileError."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise ModelFileError(
                    f"{path}: truncated: {size} bytes, no header length"
                )
            (header_len,) = struct.unpack("<Q", prefix)
            if header_len > MAX_HEADER_BYTES and all(32 <= c < 127 for c in prefix):
                # a model file starts with its header's length in binary; a text file
                # (a README, a CSV) reads as an absurd one
                raise ModelFileError(
                    f"{path}: not a model file (a model file starts with the length "
                    f"of its header; these {size} bytes start with {prefix[:8]!r})"
                )
            if header_len > MAX_HEADER_BYTES:
                raise ModelFileError(
                    f"{path}: header of {header_len} bytes is larger than the "
                    f"{MAX_HEADER_BYTES}-byte limit"
                )
            if 8 + header_len > size:
                raise ModelFileError(
                    f"{path}: header length {header_len} runs past the end of the "
                    f"{size}-byte file"
                )
            header_bytes = handle.read(header_len)
            payload = handle.read()
    except OSError as error:
        raise ModelFileError(
            f"{path}: cannot read ({error.strerror or error})"
        ) from None
    header = _parse_json(header_bytes, f"{path}: header")
    meta = header.pop("__metadata__", None)
    if not isinstance(meta, dict) or not isinstance(meta.get("rosenblatt"), str):
        raise ModelFileError(
            f"{path}: not a rosenblatt model file (no 'rosenblatt' metadata)"
        )
    info = _parse_json(meta["rosenblatt"].encode(), f"{path}: metadata")
    version = info.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: unknown format version {version!r}; this library reads "
            f"version {FORMAT_VERSION}"
        )
    arrays = _arrays(header, payload, path)
    scalars = info.pop("scalars", [])
    if not isinstance(scalars, list) or not all(
        isinstance(k, str) and k in arrays and arrays[k].shape == (1,) for k in scalars
    ):
        raise ModelFileError(f"{path}: the list of scalar arrays is malformed")
    for key in scalars:
        arrays[key] = arrays[key].reshape(())
    return arrays, info


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members; a name given twice is refused (JSON keeps the last)."""
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        raise ModelFileError(f"names given twice: {twice!r:.80}")
    return dict(pairs)


def _parse_json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{where} is not valid UTF-8 JSON ({error})") from None
    except RecursionError:
        raise ModelFileError(f"{where} is JSON nested too deeply to read") from None
    except ModelFileError as error:
        raise ModelFileError(f"{where}: {error}") from None
    if not isinstance(value, dict):
        raise ModelFileError(
            f"{where} is JSON but not an object (got {type(value).__name__})"
        )
    return value


def _arrays(header: dict[str, Any], payload: bytes, path: Path) -> dict[str, Array]:
    spans: list[tuple[int, int, str]] = []
    arrays: dict[str, Array] = {}
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {
            "dtype",
            "shape",
            "data_offsets",
        }:
            raise ModelFileError(f"{path}: entry {name!r} is not a tensor description")
        dtype = _DTYPES.get(entry["dtype"]) if isinstance(entry["dtype"], str) else None
        if dtype is None:
            raise ModelFileError(
                f"{path}: tensor {name!r} has unsupported dtype {entry['dtype']!r}"
            )
        shape, offsets = entry["shape"], entry["data_offsets"]
        if not (
            isinstance(shape, list)
            and len(shape) <= _MAX_DIMS
            and all(_is_count(n) and n <= _MAX_SIDE for n in shape)
        ):
            raise ModelFileError(
                f"{path}: tensor {name!r} has an invalid shape {shape!r:.80} (at most "
                f"{_MAX_DIMS} dimensions of at most {_MAX_SIDE} entries)"
            )
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(map(_is_count, offsets))
        ):
            raise ModelFileError(
                f"{path}: tensor {name!r} has invalid offsets {offsets!r}"
            )
        begin, end = offsets
        if not begin <= end <= len(payload):
            raise ModelFileError(
                f"{path}: tensor {name!r} offsets [{begin}, {end}] are outside the "
                f"{len(payload)}-byte data section"
            )
        if end - begin != math.prod(shape) * dtype.itemsize:
            raise ModelFileError(
                f"{path}: tensor {name!r} of shape {tuple(shape)} needs "
                f"{math.prod(shape) * dtype.itemsize} bytes, its offsets give {end - begin}"
            )
        spans.append((begin, end, name))
        array = np.frombuffer(
            payload, dtype=dtype, count=math.prod(shape), offset=begin
        )
        arrays[name] = array.reshape(shape).astype(dtype.newbyteorder("="))
        if dtype.kind == "f" and not np.isfinite(arrays[name]).all():
            raise ModelFileError(f"{path}: tensor {name!r} holds NaN or infinity")
    spans.sort()
    for (_, end, first), (begin, _, second) in itertools.pairwise(spans):
        if begin < end:
            raise ModelFileError(f"{path}: tensors {first!r} and {second!r} overlap")
    return arrays


_MAX_DIMS, _MAX_SIDE = 8, 2**31 - 1  # no network's tensor is larger in either
_MAX_DEPTH = 32  # Sequentials nested deeper than this are refused
_SMALL = 2**20  # parameters any architecture may claim before the file is counted


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# --- networks: a fixed vocabulary of layers, described in JSON ---

_SIMPLE = {
    "Identity": Identity,
    "Step": Step,
    "Sigmoid": Sigmoid,
    "Tanh": Tanh,
    "ReLU": ReLU,
    "Flatten": Flatten,
}


def _pair_json(value: Any) -> list[int]:
    return (
        [int(value), int(value)] if isinstance(value, int) else [int(v) for v in value]
    )


def describe(module: Module) -> dict[str, Any]:
    """The JSON description of a network built from the layers this format knows."""
    if isinstance(module, Sequential):
        return {"type": "Sequential", "layers": [describe(m) for m in module]}
    if isinstance(module, Linear):
        return {
            "type": "Linear",
            "in_features": module.in_features,
            "out_features": module.out_features,
            "bias": module.bias is not None,
            "dtype": module.weight.dtype.name,
        }
    if isinstance(module, LeakyReLU):
        return {"type": "LeakyReLU", "negative_slope": float(module.negative_slope)}
    if isinstance(module, Softmax):
        return {"type": "Softmax", "axis": int(module.axis)}
    if isinstance(module, Dropout):
        return {"type": "Dropout", "p": float(module.p)}
    if isinstance(module, Dropout2d):
        return {"type": "Dropout2d", "p": float(module.p)}
    if isinstance(module, Conv2d):
        return {
            "type": "Conv2d",
            "in_channels": module.in_channels,
            "out_channels": module.out_channels,
            "kernel_size": _pair_json(module.kernel_size),
            "stride": _pair_json(module.stride),
            "padding": _pair_json(module.padding),
            "dilation": _pair_json(module.dilation),
            "groups": module.groups,
            "bias": module.bias is not None,
            "dtype": module.weight.dtype.name,
        }
    if isinstance(module, (MaxPool2d, AvgPool2d)):
        spec: dict[str, Any] = {
            "type": type(module).__name__,
            "kernel_size": _pair_json(module.kernel_size),
            "stride": None if module.stride is None else _pair_json(module.stride),
            "padding": _pair_json(module.padding),
        }
        if isinstance(module, MaxPool2d):
            spec["dilation"] = _pair_json(module.dilation)
        return spec
    if isinstance(module, LocalResponseNorm):
        return {
            "type": "LocalResponseNorm",
            "size": module.size,
            "alpha": module.alpha,
            "beta": module.beta,
            "k": module.k,
        }
    if isinstance(module, (BatchNorm1d, BatchNorm2d)):
        return {
            "type": type(module).__name__,
            "num_features": module.num_features,
            "eps": module.eps,
            "momentum": module.momentum,
            "affine": module.weight is not None,
            "dtype": module.running_mean.dtype.name,
        }
    for name, cls in _SIMPLE.items():
        if type(module) is cls:
            return {"type": name}
    raise TypeError(
        f"save: {type(module).__name__} is not a layer this file format knows; it stores "
        "Sequential stacks of Linear, Conv2d, pooling, normalisation, activation, "
        "Flatten and dropout layers"
    )


def build(spec: Any, where: str = "architecture", depth: int = 0) -> Module:
    """Rebuild a network from ``describe``'s JSON; refuses anything else."""
    if depth > _MAX_DEPTH:
        raise ModelFileError(f"{where}: layers nested more than {_MAX_DEPTH} deep")
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise ModelFileError(
            f"{where}: expected a layer object with a 'type', got {spec!r:.80}"
        )
    kind = spec["type"]
    if kind == "Sequential":
        layers = spec.get("layers")
        if not isinstance(layers, list):
            raise ModelFileError(f"{where}: Sequential needs a list of layers")
        return Sequential(
            *(build(s, f"{where}.{i}", depth + 1) for i, s in enumerate(layers))
        )
    if kind == "Linear":
        d_in, d_out = spec.get("in_features"), spec.get("out_features")
        dtype = spec.get("dtype")
        if not (_is_count(d_in) and _is_count(d_out) and d_in and d_out):
            raise ModelFileError(f"{where}: Linear needs positive in/out features")
        if dtype not in ("float32", "float64") or not isinstance(
            spec.get("bias"), bool
        ):
            raise ModelFileError(f"{where}: Linear has an invalid dtype or bias flag")
        return Linear(d_in, d_out, bias=spec["bias"], rng=0, dtype=dtype)
    if kind == "LeakyReLU":
        return LeakyReLU(_number(spec.get("negative_slope"), where))
    if kind == "Softmax":
        axis = spec.get("axis")
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ModelFileError(f"{where}: Softmax needs an integer axis")
        return Softmax(axis)
    if kind in ("Dropout", "Dropout2d"):
        p = _number(spec.get("p"), where)
        if not 0 <= p <= 1:
            raise ModelFileError(f"{where}: {kind} needs p in [0, 1], got {p}")
        return Dropout(p) if kind == "Dropout" else Dropout2d(p)
    if kind == "Conv2d":
        counts = [spec.get(k) for k in ("in_channels", "out_channels", "groups")]
        dtype = spec.get("dtype")
        if not all(_is_count(c) and c for c in counts) or dtype not in (
            "float32",
            "float64",
        ):
            raise ModelFileError(
                f"{where}: Conv2d has invalid channels, groups or dtype"
            )
        c_in, c_out, groups = (int(c) for c in counts)  # type: ignore[arg-type]
        try:
            return Conv2d(
                c_in, c_out, _pair_spec(spec, "kernel_size", 1, where),
                _pair_spec(spec, "stride", 1, where), _pair_spec(spec, "padding", 0, where),
                _pair_spec(spec, "dilation", 1, where), groups,
                bias=bool(spec.get("bias")), rng=0, dtype=dtype,
            )  # fmt: skip
        except ValueError as error:
            raise ModelFileError(f"{where}: {error}") from None
    if kind in ("MaxPool2d", "AvgPool2d"):
        kernel = _pair_spec(spec, "kernel_size", 1, where)
        stride = (
            None if spec.get("stride") is None else _pair_spec(spec, "stride", 1, where)
        )
        padding = _pair_spec(spec, "padding", 0, where)
        if kind == "AvgPool2d":
            return AvgPool2d(kernel, stride, padding)
        return MaxPool2d(
            kernel, stride, padding, _pair_spec(spec, "dilation", 1, where)
        )
    if kind == "LocalResponseNorm":
        size = spec.get("size")
        if not _is_count(size) or not size:
            raise ModelFileError(f"{where}: LocalResponseNorm needs a positive size")
        return LocalResponseNorm(
            size, _number(spec.get("alpha"), where), _number(spec.get("beta"), where),
            _number(spec.get("k"), where),
        )  # fmt: skip
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        features, dtype = spec.get("num_features"), spec.get("dtype")
        if (
            not _is_count(features)
            or not features
            or dtype not in ("float32", "float64")
        ):
            raise ModelFileError(
                f"{where}: {kind} needs positive num_features and a dtype"
            )
        cls = BatchNorm1d if kind == "BatchNorm1d" else BatchNorm2d
        return cls(
            features,
            _number(spec.get("eps"), where),
            _number(spec.get("momentum"), where),
            bool(spec.get("affine")),
            dtype=dtype,
        )
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    raise ModelFileError(f"{where}: unknown layer type {kind!r}")


def _claimed_size(spec: Any, depth: int) -> int:
    """How many parameter values a layer description implies.

    0 where the description is malformed: ``build`` then says what is wrong.
    """
    if not isinstance(spec, dict) or depth > _MAX_DEPTH:
        return 0
    kind = spec.get("type")
    if kind == "Sequential" and isinstance(spec.get("layers"), list):
        return sum(_claimed_size(layer, depth + 1) for layer in spec["layers"])

    def count(key: str) -> int:
        value: Any = spec.get(key)
        return int(value) if _is_count(value) else 0

    if kind == "Linear":
        return count("out_features") * (count("in_features") + 1)
    kernel = spec.get("kernel_size")
    if kind == "Conv2d" and isinstance(kernel, list) and all(map(_is_count, kernel)):
        groups = max(count("groups"), 1)
        per_output = count("in_channels") // groups * math.prod(kernel) + 1
        return count("out_channels") * per_output
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        return 2 * count("num_features")  # the running mean and variance
    return 0


def _pair_spec(
    spec: dict[str, Any], key: str, minimum: int, where: str
) -> tuple[int, int]:
    value = spec.get(key)
    if not (
        isinstance(value, list) and len(value) == 2 and all(_is_count(v) for v in value)
    ):
        raise ModelFileError(f"{where}: {key} must be a pair of non-negative ints")
    if min(value) < minimum:
        raise ModelFileError(f"{where}: {key} must be at least {minimum}, got {value}")
    return value[0], value[1]


def _number(value: Any, where: str) -> float:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
    ):
        raise ModelFileError(f"{where}: expected a finite number, got {value!r}")
    return float(value)


def provenance(data_name: str | None = None) -> dict[str, Any]:
    """Library version, format version, date and (optionally) the training data's name."""
    return {
        "format_version": FORMAT_VERSION,
        "library": f"rosenblatt {__version__}",
        "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "data": data_name,
    }


@dataclass
class Checkpoint:
    """A training checkpoint as ``load`` returns it (``train.fit`` writes them).

    ``arrays`` holds the model's (``model.<name>``) and optimizer's (``optim.<i>.<name>``)
    arrays; ``info`` the rest: epochs done, history, optimizer, generator states.
    """

    arrays: dict[str, Array]
    info: dict[str, Any]

    @property
    def epochs_done(self) -> int:
        """How many epochs had finished when it was written."""
        return int(self.info["epochs_done"])

    @property
    def history(self) -> dict[str, list[float]]:
        """Per-epoch logs up to then."""
        history: dict[str, list[float]] = self.info["history"]
        return history


# The fitted estimators a file may hold, by class name. The package resolves each
# name on first use (rosenblatt.MLPClassifier, ...), so loading one imports its
# module then, and this module depends on none of them.
_ESTIMATORS = ("CNNClassifier", "MLPClassifier", "MLPRegressor", "Perceptron")


def save(
    obj: Any,
    path: str | os.PathLike[str],
    data_name: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Save a network, a fitted estimator or a ``Checkpoint`` to ``path``, atomically.

    ``extra`` is any JSON object kept beside it (preprocessing: class names, scaler
    statistics); ``read_file(path)[1]["extra"]`` gives it back.
    """
    if isinstance(obj, Module):
        info = {
            **provenance(data_name),
            "kind": "module",
            "architecture": describe(obj),
            "extra": dict(extra or {}),
        }
        write_file(path, obj.state_dict(), info)
    elif isinstance(obj, Checkpoint):
        write_file(path, obj.arrays, obj.info)
    elif type(obj).__name__ in _ESTIMATORS and hasattr(obj, "_fitted_state"):
        obj.save(path, data_name, dict(extra or {}))
    else:
        raise TypeError(
            "save: expected an nn.Module, a fitted rosenblatt estimator or a "
            f"Checkpoint, got {type(obj).__name__}"
        )


def load(path: str | os.PathLike[str]) -> Any:
    """What the file at ``path`` holds, after checking everything in it.

    A network (``nn.Module``), a fitted estimator (``MLPClassifier``, ...) or a
    ``Checkpoint``.
    """
    arrays, info = read_file(path)
    return from_contents(arrays, info, str(path))


def from_contents(arrays: dict[str, Array], info: dict[str, Any], where: str) -> Any:
    """What ``read_file``'s arrays and JSON describe, as ``load`` returns it.

    For a caller that needs the JSON too (a file's ``extra``) without reading the
    file twice.
    """
    kind = info.get("kind")
    if kind == "module":
        return rebuild(info.get("architecture"), arrays, where)
    if kind == "estimator":
        name = info.get("estimator")
        if name not in _ESTIMATORS:
            raise ModelFileError(f"{where}: holds an unknown estimator {name!r:.60}")
        estimator_class = getattr(sys.modules["rosenblatt"], str(name))
        return estimator_class.from_file_contents(arrays, info, where)
    if kind == "checkpoint":
        if not isinstance(info.get("epochs_done"), int) or not isinstance(
            info.get("history"), dict
        ):
            raise ModelFileError(f"{where}: the epoch count or history is malformed")
        return Checkpoint(arrays, info)
    raise ModelFileError(f"{where}: holds a {kind!r:.60}, not a rosenblatt model")


def rebuild(architecture: Any, arrays: Mapping[str, Array], where: str) -> Module:
    """The network ``describe`` described, carrying ``arrays`` (both checked first).

    Before anything is allocated, the parameters the architecture claims are counted
    against the values the file holds: a small file cannot make the loader build a
    huge network.
    """
    claimed = _claimed_size(architecture, 0)
    held = sum(array.size for array in arrays.values())
    if claimed > max(held, _SMALL):  # smaller mismatches: restore_arrays names them
        raise ModelFileError(
            f"{where}: the architecture claims {claimed:,} parameters, the file holds "
            f"{held:,} values"
        )
    module = build(architecture, f"{where}: architecture")
    restore_arrays(module, arrays, where)
    return module


def restore_arrays(module: Module, arrays: Mapping[str, Array], where: str) -> None:
    """Load ``arrays`` into ``module`` after checking names, shapes and dtypes exactly."""
    expected = {name: p.data for name, p in module.named_parameters()}
    expected.update(module.named_buffers())
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise ModelFileError(
            f"{where}: arrays do not match the architecture (missing {missing}, "
            f"unexpected {unexpected})"
        )
    for name, array in arrays.items():
        want = expected[name]
        if array.shape != want.shape or array.dtype != want.dtype:
            raise ModelFileError(
                f"{where}: array {name!r} is {array.dtype} {array.shape}, the architecture "
                f"needs {want.dtype} {want.shape}"
            )
    module.load_state_dict(arrays)
