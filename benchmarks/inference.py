"""Workload 6: inference throughput of a trained MLP and a trained LeNet-5.

Each network is trained briefly with rosenblatt, then the same weights are copied into
PyTorch and exported to ONNX (``rosenblatt.onnx.to_onnx``, run by ONNX Runtime when
it is installed); all classify Fashion-MNIST's 10,000 test images in batches of 1,000
(rosenblatt's ``train.predict``, PyTorch under ``torch.inference_mode``), float32.
Throughput is test images per second; the accuracy of each shows they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import common
from common import Data, Section, fashion, ratio, table, time_rounds
from lenet import copy_to_torch, torch_lenet5
from mlp_epoch import SIZES, torch_mlp
from rosenblatt import models, nn, optim
from rosenblatt.nn import functional as F
from rosenblatt.train import fit, predict

BATCH = 1_000


def trained(build: Callable[[], nn.Module], X: np.ndarray, y: np.ndarray) -> nn.Module:
    net = build()
    opt = optim.Adam(net.parameters(), lr=1e-3)
    fit(net, F.cross_entropy, opt, X, y, epochs=1, batch_size=128, rng=0, verbose=0)
    return net


def contenders(net: nn.Module, theirs: Any, y_test: np.ndarray) -> dict[str, Any]:
    import torch

    def ours(X: np.ndarray, seed: int) -> float:
        return float(
            (predict(net, X, batch_size=BATCH).argmax(axis=1) == y_test).mean()
        )

    def pytorch(X: np.ndarray, seed: int) -> float:
        theirs.eval()
        Xt = torch.from_numpy(X)
        with torch.inference_mode():
            out = torch.cat(
                [theirs(Xt[i : i + BATCH]) for i in range(0, len(X), BATCH)]
            )
        return float((out.argmax(dim=1).numpy() == y_test).mean())

    runners = {"rosenblatt": ours, "PyTorch": pytorch}
    try:
        import onnxruntime
    except ImportError:
        return runners
    from rosenblatt.onnx import to_onnx

    example = np.zeros((1, *_input_shape(net)), np.float32)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = common.THREADS  # the same threads as the others
    session = onnxruntime.InferenceSession(
        to_onnx(net, example).SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
    )

    def onnx_runtime(X: np.ndarray, seed: int) -> float:
        out = np.concatenate(
            [
                session.run(["output"], {"input": X[i : i + BATCH]})[0]
                for i in range(0, len(X), BATCH)
            ]
        )
        return float((out.argmax(axis=1) == y_test).mean())

    return {**runners, "ONNX Runtime": onnx_runtime}


def _input_shape(net: nn.Module) -> tuple[int, ...]:
    first = next(m for m in net.modules() if isinstance(m, (nn.Linear, nn.Conv2d)))
    return (first.in_features,) if isinstance(first, nn.Linear) else (1, 28, 28)


def section(quick: bool, rounds: int | None = None) -> Section:
    rounds = rounds or (3 if quick else 7)
    data: Data = fashion(6_000 if quick else 20_000)
    mlp = trained(lambda: nn.build_mlp(SIZES, rng=0), data.X, data.y)
    mlp_weights = [
        (m.weight.data, m.bias.data) for m in mlp if isinstance(m, nn.Linear)
    ]
    images = data.X.reshape(-1, 1, 28, 28)
    lenet = trained(lambda: models.lenet5(rng=0), images, data.y)
    cases = [
        ("MLP 784-256-128-10", mlp, torch_mlp(mlp_weights), data.X_test),
        (
            "LeNet-5",
            lenet,
            copy_to_torch(lenet, torch_lenet5()),
            data.X_test.reshape(-1, 1, 28, 28),
        ),
    ]
    rows, ratios = [], {}
    for name, ours, theirs, X_test in cases:
        results = time_rounds(contenders(ours, theirs, data.y_test), rounds, X_test)
        rate = {k: len(X_test) / v["median"] for k, v in results.items()}
        r = ratio(results, "rosenblatt", "PyTorch")
        key = name.split()[0].lower()
        ratios[f"inference_{key}_vs_torch"] = r
        onnx = results.get("ONNX Runtime")
        if onnx is not None:
            ratios[f"inference_{key}_vs_onnxruntime"] = ratio(
                results, "rosenblatt", "ONNX Runtime"
            )
        rows.append(
            [
                name,
                f"{rate['rosenblatt']:,.0f}",
                f"{rate['PyTorch']:,.0f}",
                f"{rate['ONNX Runtime']:,.0f}" if onnx else "not installed",
                f"**{r:.2f}**",
                f"{results['rosenblatt']['result']:.4f}",
                f"{results['PyTorch']['result']:.4f}",
                f"{onnx['result']:.4f}" if onnx else "—",
            ]
        )
    header = [
        "network",
        "rosenblatt images/s",
        "PyTorch images/s",
        "ONNX Runtime images/s (our export)",
        "time ratio rosenblatt / PyTorch",
    ]
    return Section(
        [
            "## Workload 6: inference throughput (float32, batches of 1,000)",
            "",
            f"Trained for one epoch on {len(data.X):,} {data.source} images, then the same "
            f"weights in both libraries; {len(data.X_test):,} test images, medians of "
            f"{rounds} interleaved rounds.",
            "",
            *table(
                [*header, "accuracy rosenblatt", "accuracy PyTorch", "accuracy ONNX"],
                rows,
            ),
            "",
        ],
        ratios,
    )
