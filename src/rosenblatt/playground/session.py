"""One playground tab's network: its data, its training, and what the page draws.

A ``Spec`` is everything the page can set (it is what the URL holds); ``Session``
trains a network built from it with rosenblatt's engine, and ``Session.view()``
returns what the page draws: the losses, each neuron's output over the input plane,
the weights, and the per-layer gradient norms. ``mode='1958'`` runs Rosenblatt's
perceptron instead, one sample at a time, with the library's own ``Perceptron``.
"""

from __future__ import annotations

import base64
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rosenblatt import Tensor, nn, no_grad, optim
from rosenblatt.nn import functional as F

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "FEATURES",
    "GRID",
    "Session",
    "Spec",
    "SpecError",
    "dataset",
]

DATASETS = ("xor", "circle", "gauss", "spiral", "moons", "plane")
FEATURES = {  # the input features, as TensorFlow Playground names them
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a),
    "sin(x2)": lambda a, b: np.sin(b),
}
ACTIVATIONS = {
    "identity": nn.Identity,
    "step": nn.Step,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}
GRID = 50  # the surface is drawn on GRID x GRID points of [-6, 6]^2
EXTENT = 6.0
POINTS = 500
MAX_LAYERS, MAX_NEURONS = 6, 8


class SpecError(ValueError):
    """A playground setting out of range or unknown; the message names it."""


@dataclass
class Spec:
    """Every setting of the page; ``Spec.parse`` checks a JSON object into one."""

    dataset: str = "xor"
    noise: int = 0  # percent
    train_percent: int = 50
    batch_size: int = 10
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    layers: list[int] = field(default_factory=lambda: [4, 2])
    activations: list[str] = field(default_factory=lambda: ["tanh", "tanh"])
    learning_rate: float = 0.03
    regularization: str = "none"  # none, l1, l2
    regularization_rate: float = 0.0
    problem: str = "classification"  # regression for 'plane'
    seed: int = 0
    mode: str = "network"  # or '1958'

    @classmethod
    def parse(cls, raw: Any) -> Spec:
        """A Spec from a JSON object, every field checked; unknown fields refused."""
        if not isinstance(raw, dict):
            raise SpecError("spec: expected a JSON object")
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise SpecError(f"spec: unknown settings {unknown[:5]}")
        spec = cls(**raw)
        spec._check()
        return spec

    def _check(self) -> None:
        _choice("dataset", self.dataset, DATASETS)
        _integer("noise", self.noise, 0, 50)
        _integer("train_percent", self.train_percent, 10, 90)
        _integer("batch_size", self.batch_size, 1, 30)
        _integer("seed", self.seed, 0, 2**31 - 1)
        _choice("mode", self.mode, ("network", "1958"))
        _choice("problem", self.problem, ("classification", "regression"))
        _choice("regularization", self.regularization, ("none", "l1", "l2"))
        _number("learning_rate", self.learning_rate, 1e-5, 10.0)
        _number("regularization_rate", self.regularization_rate, 0.0, 10.0)
        if (self.dataset == "plane") != (self.problem == "regression"):
            raise SpecError("spec: 'plane' is the regression dataset, and the only one")
        if not isinstance(self.features, list) or not self.features:
            raise SpecError("spec: features must be a non-empty list")
        for name in self.features:
            _choice("feature", name, tuple(FEATURES))
        if len(set(self.features)) != len(self.features):
            raise SpecError("spec: a feature is listed twice")
        if not isinstance(self.layers, list) or len(self.layers) > MAX_LAYERS:
            raise SpecError(f"spec: layers must be a list of at most {MAX_LAYERS}")
        for width in self.layers:
            _integer("a layer's neurons", width, 1, MAX_NEURONS)
        if not isinstance(self.activations, list) or len(self.activations) != len(
            self.layers
        ):
            raise SpecError("spec: one activation per hidden layer")
        for name in self.activations:
            _choice("activation", name, tuple(ACTIVATIONS))
        if self.mode == "1958" and self.problem != "classification":
            raise SpecError(
                "spec: the 1958 perceptron classifies; pick a class dataset"
            )


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise SpecError(
            f"spec: {name} must be one of {list(allowed)}, got {value!r:.40}"
        )


