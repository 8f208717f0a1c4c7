"""The README's Python examples run and give what the README says they give."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run_and_do_what_they_say(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 4
    namespace: dict = {}
    exec(blocks[0], namespace)  # XOR by backpropagation
    assert "[0 1 1 0]" in capsys.readouterr().out
    exec(blocks[1], namespace)  # the same with the fit loop
    assert namespace["history"]["accuracy"][-1] == 1.0
    exec(blocks[2], namespace)  # the 1943 unit and the 1958 perceptron
    perceptron = namespace["clf"]
    np.testing.assert_array_equal(perceptron.weights_, [-3, 2, 1])
    assert perceptron.errors_ == [2, 3, 3, 2, 1, 0, 0, 0, 0, 0]
    assert perceptron.converged_ == "error"
    exec(blocks[3], namespace)  # the scikit-learn drop-in
    mlp = namespace["clf"]
    assert mlp.score(namespace["X"] / 16, namespace["y"]) > 0.98
