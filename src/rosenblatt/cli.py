"""The command line: train, evaluate, predict, info, datasets and history.

``main(argv)`` parses arguments and calls the library; it holds no mathematics. Every
model trains through its estimator (``MLPClassifier``/``MLPRegressor``,
``CNNClassifier``, ``Perceptron``), one ``partial_fit`` epoch at a time, in one loop
that writes the checkpoints, handles Ctrl-C and resumes; a checkpoint is the
estimator's own file, which holds everything training needs to go on.
Exit status: 0 success, 1 failure (one line on stderr; ``--debug`` adds the
traceback), 2 usage errors, 130 when interrupted (after saving the model and a
checkpoint), 141 when the reader of stdout went away (``| head``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

MODEL_FILE = "model.safetensors"
CHECKPOINT_FILE = "checkpoint.safetensors"


class _InterruptedError(Exception):
    """Training stopped by Ctrl-C; the message says how to resume."""


def _positive_ints(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated ints, got {text!r}"
        ) from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"expected positive layer sizes, got {text!r}")
    return sizes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rosenblatt",
        description="Neural networks from first principles, on NumPy.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks on errors"
    )
    from rosenblatt._version import __version__

    parser.add_argument(
        "--version", action="version", version=f"rosenblatt {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train a classifier (by default an MLP on the bundled digits)",
        description="Train a classifier on a dataset (default: scikit-learn's digits, "
        "a fixed, seeded 75/25 split) and report the test accuracy and the confusion "
        "matrix. With --out DIR, also write the model, history.csv, figures, report.md "
        "and a checkpoint after every epoch.",
    )
    train.add_argument(
        "--data",
        default="digits",
        help="a dataset name (see 'rosenblatt datasets'), a .csv file, or data larger "
        "than memory, streamed: a .npy file (the target in its last column), a .npz "
        "file (X and y), or a folder of .npy shards",
    )
    train.add_argument(
        "--chunk-rows",
        type=int,
        default=50_000,
        help="streamed data: rows read at a time (default 50,000)",
    )
    train.add_argument("--target", help="the CSV target column (default: the last)")
    train.add_argument(
        "--data-dir", help="where to look for IDX files (Fashion-MNIST, MNIST)"
    )
    train.add_argument(
        "--model",
        choices=["mlp", "perceptron", "cnn"],
        default="mlp",
        help="a multilayer perceptron, Rosenblatt's perceptron, or a CNN (LeNet-5 "
        "for 28x28 images such as fashion-mnist, else a small CNN)",
    )
    train.add_argument(
        "--hidden",
        type=_positive_ints,
        default=None,
        help="MLP: hidden layer sizes, comma-separated (default: 256,128)",
    )
    train.add_argument(
        "--activation",
        default=None,
        choices=["relu", "tanh", "sigmoid", "identity"],
        help="MLP: hidden activation (default: relu)",
    )
    train.add_argument(
        "--solver",
        choices=["adam", "sgd"],
        default=None,
        help="MLP: optimizer (default: adam)",
    )
    train.add_argument(
        "--lr",
        type=float,
        default=None,
        help="learning rate (default: 2e-3 for the MLP, 1e-3 for the CNN, 1.0 for "
        "the perceptron)",
    )
    train.add_argument(
        "--epochs",
        type=int,
        default=30,
        help="passes over the data (default: 30; the perceptron stops at an epoch "
        "without mistakes)",
    )
    train.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="MLP and CNN: samples per step (default: 32 for the MLP, 128 for the CNN)",
    )
    train.add_argument(
        "--dropout",
        type=float,
        default=None,
        help="MLP and CNN: drop probability after each hidden layer (default: 0; "
        "the CNN's own otherwise)",
    )
    train.add_argument(
        "--val-split",
        type=float,
        default=0.0,
        help="hold out this fraction of the training set for validation, reported "
        "per epoch (default: none; the test split is never used for validation)",
    )
    train.add_argument(
        "--standardize",
        action="store_true",
        help="scale features to zero mean and unit variance (train statistics)",
    )
    train.add_argument(
        "--seed", type=int, default=0, help="seed for split, weights, order"
    )
    train.add_argument(
        "--threads",
        type=int,
        help="BLAS threads while training (default: one for small networks)",
    )
    train.add_argument(
        "--out", type=Path, help="write model, history, figures, report here"
    )
    train.add_argument(
        "--force",
        action="store_true",
        help="with --out: replace a run already in DIR (otherwise an error)",
    )
    train.add_argument(
        "--checkpoint-every",
        type=int,
        default=1,
        help="with --out: checkpoint every N epochs (default: 1)",
    )
    train.add_argument(
        "--resume",
        type=Path,
        metavar="DIR",
        help="continue the run saved in DIR to --epochs (its model, data and "
        "split come from DIR)",
    )
    train.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout instead of the report",
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved model on a dataset",
        description="Accuracy, per-class precision and recall, and the confusion "
        "matrix of a saved model on the test split of a dataset: by default the split "
        "its training recorded, so no test row was a training row.",
    )
    evaluate.add_argument("model", type=Path, help="a model file or a --out directory")
    evaluate.add_argument("--data", required=True, help="a dataset name or a .csv file")
    evaluate.add_argument("--target", help="the CSV target column (default: the last)")
    evaluate.add_argument("--data-dir", help="where to look for IDX files")
    evaluate.add_argument(
        "--seed",
        type=int,
        default=None,
        help="split with this seed instead of the recorded one (test rows may then "
        "have been training rows)",
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")

    predict = commands.add_parser(
        "predict",
        help="predict the rows of a CSV file",
        description="Predict the class of each row of a CSV file "
        "whose header names the model's features; '-' reads stdin.",
    )
    predict.add_argument("model", type=Path, help="a model file or a --out directory")
    predict.add_argument("input", help="a CSV file, or - for standard input")
    predict.add_argument(
        "-o", "--output", type=Path, help="write here instead of stdout"
    )
    predict.add_argument(
        "--proba", action="store_true", help="add one probability per class"
    )
    predict.add_argument(
        "--json", action="store_true", help="print a JSON list instead of CSV"
    )

    info = commands.add_parser(
        "info",
        help="describe a saved model",
        description="Architecture, parameter count and provenance.",
    )
    info.add_argument("model", type=Path, help="a model file or a --out directory")
    info.add_argument("--json", action="store_true", help="print one JSON object")

    datasets = commands.add_parser(
        "datasets",
        help="list the datasets that --data accepts",
        description="Every dataset by name, with its size and where it comes from.",
    )
    datasets.add_argument("--json", action="store_true", help="print one JSON object")

    from rosenblatt.history import MILESTONES

    history = commands.add_parser(
        "history",
        help="run the source text's claims and judge them on real numbers",
        description=(
            "Run each milestone of the history (1943 ... 2012): its claim, measured with "
            "this library, judged by a rule fixed before the run. Prints a summary and "
            "writes report.html (self-contained), report.md and results.json."
        ),
    )
    history.add_argument(
        "years",
        nargs="*",
        metavar="YEAR",
        help=f"milestones to run (default: all): {', '.join(MILESTONES)}",
    )
    history.add_argument(
        "--quick", action="store_true", help="smaller runs: all in about a minute"
    )
    history.add_argument(
        "--out",
        type=Path,
        default=Path("history-report"),
        help="write the report here (default: ./history-report)",
    )
    history.add_argument("--seed", type=int, default=0, help="seeds every run")
    history.add_argument(
        "--json", action="store_true", help="print results.json instead of the table"
    )

    export = commands.add_parser(
        "export",
        help="write a saved model in another format (ONNX)",
        description="Write a saved model (a file or a --out directory) as an ONNX "
        "graph for ONNX Runtime and other frameworks, with its scaler statistics and "
        "class names built in. Needs the onnx extra: pip install 'rosenblatt[onnx]'.",
    )
    export.add_argument("model", type=Path, help="a model file or a --out directory")
    export.add_argument("--format", choices=["onnx"], default="onnx")
    export.add_argument(
        "-o", "--output", type=Path, help="where to write (default: beside the model)"
    )

    playground = commands.add_parser(
        "playground",
        help="train networks in the browser, on this engine",
        description="Start the playground's local web server and open its page: pick "
        "a 2-D data set, stack layers, press play and watch the network, or "
        "Rosenblatt's 1958 perceptron, learn. Ctrl-C stops it.",
    )
    playground.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    playground.add_argument(
        "--port", type=int, default=8000, help="the port (default 8000; 0: any free)"
    )
    playground.add_argument(
        "--no-browser", action="store_true", help="do not open a browser"
    )
    return parser


# --- models and their files ---


class _Loaded:
    """A saved model, ready to predict: an estimator (or a network) and its preprocessing."""

    def __init__(self, path: Path) -> None:
        from rosenblatt import io
        from rosenblatt.nn import Module

        self.path = path / MODEL_FILE if path.is_dir() else path
        arrays, self.info = io.read_file(self.path)
        self.model: Any = io.from_contents(arrays, self.info, str(self.path))
        if isinstance(self.model, io.Checkpoint):
            raise ValueError(f"{self.path}: a checkpoint of a network, not a model")
        self.is_network = isinstance(self.model, Module)
        extra = self.info.get("extra") or {}
        if not isinstance(extra, dict):
            raise ValueError(f"{self.path}: its preprocessing is not a JSON object")
        self.task = extra.get("task", "classification")
        if self.task not in ("classification", "regression"):
            raise ValueError(
                f"{self.path}: unknown task {_printable(str(self.task))!r}"
            )
        self.class_names = _names(extra, "class_names", self.path)
        self.feature_names = _names(extra, "feature_names", self.path)
        self.mean = _statistics(extra, "mean", len(self.feature_names), self.path)
        self.scale = _statistics(extra, "scale", len(self.feature_names), self.path)
        if (self.mean is None) != (self.scale is None) or (
            self.scale is not None and min(self.scale, default=1.0) <= 0
        ):
            raise ValueError(f"{self.path}: its scaler statistics are malformed")
        split = extra.get("split") or {}
        self.split: dict[str, Any] = split if isinstance(split, dict) else {}
        inputs, outputs = _model_widths(self.model)
        wanted = len(self.class_names) if self.task == "classification" else 0
        if self.task == "classification" and not self.class_names:
            raise ValueError(
                f"{self.path}: the file has no class names (not saved by 'train')"
            )
        if (
            outputs is not None
            and wanted
            and outputs not in (wanted, 1 if wanted == 2 else -1)
        ):
            raise ValueError(
                f"{self.path}: {wanted} class names for a model of {outputs} outputs"
            )
        if self.task == "regression" and self.class_names:
            raise ValueError(f"{self.path}: a regression model with class names")
        if (
            inputs is not None
            and self.feature_names
            and inputs != len(self.feature_names)
        ):
            raise ValueError(
                f"{self.path}: {len(self.feature_names)} feature names for a model of "
                f"{inputs} inputs"
            )

    def prepare(self, X: Any) -> Any:
        import numpy as np

        X = np.asarray(X, dtype=np.float32)
        if self.mean is not None and self.scale is not None:
            X = (X - np.asarray(self.mean, dtype=np.float32)) / np.asarray(
                self.scale, dtype=np.float32
            )
        return X

    def predict(self, X: Any) -> Any:
        """Class indices (classifiers: ``train`` labels classes 0..K-1) or values."""
        X = self.prepare(X)
        if not self.is_network:
            return self.model.predict(X)
        from rosenblatt.train import predict

        outputs = predict(self.model, X)
        return outputs.reshape(-1) if self.task == "regression" else outputs.argmax(1)

    def probabilities(self, X: Any) -> Any:
        """Class probabilities (n, K); an error for a model that gives none."""
        if self.task == "regression":
            raise ValueError(
                "predict: --proba needs a classifier; this model predicts values"
            )
        X = self.prepare(X)
        if self.is_network:
            from rosenblatt import Tensor
            from rosenblatt.train import predict

            return Tensor(predict(self.model, X)).softmax(axis=1).data
        if not hasattr(self.model, "predict_proba"):
            raise ValueError(
                f"predict: --proba needs class probabilities; a "
                f"{type(self.model).__name__} gives none (only its decisions)"
            )
        return self.model.predict_proba(X)

    def describe(self) -> str:
        return _describe(self.model)


def _names(extra: dict[str, Any], key: str, path: Path) -> list[str]:
    """A list of names from a file, refused if it is not one or holds control codes."""
    names = extra.get(key) or []
    if not isinstance(names, list) or not all(
        isinstance(n, str) and n.isprintable() for n in names
    ):
        raise ValueError(
            f"{path}: its {key} must be a list of printable strings (control "
            "characters, which a terminal would obey, are refused)"
        )
    return names


def _statistics(extra: dict[str, Any], key: str, width: int, path: Path) -> Any:
    """A scaler's per-feature numbers from a file (None when there are none), checked."""
    import math

    values = extra.get(key)
    if values is None:
        return None
    if not (
        isinstance(values, list)
        and len(values) == width
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        )
    ):
        raise ValueError(
            f"{path}: its scaler {key} must be {width} finite numbers, one per feature"
        )
    return values


