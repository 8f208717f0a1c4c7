"""Compiled kernels: each equals its plain-Python loop; the estimators' results do not
change when a kernel takes over; numba stays out of ``import rosenblatt``."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

import rosenblatt.kernels.conv as conv_kernels
import rosenblatt.optim.optimizer as optimizer_module
import rosenblatt.perceptron as perceptron_module
from rosenblatt import Perceptron, Tensor, nn, optim
from rosenblatt.kernels import Kernel, kernel
from rosenblatt.kernels.conv import col2im, column_spans, im2col, max_pool
from rosenblatt.kernels.optim import adam_step, sgd_step
from rosenblatt.kernels.perceptron import online_epoch

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)


def _epoch_inputs(dtype, weighted: bool, units: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = np.hstack([np.ones((40, 1)), rng.integers(-3, 4, (40, 5))]).astype(dtype)
    d = np.where(rng.random((40, units)) < 0.5, 1.0, -1.0)
    factors = (
        rng.integers(1, 3, (40, units)).astype(float) if weighted else np.empty((0, 0))
    )
    W = np.zeros((units, 6), dtype=dtype)
    order = rng.permutation(40)
    active = np.array([True, False, True][:units])
    return X, d, factors, W, order, active


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    ("invscaling", "bipolar", "zero_is_wrong", "pocket"),
    [
        (False, True, False, False),
        (True, True, False, False),
        (False, False, True, False),
        (False, True, False, True),
    ],
)
def test_perceptron_epoch_compiled_equals_its_python_loop(
    dtype, weighted, invscaling, bipolar, zero_is_wrong, pocket
) -> None:
    results = []
    for run in (online_epoch.py_func, online_epoch):
        X, d, factors, W, order, active = _epoch_inputs(dtype, weighted)
        if not bipolar:
            d = np.where(d > 0, 1.0, 0.0)
        mistakes, loss = np.zeros(3, np.int64), np.zeros(3)
        pocket_W = W.copy() if pocket else np.empty((0, 0), dtype)
        pocket_mistakes = np.full(3, np.inf)
        for epoch in range(3):
            run(X, d, factors, W, order, active, 0.5, 0.5, invscaling, 40 * epoch,
                bipolar, zero_is_wrong, mistakes, loss, pocket_W,
                pocket_mistakes)  # fmt: skip
        results.append((W, mistakes, loss, pocket_W, pocket_mistakes))
    (W0, m0, l0, p0, pm0), (W1, m1, l1, p1, pm1) = results
    np.testing.assert_array_equal(m0, m1)
    np.testing.assert_array_equal(p0, p1)
    np.testing.assert_array_equal(pm0, pm1)
    if pocket:  # the pocket holds weights the unit had, with their counted mistakes
        assert pm1[0] < np.inf and pm1[1] == np.inf
        wrong = ((X @ p1[0]) >= 0) != (d[:, 0] > 0)
        counted = (wrong * (factors[:, 0] if weighted else 1)).sum()
        assert counted == pm1[0]
    assert m0[1] == 0 and np.all(W0[1] == 0)  # an inactive unit never moves
    assert W1.dtype == dtype
    # small integers and rates of 1/2: every sum is exact, in any order
    tol = 0 if not invscaling else 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(W0, W1, rtol=tol, atol=tol)
    np.testing.assert_allclose(l0, l1, rtol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"learning_rate": "invscaling", "eta0": 0.5},
        {"class_weight": "balanced", "target_coding": "binary"},
        {"zero_score": "mistake", "shuffle": False, "tol_weight": 1e-3},
        {"tol": None, "max_iter": 30},
        {"pocket": True, "max_iter": 5},
        {"pocket": True, "max_iter": 5, "update": "batch"},
    ],
)
def test_perceptron_learns_the_same_with_and_without_the_kernel(
    params, monkeypatch
) -> None:
    X, y = X_DIGITS[:600], Y_DIGITS[:600]
    weights = np.random.default_rng(0).integers(1, 3, len(X)).astype(float)
    fits = []
    for work in (10**15, 0):  # the block algorithm, then the compiled loop
        monkeypatch.setattr(perceptron_module, "_KERNEL_WORK", work)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = Perceptron(random_state=0, **params).fit(X, y, sample_weight=weights)
        fits.append(clf)
    block, compiled = fits
    np.testing.assert_allclose(compiled.weights_, block.weights_, rtol=1e-12)
    assert compiled.errors_ == block.errors_
    assert (compiled.n_iter_, compiled.t_, compiled.converged_) == (
        block.n_iter_,
        block.t_,
        block.converged_,
    )


def test_float32_data_trains_float32_weights_with_and_without_the_kernel(
    monkeypatch,
) -> None:
    X, y = X_DIGITS[:600].astype(np.float32), Y_DIGITS[:600]
    fits = []
    for work in (10**15, 0):
        monkeypatch.setattr(perceptron_module, "_KERNEL_WORK", work)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits.append(Perceptron(random_state=0, max_iter=5).fit(X, y))
    block, compiled = fits
    assert compiled.weights_.dtype == block.weights_.dtype == np.float32
    assert compiled.coef_.dtype == np.float32  # as scikit-learn's Perceptron
    # integer pixels and a rate of 1: every update is exact in float32
    np.testing.assert_array_equal(compiled.weights_, block.weights_)
    assert compiled.errors_ == block.errors_


def test_import_rosenblatt_does_not_import_numba() -> None:
    code = (
        "import sys, rosenblatt; from rosenblatt import Perceptron\n"
        "Perceptron().fit([[0, 0], [1, 1]], [0, 1])  # tiny: NumPy, no kernel\n"
        "assert 'numba' not in sys.modules, 'numba imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_kernel_compiles_without_a_cache_where_none_can_be_written(
    monkeypatch,
) -> None:
    import numba

    real_njit = numba.njit
    asked = []

    def njit(*args, cache=False, **kwargs):
        asked.append(cache)
        if cache:  # what numba raises on a read-only install without a home
            raise RuntimeError("cannot cache function: no locator available")
        return real_njit(*args, cache=cache, **kwargs)

    monkeypatch.setattr(numba, "njit", njit)

    @kernel()
    def twice(x: float) -> float:
        """2 x."""
        return 2 * x

    assert isinstance(twice, Kernel) and twice.__doc__ == "2 x."
    assert twice(3.5) == 7.0 and twice.py_func(3.5) == 7.0
    assert asked == [True, False]


# --- the optimisers' one-pass updates ---

OPTIMISERS = [
    (optim.Adam, {}),
    (optim.Adam, {"weight_decay": 0.01}),
    (optim.Adam, {"eps_placement": "raw"}),
    (optim.AdamW, {}),
    (optim.SGD, {"momentum": 0.9}),
    (optim.SGD, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.SGD, {"momentum": 0.9, "lr_in_momentum": True}),
    (optim.SGD, {"momentum": 0.9, "nesterov": True, "lr_in_momentum": True}),
    (optim.RMSprop, {}),
    (optim.RMSprop, {"centered": True, "momentum": 0.9, "weight_decay": 0.01}),
    (optim.RMSprop, {"momentum": 0.5}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("cls", "params"), OPTIMISERS)
def test_an_optimiser_s_compiled_update_gives_numpy_s_bits(
    cls, params, dtype, monkeypatch
) -> None:
    results = []
    for size in (10**12, 1):  # NumPy's passes, then the kernel
        monkeypatch.setattr(optimizer_module, "KERNEL_SIZE", size)
        rng = np.random.default_rng(0)
        p = nn.Parameter(rng.normal(size=(60, 70)).astype(dtype))
        opt = cls([p], lr=0.01, **params)
        for _ in range(4):
            p.grad = rng.normal(size=p.shape).astype(dtype)
            opt.step()
        results.append((p.data.copy(), opt.state_dict()))
    (w0, s0), (w1, s1) = results
    assert w1.dtype == dtype
    np.testing.assert_array_equal(w0, w1)
    for a, b in zip(s0["state"], s1["state"], strict=True):
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimiser_kernels_equal_their_python_loops(dtype) -> None:
    k = dtype

    def arrays():
        g = np.random.default_rng(2)
        return [g.normal(size=50).astype(dtype) for _ in range(4)]

    for fn, scalars in (
        (
            adam_step,
            (k(0.9), k(0.1), k(0.999), k(0.001), k(0.01), k(3.0), k(1e-8), k(0.1)),
        ),
        (
            adam_step,
            (k(0.9), k(0.1), k(0.999), k(0.001), k(0), k(1.0), k(1e-8), k(0.1)),
        ),
    ):
        w0, g0, m0, v0 = arrays()
        w1, g1, m1, v1 = arrays()
        v0, v1 = np.abs(v0), np.abs(v1)
        fn.py_func(w0, g0, m0, v0, *scalars)
        fn(w1, g1, m1, v1, *scalars)
        for a, b in ((w0, w1), (m0, m1), (v0, v1)):
            np.testing.assert_array_equal(a, b)
    for nesterov in (False, True):
        for in_momentum in (False, True):
            for first in (False, True):
                (w0, g0, b0, _), (w1, g1, b1, _) = arrays(), arrays()
                flags = (nesterov, in_momentum, first)
                sgd_step.py_func(w0, g0, b0, k(0.1), k(0.9), k(0.01), *flags)
                sgd_step(w1, g1, b1, k(0.1), k(0.9), k(0.01), *flags)
                np.testing.assert_array_equal(w0, w1)
                np.testing.assert_array_equal(b0, b1)


# --- the convolution's data movement ---

GEOMETRIES = [
    # (N, C, H, W), kernel, stride, padding, dilation
    ((2, 3, 7, 6), (3, 2), (1, 2), (1, 0), (1, 1)),
    ((3, 2, 9, 9), (3, 3), (2, 2), (2, 1), (2, 1)),
    ((2, 1, 8, 8), (5, 5), (1, 1), (2, 2), (1, 1)),
    ((1, 2, 5, 5), (5, 5), (1, 1), (0, 0), (1, 1)),
    ((2, 2, 4, 5), (3, 3), (1, 1), (4, 3), (1, 1)),  # rows and columns all padding
]


@pytest.mark.parametrize(("shape", "k", "s", "p", "d"), GEOMETRIES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_gives_the_same_bits_with_the_compiled_data_movement(
    shape, k, s, p, d, dtype, monkeypatch
) -> None:
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=shape).astype(dtype)
    w0 = rng.normal(size=(4, shape[1], *k)).astype(dtype)
    results = []
    for threshold in (1 << 60, 0):  # NumPy's slices, then the kernels
        monkeypatch.setattr(conv_kernels, "KERNEL_COLUMNS", threshold)
        x, w = (
            Tensor(x0.copy(), requires_grad=True),
            Tensor(w0.copy(), requires_grad=True),
        )
        y = nn.functional.conv2d(x, w, stride=s, padding=p, dilation=d)
        (y * y).sum().backward()
        results.append((y.data, x.grad, w.grad))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def _unfold(x, k, s, p, d, out):
    """im2col by its definition, one number at a time (the kernel's adjoint)."""
    n, c, h, w = x.shape
    cols = np.zeros((c, *k, n, *out))
    for ci, i, j, b, y, q in np.ndindex(cols.shape):
        row, col = y * s[0] + i * d[0] - p[0], q * s[1] + j * d[1] - p[1]
        if 0 <= row < h and 0 <= col < w:
            cols[ci, i, j, b, y, q] = x[b, ci, row, col]
    return cols


@given(
    width=st.integers(1, 12),
    kw=st.integers(1, 5),
    sw=st.integers(1, 4),
    pw=st.integers(0, 6),
    dw=st.integers(1, 3),
)
def test_column_spans_are_the_output_columns_that_read_inside(width, kw, sw, pw, dw):
    ow = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    assume(ow >= 1)
    spans = column_spans(width, kw, sw, pw, dw, ow)
    for j in range(kw):
        inside = [q for q in range(ow) if 0 <= q * sw + j * dw - pw < width]
        expected = (inside[0], inside[-1] + 1) if inside else (0, 0)
        assert tuple(spans[j]) == expected
        assert inside == list(range(*expected))  # one unbroken stretch


@pytest.mark.parametrize(("shape", "k", "s", "p", "d"), GEOMETRIES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_equals_its_python_loop_and_its_definition(
    shape, k, s, p, d, dtype
) -> None:
    out = tuple(
        (shape[2 + a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1 for a in (0, 1)
    )
    geometry = np.array([*k, *s, *p, *d, *out], dtype=np.int64)
    spans = column_spans(shape[3], k[1], s[1], p[1], d[1], out[1])
    x = np.random.default_rng(3).normal(size=shape).astype(dtype)
    # NaN-filled outputs: every entry, padding included, must be written
    cols = [np.full((shape[1], *k, shape[0], *out), np.nan, dtype=dtype) for _ in "ab"]
    im2col.py_func(x, geometry, spans, cols[0])
    im2col(x, geometry, spans, cols[1])
    np.testing.assert_array_equal(cols[0], cols[1])
    np.testing.assert_array_equal(cols[1], _unfold(x, k, s, p, d, out))


@pytest.mark.parametrize(("shape", "k", "s", "p", "d"), GEOMETRIES)
def test_col2im_equals_its_python_loop_and_is_im2col_s_adjoint(
    shape, k, s, p, d
) -> None:
    out = tuple(
        (shape[2 + a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1 for a in (0, 1)
    )
    geometry = np.array([*k, *s, *p, *d, *out], dtype=np.int64)
    spans = column_spans(shape[3], k[1], s[1], p[1], d[1], out[1])
    cols = np.random.default_rng(2).normal(size=(shape[1], *k, shape[0], *out))
    back = [np.zeros(shape) for _ in range(2)]
    col2im.py_func(cols, geometry, spans, back[0])
    col2im(cols, geometry, spans, back[1])
    np.testing.assert_array_equal(back[0], back[1])
    x = np.random.default_rng(1).normal(size=shape)
    # the adjoint: <im2col(x), c> = <x, col2im(c)>
    assert np.isclose((_unfold(x, k, s, p, d, out) * cols).sum(), (x * back[1]).sum())


POOLS = [
    # (N, C, H, W), kernel, stride, padding, dilation
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1)),
    ((2, 2, 9, 7), (3, 2), (2, 1), (1, 1), (1, 2)),  # overlapping, padded, dilated
    ((1, 2, 6, 6), (3, 3), (1, 1), (1, 1), (1, 1)),
]


def _pool_input(shape, dtype):
    """Ties, NaN, infinities and -0.0 among random values."""
    rng = np.random.default_rng(4)
    x = rng.integers(-3, 4, size=shape).astype(dtype)  # many ties
    x.flat[::7] = np.nan
    x.flat[3::11] = -np.inf
    x.flat[5::13] = np.inf
    x.flat[1::17] = -0.0
    return x


@pytest.mark.parametrize(("shape", "k", "s", "p", "d"), POOLS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_equals_its_python_loop_and_numpys_walk(
    shape, k, s, p, d, dtype, monkeypatch
) -> None:
    x = _pool_input(shape, dtype)
    padded = conv_kernels.pad(x, p, -np.inf)
    out = tuple(
        (shape[2 + a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1 for a in (0, 1)
    )
    monkeypatch.setattr(conv_kernels, "POOL_ELEMENTS", 1 << 60)
    best, index = conv_kernels.window_max(padded, k, s, d, out)  # NumPy's walk
    geometry = np.array([*k, *s, *d], dtype=np.int64)
    for run in (max_pool.py_func, max_pool):
        got = np.full_like(best, 7.0), np.full_like(index, 99)
        run(padded, geometry, *got)
        np.testing.assert_array_equal(got[0], best)  # NaN where NumPy has NaN
        assert np.signbit(got[0]).tolist() == np.signbit(best).tolist()  # -0.0 kept
        np.testing.assert_array_equal(got[1], index)


@pytest.mark.parametrize(("shape", "k", "s", "p", "d"), POOLS)
def test_max_pool2d_gives_the_same_bits_with_the_compiled_loop(
    shape, k, s, p, d, monkeypatch
) -> None:
    x0 = np.random.default_rng(5).normal(size=shape)
    results = []
    for threshold in (1 << 60, 0):  # NumPy's walk, then the kernel
        monkeypatch.setattr(conv_kernels, "POOL_ELEMENTS", threshold)
        x = Tensor(x0.copy(), requires_grad=True)
        y = nn.functional.max_pool2d(x, k, stride=s, padding=p, dilation=d)
        (y * y).sum().backward()
        results.append((y.data, x.grad))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("sizes", "compiled"), [((64, 100), 2), ((4, 4), 0)])
def test_a_large_model_updates_every_parameter_by_kernel_a_small_one_none(
    sizes, compiled, monkeypatch
) -> None:
    import rosenblatt.kernels.optim as optim_kernels

    calls = []
    real = optim_kernels.adam_step
    monkeypatch.setattr(
        optim_kernels, "adam_step", lambda *args: calls.append(1) or real(*args)
    )
    layer = nn.Linear(*sizes, rng=0, dtype=np.float64)  # a weight and a small bias
    opt = optim.Adam(layer.parameters())
    layer(Tensor(np.ones((3, sizes[0])))).sum().backward()
    opt.step()
    assert len(calls) == compiled
