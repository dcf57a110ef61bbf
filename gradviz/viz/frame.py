"""Frames: the pictures a lesson steps through, as pure data (nodes, edges, highlights, caption, equations).

A Frame knows nothing about drawing: `to_dot` turns one into a graphviz picture, the HTML player and
the widgets show its caption and equation.

>>> from gradviz import Value, trace
>>> from gradviz.viz import frames
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> with trace() as t:
...     q = x + y
...     q.label = "q"
...     f = q * z
...     f.label = "f"
...     f.backward()
>>> steps = frames(t)
>>> [frame.kind for frame in steps]
['initial', 'forward', 'forward', 'backward', 'backward', 'backward', 'final']
>>> print(steps[5].equation)
∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4
∂f/∂y = ∂f/∂q · ∂q/∂y = (−4) · 1 = −4
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from ..graph import Graph
from ..i18n import message, resolve_language
from ..trace import Trace
from .format import fill, latex_label, number, number_latex, operand

__all__ = ["Frame", "FrameNode", "FrameEdge", "frames", "final_frame"]

SMALL_GRAPH = 200  # up to this many nodes, a frame without a trace still computes each edge's local derivative
_LISTED = 8  # captions and equations list at most this many inputs


class FrameNode(NamedTuple):
    """One value node as a frame shows it.

    `value` and `grad` are numbers (floats, or numpy arrays for tensors); `None` means "not computed yet"
    (a pending forward value, a gradient backward has not reached) — never a misleading 0.
    `grad_terms` are the contributions added so far: more than one means the node feeds several others
    and its gradient is their sum. `state` is "pending", "done" or "active"; `updated` marks a node whose
    gradient changed in this frame; `language` that of `value_text` and `grad_text` (None: the one in use).

    >>> from gradviz import Value, trace
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.label = "b"
    ...     b.backward()
    >>> first, last = frames(t)[0], frames(t)[-1]
    >>> first.node("b").state, first.node("b").value, first.node("b").grad   # not computed yet: None, not 0
    ('pending', None, None)
    >>> node = last.node("a")   # a feeds × twice: two contributions, summed
    >>> node.kind, node.value, node.grad, node.grad_terms, node.grad_text
    ('input', 3.0, 6.0, (3.0, 3.0), '3 + 3 = 6')
    """

    id: str
    label: str
    kind: str  # "input" (leaf that requires grad: an input or a parameter), "constant", "op", "output"
    op: str  # the op's name, "" for a leaf
    symbol: str  # the op's display symbol (+, ×, tanh, @), "" for a leaf
    scope: str | None
    shape: tuple | None  # None for a scalar Value
    dtype: str | None
    value: Any
    grad: Any
    grad_terms: tuple = ()
    state: str = "done"
    updated: bool = False
    language: str | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.op

    @property
    def is_tensor(self) -> bool:
        return self.shape is not None

    @property
    def value_text(self) -> str:
        """The value for people ('' while pending)."""
        return "" if self.value is None else quantity(self.value, language=self.language)

    @property
    def grad_text(self) -> str:
        """The gradient for people ('' until computed); a sum when several contributions arrived."""
        if self.grad is None:
            return ""
        if len(self.grad_terms) > 1 and not self.is_tensor:
            terms = " + ".join([number(self.grad_terms[0])] + [operand(t) for t in self.grad_terms[1:]])
            return f"{terms} = {number(self.grad)}"
        return quantity(self.grad, language=self.language)


class FrameEdge(NamedTuple):
    """`source` feeds `target` as input number `position`.

    In backward frames `local` is ∂target/∂source (a number, an array, or None for ops whose Jacobian is
    not elementwise), `local_text` its formula with the nodes' labels (``z`` for ∂(q·z)/∂q), `upstream`
    the gradient arriving at the target and `contribution` = upstream × local. `state` is "pending",
    "done" or "active".

    >>> from gradviz import Value, trace
    >>> a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    >>> with trace() as t:
    ...     c = a * b
    ...     c.label = "c"
    ...     c.backward()
    >>> step = frames(t)[3]   # c = a · b passes its gradient back to a and b
    >>> [(e.local_text, e.local, e.upstream, e.contribution) for e in step.edges if e.state == "active"]
    [('b', -1.0, 1.0, -1.0), ('a', 3.0, 1.0, 3.0)]
    """

    source: str
    target: str
    position: int
    state: str = "done"
    local: Any = None
    local_text: str = ""
    upstream: Any = None
    contribution: Any = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.source, self.target, self.position)


@dataclass(frozen=True)
class Frame:
    """One picture of a lesson: nodes and edges with their states, the caption and the equations.

    `kind` is "initial", "forward", "backward" or "final"; `step` the trace step it shows (forward or
    backward index; None for initial/final frames); `active` the id of the highlighted node (or None);
    `active_edges` the (source, target, position) keys of highlighted edges; `pending` the ids whose value
    is not computed yet; `output` the id of the node whose gradient is taken (∂output/∂·); `language` the
    language ("en" or "es") of the caption and equations, which pictures of the frame use too.

    >>> from gradviz import Value, trace
    >>> a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    >>> with trace() as t:
    ...     c = a * b
    ...     c.label = "c"
    ...     c.backward()
    >>> frame = frames(t)[3]
    >>> frame.kind, frame.step, frame.active_label, frame.output_label
    ('backward', 1, 'c', 'c')
    >>> print(frame.equation)
    ∂c/∂a = ∂c/∂c · ∂c/∂a = 1 · (−1) = −1
    ∂c/∂b = ∂c/∂c · ∂c/∂b = 1 · 3 = 3
    >>> frame.node("a").grad, frames(t)[0].pending == {frame.node("c").id}
    (-1.0, True)
    """

    index: int
    kind: str
    nodes: tuple[FrameNode, ...]
    edges: tuple[FrameEdge, ...]
    active: str | None
    active_edges: tuple[tuple[str, str, int], ...]
    pending: frozenset
    caption: str
    equation: str
    latex: str
    output: str
    step: int | None = None
    language: str = "en"

    def node(self, key: str) -> FrameNode:
        """A node by id ('n3') or label ('q')."""
        for n in self.nodes:
            if n.id == key:
                return n
        for n in self.nodes:
            if n.label == key:
                return n
        raise KeyError(f"frame {self.index} has no node with id or label {key!r}")

    @property
    def output_label(self) -> str:
        return self.node(self.output).label

    @property
    def active_label(self) -> str | None:
        return None if self.active is None else self.node(self.active).label

    def __repr__(self) -> str:
        return f"<Frame {self.index} {self.kind}: {self.caption[:60]!r}>"


# ----------------------------------------------------------------------------------------------
# text helpers


def quantity(x: Any, precision: int = 4, language: str | None = None) -> str:
    """A value in a sentence: a number, or 'a 3×4 array' for a larger array (in `language`, default the one in use).

    >>> quantity(-0.5), quantity(np.zeros((3, 4)), language="es"), quantity(np.zeros(5), language="en")
    ('−0.5', 'una matriz de 3×4', 'a 5-element array')
    """
    if isinstance(x, np.ndarray):
        if x.size == 1:
            return number(x.item(), precision)
        if x.ndim == 1:
            return message("frames.array_vector", language, count=x.shape[0])
        shape = "×".join(str(d) for d in x.shape)
        return message("frames.array_matrix" if x.ndim == 2 else "frames.array_tensor", language, shape=shape)
    if isinstance(x, (bool, np.bool_)):
        return number(float(x), precision)
    return number(x, precision)


def _factor(x: Any, precision: int, latex: bool = False, language: str | None = None) -> str:
    if isinstance(x, np.ndarray) and x.size != 1:
        text = quantity(x, precision, language)
        return rf"\text{{{text}}}" if latex else f"[{text}]"
    value = x.item() if isinstance(x, np.ndarray) else x
    return operand(value, precision, latex)


def _scalar(x: Any) -> bool:
    return not isinstance(x, np.ndarray) or x.size == 1


def d(top: str, bottom: str) -> str:
    """∂top/∂bottom."""
    return f"∂{top}/∂{bottom}"


def d_latex(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {latex_label(top)}}}{{\partial {latex_label(bottom)}}}"


def _sounds_like_i(label: str) -> bool:
    """Whether a name is read starting with an /i/ sound (i, idx, y, y1, ŷ, hi…): Spanish then writes "e" for "y"."""
    word = label.lower()
    if word.startswith(("i", "í")):
        return True
    if word.startswith(("y", "ŷ")):
        return len(word) == 1 or word[1] not in "aeiouáéíóú"
    return word.startswith("hi") and (len(word) == 2 or word[2] not in "aeiouáéíóú")


def _names(labels: list[str], language: str | None = None) -> str:
    """Node names as a list for a sentence: 'x, y and z' (Spanish 'x, y y z', but 'x e y').

    >>> _names(["q", "z"], "en"), _names(["x", "y"], "es"), _names(["a", "b", "c"], "es")
    ('q and z', 'x e y', 'a, b y c')
    """
    if len(labels) <= 1:
        return "".join(labels)
    key = "frames.and_before_i" if _sounds_like_i(labels[-1]) else "frames.and"
    return message(key, language, first=", ".join(labels[:-1]), last=labels[-1])


def _short(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return number(value)
    if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        return f"array{tuple(value.shape)}"
    return str(value)


def _formula(op, labels: list[str], params: dict, latex: bool = False) -> str:
    try:
        return op.format([latex_label(x) for x in labels] if latex else labels, params, latex=latex)
    except (KeyError, IndexError, ValueError):
        return op.name


def _local_text(op, position: int, labels: list[str], out: str, params: dict) -> str:
    try:
        return op.format_local(position, labels, out, params)
    except (KeyError, IndexError, ValueError):
        return ""


def _numeric_formula(op, values: list, params: dict, precision: int, latex: bool = False) -> str | None:
    """The forward formula with numbers in place of labels: ``(−2) + 5``; None for arrays."""
    if op.variadic or not all(_scalar(v) for v in values):
        return None
    floats = [float(np.asarray(v).item()) if isinstance(v, np.ndarray) else float(v) for v in values]
    shown = {
        name: (number_latex(v, precision) if latex else number(v, precision))
        for name, v in zip(op.inputs, floats, strict=False)
    }
    negative = frozenset(name for name, v in zip(op.inputs, floats, strict=False) if v < 0)
    names = dict(shown)
    names["out"] = ""
    for key, value in params.items():
        names[key] = _short(value)
    try:
        return fill(op.latex if latex else op.text, names, negative)
    except (KeyError, IndexError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------
# building frames


class _Builder:
    """Holds the graph, the nodes' static facts and the evolving values/gradients while frames are made."""

    def __init__(self, graph: Graph, precision: int, language: str):
        self.graph = graph
        self.precision = precision
        self.language = language
        self.nodes = graph.nodes
        self.ids = {id(n.ref): n.id for n in graph.nodes}
        self.labels = {n.id: n.label for n in graph.nodes}
        self.by_id = graph._by_id
        # what never changes from frame to frame, in FrameNode's field order
        self.static = [
            (n.id, n.label, n.kind, n.op, n.ref._op.symbol if n.ref._op is not None else "", n.scope)
            + ((None, None) if n.ref._scalar else (tuple(n.ref.data.shape), str(n.ref.data.dtype)))
            for n in graph.nodes
        ]
        self.inputs_of: dict[str, list[str]] = {}
        for e in graph.edges:
            self.inputs_of.setdefault(e.target, []).append(e.source)
        self.values: dict[str, Any] = {}
        self.grads: dict[str, Any] = {}
        self.terms: dict[str, tuple] = {}
        self.edge_info: dict[tuple[str, str, int], FrameEdge] = {}  # edges that carry backward numbers
        self.output = graph.outputs[0].id

    def label(self, node_id: str) -> str:
        return self.labels[node_id]

    def say(self, key: str, **fields) -> str:
        """The catalogue's sentence in the language these frames are made in."""
        return message(key, self.language, **fields)

    def quantity(self, x: Any) -> str:
        return quantity(x, self.precision, self.language)

    def node_frames(self, active: str | None, updated: set, pending: set) -> tuple[FrameNode, ...]:
        values, grads, terms = self.values, self.grads, self.terms
        get_value, get_grad, get_terms = values.get, grads.get, terms.get
        made = []
        append = made.append
        language = self.language
        for static in self.static:
            nid = static[0]
            state = "active" if nid == active else ("pending" if nid in pending else "done")
            node = FrameNode(
                *static, get_value(nid), get_grad(nid), get_terms(nid, ()), state, nid in updated, language
            )
            append(node)
        return tuple(made)

    def frame(self, kind, active, active_edges, pending, caption, equation, latex, step=None, updated=()):
        edges = []
        append = edges.append
        active_keys = set(active_edges)
        info = self.edge_info
        for e in self.graph.edges:
            key = (e.source, e.target, e.position)
            if key in active_keys:
                state = "active"
            elif e.target in pending:
                state = "pending"
            else:
                state = "done"
            known = info.get(key) if info else None
            if known is None:
                append(FrameEdge(e.source, e.target, e.position, state))
            else:
                append(known if known.state == state else known._replace(state=state))
        return Frame(
            index=-1,
            kind=kind,
            nodes=self.node_frames(active, set(updated), pending),
            edges=tuple(edges),
            active=active,
            active_edges=tuple(active_edges),
            pending=frozenset(pending),
            caption=caption,
            equation=equation,
            latex=latex,
            output=self.output,
            step=step,
            language=self.language,
        )

    def edge_keys_into(self, node_id: str) -> list[tuple[str, str, int]]:
        return [(src, node_id, i) for i, src in enumerate(self.inputs_of.get(node_id, ()))]


