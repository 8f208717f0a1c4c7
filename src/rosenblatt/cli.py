"""The command line: train, evaluate, predict, info and datasets.

``main(argv)`` parses arguments and calls the library; it holds no mathematics.
Exit status: 0 success, 1 failure (one line on stderr; ``--debug`` adds the
traceback), 2 usage errors, 130 when interrupted (after saving a checkpoint).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import traceback
from collections.abc import Sequence
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
        help="a dataset name (see 'rosenblatt datasets') or a .csv file",
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
        default=[256, 128],
        help="hidden layer sizes, comma-separated (default: 256,128)",
    )
    train.add_argument(
        "--activation",
        default="relu",
        choices=["relu", "tanh", "sigmoid", "leaky_relu"],
        help="hidden activation (default: relu)",
    )
    train.add_argument(
        "--solver",
        choices=["adam", "sgd"],
        default="adam",
        help="optimizer for the MLP (default: adam)",
    )
    train.add_argument(
        "--lr",
        type=float,
        default=None,
        help="learning rate (default: 2e-3 for the MLP, 1.0 for the perceptron)",
    )
    train.add_argument(
        "--epochs", type=int, default=30, help="passes over the data (default: 30)"
    )
    train.add_argument(
        "--batch-size", type=int, default=32, help="samples per step (default: 32)"
    )
    train.add_argument(
        "--dropout",
        type=float,
        default=0.0,
        help="drop probability after each hidden layer (default: 0)",
    )
    train.add_argument(
        "--val-split",
        type=float,
        default=0.0,
        help="hold out this fraction of the training set for validation "
        "(default: validate on the test split)",
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
        "--out", type=Path, help="write model, history, figures, report here"
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
        help="continue the run saved in DIR (give the same other options)",
    )
    train.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout instead of the report",
    )

    evaluate = commands.add_parser(
        "evaluate",
        help="score a saved model on a dataset",
        description="Accuracy, per-class precision and recall, "
        "and the confusion matrix of a saved model on the test "
        "split of a dataset.",
    )
    evaluate.add_argument("model", type=Path, help="a model file or a --out directory")
    evaluate.add_argument("--data", required=True, help="a dataset name or a .csv file")
    evaluate.add_argument("--target", help="the CSV target column (default: the last)")
    evaluate.add_argument("--data-dir", help="where to look for IDX files")
    evaluate.add_argument(
        "--seed", type=int, default=0, help="the split's seed (default: 0)"
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
    return parser


# --- models and their files ---


def _scores_of(model: Any, task: str, X: Any) -> Any:
    """Scores (n, K): network softmax or outputs, probabilities, or decision values."""
    import numpy as np

    from rosenblatt.nn import Module

    if isinstance(model, Module):
        from rosenblatt import Tensor
        from rosenblatt.train import predict

        outputs = predict(model, X)
        return outputs if task == "regression" else Tensor(outputs).softmax(axis=1).data
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    d = model.decision_function(X)
    return np.column_stack([-d, d]) if d.ndim == 1 else d


class _Loaded:
    """A saved model, ready to predict: network or estimator, plus its preprocessing."""

    def __init__(self, path: Path) -> None:
        from rosenblatt import io

        self.path = path / MODEL_FILE if path.is_dir() else path
        _, self.info = io.read_file(self.path)
        extra = self.info.get("extra") or {}
        self.class_names: list[str] = list(extra.get("class_names") or [])
        self.feature_names: list[str] = list(extra.get("feature_names") or [])
        self.mean, self.scale = extra.get("mean"), extra.get("scale")
        self.task = extra.get("task", "classification")
        kind = self.info.get("kind")
        if kind == "module":
            self.network: Any = io.load(self.path)
            self.estimator: Any = None
        elif kind == "estimator" and self.info.get("estimator") in (
            "Perceptron",
            "MLPClassifier",
            "CNNClassifier",
        ):
            from rosenblatt.cnn import CNNClassifier
            from rosenblatt.mlp import MLPClassifier
            from rosenblatt.perceptron import Perceptron

            loaders: dict[str, Any] = {
                "Perceptron": Perceptron,
                "MLPClassifier": MLPClassifier,
                "CNNClassifier": CNNClassifier,
            }
            self.estimator = loaders[self.info["estimator"]].load(self.path)
            self.network = None
        else:
            raise ValueError(
                f"{self.path}: not a model this command can use ({kind!r})"
            )
        if self.task == "classification" and not self.class_names:
            raise ValueError(
                f"{self.path}: the file has no class names (not saved by 'train')"
            )

    def prepare(self, X: Any) -> Any:
        import numpy as np

        X = np.asarray(X, dtype=np.float32)
        if self.mean is not None and self.scale is not None:
            X = (X - np.asarray(self.mean, dtype=np.float32)) / np.asarray(
                self.scale, dtype=np.float32
            )
        return X

    def scores(self, X: Any) -> Any:
        """Class probabilities or decision values (n, K); a regressor's outputs (n, 1)."""
        return _scores_of(
            self.estimator if self.network is None else self.network,
            self.task,
            self.prepare(X),
        )

    def predict(self, X: Any) -> Any:
        return self.scores(X).argmax(axis=1)


