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
import sys
import threading
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._state import changed, current

__all__ = ["Trace", "ForwardStep", "BackwardStep", "EdgeStep", "UpdateStep", "ParameterUpdate", "trace", "active"]


@dataclass(frozen=True, eq=False)
class ForwardStep:
    """Forward step `index`: `op` computed `node` (value `value`) from `inputs`.

    >>> from gradviz import Value, trace
    >>> x, y = Value(-2.0, label="x"), Value(5.0, label="y")
    >>> with trace() as t:
    ...     q = x + y
    >>> step = t.forward_steps[0]
    >>> step.index, step.op, [v.label for v in step.inputs], step.value
    (0, 'add', ['x', 'y'], 3.0)
    """

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

    >>> from gradviz import Value, trace
    >>> x = Value(3.0, label="x")
    >>> with trace() as t:
    ...     y = x * x                       # x reaches y twice: the second edge adds to the first
    ...     y.backward()
    >>> [(e.position, e.local, e.contribution, e.accumulated) for e in t.backward_steps[1].edges]
    [(0, 3.0, 3.0, 3.0), (1, 3.0, 3.0, 6.0)]
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

    >>> from gradviz import Value, trace
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> with trace() as t:
    ...     q = x + y
    ...     q.label = "q"
    ...     f = q * z
    ...     f.backward()
    >>> seed, step = t.backward_steps[0], t.backward_steps[1]
    >>> seed.seed, seed.upstream, step.upstream
    (True, 1.0, 1.0)
    >>> step.edge("q").local, step.edge("q").contribution       # ∂f/∂q = 1 · z = −4
    (-4.0, -4.0)
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


@dataclass(frozen=True, eq=False)
class ParameterUpdate:
    """One parameter's move in an optimizer step: its value `before`, the `gradient` used, the value `after`,
    the group's hyperparameters (`lr`, `momentum`, `betas`, …) and the optimizer's `state` for it after the
    step (velocity, moments, the step count), every array a copy.

    >>> from gradviz import Value, trace
    >>> from gradviz.optim import SGD
    >>> w = Value(0.5, label="w")
    >>> opt = SGD([w], lr=0.1)
    >>> with trace() as t:
    ...     loss = w * w
    ...     loss.backward()
    ...     opt.step()
    >>> change = t.updates[0].parameters[0]
    >>> change.node is w, change.before, change.gradient, round(change.after, 12), change.hyper["lr"]
    (True, 0.5, 1.0, 0.4, 0.1)
    """

    node: Any
    before: Any
    gradient: Any
    after: Any
    hyper: dict
    state: dict


@dataclass(frozen=True, eq=False)
class UpdateStep:
    """Update step `index`: an optimizer (`optimizer`, its class name) moved `parameters` (ParameterUpdate each)
    after backward pass `iteration` (0-based; -1 if no pass came before it).

    >>> from gradviz import Value, trace
    >>> from gradviz.optim import Adam
    >>> w = Value(0.5, label="w")
    >>> opt = Adam([w], lr=0.1)
    >>> with trace() as t:
    ...     for _ in range(2):
    ...         opt.zero_grad()
    ...         loss = w * w
    ...         loss.backward()
    ...         opt.step()
    >>> [(u.index, u.optimizer, u.iteration) for u in t.updates], t.iterations
    ([(0, 'Adam', 0), (1, 'Adam', 1)], 2)
    >>> sorted(t.updates[1].parameters[0].state)
    ['exp_avg', 'exp_avg_sq', 'step']
    """

    index: int
    optimizer: str
    parameters: tuple
    iteration: int
    after_pass: int = -1  # the backward pass it followed, by index

    kind = "update"


@dataclass(eq=False)
class _Pass:
    """What a Trace keeps of one backward pass: enough to rebuild its steps when they are read."""

    root: Any
    seed: Any
    topo: list
    leaf_grads: dict  # id(leaf) -> its gradient when the pass began (copied for arrays)
    leaf_datas: dict  # id(leaf) -> its data when the pass began (parameters change afterwards)
    forward_count: int  # forward steps recorded before this pass
    complete: bool = False