def _listing(builder: _Builder, node_ids: list[str], what, latex: bool = False) -> list[str]:
    lines = [what(nid) for nid in node_ids[:_LISTED]]
    if len(node_ids) > _LISTED:
        more = builder.say("frames.and_more", count=len(node_ids) - _LISTED)
        lines.append(rf"\text{{{more}}}" if latex else more)
    return lines


def _initial(builder: _Builder, pending: set) -> Frame:
    p = builder.precision
    known = [n.id for n in builder.nodes if n.kind != "constant" and n.id not in pending]
    out = builder.label(builder.output)

    def shown(nid):
        return f"{builder.label(nid)} = {builder.quantity(builder.values[nid])}"

    def shown_latex(nid):
        value = builder.values[nid]
        text = number_latex(np.asarray(value).item(), p) if _scalar(value) else rf"\text{{{builder.quantity(value)}}}"
        return f"{latex_label(builder.label(nid))} = {text}"

    count = len(pending)
    caption = builder.say("frames.initial_one" if count == 1 else "frames.initial_many", out=out, count=count)
    return builder.frame(
        "initial",
        None,
        [],
        set(pending),
        caption,
        ", ".join(_listing(builder, known, shown)),
        r",\quad ".join(_listing(builder, known, shown_latex, latex=True)),
    )


