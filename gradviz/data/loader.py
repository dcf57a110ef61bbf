"""Getting data ready for training: mini-batches, train/test split, standardisation and one-hot labels.

Inputs may be lists, numpy arrays or gradviz Tensors; outputs are numpy arrays (wrap them in a
Tensor where a graph is wanted). Shuffling takes ``seed``: an int (reproducible), a numpy
``Generator`` (a stream you own, e.g. one per training run) or ``None`` (fresh randomness).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

from ._checks import as_array, count, rng_from, same_length

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


def _test_count(n: int, test_size, where: str) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"{where}: test_size must be a fraction in (0, 1) or a number of samples, got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0.0 < test_size < 1.0:
        n_test = int(np.ceil(test_size * n))  # like scikit-learn: the test set gets the rounding up
    else:
        raise ValueError(f"{where}: a fractional test_size must be strictly between 0 and 1, got {test_size}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"{where}: test_size={test_size!r} gives {n_test} test samples out of {n}; "
            "both the training and the test set need at least one"
        )
    return n_test


def train_test_split(X, y=None, test_size: float | int = 0.2, *, seed=None, stratify=None, shuffle: bool = True):
    """Split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order); ``X_train, X_test`` when y is None.

    ``test_size`` is a fraction (rounded up, as scikit-learn does) or a number of samples.
    ``stratify`` — the labels (``stratify=y``) or ``True`` for ``y`` itself — keeps each class's share the
    same in both parts (each class's test count rounded so that the counts add up to the test size).

    >>> from gradviz.data import load_iris
    >>> X, y = load_iris()
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    >>> X_train.shape, X_test.shape, np.bincount(y_test).tolist()
    ((120, 4), (30, 4), [10, 10, 10])
    """
    where = "train_test_split"
    X = as_array(X, "X", where)
    y_array = None if y is None else as_array(y, "y", where)
    same_length(X, y_array, where)
    n = len(X)
    n_test = _test_count(n, test_size, where)
    rng = rng_from(seed, where)

    if stratify is True:
        if y_array is None:
            raise ValueError(f"{where}: stratify=True needs y (the labels to stratify on)")
        stratify = y_array
    if stratify is not None:
        groups = as_array(stratify, "stratify", where)
        if groups.ndim != 1 or len(groups) != n:
            raise ValueError(f"{where}: stratify must be one label per sample, shape ({n},), got shape {groups.shape}")
        if not shuffle:
            raise ValueError(f"{where}: stratify needs shuffle=True (a stratified split draws from every class)")
        classes, codes = np.unique(groups, return_inverse=True)
        sizes = np.bincount(codes)
        if sizes.min() < 2:
            lonely = classes.tolist()[sizes.argmin()]
            raise ValueError(
                f"{where}: class {lonely!r} has only {sizes.min()} sample; stratifying needs at least 2 per class "
                "(one for each part)"
            )
        if n_test < len(classes) or n - n_test < len(classes):
            raise ValueError(
                f"{where}: {n_test} test and {n - n_test} training samples cannot each hold all {len(classes)} "
                "classes; use a test_size that leaves at least one sample per class on both sides"
            )
        # largest remainder: each class gets floor(share), the biggest remainders get one more each
        share = sizes * n_test / n
        per_class = np.floor(share).astype(int)
        for k in np.argsort(-(share - per_class), kind="stable")[: n_test - per_class.sum()]:
            per_class[k] += 1
        test_rows = np.concatenate(
            [rng.permutation(np.flatnonzero(codes == k))[: per_class[k]] for k in range(len(classes))]
        )
        is_test = np.zeros(n, dtype=bool)
        is_test[test_rows] = True
        train_index = rng.permutation(np.flatnonzero(~is_test))
        test_index = rng.permutation(test_rows)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train_index, test_index = order[: n - n_test], order[n - n_test :]

    if y_array is None:
        return X[train_index], X[test_index]
    return X[train_index], X[test_index], y_array[train_index], y_array[test_index]


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
