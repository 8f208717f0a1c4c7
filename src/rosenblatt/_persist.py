"""Saving and loading fitted estimators through the safe model-file format of ``io``.

An estimator file holds the estimator's class name, its JSON-representable
parameters, its fitted attributes (JSON) and its arrays (safetensors). Loading checks
that the file holds the expected estimator, rebuilds it from its parameters, and
restores the fitted state after validating it; nothing in the file is executed.
"""

from __future__ import annotations

import math
import os
from typing import Any, TypeVar

import numpy as np

from rosenblatt import io
from rosenblatt._params import check_params
from rosenblatt.io import ModelFileError

__all__ = [
    "SavableEstimator",
    "fit_record",
    "optimizer_state",
    "restore_fit_record",
    "restore_optimizer",
    "restore_training_state",
    "training_state",
]

E = TypeVar("E", bound="SavableEstimator")


def _jsonable(value: Any) -> Any:
    """A parameter value as JSON (tuples as lists); None where JSON cannot say it."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)  # inf is kept: Python's json reads and writes Infinity
    if isinstance(value, (list, tuple, np.ndarray)):
        items = [_jsonable(v) for v in value]
        return None if any(v is None for v in items) else items
    if isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if isinstance(value, dict):
        entries = {str(k): _jsonable(v) for k, v in value.items()}
        return None if any(v is None for v in entries.values()) else entries
    return None  # RandomState, callbacks: not stored (documented on save)


class SavableEstimator:
    """Adds ``est.save(path)`` and ``Estimator.load(path)`` to an estimator.

    Subclasses provide ``_fitted_state() -> (arrays, json)`` and
    ``_restore_fitted(arrays, json, where)``.
    """

    def save(
        self,
        path: str | os.PathLike[str],
        data_name: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Save this fitted estimator to ``path`` (atomically; no pickle).

        Parameters that JSON cannot hold -- a ``RandomState`` instance, callbacks --
        are saved as None; the fitted model itself is saved exactly. ``extra`` is any
        JSON object kept beside it (e.g. preprocessing).
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        arrays, fitted = self._fitted_state()
        fitted["n_features_in"] = int(self.n_features_in_)  # type: ignore[attr-defined]
        names = getattr(self, "feature_names_in_", [])
        fitted["feature_names_in"] = [str(n) for n in names]
        params = {k: _jsonable(v) for k, v in self.get_params(deep=False).items()}  # type: ignore[attr-defined]
        info = {
            **io.provenance(data_name),
            "kind": "estimator",
            "estimator": type(self).__name__,
            "params": params,
            "fitted": fitted,
            "extra": dict(extra or {}),
        }
        io.write_file(path, arrays, info)

    @classmethod
    def load(cls: type[E], path: str | os.PathLike[str]) -> E:
        """Load an estimator saved by ``save``, after checking everything in the file."""
        arrays, info = io.read_file(path)
        return cls.from_file_contents(arrays, info, str(path))

    @classmethod
    def from_file_contents(
        cls: type[E], arrays: dict[str, Any], info: dict[str, Any], where: str
    ) -> E:
        """The estimator a file's arrays and JSON describe (``io.load`` calls this)."""
        if info.get("kind") != "estimator" or info.get("estimator") != cls.__name__:
            raise ModelFileError(
                f"{where}: holds a {info.get('estimator') or info.get('kind')!r}, "
                f"not a {cls.__name__}"
            )
        params, fitted = info.get("params"), info.get("fitted")
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise ModelFileError(
                f"{where}: parameters or fitted state are not JSON objects"
            )
        try:
            estimator = cls(**{k: v for k, v in params.items() if v is not None})
            estimator._check_hyperparameters()  # as fit would check them
        except (TypeError, ValueError) as error:
            raise ModelFileError(
                f"{where}: parameters do not fit {cls.__name__}: {error}"
            ) from None
        estimator._restore_fitted(arrays, fitted, where)
        names = fitted.get("feature_names_in") or []
        if names:
            n = estimator.n_features_in_  # type: ignore[attr-defined]
            if not (
                isinstance(names, list)
                and len(names) == n
                and all(isinstance(name, str) for name in names)
            ):
                raise ModelFileError(
                    f"{where}: feature names must be {n} strings, one per feature"
                )
            estimator.feature_names_in_ = np.array(names, dtype=object)  # type: ignore[attr-defined]
        return estimator

    def _check_hyperparameters(self) -> None:
        """Raise as ``fit`` would for invalid parameters (a loaded file is checked so)."""
        check_params(self, self._constraints)  # type: ignore[attr-defined]

    def _fitted_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        raise NotImplementedError

    def _restore_fitted(
        self, arrays: dict[str, Any], fitted: dict[str, Any], where: str
    ) -> None:
        raise NotImplementedError


