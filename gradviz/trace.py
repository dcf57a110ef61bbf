"""Trace: the ordered, plain-data record of forward and backward steps, for renderers and tests.

>>> from gradviz import Value, trace
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> with trace() as t:
...     q = x + y
...     q.label = "q"
...     f = q * z
...     f.label = "f"
...     f.backward()
>>> [s.op for s in t.forward_steps]
['add', 'mul']
>>> step = t.backward_steps[1]          # f passes its gradient back to q and z
>>> step.node.label, step.upstream, [(e.input.label, e.local, e.contribution) for e in step.edges]
('f', 1.0, [('q', -4.0, -4.0), ('z', 3.0, 3.0)])
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._state import STATE

__all__ = ["Trace", "ForwardStep", "BackwardStep", "EdgeStep", "trace"]


@dataclass(frozen=True, eq=False)
class ForwardStep:
    """Forward step `index`: `op` computed `node` (value `value`) from `inputs`."""

    index: int
    node: Any
    op: str
    inputs: tuple
    value: Any
    params: dict = field(default_factory=dict)

    kind = "forward"


@dataclass(frozen=True, eq=False)
class EdgeStep:
    """One input edge of a backward step: upstream × local = contribution, added into `input.grad`.

    `local` is the local derivative ∂node/∂input for elementwise ops (a number, or an array of the
    output's shape) and None for ops whose Jacobian is not elementwise (matmul, sum, softmax...);
    `accumulated` is the input's gradient right after this contribution was added.
    """

    input: Any
    position: int
    local: Any
    contribution: Any
    accumulated: Any


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """Backward step `index`: `node` passes its gradient `upstream` back along `edges`.

    Step 0 of each backward pass is the seed (``seed=True``, no edges): ∂f/∂f = 1.
    """

    index: int
    node: Any
    upstream: Any
    edges: tuple
    seed: bool = False
    pass_index: int = 0

    kind = "backward"

    def edge(self, label: str) -> EdgeStep:
        """The edge to the input with this label."""
        for e in self.edges:
            if e.input.label == label:
                return e
        raise KeyError(f"backward step {self.index} has no edge to an input labelled {label!r}")


class Trace:
    """The steps recorded inside ``with gradviz.trace() as t:``, in the order they ran.

    Recording is cheap: the engine appends raw events (the node computed; the node visited with its
    upstream gradient and edges), and the step objects are built when first read.
    """

    def __init__(self) -> None:
        self._events: list = []  # a node (forward step) or a tuple (backward step), in the order they ran
        self._built = 0
        self._steps: list[ForwardStep | BackwardStep] = []
        self._forward_steps: list[ForwardStep] = []
        self._backward_steps: list[BackwardStep] = []
        self.outputs: list = []  # the node each backward pass started from
        self._pass = -1  # the index of the backward pass being recorded

    @property
    def steps(self) -> list[ForwardStep | BackwardStep]:
        """Every step, forward and backward, in the order it ran."""
        self._build()
        return self._steps

    @property
    def forward_steps(self) -> list[ForwardStep]:
        self._build()
        return self._forward_steps

    @property
    def backward_steps(self) -> list[BackwardStep]:
        self._build()
        return self._backward_steps

    def _build(self) -> None:
        events = self._events
        if self._built == len(events):
            return
        for raw in events[self._built :]:
            if raw.__class__ is tuple:
                node, upstream, edges, seed, pass_index = raw
                step = BackwardStep(
                    len(self._backward_steps), node, upstream, tuple(EdgeStep(*e) for e in edges), seed, pass_index
                )
                self._backward_steps.append(step)
            else:
                node = raw
                step = ForwardStep(
                    len(self._forward_steps), node, node._op.name, node._prev, node.data, dict(node._params or {})
                )
                self._forward_steps.append(step)
            self._steps.append(step)
        self._built = len(events)

    def __len__(self) -> int:
        return len(self._events)

    def __repr__(self) -> str:
        return (
            f"<Trace: {len(self.forward_steps)} forward steps, {len(self.backward_steps)} backward steps"
            f" in {len(self.outputs)} backward pass(es)>"
        )

    @property
    def output(self):
        """The node the last backward pass started from (else the last node computed)."""
        if self.outputs:
            return self.outputs[-1]
        if self.forward_steps:
            return self.forward_steps[-1].node
        raise ValueError("this trace recorded nothing: compute something inside `with gradviz.trace():`")

    def graph(self):
        """The Graph of the trace's output."""
        from .graph import Graph

        return Graph.of(self.output)

    # -- called by the engine -----------------------------------------------------------------

    def _forward(self, node) -> None:
        self._events.append(node)

    def _begin_backward(self, root, seed) -> None:
        # counted at the start, so a pass that an error (detect_anomaly) cut short still has its own index
        self.outputs.append(root)
        self._pass = len(self.outputs) - 1
        self._events.append((root, seed, (), True, self._pass))

    def _backward(self, node, upstream, edges) -> None:
        """`edges`: (input, position, local, contribution, accumulated) for each input that got a gradient.

        The scalar engine's loop appends the same tuple to `_events` itself, without this call.
        """
        if not node._scalar:
            edges = [_frozen(*edge) for edge in edges]
        self._events.append((node, upstream, edges, False, self._pass))

    def _end_backward(self, root) -> None:
        """Nothing to close: passes are counted when they begin."""


def _frozen(parent, position, local, contribution, accumulated):
    """An edge whose arrays later in-place updates cannot rewrite: a leaf's gradient is the user's to
    change (``w.grad[:] = 0``), so the recorded running total of a leaf is a copy. Intermediate
    gradients are never changed in place by gradviz, so they are kept as they are."""
    if parent._op is None:
        if contribution is accumulated:
            contribution = accumulated = accumulated.copy()
        else:
            accumulated = accumulated.copy()
    return (parent, position, local, contribution, accumulated)


@contextlib.contextmanager
def trace() -> Iterator[Trace]:
    """Record every op and every backward step inside the block into a Trace (off by default).

    >>> from gradviz import Value, trace
    >>> x = Value(3.0, label="x")
    >>> with trace() as t:
    ...     y = x * x
    ...     y.backward()
    >>> len(t.forward_steps), [e.accumulated for e in t.backward_steps[1].edges]
    (1, [3.0, 6.0])
    """
    recorded = Trace()
    previous = STATE.trace
    STATE.trace = recorded
    STATE.trace_events = recorded._events
    STATE.refresh()
    try:
        yield recorded
    finally:
        STATE.trace = previous
        STATE.trace_events = previous._events if previous is not None else None
        STATE.refresh()
