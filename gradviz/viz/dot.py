"""Frame → graphviz DOT: value boxes (label, value, gradient), op circles, chain-rule labels on edges.

The result is a `graphviz.Digraph`, so it can be tweaked (``dot.attr(size="8,5")``) before rendering.
Every piece of text goes into an HTML-like label through `escape`, so labels such as ``<script>`` or
``a & b`` are shown as text, never interpreted.

>>> from gradviz import Value
>>> x, y = Value(-2.0, label="x"), Value(5.0, label="y")
>>> dot = to_dot(x * y)
>>> "−10" in dot.source, "×" in dot.source
(True, True)
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..i18n import message
from .collapse import DEFAULT_MAX_NODES, EDGE_LABELS_UP_TO, Box, View, plan
from .format import array_lines, array_summary_rows, number, operand
from .frame import Frame, FrameEdge, FrameNode, frames

__all__ = ["to_dot", "escape", "shorten", "THEMES", "as_frame", "LABEL_CHARS"]

# Okabe–Ito colours (safe for the common colour-vision deficiencies); shapes and line widths carry the
# same distinctions, so the print theme (greys only) still tells the kinds apart.
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "background": "white",
        "text": "#1a1a1a",
        "muted": "#9a9a9a",
        "edge": "#555555",
        "input_fill": "#d7eaf8",
        "input_line": "#0072b2",
        "constant_fill": "#f4f4f4",
        "constant_line": "#9a9a9a",
        "op_fill": "#ffffff",
        "op_line": "#555555",
        "output_fill": "#fde6c4",
        "output_line": "#e69f00",
        "active_line": "#d55e00",
        "active_fill": "#fff1e5",
        "grad": "#a4336e",
        "scope_fill": "#f7f7f2",
        "scope_line": "#b0b0a0",
        "box_fill": "#eef5ee",
        "box_line": "#009e73",
    },
    "dark": {
        "background": "#1e1e1e",
        "text": "#ececec",
        "muted": "#8c8c8c",
        "edge": "#b0b0b0",
        "input_fill": "#15334a",
        "input_line": "#56b4e9",
        "constant_fill": "#2b2b2b",
        "constant_line": "#8c8c8c",
        "op_fill": "#262626",
        "op_line": "#b0b0b0",
        "output_fill": "#4a3610",
        "output_line": "#e69f00",
        "active_line": "#ff7f2a",
        "active_fill": "#4a2a14",
        "grad": "#f08cc8",
        "scope_fill": "#242424",
        "scope_line": "#5c5c5c",
        "box_fill": "#163a30",
        "box_line": "#2fc69b",
    },
    "print": {
        "background": "white",
        "text": "black",
        "muted": "#8a8a8a",
        "edge": "#555555",
        "input_fill": "#e6e6e6",
        "input_line": "black",
        "constant_fill": "white",
        "constant_line": "#8a8a8a",
        "op_fill": "white",
        "op_line": "#555555",
        "output_fill": "white",
        "output_line": "black",
        "active_line": "black",
        "active_fill": "#d0d0d0",
        "grad": "black",
        "scope_fill": "white",
        "scope_line": "#8a8a8a",
        "box_fill": "#f0f0f0",
        "box_line": "black",
    },
}
"""The colour themes of every picture by name: "light" (the default), "dark" and "print" (greys only).

