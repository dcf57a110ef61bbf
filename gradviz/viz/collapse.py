"""Collapse for large graphs: name scopes become one box each, and past a node budget the nodes far from
the output become one "… more nodes" box, so the layout engine only ever sees a picture a person can read.

The budget counts what costs the layout program time: the nodes, and the bends of edges that reach across
the picture (an edge from x to a node ten layers on is routed through nine invisible points, and dot's
crossing minimisation grows much faster than linearly in them: ``x+x+…+x`` with 100 terms is about 9,700
bends and ran for minutes). A picture may have `max_nodes` nodes and ``BENDS_PER_NODE × max_nodes`` bends;
past either, the nodes furthest from the output go into the overflow box until both fit. Labels are cut to
a fixed length in gradviz.viz.dot, so their size is bounded and need not be counted here.

>>> from gradviz import Value, scope
>>> from gradviz.viz import final_frame
>>> x = Value(1.0, label="x")
>>> with scope("block"):
...     h = x
...     for _ in range(10):
...         h = h * 2
>>> view = plan(final_frame(h), collapse=True)
>>> [(box.title, len(box.members), dict(box.counts)) for box in view.boxes]   # x and the ten 2s join the box
[('block', 21, {'mul': 10})]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..i18n import message
from .frame import Frame, FrameEdge, FrameNode

__all__ = [
    "Box",
    "View",
    "plan",
    "LayoutCost",
    "layout_cost",
    "DEFAULT_MAX_NODES",
    "BENDS_PER_NODE",
    "EDGE_LABELS_UP_TO",
    "FOCUS_NODES",
    "FOCUS_DEPTH",
    "focus_of",
]

DEFAULT_MAX_NODES = 150
"""The node budget: a picture with more nodes collapses its scopes, then hides the nodes furthest from the output.

>>> from gradviz import Value
>>> from gradviz.viz import final_frame
>>> x = Value(1.0, label="x")
>>> h = x
>>> for _ in range(100):
...     h = h * 1.0
>>> len(final_frame(h).nodes) > DEFAULT_MAX_NODES, plan(final_frame(h)).boxes[0].kind
(True, 'overflow')
"""


BENDS_PER_NODE = 10
"""The bend budget per node of the budget: a picture may route its long edges through at most
``BENDS_PER_NODE × max_nodes`` invisible points (1,500 for the default 150 nodes: one to two seconds of dot).

