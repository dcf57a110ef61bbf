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

import json
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..i18n import message
from .collapse import DEFAULT_MAX_NODES, EDGE_LABELS_UP_TO, FOCUS_DEPTH, FOCUS_NODES, Box, View, focus_of, plan
from .format import array_lines, array_summary_rows, number, operand
from .frame import Frame, FrameEdge, FrameNode, frames

__all__ = ["to_dot", "escape", "shorten", "THEMES", "as_frame", "LABEL_CHARS", "Layout", "fixed_layout"]

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
TEXT_SIZE = 14  # the text of value nodes, in points
KEY_SIZE = 13  # the smallest text: names of rows ("value", "∂f/∂x"), scope names
EDGE_SIZE = 13  # chain-rule labels on edges
CAPTION_SIZE = 14  # the caption and title under a picture
_BOX_MARGIN = "0.06,0.04"  # inches between a value node's text and its box
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
_EDGE_LINE = 22  # past this, an edge label's rule and its number take a line each
_BOTTOM_LINES = 12  # the title, caption and note under a picture, wrapped at _BOTTOM_CHARS characters
_BOTTOM_CHARS = 80
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


def _array_rows(array, precision: int, language: str, decimal: str = ".") -> list[str]:
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype(float)
    if _is_small(array):
        return array_lines(array, precision, decimal)
    return array_summary_rows(array, precision, language, decimal)  # two rows keep nodes narrow


def _grad_rows(node: FrameNode, precision: int, language: str, decimal: str = ".") -> list[str]:
    if node.is_tensor:
        return _array_rows(node.grad, precision, language, decimal)
    terms = node.grad_terms
    if len(terms) > 1 and all(np.ndim(t) == 0 for t in terms):
        shown = [number(terms[0], precision, decimal)] + [operand(t, precision, decimal=decimal) for t in terms[1:]]
        if len(shown) > _GRAD_TERMS + 1:  # 100 contributions: 1 + 1 + 1 + 1 + 1 + … + 1 = 100
            shown = shown[:_GRAD_TERMS] + ["…", shown[-1]]
        return [f"{' + '.join(shown)} = {number(node.grad, precision, decimal)}"]
    return [number(node.grad, precision, decimal)]


def _row(key: str, value: str, theme: dict, color: str | None = None) -> str:
    return (
        f'<TR><TD ALIGN="LEFT">{_font(key, theme["muted"], KEY_SIZE)}</TD>'
        f'<TD ALIGN="RIGHT">{_font(value, color) if color else value}</TD></TR>'
    )


