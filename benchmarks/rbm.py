"""Workload 8: BernoulliRBM ``fit`` against scikit-learn's, the 2006 pretraining step.

The same parameters and ``random_state`` give the same machine in both (the tests
check it); each round fits both, in turn, timed on the section's clock.
"""

from __future__ import annotations

from typing import Any

from common import Section, clock_name, fashion, ratio, table, time_rounds


def section(quick: bool, rounds: int | None = None) -> Section:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM as SkBernoulliRBM

    from rosenblatt import BernoulliRBM

    rounds = rounds or (3 if quick else 5)
    digits = load_digits().data / 16
    images = fashion(5_000 if quick else 20_000).X.astype("float64")
    cases: list[tuple[str, Any, dict[str, Any]]] = [
        (
            "digits (1,797 x 64), 64 hidden, batch 10, 10 passes",
            digits,
            {"n_components": 64},
        ),
        ("digits, 256 hidden (the default), batch 10, 10 passes", digits, {}),
        (
            f"Fashion-MNIST-sized ({len(images):,} x 784), 256 hidden, batch 100, 2 passes",
            images,
            {"batch_size": 100, "n_iter": 2},
        ),
    ]
    rows, ratios = [], {}
    for label, X, params in cases:

        def fitter(cls: Any, params: dict[str, Any] = params) -> Any:
            return lambda data, seed: cls(**params, random_state=seed).fit(data)

        contenders = {
            "rosenblatt": fitter(BernoulliRBM),
            "scikit-learn": fitter(SkBernoulliRBM),
        }
        results = time_rounds(contenders, rounds, X, warm_up=True)
        r = ratio(results, "rosenblatt", "scikit-learn")
        ratios.setdefault("digits_bernoullirbm_vs_sklearn", r)
        rows.append(
            [
                label,
                f"{results['rosenblatt']['median']:.3f}",
                f"{results['scikit-learn']['median']:.3f}",
                f"**{r:.2f}**",
            ]
        )
    header = ["data", "rosenblatt s", "scikit-learn s", "rosenblatt / scikit-learn"]
    return Section(
        [
            "## Workload 8: `BernoulliRBM.fit` against scikit-learn's",
            "",
            "The same parameters and `random_state`, hence the same machine (to 1e-12); "
            f"medians of {rounds} interleaved rounds, {clock_name()}.",
            "",
            *table(header, rows),
            "",
        ],
        ratios,
    )
