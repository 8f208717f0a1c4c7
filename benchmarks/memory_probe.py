"""Fit one contender on Fashion-MNIST in this process; print its memory in MiB as JSON.

"before" is the resident set after imports and loading the data; "peak" the highest
resident set while fitting (the kernel's high-water mark, reset just before the fit).

Usage: python benchmarks/memory_probe.py CONTENDER EPOCHS
where CONTENDER is rosenblatt-estimator, rosenblatt-engine, pytorch or scikit-learn.
Run by ``memory.py``, one fresh process per contender.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from common import fashion, torch_epoch

BATCH, LR = 128, 1e-3


def status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # reported in kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> None:
    """Start the peak (VmHWM) afresh, so that it measures the fit alone (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def main() -> int:
    contender, epochs = sys.argv[1], int(sys.argv[2])
    if contender == "pytorch":
        import torch

        torch.set_num_threads(2)
    if contender in ("rosenblatt-estimator", "scikit-learn"):
        if contender == "scikit-learn":
            from sklearn.neural_network import MLPClassifier
        else:
            from rosenblatt import MLPClassifier
    data = fashion(None, np.float32)
    X, y = data.X, data.y
    before = status_mib("VmRSS")
    reset_peak()
    if contender in ("rosenblatt-estimator", "scikit-learn"):
        clf = MLPClassifier(
            hidden_layer_sizes=(256, 128),
            batch_size=BATCH,
            learning_rate_init=LR,
            max_iter=epochs,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X, y)
    elif contender == "rosenblatt-engine":
        from rosenblatt import nn, optim
        from rosenblatt.nn import functional as F
        from rosenblatt.train import fit

        net = nn.build_mlp([784, 256, 128, 10], rng=0)
        opt = optim.Adam(net.parameters(), lr=LR)
        fit(
            net,
            F.cross_entropy,
            opt,
            X,
            y,
            epochs=epochs,
            batch_size=BATCH,
            rng=0,
            verbose=0,
        )
    elif contender == "pytorch":
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
            torch.nn.ReLU(), torch.nn.Linear(128, 10),
        )  # fmt: skip
        for epoch in range(epochs):
            torch_epoch(model, X, y, epoch, BATCH)
    else:
        raise SystemExit(f"unknown contender {contender!r}")
    print(json.dumps({"before": before, "peak": status_mib("VmHWM")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