def _value_label(
    node: FrameNode, frame: Frame, theme: dict, precision: int, output_label: str, compact: bool = False
) -> str:
    """The text of a value node (a borderless table: the box around it is the node's shape, so that its size can
    be fixed for a whole walkthrough)."""
    if node.kind == "constant":
        name = "" if node.label.startswith("const") else _font(escape(shorten(node.label)), theme["text"], bold=True)
        if not node.is_tensor:
            # a labelled constant keeps its label (x₁ = 1.5), as its edges name it; one named after its value
            # (0.3) is its value
            text = number(node.value, precision, frame.decimal)
            shown = _font(escape(text), theme["text"])
            return f"<{name} = {shown}>" if name and node.label not in (text, str(node.value)) else f"<{shown}>"
        # a tensor constant (an input batch, targets): its name, then its shape, as data rather than a variable
        shape = f"{tuple(node.shape)} {node.dtype}" if node.shape is not None else ""
        return f"<{name + ' ' if name else ''}{_font(escape(shape), theme['muted'], KEY_SIZE)}>"
    language = frame.language
    if compact and not node.is_tensor:
        return _compact_label(node, theme, precision, language, frame.decimal)
    value_name = escape(message("pictures.value", language))
    rows = [f'<TR><TD COLSPAN="2">{_font(escape(shorten(node.label)), theme["text"], bold=True)}</TD></TR>']
    if node.is_tensor:
        rows.append(_row(escape(message("pictures.shape", language)), escape(f"{node.shape} {node.dtype}"), theme))
    if node.value is None:
        rows.append(_row(value_name, _font("?", theme["muted"], italic=True), theme))
    elif node.is_tensor:
        for i, line in enumerate(_array_rows(node.value, precision, language, frame.decimal)):
            rows.append(_row(value_name if i == 0 else "", escape(line), theme))
    else:
        rows.append(_row(value_name, escape(number(node.value, precision, frame.decimal)), theme))
    grad_name = escape(f"∂{output_label}/∂{shorten(node.label)}")
    if node.grad is None:
        rows.append(
            f'<TR><TD ALIGN="LEFT">{_font(grad_name, theme["muted"], KEY_SIZE)}</TD>'
            f'<TD ALIGN="RIGHT">{_font("?", theme["muted"], italic=True)}</TD></TR>'
        )
    else:
        for i, line in enumerate(_grad_rows(node, precision, language, frame.decimal)):
            key = _font(grad_name, theme["grad"], KEY_SIZE) if i == 0 else ""
            value = _font(escape(line), theme["grad"], bold=node.updated)
            rows.append(f'<TR><TD ALIGN="LEFT">{key}</TD><TD ALIGN="RIGHT">{value}</TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


def _compact_label(node: FrameNode, theme: dict, precision: int, language: str, decimal: str = ".") -> str:
    """One row — label, value, gradient — for pictures with many nodes."""
    value = (
        _font("?", theme["muted"], italic=True)
        if node.value is None
        else escape(number(node.value, precision, decimal))
    )
    if node.grad is None:
        grad = _font("?", theme["muted"], KEY_SIZE, italic=True)
    else:
        grad = _font(
            escape(_grad_rows(node, precision, language, decimal)[0]), theme["grad"], KEY_SIZE, bold=node.updated
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>'
        f"<TD>{_font(escape(shorten(node.label)), theme['text'], bold=True)}</TD>"
        f"<TD>{_font(value, theme['text'])}</TD>"
        f"<TD>{grad}</TD></TR></TABLE>>"
    )


def _node_style(node: FrameNode, frame: Frame, theme: dict) -> dict:
    if node.kind == "input" or (node.kind == "output" and not node.op):
        fill, line, style = theme["input_fill"], theme["input_line"], "rounded,filled"
    elif node.id == frame.output or node.kind == "output":
        fill, line, style = theme["output_fill"], theme["output_line"], "rounded,filled"
    else:
        fill, line, style = theme["op_fill"], theme["op_line"], "rounded,filled"
    border = 3 if node.id == frame.output else 1
    if node.state == "active":
        line, border = theme["active_line"], 4
        fill = theme["active_fill"]
    elif node.state == "pending":
        line, style = theme["muted"], "rounded,filled,dashed"
    return {"fillcolor": fill, "color": line, "style": style, "penwidth": str(border)}


def _sized(attrs: dict, size: tuple[float, float] | None) -> dict:
    """A box node at its natural size (the label and a small margin), or at the `size` (inches) a walkthrough's
    layout fixed for it."""
    if size is None:
        attrs.update(margin=_BOX_MARGIN, width="0", height="0")
    else:
        attrs.update(margin="0", width=f"{size[0]:.3f}", height=f"{size[1]:.3f}", fixedsize="true")
    return attrs


def _op_text(node: FrameNode) -> str:
    return node.symbol or node.op


def _edge_label(edge: FrameEdge, frame: Frame, labels: dict, theme: dict, precision: int) -> str | None:
    if edge.local is None and edge.contribution is None:
        return None
    target, source = labels[edge.target], labels[edge.source]
    local_name = f"∂{target}/∂{source}"
    language, decimal = frame.language, frame.decimal
    if edge.local is None and edge.local_text:  # a matrix rule written out: ∂L/∂W¹ through δ¹ᵀ · x
        first = f"{local_name}: {edge.local_text}"
    elif edge.local is None:
        first = message("pictures.vjp_edge", language, derivative=local_name)
    else:
        local = edge.local
        numeric = (
            number(local, precision, decimal)
            if np.ndim(local) == 0
            else _short_array(local, precision, language, decimal)
        )
        symbolic = edge.local_text
        first = (
            f"{local_name} = {symbolic} = {numeric}"
            if symbolic and symbolic != numeric
            else f"{local_name} = {numeric}"
        )
        if len(first) > _EDGE_LINE and symbolic and symbolic != numeric:  # a long rule: its number on a line below
            cases = symbolic.replace("; ", ";\n")  # a case to a line
            first = f"{local_name} = {cases}\n= {numeric}"
    first = "\n".join(shorten(line, _EDGE_CHARS) for line in first.split("\n"))
    if edge.state != "active":
        return f"<{_lines(first, theme['muted'])}>"
    if edge.local is not None and np.ndim(edge.local) == 0 and np.ndim(edge.upstream) == 0:
        product = (
            f"{operand(edge.upstream, precision, decimal=decimal)} · {operand(edge.local, precision, decimal=decimal)}"
            f" = {number(edge.contribution, precision, decimal)}"
        )
    else:
        product = f"→ {_short_array(edge.contribution, precision, language, decimal)}"
    if len(product) > _EDGE_LINE and " = " in product:  # upstream · local, then its value below
        product = product.replace(" = ", "\n= ", 1)
    shown = "<BR/>".join(_font(escape(line), theme["active_line"], bold=True) for line in product.split("\n"))
    return f"<{_lines(first, theme['text'])}<BR/>{shown}>"


def _lines(text: str, color: str) -> str:
    """Lines of text in one colour, for an HTML-like label."""
    return "<BR/>".join(_font(escape(line), color) for line in text.split("\n"))


def _short_array(array, precision: int, language: str, decimal: str = ".") -> str:
    array = np.asarray(array)
    if array.size == 1:
        return number(array.item(), precision, decimal)
    if array.ndim <= 1 and array.size <= _SMALL_ARRAY:
        return array_lines(array, precision, decimal)[0]
    key = {1: "pictures.array_vector", 2: "pictures.array_matrix"}.get(array.ndim, "pictures.array_tensor")
    return message(key, language, shape="×".join(map(str, array.shape)))


# ----------------------------------------------------------------------------------------------
# boxes


def _box_label(box: Box, frame: Frame, theme: dict, precision: int, output_label: str) -> str:
    text, muted = theme["text"], theme["muted"]
    language = frame.language
    if box.kind in ("overflow", "folded"):
        title = _font(escape(shorten(box.title, 2 * LABEL_CHARS)), text, bold=True)
    else:
        title = _font(escape(message("pictures.scope", language)) + " ", muted, KEY_SIZE) + _font(
            escape(shorten(box.title, 2 * LABEL_CHARS)), text, bold=True
        )
    rows = [f'<TR><TD COLSPAN="2">{title}</TD></TR>']
    counts = box.counts
    if box.kind == "folded":  # a focus view's fold: what it holds, in one short line
        ops = ", ".join(f"{name} ×{count:,}" for name, count in counts.most_common(2)) + (
            ", …" if len(counts) > 2 else ""
        )
        rows.append(f'<TR><TD COLSPAN="2">{_font(escape(ops), muted, KEY_SIZE)}</TD></TR>' if ops else "")
        return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"
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
        rows.append(_row(escape(name), escape(_outputs_text(outs, precision, frame.decimal)), theme))
        norm = _grad_norm(outs)
        name = escape(message("pictures.output_gradient_norm", language, output=output_label))
        if norm is None:
            rows.append(_row(name, _font("?", muted, italic=True), theme))
        else:
            rows.append(
                f'<TR><TD ALIGN="LEFT">{_font(name, theme["grad"], KEY_SIZE)}</TD>'
                f'<TD ALIGN="RIGHT">{_font(escape(number(norm, precision, frame.decimal)), theme["grad"])}</TD></TR>'
            )
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


def _box_attrs(box: Box, theme: dict, size: tuple[float, float] | None) -> dict:
    active = box.state == "active"
    attrs = {
        "shape": "box",
        "style": "filled,dashed" if box.state == "pending" else "filled",
        "fillcolor": theme["box_fill"],
        "color": theme["active_line"] if active else theme["box_line"],
        "penwidth": "4" if active else "2",
    }
    return _sized(attrs, size)


def _outputs_text(outs: list[FrameNode], precision: int, decimal: str = ".") -> str:
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
    shown = [number(n.value, precision, decimal) for n in outs[:4]]
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
    precision: int | None = None,
    expand: Iterable[str] = (),
    collapse: bool | str = "auto",
    max_nodes: int = DEFAULT_MAX_NODES,
    edge_labels: bool | str = "auto",
    compact: bool | str = "auto",
    caption: bool = False,
    title: str | None = None,
    layout: Layout | None = None,
    focus: bool | str = "auto",
    decimal: str | None = None,
):
    """The graphviz.Digraph of a Frame (or of a Trace's last frame, a Graph, a Value or a Tensor).

    Value nodes show label, value and gradient (a grey ``?`` until computed); op nodes show the op's
    symbol; in backward frames the edges carry the local derivative, symbolic and numeric, and the
    active edges upstream × local = contribution. `theme` is "light", "dark" or "print"; `rankdir`
    "LR" or "TB"; `precision` the significant digits (default: the frame's own, else 4) and `decimal` the
    decimal mark of a picture made from a graph (default: the language's; a Frame keeps its own). Scopes collapse into boxes when the graph has
    more than `max_nodes` nodes (or always with ``collapse=True``); `expand` keeps the named scopes
    open; past the budget (`max_nodes` nodes, and 10 bends of long edges per node: gradviz.viz.collapse)
    the nodes furthest from the output become one box, so that the layout stays fast. `edge_labels`
    "auto" labels backward edges, and `compact` "auto" keeps value nodes to one row, for pictures up
    to / past 40 nodes. `caption` puts the frame's caption under the picture; `title` adds a line of
    your own. Labels longer than 40 characters are cut with "…" (the full name is the node's tooltip).
    `layout` (from `fixed_layout`) gives every node, edge label and caption the size it has in every frame of
    a walkthrough, so that stepping through the frames moves nothing. `focus` "auto" draws a frame of a graph
    of more than `FOCUS_NODES` value nodes or deeper than `FOCUS_DEPTH` (and at most `max_nodes`, with no scopes to collapse or expand) as
    its focus (the active node, its inputs and outputs, and the output; gradviz.viz.collapse.focus_of) at full
    size, the rest folded into two boxes, under it a small overview of the whole graph with the focus marked;
    True always, False never.

    >>> from gradviz import Value
    >>> a = Value(3.0, label="a")
    >>> dot = to_dot((a * a).tanh(), theme="dark", rankdir="TB")
    >>> dot.graph_attr["rankdir"], dot.graph_attr["bgcolor"]
    ('TB', '#1e1e1e')
    """
    import graphviz  # lazily: `import gradviz` stays light

    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), got {rankdir!r}")
    frame = as_frame(source, precision=4 if precision is None else precision, decimal=decimal)
    picture = _Picture(
        frame,
        theme=theme,
        precision=frame.precision if precision is None else precision,
        expand=expand,
        collapse=collapse,
        max_nodes=max_nodes,
        edge_labels=edge_labels,
        compact=compact,
        caption=caption,
        title=title,
        focus=focus,
    )
    frame, view, colors = picture.frame, picture.view, picture.colors
    if picture.focused:  # a focus view lays out the part it shows, at its natural size
        layout = None
    sizes = layout.nodes if layout is not None else {}
    graph_attr = {
        "rankdir": rankdir,
        "bgcolor": colors["background"],
        "fontname": FONT,
        "fontcolor": colors["text"],
        "nodesep": "0.25",
        "ranksep": ("0.15" if picture.focused else "0.35") if rankdir in ("LR", "RL") else "0.3",
        "newrank": "true",
    }
    bottom = picture.bottom()
    if layout is not None and layout.caption is not None:
        bottom = _boxed(bottom or "< >", layout.caption)
    if bottom:
        graph_attr.update(label=bottom, labelloc="b", fontsize=str(CAPTION_SIZE))
    dot = graphviz.Digraph(
        name=f"frame{frame.index}",
        graph_attr=graph_attr,
        node_attr={
            "fontname": FONT,
            "fontsize": str(TEXT_SIZE),
            "fontcolor": colors["text"],
            "color": colors["op_line"],
        },
        edge_attr={
            "fontname": FONT,
            "fontsize": str(EDGE_SIZE),
            "color": colors["edge"],
            "fontcolor": colors["text"],
            "arrowsize": "0.7",
        },
    )

    _emit_nodes(dot, picture, sizes)
    for box in view.boxes:
        dot.node(box.id, picture.box_label(box), **_box_attrs(box, colors, sizes.get(box.id)))

    # edges between single nodes: input value → op circle (with the chain rule), op circle → its value
    by_id = {n.id: n for n in view.nodes}
    for node in view.nodes:
        if node.op:
            dot.edge(f"{node.id}_op", node.id, **_edge_style(node.state, colors))
    for edge in view.edges:
        target = by_id[edge.target]
        attrs = _edge_style(edge.state, colors)
        label = picture.edge_label(edge)
        fixed = layout.edges.get(edge.key) if layout is not None else None
        if fixed is not None:  # the same room in every frame, written in or not
            attrs["label"] = _boxed(label or "< >", fixed)
        elif (
            label and layout is not None and not picture.focused
        ):  # a label only the active edge has: beside it, moving nothing
            attrs["xlabel"] = label
        elif label:
            attrs["label"] = label
        head = f"{target.id}_op" if target.op else target.id
        dot.edge(edge.source, head, **attrs)
    for source_unit, target_unit, state in view.box_edges:
        head = f"{target_unit}_op" if target_unit in by_id and by_id[target_unit].op else target_unit
        dot.edge(source_unit, head, **_edge_style(state, colors))
    return dot


