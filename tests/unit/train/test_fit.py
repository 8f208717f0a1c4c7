"""The fit loop: learning XOR and digits, reproducibility, validation, callbacks, NaN."""

import io

import numpy as np
import pytest
import scipy.sparse

from rosenblatt import Tensor, nn, optim
from rosenblatt.data import load_digits
from rosenblatt.nn import functional as F
from rosenblatt.train import (
    Accuracy,
    Callback,
    DivergenceError,
    EarlyStopping,
    LearningRateScheduler,
    ProgressBar,
    Trainer,
    confusion_matrix,
    evaluate,
    fit,
    predict,
    predicted_classes,
)

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def test_a_2_4_1_sigmoid_mlp_learns_xor_perfectly() -> None:
    # Minsky and Papert's counter-example, solved by backpropagation (1986).
    net = nn.Sequential(
        nn.Linear(2, 4, rng=0), nn.Sigmoid(), nn.Linear(4, 1, rng=1), nn.Sigmoid()
    )
    history = fit(
        net,
        F.mse_loss,
        optim.SGD(net.parameters(), lr=2.0, momentum=0.9),
        XOR_X,
        XOR_Y,
        epochs=500,
        batch_size=4,
        metrics=[Accuracy(threshold=0.5)],  # this net ends in a sigmoid
        verbose=0,
        rng=0,
    )
    outputs = predict(net, XOR_X)
    np.testing.assert_array_equal(predicted_classes(outputs, 0.5), [0, 1, 1, 0])
    assert history["accuracy"][-1] == 1.0
    assert history["loss"][-1] < 0.01 < history["loss"][0]


def test_digits_mlp_reaches_97_percent() -> None:
    data = load_digits(seed=0)
    net = nn.build_mlp([64, 256, 128, 10], rng=0)
    fit(
        net,
        F.cross_entropy,
        optim.Adam(net.parameters(), lr=2e-3),
        data.X_train,
        data.y_train,
        epochs=30,
        batch_size=32,
        rng=0,
        verbose=0,
    )
    accuracy = np.mean(predicted_classes(predict(net, data.X_test)) == data.y_test)
    assert accuracy >= 0.97


def train_once(seed: int) -> list[np.ndarray]:
    data = load_digits(seed=1)
    net = nn.build_mlp([64, 32, 10], dropout=0.2, rng=seed)
    fit(
        net,
        F.cross_entropy,
        optim.Adam(net.parameters(), lr=1e-3),
        data.X_train,
        data.y_train,
        epochs=3,
        batch_size=64,
        rng=seed,
        verbose=0,
    )
    return [p.data.copy() for p in net.parameters()]


def test_same_seed_gives_bit_identical_weights() -> None:
    first, second = train_once(7), train_once(7)
    for a, b in zip(first, second, strict=True):
        assert a.tobytes() == b.tobytes()
    other = train_once(8)
    assert first[0].tobytes() != other[0].tobytes()


