"""Graph: the computational graph as plain data — nodes with stable ids and labels, edges, order.

>>> from gradviz import Value, Graph
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z
>>> g = Graph.of(f)
>>> [(n.id, n.label, n.op or n.kind) for n in g.nodes]
[('n0', 'x', 'input'), ('n1', 'y', 'input'), ('n2', 'v1', 'add'), ('n3', 'z', 'input'), ('n4', 'v2', 'mul')]
>>> g.counts()
{'add': 1, 'mul': 1}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Graph", "GraphNode", "Edge", "nodes_in_order"]


@dataclass(eq=False)
class GraphNode:
    """One node: `ref` is the live Value/Tensor; `value` and `grad` read it.

    `kind` is "input" (a leaf that requires grad), "constant", "op" or "output"; `op` is "" for leaves.
    What a picture needs of the op is plain data here, so that nothing outside the engine reads a node's
    private slots: `spec` is the registered `gradviz.ops.Op` (None for leaves), `inputs` the ids of its
    inputs in order, `params` its parameters, `scalar` whether it is a Value (else a Tensor).

    >>> from gradviz import Graph, Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.backward()
    >>> node = Graph.of(y)["x"]
    >>> node.id, node.kind, node.value, node.grad
    ('n0', 'input', 3.0, 6.0)
    """

    id: str
    ref: Any
    label: str
    kind: str  # "input" (a leaf that requires grad), "constant", "op" (intermediate) or "output"
    op: str  # "" for leaves
    scope: str | None
    auto_label: bool  # True when gradviz chose the label
    spec: Any = None  # the gradviz.ops.Op that computed the node; None for a leaf
    inputs: tuple = ()  # the ids of its inputs, in the op's order
    params: dict = field(default_factory=dict)
    scalar: bool = True  # a Value (else a Tensor)

    @property
    def value(self):
        return self.ref.data

    @property
    def grad(self):
        return self.ref.grad

    @property
    def symbol(self) -> str:
        return self.spec.symbol if self.spec is not None else ""

    @property
    def xp(self):
        """The array namespace the node's op computes with (gradviz's scalar math, or numpy)."""
        return self.ref.xp

    @property
    def shape(self) -> tuple:
        return tuple(getattr(self.ref.data, "shape", ()))

    @property
    def dtype(self) -> str:
        return str(getattr(self.ref.data, "dtype", "float"))

    @property
    def is_tensor(self) -> bool:
        return not self.scalar

    def __repr__(self) -> str:
        return f"<GraphNode {self.id} {self.label!r} {self.op or self.kind}>"


@dataclass(frozen=True)
class Edge:
    """`source` (an input) feeds `target` as its input number `position`.

    >>> from gradviz import Graph, Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> Graph.of(x - y).edges
    [Edge(source='n0', target='n2', position=0), Edge(source='n1', target='n2', position=1)]
    """

    source: str
    target: str
    position: int


class Graph:
    """A computational graph, walked iteratively from one or more outputs.

    Nodes come in topological order (inputs before the ops that use them); ids ``n0, n1, …``
    follow that order, so the same computation always gets the same ids.

    >>> from gradviz import Graph, Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y
    >>> q.label = "q"
    >>> g = Graph.of(q * z)
    >>> g
    <Graph: 5 nodes, 4 edges>
    >>> [n.label for n in g.parents(g.outputs[0])]
    ['q', 'z']
    >>> print(g.summary())
    Graph: 5 nodes (3 inputs, 2 ops), 4 edges
      ops: add ×1, mul ×1
      outputs: v1
    """

    def __init__(self, nodes: list[GraphNode], edges: list[Edge], outputs: list[GraphNode]):
        self.nodes = nodes
        self.edges = edges
        self.outputs = outputs
        self._by_id = {n.id: n for n in nodes}
        self._by_ref = {id(n.ref): n for n in nodes}

    @classmethod
    def of(cls, *outputs) -> Graph:
        """The graph of everything the given Values/Tensors were computed from."""
        if not outputs:
            raise ValueError("Graph.of() needs at least one Value or Tensor")
        for out in outputs:
            if not hasattr(out, "_prev"):
                raise TypeError(f"Graph.of() takes Values or Tensors, got {type(out).__name__}")
        order = nodes_in_order(outputs)
        output_ids = {id(o) for o in outputs}
        taken = {n.label for n in order if n.label}
        counter = 0
        nodes: list[GraphNode] = []
        for i, ref in enumerate(order):
            if ref._op is not None:
                kind = "output" if id(ref) in output_ids else "op"
            elif ref.requires_grad:
                kind = "output" if id(ref) in output_ids else "input"
            else:
                kind = "constant"
            label = ref.label
            auto = not label
            if auto:
                if kind == "constant":
                    label = _constant_label(ref.data)
                else:
                    counter += 1
                    while f"v{counter}" in taken:
                        counter += 1
                    label = f"v{counter}"
            node = GraphNode(f"n{i}", ref, label, kind, ref.op, ref._scope, auto)
            node.spec, node.params, node.scalar = ref._op, dict(ref._params or {}), ref._scalar
            nodes.append(node)
        index = {id(n.ref): n for n in nodes}
        for node in nodes:
            node.inputs = tuple(index[id(parent)].id for parent in node.ref._prev)
        edges = [
            Edge(index[id(parent)].id, node.id, position)
            for node in nodes
            for position, parent in enumerate(node.ref._prev)
        ]
        return cls(nodes, edges, [index[id(o)] for o in outputs])

    # -- walking and counting -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[GraphNode]:
        return iter(self.nodes)

    def __getitem__(self, key) -> GraphNode:
        """A node by id ('n3'), by label ('q') or by the Value/Tensor itself."""
        if isinstance(key, str):
            if key in self._by_id:
                return self._by_id[key]
            for n in self.nodes:
                if n.label == key:
                    return n
            raise KeyError(f"no node with id or label {key!r}")
        node = self._by_ref.get(id(key))
        if node is None:
            raise KeyError(f"{key!r} is not in this graph")
        return node

    def node_of(self, ref) -> GraphNode:
        """The GraphNode of a Value/Tensor."""
        return self[ref]

    def label_of(self, ref) -> str:
        """The label shown for a Value/Tensor (its own, or the one gradviz chose)."""
        node = self._by_ref.get(id(ref))
        return node.label if node is not None else (ref.label or "?")

    @property
    def leaves(self) -> list[GraphNode]:
        return [n for n in self.nodes if not n.op]

    @property
    def inputs(self) -> list[GraphNode]:
        """The leaves that require grad (inputs and parameters)."""
        return [n for n in self.nodes if n.kind == "input" or (n.kind == "output" and not n.op)]

    @property
    def ops(self) -> list[GraphNode]:
        return [n for n in self.nodes if n.op]

    def parents(self, node: GraphNode | str) -> list[GraphNode]:
        """The inputs of a node, in order."""
        target = node if isinstance(node, str) else node.id
        edges = sorted((e for e in self.edges if e.target == target), key=lambda e: e.position)
        return [self._by_id[e.source] for e in edges]

    def children(self, node: GraphNode | str) -> list[GraphNode]:
        """The nodes that use this one."""
        source = node if isinstance(node, str) else node.id
        return [self._by_id[e.target] for e in self.edges if e.source == source]

    def counts(self) -> dict[str, int]:
        """How many nodes each op produced."""
        return dict(Counter(n.op for n in self.nodes if n.op))

    def scopes(self) -> dict[str, int]:
        """How many nodes each name scope holds (nested scopes under their full path)."""
        return dict(Counter(n.scope for n in self.nodes if n.scope))

    def summary(self) -> str:
        """A few lines: node and edge counts, ops, scopes, outputs."""
        ops = ", ".join(f"{name} ×{count}" for name, count in sorted(self.counts().items(), key=lambda kv: -kv[1]))
        lines = [
            f"Graph: {len(self.nodes)} nodes ({len(self.inputs)} inputs, {len(self.ops)} ops), {len(self.edges)} edges",
            f"  ops: {ops or 'none'}",
        ]
        if self.scopes():
            lines.append("  scopes: " + ", ".join(f"{s} ({c})" for s, c in self.scopes().items()))
        lines.append("  outputs: " + ", ".join(n.label for n in self.outputs))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Graph: {len(self.nodes)} nodes, {len(self.edges)} edges>"

    def to_networkx(self):
        """A networkx.DiGraph (edges input → op output) with op, label, kind, scope, value/shape, grad."""
        import networkx as nx

        graph = nx.DiGraph()
        for n in self.nodes:
            attrs = {"label": n.label, "kind": n.kind, "op": n.op, "scope": n.scope}
            if n.is_tensor:
                attrs.update(shape=n.shape, dtype=n.dtype, value=n.value, grad=n.grad)
            else:
                attrs.update(value=n.value, grad=n.grad)
            graph.add_node(n.id, **attrs)
        for e in self.edges:
            if graph.has_edge(e.source, e.target):  # x * x: one edge, both positions
                graph.edges[e.source, e.target]["positions"].append(e.position)
            else:
                graph.add_edge(e.source, e.target, positions=[e.position])
        return graph


def _constant_label(data) -> str:
    if isinstance(data, float):
        return f"{data:g}"
    array = np.asarray(data)
    if array.size == 1:
        return f"{array.item():g}"
    return f"const{tuple(array.shape)}"


def nodes_in_order(outputs: Iterable) -> list:
    """Every node the outputs depend on (constants and nodes that need no gradient included), inputs first;
    iterative DFS. (:func:`gradviz.engine.topological_order` is the backward pass's: only what requires grad.)

    The order is a recursive depth-first walk's, without recursion: outputs in the order given, each
    node's parents (``_prev``) left to right, each node once. :meth:`Graph.of` numbers its nodes by
    it, and the jax backend replays a recorded loss in it.

    A node is marked when it is pushed: in a DAG a marked node is either finished or an input of
    the path being walked, never an output of it, so each node is visited once.

    >>> from gradviz import Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> [n.label or n.op for n in nodes_in_order([x * y + x])]
    ['x', 'y', 'mul', 'add']
    """
    order = []
    append = order.append
    seen: set[int] = set()
    mark = seen.add
    for root in outputs:
        if id(root) in seen:
            continue
        mark(id(root))
        stack = [(root, iter(root._prev))]
        push = stack.append
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if id(parent) not in seen:
                    mark(id(parent))
                    push((parent, iter(parent._prev)))
                    break
            else:
                stack.pop()
                append(node)
    return order
