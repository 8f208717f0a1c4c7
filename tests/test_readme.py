"""The README's examples, Python and shell, run and give what the README says."""

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run_and_do_what_they_say(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 5
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exec(blocks[3], namespace)  # pretraining, 2006
    pretrained = namespace["clf"]
    assert (
        pretrained.warm_start
        and pretrained.score(namespace["X"], namespace["y"]) > 0.95
    )
    exec(blocks[4], namespace)  # the scikit-learn drop-in
    mlp = namespace["clf"]
    assert mlp.score(namespace["X"] / 16, namespace["y"]) > 0.98


# --- the shell blocks ---

BIN = Path(sys.executable).parent  # where pip put the `rosenblatt` command


def _shell_blocks() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = command.replace(".venv/bin/rosenblatt", "rosenblatt")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_every_shell_line_runs_and_prints_what_the_readme_shows(tmp_path) -> None:
    """Each command of each ```sh block, in order, in one folder; `make` lines aside.

    The `make` lines are this test's own callers (make test) and the benchmark
    targets, which CI and `make bench` run. Fashion-MNIST training runs one epoch
    instead of the README's ten when the data are installed, and is skipped when not;
    the full history lab (`make history` in CI) runs here as one quick milestone.
    """
    from rosenblatt.data.idx import DEBIAN_FASHION_MNIST

    fashion = Path(DEBIAN_FASHION_MNIST).exists()
    ran = 0
    for block in _shell_blocks():
        previous = None
        for line in block:
            if line.startswith("{"):  # the output the README shows for the command
                assert previous is not None
                pairs = re.findall(r'"(\w+)": ("[^"]*"|[\d.]+)', line)
                shown = {key: json.loads(value) for key, value in pairs}
                printed = json.loads(previous.stdout)
                for key in ("dataset", "model", "epochs"):
                    assert printed[key] == shown[key], key
                assert abs(printed["test_accuracy"] - shown["test_accuracy"]) < 0.01
                continue
            command = line.split("  #")[0].strip()
            if command.startswith("make "):
                continue
            if "fashion-mnist" in command:
                if not fashion:
                    continue
                command = command.replace("--epochs 10", "--epochs 1")
            if command == "rosenblatt history":
                command = "rosenblatt history 1943 --quick"
            previous = _run(command, tmp_path)
            assert previous.returncode == 0, f"{command}\n{previous.stderr[-2000:]}"
            ran += 1
    assert ran >= 9
    # what the comments claim: a resumed run ends where one run would
    straight = _run(
        "rosenblatt train --data digits --epochs 30 --checkpoint-every 2 "
        "--out runs/straight --json",
        tmp_path,
    )
    assert straight.returncode == 0
    from rosenblatt import io

    resumed = io.read_file(tmp_path / "runs" / "digits" / "model.safetensors")[0]
    one_run = io.read_file(tmp_path / "runs" / "straight" / "model.safetensors")[0]
    assert resumed.keys() == one_run.keys()
    assert all(resumed[k].tobytes() == one_run[k].tobytes() for k in one_run)
