"""The exception and warning types gradviz raises; each message names the op, the values and a fix."""

from __future__ import annotations

__all__ = ["GradvizError", "ShapeError", "AnomalyError", "GradcheckError", "ProcessLostError", "GradvizWarning"]


class GradvizError(Exception):
    """Base class of gradviz's own errors: catch it to handle any of them.

    >>> import numpy as np
    >>> from gradviz import GradvizError, Tensor
    >>> try:
    ...     Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    ... except GradvizError as error:
    ...     type(error).__name__
    'ShapeError'
    """


class ShapeError(GradvizError, ValueError):
    """Operands whose shapes an op cannot combine (broadcasting, matmul's inner dimension, ...).

    It is also a ValueError, so code written for numpy's errors still catches it.

    >>> import numpy as np
    >>> from gradviz import ShapeError, Tensor
    >>> try:
    ...     Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    ... except ShapeError as error:
    ...     print(error)
    add: shapes (2, 3) and (4,) cannot be broadcast together. Broadcasting compares shapes from the right; ...
    """


class AnomalyError(GradvizError, FloatingPointError):
    """Raised inside detect_anomaly() by the first op (forward or backward) producing nan or ±inf.

    ``op`` names the op, ``node`` is the offending result and ``inputs`` the values it came from.

    >>> from gradviz import AnomalyError, Value, detect_anomaly
    >>> x = Value(-1.0, label="x")
    >>> with detect_anomaly():
    ...     try:
    ...         x.log()
    ...     except AnomalyError as error:
    ...         error.op, error.inputs[0].data
    ('log', -1.0)
    """

    def __init__(self, message: str, *, op: str, node=None, inputs=()):
        super().__init__(message)
        self.op = op
        self.node = node
        self.inputs = tuple(inputs)


class ProcessLostError(GradvizError, RuntimeError):
    """A multi-process fit (``jax.distributed``) lost one of its processes: raised on the processes still
    running, with which ones stopped (``lost``), where training was (``epoch``, ``batch``) and what to do.

    >>> error = ProcessLostError("process 1 stopped", lost=(1,), epoch=2, batch=5)
    >>> error.lost, error.epoch, error.batch
    ((1,), 2, 5)
    """

    def __init__(self, message: str, *, lost=(), epoch: int | None = None, batch: int | None = None):
        super().__init__(message)
        self.lost = tuple(lost)
        self.epoch = epoch
        self.batch = batch


class GradcheckError(GradvizError, AssertionError):
    """gradcheck(..., raise_exception=True) found analytic and numeric gradients that disagree.

    >>> from gradviz import GradcheckError, Value, gradcheck
    >>> try:                             # relu has no derivative at 0: backward says 0, the slope says 0.5
    ...     gradcheck(lambda a: a.relu(), Value(0.0), raise_exception=True)
    ... except GradcheckError as error:
    ...     print(error)
    gradcheck: analytic and numerical gradients disagree
    BAD input 0: max |analytic − numeric| = 0.5
    ...
    """


class GradvizWarning(RuntimeWarning):
    """A result that is legal but probably not what was meant (log of a negative number, ...).

    >>> import warnings
    >>> from gradviz import GradvizWarning, Value
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = Value(-1.0).log()
    >>> y.data, caught[0].category is GradvizWarning
    (nan, True)
    """
