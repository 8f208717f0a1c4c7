"""The house's plan holds: every room has a floor in the import layers, and the engine
stays the size a student can read."""

import ast
import io
import tokenize
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "rosenblatt"
ENGINE = ["backend.py", "tensor.py", "ops"]  # DESIGN.md: the engine's rooms
ENGINE_CODE_LINES = 1000


def _rooms() -> set[str]:
    """Every module and package directly under rosenblatt/, but the package's own."""
    names = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()
    }
    return names - {"__init__", "__main__"}


def _layered() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    rooms = next(c for c in contracts if c["name"].startswith("Rooms import"))
    return {
        name.strip().removeprefix("rosenblatt.")
        for layer in rooms["layers"]
        for name in layer.split("|")
    }


def test_every_room_has_a_place_in_the_import_layers() -> None:
    assert _rooms() - _layered() == set()
    assert _layered() - _rooms() == set()  # and no layer names a room that is gone


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    tree = ast.parse(source)
    strings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            if isinstance(node.value.value, str):  # a docstring (or a bare string)
                strings.update(range(node.lineno, node.end_lineno + 1))
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT}
    skipped |= {tokenize.DEDENT, tokenize.ENDMARKER}
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - strings)


def test_code_lines_skips_docstrings_comments_and_blank_lines() -> None:
    source = 'def f(x):\n    """Doc.\n\n    More."""\n    # a comment\n\n    return x\n'
    assert code_lines(source) == 2


def test_the_engine_stays_under_a_thousand_lines_of_code() -> None:
    files = [
        path
        for part in ENGINE
        for path in sorted((PACKAGE / part).rglob("*.py"))
        + ([PACKAGE / part] if part.endswith(".py") else [])
    ]
    sizes = {
        p.relative_to(PACKAGE).as_posix(): code_lines(p.read_text()) for p in files
    }
    if sum(sizes.values()) > ENGINE_CODE_LINES:
        pytest.fail(f"the engine has {sum(sizes.values())} lines of code: {sizes}")
