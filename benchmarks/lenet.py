"""Workload 2: one training epoch of LeNet-5 on Fashion-MNIST, against PyTorch.

Adam (lr 0.001), batch 128, float32; the same architecture (61,706 parameters) and
batch order. PyTorch starts from rosenblatt's initial weights (the same layouts:
NCHW, kernels (C_out, C_in, kH, kW); Linear weights transposed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common import Section, fashion, ratio, table, time_rounds, torch_epoch
from rosenblatt import models, nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.train import fit

BATCH = 128
LR = 1e-3


def torch_lenet5() -> Any:
    import torch

    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.ReLU(),
        torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10),
    )  # fmt: skip


def copy_to_torch(ours: nn.Module, theirs: Any) -> Any:
    """Give a PyTorch network rosenblatt's weights (Linear weights transposed)."""
    import torch

    with_weights = [m for m in theirs if hasattr(m, "weight")]
    layers = [m for m in ours if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        for mine, their in zip(layers, with_weights, strict=True):
            w = mine.weight.data.T if isinstance(mine, nn.Linear) else mine.weight.data
            their.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            their.bias.copy_(torch.from_numpy(mine.bias.data))
    return theirs


def ours(X: np.ndarray, y: np.ndarray, seed: int) -> float:
    net = models.lenet5(rng=seed)
    opt = optim.Adam(net.parameters(), lr=LR)
    history = fit(
        net, F.cross_entropy, opt, X, y, epochs=1, batch_size=BATCH, rng=seed, verbose=0
    )
    return float(history["loss"][-1])


def theirs(X: np.ndarray, y: np.ndarray, seed: int) -> float:
    net = copy_to_torch(models.lenet5(rng=seed), torch_lenet5())
    return torch_epoch(net, X, y, seed, BATCH)


def section(quick: bool, rounds: int | None = None) -> Section:
    data = fashion(6_000 if quick else None)
    X = data.X.reshape(-1, 1, 28, 28)
    rounds = rounds or (2 if quick else 3)
    contenders = {"rosenblatt": ours, "PyTorch": theirs}
    for run in contenders.values():  # warm-up
        run(X[:512], data.y[:512], seed=0)
    results = time_rounds(contenders, rounds, X, data.y)
    r = ratio(results, "rosenblatt", "PyTorch")
    rows = [
        [k, f"{v['median']:.3f}", f"{min(v['seconds']):.3f}", f"{v['result']:.4f}"]
        for k, v in results.items()
    ]
    return Section(
        [
            f"## Workload 2: LeNet-5, one epoch of {len(X):,} {data.source} images "
            f"(Adam, batch {BATCH}, float32)",
            "",
            "Same architecture (61,706 parameters), initial weights and batch order. "
            f"Medians of {rounds} interleaved rounds.",
            "",
            *table(["contender", "median s/epoch", "min", "epoch loss"], rows),
            "",
            f"- rosenblatt / PyTorch (median of the per-round ratios): **{r:.2f}**",
            "",
        ],
        {"lenet_epoch_vs_torch": r},
    )
