"""Regenerate the README's figures (docs/figures/*.png): python scripts/make_figures.py."""

from pathlib import Path

from rosenblatt import nn, optim, plot
from rosenblatt.data import load
from rosenblatt.mlp import MLPClassifier
from rosenblatt.nn import functional as F
from rosenblatt.train import fit

OUT = Path(__file__).resolve().parents[1] / "docs" / "figures"


def main() -> None:
    """Train the two small models and draw their figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    moons = load("moons", seed=0)
    clf = MLPClassifier((16, 16), max_iter=2000, random_state=0)
    clf.fit(moons.X_train, moons.y_train)
    fig = plot.decision_surface(
        clf.predict_proba, moons.X_train, moons.y_train, title="MLP 2-16-16-1 on moons"
    )
    fig.set_size_inches(5.0, 3.8)
    fig.savefig(OUT / "moons_decision_surface.png", dpi=72)

    digits = load("digits", seed=0)
    net = nn.build_mlp([64, 256, 128, 10], rng=0)
    history = fit(
        net, F.cross_entropy, optim.Adam(net.parameters(), lr=2e-3),
        digits.X_train, digits.y_train, epochs=30, batch_size=32, rng=0,
        validation_data=(digits.X_test, digits.y_test), metrics=["accuracy"], verbose=0,
    )  # fmt: skip
    fig = plot.history_curves(history, title="MLP 64-256-128-10 on digits")
    fig.set_size_inches(8.0, 3.0)
    fig.savefig(OUT / "digits_history.png", dpi=72)
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))} to {OUT}")


if __name__ == "__main__":
    main()