def _depths(frame: Frame) -> dict[str, int]:
    """Each node's depth: 0 for a leaf, else one more than its deepest input."""
    feeders: dict[str, list[str]] = {}
    for edge in frame.edges:
        feeders.setdefault(edge.target, []).append(edge.source)
    depth: dict[str, int] = {}
    for node in frame.nodes:  # the nodes come in the order they were computed: feeders first
        depth[node.id] = 1 + max((depth.get(source, 0) for source in feeders.get(node.id, ())), default=-1)
    return depth


def _overview(frame: Frame, shown: set[str], colors: dict) -> str:
    """The whole graph in miniature, for a focus view: a dot per value node, in columns by depth (inputs on the
    left, the output on the right); the active node a large dot in the active colour, the nodes the focus
    shows in the text colour, the folded ones muted. Text only, so it moves no node."""
    depth = _depths(frame)
    columns: dict[int, list[str]] = {}
    for node in frame.nodes:
        if node.kind == "constant":
            continue
        if node.id == frame.active:
            mark = _font("●", colors["active_line"], KEY_SIZE + 6)
        elif node.id in shown:
            mark = _font("●", colors["text"], KEY_SIZE)
        else:
            mark = _font("○", colors["muted"], KEY_SIZE)
        columns.setdefault(depth[node.id], []).append(mark)
    cells = "".join(
        f'<TD VALIGN="MIDDLE">{"<BR/>".join("".join(column[i : i + 3]) for i in range(0, len(column), 3))}</TD>'
        for _, column in sorted(columns.items())
    )  # three dots to a line: a wide layer stays low
    name = _font(escape(message("focus.overview", frame.language)), colors["muted"], KEY_SIZE)
    return (
        f'<TABLE BORDER="1" COLOR="{colors["scope_line"]}" STYLE="rounded" CELLBORDER="0" CELLSPACING="0"'
        f' CELLPADDING="1"><TR><TD VALIGN="MIDDLE">{name}</TD>{cells}</TR></TABLE>'
    )


