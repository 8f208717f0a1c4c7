"""Datasets: bundled ones from scikit-learn, split and scaled reproducibly."""

from rosenblatt.data.bundled import Split, load_digits

__all__ = ["Split", "load_digits"]
