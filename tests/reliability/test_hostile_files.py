"""Every hostile model file: one ModelFileError naming it, fast, in little memory.

The corpus (hostile.py, 74 kinds made by code from valid files) is loaded in a fresh
process, so the peak memory measured is the loader's own; each file must fail with
ModelFileError within 5 s of CPU, the whole corpus within 200 MB above the process's
start. The CLI then gives one line and exit 1 for each.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile

PROBE = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import hostile
from rosenblatt import io
folder = Path(sys.argv[2])
files = hostile.bases(folder / "bases")
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
results = {}
for kind in hostile.KINDS:
    path = hostile.make(folder, files, kind)
    began = time.process_time()
    try:
        io.load(path)
        outcome = "loaded"
    except io.ModelFileError as error:
        outcome = "ModelFileError: " + str(error)
    except BaseException as error:
        outcome = f"{type(error).__name__}: {error}"
    results[kind] = [outcome, time.process_time() - began]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"results": results, "grew_mb": (peak - start) / 1024}))
"""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(Path(__file__).parent), str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), folder


def test_the_corpus_has_at_least_sixty_kinds() -> None:
    assert len(hostile.KINDS) >= 60


@pytest.mark.parametrize("kind", list(hostile.KINDS))
def test_each_hostile_file_is_one_model_file_error(outcomes, kind) -> None:
    (outcome, seconds), folder = outcomes[0]["results"][kind], outcomes[1]
    phrase = hostile.KINDS[kind][2]
    assert outcome.startswith("ModelFileError: "), outcome
    assert phrase in outcome, outcome
    assert str(folder) in outcome  # the message names the file
    assert seconds < 5.0


def test_the_whole_corpus_stays_in_little_memory(outcomes) -> None:
    assert outcomes[0]["grew_mb"] < 200


@pytest.mark.parametrize("kind", list(hostile.KINDS))
def test_the_cli_says_one_line_and_exits_1(tmp_path, capsys, kind) -> None:
    from rosenblatt.cli import main

    path = hostile.make(tmp_path, _bases(tmp_path), kind)
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rosenblatt: error: ") and err.count("\n") == 1
    assert str(path) in err and "Traceback" not in err


_BASES: dict[str, Path] = {}


def _bases(tmp_path: Path) -> dict[str, Path]:
    """The valid bases, made once for all the CLI cases."""
    if not _BASES:
        _BASES.update(hostile.bases(tmp_path / "bases"))
    return _BASES


def _with_extra(tmp_path: Path, **extra) -> Path:
    """A model file saved by `train`, with its preprocessing changed."""
    from rosenblatt.cli import main

    out = tmp_path / "run"
    main(["train", "--data", "iris", "--hidden", "4", "--epochs", "1", "--out", str(out),
          "--json"])  # fmt: skip
    header, info, payload = hostile.read(out / "model.safetensors")
    info["extra"] = extra if "replace" not in extra else extra["replace"]
    if "replace" not in extra:
        info["extra"] = {
            **json.loads(
                json.dumps(hostile.read(out / "model.safetensors")[1]["extra"])
            ),
            **extra,
        }
    path = tmp_path / "changed.safetensors"
    path.write_bytes(hostile.pack(header, info, payload))
    return path


@pytest.mark.parametrize(
    ("extra", "phrase"),
    [
        ({"replace": [1, 2]}, "not a JSON object"),
        ({"class_names": ["a", "b", "c", "d", "e"]}, "5 class names for a model of 3"),
        ({"mean": [0.0, 1.0]}, "scaler mean must be 4 finite numbers"),
        ({"class_names": ["\x1b]0;owned\x07", "b", "c"]}, "printable strings"),
        ({"feature_names": [1, 2, 3, 4]}, "printable strings"),
        ({"task": "\x1b[2J"}, "unknown task"),
    ],
)
def test_the_cli_checks_what_train_saved_beside_the_model(
    tmp_path, capsys, extra, phrase
):
    from rosenblatt.cli import main

    path = _with_extra(tmp_path, **extra)
    capsys.readouterr()
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert phrase in err and err.count("\n") == 1 and "\x1b" not in err