def test_history_records_loss_metrics_and_validation() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    net = nn.build_mlp([3, 8, 2], rng=0)
    history = fit(
        net,
        F.cross_entropy,
        optim.Adam(net.parameters(), lr=1e-2),
        X,
        y,
        epochs=4,
        validation_split=0.2,
        metrics=["accuracy"],
        verbose=0,
        rng=0,
    )
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history) == 4 and all(len(v) == 4 for v in history.history.values())
    # validation_split holds out the *last* 20 samples
    logs = evaluate(net, F.cross_entropy, X[-20:], y[-20:], metrics=["accuracy"])
    assert logs["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-5)


def test_diverging_loss_stops_with_the_epoch_and_batch_and_keeps_weights() -> None:
    # A learning rate far too large for these inputs: the weights grow geometrically
    # until the float32 loss overflows.
    X = np.full((12, 2), 10.0, dtype=np.float32)
    y = np.ones((12, 1), dtype=np.float32)
    net = nn.build_mlp([2, 1], rng=0)

    class Snapshot(Callback):
        def on_batch_end(self, batch, logs):
            self.weights = net.state_dict()

    snap = Snapshot()
    with pytest.raises(
        FloatingPointError, match=r"loss became inf at epoch \d+, batch \d of 3"
    ) as e:
        fit(
            net,
            F.mse_loss,
            optim.SGD(net.parameters(), lr=10.0),
            X,
            y,
            epochs=100,
            batch_size=4,
            shuffle=False,
            callbacks=[snap],
            verbose=0,
            divergence=None,  # only NaN or infinity stops it
        )
    assert "Lower the learning rate (now 10)" in str(e.value)
    for key, value in net.state_dict().items():  # unchanged since the last good batch
        np.testing.assert_array_equal(value, snap.weights[key])


def test_an_exploding_loss_stops_before_it_overflows() -> None:
    # the same run: the loss passes 100 x the first batch's long before it overflows
    X = np.full((12, 2), 10.0, dtype=np.float32)
    y = np.ones((12, 1), dtype=np.float32)
    net = nn.build_mlp([2, 1], rng=0)
    losses: list[float] = []

    class Record(Callback):
        def on_batch_end(self, batch, logs):
            losses.append(logs["loss"])

    with pytest.raises(
        DivergenceError, match=r"exploded to .* at epoch \d+, batch \d of 3"
    ) as e:
        fit(net, F.mse_loss, optim.SGD(net.parameters(), lr=10.0), X, y, epochs=100,
            batch_size=4, shuffle=False, callbacks=[Record()], verbose=0)  # fmt: skip
    assert e.value.exploded and np.isfinite(losses).all()
    assert max(losses) <= 100 * max(1.0, losses[0])  # every batch before it was within
    # a loss that only falls never trips the rule
    fit(nn.build_mlp([2, 4, 2], rng=0), F.cross_entropy,
        optim.Adam(nn.build_mlp([2, 4, 2], rng=0).parameters()), XOR_X,
        np.array([0, 1, 1, 0]), epochs=50, verbose=0)  # fmt: skip


def test_non_finite_targets_are_refused_up_front() -> None:
    net = nn.build_mlp([2, 1], rng=0)
    with pytest.raises(ValueError, match="y contains NaN or infinity"):
        fit(
            net,
            F.mse_loss,
            optim.SGD(net.parameters(), lr=0.1),
            XOR_X,
            np.array([[0], [np.nan], [1], [0]]),
            verbose=0,
        )


def test_early_stopping_restores_the_best_weights() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = rng.integers(0, 2, 64)  # noise: validation loss soon gets worse
    X_val, y_val = (
        rng.standard_normal((32, 4)).astype(np.float32),
        rng.integers(0, 2, 32),
    )
    net = nn.build_mlp([4, 64, 2], rng=0)
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = fit(
        net,
        F.cross_entropy,
        optim.Adam(net.parameters(), lr=0.05),
        X,
        y,
        epochs=100,
        validation_data=(X_val, y_val),
        callbacks=[stopper],
        verbose=0,
        rng=0,
    )
    assert stopper.stopped_epoch is not None and len(history) < 100
    best = int(np.argmin(history["val_loss"]))
    assert len(history) == best + 1 + 3  # patience 2: stopped on the third bad epoch
    final = evaluate(net, F.cross_entropy, X_val, y_val, metrics=[])["loss"]
    assert final == pytest.approx(history["val_loss"][best], rel=1e-5)


def test_learning_rate_scheduler_callback_logs_and_steps() -> None:
    X, y = XOR_X, np.array([0, 1, 1, 0])
    net = nn.build_mlp([2, 4, 2], rng=0)
    opt = optim.SGD(net.parameters(), lr=1.0)
    history = fit(
        net,
        F.cross_entropy,
        opt,
        X,
        y,
        epochs=3,
        verbose=0,
        callbacks=[LearningRateScheduler(optim.StepLR(opt, step_size=1, gamma=0.5))],
    )
    assert history["lr"] == [1.0, 0.5, 0.25]
    assert opt.lr == 0.125


def test_monitoring_a_missing_quantity_names_what_is_there() -> None:
    net = nn.build_mlp([2, 2], rng=0)
    with pytest.raises(KeyError, match="'val_loss' is not in the logs"):
        fit(
            net,
            F.cross_entropy,
            optim.SGD(net.parameters(), lr=0.1),
            XOR_X,
            [0, 1, 1, 0],
            epochs=2,
            callbacks=[EarlyStopping()],
            verbose=0,
        )


def test_one_line_per_epoch_when_not_a_terminal() -> None:
    stream = io.StringIO()
    net = nn.build_mlp([2, 2], rng=0)
    trainer = Trainer(
        net,
        F.cross_entropy,
        optim.SGD(net.parameters(), lr=0.1),
        metrics=["accuracy"],
        callbacks=[ProgressBar(1, stream)],
        verbose=0,
    )
    trainer.fit(XOR_X, [0, 1, 1, 0], epochs=3)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert (
        lines[0].startswith("Epoch 1/3 - ")
        and "loss: " in lines[0]
        and "accuracy: " in lines[0]
    )


def test_verbose_zero_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    net = nn.build_mlp([2, 2], rng=0)
    fit(
        net,
        F.cross_entropy,
        optim.SGD(net.parameters(), lr=0.1),
        XOR_X,
        [0, 1, 1, 0],
        epochs=2,
        verbose=0,
    )
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize(
    ("kwargs", "X", "y", "error", "message"),
    [
        ({}, np.array([[np.nan, 1.0]]), [0], ValueError, "X contains NaN"),
        ({}, np.ones(4), [0, 1, 1, 0], ValueError, "expected X with a sample axis"),
        ({}, XOR_X, [0, 1], ValueError, "X has 4 samples but y has"),
        ({}, XOR_X, ["a", "b", "a", "b"], TypeError, "encode string labels"),
        ({"epochs": 0}, XOR_X, [0, 1, 1, 0], ValueError, "epochs a positive int"),
        (
            {"batch_size": 0},
            XOR_X,
            [0, 1, 1, 0],
            ValueError,
            "batch_size a positive int",
        ),
        (
            {"validation_split": 1.0},
            XOR_X,
            [0, 1, 1, 0],
            ValueError,
            "validation_split",
        ),
    ],
)
def test_bad_input_names_the_problem(kwargs, X, y, error, message) -> None:
    net = nn.build_mlp([2, 2], rng=0)
    with pytest.raises(error, match=message):
        fit(
            net,
            F.cross_entropy,
            optim.SGD(net.parameters(), lr=0.1),
            X,
            y,
            verbose=0,
            **kwargs,
        )


@pytest.mark.parametrize("shuffle", [True, False])  # copies, or views of X's rows
def test_fit_does_not_modify_the_callers_arrays(shuffle: bool) -> None:
    X, y = XOR_X.copy(), np.array([0, 1, 1, 0])
    net = nn.build_mlp([2, 2], rng=0)
    fit(
        net,
        F.cross_entropy,
        optim.SGD(net.parameters(), lr=0.1),
        X,
        y,
        epochs=2,
        verbose=0,
        shuffle=shuffle,
    )
    np.testing.assert_array_equal(X, XOR_X)
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_unshuffled_batches_are_the_rows_in_order() -> None:
    """shuffle=False takes slices of the rows; an explicit order takes copies."""
    data = load_digits(seed=0)
    X, y = data.X_train[:50], data.y_train[:50]

    def train(**order) -> tuple[list[np.ndarray], list[float]]:
        net = nn.build_mlp([64, 8, 10], rng=0)
        opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        history = fit(
            net, F.cross_entropy, opt, X, y, epochs=3, batch_size=16, verbose=0, **order
        )
        return [p.data.copy() for p in net.parameters()], history["loss"]

    sliced, sliced_loss = train(shuffle=False)
    taken, taken_loss = train(sampler=np.arange)  # the same order, gathered
    assert sliced_loss == taken_loss
    for a, b in zip(sliced, taken, strict=True):
        assert a.tobytes() == b.tobytes()
    reversed_order, _ = train(sampler=lambda n: np.arange(n)[::-1])
    assert sliced[0].tobytes() != reversed_order[0].tobytes()


def test_a_sampler_may_visit_only_some_samples() -> None:
    """An epoch is the sampler's order: 20 of 50 samples train as those 20 alone."""
    data = load_digits(seed=0)
    X, y = data.X_train[:50], data.y_train[:50]
    runs = []
    for X_fit, y_fit, order in ((X, y, {"sampler": lambda n: np.arange(20)}),
                                (X[:20], y[:20], {"shuffle": False})):  # fmt: skip
        net = nn.build_mlp([64, 8, 10], rng=0)
        opt = optim.SGD(net.parameters(), lr=0.1)
        history = fit(
            net, F.cross_entropy, opt, X_fit, y_fit, epochs=2, batch_size=8,
            verbose=0, **order,
        )  # fmt: skip
        runs.append(([p.data.copy() for p in net.parameters()], history["loss"]))
    (first, first_loss), (second, second_loss) = runs
    assert first_loss == second_loss
    for a, b in zip(first, second, strict=True):
        assert a.tobytes() == b.tobytes()


def test_every_overridden_hook_is_called_and_only_those() -> None:
    calls: list[str] = []

    class Batches(Callback):
        def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
            calls.append(f"batch {batch}")

    plain = Callback()
    plain.on_epoch_end = lambda epoch, logs: calls.append(f"epoch {epoch}")  # type: ignore[method-assign]
    net = nn.build_mlp([2, 2], rng=0)
    opt = optim.SGD(net.parameters(), lr=0.1)
    trainer = Trainer(
        net, F.cross_entropy, opt, callbacks=[Batches(), plain], verbose=0
    )
    trainer.fit(XOR_X, np.array([0, 1, 1, 0]), epochs=2, batch_size=2)
    assert calls == ["batch 0", "batch 1", "epoch 0", "batch 0", "batch 1", "epoch 1"]
    assert trainer._hooks["on_train_begin"] == []  # nobody overrides it


def test_confusion_matrix_counts() -> None:
    m = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_predict_restores_training_mode_and_records_nothing() -> None:
    net = nn.build_mlp([2, 2], dropout=0.5, rng=0)
    out = predict(net, XOR_X)
    assert net.training and isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, predict(net, XOR_X))  # eval mode: no dropout
    assert out.shape == (4, 2) and not isinstance(out, Tensor)