def _model_widths(model: Any) -> tuple[int | None, int | None]:
    """A model's number of inputs and of outputs (None where it cannot tell)."""
    if hasattr(model, "n_features_in_"):
        classes = getattr(model, "classes_", None)
        return int(model.n_features_in_), None if classes is None else len(classes)
    linears = [m for m in model.modules() if hasattr(m, "in_features")]
    if not linears:
        return None, None
    return int(linears[0].in_features), int(linears[-1].out_features)


def _describe(model: Any) -> str:
    """A one-line account of a model: its kind, shape and how training ended."""
    name = type(model).__name__
    if name in ("MLPClassifier", "MLPRegressor"):
        sizes = [*(w.shape[0] for w in model.coefs_), model.n_outputs_]
        activation = model.activation if isinstance(model.activation, str) else "mixed"
        return f"{name} {'-'.join(map(str, sizes))} ({activation}, {model.solver})"
    if name == "CNNClassifier":
        shape = "x".join(map(str, model.image_shape_))
        architecture = (
            model.architecture if isinstance(model.architecture, str) else "custom"
        )
        return f"CNNClassifier {architecture} on {shape} images"
    if name == "Perceptron":
        reasons = (
            model.converged_
            if isinstance(model.converged_, list)
            else [model.converged_]
        )
        stopped = sum(r is not None for r in reasons)
        units = "one unit" if len(reasons) == 1 else f"{len(reasons)} one-vs-rest units"
        return f"Perceptron ({units}, {stopped} converged)"
    return f"network ({name})"