def _integer(name: str, value: Any, low: int, high: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise SpecError(f"spec: {name} must be an integer in [{low}, {high}]")


def _number(name: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"spec: {name} must be a number")
    if not (math.isfinite(value) and low <= value <= high):
        raise SpecError(f"spec: {name} must be in [{low}, {high}]")


def points(spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """The data set: POINTS points of [-6, 6]^2 and their labels (0/1) or values."""
    rng = np.random.default_rng(spec.seed)
    n, noise = POINTS, spec.noise / 100
    if spec.dataset == "xor":
        X = rng.uniform(-5, 5, (n, 2))
        X += np.where(X > 0, 0.3, -0.3)  # keep points off the axes, as TF does
        y = (X[:, 0] * X[:, 1] < 0).astype(float)
        X += rng.normal(0, noise * 5, X.shape)
    elif spec.dataset == "circle":
        radius = np.concatenate(
            [rng.uniform(0, 2.5, n // 2), rng.uniform(3.5, 5, n // 2)]
        )
        angle = rng.uniform(0, 2 * np.pi, n)
        X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        y = (radius < 3).astype(float)
        X += rng.normal(0, noise * 5, X.shape)
    elif spec.dataset == "gauss":
        y = (np.arange(n) % 2).astype(float)
        X = rng.normal(0, 1 + noise * 4, (n, 2)) + np.where(y[:, None] > 0, 2.0, -2.0)
    elif spec.dataset in ("spiral", "moons"):
        y = (np.arange(n) % 2).astype(float)
        t = rng.uniform(0, 1, n)
        if spec.dataset == "spiral":
            r = 5 * t
            angle = 1.75 * 2 * np.pi * t + np.pi * y
            X = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        else:
            angle = np.pi * t
            X = np.stack(
                [np.cos(angle) - y, np.sin(angle) * np.where(y > 0, -1, 1) + 0.25 * y],
                axis=1,
            )
            X = (X - [-0.5, 0.25]) * 3
        X += rng.normal(0, 0.1 + noise * 2, X.shape)
    else:  # 'plane': a linear surface to regress, values in [-1, 1]
        X = rng.uniform(-6, 6, (n, 2))
        y = (X[:, 0] + X[:, 1]) / 12 + rng.normal(0, noise, n)
    order = rng.permutation(n)
    return np.clip(X[order], -EXTENT, EXTENT), y[order]


def feature_matrix(X: np.ndarray, names: list[str]) -> np.ndarray:
    """The chosen input features of points X (n, 2), float64, shape (n, len(names))."""
    return np.stack([FEATURES[name](X[:, 0], X[:, 1]) for name in names], axis=1)


def dataset(spec: Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A tab's data as the page has it: (X_train, y_train, X_test, y_test).

    The chosen features of the points, split as ``train_percent`` says.
    """
    X, y = points(spec)
    inputs, cut = feature_matrix(X, spec.features), len(X) * spec.train_percent // 100
    labels = y.astype(np.int64) if spec.problem == "classification" else y
    return inputs[:cut], labels[:cut], inputs[cut:], labels[cut:]


def _grid() -> np.ndarray:
    """The GRID x GRID points of the surface, row by row from the top (x2 = +6)."""
    axis = np.linspace(-EXTENT, EXTENT, GRID)
    x1, x2 = np.meshgrid(axis, axis[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def _picture(values: np.ndarray, low: float, high: float) -> str:
    """Values mapped from [low, high] to bytes 0..255, base64: one neuron's picture."""
    scaled = np.clip((values - low) / (high - low), 0, 1) * 255
    return base64.b64encode(np.round(scaled).astype(np.uint8).tobytes()).decode()


class Session:
    """A network (or a 1958 perceptron) training on a spec's data, step by step."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        X, y = points(spec)
        cut = len(X) * spec.train_percent // 100
        self.X, self.y = X, y
        self.train, self.test = slice(0, cut), slice(cut, None)
        self.inputs = feature_matrix(X, spec.features)
        self.grid_inputs = feature_matrix(_grid(), spec.features)
        self.rng = np.random.default_rng(spec.seed)
        self.epoch = 0
        self.train_loss: list[float] = []
        self.test_loss: list[float] = []
        self.grad_norms: list[list[float]] = []
        if spec.mode == "1958":
            self._start_perceptron()
        else:
            self._start_network()

    # --- the network ---

    def _start_network(self) -> None:
        spec = self.spec
        widths = [len(spec.features), *spec.layers]
        layers: list[nn.Module] = []
        for width_in, width_out, activation in zip(
            widths, widths[1:], spec.activations, strict=False
        ):
            layers += [nn.Linear(width_in, width_out, rng=self.rng, dtype=np.float64)]
            layers += [ACTIVATIONS[activation]()]
        outputs = 2 if spec.problem == "classification" else 1
        layers.append(nn.Linear(widths[-1], outputs, rng=self.rng, dtype=np.float64))
        self.net = nn.Sequential(*layers)
        self.linears = [m for m in self.net if isinstance(m, nn.Linear)]
        self.optimizer = optim.SGD(self.net.parameters(), lr=spec.learning_rate)
        self.train_loss.append(self._loss(self.train))
        self.test_loss.append(self._loss(self.test))

    def _objective(self, outputs: Tensor, rows: Any) -> Tensor:
        if self.spec.problem == "classification":
            return F.cross_entropy(outputs, self.y[rows].astype(np.int64))
        return F.mse_loss(outputs.reshape(-1), self.y[rows]) * 0.5

    def _loss(self, rows: slice) -> float:
        with no_grad():
            return float(
                self._objective(self.net(Tensor(self.inputs[rows])), rows).item()
            )

    def _penalty(self) -> Tensor | None:
        spec = self.spec
        if spec.regularization == "none" or spec.regularization_rate == 0:
            return None
        weights = [m.weight for m in self.linears]
        if spec.regularization == "l2":
            return sum(((w * w).sum() for w in weights), Tensor(0.0)) * (
                spec.regularization_rate / 2
            )
        return (
            sum((w.abs().sum() for w in weights), Tensor(0.0))
            * spec.regularization_rate
        )

    def step(self, epochs: int = 1) -> None:
        """Train for ``epochs`` passes (the 1958 mode: present ``epochs`` samples)."""
        if self.spec.mode == "1958":
            for _ in range(epochs):
                self._present_one()
            return
        rows = np.arange(self.train.stop)
        for _ in range(epochs):
            order = self.rng.permutation(rows)
            norms = np.zeros(len(self.linears))
            for start in range(0, len(order), self.spec.batch_size):
                batch = order[start : start + self.spec.batch_size]
                loss = self._objective(self.net(Tensor(self.inputs[batch])), batch)
                penalty = self._penalty()
                self.optimizer.zero_grad()
                (loss if penalty is None else loss + penalty).backward()
                self.optimizer.step()
                norms += [
                    np.linalg.norm(np.asarray(m.weight.grad)) for m in self.linears
                ]
            self.epoch += 1
            batches = math.ceil(len(order) / self.spec.batch_size)
            self.grad_norms.append((norms / batches).tolist())
            self.train_loss.append(self._loss(self.train))
            self.test_loss.append(self._loss(self.test))

    # --- 1958 ---

    def _start_perceptron(self) -> None:
        from rosenblatt.perceptron import Perceptron

        self.perceptron = Perceptron(eta0=0.1, shuffle=False, tol=None)
        self.perceptron.partial_fit(self.inputs[:1] * 0, self.y[:1], classes=[0.0, 1.0])
        self.perceptron.weights_[:] = 0.0  # w(0) = 0, as the text's rule starts
        self.epoch_errors: list[int] = []  # mistakes in each whole pass
        self.cursor = 0  # the next training sample presented
        self.mistakes_this_epoch = 0
        self.clean_epochs = 0  # epochs in a row without a mistake (the stopping rule)
        self.last: dict[str, Any] = {}

    def _present_one(self) -> None:
        """Present one training sample to the rule w <- w + eta (d - y) x."""
        i = self.cursor
        x, d = self.inputs[i : i + 1], self.y[i : i + 1]
        before = self.perceptron.weights_.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.perceptron.partial_fit(x, d)
        moved = not np.array_equal(before, self.perceptron.weights_)
        self.last = {"index": int(i), "mistake": bool(moved)}
        self.mistakes_this_epoch += int(moved)
        self.cursor += 1
        if self.cursor == self.train.stop:
            self.cursor = 0
            self.epoch += 1
            self.epoch_errors.append(self.mistakes_this_epoch)
            self.clean_epochs = (
                self.clean_epochs + 1 if not self.mistakes_this_epoch else 0
            )
            self.mistakes_this_epoch = 0

    # --- what the page draws ---

    def data(self) -> dict[str, Any]:
        """The points once per session: train then test, x1, x2 and the label."""
        return {
            "train": np.round(
                np.column_stack([self.X, self.y])[self.train], 4
            ).tolist(),
            "test": np.round(np.column_stack([self.X, self.y])[self.test], 4).tolist(),
            "grid": GRID,
            "extent": EXTENT,
            "features": self.spec.features,
        }

    def view(self) -> dict[str, Any]:
        """Everything the page redraws after a step."""
        if self.spec.mode == "1958":
            return self._perceptron_view()
        with no_grad():
            value = Tensor(self.grid_inputs)
            neurons = [[_picture(f, *_range("", f)) for f in self.grid_inputs.T]]
            for module in self.net[:-1]:  # every layer but the output's
                value = module(value)
                if not isinstance(module, nn.Linear):  # a layer's activations
                    low, high = _range(type(module).__name__, value.data)
                    columns = value.data.T
                    neurons.append([_picture(c, low, high) for c in columns])
            output = self._surface(self.net[-1](value))
        return {
            "mode": "network",
            "epoch": self.epoch,
            "train_loss": self.train_loss[-1],
            "test_loss": self.test_loss[-1],
            "losses": [self.train_loss[-200:], self.test_loss[-200:]],
            "neurons": neurons,
            "output": output,
            "weights": [np.round(m.weight.data, 4).tolist() for m in self.linears],
            "biases": [np.round(_data(m.bias), 4).tolist() for m in self.linears],
            "grad_norms": self.grad_norms[-200:],
        }

    def _surface(self, outputs: Tensor) -> str:
        if self.spec.problem == "classification":
            p = outputs.softmax(axis=1).data[:, 1]
            return _picture(p, 0.0, 1.0)
        return _picture(outputs.data[:, 0], -1.0, 1.0)

    def _perceptron_view(self) -> dict[str, Any]:
        w = self.perceptron.weights_  # [bias, w_1 .. w_F]
        scores = self.grid_inputs @ w[1:] + w[0]
        settled = self.clean_epochs >= 1
        return {
            "mode": "1958",
            "epoch": self.epoch,
            "sample": self.cursor,
            "last": self.last,
            "weights": np.round(w, 4).tolist(),
            "mistakes_this_epoch": self.mistakes_this_epoch,
            "errors": self.epoch_errors[-200:],
            "settled": settled,
            "output": _picture((scores >= 0).astype(float), 0.0, 1.0),
            "train_accuracy": float(
                self.perceptron.score(self.inputs[self.train], self.y[self.train])
            ),
        }

    def spec_json(self) -> dict[str, Any]:
        return asdict(self.spec)


def _data(bias: Any) -> np.ndarray:
    return np.asarray(bias.data)


def _range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """The range a neuron's picture maps to white..colour: the activation's own."""
    if activation in ("Sigmoid", "Step"):
        return 0.0, 1.0
    if activation == "Tanh":
        return -1.0, 1.0
    high = float(np.max(np.abs(values))) or 1.0
    return (0.0, high) if activation == "ReLU" else (-high, high)
