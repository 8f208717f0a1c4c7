"""2011: ReLU keeps the gradient alive, and deep networks train without pretraining.

ReLU's slope is 1 wherever a unit is active, so the backward pass no longer shrinks
by a factor of at most 1/4 per layer. With He's initialisation (variance 2 / fan_in,
which makes up for the half of the units that are off) the gradient keeps its size
from layer to layer, and the same deep network trains from random weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history import _deep
from rosenblatt.history.milestone import Check, Milestone

CLAIM = (
    "With ReLU units (and He's initialisation) the gradient keeps its size through a "
    "deep network, which then trains from random weights, no pretraining needed."
)
RULE = (
    "Supported when, at initialisation, the hidden layers' gradient norms of the ReLU "
    "network stay within a factor of 10 of each other, and when it reaches test "
    "accuracy >= 0.9 from random weights at one of the rates the 1991 milestone tries."
)


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """The 1991 network with ReLU and He's start, beside the sigmoid one."""
    epochs = _deep.EPOCHS[quick]
    data = _deep.digits(seed)
    start = _deep.he_weights(data[0].shape[1], 10, seed)
    runs = _deep.rate_sweep("relu", epochs, seed, data, start=start)
    best_rate, _, relu_probe, accuracy = _deep.best_of(runs)
    sigmoid = _deep.GradientProbe(data[0], data[2], set())
    _deep.fit_quietly(
        _deep.deep_classifier("logistic", 1, seed, callbacks=[sigmoid]),
        data[0],
        data[2],
    )
    at_init = relu_probe.norms[0][:-1]
    spread = max(at_init) / min(at_init)
    checks = [
        Check(
            "the gradient keeps its size",
            f"hidden layers' gradient norms within a factor of {spread:.1f} at initialisation",
            spread < 10,
        ),
        Check(
            "it trains without pretraining",
            f"best test accuracy {accuracy:.3f} after {epochs} epochs (rate {best_rate}) "
            "from random weights",
            accuracy >= 0.9,
        ),
    ]
    numbers: dict[str, Any] = {
        "relu_gradient_norms": relu_probe.norms,
        "sigmoid_gradient_norms_at_init": sigmoid.norms[0],
        "spread_at_init": spread,
        "train_accuracy_per_epoch": relu_probe.accuracy,
        "test_accuracy_per_rate": {rate: run[2] for rate, run in runs.items()},
    }
    return Milestone(
        year="2011",
        title="ReLU keeps the gradient",
        claim=CLAIM,
        setup=_deep.SETUP + f" ReLU units, He's initial weights, {epochs} epochs.",
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[
            (
                "ReLU against sigmoid, layer by layer",
                _figure(relu_probe, sigmoid, spread),
            )
        ],
    )


def _figure(
    relu_probe: _deep.GradientProbe, sigmoid_probe: _deep.GradientProbe, spread: float
) -> Any:
    fig = plot.new_figure(11, 4.4)
    series = {
        "ReLU + He, at initialisation": relu_probe.norms[0],
        "sigmoid + Glorot, at initialisation": sigmoid_probe.norms[0],
    }
    last = max(e for e in relu_probe.norms if e > 0)
    series[f"ReLU + He, after epoch {last}"] = relu_probe.norms[last]
    _deep.gradient_figure(
        series,
        f"ReLU's gradient varies {spread:.1f}x across layers; sigmoid's vanishes",
        plot.axes(fig, 1, 2, 1),
    )
    ax = plot.axes(fig, 1, 2, 2)
    acc = relu_probe.accuracy
    ax.plot(np.arange(1, len(acc) + 1), acc, color=plot.PALETTE[0])
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training accuracy")
    ax.set_title(
        f"ReLU network: training accuracy {acc[-1]:.2f} after {len(acc)} epochs"
    )
    fig.suptitle(
        f"2011: the same ten layers with ReLU: gradient within {spread:.1f}x across "
        f"layers, training accuracy {acc[-1]:.2f}"
    )
    return fig
