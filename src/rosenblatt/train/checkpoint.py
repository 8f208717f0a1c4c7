"""Checkpoints: everything training needs to continue exactly where it stopped.

A checkpoint holds the model's weights and buffers, the optimizer's state (moments,
step counts, learning rate), each learning-rate schedule's position, the epoch, the
history so far, and the state of every random generator involved (the shuffling
order and each Dropout layer's masks). Training interrupted and resumed therefore
ends with the same weights, bit for bit, as training straight through.

Checkpoints use the safe model-file container of ``io`` (safetensors + JSON), written
atomically: a process killed while writing leaves the previous checkpoint loadable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from rosenblatt import io
from rosenblatt.io import ModelFileError
from rosenblatt.nn import Dropout, Module
from rosenblatt.optim import Optimizer

__all__ = ["Resumable", "load_checkpoint", "save_checkpoint"]


@dataclass
class Resumable:
    """What training changes as it goes, besides the epoch count and the history.

    ``schedulers``: the learning-rate schedules (objects with ``state_dict`` and
    ``load_state_dict``); ``generator``: the one that shuffles the batches. Each
    Dropout layer's generator is found in the model.
    """

    model: Module
    optimizer: Optimizer
    schedulers: list[Any]
    generator: np.random.Generator


def save_checkpoint(
    path: str | os.PathLike[str],
    training: Resumable,
    epochs_done: int,
    history: dict[str, list[float]],
) -> None:
    """Write the state after ``epochs_done`` epochs to ``path``, atomically."""
    arrays = {f"model.{k}": v for k, v in training.model.state_dict().items()}
    optimizer = training.optimizer.state_dict()
    for i, state in enumerate(optimizer["state"]):
        for key, value in state.items():
            arrays[f"optim.{i}.{key}"] = np.asarray(value)
    dropouts = [m for m in training.model.modules() if isinstance(m, Dropout)]
    info = {
        **io.provenance(),
        "kind": "checkpoint",
        "epochs_done": epochs_done,
        "history": history,
        "optimizer": {
            "type": type(training.optimizer).__name__,
            "lr": optimizer["lr"],
            "step_count": optimizer["step_count"],
            "n_params": len(optimizer["state"]),
        },
        "schedulers": [s.state_dict() for s in training.schedulers],
        "shuffle_rng": training.generator.bit_generator.state,
        "dropout_rngs": [d.rng.bit_generator.state for d in dropouts],
    }
    io.write_file(path, arrays, info)


def load_checkpoint(
    path: str | os.PathLike[str], training: Resumable
) -> tuple[int, dict[str, list[float]]]:
    """Restore a checkpoint into ``training``: returns (epochs done, history).

    Everything is checked against the model and optimizer first; a file that does
    not belong to them raises ModelFileError and changes nothing.
    """
    arrays, info = io.read_file(path)
    where = str(path)
    if info.get("kind") != "checkpoint":
        raise ModelFileError(f"{where}: holds a {info.get('kind')!r}, not a checkpoint")
    opt_info = info.get("optimizer")
    n_params = len(training.optimizer.params)
    if (
        not isinstance(opt_info, dict)
        or opt_info.get("type") != type(training.optimizer).__name__
        or opt_info.get("n_params") != n_params
    ):
        raise ModelFileError(
            f"{where}: the checkpoint's optimizer ({opt_info!r:.80}) is not this "
            f"{type(training.optimizer).__name__} over {n_params} parameters"
        )
    model_arrays = {k[6:]: v for k, v in arrays.items() if k.startswith("model.")}
    states: list[dict[str, Any]] = [{} for _ in range(n_params)]
    for key, value in arrays.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            if not index.isdigit() or int(index) >= n_params:
                raise ModelFileError(
                    f"{where}: optimizer state {key!r} names no parameter"
                )
            states[int(index)][name] = value
    dropouts = [m for m in training.model.modules() if isinstance(m, Dropout)]
    schedulers = training.schedulers
    saved_rngs, saved_schedules = info.get("dropout_rngs"), info.get("schedulers")
    if not isinstance(saved_rngs, list) or len(saved_rngs) != len(dropouts):
        raise ModelFileError(
            f"{where}: dropout generator states do not match the model"
        )
    if not isinstance(saved_schedules, list) or len(saved_schedules) != len(schedulers):
        raise ModelFileError(f"{where}: schedules do not match the trainer's callbacks")
    epochs_done, history = info.get("epochs_done"), info.get("history")
    if (
        not isinstance(epochs_done, int)
        or epochs_done < 0
        or not isinstance(history, dict)
    ):
        raise ModelFileError(f"{where}: the epoch count or history is malformed")
    # Checked: now restore, weights first (restore_arrays validates names and shapes).
    io.restore_arrays(training.model, model_arrays, where)
    for param, state in zip(training.optimizer.params, states, strict=True):
        for name, value in state.items():
            if value.ndim and value.shape != param.shape:
                raise ModelFileError(
                    f"{where}: optimizer state {name!r} has the wrong shape"
                )
    training.optimizer.load_state_dict(
        {"lr": opt_info["lr"], "step_count": opt_info["step_count"], "state": states}
    )
    for scheduler, saved in zip(schedulers, saved_schedules, strict=True):
        scheduler.load_state_dict(saved)
    try:
        training.generator.bit_generator.state = info["shuffle_rng"]
        for dropout, saved in zip(dropouts, saved_rngs, strict=True):
            dropout.rng.bit_generator.state = saved
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"{where}: a random generator state is malformed ({error})"
        ) from None
    return epochs_done, history