>>> from gradviz import Value
>>> from gradviz.viz import final_frame
>>> x = Value(1.0, label="x")
>>> h = x
>>> for _ in range(99):                     # x + x + … + x: x feeds all 99 additions
...     h = h + x
>>> frame = final_frame(h)
>>> everything = plan(frame, max_nodes=1000)                   # 100 nodes, but 9,702 bends
>>> len(everything.nodes), layout_cost(frame, everything).bends
(100, 9702)
>>> view = plan(frame)                                          # the budget: 1,500 bends
>>> len(view.nodes), layout_cost(frame, view).bends, view.boxes[0].kind
(27, 1431, 'overflow')
"""


EDGE_LABELS_UP_TO = 40
"""Pictures of up to this many single nodes label their edges with the chain rule (past it, value nodes
shrink to one row and edges lose their labels: to_dot's ``edge_labels`` and ``compact`` "auto").

>>> from gradviz import Value
>>> from gradviz.viz import final_frame
>>> x = Value(1.0, label="x")
>>> plan(final_frame(x * 2)).edge_labels
True
"""


@dataclass
class Box:
    """A collapsed scope (`kind` "scope") or the nodes hidden past the budget (`kind` "overflow").

    >>> from gradviz import Tensor, nn
    >>> from gradviz.viz import final_frame
    >>> nn.manual_seed(0)
    >>> model = nn.MLP(2, [4, 1])
    >>> box = plan(final_frame(model(Tensor([[1.0, 2.0]]))), collapse=True).boxes[0]
    >>> box.kind, box.title, box.parameters, dict(box.counts)
    ('scope', 'mlp/0', 2, {'transpose': 1, 'matmul': 1, 'add': 1})
    """

    id: str
    kind: str
    title: str
    members: list[FrameNode] = field(default_factory=list)
    outputs: list[FrameNode] = field(default_factory=list)
    state: str = "done"

    @property
    def counts(self) -> Counter:
        return Counter(n.op for n in self.members if n.op)

    @property
    def parameters(self) -> int:
        return sum(1 for n in self.members if n.kind == "input")


@dataclass
class View:
    """What to draw: single nodes (with the scope whose cluster holds them), boxes, and edges between them.

    `edges` holds the frame's own edges between single nodes; `box_edges` holds (source unit, target unit,
    state) for edges touching a box, one per pair; `edge_labels` whether the edges carry their chain rule.

    >>> from gradviz import Value
    >>> from gradviz.viz import final_frame
    >>> x = Value(1.0, label="x")
    >>> view = plan(final_frame(x * 2))                   # small: nothing collapses
    >>> len(view.nodes), view.boxes, view.note
    (3, [], None)
    """

    nodes: list[FrameNode]
    cluster_of: dict[str, str | None]
    boxes: list[Box]
    edges: list[FrameEdge]
    box_edges: list[tuple[str, str, str]]
    note: str | None
    edge_labels: bool = False


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _home_scopes(frame: Frame) -> dict[str, str | None]:
    """Each node's scope; a leaf without one joins the scope of its users when they all share one
    (the weights of a layer live with the layer)."""
    home = {n.id: n.scope for n in frame.nodes}
    if not any(home.values()):
        return home
    user_scopes: dict[str, set] = {}
    for e in frame.edges:
        user_scopes.setdefault(e.source, set()).add(home[e.target])
    for n in frame.nodes:
        if not n.op and n.scope is None and n.id != frame.output:
            scopes = user_scopes.get(n.id)
            if scopes and len(scopes) == 1:
                home[n.id] = next(iter(scopes))
    return home


def _opened(paths: Iterable[str], expand: Iterable[str]) -> set[str]:
    """The scope paths drawn open: those `expand` names (a full path or its last parts) and their ancestors."""
    paths = set(paths)
    opened: set[str] = set()
    for name in expand:
        name = name.strip("/")
        matched = [p for p in paths if p == name or p.endswith("/" + name)]
        if not matched:
            known = ", ".join(sorted(paths)) or "none"
            raise ValueError(f"expand={name!r}: the graph has no scope of that name; its scopes are: {known}")
        for p in matched:
            opened.update(_prefixes(p))
    return opened


def _lone_wrappers(paths: set[str]) -> set[str]:
    """Scopes that only wrap one level of sub-scopes ('mlp' around 'mlp/layer1', 'mlp/layer2'): boxing them
    would leave a single box, so they stay open and their children are boxed instead."""
    opened: set[str] = set()
    level = {p for p in paths if "/" not in p}
    while len(level) == 1:
        (only,) = level
        children = {p for p in paths if p.startswith(only + "/") and "/" not in p[len(only) + 1 :]}
        if not children:
            break
        opened.add(only)
        level = children
    return opened


def plan(
    frame: Frame,
    *,
    expand: Iterable[str] = (),
    collapse: bool | str = "auto",
    max_nodes: int = DEFAULT_MAX_NODES,
    edge_labels: bool | str = "auto",
    focus: Iterable[str] | None = None,
) -> View:
    """Decide which nodes are drawn one by one and which go into boxes.

    With `focus` (node ids, see `focus_of`), those nodes are drawn one by one and every other node is folded,
    into one box of the nodes that feed them ("… 12 nodes before") and one of the rest ("… 5 nodes after").

    `collapse` "auto" collapses scopes only when the frame has more than `max_nodes` nodes; True always
    collapses them; False never does. Scopes named in `expand` stay open. If what is left still exceeds
    `max_nodes` nodes, or its long edges more than ``BENDS_PER_NODE × max_nodes`` bends, the nodes furthest
    from the output become one overflow box, with a note. `edge_labels` "auto" labels the edges of pictures
    up to `EDGE_LABELS_UP_TO` nodes (``view.edge_labels``); labels double the layers dot lays out, so they
    count in the bends. The note and the overflow box's title are in the frame's language (``frame.language``).

    >>> from gradviz import Value
    >>> from gradviz.viz import final_frame
    >>> x = Value(1.0, label="x")
    >>> h = x
    >>> for _ in range(200):
    ...     h = h * 1.0
    >>> view = plan(final_frame(h), max_nodes=20)
    >>> len(view.nodes), view.note
    (19, 'Collapsed to stay readable: 382 nodes furthest from the output hidden (budget max_nodes=20).')
    >>> plan(final_frame(h, language="es"), max_nodes=20).note
    'Grafo plegado para que se pueda leer: se ocultan los 382 nodos más alejados de la salida (límite max_nodes=20).'
    """
    if collapse not in ("auto", True, False):
        raise ValueError(f"collapse is 'auto', True or False, got {collapse!r}")
    if max_nodes < 2:
        raise ValueError(f"max_nodes must be at least 2, got {max_nodes}")
    expand = [expand] if isinstance(expand, str) else list(expand)
    nodes = frame.nodes
    if focus is not None:
        return _finish(frame, *_fold(frame, set(focus)), cost=_Estimator(frame, {n.id: n for n in nodes}, edge_labels))
    home = _home_scopes(frame)
    all_paths = {p for s in set(home.values()) if s for p in _prefixes(s)}
    opened = _opened(all_paths, expand) | _lone_wrappers(all_paths)
    too_big = len(nodes) > max_nodes
    collapse_scopes = collapse is True or (collapse == "auto" and (too_big or bool(expand)))
    notes = []
    language = frame.language

    box_of_scope: dict[str, str | None] = {}  # home scope → the scope path of its box (None: drawn open)
    for s in set(home.values()):
        if s is None:
            continue
        box_of_scope[s] = None
        if collapse_scopes:
            for prefix in _prefixes(s):
                if prefix not in opened:
                    box_of_scope[s] = prefix
                    break

    boxes: dict[str, Box] = {}
    by_id = {n.id: n for n in nodes}
    unit: dict[str, str] = {nid: nid for nid in by_id}
    for n in nodes if box_of_scope else ():
        s = home[n.id]
        path = box_of_scope.get(s) if s is not None else None
        if path is None or n.id == frame.output and not n.op:
            unit[n.id] = n.id
            continue
        box = boxes.get(path)
        if box is None:
            box = boxes[path] = Box(f"s{len(boxes)}", "scope", path)
        box.members.append(n)
        unit[n.id] = box.id
    if boxes and collapse == "auto" and too_big:
        key = "pictures.collapsed_scopes_one" if len(boxes) == 1 else "pictures.collapsed_scopes_many"
        notes.append(message(key, language, nodes=f"{len(nodes):,}", count=len(boxes)))

    unit_edges = _unit_edges(frame.edges, unit)
    units = list(dict.fromkeys(unit.values()))
    bend_budget = BENDS_PER_NODE * max_nodes
    cost = _Estimator(frame, by_id, edge_labels)
    bends = cost.bends(unit)
    if len(units) > max_nodes or bends > bend_budget:
        nearest = _nearest_first(unit_edges, unit[frame.output])
        keep = min(max_nodes - 1, len(units) - 1)
        if bends > bend_budget:
            keep = cost.most_that_fit(nearest, keep, unit, bend_budget)
        kept = set(nearest[:keep])
        hidden = [u for u in units if u not in kept]
        overflow = Box("more", "overflow", "")
        box_by_id = {b.id: b for b in boxes.values()}
        for u in hidden:
            if u in box_by_id:
                overflow.members.extend(box_by_id.pop(u).members)
            else:
                overflow.members.append(by_id[u])
        for n in overflow.members:
            unit[n.id] = overflow.id
        boxes = {b.title: b for b in box_by_id.values()}
        boxes["…"] = overflow
        hidden_count = f"{len(overflow.members):,}"  # numbers keep the English digit grouping in both languages
        overflow.title = message("pictures.more_nodes", language, count=hidden_count)
        if bends <= bend_budget:
            notes.append(message("pictures.hidden_nodes", language, count=hidden_count, code=f"max_nodes={max_nodes}"))
        else:
            notes.append(
                message(
                    "pictures.hidden_bends",
                    language,
                    count=hidden_count,
                    bends=f"{bends:,}",
                    limit=f"{bend_budget:,}",
                    code=f"max_nodes={max_nodes}",
                )
            )
        unit_edges = _unit_edges(frame.edges, unit)

    return _finish(frame, boxes, unit, notes, cost, home)


def _finish(frame: Frame, boxes: dict, unit: dict, notes: list, cost, home: dict | None = None) -> View:
    """The View of `frame` once each node's unit (itself, or the id of its box) is known."""
    nodes, language = frame.nodes, frame.language
    by_id = {n.id: n for n in nodes}
    home = home if home is not None else _home_scopes(frame)
    unit_edges = _unit_edges(frame.edges, unit)
    member_ids = {b.id: {n.id for n in b.members} for b in boxes.values()}
    outputs: dict[str, dict[str, FrameNode]] = {b.id: {} for b in boxes.values()}
    for e in frame.edges:
        su = unit[e.source]
        if su in outputs and unit[e.target] != su:
            outputs[su].setdefault(e.source, by_id[e.source])
    for b in boxes.values():
        if frame.output in member_ids[b.id]:
            outputs[b.id].setdefault(frame.output, by_id[frame.output])
        b.outputs = list(outputs[b.id].values())
        states = {n.state for n in b.members if n.op}
        b.state = "active" if frame.active in member_ids[b.id] else ("pending" if states == {"pending"} else "done")

    single = [n for n in nodes if unit[n.id] == n.id]
    cluster_of = {n.id: home[n.id] for n in single}
    edges = [e for e in frame.edges if unit[e.source] == e.source and unit[e.target] == e.target]
    box_edges = [(su, tu, state) for (su, tu), state in unit_edges.items() if su not in by_id or tu not in by_id]
    if notes:
        # the hint names a scope the picture shows as a box: expand= on a scope that is not a box changes nothing
        scopes = sorted(b.title for b in boxes.values() if b.kind == "scope")
        details = "; ".join(notes)
        if scopes and boxes:
            code = f"expand=['{scopes[0].split('/')[-1]}']"
            note = message("pictures.collapsed_note_hint", language, details=details, code=code)
        else:
            note = message("pictures.collapsed_note", language, details=details)
    else:
        note = None
    return View(single, cluster_of, list(boxes.values()), edges, box_edges, note, cost.labelled(len(single)))


