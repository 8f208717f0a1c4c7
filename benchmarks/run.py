"""Side-by-side benchmarks; writes benchmarks/RESULTS.md.

Workloads:
1. One training epoch of a 784-256-128-10 ReLU MLP with Adam, batch 128, float32, on
   60,000 samples of synthetic Fashion-MNIST-shaped data, in rosenblatt and in PyTorch
   (same run, same threads, same data, same initial weights), and the GEMM-only floor:
   the time of just that epoch's matrix products in NumPy.
2. Perceptron fitting against scikit-learn's ``Perceptron``: the same online rule
   (one-vs-rest, shuffled, float64, no penalty), the same number of epochs, on digits
   and on Fashion-MNIST (Debian's dataset-fashion-mnist; synthetic data of its shape
   when it is absent).

Each round runs every contender once, in turn (interleaved, so drifts in machine load
hit all of them alike); the table reports the median over rounds.

Usage: python benchmarks/run.py [--quick] [--rounds N] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import threadpoolctl

import rosenblatt
from rosenblatt import nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.train import fit

SIZES = [784, 256, 128, 10]
BATCH = 128
LR = 1e-3


def synthetic_fashion(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST's shape: n x 784 pixels in [0, 1], 10 classes with learnable structure.

    Each class has a random template; a sample is its template plus noise, clipped
    to [0, 1] and quantised to 256 grey levels like the real images.
    """
    rng = np.random.default_rng(seed)
    templates = rng.random((10, 784))
    y = rng.integers(0, 10, n)
    X = np.clip(templates[y] + rng.normal(0, 0.35, (n, 784)), 0, 1)
    X = (np.round(X * 255) / 255).astype(np.float32)
    return X, y.astype(np.int64)


