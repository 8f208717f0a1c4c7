"""The deep network of 1991, 2006 and 2011, and how its gradient is measured.

One experiment, three milestones: ten hidden layers of 32 units on the digits
(8x8 images, pixels scaled to [0, 1]), trained by the same SGD with momentum; what
changes is the hidden units (sigmoid or ReLU) and the starting weights (scikit-learn's
Glorot draw, an RBM stack, or He's draw).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from rosenblatt import nn
from rosenblatt.mlp import MLPClassifier
from rosenblatt.tensor import Tensor
from rosenblatt.train import Callback, predict

DEPTH, WIDTH = 10, 32
RATES = (0.1, 0.03, 0.01)
EPOCHS = {True: 20, False: 60}  # quick: a first look; full: the judged run
SETUP = (
    f"MLPClassifier with {DEPTH} hidden layers of {WIDTH} units on the digits "
    "(1,347 training and 450 test images of 8x8 pixels in [0, 1], split with the seed); "
    "SGD with momentum 0.9, batches of 64, no penalty, no early stopping; each network "
    f"trained at each rate of {list(RATES)} and judged at its best."
)


def digits(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    split: Any = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=seed, stratify=y
    )
    return split[0], split[1], split[2], split[3]


class GradientProbe(Callback):
    """Per-layer gradient norms, starting weights and accuracy, recorded as it trains.

    The gradient norms are taken on a fixed probe batch before training and after
    chosen epochs; the accuracy after each epoch.

    ``norms[epoch]`` lists ||dL/dW_l|| (Frobenius) for the Linear layers, first to
    last, for the mean cross-entropy of the network's weights then (epoch 0: before
    the first step); ``start`` holds the starting (weight, bias) of each layer.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, epochs: set[int]) -> None:
        self.X, self.y, self.epochs = X, y, epochs
        self.norms: dict[int, list[float]] = {}
        self.accuracy: list[float] = []
        self.start: list[tuple[np.ndarray, np.ndarray]] = []

    def on_train_begin(self, logs: dict[str, float]) -> None:
        model = self.trainer.model
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        self.start = [(m.weight.data.copy(), m.bias.data.copy()) for m in linears]  # type: ignore[union-attr]
        self.norms[0] = layer_gradient_norms(model, self.X, self.y)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        model = self.trainer.model
        if epoch + 1 in self.epochs:
            self.norms[epoch + 1] = layer_gradient_norms(model, self.X, self.y)
        with np.errstate(all="ignore"):
            self.accuracy.append(
                float(np.mean(predict(model, self.X).argmax(1) == self.y))
            )


def layer_gradient_norms(model: nn.Module, X: np.ndarray, y: np.ndarray) -> list[float]:
    """||dL/dW_l|| for each Linear layer of ``model`` at its current weights."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for p in model.parameters():
        p.grad = None
    was_training = model.training
    model.eval()
    loss = nn.functional.cross_entropy(
        model(Tensor(X.astype(linears[0].weight.dtype))), y
    )
    loss.backward()
    model.train(was_training)
    norms = [
        float(np.linalg.norm(np.asarray(layer.weight.grad, dtype=float)))
        for layer in linears
    ]
    for p in model.parameters():
        p.grad = None
    return norms


def sigmoid_slopes(
    layers: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray
) -> list[float]:
    """The mean of sigma'(z) = sigma(z)(1 - sigma(z)) over each hidden layer's units."""
    slopes, a = [], X
    for W, b in layers[:-1]:
        a = 1 / (1 + np.exp(-(a @ W + b)))
        slopes.append(float(np.mean(a * (1 - a))))
    return slopes


def deep_classifier(
    activation: str, epochs: int, seed: int, rate: float = RATES[0], **extra: Any
) -> MLPClassifier:
    """The deep network with the shared training recipe, at learning rate ``rate``."""
    return MLPClassifier(
        (WIDTH,) * DEPTH,
        activation=activation,
        solver="sgd",
        learning_rate_init=rate,
        momentum=0.9,
        batch_size=64,
        alpha=0.0,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=seed,
        **extra,
    )


Weights = tuple[list[np.ndarray], list[np.ndarray]]


def he_weights(n_features: int, n_classes: int, seed: int) -> Weights:
    """He's initialisation: W ~ N(0, 2 / fan_in), zero biases."""
    rng = np.random.default_rng(seed)
    sizes = [n_features, *(WIDTH,) * DEPTH, n_classes]
    coefs = [
        rng.normal(0, np.sqrt(2 / a), (a, b)) for a, b in itertools.pairwise(sizes)
    ]
    return coefs, [np.zeros(b) for b in sizes[1:]]


def rbm_weights(X: np.ndarray, y: np.ndarray, seed: int, n_iter: int) -> Weights:
    """Greedy layer-wise RBM pretraining of the deep network (``rbm.pretrain``)."""
    from rosenblatt.rbm import pretrain

    clf = pretrain(
        deep_classifier("logistic", 1, seed), X, y, n_iter=n_iter, random_state=seed
    )
    return clf.coefs_, clf.intercepts_


def rate_sweep(
    activation: str,
    epochs: int,
    seed: int,
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    start: Weights | None = None,
) -> dict[float, tuple[MLPClassifier, GradientProbe, float]]:
    """The network trained at each rate of ``RATES``: rate -> (fitted, probe, test accuracy).

    ``start``: the starting weights (None: scikit-learn's draw for the activation).
    """
    X, X_test, y, y_test = data
    runs = {}
    for rate in RATES:
        probe = GradientProbe(X, y, {epochs // 2, epochs})
        clf = deep_classifier(activation, epochs, seed, rate, callbacks=[probe])
        if start is not None:
            clf.coefs_ = [c.copy() for c in start[0]]
            clf.intercepts_ = [b.copy() for b in start[1]]
            clf.set_params(warm_start=True)
        fit_quietly(clf, X, y)
        runs[rate] = (clf, probe, float(clf.score(X_test, y_test)))
    return runs


Run = tuple[MLPClassifier, GradientProbe, float]


def best_of(
    runs: dict[float, Run],
) -> tuple[float, MLPClassifier, GradientProbe, float]:
    """The rate whose run reached the highest test accuracy, and that run."""
    rate = max(runs, key=lambda r: runs[r][2])
    return (rate, *runs[rate])


def fit_quietly(clf: MLPClassifier, X: np.ndarray, y: np.ndarray) -> MLPClassifier:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: the epochs are the budget
        return clf.fit(X, y)


def relative_change(before: list[np.ndarray], after: list[np.ndarray]) -> list[float]:
    """||W_after - W_before|| / ||W_before|| per layer."""
    return [
        float(np.linalg.norm(a - b) / np.linalg.norm(b))
        for b, a in zip(before, after, strict=True)
    ]


def gradient_figure(series: dict[str, list[float]], title: str, ax: Any) -> None:
    """Per-layer gradient norms on a log scale, one line per series."""
    from rosenblatt import plot

    for i, (label, norms) in enumerate(series.items()):
        ax.plot(np.arange(1, len(norms) + 1), norms, marker="o", markersize=4,
                color=plot.PALETTE[i % len(plot.PALETTE)], label=label)  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input, last = output)")
    ax.set_ylabel("gradient norm ||dL/dW|| (log scale)")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
