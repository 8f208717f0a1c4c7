"""The command line, called as `main([...])`."""

import json

import numpy as np
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
    assert err.startswith(
        "rosenblatt: error: train: --epochs must be at least 1, got 0"
    )
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


def run(argv, capsys) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_train_out_writes_model_history_figures_and_report(tmp_path, capsys) -> None:
    out = tmp_path / "moons"
    status, stdout, _ = run(
        [
            "train",
            "--data",
            "moons",
            "--hidden",
            "8",
            "--epochs",
            "5",
            "--out",
            str(out),
            "--json",
        ],
        capsys,
    )
    assert status == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "model.safetensors",
        "checkpoint.safetensors",
        "history.csv",
        "report.md",
        "history.png",
        "confusion_matrix.png",
        "decision_surface.png",
        "network.png",
    } <= names
    rows = (out / "history.csv").read_text().splitlines()
    # the loss per epoch; no validation columns: the test split is not validation
    assert rows[0] == "epoch,loss" and len(rows) == 6
    accuracy = json.loads(stdout)["test_accuracy"]
    assert f"{accuracy:.4f}" in (out / "report.md").read_text()


def test_evaluate_predict_and_info_use_the_saved_model(tmp_path, capsys) -> None:
    out = tmp_path / "iris"
    assert (
        run(
            [
                "train",
                "--data",
                "iris",
                "--hidden",
                "16",
                "--epochs",
                "120",
                "--standardize",
                "--out",
                str(out),
                "--json",
            ],
            capsys,
        )[0]
        == 0
    )
    status, stdout, _ = run(["evaluate", str(out), "--data", "iris", "--json"], capsys)
    report = json.loads(stdout)
    assert status == 0 and report["accuracy"] > 0.9 and report["samples"] == 38
    assert set(report["per_class"]) == {"setosa", "versicolor", "virginica"}
    rows = "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n"
    rows += "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n"
    (tmp_path / "new.csv").write_text(rows)
    status, _, _ = run(
        [
            "predict",
            str(out),
            str(tmp_path / "new.csv"),
            "--proba",
            "-o",
            str(tmp_path / "pred.csv"),
        ],
        capsys,
    )
    lines = (tmp_path / "pred.csv").read_text().splitlines()
    assert status == 0 and lines[0] == "prediction,p_setosa,p_versicolor,p_virginica"
    assert lines[1].startswith("setosa,") and lines[2].startswith("virginica,")
    status, stdout, _ = run(["info", str(out), "--json"], capsys)
    info = json.loads(stdout)
    assert info["parameters"] == 4 * 16 + 16 + 16 * 3 + 3 and info["standardized"]
    assert info["data"] == "iris" and info["library"].startswith("rosenblatt")


def test_the_perceptron_model_trains_saves_and_evaluates(tmp_path, capsys) -> None:
    out = tmp_path / "p"
    status, stdout, _ = run(
        [
            "train",
            "--model",
            "perceptron",
            "--data",
            "breast_cancer",
            "--standardize",
            "--epochs",
            "20",
            "--out",
            str(out),
            "--json",
        ],
        capsys,
    )
    assert status == 0 and json.loads(stdout)["test_accuracy"] > 0.9
    status, stdout, _ = run(
        ["evaluate", str(out), "--data", "breast_cancer", "--json"], capsys
    )
    assert status == 0 and json.loads(stdout)["accuracy"] > 0.9


def test_resume_continues_to_the_same_final_model(tmp_path, capsys) -> None:
    from rosenblatt import io

    common = [
        "train",
        "--data",
        "digits",
        "--hidden",
        "16",
        "--dropout",
        "0.1",
        "--json",
    ]
    assert (
        run([*common, "--epochs", "6", "--out", str(tmp_path / "straight")], capsys)[0]
        == 0
    )
    assert (
        run([*common, "--epochs", "3", "--out", str(tmp_path / "parts")], capsys)[0]
        == 0
    )
    assert (
        run([*common, "--epochs", "6", "--resume", str(tmp_path / "parts")], capsys)[0]
        == 0
    )
    a = io.load(tmp_path / "straight" / "model.safetensors")
    b = io.load(tmp_path / "parts" / "model.safetensors")
    assert all(
        wa.tobytes() == wb.tobytes()
        for wa, wb in zip(
            a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
        )
    )