def _forward(builder: _Builder, step, number_in_pass: int, total: int, pending: set) -> Frame:
    p = builder.precision
    nid = builder.ids[id(step.node)]
    op = step.node._op
    params = step.params or {}
    inputs = builder.inputs_of.get(nid, [])
    labels = [builder.label(i) for i in inputs]
    out = builder.label(nid)
    builder.values[nid] = step.value
    pending.discard(nid)
    formula = _formula(op, labels, params)
    formula_latex = _formula(op, labels, params, latex=True)
    values = [builder.values.get(i) for i in inputs]
    result = builder.quantity(step.value)
    numeric = _numeric_formula(op, values, params, p) if all(v is not None for v in values) else None
    numeric_latex = _numeric_formula(op, values, params, p, latex=True) if numeric is not None else None
    if numeric is not None:
        equation = f"{out} = {formula} = {numeric} = {result}"
        latex = (
            f"{latex_label(out)} = {formula_latex} = {numeric_latex} = {number_latex(np.asarray(step.value).item(), p)}"
        )
    else:
        equation = f"{out} = {formula} → {result}"
        latex = rf"{latex_label(out)} = {formula_latex} \;\to\; \text{{{result}}}"
    if labels:
        caption = builder.say(
            "frames.forward_caption",
            step=number_in_pass,
            total=total,
            symbol=op.symbol,
            out=out,
            inputs=_names(labels, builder.language),
        )
    else:
        caption = builder.say(
            "frames.forward_caption_no_inputs", step=number_in_pass, total=total, symbol=op.symbol, out=out
        )
    return builder.frame(
        "forward", nid, builder.edge_keys_into(nid), set(pending), caption, equation, latex, step=step.index
    )


