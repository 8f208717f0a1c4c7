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

__all__ = [
    "PALETTE",
    "confusion_matrix",
    "decision_surface",
    "axes",
    "class_points",
    "history_curves",
    "new_figure",
    "network_diagram",
    "perceptron_history",
    "weight_histograms",
]


# Okabe and Ito's colour-blind-safe palette: blue, vermillion, bluish green, reddish
# purple, orange, sky blue, yellow, black.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def new_figure(width: float = 6.0, height: float = 5.0) -> Figure:
    """An empty figure in the library's style: constrained layout, the palette's colours."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


def class_points(
    ax: Any, X: Any, y: Any, names: Any = None, size: float = 22, **style: Any
) -> None:
    """Scatter 2-D points, one colour and marker per class, labelled for a legend.

    ``names`` maps each label to its legend text (default 'class <label>').
    """
    points, labels = np.asarray(X, dtype=np.float64), np.asarray(y)
    for k, label in enumerate(np.unique(labels)):
        mine = labels == label
        name = names[label] if names is not None else f"class {label}"
        ax.scatter(points[mine, 0], points[mine, 1], s=size, marker="os^v"[k % 4],
                   color=PALETTE[k % len(PALETTE)], edgecolors="black", linewidths=0.5,
                   label=name, **style)  # fmt: skip


def axes(fig: Figure, *args: Any, **kwargs: Any) -> Any:
    """``fig.add_subplot(*args)`` with the palette as its colour cycle and a light grid."""
    ax = fig.add_subplot(*args, **kwargs)
    ax.set_prop_cycle(color=PALETTE)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return ax


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
    fig = new_figure()
    ax = axes(fig)
    class_points(ax, points, labels)
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
            "color": "black" if final else "#888888",
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


# --- training curves, decision surfaces, confusion matrices ---


def _curves(history: Any) -> dict[str, list[float]]:
    """Per-epoch curves from a History, a dict, or a fitted estimator's attributes."""
    if hasattr(history, "loss_curve_"):  # MLPClassifier / MLPRegressor
        curves = {"loss": list(history.loss_curve_)}
        if getattr(history, "validation_loss_curve_", None):
            curves["val_loss"] = list(history.validation_loss_curve_)
        return curves
    if hasattr(history, "history_"):  # CNNClassifier
        return dict(history.history_)
    if hasattr(history, "errors_"):  # Perceptron: its loss is its mistakes
        return {"loss": [float(e) for e in history.errors_]}
    return dict(history.history if hasattr(history, "history") else history)


def history_curves(history: Any, title: str | None = None) -> Figure:
    """Loss (and accuracy, when recorded) per epoch, training and validation.

    ``history`` is a ``train.History``, a dict name -> list of per-epoch values
    (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``), or a fitted estimator
    (an MLP's ``loss_curve_``, a CNN's ``history_``, a perceptron's mistakes).
    """
    curves = _curves(history)
    if "loss" not in curves:
        raise ValueError("history_curves: expected a 'loss' curve in the history")
    panels = ["loss"] + (["accuracy"] if "accuracy" in curves else [])
    fig = new_figure(5.0 * len(panels), 3.6)
    for i, name in enumerate(panels):
        ax = axes(fig, 1, len(panels), i + 1)
        epochs = np.arange(1, len(curves[name]) + 1)
        ax.plot(epochs, curves[name], label="training")
        if f"val_{name}" in curves:
            ax.plot(epochs, curves[f"val_{name}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
    fig.suptitle(title or "Training history")
    return fig


def decision_surface(
    predict_proba: Any,
    X: Any,
    y: Any,
    resolution: int = 200,
    title: str | None = None,
    ax: Any = None,
) -> Figure:
    """A 2-D classifier's probability of the last class over the plane, with the points.

    ``predict_proba`` is a fitted classifier, or a function mapping an (n, 2) array to
    probabilities (n, K) (an estimator's ``predict_proba``); the colour is the
    probability of class K-1 (for a classifier without probabilities, such as the
    perceptron, its predicted class). ``ax``: draw into these axes of a larger figure.
    """
    if hasattr(predict_proba, "predict_proba"):
        predict_proba = predict_proba.predict_proba
    elif hasattr(predict_proba, "predict") and hasattr(predict_proba, "classes_"):
        classifier = predict_proba

        def predict_proba(grid: Any) -> Any:
            return np.searchsorted(classifier.classes_, classifier.predict(grid))

    points, labels = np.asarray(X, dtype=np.float64), np.asarray(y)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"decision_surface: expected X of shape (n, 2), got {points.shape}"
        )
    pad = 0.1 * (points.max(axis=0) - points.min(axis=0)) + 0.1
    lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    probs = np.asarray(predict_proba(grid))
    surface = (probs[:, -1] if probs.ndim == 2 else probs).reshape(gx.shape)
    if ax is None:
        ax = axes(new_figure())
    fig = ax.get_figure()
    image = ax.contourf(
        gx, gy, surface, levels=20, cmap="RdBu_r", alpha=0.8, vmin=0, vmax=1
    )
    ax.contour(gx, gy, surface, levels=[0.5], colors="black", linewidths=1.5)
    class_points(ax, points, labels)
    fig.colorbar(image, ax=ax, label="probability of the last class")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title or "Decision surface")
    return fig


