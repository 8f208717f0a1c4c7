"""docs/engine.md: its code blocks run, in order, and every file and test it points
at exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE_MD = ROOT / "docs" / "engine.md"


def test_the_code_blocks_run_and_their_claims_hold() -> None:
    blocks = re.findall(r"```python\n(.*?)```", ENGINE_MD.read_text(), re.S)
    assert len(blocks) == 4
    namespace: dict = {"__name__": "engine_md"}
    for block in blocks:
        exec(compile(block, str(ENGINE_MD), "exec"), namespace)  # asserts inside
    assert namespace["w"].grad != 0 and namespace["loss"].item() < 0.1


def test_every_file_and_test_it_names_exists() -> None:
    text = ENGINE_MD.read_text()
    paths = set(re.findall(r"`((?:src|tests|docs)/[\w/.]+)`", text))
    assert len(paths) >= 10
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == []
    tests = set(re.findall(r"`(test_\w+)`", text))
    sources = "".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    assert tests and [t for t in tests if f"def {t}(" not in sources] == []
    functions = set(re.findall(r"`(_\w+)`", text))  # the engine's named helpers
    engine = (ROOT / "src/rosenblatt/tensor.py").read_text()
    assert [f for f in functions if f"def {f}(" not in engine] == []
