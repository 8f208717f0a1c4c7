"""2012: AlexNet won ImageNet with ReLU, dropout, local response normalisation and a GPU.

Krizhevsky, Sutskever and Hinton's network was a deeper LeNet: convolutions with
ReLU units (their figure: a four-layer CNN reaches 25 % training error six times
sooner with ReLU than with tanh), dropout in the dense layers against overfitting,
LRN across channels, and training on two GPUs. Its output is a probability for each
class, like the text's "86 % stop sign, 7 % speed limit".
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from sklearn.svm import SVC

from rosenblatt import nn, plot
from rosenblatt.cnn import CNNClassifier
from rosenblatt.data import load
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.mlp import MLPClassifier

CLAIM = (
    "ReLU units train a CNN faster than tanh; dropout narrows the gap between training "
    "and test accuracy; LRN helps generalisation; the CNN beats the shallow MLP and the "
    "SVM on images; and it answers with a probability for each class."
)
RULE = (
    "Supported when the ReLU CNN reaches 25 % training error in fewer epochs than the "
    "same CNN with tanh; when dropout (p = 0.5) makes an over-sized MLP's train-test "
    "accuracy gap smaller; when the CNN with LRN is at least as accurate on test data as "
    "without; and when the CNN's test accuracy is above both the MLP's and the SVM's. "
    "The GPU claim is measured only where a GPU array backend exists."
)
TARGET_ERROR = 0.25


def _images(quick: bool, seed: int) -> tuple[Any, str]:
    """Fashion-MNIST (a seeded subset of the official split), or digits when absent."""
    n_train, n_test = (2_000, 1_000) if quick else (10_000, 2_000)
    try:
        data = load("fashion-mnist")
        name = "Fashion-MNIST"
    except (FileNotFoundError, OSError, ValueError):
        data = load("digits", seed=seed)
        name = "digits (Fashion-MNIST's files are not installed)"
    rng = np.random.default_rng(seed)
    train = rng.permutation(len(data.X_train))[:n_train]
    test = rng.permutation(len(data.X_test))[:n_test]
    return (
        data.X_train[train], data.y_train[train], data.X_test[test], data.y_test[test],
        data.image_shape, data.class_names,
    ), name  # fmt: skip


def _cnn(activation: str, lrn: bool) -> Any:
    """Conv 5x5 (16) - act - [LRN] - pool - conv 5x5 (32) - act - [LRN] - pool - dense."""

    def factory(c: int, h: int, w: int, k: int, rng: Any) -> nn.Sequential:
        act = nn.ReLU if activation == "relu" else nn.Tanh
        norm = [nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)] if lrn else []
        side_h, side_w = h // 4, w // 4
        return nn.Sequential(
            nn.Conv2d(c, 16, 5, padding=2, rng=rng), act(), *norm, nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2, rng=rng), act(), *norm, nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * side_h * side_w, k, rng=rng),
        )  # fmt: skip

    return factory


def _train_cnn(
    activation: str, lrn: bool, data: tuple[Any, ...], epochs: int, seed: int
) -> CNNClassifier:
    X, y, _, _, shape, _ = data
    return CNNClassifier(
        _cnn(activation, lrn), image_shape=shape, max_iter=epochs, batch_size=64,
        learning_rate_init=1e-3, random_state=seed,
    ).fit(X, y)  # fmt: skip


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """ReLU against tanh, dropout, LRN, CNN against MLP and SVM, and the probabilities."""
    epochs = 4 if quick else 10
    data, source = _images(quick, seed)
    X, y, X_test, y_test = data[:4]
    cnns = {
        (act, lrn): _train_cnn(act, lrn, data, epochs, seed)
        for act, lrn in (("relu", False), ("tanh", False), ("relu", True))
    }
    error = {
        act: 1 - np.array(cnns[(act, False)].history_["accuracy"])
        for act in ("relu", "tanh")
    }
    reached = {
        act: int(np.argmax(e <= TARGET_ERROR)) + 1
        if (e <= TARGET_ERROR).any()
        else None
        for act, e in error.items()
    }
    accuracy = {key: float(clf.score(X_test, y_test)) for key, clf in cnns.items()}
    gaps = {}
    for p in (0.0, 0.5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp = MLPClassifier(
                (512, 512), dropout=p, max_iter=epochs * 3, random_state=seed
            ).fit(X, y)
        gaps[p] = (float(mlp.score(X, y)), float(mlp.score(X_test, y_test)))
    started = time.thread_time()
    svm_accuracy = float(SVC().fit(X, y).score(X_test, y_test))
    svm_seconds = time.thread_time() - started
    mlp_accuracy = gaps[0.0][1]
    cnn_accuracy = accuracy[("relu", False)]
    gap = {p: train - test for p, (train, test) in gaps.items()}
    relu_first = reached["relu"] is not None and (
        reached["tanh"] is None or reached["relu"] < reached["tanh"]
    )
    checks = [
        Check(
            "ReLU trains faster than tanh",
            f"epochs to {TARGET_ERROR:.0%} training error: ReLU {reached['relu'] or 'never'}, "
            f"tanh {reached['tanh'] or f'not within {epochs}'}",
            relu_first,
        ),
        Check(
            "dropout narrows the train-test gap",
            f"gap {gap[0.0]:.3f} without dropout, {gap[0.5]:.3f} with p = 0.5",
            gap[0.5] < gap[0.0],
        ),
        Check(
            "LRN helps generalisation",
            f"test accuracy {accuracy[('relu', True)]:.3f} with LRN, {cnn_accuracy:.3f} without",
            accuracy[("relu", True)] >= cnn_accuracy,
        ),
        Check(
            "the CNN beats the MLP and the SVM",
            f"test accuracy CNN {cnn_accuracy:.3f}, MLP {mlp_accuracy:.3f}, SVC {svm_accuracy:.3f}",
            cnn_accuracy > max(mlp_accuracy, svm_accuracy),
        ),
        Check(
            "a GPU speeds training",
            "not measured: rosenblatt has no GPU array backend yet (NumPy only)",
            None,
        ),
    ]
    numbers: dict[str, Any] = {
        "data": source,
        "train_images": len(X),
        "test_images": len(X_test),
        "training_error_per_epoch": {act: e.tolist() for act, e in error.items()},
        "epochs_to_target_error": reached,
        "cnn_test_accuracy": {
            f"{a}{' + LRN' if lrn else ''}": v for (a, lrn), v in accuracy.items()
        },
        "mlp_train_test_accuracy_by_dropout": {str(p): v for p, v in gaps.items()},
        "svm_test_accuracy": svm_accuracy,
        "svm_cpu_seconds": svm_seconds,
    }
    return Milestone(
        year="2012",
        title="AlexNet's ingredients",
        claim=CLAIM,
        setup=(
            f"{source}: {len(X):,} training and {len(X_test):,} test images (a seeded "
            "subset). CNNClassifier with conv 5x5 (16) - pool - conv 5x5 (32) - pool - "
            f"dense, Adam 1e-3, batches of 64, {epochs} epochs, ReLU or tanh, LRN (size 5, "
            "alpha 1e-4, beta 0.75, k 2) on or off. MLPClassifier 784-512-512-10 (Adam, "
            f"{epochs * 3} epochs), dropout 0 or 0.5. scikit-learn's SVC (RBF) as the peer."
        ),
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[
            (
                "ReLU against tanh, and dropout",
                _figure(error, gaps, relu_first, gap[0.5] < gap[0.0]),
            ),
            (
                "The network's answer: a probability for each class",
                _answers(cnns[("relu", False)], data),
            ),
        ],
    )


def _figure(
    error: dict[str, np.ndarray],
    gaps: dict[float, tuple[float, float]],
    faster: bool,
    narrower: bool,
) -> Any:
    fig = plot.new_figure(11, 4.4)
    ax = plot.axes(fig, 1, 2, 1)
    for i, (act, values) in enumerate(error.items()):
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", color=plot.PALETTE[i],
                label=f"{act}")  # fmt: skip
    ax.axhline(TARGET_ERROR, color="black", linestyle="--", linewidth=1,
               label=f"{TARGET_ERROR:.0%} error")  # fmt: skip
    ax.set_xlabel("epoch")
    ax.set_ylabel("training error (fraction wrong)")
    ax.set_title("The same CNN: ReLU against tanh")
    ax.legend(loc="upper right")
    ax = plot.axes(fig, 1, 2, 2)
    for k, (train, test) in enumerate(gaps.values()):
        ax.bar([3 * k, 3 * k + 1], [train, test], color=[plot.PALETTE[0], plot.PALETTE[1]],
               label=["train", "test"] if k == 0 else None)  # fmt: skip
        ax.text(
            3 * k + 0.5, max(train, test) + 0.01, f"gap {train - test:.3f}", ha="center"
        )
    ax.set_xticks([0.5, 3.5], ["no dropout", "dropout 0.5"])
    ax.set_ylim(0.5, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title("An over-sized MLP: 784-512-512-10")
    ax.legend(loc="lower right")
    fig.suptitle(
        f"2012: ReLU {'trains faster' if faster else 'is not faster here'}; dropout "
        f"{'narrows' if narrower else 'does not narrow'} the gap"
    )
    return fig


def _answers(cnn: CNNClassifier, data: tuple[Any, ...]) -> Any:
    _, _, X_test, y_test, shape, class_names = data
    names = list(class_names) if class_names else [str(c) for c in cnn.classes_]
    probs = cnn.predict_proba(X_test[:4])
    fig = plot.new_figure(11, 5.2)
    for i in range(4):
        ax = fig.add_subplot(2, 4, i + 1)
        ax.imshow(X_test[i].reshape(shape[1:]), cmap="gray_r")
        ax.set_axis_off()
        ax.set_title(f"truth: {names[int(y_test[i])]}", fontsize="small")
        bars = plot.axes(fig, 2, 4, i + 5)
        top = np.argsort(probs[i])[::-1][:4]
        bars.barh(range(4), probs[i][top][::-1], color=plot.PALETTE[0])
        bars.set_yticks(range(4), [names[t] for t in top][::-1], fontsize="small")
        bars.set_xlim(0, 1)
        bars.set_xlabel("probability")
    best = probs[0].argmax()
    fig.suptitle(
        f'Like the text\'s stop sign: "{probs[0][best]:.0%} {names[best]}" for the first image'
    )
    return fig