def confusion_matrix(
    matrix: Any, class_names: Any = None, title: str | None = None
) -> Figure:
    """A confusion matrix (rows: true class, columns: predicted) as a labelled heat map."""
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            f"confusion_matrix: expected a square matrix, got {counts.shape}"
        )
    k = counts.shape[0]
    names = [str(n) for n in (class_names if class_names is not None else range(k))]
    fig = new_figure(1.0 + 0.55 * k, 0.6 + 0.5 * k)
    ax = fig.add_subplot()
    ax.imshow(counts, cmap="Blues")
    for i in range(k):
        for j in range(k):
            color = "white" if counts[i, j] > counts.max() / 2 else "black"
            ax.text(
                j,
                i,
                str(int(counts[i, j])),
                ha="center",
                va="center",
                color=color,
                fontsize=8,
            )
    ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "Confusion matrix")
    return fig


# --- looking inside a network ---


def _linear_layers(model: Any) -> list[Any]:
    """The Linear layers of a network (found by their shape, so plot needs no nn import)."""
    if not hasattr(model, "modules"):
        return []
    return [
        m for m in model.modules() if hasattr(m, "in_features") and hasattr(m, "weight")
    ]


def _linear_weights(model: Any) -> list[np.ndarray[Any, Any]]:
    """The (D_in, D_out) weight matrices of a network, an MLP estimator, or a list."""
    if hasattr(model, "coefs_"):
        return [np.asarray(w) for w in model.coefs_]
    if hasattr(model, "modules"):
        return [layer.weight.data for layer in _linear_layers(model)]
    return [np.asarray(w) for w in model]


def network_diagram(
    model: Any, max_units: int = 12, title: str | None = None
) -> Figure:
    """Neurons as circles, connections as lines: width by |w|, colour by sign (red < 0).

    Layers wider than ``max_units`` show their first ``max_units`` neurons.
    """
    weights = _linear_weights(model)
    if not weights:
        raise ValueError("network_diagram: the model has no Linear layers")
    sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    shown = [min(n, max_units) for n in sizes]
    fig = new_figure(1.6 * len(sizes) + 1, 0.45 * max(shown) + 1.5)
    ax = fig.add_subplot()
    ax.axis("off")

    def y_of(layer: int, unit: int) -> float:
        return (shown[layer] - 1) / 2 - unit

    largest = max(float(np.abs(w).max()) for w in weights) or 1.0
    for layer, w in enumerate(weights):
        for i in range(shown[layer]):
            for j in range(shown[layer + 1]):
                value = float(w[i, j])
                ax.plot(
                    [layer, layer + 1],
                    [y_of(layer, i), y_of(layer + 1, j)],
                    color=PALETTE[1] if value < 0 else PALETTE[0],
                    linewidth=0.2 + 2.5 * abs(value) / largest,
                    alpha=0.6,
                    zorder=1,
                )
    for layer, n in enumerate(shown):
        ys = [y_of(layer, u) for u in range(n)]
        ax.scatter([layer] * n, ys, s=180, color="white", edgecolors="black", zorder=2)
        label = f"{sizes[layer]}" + (f"\n(first {n})" if n < sizes[layer] else "")
        ax.text(layer, min(ys) - 0.7, label, ha="center", va="top", fontsize=8)
    ax.set_title(title or "Network (blue: w > 0, red: w < 0; width ~ |w|)")
    return fig


def weight_histograms(
    model: Any, gradients: bool = True, title: str | None = None
) -> Figure:
    """Per-layer histograms of the weights and, where present, of their gradients."""
    layers = _linear_layers(model)
    weights = _linear_weights(model)
    grads = [layer.weight.grad for layer in layers] if gradients else []
    rows = 2 if any(g is not None for g in grads) else 1
    fig = new_figure(3.0 * len(weights), 2.6 * rows)
    for i, w in enumerate(weights):
        ax = axes(fig, rows, len(weights), i + 1)
        ax.hist(np.ravel(w), bins=40, color=PALETTE[0])
        ax.set_title(f"layer {i + 1} weights", fontsize=9)
        grad = grads[i] if i < len(grads) else None
        if rows == 2 and grad is not None:
            gax = axes(fig, rows, len(weights), len(weights) + i + 1)
            gax.hist(np.ravel(grad), bins=40, color=PALETTE[4])
            gax.set_title(f"layer {i + 1} gradients", fontsize=9)
    fig.suptitle(title or "Weights and gradients per layer")
    return fig
