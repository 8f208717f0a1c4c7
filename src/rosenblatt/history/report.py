"""The history lab's report: a summary table, and report.html, report.md, results.json.

``report.html`` is one self-contained page (styles inline, figures embedded as data
URIs, nothing fetched from anywhere); ``report.md`` shows the same with its figures
beside it in ``figures/``; ``results.json`` holds every number, for other tools.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rosenblatt.history.milestone import Milestone, png

__all__ = ["summary_rows", "to_json", "write"]

HEADER = ("year", "claim", "measured", "verdict", "seconds")


def summary_rows(results: Sequence[Milestone]) -> list[tuple[str, ...]]:
    """One row per milestone: year, title, what was measured, verdict, seconds."""
    return [
        (m.year, m.title, m.measured, m.verdict, f"{m.seconds:.1f}") for m in results
    ]


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as JSON's numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON: {type(value).__name__}")


def to_json(results: Sequence[Milestone], quick: bool, seed: int) -> str:
    """Every milestone's claim, rule, checks and numbers as one JSON document."""
    document = {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "seed": seed,
        "milestones": [m.to_dict() for m in results],
    }
    return json.dumps(document, indent=2, default=_plain)


def write(
    results: Sequence[Milestone], folder: str | Path, quick: bool = False, seed: int = 0
) -> dict[str, Path]:
    """Write report.html, report.md (and its figures/) and results.json into ``folder``."""
    out = Path(folder)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    paths = {
        "html": out / "report.html",
        "markdown": out / "report.md",
        "json": out / "results.json",
    }
    # each figure rendered once, for both reports: (year, index) -> PNG bytes
    images = {
        (m.year, i): png(figure)
        for m in results
        for i, (_, figure) in enumerate(m.figures)
    }
    for (year, i), data in images.items():
        (out / "figures" / f"{year}-{i + 1}.png").write_bytes(data)
    paths["json"].write_text(to_json(results, quick, seed) + "\n", encoding="utf-8")
    paths["html"].write_text(_html(results, images, quick, seed), encoding="utf-8")
    paths["markdown"].write_text(_markdown(results, quick, seed), encoding="utf-8")
    return paths


def _mode(quick: bool, seed: int) -> str:
    return f"{'quick' if quick else 'full'} run, seed {seed}"


def _markdown(results: Sequence[Milestone], quick: bool, seed: int) -> str:
    lines = [
        "# The history lab: the source text's claims, measured",
        "",
        f"rosenblatt history ({_mode(quick, seed)}). Each rule was fixed before the run.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *("| " + " | ".join(row) + " |" for row in summary_rows(results)),
        "",
    ]
    for m in results:
        lines += [
            f"## {m.year}: {m.title} — {m.verdict}",
            "",
            f"**Claim.** {m.claim}",
            "",
            f"**Setup.** {m.setup}",
            "",
            f"**Rule.** {m.rule}",
            "",
            "| check | measured | holds |",
            "|---|---|---|",
            *(
                f"| {c.asks} | {c.measured} | "
                f"{'-' if c.holds is None else 'yes' if c.holds else 'no'} |"
                for c in m.checks
            ),
            "",
        ]
        for i, (caption, _) in enumerate(m.figures):
            lines += [f"![{caption}](figures/{m.year}-{i + 1}.png)", ""]
        lines += ["```python", m.code, "```", ""]
    return "\n".join(lines)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 68rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.35rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
.supported { color: #006b4f; font-weight: 600; }
.not-supported { color: #b34700; font-weight: 600; }
.not-measured { color: #555; font-weight: 600; }
figure { margin: 1rem 0; } figure img { max-width: 100%; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; }
section { border-top: 2px solid #ddd; margin-top: 2rem; }
"""


def _verdict_class(m: Milestone) -> str:
    return {True: "supported", False: "not-supported", None: "not-measured"}[
        m.supported
    ]


def _html(
    results: Sequence[Milestone],
    images: dict[tuple[str, int], bytes],
    quick: bool,
    seed: int,
) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><td><a href="#m{e(row[0])}">{e(row[0])}</a></td><td>{e(row[1])}</td>'
        f'<td>{e(row[2])}</td><td class="{_verdict_class(m)}">{e(row[3])}</td>'
        f"<td>{e(row[4])}</td></tr>"
        for m, row in zip(results, summary_rows(results), strict=True)
    )
    sections = []
    for m in results:
        checks = "".join(
            f"<tr><td>{e(c.asks)}</td><td>{e(c.measured)}</td><td>"
            f"{'-' if c.holds is None else 'yes' if c.holds else 'no'}</td></tr>"
            for c in m.checks
        )
        figures = "".join(
            f'<figure><img alt="{e(caption)}" src="data:image/png;base64,'
            f'{base64.b64encode(images[m.year, i]).decode("ascii")}">'
            f"<figcaption>{e(caption)}</figcaption></figure>"
            for i, (caption, _) in enumerate(m.figures)
        )
        numbers = json.dumps(m.numbers, indent=2, default=_plain)
        sections.append(
            f'<section id="m{e(m.year)}"><h2>{e(m.year)}: {e(m.title)} — '
            f'<span class="{_verdict_class(m)}">{e(m.verdict)}</span></h2>'
            f"<p><strong>Claim.</strong> {e(m.claim)}</p>"
            f"<p><strong>Setup.</strong> {e(m.setup)}</p>"
            f"<p><strong>Rule.</strong> {e(m.rule)}</p>"
            "<table><tr><th>check</th><th>measured</th><th>holds</th></tr>"
            f"{checks}</table>{figures}"
            f"<details><summary>Numbers</summary><pre>{e(numbers)}</pre></details>"
            f"<p>Rerun it:</p><pre><code>{e(m.code)}</code></pre></section>"
        )
    head = "".join(f"<th>{e(h)}</th>" for h in HEADER)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>rosenblatt history: the claims, measured</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>The history lab: the source text's claims, measured</h1>"
        f"<p>rosenblatt history ({e(_mode(quick, seed))}). Each milestone's rule was "
        "fixed before the run; where the numbers do not support the text, the verdict "
        "says so.</p>"
        f"<table><tr>{head}</tr>{rows}</table>{''.join(sections)}</body></html>\n"
    )