def test_a_sparse_x_trains_a_dense_network_and_predicts() -> None:
    digits = load_digits(seed=0)  # pixels in [0, 1], about half of them 0
    X = scipy.sparse.csr_matrix(digits.X_train[:400])
    y = digits.y_train[:400]
    results = []
    for inputs in (X, X.toarray()):
        net = nn.build_mlp([64, 16, 10], rng=0)
        history = fit(
            net,
            F.cross_entropy,
            optim.Adam(net.parameters(), lr=0.01),
            inputs,
            y,
            epochs=3,
            batch_size=50,
            rng=0,
            validation_split=0.25,
            verbose=0,
        )
        results.append((history["val_loss"], predict(net, inputs)))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4, atol=1e-5)
    bad = X.copy()
    bad.data[0] = np.nan
    net = nn.build_mlp([64, 10], rng=0)
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        fit(net, F.cross_entropy, optim.SGD(net.parameters()), bad, y, verbose=0)


def test_accuracy_reads_one_column_of_logits_by_default() -> None:
    logits = np.array([[-2.0], [0.3], [1.5], [-0.1]])  # p > 1/2 exactly when z > 0
    targets = np.array([0, 1, 1, 1])
    assert Accuracy()(logits, targets) == 0.75
    assert Accuracy(threshold=0.5)(1 / (1 + np.exp(-logits)), targets) == 0.75
    # the old default (0.5 on logits) called the 0.3 logit, p = 0.57, class 0
    assert Accuracy(threshold=0.5)(logits, targets) == 0.5