class _Picture:
    """What `to_dot` draws of one frame: the view within the node budget and the text of each node, box, edge
    label and caption (also measured by `fixed_layout`)."""

    def __init__(
        self,
        frame: Frame,
        *,
        theme: str,
        precision: int,
        expand: Iterable[str],
        collapse: bool | str,
        max_nodes: int,
        edge_labels: bool | str,
        compact: bool | str,
        caption: bool,
        title: str | None,
        focus: bool | str = "auto",
    ):
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
        if focus not in ("auto", True, False):
            raise ValueError(f"focus is 'auto', True or False, got {focus!r}")
        self.frame, self.colors, self.precision = frame, THEMES[theme], precision
        values = sum(1 for n in frame.nodes if n.kind != "constant")
        # "auto": a graph too big to read whole but within the node budget, drawn as it is (past the budget,
        # or asked to collapse or expand scopes, the scope boxes and the overflow box show it)
        self.focused = focus is True or (
            focus == "auto"
            and (FOCUS_NODES < values or FOCUS_DEPTH < max(_depths(frame).values(), default=0) + 1)
            and len(frame.nodes) <= max_nodes
            and collapse != True  # noqa: E712 — collapse is "auto", True or False
            and not expand
        )
        self.view: View = plan(frame, expand=expand, collapse=collapse, max_nodes=max_nodes, edge_labels=edge_labels)
        if self.focused and (focus is True or not self.view.boxes):  # "auto" leaves a collapsed picture as it is
            self.view = plan(frame, edge_labels=edge_labels, focus=focus_of(frame))
        else:
            self.focused = False
        self.labels = {n.id: shorten(n.label) for n in frame.nodes}
        self.output_label = self.labels[frame.output]
        self.compact = compact is True or (
            compact == "auto" and (len(self.view.nodes) > EDGE_LABELS_UP_TO or self.focused and frame.active is None)
        )
        self.caption, self.title = caption, title

    def node_label(self, node: FrameNode) -> str:
        return _value_label(node, self.frame, self.colors, self.precision, self.output_label, self.compact)

    def box_label(self, box: Box) -> str:
        return _box_label(box, self.frame, self.colors, self.precision, self.output_label)

    def edge_label(self, edge: FrameEdge, kind: str | None = None) -> str | None:
        """The chain-rule label this frame writes on `edge` (None: none); `kind` draws it as in a frame of that kind."""
        kind = kind or self.frame.kind
        if kind == "forward" or not (self.view.edge_labels and kind in ("backward", "final") or edge.state == "active"):
            return None
        return _edge_label(edge, self.frame, self.labels, self.colors, self.precision)

    def bottom(self) -> str | None:
        """The overview of a focus view, the title, caption and note under the picture, as an HTML-like label
        (None: nothing)."""
        parts = [line for line in (self.title, self.frame.caption if self.caption else None, self.view.note) if line]
        text = "<BR/>".join(escape(line) for line in _bottom_lines(parts))
        if self.focused:
            overview = _overview(self.frame, {n.id for n in self.view.nodes}, self.colors)
            below = f"<TR><TD>{text}</TD></TR>" if text else ""
            return f'<<TABLE BORDER="0" CELLSPACING="4"><TR><TD>{overview}</TD></TR>{below}</TABLE>>'
        return f"<{text}>" if text else None


