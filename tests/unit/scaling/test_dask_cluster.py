"""Searches on a Dask cluster through joblib's Dask backend: the same results as the
same searches run serially, with every worker's BLAS on one thread."""

import os
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score

from rosenblatt import MLPClassifier, Perceptron

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

X, Y = load_digits(return_X_y=True)
X = X / 16


def _searches(n_jobs):
    """A grid search over MLPClassifier, a randomised one over Perceptron, and a
    cross-validation; their scores."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at the small max_iter
        grid = GridSearchCV(
            MLPClassifier(max_iter=20, random_state=0),
            {"hidden_layer_sizes": [(16,), (32,)], "alpha": [1e-4, 1e-2]},
            cv=3,
            n_jobs=n_jobs,
        ).fit(X, Y)
        randomised = RandomizedSearchCV(
            Perceptron(random_state=0),
            {
                "eta0": [0.1, 0.5, 1.0],
                "max_iter": [5, 10, 20],
                "shuffle": [True, False],
            },
            n_iter=6,
            cv=3,
            random_state=0,
            n_jobs=n_jobs,
        ).fit(X, Y)
        scores = cross_val_score(
            MLPClassifier((16,), max_iter=20, random_state=1), X, Y, cv=4, n_jobs=n_jobs
        )
    return grid, randomised, scores


@pytest.fixture(scope="module")
def client():
    # starting a cluster sets OMP_NUM_THREADS and the like in this process too (the
    # environment it hands its workers); put it back for the tests that follow
    saved = dict(os.environ)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        with cluster, distributed.Client(cluster, timeout="60s") as connected:
            yield connected
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_searches_on_the_cluster_equal_the_serial_ones(client) -> None:
    serial = _searches(n_jobs=1)
    with joblib.parallel_backend("dask"):
        spread = _searches(n_jobs=-1)
    workers = {task for task in client.run(lambda: 1)}
    assert len(workers) == 2
    for a, b in zip(serial[:2], spread[:2], strict=True):
        np.testing.assert_array_equal(
            a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
        )
        assert a.best_params_ == b.best_params_
        np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(serial[2], spread[2])


def test_each_worker_runs_blas_on_one_thread(client) -> None:
    # distributed's nanny sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and
    # MKL_NUM_THREADS to 1 before a worker starts (its pre-spawn environment), so two
    # workers on two cores never oversubscribe them; rosenblatt keeps that setting
    def blas_threads():
        from threadpoolctl import threadpool_info

        return [pool["num_threads"] for pool in threadpool_info()]

    import numpy  # noqa: F401 (load BLAS in this process too, for the comparison)

    for counts in client.run(blas_threads).values():
        assert counts and set(counts) == {1}
