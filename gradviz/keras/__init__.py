"""Keras 3 on gradviz: ``keras.Sequential([keras.Input(shape=...), keras.layers.Dense(...)])``, compile, fit,
evaluate, predict, save — with Keras' names, argument orders and defaults, on gradviz's own Modules, so every
layer, gradient and update can be drawn.

Course code written for Keras 3 runs with one line changed (``from gradviz import keras``); the submodules
are Keras': ``keras.layers``, ``keras.optimizers``, ``keras.losses``, ``keras.metrics``, ``keras.callbacks``,
``keras.utils``, ``keras.models``, ``keras.saving``. gradviz's own additions are keywords after Keras'
arguments (``fit(..., seed=, backend=, dashboard=)``, ``compile(..., learning_rate=)``) and its pictures.

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.keras import layers
>>> from gradviz.data import load_iris
>>> X, y = load_iris()
>>> X = (X - X.mean(axis=0)) / X.std(axis=0)
>>> model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(16, activation="relu"),
...                           layers.Dense(3, activation="softmax")], seed=0)
>>> model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
<Sequential 'sequential': 2 layers, 131 parameters, compiled (adam, sparse_categorical_crossentropy)>
>>> history = model.fit(X, y, 16, 50, verbose=0, seed=0)                  # batch_size 16, 50 epochs
>>> model.evaluate(X, y, verbose=0, return_dict=True)["accuracy"] > 0.95
True
>>> [w.shape for w in model.get_weights()]                                 # Keras' layout: kernels (inputs, units)
[(4, 16), (16,), (16, 3), (3,)]
"""

from __future__ import annotations

from ..callbacks import History
from . import callbacks, layers, losses, metrics, models, optimizers, saving, utils
from ._checks import InputError, NonFiniteLossError
from ._checks import batch_size as _batch_size  # noqa: F401  (the jax backend's predict checks batch_size with it)
from .layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, KerasTensor
from .losses import LOSSES
from .models import Sequential
from .optimizers import OPTIMIZERS

__all__ = [
    "Sequential",
    "Input",
    "Dense",
    "Activation",
    "Flatten",
    "Dropout",
    "InputLayer",
    "KerasTensor",
    "History",
    "LOSSES",
    "OPTIMIZERS",
    "NonFiniteLossError",
    "InputError",
    "layers",
    "optimizers",
    "losses",
    "metrics",
    "callbacks",
    "utils",
    "models",
    "saving",
]
