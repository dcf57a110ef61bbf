"""The stepper's HTML pieces, as pure functions of a Frame: the caption panel, the node table, the static fallback.

The widget only places these strings into ipywidgets.HTML; every piece of text goes through `html.escape`.

>>> from gradviz import Value, trace
>>> from gradviz.viz import frames
>>> x, y = Value(2.0, label="x"), Value(-3.0, label="y")
>>> with trace() as t:
...     f = x * y
...     f.label = "f"
...     f.backward()
>>> table = node_table(frames(t)[1])          # after the forward step: f known, no gradient yet
>>> "<td" in table and "−6" in table and "?" in table
True
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from ..i18n import message
from ..viz.format import array_lines, array_summary, number
from ..viz.frame import Frame, FrameNode

__all__ = ["STYLE", "caption_html", "node_table", "fallback_html", "quantity_text"]

_SMALL = 4  # arrays up to 4 elements per side are written out in full
PIN_OVER = 12  # past this many rows, the rows of the current step are also shown first

# one stylesheet for every stepper on the page; sizes suit a projector (the caption reads from the back row)
STYLE = """<style>
.gradviz-stepper { max-width: 100%; }
.gradviz-stepper .gradviz-diagram { overflow: auto; max-height: 70vh; }
.gradviz-stepper .gradviz-diagram svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
.gradviz-stepper .gradviz-caption p { font-size: 1.15em; line-height: 1.45; margin: 0.3em 0; }
.gradviz-stepper .gradviz-caption pre { font-size: 1.1em; background: #f5f5f5; padding: 0.4em 0.7em;
  border-radius: 6px; white-space: pre-wrap; margin: 0.3em 0; }