def _bottom_lines(parts: list[str]) -> list[str]:
    """Lines under a picture, wrapped: a caption never widens the picture, nor grows past a few lines (dot
    refuses a label of 16,384 characters)."""
    lines = [part for line in parts for part in textwrap.wrap(line, _BOTTOM_CHARS)]
    if len(lines) > _BOTTOM_LINES:
        lines = lines[: _BOTTOM_LINES - 1] + [lines[_BOTTOM_LINES - 1][: _BOTTOM_CHARS - 1] + "…"]
    return lines


def _boxed(label: str, size: tuple[int, int]) -> str:
    """An HTML-like label in a cell of at least `size` points, its text centred: room that stays the same."""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD WIDTH="{size[0]}"'
        f' HEIGHT="{size[1]}">{label[1:-1]}</TD></TR></TABLE>>'
    )


@dataclass(frozen=True)
class Layout:
    """One layout for every frame of a walkthrough: the size of each value node and box (inches), of each
    labelled edge's label and of the caption (points), each the largest its frames show, measured once by
    `renderer`. With it, `to_dot` gives every frame the same geometry, so the layout program puts every node
    at the same place on a canvas of the same size, and stepping through the frames only changes colours
    and text.

    >>> from gradviz import Value, trace
    >>> from gradviz.viz import frames, fixed_layout
    >>> x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    >>> with trace() as t:
    ...     f = x * y
    ...     f.backward()
    >>> layout = fixed_layout(frames(t), engine="graphviz-pure")
    >>> sorted(layout.nodes) == sorted(n.id for n in frames(t)[0].nodes if n.kind != "constant"), layout.renderer
    (True, 'graphviz-pure')
    """

    nodes: dict[str, tuple[float, float]]
    edges: dict[tuple[str, str, int], tuple[int, int]]
    caption: tuple[int, int] | None
    renderer: str