def _preprocessing(data: Any, mean: Any, scale: Any) -> dict[str, Any]:
    return {
        "task": data.task,
        "class_names": list(data.class_names or []),
        "feature_names": list(data.feature_names),
        "mean": None if mean is None else mean.tolist(),
        "scale": None if scale is None else scale.tolist(),
    }


# --- train ---


def _train(args: argparse.Namespace) -> int:
    from rosenblatt.backend import keep_freed_memory
    from rosenblatt.data import load, standardize_statistics

    keep_freed_memory()  # the CLI's process is ours: training reuses freed memory

    if args.resume is not None and args.out is None:
        args.out = args.resume
    data = load(args.data, seed=args.seed, target=args.target, data_dir=args.data_dir)
    if data.task == "regression" and args.model == "perceptron":
        raise ValueError(
            f"train: {data.name} has a numeric target; the perceptron classifies"
        )
    X_train, X_test = data.X_train, data.X_test
    mean = scale = None
    if args.standardize:
        mean, scale = standardize_statistics(X_train)
        X_train, X_test = (X_train - mean) / scale, (X_test - mean) / scale
    started = time.perf_counter()
    if args.model == "cnn":
        history, scores_of, describe = _train_cnn(
            args, data, X_train, X_test, mean, scale
        )
    elif args.model == "perceptron":
        history, scores_of, describe = _train_perceptron(
            args, data, X_train, mean, scale
        )
    else:
        history, scores_of, describe = _train_mlp(
            args, data, X_train, X_test, mean, scale
        )
    seconds = time.perf_counter() - started
    epochs = len(next(iter(history.values()), []))
    report: dict[str, Any] = {
        "dataset": data.name,
        "model": describe,
        **_scores(data, scores_of(X_test)),
        "epochs": epochs,
        "seconds": round(seconds, 3),
        "final_loss": history["loss"][-1] if history.get("loss") else None,
    }
    if args.out is not None:
        report["out"] = str(args.out)
        _write_outputs(args, data, history, report, scores_of, X_test)
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"\n{describe} on {data.name}: {len(X_train)} training and {len(X_test)} test samples"
    )
    print(f"trained {epochs} epochs in {seconds:.1f} s")
    _print_scores(report, data.class_names)
    if args.out is not None:
        print(f"\nwrote the model, history.csv, figures and report.md to {args.out}")
    return 0


def _squared_error(outputs: Any, targets: Any) -> Any:
    """Mean squared error of one-column outputs against a target vector."""
    from rosenblatt.nn import functional as F

    return F.mse_loss(outputs, targets.reshape(-1, 1))


def _train_mlp(
    args: argparse.Namespace,
    data: Any,
    X_train: Any,
    X_test: Any,
    mean: Any,
    scale: Any,
) -> tuple[dict[str, list[float]], Any, str]:
    from rosenblatt import io, nn, optim
    from rosenblatt.train import Trainer

    regression = data.task == "regression"
    n_out = 1 if regression else len(data.class_names)
    sizes = [X_train.shape[1], *args.hidden, n_out]
    model = nn.build_mlp(sizes, args.activation, dropout=args.dropout, rng=args.seed)
    lr = 2e-3 if args.lr is None else args.lr
    if args.solver == "adam":
        optimizer: optim.Optimizer = optim.Adam(model.parameters(), lr=lr)
    else:
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    trainer = Trainer(
        model,
        _squared_error if regression else nn.functional.cross_entropy,
        optimizer,
        metrics=[] if regression else ["accuracy"],
        verbose=0 if args.json else 1,
    )
    checkpoint = resume = None
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        checkpoint = args.out / CHECKPOINT_FILE
        if args.resume is not None:
            resume = args.resume / CHECKPOINT_FILE
            if not resume.exists():
                raise FileNotFoundError(
                    f"--resume: no {CHECKPOINT_FILE} in {args.resume}"
                )
    validation = None if args.val_split else (X_test, data.y_test)
    try:
        history = trainer.fit(
            X_train,
            data.y_train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            rng=args.seed,
            validation_data=validation,
            validation_split=args.val_split,
            checkpoint=checkpoint,
            checkpoint_every=args.checkpoint_every,
            resume_from=resume,
        )
    except KeyboardInterrupt:
        if checkpoint is not None and checkpoint.exists():
            raise _InterruptedError(
                f"interrupted; the last finished epoch is saved in {checkpoint}. Resume "
                f"with the same options and --resume {args.out}"
            ) from None
        raise _InterruptedError(
            "interrupted before any checkpoint (use --out DIR to keep one)"
        ) from None
    describe = f"MLP {'-'.join(map(str, sizes))} ({args.activation})"
    if args.out is not None:
        io.save(
            model, args.out / MODEL_FILE, data.name, _preprocessing(data, mean, scale)
        )

    return history.history, lambda X: _scores_of(model, data.task, X), describe


