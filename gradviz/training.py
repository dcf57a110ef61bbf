"""The one training loop of ``Sequential.fit``, whatever the backend.

:func:`train` owns the epochs, the batches' order, the callbacks, validation, the History and what a
nan/inf loss does; a backend is a :class:`Runner` that only runs the batches of one epoch (numpy: step
by step; JAX: one scanned, compiled chunk, or batch by batch when a callback wants each batch) and
reports each batch's loss to the :class:`Epoch` it is handed.

>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
>>> X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0, 2.0])
>>> history = model.fit(X, y, epochs=3, batch_size=2, verbose=0, shuffle=False)
>>> len(history.history["loss"]), history.params["steps"]
(3, 2)
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from .callbacks import CallbackList
from .tensor import Tensor

__all__ = ["Epoch", "Runner", "NumpyRunner", "train"]


class Epoch:
    """One epoch as the loop hands it to a backend: the rows of each batch, and where each batch's loss goes.

    `order` is the epoch's permutation of the samples (None: in order); batch `b` is rows
    ``order[b·batch_size : (b+1)·batch_size]``. A backend calls :meth:`begin` before a batch, :meth:`loss`
    with its loss before the update (False: the loss is nan/inf, stop without updating), :meth:`end`
    after it; or, for batches run together, :meth:`losses` with all of their losses at once.

    >>> from gradviz.callbacks import CallbackList
    >>> epoch = Epoch(0, None, n=5, batch_size=2, callbacks=CallbackList([]), progress=Progress(0, 1, 3))
    >>> epoch.steps, epoch.rows(2), epoch.losses([0.5, float("nan"), 0.1]), epoch.bad
    (3, slice(4, 5, None), 1, (1, nan))
    """

    def __init__(self, index: int, order, n: int, batch_size: int, callbacks: CallbackList, progress) -> None:
        self.index = index
        self.order = order
        self.n = n
        self.batch_size = batch_size
        self.steps = -(-n // batch_size)
        self.callbacks = callbacks
        self.progress = progress
        self.total = 0.0
        self.seen = 0
        self.outputs: list[np.ndarray] = []  # the model's outputs, batch by batch, when metrics are compiled
        self.bad: tuple[int, float] | None = None  # (batch, loss) of the first nan/inf loss

    def rows(self, batch: int) -> slice:
        return slice(batch * self.batch_size, min((batch + 1) * self.batch_size, self.n))

    def size(self, batch: int) -> int:
        rows = self.rows(batch)
        return rows.stop - rows.start

    def samples(self, batch: int) -> np.ndarray:
        """The indices of the samples in `batch`."""
        rows = self.rows(batch)
        return np.arange(self.n)[rows] if self.order is None else self.order[rows]

    def begin(self, batch: int) -> None:
        self.callbacks.on_train_batch_begin(batch, {"batch": batch, "size": self.size(batch)})

    def loss(self, batch: int, value: float) -> bool:
        """Count one batch's loss; False (and nothing counted) when it is not finite: the backend stops there."""
        if not math.isfinite(value):
            self.bad = (batch, value)
            return False
        size = self.size(batch)
        self.total += value * size
        self.seen += size
        return True

    def end(self, batch: int, value: float) -> None:
        self.callbacks.on_train_batch_end(batch, {"batch": batch, "size": self.size(batch), "loss": value})
        self.progress.batch_done(self.total / self.seen)

    def losses(self, values) -> int:
        """Count the losses of batches 0, 1, … run together, up to the first nan/inf one; how many were finite."""
        for batch, value in enumerate(values):
            if not self.loss(batch, float(value)):
                return batch
        self.progress.batch_done(self.total / max(self.seen, 1), count=len(values))
        return len(values)


class Runner:
    """What a backend supplies to :func:`train`. Used as a context manager around the whole fit.

    >>> with Runner() as runner:
    ...     runner.begin(callbacks=[], batch_size=8)
    []
    """

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def begin(self, callbacks: CallbackList, batch_size: int) -> CallbackList:
        """Before the first epoch; returns the callbacks that get the per-batch hooks (default: all of them)."""
        return callbacks

    def run(self, epoch: Epoch) -> None:
        """Run every batch of `epoch`, reporting each loss; at a nan/inf loss stop, leaving the weights as they
        were before that batch."""
        raise NotImplementedError

    def end_epoch(self, epoch: Epoch) -> None:
        """After the batches of an epoch ran (the weights must be the model's from here on)."""

    def validate(self, X, Y, Y_metric) -> dict[str, float]:
        raise NotImplementedError


