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
    """The steps recorded inside ``with gradviz.trace() as t:``, in the order they ran."""

    def __init__(self) -> None:
        self.steps: list[ForwardStep | BackwardStep] = []
        self.forward_steps: list[ForwardStep] = []
        self.backward_steps: list[BackwardStep] = []
        self.outputs: list = []  # the node each backward pass started from
        self._pass = -1  # the index of the backward pass being recorded

    def __len__(self) -> int:
        return len(self.steps)

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

    def _forward(self, node, op, inputs, params) -> None:
        step = ForwardStep(len(self.forward_steps), node, op.name, inputs, node.data, dict(params or {}))
        self.forward_steps.append(step)
        self.steps.append(step)

    def _begin_backward(self, root, seed) -> None:
        # counted at the start, so a pass that an error (detect_anomaly) cut short still has its own index
        self.outputs.append(root)
        self._pass = len(self.outputs) - 1
        step = BackwardStep(len(self.backward_steps), root, seed, (), seed=True, pass_index=self._pass)
        self.backward_steps.append(step)
        self.steps.append(step)

    def _backward(self, node, upstream, edges) -> None:
        recorded = tuple(
            EdgeStep(parent, position, local, _frozen(contribution, parent), _frozen(accumulated, parent))
            for parent, position, local, contribution, accumulated in edges
        )
        step = BackwardStep(len(self.backward_steps), node, upstream, recorded, pass_index=self._pass)
        self.backward_steps.append(step)
        self.steps.append(step)

    def _end_backward(self, root) -> None:
        """Nothing to close: passes are counted when they begin."""


def _frozen(array, parent):
    """A copy of `array` when it is the input's live ``.grad``, which in-place updates (``w.grad[:] = 0``,
    an optimizer's ``grad *= ...``) would otherwise rewrite after the step was recorded."""
    if array is parent.grad and not parent._scalar:
        return array.copy()
    return array


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
    STATE.refresh()
    try:
        yield recorded
    finally:
        STATE.trace = previous
        STATE.refresh()