def initial_weights(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """One set of (W, b) per layer, W of shape (D_in, D_out), shared by every contender."""
    net = nn.build_mlp(SIZES, rng=seed)
    layers = [m for m in net if isinstance(m, nn.Linear)]
    return [(layer.weight.data.copy(), layer.bias.data.copy()) for layer in layers]


# --- contenders: each trains one epoch from the same weights and returns the final loss ---


def rosenblatt_epoch(X: np.ndarray, y: np.ndarray, weights, seed: int) -> float:
    net = nn.build_mlp(SIZES, rng=seed)
    layers = [m for m in net if isinstance(m, nn.Linear)]
    for layer, (W, b) in zip(layers, weights, strict=True):
        layer.weight.data[...] = W
        layer.bias.data[...] = b
    opt = optim.Adam(net.parameters(), lr=LR)
    history = fit(
        net, F.cross_entropy, opt, X, y, epochs=1, batch_size=BATCH, rng=seed, verbose=0
    )
    return history["loss"][-1]


def torch_epoch(X: np.ndarray, y: np.ndarray, weights, seed: int) -> float:
    import torch

    layers: list[torch.nn.Module] = []
    for i, (W, b) in enumerate(weights):
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    total = 0.0
    for start in range(0, len(X), BATCH):
        index = order[start : start + BATCH]
        xb, yb = Xt[index], yt[index]
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(index)
    return total / len(X)


def gemm_floor(X: np.ndarray, y: np.ndarray, weights, seed: int) -> float:
    """Only the epoch's matrix products: forward x W, backward g W^T and a^T g.

    The first layer's input gradient is not needed, so it is not computed (as in
    rosenblatt and PyTorch). Nothing else -- no activations, loss, or updates.
    """
    Ws = [W for W, _ in weights]
    g_out = [np.ones((BATCH, W.shape[1]), dtype=np.float32) for W in Ws]
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


def time_rounds(contenders: dict[str, Callable], rounds: int, *args) -> dict[str, dict]:
    """Run every contender once per round, in turn; keep times and the last result."""
    results: dict[str, dict] = {
        name: {"seconds": [], "loss": None} for name in contenders
    }
    for r in range(rounds):
        for name, run in contenders.items():
            started = time.perf_counter()
            loss = run(*args, seed=r)
            results[name]["seconds"].append(time.perf_counter() - started)
            results[name]["loss"] = loss
        print(
            f"round {r + 1}/{rounds}: "
            + ", ".join(f"{n} {v['seconds'][-1]:.3f}s" for n, v in results.items()),
            file=sys.stderr,
        )
    return results


# --- Perceptron against scikit-learn's ---


def perceptron_data(quick: bool) -> dict[str, tuple[np.ndarray, ...]]:
    """digits, and Fashion-MNIST (or synthetic data of its shape): X in [0, 1], float64."""
    from sklearn.datasets import load_digits

    from rosenblatt.data.idx import load_mnist_like

    X, y = load_digits(return_X_y=True)
    data = {"digits (1,797 x 64)": (X / 16.0, y, X / 16.0, y)}
    try:
        X_train, y_train, X_test, y_test = load_mnist_like("fashion-mnist")
        name = "Fashion-MNIST"
    except FileNotFoundError:
        X_train, y_train = synthetic_fashion(60_000, seed=1)
        X_test, y_test = synthetic_fashion(10_000, seed=2)
        name = "synthetic Fashion-MNIST-shaped"
    n = 12_000 if quick else len(X_train)
    data[f"{name} ({n:,} x 784)"] = (
        X_train[:n] / (255.0 if X_train.dtype == np.uint8 else 1.0),
        y_train[:n],
        X_test / (255.0 if X_test.dtype == np.uint8 else 1.0),
        y_test,
    )
    return {
        k: tuple(np.asarray(a, dtype=np.float64) if a.ndim == 2 else a for a in v)
        for k, v in data.items()
    }


def perceptron_contenders(epochs: int) -> dict[str, Callable]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Perceptron as SkPerceptron

    from rosenblatt import Perceptron

    def ours(X, y, X_test, y_test, seed):
        # n_iter_no_change > epochs: run every epoch, as scikit-learn does with tol=None
        clf = Perceptron(
            max_iter=epochs, n_iter_no_change=epochs + 1, random_state=seed
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        return clf.score(X_test, y_test)

    def sklearn(X, y, X_test, y_test, seed):
        clf = SkPerceptron(max_iter=epochs, tol=None, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        return clf.score(X_test, y_test)

    return {"rosenblatt": ours, "scikit-learn": sklearn}


def perceptron_section(quick: bool) -> list[str]:
    epochs = {"digits": 20, "default": 3 if quick else 5}
    rounds = 2 if quick else 3
    lines = [
        "## Perceptron fit against scikit-learn's `Perceptron`",
        "",
        "The same online rule (one-vs-rest, shuffled each epoch, float64, no penalty; "
        "scikit-learn with `tol=None`, ours with stopping off) for the same number of "
        f"epochs; medians of {rounds} interleaved rounds. Accuracy is on the test split "
        "(digits: on the training set).",
        "",
        "| data | epochs | rosenblatt s | scikit-learn s | ratio rosenblatt / scikit-learn "
        "| accuracy rosenblatt | accuracy scikit-learn |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (X, y, X_test, y_test) in perceptron_data(quick).items():
        n_epochs = epochs["digits"] if name.startswith("digits") else epochs["default"]
        results = time_rounds(
            perceptron_contenders(n_epochs), rounds, X, y, X_test, y_test
        )
        med = {k: statistics.median(v["seconds"]) for k, v in results.items()}
        lines.append(
            f"| {name} | {n_epochs} | {med['rosenblatt']:.3f} | {med['scikit-learn']:.3f} "
            f"| **{med['rosenblatt'] / med['scikit-learn']:.2f}** "
            f"| {results['rosenblatt']['loss']:.4f} | {results['scikit-learn']['loss']:.4f} |"
        )
    return [*lines, ""]


# --- MLPClassifier against scikit-learn's ---


def mlp_estimator_contenders(params: dict) -> dict[str, Callable]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    from rosenblatt import MLPClassifier

    def run(cls):
        def fit_and_score(X, y, X_test, y_test, seed):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf = cls(**params, random_state=seed).fit(X, y)
            return clf.score(X_test, y_test)

        return fit_and_score

    return {"rosenblatt": run(MLPClassifier), "scikit-learn": run(SkMLPClassifier)}


def mlp_estimator_section(quick: bool) -> list[str]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    rounds = 2 if quick else 3
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, random_state=0)
    fashion = perceptron_data(quick)
    name, (F_train, Fy_train, F_test, Fy_test) = list(fashion.items())[1]
    cases = [
        ("digits, default parameters", {}, (X_train, y_train, X_test, y_test)),
        (
            f"{name}, float64, 10 epochs",
            {"max_iter": 10},
            (F_train, Fy_train, F_test, Fy_test),
        ),
        (
            f"{name}, 784-256-128-10, batch 128, float32, 3 epochs",
            {"hidden_layer_sizes": (256, 128), "batch_size": 128, "max_iter": 3},
            (F_train.astype(np.float32), Fy_train, F_test.astype(np.float32), Fy_test),
        ),
        (
            f"{name}, 784-256-128-10, batch 128, float64, 3 epochs",
            {"hidden_layer_sizes": (256, 128), "batch_size": 128, "max_iter": 3},
            (F_train, Fy_train, F_test, Fy_test),
        ),
        (
            f"{name}, float32, 10 epochs",
            {"max_iter": 10},
            (F_train.astype(np.float32), Fy_train, F_test.astype(np.float32), Fy_test),
        ),
    ]
    lines = [
        "## `MLPClassifier` fit against scikit-learn's",
        "",
        "Same parameters (scikit-learn's defaults -- one hidden layer of 100 ReLU units, "
        "Adam, batch 200, alpha 1e-4 -- unless the row says otherwise), same `random_state` "
        "(so the same "
        "initial weights), same dtype; medians of "
        f"{rounds} interleaved rounds; accuracy on the test split.",
        "",
        "| data | rosenblatt s | scikit-learn s | ratio rosenblatt / scikit-learn "
        "| accuracy rosenblatt | accuracy scikit-learn |",
        "|---|---|---|---|---|---|",
    ]
    for label, params, data in cases:
        results = time_rounds(mlp_estimator_contenders(params), rounds, *data)
        med = {k: statistics.median(v["seconds"]) for k, v in results.items()}
        lines.append(
            f"| {label} | {med['rosenblatt']:.3f} | {med['scikit-learn']:.3f} "
            f"| **{med['rosenblatt'] / med['scikit-learn']:.2f}** "
            f"| {results['rosenblatt']['loss']:.4f} | {results['scikit-learn']['loss']:.4f} |"
        )
    return [*lines, ""]


# --- LeNet-5 epoch against PyTorch ---


def lenet_contenders() -> dict[str, Callable]:
    import torch

    from rosenblatt import models

    def ours(X, y, seed):
        net = models.lenet5(rng=seed)
        opt = optim.Adam(net.parameters(), lr=LR)
        history = fit(
            net,
            F.cross_entropy,
            opt,
            X,
            y,
            epochs=1,
            batch_size=BATCH,
            rng=seed,
            verbose=0,
        )
        return history["loss"][-1]

    def theirs(X, y, seed):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(
            torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.ReLU(),
            torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10),
        )  # fmt: skip
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
        total = 0.0
        for start in range(0, len(X), BATCH):
            index = order[start : start + BATCH]
            loss = torch.nn.functional.cross_entropy(net(Xt[index]), yt[index])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(index)
        return total / len(X)

    return {"rosenblatt": ours, "pytorch": theirs}


def lenet_section(quick: bool) -> list[str]:
    X, y = synthetic_fashion(6_000 if quick else 60_000, seed=3)
    try:
        from rosenblatt.data.idx import load_mnist_like

        images, labels, _, _ = load_mnist_like("fashion-mnist")
        n = 6_000 if quick else len(images)
        X, y, source = (
            (images[:n] / 255.0).astype(np.float32),
            labels[:n],
            "Fashion-MNIST",
        )
    except FileNotFoundError:
        source = "synthetic Fashion-MNIST-shaped data"
    X = X.reshape(-1, 1, 28, 28)
    rounds = 2 if quick else 3
    results = time_rounds(lenet_contenders(), rounds, X, y)
    med = {k: statistics.median(v["seconds"]) for k, v in results.items()}
    return [
        f"## LeNet-5, one epoch of {len(X):,} {source} images (Adam, batch {BATCH}, float32)",
        "",
        "Same architecture (61,706 parameters), optimizer and batch order; PyTorch "
        "draws its own initial weights. Medians of "
        f"{rounds} interleaved rounds.",
        "",
        "| contender | median s/epoch | epoch loss |",
        "|---|---|---|",
        *(f"| {k} | {med[k]:.3f} | {results[k]['loss']:.4f} |" for k in results),
        "",
        f"- rosenblatt / PyTorch: **{med['rosenblatt'] / med['pytorch']:.2f}**",
        "",
    ]


def environment(threads: int) -> list[str]:
    import torch

    blas = threadpoolctl.threadpool_info()
    blas_text = ", ".join(
        f"{b['internal_api']} {b['version']} ({b.get('architecture', '?')})"
        for b in blas
        if b["user_api"] == "blas"
    )
    return [
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}",
        f"- rosenblatt {rosenblatt.__version__}, NumPy {np.__version__}, "
        f"PyTorch {torch.__version__}",
        f"- NumPy BLAS: {blas_text}",
        f"- threads: {threads} for NumPy's BLAS and for PyTorch (`torch.set_num_threads`)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2 rounds on 12,000 samples"
    )
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("RESULTS.md")
    )
    args = parser.parse_args()

    import torch

    threads = max(b["num_threads"] for b in threadpoolctl.threadpool_info())
    torch.set_num_threads(threads)
    n = 12_000 if args.quick else 60_000
    rounds = args.rounds or (2 if args.quick else 7)
    X, y = synthetic_fashion(n)
    weights = initial_weights()
    contenders = {
        "rosenblatt": rosenblatt_epoch,
        "pytorch": torch_epoch,
        "gemm_floor": gemm_floor,
    }
    for run in contenders.values():  # warm-up: imports, allocator, BLAS threads
        run(X[:2048], y[:2048], weights, seed=0)
    results = time_rounds(contenders, rounds, X, y, weights)
    med = {name: statistics.median(v["seconds"]) for name, v in results.items()}

    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python benchmarks/run.py`). "
        + ("**quick mode** (fewer samples and rounds). " if args.quick else "")
        + "Times are medians of interleaved rounds, measured in the same run.",
        "",
        "## Environment",
        "",
        *environment(threads),
        "",
        f"## MLP {'-'.join(map(str, SIZES))} ReLU, Adam (lr {LR}), batch {BATCH}, float32, "
        f"one epoch of {n:,} samples",
        "",
        "Synthetic data of Fashion-MNIST's shape (784 grey levels, 10 classes); every "
        "contender starts from the same weights and visits the batches in the same order.",
        "",
        f"| contender | median s/epoch ({rounds} rounds) | min | max | epoch loss "
        "| ratio rosenblatt / contender |",
        "|---|---|---|---|---|---|",
    ]
    for name, v in results.items():
        loss = "—" if np.isnan(v["loss"]) else f"{v['loss']:.4f}"
        ratio = med["rosenblatt"] / med[name]
        lines.append(
            f"| {name} | {med[name]:.3f} | {min(v['seconds']):.3f} | {max(v['seconds']):.3f} "
            f"| {loss} | {ratio:.2f} |"
        )
    lines += [
        "",
        f"- rosenblatt / PyTorch: **{med['rosenblatt'] / med['pytorch']:.2f}** "
        "(below 1.0: rosenblatt is faster)",
        f"- GEMM floor / rosenblatt: **{med['gemm_floor'] / med['rosenblatt']:.0%}** of "
        "rosenblatt's epoch is spent in the matrix products it cannot avoid",
        "",
    ]
    lines += perceptron_section(args.quick)
    lines += mlp_estimator_section(args.quick)
    lines += lenet_section(args.quick)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
