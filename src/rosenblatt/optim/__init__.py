"""Optimizers (update rules) and learning-rate schedules."""

from rosenblatt.optim.adam import Adam, AdamW
from rosenblatt.optim.lbfgs import LBFGS
from rosenblatt.optim.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    InverseScalingLR,
    LRScheduler,
    ReduceLROnPlateau,
    StepLR,
)
from rosenblatt.optim.optimizer import Optimizer
from rosenblatt.optim.rmsprop import RMSprop
from rosenblatt.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "LBFGS",
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "InverseScalingLR",
    "LRScheduler",
    "Optimizer",
    "RMSprop",
    "ReduceLROnPlateau",
    "StepLR",
]
