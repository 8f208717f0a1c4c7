"""The README's Python examples run and print what the README says they print."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run_and_learn_xor(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 3
    namespace: dict = {}
    for block in blocks:
        exec(block, namespace)
    assert "[0 1 1 0]" in capsys.readouterr().out
    assert namespace["history"]["accuracy"][-1] == 1.0
    np.testing.assert_array_equal(namespace["clf"].weights_, [-3, 2, 1])
    assert namespace["clf"].errors_ == [2, 3, 3, 2, 1, 0]
