"""Forward values and gradients of every op equal PyTorch's (float64, same inputs)."""

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rosenblatt as rb
from op_cases import OP_CASES, OpCase, make_inputs

torch = pytest.importorskip("torch")


def assert_matches_torch(
    case: OpCase, arrays: list[np.ndarray], extra: dict[str, Any]
) -> None:
    ours_in = [rb.Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
    theirs_in = [
        torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays
    ]
    ours = case.fn(*ours_in, **extra)
    theirs = case.torch_fn(*theirs_in, **extra)
    np.testing.assert_allclose(
        ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12
    )
    if not case.torch_grad:
        return
    weights = np.random.default_rng(0).standard_normal(ours.shape)
    (ours * rb.Tensor(weights, dtype=np.float64)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for k, (a, b) in enumerate(zip(ours_in, theirs_in, strict=True)):
        expected = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
        got = np.zeros(a.shape) if a.grad is None else a.grad
        np.testing.assert_allclose(
            got, expected, rtol=1e-9, atol=1e-12, err_msg=f"input {k}"
        )


@pytest.mark.parametrize("case", OP_CASES, ids=lambda c: c.name)
@given(data=st.data())
def test_forward_and_gradients_match_torch(case: OpCase, data: st.DataObject) -> None:
    arrays, extra = make_inputs(case, data)
    assert_matches_torch(case, arrays, extra)


@pytest.mark.parametrize("name", ["max", "min"])
def test_ties_share_the_gradient_like_torch_amax(name: str) -> None:
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]) * (1 if name == "max" else -1)
    ours = rb.Tensor(x, requires_grad=True, dtype=np.float64)
    theirs = torch.tensor(x, requires_grad=True)
    getattr(ours, name)(axis=1).sum().backward()
    getattr(theirs, "a" + name)(dim=1).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


def test_maximum_ties_split_like_torch() -> None:
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 0.0])
    ta, tb = rb.Tensor(a, True, np.float64), rb.Tensor(b, True, np.float64)
    pa, pb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    rb.maximum(ta, tb).sum().backward()
    torch.maximum(pa, pb).sum().backward()
    np.testing.assert_allclose(ta.grad, pa.grad.numpy())
    np.testing.assert_allclose(tb.grad, pb.grad.numpy())


@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy_extreme_logits_match_torch(scale: float) -> None:
    logits = np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]]) * scale
    target = np.array([1, 1])
    ours = rb.Tensor(logits, True, np.float64)
    theirs = torch.tensor(logits, requires_grad=True)
    loss = rb.nn.functional.cross_entropy(ours, target)
    expected = torch.nn.functional.cross_entropy(theirs, torch.tensor(target))
    loss.backward()
    expected.backward()
    assert np.isfinite(loss.item())
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-12)
