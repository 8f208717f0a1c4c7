"""The side-by-side benchmark suite; writes benchmarks/RESULTS.md.

Sections (run in this order; each is a module here with a ``section()`` function):

  mlp_epoch   workloads 1 and 7: an MLP training epoch against PyTorch and
              scikit-learn, float32 and float64, and its GEMM-only floor
  lenet       workload 2: a LeNet-5 training epoch against PyTorch
  xor         workload 3: one XOR step against PyTorch, scikit-learn, NumPy
  perceptron  workload 4: Perceptron fit against scikit-learn's
  estimators  workload 5: MLPClassifier fit against scikit-learn's
  rbm         workload 8: BernoulliRBM fit against scikit-learn's
  threads     workload 10: the BLAS-thread policy, idle and with the other core busy
  startup     workload 9: import time and the first fit in a fresh process
  playground  workload 11: the playground's update rate, server and page
  inference   workload 6: inference throughput against PyTorch
  memory      peak RSS of the Fashion-MNIST MLP fit, one process per contender
  fashion     accuracy of full training runs on Fashion-MNIST (about 40 minutes)

Each section runs in a fresh process; every contender of a workload runs in that
process, in interleaved rounds (so drifts in machine load hit all alike), with the same number
of threads for NumPy's BLAS and PyTorch. The timed workloads (TIMED) run twice: on 1
thread, timed in CPU time of that thread (``time.thread_time``: the main figure, which
other load on this shared machine hardly moves), and on 2 threads, timed in wall time.
Each section's Markdown and ratios are kept in benchmarks/results/ so one section can
be rerun (``--only lenet``) and the whole file rebuilt; ``--quick`` (a sanity check)
writes to benchmarks/quick/ instead and never touches RESULTS.md.

Usage: python benchmarks/run.py [--quick] [--only NAME ...] [--skip NAME ...]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import threadpoolctl

import estimators
import fashion_results
import inference
import lenet
import memory
import mlp_epoch
import perceptron
import playground
import rbm
import rosenblatt
import startup
import threads
import xor
from common import HERE, table, use_threads

# The sections measured twice: 1-thread CPU time (the main figure), 2-thread wall time.
TIMED = ("mlp_epoch", "lenet", "xor", "perceptron", "estimators", "rbm", "inference")
# What the 2-thread run's files and ratio keys add to the 1-thread run's.
TWO = "@2"

SECTIONS = {
    "mlp_epoch": mlp_epoch.section,
    "lenet": lenet.section,
    "xor": xor.section,
    "perceptron": perceptron.section,
    "estimators": estimators.section,
    "rbm": rbm.section,
    "threads": threads.section,
    "startup": startup.section,
    "playground": playground.section,
    "inference": inference.section,
    "memory": memory.section,
    "fashion": fashion_results.section,
}

# (what, ratio key, comparison, target): time ratios are rosenblatt / peer, lower is better.
TARGETS = [
    # issue 16's targets (rosenblatt's time / the peer's in the same run)
    ("MLP epoch / PyTorch, float32", "mlp_epoch_vs_torch_float32", "<=", 0.6),
    ("MLP epoch / PyTorch, float64", "mlp_epoch_vs_torch_float64", "<=", 0.7),
    ("MLP epoch / scikit-learn, float32", "mlp_epoch_vs_sklearn_float32", "<=", 0.5),
    ("MLP epoch / scikit-learn, float64", "mlp_epoch_vs_sklearn_float64", "<=", 0.5),
    ("GEMM floor / MLP epoch, float32", "gemm_floor_share_float32", ">=", 0.70),
    ("LeNet-5 epoch / PyTorch", "lenet_epoch_vs_torch", "<=", 1.0),
    ("XOR step, MLPClassifier / scikit-learn's", "xor_step_vs_sklearn", "<=", 0.8),
    ("XOR step, engine / PyTorch", "xor_step_vs_torch", "<=", 0.4),
    ("Perceptron / scikit-learn, digits", "perceptron_vs_sklearn_digits", "<=", 0.5),
    ("Perceptron / scikit-learn, Fashion", "perceptron_vs_sklearn_fashion", "<=", 0.5),
    (
        "digits MLPClassifier / scikit-learn",
        "digits_mlpclassifier_vs_sklearn",
        "<=",
        0.6,
    ),
    (
        "BernoulliRBM fit / scikit-learn, digits",
        "digits_bernoullirbm_vs_sklearn",
        "<=",
        0.99,
    ),
    (
        "import rosenblatt / import sklearn.neural_network",
        "import_rosenblatt_vs_sklearn",
        "<=",
        1.0,
    ),
    (
        "first XOR fit in a fresh process, cached (s)",
        "first_xor_fit_seconds",
        "<=",
        0.5,
    ),
    ("peak RSS of the MLP fit / PyTorch", "peak_rss_vs_torch", "<=", 1.0),
    (
        "playground updates per second, 2-8-8-1 on 50 x 50",
        "playground_updates_per_second",
        ">=",
        10,
    ),
    ("Fashion-MNIST accuracy, MLP with dropout", "fashion_accuracy_mlp", ">=", 0.90),
    ("Fashion-MNIST accuracy, LeNet-5", "fashion_accuracy_lenet5", ">=", 0.90),
    (
        "Fashion-MNIST accuracy, AlexNet-style",
        "fashion_accuracy_alexnet_small",
        ">=",
        0.92,
    ),
]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def environment() -> list[str]:
    import scipy
    import sklearn
    import torch

    owners = {"numpy.libs": "NumPy", "scipy.libs": "SciPy", "torch": "PyTorch"}
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b.get('architecture', '?')}) for "
        + next((who for part, who in owners.items() if part in b["filepath"]), "?")
        for b in threadpoolctl.threadpool_info()
        if b["user_api"] == "blas"
    )
    return [
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}",
        f"- rosenblatt {rosenblatt.__version__}, NumPy {np.__version__}, SciPy "
        f"{scipy.__version__}, scikit-learn {sklearn.__version__}, PyTorch "
        f"{torch.__version__}",
        f"- BLAS: {blas}; scikit-learn and rosenblatt compute with NumPy's",
        "- threads: 1, then 2, for NumPy's BLAS (threadpoolctl) and for PyTorch "
        "(`torch.set_num_threads`), in each timed workload",
    ]


def shown(key: str, value: float) -> str:
    if math.isnan(value):
        return "—"
    if "share" in key:
        return f"{value:.0%}"
    return f"{value:.4f}" if "accuracy" in key else f"{value:.2f}"


def targets_table(ratios: dict[str, float]) -> list[str]:
    rows = []
    for what, key, comparison, target in TARGETS:
        value = ratios.get(key, math.nan)
        beside = shown(key, ratios.get(key + TWO, math.nan))
        if math.isnan(value):
            rows.append([what, f"{comparison} {target}", "not measured", beside, "—"])
            continue
        met = value <= target if comparison == "<=" else value >= target
        verdict = "met" if met else "**missed**"
        rows.append(
            [what, f"{comparison} {target}", shown(key, value), beside, verdict]
        )
    header = ["target", "goal", "measured", "2 threads, wall", "verdict"]
    return table(header, rows)


def with_clock(markdown: str, two_threads: bool) -> str:
    """A timed section's Markdown, its heading saying which clock timed it."""
    heading, _, rest = markdown.partition("\n")
    if not two_threads:
        return f"{heading}\n\n_CPU time on 1 thread (`time.thread_time`)._\n{rest}"
    title = heading.removeprefix("## ").split(":", 1)[0]
    return f"### {title}, 2 threads, wall time\n{rest}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a sanity check, under 2 minutes"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=None)
    parser.add_argument("--skip", nargs="+", choices=SECTIONS, default=())
    parser.add_argument(
        "--rounds", type=int, default=None, help="override each section's"
    )
    parser.add_argument("--section", choices=SECTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()

    folder = HERE / ("quick" if args.quick else "results")
    folder.mkdir(exist_ok=True)
    if args.section:  # the child process that runs one section
        use_threads(args.threads)
        section = SECTIONS[args.section](args.quick, args.rounds)
        suffix = TWO if args.section in TIMED and args.threads > 1 else ""
        ratios = {key + suffix: value for key, value in section.ratios.items()}
        (folder / f"{args.section}{suffix}.md").write_text("\n".join(section.lines))
        (folder / f"{args.section}{suffix}.json").write_text(
            json.dumps({"date": datetime.date.today().isoformat(), "ratios": ratios})
        )
        return 0
    chosen = [s for s in (args.only or SECTIONS) if s not in args.skip]
    started = time.perf_counter()
    for name in chosen:
        # Each section in a fresh process, so that what one leaves behind (the C
        # heap's layout, thread pools, caches) cannot affect the next. (LeNet-5's
        # epoch once took 10.7 s after the MLP section and 7.5 s alone, but a later
        # A/B of in-process order showed nothing beyond this machine's noise.)
        print(f"== {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        for count in (1, 2) if name in TIMED else (2,):
            command = [sys.executable, __file__, "--section", name]
            command += ["--threads", str(count), *(["--quick"] if args.quick else [])]
            command += ["--rounds", str(args.rounds)] if args.rounds else []
            subprocess.run(command, check=True)
        print(
            f"   {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True
        )

    ratios: dict[str, float] = {}
    parts: list[str] = []
    for name in SECTIONS:
        for suffix in ("", TWO) if name in TIMED else ("",):
            if not (folder / f"{name}{suffix}.md").exists():
                continue
            saved = json.loads((folder / f"{name}{suffix}.json").read_text())
            ratios.update(saved["ratios"])
            note = "" if name in chosen else f"\n\n_(from the run of {saved['date']})_"
            markdown = (folder / f"{name}{suffix}.md").read_text()
            if name in TIMED:
                markdown = with_clock(markdown, two_threads=bool(suffix))
            parts.append(markdown + note)
    lines = [
        "# Benchmark results"
        + (" (quick mode: fewer samples and rounds)" if args.quick else ""),
        "",
        "Written by `make bench` (`python benchmarks/run.py`). Each workload's "
        "contenders run in the same process, one after another in every round; times "
        "are medians over rounds, and a ratio is the median over rounds of rosenblatt's "
        "time / the peer's time in the same round (below 1: rosenblatt is faster). This "
        "machine is shared and its load varies by up to 50 % within minutes: compare "
        "ratios, not absolute times. The timed workloads run twice: with every library "
        "on 1 thread, timed in CPU time of that thread (`time.thread_time`, the main "
        "figure, which other load hardly moves), and on 2 threads in wall time.",
        "",
        "## Environment",
        "",
        *environment(),
        "",
        "## Targets",
        "",
        *targets_table(ratios),
        "",
        "\n\n".join(parts),
    ]
    out = folder.parent / ("quick/RESULTS.md" if args.quick else "RESULTS.md")
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