def _train_cnn(
    args: argparse.Namespace,
    data: Any,
    X_train: Any,
    X_test: Any,
    mean: Any,
    scale: Any,
) -> tuple[dict[str, list[float]], Any, str]:
    from rosenblatt.cnn import CNNClassifier

    if data.task == "regression":
        raise ValueError(f"train: {data.name} has a numeric target; the CNN classifies")
    square = X_train.shape[1] == 28 * 28
    architecture = "lenet5" if square else "simple_cnn"
    clf = CNNClassifier(
        architecture, max_iter=args.epochs, batch_size=args.batch_size,
        learning_rate_init=1e-3 if args.lr is None else args.lr, random_state=args.seed,
        verbose=not args.json,
    )  # fmt: skip
    clf.fit(X_train, data.y_train, validation_data=(X_test, data.y_test))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        clf.save(args.out / MODEL_FILE, data.name, _preprocessing(data, mean, scale))
    shape = "x".join(map(str, clf.image_shape_))
    return clf.history_, clf.predict_proba, f"CNN {architecture} on {shape} images"


def _train_perceptron(
    args: argparse.Namespace, data: Any, X_train: Any, mean: Any, scale: Any
) -> tuple[dict[str, list[float]], Any, str]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from rosenblatt.perceptron import Perceptron

    clf = Perceptron(
        eta0=1.0 if args.lr is None else args.lr,
        max_iter=args.epochs,
        random_state=args.seed,
        verbose=0 if args.json else 1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, data.y_train)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        clf.save(args.out / MODEL_FILE, data.name, _preprocessing(data, mean, scale))
    history = {"mistakes": [float(e) for e in clf.errors_]}

    scores_of = lambda X: _scores_of(clf, data.task, X)  # noqa: E731
    return history, scores_of, f"Perceptron ({clf.converged_ or 'not converged'})"