def _streamed(data: str) -> bool:
    """Whether --data names data to stream: a .npy or .npz file, or a folder."""
    return data.lower().endswith((".npy", ".npz")) or Path(data).is_dir()


def _preprocessing(
    data: Any, mean: Any, scale: Any, args: argparse.Namespace
) -> dict[str, Any]:
    return {
        "task": data.task,
        "class_names": list(data.class_names or []),
        "feature_names": list(data.feature_names),
        "mean": None if mean is None else mean.tolist(),
        "scale": None if scale is None else scale.tolist(),
        # how `train` split the data, so that `evaluate` tests on unseen rows only
        "split": {"data": data.name, "seed": args.seed, "val_split": args.val_split},
    }


# --- train: one road for every model ---

# Flags that only some models take: given to another, they are a usage error.
_MODEL_FLAGS = {
    "hidden": ("mlp",),
    "activation": ("mlp",),
    "solver": ("mlp",),
    "batch_size": ("mlp", "cnn"),
    "dropout": ("mlp", "cnn"),
    "threads": ("mlp", "cnn"),
}


def _check_model_flags(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> None:
    for flag, models in _MODEL_FLAGS.items():
        if getattr(args, flag) is not None and args.model not in models:
            parser.error(
                f"--{flag.replace('_', '-')} applies to --model {' or '.join(models)}, "
                f"not {args.model}"
            )


def _estimator(args: argparse.Namespace, data: Any) -> Any:
    """The estimator the flags describe, untrained."""
    lr = args.lr
    if args.model == "perceptron":
        from rosenblatt.perceptron import Perceptron

        if data.task == "regression":
            raise ValueError(
                f"train: {data.name} has a numeric target; the perceptron classifies"
            )
        return Perceptron(eta0=1.0 if lr is None else lr)
    if args.model == "cnn":
        from rosenblatt.cnn import CNNClassifier

        if data.task == "regression":
            raise ValueError(
                f"train: {data.name} has a numeric target; the CNN classifies"
            )
        if data.image_shape is None:
            raise ValueError(
                f"train: --model cnn needs images; {data.name}'s rows are "
                f"{len(data.feature_names)} features, not images (try --model mlp)"
            )
        small = min(data.image_shape[1:]) < 12
        return CNNClassifier(
            "simple_cnn" if small else "lenet5",
            image_shape=data.image_shape,
            dropout=args.dropout,
            batch_size=args.batch_size or 128,
            learning_rate_init=1e-3 if lr is None else lr,
            threads=args.threads,
        )
    from rosenblatt.mlp import MLPClassifier, MLPRegressor

    activation = {"sigmoid": "logistic"}.get(args.activation, args.activation or "relu")
    params: dict[str, Any] = dict(
        hidden_layer_sizes=tuple(args.hidden or (256, 128)),
        activation=activation,
        solver=args.solver or "adam",
        batch_size=args.batch_size or 32,
        learning_rate_init=2e-3 if lr is None else lr,
        dropout=args.dropout or 0.0,
        divergence=100.0,  # stop a run whose loss explodes, as the CNN's fit loop does
        threads=args.threads,
    )
    if data.task == "regression":
        return MLPRegressor(**params)
    return MLPClassifier(**params)


def _epoch_logs(est: Any, validation: tuple[Any, Any] | None) -> dict[str, float]:
    """What one epoch leaves to report: its loss (mistakes, for the perceptron)."""
    if hasattr(est, "errors_"):
        logs = {"mistakes": float(est.errors_[-1])}
    elif hasattr(est, "history_"):
        logs = {k: v[-1] for k, v in est.history_.items()}
    else:
        logs = {"loss": float(est.loss_)}
    if validation is not None:
        name = "val_r2" if type(est).__name__ == "MLPRegressor" else "val_accuracy"
        logs[name] = float(est.score(*validation))
    return logs


def _random_state_json(rs: Any) -> list[Any]:
    kind, keys, pos, has_gauss, cached = rs.get_state()
    return [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)]


