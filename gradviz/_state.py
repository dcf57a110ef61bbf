"""The engine's global switches: gradient recording, the active trace, name scopes, anomaly mode."""

from __future__ import annotations

__all__ = ["STATE"]


class _State:
    """One object so the hot path checks a single flag (`slow`) before anything else."""

    __slots__ = ("grad_enabled", "trace", "scope", "anomaly", "slow")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.trace = None  # the active gradviz.trace.Trace, if any
        self.scope = None  # "layer1" or "mlp/layer1" while inside gradviz.scope(...)
        self.anomaly = False
        self.slow = False

    def refresh(self) -> None:
        # a name scope alone keeps the fast path: the fast paths copy `scope` onto each node
        self.slow = (not self.grad_enabled) or self.trace is not None or self.anomaly


STATE = _State()
