"""The engine's global switches: gradient recording, the active trace, name scopes, anomaly mode."""

from __future__ import annotations

__all__ = ["STATE"]


class _State:
    """One object so the hot path checks a single flag (`slow`) before anything else."""

    __slots__ = ("grad_enabled", "trace", "trace_events", "scope", "anomaly", "slow")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.trace = None  # the active gradviz.trace.Trace, if any
        self.trace_events = None  # its list of raw events, which the fast paths append to directly
        self.scope = None  # "layer1" or "mlp/layer1" while inside gradviz.scope(...)
        self.anomaly = False
        self.slow = False

    def refresh(self) -> None:
        # a name scope or a trace alone keeps the fast path: the fast paths copy `scope` onto each node
        # and append what they compute to the trace
        self.slow = (not self.grad_enabled) or self.anomaly


STATE = _State()