def _random_state_from(state: Any, where: Path) -> Any:
    import numpy as np

    try:
        kind, keys, pos, has_gauss, cached = state
        rs = np.random.RandomState()
        rs.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: the random generator's state is malformed ({error})"
        ) from None
    return rs


class _Run:
    """One training run: the estimator, its data, its history and its files."""

    def __init__(self, args: argparse.Namespace) -> None:
        import numpy as np

        from rosenblatt.data import load, standardize_statistics

        self.args = args
        for flag in ("epochs", "checkpoint_every"):
            if getattr(args, flag) < 1:
                raise ValueError(
                    f"train: --{flag.replace('_', '-')} must be at least 1, got "
                    f"{getattr(args, flag)}"
                )
        if args.resume is not None:
            checkpoint = args.resume / CHECKPOINT_FILE
            if not checkpoint.is_file():
                raise FileNotFoundError(
                    f"--resume: {args.resume} holds no {CHECKPOINT_FILE} (give the "
                    "directory a 'train --out DIR' run wrote)"
                )
            if args.out is not None and args.out.resolve() != args.resume.resolve():
                raise ValueError("--resume DIR writes to DIR: drop --out, or give DIR")
            args.out = args.resume
        elif args.out is not None and not args.force:
            held = [f for f in (MODEL_FILE, CHECKPOINT_FILE) if (args.out / f).exists()]
            if held:
                raise ValueError(
                    f"train: {args.out} holds a run already ({', '.join(held)}); resume "
                    f"it with --resume {args.out}, write elsewhere, or replace it with "
                    "--force"
                )
        data: Any
        if _streamed(args.data):
            from rosenblatt.data.stream import StreamedData

            if args.val_split or args.chunk_rows < 1:
                raise ValueError(
                    "train: streamed data takes no --val-split (its last fifth is the "
                    "test split), and --chunk-rows must be at least 1"
                )
            data = StreamedData(args.data, args.chunk_rows)
            self.data = data
        else:
            data = load(
                args.data, seed=args.seed, target=args.target, data_dir=args.data_dir
            )
            self.data = data
        if data.task == "classification" and len(set(data.y_train.tolist())) < 2:
            raise ValueError(
                f"train: {data.name}'s training rows hold one class only; a classifier "
                "needs two or more"
            )
        X_train: Any = data.X_train
        self.X_test: Any = data.X_test
        self.mean = self.scale = None
        if args.standardize and _streamed(args.data):
            self.mean, self.scale = data.standardize()  # applied as chunks are read
        elif args.standardize:
            self.mean, self.scale = standardize_statistics(X_train)
            X_train = (X_train - self.mean) / self.scale
            self.X_test = (self.X_test - self.mean) / self.scale
        self.X, self.y, self.validation = X_train, data.y_train, None
        if args.val_split:
            from sklearn.model_selection import train_test_split

            if not 0.0 < args.val_split < 1.0:
                raise ValueError(
                    f"train: --val-split must be in (0, 1), got {args.val_split}"
                )
            self.X, X_val, self.y, y_val = train_test_split(
                X_train, data.y_train, test_size=args.val_split, random_state=args.seed
            )
            self.validation = (X_val, y_val)
        self.extra = _preprocessing(data, self.mean, self.scale, args)
        self.history: dict[str, list[float]] = {}
        self.start = 0
        if args.resume is not None:
            self._resume(args.resume / CHECKPOINT_FILE)
        else:
            self.estimator = _estimator(args, data)
            if _streamed(args.data):  # a file's rows are visited in their order
                self.estimator.set_params(shuffle=False)
            self.random_state = np.random.RandomState(args.seed)
        # a RandomState instance: each partial_fit continues its stream (a new order
        # each epoch), and the checkpoint keeps its state
        self.estimator.set_params(random_state=self.random_state)
        self.epochs_run = 0

    def _resume(self, checkpoint: Path) -> None:
        """The estimator, epoch count, history and generator a checkpoint holds."""
        from rosenblatt import io

        arrays, info = io.read_file(checkpoint)
        saved = info.get("extra")
        extra: dict[str, Any] = saved if isinstance(saved, dict) else {}
        run = extra.get("run")
        self.estimator = io.from_contents(arrays, info, str(checkpoint))
        kind = {"perceptron": "Perceptron", "cnn": "CNNClassifier"}.get(
            self.args.model, "MLP"
        )
        if not isinstance(run, dict) or not type(self.estimator).__name__.startswith(
            kind
        ):
            raise ValueError(
                f"--resume: {checkpoint.parent} holds a "
                f"{type(self.estimator).__name__} run; resume it with the --model it "
                "was trained with"
            )
        if (self.extra["split"], self.extra["feature_names"]) != (
            run.get("split"),
            extra.get("feature_names"),
        ):
            raise ValueError(
                f"--resume: {checkpoint.parent} was trained on {run.get('split')}; give "
                "the same --data, --seed and --val-split"
            )
        self.start, self.history = int(run["epochs_done"]), dict(run["history"])
        self.random_state = _random_state_from(run.get("random_state"), checkpoint)

    def fit(self) -> None:
        """The one loop: an epoch, its logs, a checkpoint; Ctrl-C saves what is done."""
        import warnings

        args, est = self.args, self.estimator
        classes = (
            None
            if self.data.task == "regression"
            else list(range(len(self.data.class_names or [])))
        )
        try:
            for epoch in range(self.start, args.epochs):
                started = time.perf_counter()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        self._epoch(est, classes)
                    except (ValueError, FloatingPointError) as error:
                        raise ValueError(
                            f"train: epoch {epoch + 1}: {error} (nothing of this epoch "
                            "was saved)"
                        ) from None
                if any("interrupted by user" in str(w.message) for w in caught):
                    raise KeyboardInterrupt  # the MLP's fit catches it, as scikit-learn's
                logs = _epoch_logs(est, self.validation)
                for key, value in logs.items():
                    self.history.setdefault(key, []).append(value)
                self.epochs_run += 1
                done = epoch + 1
                if not args.json:
                    seconds = time.perf_counter() - started
                    shown = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
                    print(
                        f"Epoch {done}/{args.epochs} - {seconds:.2f}s - {shown}",
                        file=sys.stderr,
                        flush=True,
                    )
                finished = done == args.epochs or logs.get("mistakes") == 0
                if args.out is not None and (
                    done % args.checkpoint_every == 0 or finished
                ):
                    self.save_checkpoint(done)
                if finished:
                    break
        except KeyboardInterrupt:
            raise _InterruptedError(self.interrupted()) from None

    def _epoch(self, est: Any, classes: Any) -> None:
        """One pass of ``partial_fit``: over the data, or over each chunk of a file."""
        from rosenblatt.data.stream import Rows

        if not isinstance(self.X, Rows):
            if classes is None:
                est.partial_fit(self.X, self.y)
            else:
                est.partial_fit(self.X, self.y, classes=classes)
            return
        before = (
            len(getattr(est, "errors_", [])),
            len(getattr(est, "loss_curve_", [])),
        )
        n_iter, sizes, at = getattr(est, "n_iter_", 0), [], 0
        for X_part, _ in self.X.chunks():
            y_part = self.y[at : at + len(X_part)]  # the class indices train uses
            at += len(X_part)
            sizes.append(len(X_part))
            if classes is None:
                est.partial_fit(X_part, y_part)
            else:
                est.partial_fit(X_part, y_part, classes=classes)
        # the chunks' partial_fits are one epoch: record them as the one pass they make
        if hasattr(est, "errors_"):
            est.errors_[before[0] :] = [sum(est.errors_[before[0] :])]
        if hasattr(est, "loss_curve_"):
            losses = est.loss_curve_[before[1] :]
            est.loss_ = float(
                sum(a * b for a, b in zip(losses, sizes, strict=True)) / at
            )
            est.loss_curve_[before[1] :] = [est.loss_]
        est.n_iter_ = n_iter + 1

    def predict_test(self) -> Any:
        """The estimator's predictions for the test split (chunk by chunk, if streamed)."""
        import numpy as np

        from rosenblatt.data.stream import Rows

        if not isinstance(self.X_test, Rows):
            return self.estimator.predict(self.X_test)
        return np.concatenate(
            [self.estimator.predict(X) for X, _ in self.X_test.chunks()]
        )

    def save_checkpoint(self, epochs_done: int) -> None:
        run = {
            "epochs_done": epochs_done,
            "history": self.history,
            "random_state": _random_state_json(self.random_state),
            "split": self.extra["split"],
        }
        assert self.args.out is not None
        self.estimator.save(
            self.args.out / CHECKPOINT_FILE, self.data.name, {**self.extra, "run": run}
        )

    def interrupted(self) -> str:
        """Save the last finished epoch's model; say how to resume."""
        from rosenblatt import io

        args = self.args
        checkpoint = None if args.out is None else args.out / CHECKPOINT_FILE
        if checkpoint is None or not checkpoint.is_file():
            where = "give --out DIR to keep one" if args.out is None else f"{args.out}"
            return f"interrupted before any epoch was saved ({where})"
        arrays, info = io.read_file(checkpoint)
        saved = io.from_contents(arrays, info, str(checkpoint))
        extra = {k: v for k, v in (info.get("extra") or {}).items() if k != "run"}
        saved.save(args.out / MODEL_FILE, self.data.name, extra)
        done = (info.get("extra") or {}).get("run", {}).get("epochs_done")
        command = " ".join(_resume_command(args))
        return (
            f"interrupted; the model after epoch {done} is in {args.out / MODEL_FILE} "
            f"and its checkpoint in {checkpoint}. Resume with:\n  {command}"
        )


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold ``folder/.lock`` (holding this process's id) while a run writes there.

    A second train into the same folder fails at once instead of mixing its files
    with the first's; a lock whose process is gone (killed) is taken over.
    """
    from rosenblatt.io import process_alive

    lock = folder / ".lock"
    for _ in range(2):
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            text = lock.read_text(errors="replace").strip()
            owner = int(text) if text.isdigit() else None
            if owner is not None and owner != os.getpid() and process_alive(owner):
                raise ValueError(
                    f"train: another train (process {owner}) is writing {folder}; wait "
                    "for it or write elsewhere"
                ) from None
            lock.unlink(missing_ok=True)  # left by a killed run
            continue
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _resume_command(args: argparse.Namespace) -> list[str]:
    """The command line that continues this run."""
    words = ["rosenblatt", "train", "--data", str(args.data), "--model", args.model]
    for flag in ("target", "data_dir"):
        if getattr(args, flag) is not None:
            words += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if args.standardize:
        words.append("--standardize")
    words += ["--seed", str(args.seed), "--epochs", str(args.epochs)]
    if args.val_split:
        words += ["--val-split", str(args.val_split)]
    return [*words, "--resume", str(args.out)]


def _train(args: argparse.Namespace) -> int:
    from rosenblatt.kernels.machine import keep_freed_memory

    keep_freed_memory()  # the CLI's process is ours: training reuses freed memory
    folder = args.resume if args.resume is not None else args.out
    if args.out is not None and args.resume is None:
        args.out.mkdir(parents=True, exist_ok=True)
    if (
        folder is None or not folder.is_dir()
    ):  # (_Run says a --resume folder is missing)
        return _train_run(args)
    # locked before anything is checked or written: a second train into the same
    # folder fails at once instead of racing this one
    with _locked(folder):
        return _train_run(args)


def _train_run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    run = _Run(args)
    run.fit()
    seconds = time.perf_counter() - started
    data, est = run.data, run.estimator
    report: dict[str, Any] = {
        "dataset": data.name,
        "model": _describe(est),
        **_scores(data, run.predict_test()),
        "epochs": run.start + run.epochs_run,
        "epochs_this_run": run.epochs_run,
        "training_samples": len(run.y),
        "validation_samples": 0 if run.validation is None else len(run.validation[1]),
        "test_samples": len(data.y_test),
        "seconds": round(seconds, 3),
        "final_loss": next(
            (v[-1] for k, v in run.history.items() if k in ("loss", "mistakes")), None
        ),
    }
    if args.out is not None:
        report["out"] = str(args.out)
        est.save(args.out / MODEL_FILE, data.name, run.extra)
        _write_outputs(args, run, report)
    if args.json:
        print(json.dumps(report))
        return 0
    validation = (
        f", {report['validation_samples']} validation" if run.validation else ""
    )
    print(
        f"\n{report['model']} on {data.name}: {report['training_samples']} training"
        f"{validation} and {report['test_samples']} test samples"
    )
    resumed = f" (epochs {run.start + 1}-{report['epochs']})" if run.start else ""
    print(f"trained {run.epochs_run} epochs{resumed} in {seconds:.1f} s")
    _print_scores(report, data.class_names)
    if args.out is not None:
        print(f"\nwrote the model, history.csv, figures and report.md to {args.out}")
    return 0


def _write_outputs(args: argparse.Namespace, run: _Run, report: dict[str, Any]) -> None:
    from rosenblatt import plot

    out: Path = args.out
    data, history, est = run.data, run.history, run.estimator
    names = list(history)
    with (out / "history.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", *names])
        for i in range(len(history[names[0]]) if names else 0):
            writer.writerow([i + 1, *(f"{history[n][i]:.6g}" for n in names)])
    figures = []
    if "loss" in history:
        plot.history_curves(history).savefig(out / "history.png", dpi=100)
        figures.append("history.png")
    if "confusion_matrix" in report:
        plot.confusion_matrix(report["confusion_matrix"], data.class_names).savefig(
            out / "confusion_matrix.png", dpi=100
        )
        figures.append("confusion_matrix.png")
    if len(data.feature_names) == 2 and data.task == "classification":
        sample = run.X_test.head(5_000) if hasattr(run.X_test, "head") else run.X_test
        plot.decision_surface(est, sample, data.y_test[: len(sample)]).savefig(
            out / "decision_surface.png", dpi=100
        )
        figures.append("decision_surface.png")
    if hasattr(est, "coefs_"):
        plot.network_diagram(est).savefig(out / "network.png", dpi=100)
        figures.append("network.png")
    lines = [
        f"# {report['model']} on {data.name}",
        "",
        f"- data: {data.name} ({data.source}), {report['training_samples']} training, "
        f"{report['validation_samples']} validation and {report['test_samples']} test "
        "samples",
        f"- epochs: {report['epochs']}, {report['seconds']} s",
        (
            f"- test accuracy: **{report['test_accuracy']:.4f}**"
            if "test_accuracy" in report
            else f"- test R^2: **{report['test_r2']:.4f}** (MAE {report['test_mae']:.4g})"
        ),
        f"- model file: `{MODEL_FILE}` (`rosenblatt info {out}`)",
        "",
        *(f"![{f}]({f})" for f in figures),
        "",
    ]
    (out / "report.md").write_text("\n".join(lines))


def _scores(data: Any, predicted: Any) -> dict[str, Any]:
    """Test-split scores: accuracy and confusion matrix, or R^2, MAE and RMSE."""
    import numpy as np
    from sklearn import metrics

    from rosenblatt.train import confusion_matrix

    if data.task == "regression":
        y = np.asarray(data.y_test, dtype=np.float64)
        pred = np.asarray(predicted, dtype=np.float64).reshape(-1)
        return {
            "test_r2": float(metrics.r2_score(y, pred)),
            "test_mae": float(metrics.mean_absolute_error(y, pred)),
            "test_rmse": float(metrics.root_mean_squared_error(y, pred)),
        }
    matrix = confusion_matrix(data.y_test, predicted, len(data.class_names))
    return {
        "test_accuracy": float(metrics.accuracy_score(data.y_test, predicted)),
        "confusion_matrix": matrix.tolist(),
    }


def _print_scores(report: dict[str, Any], class_names: Any) -> None:
    if "test_r2" in report:
        print(
            f"test R^2: {report['test_r2']:.4f}  MAE: {report['test_mae']:.4g}  "
            f"RMSE: {report['test_rmse']:.4g}"
        )
        return
    import numpy as np

    print(f"test accuracy: {report['test_accuracy']:.4f}\n")
    _print_matrix(np.asarray(report["confusion_matrix"]), list(class_names))


def _print_matrix(matrix: Any, class_names: list[str]) -> None:
    print("confusion matrix (rows: true class, columns: predicted class)")
    width = max(3, len(str(int(matrix.max()))) + 1)
    short = all(len(name) < width for name in class_names)
    labels = class_names if short else [str(i) for i in range(len(class_names))]
    print("    " + "".join(f"{name:>{width}}" for name in labels))
    for name, row in zip(labels, matrix, strict=True):
        print(f"{name:>3} " + "".join(f"{int(v):>{width}}" for v in row))
    if not short:
        print("classes: " + ", ".join(f"{i} = {n}" for i, n in enumerate(class_names)))


# --- evaluate, predict, info, datasets ---


def _evaluate(args: argparse.Namespace) -> int:
    import numpy as np
    from sklearn.metrics import precision_recall_fscore_support

    from rosenblatt.data import load

    model = _Loaded(args.model)
    recorded = model.split.get("seed")
    seed = (
        args.seed
        if args.seed is not None
        else (recorded if isinstance(recorded, int) else 0)
    )
    data = load(args.data, seed=seed, target=args.target, data_dir=args.data_dir)
    if data.task != model.task or list(data.class_names or []) != model.class_names:
        raise ValueError(
            f"evaluate: the model ({model.task}, classes {model.class_names}) does not "
            f"fit {data.name} ({data.task}, classes {list(data.class_names or [])})"
        )
    if model.split.get("data") == data.name and isinstance(recorded, int):
        if args.seed is None:
            note = f"the test split of training (seed {recorded})"
        elif args.seed != recorded:
            note = (
                f"seed {args.seed}, not training's {recorded}: test rows may have "
                "been training rows"
            )
        else:
            note = f"seed {seed}, as in training"
    else:
        note = f"seed {seed}; the model was not trained on {data.name} by 'train'"
    print(f"rosenblatt: evaluating on {note}", file=sys.stderr)
    predicted = model.predict(data.X_test)
    scores = _scores(data, predicted)
    if data.task == "regression":
        if args.json:
            print(json.dumps({**scores, "samples": len(data.y_test)}))
        else:
            print(f"{data.name}: {len(data.y_test)} test samples")
            _print_scores(scores, None)
        return 0
    labels = list(range(len(model.class_names)))
    precision, recall, _, support = precision_recall_fscore_support(
        data.y_test, predicted, labels=labels, zero_division=0
    )
    per_class = {
        name: {"precision": float(p), "recall": float(r), "support": int(n)}
        for name, p, r, n in zip(
            model.class_names, precision, recall, support, strict=True
        )
    }
    matrix = np.asarray(scores["confusion_matrix"])
    accuracy = scores["test_accuracy"]
    if args.json:
        print(
            json.dumps(
                {
                    "accuracy": accuracy,
                    "per_class": per_class,
                    "confusion_matrix": matrix.tolist(),
                    "samples": len(data.y_test),
                }
            )
        )
        return 0
    print(f"{data.name}: {len(data.y_test)} test samples, accuracy {accuracy:.4f}\n")
    width = max(len("class"), *(len(n) for n in model.class_names))
    print(f"{'class':<{width}}  precision  recall  support")
    for name, s in per_class.items():
        print(
            f"{name:<{width}}  {s['precision']:9.4f}  {s['recall']:6.4f}  {s['support']:7d}"
        )
    print()
    _print_matrix(matrix, model.class_names)
    return 0


def _read_rows(source: str, feature_names: list[str]) -> Any:
    """The model's feature columns of a CSV file ('-': stdin), as an (n, D) array."""
    import numpy as np

    handle = sys.stdin if source == "-" else open(source, newline="", encoding="utf-8")
    try:
        with handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise ValueError(
            f"predict: {source}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    if not rows:
        raise ValueError(
            f"predict: {source} is empty (expected a header naming the features)"
        )
    header = [h.strip() for h in rows[0]]
    missing = [f for f in feature_names if f not in header]
    if missing:
        raise ValueError(
            f"predict: the input lacks the model's feature columns {missing}"
        )
    columns = [header.index(f) for f in feature_names]
    X = np.empty((len(rows) - 1, len(columns)), dtype=np.float32)
    for r, row in enumerate(rows[1:], start=2):
        for j, c in enumerate(columns):
            try:
                number = float(row[c])
                if not abs(number) <= np.finfo(np.float32).max:
                    raise ValueError
                X[r - 2, j] = number
            except (ValueError, IndexError):
                raise ValueError(
                    f"predict: {source}: row {r}, column {header[c]!r}: expected a "
                    "finite number within float32's range"
                ) from None
    return X


def _predict(args: argparse.Namespace) -> int:
    model = _Loaded(args.model)
    X = _read_rows(args.input, model.feature_names)
    records: list[dict[str, Any]] = []
    if len(X):  # a header alone: no rows, no predictions
        if model.task == "regression":
            if args.proba:
                raise ValueError(
                    "predict: --proba needs a classifier; this model predicts values"
                )
            records = [{"prediction": float(v)} for v in model.predict(X)]
        else:
            names = model.class_names
            probabilities = model.probabilities(X) if args.proba else None
            for i, k in enumerate(model.predict(X)):
                record: dict[str, Any] = {"prediction": names[int(k)]}
                if probabilities is not None:
                    record.update(
                        {
                            f"p_{n}": float(p)
                            for n, p in zip(names, probabilities[i], strict=True)
                        }
                    )
                records.append(record)
    header = ["prediction", *(f"p_{n}" for n in model.class_names if args.proba)]
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        if args.json:
            out.write(json.dumps(records) + "\n")
        else:
            writer = csv.writer(out)
            writer.writerow(header)
            for record in records:
                writer.writerow(
                    [f"{v:.6g}" if isinstance(v, float) else v for v in record.values()]
                )
    finally:
        if args.output:
            out.close()
    return 0


def _info(args: argparse.Namespace) -> int:
    model = _Loaded(args.model)
    meta = {
        k: model.info.get(k) for k in ("library", "format_version", "saved", "data")
    }
    network = model.model if model.is_network else getattr(model.model, "module_", None)
    if network is not None:
        n_params = sum(p.size for p in network.parameters())
    else:  # the perceptron keeps its weight vectors
        n_params = int(model.model.weights_.size)
    kind = "network" if model.is_network else type(model.model).__name__
    outputs = (
        f"{len(model.class_names)} classes"
        if model.task == "classification"
        else "regression, 1 output"
    )
    result = {
        **meta,
        "kind": kind,
        "description": model.describe(),
        "parameters": int(n_params),
        "task": model.task,
        "classes": model.class_names,
        "features": len(model.feature_names),
        "standardized": model.mean is not None,
        "split": model.split,
        "architecture": repr(network if network is not None else model.model),
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{_printable(str(model.path))}")
    print(
        f"  {result['description']}: {n_params:,} parameters, "
        f"{len(model.feature_names)} features, {outputs}"
    )
    print(
        f"  trained on {_printable(str(meta['data']))} with {_printable(str(meta['library']))} "
        f"(format {meta['format_version']}), saved {_printable(str(meta['saved']))}"
    )
    print("  " + _printable(result["architecture"]).replace("\n", "\n  "))
    return 0


def _printable(text: str) -> str:
    """Text from a file, with control characters (terminal escapes) shown, not obeyed."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


def _datasets(args: argparse.Namespace) -> int:
    from rosenblatt.data import DATASETS

    if args.json:
        print(
            json.dumps(
                {n: {"size": i.size, "source": i.source} for n, i in DATASETS.items()}
            )
        )
        return 0
    width = max(len(name) for name in DATASETS)
    size_width = max(len(i.size) for i in DATASETS.values())
    for name, info in DATASETS.items():
        print(f"{name:<{width}}  {info.size:<{size_width}}  {info.source}")
    print(f"{'<file>.csv':<{width}}  {'any':<{size_width}}  a CSV file with a header")
    return 0


def _history(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rosenblatt import history
    from rosenblatt.history import report

    unknown = [y for y in args.years if y not in history.MILESTONES]
    if unknown:
        raise ValueError(
            f"unknown milestone(s) {', '.join(unknown)}; choose from "
            f"{', '.join(history.MILESTONES)}"
        )
    chosen = set(args.years or history.MILESTONES)
    with tqdm(total=len(chosen), unit="milestone", file=sys.stderr) as bar:
        started: list[str] = []

        def progress(year: str) -> None:  # called as each milestone starts
            if started:
                bar.update(1)  # the previous one is done
            started.append(year)
            bar.set_description(f"{year}: {history.MILESTONES[year][1]}")

        results = history.run(
            chosen, quick=args.quick, seed=args.seed, progress=progress
        )
        bar.update(1)
    paths = report.write(results, args.out, quick=args.quick, seed=args.seed)
    if args.json:
        print(report.to_json(results, args.quick, args.seed))
        return 0
    rows = [report.HEADER, *report.summary_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in (0, 1, 3, 4)]
    for year, title, measured, verdict, seconds in rows:
        print(
            f"{year:<{widths[0]}}  {title:<{widths[1]}}  {verdict:<{widths[2]}}  "
            f"{seconds:>{widths[3]}}  {measured}"
        )
    print(f"\nwrote {paths['html']}, {paths['markdown'].name} and {paths['json'].name}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from rosenblatt.onnx import to_onnx

    model = _Loaded(args.model)
    names = model.class_names if model.task == "classification" else None
    proto = to_onnx(model.model, mean=model.mean, scale=model.scale, class_names=names)
    target = args.output or model.path.with_suffix(".onnx")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(proto.SerializeToString())
    os.replace(temporary, target)  # atomic: never a half-written graph
    print(
        f"wrote {_printable(str(target))} (ONNX opset {proto.opset_import[0].version})"
    )
    return 0


def _playground(args: argparse.Namespace) -> int:
    from rosenblatt.playground import serve

    if not 0 <= args.port <= 65535:
        raise ValueError(f"playground: --port must be in [0, 65535], got {args.port}")
    return serve(args.host, args.port, open_browser=not args.no_browser)


_COMMANDS: dict[str, Any] = {
    "train": _train,
    "evaluate": _evaluate,
    "predict": _predict,
    "info": _info,
    "datasets": _datasets,
    "history": _history,
    "playground": _playground,
    "export": _export,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage, 130 Ctrl-C)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "train":
        _check_model_flags(parser, args)
    try:
        return int(_COMMANDS[args.command](args))
    except (_InterruptedError, KeyboardInterrupt) as stop:
        print(f"rosenblatt: {stop or 'interrupted'}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, as a Unix filter does
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # stdout is not a file descriptor (captured): nothing to redirect
        return 141
    except Exception as error:  # noqa: BLE001 (the CLI's one place to report failures)
        if args.debug:
            traceback.print_exc()
        text = str(error) or type(error).__name__  # MemoryError() says nothing
        print(f"rosenblatt: error: {_printable(text)}", file=sys.stderr)
        return 1