class Trace:
    """The steps recorded inside ``with gradviz.trace() as t:``, in the order they ran.

    Recording costs almost nothing: forward steps are the nodes, in the order they were computed;
    a backward pass keeps its topological order and the leaves' gradients and data as they were
    when it began. The step objects — with every upstream gradient, local derivative, contribution
    and running sum — are rebuilt from those on first read, with the same arithmetic in the same
    order as the pass itself.

    >>> from gradviz import Value, trace
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> with trace() as t:
    ...     f = (x + y) * z
    ...     f.backward()
    >>> t
    <Trace: 2 forward steps, 3 backward steps in 1 backward pass(es)>
    >>> [s.kind for s in t.steps]
    ['forward', 'forward', 'backward', 'backward', 'backward']
    >>> t.output is f, len(t.graph())
    (True, 5)
    """

    def __init__(self) -> None:
        self._events: list = []  # the forward nodes (the engine's fast paths append to this list)
        self._recorded: dict[int, Any] = {}  # id(op node) -> its data as recorded (kept when a pass begins, at exit)
        self._pending: list[tuple[list, list]] = []  # (nodes, their data) kept but not yet in _recorded
        self._kept = 0  # the forward steps whose data is in _datas
        self._passes: list[_Pass] = []
        self._built_key = None
        self._steps: list[ForwardStep | BackwardStep] = []
        self._forward_steps: list[ForwardStep] = []
        self._backward_steps: list[BackwardStep] = []
        self.outputs: list = []  # the node each backward pass started from
        self.updates: list[UpdateStep] = []  # the optimizer steps, in order (see record_update)
        self._copies: list[np.ndarray] = []  # the large arrays it copied, which go back to _BUFFERS when it ends

    def __del__(self) -> None:
        # the copies this trace made, for the next trace to copy into, when nothing else holds them
        try:
            copies = self.__dict__.pop("_copies", None)
            if copies:
                self.__dict__.clear()  # its steps, passes and data go first: a copy then held elsewhere is in use
                _BUFFERS.give_back(copies)
        except Exception:  # interpreter shutdown, say: the arrays are simply freed
            pass

    @property
    def _datas(self) -> dict[int, Any]:
        """id(op node) -> its data as recorded: the dict readers look values up in (built when first read: a
        trace that is only recorded, never read, pays for a list of values, not a dict entry per node)."""
        if self._pending:
            recorded = self._recorded
            for nodes, values in self._pending:
                recorded.update(zip(map(id, nodes), values, strict=True))
            self._pending.clear()
        return self._recorded

    @_datas.setter
    def _datas(self, value: dict[int, Any]) -> None:
        self._recorded, self._pending = value, []

    def _copy(self, array):
        """`array` as it is now, in an array of its own (a recycled one when a finished trace left one)."""
        if array.__class__ is not np.ndarray:
            return array if not isinstance(array, np.ndarray) else array.copy()
        if array.nbytes < _Buffers.SMALLEST:
            return array.copy()  # numpy's and the allocator's own caches serve small arrays
        copy = _BUFFERS.copy(array)
        self._copies.append(copy)
        return copy

    @classmethod
    def of(cls, output) -> Trace:
        """The Trace of a graph built without recording: its op nodes in topological order as the forward
        steps, and one backward pass from `output` replayed from a fresh start (seed 1, or ones for a Tensor
        with several elements). Nothing in the graph changes, ``.grad`` included.

        The leaves' current data stand in for the data they had when the graph was built: if parameters
        changed since (an optimizer step), record with ``with gradviz.trace() as t:`` instead.

        >>> from gradviz import Value
        >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
        >>> f = (x + y) * z                     # no trace recorded, no backward called
        >>> t = Trace.of(f)
        >>> [s.op for s in t.forward_steps], t.backward_steps[2].edge("x").contribution, x.grad
        (['add', 'mul'], -4.0, None)
        """
        import numpy as np

        from .engine import topological_order

        if not hasattr(output, "_prev"):
            raise TypeError(f"Trace.of takes a Value or a Tensor, got {type(output).__name__}")
        topo = topological_order(output)
        recorded = cls()
        recorded._events.extend(node for node in topo if node._op is not None)
        seed = 1.0 if output._scalar else np.ones(output.data.shape, dtype=output.data.dtype)
        leaf_datas = {id(node): node.data for node in topo if node._op is None}
        recorded._keep_datas()
        recorded.outputs.append(output)
        recorded._passes.append(_Pass(output, seed, topo, {}, leaf_datas, len(recorded._events), complete=True))
        return recorded

    def leaf_values(self, pass_index: int = -1) -> dict[int, Any]:
        """The leaves' data as they were when backward pass `pass_index` began, keyed by ``id(leaf)``: what
        the steps were computed with, even if an optimizer has changed the parameters since.

        >>> from gradviz import Value, trace
        >>> w = Value(3.0, label="w")
        >>> with trace() as t:
        ...     loss = w * w
        ...     loss.backward()
        >>> w.data -= 0.1 * w.grad                  # an optimizer step after the lesson
        >>> t.leaf_values()[id(w)], w.data
        (3.0, 2.4)
        """
        if not self._passes:
            raise ValueError("Trace.leaf_values: no backward pass was recorded; call backward() inside the trace")
        return dict(self._passes[pass_index].leaf_datas)

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
        key = (len(self._events), len(self._passes), sum(p.complete for p in self._passes))
        if key == self._built_key:
            return
        from .engine import replay_backward

        steps: list = []
        forward: list[ForwardStep] = []
        backward: list[BackwardStep] = []

        def add_forward(until: int) -> None:
            datas = self._datas
            for node in self._events[len(forward) : until]:
                value = datas.get(id(node), node.data)
                step = ForwardStep(len(forward), node, node._op.name, node._prev, value, dict(node._params or {}))
                forward.append(step)
                steps.append(step)

        for pass_index, recorded in enumerate(self._passes):
            add_forward(recorded.forward_count)
            replayed = replay_backward(
                recorded.root,
                recorded.seed,
                recorded.topo,
                recorded.leaf_grads,
                recorded.leaf_datas,
                self._datas,
                stop_at_nonfinite=not recorded.complete,
            )
            for k, (node, upstream, edges) in enumerate(replayed):
                step = BackwardStep(
                    len(backward),
                    node,
                    upstream,
                    tuple(EdgeStep(*edge) for edge in edges),
                    seed=k == 0,  # the pass starts with ∂f/∂f = 1
                    pass_index=pass_index,
                )
                backward.append(step)
                steps.append(step)
        add_forward(len(self._events))
        self._steps, self._forward_steps, self._backward_steps = steps, forward, backward
        self._built_key = key

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
        if self._events:
            return self._events[-1]
        raise ValueError("this trace recorded nothing: compute something inside `with gradviz.trace():`")

    def graph(self):
        """The Graph of the trace's output."""
        from .graph import Graph

        return Graph.of(self.output)

    @property
    def iterations(self) -> int:
        """How many training iterations the trace holds: forward steps, the backward pass(es) after them and the
        optimizer steps after those make one; a new iteration starts with new forward steps after a pass, or
        after an optimizer step (at least 1 when anything was recorded).

        >>> from gradviz import Value, trace
        >>> w = Value(2.0, label="w")
        >>> with trace() as t:
        ...     for _ in range(3):
        ...         (w * w).backward()
        >>> t.iterations
        3
        """
        return max(len(self._groups()), 1 if self._events else 0)

    def _groups(self) -> list[list[int]]:
        """The backward passes of each iteration, by index."""
        groups: list[list[int]] = []
        stepped_after = {update.after_pass for update in self.updates}  # once: a long training trace has many
        for j, recorded in enumerate(self._passes):
            fresh = j == 0 or recorded.forward_count > self._passes[j - 1].forward_count
            if fresh or j - 1 in stepped_after:
                groups.append([j])
            else:
                groups[-1].append(j)
        return groups

    def iteration(self, k: int) -> Trace:
        """Iteration `k` (0-based) alone, as a Trace: its forward steps, its backward pass(es) and the optimizer
        steps that followed — what one part of a training lesson shows.

        >>> from gradviz import Value, trace
        >>> w = Value(2.0, label="w")
        >>> with trace() as t:
        ...     for _ in range(2):
        ...         w.grad = None
        ...         loss = w * w
        ...         loss.backward()
        ...         w.data -= 0.25 * w.grad
        >>> first, second = t.iteration(0), t.iteration(1)
        >>> first.forward_steps[0].value, second.forward_steps[0].value   # w was 2, then 1
        (4.0, 1.0)
        """
        count = self.iterations
        if not -count <= k < count:
            raise IndexError(f"this trace has {count} iteration(s), 0 to {count - 1}; got {k}")
        k %= count
        self._keep_datas()
        part = Trace()
        groups = self._groups()
        if not groups:
            part._events = list(self._events)
        else:
            group = groups[k]
            start = self._passes[groups[k - 1][-1]].forward_count if k > 0 else 0
            end = self._passes[groups[k + 1][0]].forward_count if k + 1 < len(groups) else len(self._events)
            part._events = self._events[start:end]
            for j in group:
                recorded = self._passes[j]
                fields = (recorded.root, recorded.seed, recorded.topo, recorded.leaf_grads, recorded.leaf_datas)
                part._passes.append(_Pass(*fields, recorded.forward_count - start, recorded.complete))
                part.outputs.append(self.outputs[j])
        part._datas = self._datas
        part._kept = len(part._events)
        part.updates = [u for u in self.updates if u.iteration == k]
        return part

    def record_update(self, optimizer: str, parameters: list[ParameterUpdate]) -> UpdateStep:
        """Record an optimizer step (gradviz.optim's optimizers call it inside ``with trace()``): `parameters`
        moved, after the backward passes recorded so far.

        >>> from gradviz import Value
        >>> t = Trace()
        >>> w = Value(1.0, label="w")
        >>> t.record_update("SGD", [ParameterUpdate(w, 1.0, 2.0, 0.8, {"lr": 0.1}, {})]).iteration
        -1
        """
        groups = self._groups()
        step = UpdateStep(len(self.updates), optimizer, tuple(parameters), len(groups) - 1, len(self._passes) - 1)
        self.updates.append(step)
        return step

    # -- called by the engine -----------------------------------------------------------------

    def _forward(self, node) -> None:
        self._events.append(node)

    def _begin_backward(self, root, seed, topo: list) -> None:
        keep = _same if root._scalar else self._copy
        leaf_grads, leaf_datas = {}, {}
        for node in topo:
            if node._op is None:
                if node.grad is not None:
                    leaf_grads[id(node)] = keep(node.grad)
                leaf_datas[id(node)] = keep(node.data)
        self._keep_datas()
        self.outputs.append(root)
        self._passes.append(_Pass(root, keep(seed), topo, leaf_grads, leaf_datas, len(self._events)))

    def _keep_datas(self) -> None:
        """Keep the data of the forward steps recorded since the last call as it is now (arrays copied: a
        Tensor's may be changed in place), so that steps read later show what was computed. Runs when each
        backward pass begins and when the block ends, so each step's data is kept once."""
        start, self._kept = self._kept, len(self._events)
        nodes = self._events[start:]
        if not nodes:
            return
        values = [node.data for node in nodes]
        if nodes[0]._scalar and np.ndarray not in set(map(type, values)):  # a Value's floats cannot change in place
            self._pending.append((nodes, values))
            return
        copy = self._copy
        self._pending.append((nodes, [copy(value) for value in values]))

    def _end_backward(self, root) -> None:
        self._passes[-1].complete = True


