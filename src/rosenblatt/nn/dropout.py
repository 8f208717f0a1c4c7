"""Dropout (Srivastava, Hinton et al., 2012/2014), inverted: off in eval mode."""

from __future__ import annotations

import numpy as np

from rosenblatt.nn import functional as F
from rosenblatt.nn.module import Module
from rosenblatt.nn.rng import resolve_rng
from rosenblatt.tensor import Tensor

__all__ = ["Dropout"]


class Dropout(Module):
    """During training, zero each entry with probability ``p`` and scale the rest by 1/(1-p).

    Parameters
    ----------
    p : float
        The probability of *dropping* an entry (as PyTorch; Keras calls it rate), in [0, 1].
    rng : Generator, int or None
        Source of the masks; a seed makes them reproducible.

    Examples
    --------
    >>> from rosenblatt import Tensor, nn
    >>> drop = nn.Dropout(0.5, rng=0).eval()
    >>> drop(Tensor([1.0, 2.0])).data     # identity in eval mode
    array([1., 2.], dtype=float32)
    """

    def __init__(
        self, p: float = 0.5, *, rng: np.random.Generator | int | None = None
    ) -> None:
        super().__init__()
        F.check_drop_probability(p, "Dropout")
        self.p = p
        self.rng = resolve_rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
