"""The exception and warning types gradviz raises; each message names the op, the values and a fix."""

from __future__ import annotations

__all__ = ["GradvizError", "ShapeError", "AnomalyError", "GradcheckError", "GradvizWarning"]


class GradvizError(Exception):
    """Base class of gradviz's own errors."""


class ShapeError(GradvizError, ValueError):
    """Operands whose shapes an op cannot combine (broadcasting, matmul's inner dimension, ...)."""


class AnomalyError(GradvizError, FloatingPointError):
    """Raised inside detect_anomaly() by the first op (forward or backward) producing nan or ±inf."""

    def __init__(self, message: str, *, op: str, node=None, inputs=()):
        super().__init__(message)
        self.op = op
        self.node = node
        self.inputs = tuple(inputs)


class GradcheckError(GradvizError, AssertionError):
    """gradcheck(..., raise_exception=True) found analytic and numeric gradients that disagree."""


class GradvizWarning(RuntimeWarning):
    """A result that is legal but probably not what was meant (log of a negative number, ...)."""
