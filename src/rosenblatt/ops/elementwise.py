"""Elementwise primitives: arithmetic, exp/log, activations, clip, comparisons.

Binary ops broadcast like NumPy; their backward returns gradients in the broadcast
shape and ``tensor.py`` sums them back to each input's shape.
"""

from __future__ import annotations

from rosenblatt.backend import Array, xp
from rosenblatt.kernels.activation import relu, relu_backward
from rosenblatt.kernels.fast import logistic
from rosenblatt.ops.op import Op

__all__ = [
    "Abs",
    "Add",
    "Clip",
    "Div",
    "Exp",
    "LeakyReLU",
    "Log",
    "Maximum",
    "Minimum",
    "Mul",
    "Neg",
    "Pow",
    "ReLU",
    "Sigmoid",
    "Sqrt",
    "Step",
    "Sub",
    "Tanh",
    "Where",
]


# --- arithmetic ---


class Add(Op):
    """z = a + b.  Backward: grad_a = grad_b = grad_output."""

    def forward(self, a: Array, b: Array) -> Array:
        return a + b

    def backward(self, grad_output: Array) -> tuple[Array, Array]:
        return grad_output, grad_output


class Sub(Op):
    """z = a - b.  Backward: grad_a = grad_output, grad_b = -grad_output."""

    def forward(self, a: Array, b: Array) -> Array:
        return a - b

    def backward(self, grad_output: Array) -> tuple[Array, Array | None]:
        grad_b = -grad_output if self.needs_input_grad[1] else None
        return grad_output, grad_b


class Mul(Op):
    """z = a * b.  Backward: grad_a = grad_output * b, grad_b = grad_output * a."""

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return a * b

    def backward(self, grad_output: Array) -> tuple[Array | None, Array | None]:
        grad_a = grad_output * self.b if self.needs_input_grad[0] else None
        grad_b = grad_output * self.a if self.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Op):
    """z = a / b.  Backward: grad_a = grad_output / b, grad_b = -grad_output * z / b."""

    def forward(self, a: Array, b: Array) -> Array:
        self.b = b
        self.z = a / b
        return self.z

    def backward(self, grad_output: Array) -> tuple[Array | None, Array | None]:
        grad_a = grad_output / self.b if self.needs_input_grad[0] else None
        grad_b = -grad_output * self.z / self.b if self.needs_input_grad[1] else None
        return grad_a, grad_b


class Neg(Op):
    """y = -x.  Backward: grad_x = -grad_output."""

    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (-grad_output,)


class Pow(Op):
    """y = x ** p for a constant exponent p.  Backward: grad_x = grad_output * p * x**(p-1).

    A tensor exponent is handled in ``tensor.py`` as exp(b * log(a)).
    """

    def __init__(self, exponent: float) -> None:
        self.exponent = exponent

    def forward(self, x: Array) -> Array:
        self.x = x
        return x**self.exponent

    def backward(self, grad_output: Array) -> tuple[Array]:
        p = self.exponent
        return (grad_output * p * self.x ** (p - 1),)


# --- exponentials and roots ---


class Exp(Op):
    """y = exp(x).  Backward: grad_x = grad_output * y."""

    def forward(self, x: Array) -> Array:
        self.y = xp.exp(x)
        return self.y

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output * self.y,)


