"""Figures (matplotlib, headless): every function returns a ``matplotlib.figure.Figure``.

Figures are built without pyplot, so they work on machines without a display, save
with ``fig.savefig(path)``, and show themselves in a notebook. matplotlib is imported
on first use, so ``import rosenblatt`` does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["perceptron_history"]


def _new_figure(width: float = 6.0, height: float = 5.0) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def perceptron_history(
    clf: Any, X: Any, y: Any, max_lines: int = 30, title: str | None = None
) -> Figure:
    """The perceptron's decision line w0 + w1 x1 + w2 x2 = 0 as it moved during training.

    Parameters
    ----------
    clf : Perceptron
        Fitted on 2-D data with ``record_history=True`` and two classes.
    X : array-like of shape (n_samples, 2)
        The points to draw.
    y : array-like of shape (n_samples,)
        Their labels (two classes).
    max_lines : int
        At most this many lines from the history, evenly spaced; older ones fainter.

    Returns
    -------
    Figure
        Points coloured by class, the earlier lines faint and the final one bold.
    """
    points = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    history = getattr(clf, "weight_history_", [])
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"perceptron_history: expected X of shape (n, 2), got {points.shape}"
        )
    if not history or np.ndim(history[0]) != 1:
        raise ValueError(
            "perceptron_history: expected a two-class Perceptron fitted with "
            "record_history=True"
        )
    fig = _new_figure()
    ax = fig.add_subplot()
    for k, label in enumerate(clf.classes_):
        mine = labels == label
        ax.scatter(
            points[mine, 0], points[mine, 1], marker="os"[k % 2], label=f"class {label}"
        )
    pad = 0.5
    lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    xs = np.linspace(lo[0], hi[0], 2)
    picks = np.unique(
        np.linspace(0, len(history) - 1, min(max_lines, len(history))).astype(int)
    )
    for rank, index in enumerate(picks):
        b, w1, w2 = history[index]
        final = index == len(history) - 1
        alpha = 1.0 if final else 0.15 + 0.5 * rank / max(len(picks), 1)
        style: dict[str, Any] = {
            "color": "black" if final else "tab:gray",
            "alpha": alpha,
        }
        style["linewidth"] = 2.5 if final else 1.0
        if abs(w2) > 1e-12:
            ax.plot(xs, -(b + w1 * xs) / w2, **style)
        elif abs(w1) > 1e-12:
            ax.axvline(-b / w1, **style)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or f"Perceptron decision line over {len(history) - 1} updates")
    ax.legend(loc="best")
    return fig
