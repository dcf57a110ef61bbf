"""The one interpreter of recorded graphs: forward replay (`evaluate`) and one edge's local derivative and
contribution (`edge`), from the ops' registered rules.

Everything that recomputes a graph goes through here: the engine's general backward loop and the trace's
replay, the frames and chain-rule paths (local derivatives at the recorded values), the stepper's
numerical check (forward replay with one input nudged), the JAX backend's compiled programs (the same
steps over jax.numpy) and the jaxpr graphs. A program is a sequence of :class:`Step`; a Graph's steps are
its op nodes, slot = the node's position in ``graph.nodes``.

>>> from gradviz import Graph, Value
>>> from gradviz.interpret import edge, evaluate, steps
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> f = x * y + x
>>> g = Graph.of(f)
>>> [(s.slot, s.spec.name, s.inputs) for s in steps(g)]
[(2, 'mul', (0, 1)), (3, 'add', (2, 0))]
>>> evaluate(g, g.nodes[0].xp, {"x": 10.0})[-1]       # f with x = 10, y as recorded
40.0
>>> edge(g, g["v1"], 0, upstream=1.0)                 # ∂(x·y)/∂x = y = 3; upstream 1 → 3
Local(local=3.0, contribution=3.0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Step", "Local", "steps", "evaluate", "edge", "local_and_contribution"]


class Step(NamedTuple):
    """One op of a program: its result goes to `slot`, computed by `spec` from the values in `inputs`.

    >>> from gradviz import Graph, Value
    >>> x = Value(2.0, label="x")
    >>> (step,) = steps(Graph.of(x * x))
    >>> step.slot, step.spec.name, step.inputs
    (1, 'mul', (0, 0))
    """

    slot: int
    spec: Any  # gradviz.ops.Op
    inputs: tuple[int, ...]
    params: dict
    scope: str | None


class Local(NamedTuple):
    """One edge: ∂out/∂input (None for an op with a VJP rather than a local derivative) and the gradient
    the input receives from it (upstream · local, or the VJP), summed to the input's shape.

    >>> Local(local=2.0, contribution=6.0).contribution
    6.0
    """

    local: Any
    contribution: Any


def steps(graph) -> tuple[Step, ...]:
    """The op nodes of a Graph as a program, in the graph's (topological) order.

    >>> from gradviz import Graph, Value
    >>> x = Value(0.5, label="x")
    >>> [(s.slot, s.spec.name) for s in steps(Graph.of((x * 2).tanh()))]
    [(2, 'mul'), (3, 'tanh')]
    """
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    return tuple(
        Step(i, node.spec, tuple(index[j] for j in node.inputs), node.params, node.scope)
        for i, node in enumerate(graph.nodes)
        if node.spec is not None
    )


def forward(step: Step, xp, args: Sequence) -> Any:
    """One step's value from its inputs' values, by its op's registered forward."""
    return step.spec.forward(xp, *args, **step.params)


def evaluate(
    program,
    xp,
    values: Mapping | Sequence | None = None,
    *,
    call: Callable[[Step, list], Any] | None = None,
):
    """Replay a program forward over the array namespace `xp`; every slot's value, in a list.

    `program` is a Graph or a sequence of :class:`Step` (any part of a program, in order: the slots it
    does not compute are read as given). `values` gives the starting values: anything indexable by slot
    that takes assignment (a list is filled in place and returned), or for a Graph a dict from node id or
    label to value (the nodes not named keep the value the graph holds). `call` computes one step from its
    inputs' values instead of the op's forward (the JAX backend uses it to name scopes and to pick
    precisions).

    >>> import numpy as np
    >>> from gradviz import Graph, Tensor
    >>> w = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="w")
    >>> g = Graph.of((w * w).sum())
    >>> evaluate(g, np, {"w": np.array([3.0, 4.0])})[-1]     # 3² + 4², the graph replayed at another w
    np.float64(25.0)
    """
    if hasattr(program, "nodes"):
        graph, program = program, steps(program)
        start = [node.value for node in graph.nodes]
        if isinstance(values, Mapping):
            for key, value in values.items():
                start[graph.nodes.index(graph[key])] = value
        elif values is not None:
            start = list(values)
        values = start
    elif not hasattr(values, "__setitem__"):
        values = list(values)
    if call is None:
        for step in program:
            values[step.slot] = step.spec.forward(xp, *[values[i] for i in step.inputs], **step.params)
    else:
        for step in program:
            values[step.slot] = call(step, [values[i] for i in step.inputs])
    return values


