"""Shared test setup: the hypothesis profile and the op table on the import path."""

import os
import sys

from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))  # for `import op_cases`

# Deterministic examples and no deadlines: CI machines are shared and noisy.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say why the PyTorch comparisons were skipped, and how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    torch = [r for r in skipped if "torch" in str(getattr(r, "longrepr", ""))]
    if torch:
        terminalreporter.write_line(
            f"The comparisons with PyTorch were skipped ({len(torch)} skip reports): "
            "torch is not installed. `make compare` installs it (torch==2.13.0, a CPU "
            "build); `.ci/run` does so before `make test`.",
            yellow=True,
        )
