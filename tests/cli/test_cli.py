"""The command line, called as `main([...])`."""

import json

import pytest

from rosenblatt.cli import main


def test_train_json_prints_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--json", "--epochs", "3", "--hidden", "32"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)  # exactly one JSON document on stdout
    assert report["epochs"] == 3
    assert 0.5 < report["test_accuracy"] <= 1.0
    assert report["seconds"] > 0
    assert len(report["confusion_matrix"]) == 10
    assert sum(map(sum, report["confusion_matrix"])) == 450  # the 25 % test split


def test_train_default_report_reaches_97_percent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train"]) == 0
    captured = capsys.readouterr()
    assert "confusion matrix" in captured.out
    accuracy = float(captured.out.split("test accuracy: ")[1].split()[0])
    assert accuracy >= 0.97
    assert "Epoch 30/30" in captured.err  # progress, one line per epoch off a terminal


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--hidden", "0"])
    assert exit_info.value.code == 2
    assert "positive layer sizes" in capsys.readouterr().err
    assert main([]) == 2


def test_failures_exit_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--epochs", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rosenblatt: error: fit: expected epochs a positive int")
    assert "Traceback" not in err


def test_datasets_lists_every_name_with_size_and_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rosenblatt.data import DATASETS

    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name, info in DATASETS.items():
        assert name in out and info.source in out
    assert main(["datasets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["iris"]["size"] == "150 x 4"


def test_train_on_another_dataset_and_on_a_csv(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--data", "iris", "--epochs", "60", "--hidden", "16"]) == 0
    out = capsys.readouterr().out
    assert "classes: 0 = setosa, 1 = versicolor, 2 = virginica" in out
    assert float(out.split("test accuracy: ")[1].split()[0]) > 0.9
    csv = tmp_path / "pets.csv"
    rows = "\n".join(
        f"{i % 7},{(i * 3) % 5},{'cat' if i % 2 else 'dog'}" for i in range(40)
    )
    csv.write_text("a,b,pet\n" + rows + "\n")
    assert (
        main(
            ["train", "--data", str(csv), "--target", "pet", "--epochs", "2", "--json"]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["dataset"] == "pets" and len(report["confusion_matrix"]) == 2


def test_unknown_dataset_fails_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train", "--data", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rosenblatt: error: load: unknown dataset 'nope'")
    assert err.count("\n") == 1
