"""L-BFGS: a quasi-Newton method over all parameters at once, SciPy's L-BFGS-B."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from rosenblatt.backend import Array, xp
from rosenblatt.optim.optimizer import Optimizer
from rosenblatt.tensor import Tensor

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """Minimise ``closure()`` over the parameters by L-BFGS (Liu & Nocedal, 1989).

    As ``torch.optim.LBFGS``, one ``step(closure)`` runs a whole minimisation:
    ``closure`` clears the gradients, computes the loss on the full batch, calls
    ``backward()`` and returns the loss. The search itself is SciPy's L-BFGS-B on the
    parameters flattened into one float64 vector; its line search picks every step,
    so there is no learning rate.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to optimise.
    max_iter : int, default=20
        The most L-BFGS iterations one ``step`` runs.
    max_eval : int or None, default=None
        The most ``closure`` calls one ``step`` makes (None: 1.25 * max_iter, as
        PyTorch).
    tolerance_grad : float, default=1e-7
        Stop when every component of the projected gradient is at most this (SciPy's
        ``gtol``).
    history_size : int, default=10
        How many past updates approximate the inverse Hessian (SciPy's ``maxcor``).

    Attributes
    ----------
    n_iter : int
        Iterations of the last ``step``.
    converged : bool
        Whether the last ``step`` met ``tolerance_grad`` (False at a limit).
    message : str
        SciPy's account of why the last ``step`` stopped.

    Examples
    --------
    >>> from rosenblatt import Tensor, optim
    >>> w = Tensor([3.0, -2.0], requires_grad=True, dtype="float64")
    >>> opt = optim.LBFGS([w], max_iter=50)
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - 1.0) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> round(opt.step(closure), 8), w.data.round(6).tolist()
    (0.0, [1.0, 1.0])
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        history_size: int = 10,
    ) -> None:
        super().__init__(params, lr=1.0)
        for name, value in (("max_iter", max_iter), ("history_size", history_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: expected {name} >= 1, got {value!r}")
        self.max_iter, self.history_size = max_iter, history_size
        self.max_eval = max_eval if max_eval is not None else max_iter * 5 // 4
        self._check_positive("tolerance_grad", tolerance_grad, allow_zero=True)
        self.tolerance_grad = tolerance_grad
        self.n_iter, self.converged, self.message = 0, False, ""

    def step(self, closure: Callable[[], Tensor] | None = None) -> float:  # type: ignore[override]
        """Minimise ``closure()`` from the current parameters; return the final loss."""
        if closure is None:
            raise TypeError("LBFGS.step: needs a closure that returns the loss")
        import scipy.optimize  # only L-BFGS needs SciPy: the engine imports without it

        params, shapes = self.params, [p.shape for p in self.params]
        bounds = np.cumsum([0] + [p.size for p in params])

        def unpack(flat: Array) -> None:
            for p, lo, hi, shape in zip(
                params, bounds[:-1], bounds[1:], shapes, strict=True
            ):
                p.data[...] = flat[lo:hi].reshape(shape)

        def loss_and_grad(flat: Array) -> tuple[float, Array]:
            unpack(flat)
            with xp.errstate(over="ignore", invalid="ignore"):
                loss = closure()
            grads = [
                xp.zeros(s) if p.grad is None else p.grad
                for p, s in zip(params, shapes, strict=True)
            ]
            # float64 for SciPy, cast while concatenating (one pass, not two)
            return loss.item(), xp.concatenate(
                [g.ravel() for g in grads], dtype=np.float64
            )

        start = xp.concatenate([p.data.ravel() for p in params], dtype=np.float64)
        result = scipy.optimize.minimize(
            loss_and_grad,
            start,
            method="L-BFGS-B",
            jac=True,
            options={
                "maxfun": self.max_eval,
                "maxiter": self.max_iter,
                "gtol": self.tolerance_grad,
                "maxcor": self.history_size,
            },
        )
        unpack(result.x)
        self.step_count += 1
        message = result.message
        self.message = message.decode() if isinstance(message, bytes) else str(message)
        self.n_iter, self.converged = int(result.nit), result.status == 0
        return float(result.fun)
