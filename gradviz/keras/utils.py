"""Keras 3's ``keras.utils``: to_categorical (one-hot rows) and set_random_seed (one seed for every generator).

>>> from gradviz.keras import utils
>>> utils.to_categorical([0, 2, 1])
array([[1., 0., 0.],
       [0., 0., 1.],
       [0., 1., 0.]])
"""

from __future__ import annotations

import random

import numpy as np

from ..nn.init import manual_seed

__all__ = ["to_categorical", "set_random_seed"]


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
