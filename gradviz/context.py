"""Context managers that change what the engine records in this thread: no_grad() and name scopes."""

from __future__ import annotations

import contextlib

from ._state import LOCAL, changed, current

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope"]


class _Blocks(contextlib.ContextDecorator):
    """What no_grad(), enable_grad() and scope() share: a class rather than a generator (cheaper to enter: a layer's
    call enters a scope), usable as a decorator (each call of the decorated function enters it afresh), and one
    object may be entered inside itself or by several threads at once — each thread leaves its own last entry."""

    def __init__(self) -> None:
        self._open: list = []  # the blocks entered and not left yet, innermost last (each knows its thread's state)

    def _enter(self, **fields):
        block = changed(**fields)
        state = block.__enter__()
        self._open.append(block)
        return state

    def __exit__(self, *exc) -> None:
        blocks = self._open
        if blocks[-1].state is LOCAL.state:
            block = blocks.pop()
        else:  # another thread's entry of this same object is the innermost one: leave this thread's own
            state = LOCAL.state
            block = blocks.pop(max(i for i, entered in enumerate(blocks) if entered.state is state))
        block.__exit__(*exc)


class _Switch(_Blocks):
    """A context manager that sets this thread's switches for the block."""

    fields: dict = {}

    def __enter__(self) -> None:
        self._enter(**self.fields)

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

    fields = {"grad_enabled": True}


def is_grad_enabled() -> bool:
    """Whether new operations are recorded (False inside no_grad()).

    >>> from gradviz import is_grad_enabled, no_grad
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return current().grad_enabled


class scope(_Blocks):
    """Tag every node created inside with a name scope; nested scopes join with '/'.

    Renderers collapse a scope into one box.

    >>> from gradviz import Value, scope
    >>> x = Value(1.0)
    >>> with scope("layer1"):
    ...     h = (x * 2).relu()
    >>> h.scope
    'layer1'
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"scope name must be a non-empty string without '/', got {name!r}")
        self.name = name
        self._open = []  # as _Blocks.__init__ (not called: a layer makes a scope per call)

    def __enter__(self) -> str:
        previous = current().scope  # read on entry: a scope made outside another and entered inside it nests
        return self._enter(scope=self.name if previous is None else f"{previous}/{self.name}").scope

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