FOCUS_NODES = 14
"""Past this many value nodes, pictures (to_dot's ``focus="auto"``) show each frame's focus at full size — the
active node, its inputs and outputs, and the output — with the rest folded into two boxes and a small overview
of the whole graph; ``focus=False`` draws every node.

>>> from gradviz import Value, trace
>>> from gradviz.viz import frames, to_dot
>>> x = Value(0.5, label="x")
>>> with trace() as t:
...     h = x
...     for k in range(10):
...         h = (h * 1.1).tanh()
...     h.backward()
>>> step = frames(t)[10]
>>> len(step.nodes) > FOCUS_NODES, "nodes before" in to_dot(step).source, "nodes before" in to_dot(step, focus=False).source
(True, True, False)
"""


FOCUS_DEPTH = 5
"""Past this many value nodes along the longest path (a chain too long for a slide's width, as a neuron with its
loss), pictures show each frame's focus as well (to_dot's ``focus="auto"``); see `FOCUS_NODES`.

>>> from gradviz import Value
>>> from gradviz.viz import final_frame, to_dot
>>> x = Value(0.5, label="x")
>>> y = x.tanh().tanh().tanh().tanh().tanh()          # 6 value nodes in a row
>>> "the whole graph" in to_dot(final_frame(y)).source
True
"""


