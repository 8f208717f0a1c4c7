"""Every differentiable op, gradchecked in float64 on hypothesis-drawn shapes."""

from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rosenblatt as rb
from op_cases import OP_CASES, OpCase, make_inputs
from rosenblatt.testing import GradcheckError, gradcheck


@pytest.mark.parametrize("case", OP_CASES, ids=lambda c: c.name)
@given(data=st.data())
def test_gradient_matches_finite_differences(case: OpCase, data: st.DataObject) -> None:
    arrays, extra = make_inputs(case, data)
    assert gradcheck(partial(case.fn, **extra), *arrays)


def test_step_gradient_is_exactly_zero() -> None:
    # The threshold is flat on both sides of 0; its gradient is defined as 0 there too.
    x = rb.Tensor([-2.0, 0.0, 3.0], requires_grad=True, dtype=np.float64)
    x.step().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_gradcheck_catches_a_wrong_gradient() -> None:
    # A deliberately wrong op: forward x**2 but backward claims 3x.
    from rosenblatt.ops import Op

    class WrongSquare(Op):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, grad_output):
            return (grad_output * 3 * self.x,)

    def wrong(x: rb.Tensor) -> rb.Tensor:
        return rb.Tensor.from_op(WrongSquare(), x)

    with pytest.raises(GradcheckError, match="input 0, element"):
        gradcheck(wrong, [1.0, 2.0])


def _all_ops(cls: type) -> list[type]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _all_ops(child))]


@pytest.mark.parametrize("case", OP_CASES, ids=lambda c: c.name)
@given(data=st.data())
def test_no_op_writes_into_the_gradient_it_is_given(
    case: OpCase, data: st.DataObject
) -> None:
    # The ownership rule of ops/op.py, which lets the engine pass gradients on
    # without copying: backward(grad_output) never changes grad_output.
    from rosenblatt.ops import Op

    changed: list[str] = []
    originals = {cls: cls.__dict__["backward"] for cls in _all_ops(Op)
                 if "backward" in cls.__dict__}  # fmt: skip

    def watched(original):
        def backward(self, grad_output):
            before = grad_output.copy()
            result = original(self, grad_output)
            if not np.array_equal(before, grad_output, equal_nan=True):
                changed.append(type(self).__name__)
            return result

        return backward

    arrays, extra = make_inputs(case, data)
    tensors = [rb.Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
    try:
        for cls, original in originals.items():
            cls.backward = watched(original)
        out = case.fn(*tensors, **extra)
        out.backward(np.random.default_rng(0).normal(size=out.shape))
    finally:
        for cls, original in originals.items():
            cls.backward = original
    assert changed == []
