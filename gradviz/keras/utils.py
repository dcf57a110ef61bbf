"""Keras 3's ``keras.utils``: to_categorical (one-hot rows), set_random_seed (one seed for every generator) and
PyDataset (batches made on demand, for ``fit(x=dataset)``).

>>> from gradviz.keras import utils
>>> utils.to_categorical([0, 2, 1])
array([[1., 0., 0.],
       [0., 0., 1.],
       [0., 1., 0.]])
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import numpy as np

from ..nn.init import manual_seed

__all__ = ["to_categorical", "set_random_seed", "PyDataset"]


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """Integer class labels → one-hot rows (float64), as Keras: shape ``x.shape + (num_classes,)`` (a trailing
    axis of size 1 is dropped first); `num_classes` defaults to max(x) + 1.

    >>> to_categorical([[1], [0]], num_classes=3)
    array([[0., 1., 0.],
           [1., 0., 0.]])
    """
    labels = np.asarray(x)
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise ValueError("to_categorical: x must hold integer class labels (0, 1, 2, ...)")
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "biu":
        raise TypeError(f"to_categorical: x must hold integer class labels, got dtype {labels.dtype}")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1).astype(np.int64)
    if flat.size and flat.min() < 0:
        raise ValueError(f"to_categorical: labels must be ≥ 0, got {int(flat.min())}")
    classes = int(flat.max()) + 1 if num_classes is None and flat.size else int(num_classes or 0)
    if flat.size and flat.max() >= classes:
        raise ValueError(
            f"to_categorical: label {int(flat.max())} needs num_classes ≥ {int(flat.max()) + 1}, got {classes}"
        )
    rows = np.zeros((flat.size, classes))
    rows[np.arange(flat.size), flat] = 1.0
    return rows.reshape(*shape, classes)


def set_random_seed(seed: int) -> None:
    """Seed Python's `random`, numpy's global generator and gradviz's (the one layers draw their initial weights
    from and fit shuffles with when given no seed), as Keras' set_random_seed seeds its backend's.

    >>> from gradviz import keras
    >>> set_random_seed(7)
    >>> first = keras.layers.Dense(2).build(3).get_weights()[0]
    >>> set_random_seed(7)
    >>> bool((keras.layers.Dense(2).build(3).get_weights()[0] == first).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"set_random_seed: seed must be an integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    manual_seed(int(seed))


class PyDataset:
    """Keras 3's PyDataset: subclass it with ``__len__`` (the batches in an epoch; or the ``num_batches`` property,
    None for endless) and ``__getitem__(index)`` returning batch `index` as ``(x, y)`` or ``(x, y, sample_weight)``;
    ``fit(dataset)`` takes each epoch's batches from it in order and calls :meth:`on_epoch_end` after each epoch
    (shuffle there, as in Keras). `workers`, `use_multiprocessing` and `max_queue_size` are Keras' and kept, but
    gradviz reads the batches in the training thread, one at a time.

    >>> import numpy as np
    >>> class Halves(PyDataset):
    ...     def __init__(self, X, y, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.X, self.y = X, y
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         half = len(self.X) // 2
    ...         return self.X[index * half : (index + 1) * half], self.y[index * half : (index + 1) * half]
    >>> data = Halves(np.arange(8.0).reshape(4, 2), np.arange(4.0))
    >>> len(data), [y.tolist() for _, y in data]
    (2, [[0.0, 1.0], [2.0, 3.0]])
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers, self.use_multiprocessing, self.max_queue_size = workers, use_multiprocessing, max_queue_size

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), returning batch index")

    @property
    def num_batches(self) -> int | None:
        """The batches in an epoch (``len(self)``); None: endless (give fit steps_per_epoch)."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (or the num_batches property)")

    def __len__(self) -> int:
        batches = self.num_batches
        if batches is None:
            raise TypeError(f"{type(self).__name__} is endless (num_batches None): it has no length")
        return int(batches)

    def __iter__(self) -> Iterator:
        batches = self.num_batches
        for index in range(batches) if batches is not None else itertools.count():
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called by fit before each epoch."""

    def on_epoch_end(self) -> None:
        """Called by fit after each epoch (reshuffle here)."""