def focus_of(frame: Frame, budget: int = FOCUS_NODES) -> frozenset[str]:
    """The ids a focus view of `frame` draws: its active node, the node's inputs and outputs, and the output (the
    way between them is folded, and the overview shows it). A frame without an active node (the first and the
    last) shows the inputs and parameters (up to `budget`) and the output.

    >>> from gradviz import Value, trace
    >>> from gradviz.viz import frames
    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> with trace() as t:
    ...     c = a * b
    ...     c.label = "c"
    ...     d = c + 1.0
    ...     d.label = "d"
    ...     e = d.tanh()
    ...     e.label = "e"
    ...     f = e * e
    ...     f.label = "f"
    ...     f.backward()
    >>> step = frames(t)[1]                         # × computes c
    >>> sorted(step.node(i).label for i in focus_of(step))   # c, its inputs and outputs, the output
    ['a', 'b', 'c', 'd', 'f']
    """
    if frame.active is None:
        chosen = [n.id for n in frame.nodes if n.kind == "input"][: max(budget - 1, 1)]
    else:
        active = frame.active
        chosen = [active]
        for edge in frame.edges:
            if edge.target == active:
                chosen.append(edge.source)
            elif edge.source == active:
                chosen.append(edge.target)
    chosen.append(frame.output)
    return frozenset(chosen)


