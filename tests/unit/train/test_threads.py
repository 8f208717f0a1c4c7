"""Inference is thread-safe: grad mode is per thread, predict never writes the network."""

import threading
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from rosenblatt import CNNClassifier, MLPClassifier, is_grad_enabled, no_grad


def test_no_grad_in_one_thread_leaves_the_others_recording() -> None:
    inside, seen = threading.Event(), []

    def hold_no_grad() -> None:
        with no_grad():
            inside.set()
            done.wait(5)

    done = threading.Event()
    worker = threading.Thread(target=hold_no_grad)
    worker.start()
    inside.wait(5)
    seen.append(is_grad_enabled())  # this thread still records
    done.set()
    worker.join()
    assert seen == [True] and is_grad_enabled()


def test_eight_threads_predict_while_another_fits() -> None:
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier((32,), max_iter=5, random_state=0).fit(X, y)
        cnn = CNNClassifier("simple_cnn", image_shape=(8, 8), dropout=0.5, max_iter=1,
                            random_state=0).fit(X[:400], y[:400])  # fmt: skip
    expected = {"mlp": mlp.predict_proba(X), "cnn": cnn.predict_proba(X[:300])}
    wrong: list[str] = []
    failures: list[str] = []

    def predict_repeatedly(name: str) -> None:
        for _ in range(15):
            got = mlp.predict_proba(X) if name == "mlp" else cnn.predict_proba(X[:300])
            if not np.array_equal(got, expected[name]):
                wrong.append(name)

    def fit_another() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for seed in range(3):
                    MLPClassifier((16,), max_iter=3, random_state=seed).fit(X, y)
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(repr(error))

    threads = [
        threading.Thread(target=predict_repeatedly, args=(name,))
        for name in ["mlp", "cnn"] * 4
    ]
    threads.append(threading.Thread(target=fit_another))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == [] and failures == []
    assert is_grad_enabled() and not mlp.module_.training and not cnn.module_.training
    assert np.array_equal(cnn.transform(X[:5]), cnn.transform(X[:5]))
    assert not cnn.module_.training  # transform left the network as it was
