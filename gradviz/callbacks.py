"""Hooks into ``fit`` (Keras' names): History, EarlyStopping, ModelCheckpoint, BackupAndRestore, ReduceLROnPlateau,
TerminateOnNaN, CSVLogger, LambdaCallback, LearningRateScheduler; and gradviz's GradientRecorder and
DecisionBoundaryRecorder.

A callback is told when training, each epoch and each batch begin and end; ``logs`` holds the
numbers of the moment ('loss', 'accuracy', 'val_loss', ...). ``callback.model`` is the model being
trained (set by ``fit``), so a callback may read its parameters, change its optimizer's learning
rate or set ``model.stop_training = True``.

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.callbacks import LambdaCallback
>>> X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
>>> model = keras.Sequential([keras.Dense(1)], seed=0).compile("sgd", "mse")
>>> seen = []
>>> history = model.fit(X, y, epochs=3, verbose=0, callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
>>> seen, history.epoch
([0, 1, 2], [0, 1, 2])
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

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
    "LambdaCallback",
    "LearningRateScheduler",
    "GradientRecorder",
    "DecisionBoundaryRecorder",
    "named",
    "register",
]

# callbacks that fit makes by name (``fit(dashboard=True)`` → "dashboard"): the name → the callable that makes one,
# or "module:attribute" imported only when it is asked for (so fit never imports the widgets itself)
_NAMED: dict[str, Any] = {"dashboard": "gradviz.widgets.dashboard:FitDashboard"}


def register(name: str, factory) -> None:
    """Make `factory` (a callable returning a Callback, or "module:attribute") the callback called `name`.

    >>> from gradviz.callbacks import History, named, register
    >>> register("history", History)
    >>> type(named("history")).__name__
    'History'
    """
    _NAMED[name] = factory


def named(name: str, **options) -> Callback:
    """A new callback of the kind registered as `name` (e.g. "dashboard"), made with `options`.

    >>> from gradviz.callbacks import EarlyStopping, named, register
    >>> register("patient", EarlyStopping)
    >>> named("patient", patience=5).patience
    5
    """
    if name not in _NAMED:
        raise ValueError(f"no callback is registered as {name!r}; the ones there are: {', '.join(sorted(_NAMED))}")
    factory = _NAMED[name]
    if isinstance(factory, str):
        import importlib

        module, _, attribute = factory.partition(":")
        factory = getattr(importlib.import_module(module), attribute)
    return factory(**options)


class Callback:
    """Base class: override the hooks you need; each receives ``logs`` (a dict of floats, possibly empty).

    Order inside ``fit``: on_train_begin; per epoch on_epoch_begin, then per batch
    on_train_batch_begin / on_train_batch_end (after the optimizer step, with the gradients still
    in ``p.grad``), then on_epoch_end (after validation); finally on_train_end.
    ``on_batch_begin``/``on_batch_end`` are Keras' older names and are called too.

    >>> class CountBatches(Callback):
    ...     def on_train_begin(self, logs=None):
    ...         self.batches = 0
    ...     def on_batch_end(self, batch, logs=None):
    ...         self.batches += 1
    >>> CountBatches().params
    {}
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = dict(params)

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once after the last epoch (also after an early stop)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of epoch `epoch` (counted from 0)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called after epoch `epoch` with its training and validation numbers."""

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras' old name of on_train_batch_begin."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras' old name of on_train_batch_end."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called when evaluate starts (not by fit's validation)."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called when evaluate ends, with its numbers."""

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each batch of evaluate."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each batch of evaluate."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called when predict starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called when predict ends."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each batch of predict."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each batch of predict."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)


class CallbackList:
    """Several callbacks called in order (what ``fit`` uses); checks that each one is a Callback.

    >>> from gradviz.callbacks import CallbackList, History, LambdaCallback
    >>> history = History()
    >>> callbacks = CallbackList([history, LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs))])
    >>> callbacks.on_epoch_end(0, {"loss": 0.5})
    0 {'loss': 0.5}
    >>> history.history
    {'loss': [0.5]}
    """

    _HOOKS = (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_end",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_predict_begin",
        "on_predict_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
    )

    def __init__(self, callbacks: Iterable[Callback] | None = None) -> None:
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = list(callbacks or [])
        for i, callback in enumerate(self.callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks[{i}] is a {type(callback).__name__}, not a gradviz Callback; subclass "
                    "gradviz.callbacks.Callback or wrap functions in LambdaCallback(on_epoch_end=...)"
                )

    def set_model(self, model: Any) -> None:
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        for callback in self.callbacks:
            callback.set_params(params)

    def __getattr__(self, name: str):
        if name not in CallbackList._HOOKS:
            raise AttributeError(name)

        def call(*args, **kwargs):
            for callback in self.callbacks:
                getattr(callback, name)(*args, **kwargs)

        return call


