"""The one training loop of ``Sequential.fit``, whatever the backend, and Keras' progress bar.

:func:`train` owns the epochs, the batches' order, the callbacks, validation, the History and what a
nan/inf loss does; a backend is a :class:`Runner` that only runs the batches of one epoch (numpy: step
by step; JAX: one scanned, compiled chunk, or batch by batch when a callback wants each batch) and
reports each batch's loss to the :class:`Epoch` it is handed. :class:`ProgressBar` is Keras' progress bar
(``verbose=1``: a bar per epoch, ``verbose=2``: one line per epoch), drawn with tqdm when it is installed.

>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.layers.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
>>> X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0, 2.0])
>>> history = model.fit(X, y, batch_size=2, epochs=3, verbose=0, shuffle=False)
>>> len(history.history["loss"]), history.params["steps"]
(3, 2)
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .callbacks import Callback, CallbackList
from .errors import GradvizWarning
from .tensor import Tensor

__all__ = [
    "Epoch",
    "Runner",
    "NumpyRunner",
    "train",
    "sync",
    "running",
    "Fit",
    "Checkpoint",
    "Progress",
    "ProgressBar",
    "NAN_POLICIES",
    "TRAINING_FORMAT",
    "wants_batches",
    "GATHER_BYTES",
    "Stream",
    "StreamEpoch",
    "is_batches",
]

NAN_POLICIES = ("continue", "stop", "raise")
"""What fit does at a nan/inf loss: 'continue' (Keras' default: train on, every later loss nan; gradviz warns
once, naming the layer), 'stop' (``TerminateOnNaN()``: end before that batch's update) and 'raise'
(``TerminateOnNaN(raise_error=True)``: :class:`gradviz.keras.NonFiniteLossError`).

>>> from gradviz.keras.callbacks import TerminateOnNaN
>>> NAN_POLICIES, nan_policy([TerminateOnNaN(raise_error=True)])
(('continue', 'stop', 'raise'), 'raise')
"""


def nan_policy(callbacks) -> str:
    """The nan policy the callbacks ask for: 'raise' or 'stop' with a TerminateOnNaN, else 'continue'."""
    from .callbacks import TerminateOnNaN

    policy = "continue"
    for callback in callbacks:
        if isinstance(callback, TerminateOnNaN):
            policy = "raise" if callback.raise_error else ("stop" if policy == "continue" else policy)
    return policy


_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")


def wants_batches(callback: Callback) -> bool:
    """Whether `callback` does something per training batch: a batch hook of its class's own, or one set on it (as
    LambdaCallback sets them). Only those are called batch by batch; the others' batch hooks do nothing.

    >>> from gradviz.callbacks import History, LambdaCallback, TerminateOnNaN
    >>> wants_batches(History()), wants_batches(LambdaCallback(on_batch_end=print)), wants_batches(TerminateOnNaN())
    (False, True, False)
    """
    kind, own = type(callback), getattr(callback, "__dict__", {})
    return any(getattr(kind, hook) is not getattr(Callback, hook) or hook in own for hook in _BATCH_HOOKS)


class Epoch:
    """One epoch as the loop hands it to a backend: the rows of each batch, and where each batch's loss goes.

    `order` is the epoch's permutation of the samples (None: in order); batch `b` is rows
    ``order[b·batch_size : (b+1)·batch_size]``; batches `first` … `steps` − 1 are run (`first` is 0, or the batch a
    resumed checkpoint stopped before; `steps` is all of them unless fit's steps_per_epoch says fewer). A backend
    calls :meth:`begin` before a batch, :meth:`loss` with its loss before the update (False: stop there without
    updating), :meth:`end` after it; or, for batches run together, :meth:`losses` with all of their losses at once.
    `policy` is the nan policy (:data:`NAN_POLICIES`). ``next`` is the batch to run next; `step` counts the
    batches of earlier epochs (the global step is ``step + next``).

    >>> from gradviz.callbacks import CallbackList
    >>> epoch = Epoch(0, None, n=5, batch_size=2, callbacks=CallbackList([]), progress=Progress(0, 1, 3),
    ...               policy="stop")
    >>> epoch.steps, epoch.rows(2), epoch.losses([0.5, float("nan"), 0.1]), epoch.bad
    (3, slice(4, 5, None), 1, (1, nan))
    >>> Epoch(1, None, n=5, batch_size=2, callbacks=CallbackList([]), progress=Progress(0, 2, 3), first=2).next
    2
    """

    def __init__(
        self,
        index: int,
        order,
        n: int,
        batch_size: int,
        callbacks: CallbackList,
        progress,
        *,
        steps: int | None = None,
        policy: str = "continue",
        on_bad: Callable[[int, float], None] | None = None,
        first: int = 0,
        step: int = 0,
    ) -> None:
        self.index = index
        self.order = order
        self.n = n
        self.batch_size = batch_size
        self.steps = -(-n // batch_size) if steps is None else int(steps)
        self.callbacks = callbacks
        self.hooked = bool(callbacks.callbacks)  # no callback with a batch hook: begin and end build no logs
        self.progress = progress
        self.policy = policy
        self.on_bad = on_bad
        self.first = int(first)
        self.next = self.first  # the batch to run next: once batch b's loss is counted, b + 1
        self.step = int(step)
        self.total = 0.0
        self.seen = 0
        self.batch_losses: list[float] = []  # the losses counted so far (what a checkpoint keeps of the epoch)
        self.outputs: list[np.ndarray] = []  # the model's outputs, batch by batch, when metrics are compiled
        self.tally: np.ndarray | None = None  # or the metrics' sums over the first batches (gradviz.keras._tally)
        self.bad: tuple[int, float] | None = None  # (batch, loss) of the first nan/inf loss

    def rows(self, batch: int) -> slice:
        return slice(batch * self.batch_size, min((batch + 1) * self.batch_size, self.n))

    def size(self, batch: int) -> int:
        return min(self.batch_size, self.n - batch * self.batch_size)

    def samples(self, batch: int) -> np.ndarray:
        """The indices of the samples in `batch`."""
        rows = self.rows(batch)
        return np.arange(self.n)[rows] if self.order is None else self.order[rows]

    def begin(self, batch: int) -> None:
        if self.hooked:
            self.callbacks.on_train_batch_begin(batch, {"batch": batch, "size": self.size(batch)})

    def loss(self, batch: int, value: float) -> bool:
        """Count one batch's loss. A nan/inf one is remembered (the first, in ``bad``); under the 'stop' and
        'raise' policies it is not counted and False says to stop there, before the update."""
        if not math.isfinite(value):
            if self.bad is None:
                self.bad = (batch, value)
                if self.on_bad is not None:
                    self.on_bad(batch, value)
            if self.policy != "continue":
                return False
        size = self.size(batch)
        self.total += value * size
        self.seen += size
        self.batch_losses.append(value)
        self.next = batch + 1
        return True

    def end(self, batch: int, value: float, count: int = 1) -> None:
        """After `batch` (the last of `count` batches run together, as with Keras' steps_per_execution)."""
        if self.hooked:
            self.callbacks.on_train_batch_end(batch, {"batch": batch, "size": self.size(batch), "loss": value})
        self.progress.batch_done(self, count)

    def losses(self, values) -> int:
        """Count the losses of batches `first`, `first` + 1, … run together; how many were counted (all of them,
        unless a nan/inf one stops the epoch under the 'stop' or 'raise' policy)."""
        for counted, value in enumerate(values):
            if not self.loss(self.first + counted, float(value)):
                return counted
        self.progress.batch_done(self, len(values))
        return len(values)


# -- fit's input as batches --------------------------------------------------------------------------------


def is_batches(x) -> bool:
    """Whether fit's `x` is batches rather than one array: an iterator (a generator), or an iterable that is not
    array data (a :class:`gradviz.data.DataLoader`, a ``keras.utils.PyDataset``, a PyTorch DataLoader), or a list
    whose items are (x, y) pairs of arrays.

    >>> import numpy as np
    >>> from gradviz.data import DataLoader
    >>> X = np.zeros((4, 2))
    >>> is_batches(X), is_batches([[1.0, 2.0]]), is_batches(DataLoader(X, np.ones(4), 2)), is_batches(iter([]))
    (False, False, True, True)
    >>> is_batches([(X, np.ones(4))]), is_batches([(1.0, 2.0)]), is_batches([[[0.0, 1.0], [1.0, 0.0]]])
    (True, False, False)
    """
    if isinstance(x, Iterator):
        return True
    if x is None or isinstance(x, (np.ndarray, str, bytes, dict, Tensor)) or np.isscalar(x):
        return False
    if hasattr(x, "__array__") or hasattr(x, "__array_interface__"):
        return False  # a torch or jax array, a pandas frame: array data
    if isinstance(x, (list, tuple)):
        first = x[0] if len(x) else None  # batches are pairs of arrays; nested lists of numbers are array data
        return isinstance(first, (tuple, list)) and len(first) in (2, 3) and len(getattr(first[0], "shape", ())) >= 1
    return hasattr(x, "__iter__")


class Stream:
    """fit's input given as batches: `data` yields ``(x, y)`` or ``(x, y, sample_weight)`` per batch (as Keras 3
    reads a generator or a PyDataset, and as :class:`gradviz.data.DataLoader` gives them).

    An iterator (a generator) is one stream of batches: each epoch goes on where the last one stopped, so give
    fit ``steps_per_epoch`` (else the first epoch takes every batch and the next one finds none). Any other
    iterable is a pass per epoch (a DataLoader reshuffles itself) — with ``steps_per_epoch``, as in Keras, each
    epoch goes on in the current pass and a new pass begins once one is used up; its ``on_epoch_begin()`` and
    ``on_epoch_end()``, when it has them (Keras' PyDataset), are called around each epoch. The first batch is
    read when the Stream is made (it builds the model) and is the first batch trained on.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> stream = Stream(model, [(np.ones((3, 2)), np.ones(3)), (np.ones((1, 2)), np.ones(1))])
    >>> stream.steps, [len(x) for x, *_ in stream.epoch()], stream.once
    (2, [3, 1], False)
    """

    def __init__(self, model, data, *, class_weight: dict | None = None, where: str = "fit") -> None:
        self.model, self.data, self.class_weight, self.where = model, data, class_weight, where
        self.once = isinstance(data, Iterator)
        self.steps = self.length(data)  # batches in one pass, where the data says (len)
        self._pass = iter(data)  # the pass under way (an iterator's only one), and how many batches it has given
        self._given = 0
        try:
            first = next(self._pass)
        except StopIteration:
            raise ValueError(
                f"{where}: the batches given as x are empty (the iterator yielded nothing); give at least one "
                "(x, y) batch"
            ) from None
        self._pending: list = [first]  # read ahead (to build the model): the first batch of the first epoch
        self.first_inputs = self._x(first, 0)

    def _parts(self, item, batch: int) -> tuple:
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            from .keras._checks import InputError

            kind = (
                f"a {len(item)}-item {type(item).__name__}" if isinstance(item, (tuple, list)) else type(item).__name__
            )
            raise InputError(
                f"{self.where}: batch {batch + 1} of x is {kind}; each batch must be a pair (x, y) or a triple "
                "(x, y, sample_weight), as DataLoader(X, y) gives them (a model needs targets to train on)",
                argument="x",
            )
        return tuple(item)

    def _x(self, item, batch: int) -> np.ndarray:
        return self.model._inputs(self._parts(item, batch)[0], f"{self.where} (batch {batch + 1} of x)")

    def prepare(self, item, batch: int) -> tuple:
        """One batch as the runners train on it: (X, Y for the loss, Y for the metrics, weights or None)."""
        parts = self._parts(item, batch)
        where = f"{self.where} (batch {batch + 1} of x)"
        model = self.model
        X = model._inputs(parts[0], where)
        Y, Y_metric = model._targets(parts[1], len(X), where)
        given = parts[2] if len(parts) == 3 else None
        W = model._sample_weights(given, self.class_weight, Y_metric, len(X), where)
        return X, Y, Y_metric, W

    def epoch(self, skip: int = 0) -> Iterator[tuple]:
        """The raw batches of one pass (validation's, evaluate's), after `skip` of them (drawn and dropped)."""
        return self.start(skip=skip)[1]

    def start(self, keep_going: bool = False, skip: int = 0) -> tuple[int, Iterator[tuple]]:
        """The next epoch: (how many batches of its pass came before it, its raw batches after `skip` of them —
        drawn and dropped: a resumed epoch's). `keep_going` (fit's steps_per_epoch): a re-iterable's epoch goes on
        in the pass under way, as in Keras, and a new pass begins once one is used up."""
        if not self.once and callable(getattr(self.data, "on_epoch_begin", None)):
            self.data.on_epoch_begin()
        going_on = keep_going and (self.steps is None or self._given < self.steps)  # (a new pass if it is used up)
        if not (self.once or self._pending or going_on):
            self._pass, self._given = iter(self.data), 0
        return self._given, self._batches(skip, fresh=keep_going and not self.once)

    def _batches(self, skip: int, fresh: bool = False) -> Iterator[tuple]:
        """The pass under way's batches from here, after `skip` of them; `fresh`: a new pass when it is used up
        at the start. next() by hand, not `yield from`: when an epoch ends early this generator is closed, and
        `yield from` would close the user's iterator with it (the next epoch would find it empty)."""
        end = object()
        for _ in range(skip):
            if self._pending:
                self._pending.pop()
            elif next(self._pass, end) is end:  # the input ended while skipping
                return
            self._given += 1
        first = True
        while True:
            if self._pending:
                item = self._pending.pop()
            else:
                item = next(self._pass, end)
                if item is end and first and fresh and self._given:  # the pass was used up: a new one
                    self._pass, self._given = iter(self.data), 0
                    item = next(self._pass, end)
                if item is end:
                    return
            first = False
            self._given += 1
            yield item

    def end_epoch(self) -> None:
        if not self.once and callable(getattr(self.data, "on_epoch_end", None)):
            self.data.on_epoch_end()

    @staticmethod
    def length(data) -> int | None:
        """How many batches one pass over `data` gives, where it says (``len``); None for an iterator."""
        if isinstance(data, Iterator):
            return None
        try:
            return int(len(data))
        except TypeError:
            return None


class StreamEpoch(Epoch):
    """An :class:`Epoch` of a :class:`Stream`: the batches come as they come (their sizes are known once drawn);
    :meth:`draw` prepares them one by one, up to `limit` (fit's steps_per_epoch) or the end of the input, and
    each counted batch's targets are kept for the metrics. ``exhausted`` says the input ended before the limit,
    or gave no batch at all (Keras: "Your input ran out of data").

    >>> import numpy as np
    >>> from gradviz import keras
    >>> from gradviz.callbacks import CallbackList
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> stream = Stream(model, iter([(np.ones((3, 2)), np.ones(3)), (np.ones((2, 2)), np.ones(2))]))
    >>> epoch = StreamEpoch(0, stream, CallbackList([]), Progress(0, 1, None), limit=4)
    >>> [(batch, len(X)) for batch, X, _, _ in epoch.draw()], epoch.exhausted
    ([(0, 3), (1, 2)], True)
    """

    _END = object()

    def __init__(self, index: int, stream: Stream, callbacks: CallbackList, progress, *, limit: int | None,
                 policy: str = "continue", first: int = 0, step: int = 0, pass_start: int | None = None) -> None:  # fmt: skip
        steps = limit if limit is not None else (stream.steps or 0)
        super().__init__(index, None, 0, 1, callbacks, progress, steps=steps, policy=policy, first=first, step=step)
        self.stream, self.limit = stream, limit
        self.sizes: dict[int, int] = {}
        self.drawn: dict[int, np.ndarray] = {}  # the targets of batches drawn, until their loss is counted
        self.targets: list[np.ndarray] = []  # the counted batches' targets, in order (what the metrics compare)
        self.inputs: dict[int, np.ndarray] = {}  # the inputs of batches drawn, until counted (a nan is explained)
        self.exhausted = False
        # with steps_per_epoch a re-iterable's epochs go on in one pass: where in it this one starts (a checkpoint
        # keeps it, so that a resumed run — a fresh pass — skips to the same batch)
        before, self._raw = stream.start(keep_going=limit is not None, skip=(pass_start or 0) + first)
        self.pass_start = before if pass_start is None else pass_start

    def size(self, batch: int) -> int:
        return self.sizes[batch]

    def samples(self, batch: int) -> np.ndarray:
        raise TypeError("a stream's batches are not rows of one array")

    def loss(self, batch: int, value: float) -> bool:
        counted = super().loss(batch, value)
        if counted:
            self.targets.append(self.drawn.pop(batch))
            self.inputs.pop(batch, None)
        return counted

    def draw(self) -> Iterator[tuple]:
        """(batch, X, Y, W) for batches `first`, `first` + 1, …: up to `limit`, or to the end of the input."""
        batch = self.first
        while self.limit is None or batch < self.limit:
            item = next(self._raw, self._END)
            if item is self._END:
                break
            X, Y, Y_metric, W = self.stream.prepare(item, batch)
            self.sizes[batch] = len(X)
            self.drawn[batch] = Y_metric
            self.inputs[batch] = X
            yield batch, X, Y, W
            batch += 1
        if self.limit is None:
            self.steps = batch
        self.exhausted = batch < (self.limit if self.limit is not None else 1)


class Runner:
    """What a backend supplies to :func:`train`. Used as a context manager around the whole fit.

    >>> with Runner() as runner:
    ...     runner.begin(callbacks=[], batch_size=8), runner.samples(10)
    ([], 10)
    """

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def begin(self, callbacks: CallbackList, batch_size: int) -> CallbackList:
        """Before the first epoch; returns the callbacks that get the per-batch hooks (default: all of them)."""
        return callbacks

    def samples(self, n: int) -> int:
        """How many training samples the epochs go over, given the `n` this process holds (all of them here; the
        JAX backend's count over every process when each holds only its own)."""
        return n

    def gather(self, array: np.ndarray) -> np.ndarray:
        """`array` (one row per training sample this process holds) for every sample, in the epochs' numbering:
        what the epoch's metrics compare the outputs with (here: `array` itself)."""
        return array

    def reload(self) -> None:
        """After :meth:`begin`, a checkpoint was restored into the model: take its weights and optimizer state (and
        anything else the backend keeps apart from the model) from there. Nothing to do on numpy."""

    def sync(self) -> None:
        """Bring the weights and the optimizer's state into the numpy model now (a checkpoint is about to read
        them): nothing to do where the model trains in place, as here."""

    def run(self, epoch: Epoch) -> None:
        """Run batches ``epoch.first`` … ``epoch.steps - 1`` of `epoch`, reporting each loss; where
        :meth:`Epoch.loss` says False, stop, leaving the weights as they were before that batch."""
        raise NotImplementedError

    def end_epoch(self, epoch: Epoch) -> None:
        """After the batches of an epoch ran (the weights must be the model's from here on)."""

    def validate(self, X, Y, Y_metric) -> dict[str, float]:
        raise NotImplementedError

    def evaluate_batch(self, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None) -> tuple[float, np.ndarray | None]:
        """One validation batch: its mean loss and the outputs the metrics read (None without metrics)."""
        raise NotImplementedError

    def validate_batches(self, stream: Stream) -> dict[str, float]:
        """The loss and metrics on validation batches (fit's validation_data given as batches): batch by batch
        through :meth:`evaluate_batch` (the JAX backend joins every process's batches when each has its own)."""
        return validate_stream(self.model, self, stream)


class NumpyRunner(Runner):
    """gradviz's own engine: one forward, backward and optimizer step per batch; `W` (optional) holds each
    sample's weight in the loss (fit's sample_weight / class_weight).

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> X, y = np.ones((4, 1)), np.ones((4, 1))
    >>> history = model.fit(X, y, epochs=1, verbose=0)       # fit's runner on backend="numpy"
    >>> type(NumpyRunner(model, X, y)).__name__
    'NumpyRunner'
    """

    def __init__(self, model, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None = None) -> None:
        self.model, self.X, self.Y, self.W = model, X, Y, W

    def begin(self, callbacks: CallbackList, batch_size: int) -> CallbackList:
        """The callbacks with a batch hook of their own (:func:`wants_batches`): the only ones called per batch."""
        return CallbackList([callback for callback in callbacks.callbacks if wants_batches(callback)])

    def run(self, epoch: Epoch) -> None:
        self._metrics, self._dtype = bool(self.model._metric_list), self.model._dtype()  # per epoch, not per batch
        if isinstance(epoch, StreamEpoch):
            for batch, xb, yb, wb in epoch.draw():
                if not self._step(epoch, batch, xb, yb, wb):
                    return
            return
        X, Y, W, order = self.X, self.Y, self.W, epoch.order
        # a shuffled epoch is gathered a few MiB at a time, not all at once: a whole-epoch copy of a large X is a
        # fresh mapping the kernel has to fault in and zero (on a busy machine, after another process ran, a third
        # of the epoch's time), while a chunk's memory is reused from one chunk to the next
        size = epoch.batch_size
        chunk = max(1, GATHER_BYTES // max(1, size * X[:1].nbytes)) * size
        X_chunk = Y_chunk = W_chunk = None
        offset = 0
        for batch in range(epoch.first, epoch.steps):
            rows = epoch.rows(batch)
            if order is not None:
                if X_chunk is None or rows.stop - offset > len(X_chunk):
                    offset = rows.start
                    taken = order[offset : min(offset + chunk, epoch.steps * size)]
                    X_chunk, Y_chunk = X.take(taken, axis=0), Y.take(taken, axis=0)
                    W_chunk = None if W is None else W.take(taken, axis=0)
                rows = slice(rows.start - offset, rows.stop - offset)
                xb, yb, wb = X_chunk[rows], Y_chunk[rows], None if W_chunk is None else W_chunk[rows]
            else:
                xb, yb, wb = X[rows], Y[rows], None if W is None else W[rows]
            if not self._step(epoch, batch, xb, yb, wb):
                return

    def _step(self, epoch: Epoch, batch: int, xb: np.ndarray, yb: np.ndarray, wb: np.ndarray | None) -> bool:
        """One batch: forward, loss, backward, the optimizer's step; False: stop the epoch (a nan/inf loss under
        the stop/raise policy, before the update, or a callback's stop_training, after it)."""
        model, metrics = self.model, self._metrics
        xb = Tensor(xb, dtype=self._dtype)
        epoch.begin(batch)
        model.optimizer.zero_grad()
        with np.errstate(all="ignore"):  # a non-finite loss is reported by the loop, in words
            loss, out = model._loss_and_outputs(xb, yb, with_outputs=metrics, sample_weight=wb)
            value = float(loss.item())
            if not epoch.loss(batch, value):
                return False
            loss.backward()
            model.optimizer.step()
        if metrics:
            epoch.outputs.append(out)
        epoch.end(batch, value)
        return not model.stop_training  # a callback asked for it during the epoch: stop after this batch, as Keras

    def evaluate_batch(self, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None) -> tuple[float, np.ndarray | None]:
        from .context import no_grad

        model = self.model
        model.eval()
        try:
            with no_grad(), np.errstate(all="ignore"):
                loss, out = model._loss_and_outputs(
                    Tensor(X, dtype=model._dtype()), Y, with_outputs=bool(model._metric_names), sample_weight=W
                )
            return float(loss.item()), out
        finally:
            model.train()

    def validate(self, X, Y, Y_metric, W=None, batch_size: int | None = None) -> dict[str, float]:
        model = self.model
        model.eval()
        try:
            return model._evaluate_arrays(X, Y, Y_metric, batch_size=batch_size, sample_weight=W)
        finally:
            model.train()


# -- the running fit, checkpoints and resuming ------------------------------------------------------------

GATHER_BYTES = 8 << 20
"""How many bytes of a shuffled epoch's inputs the numpy backend gathers at a time (whole batches, at least one).

>>> GATHER_BYTES // 2**20
8
"""

TRAINING_FORMAT = "gradviz.training/1"
"""The format name of a training checkpoint's ``training.json`` (the member a .keras file written during fit adds).

>>> TRAINING_FORMAT
'gradviz.training/1'
"""


def running(model) -> Fit | None:
    """The fit running on `model` (``model._fit`` while :func:`train` runs), or None.

    >>> from gradviz import keras
    >>> running(keras.Sequential([keras.layers.Dense(1, input_dim=1)])) is None
    True
    """
    fit = getattr(model, "_fit", None)
    return fit if isinstance(fit, Fit) else None


def sync(model) -> None:
    """Bring the weights and the optimizer's state of the fit running on `model` into the numpy model now (the JAX
    backend keeps them on the devices between epochs); nothing outside a fit or on the numpy backend. Every
    checkpoint calls it before it reads the model.

    >>> from gradviz import keras
    >>> sync(keras.Sequential([keras.layers.Dense(1, input_dim=1)]))   # no fit running: nothing to do
    """
    fit = running(model)
    if fit is not None:
        fit.runner.sync()


def generators(model) -> dict[str, np.random.Generator]:
    """The random generators training draws from besides the shuffle's: gradviz.nn's own (``nn.manual_seed``'s,
    which a layer without a seed draws from, e.g. an unseeded Dropout) as "gradviz.nn", and each layer's own (a
    seeded Dropout) by the layer's name.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(2, input_dim=1), keras.layers.Dropout(0.5, seed=0)])
    >>> sorted(generators(model))
    ['gradviz.nn', 'layer:dropout']
    """
    from .nn.init import default_rng

    found = {"gradviz.nn": default_rng()}
    for name, module in model.named_modules():
        rng = vars(module).get("_rng")
        if isinstance(rng, np.random.Generator):
            found[f"layer:{name}"] = rng
    return found


def _floats(values) -> list:
    return [float(v) if np.ndim(v) == 0 else np.asarray(v).tolist() for v in values]


class Fit:
    """The fit that is running, as a checkpoint reads it: ``model._fit`` while :func:`train` runs (None after).

    `runner` is the backend's; `index` the epoch under way; `phase` 'begin' (its order not drawn yet), 'batches'
    (`epoch` is its :class:`Epoch`) or 'end' (its logs are made: on_epoch_end and after); `shuffle_state` the
    shuffle generator's state when the epoch's order was drawn; `step` the batches run before this epoch (over
    every fit that led here); `resume` the :class:`Checkpoint` being resumed, until its epoch starts.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> from gradviz.callbacks import LambdaCallback
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    >>> seen = []
    >>> where = LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(running(model).snapshot()[0]["position"]))
    >>> _ = model.fit(np.ones((4, 1)), np.ones(4), batch_size=2, epochs=1, verbose=0, callbacks=[where])
    >>> seen[-1]
    {'epoch': 0, 'batch': 2, 'step': 2, 'order_drawn': True}
    """

    def __init__(
        self,
        model,
        runner: Runner,
        *,
        n: int,
        batch_size: int,
        steps: int,
        shuffle: bool,
        shuffle_rng: np.random.Generator,
        initial_epoch: int = 0,
        resume: Checkpoint | None = None,
        limit: int | None = None,
    ) -> None:
        self.model, self.runner = model, runner
        self.limit = limit  # fit's steps_per_epoch (a stream's epochs end there, or where the input ends)
        self.stream: Stream | None = None  # fit's x when it is batches
        self.n, self.batch_size, self.steps, self.shuffle, self.shuffle_rng = n, batch_size, steps, shuffle, shuffle_rng
        self.index = initial_epoch
        self.phase = "begin"
        self.epoch: Epoch | None = None
        self.shuffle_state: dict | None = None
        self.step = 0
        self.logs: dict | None = None
        self.resume = resume

    def data(self) -> dict[str, Any]:
        """What a checkpoint written mid-epoch must find again to go on: the samples, batches and shuffle."""
        if self.n is None:  # a stream of batches: its batches, in its order
            return {"samples": None, "batch_size": None, "steps": self.steps, "shuffle": False, "stream": True}
        return {"samples": self.n, "batch_size": self.batch_size, "steps": self.steps, "shuffle": self.shuffle}

    def snapshot(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The training state of this moment, as a checkpoint keeps it: (a JSON-ready dict, arrays): where the run
        is, the generators, the History so far, the epoch's partial results and the optimizer's count."""
        model, epoch = self.model, self.epoch
        resume = self.resume
        if self.phase == "begin" and resume is not None and resume.epoch == self.index:
            return resume.state, resume.arrays  # its epoch has not started: the model is still the checkpoint's
        history = model.history
        saved = {"history": {key: _floats(values) for key, values in history.history.items()},
                 "epoch": [int(e) for e in history.epoch]}  # fmt: skip
        arrays: dict[str, np.ndarray] = {}
        partial = None
        current = self.shuffle_rng.bit_generator.state
        if self.phase == "batches" and epoch is not None:
            position = {"epoch": self.index, "batch": epoch.next, "step": epoch.step + epoch.next, "order_drawn": True}
            if isinstance(epoch, StreamEpoch):
                position["pass_start"] = epoch.pass_start
            shuffle_state = self.shuffle_state
            partial = {"total": float(epoch.total), "seen": int(epoch.seen),
                       "bad": None if epoch.bad is None else [int(epoch.bad[0]), float(epoch.bad[1])]}  # fmt: skip
            arrays["losses"] = np.asarray(epoch.batch_losses, dtype=np.float64)
            if epoch.outputs:
                arrays["outputs"] = np.concatenate(epoch.outputs)
            if epoch.tally is not None:
                arrays["tally"] = np.asarray(epoch.tally)
            if isinstance(epoch, StreamEpoch) and epoch.targets:
                arrays["targets"] = np.concatenate(epoch.targets)
        elif self.phase == "end" and epoch is not None:
            position = {"epoch": self.index + 1, "batch": 0, "step": epoch.step + epoch.next, "order_drawn": False}
            shuffle_state = current
            if self.logs is not None and (not saved["epoch"] or saved["epoch"][-1] != self.index):
                # the History hears of this epoch after the callbacks before it (it is the last): add its logs
                for key in {*saved["history"], *self.logs}:
                    column = saved["history"].setdefault(key, [math.nan] * len(saved["epoch"]))
                    value = self.logs.get(key, math.nan)
                    column.append(float(value) if np.ndim(value) == 0 else np.asarray(value).tolist())
                saved["epoch"].append(self.index)
        else:
            position = {"epoch": self.index, "batch": 0, "step": self.step, "order_drawn": False}
            shuffle_state = current
        optimizer = model.optimizer
        state = {
            "format": TRAINING_FORMAT,
            "position": position,
            "data": self.data(),
            "shuffle_rng": shuffle_state,
            "generators": {name: rng.bit_generator.state for name, rng in generators(model).items()},
            "jax_dropout_seed": getattr(model, "_jax_dropout_seed", None),  # the jax backend's dropout key
            "history": saved,
            "epoch": partial,
            "optimizer": None
            if optimizer is None
            else {
                "class_name": type(optimizer).__name__,
                "parameters": len(optimizer.parameters()),
                "param_groups": [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups],
                "iterations": int(getattr(optimizer, "_iterations", 0)),
            },
        }
        return state, arrays


class Checkpoint:
    """A training checkpoint read back (``training.json`` and its arrays): where the run was — ``epoch``, ``batch``
    (the next to run in it), ``step`` —, its generators' states, its History and its epoch's partial results.
    :func:`gradviz.keras.saving.load_checkpoint` makes one (after loading the weights and the optimizer); :func:`train`
    continues from it.

    >>> state = {"format": TRAINING_FORMAT, "position": {"epoch": 2, "batch": 1, "step": 9, "order_drawn": True},
    ...          "data": {"samples": 10, "batch_size": 3, "steps": 4, "shuffle": True}}
    >>> checkpoint = Checkpoint(state, {})
    >>> checkpoint.epoch, checkpoint.batch, checkpoint.step
    (2, 1, 9)
    """

    def __init__(self, state: dict, arrays: dict[str, np.ndarray], path: str = "the checkpoint") -> None:
        if not isinstance(state, dict) or state.get("format") != TRAINING_FORMAT:
            raise ValueError(f"{path}: its training.json is not a gradviz training checkpoint ({TRAINING_FORMAT})")
        try:
            position = state["position"]
            self.epoch, self.batch, self.step = int(position["epoch"]), int(position["batch"]), int(position["step"])
            self.order_drawn = bool(position.get("order_drawn", False))
            self.pass_start = position.get("pass_start")  # a stream's: batches of its pass before the epoch
            self.data = dict(state["data"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: its training.json lacks the run's position ({error})") from None
        self.state, self.arrays, self.path = state, arrays, path
        self.shuffle_state = state.get("shuffle_rng")

    def check(self, fit: Fit) -> None:
        """Refuse to continue in the middle of an epoch with other data or batches: the batches left would not be
        the ones the checkpoint's run had left."""
        if self.batch == 0 and not self.order_drawn:
            return  # at an epoch's start: like Keras' BackupAndRestore, any data may follow
        now = fit.data()
        different = [f"{key} {self.data.get(key)!r} then, {value!r} now" for key, value in now.items()
                     if self.data.get(key) != value]  # fmt: skip
        if not different and fit.stream is not None and fit.stream.once:
            raise ValueError(
                f"fit: {self.path} stopped in the middle of epoch {self.epoch + 1} (before batch {self.batch + 1}), "
                "and x is an iterator: gradviz cannot tell which of its batches were run. Pass an iterable each pass "
                "of which is an epoch (a list of batches, a gradviz.data.DataLoader with a seed, a "
                "keras.utils.PyDataset): the batches run are then drawn again and skipped; or resume from a "
                "checkpoint written at the end of an epoch"
            )
        if different:
            raise ValueError(
                f"fit: {self.path} stopped in the middle of epoch {self.epoch + 1} (before batch {self.batch + 1}), "
                f"but this fit's data differ: {'; '.join(different)}. Resume with the same x, y, batch_size, "
                "steps_per_epoch and shuffle, or from a checkpoint written at the end of an epoch"
            )

    def restore_generators(self, model) -> None:
        """Put the model's generators (:func:`generators`) back as they were when the checkpoint was written."""
        saved = self.state.get("generators") or {}
        for name, rng in generators(model).items():
            if name in saved:
                rng.bit_generator.state = saved[name]
        if self.state.get("jax_dropout_seed") is not None:
            object.__setattr__(model, "_jax_dropout_seed", int(self.state["jax_dropout_seed"]))

    def restore_history(self, history) -> None:
        saved = self.state.get("history") or {}
        history.history = {key: list(values) for key, values in (saved.get("history") or {}).items()}
        history.epoch = [int(e) for e in saved.get("epoch") or []]

    def fill(self, epoch: Epoch) -> None:
        """Give the resumed `epoch` the results of the batches run before the checkpoint: its losses (so its mean)
        and the model's outputs (so its metrics) come out as in the run that was not interrupted."""
        partial = self.state.get("epoch")
        if not partial or not self.order_drawn:
            return
        epoch.total, epoch.seen = float(partial["total"]), int(partial["seen"])
        epoch.batch_losses = [float(v) for v in self.arrays.get("losses", ())]
        epoch.bad = None if partial.get("bad") is None else (int(partial["bad"][0]), float(partial["bad"][1]))
        if "outputs" in self.arrays:
            epoch.outputs = [np.asarray(self.arrays["outputs"])]
        if "tally" in self.arrays:
            epoch.tally = np.asarray(self.arrays["tally"])
        if isinstance(epoch, StreamEpoch) and "targets" in self.arrays:
            epoch.targets = [np.asarray(self.arrays["targets"])]


def train(
    model,
    runner: Runner,
    train: tuple[np.ndarray, ...],
    validation: tuple[np.ndarray, ...] | None,
    *,
    epochs: int,
    initial_epoch: int,
    batch_size: int,
    shuffle: bool,
    shuffle_rng: np.random.Generator,
    callbacks: CallbackList,
    progress: Progress,
    steps_per_epoch: int | None = None,
    validation_freq: int = 1,
    validation_batch_size: int | None = None,
    resume: Checkpoint | None = None,
):
    """The epochs of ``model.fit``: `train` and `validation` are (X, Y, Y for the metrics[, sample weights]) as
    fit prepared them; returns the model's History (``Sequential.fit`` calls it after checking its arguments).

    `resume` (a :class:`Checkpoint` whose weights and optimizer state are already the model's; a BackupAndRestore
    may set one in on_train_begin) continues that run: from its epoch and batch, with the same order of the
    samples, its History and its epoch's partial results. While it runs, ``model._fit`` is the :class:`Fit`
    checkpoints read (and :func:`sync` uses); it is cleared at the end, an error included.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> from gradviz.callbacks import CallbackList, History
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
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
    if isinstance(train, Stream):
        X, Y_metric, n, batch_size, shuffle = train, None, None, None, False
        steps = steps_per_epoch if steps_per_epoch is not None else train.steps
    else:
        X, Y_metric = train[0], runner.gather(train[2])
        n = runner.samples(len(X))
        steps = -(-n // batch_size) if steps_per_epoch is None else steps_per_epoch
    logs: dict[str, Any] = {}
    policy = nan_policy(callbacks.callbacks)
    exact = isinstance(runner, NumpyRunner)  # the model holds the weights of the moment a batch's loss is seen
    warned: list[bool] = []  # the first nan/inf loss of the fit is explained, once
    fit = Fit(model, runner, n=n, batch_size=batch_size, steps=steps, shuffle=shuffle, shuffle_rng=shuffle_rng,
              initial_epoch=initial_epoch, resume=resume, limit=steps_per_epoch)  # fmt: skip
    fit.stream = X if isinstance(X, Stream) else None
    object.__setattr__(model, "_fit", fit)
    try:
        logs = _epochs(model, runner, fit, X, Y_metric, validation, epochs, callbacks, progress, policy, exact,
                       warned, validation_freq, validation_batch_size)  # fmt: skip
        progress.close()
        model.eval()
        callbacks.on_train_end(logs)
    finally:
        object.__setattr__(model, "_fit", None)
    return model.history


def _epochs(model, runner, fit: Fit, X, Y_metric, validation, epochs, callbacks, progress, policy, exact, warned,
            validation_freq, validation_batch_size) -> dict:  # fmt: skip
    """train's epochs, inside the runner; the last epoch's logs."""
    logs: dict[str, Any] = {}
    shuffle_rng, n, batch_size, steps = fit.shuffle_rng, fit.n, fit.batch_size, fit.steps
    with runner:
        batch_hooks = runner.begin(callbacks, batch_size)
        model.train()
        callbacks.on_train_begin({})
        resume = fit.resume  # fit's resume_from, or the one a BackupAndRestore restored just now
        if resume is not None:
            resume.check(fit)
            resume.restore_history(model.history)
            resume.restore_generators(model)
            runner.reload()  # a backend holding the weights elsewhere (jax: on the devices) takes the restored ones
            fit.index, fit.step = resume.epoch, resume.step - resume.batch
        for index in range(fit.index, epochs):
            resumed = resume if resume is not None and index == resume.epoch else None
            fit.index, fit.phase, fit.epoch, fit.logs = index, "begin", None, None
            callbacks.on_epoch_begin(index, {})
            if resumed is not None and resumed.shuffle_state is not None:
                shuffle_rng.bit_generator.state = resumed.shuffle_state  # the state this epoch's order was drawn in
            fit.shuffle_state = shuffle_rng.bit_generator.state
            order = shuffle_rng.permutation(n) if fit.shuffle else None
            if resumed is not None and resumed.order_drawn:
                resumed.restore_generators(model)  # dropout goes on from the batch it stopped at
            progress.start_epoch(index)
            first = resumed.batch if resumed is not None else 0
            if isinstance(X, Stream):
                epoch = StreamEpoch(index, X, batch_hooks, progress, limit=fit.limit, policy=policy, first=first,
                                    step=fit.step, pass_start=resumed.pass_start if resumed else None)  # fmt: skip
            else:
                epoch = Epoch(index, order, n, batch_size, batch_hooks, progress, steps=steps, policy=policy,
                              first=first, step=fit.step)  # fmt: skip
            if resumed is not None:
                resumed.fill(epoch)
                progress.done = first
            fit.resume, fit.epoch, fit.phase = None, epoch, "batches"
            if policy == "continue":  # stop / raise: explained below, once the weights of before that batch are back
                epoch.on_bad = _warner(model, epoch, X, exact, warned)
            runner.run(epoch)
            if isinstance(epoch, StreamEpoch):
                X.end_epoch()
                if epoch.exhausted:
                    _ran_out(epoch, fit, epochs)
                    if epoch.next == epoch.first:  # not one batch: no epoch to report
                        break
                    model.stop_training = True
            if epoch.bad is not None and policy != "continue":
                batch, value = epoch.bad
                error = model._nan_error(value, index, batch, epoch.steps, _batch_rows(X, epoch, batch))
                if policy == "raise":
                    progress.close()
                    raise error
                progress.close()
                print(f"Batch {batch}: Invalid loss, terminating training")
                print(str(error))
                model.stop_training = True
            runner.end_epoch(epoch)
            logs = _epoch_logs(model, runner, epoch, order, Y_metric, validation, validation_freq, index,
                               validation_batch_size)  # fmt: skip
            fit.phase, fit.logs = "end", logs
            callbacks.on_epoch_end(index, logs)
            fit.step = epoch.step + epoch.next
            progress.end_epoch(logs)
            if model.stop_training:
                break
    return logs


def _ran_out(epoch: StreamEpoch, fit: Fit, epochs: int) -> None:
    """Keras' warning when the batches end before the epochs do (and training stops there), with gradviz's fix."""
    stream = epoch.stream
    if stream.once:
        fix = (
            "an iterator gives its batches once, so give fit steps_per_epoch (each epoch then takes that many: "
            f"{epochs} epochs need {epochs} × steps_per_epoch batches), or an iterable each pass of which is an "
            "epoch (a list of batches, a gradviz.data.DataLoader, a keras.utils.PyDataset)"
        )
    elif fit.limit is not None and stream.steps:
        fix = (
            f"one pass over it gives {stream.steps} batches and each epoch goes on in the pass, {fit.limit} at a "
            f"time: give a steps_per_epoch that divides {stream.steps} (or leave it out: each epoch is then one pass)"
        )
    else:
        fix = f"one pass over it gives {epoch.next} batches: give steps_per_epoch ≤ {epoch.next}, or leave it out"
    warnings.warn(
        f"fit: your input ran out of data in epoch {epoch.index + 1} after {epoch.next - epoch.first} batches"
        + (f" of the {fit.limit} asked for (steps_per_epoch)" if fit.limit is not None else "")
        + f"; training stops here. {fix[0].upper()}{fix[1:]}.",
        GradvizWarning,
        stacklevel=4,
    )


def _batch_rows(X, epoch: Epoch, batch: int) -> Tensor:
    """The inputs of `batch`, for the nan/inf explanation (none where this process holds only its own samples)."""
    if isinstance(epoch, StreamEpoch):
        first = epoch.stream.first_inputs
        rows = epoch.inputs.get(batch, first[:0])
        return Tensor(rows, dtype=rows.dtype)
    rows = X[epoch.samples(batch)] if len(X) == epoch.n else X[:0]
    return Tensor(rows, dtype=X.dtype)


def _warner(model, epoch: Epoch, X: np.ndarray, exact: bool, warned: list) -> Callable[[int, float], None]:
    """The warning at the fit's first nan/inf loss when training goes on: gradviz's explanation, with the layer
    that went wrong when the model holds the weights of that moment (`exact`: the numpy backend)."""

    def warn(batch: int, value: float) -> None:
        if warned:
            return
        warned.append(True)
        rows = _batch_rows(X, epoch, batch)
        error = model._nan_error(value, epoch.index, batch, epoch.steps, rows, layers=exact, training_goes_on=True)
        warnings.warn(str(error), GradvizWarning, stacklevel=2)

    return warn


def _epoch_logs(model, runner, epoch, order, Y_metric, validation, freq, index, validation_batch_size) -> dict:
    """The epoch's loss (the batches' mean; nan or inf when one of them was), metrics and validation numbers."""
    stopped = epoch.size(epoch.bad[0]) if epoch.bad is not None and epoch.policy != "continue" else 0
    total = epoch.total + (epoch.bad[1] * stopped if stopped else 0.0)
    loss = total / max(epoch.seen + stopped, 1)
    held_out = None
    if isinstance(validation, Stream) and (index + 1) % freq == 0:
        held_out = runner.validate_batches(validation)
    elif validation is not None and (index + 1) % freq == 0:
        if isinstance(runner, NumpyRunner):
            held_out = runner.validate(*validation, batch_size=validation_batch_size)
        else:
            held_out = runner.validate(*validation)
    if not model._metric_names:
        return model._logs(loss, Y_metric, [], held_out)
    joined = np.concatenate(epoch.outputs) if epoch.outputs else None
    if epoch.tally is not None:  # the metrics summed on the device (the first batches'; outputs of any after)
        return _tally_logs(model, epoch, order, Y_metric, joined, loss, held_out)
    if joined is None or epoch.seen == 0 or len(joined) < epoch.seen:  # a backend that stopped without them
        logs = {"loss": loss, **dict.fromkeys(model.metrics_names[1:], math.nan)}
        logs.update({f"val_{key}": value for key, value in (held_out or {}).items()})
        return logs
    if isinstance(epoch, StreamEpoch):
        targets = np.concatenate(epoch.targets)
    else:
        targets = Y_metric[(np.arange(epoch.n) if order is None else order)[: epoch.seen]]
    return model._logs(loss, targets, [joined[: epoch.seen]], held_out)


def _tally_logs(model, epoch, order, Y_metric, joined, loss, held_out) -> dict:
    from .keras._tally import Tally

    tally, counts = Tally.of(model), np.asarray(epoch.tally)
    if joined is not None and len(joined):  # a run resumed on numpy from a checkpoint written by a device's tally
        if isinstance(epoch, StreamEpoch):
            targets = np.concatenate(epoch.targets)
        else:
            targets = Y_metric[(np.arange(epoch.n) if order is None else order)[: epoch.seen]]
        targets = targets[len(targets) - len(joined) :]
        counts = counts + tally.count(np, joined, targets, np.ones(len(joined)))
    logs = {"loss": loss, **tally.logs(model, counts)}
    logs.update({f"val_{key}": value for key, value in (held_out or {}).items()})
    return logs


def validate_stream(
    model, runner: Runner, stream: Stream, limit: int | None = None, bar: ProgressBar | None = None
) -> dict[str, float]:
    """The loss and metrics on batches (fit's validation_data, or evaluate's x, given as batches): one pass, or its
    first `limit` batches; `bar` (a ProgressBar) shows the running loss."""
    total, seen, outputs, targets = 0.0, 0, [], []
    for batch, item in enumerate(stream.epoch()):
        if limit is not None and batch >= limit:
            break
        X, Y, Y_metric, W = stream.prepare(item, batch)
        loss, out = runner.evaluate_batch(X, Y, W)
        total += loss * len(X)
        seen += len(X)
        if out is not None:
            outputs.append(out)
            targets.append(Y_metric)
        if bar is not None:
            bar.update(batch + 1, {"loss": total / seen})
    stream.end_epoch()
    logs = model._logs(total / max(seen, 1), np.concatenate(targets) if targets else None, outputs)
    if bar is not None:
        bar.update(bar.current, logs, finalize=True)
    return logs


# -- the progress bar --------------------------------------------------------------------------------------


def _dynamic() -> bool:
    """Whether the output can be redrawn in place (a terminal or a notebook), as Keras' Progbar asks."""
    return (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "ipykernel" in sys.modules


def _step_time(seconds: float, unit: str = "step") -> str:
    """Keras' time per step: '2s/step', '35ms/step', '880us/step'."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def _number(value: float) -> str:
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


class ProgressBar:
    """Keras' progress bar for `target` steps: ``update(current, values)`` redraws it (in a terminal or a
    notebook; elsewhere only the last line is printed), ``verbose=2`` prints just the last line,
    ``N/N - 0s - 2ms/step - loss: 0.3000``. tqdm draws it instead when installed (`use_tqdm`).

    >>> bar = ProgressBar(4, verbose=2, use_tqdm=False)
    >>> bar.update(4, {"loss": 0.25}, finalize=True)   # doctest: +ELLIPSIS
    4/4 - 0s - ...s/step - loss: 0.2500
    """

    width = 20

    def __init__(self, target: int | None, verbose: int = 1, *, desc: str | None = None, use_tqdm: bool = True) -> None:
        self.target = None if target is None else int(target)  # None: unknown (batches from an iterator), as Keras
        self.verbose, self.desc = int(verbose), desc
        self.start = time.perf_counter()
        self.current = 0
        self.dynamic = _dynamic()
        self.tqdm = None
        self.closed = False
        if self.verbose == 1 and use_tqdm:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self.tqdm = tqdm(total=self.target, desc=desc, unit="batch", leave=True)

    def _values(self, values: dict[str, float]) -> str:
        return "".join(f" - {key}:{_number(float(value))}" for key, value in values.items())

    def update(self, current: int, values: dict[str, float] | None = None, finalize: bool = False) -> None:
        """Show step `current` of the target with `values` (the running loss and metrics)."""
        values = values or {}
        if self.tqdm is not None:
            self.tqdm.update(current - self.current)
            text = " - ".join(f"{key}: {float(value):.4f}" for key, value in values.items())
            self.tqdm.set_postfix_str(text, refresh=finalize)
            self.current = current
            if finalize:
                self.close()
            return
        self.current = current
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / current if current else 0.0
        target = current if self.target is None and finalize else self.target
        if self.verbose == 2:
            if finalize:
                digits = len(str(target))
                print(f"{current:>{digits}}/{target} - {elapsed:.0f}s -{_step_time(per_step)}{self._values(values)}")
            return
        if self.verbose != 1 or not (finalize or self.dynamic):
            return
        if target is None:  # Keras' "12/Unknown": batches from an iterator whose length it cannot know
            digits, done, count = 1, 0, f"{current}/Unknown"
        else:
            digits = len(str(target))
            done = int(self.width * current / target) if target else self.width
            count = f"{current:>{digits}}/{target}"
        if finalize or target is None:
            timing = f"{elapsed:.0f}s"
        else:
            eta = per_step * (self.target - current)
            timing = f"{eta:.0f}s" if eta < 60 else f"{int(eta // 60)}:{int(eta % 60):02d}"
        if self.dynamic:
            bar = f"\x1b[1m{count}\x1b[0m \x1b[32m{'━' * done}\x1b[0m\x1b[37m{'━' * (self.width - done)}\x1b[0m"
            line = f"{bar} \x1b[1m{timing}\x1b[0m{_step_time(per_step)}{self._values(values)}"
            sys.stdout.write("\r" + line + ("\n" if finalize else ""))
            sys.stdout.flush()
        else:
            print(f"{count} {'━' * self.width} {timing}{_step_time(per_step)}{self._values(values)}")

    def close(self) -> None:
        if self.tqdm is not None and not self.closed:
            self.tqdm.close()
        self.closed = True


class Progress:
    """fit's output, as Keras prints it: "Epoch 1/10" (when there is more than one epoch), then a
    :class:`ProgressBar` per epoch (verbose=1) or its last line only (verbose=2); nothing for verbose=0.

    >>> progress = Progress(2, epochs=1, steps=3)
    >>> progress.start_epoch(0); progress.end_epoch({"loss": 0.5})   # doctest: +ELLIPSIS
    3/3 - 0s - ...s/step - loss: 0.5000
    """

    def __init__(self, verbose: int, epochs: int, steps: int) -> None:
        self.verbose, self.epochs, self.steps = int(verbose), int(epochs), steps
        self.bar: ProgressBar | None = None
        self.done = 0

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.done = 0
        if not self.verbose:
            return
        bar = ProgressBar(self.steps, self.verbose, desc=f"Epoch {epoch + 1}/{self.epochs}")
        if bar.tqdm is None and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        self.bar = bar

    def batch_done(self, epoch: Epoch, count: int = 1) -> None:
        """`count` more batches of `epoch` done: the bar shows the epoch's running mean loss."""
        self.done += count
        if self.bar is not None and (self.steps is None or self.done < self.steps):
            self.bar.update(self.done, {"loss": epoch.total / max(epoch.seen, 1)})

    def end_epoch(self, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.update(self.steps if self.steps is not None else self.done, logs, finalize=True)
            self.bar = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
