"""Accuracy reached on Fashion-MNIST: LeNet-5, the AlexNet-style net and an MLP with dropout.

Each network is trained once, from a fixed seed, on the 60,000 training images and
scored on the 10,000 test images, which are never used for any choice during training
(no early stopping, no model selection: the reported accuracy is the last epoch's).
Pixels are scaled to [0, 1]. Every run uses Adam with a cosine-annealed learning rate
over its epochs, batch 128, float32.

Run by ``run.py`` (``make bench``); ``python benchmarks/run.py --only fashion`` runs
just this section.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from common import Data, Section, fashion
from rosenblatt import models, nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.optim.lr_scheduler import CosineAnnealingLR
from rosenblatt.train import LearningRateScheduler, evaluate, fit


@dataclass(frozen=True)
class Run:
    """One network to train: how to build it, what input it takes, and its target."""

    name: str
    key: str
    build: Callable[[int], nn.Module]
    images: bool  # (n, 1, 28, 28) input; else (n, 784)
    epochs: int
    target: float


RUNS = [
    Run(
        "MLP 784-256-128-10, dropout 0.2",
        "mlp",
        lambda seed: nn.build_mlp([784, 256, 128, 10], dropout=0.2, rng=seed),
        images=False,
        epochs=60,
        target=0.90,
    ),
    Run(
        "LeNet-5",
        "lenet5",
        lambda seed: models.lenet5(rng=seed),
        images=True,
        epochs=30,
        target=0.90,
    ),
    Run(
        "AlexNet-style (alexnet_small, dropout 0.5)",
        "alexnet_small",
        lambda seed: models.alexnet_small(rng=seed),
        images=True,
        epochs=20,
        target=0.92,
    ),
]


def train(run: Run, data: Data, seed: int = 0) -> dict:
    """Train one network; return its test accuracy, epochs and wall time."""
    X_train, y_train, X_test, y_test = data.X, data.y, data.X_test, data.y_test
    if run.images:
        X_train, X_test = X_train.reshape(-1, 1, 28, 28), X_test.reshape(-1, 1, 28, 28)
    net = run.build(seed)
    opt = optim.Adam(net.parameters(), lr=1e-3)
    schedule = LearningRateScheduler(CosineAnnealingLR(opt, T_max=run.epochs))
    start = time.perf_counter()
    history = fit(
        net,
        F.cross_entropy,
        opt,
        X_train,
        y_train,
        epochs=run.epochs,
        batch_size=128,
        rng=seed,
        callbacks=[schedule],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    scores = evaluate(net, F.cross_entropy, X_test, y_test)
    return {
        "accuracy": scores["accuracy"],
        "epochs": run.epochs,
        "seconds": seconds,
        "train_loss": history["loss"][-1],
        "parameters": sum(p.data.size for p in net.parameters()),
    }


def section(quick: bool, rounds: int | None = None) -> Section:
    """Train every network (quick: 1 epoch on 6,000 images, no targets judged)."""
    data = fashion(6_000 if quick else None)
    if data.source != "Fashion-MNIST":  # accuracy on synthetic data would mean nothing
        return Section(
            [
                "## Fashion-MNIST accuracy",
                "",
                "Skipped: Debian's dataset-fashion-mnist is not installed "
                "(`make fashion-mnist`).",
                "",
            ]
        )
    lines = [
        "## Fashion-MNIST accuracy (full training runs)",
        "",
        "Trained on the 60,000 training images, scored once on the 10,000 test images "
        "after the last epoch (no early stopping or selection on the test set). Adam "
        "(lr 0.001, cosine-annealed to 0 over the run), batch 128, float32, seed 0.",
        "",
        "| network | parameters | epochs | wall time | final train loss "
        "| test accuracy | target |",
        "|---|---|---|---|---|---|---|",
    ]
    accuracies = {}
    for run in RUNS:
        if quick:
            run = Run(run.name, run.key, run.build, run.images, 1, float("nan"))
        result = train(run, data)
        met = (
            "—"
            if quick
            else ("met" if result["accuracy"] >= run.target else "**missed**")
        )
        lines.append(
            f"| {run.name} | {result['parameters']:,} | {result['epochs']} "
            f"| {result['seconds']:.0f} s | {result['train_loss']:.4f} "
            f"| **{result['accuracy']:.4f}** | >= {run.target} ({met}) |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
        accuracies[f"fashion_accuracy_{run.key}"] = result["accuracy"]
    return Section([*lines, ""], {} if quick else accuracies)
