"""load(name): every catalogue entry, seeded splits, CSV parsing and its error messages."""

import numpy as np
import pytest

from rosenblatt.data import DATASETS, load, read_csv

OFFLINE = [n for n in DATASETS if n not in ("fashion-mnist", "mnist")]


@pytest.mark.parametrize("name", OFFLINE)
def test_every_offline_dataset_loads_with_metadata(name: str) -> None:
    data = load(name)
    assert data.X_train.dtype == np.float32 and data.X_train.ndim == 2
    assert len(data.X_train) == len(data.y_train) and len(data.X_test) == len(
        data.y_test
    )
    assert data.X_train.shape[1] == len(data.feature_names)
    assert data.class_names is not None and data.task == "classification"
    assert set(np.unique(data.y_train)) <= set(range(len(data.class_names)))
    assert data.source and data.name == name


def test_gates_are_their_truth_tables() -> None:
    xor = load("xor")
    np.testing.assert_array_equal(xor.X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(xor.y_train, [0, 1, 1, 0])
    np.testing.assert_array_equal(load("nand").y_train, [1, 1, 1, 0])


def test_same_seed_same_split_and_options_apply() -> None:
    a, b, c = load("moons", seed=3), load("moons", seed=3), load("moons", seed=4)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)
    small = load("spirals", n_samples=100, noise=0.0, test_size=0.5)
    assert len(small.X_train) + len(small.X_test) == 100 and len(small.X_test) == 50


def test_splits_are_stratified() -> None:
    iris = load("iris", test_size=0.2)
    np.testing.assert_array_equal(np.bincount(iris.y_test), [10, 10, 10])


def test_unknown_names_and_bad_test_size() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'mnsit'; expected one of"):
        load("mnsit")
    with pytest.raises(ValueError, match=r"test_size in \(0, 1\)"):
        load("iris", test_size=1.5)


def test_idx_datasets_say_how_to_get_them(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ROSENBLATT_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="IDX files not found"):
        load("mnist")


def write(tmp_path, text: str):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def test_csv_with_string_labels_and_a_named_target(tmp_path) -> None:
    path = write(tmp_path, "label,a,b\ncat,1,2\ndog,3,4\ncat,5,6\ndog,7,8\n")
    X, y, features, classes = read_csv(path, target="label")
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert features == ("a", "b") and classes == ("cat", "dog")
    np.testing.assert_array_equal(y, [0, 1, 0, 1])
    data = load(str(path), target="label", test_size=0.5)
    assert data.name == "data" and data.task == "classification"


def test_csv_regression_target(tmp_path) -> None:
    rows = "\n".join(f"{i},{i * 0.5 + 0.25}" for i in range(20))
    _, y, _, classes = read_csv(write(tmp_path, "x,y\n" + rows + "\n"))
    assert classes is None and y.dtype == np.float32 and y[1] == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,y\n1,2,0\n3,,1\n", "missing value in row 3, column 'b'"),
        ("a,b,y\n1,NA,0\n", "missing value in row 2, column 'b'"),
        ("a,b,y\n1,2\n", "row 2 has 2 fields, the header has 3"),
        ("a,b,y\n1,x,0\n", "row 2, column 'b': 'x' is not a number"),
        ("a,b,y\n", "expected a header and at least one row"),
    ],
)
def test_csv_problems_are_named(tmp_path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_csv(write(tmp_path, text))


def test_csv_unknown_target_lists_the_columns(tmp_path) -> None:
    with pytest.raises(
        ValueError, match=r"no column 'z'; the columns are \['a', 'y'\]"
    ):
        read_csv(write(tmp_path, "a,y\n1,0\n"), target="z")