class History(Callback):
    """What ``fit`` returns: ``history`` maps each name ('loss', 'accuracy', 'val_loss', ...) to one number per
    epoch, ``epoch`` lists the epochs run (from 0), ``params`` the fit settings.

    >>> h = History()
    >>> h.on_train_begin()
    >>> for e, loss in enumerate([0.9, 0.5]):
    ...     h.on_epoch_end(e, {"loss": loss})
    >>> h.history, h.epoch
    ({'loss': [0.9, 0.5]}, [0, 1])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(int(epoch))
        logs = logs or {}
        for key, value in logs.items():
            # a key that first appears late (a scheduler added mid-way) is padded with nan so rows line up
            values = self.history.setdefault(key, [math.nan] * (len(self.epoch) - 1))
            values.append(float(value) if np.ndim(value) == 0 else value)
        for key, values in self.history.items():
            if key not in logs:  # an epoch without it (validation_freq > 1): nan, so the rows still line up
                values.append(math.nan)

    def plot(self, metrics: Iterable[str] | None = None, **kwargs):
        """The loss and metric curves, training vs validation (see :func:`gradviz.viz.plots.plot_history`)."""
        from .viz.plots import plot_history

        return plot_history(self, metrics=metrics, **kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(self.history) or "nothing yet"
        return f"History({len(self.epoch)} epochs: {keys})"


def _auto_mode(monitor: str) -> str:
    name = monitor.lower()
    return "max" if any(word in name for word in ("acc", "precision", "recall", "f1", "auc", "r2")) else "min"


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved by more than `min_delta` for `patience` epochs
    (Keras' rule: with patience=2 and the best epoch e, training ends after epoch e + 2).

    `mode` is "min" (a loss), "max" (accuracy...) or "auto" (max for names with acc/precision/
    recall/f1/auc/r2, else min). With `restore_best_weights` the model ends with the weights of its
    best epoch. `baseline`: stop unless the monitored value beats it within `patience` epochs.
    After fit: ``stopped_epoch`` (0 when it never stopped), ``best``, ``best_epoch``.

    >>> stop = EarlyStopping(monitor="val_accuracy", patience=3)
    >>> stop.mode
    'max'
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer ≥ 0 (epochs to wait), got {patience!r}")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = patience
        self.verbose = verbose
        self.mode = _auto_mode(monitor) if mode == "auto" else mode
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        if self.baseline is not None:
            self.best = float(self.baseline)
        self.best_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            hint = (
                " Pass validation_split= or validation_data= to fit, or monitor a training quantity such as 'loss'."
                if self.monitor.startswith("val_")
                else ""
            )
            raise KeyError(
                f"EarlyStopping(monitor={self.monitor!r}): the epoch's logs have no {self.monitor!r}; they hold "
                f"{', '.join(logs) or 'nothing'}.{hint}"
            )
        if epoch < self.start_from_epoch:
            return
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best = value
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = copy.deepcopy(self.model.state_dict())
            return
        self.wait += 1
        if self.wait >= self.patience:  # Keras' rule: `patience` epochs without improvement, then stop
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)
            if self.verbose:
                print(
                    f"EarlyStopping: restored the weights of epoch {self.best_epoch + 1} ({self.monitor}={self.best:.4g})"
                )
        if self.stopped_epoch and self.verbose:
            print(f"EarlyStopping: stopped after epoch {self.stopped_epoch + 1}")


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Takes on_train_begin(logs), on_train_end(logs), on_epoch_begin(epoch, logs),
    on_epoch_end(epoch, logs), on_train_batch_begin(batch, logs), on_train_batch_end(batch, logs) (or Keras'
    older on_batch_begin, on_batch_end), and the test/predict hooks.

    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    >>> cb.on_epoch_end(0, {"loss": 0.25})
    0 0.25
    """

    _NAMES = (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_batch_begin",
        "on_batch_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_end",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_predict_begin",
        "on_predict_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
    )

    def __init__(self, **functions: Callable) -> None:
        super().__init__()
        for name, function in functions.items():
            if name not in self._NAMES:
                raise TypeError(f"LambdaCallback has no hook {name!r}; it takes: {', '.join(self._NAMES)}")
            if not callable(function):
                raise TypeError(f"LambdaCallback({name}=...) needs a function, got {type(function).__name__}")
            setattr(self, name, function)


