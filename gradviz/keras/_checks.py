"""The checks fit, evaluate, predict (and the jax backend) make on their arguments and data, each with its message."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from ..engine import Node
from ..errors import GradvizError

__all__ = ["InputError", "NonFiniteLossError"]


class NonFiniteLossError(GradvizError, FloatingPointError, RuntimeError):
    """The loss became nan or ±inf during fit and training was told to stop with an error
    (``callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)]``); ``epoch``, ``batch`` (from 0) and
    ``layer`` (the first layer whose output or weights are not finite, or None) say where. The bad batch's
    update is not applied: the model keeps the weights it had before it.

    Without that callback a nan loss does what it does in Keras: training goes on (every later loss is nan)
    and gradviz warns once with this same explanation. It is also a RuntimeError, as Keras' error is.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> x = np.array([[100.0], [200.0], [300.0]])   # not standardised: plain SGD diverges
    >>> model = keras.Sequential([keras.layers.Dense(1)], seed=0).compile(optimizer="sgd", loss="mse")
    >>> stop = keras.callbacks.TerminateOnNaN(raise_error=True)
    >>> try:
    ...     model.fit(x, x / 50, batch_size=1, epochs=50, verbose=0, callbacks=[stop], seed=0)
    ... except keras.NonFiniteLossError as error:
    ...     print(error.epoch, error.batch, error.layer)
    ...     print(str(error).split(";")[0])
    18 0 None
    fit: the loss became inf at epoch 19, batch 1 of 3
    """

    def __init__(self, message: str, *, epoch: int, batch: int, layer: str | None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.layer = layer


class InputError(GradvizError, ValueError):
    """Data or an argument that fit, evaluate or predict cannot take: a ragged list, nan/inf in X or y, a
    batch_size that is not an integer ≥ 1, an unknown verbose, predict_classes on a model that predicts values
    ('model')... The message names the argument, and for data the row and column; ``argument``, ``row`` and
    ``column`` hold them (None where they do not apply).
    It is also a ValueError, as Keras' errors for the same mistakes are.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> try:
    ...     model.fit(np.array([[1.0, 2.0], [0.5, np.nan]]), np.array([1.0, 0.0]), verbose=0)
    ... except keras.InputError as error:
    ...     print(error.argument, error.row, error.column)
    X 1 1
    """

    def __init__(self, message: str, *, argument: str, row: int | None = None, column=None) -> None:
        super().__init__(message)
        self.argument = argument
        self.row = row
        self.column = column


def verbosity(verbose, where: str) -> int:
    """Keras' `verbose` as a number: 'auto' is 1 (a progress bar), 0 silent, 2 one line per epoch."""
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if isinstance(verbose, (int, np.integer)) and int(verbose) in (0, 1, 2):  # True and False included
        return int(verbose)
    raise InputError(
        f"{where}: verbose must be 'auto', 0, 1 or 2 (0 silent, 1 a progress bar, 2 one line per epoch; 'auto' is 1), "
        f"got {verbose!r}",
        argument="verbose",
    )


def batch_size(value, where: str, none_means: str) -> int | None:
    """Keras' `batch_size`: an integer ≥ 1 (numpy's too), or None (`none_means` says what it then is)."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1:
        return int(value)
    whole = isinstance(value, float) and value.is_integer() and value >= 1
    raise InputError(
        f"{where}: batch_size must be an integer ≥ 1 (samples per batch) or None ({none_means}), got {value!r}"
        + (f"; write {int(value)}" if whole else ""),
        argument="batch_size",
    )


def count(value, name: str, where: str, *, low: int = 0, none: bool = False) -> int | None:
    """An `epochs`-like argument: an integer ≥ `low` (None too when `none`)."""
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(
            f"{where}: {name} must be an integer ≥ {low}" + (" or None" if none else "") + f", got {value!r}",
            argument=name,
        )
    return int(value)


def fraction(value, name: str, where: str) -> float:
    """A share in [0, 1), e.g. validation_split."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
        raise InputError(
            f"{where}: {name} must be a fraction in [0, 1) (the share of samples held out), got {value!r}",
            argument=name,
        )
    return float(value)