def _fold(frame: Frame, focus: set[str]) -> tuple[dict, dict, list]:
    """Each node outside `focus` into one of two boxes: the nodes the active node is computed from (left of it),
    and the rest (the way on to the output, and side branches)."""
    feeders: dict[str, list[str]] = {}
    for edge in frame.edges:
        feeders.setdefault(edge.target, []).append(edge.source)
    before: set[str] = set()
    stack = list(feeders.get(frame.active, ())) if frame.active is not None else []
    while stack:
        node = stack.pop()
        if node in before:
            continue
        before.add(node)
        stack.extend(feeders.get(node, ()))
    boxes: dict[str, Box] = {}
    unit: dict[str, str] = {}
    feeds_focus = {edge.source for edge in frame.edges if edge.target in focus}
    for node in frame.nodes:
        if node.id in focus or node.kind == "constant" and node.id in feeds_focus:  # a constant is small: it stays
            unit[node.id] = node.id
            continue
        side = "before" if node.id in before else "after"
        box = boxes.get(side)
        if box is None:
            box = boxes[side] = Box(f"fold_{side}", "folded", side)
        box.members.append(node)
        unit[node.id] = box.id
    for side, box in boxes.items():
        one = len(box.members) == 1
        if side == "before":
            key = "focus.before_one" if one else "focus.before"
        else:
            key = "focus.after_one" if one else "focus.after"
        box.title = message(key, frame.language, count=f"{len(box.members):,}")
    return boxes, unit, []  # the boxes say what is folded; the caption stays the frame's own


def _unit_edges(edges, unit: dict[str, str]) -> dict[tuple[str, str], str]:
    """One edge per pair of units that the frame's edges join, with the strongest state (active wins)."""
    joined: dict[tuple[str, str], str] = {}
    for e in edges:
        key = (unit[e.source], unit[e.target])
        if key[0] != key[1] and (e.state == "active" or key not in joined):
            joined[key] = e.state
    return joined


def _nearest_first(unit_edges: dict, output_unit: str) -> list[str]:
    """The units that reach the output, nearest first (breadth-first against the edges)."""
    inputs: dict[str, list[str]] = {}
    for su, tu in unit_edges:
        inputs.setdefault(tu, []).append(su)
    order = [output_unit]
    seen = {output_unit}
    for u in order:  # grows while it is read: a breadth-first walk
        for v in inputs.get(u, ()):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


class _Estimator:
    """The layout cost of pictures of `frame` in which each node is drawn as the unit `unit` maps it to.

    Whether edges carry labels is decided as to_dot does for a final frame, by size alone, so that every
    frame of a walkthrough (forward frames have no labels) gets the same nodes hidden."""

    def __init__(self, frame: Frame, by_id: dict[str, FrameNode], edge_labels: bool | str = "auto"):
        if edge_labels not in ("auto", True, False):
            raise ValueError(f"edge_labels is 'auto', True or False, got {edge_labels!r}")
        self.frame, self.by_id, self.edge_labels = frame, by_id, edge_labels

    def labelled(self, single_nodes: int) -> bool:
        """Whether the picture's edges carry their chain rule (to_dot draws it on backward and final frames)."""
        return self.edge_labels is True or (self.edge_labels == "auto" and single_nodes <= EDGE_LABELS_UP_TO)

    def cost(self, unit: dict[str, str]) -> LayoutCost:
        units = list(dict.fromkeys(unit.values()))
        by_id = self.by_id
        single = sum(1 for u in units if u in by_id)
        links = _links(self.frame.edges, unit, by_id)
        layers = 2 if self.labelled(single) else 1
        nodes = len(units) + sum(1 for u in units if u in by_id and by_id[u].op)  # value boxes and op circles
        edges = sum(links.values()) + nodes - len(units)
        return LayoutCost(nodes, edges, _bends(links, units, by_id, layers))

    def bends(self, unit: dict[str, str]) -> int:
        return self.cost(unit).bends

    def most_that_fit(self, nearest: list[str], keep: int, unit: dict[str, str], budget: int) -> int:
        """The largest count ≤ `keep` of the units nearest the output whose picture (the others in one box)
        has at most `budget` bends: a binary search, the bends growing with the units kept."""

        def bends_keeping(count: int) -> int:
            kept = set(nearest[:count])
            return self.bends({nid: (u if u in kept else "more") for nid, u in unit.items()})

        low, high = 1, max(keep, 1)
        if bends_keeping(high) <= budget:
            return high
        while low < high - 1:
            middle = (low + high) // 2
            if bends_keeping(middle) <= budget:
                low = middle
            else:
                high = middle
        return low


