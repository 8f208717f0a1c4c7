"""Differentiable primitives on arrays: each op's forward and backward side by side.

Read ``op.py`` first (the contract), then ``elementwise.py``. Nothing here knows about
tensors or graphs; ``tensor.py`` builds the graph and calls these. Each module lists
its ops in ``__all__``; this package offers them all.
"""

from rosenblatt.ops import conv, elementwise, linalg, loss, normalization, reduce, shape
from rosenblatt.ops.conv import *  # noqa: F403
from rosenblatt.ops.elementwise import *  # noqa: F403
from rosenblatt.ops.linalg import *  # noqa: F403
from rosenblatt.ops.loss import *  # noqa: F403
from rosenblatt.ops.normalization import *  # noqa: F403
from rosenblatt.ops.op import Op
from rosenblatt.ops.reduce import *  # noqa: F403
from rosenblatt.ops.shape import *  # noqa: F403

__all__ = ["Op"]
for _module in (conv, elementwise, linalg, loss, normalization, reduce, shape):
    __all__ += _module.__all__