def fixed_layout(frames: Sequence[Frame], *, engine: str | None = None, **dot_options) -> Layout:
    """The `Layout` shared by `frames` (a walkthrough, or the frames about to be exported), drawn with the same
    `dot_options` as `to_dot`'s: one layout program run measures the largest text of every node (its last
    frame's, every node's gradient in bold), every edge label (as the frame that highlights the edge writes
    it) and every caption; the renderer is `engine`'s (as `render`'s), since programs measure text differently.

    >>> from gradviz import Value, trace
    >>> from gradviz.viz import frames, render, to_dot
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> with trace() as t:
    ...     f = (x + y) * z
    ...     f.backward()
    >>> steps = frames(t)
    >>> layout = fixed_layout(steps, engine="graphviz-pure")
    >>> sizes = {render(to_dot(s, layout=layout), engine="graphviz-pure").split(b"viewBox")[1][:40] for s in steps}
    >>> len(sizes)                       # one canvas for all seven frames
    1
    """
    from .render import find_renderer, render

    if not frames:
        raise ValueError("fixed_layout() needs at least one frame")
    renderer = find_renderer("svg", engine)
    options = {key: dot_options.get(key, default) for key, default in _PICTURE_DEFAULTS.items()}
    unknown = set(dot_options) - set(_PICTURE_DEFAULTS) - {"rankdir", "decimal"}
    if unknown:
        raise TypeError(f"fixed_layout() got options to_dot does not take: {', '.join(sorted(unknown))}")
    texts: dict[tuple[str, int], int] = {}  # (label, font size) → its number in the measuring graph
    wanted: dict[tuple[str, object], list[int]] = {}

    def want(kind: str, key, label: str | None, size: int) -> None:
        if label:
            wanted.setdefault((kind, key), []).append(texts.setdefault((label, size), len(texts)))

    last = frames[-1]
    if options["precision"] is None:
        options["precision"] = last.precision
    largest = _Picture(last, **options)
    for node in largest.view.nodes:  # its last frame's text, the gradient in bold, is a node's widest
        if node.kind != "constant":
            want("node", node.id, largest.node_label(node._replace(updated=True)), TEXT_SIZE)
    for edge in largest.view.edges:  # and an edge's label is largest in the frame that highlights it
        if largest.view.edge_labels:
            want("edge", edge.key, largest.edge_label(edge._replace(state="active"), kind="backward"), EDGE_SIZE)
    for frame in frames:
        picture = largest if frame is last else _Picture(frame, **options)
        for node in picture.view.nodes:
            if node.kind != "constant":
                want("node", node.id, picture.node_label(node), TEXT_SIZE)
        for box in picture.view.boxes:
            want("node", box.id, picture.box_label(box), TEXT_SIZE)
        if picture.view.edge_labels:
            for edge in picture.view.edges:
                want("edge", edge.key, picture.edge_label(edge), EDGE_SIZE)
        want("caption", None, picture.bottom(), CAPTION_SIZE)
    if not texts:
        return Layout({}, {}, None, renderer.name)
    source = (
        "digraph { "
        + " ".join(
            f"m{number} [shape=plain fontname={FONT} fontsize={size} label={label}]"
            for (label, size), number in texts.items()
        )
        + " }"
    )
    measured = {
        int(item["name"][1:]): (float(item["width"]), float(item["height"]))
        for item in json.loads(render(source, "json", engine=renderer.name))["objects"]
    }
    nodes, edges, caption = {}, {}, None
    margin_x, margin_y = (float(part) for part in _BOX_MARGIN.split(","))
    for (kind, key), numbers in wanted.items():
        width = max(measured[n][0] for n in numbers)
        height = max(measured[n][1] for n in numbers)
        if kind == "node":
            nodes[key] = (width + 2 * margin_x, height + 2 * margin_y)
        else:
            points = (math.ceil(width * 72) + 1, math.ceil(height * 72) + 1)
            if kind == "edge":
                edges[key] = points
            else:
                caption = points
    return Layout(nodes, edges, caption, renderer.name)


