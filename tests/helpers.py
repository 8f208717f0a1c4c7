"""What several test files share: a large data file, and the playground's server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np


def write_random_table(path: Path, rows: int = 200_000, width: int = 785) -> None:
    """A .npy table of float32 features and a class 0..9 in its last column, written a
    block at a time (200,000 x 785: 598 MiB, more than the tests may hold at once)."""
    rng = np.random.default_rng(0)
    table = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(rows, width)
    )
    for start in range(0, rows, 20_000):
        block = rng.random((min(20_000, rows - start), width), dtype=np.float32)
        block[:, -1] = rng.integers(0, 10, len(block))
        table[start : start + len(block)] = block
    table.flush()
    del table


def start_playground() -> tuple[subprocess.Popen[str], str]:
    """``rosenblatt playground`` on a free port, and the address it says it listens on.

    Started with SIGINT at its default, as from a terminal: a process started with it
    ignored (a background job, a pytest-xdist worker) hands that on, and Python then
    installs no Ctrl-C handler.
    """
    command = [sys.executable, "-m", "rosenblatt", "playground", "--no-browser",
               "--port", "0"]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise AssertionError(f"the playground did not start: {line!r}")
    return process, line.split("listening on ")[1].split()[0]
