"""The engine's switches, one set per thread: gradient recording, the active trace, name scopes, anomaly mode.

Each thread has its own `ThreadState` (as PyTorch's grad mode is per thread): a ``no_grad()`` in the main
thread does not stop a training thread's backward, and a ``trace()`` records only the thread that opened it.
The hot paths of the engine first read one process-wide flag, ``STATE.slow``, which is False while every
thread is in the default state (recording, no trace, no scope, no anomaly mode); only then do they look up
their own thread's state, so the default case costs what it cost before the state was per thread.
"""

from __future__ import annotations

import threading

__all__ = ["STATE", "LOCAL", "ThreadState", "current", "changed"]


class ThreadState:
    """One thread's switches; `slow` is True when `apply` must take its general path (no_grad, anomaly)."""

    __slots__ = ("grad_enabled", "trace", "trace_events", "scope", "anomaly", "slow")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.trace = None  # the active gradviz.trace.Trace of this thread, if any
        self.trace_events = None  # its list of raw events, which the fast paths append to directly
        self.scope = None  # "layer1" or "mlp/layer1" while inside gradviz.scope(...)
        self.anomaly = False
        self.slow = False

    def refresh(self) -> None:
        # a name scope or a trace alone keeps the fast path: the fast paths copy `scope` onto each node
        # and append what they compute to the trace
        self.slow = (not self.grad_enabled) or self.anomaly


class _Flags:
    """The process-wide view the hot paths read first: the default state, plus `slow` while any thread
    has switched something on (then the thread's own `current()` state decides)."""

    __slots__ = ("grad_enabled", "trace", "trace_events", "scope", "anomaly", "slow")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.trace = None
        self.trace_events = None
        self.scope = None
        self.anomaly = False
        self.slow = False


class _PerThread(threading.local):
    """`.state` is each thread's own ThreadState, made on the thread's first use (threading.local calls
    __init__ once per thread), so reading it never needs a check."""

    def __init__(self) -> None:
        self.state = ThreadState()


STATE = _Flags()
LOCAL = _PerThread()  # the hot paths read LOCAL.state directly; everything else calls current()
_lock = threading.Lock()
_changes = [0]  # how many changed() blocks are open, in all threads together


def current() -> ThreadState:
    """This thread's state (a new thread starts recording, with no trace, scope or anomaly mode)."""
    return LOCAL.state


class changed:
    """Set some of this thread's switches for the block, and put them back after it, even on an error.

    While any thread is inside such a block the process-wide flag sends every thread's hot path to its own
    state, so a switch made in one thread is never seen by another. (A class, not a generator: a layer's call
    enters one for its name scope, and a generator-based context manager cost three times as much.)
    """

    __slots__ = ("fields", "previous", "state")

    def __init__(self, **fields) -> None:
        self.fields = fields

    def __enter__(self) -> ThreadState:
        state = self.state = LOCAL.state
        fields = self.fields
        self.previous = [(name, getattr(state, name)) for name in fields]
        with _lock:
            _changes[0] += 1
            STATE.slow = True
        try:
            for name, value in fields.items():
                setattr(state, name, value)
            if "grad_enabled" in fields or "anomaly" in fields:
                state.refresh()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return state

    def __exit__(self, *exc) -> None:
        state = self.state
        for name, value in self.previous:
            setattr(state, name, value)
        if "grad_enabled" in self.fields or "anomaly" in self.fields:
            state.refresh()
        with _lock:
            _changes[0] -= 1
            STATE.slow = _changes[0] > 0