def _same(value):
    return value


class _Buffers:
    """Large arrays that finished traces copied into, kept for the next trace to copy into (per shape and dtype,
    up to LIMIT bytes in all). A traced step copies every array it computed; freed and allocated afresh each
    step, a megabyte-sized copy is memory the allocator may have handed back to the system, and faulting it in
    again cost an MNIST-sized traced step as much as the step itself. An array comes back only when the finished
    trace was its last holder (no frame, step or view of it left anywhere)."""

    SMALLEST = 64 << 10  # smaller arrays come from numpy's and the allocator's own caches (Trace._copy)
    LIMIT = 256 << 20

    def __init__(self) -> None:
        self._free: dict[tuple, list[np.ndarray]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def copy(self, array: np.ndarray) -> np.ndarray:
        key = (array.shape, array.dtype)
        with self._lock:
            stack = self._free.get(key)
            buffer = stack.pop() if stack else None
            if buffer is not None:
                self._bytes -= buffer.nbytes
        if buffer is None:
            return array.copy()
        np.copyto(buffer, array)
        return buffer

    def give_back(self, copies: list) -> None:
        free = []
        for index in range(len(copies)):
            array = copies[index]
            if sys.getrefcount(array) <= _HELD and array.base is None and array.flags.writeable:
                free.append(array)
            del array
        copies.clear()
        with self._lock:
            for array in free:
                if self._bytes + array.nbytes > self.LIMIT:
                    break
                self._free.setdefault((array.shape, array.dtype), []).append(array)
                self._bytes += array.nbytes


def _alone_refs() -> int:
    """What sys.getrefcount says, in give_back's expression, of an array only the list holds (this Python's count:
    measured, not assumed)."""
    copies = [np.empty(1)]
    index = 0
    array = copies[index]
    return sys.getrefcount(array)


_HELD = _alone_refs()
_BUFFERS = _Buffers()


def active() -> Trace | None:
    """The Trace this thread is recording into (inside ``with gradviz.trace() as t:``), else None.

    >>> from gradviz import trace
    >>> active() is None
    True
    >>> with trace() as t:
    ...     active() is t
    True
    """
    return current().trace


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
    try:
        with changed(trace=recorded, trace_events=recorded._events):
            yield recorded
    finally:  # what was computed but not yet back-propagated: its values as they are when the block ends
        recorded._keep_datas()


class _TraceModule(types.ModuleType):
    """``gradviz.trace`` is this module and its function at once: ``with gradviz.trace() as t:`` works whether the
    module was first loaded by that call (``import gradviz`` loads it lazily) or by an import of one of its parts
    (``from gradviz.trace import Trace``)."""

    def __call__(self):
        return trace()


sys.modules[__name__].__class__ = _TraceModule
