"""Datasets: generated, bundled with scikit-learn, IDX files and CSV, split with a seed."""

from rosenblatt.data.datasets import (
    DATASETS,
    Dataset,
    DatasetInfo,
    load,
    load_digits,
    read_csv,
    standardize_statistics,
)

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetInfo",
    "load",
    "load_digits",
    "read_csv",
    "standardize_statistics",
]
