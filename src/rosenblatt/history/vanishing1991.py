"""1991: the vanishing gradient: deep sigmoid networks stop learning at the bottom.

Backpropagation multiplies, layer by layer on the way down, by the weights and by the
sigmoid's slope sigma'(z) = sigma(z)(1 - sigma(z)), which is at most 1/4. With small
weights each layer shrinks the error signal, so the layers near the input get almost
no gradient: their weights barely move and the network's accuracy stalls.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history import _deep
from rosenblatt.history.milestone import Check, Milestone

CLAIM = (
    "In a deep network of sigmoid units the error gradient shrinks on its way back, "
    "layer by layer (sigma' <= 1/4), so the first layers barely learn and training "
    "stalls."
)
RULE = (
    "Supported when, at initialisation, the first hidden layer's gradient norm is below "
    "1/100 of the last hidden layer's and every layer's mean sigma'(z) is at most 1/4; "
    "and when, after training, the first layer's weights have moved (relatively) less "
    "than 1/10 as much as the last hidden layer's and the test accuracy is below 0.5, "
    "at every rate tried."
)


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """Train the deep sigmoid network, probing its per-layer gradients as it goes."""
    epochs = _deep.EPOCHS[quick]
    data = _deep.digits(seed)
    runs = _deep.rate_sweep("logistic", epochs, seed, data)
    best_rate, clf, probe, accuracy = _deep.best_of(runs)
    at_init = probe.norms[0]
    slopes = _deep.sigmoid_slopes(probe.start, data[0])
    initial = [W for W, _ in probe.start]
    hidden = at_init[:-1]
    ratio = hidden[0] / hidden[-1]
    per_layer = ratio ** (1 / (len(hidden) - 1))
    moved = _deep.relative_change(initial, clf.coefs_)
    checks = [
        Check(
            "the gradient decays toward the input",
            f"first / last hidden layer gradient norm {ratio:.1e} (x{per_layer:.2f} per layer)",
            ratio < 1e-2,
        ),
        Check(
            "sigma' <= 1/4 in every layer",
            f"mean sigma'(z) per layer {min(slopes):.3f}-{max(slopes):.3f}",
            max(slopes) <= 0.25,
        ),
        Check(
            "the first layers barely move",
            f"relative weight change: first layer {moved[0]:.1e}, last hidden "
            f"{moved[-2]:.1e}",
            moved[0] < moved[-2] / 10,
        ),
        Check(
            "accuracy stalls",
            f"best test accuracy {accuracy:.3f} after {epochs} epochs (rate {best_rate})",
            accuracy < 0.5,
        ),
    ]
    numbers: dict[str, Any] = {
        "gradient_norms_at_init": at_init,
        "gradient_norms_during_training": probe.norms,
        "decay_per_layer": per_layer,
        "mean_sigmoid_slope": slopes,
        "relative_weight_change": moved,
        "train_accuracy_per_epoch": probe.accuracy,
        "test_accuracy_per_rate": {rate: run[2] for rate, run in runs.items()},
    }
    return Milestone(
        year="1991",
        title="The vanishing gradient",
        claim=CLAIM,
        setup=_deep.SETUP
        + f" Logistic units, scikit-learn's initial weights, {epochs} epochs.",
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[
            (
                "Per-layer gradient norms, and the accuracy that stalls",
                _figure(at_init, probe),
            )
        ],
    )


def _figure(at_init: list[float], probe: _deep.GradientProbe) -> Any:
    fig = plot.new_figure(11, 4.4)
    series = {"at initialisation": at_init}
    series.update({f"after epoch {e}": n for e, n in sorted(probe.norms.items()) if e})
    ratio = at_init[0] / at_init[-2]
    _deep.gradient_figure(
        series,
        f"The gradient shrinks {1 / ratio:,.0f}x on its way to layer 1",
        plot.axes(fig, 1, 2, 1),
    )
    ax = plot.axes(fig, 1, 2, 2)
    ax.plot(
        np.arange(1, len(probe.accuracy) + 1), probe.accuracy, color=plot.PALETTE[1]
    )
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training accuracy")
    ax.set_title(f"Training accuracy after {len(probe.accuracy)} epochs: "
                 f"{probe.accuracy[-1]:.2f} (chance: 0.10)")  # fmt: skip
    fig.suptitle(
        f"1991: ten sigmoid layers pass {ratio:.0e} of the gradient down to the first"
    )
    return fig
