"""Context managers that change what the engine records in this thread: no_grad() and name scopes."""

from __future__ import annotations

import contextlib

from ._state import changed, current

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope"]


class _Switch(contextlib.ContextDecorator):
    """A context manager that sets this thread's switches (a class rather than a generator: cheaper to enter), also
    usable as a decorator (``@no_grad()``), each call of the decorated function entering it afresh."""

    __slots__ = ("_blocks",)
    fields: dict = {}

    def __init__(self) -> None:
        self._blocks: list = []  # one per entry not yet left: the same object may be entered inside itself

    def __enter__(self):
        block = changed(**self.fields)
        block.__enter__()
        self._blocks.append(block)

    def __exit__(self, *exc) -> None:
        self._blocks.pop().__exit__(*exc)

    def _recreate_cm(self):
        return type(self)()


class no_grad(_Switch):
    """Compute without recording a graph (evaluation, parameter updates).

    >>> from gradviz import Value, no_grad
    >>> w = Value(3.0)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.requires_grad, y.inputs
    (False, ())
    """

    __slots__ = ()
    fields = {"grad_enabled": False}


class enable_grad(_Switch):
    """Record a graph again inside a no_grad() block.

    >>> from gradviz import Value, no_grad, enable_grad
    >>> w = Value(3.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = w * 2
    >>> y.requires_grad
    True
    """

    __slots__ = ()
    fields = {"grad_enabled": True}


def is_grad_enabled() -> bool:
    """Whether new operations are recorded (False inside no_grad()).

    >>> from gradviz import is_grad_enabled, no_grad
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return current().grad_enabled


class scope(contextlib.ContextDecorator):
    """Tag every node created inside with a name scope; nested scopes join with '/'.

    Renderers collapse a scope into one box.

    >>> from gradviz import Value, scope
    >>> x = Value(1.0)
    >>> with scope("layer1"):
    ...     h = (x * 2).relu()
    >>> h.scope
    'layer1'
    """

    __slots__ = ("name", "_blocks")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"scope name must be a non-empty string without '/', got {name!r}")
        self.name = name
        self._blocks: list = []  # one per entry not yet left: the same object may be entered inside itself

    def __enter__(self) -> str:
        previous = current().scope  # read on entry: a scope made outside another and entered inside it nests
        path = self.name if previous is None else f"{previous}/{self.name}"
        block = changed(scope=path)
        block.__enter__()
        self._blocks.append(block)
        return path

    def __exit__(self, *exc) -> None:
        self._blocks.pop().__exit__(*exc)

    def _recreate_cm(self):
        return scope(self.name)


def current_scope() -> str | None:
    """The full name of the innermost active scope ('mlp/layer1'), or None outside any scope.

    >>> from gradviz import scope
    >>> with scope("mlp"), scope("layer1"):
    ...     current_scope()
    'mlp/layer1'
    """
    return current().scope