.gradviz-stepper .gradviz-table { max-height: 24em; overflow: auto; }
.gradviz-stepper table.gradviz-nodes { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.gradviz-stepper table.gradviz-nodes th, .gradviz-stepper table.gradviz-nodes td {
  padding: 0.15em 0.7em; border-bottom: 1px solid #e0e0e0; text-align: right; vertical-align: top; }
.gradviz-stepper table.gradviz-nodes th { position: sticky; top: 0; background: #fafafa; }
.gradviz-stepper table.gradviz-nodes td.name, .gradviz-stepper table.gradviz-nodes th.name { text-align: left; }
.gradviz-stepper table.gradviz-nodes tr.active td { background: #fff1e5; font-weight: 600; }
.gradviz-stepper table.gradviz-nodes tr[data-pinned] td { border-bottom: 1px solid #d55e00; }
.gradviz-stepper table.gradviz-nodes tr[data-pinned] + tr:not([data-pinned]) td { border-top: 2px solid #d55e00; }
.gradviz-stepper table.gradviz-nodes tr.updated td.grad { color: #a4336e; font-weight: 600; }
.gradviz-stepper table.gradviz-nodes td.unknown { color: #9a9a9a; font-style: italic; }
.gradviz-stepper .gradviz-note { color: #5a5a5a; font-size: 0.9em; }
</style>"""


def quantity_text(x: Any, precision: int = 4, decimal: str = ".") -> str:
    """A number, a small array written out, or a larger array's summary — for one table cell.

    >>> quantity_text(-4.0), quantity_text(np.array([1.0, -2.0])), quantity_text(np.zeros((5, 5)))
    ('−4', '[1, −2]', '5×5: mean 0  std 0  min 0  max 0')
    """
    if x is None:
        return "?"
    if isinstance(x, np.ndarray) and x.size != 1:
        array = np.asarray(x, dtype=float) if x.dtype == bool else x
        if array.ndim <= 2 and all(side <= _SMALL for side in array.shape):
            return "\n".join(array_lines(array, precision, decimal))
        return f"{'×'.join(map(str, array.shape))}: {array_summary(array, precision, decimal=decimal)}"
    return number(np.asarray(x).item() if isinstance(x, np.ndarray) else x, precision, decimal)


def _cell(text: str, css: str = "") -> str:
    lines = html.escape(text).split("\n")
    cls = f' class="{css}"' if css else ""
    return f"<td{cls}>{'<br>'.join(lines)}</td>"


def _difference(grad: Any, numeric: Any) -> float | None:
    if grad is None or numeric is None:
        return None
    with np.errstate(all="ignore"):
        gap = np.abs(np.asarray(grad, dtype=float) - np.asarray(numeric, dtype=float))
    return float(np.max(gap)) if gap.size else 0.0


def node_table(
    frame: Frame, numeric: dict[str, Any] | None = None, *, precision: int = 4, language: str | None = None
) -> str:
    """An HTML table of every node in `frame`: label, scope (when the graph has scopes), op, value and the gradient
    known so far (``?`` until backward reaches it, ``—`` for constants); with `numeric` (node id → numerical
    gradient) two more columns, the numerical gradient and max |so far − numerical|.

    >>> from gradviz import Value
    >>> from gradviz.viz import final_frame
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.backward()
    >>> table = node_table(final_frame(b), {"n0": 6.000001, "n1": 1.0})
    >>> "<td>10⁻⁶</td>" in table                   # |6 − 6.000001|, at 4 significant digits
    True
    """
    out = frame.node(frame.output).label
    scoped = any(node.scope for node in frame.nodes)
    headers = [("name", message("widgets.column_node", language))]
    if scoped:
        headers.append(("name", message("widgets.column_scope", language)))
    headers += [
        ("name", message("widgets.column_op", language)),
        ("number", message("widgets.column_value", language)),
        ("number", message("widgets.column_grad", language, output=out)),
    ]
    if numeric is not None:
        headers += [
            ("number", message("widgets.column_numeric", language, output=out)),
            ("number", message("widgets.column_difference", language)),
        ]
    header = "".join(f'<th class="{css}">{html.escape(text)}</th>' for css, text in headers)
    body = [_row(node, scoped, numeric, precision, language) for node in frame.nodes]
    if len(body) > PIN_OVER:
        # a long table scrolls: the rows this step touches are repeated on top, where the eye already is
        current = [row for node, row in zip(frame.nodes, body, strict=True) if node.state == "active" or node.updated]
        if current:
            body = [row.replace("<tr ", '<tr data-pinned="1" ', 1) for row in current] + body
    return (
        f'<table class="gradviz-nodes" data-frame="{frame.index}"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _row(node: FrameNode, scoped: bool, numeric: dict | None, precision: int, language: str | None) -> str:
    css = [node.state] + (["updated"] if node.updated else [])
    if node.op:
        op = node.symbol or node.op
    else:
        op = message("widgets.kind_constant" if node.kind == "constant" else "widgets.kind_input", language)
    cells = [_cell(node.label, "name")]
    if scoped:
        cells.append(_cell(node.scope or "", "name"))
    cells.append(_cell(op, "name"))
    decimal = node.decimal
    cells.append(_cell(quantity_text(node.value, precision, decimal), "unknown" if node.value is None else ""))
    if node.kind == "constant":
        cells.append(_cell("—"))
    else:
        cells.append(
            _cell(quantity_text(node.grad, precision, decimal), "grad unknown" if node.grad is None else "grad")
        )
    if numeric is not None:
        if node.kind == "constant":
            cells += [_cell("—"), _cell("")]
        else:
            value = numeric.get(node.id)
            gap = _difference(node.grad, value)
            cells.append(_cell(quantity_text(value, precision, decimal), "unknown" if value is None else ""))
            cells.append(_cell("" if gap is None else number(gap, precision, decimal)))
    return f'<tr class="{" ".join(css)}" data-node="{html.escape(node.id)}">' + "".join(cells) + "</tr>"


def caption_html(frame: Frame) -> str:
    """The frame's caption as a paragraph and its equation (when it has one) as preformatted lines.

    >>> caption_html(_demo_frame())
    '<p>a &lt;b&gt; caption</p><pre>f = 1</pre>'
    """
    text = f"<p>{html.escape(frame.caption)}</p>"
    if frame.equation:
        text += f"<pre>{html.escape(frame.equation)}</pre>"
    return text


def fallback_html(svg: str, frame: Frame, total: int, language: str | None = None) -> str:
    """What a notebook shows where no widget can run (nbconvert, GitHub): the last frame's picture, its caption
    and equation, and a note saying the interactive stepper needs ipywidgets.

    >>> page = fallback_html('<svg xmlns="http://www.w3.org/2000/svg"></svg>', _demo_frame(), 7)
    >>> "<svg" in page and "ipywidgets" in page and "(7 of 7)" in page
    True
    """
    note = html.escape(message("widgets.fallback_note", language, total=total))
    return (
        '<div class="gradviz-stepper-static">'
        f'<div style="overflow:auto">{svg}</div>'
        f'<div style="font-size:1.05em">{caption_html(frame)}</div>'
        f'<p style="color:#5a5a5a;font-size:0.9em"><em>{note}</em></p>'
        "</div>"
    )


def _demo_frame() -> Frame:
    """A tiny frame for the examples above."""
    node = FrameNode("n0", "f", "output", "", "", None, None, None, 1.0, None)
    return Frame(0, "final", (node,), (), None, (), frozenset(), "a <b> caption", "f = 1", "f = 1", "n0")
