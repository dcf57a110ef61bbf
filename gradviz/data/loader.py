"""Getting data ready for training: mini-batches, train/test split, standardisation and one-hot labels.

Inputs may be lists, numpy arrays or gradviz Tensors; outputs are numpy arrays (wrap them in a
Tensor where a graph is wanted). Shuffling takes ``seed``: an int (reproducible), a numpy
``Generator`` (a stream you own, e.g. one per training run) or ``None`` (fresh randomness).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

from ._checks import Unset, as_array, count, given, rng_from, same_length

__all__ = ["batches", "DataLoader", "train_test_split", "Standardizer", "standardize", "one_hot"]


def batches(
    X, y=None, batch_size: int = 32, *, shuffle: bool = True, seed=None, drop_last: bool = False
) -> Iterator[tuple[np.ndarray, np.ndarray] | np.ndarray]:
    """Yield mini-batches ``(X_batch, y_batch)`` (or ``X_batch`` alone when ``y`` is None), one pass over the data.

    The last batch is smaller when ``batch_size`` does not divide the number of samples, unless
    ``drop_last``. With ``shuffle`` the order is a permutation drawn from ``seed``.

    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in batches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> sorted(np.concatenate([yb for _, yb in batches(X, y, 2, seed=0)]).tolist())
    [0, 1, 2, 3, 4]
    """
    return iter(DataLoader(X, y, batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last))


class DataLoader:
    """Re-iterable mini-batches: each ``for`` over it is one epoch, reshuffled (from one seeded stream) every time.

    >>> loader = DataLoader(np.zeros((10, 3)), np.arange(10), batch_size=4, seed=0)
    >>> len(loader), [xb.shape for xb, _ in loader]
    (3, [(4, 3), (4, 3), (2, 3)])
    >>> first_epoch = [yb.tolist() for _, yb in loader]
    >>> second_epoch = [yb.tolist() for _, yb in loader]
    >>> first_epoch != second_epoch
    True
    """

    def __init__(self, X, y=None, batch_size: int = 32, *, shuffle: bool = True, seed=None, drop_last: bool = False):
        where = "batches"
        self.X = as_array(X, "X", where)
        self.y = None if y is None else as_array(y, "y", where)
        same_length(self.X, self.y, where)
        self.batch_size = count(batch_size, "batch_size", where)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self._rng = rng_from(seed, where) if self.shuffle else None

    def __len__(self) -> int:
        full, rest = divmod(len(self.X), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray] | np.ndarray]:
        n = len(self.X)
        order = self._rng.permutation(n) if self._rng is not None else None
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            if self.drop_last and stop - start < self.batch_size:
                return
            rows = order[start:stop] if order is not None else slice(start, stop)
            if self.y is None:
                yield self.X[rows]
            else:
                yield self.X[rows], self.y[rows]

    def __repr__(self) -> str:
        return (
            f"DataLoader({len(self.X)} samples, batch_size={self.batch_size}, {len(self)} batches, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def _is_fraction(size) -> bool:
    return isinstance(size, numbers.Real) and not isinstance(size, numbers.Integral)


def _split_sizes(n: int, test_size, train_size, where: str) -> tuple[int, int]:
    """(n_train, n_test) as scikit-learn's ``_validate_shuffle_split`` computes them: a fractional test size
    is rounded up and a fractional train size down; either one alone takes the rest; neither means 25 % test."""
    if test_size is None and train_size is None:
        test_size = 0.25
    for name, size in (("test_size", test_size), ("train_size", train_size)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, numbers.Real):
            raise TypeError(f"{where}: {name} must be a fraction in (0, 1), a number of samples or None, got {size!r}")
        if _is_fraction(size) and not 0.0 < size < 1.0:
            raise ValueError(f"{where}: a fractional {name} must be strictly between 0 and 1, got {size}")
        if not _is_fraction(size) and not 0 < size < n:
            raise ValueError(
                f"{where}: {name}={size!r} must be at least 1 and below the number of samples, {n} "
                "(both the training and the test set need at least one); or give a fraction such as 0.2"
            )
    if _is_fraction(test_size) and _is_fraction(train_size) and train_size + test_size > 1:
        raise ValueError(
            f"{where}: test_size + train_size = {test_size + train_size} is more than 1 (the whole data); "
            "reduce one of them"
        )
    n_test = None if test_size is None else int(np.ceil(test_size * n)) if _is_fraction(test_size) else int(test_size)
    n_train = (
        None if train_size is None else int(np.floor(train_size * n)) if _is_fraction(train_size) else int(train_size)
    )
    if n_train is None:
        n_train = n - n_test
    elif n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(
            f"{where}: {n_train} training + {n_test} test samples is more than the {n} there are; "
            "reduce test_size or train_size"
        )
    if n_train == 0 or n_test == 0:
        raise ValueError(
            f"{where}: with {n} samples, test_size={test_size!r} and train_size={train_size!r} leave "
            f"{n_test} test and {n_train} training samples; both sets need at least one"
        )
    return n_train, n_test


def _largest_remainder(sizes: np.ndarray, total: int) -> np.ndarray:
    """``total`` shared out in proportion to ``sizes``: each gets floor(share), the biggest remainders one more."""
    share = sizes * total / sizes.sum()
    counts = np.floor(share).astype(int)
    for k in np.argsort(-(share - counts), kind="stable")[: total - counts.sum()]:
        counts[k] += 1
    return counts


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng) -> np.ndarray:
    """scikit-learn's per-class counts for a stratified draw (``sklearn.utils._approximate_mode``): floor of the
    proportional share, the rest handed out by largest remainder, ties broken by ``rng.choice`` exactly as there
    (the draw is part of the random stream, so skipping it would change every later permutation)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            floored[rng.choice(inds, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _class_codes(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classes (sorted, as np.unique gives them) and each sample's class index; a 2-D label array (one-hot
    rows) is one class per distinct row, written as scikit-learn writes it ("0.0 1.0 0.0") so classes sort alike."""
    if groups.ndim == 2:
        groups = np.array([" ".join(row.astype(str)) for row in groups])
    return np.unique(groups, return_inverse=True)


def _sklearn_random_state(random_state, where: str):
    """scikit-learn's ``check_random_state``: None → numpy's global RandomState, an int → RandomState(int)."""
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return np.random.RandomState(int(random_state))
    raise TypeError(
        f"{where}: random_state must be a non-negative int, a numpy RandomState or Generator, or None, "
        f"got {random_state!r} ({type(random_state).__name__})"
    )


def train_test_split(
    *arrays,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state=Unset(None),
    shuffle: bool = True,
    stratify=None,
    seed=Unset(None),
):
    """Split arrays into train and test parts with scikit-learn's signature and defaults: ``X_train, X_test,
    y_train, y_test = train_test_split(X, y)``; any number of arrays, each giving its train then its test part.

    ``test_size`` and ``train_size`` are fractions (test rounded up, train down, as scikit-learn does) or numbers
    of samples; neither given means ``test_size=0.25``; one alone takes the rest; both may leave samples out.
    ``stratify`` — the labels (``stratify=y``) or ``True`` for the second array — keeps each class's share the
    same in both parts. ``shuffle=False`` takes the first rows for training and the next for testing.

    Two ways to seed the shuffle: ``random_state=k`` draws as scikit-learn does, so the rows are those of
    ``sklearn.model_selection.train_test_split(..., random_state=k)``; ``seed=k`` draws from numpy's
    ``default_rng(k)``, the split gradviz has always given. Give one of them (both is an error); neither draws
    fresh randomness. Outputs are numpy arrays (lists and Tensors come back as arrays); a ``None`` among the
    arrays is left out, so ``train_test_split(X, None)`` is ``train_test_split(X)``.

    >>> from gradviz.data import load_iris
    >>> X, y = load_iris()
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    >>> X_train.shape, X_test.shape, np.bincount(y_test).tolist()
    ((120, 4), (30, 4), [10, 10, 10])
    >>> X, y = np.arange(10).reshape((5, 2)), range(5)              # scikit-learn's own example
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.33, random_state=42)
    >>> X_train.tolist(), y_train.tolist(), X_test.tolist(), y_test.tolist()
    ([[4, 5], [0, 1], [6, 7]], [2, 0, 3], [[2, 3], [8, 9]], [1, 4])
    >>> [part.tolist() for part in train_test_split(y, shuffle=False)]
    [[0, 1, 2], [3, 4]]
    """
    where = "train_test_split"
    sklearn_draw = given(random_state)
    if sklearn_draw and given(seed):
        raise TypeError(
            f"{where}: got both seed={seed!r} and random_state={random_state!r}; give one: random_state draws "
            "as scikit-learn does, seed as numpy's default_rng"
        )
    arrays = [array for array in arrays if array is not None]
    if not arrays:
        raise ValueError(f"{where}: give at least one array to split, e.g. train_test_split(X, y, test_size=0.2)")
    parts = []
    for k, array in enumerate(arrays):
        name = ("X", "y")[k] if k < 2 else f"array {k + 1}"
        if isinstance(array, (numbers.Number, str)):
            raise TypeError(
                f"{where}: {name} is {array!r}, not an array; test_size, train_size, random_state, shuffle and "
                f"stratify are keyword arguments, as in scikit-learn: train_test_split(X, y, test_size={array!r})"
            )
        part = as_array(array, name, where)
        if part.ndim == 0:
            raise ValueError(f"{where}: {name} must have at least one dimension (samples first), got a scalar")
        parts.append((name, part))
    first_name, first = parts[0]
    n = len(first)
    for name, part in parts[1:]:
        if len(part) != n:
            raise ValueError(
                f"{where}: {first_name} has {n} samples (shape {first.shape}) but {name} has {len(part)} samples "
                f"(shape {part.shape}); they must have the same length along the first axis"
            )
    n_train, n_test = _split_sizes(n, test_size, train_size, where)

    if stratify is True:
        if len(parts) < 2:
            raise ValueError(f"{where}: stratify=True needs y (the labels to stratify on) as the second array")
        stratify = parts[1][1]
    if stratify is not None:
        groups = as_array(stratify, "stratify", where)
        if groups.ndim not in (1, 2) or len(groups) != n:
            raise ValueError(
                f"{where}: stratify must be one label per sample, shape ({n},) (or one-hot rows ({n}, k)), "
                f"got shape {groups.shape}"
            )
        if not shuffle:
            raise ValueError(f"{where}: stratify needs shuffle=True (a stratified split draws from every class)")
        classes, codes = _class_codes(groups)
        sizes = np.bincount(codes)
        if sizes.min() < 2:
            lonely = classes.tolist()[sizes.argmin()]
            raise ValueError(
                f"{where}: class {lonely!r} has only {sizes.min()} sample; stratifying needs at least 2 per class "
                "(one for each part)"
            )
        if n_test < len(classes) or n_train < len(classes):
            raise ValueError(
                f"{where}: {n_test} test and {n_train} training samples cannot each hold all {len(classes)} "
                "classes; use a test_size that leaves at least one sample per class on both sides"
            )
    if not shuffle:
        train_index, test_index = np.arange(n_train), np.arange(n_train, n_train + n_test)
    elif sklearn_draw:
        rng = _sklearn_random_state(random_state, where)
        if stratify is None:  # ShuffleSplit: one permutation, the test rows first
            order = rng.permutation(n)
            train_index, test_index = order[n_test : n_test + n_train], order[:n_test]
        else:  # StratifiedShuffleSplit
            class_rows = np.split(np.argsort(codes, kind="mergesort"), np.cumsum(sizes)[:-1])
            train_per_class = _approximate_mode(sizes, n_train, rng)
            test_per_class = _approximate_mode(sizes - train_per_class, n_test, rng)
            train_rows, test_rows = [], []
            for k in range(len(classes)):
                rows = class_rows[k].take(rng.permutation(sizes[k]), mode="clip")
                train_rows.extend(rows[: train_per_class[k]])
                test_rows.extend(rows[train_per_class[k] : train_per_class[k] + test_per_class[k]])
            train_index, test_index = rng.permutation(train_rows), rng.permutation(test_rows)
    else:
        rng = rng_from(seed.value if isinstance(seed, Unset) else seed, where)
        if stratify is None:
            order = rng.permutation(n)
            train_index, test_index = order[:n_train], order[n - n_test :]
        else:
            test_per_class = _largest_remainder(sizes, n_test)
            test_rows = np.concatenate(
                [rng.permutation(np.flatnonzero(codes == k))[: test_per_class[k]] for k in range(len(classes))]
            )
            is_test = np.zeros(n, dtype=bool)
            is_test[test_rows] = True
            rest = np.flatnonzero(~is_test)
            if n_train < len(rest):  # a train_size that leaves samples out: the same shares again
                train_per_class = _largest_remainder(np.bincount(codes[rest], minlength=len(classes)), n_train)
                rest = np.concatenate(
                    [rng.permutation(rest[codes[rest] == k])[: train_per_class[k]] for k in range(len(classes))]
                )
            train_index = rng.permutation(rest)
            test_index = rng.permutation(test_rows)
    split = []
    for _, part in parts:
        split += [part[train_index], part[test_index]]
    return tuple(split)


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1, with the statistics of the data it was fit on.

    Fit on the training set, then transform the test set with the same ``mean`` and ``std``. A constant
    column (std 0, e.g. a digits pixel that is always blank) is only centred: its std is taken as 1.

    >>> scaler = Standardizer().fit(np.array([[1.0, 10.0], [3.0, 10.0]]))
    >>> scaler.mean.tolist(), scaler.std.tolist()
    ([2.0, 10.0], [1.0, 1.0])
    >>> scaler.transform(np.array([[5.0, 12.0]])).tolist()
    [[3.0, 2.0]]
    >>> scaler.inverse_transform(np.array([[3.0, 2.0]])).tolist()
    [[5.0, 12.0]]
    """

    def __init__(self) -> None:
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit(self, X) -> Standardizer:
        """Learn each column's mean and (population) standard deviation."""
        data = np.asarray(as_array(X, "X", "Standardizer.fit"), dtype=np.float64)
        if data.ndim == 0 or len(data) == 0:
            raise ValueError(f"Standardizer.fit: need at least one sample, got shape {data.shape}")
        if not np.all(np.isfinite(data)):
            raise ValueError("Standardizer.fit: X contains nan or inf; clean the data first")
        self.mean = data.mean(axis=0)
        std = data.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def _fitted(self, where: str) -> None:
        if self.mean is None:
            raise RuntimeError(f"Standardizer.{where}: call fit(X_train) first")

    def transform(self, X) -> np.ndarray:
        """(X − mean) / std with the fitted statistics."""
        self._fitted("transform")
        data = np.asarray(as_array(X, "X", "Standardizer.transform"), dtype=np.float64)
        if data.shape[1:] != self.mean.shape:
            raise ValueError(
                f"Standardizer.transform: fitted on samples of shape {self.mean.shape}, got X of shape {data.shape}"
            )
        return (data - self.mean) / self.std

    def fit_transform(self, X) -> np.ndarray:
        """fit(X) then transform(X)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X) -> np.ndarray:
        """Back to the original units: X · std + mean."""
        self._fitted("inverse_transform")
        return np.asarray(as_array(X, "X", "Standardizer.inverse_transform"), dtype=np.float64) * self.std + self.mean

    def __repr__(self) -> str:
        return "Standardizer(not fitted)" if self.mean is None else f"Standardizer(features={self.mean.size})"


def standardize(X, *, mean=None, std=None) -> np.ndarray:
    """Each column to mean 0 and std 1 (statistics from X itself, or the ``mean``/``std`` given, e.g. the train set's).

    >>> Z = standardize([[1.0, 2.0], [3.0, 6.0]])
    >>> Z.tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    if (mean is None) != (std is None):
        raise ValueError("standardize: give both mean and std (e.g. from the training set), or neither")
    scaler = Standardizer()
    if mean is None:
        return scaler.fit_transform(X)
    scaler.mean = np.asarray(mean, dtype=np.float64)
    std_array = np.asarray(std, dtype=np.float64)
    if np.any(std_array <= 0):
        raise ValueError("standardize: every std must be > 0")
    scaler.std = std_array
    return scaler.transform(X)


def one_hot(y, num_classes: int | None = None, *, dtype="float64") -> np.ndarray:
    """Integer labels (n,) → one-hot rows (n, num_classes); ``num_classes`` defaults to max(y) + 1.

    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    where = "one_hot"
    labels = as_array(y, "y", where)
    if labels.ndim != 1:
        raise ValueError(f"{where}: y must be a 1-D array of integer labels, got shape {labels.shape}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise ValueError(f"{where}: y must hold whole numbers (class indices), got values like {labels[:5]}")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"{where}: y must hold integer class indices, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"{where}: class indices must be >= 0, got {labels.min()}")
    largest = int(labels.max()) if labels.size else -1
    if num_classes is None:
        num_classes = largest + 1
    num_classes = count(num_classes, "num_classes", where)
    if largest >= num_classes:
        raise ValueError(
            f"{where}: label {largest} does not fit num_classes={num_classes} (labels are 0..{num_classes - 1})"
        )
    encoded = np.zeros((len(labels), num_classes), dtype=dtype)
    encoded[np.arange(len(labels)), labels] = 1
    return encoded
