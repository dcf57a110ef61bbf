"""Datasets that work offline (toy 2-D sets, Iris, digits, the course's tables, MNIST, CSV and .npz files) and batching.

>>> from gradviz import data
>>> X, y = data.make_moons(100, noise=0.1, seed=0)
>>> X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
>>> X_train.shape, X_test.shape
((80, 2), (20, 2))
"""

from __future__ import annotations

from ._files import DataFileError, read_npz
from .idx import IDXFormatError, load_mnist, read_idx, write_idx
from .loader import DataLoader, Standardizer, batches, one_hot, standardize, train_test_split
from .synthetic import (
    make_blobs,
    make_circles,
    make_gaussians,
    make_moons,
    make_plane,
    make_regression_1d,
    make_regression_2d,
    make_spirals,
    make_xor,
)
from .tables import HOUSES_FORMULA, Dataset, load_csv, load_digits, load_flat_prices, load_houses, load_iris

__all__ = [
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_blobs",
    "make_regression_1d",
    "make_regression_2d",
    "make_plane",
    "make_gaussians",
    "Dataset",
    "load_iris",
    "load_digits",
    "load_flat_prices",
    "load_houses",
    "HOUSES_FORMULA",
    "load_csv",
    "read_idx",
    "write_idx",
    "load_mnist",
    "IDXFormatError",
    "read_npz",
    "DataFileError",
    "batches",
    "DataLoader",
    "train_test_split",
    "Standardizer",
    "standardize",
    "one_hot",
]