def _seed(builder: _Builder, step, pending: set) -> Frame:
    p = builder.precision
    nid = builder.ids[id(step.node)]
    builder.output = nid
    for n in builder.nodes:  # the engine recomputes intermediate gradients on every pass
        if n.op:
            builder.grads.pop(n.id, None)
            builder.terms.pop(n.id, None)
    builder.grads[nid] = step.upstream
    builder.terms[nid] = (step.upstream,)
    out = builder.label(nid)
    seed = builder.quantity(step.upstream)
    caption = builder.say("frames.seed_caption", out=out, derivative=d(out, out), seed=seed)
    seed_latex = number_latex(np.asarray(step.upstream).item(), p) if _scalar(step.upstream) else rf"\text{{{seed}}}"
    return builder.frame(
        "backward",
        nid,
        [],
        set(pending),
        caption,
        f"{d(out, out)} = {seed}",
        f"{d_latex(out, out)} = {seed_latex}",
        step=step.index,
        updated={nid},
    )


def _backward(builder: _Builder, step, number_in_pass: int, total: int, pending: set) -> Frame:
    p = builder.precision
    nid = builder.ids[id(step.node)]
    op = step.node._op
    params = step.node._params or {}
    inputs = builder.inputs_of.get(nid, [])
    labels = [builder.label(i) for i in inputs]
    out = builder.label(nid)
    root = builder.label(builder.output)
    upstream = step.upstream
    lines, latex_lines, receivers, summed, active_edges, updated = [], [], [], [], [], set()
    for edge_step in step.edges:
        source = builder.ids.get(id(edge_step.input))
        if source is None:
            continue
        key = (source, nid, edge_step.position)
        active_edges.append(key)
        name = builder.label(source)
        receivers.append(name)
        local_text = _local_text(op, edge_step.position, labels, out, params)
        builder.edge_info[key] = FrameEdge(
            source, nid, edge_step.position, "active", edge_step.local, local_text, upstream, edge_step.contribution
        )
        had = builder.terms.get(source, ())
        builder.terms[source] = had + (edge_step.contribution,)
        builder.grads[source] = edge_step.accumulated
        updated.add(source)
        chain = f"{d(root, out)} · {d(out, name)}"
        chain_latex = rf"{d_latex(root, out)} \cdot {d_latex(out, name)}"
        language = builder.language
        if edge_step.local is not None:
            product = (
                f"{_factor(upstream, p, language=language)} · {_factor(edge_step.local, p, language=language)} = "
                f"{builder.quantity(edge_step.contribution)}"
            )
            product_latex = (
                rf"{_factor(upstream, p, True, language)} \cdot {_factor(edge_step.local, p, True, language)} = "
                + _latex_quantity(edge_step.contribution, p, language)
            )
        else:
            product = builder.say("frames.vjp", value=builder.quantity(edge_step.contribution), op=op.name)
            product_latex = builder.say(
                "frames.vjp_latex", value=_latex_quantity(edge_step.contribution, p, language), op=op.name
            )
        if had:
            summed.append(name)
            terms = builder.terms[source]
            if all(_scalar(t) for t in terms):
                total_text = " + ".join([builder.quantity(terms[0])] + [_factor(t, p) for t in terms[1:]])
                total_latex = " + ".join(
                    [_latex_quantity(terms[0], p, language)] + [_factor(t, p, True) for t in terms[1:]]
                )
            else:
                total_text = " + ".join(builder.quantity(t) for t in terms)
                total_latex = " + ".join(_latex_quantity(t, p, language) for t in terms)
            lines.append(
                builder.say(
                    "frames.accumulated",
                    derivative=d(root, name),
                    chain=chain,
                    product=product,
                    terms=total_text,
                    total=builder.quantity(edge_step.accumulated),
                )
            )
            latex_lines.append(
                builder.say(
                    "frames.accumulated_latex",
                    derivative=d_latex(root, name),
                    chain=chain_latex,
                    product=product_latex,
                    terms=total_latex,
                    total=_latex_quantity(edge_step.accumulated, p, language),
                )
            )
        else:
            lines.append(f"{d(root, name)} = {chain} = {product}")
            latex_lines.append(f"{d_latex(root, name)} = {chain_latex} = {product_latex}")
    formula = _formula(op, labels, params)
    if receivers:
        caption = builder.say(
            "frames.backward_caption_one" if len(receivers) == 1 else "frames.backward_caption_many",
            step=number_in_pass,
            total=total,
            out=out,
            formula=formula,
            derivative=d(root, out),
            upstream=builder.quantity(upstream),
            receivers=_names(receivers, builder.language),
        )
    else:
        caption = builder.say(
            "frames.backward_caption_no_inputs", step=number_in_pass, total=total, out=out, formula=formula
        )
    if summed:
        key = "frames.summed_one" if len(summed) == 1 else "frames.summed_many"
        caption += " " + builder.say(key, names=_names(summed, builder.language))
    return builder.frame(
        "backward",
        nid,
        active_edges,
        set(pending),
        caption,
        "\n".join(lines),
        " \\\\\n".join(latex_lines),
        step=step.index,
        updated=updated,
    )


