"""Figures: each returns a matplotlib Figure showing what it says, headless."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from rosenblatt import MLPClassifier, nn, plot
from rosenblatt.data import load
from rosenblatt.train import History


def test_history_curves_draw_training_and_validation() -> None:
    history = History(
        {
            "loss": [1.0, 0.5, 0.2],
            "val_loss": [1.1, 0.7, 0.4],
            "accuracy": [0.5, 0.8, 0.9],
            "val_accuracy": [0.4, 0.7, 0.85],
        }
    )
    fig = plot.history_curves(history)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    loss_ax = fig.axes[0]
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_ax.lines[0].get_ydata(), [1.0, 0.5, 0.2])
    with pytest.raises(ValueError, match="expected a 'loss' curve"):
        plot.history_curves({"accuracy": [1.0]})


def test_decision_surface_of_a_classifier_on_moons(tmp_path) -> None:
    data = load("moons", n_samples=200)
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(
        data.X_train, data.y_train
    )
    fig = plot.decision_surface(
        clf.predict_proba, data.X_train, data.y_train, resolution=50
    )
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "surface.png")
    assert (tmp_path / "surface.png").stat().st_size > 10_000
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 2\)"):
        plot.decision_surface(clf.predict_proba, np.ones((3, 3)), [0, 1, 0])


def test_confusion_matrix_labels_every_cell() -> None:
    fig = plot.confusion_matrix([[5, 1], [2, 7]], ["cat", "dog"])
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "2", "5", "7"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["cat", "dog"]
    with pytest.raises(ValueError, match="square matrix"):
        plot.confusion_matrix([[1, 2, 3]])


def test_network_diagram_colours_by_sign_and_sizes_by_magnitude() -> None:
    net = nn.build_mlp([2, 3, 1], rng=0)
    fig = plot.network_diagram(net)
    lines = fig.axes[0].lines
    assert len(lines) == 2 * 3 + 3 * 1  # one line per connection
    weights = np.concatenate([net[0].weight.data.ravel(), net[2].weight.data.ravel()])
    widths = [line.get_linewidth() for line in lines]
    assert np.argmax(widths) == np.argmax(np.abs(weights))
    colours = sorted(line.get_color() for line in lines)
    negative, positive = plot.PALETTE[1], plot.PALETTE[0]
    assert colours == sorted(negative if w < 0 else positive for w in weights)


def test_weight_histograms_show_gradients_when_present() -> None:
    net = nn.build_mlp([4, 8, 3], rng=0)
    assert len(plot.weight_histograms(net).axes) == 2  # no gradients yet
    nn.functional.cross_entropy(
        net(nn.Parameter(np.ones((2, 4)), requires_grad=False)), [0, 1]
    ).backward()
    assert len(plot.weight_histograms(net).axes) == 4


def test_modules_show_a_table_in_jupyter() -> None:
    html = nn.build_mlp([4, 8, 3], rng=0)._repr_html_()
    assert "<table>" in html and "67 parameters" in html and "weight (4, 8)" in html
    assert "<table" in MLPClassifier()._repr_html_()  # scikit-learn's estimator HTML


def test_plot_helpers_take_fitted_estimators() -> None:
    import warnings

    from sklearn.datasets import make_moons
    from sklearn.exceptions import ConvergenceWarning

    from rosenblatt import MLPClassifier, Perceptron, plot

    X, y = make_moons(60, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
        perceptron = Perceptron(random_state=0).fit(X, y)
    for figure in (
        plot.history_curves(mlp),
        plot.decision_surface(mlp, X, y),
        plot.history_curves(perceptron),
        plot.decision_surface(perceptron, X, y),
        plot.network_diagram(mlp),
    ):
        assert figure.axes
    line = plot.history_curves(mlp).axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), mlp.loss_curve_)
