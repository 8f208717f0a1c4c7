"""The command line, called as `main([...])`."""

import json
import os

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


# --- the findings of issue 13, each pinned ---


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "cnn", "--hidden", "8"], "--hidden applies to --model mlp"),
        (
            ["--model", "perceptron", "--solver", "sgd"],
            "--solver applies to --model mlp",
        ),
        (["--model", "perceptron", "--dropout", "0.2"], "--dropout applies to --model"),
        (["--model", "perceptron", "--activation", "tanh"], "--activation applies"),
    ],
)
def test_flags_for_another_model_are_usage_errors(argv, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *argv])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_resume_from_a_folder_without_a_run_fails(tmp_path, capsys) -> None:
    status, _, err = run(["train", "--resume", str(tmp_path / "doesnotexist")], capsys)
    assert status == 1 and "holds no checkpoint.safetensors" in err
    assert not (tmp_path / "doesnotexist").exists()


@pytest.mark.parametrize("model", ["cnn", "perceptron"])
def test_every_model_resumes_to_the_same_final_model(tmp_path, capsys, model) -> None:
    from rosenblatt import io

    data = ["--data", "digits" if model == "cnn" else "wine", "--standardize"]
    common = ["train", *data, "--model", model, "--json"]
    if model == "cnn":
        common += ["--dropout", "0.2"]
    run([*common, "--epochs", "4", "--out", str(tmp_path / "straight")], capsys)
    run([*common, "--epochs", "2", "--out", str(tmp_path / "parts")], capsys)
    assert (tmp_path / "parts" / "checkpoint.safetensors").is_file()
    status, stdout, _ = run(
        [*common, "--epochs", "4", "--resume", str(tmp_path / "parts")], capsys
    )
    assert status == 0 and json.loads(stdout)["epochs_this_run"] <= 2
    a = io.read_file(tmp_path / "straight" / "model.safetensors")[0]
    b = io.read_file(tmp_path / "parts" / "model.safetensors")[0]
    assert a.keys() == b.keys() and all(a[k].tobytes() == b[k].tobytes() for k in a)


def test_evaluate_reuses_the_training_split(tmp_path, capsys) -> None:
    out = tmp_path / "d"
    _, stdout, _ = run(
        ["train", "--data", "digits", "--seed", "5", "--hidden", "16", "--epochs", "5",
         "--out", str(out), "--json"],
        capsys,
    )  # fmt: skip
    trained = json.loads(stdout)["test_accuracy"]
    status, stdout, err = run(
        ["evaluate", str(out), "--data", "digits", "--json"], capsys
    )
    assert status == 0 and json.loads(stdout)["accuracy"] == pytest.approx(trained)
    assert "the test split of training (seed 5)" in err
    status, _, err = run(
        ["evaluate", str(out), "--data", "digits", "--seed", "0", "--json"], capsys
    )
    assert status == 0 and "test rows may have been training rows" in err


def test_validation_comes_from_the_training_data(tmp_path, capsys) -> None:
    out = tmp_path / "v"
    status, stdout, _ = run(
        ["train", "--data", "iris", "--hidden", "8", "--epochs", "3", "--val-split",
         "0.2", "--out", str(out), "--json"],
        capsys,
    )  # fmt: skip
    assert status == 0
    report = json.loads(stdout)
    # iris: 112 training rows, of which 23 validate; the 38 test rows stay unseen
    assert (report["training_samples"], report["validation_samples"]) == (89, 23)
    assert report["test_samples"] == 38
    header = (out / "history.csv").read_text().splitlines()[0]
    assert header == "epoch,loss,val_accuracy"


