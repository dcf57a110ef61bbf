"""gradviz: an autograd engine built to be looked at.

>>> from gradviz import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad
(-12.0, -4.0, -4.0, 3.0)
"""

from __future__ import annotations

from . import callbacks, data, functional, keras, metrics, nn, optim
from .check import GradcheckResult, detect_anomaly, gradcheck
from .context import enable_grad, is_grad_enabled, no_grad, scope
from .errors import AnomalyError, GradcheckError, GradvizError, GradvizWarning, ShapeError
from .export import export
from .graph import Graph
from .i18n import get_language, set_language
from .keras import Sequential  # Keras style; the torch-style container is gradviz.nn.Sequential
from .tensor import Tensor
from .trace import Trace, trace
from .value import Value
from .viz import draw

__version__ = "0.1.0"

__all__ = [
    "Value",
    "Tensor",
    "Graph",
    "draw",
    "export",
    "Trace",
    "trace",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "scope",
    "gradcheck",
    "GradcheckResult",
    "detect_anomaly",
    "functional",
    "data",
    "metrics",
    "nn",
    "optim",
    "keras",
    "callbacks",
    "Sequential",
    "GradvizError",
    "ShapeError",
    "AnomalyError",
    "GradcheckError",
    "GradvizWarning",
    "set_language",
    "get_language",
    "__version__",
]