def edge(graph, node, position: int, upstream=None, values: Sequence | None = None) -> Local:
    """Input `position` of `node` in `graph`: its local derivative and contribution at the graph's values.

    `upstream` is ∂output/∂node (default: the node's gradient); `values` the values by slot to read
    (default: those the graph holds).

    >>> from gradviz import Graph, Value
    >>> x = Value(3.0, label="x")
    >>> y = x.tanh()
    >>> y.label = "y"
    >>> round(edge(Graph.of(y), "y", 0, upstream=1.0).local, 6)      # 1 − tanh²(3)
    0.009866
    """
    node = graph[node] if isinstance(node, str) else node
    if values is None:
        inputs = [graph[i].value for i in node.inputs]
        out = node.value
    else:
        slot = {n.id: i for i, n in enumerate(graph.nodes)}
        inputs = [values[slot[i]] for i in node.inputs]
        out = values[slot[node.id]]
    upstream = node.grad if upstream is None else upstream
    with np.errstate(all="ignore"):
        local, contribution = local_and_contribution(
            node.spec, position, upstream, out, inputs, node.params, node.xp, node.scalar
        )
    return Local(local, contribution)


def local_and_contribution(op, i: int, upstream, out, inputs: Sequence, params: dict, xp, scalar: bool):
    """(local derivative or None, contribution) for input `i` of a node computed by `op`: the engine's general
    backward arithmetic. The engine's fast loops compute the same numbers (checked by tests).

    >>> from gradviz.ops import OPS
    >>> from gradviz.xp import scalar
    >>> local_and_contribution(OPS["mul"], 0, 2.0, 12.0, [3.0, 4.0], {}, scalar, True)   # ∂(a·b)/∂a = b
    (4.0, 8.0)
    """
    rule = op.rules[0] if op.variadic else op.rules[i]
    if rule.local is not None:
        local = rule.local(xp, out, *inputs, **params)
        if not rule.selects:
            contribution = upstream * local
        elif scalar:
            contribution = upstream * local if local else 0.0
        else:
            contribution = selected(upstream, local)
    else:
        local = None
        if op.variadic:
            contribution = rule.vjp(xp, upstream, out, *inputs, index=i, **params)
        else:
            contribution = rule.vjp(xp, upstream, out, *inputs, **params)
    if not scalar:
        contribution = fit(contribution, inputs[i])
    return local, contribution


_BITS = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}
_SMALL = 4096  # below this many elements np.where (one call) beats the bitwise path (five)


def selected(upstream, local):
    """upstream · local where local ≠ 0, and exactly 0 elsewhere (nan and inf upstream included)."""
    local = np.asarray(local)
    if local.dtype == bool:
        if local.size <= _SMALL:
            return np.where(local, upstream, 0.0)  # one call: the cheapest for a few thousand elements
        bits = _BITS.get(getattr(upstream, "dtype", None))
        if bits is not None and upstream.shape == local.shape:
            # a mask (relu's, say) over floats: keep upstream's bits where it is on, +0's (all zero) where it is off
            # — np.where's result exactly (nan and inf upstream included), several times faster
            keep = local.astype(bits)
            np.negative(keep, out=keep)  # True → all ones, False → 0
            result = np.empty(upstream.shape, upstream.dtype)  # an array of its own, not a view of the integers
            np.bitwise_and(upstream.view(bits), keep, out=result.view(bits))
            return result
        # otherwise the product is what np.where gives, ten times faster, unless a nan/inf upstream sits where the
        # mask is off (nan · 0 is nan): then np.where. Adding +0 turns the product's −0 into +0.
        product = np.multiply(upstream, local)
        if np.isfinite(product).all():
            product += 0.0
            return product
        return np.where(local, upstream, 0.0)
    return np.where(local != 0, upstream * local, 0.0)


def fit(contribution, data):
    """Sum a contribution over the axes broadcasting added, and give it the input's dtype."""
    contribution = np.asarray(contribution)
    shape = data.shape
    if contribution.shape != shape:
        extra = contribution.ndim - len(shape)
        if extra > 0:
            contribution = contribution.sum(axis=tuple(range(extra)))
        stretched = tuple(i for i, d in enumerate(shape) if d == 1 and contribution.shape[i] != 1)
        if stretched:
            contribution = contribution.sum(axis=stretched, keepdims=True)
        if contribution.shape != shape:  # a scalar input whose gradient is still a 0-d array
            contribution = contribution.reshape(shape)
    if contribution.dtype != data.dtype:
        contribution = contribution.astype(data.dtype)
    return contribution
