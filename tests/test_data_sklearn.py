"""gradviz.data under scikit-learn's names: n_samples= and random_state= on the generators, Bunch-like Datasets
and return_X_y= on the loaders, and train_test_split with scikit-learn's signature, defaults and random draws.

scikit-learn is not a dependency: each test checks the behaviour scikit-learn documents (its docstring examples
and the published outputs of its functions); where scikit-learn is installed, the last tests also compare with it.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import Tensor, data
from gradviz.data.loader import _approximate_mode

GENERATORS = [
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_blobs",
    "make_regression_1d",
    "make_regression_2d",
    "make_plane",
    "make_gaussians",
]


# -- generators: n_samples= and random_state= -------------------------------------------------


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_sklearn_names_give_the_same_data_as_gradviz_names(name):
    make = getattr(data, name)
    X, y = make(n_samples=60, random_state=3)
    X_gradviz, y_gradviz = make(60, seed=3)
    np.testing.assert_array_equal(X, X_gradviz)
    np.testing.assert_array_equal(y, y_gradviz)
    assert len(X) == 60
    X_default, _ = make()
    np.testing.assert_array_equal(X_default, make(seed=0)[0])  # neither name: seed 0, as before


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_both_names_of_one_argument_is_an_error(name):
    make = getattr(data, name)
    with pytest.raises(TypeError, match=r"both n=60 and n_samples=60.*give only one"):
        make(60, n_samples=60)
    with pytest.raises(TypeError, match=r"both seed=0 and random_state=0"):
        make(seed=0, random_state=0)  # the same value still names the argument twice
    with pytest.raises(TypeError, match=r"random_state must be a non-negative int"):
        make(random_state=-1)


def test_generator_random_state_none_and_a_random_state_object_draw_fresh_or_from_it():
    first, second = data.make_moons(40, noise=0.2, random_state=None), data.make_moons(40, noise=0.2, random_state=None)
    assert not np.array_equal(first[0], second[0])
    one = data.make_moons(40, noise=0.2, random_state=np.random.RandomState(5))
    two = data.make_moons(40, noise=0.2, random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(one[0], two[0])


def test_moons_and_circles_unshuffled_are_scikit_learns_points():
    # scikit-learn's make_moons / make_circles with shuffle=False, noise=None and an even n_samples:
    # outer (cos t, sin t) then inner (1 - cos t, 1 - sin t - 0.5), t = linspace(0, π, n/2); circles use
    # linspace(0, 2π, n/2, endpoint=False) and the inner one is scaled by factor. Labels 0 then 1.
    t = np.linspace(0, np.pi, 10)
    expected = np.vstack(
        [np.column_stack([np.cos(t), np.sin(t)]), np.column_stack([1 - np.cos(t), 1 - np.sin(t) - 0.5])]
    )
    X, y = data.make_moons(n_samples=20, shuffle=False, noise=None)
    np.testing.assert_allclose(X, expected, atol=1e-15)
    np.testing.assert_array_equal(y, np.repeat([0, 1], 10))
    t = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    ring = np.column_stack([np.cos(t), np.sin(t)])
    X, y = data.make_circles(n_samples=16, shuffle=False, noise=None, factor=0.8)
    np.testing.assert_allclose(X, np.vstack([ring, 0.8 * ring]), atol=1e-15)
    np.testing.assert_array_equal(y, np.repeat([0, 1], 8))


def test_make_blobs_takes_scikit_learns_names_and_defaults():
    X, y = data.make_blobs(n_samples=300, centers=4, cluster_std=0.6, random_state=0)
    X_gradviz, y_gradviz = data.make_blobs(300, centers=4, std=0.6, seed=0)
    np.testing.assert_array_equal(X, X_gradviz)
    np.testing.assert_array_equal(y, y_gradviz)
    X, y = data.make_blobs(n_samples=30, n_features=3, center_box=(0.0, 1.0), centers=None)
    assert X.shape == (30, 3) and np.bincount(y).tolist() == [10, 10, 10]  # centers=None: three, as scikit-learn
    np.testing.assert_array_equal(X, data.make_blobs(30, dim=3, box=(0.0, 1.0))[0])
    X, y, centers = data.make_blobs(n_samples=400, centers=2, cluster_std=0.1, shuffle=False, return_centers=True)
    assert centers.shape == (2, 2) and y.tolist() == [0] * 200 + [1] * 200
    np.testing.assert_allclose([X[y == k].mean(axis=0) for k in range(2)], centers, atol=0.03)
    with pytest.raises(TypeError, match="both std=1.0 and cluster_std=1.0"):
        data.make_blobs(std=1.0, cluster_std=1.0)
    with pytest.raises(TypeError, match="one number for every cluster"):
        data.make_blobs(centers=2, cluster_std=[0.5, 1.0])


# -- loaders: Bunch-like Datasets and return_X_y ------------------------------------------------


def test_dataset_reads_like_a_scikit_learn_bunch():
    iris = data.load_iris()
    assert iris.data is iris.X and iris.target is iris.y and iris.DESCR == iris.description
    assert iris["data"] is iris.X and iris["target"] is iris.y
    assert iris["feature_names"] == iris.feature_names and iris["target_names"] == ("setosa", "versicolor", "virginica")
    assert list(iris.keys()) == ["data", "target", "feature_names", "target_names", "DESCR"]
    assert "data" in iris and "images" not in iris
    digits = data.load_digits()
    assert "images" in digits and digits["images"].shape == (1797, 8, 8)
    X, y = iris  # unlike a Bunch, it still unpacks as the pair
    assert X is iris.data and y is iris.target
    iris.data = iris.data / 10  # settable, as a Bunch's entries are
    np.testing.assert_allclose(iris.X, data.load_iris().X / 10)
    with pytest.raises(KeyError, match="no 'frame'; its names are data, target"):
        iris["frame"]
    with pytest.raises(TypeError, match=r"takes a name.*dataset.data\[0\]"):
        iris[0]


@pytest.mark.parametrize("loader", ["load_iris", "load_digits", "load_flat_prices", "load_houses"])
def test_loaders_return_X_y_gives_the_pair_of_arrays(loader):
    dataset = getattr(data, loader)()
    pair = getattr(data, loader)(return_X_y=True)
    assert type(pair) is tuple and len(pair) == 2
    np.testing.assert_array_equal(pair[0], dataset.data)
    np.testing.assert_array_equal(pair[1], dataset.target)
    with pytest.raises(TypeError, match="return_X_y must be True or False"):
        getattr(data, loader)(return_X_y="yes")


def test_load_csv_and_load_mnist_take_return_X_y(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("weight,kind\n4.0,cat\n30.5,dog\n")
    X, y = data.load_csv(path, return_X_y=True)
    assert X.tolist() == [[4.0], [30.5]] and y.tolist() == [0, 1]
    data.write_idx(tmp_path / "train-images.idx3-ubyte", np.zeros((2, 28, 28), dtype=np.uint8))
    data.write_idx(tmp_path / "train-labels.idx1-ubyte", np.array([5, 0], dtype=np.uint8))
    pair = data.load_mnist(tmp_path, return_X_y=True)
    assert type(pair) is tuple and pair[0].shape == (2, 784) and pair[1].tolist() == [5, 0]


def test_as_frame_is_refused_with_the_pandas_recipe():
    assert data.load_iris(as_frame=False).n_samples == 150
    with pytest.raises(ValueError, match=r"does not use pandas.*pandas.DataFrame\(ds.data, columns=ds.feature_names\)"):
        data.load_iris(as_frame=True)


def test_load_digits_n_class_keeps_the_first_digits_as_scikit_learn():
    full = data.load_digits()
    X, y = data.load_digits(n_class=3, return_X_y=True)
    keep = full.y < 3
    np.testing.assert_array_equal(X, full.X[keep])
    np.testing.assert_array_equal(y, full.y[keep])
    assert np.bincount(y).tolist() == [178, 182, 177]
    three = data.load_digits(n_class=3)
    assert three.n_classes == 3 and three.images.shape == (len(y), 8, 8)
    for bad in (0, 11, 2.5, True):
        with pytest.raises(ValueError, match="n_class must be a whole number from 1 to 10"):
            data.load_digits(n_class=bad)


# -- train_test_split: scikit-learn's sizes ----------------------------------------------------


def test_split_default_test_size_is_a_quarter_rounded_up():
    X_train, X_test = data.train_test_split(np.arange(10), seed=0)
    assert (len(X_train), len(X_test)) == (7, 3)  # ceil(0.25 · 10) = 3, as scikit-learn
    X_train, X_test = data.train_test_split(np.arange(100), seed=0)
    assert (len(X_train), len(X_test)) == (75, 25)


def test_split_train_size_rounds_down_and_the_test_set_takes_the_rest():
    X_train, X_test = data.train_test_split(np.arange(10), train_size=0.55, seed=0)
    assert (len(X_train), len(X_test)) == (5, 5)  # floor(5.5) train, the rest test
    X_train, X_test = data.train_test_split(np.arange(10), train_size=6, seed=0)
    assert (len(X_train), len(X_test)) == (6, 4)


@pytest.mark.parametrize("draw", [{"seed": 1}, {"random_state": 1}, {"shuffle": False}])
def test_split_test_and_train_size_together_may_leave_samples_out(draw):
    X = np.arange(20)
    X_train, X_test = data.train_test_split(X, test_size=0.25, train_size=0.5, **draw)
    assert (len(X_train), len(X_test)) == (10, 5)
    assert not set(X_train.tolist()) & set(X_test.tolist())
    if "shuffle" in draw:  # scikit-learn: the first n_train rows, then the next n_test
        assert X_train.tolist() == list(range(10)) and X_test.tolist() == list(range(10, 15))


def test_split_stratified_with_train_size_keeps_shares_on_both_sides():
    y = np.repeat([0, 1], [60, 40])
    for draw in ({"seed": 2}, {"random_state": 2}):
        _, _, y_train, y_test = data.train_test_split(
            np.arange(100), y, test_size=0.2, train_size=0.5, stratify=y, **draw
        )
        assert np.bincount(y_train).tolist() == [30, 20] and np.bincount(y_test).tolist() == [12, 8]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test_size": 0.6, "train_size": 0.6}, r"test_size \+ train_size = 1.2 is more than 1"),
        ({"test_size": 6, "train_size": 6}, r"6 training \+ 6 test samples is more than the 10 there are"),
        ({"train_size": 1.0}, "a fractional train_size must be strictly between 0 and 1"),
        ({"train_size": 10}, "train_size=10 must be at least 1 and below the number of samples"),
        ({"test_size": 0.05, "train_size": 0.01}, "leave 1 test and 0 training samples; both sets need at least one"),
    ],
)
def test_split_sizes_that_do_not_fit_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.train_test_split(np.arange(10), seed=0, **kwargs)


# -- train_test_split: any number of arrays, keyword-only options ------------------------------


def test_split_any_number_of_arrays_in_scikit_learns_order():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    w = np.arange(20) * 10.0
    parts = data.train_test_split(X, y, w, test_size=5, random_state=0)
    assert len(parts) == 6
    X_train, X_test, y_train, y_test, w_train, w_test = parts
    assert (len(X_train), len(X_test), len(w_train), len(w_test)) == (15, 5, 15, 5)
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # the same rows in every array
    np.testing.assert_array_equal(w_test, 10.0 * y_test)
    assert len(data.train_test_split(Tensor(np.zeros((8, 2))), [0, 1] * 4, seed=0)) == 4  # Tensors and lists
    assert len(data.train_test_split(X, None, seed=0)) == 2  # None is left out: gradviz's old y=None


def test_split_refuses_positional_options_mismatched_lengths_and_a_whole_dataset():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(
        TypeError, match=r"keyword arguments, as in scikit-learn: train_test_split\(X, y, test_size=0.2\)"
    ):
        data.train_test_split(X, y, 0.2)
    with pytest.raises(ValueError, match=r"X has 10 samples .* but array 3 has 4 samples"):
        data.train_test_split(X, y, np.zeros(4))
    with pytest.raises(ValueError, match="give at least one array"):
        data.train_test_split()
    with pytest.raises(TypeError, match="whole Dataset.*X, y = dataset"):
        data.train_test_split(data.load_iris())
    with pytest.raises(TypeError, match="both seed=0 and random_state=0"):
        data.train_test_split(X, y, seed=0, random_state=0)
    with pytest.raises(TypeError, match="random_state must be a non-negative int"):
        data.train_test_split(X, y, random_state="42")


# -- train_test_split: scikit-learn's random draws ---------------------------------------------


def test_split_random_state_reproduces_scikit_learns_docstring_example():
    # sklearn.model_selection.train_test_split's own example
    X, y = np.arange(10).reshape((5, 2)), range(5)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.33, random_state=42)
    assert X_train.tolist() == [[4, 5], [0, 1], [6, 7]] and y_train.tolist() == [2, 0, 3]
    assert X_test.tolist() == [[2, 3], [8, 9]] and y_test.tolist() == [1, 4]
    assert [part.tolist() for part in data.train_test_split(y, shuffle=False)] == [[0, 1, 2], [3, 4]]


def test_split_random_state_gives_scikit_learns_iris_split():
    # the split every scikit-learn tutorial prints for train_test_split(iris.data, iris.target, test_size=0.2,
    # random_state=42): gradviz's Iris has scikit-learn's values in scikit-learn's row order
    X, y = data.load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, random_state=42)
    assert y_test.tolist() == [1, 0, 2, 1, 1, 0, 1, 2, 1, 1, 2, 0, 0, 0, 0, 1, 2, 1, 1, 2, 0, 2, 0, 2, 2, 2, 2, 2, 0, 0]
    assert X_test[0].tolist() == [6.1, 2.8, 4.7, 1.2] and X_train.shape == (120, 4)


def test_split_stratified_random_state_reproduces_stratified_shuffle_split_example():
    # StratifiedShuffleSplit's docstring (the first fold is what train_test_split(stratify=y) takes):
    # y = [0, 0, 0, 1, 1, 1], test_size=0.5, random_state=0 → TRAIN: [5 2 3] TEST: [4 1 0]
    y = np.array([0, 0, 0, 1, 1, 1])
    train, test = data.train_test_split(np.arange(6), test_size=0.5, random_state=0, stratify=y)
    assert train.tolist() == [5, 2, 3] and test.tolist() == [4, 1, 0]


@pytest.mark.parametrize(
    ("class_counts", "n_draws", "rng", "expected"),
    [
        ([4, 2], 3, 0, [2, 1]),
        ([5, 2], 4, 0, [3, 1]),
        ([2, 2, 2, 1], 2, 0, [0, 1, 1, 0]),
        ([2, 2, 2, 1], 2, 42, [1, 1, 0, 0]),
    ],
)
def test_approximate_mode_matches_scikit_learns_docstring(class_counts, n_draws, rng, expected):
    counts = _approximate_mode(np.array(class_counts), n_draws, np.random.RandomState(rng))
    assert counts.tolist() == expected


def test_split_random_state_none_draws_from_numpys_global_random_state_as_scikit_learn():
    X = np.arange(30)
    np.random.seed(11)
    from_global = data.train_test_split(X, random_state=None)
    from_instance = data.train_test_split(X, random_state=np.random.RandomState(11))
    np.testing.assert_array_equal(from_global[1], from_instance[1])
    state = np.random.RandomState(4)
    first, second = data.train_test_split(X, random_state=state), data.train_test_split(X, random_state=state)
    assert not np.array_equal(first[1], second[1])  # an instance is used as is, and moves on


def test_split_stratifies_on_one_hot_rows():
    y = np.repeat([0, 1, 2], [40, 40, 20])
    onehot = data.one_hot(y)
    for draw in ({"seed": 0}, {"random_state": 0}):
        _, _, y_train, y_test = data.train_test_split(np.arange(100), onehot, test_size=0.2, stratify=onehot, **draw)
        assert y_test.sum(axis=0).tolist() == [8.0, 8.0, 4.0] and y_train.sum(axis=0).tolist() == [32.0, 32.0, 16.0]


def test_split_seed_keeps_gradviz_split():
    # the rows seed= gave before scikit-learn's names arrived: course notebooks quote results made with them
    train, test = data.train_test_split(np.arange(10), test_size=0.2, seed=0)
    assert train.tolist() == [4, 6, 2, 7, 3, 5, 9, 0] and test.tolist() == [8, 1]
    y = np.repeat([0, 1, 2], [5, 3, 2])
    parts = data.train_test_split(np.arange(10), y, test_size=0.3, seed=0, stratify=y)
    assert [part.tolist() for part in parts] == [[9, 3, 4, 5, 6, 1, 0], [8, 7, 2], [2, 0, 0, 1, 1, 0, 0], [2, 1, 0]]


# -- against scikit-learn itself, where it is installed -----------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"test_size": 0.2, "random_state": 0},
        {"random_state": 7},
        {"train_size": 0.6, "random_state": 1},
        {"test_size": 0.25, "train_size": 0.5, "random_state": 2},
        {"test_size": 0.3, "random_state": 3, "stratify": "y"},
        {"test_size": 11, "train_size": 100, "random_state": 4, "stratify": "y"},
        {"test_size": 0.2, "shuffle": False},
    ],
)
def test_split_matches_scikit_learn(kwargs):
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = data.load_iris(return_X_y=True)
    y = y.copy()
    y[:7] = 2  # unequal classes, so the tie-breaking draws matter
    options = {key: (y if value == "y" else value) for key, value in kwargs.items()}
    ours = data.train_test_split(X, y, **options)
    theirs = model_selection.train_test_split(X, y, **options)
    assert len(ours) == len(theirs) == 4
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_generators_match_scikit_learn_unshuffled():
    datasets = pytest.importorskip("sklearn.datasets")
    for make, options in ((data.make_moons, {}), (data.make_circles, {"factor": 0.5})):
        X, y = make(n_samples=40, shuffle=False, **options)
        X_ref, y_ref = getattr(datasets, make.__name__)(n_samples=40, shuffle=False, **options)
        np.testing.assert_allclose(X, X_ref, atol=1e-12)
        np.testing.assert_array_equal(y, y_ref)


def test_loaders_match_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    for name in ("load_iris", "load_digits"):
        ours, theirs = getattr(data, name)(), getattr(datasets, name)()
        np.testing.assert_array_equal(ours.data, theirs.data)
        np.testing.assert_array_equal(ours.target, theirs.target)
        assert ours.data.shape == theirs["data"].shape and len(ours.target_names) == len(theirs.target_names)
    X, y = data.load_digits(n_class=4, return_X_y=True)
    X_ref, y_ref = datasets.load_digits(n_class=4, return_X_y=True)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