def _links(edges, unit: dict[str, str], by_id: dict) -> dict[tuple[str, str], int]:
    """The edges the layout program sees, as (tail, head) → how many: an edge into a single node with an
    op ends at its op circle (``id_op``); edges touching a box are drawn once per pair of units."""
    links: dict[tuple[str, str], int] = {}
    for e in edges:
        su, tu = unit[e.source], unit[e.target]
        if su == tu:
            continue
        target = by_id.get(tu) if tu == e.target else None
        key = (su, f"{tu}_op" if target is not None and target.op else tu)
        if su == e.source and target is not None:
            links[key] = links.get(key, 0) + 1  # between single nodes every edge is drawn
        else:
            links[key] = 1
    return links


def _bends(links: dict[tuple[str, str], int], units: list[str], by_id: dict, layers: int = 1) -> int:
    """How many invisible points dot routes the edges through: each edge's rank span less one, with ranks
    by longest path from the inputs and each input moved up to just before its first use (as dot's
    ranking does); `layers` 2 when edges carry labels (dot puts each label on a layer of its own). A cycle
    through a box is broken where it is found."""
    succ: dict[str, list[str]] = {}
    indegree: dict[str, int] = {}
    ops = 0
    for u in units:
        indegree.setdefault(u, 0)
        node = by_id.get(u)
        if node is not None and node.op:  # the op circle, then its value box
            op = f"{u}_op"
            indegree.setdefault(op, 0)
            succ.setdefault(op, []).append(u)
            indegree[u] += 1
            ops += 1
    for tail, head in links:
        succ.setdefault(tail, []).append(head)
        indegree[head] = indegree.get(head, 0) + 1
        indegree.setdefault(tail, 0)
    rank = dict.fromkeys(indegree, 0)
    waiting = dict(indegree)
    ready = [v for v, d in waiting.items() if d == 0]
    placed: set[str] = set()
    order: list[str] = []
    while len(order) < len(waiting):
        if not ready:  # a cycle: start again from the node with the fewest inputs not yet placed
            ready = [min((v for v in waiting if v not in placed), key=waiting.__getitem__)]
        v = ready.pop()
        if v in placed:
            continue
        placed.add(v)
        order.append(v)
        for w in succ.get(v, ()):
            if w not in placed:
                rank[w] = max(rank[w], rank[v] + 1)
                waiting[w] -= 1
                if waiting[w] == 0:
                    ready.append(w)
    for v in reversed(order):
        if indegree[v] == 0 and v in succ:
            rank[v] = min(rank[w] for w in succ[v]) - 1
    spans = sum(count * max(layers * abs(rank[head] - rank[tail]) - 1, 0) for (tail, head), count in links.items())
    return spans + ops * (layers - 1)


class LayoutCost(NamedTuple):
    """What a picture costs the layout program: the `nodes` and `edges` it places and routes (a value box
    and its op circle are two nodes), and the `bends`: the invisible points of edges that cross layers.
    `points` (nodes + bends) is what the time grows with; the bends cost the most, as each one joins the
    crossing minimisation of its layer.

    >>> from gradviz import Value
    >>> from gradviz.viz import final_frame
    >>> x = Value(1.0, label="x")
    >>> layout_cost(final_frame(x * 2))
    LayoutCost(nodes=4, edges=3, bends=3)
    """

    nodes: int
    edges: int
    bends: int

    @property
    def points(self) -> int:
        return self.nodes + self.bends


def layout_cost(frame: Frame, view: View | None = None) -> LayoutCost:
    """The layout cost of `frame` drawn as `view` (default: as `plan` draws it with its defaults).

    >>> from gradviz import Value
    >>> from gradviz.viz import final_frame
    >>> x = Value(1.0, label="x")
    >>> chain, fan = final_frame((x + 1) * 2), final_frame(x + x + x + x)   # x feeds all three additions
    >>> layout_cost(fan, plan(fan, edge_labels=False)).bends   # x → 2nd +: 2 bends, x → 3rd +: 4 bends
    6
    >>> layout_cost(chain).bends, layout_cost(fan).bends   # labelled edges: each label is a layer of its own
    (6, 21)
    """
    if view is None:
        view = plan(frame)
    by_id = {n.id: n for n in frame.nodes}
    unit = {nid: nid for nid in by_id}
    for box in view.boxes:
        for n in box.members:
            unit[n.id] = box.id
    return _Estimator(frame, by_id, view.edge_labels).cost(unit)
