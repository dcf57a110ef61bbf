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

# Everything is loaded on first use (PEP 562), so that `import gradviz` costs next to nothing and `gradviz
# --version` answers at once: `gradviz.Value` imports gradviz.value (and numpy) the first time it is asked for.
# The submodules, by name (gradviz.widgets needs ipywidgets; gradviz.backends loads jax when asked for)
_LAZY_MODULES = (
    "trace",  # the module, callable: ``with gradviz.trace() as t:`` (whichever of the two loads it first)
    "functional",
    "nn",
    "optim",
    "callbacks",
    "data",
    "keras",
    "metrics",
    "export",
    "viz",
    "widgets",
    "backends",
)
# the names the package gives: name -> (module, attribute); gradviz.export is the module and, called, its
# function export(source, path, ...): one name for both
_LAZY_NAMES = {
    "Value": ("value", "Value"),
    "Tensor": ("tensor", "Tensor"),
    "Graph": ("graph", "Graph"),
    "Trace": ("trace", "Trace"),
    "no_grad": ("context", "no_grad"),
    "enable_grad": ("context", "enable_grad"),
    "is_grad_enabled": ("context", "is_grad_enabled"),
    "scope": ("context", "scope"),
    "gradcheck": ("check", "gradcheck"),
    "GradcheckResult": ("check", "GradcheckResult"),
    "detect_anomaly": ("check", "detect_anomaly"),
    "GradvizError": ("errors", "GradvizError"),
    "ShapeError": ("errors", "ShapeError"),
    "AnomalyError": ("errors", "AnomalyError"),
    "GradcheckError": ("errors", "GradcheckError"),
    "ProcessLostError": ("errors", "ProcessLostError"),
    "GradvizWarning": ("errors", "GradvizWarning"),
    "get_language": ("i18n", "get_language"),
    "set_language": ("i18n", "set_language"),
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

    >>> from gradviz import Value, nn
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
