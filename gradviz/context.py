"""Context managers that change what the engine records in this thread: no_grad() and name scopes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ._state import changed, current

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope"]


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Compute without recording a graph (evaluation, parameter updates).

    >>> from gradviz import Value, no_grad
    >>> w = Value(3.0)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.inputs
    (False, ())
    """
    with changed(grad_enabled=False):
        yield


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Record a graph again inside a no_grad() block.

    >>> from gradviz import Value, no_grad, enable_grad
    >>> w = Value(3.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = w * 2
    >>> y.requires_grad
    True
    """
    with changed(grad_enabled=True):
        yield


def is_grad_enabled() -> bool:
    """Whether new operations are recorded (False inside no_grad()).

    >>> from gradviz import is_grad_enabled, no_grad
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return current().grad_enabled


@contextlib.contextmanager
def scope(name: str) -> Iterator[str]:
    """Tag every node created inside with a name scope; nested scopes join with '/'.

    Renderers collapse a scope into one box.

    >>> from gradviz import Value, scope
    >>> x = Value(1.0)
    >>> with scope("layer1"):
    ...     h = (x * 2).relu()
    >>> h.scope
    'layer1'
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"scope name must be a non-empty string without '/', got {name!r}")
    previous = current().scope
    with changed(scope=name if previous is None else f"{previous}/{name}") as state:
        yield state.scope


def current_scope() -> str | None:
    """The full name of the innermost active scope ('mlp/layer1'), or None outside any scope.

    >>> from gradviz import scope
    >>> with scope("mlp"), scope("layer1"):
    ...     current_scope()
    'mlp/layer1'
    """
    return current().scope
