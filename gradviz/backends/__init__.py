"""The compute backends of ``Sequential.fit``: numpy (gradviz's own engine, the default) and jax (jit, grad, devices).

``fit(..., backend="jax")`` picks one for a single run; :func:`use` switches the default (for good, or
inside a ``with`` block). This module never imports JAX itself: asking for the jax backend does, and
says how to install it when it is missing.

>>> from gradviz import backends
>>> backends.current()
'numpy'
>>> with backends.use("numpy"):
...     backends.get_backend()
'numpy'
>>> backends.use("torch")
Traceback (most recent call last):
...
ValueError: unknown backend 'torch'; the backends are 'numpy' (gradviz's own engine) and 'jax' (jit and grad on CPU/GPU/TPU)
"""

from __future__ import annotations

import importlib
from types import ModuleType, TracebackType

from ..errors import GradvizError

__all__ = [
    "BACKENDS",
    "BackendUnavailableError",
    "use",
    "current",
    "get_backend",
    "resolve",
    "require_jax",
    "process_index",
    "main_process",
]

BACKENDS: tuple[str, ...] = ("numpy", "jax")
"""The backend names ``fit(backend=...)`` and :func:`use` accept.

>>> from gradviz import backends
>>> backends.BACKENDS
('numpy', 'jax')
>>> backends.resolve("JAX"), backends.resolve(None)   # None: the current default
('jax', 'numpy')
"""

INSTALL_JAX = 'pip install "gradviz[jax]"'

_current = "numpy"


class BackendUnavailableError(GradvizError, ImportError):
    """A backend was asked for whose library is not installed (the message says how to install it).

    It is an ImportError too, so ``except ImportError`` catches it.

    >>> import sys
    >>> from unittest import mock
    >>> with mock.patch.dict(sys.modules, {"jax": None}):   # as if JAX were not installed
    ...     try:
    ...         require_jax()
    ...     except BackendUnavailableError as missing:
    ...         print(str(missing).split(" (")[0], 'pip install "gradviz[jax]"' in str(missing))
    the jax backend needs JAX, which is not installed True
    """


def resolve(name: str | None, where: str = "fit") -> str:
    """The backend `name` stands for: None means the current default (:func:`current`); unknown names raise.

    >>> resolve(None), resolve("JAX")
    ('numpy', 'jax')
    """
    if name is None:
        return _current
    if not isinstance(name, str) or name.strip().lower() not in BACKENDS:
        prefix = f"{where}: " if where != "use" else ""
        raise ValueError(
            f"{prefix}unknown backend {name!r}; the backends are 'numpy' (gradviz's own engine) and 'jax' "
            "(jit and grad on CPU/GPU/TPU)"
        )
    return name.strip().lower()


def require_jax() -> ModuleType:
    """Import and return the ``jax`` module, or raise :class:`BackendUnavailableError` saying how to install it.

    >>> require_jax().__name__
    'jax'
    """
    try:
        return importlib.import_module("jax")
    except ImportError as missing:
        raise BackendUnavailableError(
            f"the jax backend needs JAX, which is not installed ({missing}). Install it with {INSTALL_JAX} "
            '(the CPU build; for a GPU follow JAX\'s guide, e.g. pip install -U "jax[cuda12]"), or train with '
            "backend='numpy'."
        ) from None


class _Using:
    """What :func:`use` returns: the switch is already made; as a context manager it is undone on exit."""

    def __init__(self, name: str, previous: str) -> None:
        self.name = name
        self.previous = previous

    def __enter__(self) -> str:
        return self.name

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        global _current
        _current = self.previous

    def __repr__(self) -> str:
        return f"<gradviz backend {self.name!r} (was {self.previous!r})>"


def use(name: str) -> _Using:
    """Make `name` ('numpy' or 'jax') the backend of every ``fit`` that does not name one.

    Called plainly it switches for good; ``with use("jax"): ...`` switches back when the block ends.
    Asking for 'jax' without JAX installed raises :class:`BackendUnavailableError` at once.

    >>> with use("numpy") as name:
    ...     name, current()
    ('numpy', 'numpy')
    """
    global _current
    chosen = resolve(name, "use")
    if chosen == "jax":
        require_jax()
    previous = _current
    _current = chosen
    return _Using(chosen, previous)


def current() -> str:
    """The default backend: 'numpy' unless :func:`use` changed it.

    >>> current()
    'numpy'
    """
    return _current


get_backend = current


def process_index() -> int:
    """This process's number in a multi-process JAX run (``jax.distributed.initialize``), 0 otherwise; asking
    never imports JAX nor starts its runtime.

    >>> from gradviz import backends
    >>> backends.process_index()
    0
    """
    import sys

    if "jax" not in sys.modules:
        return 0
    try:
        from jax._src import distributed
    except ImportError:  # a JAX without it: one process
        return 0
    index = getattr(distributed.global_state, "process_id", 0)
    return int(index or 0)


def main_process() -> bool:
    """Whether this process prints progress and writes files: always, but in a multi-process JAX run only
    process 0 does (the others train the same model and keep quiet).

    >>> from gradviz import backends
    >>> backends.main_process()
    True
    """
    return process_index() == 0
