"""What leaves the playground: the trained network as a model file, and a script.

The model file is a network file (``rosenblatt.io.save``) over the tab's input
features, with the class names and feature names that ``rosenblatt info``,
``evaluate`` and ``predict`` read. The script rebuilds the same data and retrains
the same layers with ``MLPClassifier`` or ``MLPRegressor``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rosenblatt import io

if TYPE_CHECKING:
    from rosenblatt.playground.session import Session

__all__ = ["model_file", "python_snippet"]

# The playground's activations under MLPClassifier's names. MLPClassifier has no step
# unit (its gradient is 0 everywhere, so gradient descent cannot train it).
_SKLEARN_NAMES = {"identity": "identity", "sigmoid": "logistic", "tanh": "tanh",
                  "relu": "relu", "step": "logistic"}  # fmt: skip


def model_file(session: Session, path: str | os.PathLike[str]) -> None:
    """Save the session's network (1958: its perceptron) to ``path``, atomically."""
    spec = session.spec
    extra = {
        "task": spec.problem,
        "feature_names": list(spec.features),
        "class_names": ["0", "1"] if spec.problem == "classification" else [],
        "playground": {"spec": session.spec_json(), "epochs": session.epoch},
    }
    model = session.perceptron if spec.mode == "1958" else session.net
    io.save(model, path, data_name=f"playground:{spec.dataset}", extra=extra)


def python_snippet(session: Session) -> str:
    """A script that rebuilds the session's data and network and trains it."""
    spec = session.spec
    if spec.mode == "1958":
        return _perceptron_snippet(session)
    classify = spec.problem == "classification"
    estimator = "MLPClassifier" if classify else "MLPRegressor"
    activations = [_SKLEARN_NAMES[a] for a in spec.activations]
    notes = []
    if "step" in spec.activations:
        notes.append("# The step unit has no gradient; MLPClassifier's logistic is its "
                     "smooth stand-in.")  # fmt: skip
    if spec.regularization == "l1":
        notes.append("# MLP estimators penalise L2 only; the L1 penalty is left out.")
    alpha = (
        spec.regularization_rate * spec.batch_size
        if spec.regularization == "l2"
        else 0.0
    )
    score = "accuracy" if classify else "R^2"
    lines = [
        f"# The rosenblatt playground's network: {spec.dataset}, features "
        f"{', '.join(spec.features)}, hidden layers {spec.layers or 'none'}.",
        "from rosenblatt import " + estimator,
        "from rosenblatt.playground import Spec, dataset",
        "",
        f"spec = Spec(**{session.spec_json()!r})",
        "X_train, y_train, X_test, y_test = dataset(spec)  # the same points and features",
        *notes,
        f"model = {estimator}(",
        f"    hidden_layer_sizes={tuple(spec.layers)!r},",
        f"    activation={activations!r},",
        '    solver="sgd",',
        f"    learning_rate_init={spec.learning_rate!r},",
        f"    batch_size={spec.batch_size},",
        "    momentum=0.0,",
        f"    alpha={alpha!r},  # scikit-learn divides the L2 penalty by the batch size",
        f"    max_iter={max(session.epoch, 1)},  # the epochs trained in the playground",
        f"    random_state={spec.seed},",
        ")",
        "model.fit(X_train, y_train)",
        f'print("test {score}:", model.score(X_test, y_test))',
        "",
    ]
    return "\n".join(lines)


def _perceptron_snippet(session: Session) -> str:
    spec = session.spec
    return "\n".join(
        [
            f"# The rosenblatt playground's 1958 perceptron: {spec.dataset}, features "
            f"{', '.join(spec.features)}.",
            "from rosenblatt import Perceptron",
            "from rosenblatt.playground import Spec, dataset",
            "",
            f"spec = Spec(**{session.spec_json()!r})",
            "X_train, y_train, X_test, y_test = dataset(spec)",
            "# Rosenblatt's rule, one sample at a time in the page's order; it stops after",
            "# a pass without a mistake (on XOR it never does: max_iter ends it).",
            "model = Perceptron(eta0=0.1, shuffle=False, tol=None, max_iter=100)",
            "model.fit(X_train, y_train)",
            'print("epochs:", model.n_iter_, "stopped by:", model.converged_)',
            'print("test accuracy:", model.score(X_test, y_test))',
            "",
        ]
    )
