"""Numerical gradients of a graph's output with respect to every node, by central differences.

For each node that requires grad (inputs, parameters and intermediate values alike) each element is nudged
by ±h and only the nodes downstream of it are recomputed, with the ops' own forward rules, in float64.
The stepper shows these next to the gradients backward computed, so a student can see the chain rule agree
with "wiggle the input and watch the output".

>>> from gradviz import Graph, Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> q = x + y
>>> f = q * z
>>> numeric = numeric_gradients(Graph.of(f))
>>> [round(numeric.gradients[n.id], 6) for n in Graph.of(f).nodes]   # x, y, q, z, f
[-4.0, -4.0, -4.0, 3.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import Graph
from ..interpret import evaluate, steps

__all__ = ["NumericGradients", "numeric_gradients", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 400_000  # op evaluations; a 2-8-8-1 scalar MLP needs about a fifth of this
_EPS = 1e-6


@dataclass
class NumericGradients:
    """`gradients` maps node id → ∂(Σ seed·output)/∂node (a float or an array of the node's shape); `skipped`
    lists the ids left out because they would exceed the evaluation budget."""

    gradients: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _as_float64(data):
    if isinstance(data, np.ndarray) and np.issubdtype(data.dtype, np.floating):
        return data.astype(np.float64)
    return data


def numeric_gradients(
    graph: Graph,
    seed: Any = None,
    *,
    eps: float = _EPS,
    budget: int = DEFAULT_BUDGET,
    leaf_values: Mapping[int, Any] | None = None,
):
    """Central differences of Σ(seed · output) with respect to every node of `graph` that requires grad.

    `leaf_values` ({id(leaf): data}, see :meth:`gradviz.Trace.leaf_values`) stands in for the leaves' data
    where given: the values a recorded backward pass used, if parameters changed since.

    `seed` is the gradient the backward pass started from (default: ones, as ``output.sum().backward()``).
    Each element x gets the step h = eps·max(1, |x|). Nodes are computed from the output backwards until
    `budget` op evaluations are spent; the rest are listed in `skipped`.

    >>> import numpy as np
    >>> from gradviz import Graph, Tensor
    >>> w = Tensor(np.array([0.5, -1.0]), requires_grad=True, label="w")
    >>> loss = (w * w).sum()
    >>> result = numeric_gradients(Graph.of(loss))
    >>> np.round(result.gradients["n0"], 6).tolist(), result.skipped
    ([1.0, -2.0], [])
    """
    nodes = graph.nodes
    output = graph.outputs[0]
    index = {node.id: i for i, node in enumerate(nodes)}
    program = {step.slot: step for step in steps(graph)}
    inputs = [list(program[i].inputs) if i in program else [] for i in range(len(nodes))]
    out_index = index[output.id]
    if seed is None:
        seed = 1.0 if output.scalar else np.ones(np.shape(output.value))
    seed = np.asarray(seed, dtype=np.float64)
    xp = output.xp

    with np.errstate(all="ignore"):
        values: list[Any] = [None] * len(nodes)
        for i, node in enumerate(nodes):
            if node.spec is None:
                values[i] = _as_float64(leaf_values.get(id(node.ref), node.value) if leaf_values else node.value)
        evaluate(list(program.values()), xp, values)

        users: list[list[int]] = [[] for _ in nodes]
        for i, parents in enumerate(inputs):
            for j in set(parents):
                users[j].append(i)

        def downstream(start: int) -> list[int]:
            seen, stack = set(), [start]
            while stack:
                for user in users[stack.pop()]:
                    if user not in seen:
                        seen.add(user)
                        stack.append(user)
            return sorted(seen)  # graph order is topological

        def objective(start: int, nudged, order: list) -> float:
            view = evaluate(order, xp, _Overlay(values, {start: nudged}))
            return float(np.sum(seed * np.asarray(view[out_index], dtype=np.float64)))

        result = NumericGradients()
        spent = 0
        for i in reversed(range(len(nodes))):
            node = nodes[i]
            if not node.ref.requires_grad:
                continue
            order = [program[j] for j in downstream(i)]
            size = 1 if node.scalar else int(np.size(values[i]))
            cost = 2 * size * max(1, len(order))
            if spent + cost > budget:
                result.skipped.append(nodes[i].id)
                continue
            spent += cost
            try:
                result.gradients[nodes[i].id] = _differences(values[i], node.scalar, i, order, objective, eps)
            except (ArithmeticError, ValueError, TypeError):
                result.gradients[nodes[i].id] = None  # e.g. math.log of a negative nudge: no number to show
        result.skipped.reverse()
    return result


def _differences(value, scalar: bool, i: int, order: list, objective, eps: float):
    if scalar:
        x = float(value)
        h = eps * max(1.0, abs(x))
        return (objective(i, x + h, order) - objective(i, x - h, order)) / (2 * h)
    array = np.asarray(value, dtype=np.float64)
    grad = np.zeros(array.shape)
    flat = array.reshape(-1)
    for k in range(flat.size):
        h = eps * max(1.0, abs(flat[k]))
        nudged = flat.copy()
        nudged[k] += h
        up = objective(i, nudged.reshape(array.shape), order)
        nudged[k] -= 2 * h
        down = objective(i, nudged.reshape(array.shape), order)
        grad.reshape(-1)[k] = (up - down) / (2 * h)
    return grad


class _Overlay:
    """The base values with some of them replaced, indexable like the list they overlay."""

    __slots__ = ("base", "changed")

    def __init__(self, base: list, changed: dict):
        self.base = base
        self.changed = changed

    def __getitem__(self, i: int):
        changed = self.changed
        return changed[i] if i in changed else self.base[i]

    def __setitem__(self, i: int, value) -> None:
        self.changed[i] = value
