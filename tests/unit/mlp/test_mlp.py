"""MLPClassifier / MLPRegressor: scikit-learn's behaviour, messages, and our extras."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse
import scipy.special
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.preprocessing import LabelBinarizer, StandardScaler

from rosenblatt import MLPClassifier, MLPRegressor, Tensor, nn
from rosenblatt._labels import ClassLabels
from rosenblatt._params import InvalidParameterError
from rosenblatt.train import Callback

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


# --- the same starting network and the same training as scikit-learn ---


@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh", "identity"])
def test_initial_weights_are_drawn_like_scikit_learn(activation: str) -> None:
    ours = quiet(
        MLPClassifier((7, 5), activation, max_iter=1, random_state=3).fit,
        X_IRIS,
        Y_IRIS,
    )
    rs = np.random.RandomState(3)
    units = [4, 7, 5, 3]
    factor = 2.0 if activation == "logistic" else 6.0
    for i in range(3):
        bound = np.sqrt(factor / (units[i] + units[i + 1]))
        W = rs.uniform(-bound, bound, (units[i], units[i + 1]))
        b = rs.uniform(-bound, bound, units[i + 1])
        assert ours.coefs_[i].shape == W.shape
        # one step of training has moved them a little, but not far from the draw
        assert np.abs(ours.coefs_[i] - W).max() < 0.05
        assert np.abs(ours.intercepts_[i] - b).max() < 0.05


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_full_batch_training_follows_scikit_learn_step_for_step(solver: str) -> None:
    # Full batches make the sample order irrelevant, so both libraries compute the same
    # sequence of float64 steps from the same initial weights.
    kwargs = {"solver": solver, "random_state": 0, "max_iter": 15, "batch_size": 150}
    ours = quiet(MLPClassifier((10,), **kwargs).fit, X_IRIS, Y_IRIS)
    theirs = quiet(SkMLPClassifier((10,), **kwargs).fit, X_IRIS, Y_IRIS)
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-9)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
    if solver != "lbfgs":
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(
        ours.predict_proba(X_IRIS), theirs.predict_proba(X_IRIS), atol=1e-9
    )


@pytest.mark.parametrize(
    ("make", "X", "y"),
    [
        (lambda: MLPClassifier((6,), alpha=0.3), X_IRIS, Y_IRIS),
        (lambda: MLPClassifier((6,), alpha=0.3), X_IRIS, Y_IRIS == 1),
        (
            lambda: MLPRegressor(hidden_layer_sizes=(6,), alpha=0.3),
            X_IRIS,
            X_IRIS[:, :2] @ [1, 2],
        ),
        (
            lambda: MLPRegressor("poisson", hidden_layer_sizes=(6,), alpha=0.3),
            X_IRIS,
            np.abs(X_IRIS[:, :2]),
        ),
        (
            lambda: MLPClassifier((6,), alpha=0.3),
            X_IRIS,
            np.stack([X_IRIS[:, 0] > 5.8, X_IRIS[:, 1] > 3.0], axis=1),
        ),
        (
            lambda: MLPRegressor(hidden_layer_sizes=(6,), alpha=0.3),
            X_IRIS,
            X_IRIS[:, :2] @ [[1.0, 0.5], [2.0, -1.0]],
        ),
    ],
    ids=["softmax", "logistic", "squared", "poisson", "multilabel", "two-outputs"],
)
@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "unweighted"])
def test_loss_and_gradients_equal_scikit_learn_for_identical_weights(
    make, X, y, weighted: bool
) -> None:
    ours = quiet(make().set_params(max_iter=1, random_state=0).fit, X, y)
    sk_class = SkMLPRegressor if isinstance(ours, MLPRegressor) else SkMLPClassifier
    theirs = quiet(
        sk_class(
            **{
                k: v
                for k, v in ours.get_params().items()
                if k
                not in (
                    "dropout",
                    "class_weight",
                    "callbacks",
                    "divergence",
                    "dtype",
                    "threads",
                )
            }
        ).fit,
        X,
        y,
    )
    theirs.coefs_ = [c.copy() for c in ours.coefs_]
    theirs.intercepts_ = [b.copy() for b in ours.intercepts_]
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X)) if weighted else None
    Y = (
        ours._labels.one_hot(y, np.float64)
        if hasattr(ours, "_labels")
        else np.reshape(y, (len(X), -1))
    )
    # scikit-learn's private _backprop gives its loss and gradients
    activations = [X] + [None] * (theirs.n_layers_ - 1)
    deltas = [None] * (theirs.n_layers_ - 1)
    coef_grads = [np.empty_like(c) for c in theirs.coefs_]
    intercept_grads = [np.empty_like(b) for b in theirs.intercepts_]
    loss, coef_grads, intercept_grads = theirs._backprop(
        X, Y.astype(float), weights, activations, deltas, coef_grads, intercept_grads
    )
    ours.module_.zero_grad()
    from rosenblatt import Tensor, nn

    linears = [m for m in ours.module_ if isinstance(m, nn.Linear)]
    loss_fn = nn.MLPLoss(
        ours.out_activation_, [m.weight for m in linears], alpha=ours.alpha
    )
    objective = loss_fn(ours.module_(Tensor(X)), Y.astype(float), weights)
    objective.backward()
    assert objective.item() == pytest.approx(loss, rel=1e-10)
    for layer, gw, gb in zip(linears, coef_grads, intercept_grads, strict=True):
        np.testing.assert_allclose(layer.weight.grad, gw, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer.bias.grad, gb, rtol=1e-9, atol=1e-12)


# --- fitted attributes and their semantics ---


def test_fitted_attributes_like_scikit_learn() -> None:
    clf = quiet(MLPClassifier((5, 4), max_iter=20, random_state=0).fit, X_IRIS, Y_IRIS)
    assert [c.shape for c in clf.coefs_] == [(4, 5), (5, 4), (4, 3)]
    assert [b.shape for b in clf.intercepts_] == [(5,), (4,), (3,)]
    assert (
        clf.n_layers_ == 4 and clf.n_outputs_ == 3 and clf.out_activation_ == "softmax"
    )
    assert len(clf.loss_curve_) == clf.n_iter_ == 20 and clf.t_ == 20 * 150
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.n_features_in_ == 4
    assert clf.coefs_[0] is clf.module_[0].weight.data  # views of the network


def test_warm_start_and_partial_fit_accumulate_like_scikit_learn() -> None:
    clf = MLPClassifier((5,), max_iter=5, warm_start=True, random_state=0)
    quiet(clf.fit, X_IRIS, Y_IRIS)
    quiet(clf.fit, X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 10 and clf.t_ == 1500
    inc = MLPClassifier((5,), random_state=0)
    inc.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    inc.partial_fit(X_IRIS, Y_IRIS)
    assert inc.n_iter_ == 1 and len(inc.loss_curve_) == 2 and inc.t_ == 300


def test_early_stopping_keeps_the_best_validation_weights() -> None:
    clf = quiet(
        MLPClassifier((8,), early_stopping=True, random_state=0, max_iter=300).fit,
        X_IRIS,
        Y_IRIS,
    )
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_binary_multilabel_and_string_labels() -> None:
    binary = quiet(
        MLPClassifier((5,), random_state=0).fit, X_IRIS, np.where(Y_IRIS == 0, "a", "b")
    )
    proba = binary.predict_proba(X_IRIS)
    assert proba.shape == (150, 2) and binary.out_activation_ == "logistic"
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(binary.predict(X_IRIS)) <= {"a", "b"}
    np.testing.assert_allclose(binary.predict_log_proba(X_IRIS), np.log(proba))
    X, Y = make_multilabel_classification(100, 6, n_classes=3, random_state=0)
    multi = quiet(MLPClassifier((10,), random_state=0).fit, X, Y)
    assert multi.predict(X).shape == (100, 3) and multi.predict_proba(X).shape == (
        100,
        3,
    )


@pytest.mark.parametrize(
    "labels",
    [
        np.array([2, 0, 1, 2, 0, 1, 1]),  # multiclass
        np.array(["b", "a", "b", "b", "a", "a", "b"]),  # binary: one column
        np.array([1.0, 3.0, 1.0, 3.0, 3.0, 1.0, 1.0]),  # float labels
        np.array(
            [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1], [1, 1]]
        ),  # multilabel
        np.array([4, 4, 4, 4, 4, 4, 4]),  # a single class: a column of zeros
    ],
    ids=["multiclass", "binary", "floats", "multilabel", "one class"],
)
def test_targets_are_label_binarizer_s(labels) -> None:
    X = np.random.default_rng(0).random((7, 3))
    clf = quiet(MLPClassifier((2,), max_iter=1, random_state=0).fit, X, labels)
    expected = LabelBinarizer().fit(labels).transform(labels)
    got = clf._labels.one_hot(labels, np.float64)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)
    if labels.ndim == 1 and len(set(labels)) > 1:  # and for some of the labels
        np.testing.assert_array_equal(
            clf._labels.one_hot(labels[3:5], np.float64), expected[3:5]
        )


@pytest.mark.parametrize(
    ("activation", "mean"),
    [
        ("softmax", lambda z: scipy.special.softmax(z, axis=1)),
        ("logistic", scipy.special.expit),
        ("identity", lambda z: z),
        ("exp", np.exp),
    ],
)
def test_mlp_loss_prediction_is_the_output_activation(activation, mean) -> None:
    z = np.random.default_rng(0).normal(size=(6, 3)) * 5
    got = nn.MLPLoss(activation, []).prediction(Tensor(z)).data
    np.testing.assert_allclose(got, mean(z), rtol=1e-12)


def test_class_labels_decode_what_one_hot_encodes_and_refuse_unknown_labels() -> None:
    for y, stray in (
        (np.array(["b", "a", "c", "a"]), "z"),
        (np.array([3, 7, 7, 3]), 9),
        (Y_IRIS, 9),
    ):
        labels = ClassLabels.fit(y)
        np.testing.assert_array_equal(labels.decode(labels.one_hot(y, float)), y)
        np.testing.assert_array_equal(labels.classes[labels.indices(y)], y)
        with pytest.raises(
            ValueError, match=f"y contains labels not seen in fit: .*{stray}"
        ):
            labels.indices(np.r_[y[:2], [stray]])
    Y = np.array([[1, 0], [0, 1], [1, 1]])
    multi = ClassLabels.fit(Y)
    assert multi.kind == "multilabel-indicator" and multi.width == 2
    np.testing.assert_array_equal(multi.decode(Y.astype(float)), Y)


def test_early_stopping_scores_predict_s_labels_even_at_one_half() -> None:
    # all-zero weights: every probability is exactly 1/2, which predict calls negative
    X, Y = make_multilabel_classification(20, 4, n_classes=3, random_state=0)
    for y in (Y[:, 0], Y):  # binary, multilabel
        clf = quiet(MLPClassifier((3,), max_iter=2, random_state=0).fit, X, y)
        clf.coefs_ = [np.zeros_like(c) for c in clf.coefs_]
        clf.intercepts_ = [np.zeros_like(b) for b in clf.intercepts_]
        np.testing.assert_array_equal(clf.predict(X), np.zeros_like(y))
        scored = clf._labels.decode(clf._raw(X), threshold=0.0)  # as _score_on
        np.testing.assert_array_equal(scored, clf.predict(X))
    labels = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
    clf = quiet(MLPClassifier((3,), max_iter=5, random_state=0).fit, X_IRIS, labels)
    expected = LabelBinarizer().fit(labels).inverse_transform(clf.predict_proba(X_IRIS))
    np.testing.assert_array_equal(clf.predict(X_IRIS), expected)  # multiclass


def test_float32_stays_float32_and_sparse_is_accepted() -> None:
    clf = quiet(
        MLPClassifier((5,), max_iter=5, random_state=0).fit,
        X_IRIS.astype(np.float32),
        Y_IRIS,
    )
    assert clf.coefs_[0].dtype == np.float32
    assert clf.predict_proba(X_IRIS).dtype == np.float32
    sparse = quiet(
        MLPClassifier((5,), max_iter=5, random_state=0).fit,
        scipy.sparse.csr_matrix(X_IRIS),
        Y_IRIS,
    )
    dense = quiet(MLPClassifier((5,), max_iter=5, random_state=0).fit, X_IRIS, Y_IRIS)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0])


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam"},
        {"solver": "lbfgs"},
        {"solver": "sgd", "early_stopping": True, "validation_fraction": 0.2},
    ],
    ids=["adam", "lbfgs", "sgd-early-stopping"],
)
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_input_trains_and_predicts_as_its_dense_copy(params, fmt) -> None:
    X = scipy.sparse.random(120, 40, density=0.1, format=fmt, random_state=0)
    y = np.random.default_rng(0).integers(0, 3, 120)
    make = lambda: MLPClassifier((6,), max_iter=8, random_state=0, **params)  # noqa: E731
    sparse, dense = quiet(make().fit, X, y), quiet(make().fit, X.toarray(), y)
    for a, b in zip(sparse.coefs_, dense.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X.toarray()), rtol=1e-9
    )
    np.testing.assert_allclose(
        sparse.transform(X), dense.transform(X.toarray()), rtol=1e-9, atol=1e-12
    )


def test_sparse_input_is_never_densified() -> None:
    # 2,000 x 100,000 would be 1.6 GB dense; sparse, with 5 entries a row, 0.1 MB
    X = scipy.sparse.random(2_000, 100_000, density=5e-5, random_state=0)
    y = np.arange(2_000) % 2
    tracemalloc.start()
    try:
        clf = quiet(MLPClassifier((4,), max_iter=2, random_state=0).fit, X, y)
        clf.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20  # the weights and Adam's moments: about 13 MB


def test_lbfgs_has_no_partial_fit() -> None:
    # as scikit-learn (available_if): the method is hidden, hasattr is False
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPClassifier(solver="sgd"), "partial_fit")


# --- bad input gets scikit-learn's messages ---


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (
            np.array([[np.nan, 1.0]] * 4),
            [0, 1, 0, 1],
            ValueError,
            "Input X contains NaN",
        ),
        (
            np.array([[np.inf, 1.0]] * 4),
            [0, 1, 0, 1],
            ValueError,
            "Input X contains infinity",
        ),
        (
            np.ones(4),
            [0, 1, 0, 1],
            ValueError,
            "Expected 2D array, got 1D array instead",
        ),
        (np.ones((0, 3)), [], ValueError, r"Found array with 0 sample\(s\)"),
        (np.ones((4, 2)), [0.5, 1.5, 2.5, 3.5], ValueError, "Unknown label type"),
        (np.ones((4, 2)), [0, 1], ValueError, "inconsistent numbers of samples"),
    ],
)
def test_bad_input_to_the_classifier(X, y, error, message) -> None:
    with pytest.raises(error, match=message):
        MLPClassifier().fit(X, y)


def test_predict_errors_and_warm_start_with_new_classes() -> None:
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        MLPClassifier().predict(X_IRIS)
    clf = quiet(MLPClassifier((3,), max_iter=2, warm_start=True).fit, X_IRIS, Y_IRIS)
    with pytest.raises(
        ValueError, match="X has 3 features, but MLPClassifier is expecting 4"
    ):
        clf.predict(X_IRIS[:, :3])
    with pytest.raises(
        ValueError, match="warm_start can only be used where `y` has the same classes"
    ):
        clf.fit(X_IRIS, Y_IRIS + 1)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X_IRIS, Y_IRIS)


def test_string_targets_to_the_regressor_get_a_clear_message() -> None:
    with pytest.raises(
        ValueError, match="MLPRegressor: y must be numbers, got strings such as 'a'"
    ):
        MLPRegressor().fit(X_IRIS[:3], ["a", "b", "c"])


def test_hyperparameters_are_checked_at_fit_with_scikit_learn_wording() -> None:
    clf = MLPClassifier(max_iter=-1)
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'max_iter' parameter of MLPClassifier must be an int in the range "
        r"\[1, inf\). Got -1 instead.",
    ):
        clf.fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be > 0, got \[0\]"):
        MLPClassifier(hidden_layer_sizes=(0,)).fit(X_IRIS, Y_IRIS)
    with pytest.raises(InvalidParameterError):
        MLPRegressor((8,)).fit(X_IRIS, Y_IRIS)  # loss is the first positional parameter


def test_divergence_stops_with_advice() -> None:
    X, y = make_regression(100, 3, random_state=0)
    with pytest.raises(
        ValueError, match=r"non-finite parameter weights.*try a smaller one"
    ):
        quiet(
            MLPRegressor(solver="sgd", learning_rate_init=10.0, random_state=0).fit,
            X * 1e3,
            y * 1e3,
        )


def test_convergence_warning_at_max_iter() -> None:
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(max_iter=3).fit(X_IRIS, Y_IRIS)


# --- extras ---


def test_dropout_per_layer_activations_and_module() -> None:
    clf = quiet(
        MLPClassifier(
            (8, 6), ["tanh", "relu"], dropout=[0.2, 0.0], random_state=0, max_iter=30
        ).fit,
        X_IRIS,
        Y_IRIS,
    )
    kinds = [type(m).__name__ for m in clf.module_]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "ReLU", "Linear"]
    assert isinstance(clf.module_, nn.Sequential)
    with pytest.raises(ValueError, match="dropout needs a stochastic solver"):
        MLPClassifier(dropout=0.1, solver="lbfgs").fit(X_IRIS, Y_IRIS)
    with pytest.raises(
        ValueError, match="activation lists 1 values but there are 2 hidden layers"
    ):
        MLPClassifier((4, 4), ["relu"]).fit(X_IRIS, Y_IRIS)


def test_dropout_changes_training_but_not_prediction_determinism() -> None:
    a = quiet(
        MLPClassifier((8,), dropout=0.3, random_state=0, max_iter=20).fit,
        X_IRIS,
        Y_IRIS,
    )
    b = quiet(MLPClassifier((8,), random_state=0, max_iter=20).fit, X_IRIS, Y_IRIS)
    assert not np.allclose(a.coefs_[0], b.coefs_[0])
    proba = a.predict_proba(X_IRIS)
    np.testing.assert_array_equal(a.predict_proba(X_IRIS), proba)
    assert a.module_.training is False  # a fitted network is left predicting
    a.module_.train()  # someone inspecting module_ may switch it
    np.testing.assert_array_equal(a.predict_proba(X_IRIS), proba)  # no dropout
    assert a.module_.training is True  # and their mode is kept


def test_class_weight_shifts_the_decision() -> None:
    y = (Y_IRIS == 2).astype(int)
    plain = quiet(MLPClassifier((4,), random_state=0, max_iter=50).fit, X_IRIS, y)
    heavy = quiet(
        MLPClassifier(
            (4,), random_state=0, max_iter=50, class_weight={0: 1, 1: 20}
        ).fit,
        X_IRIS,
        y,
    )
    assert heavy.predict(X_IRIS).sum() > plain.predict(X_IRIS).sum()


def test_validation_data_gives_a_validation_loss_curve() -> None:
    order = np.random.default_rng(0).permutation(150)
    train, val = order[:100], order[100:]
    clf = quiet(
        MLPClassifier((8,), random_state=0, max_iter=25).fit,
        X_IRIS[train],
        Y_IRIS[train],
        validation_data=(X_IRIS[val], Y_IRIS[val]),
    )
    assert len(clf.validation_loss_curve_) == 25
    assert all(np.isfinite(clf.validation_loss_curve_))
    assert clf.validation_loss_curve_[-1] < clf.validation_loss_curve_[0]
    with pytest.raises(ValueError, match=r"labels not seen in fit: \[7\]"):
        clf.fit(X_IRIS[train], Y_IRIS[train], validation_data=(X_IRIS[:2], [7, 0]))


def test_callbacks_are_called_and_can_stop_training() -> None:
    class StopAtThree(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 2:
                self.trainer.stop_training = True

    clf = MLPClassifier((4,), random_state=0, max_iter=100, callbacks=[StopAtThree()])
    clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 3


def test_verbose_prints_what_scikit_learn_prints(capsys) -> None:
    params = dict(hidden_layer_sizes=(4,), max_iter=2, verbose=True, random_state=0)
    quiet(MLPClassifier(**params).fit, X_IRIS, Y_IRIS)
    ours = capsys.readouterr().out
    quiet(SkMLPClassifier(**params).fit, X_IRIS, Y_IRIS)
    theirs = capsys.readouterr().out
    assert ours.splitlines()[0].startswith("Iteration 1, loss = ")
    # the same lines, the losses equal to about float64 rounding
    assert [line[:20] for line in ours.splitlines()] == [
        line[:20] for line in theirs.splitlines()
    ]


def test_a_progress_bar_is_a_callback(capsys) -> None:
    from rosenblatt.train import ProgressBar

    clf = MLPClassifier((4,), max_iter=2, random_state=0, callbacks=[ProgressBar(2)])
    quiet(clf.fit, X_IRIS, Y_IRIS)
    assert "Epoch 2/2" in capsys.readouterr().err


def test_transform_returns_hidden_activations() -> None:
    clf = quiet(MLPClassifier((6, 3), random_state=0, max_iter=10).fit, X_IRIS, Y_IRIS)
    first = clf.transform(X_IRIS, layer=0)
    last = clf.transform(X_IRIS)
    assert first.shape == (150, 6) and last.shape == (150, 3)
    assert (first >= 0).all()  # ReLU activations
    manual = np.maximum(X_IRIS @ clf.coefs_[0] + clf.intercepts_[0], 0)
    np.testing.assert_allclose(first, manual, rtol=1e-10)
    with pytest.raises(ValueError, match=r"layer must be in \[-2, 1\]"):
        clf.transform(X_IRIS, layer=2)


def test_dtype_trains_in_float32_whatever_x_is() -> None:
    clf = quiet(
        MLPRegressor(
            hidden_layer_sizes=(4,), dtype="float32", max_iter=5, random_state=0
        ).fit,
        X_IRIS,
        Y_IRIS * 1.0,
    )
    assert clf.coefs_[0].dtype == np.float32


def test_regressor_poisson_and_multi_output() -> None:
    X, y = make_regression(200, 4, n_targets=2, random_state=0)
    reg = quiet(
        MLPRegressor(
            hidden_layer_sizes=(16,), solver="lbfgs", random_state=0, max_iter=500
        ).fit,
        X,
        y,
    )
    assert reg.predict(X).shape == (200, 2) and reg.score(X, y) > 0.9
    counts = np.random.default_rng(0).poisson(np.exp(X_IRIS[:, 0] * 0.5))
    pois = quiet(
        MLPRegressor(
            "poisson", hidden_layer_sizes=(8,), random_state=0, max_iter=300
        ).fit,
        X_IRIS,
        counts,
    )
    assert pois.out_activation_ == "exp" and (pois.predict(X_IRIS) > 0).all()


def test_estimators_pickle_and_predict_the_same() -> None:
    import pickle

    clf = quiet(MLPClassifier((5,), random_state=0, max_iter=10).fit, X_IRIS, Y_IRIS)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        again.predict_proba(X_IRIS), clf.predict_proba(X_IRIS)
    )


# --- scikit-learn's checks on partial_fit's classes ---


def test_partial_fit_refuses_labels_outside_classes_and_a_changed_classes() -> None:
    clf = MLPClassifier((4,), random_state=0)
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        clf.partial_fit(X_IRIS[:4], [0, 1, 7, 0], classes=[0, 1])
    clf = MLPClassifier((4,), random_state=0).partial_fit(
        X_IRIS[:4], [0, 1, 1, 0], classes=[0, 1]
    )
    with pytest.raises(ValueError, match=r"is not the same as on last call"):
        clf.partial_fit(X_IRIS[:4], [0, 1, 1, 0], classes=[1, 2])
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        clf.partial_fit(X_IRIS[:4], [0, 1, 2, 0])
    clf.partial_fit(X_IRIS[:4], [0, 0, 0, 0], classes=[0, 1])  # a subset is fine


def test_early_stopping_through_a_diverging_fit_keeps_the_best_weights() -> None:
    # scikit-learn's issue 29504: identity units and lr=1 blow up within a few epochs
    reg = MLPRegressor(
        hidden_layer_sizes=100,
        activation="identity",
        solver="sgd",
        learning_rate_init=1,
        max_iter=20,
        early_stopping=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="kept the weights"):
        reg.fit(X_IRIS, Y_IRIS.astype(float))
    assert np.isnan(reg.validation_scores_[-1])
    assert reg.best_validation_score_ == max(
        s for s in reg.validation_scores_ if not np.isnan(s)
    )
    assert np.isfinite(reg.predict(X_IRIS)).all()
    # without early stopping there is nothing good to keep: scikit-learn's message
    with pytest.raises(
        ValueError, match="Solver produced non-finite parameter weights"
    ):
        quiet(reg.set_params(early_stopping=False).fit, X_IRIS, Y_IRIS.astype(float))


def test_set_output_in_a_pipeline_gives_data_frames() -> None:
    pd = pytest.importorskip("pandas")
    from sklearn.pipeline import make_pipeline

    frame = pd.DataFrame(X_IRIS, columns=["a", "b", "c", "d"], index=range(10, 160))
    pipe = make_pipeline(StandardScaler(), MLPClassifier((3,), random_state=0))
    pipe.set_output(transform="pandas")
    quiet(pipe.fit, frame, Y_IRIS)
    assert pipe.score(frame, Y_IRIS) > 0.5
    hidden = pipe.transform(frame)  # the last step's transform: hidden activations
    assert list(hidden.columns) == [
        "mlpclassifier0",
        "mlpclassifier1",
        "mlpclassifier2",
    ]
    assert list(hidden.index) == list(frame.index)
    clf = quiet(
        MLPClassifier((4, 2), max_iter=5, random_state=0)
        .set_output(transform="pandas")
        .fit,
        X_IRIS,
        Y_IRIS,
    )
    assert clf.transform(X_IRIS, layer=0).columns[0] == "mlpclassifier_layer0_0"
    assert isinstance(clf.set_output(transform="default").transform(X_IRIS), np.ndarray)


def test_an_exploding_loss_is_an_error_that_says_where() -> None:
    params = dict(learning_rate_init=1e6, max_iter=5, random_state=0)
    clf = MLPClassifier((8,), divergence=100.0, **params)
    # iris is one batch per epoch: the second epoch's loss is the explosion
    with pytest.raises(
        ValueError, match=r"loss exploded to .* at epoch 2, batch 1 of 1"
    ):
        clf.fit(X_IRIS, Y_IRIS)
    # without the extra, scikit-learn's behaviour: only a NaN loss would stop it
    quiet(MLPClassifier((8,), **params).fit, X_IRIS, Y_IRIS)


def test_threads_is_checked_and_kept_in_model_files(tmp_path) -> None:
    with pytest.raises(InvalidParameterError, match=r"'threads' parameter .* or None"):
        MLPClassifier(threads=0).fit(X_IRIS, Y_IRIS)
    clf = quiet(
        MLPClassifier((4,), max_iter=2, threads=1, random_state=0).fit, X_IRIS, Y_IRIS
    )
    clf.save(tmp_path / "m.safetensors")
    assert MLPClassifier.load(tmp_path / "m.safetensors").threads == 1
