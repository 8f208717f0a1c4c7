"""Convolutional layers: Conv2d, MaxPool2d, AvgPool2d and Flatten (NCHW, as PyTorch)."""

from __future__ import annotations

import math

import numpy as np

from rosenblatt.backend import DTypeLike, get_default_dtype, xp
from rosenblatt.nn import functional as F
from rosenblatt.nn.module import Module, Parameter
from rosenblatt.nn.rng import resolve_rng
from rosenblatt.tensor import Tensor

__all__ = ["AvgPool2d", "Conv2d", "Flatten", "MaxPool2d"]


class Conv2d(Module):
    """2-D convolution: y = conv2d(x, W) + b for x of shape (N, C_in, H, W).

    The weight is (C_out, C_in / groups, kH, kW), as in PyTorch -- the transpose of
    Linear's (D_in, D_out) convention, because a kernel is indexed by its output
    channel first. W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    fan_in = C_in / groups * kH * kW (PyTorch's default), drawn from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from rosenblatt import Tensor, nn
    >>> conv = nn.Conv2d(1, 6, kernel_size=5, padding=2, rng=0)
    >>> conv(Tensor(np.zeros((2, 1, 28, 28)))).shape
    (2, 6, 28, 28)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"Conv2d: in_channels {in_channels} and out_channels {out_channels} must "
                f"both divide by groups {groups}"
            )
        kh, kw = (
            (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        )
        self.in_channels, self.out_channels, self.kernel_size = (
            in_channels,
            out_channels,
            (kh, kw),
        )
        self.stride, self.padding, self.dilation, self.groups = (
            stride,
            padding,
            dilation,
            groups,
        )
        dtype = get_default_dtype() if dtype is None else dtype
        generator = resolve_rng(rng)
        bound = 1.0 / math.sqrt(in_channels // groups * kh * kw)
        shape = (out_channels, in_channels // groups, kh, kw)
        self.weight = Parameter(
            xp.asarray(generator.uniform(-bound, bound, shape), dtype=dtype)
        )
        self.bias: Parameter | None = None
        if bias:
            b = generator.uniform(-bound, bound, out_channels)
            self.bias = Parameter(xp.asarray(b, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d: expected input of shape (N, {self.in_channels}, H, W), got {x.shape}"
            )
        return F.conv2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class MaxPool2d(Module):
    """Maximum over kernel windows; stride defaults to the kernel size."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = (
            kernel_size,
            stride,
            padding,
            dilation,
        )

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class AvgPool2d(Module):
    """Mean over kernel windows; stride defaults to the kernel size."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class Flatten(Module):
    """(N, C, H, W) -> (N, C H W): images to rows, for the Linear layers after them."""

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1)
