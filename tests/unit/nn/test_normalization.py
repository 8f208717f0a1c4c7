"""LRN, batch norm and Dropout2d: gradchecks, train/eval behaviour, and the CNN models."""

import numpy as np
import pytest

from rosenblatt import Tensor, models, nn
from rosenblatt.testing import gradcheck

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_lrn_gradient(size: int) -> None:
    layer = nn.LocalResponseNorm(size, alpha=0.5, beta=0.75, k=2.0)
    assert gradcheck(layer, RNG.standard_normal((2, 6, 2, 2)))


def test_lrn_by_hand_for_one_channel_window() -> None:
    layer = nn.LocalResponseNorm(1, alpha=1.0, beta=1.0, k=1.0)
    x = Tensor(np.full((1, 1, 1, 1), 2.0))
    assert layer(x).item() == pytest.approx(
        2.0 / (1.0 + 4.0)
    )  # a / (k + alpha/n a^2)^beta


def test_batch_norm_gradient_and_normalisation() -> None:
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    assert gradcheck(lambda x: bn(x), RNG.standard_normal((4, 3, 2, 2)))
    y = bn(Tensor(RNG.standard_normal((8, 3, 4, 4)) * 5 + 2, dtype=np.float64)).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), 1, rtol=1e-3)


def test_batch_norm_running_statistics_and_eval_mode() -> None:
    bn = nn.BatchNorm1d(2, momentum=0.5, dtype=np.float64)
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    bn(Tensor(x, dtype=np.float64))
    # running = 0.5 * initial + 0.5 * batch; unbiased var of [1, 3] is 2, of [10, 30] 200
    np.testing.assert_allclose(bn.running_mean, [1.0, 10.0])
    np.testing.assert_allclose(bn.running_var, [0.5 + 1.0, 0.5 + 100.0])
    bn.eval()
    y = bn(Tensor(x, dtype=np.float64)).data
    np.testing.assert_allclose(y[:, 0], (x[:, 0] - 1.0) / np.sqrt(1.5 + 1e-5))
    assert "running_mean" in bn.state_dict()


def test_dropout2d_drops_whole_channels() -> None:
    drop = nn.Dropout2d(0.5, rng=0)
    y = drop(Tensor(np.ones((8, 16, 3, 3)))).data
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(axis=2) | (per_channel == 2.0).all(axis=2))
    assert 0.3 < (per_channel[:, :, 0] == 0).mean() < 0.7
    assert drop.eval()(Tensor(np.ones((1, 2, 2, 2)))).data.sum() == 8


def test_models_have_the_documented_shapes() -> None:
    lenet = models.lenet5(rng=0)
    assert sum(p.size for p in lenet.parameters()) == 61_706
    assert lenet(Tensor(np.zeros((3, 1, 28, 28)))).shape == (3, 10)
    alex = models.alexnet_small(rng=0).eval()
    assert alex(Tensor(np.zeros((2, 1, 28, 28)))).shape == (2, 10)
    kinds = {type(m).__name__ for m in alex}
    assert {"Conv2d", "LocalResponseNorm", "MaxPool2d", "Dropout", "Linear"} <= kinds