class NumpyRunner(Runner):
    """gradviz's own engine: one forward, backward and optimizer step per batch.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> X, y = np.ones((4, 1)), np.ones((4, 1))
    >>> history = model.fit(X, y, epochs=1, verbose=0)       # fit's runner on backend="numpy"
    >>> type(NumpyRunner(model, X, y)).__name__
    'NumpyRunner'
    """

    def __init__(self, model, X: np.ndarray, Y: np.ndarray) -> None:
        self.model, self.X, self.Y = model, X, Y

    def run(self, epoch: Epoch) -> None:
        model = self.model
        optimizer, dtype, metrics = model.optimizer, model._dtype(), bool(model._metric_names)
        if epoch.order is not None:  # one gather per epoch; the batches are then contiguous slices
            X, Y = self.X[epoch.order], self.Y[epoch.order]
        else:
            X, Y = self.X, self.Y
        for batch in range(epoch.steps):
            rows = epoch.rows(batch)
            xb = Tensor(X[rows], dtype=dtype)
            epoch.begin(batch)
            optimizer.zero_grad()
            with np.errstate(over="ignore", invalid="ignore"):  # a non-finite loss is reported by the loop, in words
                loss, out = model._loss_and_outputs(xb, Y[rows], with_outputs=metrics)
                value = float(loss.item())
                if not epoch.loss(batch, value):
                    return
                loss.backward()
            optimizer.step()
            if metrics:
                epoch.outputs.append(out)
            epoch.end(batch, value)

    def validate(self, X, Y, Y_metric) -> dict[str, float]:
        model = self.model
        model.eval()
        try:
            return model._evaluate_arrays(X, Y, Y_metric, batch_size=None)
        finally:
            model.train()


def train(
    model,
    runner: Runner,
    train: tuple[np.ndarray, np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    *,
    epochs: int,
    initial_epoch: int,
    batch_size: int,
    shuffle: bool,
    shuffle_rng: np.random.Generator,
    callbacks: CallbackList,
    progress: Progress,
):
    """The epochs of ``model.fit``: `train` and `validation` are (X, Y, Y for the metrics) as fit prepared
    them; returns the model's History (``Sequential.fit`` calls it after checking its arguments).

    >>> import numpy as np
    >>> from gradviz import keras
    >>> from gradviz.callbacks import CallbackList, History
    >>> model = keras.Sequential([keras.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> X = Y = np.ones((4, 1))
    >>> model.history = History()
    >>> model.stop_training = False
    >>> callbacks = CallbackList([model.history])
    >>> callbacks.set_model(model)
    >>> model(np.ones((1, 1))).shape
    (1, 1)
    >>> model.optimizer = model._make_optimizer()
    >>> history = train(model, NumpyRunner(model, X, Y), (X, Y, Y), None, epochs=2, initial_epoch=0, batch_size=2,
    ...                 shuffle=False, shuffle_rng=np.random.default_rng(0), callbacks=callbacks,
    ...                 progress=Progress(0, 2, 2))
    >>> len(history.history["loss"])
    2
    """
    X, _, Y_metric = train
    n = len(X)
    logs: dict[str, Any] = {}
    with runner:
        batch_hooks = runner.begin(callbacks, batch_size)
        model.train()
        callbacks.on_train_begin({})
        for index in range(initial_epoch, epochs):
            callbacks.on_epoch_begin(index, {})
            order = shuffle_rng.permutation(n) if shuffle else None
            progress.start_epoch(index)
            epoch = Epoch(index, order, n, batch_size, batch_hooks, progress)
            runner.run(epoch)
            if epoch.bad is not None:
                progress.close()
                batch, value = epoch.bad
                raise model._nan_error(value, index, batch, epoch.steps, Tensor(X[epoch.samples(batch)], dtype=X.dtype))
            runner.end_epoch(epoch)
            logs = model._logs(
                epoch.total / epoch.seen,
                Y_metric if order is None else Y_metric[order],
                epoch.outputs,
                None if validation is None else runner.validate(*validation),
            )
            callbacks.on_epoch_end(index, logs)
            progress.end_epoch(logs)
            if model.stop_training:
                break
    progress.close()
    model.eval()
    callbacks.on_train_end(logs)
    return model.history


class Progress:
    """fit's output: a tqdm bar per epoch (verbose=1 and tqdm installed), else one text line per epoch."""

    def __init__(self, verbose: int, epochs: int, steps: int) -> None:
        self.verbose, self.epochs, self.steps = int(verbose), int(epochs), steps
        self.bar = None
        self.tqdm = None
        if self.verbose == 1:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            self.tqdm = tqdm

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        if self.tqdm is not None:
            self.bar = self.tqdm(total=self.steps, desc=f"Epoch {epoch + 1}/{self.epochs}", unit="batch", leave=True)

    def batch_done(self, running_loss: float, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)
            self.bar.set_postfix_str(f"loss: {running_loss:.4f}", refresh=False)

    def end_epoch(self, logs: dict[str, float]) -> None:
        text = " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
        if self.bar is not None:
            self.bar.set_postfix_str(text)
            self.bar.close()
            self.bar = None
        elif self.verbose:
            print(f"Epoch {self.epoch + 1}/{self.epochs} - {self.steps}/{self.steps} batches - {text}", file=sys.stdout)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
