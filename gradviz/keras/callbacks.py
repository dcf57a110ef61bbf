"""Keras 3's ``keras.callbacks``: EarlyStopping, ModelCheckpoint, BackupAndRestore, ReduceLROnPlateau, TerminateOnNaN,
CSVLogger, LearningRateScheduler, LambdaCallback, History and the Callback base — gradviz's own callbacks
(:mod:`gradviz.callbacks`), which use Keras' names and arguments; gradviz's GradientRecorder and
DecisionBoundaryRecorder are here too.

>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
>>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
>>> history = model.fit(np.ones((8, 1)), np.zeros(8), epochs=5, verbose=0, callbacks=[stop])
>>> len(history.epoch)
5
"""

from __future__ import annotations

from ..callbacks import (
    BackupAndRestore,
    Callback,
    CallbackList,
    CSVLogger,
    DecisionBoundaryRecorder,
    EarlyStopping,
    GradientRecorder,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)

__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "EarlyStopping",
    "ModelCheckpoint",
    "BackupAndRestore",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "CSVLogger",
    "LearningRateScheduler",
    "LambdaCallback",
    "GradientRecorder",
    "DecisionBoundaryRecorder",
]
