"""Workloads 1 and 7: one training epoch of a 784-256-128-10 ReLU MLP, and its GEMM floor.

Adam (lr 0.001), batch 128, no weight penalty, on Fashion-MNIST's 60,000 training
images, in float32 and float64. Contenders:

- rosenblatt: the engine (``nn.build_mlp`` + ``optim.Adam`` + ``train.fit``);
- rosenblatt MLPClassifier and scikit-learn's MLPClassifier, same parameters
  (``max_iter=1``, ``alpha=0``), each drawing the same initial weights from
  ``random_state``;
- PyTorch: the same network, starting from rosenblatt's initial weights, visiting
  the batches in the same order;
- the GEMM floor: only the epoch's matrix products, in NumPy.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from common import Data, Section, fashion, ratio, table, time_rounds, torch_epoch
from rosenblatt import nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.train import fit

SIZES = [784, 256, 128, 10]
BATCH = 128
LR = 1e-3


def initial_weights(dtype: Any, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (W, b) per layer, W of shape (D_in, D_out), shared by the engine and PyTorch."""
    net = nn.build_mlp(SIZES, rng=seed, dtype=dtype)
    return [
        (m.weight.data.copy(), m.bias.data.copy())
        for m in net
        if isinstance(m, nn.Linear)
    ]


def engine_epoch(X: np.ndarray, y: np.ndarray, weights: list, seed: int) -> float:
    net = nn.build_mlp(SIZES, rng=seed, dtype=X.dtype)
    for layer, (W, b) in zip(
        [m for m in net if isinstance(m, nn.Linear)], weights, strict=True
    ):
        layer.weight.data[...] = W
        layer.bias.data[...] = b
    opt = optim.Adam(net.parameters(), lr=LR)
    history = fit(
        net, F.cross_entropy, opt, X, y, epochs=1, batch_size=BATCH, rng=seed, verbose=0
    )
    return float(history["loss"][-1])


def torch_mlp(weights: list) -> Any:
    """PyTorch's Sequential with the given (D_in, D_out) weights, in their dtype."""
    import torch

    layers: list[torch.nn.Module] = []
    for i, (W, b) in enumerate(weights):
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            linear.weight = torch.nn.Parameter(torch.from_numpy(W.T.copy()))
            linear.bias = torch.nn.Parameter(torch.from_numpy(b.copy()))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def pytorch_epoch(X: np.ndarray, y: np.ndarray, weights: list, seed: int) -> float:
    return torch_epoch(torch_mlp(weights), X, y, seed, BATCH)


def estimator_epoch(cls: type) -> Any:
    def run(X: np.ndarray, y: np.ndarray, weights: list, seed: int) -> float:
        clf = cls(
            hidden_layer_sizes=tuple(SIZES[1:-1]),
            alpha=0.0,
            batch_size=BATCH,
            learning_rate_init=LR,
            max_iter=1,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning after one epoch
            clf.fit(X, y)
        return float(clf.loss_)

    return run


def gemm_floor(X: np.ndarray, y: np.ndarray, weights: list, seed: int) -> float:
    """Only the epoch's matrix products: forward x W, backward g W^T and a^T g.

    The first layer's input gradient is not needed, so it is not computed (as in
    rosenblatt and PyTorch). Nothing else: no activations, loss, or updates.
    """
    Ws = [W for W, _ in weights]
    g_out = [np.ones((BATCH, W.shape[1]), dtype=X.dtype) for W in Ws]
    order = np.random.default_rng(seed).permutation(len(X))
    for start in range(0, len(X), BATCH):
        a = X[order[start : start + BATCH]]
        acts = [a]
        for W in Ws:
            a = a @ W
            acts.append(a)
        for i in reversed(range(len(Ws))):
            g = g_out[i][: len(a)]
            _ = acts[i].T @ g
            if i > 0:
                _ = g @ Ws[i].T
    return float("nan")


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    from rosenblatt import MLPClassifier

    rounds = rounds or (2 if quick else 7)
    n = 12_000 if quick else None
    contenders = {
        "rosenblatt (engine)": engine_epoch,
        "rosenblatt MLPClassifier": estimator_epoch(MLPClassifier),
        "scikit-learn MLPClassifier": estimator_epoch(SkMLPClassifier),
        "PyTorch": pytorch_epoch,
        "GEMM floor (NumPy)": gemm_floor,
    }
    lines: list[str] = []
    ratios: dict[str, float] = {}
    for dtype in (np.float32, np.float64):
        data: Data = fashion(n, dtype)
        weights = initial_weights(dtype)
        for run in contenders.values():  # warm-up: imports, allocator, BLAS threads
            run(data.X[:1024], data.y[:1024], weights, seed=0)
        results = time_rounds(contenders, rounds, data.X, data.y, weights)
        engine = "rosenblatt (engine)"
        rows = []
        for name, v in results.items():
            loss = v["result"]
            rows.append(
                [
                    name,
                    f"{v['median']:.3f}",
                    f"{min(v['seconds']):.3f}",
                    f"{max(v['seconds']):.3f}",
                    "—" if np.isnan(loss) else f"{loss:.4f}",
                    f"**{ratio(results, engine, name):.2f}**",
                ]
            )
        bits = np.dtype(dtype).name
        ratios[f"mlp_epoch_vs_torch_{bits}"] = ratio(results, engine, "PyTorch")
        ratios[f"mlp_epoch_vs_sklearn_{bits}"] = ratio(
            results, engine, "scikit-learn MLPClassifier"
        )
        ratios[f"mlp_estimator_epoch_vs_sklearn_{bits}"] = ratio(
            results, "rosenblatt MLPClassifier", "scikit-learn MLPClassifier"
        )
        ratios[f"gemm_floor_share_{bits}"] = ratio(
            results, "GEMM floor (NumPy)", engine
        )
        lines += [
            f"### {bits}, one epoch of {len(data.X):,} {data.source} samples",
            "",
            *table(
                [
                    "contender",
                    f"median s ({rounds} rounds)",
                    "min",
                    "max",
                    "epoch loss",
                    "engine / contender",
                ],
                rows,
            ),
            "",
            f"- GEMM floor / rosenblatt engine: **{ratios[f'gemm_floor_share_{bits}']:.0%}** "
            "of the engine's epoch is spent in matrix products it cannot avoid.",
            "",
        ]
    intro = [
        f"## Workloads 1 and 7: MLP {'-'.join(map(str, SIZES))} ReLU, one epoch "
        f"(Adam lr {LR}, batch {BATCH}, no penalty)",
        "",
        "The engine and PyTorch start from the same weights and visit the batches in "
        "the same order; the two MLPClassifiers draw the same initial weights from the "
        "same `random_state` (`max_iter=1`, `alpha=0`; their time includes `fit`'s "
        "input checks). The epoch loss shows that everyone did the same work.",
        "",
    ]
    return Section(intro + lines, ratios)
