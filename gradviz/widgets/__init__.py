"""Notebook widgets (ipywidgets): the backprop stepper, the training playground and the fit dashboard.

They only wire controls to the pure renderers: what they show comes from `gradviz.viz` and `gradviz.fit`.
`import gradviz` does not load this package; ``gradviz.widgets`` or ``gradviz.step_through`` does.

>>> from gradviz import Value
>>> from gradviz.widgets import step_through
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> step_through(x * y).frame.kind
'initial'
"""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("ipywidgets") is None:
    raise ImportError(
        "gradviz.widgets needs ipywidgets (and a Jupyter kernel to show them): "
        'pip install "gradviz[notebook]"; gradviz.draw and gradviz.export work without it'
    )

from .stepper import Stepper, step_through  # noqa: E402

__all__ = ["Stepper", "step_through", "Playground", "FitDashboard"]

# written alongside the stepper and loaded on first use, so that one missing or broken module does not take
# the others down
_LAZY = {"Playground": ".playground", "FitDashboard": ".dashboard"}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'gradviz.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
