"""Metrics computed from a model's outputs: accuracy, and the confusion matrix."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rosenblatt.backend import Array, xp

__all__ = [
    "Accuracy",
    "Metric",
    "confusion_matrix",
    "predicted_classes",
    "resolve_metrics",
]

Metric = Callable[[Array, Array], float]
"""metric(outputs, targets) -> a number; averaged over batches, weighted by batch size."""


def predicted_classes(outputs: Array, threshold: float = 0.0) -> Array:
    """Class index per row: argmax of (N, K) outputs, or outputs > threshold for one column.

    The default threshold 0 reads one column of logits (a rosenblatt network's last
    layer): logit > 0 is probability > 1/2.
    """
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return xp.argmax(outputs, axis=1)
    return (outputs.reshape(-1) > threshold).astype(xp.intp)


def _target_classes(targets: Array) -> Array:
    if targets.ndim == 2 and targets.shape[1] > 1:
        return xp.argmax(targets, axis=1)  # one-hot or probabilities
    return targets.reshape(-1)


class Accuracy:
    """The fraction of rows whose predicted class equals the target class.

    For one output column the prediction is ``output > threshold``: 0, the default,
    reads logits (every rosenblatt network ends in a Linear layer); pass
    ``threshold=0.5`` for a model that outputs probabilities (ends in a sigmoid).
    """

    name = "accuracy"

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = threshold

    def __call__(self, outputs: Array, targets: Array) -> float:
        predicted = predicted_classes(outputs, self.threshold)
        return float(xp.mean(predicted == _target_classes(targets)))


def resolve_metrics(metrics: Sequence[str | Metric]) -> dict[str, Metric]:
    """Map names ('accuracy') and callables to a dict name -> metric."""
    resolved: dict[str, Metric] = {}
    for metric in metrics:
        if metric in ("accuracy", "acc"):
            resolved["accuracy"] = Accuracy()
        elif callable(metric):
            name = getattr(metric, "name", None) or getattr(
                metric, "__name__", "metric"
            )
            resolved[str(name)] = metric
        else:
            raise ValueError(
                f"fit: unknown metric {metric!r}; expected 'accuracy' or a callable"
            )
    return resolved


def confusion_matrix(
    y_true: Array, y_pred: Array, n_classes: int | None = None
) -> Array:
    """C[i, j] = number of samples of true class i predicted as class j (ints 0..K-1)."""
    y_true = xp.asarray(y_true, dtype=xp.intp).reshape(-1)
    y_pred = xp.asarray(y_pred, dtype=xp.intp).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"confusion_matrix: expected equal lengths, got {y_true.size} and {y_pred.size}"
        )
    k = n_classes if n_classes is not None else int(max(y_true.max(), y_pred.max())) + 1
    counts = xp.bincount(y_true * k + y_pred, minlength=k * k)
    return counts.reshape(k, k)
