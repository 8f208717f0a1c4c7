"""``rosenblatt playground``: a neural-network playground in the browser.

The page (``static/``) lets a learner pick a 2-D data set and its input features,
stack layers, and watch the network train on the same engine the library uses:
the decision surface, each neuron's picture, the weights, the losses and the
per-layer gradient norms; or watch Rosenblatt's perceptron of 1958 learn one sample
at a time. ``serve`` runs the local web server; ``Spec`` and ``dataset`` rebuild a
tab's data in Python (the exported script uses them).
"""

from rosenblatt.playground.session import Session, Spec, SpecError, dataset

__all__ = ["Session", "Spec", "SpecError", "dataset", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True) -> int:
    """Run the playground's web server until Ctrl-C (see ``server.serve``)."""
    from rosenblatt.playground.server import serve as run

    return run(host, port, open_browser)
