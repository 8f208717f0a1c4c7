"""Peak memory (RSS) of fitting the Fashion-MNIST MLP, each contender in its own process.

784-256-128-10 ReLU, Adam, batch 128, float32, on the 60,000 training images (about
180 MiB of pixels). "before fit" is the resident set after imports and loading the
data; "peak" the highest resident set during the fit (the kernel's high-water mark,
reset just before it); their difference is what fitting added.
"""

from __future__ import annotations

from common import Section, peak_memory, table

CONTENDERS = {
    "rosenblatt MLPClassifier": "rosenblatt-estimator",
    "rosenblatt engine": "rosenblatt-engine",
    "PyTorch": "pytorch",
    "scikit-learn MLPClassifier": "scikit-learn",
}


def section(quick: bool, rounds: int | None = None) -> Section:
    epochs = 1 if quick else 2
    measured = {name: peak_memory(arg, str(epochs)) for name, arg in CONTENDERS.items()}
    rows = [
        [
            name,
            f"{m['before']:.0f}",
            f"{m['peak']:.0f}",
            f"{m['peak'] - m['before']:.0f}",
        ]
        for name, m in measured.items()
    ]
    ratios = {
        "peak_rss_vs_torch": measured["rosenblatt MLPClassifier"]["peak"]
        / measured["PyTorch"]["peak"],
        "peak_rss_engine_vs_torch": measured["rosenblatt engine"]["peak"]
        / measured["PyTorch"]["peak"],
    }
    return Section(
        [
            f"## Peak memory: fitting the Fashion-MNIST MLP ({epochs} epochs)",
            "",
            "Each contender runs alone in a fresh process. 784-256-128-10 ReLU, Adam, "
            "batch 128, float32. MiB of resident memory.",
            "",
            *table(["contender", "before fit", "peak", "added by fit"], rows),
            "",
            "- peak RSS, rosenblatt MLPClassifier / PyTorch: "
            f"**{ratios['peak_rss_vs_torch']:.2f}** (engine: "
            f"{ratios['peak_rss_engine_vs_torch']:.2f})",
            "",
        ],
        ratios,
    )