def test_reports_say_what_happened(tmp_path, capsys) -> None:
    out = tmp_path / "p"
    status, stdout, err = run(
        [
            "train",
            "--data",
            "iris",
            "--model",
            "perceptron",
            "--epochs",
            "3",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert status == 0
    assert "Perceptron (3 one-vs-rest units" in stdout
    assert "['error', None, None]" not in stdout
    assert "Epoch 1/3" in err and "Epoch 1/3" not in stdout  # progress on stderr
    status, stdout, _ = run(
        [
            "train",
            "--data",
            "iris",
            "--model",
            "perceptron",
            "--epochs",
            "5",
            "--resume",
            str(out),
        ],
        capsys,
    )
    assert status == 0 and "trained 2 epochs (epochs 4-5)" in stdout
    (tmp_path / "x.csv").write_text(
        "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,2,3,4\n"
    )
    status, _, err = run(
        ["predict", str(out), str(tmp_path / "x.csv"), "--proba"], capsys
    )
    assert status == 1 and "a Perceptron gives none" in err


def test_a_regressor_s_info_and_an_empty_input(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    rows = [
        "height,weight,age",
        *(f"{a:.3f},{b:.3f},{a + b:.3f}" for a, b in rng.random((40, 2))),
    ]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "r"
    run(["train", "--data", str(tmp_path / "r.csv"), "--hidden", "4", "--epochs", "2",
         "--out", str(out), "--json"], capsys)  # fmt: skip
    status, stdout, _ = run(["info", str(out)], capsys)
    assert (
        status == 0 and "regression, 1 output" in stdout and "0 classes" not in stdout
    )
    (tmp_path / "header.csv").write_text("height,weight\n")
    status, stdout, _ = run(["predict", str(out), str(tmp_path / "header.csv")], capsys)
    assert status == 0 and stdout.strip() == "prediction"


def test_the_cnn_needs_images(capsys) -> None:
    status, _, err = run(["train", "--data", "iris", "--model", "cnn"], capsys)
    assert status == 1 and "iris's rows are 4 features, not images" in err


def test_version_a_closed_pipe_and_a_file_that_is_no_model(tmp_path, capsys) -> None:
    import subprocess
    import sys

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.startswith(
        "rosenblatt "
    )
    (tmp_path / "README.md").write_text("# a text file\n" * 100)
    status, _, err = run(["info", str(tmp_path / "README.md")], capsys)
    assert status == 1 and "not a model file" in err
    done = subprocess.run(
        f"{sys.executable} -m rosenblatt datasets | head -2",
        shell=True, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert len(done.stdout.splitlines()) == 2 and "Broken pipe" not in done.stderr


def test_a_csv_whose_labels_are_not_last_suggests_target(tmp_path, capsys) -> None:
    (tmp_path / "t.csv").write_text("label,x\nno,1\nyes,2\nno,3\nyes,4\n")
    status, _, err = run(["train", "--data", str(tmp_path / "t.csv")], capsys)
    assert status == 1 and "--target label" in err


@pytest.mark.parametrize(
    "flags", [["--solver", "adam", "--lr", "1e6"], ["--model", "cnn", "--lr", "1e3"]]
)
def test_an_exploding_loss_fails_and_saves_nothing(tmp_path, capsys, flags) -> None:
    out = tmp_path / "boom"
    status, _, err = run(
        ["train", "--data", "digits", *flags, "--epochs", "3", "--out", str(out)],
        capsys,
    )
    assert status == 1 and "train: epoch 1: fit: the loss exploded" in err
    assert "batch 2 of" in err and not (out / "model.safetensors").exists()


def test_a_run_folder_is_never_mixed_or_destroyed(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    common = ["train", "--data", "iris", "--hidden", "4", "--epochs", "1", "--json"]
    assert run([*common, "--out", str(out)], capsys)[0] == 0
    before = (out / "model.safetensors").read_bytes()
    status, _, err = run([*common, "--seed", "3", "--out", str(out)], capsys)
    assert status == 1 and "holds a run already" in err and "--force" in err
    assert (out / "model.safetensors").read_bytes() == before  # untouched
    assert run([*common, "--seed", "3", "--out", str(out), "--force"], capsys)[0] == 0
    assert (out / "model.safetensors").read_bytes() != before
    (out / ".lock").write_text(str(os.getppid()))  # a live process is writing here
    resume = [*common, "--seed", "3", "--resume", str(out)]
    status, _, err = run([*resume, "--epochs", "3"], capsys)
    assert status == 1 and "another train" in err
    (out / ".lock").write_text("999999999")  # a killed run's lock is taken over
    assert run([*resume, "--epochs", "2"], capsys)[0] == 0
    assert not (out / ".lock").exists()


def test_bad_data_is_named_by_file_row_and_column(tmp_path, capsys) -> None:
    (tmp_path / "big.csv").write_text("a,b,y\n1,2,0\n1e39,3,1\n")
    status, _, err = run(["train", "--data", str(tmp_path / "big.csv")], capsys)
    assert status == 1 and "big.csv: row 3, column 'a': '1e39'" in err
    (tmp_path / "latin.csv").write_bytes("a,b,y\n1,2,caf\xe9\n".encode("latin-1"))
    status, _, err = run(["train", "--data", str(tmp_path / "latin.csv")], capsys)
    assert status == 1 and "latin.csv: not UTF-8" in err
    (tmp_path / "one.csv").write_text(
        "a,y\n" + "".join(f"{i},yes\n" for i in range(20))
    )
    status, _, err = run(["train", "--data", str(tmp_path / "one.csv")], capsys)
    assert status == 1 and "one class only" in err