@pytest.mark.parametrize("model", ["mlp", "cnn", "perceptron"])
def test_ctrl_c_saves_the_model_and_says_how_to_resume(
    tmp_path, capsys, monkeypatch, model
) -> None:
    from rosenblatt import io
    from rosenblatt.train import Trainer

    calls = {"n": 0}
    real_run_epoch = Trainer._run_epoch

    def interrupt_third(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_run_epoch(self, *args)

    monkeypatch.setattr(Trainer, "_run_epoch", interrupt_third)
    if model == "perceptron":
        from rosenblatt.perceptron import Perceptron

        real_partial_fit = Perceptron.partial_fit

        def interrupt_third_epoch(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return real_partial_fit(self, *args, **kwargs)

        monkeypatch.setattr(Perceptron, "partial_fit", interrupt_third_epoch)
    out = tmp_path / "run"
    data = "breast_cancer" if model == "perceptron" else "digits"
    status, _, err = run(
        [
            "train",
            "--data",
            data,
            "--model",
            model,
            "--epochs",
            "10",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert status == 130
    assert "the model after epoch 2" in err
    resume = err.split("Resume with:\n")[1].strip()
    assert resume.endswith(f"--resume {out}") and f"--model {model}" in resume
    assert (
        io.read_file(out / "checkpoint.safetensors")[1]["extra"]["run"]["epochs_done"]
        == 2
    )
    saved = io.load(out / "model.safetensors")  # a usable model, not only a checkpoint
    assert run(["info", str(out)], capsys)[0] == 0
    monkeypatch.undo()
    status, stdout, _ = run([*resume.split()[1:], "--json"], capsys)
    report = json.loads(stdout)
    assert status == 0 and report["epochs"] <= 10 and report["epochs_this_run"] >= 1
    assert type(io.load(out / "model.safetensors")) is type(saved)


def test_command_errors_are_one_line(tmp_path, capsys) -> None:
    status, _, err = run(
        ["evaluate", str(tmp_path / "missing"), "--data", "iris"], capsys
    )
    assert status == 1 and err.startswith("rosenblatt: error:") and err.count("\n") == 1
    out = tmp_path / "m"
    run(
        [
            "train",
            "--data",
            "iris",
            "--hidden",
            "4",
            "--epochs",
            "2",
            "--out",
            str(out),
            "--json",
        ],
        capsys,
    )
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    status, _, err = run(["predict", str(out), str(tmp_path / "bad.csv")], capsys)
    assert status == 1 and "lacks the model's feature columns" in err


def test_regression_from_a_csv_reports_r2(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((200, 2))
    y = 2 * X[:, 0] - X[:, 1] + rng.normal(0, 0.05, 200)
    lines = [
        "a,b,y",
        *(f"{a:.4f},{b:.4f},{t:.4f}" for (a, b), t in zip(X, y, strict=True)),
    ]
    (tmp_path / "reg.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "reg"
    status, stdout, _ = run(
        [
            "train",
            "--data",
            str(tmp_path / "reg.csv"),
            "--hidden",
            "16",
            "--epochs",
            "60",
            "--out",
            str(out),
            "--json",
        ],
        capsys,
    )
    report = json.loads(stdout)
    assert status == 0 and report["test_r2"] > 0.8 and "confusion_matrix" not in report
    status, stdout, _ = run(
        ["evaluate", str(out), "--data", str(tmp_path / "reg.csv"), "--json"], capsys
    )
    assert status == 0 and json.loads(stdout)["test_r2"] == pytest.approx(
        report["test_r2"]
    )
    (tmp_path / "new.csv").write_text("a,b\n0.5,0.5\n")
    status, stdout, _ = run(
        ["predict", str(out), str(tmp_path / "new.csv"), "--json"], capsys
    )
    assert status == 0 and json.loads(stdout)[0]["prediction"] == pytest.approx(
        0.5, abs=0.25
    )
    status, _, err = run(
        ["predict", str(out), str(tmp_path / "new.csv"), "--proba"], capsys
    )
    assert status == 1 and "--proba needs a classifier" in err


def test_the_cnn_model_trains_saves_evaluates_and_predicts(tmp_path, capsys) -> None:
    out = tmp_path / "cnn"
    status, stdout, _ = run(
        [
            "train",
            "--model",
            "cnn",
            "--data",
            "digits",
            "--epochs",
            "6",
            "--out",
            str(out),
            "--json",
        ],
        capsys,
    )
    assert status == 0 and json.loads(stdout)["test_accuracy"] > 0.9
    status, stdout, _ = run(
        ["evaluate", str(out), "--data", "digits", "--json"], capsys
    )
    assert status == 0 and json.loads(stdout)["accuracy"] > 0.9
    status, stdout, _ = run(["info", str(out), "--json"], capsys)
    assert status == 0 and json.loads(stdout)["kind"] == "CNNClassifier"
