"""Array namespaces the op registry is written against: `scalar` (Python floats, numpy semantics) and numpy."""

from __future__ import annotations

import math

import numpy

"""numpy itself: the array namespace of the Tensor engine.

>>> from gradviz import xp
>>> xp.numpy.exp(xp.numpy.zeros(2)), xp.is_scalar_namespace(xp.numpy)
(array([1., 1.]), False)
"""

__all__ = ["scalar", "numpy", "is_scalar_namespace"]

_inf = math.inf
_nan = math.nan


class _ScalarNamespace:
    """The subset of the numpy API that the registry uses, on Python floats.

    Domain errors follow numpy, not `math`: log(-1) is nan, 1/0 is inf, exp(1000) is inf. The
    engine notices the non-finite result and warns, exactly as it does for arrays.
    """

    __name__ = "gradviz.xp.scalar"

    @staticmethod
    def sin(a):
        try:
            return math.sin(a)
        except ValueError:  # ±inf
            return _nan

    @staticmethod
    def cos(a):
        try:
            return math.cos(a)
        except ValueError:  # ±inf
            return _nan

    tanh = staticmethod(math.tanh)
    abs = staticmethod(abs)
    isfinite = staticmethod(math.isfinite)

    @staticmethod
    def exp(a):
        try:
            return math.exp(a)
        except OverflowError:
            return _inf

    @staticmethod
    def log(a):
        if a > 0.0:
            return math.log(a)
        return -_inf if a == 0.0 else _nan

    @staticmethod
    def sqrt(a):
        if a >= 0.0:
            return math.sqrt(a)
        return _nan

    @staticmethod
    def divide(a, b):
        try:
            return a / b
        except ZeroDivisionError:
            if a != a or a == 0.0:
                return _nan
            return math.copysign(_inf, a) * math.copysign(1.0, b)

    @staticmethod
    def power(a, b):
        try:
            result = a**b
        except ZeroDivisionError:  # 0.0 ** negative
            return _inf
        except OverflowError:
            return _inf
        if result.__class__ is complex:  # negative base, fractional exponent
            return _nan
        return float(result)

    @staticmethod
    def maximum(a, b):
        if a != a or b != b:
            return _nan
        return a if a >= b else b

    @staticmethod
    def minimum(a, b):
        if a != a or b != b:
            return _nan
        return a if a <= b else b

    @staticmethod
    def where(condition, a, b):
        return a if condition else b

    @staticmethod
    def sign(a):
        if a > 0.0:
            return 1.0
        if a < 0.0:
            return -1.0
        return a  # 0.0, -0.0 and nan, as numpy


scalar = _ScalarNamespace()
"""The namespace of the scalar Value engine: numpy's function names on Python floats.

>>> from gradviz.xp import scalar
>>> scalar.log(-1.0), scalar.exp(1000.0), scalar.tanh(0.0)        # nan and inf as numpy, not math's errors
(nan, inf, 0.0)
"""


def is_scalar_namespace(xp) -> bool:
    """Whether `xp` is the scalar namespace (Python floats) rather than an array library.

    >>> import numpy as np
    >>> from gradviz.xp import is_scalar_namespace, scalar
    >>> is_scalar_namespace(scalar), is_scalar_namespace(np)
    (True, False)
    """
    return xp is scalar