def _latex_quantity(x: Any, precision: int, language: str | None = None) -> str:
    if _scalar(x):
        return number_latex(np.asarray(x).item() if isinstance(x, np.ndarray) else x, precision)
    return rf"\text{{{quantity(x, precision, language)}}}"


def _final(builder: _Builder) -> Frame:
    p = builder.precision
    root = builder.label(builder.output)
    leaves = [n.id for n in builder.nodes if n.kind in ("input",) or (n.kind == "output" and not n.op)]
    with_grad = [nid for nid in leaves if builder.grads.get(nid) is not None]
    if with_grad:
        language = builder.language
        lines = _listing(
            builder, with_grad, lambda nid: f"{d(root, builder.label(nid))} = {builder.quantity(builder.grads[nid])}"
        )
        latex = _listing(
            builder,
            with_grad,
            lambda nid: f"{d_latex(root, builder.label(nid))} = {_latex_quantity(builder.grads[nid], p, language)}",
            latex=True,
        )
        shown = ", ".join(lines[:3]) + (", …" if len(lines) > 3 else "")
        value = builder.quantity(builder.values.get(builder.output))
        caption = builder.say("frames.final_caption", out=root, value=value, gradients=shown)
        equation, latex_text = "\n".join(lines), " \\\\\n".join(latex)
    else:
        value = builder.values.get(builder.output)
        shown_value = builder.quantity(value) if value is not None else "?"
        caption = builder.say("frames.final_no_backward", out=root, value=shown_value)
        equation = f"{root} = {shown_value}" if value is not None else root
        latex_text = (
            f"{latex_label(root)} = {_latex_quantity(value, p, builder.language)}"
            if value is not None
            else latex_label(root)
        )
    return builder.frame("final", None, [], set(), caption, equation, latex_text)


