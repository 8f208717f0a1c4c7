"""Linear: the affine layer y = x W + b of the text's forward formula."""

from __future__ import annotations

import math

import numpy as np

from rosenblatt.backend import DTypeLike, get_default_dtype, xp
from rosenblatt.nn import functional as F
from rosenblatt.nn.module import Module, Parameter
from rosenblatt.nn.rng import resolve_rng
from rosenblatt.tensor import Tensor

__all__ = ["Linear"]


class Linear(Module):
    """Affine layer: y = x @ W + b.

    The weight is (in_features, out_features), so a row vector of activations times W
    is the text's a^l = sigma(a^(l-1) W^l + b^l) and matches scikit-learn's ``coefs_``.
    (PyTorch stores the transpose, (out, in).)

    Parameters
    ----------
    in_features, out_features : int
        D_in and D_out.
    bias : bool
        Whether to learn b.
    rng : Generator, int or None
        Source of the initial weights.
    dtype : dtype, optional
        float32 (default) or float64.

    Attributes
    ----------
    weight : Parameter of shape (D_in, D_out)
        W ~ U(-1/sqrt(D_in), 1/sqrt(D_in)), PyTorch's default.
    bias : Parameter of shape (D_out,) or None
        b ~ U(-1/sqrt(D_in), 1/sqrt(D_in)).

    Examples
    --------
    >>> from rosenblatt import Tensor, nn
    >>> layer = nn.Linear(3, 2, rng=0)
    >>> layer(Tensor([[1.0, 2.0, 3.0]])).shape
    (1, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        for name, value in (
            ("in_features", in_features),
            ("out_features", out_features),
        ):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"Linear: expected {name} a positive int, got {value!r}"
                )
        self.in_features, self.out_features = int(in_features), int(out_features)
        dtype = get_default_dtype() if dtype is None else dtype
        generator = resolve_rng(rng)
        bound = 1.0 / math.sqrt(in_features)
        w = generator.uniform(-bound, bound, size=(in_features, out_features))
        self.weight = Parameter(xp.asarray(w, dtype=dtype))
        self.bias: Parameter | None = None
        if bias:
            b = generator.uniform(-bound, bound, size=out_features)
            self.bias = Parameter(xp.asarray(b, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear: expected input of shape (N, {self.in_features}), got {x.shape}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