>>> from gradviz import Value
>>> from gradviz.viz import THEMES, to_dot
>>> sorted(THEMES), THEMES["dark"]["background"]
(['dark', 'light', 'print'], '#1e1e1e')
>>> 'bgcolor="#1e1e1e"' in to_dot(Value(2.0, label="a") * 3, theme="dark").source
True
"""

FONT = "Helvetica"
_SMALL_ARRAY = 4  # arrays up to 4×4 are shown in full, larger ones as mean/std/min/max
LABEL_CHARS = 40
"""Names longer than this are cut with "…" in pictures (the node's tooltip keeps the full name): a long
name would widen its node past a slide, and dot refuses a label past 16,384 characters.

>>> from gradviz import Value
>>> from gradviz.viz import to_dot
>>> source = to_dot(Value(2.0, label="a" * 9999) * 3).source
>>> "a" * 39 + "…" in source, "a" * 41 in source.split("tooltip=")[0]
(True, False)
"""
_TOOLTIP_CHARS = 10_000  # a tooltip holds the full name, up to the length of the longest formula
_EDGE_CHARS = 120  # an edge label's formula line
_BOTTOM_LINES = 12  # the title, caption and note under a picture, wrapped at 110 characters
_GRAD_TERMS = 5  # a gradient summed from more contributions shows the first few, then the last


def shorten(text: Any, limit: int = LABEL_CHARS) -> str:
    """`text` cut to `limit` characters, the last of them "…".

    >>> shorten("learning_rate_of_the_second_layer_of_the_network")
    'learning_rate_of_the_second_layer_of_th…'
    >>> shorten("x")
    'x'
    """
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def escape(text: Any) -> str:
    """Text made safe inside an HTML-like graphviz label.

    >>> escape('<script>alert("x & y")</script>')
    '&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;'
    """
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _font(
    text: str, color: str | None = None, size: float | None = None, bold: bool = False, italic: bool = False
) -> str:
    """Already escaped `text` wrapped in FONT/B/I tags (graphviz rejects an empty FONT element)."""
    if not text:
        return ""
    if bold:
        text = f"<B>{text}</B>"
    if italic:
        text = f"<I>{text}</I>"
    attrs = (f' COLOR="{color}"' if color else "") + (f' POINT-SIZE="{size}"' if size else "")
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


def as_frame(source, **frame_options) -> Frame:
    """A Frame from a Frame, Trace (its last frame), Graph, Value or Tensor.

    `frame_options` go to :func:`gradviz.viz.frames` (``precision``, ``language``); a Frame is returned as it is.

    >>> from gradviz import Value, trace
    >>> a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    >>> with trace() as t:
    ...     c = a * b
    ...     c.backward()
    >>> as_frame(t).kind, as_frame(c).kind, as_frame(t).node("a").grad
    ('final', 'final', -1.0)
    >>> first = frames(t)[0]
    >>> as_frame(first) is first
    True
    """
    if isinstance(source, Frame):
        return source
    return frames(source, **frame_options)[-1]


# ----------------------------------------------------------------------------------------------
# pieces of labels


def _is_small(array: np.ndarray) -> bool:
    return array.ndim <= 2 and all(side <= _SMALL_ARRAY for side in array.shape)


def _array_rows(array, precision: int, language: str) -> list[str]:
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype(float)
    if _is_small(array):
        return array_lines(array, precision)
    return array_summary_rows(array, precision, language)  # two rows keep nodes narrow


def _grad_rows(node: FrameNode, precision: int, language: str) -> list[str]:
    if node.is_tensor:
        return _array_rows(node.grad, precision, language)
    terms = node.grad_terms
    if len(terms) > 1 and all(np.ndim(t) == 0 for t in terms):
        shown = [number(terms[0], precision)] + [operand(t, precision) for t in terms[1:]]
        if len(shown) > _GRAD_TERMS + 1:  # 100 contributions: 1 + 1 + 1 + 1 + 1 + … + 1 = 100
            shown = shown[:_GRAD_TERMS] + ["…", shown[-1]]
        return [f"{' + '.join(shown)} = {number(node.grad, precision)}"]
    return [number(node.grad, precision)]


def _row(key: str, value: str, theme: dict, color: str | None = None) -> str:
    return (
        f'<TR><TD ALIGN="LEFT">{_font(key, theme["muted"], 10)}</TD>'
        f'<TD ALIGN="RIGHT">{_font(value, color) if color else value}</TD></TR>'
    )


def _value_label(
    node: FrameNode, frame: Frame, theme: dict, precision: int, output_label: str, compact: bool = False
) -> str:
    if node.kind == "constant":
        if not node.is_tensor:
            return f"<{_font(escape(number(node.value, precision)), theme['text'])}>"
        # a tensor constant (an input batch, targets): its name, then its shape, as data rather than a variable
        shape = f"{tuple(node.shape)} {node.dtype}" if node.shape is not None else ""
        name = (
            "" if node.label.startswith("const") else _font(escape(shorten(node.label)), theme["text"], bold=True) + " "
        )
        return f"<{name}{_font(escape(shape), theme['muted'], 10)}>"
    style = _node_style(node, frame, theme)
    language = frame.language
    if compact and not node.is_tensor:
        return _compact_label(node, style, theme, precision, language)
    value_name = escape(message("pictures.value", language))
    rows = [f'<TR><TD COLSPAN="2">{_font(escape(shorten(node.label)), theme["text"], bold=True)}</TD></TR>']
    if node.is_tensor:
        rows.append(_row(escape(message("pictures.shape", language)), escape(f"{node.shape} {node.dtype}"), theme))
    if node.value is None:
        rows.append(_row(value_name, _font("?", theme["muted"], italic=True), theme))
    elif node.is_tensor:
        for i, line in enumerate(_array_rows(node.value, precision, language)):
            rows.append(_row(value_name if i == 0 else "", escape(line), theme))
    else:
        rows.append(_row(value_name, escape(number(node.value, precision)), theme))
    grad_name = escape(f"∂{output_label}/∂{shorten(node.label)}")
    if node.grad is None:
        rows.append(
            f'<TR><TD ALIGN="LEFT">{_font(grad_name, theme["muted"], 10)}</TD>'
            f'<TD ALIGN="RIGHT">{_font("?", theme["muted"], italic=True)}</TD></TR>'
        )
    else:
        for i, line in enumerate(_grad_rows(node, precision, language)):
            key = _font(grad_name, theme["grad"], 10) if i == 0 else ""
            value = _font(escape(line), theme["grad"], bold=node.updated)
            rows.append(f'<TR><TD ALIGN="LEFT">{key}</TD><TD ALIGN="RIGHT">{value}</TD></TR>')
    return (
        f'<<TABLE BORDER="{style["border"]}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="{style["style"]}"'
        f' COLOR="{style["line"]}" BGCOLOR="{style["fill"]}">' + "".join(rows) + "</TABLE>>"
    )


def _compact_label(node: FrameNode, style: dict, theme: dict, precision: int, language: str) -> str:
    """One row — label, value, gradient — for pictures with many nodes."""
    value = _font("?", theme["muted"], italic=True) if node.value is None else escape(number(node.value, precision))
    if node.grad is None:
        grad = _font("?", theme["muted"], 10, italic=True)
    else:
        grad = _font(escape(_grad_rows(node, precision, language)[0]), theme["grad"], 10, bold=node.updated)
    return (
        f'<<TABLE BORDER="{style["border"]}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="{style["style"]}"'
        f' COLOR="{style["line"]}" BGCOLOR="{style["fill"]}"><TR>'
        f"<TD>{_font(escape(shorten(node.label)), theme['text'], 11, bold=True)}</TD>"
        f"<TD>{_font(value, theme['text'], 11)}</TD>"
        f"<TD>{grad}</TD></TR></TABLE>>"
    )


def _node_style(node: FrameNode, frame: Frame, theme: dict) -> dict:
    if node.kind == "input" or (node.kind == "output" and not node.op):
        fill, line, style = theme["input_fill"], theme["input_line"], "rounded"
    elif node.id == frame.output or node.kind == "output":
        fill, line, style = theme["output_fill"], theme["output_line"], "rounded"
    else:
        fill, line, style = theme["op_fill"], theme["op_line"], "rounded"
    border = 3 if node.id == frame.output else 1
    if node.state == "active":
        line, border = theme["active_line"], 4
        fill = theme["active_fill"]
    elif node.state == "pending":
        line, style = theme["muted"], "rounded,dashed"
    return {"fill": fill, "line": line, "style": style, "border": border}


def _op_text(node: FrameNode) -> str:
    return node.symbol or node.op


def _edge_label(edge: FrameEdge, frame: Frame, labels: dict, theme: dict, precision: int) -> str | None:
    if edge.local is None and edge.contribution is None:
        return None
    target, source = labels[edge.target], labels[edge.source]
    local_name = f"∂{target}/∂{source}"
    language = frame.language
    if edge.local is None:
        first = message("pictures.vjp_edge", language, derivative=local_name)
    else:
        local = edge.local
        numeric = number(local, precision) if np.ndim(local) == 0 else _short_array(local, precision, language)
        symbolic = edge.local_text
        first = (
            f"{local_name} = {symbolic} = {numeric}"
            if symbolic and symbolic != numeric
            else f"{local_name} = {numeric}"
        )
    first = shorten(first, _EDGE_CHARS)
    if edge.state != "active":
        return f"<{_font(escape(first), theme['muted'], 11)}>"
    if edge.local is not None and np.ndim(edge.local) == 0 and np.ndim(edge.upstream) == 0:
        product = (
            f"{operand(edge.upstream, precision)} · {operand(edge.local, precision)}"
            f" = {number(edge.contribution, precision)}"
        )
    else:
        product = f"→ {_short_array(edge.contribution, precision, language)}"
    return (
        f"<{_font(escape(first), theme['text'], 12)}<BR/>{_font(escape(product), theme['active_line'], 12, bold=True)}>"
    )


def _short_array(array, precision: int, language: str) -> str:
    array = np.asarray(array)
    if array.size == 1:
        return number(array.item(), precision)
    if array.ndim <= 1 and array.size <= _SMALL_ARRAY:
        return array_lines(array, precision)[0]
    key = {1: "pictures.array_vector", 2: "pictures.array_matrix"}.get(array.ndim, "pictures.array_tensor")
    return message(key, language, shape="×".join(map(str, array.shape)))


# ----------------------------------------------------------------------------------------------
# boxes


def _box_label(box: Box, frame: Frame, theme: dict, precision: int, output_label: str) -> str:
    text, muted = theme["text"], theme["muted"]
    language = frame.language
    if box.kind == "overflow":
        title = _font(escape(shorten(box.title, 2 * LABEL_CHARS)), text, bold=True)
    else:
        title = _font(escape(message("pictures.scope", language)) + " ", muted, 10) + _font(
            escape(shorten(box.title, 2 * LABEL_CHARS)), text, bold=True
        )
    rows = [f'<TR><TD COLSPAN="2">{title}</TD></TR>']
    counts = box.counts
    ops = ", ".join(f"{name} ×{count:,}" for name, count in counts.most_common(3))
    if len(counts) > 3:
        ops += ", …"
    nodes_name = escape(message("pictures.nodes", language))
    rows.append(_row(nodes_name, escape(f"{len(box.members):,}" + (f"  ({ops})" if ops else "")), theme))
    if box.parameters:
        rows.append(_row(escape(message("pictures.inputs", language)), escape(f"{box.parameters:,}"), theme))
    outs = box.outputs
    if box.kind == "scope" and outs:
        name = (
            message("pictures.output", language)
            if len(outs) == 1
            else message("pictures.outputs", language, count=len(outs))
        )
        rows.append(_row(escape(name), escape(_outputs_text(outs, precision)), theme))
        norm = _grad_norm(outs)
        name = escape(message("pictures.output_gradient_norm", language, output=output_label))
        if norm is None:
            rows.append(_row(name, _font("?", muted, italic=True), theme))
        else:
            rows.append(
                f'<TR><TD ALIGN="LEFT">{_font(name, theme["grad"], 10)}</TD>'
                f'<TD ALIGN="RIGHT">{_font(escape(number(norm, precision)), theme["grad"])}</TD></TR>'
            )
    line = theme["active_line"] if box.state == "active" else theme["box_line"]
    border = 4 if box.state == "active" else 2
    style = "dashed" if box.state == "pending" else "solid"
    return (
        f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="{style}"'
        f' COLOR="{line}" BGCOLOR="{theme["box_fill"]}">' + "".join(rows) + "</TABLE>>"
    )


def _outputs_text(outs: list[FrameNode], precision: int) -> str:
    first = outs[0]
    if first.is_tensor:
        shapes = {(n.shape, n.dtype) for n in outs}
        if len(shapes) == 1:
            text = f"{first.shape} {first.dtype}"
        else:
            text = ", ".join(str(n.shape) for n in outs[:3]) + (", …" if len(outs) > 3 else "")
        return text
    if any(n.value is None for n in outs):
        return "?"
    shown = [number(n.value, precision) for n in outs[:4]]
    if len(outs) == 1:
        return shown[0]
    return "[" + ", ".join(shown) + (", …" if len(outs) > 4 else "") + "]"


def _grad_norm(outs: list[FrameNode]) -> float | None:
    total = 0.0
    for n in outs:
        if n.grad is None:
            return None
        total += float(np.sum(np.square(np.asarray(n.grad, dtype=float))))
    return math.sqrt(total)


# ----------------------------------------------------------------------------------------------
# the Digraph


def to_dot(
    source,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    precision: int = 4,
    expand: Iterable[str] = (),
    collapse: bool | str = "auto",
    max_nodes: int = DEFAULT_MAX_NODES,
    edge_labels: bool | str = "auto",
    compact: bool | str = "auto",
    caption: bool = False,
    title: str | None = None,
):
    """The graphviz.Digraph of a Frame (or of a Trace's last frame, a Graph, a Value or a Tensor).

    Value nodes show label, value and gradient (a grey ``?`` until computed); op nodes show the op's
    symbol; in backward frames the edges carry the local derivative, symbolic and numeric, and the
    active edges upstream × local = contribution. `theme` is "light", "dark" or "print"; `rankdir`
    "LR" or "TB"; `precision` the significant digits. Scopes collapse into boxes when the graph has
    more than `max_nodes` nodes (or always with ``collapse=True``); `expand` keeps the named scopes
    open; past the budget (`max_nodes` nodes, and 10 bends of long edges per node: gradviz.viz.collapse)
    the nodes furthest from the output become one box, so that the layout stays fast. `edge_labels`
    "auto" labels backward edges, and `compact` "auto" keeps value nodes to one row, for pictures up
    to / past 40 nodes. `caption` puts the frame's caption under the picture; `title` adds a line of
    your own. Labels longer than 40 characters are cut with "…" (the full name is the node's tooltip).

    >>> from gradviz import Value
    >>> a = Value(3.0, label="a")
    >>> dot = to_dot((a * a).tanh(), theme="dark", rankdir="TB")
    >>> dot.graph_attr["rankdir"], dot.graph_attr["bgcolor"]
    ('TB', '#1e1e1e')
    """
    import graphviz  # lazily: `import gradviz` stays light

    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), got {rankdir!r}")
    frame = as_frame(source, precision=precision)
    colors = THEMES[theme]
    view: View = plan(frame, expand=expand, collapse=collapse, max_nodes=max_nodes, edge_labels=edge_labels)
    labels = {n.id: shorten(n.label) for n in frame.nodes}
    output_label = labels[frame.output]
    show_edge_labels = view.edge_labels
    compact = compact is True or (compact == "auto" and len(view.nodes) > EDGE_LABELS_UP_TO)

    graph_attr = {
        "rankdir": rankdir,
        "bgcolor": colors["background"],
        "fontname": FONT,
        "fontcolor": colors["text"],
        "nodesep": "0.25",
        "ranksep": "0.35" if rankdir in ("LR", "RL") else "0.3",
        "newrank": "true",
    }
    bottom = [line for line in (title, frame.caption if caption else None, view.note) if line]
    if bottom:
        lines = [part for line in bottom for part in textwrap.wrap(line, 110)]  # a caption never widens the picture
        if len(lines) > _BOTTOM_LINES:  # nor grows past a few lines (dot refuses a label of 16,384 characters)
            lines = lines[: _BOTTOM_LINES - 1] + [lines[_BOTTOM_LINES - 1][:109] + "…"]
        graph_attr.update(label="<" + "<BR/>".join(escape(line) for line in lines) + ">", labelloc="b", fontsize="12")
    dot = graphviz.Digraph(
        name=f"frame{frame.index}",
        graph_attr=graph_attr,
        node_attr={"fontname": FONT, "fontsize": "13", "fontcolor": colors["text"], "color": colors["op_line"]},
        edge_attr={
            "fontname": FONT,
            "fontsize": "11",
            "color": colors["edge"],
            "fontcolor": colors["text"],
            "arrowsize": "0.7",
        },
    )

    _emit_nodes(dot, view, frame, colors, precision, output_label, compact)
    for box in view.boxes:
        dot.node(box.id, _box_label(box, frame, colors, precision, output_label), shape="plain")

    # edges between single nodes: input value → op circle (with the chain rule), op circle → its value
    by_id = {n.id: n for n in view.nodes}
    for node in view.nodes:
        if node.op:
            state = node.state
            dot.edge(f"{node.id}_op", node.id, **_edge_style(state if state != "active" else "active", colors))
    for edge in view.edges:
        target = by_id[edge.target]
        attrs = _edge_style(edge.state, colors)
        if show_edge_labels and frame.kind in ("backward", "final") or edge.state == "active":
            label = _edge_label(edge, frame, labels, colors, precision) if frame.kind != "forward" else None
            if label:
                attrs["label"] = label
        head = f"{target.id}_op" if target.op else target.id
        dot.edge(edge.source, head, **attrs)
    for source_unit, target_unit, state in view.box_edges:
        head = f"{target_unit}_op" if target_unit in by_id and by_id[target_unit].op else target_unit
        dot.edge(source_unit, head, **_edge_style(state, colors))
    return dot


def _edge_style(state: str, colors: dict) -> dict:
    if state == "active":
        return {"color": colors["active_line"], "penwidth": "3"}
    if state == "pending":
        return {"color": colors["muted"], "style": "dashed"}
    return {}


def _emit_nodes(dot, view: View, frame: Frame, colors: dict, precision: int, output_label: str, compact: bool) -> None:
    """Value nodes and op circles, inside nested clusters for the scopes drawn open."""
    tree: dict = {}
    for node in view.nodes:
        scope = view.cluster_of.get(node.id)
        branch = tree
        if scope:
            for part in scope.split("/"):
                branch = branch.setdefault(("scope", part), {})
        branch.setdefault(("nodes", None), []).append(node)
    counter = [0]

    def emit(graph, branch: dict, path: str) -> None:
        for node in branch.get(("nodes", None), []):
            label = _value_label(node, frame, colors, precision, output_label, compact)
            graph.node(node.id, label, **_value_attrs(node, colors))
            if node.op:
                graph.node(f"{node.id}_op", f"<{escape(_op_text(node))}>", **_op_attrs(node, colors))
        for key, child in branch.items():
            if key[0] != "scope":
                continue
            counter[0] += 1
            full = f"{path}/{key[1]}" if path else key[1]
            with graph.subgraph(name=f"cluster_{counter[0]}") as cluster:
                cluster.attr(
                    label=f"<{_font(escape(shorten(key[1])), colors['muted'], 11)}>",  # nested: its own name
                    labelloc="t",
                    style="rounded,filled",
                    color=colors["scope_line"],
                    fillcolor=colors["scope_fill"],
                    labeljust="l",
                )
                emit(cluster, child, full)

    emit(dot, tree, "")


def _value_attrs(node: FrameNode, colors: dict) -> dict:
    if node.kind == "constant":
        attrs = {
            "shape": "box",
            "style": "rounded,dashed",
            "color": colors["constant_line"],
            "fontsize": "11",
            "margin": "0.06,0.03",
            "width": "0",
            "height": "0",
        }
    else:
        attrs = {"shape": "plain"}
    if len(node.label) > LABEL_CHARS:  # the picture shows it cut; hovering shows it whole
        # dot reads backslashes in a tooltip as its escapes (\N: the node's name), and no spelling of one
        # survives: a look-alike (U+FF3C) stands in
        attrs["tooltip"] = shorten(node.label, _TOOLTIP_CHARS).replace("\\", "\uff3c")
    return attrs


def _op_attrs(node: FrameNode, colors: dict) -> dict:
    symbol = _op_text(node)
    attrs = {
        "shape": "circle" if len(symbol) <= 2 else "ellipse",
        "style": "filled",
        "fillcolor": colors["op_fill"],
        "color": colors["op_line"],
        "fontsize": "16" if len(symbol) <= 2 else "12",
        "width": "0.4",
        "height": "0.4",
        "margin": "0.02",
    }
    if node.state == "active":
        attrs.update(color=colors["active_line"], penwidth="3", fillcolor=colors["active_fill"])
    elif node.state == "pending":
        attrs.update(color=colors["muted"], style="dashed", fontcolor=colors["muted"])
    return attrs