_PICTURE_DEFAULTS = {
    "theme": "light",
    "precision": None,  # the frames' own
    "expand": (),
    "collapse": "auto",
    "max_nodes": DEFAULT_MAX_NODES,
    "edge_labels": "auto",
    "compact": "auto",
    "caption": False,
    "title": None,
    "focus": "auto",
}


def _edge_style(state: str, colors: dict) -> dict:
    if state == "active":
        return {"color": colors["active_line"], "penwidth": "3"}
    if state == "pending":
        return {"color": colors["muted"], "style": "dashed"}
    return {}


def _emit_nodes(dot, picture: _Picture, sizes: dict) -> None:
    """Value nodes and op circles, inside nested clusters for the scopes drawn open."""
    view, frame, colors = picture.view, picture.frame, picture.colors
    tree: dict = {}
    for node in view.nodes:
        scope = None if picture.focused else view.cluster_of.get(node.id)  # a focus view has no room for scopes
        branch = tree
        if scope:
            for part in scope.split("/"):
                branch = branch.setdefault(("scope", part), {})
        branch.setdefault(("nodes", None), []).append(node)
    counter = [0]

    def emit(graph, branch: dict, path: str) -> None:
        for node in branch.get(("nodes", None), []):
            graph.node(node.id, picture.node_label(node), **_value_attrs(node, frame, colors, sizes.get(node.id)))
            if node.op:
                graph.node(f"{node.id}_op", f"<{escape(_op_text(node))}>", **_op_attrs(node, colors))
        for key, child in branch.items():
            if key[0] != "scope":
                continue
            counter[0] += 1
            full = f"{path}/{key[1]}" if path else key[1]
            with graph.subgraph(name=f"cluster_{counter[0]}") as cluster:
                cluster.attr(
                    label=f"<{_font(escape(shorten(key[1])), colors['muted'], KEY_SIZE)}>",  # nested: its own name
                    labelloc="t",
                    style="rounded,filled",
                    color=colors["scope_line"],
                    fillcolor=colors["scope_fill"],
                    labeljust="l",
                )
                emit(cluster, child, full)

    emit(dot, tree, "")


