"""Run scikit-learn's own test files for its MLPs and its Perceptron against rosenblatt.

The files are copied from the installed scikit-learn at run time (never vendored), and
only their import line changes:

- ``from sklearn.neural_network import MLPClassifier, MLPRegressor`` becomes
  rosenblatt's estimators;
- ``from sklearn.linear_model import Perceptron`` becomes
  ``rosenblatt.Perceptron.from_sklearn_params``, the documented parameter mapping.

The tests that cannot run unchanged are deselected; each is listed, with its reason
and our test of the same behaviour, in tests/reference/test_sklearn_suite_exceptions.py.
Usage: ``python scripts/sklearn_suite.py [pytest options]`` (``make sklearn-tests``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import sklearn

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS_FILE = ROOT / "tests" / "reference" / "test_sklearn_suite_exceptions.py"
SKLEARN = Path(sklearn.__file__).parent

# file name -> (its place in scikit-learn, the import line, what replaces it)
SUITES = {
    "test_mlp.py": (
        SKLEARN / "neural_network" / "tests" / "test_mlp.py",
        "from sklearn.neural_network import MLPClassifier, MLPRegressor\n",
        "from rosenblatt import MLPClassifier, MLPRegressor\n",
    ),
    "test_perceptron.py": (
        SKLEARN / "linear_model" / "tests" / "test_perceptron.py",
        "from sklearn.linear_model import Perceptron\n",
        "from rosenblatt import Perceptron as _Rosenblatt\n\n"
        "Perceptron = _Rosenblatt.from_sklearn_params  # the documented mapping\n",
    ),
}

# What scikit-learn's own conftest gives these files: the global_random_seed fixture
# (its default seed, 42, unless SKLEARN_TESTS_GLOBAL_RANDOM_SEED says otherwise).
CONFTEST = """
import os

import pytest


@pytest.fixture
def global_random_seed():
    return int(os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", "42"))
"""


def exceptions() -> dict[str, tuple[str, str]]:
    """The deselected tests, read from our test file that checks them another way."""
    spec = importlib.util.spec_from_file_location("_exceptions", EXCEPTIONS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    listed: dict[str, tuple[str, str]] = module.EXCEPTIONS
    return listed


def copy_suites(into: Path) -> None:
    """Copy each test file with its import line changed; fail if the line is gone."""
    for name, (source, line, replacement) in SUITES.items():
        text = source.read_text()
        if text.count(line) != 1:
            raise SystemExit(
                f"sklearn_suite: {source} no longer imports with {line.strip()!r}; "
                "update SUITES in scripts/sklearn_suite.py"
            )
        (into / name).write_text(text.replace(line, replacement))
    (into / "conftest.py").write_text(CONFTEST)
    (into / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")


def main(argv: list[str]) -> int:
    """Copy the suites into a temporary folder and run pytest there; its exit code."""
    with tempfile.TemporaryDirectory(prefix="sklearn-suite-") as tmp:
        where = Path(tmp)
        copy_suites(where)
        deselect = [f"--deselect={name}" for name in exceptions()]
        print(
            f"scikit-learn {sklearn.__version__}'s test_mlp.py and test_perceptron.py "
            f"against rosenblatt; {len(deselect)} tests left out, each tested another "
            f"way in {EXCEPTIONS_FILE.relative_to(ROOT)}",
            flush=True,
        )
        command = [sys.executable, "-m", "pytest", *SUITES, *deselect, *argv]
        return subprocess.call(command, cwd=where)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
