"""2006: unsupervised pretraining, then supervised fine-tuning, trains a deep network.

Hinton and Salakhutdinov: train the layers one at a time, each as a restricted
Boltzmann machine on the activations of the one below, without labels; the stack
then starts backpropagation from weights that already describe the data, and the
gradient reaches the first layers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history import _deep
from rosenblatt.history.milestone import Check, Milestone

CLAIM = (
    "Greedy layer-wise unsupervised pretraining (a stack of RBMs) followed by supervised "
    "fine-tuning trains a deep sigmoid network that random initialisation cannot."
)
RULE = (
    "Supported when, over at least 5 seeds, the pretrained network trains (mean test "
    "accuracy, each seed at its best rate, at least 0.5: the 1991 milestone's stall "
    "line) and beats the randomly started one by more than the sum of their standard "
    "deviations, and its first layer's gradient norm at the start of fine-tuning is the "
    "larger in every seed."
)


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """The 1991 network from random weights and from an RBM stack, over several seeds."""
    epochs, seeds, rbm_passes = _deep.EPOCHS[quick], *((2, 5) if quick else (5, 10))
    results: dict[str, dict[str, list[float]]] = {
        name: {"accuracy": [], "first_layer_gradient": []}
        for name in ("random", "pretrained")
    }
    curves: dict[str, list[float]] = {}
    for s in range(seed * 100, seed * 100 + seeds):
        data = _deep.digits(s)
        starts = {
            "random": None,
            "pretrained": _deep.rbm_weights(data[0], data[2], s, rbm_passes),
        }
        for name, start in starts.items():
            runs = _deep.rate_sweep("logistic", epochs, s, data, start=start)
            _, _, probe, accuracy = _deep.best_of(runs)
            results[name]["accuracy"].append(accuracy)
            results[name]["first_layer_gradient"].append(probe.norms[0][0])
            curves.setdefault(name, probe.accuracy)
    acc = {name: np.array(r["accuracy"]) for name, r in results.items()}
    grad = {name: np.array(r["first_layer_gradient"]) for name, r in results.items()}
    margin = acc["pretrained"].mean() - acc["random"].mean()
    spread = acc["pretrained"].std() + acc["random"].std()
    checks = [
        Check(
            "the pretrained network trains",
            f"mean test accuracy {acc['pretrained'].mean():.3f} pretrained"
            + ("" if seeds >= 5 else f" (a quick run of {seeds} seeds cannot decide)"),
            bool(acc["pretrained"].mean() >= 0.5) if seeds >= 5 else None,
        ),
        Check(
            "pretraining wins by more than the spread",
            f"test accuracy {acc['pretrained'].mean():.3f} +- {acc['pretrained'].std():.3f} "
            f"pretrained against {acc['random'].mean():.3f} +- {acc['random'].std():.3f} "
            f"random, over {seeds} seeds",
            bool(margin > spread) if seeds >= 5 else None,
        ),
        Check(
            "the gradient reaches the first layer",
            f"first-layer gradient norm at the start {np.median(grad['pretrained']):.1e} "
            f"pretrained against {np.median(grad['random']):.1e} random (medians)",
            bool(np.all(grad["pretrained"] > grad["random"])),
        ),
    ]
    numbers: dict[str, Any] = {
        "seeds": seeds,
        "epochs": epochs,
        "rbm_passes_per_layer": rbm_passes,
        "results": results,
    }
    return Milestone(
        year="2006",
        title="Pretraining gets deep networks training",
        claim=CLAIM,
        setup=(
            _deep.SETUP
            + f" Logistic units, {epochs} epochs of fine-tuning; pretraining: one "
            f"BernoulliRBM per hidden layer ({rbm_passes} passes, rate 0.1, batches of "
            f"10) through rosenblatt.rbm.pretrain; {seeds} seeds, each its own split."
        ),
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[("Pretrained against random starts", _figure(acc, curves))],
    )


def _figure(acc: dict[str, np.ndarray], curves: dict[str, list[float]]) -> Any:
    fig = plot.new_figure(11, 4.4)
    ax = plot.axes(fig, 1, 2, 1)
    for i, values in enumerate(acc.values()):
        ax.scatter(
            np.full(len(values), i), values, color=plot.PALETTE[i], s=40, zorder=3
        )
        ax.errorbar(i + 0.15, values.mean(), yerr=values.std(), fmt="s",
                    color=plot.PALETTE[i], capsize=6)  # fmt: skip
    ax.set_xticks([0, 1], [f"{n} start" for n in acc])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(0, 1)
    ax.set_ylabel("test accuracy (each seed; mean +- sd)")
    ax.set_title(
        f"Pretrained {acc['pretrained'].mean():.2f}, random {acc['random'].mean():.2f}"
    )
    ax = plot.axes(fig, 1, 2, 2)
    for i, (name, curve) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(curve) + 1), curve, color=plot.PALETTE[i],
                label=f"{name} start")  # fmt: skip
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch of fine-tuning")
    ax.set_ylabel("training accuracy (first seed)")
    ax.legend(loc="best")
    ax.set_title("Fine-tuning, first seed")
    fig.suptitle("2006: ten sigmoid layers, from random weights and from an RBM stack")
    return fig