class LearningRateScheduler(Callback):
    """Change the optimizer's learning rate every epoch.

    `schedule` is one of:

    * a function ``(epoch, lr) -> new lr`` (Keras), called at the start of each epoch;
    * a gradviz.optim scheduler class plus its arguments, e.g.
      ``LearningRateScheduler(optim.StepLR, step_size=10, gamma=0.5)``: built on the model's
      optimizer when training begins, stepped after each epoch;
    * a scheduler already built on the model's optimizer.

    The rate used in each epoch goes into the logs (and so the History) as 'learning_rate'.

    >>> halve = LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)
    >>> halve.schedule(1, 0.1)
    0.05
    """

    def __init__(self, schedule, verbose: int = 0, **scheduler_arguments) -> None:
        super().__init__()
        from .optim.lr_scheduler import LRScheduler

        self._scheduler_type = isinstance(schedule, type) and issubclass(schedule, LRScheduler)
        if not (self._scheduler_type or isinstance(schedule, LRScheduler) or callable(schedule)):
            raise TypeError(
                "LearningRateScheduler needs a function (epoch, lr) -> lr, a gradviz.optim scheduler class (with its "
                f"arguments) or a scheduler; got {type(schedule).__name__}"
            )
        if scheduler_arguments and not self._scheduler_type:
            raise TypeError(
                f"LearningRateScheduler: arguments {', '.join(scheduler_arguments)} only go with a scheduler class"
            )
        self.schedule = schedule
        self.scheduler_arguments = scheduler_arguments
        self.scheduler = schedule if isinstance(schedule, LRScheduler) else None
        self.verbose = verbose

    def on_train_begin(self, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        if self._scheduler_type:
            self.scheduler = self.schedule(optimizer, **self.scheduler_arguments)
        elif self.scheduler is not None and self.scheduler.optimizer is not optimizer:
            raise ValueError(
                "LearningRateScheduler: the scheduler was built on another optimizer than the model's; pass the "
                "scheduler class instead, e.g. LearningRateScheduler(optim.StepLR, step_size=10)"
            )

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.scheduler is None:
            optimizer = self.model.optimizer
            try:
                rate = self.schedule(epoch, float(optimizer.lr))
            except TypeError as error:  # Keras also takes a schedule of the epoch alone
                if "positional argument" not in str(error):
                    raise
                rate = self.schedule(epoch)
            if not isinstance(rate, (int, float, np.floating)) or not math.isfinite(rate) or rate < 0:
                raise ValueError(
                    f"LearningRateScheduler: the schedule returned {rate!r} at epoch {epoch}; return a number ≥ 0"
                )
            optimizer.lr = float(rate)
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {self.model.optimizer.lr}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.lr)
        if self.scheduler is not None:
            self.scheduler.step()