def test_the_fit_loop_runs_small_networks_on_one_blas_thread(monkeypatch) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    from rosenblatt.kernels.machine import _THREAD_VARIABLES
    from rosenblatt.train import Callback, Trainer
    from rosenblatt.train.loop import largest_product

    for name in _THREAD_VARIABLES:  # no thread count from the environment
        monkeypatch.delenv(name, raising=False)
    seen = []

    class Threads(Callback):
        def on_epoch_end(self, epoch, logs) -> None:
            seen.append(
                max(
                    p["num_threads"]
                    for p in threadpool_info()
                    if p["user_api"] == "blas"
                )
            )

    net = nn.build_mlp([4, 8, 3], rng=0)
    assert largest_product(net, 32) == 32 * 4 * 8
    assert largest_product(nn.Sequential(nn.Conv2d(1, 2, 3, rng=0)), 1) >= 1 << 22
    X, y = np.random.default_rng(0).random((64, 4)), np.arange(64) % 3
    with threadpool_limits(limits=2, user_api="blas"):
        opt = optim.SGD(net.parameters(), lr=0.1)
        Trainer(
            net, nn.functional.cross_entropy, opt, callbacks=[Threads()], verbose=0
        ).fit(X, y, epochs=1)
        Trainer(
            net,
            nn.functional.cross_entropy,
            opt,
            callbacks=[Threads()],
            verbose=0,
            threads=2,
        ).fit(X, y, epochs=1)
    assert seen == [1, 2]


def test_fit_batches_trains_as_fit_does_on_the_same_batches(tmp_path) -> None:
    from rosenblatt.data.stream import chunks
    from rosenblatt.train import Trainer

    rng = np.random.default_rng(0)
    X, y = rng.random((300, 5)).astype(np.float32), rng.integers(0, 3, 300)

    def trainer():
        net = nn.build_mlp([5, 8, 3], rng=0)
        return Trainer(net, F.cross_entropy, optim.Adam(net.parameters(), lr=1e-2),
                       verbose=0)  # fmt: skip

    whole = trainer()
    history = whole.fit(X, y, epochs=3, batch_size=50, shuffle=False)
    listed = trainer()
    batches = [(X[i : i + 50], y[i : i + 50]) for i in range(0, 300, 50)]
    assert listed.fit_batches(batches, epochs=3)["loss"] == history["loss"]
    np.save(tmp_path / "rows.npy", np.column_stack([X, y]).astype(np.float32))

    class FromDisk:  # re-iterable: each epoch reads the file again, 50 rows at a time
        def __iter__(self):
            return ((x, t.astype(int)) for x, t in chunks(tmp_path / "rows.npy", 50))

    streamed = trainer()
    assert streamed.fit_batches(FromDisk(), epochs=3)["loss"] == history["loss"]
    for a, b, c in zip(whole.model.parameters(), listed.model.parameters(),
                       streamed.model.parameters(), strict=True):  # fmt: skip
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.data, c.data)
    with pytest.raises(ValueError, match="empty"):
        trainer().fit_batches([], epochs=1)