class Log(Op):
    """y = log(x) (natural).  Backward: grad_x = grad_output / x."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return xp.log(x)

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output / self.x,)


class Sqrt(Op):
    """y = sqrt(x).  Backward: grad_x = grad_output / (2 y)."""

    def forward(self, x: Array) -> Array:
        self.y = xp.sqrt(x)
        return self.y

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output / (2 * self.y),)


class Abs(Op):
    """y = |x|.  Backward: grad_x = grad_output * sign(x); the kink gets sign(0) = 0."""

    def forward(self, x: Array) -> Array:
        self.x = x
        return xp.abs(x)

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output * xp.sign(self.x),)


# --- activations ---


class Tanh(Op):
    """y = tanh(x).  Backward: grad_x = grad_output * (1 - y**2)."""

    def forward(self, x: Array) -> Array:
        self.y = xp.tanh(x)  # keep the output: the derivative is a function of it
        return self.y

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output * (1 - self.y * self.y),)


class Sigmoid(Op):
    """y = 1 / (1 + exp(-x)).  Backward: grad_x = grad_output * y * (1 - y)."""

    def forward(self, x: Array) -> Array:
        self.y = logistic(x)
        return self.y

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (grad_output * self.y * (1 - self.y),)


class ReLU(Op):
    """y = max(x, 0).  Backward: grad_x = grad_output * [x > 0]; relu'(0) = 0."""

    def forward(self, x: Array) -> Array:
        self.y = relu(x)
        return self.y

    def backward(self, grad_output: Array) -> tuple[Array]:
        # y > 0 exactly where x > 0, so the output serves as the mask.
        return (relu_backward(grad_output, self.y),)


class LeakyReLU(Op):
    """y = x if x > 0 else slope * x.  Backward: 1 where x > 0, slope elsewhere (x = 0 too)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def forward(self, x: Array) -> Array:
        self.positive = x > 0
        return xp.where(self.positive, x, x * self.negative_slope)

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (
            xp.where(self.positive, grad_output, grad_output * self.negative_slope),
        )


class Step(Op):
    """y = 1 if x >= 0 else 0 (Heaviside; the text's threshold).  Backward: zero.

    The step is flat everywhere except at 0, where it has no derivative; the gradient
    is defined as 0 everywhere, so nothing learns through it by backpropagation (that
    is why the perceptron has its own learning rule).
    """

    def forward(self, x: Array) -> Array:
        return (x >= 0).astype(x.dtype)

    def backward(self, grad_output: Array) -> tuple[Array]:
        return (xp.zeros_like(grad_output),)


class Clip(Op):
    """y = min(max(x, low), high).  Backward: grad_output where low <= x <= high, else 0.

    The bounds are inclusive (as ``torch.clamp``): at x == low the gradient passes.
    Either bound may be None.
    """

    def __init__(self, low: float | None, high: float | None) -> None:
        self.low, self.high = low, high

    def forward(self, x: Array) -> Array:
        self.x = x
        return xp.clip(x, self.low, self.high)

    def backward(self, grad_output: Array) -> tuple[Array]:
        inside = xp.ones(self.x.shape, dtype=bool)
        if self.low is not None:
            inside &= self.x >= self.low
        if self.high is not None:
            inside &= self.x <= self.high
        return (grad_output * inside,)


# --- selection ---


def _split_ties(grad_output: Array, wins: Array, ties: Array) -> tuple[Array, Array]:
    """Route grad_output to the winning input; a tie gives each input half."""
    share = xp.where(wins, 1.0, xp.where(ties, 0.5, 0.0)).astype(grad_output.dtype)
    return grad_output * share, grad_output * (1 - share)


class Maximum(Op):
    """z = max(a, b) elementwise.  Backward: to the larger input; ties split 1/2 each."""

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return xp.maximum(a, b)

    def backward(self, grad_output: Array) -> tuple[Array, Array]:
        return _split_ties(grad_output, self.a > self.b, self.a == self.b)


class Minimum(Op):
    """z = min(a, b) elementwise.  Backward: to the smaller input; ties split 1/2 each."""

    def forward(self, a: Array, b: Array) -> Array:
        self.a, self.b = a, b
        return xp.minimum(a, b)

    def backward(self, grad_output: Array) -> tuple[Array, Array]:
        return _split_ties(grad_output, self.a < self.b, self.a == self.b)


class Where(Op):
    """z = a where condition else b.  Backward: grad_output routed by the condition.

    The boolean condition is a constant of the op, not an input.
    """

    def __init__(self, condition: Array) -> None:
        self.condition = condition

    def forward(self, a: Array, b: Array) -> Array:
        return xp.where(self.condition, a, b)

    def backward(self, grad_output: Array) -> tuple[Array, Array]:
        zero = xp.zeros((), dtype=grad_output.dtype)
        return (
            xp.where(self.condition, grad_output, zero),
            xp.where(self.condition, zero, grad_output),
        )