def _numbered(made: list[Frame]) -> list[Frame]:
    return [replace(frame, index=i) for i, frame in enumerate(made)]


def _trace_frames(trace: Trace, mode: str, precision: int, language: str) -> list[Frame]:
    graph = trace.graph()
    builder = _Builder(graph, precision, language)
    forward_steps = [s for s in trace.forward_steps if id(s.node) in builder.ids]
    computed_here = {builder.ids[id(s.node)] for s in forward_steps}
    for n in graph.nodes:
        if n.id not in computed_here:
            builder.values[n.id] = n.value
    pending = set(computed_here)
    made: list[Frame] = []
    if mode in ("both", "forward"):
        made.append(_initial(builder, pending))
        for k, step in enumerate(forward_steps, start=1):
            made.append(_forward(builder, step, k, len(forward_steps), pending))
    else:
        for step in forward_steps:
            builder.values[builder.ids[id(step.node)]] = step.value
        pending.clear()
    if mode in ("both", "backward"):
        passes: dict[int, list] = {}
        for step in trace.backward_steps:
            passes.setdefault(step.pass_index, []).append(step)
        for steps in passes.values():
            if id(steps[0].node) not in builder.ids:
                continue  # a backward pass from a node outside this graph
            visible = [s for s in steps[1:] if id(s.node) in builder.ids]
            made.append(_seed(builder, steps[0], pending))
            for k, step in enumerate(visible, start=1):
                made.append(_backward(builder, step, k, len(visible), pending))
        made.append(_final(builder))
    return _numbered(made)