class TerminateOnNaN(Callback):
    """Stop training at the first nan or ±inf loss, as Keras' ``TerminateOnNaN``: fit prints Keras' line
    ("Batch 3: Invalid loss, terminating training") and gradviz's explanation (the epoch, the batch and the
    first layer whose output or weights are not finite), and ends after that epoch's validation. One
    difference, on purpose: the bad batch's update is not applied, so the weights stay finite to look at.

    With ``raise_error=True`` fit raises :class:`gradviz.keras.NonFiniteLossError` (a RuntimeError, as Keras'
    error) with that explanation instead. Without this callback a nan loss does what it does in Keras:
    training goes on (every later loss is nan) and gradviz warns once, with the explanation.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> x = np.array([[100.0], [200.0], [300.0]])
    >>> model = keras.Sequential([keras.layers.Dense(1)], seed=0).compile("sgd", "mse")
    >>> history = model.fit(x, x / 50, batch_size=1, epochs=50, verbose=0, callbacks=[TerminateOnNaN()], seed=0)
    ... # doctest: +ELLIPSIS
    Batch 0: Invalid loss, terminating training
    fit: the loss became inf at epoch 19, batch 1 of 3; ...
    >>> len(history.epoch), all(np.isfinite(w).all() for w in model.get_weights())
    (19, True)
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = bool(raise_error)


def _monitor_value(owner: str, monitor: str, logs: dict | None) -> float:
    logs = logs or {}
    if monitor not in logs:
        hint = (
            " Pass validation_split= or validation_data= to fit, or monitor a training quantity such as 'loss'."
            if monitor.startswith("val_")
            else ""
        )
        raise KeyError(
            f"{owner}(monitor={monitor!r}): the epoch's logs have no {monitor!r}; they hold "
            f"{', '.join(logs) or 'nothing'}.{hint}"
        )
    return float(logs[monitor])


def _save_freq(owner: str, save_freq) -> Any:
    if save_freq == "epoch":
        return save_freq
    if isinstance(save_freq, bool) or not isinstance(save_freq, (int, np.integer)) or save_freq < 1:
        raise ValueError(
            f"{owner}: save_freq must be 'epoch' (after each epoch) or a number of batches ≥ 1, got {save_freq!r}"
        )
    return int(save_freq)


def _first_batch(model, epoch: int) -> int:
    """The first batch fit runs in `epoch`: 0, or where the checkpoint being resumed stopped in it."""
    from .training import running

    fit = running(model) if model is not None else None
    resume = fit.resume if fit is not None else None
    return resume.batch if resume is not None and resume.epoch == epoch else 0


class _SaveEvery:
    """Keras 3's count of the batches between two saves (``_should_save_on_batch`` of its ModelCheckpoint and
    BackupAndRestore): each ``on_train_batch_end(batch)`` adds the batches run since the batch reported last —
    several when the hooks come only every k batches (steps_per_execution) — and a save is due once `freq` are
    counted; the count then starts again.

    >>> every = _SaveEvery(3)
    >>> every.start_epoch()
    >>> [b for b in range(5) if every.due(b)]
    [2]
    >>> every.start_epoch()
    >>> [b for b in (1, 3) if every.due(b)]             # batches reported two at a time: 2 + 2 + 2 ≥ 3
    [1]
    """

    def __init__(self, freq: int) -> None:
        self.freq, self.since, self.last = freq, 0, None

    def start_epoch(self, first: int = 0) -> None:
        self.last = first - 1  # the batch before the epoch's first (a resumed epoch starts at its checkpoint)

    def due(self, batch: int) -> bool:
        if self.last is None or batch <= self.last:  # a new epoch whose start was not announced
            added = batch + 1
        else:
            added = batch - self.last
        self.since += added
        self.last = batch
        if self.since >= self.freq:
            self.since = 0
            return True
        return False


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after each epoch, or every `save_freq` batches, as Keras'
    ``ModelCheckpoint``: `filepath` ends in ``.keras`` (the whole model: ``keras.models.load_model`` reads it back)
    or, with ``save_weights_only``, ``.weights.h5``; it may hold ``{epoch}``, ``{batch}`` (with save_freq a number)
    and the logs' keys, e.g. ``"m-{epoch:02d}-{val_loss:.2f}.keras"``.

    A ``.keras`` file written during fit is a full training checkpoint: ``fit(..., resume_from=path)`` continues
    the run exactly where the file was written (weights, optimizer state, epoch and batch, the order of the samples,
    dropout's generators, the History so far). `save_freq` an integer counts batches as Keras does (also when the
    batch hooks come only every k batches, as Keras' steps_per_execution). List the checkpoint after callbacks
    that add to an epoch's logs (ReduceLROnPlateau's learning_rate) so that its History has them too.

    ``save_best_only`` writes only when `monitor` improves (`mode` 'min', 'max' or 'auto' as EarlyStopping).
    gradviz writes through its file manifest, each file whole or not at all (it is renamed into place): it
    replaces its own earlier checkpoint, but refuses a file it did not write unless ``overwrite=True`` (gradviz's
    argument).

    >>> import os, tempfile
    >>> import numpy as np
    >>> from gradviz import keras
    >>> path = os.path.join(tempfile.mkdtemp(), "best.keras")
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> keep = ModelCheckpoint(path, monitor="loss", save_best_only=True)
    >>> _ = model.fit(np.ones((8, 1)), np.ones(8), epochs=3, verbose=0, callbacks=[keep])
    >>> keep.best_epoch, keras.models.load_model(path).count_params()
    (2, 2)
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
        initial_value_threshold: float | None = None,
        *,
        overwrite: bool = False,
    ) -> None:
        super().__init__()
        import os

        self.filepath = os.fspath(filepath)
        wanted = ".weights.h5" if save_weights_only else ".keras"
        if not self.filepath.endswith(wanted) and not (save_weights_only and self.filepath.endswith(".npz")):
            raise ValueError(
                f"ModelCheckpoint: filepath must end in {wanted!r} "
                + ("(save_weights_only=True writes the weights only)" if save_weights_only else "(the whole model)")
                + f", got {self.filepath!r}"
            )
        self.save_freq = _save_freq("ModelCheckpoint", save_freq)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = _auto_mode(monitor) if mode == "auto" else mode
        self.initial_value_threshold = initial_value_threshold
        self.overwrite = bool(overwrite)
        self.best = self._start()
        self.best_epoch: int | None = None
        self.last_checkpoint: str | None = None  # the file written last (what a lost process's message names)
        self._every = _SaveEvery(self.save_freq) if self.save_freq != "epoch" else None
        self._current_epoch = 0

    def _start(self) -> float:
        if self.initial_value_threshold is not None:
            return float(self.initial_value_threshold)
        return math.inf if self.mode == "min" else -math.inf

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self._every is not None:
            self._every = _SaveEvery(self.save_freq)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch
        if self._every is not None:
            self._every.start_epoch(_first_batch(self.model, epoch))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._every is not None and self._every.due(batch):
            self._save(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        fields = dict(logs) if batch is None else {**logs, "batch": batch + 1}  # Keras 3: {batch} counts from 1
        try:
            path = self.filepath.format(**{**fields, "epoch": epoch + 1})
        except (KeyError, IndexError) as error:
            raise KeyError(
                f"ModelCheckpoint: the file name {self.filepath!r} asks for {error}, which the logs do not hold "
                f"(they hold epoch{', batch' if batch is not None else ''}, {', '.join(logs) or 'nothing else'})"
            ) from None
        if self.save_best_only:
            value = _monitor_value("ModelCheckpoint", self.monitor, logs)
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {value:.5f}, saving model "
                    f"to {path}"
                )
            self.best = value
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        self.best_epoch = epoch
        self.last_checkpoint = path
        if not _main_process():  # a multi-process JAX run: process 0 writes, the others train on
            return
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=self.overwrite)
        else:
            self.model.save(path, overwrite=self.overwrite)


class BackupAndRestore(Callback):
    """Back up the training state in `backup_dir` and restore it when fit starts again, as Keras 3's
    ``BackupAndRestore``: after each epoch (or every `save_freq` batches) it writes ``latest.keras`` there, a
    training checkpoint; at the start of a later fit with this callback it loads it and the fit goes on from there;
    at a successful end it deletes it (unless ``delete_checkpoint=False``). ``double_checkpoint=True`` keeps the
    one before too (``previous.keras``), read when the latest cannot be (gradviz then replaces that changed file
    only with ``overwrite=True``). ``restored`` is the :class:`gradviz.training.Checkpoint` a fit went on from.

    Where Keras restarts the epoch it stopped in, gradviz goes on from the batch it stopped before, in the same
    order of the samples, so the resumed run ends with the weights and History of the one never interrupted. The
    other callbacks start afresh (as in Keras). gradviz writes through its file manifest: a file it did not write
    is never replaced (``overwrite=True`` to allow it) and, at the end, only its own files (and the folder, when
    that leaves it empty) are deleted.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from gradviz import keras
    >>> folder = os.path.join(tempfile.mkdtemp(), "backup")
    >>> class Interrupt(Callback):
    ...     def on_epoch_begin(self, epoch, logs=None):
    ...         if epoch == 4:
    ...             raise RuntimeError("Interrupting!")
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> X, y = np.arange(10.0).reshape(5, 2) / 10, np.zeros(5)
    >>> try:
    ...     model.fit(X, y, epochs=10, batch_size=1, verbose=0, callbacks=[BackupAndRestore(folder), Interrupt()])
    ... except RuntimeError:
    ...     pass
    >>> history = model.fit(X, y, epochs=10, batch_size=1, verbose=0, callbacks=[BackupAndRestore(folder)])
    >>> len(history.history["loss"]), os.path.exists(folder)   # gradviz's History holds the 4 epochs before too
    (10, False)
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
        *,
        overwrite: bool = False,
    ) -> None:
        super().__init__()
        import os

        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir is empty; give the folder to keep the backup in")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = _save_freq("BackupAndRestore", save_freq)
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self.overwrite = bool(overwrite)
        self.latest = os.path.join(self.backup_dir, "latest.keras")
        self.last_checkpoint: str | None = None  # the file written last (what a lost process's message names)
        self.previous = os.path.join(self.backup_dir, "previous.keras")
        self.restored = None  # gradviz's: the Checkpoint the last fit went on from (None: it started afresh)
        self._every = _SaveEvery(self.save_freq) if self.save_freq != "epoch" else None

    def on_train_begin(self, logs: dict | None = None) -> None:
        import os
        from pathlib import Path

        from .export._files import refuse_overwrites
        from .keras.saving import load_checkpoint
        from .training import running

        self.restored = None
        if self._every is not None:
            self._every = _SaveEvery(self.save_freq)
        candidates = [self.latest] + ([self.previous] if self.double_checkpoint else [])
        candidates = [path for path in candidates if os.path.exists(path)]
        for number, path in enumerate(candidates):
            try:
                self.restored = load_checkpoint(self.model, path, "BackupAndRestore")
                break
            except (OSError, ValueError):
                if number + 1 == len(candidates):
                    raise
                # the latest cannot be read (Keras: "weights may be corrupted"): the one before it is tried next
        fit = running(self.model)
        if self.restored is not None and fit is not None:
            fit.resume = self.restored
        refuse_overwrites([Path(self.latest), Path(self.previous)], overwrite=self.overwrite)  # before any epoch

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self._every is not None:
            self._every.start_epoch(_first_batch(self.model, epoch))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._every is not None and self._every.due(batch):
            self._save()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save()

    def _save(self) -> None:
        import os
        from pathlib import Path

        from .export._files import write_files

        self.last_checkpoint = self.latest
        if not _main_process():  # a multi-process JAX run: process 0 writes, the others train on
            return
        if self.double_checkpoint and os.path.exists(self.latest):
            write_files({Path(self.previous): Path(self.latest).read_bytes()}, overwrite=self.overwrite)
        self.model.save(self.latest, overwrite=self.overwrite)

    def on_train_end(self, logs: dict | None = None) -> None:
        if not self.delete_checkpoint:
            return
        import os
        from contextlib import suppress
        from pathlib import Path

        from .export._files import remove_files

        if not _main_process():
            return
        folder = Path(self.backup_dir)
        remove_files([Path(self.latest), Path(self.previous)])  # only its own, unchanged, off the manifest too
        if folder.is_dir() and not any(folder.iterdir()):  # it held only those: the folder goes too
            with suppress(OSError):
                os.rmdir(folder)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved by `min_delta` for `patience`
    epochs, then wait `cooldown` epochs; never below `min_lr` — Keras' ``ReduceLROnPlateau`` and its defaults.
    The rate of each epoch goes into the logs as 'learning_rate'.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> calm = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)   # improves once only
    >>> history = model.fit(np.ones((4, 1)), np.ones(4), epochs=3, verbose=0, callbacks=[calm])
    >>> history.history["learning_rate"]
    [0.01, 0.01, 0.005]
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__()
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected arguments: {', '.join(kwargs)}")
        if not 0.0 <= float(factor) < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1) (it multiplies the rate), got {factor!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = int(patience)
        self.verbose = verbose
        # Keras' rule for 'auto': max for a monitor with 'acc' in its name, else min
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.min_delta = float(min_delta)
        self.cooldown = int(cooldown)
        self.min_lr = float(min_lr)
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            logs = {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.lr)
        value = _monitor_value("ReduceLROnPlateau", self.monitor, logs)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(value):
            self.best = value
            self.wait = 0
        elif not self.cooldown_counter > 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(optimizer.lr)
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    optimizer.lr = new
                    if self.verbose:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class CSVLogger(Callback):
    """Write each epoch's logs to a CSV file, as Keras' ``CSVLogger``: a header ``epoch,<keys in sorted order>``,
    then one row per epoch. ``append=True`` continues an existing file; otherwise gradviz replaces only a file
    it wrote itself (its manifest), and refuses any other unless ``overwrite=True``.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from gradviz import keras
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    >>> open(path).read().splitlines()[0], len(open(path).read().splitlines())
    ('epoch,loss', 3)
    """

    def __init__(self, filename, separator: str = ",", append: bool = False, *, overwrite: bool = False) -> None:
        super().__init__()
        import os

        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.overwrite = bool(overwrite)
        self.keys: list[str] | None = None
        self._text = ""

    def on_train_begin(self, logs: dict | None = None) -> None:
        from pathlib import Path

        from .export._files import refuse_overwrites

        path = Path(self.filename)
        self.keys = None
        self._text = ""
        if self.append and path.is_file():
            self._text = path.read_text(encoding="utf-8")
            first = self._text.splitlines()[0] if self._text.strip() else ""
            self.keys = first.split(self.sep)[1:] if first else None
            if self._text and not self._text.endswith("\n"):
                self._text += "\n"
        else:
            refuse_overwrites([path], overwrite=self.overwrite)  # before any epoch runs

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        import csv
        import io
        from pathlib import Path

        from .export._files import write_files

        logs = logs or {}
        stream = io.StringIO()
        writer = csv.writer(stream, delimiter=self.sep, lineterminator="\n")
        if self.keys is None:
            self.keys = sorted(logs)
            writer.writerow(["epoch", *self.keys])
        writer.writerow([epoch, *(logs.get(key, "NA") for key in self.keys)])
        self._text += stream.getvalue()
        if not _main_process():  # a multi-process JAX run: process 0 writes the log
            return
        write_files(
            {Path(self.filename): self._text.encode("utf-8")}, overwrite=True if self.append else self.overwrite
        )


def _main_process() -> bool:
    from .backends import main_process

    return main_process()


def _layer_of(parameter_name: str) -> str:
    return parameter_name.rsplit(".", 1)[0] if "." in parameter_name else parameter_name


class GradientRecorder(Callback):
    """Gradient health: per layer, the mean |∂L/∂W| and the L2 norm ‖∂L/∂W‖ of its weights, averaged over each
    epoch's batches. Vanishing gradients show as early layers with far smaller values than late ones.

    As a callback: ``fit(..., callbacks=[recorder])``. In a hand-written loop: ``recorder.record(model)``
    after each ``backward()``, ``recorder.end_epoch()`` after each epoch. Only weight matrices are
    followed (one per layer) unless ``include_biases``.

    After training: ``layers`` (names), ``mean_abs[layer]`` and ``norms[layer]`` (one value per epoch),
    ``epochs``; ``plot()`` draws them on a log scale.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> model = nn.MLP(2, [4, 1], seed=0)
    >>> recorder = GradientRecorder()
    >>> model(Tensor(np.ones((3, 2)))).sum().backward()
    >>> recorder.record(model); recorder.end_epoch()
    >>> recorder.layers, len(recorder.norms["0"])
    (['0', '2'], 1)
    """

    def __init__(self, include_biases: bool = False) -> None:
        super().__init__()
        self.include_biases = bool(include_biases)
        self.layers: list[str] = []
        self.mean_abs: dict[str, list[float]] = {}
        self.norms: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        self._sums: dict[str, list[float]] = {}

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._sums = {}

    def record(self, model) -> None:
        """Add the gradients now in `model`'s parameters to this epoch's averages."""
        for name, p in model.named_parameters():
            if p.grad is None or p.is_scalar:
                continue
            if not self.include_biases and np.ndim(p.data) < 2:
                continue
            key = name if self.include_biases else _layer_of(name)
            grad = np.asarray(p.grad, dtype=np.float64)
            self.add_batches(key, float(np.mean(np.abs(grad))), float(np.sqrt(np.sum(grad * grad))), 1)

    def add_batches(self, layer: str, mean_abs_sum: float, norm_sum: float, batches: int) -> None:
        """Add `batches` batches' statistics for `layer` at once: the sums over them of mean |∂L/∂W| and of
        ‖∂L/∂W‖ (how the JAX backend hands over what it computed on the device, once per epoch).

        >>> recorder = GradientRecorder()
        >>> recorder.add_batches("0", mean_abs_sum=0.3, norm_sum=3.0, batches=3); recorder.end_epoch()
        >>> recorder.mean_abs["0"], recorder.norms["0"]
        ([0.1], [1.0])
        """
        sums = self._sums.setdefault(layer, [0.0, 0.0, 0])
        sums[0] += mean_abs_sum
        sums[1] += norm_sum
        sums[2] += batches
        if layer not in self.mean_abs:
            self.layers.append(layer)
            self.mean_abs[layer] = [math.nan] * len(self.epochs)
            self.norms[layer] = [math.nan] * len(self.epochs)

    def end_epoch(self, epoch: int | None = None) -> None:
        """Close the epoch: each layer's value is the mean over the batches recorded since the last call."""
        self.epochs.append(len(self.epochs) if epoch is None else int(epoch))
        for key in self.layers:
            total_abs, total_norm, count = self._sums.get(key, (0.0, 0.0, 0))
            self.mean_abs[key].append(total_abs / count if count else math.nan)
            self.norms[key].append(total_norm / count if count else math.nan)
        self._sums = {}

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.record(self.model)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.end_epoch(epoch)

    def as_array(self, statistic: str = "mean_abs") -> np.ndarray:
        """The values as an (epochs, layers) array, columns in ``layers`` order; statistic 'mean_abs' or 'norm'."""
        table = self._table(statistic)
        return np.array([table[key] for key in self.layers], dtype=np.float64).T.reshape(len(self.epochs), -1)

    def _table(self, statistic: str) -> dict[str, list[float]]:
        if statistic in ("mean_abs", "mean"):
            return self.mean_abs
        if statistic in ("norm", "norms", "l2"):
            return self.norms
        raise ValueError(f"GradientRecorder: statistic must be 'mean_abs' or 'norm', got {statistic!r}")

    def plot(self, statistic: str = "mean_abs", **kwargs):
        """Each layer's gradient size over the epochs, log scale (see :func:`gradviz.viz.plots.plot_gradient_norms`)."""
        from .viz.plots import plot_gradient_norms

        return plot_gradient_norms(self, statistic=statistic, **kwargs)

    def __repr__(self) -> str:
        return f"GradientRecorder({len(self.layers)} layers × {len(self.epochs)} epochs)"


class DecisionBoundaryRecorder(Callback):
    """Watch a 2-D classifier's decision boundary form: its outputs on a grid over `X`, before training
    (epoch 0) and after every `every` epochs. ``plot()`` draws the snapshots side by side
    (:func:`gradviz.viz.plots.plot_decision_boundary_frames`); ``frames[k]`` holds the raw outputs of
    snapshot k on ``points`` and ``epochs[k]`` its epoch.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> from gradviz.data import make_moons
    >>> X, y = make_moons(40, seed=0)
    >>> recorder = DecisionBoundaryRecorder(X, y, every=2, resolution=20)
    >>> model = keras.Sequential([keras.Dense(8, activation="relu"), keras.Dense(1, activation="sigmoid")], seed=0)
    >>> _ = model.compile("adam", "binary_crossentropy").fit(X, y, epochs=4, verbose=0, callbacks=[recorder])
    >>> recorder.epochs, recorder.frames[0].shape
    ([0, 2, 4], (400,))
    """

    def __init__(self, X, y=None, every: int = 1, resolution: int = 60, padding: float = 0.5) -> None:
        super().__init__()
        from .viz.plots import _points, boundary_grid

        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"DecisionBoundaryRecorder: every must be a positive number of epochs, got {every!r}")
        self.X, self.y = _points(X, y, "DecisionBoundaryRecorder")
        self.gx, self.gy, self.points = boundary_grid(self.X, resolution, padding)
        self.every = every
        self.frames: list[np.ndarray] = []
        self.epochs: list[int] = []
        self._offset = 0

    def add(self, model, epoch: int) -> None:
        """Snapshot `model` (a keras model, nn Module or function of (M, 2) points) now, labelled `epoch`."""
        from .viz.plots import model_scores

        if callable(getattr(model, "predict", None)) and callable(getattr(model, "compile", None)):
            scores = model_scores(lambda points: model.predict(points, verbose=0), self.points)  # no progress bar
        else:
            scores = model_scores(model, self.points)
        self.frames.append(scores)
        self.epochs.append(int(epoch))

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._offset = self.epochs[-1] if self.epochs else 0  # a second fit continues the count
        if not self.epochs:
            self.add(self.model, 0)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every == 0:
            self.add(self.model, self._offset + epoch + 1)

    def plot(self, **kwargs):
        """The snapshots side by side (see :func:`gradviz.viz.plots.plot_decision_boundary_frames`)."""
        from .viz.plots import plot_decision_boundary_frames

        return plot_decision_boundary_frames(self, **kwargs)

    def __repr__(self) -> str:
        return f"DecisionBoundaryRecorder({len(self.frames)} snapshots at epochs {self.epochs})"
