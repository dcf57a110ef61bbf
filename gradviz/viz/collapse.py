"""Collapse for large graphs: name scopes become one box each, and past a node budget the nodes far from
the output become one "… more nodes" box, so the layout engine only ever sees a picture a person can read.

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

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..i18n import message
from .frame import Frame, FrameEdge, FrameNode

__all__ = ["Box", "View", "plan", "DEFAULT_MAX_NODES"]

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
    state) for edges touching a box, one per pair.

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
) -> View:
    """Decide which nodes are drawn one by one and which go into boxes.

    `collapse` "auto" collapses scopes only when the frame has more than `max_nodes` nodes; True always
    collapses them; False never does. Scopes named in `expand` stay open. If what is left still exceeds
    `max_nodes`, the nodes furthest from the output become one overflow box, with a note. The note and the
    overflow box's title are in the frame's language (``frame.language``).

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
    if len(units) > max_nodes:
        hidden = _overflow(units, unit_edges, unit[frame.output], max_nodes - 1)
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
        notes.append(message("pictures.hidden_nodes", language, count=hidden_count, code=f"max_nodes={max_nodes}"))
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
    return View(single, cluster_of, list(boxes.values()), edges, box_edges, note)


def _unit_edges(edges, unit: dict[str, str]) -> dict[tuple[str, str], str]:
    """One edge per pair of units that the frame's edges join, with the strongest state (active wins)."""
    joined: dict[tuple[str, str], str] = {}
    for e in edges:
        key = (unit[e.source], unit[e.target])
        if key[0] != key[1] and (e.state == "active" or key not in joined):
            joined[key] = e.state
    return joined


def _overflow(units: list[str], unit_edges: dict, output_unit: str, keep: int) -> list[str]:
    """The units beyond the `keep` nearest the output (breadth-first against the edges)."""
    inputs: dict[str, list[str]] = {}
    for su, tu in unit_edges:
        inputs.setdefault(tu, []).append(su)
    kept = {output_unit}
    queue = deque([output_unit])
    while queue and len(kept) < keep:
        u = queue.popleft()
        for v in inputs.get(u, ()):
            if v not in kept:
                kept.add(v)
                queue.append(v)
                if len(kept) >= keep:
                    break
    return [u for u in units if u not in kept]
