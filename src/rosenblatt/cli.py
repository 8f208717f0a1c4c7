"""The command line: ``rosenblatt train`` and ``rosenblatt datasets``."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Sequence

__all__ = ["main"]


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
        help="train a multilayer perceptron (by default on the bundled digits)",
        description="Train an MLP classifier (by default on scikit-learn's digits, with a "
        "fixed, seeded 75/25 split) with Adam and report the test accuracy and the "
        "confusion matrix.",
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
        "--epochs", type=int, default=30, help="passes over the data (default: 30)"
    )
    train.add_argument(
        "--batch-size", type=int, default=32, help="samples per step (default: 32)"
    )
    train.add_argument(
        "--lr", type=float, default=2e-3, help="Adam learning rate (default: 2e-3)"
    )
    train.add_argument(
        "--seed", type=int, default=0, help="seed for split, weights, order"
    )
    train.add_argument(
        "--data",
        default="digits",
        help="a dataset name (see 'rosenblatt datasets') or a .csv file (default: digits)",
    )
    train.add_argument("--target", help="the CSV target column (default: the last)")
    train.add_argument("--data-dir", help="where to look for IDX files")
    train.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout instead of the report",
    )
    datasets = commands.add_parser(
        "datasets",
        help="list the datasets that --data accepts",
        description="List every dataset by name, with its size and where it comes from.",
    )
    datasets.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _train(args: argparse.Namespace) -> int:
    from rosenblatt import nn, optim
    from rosenblatt.data import load
    from rosenblatt.train import confusion_matrix, fit, predict, predicted_classes

    data = load(args.data, seed=args.seed, target=args.target, data_dir=args.data_dir)
    if data.class_names is None:
        raise ValueError(
            f"train: {data.name} has a numeric target; this command trains classifiers "
            "for now (use rosenblatt.MLPRegressor from Python)"
        )
    n_features, n_classes = data.X_train.shape[1], len(data.class_names)
    model = nn.build_mlp(
        [n_features, *args.hidden, n_classes], args.activation, rng=args.seed
    )
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    started = time.perf_counter()
    history = fit(
        model,
        nn.functional.cross_entropy,
        optimizer,
        data.X_train,
        data.y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        rng=args.seed,
        validation_data=(data.X_test, data.y_test),
        metrics=["accuracy"],
        verbose=0 if args.json else 1,
    )
    seconds = time.perf_counter() - started
    predicted = predicted_classes(predict(model, data.X_test))
    accuracy = float((predicted == data.y_test).mean())
    matrix = confusion_matrix(data.y_test, predicted, n_classes)
    if args.json:
        report = {
            "dataset": data.name,
            "model": f"MLP {'-'.join(map(str, [n_features, *args.hidden, n_classes]))}",
            "test_accuracy": accuracy,
            "epochs": len(history),
            "seconds": round(seconds, 3),
            "final_loss": history["loss"][-1],
            "confusion_matrix": matrix.tolist(),
        }
        print(json.dumps(report))
        return 0
    sizes = "-".join(map(str, [n_features, *args.hidden, n_classes]))
    print(
        f"\nMLP {sizes} ({args.activation}) on {data.name}: "
        f"{len(data.X_train)} training and {len(data.X_test)} test samples"
    )
    print(f"trained {len(history)} epochs in {seconds:.1f} s")
    print(f"test accuracy: {accuracy:.4f}\n")
    print("confusion matrix (rows: true class, columns: predicted class)")
    width = max(3, len(str(int(matrix.max()))) + 1)
    short = all(len(name) < width for name in data.class_names)
    labels = list(data.class_names) if short else [str(i) for i in range(n_classes)]
    print("    " + "".join(f"{name:>{width}}" for name in labels))
    for name, row in zip(labels, matrix, strict=True):
        print(f"{name:>3} " + "".join(f"{int(v):>{width}}" for v in row))
    if not short:
        print(
            "classes: "
            + ", ".join(f"{i} = {n}" for i, n in enumerate(data.class_names))
        )
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from rosenblatt.data import DATASETS

    if args.json:
        entries = {
            name: {"size": i.size, "source": i.source} for name, i in DATASETS.items()
        }
        print(json.dumps(entries))
        return 0
    width = max(len(name) for name in DATASETS)
    size_width = max(len(i.size) for i in DATASETS.values())
    for name, info in DATASETS.items():
        print(f"{name:<{width}}  {info.size:<{size_width}}  {info.source}")
    print(f"{'<file>.csv':<{width}}  {'any':<{size_width}}  a CSV file with a header")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "train":
            return _train(args)
        if args.command == "datasets":
            return _datasets(args)
    except KeyboardInterrupt:
        print("rosenblatt: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 (the CLI's one place to report failures)
        if args.debug:
            traceback.print_exc()
        print(f"rosenblatt: error: {error}", file=sys.stderr)
        return 1
    return 2
