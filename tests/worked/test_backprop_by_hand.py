"""A 2-2-1 sigmoid network: one forward pass and one backprop step, done by hand."""

import numpy as np
import pytest

from rosenblatt import Tensor, nn, optim


def sigmoid(z: float) -> float:
    return float(1 / (1 + np.exp(-z)))


def test_one_backprop_step_of_a_2_2_1_sigmoid_network_by_hand() -> None:
    # Network: h = sigmoid(x W1 + b1), y = sigmoid(h W2 + b2), loss = (y - t)^2 / 2.
    # Weights are (n_in, n_out), as in the text's a W + b.
    net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    W1 = np.array([[0.15, 0.25], [0.20, 0.30]])
    b1 = np.array([0.35, 0.35])
    W2 = np.array([[0.40], [0.50]])
    b2 = np.array([0.60])
    net.load_state_dict({"0.weight": W1, "0.bias": b1, "2.weight": W2, "2.bias": b2})
    x, t = np.array([[0.05, 0.10]]), 0.01

    # Forward, by hand:
    # z1 = [0.05*0.15 + 0.10*0.20 + 0.35, 0.05*0.25 + 0.10*0.30 + 0.35] = [0.3775, 0.3925]
    h = [sigmoid(0.3775), sigmoid(0.3925)]  # [0.593270, 0.596884]
    # z2 = 0.593270*0.40 + 0.596884*0.50 + 0.60 = 1.135750
    z2 = h[0] * 0.40 + h[1] * 0.50 + 0.60
    y = sigmoid(z2)  # 0.756899
    assert y == pytest.approx(0.756899, abs=1e-6)

    # Backward, by hand (chain rule, layer by layer):
    # dL/dy = y - t = 0.746899; dy/dz2 = y (1 - y) = 0.184003
    delta2 = (y - t) * y * (1 - y)  # 0.746899 * 0.184003 = 0.137432
    # dL/dW2 = h^T delta2; dL/db2 = delta2
    grad_W2 = np.array([[h[0] * delta2], [h[1] * delta2]])  # [[0.081534], [0.082031]]
    # dL/dh = delta2 W2^T; dL/dz1 = dL/dh * h (1 - h)
    delta1 = np.array(
        [delta2 * 0.40 * h[0] * (1 - h[0]), delta2 * 0.50 * h[1] * (1 - h[1])]
    )
    # delta1 = [0.137432 * 0.40 * 0.241301, 0.137432 * 0.50 * 0.240613]
    #        = [0.013265, 0.016534]
    grad_W1 = np.outer(x[0], delta1)  # x^T delta1
    assert grad_W2[0, 0] == pytest.approx(0.081534, abs=1e-6)
    np.testing.assert_allclose(delta1, [0.013265, 0.016534], atol=1e-6)

    out = net(Tensor(x))  # float32 parameters: compare to float32 precision
    loss = ((out - t) ** 2).sum() * 0.5
    loss.backward()
    np.testing.assert_allclose(net[2].weight.grad, grad_W2, rtol=1e-5)
    np.testing.assert_allclose(net[2].bias.grad, [delta2], rtol=1e-5)
    np.testing.assert_allclose(net[0].weight.grad, grad_W1, rtol=1e-5)
    np.testing.assert_allclose(net[0].bias.grad, delta1, rtol=1e-5)

    # One gradient-descent step with lr 0.5: W <- W - 0.5 dL/dW.
    optim.SGD(net.parameters(), lr=0.5).step()
    np.testing.assert_allclose(net[2].weight.data, W2 - 0.5 * grad_W2, rtol=1e-6)
    # W2[0] = 0.40 - 0.5 * 0.081534 = 0.359233
    assert float(net[2].weight.data[0, 0]) == pytest.approx(0.359233, abs=1e-6)
    np.testing.assert_allclose(net[0].weight.data, W1 - 0.5 * grad_W1, rtol=1e-6)
