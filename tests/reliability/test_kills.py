"""Saves survive SIGKILL: 50 kills mid-save leave a loadable file and, after the next
save, no temporary behind. (``make reliability``; not part of ``make test``.)"""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.reliability

WRITER = r"""
import sys, warnings
import numpy as np
warnings.simplefilter("ignore")
from rosenblatt import MLPClassifier
X = np.random.default_rng(0).random((200, 300))
clf = MLPClassifier((512, 256), max_iter=1, random_state=0).fit(X, np.arange(200) % 3)
print("ready", flush=True)
while True:
    clf.save(sys.argv[1])
"""


def test_fifty_kills_mid_save_lose_nothing(tmp_path) -> None:
    from rosenblatt import MLPClassifier, io

    target = tmp_path / "model.safetensors"
    rng = random.Random(0)
    interrupted = 0  # kills that landed inside a save, leaving its temporary
    for _ in range(50):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        leftovers = list(tmp_path.glob(".model.safetensors.*.tmp"))
        # the next writer's first save removed the dead ones' leftovers: never a pile
        assert len(leftovers) <= 1
        interrupted += len(leftovers)
        if target.exists():
            io.load(target)  # never a half-written file
    assert interrupted >= 5, (
        "too few kills landed inside a save: the test proves little"
    )
    MLPClassifier.load(target).save(target)  # the next save cleans up after the dead
    assert list(tmp_path.glob(".model.safetensors.*")) == []
    assert isinstance(io.load(target), MLPClassifier)
