"""Rosenblatt's rule, one sample at a time: the perceptron's online epoch as a loop."""

from __future__ import annotations

from typing import Any

from rosenblatt.kernels import kernel

__all__ = ["online_epoch"]


@kernel(fastmath={"reassoc"})
def online_epoch(
    X: Any,
    d: Any,
    factors: Any,
    W: Any,
    order: Any,
    active: Any,
    eta0: float,
    power_t: float,
    invscaling: bool,
    t0: int,
    bipolar: bool,
    zero_is_wrong: bool,
    mistakes: Any,
    loss: Any,
    pocket_W: Any,
    pocket_mistakes: Any,
) -> None:
    """One pass over the rows of X in ``order``: w_u <- w_u + eta (d - y) x on a mistake.

    For each sample x (row i, with its constant input) and each active unit u:
    y = +1 if w_u . x >= 0 else the other value; a mistake is y != d[i, u] (also
    w_u . x = 0 when ``zero_is_wrong``). Then d - y is 2 d (bipolar) or 2 d - 1
    (binary), times ``factors[i, u]`` (sample and class weights; an empty array for
    none), and eta is eta0, or eta0 / t**power_t at step t = t0 + k + 1 for the k-th
    sample presented. ``mistakes[u]`` counts the updates and ``loss[u]`` adds
    max(0, -s w_u . x) = |w_u . x| (weighted) at each mistake. W is updated in place,
    in its own dtype (float32 stays float32).

    Gallant's pocket (``pocket_W`` of W's shape; an empty array for none): after each
    update of unit u, its weights' mistakes over the whole training set (weighted) are
    counted, and they replace ``pocket_W[u]`` if fewer than ``pocket_mistakes[u]``.
    """
    n_rows = X.shape[0]
    n_units, n_features = W.shape
    weighted = factors.shape[0] > 0
    pocket = pocket_W.shape[0] > 0
    for k in range(order.shape[0]):
        i = order[k]
        for u in range(n_units):
            if not active[u]:
                continue
            score = W[u, 0] * X[i, 0]
            for j in range(1, n_features):
                score += W[u, j] * X[i, j]
            wrong = (score >= 0) != (d[i, u] > 0)
            if zero_is_wrong and score == 0:
                wrong = True
            if not wrong:
                continue
            factor = factors[i, u] if weighted else 1.0
            loss[u] += abs(score) * factor
            correction = 2 * d[i, u] if bipolar else 2 * d[i, u] - 1
            eta = eta0 / (t0 + k + 1) ** power_t if invscaling else eta0
            step = W.dtype.type(eta * correction * factor)
            for j in range(n_features):
                W[u, j] += step * X[i, j]
            mistakes[u] += 1
            if not pocket:
                continue
            count = 0.0
            for r in range(n_rows):
                s = W[u, 0] * X[r, 0]
                for j in range(1, n_features):
                    s += W[u, j] * X[r, j]
                if (s >= 0) != (d[r, u] > 0):
                    count += factors[r, u] if weighted else 1.0
            if count < pocket_mistakes[u]:
                pocket_mistakes[u] = count
                for j in range(n_features):
                    pocket_W[u, j] = W[u, j]