def require_int(fitted: dict[str, Any], key: str, where: str) -> int:
    """A non-negative integer field of the fitted state."""
    value = fitted.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ModelFileError(
            f"{where}: fitted field {key!r} must be a non-negative int"
        )
    return value


def require_floats(fitted: dict[str, Any], key: str, where: str) -> list[float]:
    """A list of numbers (finite or not) from the fitted state."""
    value = fitted.get(key)
    if not isinstance(value, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        raise ModelFileError(f"{where}: fitted field {key!r} must be a list of numbers")
    return [float(v) if not math.isnan(v) else math.nan for v in value]


# --- the state a scikit-learn-style estimator needs to keep training ---

_CURVES = ("loss_curve_", "validation_loss_curve_", "validation_scores_")


def fit_record(est: Any) -> dict[str, Any]:
    """A fit's counters and curves as JSON fields: ``n_iter_``, ``t_``, ``loss_``, curves."""
    return {
        "n_iter": int(est.n_iter_),
        "t": int(est.t_),
        "loss": float(est.loss_),
        "curves": {
            name: [float(v) for v in getattr(est, name)]
            for name in _CURVES
            if getattr(est, name, None) is not None
        },
    }


def restore_fit_record(est: Any, fitted: dict[str, Any], where: str) -> None:
    """Set what ``fit_record`` saved on ``est``, checked."""
    est.n_iter_ = require_int(fitted, "n_iter", where)
    est.t_ = require_int(fitted, "t", where)
    est.loss_ = require_floats({"loss": [fitted.get("loss")]}, "loss", where)[0]
    curves = fitted.get("curves", {})
    if not isinstance(curves, dict):
        raise ModelFileError(f"{where}: fitted curves must be an object")
    for name in _CURVES:
        if name in curves:
            setattr(est, name, require_floats(curves, name, where))


def training_state(est: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """What continuing to train needs, as arrays and JSON: counters, best, optimizer.

    ``est`` is a scikit-learn-style stochastic estimator (``_no_improvement_count``,
    ``best_loss_``, ``best_validation_score_``, ``_best_params``, ``optimizer_``).
    Array names: ``best/<parameter>`` and ``optimizer/<i>/<buffer>``.
    """
    names = [name for name, _ in est.module_.named_parameters()]
    arrays: dict[str, Any] = {}
    best = getattr(est, "_best_params", None)
    if best is not None:
        arrays.update({f"best/{n}": b for n, b in zip(names, best, strict=True)})
    state: dict[str, Any] = {
        "no_improvement_count": int(getattr(est, "_no_improvement_count", 0)),
        "best_loss": _number_or_none(getattr(est, "best_loss_", None)),
        "best_validation_score": _number_or_none(
            getattr(est, "best_validation_score_", None)
        ),
        "optimizer": None,
    }
    if hasattr(est, "optimizer_"):
        optimizer_arrays, state["optimizer"] = optimizer_state(est.optimizer_)
        arrays.update(optimizer_arrays)
    return arrays, state


def optimizer_state(optimizer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """An optimizer's state as arrays (``optimizer/<i>/<buffer>``) and JSON."""
    saved = optimizer.state_dict()
    arrays, scalars = {}, []
    for i, entries in enumerate(saved["state"]):
        scalars.append({k: v.item() for k, v in entries.items() if v.ndim == 0})
        arrays.update({f"optimizer/{i}/{k}": v for k, v in entries.items() if v.ndim})
    spec = {
        "lr": float(saved["lr"]),
        "step_count": int(saved["step_count"]),
        "scalars": scalars,
    }
    return arrays, spec


def restore_training_state(
    est: Any, arrays: dict[str, Any], state: Any, where: str
) -> None:
    """Set what ``training_state`` saved on ``est`` (whose network is restored), checked.

    A file written before training states were saved has none: the estimator then
    predicts as saved, and further training starts with a fresh optimizer.
    """
    if state is None:
        state = {"no_improvement_count": 0, "best_loss": None, "optimizer": None}
        if not est.early_stopping:
            state["best_loss"] = float(
                min(getattr(est, "loss_curve_", None) or [math.inf])
            )
    if not isinstance(state, dict):
        raise ModelFileError(f"{where}: the training state is malformed")
    est._no_improvement_count = require_int(state, "no_improvement_count", where)
    for key, attribute in (
        ("best_loss", "best_loss_"),
        ("best_validation_score", "best_validation_score_"),
    ):
        value = state.get(key)
        if value is not None:
            value = require_floats({key: [value]}, key, where)[0]
        setattr(est, attribute, value)
    params = list(est.module_.named_parameters())
    best = [arrays.get(f"best/{name}") for name, _ in params]
    est._best_params = None
    if any(b is not None for b in best):
        if any(
            b is None or b.shape != p.shape
            for b, (_, p) in zip(best, params, strict=True)
        ):
            raise ModelFileError(f"{where}: the best weights do not match the network")
        est._best_params = [b for b in best if b is not None]
    restore_optimizer(est, arrays, state.get("optimizer"), where, also=("best/",))


def restore_optimizer(
    est: Any,
    arrays: dict[str, Any],
    spec: Any,
    where: str,
    also: tuple[str, ...] = (),
) -> None:
    """Rebuild ``est.optimizer_`` from what ``optimizer_state`` saved (None: none).

    Every array whose name has a '/' must belong to it, or start with a prefix in
    ``also``.
    """
    used = set() if spec is None else _optimizer_from(est, arrays, spec, where)
    unknown = {
        k
        for k in arrays
        if "/" in k and k not in used and not any(k.startswith(p) for p in also)
    }
    if unknown:
        raise ModelFileError(f"{where}: unexpected arrays {sorted(unknown)}")


def _optimizer_from(
    est: Any, arrays: dict[str, Any], spec: Any, where: str
) -> set[str]:
    """Rebuild ``est.optimizer_`` from the file; return the array names it used."""
    scalars = spec.get("scalars") if isinstance(spec, dict) else None
    params = list(est.module_.parameters())
    if not isinstance(scalars, list) or len(scalars) != len(params):
        raise ModelFileError(f"{where}: the optimizer state is malformed")
    used: set[str] = set()
    states = []
    for i, (param, numbers) in enumerate(zip(params, scalars, strict=True)):
        prefix = f"optimizer/{i}/"
        entries = {
            k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)
        }
        used.update(prefix + k for k in entries)
        if not isinstance(numbers, dict) or any(
            v.shape != param.shape for v in entries.values()
        ):
            raise ModelFileError(
                f"{where}: the optimizer state does not match the network"
            )
        entries.update({k: np.asarray(v) for k, v in numbers.items()})
        states.append(entries)
    try:
        lr, count = float(spec["lr"]), int(spec["step_count"])
    except (KeyError, TypeError, ValueError):
        raise ModelFileError(f"{where}: the optimizer state is malformed") from None
    est.optimizer_ = est._make_optimizer()
    est.optimizer_.load_state_dict({"lr": lr, "step_count": count, "state": states})
    return used


def _number_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