def array(data, where: str, what: str) -> np.ndarray:
    """X or y as a numpy array; a ragged list is refused naming its first row of another length (numpy's own
    message says only 'inhomogeneous shape')."""
    if isinstance(data, Node):
        return np.asarray(data.data)
    try:
        return np.asarray(data)
    except ValueError as error:
        if not isinstance(data, (list, tuple)) or "inhomogeneous" not in str(error):
            raise
        message, row = _ragged(data, where, what)
        raise InputError(message, argument=what, row=row) from None


def _ragged(rows: Sequence, where: str, what: str) -> tuple[str, int | None]:
    def shape(row):
        try:
            return np.shape(row)
        except ValueError:  # a row that is itself ragged
            return None

    def described(form) -> str:
        if form is None:
            return "ragged rows itself"
        if form == ():
            return "a single number"
        return f"{form[0]} value{'s' if form[0] != 1 else ''}" if len(form) == 1 else f"shape {form}"

    shapes = [shape(row) for row in rows]
    bad = next((i for i, form in enumerate(shapes) if form != shapes[0]), None)
    if bad is None or shapes[0] is None:  # the rows agree at the top, or row 0 is ragged itself
        bad = next(i for i, form in enumerate(shapes) if form is None)
        where_it_is = f"row {bad} has {described(None)}"
    else:
        where_it_is = f"row 0 has {described(shapes[0])} but row {bad} has {described(shapes[bad])}"
    counts: dict = {}
    for form in shapes:
        counts[form] = counts.get(form, 0) + 1
    seen = ", ".join(f"{described(form)} ({n} row{'s' if n != 1 else ''})" for form, n in list(counts.items())[:5])
    noun = "targets" if what == "y" else "features"
    return (
        f"{where}: {what} is a ragged list: {where_it_is} (rows seen: {seen}). A model takes one row per sample, "
        f"every row with the same number of {noun}: pad the short rows or drop them.",
        bad,
    )


def check_finite(values: np.ndarray, where: str, what: str) -> None:
    """Refuse nan/±inf in X or y, naming the first one's row (and column) and how many rows hold one."""
    if values.dtype.kind not in "fc" or values.size == 0:
        return
    rows = max(1, 2**20 // max(values[:1].size, 1))  # about a million values at a time: no mask as large as X
    if all(np.isfinite(values[start : start + rows]).all() for start in range(0, len(values), rows)):
        return
    finite = np.isfinite(values)
    bad = np.argwhere(~finite)
    first = tuple(int(i) for i in bad[0])
    row = first[0]
    column = None if values.ndim < 2 else (first[1] if values.ndim == 2 else first[1:])
    place = f"row {row}" + ("" if column is None else f", column {column}")
    rows = len(np.unique(bad[:, 0]))
    axes = "" if values.ndim == 1 else f".all(axis={tuple(range(1, values.ndim)) if values.ndim > 2 else 1})"
    kept = "X[keep]" if where == "predict" else "X[keep], y[keep]"
    raise InputError(
        f"{where}: {what} holds {len(bad)} nan/inf value{'s' if len(bad) != 1 else ''} in {rows} "
        f"row{'s' if rows != 1 else ''}, the first ({values[first]}) at {place}. A model cannot learn from or predict "
        f"a missing value: drop those rows (keep = np.isfinite({what}){axes}, then {kept}) or fill them in (e.g. with "
        "the column's mean).",
        argument=what,
        row=row,
        column=column,
    )


def not_supported(value, name: str, where: str, why: str, default=None) -> None:
    """Refuse a Keras argument gradviz does not carry out (yet) unless it has its default, saying why."""
    if value is default:
        return
    try:
        same = bool(value == default)
    except (TypeError, ValueError):
        same = False
    if not same:
        raise InputError(f"{where}: {name}={value!r} is not supported: {why}", argument=name)
