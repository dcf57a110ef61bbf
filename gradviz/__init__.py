"""gradviz: an autograd engine built to be looked at.

>>> from gradviz import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad
(-12.0, -4.0, -4.0, 3.0)
"""

from __future__ import annotations

import importlib

from . import functional, nn, optim
from .check import GradcheckResult, detect_anomaly, gradcheck
from .context import enable_grad, is_grad_enabled, no_grad, scope
from .errors import AnomalyError, GradcheckError, GradvizError, GradvizWarning, ProcessLostError, ShapeError
from .graph import Graph
from .i18n import get_language, set_language
from .tensor import Tensor
from .trace import Trace, trace
from .value import Value

# loaded on first use (PEP 562), so that `import gradviz` and `gradviz --version` stay light: the submodules, and
# the names they give (gradviz.widgets needs ipywidgets; gradviz.backends loads jax when asked for)
_LAZY_MODULES = ("callbacks", "data", "keras", "metrics", "export", "viz", "widgets", "backends")
# gradviz.export is the module and, called, its function export(source, path, ...): one name for both
_LAZY_NAMES = {
    "draw": ("viz", "draw"),
    "Sequential": ("keras", "Sequential"),  # Keras style; the torch-style container is gradviz.nn.Sequential
}

__version__ = "0.1.0"
"""The installed version of gradviz (also `gradviz --version`).

>>> import gradviz
>>> gradviz.__version__.count(".")
2
"""


def step_through(output, X=None, y=None, **options):
    """Step through the forward and backward pass that produced `output` in a notebook widget, or through one
    training step of a model: ``step_through(model, X, y, loss="mse")`` (each layer one node for a big one).

    A shortcut for :func:`gradviz.widgets.step_through` (which needs ipywidgets: ``pip install
    "gradviz[notebook]"``); see it for the options (`loss`, `view`, `mode`, ...).

    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> stepper = step_through((x + y) * z)  # doctest: +SKIP
    >>> import numpy as np
    >>> lesson = step_through(nn.MLP(2, [4, 1]), np.ones((3, 2)), np.zeros(3), loss="mse")  # doctest: +SKIP
    """
    from .widgets import step_through as widget_step_through

    return widget_step_through(output, X, y, **options)


def __getattr__(name: str):
    if name in _LAZY_NAMES:
        module, attribute = _LAZY_NAMES[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'gradviz' has no attribute {name!r}")
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_MODULES, *_LAZY_NAMES})


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
    "ProcessLostError",
    "GradvizWarning",
    "set_language",
    "step_through",
    "get_language",
    "__version__",
]
