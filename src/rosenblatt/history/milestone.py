"""What a milestone's run returns: its claim, its rule, what was measured, and the verdict.

A ``Milestone`` holds one claim of the source text in our words, the setup, the rule
that decides it (written before the run, in the module, never adjusted to the
outcome), the checks the rule is made of with their measured numbers, the raw
numbers, and the figures. The verdict is the checks' conjunction: supported when
every check holds, not supported when one fails, not measured when one could not run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Check", "Milestone", "png"]


@dataclass
class Check:
    """One part of a rule: what it asks, what was measured, and whether it holds.

    ``holds`` is None when it could not be measured here (the reason in ``measured``).
    """

    asks: str
    measured: str
    holds: bool | None

    def __post_init__(self) -> None:
        if self.holds is not None:
            self.holds = bool(self.holds)  # NumPy's booleans are not ``False``


@dataclass
class Milestone:
    """A claim of the source text, run and judged."""

    year: str
    title: str
    claim: str
    setup: str
    rule: str
    checks: list[Check]
    numbers: dict[str, Any]
    figures: list[tuple[str, Figure]] = field(default_factory=list)
    seconds: float = 0.0
    code: str = ""

    @property
    def supported(self) -> bool | None:
        """False if a check fails, else True if any was measured, else None."""
        if any(c.holds is False for c in self.checks):
            return False
        return True if any(c.holds for c in self.checks) else None

    @property
    def verdict(self) -> str:
        """'supported', 'not supported' or 'not measured', with the unmeasured parts."""
        word = {True: "supported", False: "not supported", None: "not measured"}
        unmeasured = sum(c.holds is None for c in self.checks)
        if unmeasured and self.supported is not None:
            return f"{word[self.supported]} ({unmeasured} part not measured)"
        return word[self.supported]

    @property
    def measured(self) -> str:
        """The checks' measurements, in one line."""
        return "; ".join(c.measured for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the figures' pixels, as JSON-ready values."""
        return {
            "year": self.year,
            "title": self.title,
            "claim": self.claim,
            "setup": self.setup,
            "rule": self.rule,
            "verdict": self.verdict,
            "checks": [vars(c) for c in self.checks],
            "numbers": self.numbers,
            "figures": [caption for caption, _ in self.figures],
            "seconds": round(self.seconds, 2),
            "code": self.code,
        }


def png(figure: Figure, dpi: int = 100) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