def _value_attrs(node: FrameNode, frame: Frame, colors: dict, size: tuple[float, float] | None) -> dict:
    if node.kind == "constant":
        attrs = {"shape": "box", "style": "rounded,dashed", "color": colors["constant_line"]}
    else:
        attrs = {"shape": "box", **_node_style(node, frame, colors)}
    if len(node.label) > LABEL_CHARS:  # the picture shows it cut; hovering shows it whole
        # dot reads backslashes in a tooltip as its escapes (\N: the node's name), and no spelling of one
        # survives: a look-alike (U+FF3C) stands in
        attrs["tooltip"] = shorten(node.label, _TOOLTIP_CHARS).replace("\\", "\uff3c")
    return _sized(attrs, size)


def _op_attrs(node: FrameNode, colors: dict) -> dict:
    symbol = _op_text(node)
    attrs = {
        "shape": "circle" if len(symbol) <= 2 else "ellipse",
        "style": "filled",
        "fillcolor": colors["op_fill"],
        "color": colors["op_line"],
        "fontsize": "18" if len(symbol) <= 2 else str(TEXT_SIZE),
        "width": "0.4",
        "height": "0.4",
        "margin": "0.02",
    }
    if node.state == "active":
        attrs.update(color=colors["active_line"], penwidth="3", fillcolor=colors["active_fill"])
    elif node.state == "pending":
        attrs.update(color=colors["muted"], style="dashed", fontcolor=colors["muted"])
    return attrs
