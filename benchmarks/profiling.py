"""Where the time goes: each benchmark workload of rosenblatt under pyinstrument.

Writes one call tree per workload to benchmarks/profiles/NAME.txt (pyinstrument's
text report: wall time per call path, sampled every millisecond). Read them before
optimising anything; benchmarks/PROFILES.md summarises what they showed.

Usage: python benchmarks/profiling.py [NAME ...]   (needs `pip install -e '.[profile]'`;
`make profile` does both)
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable

import numpy as np

import lenet
import mlp_epoch
import xor
from common import HERE, fashion


def mlp_engine() -> None:
    data = fashion(None, np.float32)
    mlp_epoch.engine_epoch(
        data.X, data.y, mlp_epoch.initial_weights(np.float32), seed=0
    )


def mlp_estimator() -> None:
    from rosenblatt import MLPClassifier

    data = fashion(None, np.float32)
    mlp_epoch.estimator_epoch(MLPClassifier)(data.X, data.y, [], seed=0)


def lenet_epoch() -> None:
    data = fashion(20_000)
    lenet.ours(data.X.reshape(-1, 1, 28, 28), data.y, seed=0)


def xor_steps() -> None:
    xor.engine(20_000, seed=0)


def digits_mlpclassifier() -> None:
    from sklearn.datasets import load_digits

    from rosenblatt import MLPClassifier

    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPClassifier(random_state=0).fit(X / 16.0, y)


def perceptron_digits() -> None:
    from sklearn.datasets import load_digits

    from rosenblatt import Perceptron

    X, y = load_digits(return_X_y=True)
    for seed in range(10):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Perceptron(max_iter=20, n_iter_no_change=21, random_state=seed).fit(
                X / 16, y
            )


WORKLOADS: dict[str, Callable[[], None]] = {
    "mlp_engine": mlp_engine,
    "mlp_estimator": mlp_estimator,
    "lenet_epoch": lenet_epoch,
    "xor_steps": xor_steps,
    "digits_mlpclassifier": digits_mlpclassifier,
    "perceptron_digits": perceptron_digits,
}


def main() -> int:
    from pyinstrument import Profiler

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *WORKLOADS], default=[])
    args = parser.parse_args()
    folder = HERE / "profiles"
    folder.mkdir(exist_ok=True)
    for name in args.names or WORKLOADS:
        WORKLOADS[name]()  # warm-up: imports, caches, BLAS threads
        profiler = Profiler(interval=0.001)
        with profiler:
            WORKLOADS[name]()
        text = profiler.output_text(unicode=False, color=False)
        (folder / f"{name}.txt").write_text(text)
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