def final_frame(source, *, precision: int = 4, language: str | None = None) -> Frame:
    """The one frame of a Value/Tensor/Graph as it is now: values, and gradients where backward has run.

    `language` ("en" or "es") is that of the caption; default: the language in use.

    >>> from gradviz import Value
    >>> a = Value(2.0, label="a")
    >>> b = (a * a).relu()
    >>> final_frame(b, language="en").caption
    'The graph of v2 = 4: no backward pass has run yet, so no gradients.'
    >>> final_frame(b, language="es").caption
    'El grafo de v2 = 4: aún no se ha hecho la propagación hacia atrás, así que no hay gradientes.'
    """
    graph = source if isinstance(source, Graph) else Graph.of(source)
    builder = _Builder(graph, precision, resolve_language(language, "final_frame(language=...)"))
    values, grads, terms = builder.values, builder.grads, builder.terms
    for n in graph.nodes:
        ref = n.ref
        values[n.id] = ref.data
        grad = ref.grad
        if grad is not None:
            grads[n.id] = grad
            terms[n.id] = (grad,)
    if len(graph.nodes) <= SMALL_GRAPH:
        _fill_edge_locals(builder)
    return replace(_final(builder), index=0)


def _fill_edge_locals(builder: _Builder) -> None:
    """Each edge's local derivative, computed from the op's rule, where a gradient shows backward ran."""
    for n in builder.nodes:
        if not n.op or n.grad is None:
            continue
        ref = n.ref
        op = ref._op
        params = ref._params or {}
        prev = ref._prev
        labels = [builder.label(builder.ids[id(x)]) for x in prev]
        datas = [x.data for x in prev]
        for position, parent in enumerate(prev):
            if not parent.requires_grad:
                continue
            key = (builder.ids[id(parent)], n.id, position)
            rule = op.rule(position)
            local = None
            if rule.local is not None:
                try:
                    with np.errstate(all="ignore"):
                        local = rule.local(ref._xp, ref.data, *datas, **params)
                    local = (
                        float(local)
                        if ref._scalar
                        else np.broadcast_to(np.asarray(local, dtype=float), np.shape(ref.data))
                    )
                except Exception:  # a picture never fails because one local derivative could not be evaluated
                    local = None
            contribution = None if local is None else n.grad * local
            builder.edge_info[key] = FrameEdge(
                key[0],
                n.id,
                position,
                "done",
                local,
                _local_text(op, position, labels, n.label, params),
                n.grad,
                contribution,
            )


def frames(source, *, mode: str = "both", precision: int = 4, language: str | None = None) -> list[Frame]:
    """The frames of a lesson: before anything runs, each forward op, each backward step, and the result.

    `source` is a Trace (recorded with ``with gradviz.trace() as t:``); for a Value, Tensor or Graph
    without a trace the list holds one final frame showing values and gradients as they are.
    `mode` keeps only the "forward" frames (the initial one and one per op) or only the "backward" ones
    (one per backward step, then the final one). `language` ("en" or "es") is that of the captions and of
    the words in equations; default: the language in use (``gradviz.set_language``), so a teacher can make
    both versions of one trace side by side.

    >>> from gradviz import Value, trace
    >>> a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    >>> with trace() as t:
    ...     c = a * b
    ...     c.label = "c"
    ...     c.backward()
    >>> [f.caption for f in frames(t, mode="forward", language="en")]   # doctest: +NORMALIZE_WHITESPACE
    ['The graph of c before anything runs: only the inputs are known; 1 value is still to be computed.',
     'Forward step 1 of 1: the × node computes c from a and b.']
    >>> frames(t)[1].equation
    'c = a · b = 3 · (−1) = −3'
    >>> frames(t, language="es")[1].caption
    'Propagación hacia delante, paso 1 de 1: el nodo × calcula c a partir de a y b.'
    """
    if mode not in ("both", "forward", "backward"):
        raise ValueError(f"frames(mode=...) is 'both', 'forward' or 'backward', got {mode!r}")
    language = resolve_language(language, "frames(language=...)")
    if isinstance(source, Trace):
        if not source.forward_steps and not source.backward_steps:
            raise ValueError(
                "this trace recorded nothing: compute (and call .backward()) inside `with gradviz.trace() as t:`"
            )
        return _trace_frames(source, mode, precision, language)
    if isinstance(source, Graph) or hasattr(source, "_prev"):
        return [final_frame(source, precision=precision, language=language)]
    raise TypeError(f"frames() takes a Trace, a Value, a Tensor or a Graph, got {type(source).__name__}")
