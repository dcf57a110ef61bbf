"""gradviz.data: seeded generators, the shipped tables (Iris, digits, flats, houses), CSV and IDX files, batching."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from gradviz import Tensor, data
from gradviz.data import tables

CLASSIFIERS = {
    "moons": lambda seed, noise=0.1, n=101: data.make_moons(n, noise=noise, seed=seed),
    "circles": lambda seed, noise=0.1, n=101: data.make_circles(n, noise=noise, factor=0.4, seed=seed),
    "spirals": lambda seed, noise=0.1, n=101: data.make_spirals(n, classes=3, noise=noise, seed=seed),
    "xor": lambda seed, noise=0.1, n=101: data.make_xor(n, noise=noise, seed=seed),
    "blobs": lambda seed, noise=0.1, n=101: data.make_blobs(n, centers=4, std=noise, seed=seed),
}
CLASS_COUNTS = {"moons": 2, "circles": 2, "spirals": 3, "xor": 2, "blobs": 4}
REGRESSORS = {
    "regression_1d": lambda seed, noise=0.1, n=60: data.make_regression_1d(n, noise=noise, seed=seed),
    "regression_2d": lambda seed, noise=0.1, n=60: data.make_regression_2d(n, noise=noise, seed=seed),
    "plane": lambda seed, noise=0.1, n=60: data.make_plane(n, noise=noise, seed=seed),
    "gaussians": lambda seed, noise=0.1, n=60: data.make_gaussians(n, noise=noise, seed=seed),
}


# -- synthetic generators ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CLASSIFIERS) + sorted(REGRESSORS))
def test_generator_same_seed_same_data_other_seed_other_data(name):
    make = {**CLASSIFIERS, **REGRESSORS}[name]
    X1, y1 = make(seed=7)
    X2, y2 = make(seed=7)
    X3, _ = make(seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
def test_classification_generator_shapes_dtypes_and_balanced_classes(name):
    X, y = CLASSIFIERS[name](seed=0)
    k = CLASS_COUNTS[name]
    assert X.shape == (101, 2) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1 and counts.sum() == 101


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
def test_classification_rows_are_shuffled_so_a_prefix_holds_every_class(name):
    _, y = CLASSIFIERS[name](seed=0)
    assert len(np.unique(y[:30])) == CLASS_COUNTS[name]


@pytest.mark.parametrize("name", sorted(REGRESSORS))
def test_regression_generator_shapes_and_float_targets(name):
    X, y = REGRESSORS[name](seed=0)
    assert X.dtype == np.float64 and X.shape in ((60, 1), (60, 2))
    assert y.shape == (60,) and y.dtype == np.float64


@pytest.mark.parametrize("name", ["moons", "circles", "spirals", "xor"])
def test_noise_moves_points_by_about_its_standard_deviation(name):
    clean, y_clean = CLASSIFIERS[name](seed=3, noise=0.0, n=400)
    noisy, y_noisy = CLASSIFIERS[name](seed=3, noise=0.2, n=400)
    np.testing.assert_array_equal(np.sort(y_clean), np.sort(y_noisy))
    # same underlying points, sorted to undo the shuffle: compare the spread of coordinates instead
    assert noisy.std() > clean.std()
    spread = np.std(np.sort(noisy[:, 0]) - np.sort(clean[:, 0]))
    assert 0.02 < spread < 0.3


def test_moons_without_noise_lie_on_two_unit_half_circles():
    X, y = data.make_moons(50, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0)
    assert np.all(outer[:, 1] >= -1e-12) and np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_circles_radii_are_one_and_factor():
    X, y = data.make_circles(60, factor=0.25, seed=1)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.25)


def test_spirals_radius_grows_to_one_along_each_arm():
    X, y = data.make_spirals(90, classes=3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    for k in range(3):
        np.testing.assert_allclose(np.sort(radius[y == k]), np.linspace(0, 1, 31)[1:])


def test_xor_label_is_sign_disagreement_and_margin_keeps_points_off_the_axes():
    X, y = data.make_xor(400, margin=0.2, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).min() >= 0.2 and np.abs(X).max() <= 1.0


def test_blobs_given_centers_are_the_class_means_and_int_centers_are_drawn_in_the_box():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X, y = data.make_blobs(3000, centers=centers, std=0.5, seed=0)
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.05)
    X, y = data.make_blobs(30, centers=5, std=0.0, dim=3, box=(-2.0, 2.0), seed=0)
    assert X.shape == (30, 3) and np.abs(X).max() <= 2.0 and len(np.unique(X, axis=0)) == 5


@pytest.mark.parametrize("kind", ["linear", "quadratic", "cubic", "sine"])
def test_regression_1d_follows_its_curve_plus_noise(kind):
    curve = {"linear": lambda x: x, "quadratic": lambda x: x**2, "cubic": lambda x: x**3, "sine": np.sin}
    X, y = data.make_regression_1d(2000, noise=0.3, slope=2.0, intercept=-1.0, kind=kind, seed=0)
    x = X[:, 0] * (np.pi if kind == "sine" else 1.0)
    residual = y - (2.0 * curve[kind](x) - 1.0)
    assert abs(residual.mean()) < 0.03 and abs(residual.std() - 0.3) < 0.03


def test_regression_2d_least_squares_recovers_weights_and_bias():
    X, y = data.make_regression_2d(500, noise=0.05, weights=(1.5, -3.0), bias=2.0, seed=0)
    design = np.column_stack([X, np.ones(len(X))])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(coefficients, [1.5, -3.0, 2.0], atol=0.02)
    _, y_sine = data.make_regression_2d(50, kind="sine", noise=0.0, seed=0)
    assert y_sine.shape == (50,)


def test_plane_target_is_the_mean_of_the_two_coordinates_over_the_unit_square():
    X, y = data.make_plane(2000, seed=0)
    assert X.shape == (2000, 2) and X.flags.c_contiguous and y.dtype == np.float64
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 2)
    assert np.abs(X).max() <= 1.0 and np.abs(X).max() > 0.99  # uniform over the whole square
    assert y.min() < -0.9 and y.max() > 0.9


@pytest.mark.parametrize("name", ["plane", "gaussians"])
def test_tf_playground_noise_moves_where_the_target_is_read_not_the_points(name):
    make = {"plane": data.make_plane, "gaussians": data.make_gaussians}[name]
    clean_X, clean_y = make(3000, noise=0.0, seed=4)
    noisy_X, noisy_y = make(3000, noise=0.2, seed=4)
    np.testing.assert_array_equal(clean_X, noisy_X)
    assert not np.allclose(clean_y, noisy_y)
    if name == "plane":  # (ε₁ + ε₂)/2 with ε ~ N(0, 0.2²): a standard deviation of 0.2/√2
        assert abs(np.std(noisy_y - clean_y) - 0.2 / np.sqrt(2)) < 0.01


def test_gaussians_are_six_signed_bumps_in_a_chequerboard_and_zero_far_from_them():
    X, y = data.make_gaussians(20000, seed=0)
    assert np.abs(y).max() <= 1.0
    for x1, x2, sign in [(-2, 1, 1), (0, 1, -1), (2, 1, 1), (-2, -1, -1), (0, -1, 1), (2, -1, -1)]:
        near = np.hypot(X[:, 0] - x1 / 3, X[:, 1] - x2 * 5 / 12) < 0.05
        assert near.sum() > 5 and np.all(sign * y[near] > 0.95), (x1, x2)
    corners = np.all(np.abs(X) > 0.95, axis=1)  # far from every bump
    assert corners.sum() > 5 and np.abs(y[corners]).max() < 0.05


def test_the_regression_sets_are_exported_from_gradviz_data():
    assert {"make_plane", "make_gaussians"} <= set(data.__all__)


def test_a_generator_instance_is_used_as_the_random_stream():
    stream = np.random.default_rng(5)
    first, _ = data.make_moons(20, noise=0.1, seed=stream)
    second, _ = data.make_moons(20, noise=0.1, seed=stream)
    assert not np.array_equal(first, second)
    again, _ = data.make_moons(20, noise=0.1, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: data.make_moons(0), ValueError, "n must be at least 2"),
        (lambda: data.make_moons(10.0), TypeError, "n must be an int"),
        (lambda: data.make_moons(True), TypeError, "n must be an int"),
        (lambda: data.make_moons(10, noise=-0.1), ValueError, "noise must be finite and >= 0"),
        (lambda: data.make_moons(10, noise=float("nan")), ValueError, "noise"),
        (lambda: data.make_moons(10, seed=-1), TypeError, "seed must be"),
        (lambda: data.make_moons(10, seed="a"), TypeError, "seed must be"),
        (lambda: data.make_circles(10, factor=1.0), ValueError, "factor"),
        (lambda: data.make_spirals(10, classes=1), ValueError, "classes must be at least 2"),
        (lambda: data.make_spirals(10, turns=0), ValueError, "turns"),
        (lambda: data.make_xor(10, margin=1.5), ValueError, "margin"),
        (lambda: data.make_blobs(10, centers=[1.0, 2.0]), ValueError, r"\(k, d\) array"),
        (lambda: data.make_blobs(2, centers=3), ValueError, "n must be at least 3"),
        (lambda: data.make_blobs(10, std=-1), ValueError, "std"),
        (lambda: data.make_regression_1d(10, kind="exp"), ValueError, "'linear', 'quadratic'"),
        (lambda: data.make_regression_1d(10, x_range=(1, 0)), ValueError, "x_range"),
        (lambda: data.make_regression_2d(10, weights=(1, 2, 3)), ValueError, "weights must be two numbers"),
        (lambda: data.make_regression_2d(10, kind="cosine"), ValueError, "'linear' or 'sine'"),
        (lambda: data.make_plane(0), ValueError, "make_plane: n must be at least 1"),
        (lambda: data.make_plane(10.0), TypeError, "n must be an int"),
        (lambda: data.make_plane(10, noise=-0.5), ValueError, "noise must be finite and >= 0"),
        (lambda: data.make_plane(10, seed=1.5), TypeError, "seed must be"),
        (lambda: data.make_gaussians(False), TypeError, "make_gaussians: n must be an int"),
        (lambda: data.make_gaussians(10, noise=float("inf")), ValueError, "noise must be finite"),
        (lambda: data.make_gaussians(10, noise="0.1"), TypeError, "noise must be a real number"),
        (lambda: data.make_gaussians(10, seed=-3), TypeError, "seed must be"),
    ],
)
def test_bad_generator_arguments_are_refused_with_a_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- shipped tables ---------------------------------------------------------------------------


def test_iris_has_fishers_150_rows_with_known_statistics():
    iris = data.load_iris()
    X, y = iris
    assert X.shape == (150, 4) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_allclose(X.sum(axis=0), [876.5, 458.6, 563.7, 179.9])
    np.testing.assert_allclose(X.mean(axis=0), [5.8433, 3.0573, 3.758, 1.1993], atol=5e-5)
    np.testing.assert_allclose(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_allclose(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_array_equal(X[-1], [5.9, 3.0, 5.1, 1.8])
    assert iris.target_names == ("setosa", "versicolor", "virginica")
    assert len(iris.feature_names) == 4 and "Fisher" in iris.description
    # classes are stored in blocks of 50: setosa first, then versicolor, then virginica
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 50))
    # setosa is linearly separable by petal length
    assert X[y == 0, 2].max() < X[y != 0, 2].min()


def test_flat_price_table_is_the_course_values_exactly():
    flats = data.load_flat_prices()
    X, y = flats
    assert X.shape == (7, 1) and y.dtype == np.float64
    assert X[:, 0].tolist() == [42.45, 54.25, 32.5, 62.3, 28.4, 45.69, 58.2]
    assert y.tolist() == [91241, 101251, 83051, 110341, 67124, 98525, 104251]
    assert flats.feature_names == ("size_m2",) and flats.target_name == "price_eur" and flats.target_names == ()


def test_houses_file_is_what_its_documented_formula_generates():
    houses = data.load_houses()
    X, y = houses
    regenerated = tables._generate_houses()
    np.testing.assert_array_equal(np.column_stack([X, y]), regenerated)
    assert houses.feature_names == ("size_m2", "rooms", "floors", "age_years")
    assert "synthetic" in houses.description.lower()


def test_houses_least_squares_recovers_the_formulas_coefficients():
    X, y = data.load_houses()
    design = np.column_stack([np.ones(len(X)), X])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    expected = [25000, 1500, 4000, 6000, -600]
    # 50 rows, noise sd 8000: the slopes come back within a few standard errors
    np.testing.assert_allclose(coefficients[1], expected[1], rtol=0.1)
    np.testing.assert_allclose(coefficients[4], expected[4], rtol=0.35)
    assert np.all(np.sign(coefficients[1:]) == np.sign(expected[1:]))
    assert X[:, 1].min() >= 1 and X[:, 1].max() <= 6 and set(X[:, 2].tolist()) <= {1.0, 2.0, 3.0}


def test_digits_are_1797_images_of_8x8_counts_0_to_16():
    digits = data.load_digits()
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert digits.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(digits.images[5], X[5].reshape(8, 8))
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert X.sum() == 561718
    # the first image is a zero: a ring of ink around an empty centre
    assert y[0] == 0 and digits.images[0][3:5, 3:5].sum() == 0 and digits.images[0][0].sum() > 0
    assert digits.target_names == tuple("0123456789")


def test_digits_loader_hands_out_independent_copies():
    X, y = data.load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = data.load_digits()
    assert X2.min() == 0 and y2.min() == 0


def test_package_data_files_and_their_licence_note_exist():
    from importlib import resources

    folder = resources.files("gradviz.data").joinpath("files")
    names = {entry.name for entry in folder.iterdir()}
    assert {"iris.csv", "digits.csv.gz", "flat_prices.csv", "houses.csv", "README.md"} <= names
    readme = folder.joinpath("README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "Fisher" in readme


def test_dataset_unpacks_and_exposes_extras_and_reports_missing_attributes():
    ds = data.Dataset(np.ones((2, 3)), np.array([0, 1]), extras={"images": "pics"})
    X, y = ds
    assert X.shape == (2, 3) and ds.images == "pics" and ds.n_features == 3 and ds.n_samples == 2
    with pytest.raises(AttributeError, match="no attribute 'pixels'.*images"):
        ds.pixels  # noqa: B018
    assert "target" in repr(data.Dataset(np.ones((2, 1)), np.array([0.5, 1.5])))


# -- CSV ------------------------------------------------------------------------------------


def test_load_csv_numeric_target_with_header_by_name(tmp_path):
    path = tmp_path / "flats.csv"
    path.write_text("size,rooms,price\n50,2,100000\n70,3,150000\n\n")
    ds = data.load_csv(path, target="price")
    assert ds.X.tolist() == [[50, 2], [70, 3]] and ds.y.tolist() == [100000.0, 150000.0]
    assert ds.y.dtype == np.float64 and ds.feature_names == ("size", "rooms") and ds.target_name == "price"


def test_load_csv_headerless_first_column_target_as_classes_and_gzip(tmp_path):
    path = tmp_path / "points.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("2;0.5;1.5\n10;1.0;2.0\n2;3.0;4.0\n")
    ds = data.load_csv(path, target=0, delimiter=";", target_type="class")
    assert ds.X.tolist() == [[0.5, 1.5], [1.0, 2.0], [3.0, 4.0]]
    assert ds.y.tolist() == [0, 1, 0] and ds.target_names == ("2", "10")  # sorted as numbers
    features_only = data.load_csv(path, target=None, delimiter=";")
    assert features_only.y is None and features_only.X.shape == (3, 3)


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("a,b\n1,2\n3\n", {}, "line 3 has 1 cells but the first row has 2"),
        ("a,b,c\n1,,5\n3,4,5\n", {}, "line 2, column 'b' is empty"),
        ("a,b\n1,2\n3,\n", {}, "line 3, target column 'b' is empty"),
        ("a,b,c\nx,2,3\n", {}, "column 'a' holds 'x', not a number"),
        ("a,b\n1,2\n", {"target": "price"}, "no column named 'price'.*'a', 'b'"),
        ("a,b\n1,2\n", {"target": 5}, "out of range"),
        ("a,b\n1,cat\n", {"target_type": "float"}, "holds 'cat', not a number"),
        ("a,b\n", {}, "header but no data rows"),
        ("", {}, "no rows"),
    ],
)
def test_load_csv_bad_tables_name_the_line_and_column(tmp_path, text, kwargs, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        data.load_csv(path, **kwargs)


def test_load_csv_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.csv"):
        data.load_csv(tmp_path / "nothing.csv")


# -- IDX ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["uint8", "int8", ">i2", "int32", "float32", "float64"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip_every_type_with_and_without_gzip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    array = (rng.normal(size=(4, 3, 2)) * 50).astype(dtype)
    path = tmp_path / f"data.idx{suffix}"
    data.write_idx(path, array)
    back = data.read_idx(path)
    np.testing.assert_array_equal(back, array)
    assert back.shape == array.shape and back.dtype == np.dtype(dtype).newbyteorder("=")
    back[0] = 0  # writable
    if suffix:
        assert path.read_bytes()[:2] == b"\x1f\x8b"


def test_idx_header_is_the_mnist_layout_byte_for_byte(tmp_path):
    path = tmp_path / "labels.idx1-ubyte"
    data.write_idx(path, np.array([7, 2, 1], dtype=np.uint8))
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])
    # a hand-written big-endian int16 file
    raw = bytes([0, 0, 0x0B, 2]) + struct.pack(">II", 1, 2) + struct.pack(">hh", -2, 300)
    (tmp_path / "hand.idx").write_bytes(raw)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "hand.idx"), [[-2, 300]])


def test_gzip_is_detected_from_the_content_not_the_name(tmp_path):
    path = tmp_path / "compressed-but-no-suffix"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 2, 5, 6])))
    np.testing.assert_array_equal(data.read_idx(path), [5, 6])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00\x00", "too short"),
        (b"PK\x03\x04rest", "does not start like an IDX file"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 0]), "unknown IDX type code 0x07"),
        (bytes([0, 0, 8, 3, 0, 0, 0, 2]), "before its shape header"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), "truncated.*needs 5 data bytes, found 2"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), "longer than its header says"),
        (b"\x1f\x8b\x08\x00broken", "cannot be decompressed"),
    ],
)
def test_malformed_idx_files_raise_idx_format_error(tmp_path, raw, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(raw)
    with pytest.raises(data.IDXFormatError, match=message):
        data.read_idx(path)


def test_write_idx_refuses_dtypes_idx_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match="cannot store dtype int64"):
        data.write_idx(tmp_path / "x.idx", np.arange(3))


def _write_fake_mnist(folder, split_prefix, n, *, separator="-", gz=True):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if gz else ""
    data.write_idx(folder / f"{split_prefix}-images{separator}idx3-ubyte{suffix}", images)
    data.write_idx(folder / f"{split_prefix}-labels{separator}idx1-ubyte{suffix}", labels)
    return images, labels


def test_load_mnist_reads_both_splits_and_both_file_namings(tmp_path):
    images, labels = _write_fake_mnist(tmp_path, "train", 12, separator=".", gz=False)  # the course's naming
    test_images, test_labels = _write_fake_mnist(tmp_path, "t10k", 5)  # the official .gz naming
    train = data.load_mnist(tmp_path)
    X, y = train
    assert X.shape == (12, 784) and X.dtype == np.float64 and 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_allclose(X[3], images[3].reshape(-1) / 255.0)
    np.testing.assert_array_equal(y, labels) and y.dtype == np.int64
    np.testing.assert_array_equal(train.images, images)
    test = data.load_mnist(tmp_path, "test", flatten=False, scale=False, dtype="float32")
    assert test.X.shape == (5, 28, 28) and test.X.dtype == np.float32
    np.testing.assert_array_equal(test.X, test_images)
    np.testing.assert_array_equal(test.y, test_labels)


def test_load_mnist_missing_files_say_which_names_and_where_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images.*looked for.*yann.lecun.com"):
        data.load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        data.load_mnist(tmp_path / "absent")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_mnist(tmp_path, "validation")


def test_load_mnist_refuses_images_and_labels_of_different_lengths(tmp_path):
    _write_fake_mnist(tmp_path, "train", 4)
    data.write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(3, dtype=np.uint8))
    with pytest.raises(data.IDXFormatError, match="4 images but 3 labels"):
        data.load_mnist(tmp_path)


# -- batches, split, scaling, one-hot --------------------------------------------------------


def test_batches_cover_every_sample_once_per_epoch_in_batches_of_the_given_size():
    X = np.arange(23 * 2).reshape(23, 2)
    y = np.arange(23)
    chunks = list(data.batches(X, y, batch_size=5, seed=0))
    assert [len(yb) for _, yb in chunks] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in chunks])
    assert sorted(seen.tolist()) == list(range(23)) and seen.tolist() != list(range(23))
    for xb, yb in chunks:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)
    assert [len(yb) for _, yb in data.batches(X, y, 5, seed=0, drop_last=True)] == [5, 5, 5, 5]
    assert [xb.shape for xb in data.batches(X, batch_size=10, shuffle=False)] == [(10, 2), (10, 2), (3, 2)]


def test_batches_same_seed_same_order_and_accepts_tensors():
    X = Tensor(np.arange(20.0).reshape(10, 2))
    first = [yb.tolist() for _, yb in data.batches(X, np.arange(10), 3, seed=4)]
    second = [yb.tolist() for _, yb in data.batches(X, np.arange(10), 3, seed=4)]
    assert first == second
    xb, _ = next(data.batches(X, np.arange(10), 3, seed=4))
    assert isinstance(xb, np.ndarray)


def test_data_loader_reshuffles_each_epoch_reproducibly():
    def epochs(seed):
        loader = data.DataLoader(np.zeros((8, 1)), np.arange(8), batch_size=8, seed=seed)
        return [next(iter(loader))[1].tolist() for _ in range(3)]

    runs = epochs(0)
    assert runs == epochs(0) and runs[0] != runs[1]
    assert len(data.DataLoader(np.zeros((8, 1)), batch_size=3)) == 3
    assert len(data.DataLoader(np.zeros((8, 1)), batch_size=3, drop_last=True)) == 2


def test_batches_refuse_mismatched_lengths_and_bad_sizes():
    with pytest.raises(ValueError, match=r"X has 5 samples \(shape \(5, 2\)\) but y has 4 samples"):
        data.batches(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        data.batches(np.zeros((5, 2)), batch_size=0)


def test_train_test_split_sizes_disjoint_and_complete():
    X = np.arange(50).reshape(25, 2)
    y = np.arange(25)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_test) == 5 and len(X_train) == 20
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(25))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    assert len(data.train_test_split(X, y, test_size=0.21, seed=0)[1]) == 6  # rounded up, as scikit-learn
    assert len(data.train_test_split(X, y, test_size=7, seed=0)[1]) == 7
    X_train, X_test = data.train_test_split(X, test_size=0.2, shuffle=False)
    np.testing.assert_array_equal(X_test, X[20:])
    again = data.train_test_split(X, y, test_size=0.2, seed=0)
    np.testing.assert_array_equal(again[3], y_test)


def test_stratified_split_keeps_each_class_share():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100.0).reshape(100, 1)
    _, _, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=1, stratify=y)
    np.testing.assert_array_equal(np.bincount(y_test), [10, 6, 4])
    np.testing.assert_array_equal(np.bincount(y_train), [40, 24, 16])
    _, _, _, y_test = data.train_test_split(X, y, test_size=0.25, seed=1, stratify=True)
    assert len(y_test) == 25 and abs(np.bincount(y_test) - [12.5, 7.5, 5]).max() <= 1


def test_stratified_split_on_iris_gives_ten_of_each_species():
    X, y = data.load_iris()
    _, _, _, y_test = data.train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    np.testing.assert_array_equal(np.bincount(y_test), [10, 10, 10])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"test_size": 0.0}, ValueError, "strictly between 0 and 1"),
        ({"test_size": 1.5}, ValueError, "strictly between 0 and 1"),
        ({"test_size": 10}, ValueError, r"test_size=10 must be at least 1 and below the number of samples, 10"),
        ({"test_size": "20%"}, TypeError, "test_size must be"),
        ({"stratify": np.array([0] * 9 + [1])}, ValueError, "class 1 has only 1 sample"),
        ({"stratify": np.arange(3)}, ValueError, "one label per sample"),
        ({"stratify": np.repeat([0, 1], 5), "shuffle": False}, ValueError, "needs shuffle=True"),
    ],
)
def test_train_test_split_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.train_test_split(np.zeros((10, 2)), np.zeros(10), **kwargs)
    with pytest.raises(ValueError, match="y has 3 samples"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(3))


def test_standardizer_uses_training_statistics_and_leaves_constant_columns_centred():
    train = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [5.0, 5.0, 9.0]])
    scaler = data.Standardizer().fit(train)
    Z = scaler.transform(train)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), [1.0, 0.0, 1.0])
    np.testing.assert_allclose(scaler.transform([[3.0, 6.0, 5.0]]), [[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(scaler.inverse_transform(Z), train)
    np.testing.assert_allclose(data.standardize(train), Z)
    np.testing.assert_allclose(data.standardize([[4.0]], mean=[2.0], std=[2.0]), [[1.0]])
    with pytest.raises(RuntimeError, match="call fit"):
        data.Standardizer().transform(train)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        scaler.transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="both mean and std"):
        data.standardize(train, mean=0.0)


def test_one_hot_encodes_labels_and_checks_them():
    np.testing.assert_array_equal(data.one_hot([2, 0], num_classes=4), [[0, 0, 1, 0], [1, 0, 0, 0]])
    assert data.one_hot(np.array([1.0, 0.0])).dtype == np.float64
    assert data.one_hot(Tensor([0.0, 2.0])).shape == (2, 3)
    with pytest.raises(ValueError, match="label 3 does not fit num_classes=3"):
        data.one_hot([0, 3], num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        data.one_hot([-1, 0])
    with pytest.raises(ValueError, match="whole numbers"):
        data.one_hot([0.5])
    with pytest.raises(ValueError, match="1-D"):
        data.one_hot([[0, 1]])


def test_importing_data_does_not_pull_heavy_libraries():
    import subprocess
    import sys

    code = "import gradviz.data, gradviz.metrics, sys; print(sorted(m for m in ('matplotlib', 'torch', 'jax', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
