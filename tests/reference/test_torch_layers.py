"""LRN and batch norm against torch.nn, forward, gradients and running statistics."""

import numpy as np
import pytest

from rosenblatt import Tensor, nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_lrn_matches_torch(size: int) -> None:
    rng = np.random.default_rng(size)
    x = rng.standard_normal((2, 7, 3, 3))
    ours = Tensor(x, requires_grad=True, dtype=np.float64)
    y = nn.LocalResponseNorm(size, alpha=0.5, beta=0.75, k=2.0)(ours)
    weights = rng.standard_normal(y.shape)
    (y * Tensor(weights)).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    ty = torch.nn.LocalResponseNorm(size, 0.5, 0.75, 2.0)(theirs)
    (ty * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("shape", [(6, 4), (4, 3, 5), (4, 3, 2, 3)])
def test_batch_norm_matches_torch_in_train_and_eval(shape) -> None:
    rng = np.random.default_rng(0)
    c = shape[1]
    ours = (nn.BatchNorm2d if len(shape) == 4 else nn.BatchNorm1d)(c, dtype=np.float64)
    theirs = (torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d)(
        c
    ).double()
    for _ in range(3):
        x = rng.standard_normal(shape) * 3 + 1
        t = Tensor(x, requires_grad=True, dtype=np.float64)
        y = ours(t)
        weights = rng.standard_normal(y.shape)
        (y * Tensor(weights)).sum().backward()
        px = torch.tensor(x, requires_grad=True)
        py = theirs(px)
        (py * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(y.data, py.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(t.grad, px.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(
            ours.running_mean, theirs.running_mean.numpy(), atol=1e-12
        )
        np.testing.assert_allclose(
            ours.running_var, theirs.running_var.numpy(), atol=1e-12
        )
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(
        ours(Tensor(x, dtype=np.float64)).data,
        theirs(torch.tensor(x)).detach().numpy(),
        atol=1e-12,
    )
