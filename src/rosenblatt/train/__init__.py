"""The fit loop: ``fit``, ``Trainer``, ``History``, callbacks and metrics."""

from rosenblatt.train.callbacks import (
    Callback,
    EarlyStopping,
    LearningRateScheduler,
    ProgressBar,
)
from rosenblatt.train.loop import (
    DivergenceError,
    History,
    LossFn,
    Trainer,
    evaluate,
    fit,
    predict,
)
from rosenblatt.train.metrics import (
    Accuracy,
    Metric,
    confusion_matrix,
    predicted_classes,
)

__all__ = [
    "Accuracy",
    "Callback",
    "DivergenceError",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "LossFn",
    "Metric",
    "ProgressBar",
    "Trainer",
    "confusion_matrix",
    "evaluate",
    "fit",
    "predict",
    "predicted_classes",
]