def _write_outputs(
    args: argparse.Namespace,
    data: Any,
    history: dict[str, list[float]],
    report: dict[str, Any],
    scores_of: Any,
    X_test: Any,
) -> None:
    from rosenblatt import plot

    out: Path = args.out
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
    if X_test.shape[1] == 2 and data.task == "classification":
        plot.decision_surface(scores_of, X_test, data.y_test).savefig(
            out / "decision_surface.png", dpi=100
        )
        figures.append("decision_surface.png")
    if args.model == "mlp":
        from rosenblatt import io

        plot.network_diagram(io.load(out / MODEL_FILE)).savefig(
            out / "network.png", dpi=100
        )
        figures.append("network.png")
    lines = [
        f"# {report['model']} on {data.name}",
        "",
        f"- data: {data.name} ({data.source}), {len(data.y_train)} training and "
        f"{len(data.y_test)} test samples",
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


def _scores(data: Any, outputs: Any) -> dict[str, Any]:
    """Test-split scores: accuracy and confusion matrix, or R^2, MAE and RMSE."""
    import numpy as np

    from rosenblatt.train import confusion_matrix

    if data.task == "regression":
        y, pred = np.asarray(data.y_test, dtype=np.float64), outputs.reshape(-1)
        residual = y - pred
        total = float(((y - y.mean()) ** 2).sum())
        return {
            "test_r2": 1.0 - float((residual**2).sum()) / total if total else 0.0,
            "test_mae": float(np.abs(residual).mean()),
            "test_rmse": float(np.sqrt((residual**2).mean())),
        }
    predicted = outputs.argmax(axis=1)
    matrix = confusion_matrix(data.y_test, predicted, len(data.class_names))
    return {
        "test_accuracy": float((predicted == data.y_test).mean()),
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
    from rosenblatt.data import load

    model = _Loaded(args.model)
    data = load(args.data, seed=args.seed, target=args.target, data_dir=args.data_dir)
    if data.task != model.task or list(data.class_names or []) != model.class_names:
        raise ValueError(
            f"evaluate: the model ({model.task}, classes {model.class_names}) does not "
            f"fit {data.name} ({data.task}, classes {list(data.class_names or [])})"
        )
    scores = _scores(data, model.scores(data.X_test))
    if data.task == "regression":
        if args.json:
            print(json.dumps({**scores, "samples": len(data.y_test)}))
        else:
            print(f"{data.name}: {len(data.y_test)} test samples")
            _print_scores(scores, None)
        return 0
    import numpy as np

    matrix = np.asarray(scores["confusion_matrix"])
    per_class = {}
    for i, name in enumerate(model.class_names):
        tp = int(matrix[i, i])
        predicted_i, true_i = int(matrix[:, i].sum()), int(matrix[i].sum())
        per_class[name] = {
            "precision": tp / predicted_i if predicted_i else 0.0,
            "recall": tp / true_i if true_i else 0.0,
            "support": true_i,
        }
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


def _predict(args: argparse.Namespace) -> int:
    import numpy as np

    model = _Loaded(args.model)
    handle = (
        sys.stdin
        if args.input == "-"
        else open(args.input, newline="", encoding="utf-8")
    )
    with handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ValueError(f"predict: {args.input} is empty")
    header = [h.strip() for h in rows[0]]
    missing = [f for f in model.feature_names if f not in header]
    if missing:
        raise ValueError(
            f"predict: the input lacks the model's feature columns {missing}"
        )
    columns = [header.index(f) for f in model.feature_names]
    X = np.empty((len(rows) - 1, len(columns)), dtype=np.float32)
    for r, row in enumerate(rows[1:], start=2):
        for j, c in enumerate(columns):
            try:
                X[r - 2, j] = float(row[c])
            except (ValueError, IndexError):
                raise ValueError(
                    f"predict: row {r}, column {header[c]!r}: expected a number"
                ) from None
    scores = model.scores(X)
    if model.task == "regression":
        if args.proba:
            raise ValueError(
                "predict: --proba needs a classifier; this model predicts values"
            )
        records: list[dict[str, Any]] = [{"prediction": float(v[0])} for v in scores]
    else:
        records = []
        for row_scores in scores:
            record: dict[str, Any] = {
                "prediction": model.class_names[int(np.argmax(row_scores))]
            }
            if args.proba:
                record.update(
                    {
                        f"p_{n}": float(p)
                        for n, p in zip(model.class_names, row_scores, strict=True)
                    }
                )
            records.append(record)
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        if args.json:
            out.write(json.dumps(records) + "\n")
        else:
            writer = csv.writer(out)
            writer.writerow(list(records[0]) if records else ["prediction"])
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
    if model.network is not None:
        n_params = sum(p.size for p in model.network.parameters())
        kind, description = "network", repr(model.network)
    else:
        estimator = model.estimator
        if hasattr(estimator, "module_"):  # the MLPs and the CNN keep a network
            arrays_size = sum(p.size for p in estimator.module_.parameters())
        else:  # the perceptron keeps its weight vectors
            arrays_size = int(estimator.weights_.size)
        n_params, kind, description = (
            arrays_size,
            model.info["estimator"],
            repr(model.estimator),
        )
    result = {
        **meta,
        "kind": kind,
        "parameters": int(n_params),
        "classes": model.class_names,
        "features": len(model.feature_names),
        "standardized": model.mean is not None,
        "architecture": description,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{model.path}")
    print(
        f"  {kind}, {n_params:,} parameters, {len(model.feature_names)} features, "
        f"{len(model.class_names)} classes"
    )
    print(
        f"  trained on {meta['data']} with {meta['library']} (format {meta['format_version']}), "
        f"saved {meta['saved']}"
    )
    print("  " + description.replace("\n", "\n  "))
    return 0


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


_COMMANDS: dict[str, Any] = {
    "train": _train,
    "evaluate": _evaluate,
    "predict": _predict,
    "info": _info,
    "datasets": _datasets,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage, 130 Ctrl-C)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _COMMANDS[args.command](args)
    except (_InterruptedError, KeyboardInterrupt) as stop:
        print(f"rosenblatt: {stop or 'interrupted'}", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 (the CLI's one place to report failures)
        if args.debug:
            traceback.print_exc()
        print(f"rosenblatt: error: {error}", file=sys.stderr)
        return 1
