"""Checkpoints: interrupted and resumed training ends bit for bit where one run ends."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from rosenblatt import io, nn, optim
from rosenblatt.data import load
from rosenblatt.io import ModelFileError
from rosenblatt.nn import functional as F
from rosenblatt.train import LearningRateScheduler, Trainer

DATA = load("digits", seed=0)


def make_trainer():
    model = nn.build_mlp(
        [64, 32, 10], dropout=0.2, rng=1
    )  # dropout: its RNG must resume
    opt = optim.Adam(model.parameters(), lr=3e-3)
    schedule = LearningRateScheduler(optim.StepLR(opt, step_size=2, gamma=0.5))
    return Trainer(model, F.cross_entropy, opt, callbacks=[schedule], verbose=0)


def weights(trainer) -> list[bytes]:
    return [p.data.tobytes() for p in trainer.model.parameters()]


def test_resumed_training_matches_one_run_bit_for_bit(tmp_path) -> None:
    straight = make_trainer()
    full = straight.fit(DATA.X_train, DATA.y_train, epochs=6, batch_size=64, rng=7)

    path = tmp_path / "ckpt.safetensors"
    first = make_trainer()
    first.fit(
        DATA.X_train, DATA.y_train, epochs=3, batch_size=64, rng=7, checkpoint=path
    )
    # A new process would start from scratch: new model, optimizer, schedule, generator.
    second = make_trainer()
    resumed = second.fit(
        DATA.X_train, DATA.y_train, epochs=6, batch_size=64, rng=123, resume_from=path
    )
    assert weights(second) == weights(straight)
    assert resumed.history == full.history
    assert second.optimizer.lr == straight.optimizer.lr == 3e-3 * 0.5**3


def test_checkpoints_are_written_every_n_epochs_and_at_the_end(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    make_trainer().fit(
        DATA.X_train,
        DATA.y_train,
        epochs=5,
        batch_size=128,
        checkpoint=path,
        checkpoint_every=2,
    )
    _, info = io.read_file(path)
    assert info["epochs_done"] == 5 and len(info["history"]["loss"]) == 5


def test_a_checkpoint_for_another_model_is_refused_untouched(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    make_trainer().fit(
        DATA.X_train, DATA.y_train, epochs=1, batch_size=256, checkpoint=path
    )
    other_model = nn.build_mlp([64, 16, 10], rng=0)
    other = Trainer(
        other_model, F.cross_entropy, optim.Adam(other_model.parameters()), verbose=0
    )
    before = weights(other)
    with pytest.raises(ModelFileError):
        other.fit(DATA.X_train, DATA.y_train, epochs=2, resume_from=path)
    assert weights(other) == before
    sgd_model = nn.build_mlp([64, 32, 10], dropout=0.2, rng=0)
    sgd = Trainer(
        sgd_model, F.cross_entropy, optim.SGD(sgd_model.parameters(), lr=0.1), verbose=0
    )
    with pytest.raises(ModelFileError, match="is not this SGD"):
        sgd.fit(DATA.X_train, DATA.y_train, epochs=2, resume_from=path)


WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from rosenblatt import io
    path = sys.argv[1]
    big = {"w": np.zeros((2000, 2000), np.float32)}
    i = 0
    while True:
        i += 1
        big["w"][0, 0] = i
        io.write_file(path, big, {"format_version": 1, "kind": "test", "i": i})
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL mid-write needs POSIX signals")
def test_a_process_killed_mid_write_leaves_the_previous_checkpoint_loadable(
    tmp_path,
) -> None:
    path = tmp_path / "ckpt.safetensors"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])
    try:
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # several 16 MB writes in flight
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    arrays, info = io.read_file(path)  # whole, never half-written
    assert info["i"] >= 1 and arrays["w"][0, 0] == info["i"]
    leftovers = [p for p in tmp_path.iterdir() if p.name != path.name]
    assert all(
        p.name.startswith(".ckpt.safetensors.") for p in leftovers
    )  # temp files only
