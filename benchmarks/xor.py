"""Workload 3: one full-batch SGD step of a 2-4-1 sigmoid network on XOR.

At this size the arithmetic is nothing and the per-step overhead is everything: graph
building, dispatch, allocation. Two levels are compared:

- the engine's training step (forward, binary cross-entropy on the logit, backward,
  SGD with lr 0.5) against the same step in PyTorch and in hand-written NumPy;
- ``MLPClassifier.fit`` (logistic units, solver 'sgd', batch of all 4 samples,
  momentum 0, alpha 0, no early stopping) divided by its iterations, against
  scikit-learn's with the same parameters.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from common import Section, ratio, table, time_rounds
from rosenblatt import Tensor, nn, optim
from rosenblatt.nn import functional as F

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
Y = np.array([0, 1, 1, 0])
LR = 0.5


def initial_weights(seed: int) -> list[np.ndarray]:
    net = nn.build_mlp([2, 4, 1], activation="sigmoid", rng=seed, dtype=np.float64)
    return [p.data.copy() for p in net.parameters()]  # W1, b1, W2, b2


def engine(steps: int, seed: int) -> float:
    net = nn.build_mlp([2, 4, 1], activation="sigmoid", rng=seed, dtype=np.float64)
    opt = optim.SGD(net.parameters(), lr=LR)
    x, target = Tensor(X), Y[:, None].astype(np.float64)
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(net(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(((net(x).data > 0) == target).mean())


def torch_steps(steps: int, seed: int) -> float:
    import torch

    W1, b1, W2, b2 = (
        torch.tensor(w, requires_grad=True) for w in initial_weights(seed)
    )
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=LR)
    x, target = torch.from_numpy(X), torch.from_numpy(Y[:, None].astype(np.float64))
    for _ in range(steps):
        logit = torch.sigmoid(x @ W1 + b1) @ W2 + b2
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        logit = torch.sigmoid(x @ W1 + b1) @ W2 + b2
    return float(((logit > 0).numpy() == Y[:, None]).mean())


def numpy_steps(steps: int, seed: int) -> float:
    """The same step written out by hand: the floor for a Python implementation."""
    W1, b1, W2, b2 = initial_weights(seed)
    target = Y[:, None].astype(np.float64)
    n = len(X)
    for _ in range(steps):
        h = 1 / (1 + np.exp(-(X @ W1 + b1)))
        z = h @ W2 + b2
        g = (1 / (1 + np.exp(-z)) - target) / n  # d(mean BCE)/dz
        gh = (g @ W2.T) * h * (1 - h)
        W2 -= LR * (h.T @ g)
        b2 -= LR * g.sum(axis=0)
        W1 -= LR * (X.T @ gh)
        b1 -= LR * gh.sum(axis=0)
    z = (1 / (1 + np.exp(-(X @ W1 + b1)))) @ W2 + b2
    return float(((z > 0) == target).mean())


def estimator(cls: type, steps: int) -> Any:
    def run(seed: int) -> float:
        clf = cls(
            hidden_layer_sizes=(4,),
            activation="logistic",
            solver="sgd",
            batch_size=4,
            learning_rate_init=LR,
            momentum=0.0,
            alpha=0.0,
            max_iter=steps,
            n_iter_no_change=steps + 1,
            shuffle=False,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
            clf.fit(X, Y)
        assert clf.n_iter_ == steps
        return float(clf.score(X, Y))

    return run


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    from rosenblatt import MLPClassifier

    steps = 500 if quick else 3000
    rounds = rounds or (3 if quick else 7)
    contenders = {
        "rosenblatt engine": lambda seed: engine(steps, seed),
        "PyTorch": lambda seed: torch_steps(steps, seed),
        "hand-written NumPy": lambda seed: numpy_steps(steps, seed),
        "rosenblatt MLPClassifier": estimator(MLPClassifier, steps),
        "scikit-learn MLPClassifier": estimator(SkMLPClassifier, steps),
    }
    results = time_rounds(contenders, rounds, warm_up=True)
    micro = {k: v["median"] / steps * 1e6 for k, v in results.items()}
    ratios = {
        "xor_step_vs_torch": ratio(results, "rosenblatt engine", "PyTorch"),
        "xor_step_vs_sklearn": ratio(
            results, "rosenblatt MLPClassifier", "scikit-learn MLPClassifier"
        ),
        "xor_engine_step_vs_sklearn": ratio(
            results, "rosenblatt engine", "scikit-learn MLPClassifier"
        ),
    }
    rows = [[k, f"{micro[k]:.1f}", f"{results[k]['result']:.2f}"] for k in results]
    return Section(
        [
            "## Workload 3: XOR 2-4-1 sigmoid, one full-batch SGD step (float64)",
            "",
            f"{steps:,} steps per round from the same initial weights, medians of {rounds} "
            "interleaved rounds. Accuracy on XOR after the run.",
            "",
            *table(["contender", "µs per step", "accuracy"], rows),
            "",
            f"- engine / PyTorch: **{ratios['xor_step_vs_torch']:.2f}**; engine / "
            f"scikit-learn: **{ratios['xor_engine_step_vs_sklearn']:.2f}**",
            "- MLPClassifier / scikit-learn's MLPClassifier: "
            f"**{ratios['xor_step_vs_sklearn']:.2f}**",
            "",
        ],
        ratios,
    )
