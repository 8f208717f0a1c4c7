"""Conv2d, pooling and Flatten layers: shapes, initialisation, errors, and a CNN that learns."""

import numpy as np
import pytest

from rosenblatt import Tensor, nn, optim
from rosenblatt.data import load
from rosenblatt.nn import functional as F
from rosenblatt.train import fit, predict


def test_conv_layer_shapes_and_torch_default_initialisation() -> None:
    conv = nn.Conv2d(3, 8, kernel_size=(3, 5), stride=2, padding=1, rng=0)
    assert conv.weight.shape == (8, 3, 3, 5) and conv.bias.shape == (8,)
    bound = 1 / np.sqrt(3 * 3 * 5)
    assert np.abs(conv.weight.data).max() <= bound
    out = conv(Tensor(np.zeros((2, 3, 10, 11))))
    assert out.shape == (2, 8, 5, 5)  # (10 + 2 - 3) // 2 + 1, (11 + 2 - 5) // 2 + 1


def test_a_known_kernel_gives_the_known_answer() -> None:
    conv = nn.Conv2d(1, 1, 2, bias=False, rng=0)
    conv.load_state_dict({"weight": np.array([[[[1.0, 0.0], [0.0, -1.0]]]])})
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    # top-left window [[0, 1], [3, 4]] -> 0 - 4 = -4; every window differs by -4
    np.testing.assert_allclose(conv(x).data, np.full((1, 1, 2, 2), -4.0))


def test_pooling_layers_and_flatten() -> None:
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data, [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(
        nn.AvgPool2d(2)(x).data, [[[[2.5, 4.5], [10.5, 12.5]]]]
    )
    assert nn.Flatten()(Tensor(np.zeros((3, 2, 4, 4)))).shape == (3, 32)


def test_max_pool_ties_go_to_the_first_maximum() -> None:
    x = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_errors_name_the_problem() -> None:
    with pytest.raises(
        ValueError, match=r"expected input of shape \(N, 3, H, W\), got \(2, 4, 5, 5\)"
    ):
        nn.Conv2d(3, 4, 3)(Tensor(np.zeros((2, 4, 5, 5))))
    with pytest.raises(ValueError, match="must both divide by groups 2"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="does not fit input"):
        F.conv2d(Tensor(np.zeros((1, 1, 2, 2))), Tensor(np.zeros((1, 1, 3, 3))))
    with pytest.raises(ValueError, match="at most half the kernel"):
        F.max_pool2d(Tensor(np.zeros((1, 1, 4, 4))), 2, padding=2)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, C, H, W\)"):
        F.avg_pool2d(Tensor(np.zeros((4, 4))), 2)


def test_a_small_cnn_learns_digits() -> None:
    data = load("digits", seed=0)
    images = data.X_train.reshape(-1, 1, 8, 8)
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 10, rng=1),
    )
    fit(
        net,
        F.cross_entropy,
        optim.Adam(net.parameters(), lr=5e-3),
        images,
        data.y_train,
        epochs=8,
        batch_size=64,
        rng=0,
        verbose=0,
    )
    predicted = predict(net, data.X_test.reshape(-1, 1, 8, 8)).argmax(axis=1)
    assert (predicted == data.y_test).mean() > 0.93
