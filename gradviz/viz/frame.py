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

import operator
import threading
import weakref
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..graph import Graph
from ..i18n import message, resolve_language
from ..interpret import edge, local_and_contribution
from ..trace import Trace
from .format import decimal_mark, fill, latex_label, list_separator, number, number_latex, operand, snap

__all__ = ["Frame", "FrameNode", "FrameEdge", "Frames", "frames", "final_frame"]

SMALL_GRAPH = 200  # up to this many nodes, a frame without a trace still computes each edge's local derivative
_LISTED = 8  # captions and equations list at most this many inputs


class FrameNode(NamedTuple):
    """One value node as a frame shows it.

    `value` and `grad` are numbers (floats, or numpy arrays for tensors); `None` means "not computed yet"
    (a pending forward value, a gradient backward has not reached) — never a misleading 0.
    `grad_terms` are the contributions added so far: more than one means the node feeds several others
    and its gradient is their sum. `state` is "pending", "done" or "active"; `updated` marks a node whose
    gradient changed in this frame; `language` that of `value_text` and `grad_text` (None: the one in use),
    `precision` and `decimal` ("." or ",") how they write numbers. The numbers are those a person reads:
    round-off is 0 (``0.1 + 0.2 − 0.3`` is 0 here, whatever the engine holds).

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
    >>> frames(t, decimal=",", precision=2)[-1].node("b").value_text    # b = 9 in any notation
    '9'
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
    precision: int = 4
    decimal: str = "."

    @property
    def is_leaf(self) -> bool:
        return not self.op

    @property
    def is_tensor(self) -> bool:
        return self.shape is not None

    @property
    def value_text(self) -> str:
        """The value for people ('' while pending)."""
        return "" if self.value is None else quantity(self.value, self.precision, self.language, self.decimal)

    @property
    def grad_text(self) -> str:
        """The gradient for people ('' until computed); a sum when several contributions arrived."""
        if self.grad is None:
            return ""
        p, mark = self.precision, self.decimal
        if len(self.grad_terms) > 1 and not self.is_tensor:
            terms = " + ".join(
                [number(self.grad_terms[0], p, mark)] + [operand(t, p, False, mark) for t in self.grad_terms[1:]]
            )
            return f"{terms} = {number(self.grad, p, mark)}"
        return quantity(self.grad, p, self.language, mark)


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

    `kind` is "initial", "forward", "backward" or "final" — and in a lesson of training iterations "update" (an
    optimizer step: `updates` lists each parameter's ParameterChange, before, gradient, after) and "summary"
    (the loss per iteration); `iteration` is the training iteration it belongs to (0-based); `step` the trace
    step it shows (forward or backward index, the update's number; None for initial/final frames); `active` the id of the highlighted node (or None);
    `active_edges` the (source, target, position) keys of highlighted edges; `pending` the ids whose value
    is not computed yet; `output` the id of the node whose gradient is taken (∂output/∂·); `language` the
    language ("en" or "es") of the caption and equations, `precision` (significant digits) and `decimal` ("." or
    ",") how their numbers are written — pictures of the frame use all three too.

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
    precision: int = 4
    decimal: str = "."
    iteration: int = 0
    updates: tuple = ()

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


def quantity(x: Any, precision: int = 4, language: str | None = None, decimal: str = ".") -> str:
    """A value in a sentence: a number, or 'a 3×4 array' for a larger array (in `language`, default the one in use).

    >>> quantity(-0.5), quantity(np.zeros((3, 4)), language="es"), quantity(np.zeros(5), language="en")
    ('−0.5', 'una matriz de 3×4', 'a 5-element array')
    >>> quantity(np.array([0.25]), decimal=",")
    '0,25'
    """
    if isinstance(x, np.ndarray):
        if x.size == 1:
            return number(x.item(), precision, decimal)
        if x.ndim == 1:
            return message("frames.array_vector", language, count=x.shape[0])
        shape = "×".join(str(d) for d in x.shape)
        return message("frames.array_matrix" if x.ndim == 2 else "frames.array_tensor", language, shape=shape)
    if isinstance(x, (bool, np.bool_)):
        return number(float(x), precision, decimal)
    return number(x, precision, decimal)


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


def _filled(builder: _Builder, op, texts: list[str], negative: list[bool], params: dict, latex: bool) -> str | None:
    """The op's forward formula with `texts` in place of its inputs (labels or numbers); those marked `negative`
    in parentheses where the template does not wrap them already: ``x · (−0,5)``."""
    names = {"out": ""}
    if op.variadic:
        names["xs"] = builder.separator.join(texts)
        wrapped = frozenset()
    else:
        names.update(zip(op.inputs, texts, strict=False))
        wrapped = frozenset(name for name, below in zip(op.inputs, negative, strict=False) if below)
    for key, value in params.items():
        names[key] = builder.param(value, latex)
    try:
        return fill(op.latex if latex else op.text, names, wrapped, builder.decimal)
    except (KeyError, IndexError, ValueError):
        return None


def _formula(builder: _Builder, op, inputs: list[str], params: dict, latex: bool = False) -> str:
    """The op's forward formula over its inputs' labels (node ids `inputs`): ``x + y``."""
    labels = [builder.latex_label(i) if latex else builder.label(i) for i in inputs]
    filled = _filled(builder, op, labels, [i in builder.negative for i in inputs], params, latex)
    return op.name if filled is None else filled


def _local_text(builder: _Builder, op, position: int, inputs: list[str], out: str, params: dict) -> str:
    """∂out/∂input number `position` as a formula over the labels, in the frames' language: ``z`` for ∂(q·z)/∂q."""
    labels = [f"({builder.label(i)})" if i in builder.negative else builder.label(i) for i in inputs]
    try:
        return op.format_local(
            position,
            labels,
            out,
            params,
            language=builder.language,
            number=builder.number_in(False),
            separator=builder.separator,
        )
    except (KeyError, IndexError, ValueError):
        return ""


def _numeric_formula(builder: _Builder, op, values: list, params: dict, latex: bool = False) -> str | None:
    """The forward formula with numbers in place of labels: ``(−2) + 5``; None for arrays."""
    if op.variadic or not all(_scalar(v) for v in values):
        return None
    floats = [float(np.asarray(v).item()) if isinstance(v, np.ndarray) else float(v) for v in values]
    write = builder.number_in(latex)
    return _filled(builder, op, [write(v) for v in floats], [v < 0 for v in floats], params, latex)


# ----------------------------------------------------------------------------------------------
# building frames
#
# A walkthrough of N steps has about 2N frames, and each frame shows every node: built eagerly, that is
# O(N²) node records (a 2,000-op chain made 16 million, 4.5 GB). So a Trace's frames are a lazy sequence.
# Making it replays the trace once (O(N)) into a record of what changes at which frame: when each value
# becomes known, each node's gradient history, each edge's backward numbers. Frame k is then assembled
# only when read, from those histories (O(size of one frame)); a frame next to one already built copies
# it and redoes only the few nodes and edges that changed, and node/edge records that do not change are
# shared between frames, so even holding every frame costs one pointer per node per frame.


class _Builder:
    """The graph's static facts (ids, labels, inputs, what each node is) and the words and numbers frames are
    made in (language, precision, decimal mark)."""

    def __init__(self, graph: Graph, precision: int, language: str, decimal: str):
        self.graph = graph
        self.precision = precision
        self.language = language
        self.decimal = decimal
        self.separator = list_separator(decimal)  # between the items of a list of numbers
        self.nodes = graph.nodes
        self.ids = {id(n.ref): n.id for n in graph.nodes}
        self.slot = {n.id: i for i, n in enumerate(graph.nodes)}
        self.node_of = {n.id: n for n in graph.nodes}
        self.labels = {n.id: n.label for n in graph.nodes}
        self.numbers: dict[str, float] = {}  # the nodes named by their value: a number in the expression (x * 0.5)
        self.negative: set[str] = set()  # those of them below 0, parenthesised in formulas
        for n in graph.nodes:
            if n.kind == "constant" and n.auto_label and np.size(n.value) == 1:
                value = self.numbers[n.id] = float(np.asarray(n.value).item())
                self.labels[n.id] = number(value, precision, decimal)  # written as every number is
                if value < 0:
                    self.negative.add(n.id)
        # what never changes from frame to frame, in FrameNode's field order
        self.static = [
            (n.id, self.labels[n.id], n.kind, n.op, n.symbol, n.scope)
            + ((None, None) if n.scalar else (n.shape, n.dtype))
            for n in graph.nodes
        ]
        self.inputs_of: dict[str, list[str]] = {}
        for e in graph.edges:
            self.inputs_of.setdefault(e.target, []).append(e.source)

    def label(self, node_id: str) -> str:
        return self.labels[node_id]

    def latex_label(self, node_id: str) -> str:
        if node_id in self.numbers:
            return number_latex(self.numbers[node_id], self.precision, self.decimal)
        return latex_label(self.labels[node_id])

    def say(self, key: str, **fields) -> str:
        """The catalogue's sentence in the language these frames are made in."""
        return message(key, self.language, **fields)

    def quantity(self, x: Any) -> str:
        return quantity(x, self.precision, self.language, self.decimal)

    def latex_quantity(self, x: Any) -> str:
        if _scalar(x):
            return number_latex(np.asarray(x).item() if isinstance(x, np.ndarray) else x, self.precision, self.decimal)
        return rf"\text{{{self.quantity(x)}}}"

    def factor(self, x: Any, latex: bool = False) -> str:
        """A number as a factor of a product (negatives in parentheses), or an array named in brackets."""
        if isinstance(x, np.ndarray) and x.size != 1:
            text = self.quantity(x)
            return rf"\text{{{text}}}" if latex else f"[{text}]"
        value = x.item() if isinstance(x, np.ndarray) else x
        return operand(value, self.precision, latex, self.decimal)

    def number_in(self, latex: bool):
        """How a number is written in text (or in LaTeX) in these frames."""
        p, mark = self.precision, self.decimal
        if latex:
            return lambda x: number_latex(x, p, mark)
        return lambda x: number(x, p, mark)

    def param(self, value: Any, latex: bool = False) -> str:
        """An op's parameter in a formula: a number as the frames write numbers, an array by its shape."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.number_in(latex)(value)
        if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
            return f"array{tuple(value.shape)}"
        if isinstance(value, tuple):
            return "(" + self.separator.join(self.param(v, latex) for v in value) + ")"
        return str(value)

    def edge_keys_into(self, node_id: str) -> list[tuple[str, str, int]]:
        return [(src, node_id, i) for i, src in enumerate(self.inputs_of.get(node_id, ()))]


class _Text(NamedTuple):
    caption: str
    equation: str
    latex: str


def _listing(builder: _Builder, node_ids: list[str], what, latex: bool = False) -> list[str]:
    lines = [what(nid) for nid in node_ids[:_LISTED]]
    if len(node_ids) > _LISTED:
        more = builder.say("frames.and_more", count=len(node_ids) - _LISTED)
        lines.append(rf"\text{{{more}}}" if latex else more)
    return lines


# The text of each kind of frame reads a `state`: value(id), grad(id), terms(id) and `output` as they stand
# at that frame (a _Walkthrough's _At, or final_frame's _Now).


def _initial_text(builder: _Builder, state, pending) -> _Text:
    known = [n.id for n in builder.nodes if n.kind != "constant" and n.id not in pending]
    out = builder.label(state.output)

    def shown(nid):
        return f"{builder.label(nid)} = {builder.quantity(state.value(nid))}"

    def shown_latex(nid):
        return f"{builder.latex_label(nid)} = {builder.latex_quantity(state.value(nid))}"

    count = len(pending)
    caption = builder.say("frames.initial_one" if count == 1 else "frames.initial_many", out=out, count=count)
    separator = builder.separator
    return _Text(
        caption,
        separator.join(_listing(builder, known, shown)),
        (separator.rstrip() + r"\quad ").join(_listing(builder, known, shown_latex, latex=True)),
    )


def _forward_text(builder: _Builder, state, step, number_in_pass: int, total: int) -> _Text:
    nid = builder.ids[id(step.node)]
    op = builder.node_of[nid].spec
    params = step.params or {}
    inputs = builder.inputs_of.get(nid, [])
    labels = [builder.label(i) for i in inputs]
    out = builder.label(nid)
    formula = _formula(builder, op, inputs, params)
    formula_latex = _formula(builder, op, inputs, params, latex=True)
    values = [state.value(i) for i in inputs]
    value = state.value(nid)  # as people read it: round-off already 0
    result = builder.quantity(value)
    numeric = _numeric_formula(builder, op, values, params) if all(v is not None for v in values) else None
    numeric_latex = _numeric_formula(builder, op, values, params, latex=True) if numeric is not None else None
    out_latex = builder.latex_label(nid)
    if numeric is not None:
        equation = f"{out} = {formula} = {numeric} = {result}"
        latex = f"{out_latex} = {formula_latex} = {numeric_latex} = {builder.latex_quantity(value)}"
    else:
        equation = f"{out} = {formula} → {result}"
        latex = rf"{out_latex} = {formula_latex} \;\to\; \text{{{result}}}"
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
    return _Text(caption, equation, latex)


def _seed_text(builder: _Builder, step) -> _Text:
    out = builder.label(builder.ids[id(step.node)])
    seed = builder.quantity(step.upstream)
    caption = builder.say("frames.seed_caption", out=out, derivative=d(out, out), seed=seed)
    return _Text(caption, f"{d(out, out)} = {seed}", f"{d_latex(out, out)} = {builder.latex_quantity(step.upstream)}")


class _Shown(NamedTuple):
    """One edge of a backward step in the numbers people read (round-off 0): what the source receives."""

    source: str
    position: int
    local: Any
    contribution: Any
    accumulated: Any


def _backward_text(builder: _Builder, before, root_id: str, step, numbers: tuple, k: int, total: int) -> _Text:
    """Backward step `step`'s text; `before` is the state just before it (the frame before); `numbers` its
    upstream gradient and edges as shown (a number and a tuple of _Shown)."""
    nid = builder.ids[id(step.node)]
    op = builder.node_of[nid].spec
    params = builder.node_of[nid].params
    inputs = builder.inputs_of.get(nid, [])
    out = builder.label(nid)
    root = builder.label(root_id)
    upstream, shown_edges = numbers
    lines, latex_lines, receivers, summed = [], [], [], []
    added: dict[str, tuple] = {}  # contributions this step already made (x·x sends two to x)
    for shown in shown_edges:
        source = shown.source
        name = builder.label(source)
        receivers.append(name)
        had = added[source] if source in added else before.terms(source)
        terms = added[source] = had + (shown.contribution,)
        chain = f"{d(root, out)} · {d(out, name)}"
        chain_latex = rf"{d_latex(root, out)} \cdot {d_latex(out, name)}"
        if shown.local is not None:
            product = (
                f"{builder.factor(upstream)} · {builder.factor(shown.local)} = {builder.quantity(shown.contribution)}"
            )
            product_latex = (
                rf"{builder.factor(upstream, True)} \cdot {builder.factor(shown.local, True)} = "
                + builder.latex_quantity(shown.contribution)
            )
        else:
            product = builder.say("frames.vjp", value=builder.quantity(shown.contribution), op=op.name)
            product_latex = builder.say(
                "frames.vjp_latex", value=builder.latex_quantity(shown.contribution), op=op.name
            )
        if had:
            summed.append(name)
            if all(_scalar(t) for t in terms):
                total_text = " + ".join([builder.quantity(terms[0])] + [builder.factor(t) for t in terms[1:]])
                total_latex = " + ".join(
                    [builder.latex_quantity(terms[0])] + [builder.factor(t, True) for t in terms[1:]]
                )
            else:
                total_text = " + ".join(builder.quantity(t) for t in terms)
                total_latex = " + ".join(builder.latex_quantity(t) for t in terms)
            lines.append(
                builder.say(
                    "frames.accumulated",
                    derivative=d(root, name),
                    chain=chain,
                    product=product,
                    terms=total_text,
                    total=builder.quantity(shown.accumulated),
                )
            )
            latex_lines.append(
                builder.say(
                    "frames.accumulated_latex",
                    derivative=d_latex(root, name),
                    chain=chain_latex,
                    product=product_latex,
                    terms=total_latex,
                    total=builder.latex_quantity(shown.accumulated),
                )
            )
        else:
            lines.append(f"{d(root, name)} = {chain} = {product}")
            latex_lines.append(f"{d_latex(root, name)} = {chain_latex} = {product_latex}")
    formula = _formula(builder, op, inputs, params)
    if receivers:
        caption = builder.say(
            "frames.backward_caption_one" if len(receivers) == 1 else "frames.backward_caption_many",
            step=k,
            total=total,
            out=out,
            formula=formula,
            derivative=d(root, out),
            upstream=builder.quantity(upstream),
            receivers=_names(receivers, builder.language),
        )
    else:
        caption = builder.say("frames.backward_caption_no_inputs", step=k, total=total, out=out, formula=formula)
    if summed:
        key = "frames.summed_one" if len(summed) == 1 else "frames.summed_many"
        caption += " " + builder.say(key, names=_names(summed, builder.language))
    return _Text(caption, "\n".join(lines), " \\\\\n".join(latex_lines))


def _final_text(builder: _Builder, state) -> _Text:
    root = builder.label(state.output)
    leaves = [n.id for n in builder.nodes if n.kind in ("input",) or (n.kind == "output" and not n.op)]
    grads = {nid: grad for nid in leaves if (grad := state.grad(nid)) is not None}
    with_grad = list(grads)
    if with_grad:
        lines = _listing(
            builder, with_grad, lambda nid: f"{d(root, builder.label(nid))} = {builder.quantity(grads[nid])}"
        )
        latex = _listing(
            builder,
            with_grad,
            lambda nid: f"{d_latex(root, builder.label(nid))} = {builder.latex_quantity(grads[nid])}",
            latex=True,
        )
        separator = builder.separator
        shown = separator.join(lines[:3]) + (separator + "…" if len(lines) > 3 else "")
        value = builder.quantity(state.value(state.output))
        caption = builder.say("frames.final_caption", out=root, value=value, gradients=shown)
        return _Text(caption, "\n".join(lines), " \\\\\n".join(latex))
    value = state.value(state.output)
    shown_value = builder.quantity(value) if value is not None else "?"
    caption = builder.say("frames.final_no_backward", out=root, value=shown_value)
    equation = f"{root} = {shown_value}" if value is not None else root
    root_latex = builder.latex_label(state.output)
    latex_text = f"{root_latex} = {builder.latex_quantity(value)}" if value is not None else root_latex
    return _Text(caption, equation, latex_text)


# ----------------------------------------------------------------------------------------------
# numbers as people read them
#
# 0.1 + 0.2 − 0.3 is 5.551×10⁻¹⁷ in floating point; a frame shows 0. An op that adds terms up declares their
# size (Op.magnitude) and a result far below it is snapped to 0 (format.snap); a gradient summed from several
# contributions likewise. What is computed from a snapped number is redone from the numbers as shown, and
# where that gives exactly 0 — and the engine's number is no bigger than the round-off taken out could make it
# — the frame shows 0 too: 2·(0.1 + 0.2 − 0.3) reads 0, 1/(0.1 + 0.2 − 0.3) keeps the engine's number, and so
# does ReLU's derivative just above 0 (a jump, not round-off). The engine's numbers are never changed.

_CARRY = 16  # how many times the round-off taken out of its inputs a redone number may be and still be 0


def _largest(x: Any) -> float:
    if isinstance(x, np.ndarray):
        return float(np.max(np.abs(x.astype(float, copy=False)))) if x.size else 0.0
    return abs(float(x))


def _minus(engine: Any, shown: Any) -> Any:
    return np.asarray(engine, dtype=float) - shown if isinstance(shown, np.ndarray) else engine - shown


def _carried(value: Any, redo, args: tuple, params: dict, removed: list, context: list) -> Any:
    """`value` with 0 wherever ``redo(*args, **params)`` — the same arithmetic from the numbers as shown — gives
    exactly 0 and `value` is within `_CARRY` times the round-off `removed` (scaled by the numbers in `context`)."""
    try:
        with np.errstate(all="ignore"):
            again = redo(*args, **params)
            bound = _CARRY * max(map(_largest, removed)) * max(1.0, *map(_largest, context))
    except Exception:  # a frame never fails because a number could not be redone
        return value
    if isinstance(value, np.ndarray) or isinstance(again, np.ndarray):
        array = np.asarray(value)
        if array.dtype.kind != "f" or np.shape(again) != array.shape:
            return value
        hit = (np.asarray(again) == 0) & (np.abs(array) <= bound) & (array != 0)
        return np.where(hit, 0.0, array).astype(array.dtype, copy=False) if hit.any() else value
    if isinstance(value, float) and value != 0 and again == 0 and abs(value) <= bound:
        return 0.0
    return value


def _contribution(op, position: int, upstream, out, inputs: list, params: dict, xp, scalar: bool):
    return local_and_contribution(op, position, upstream, out, inputs, params, xp, scalar)[1]


def _sum(terms: tuple):
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


class _Readable:
    """A graph's numbers as frames show them: `shown[i]` for node slot i, `removed[i]` = engine − shown where
    they differ; gradients and edges are read through `edge` and `total` as backward is replayed."""

    def __init__(self, builder: _Builder, values: list):
        self.builder, self.values = builder, values
        self.shown = shown = list(values)
        self.removed: dict[int, Any] = {}
        self.grad_removed: dict[str, Any] = {}  # node id -> engine − shown of its gradient (the upstream it sends)
        slot = builder.slot
        for i, n in enumerate(builder.nodes):
            spec, value = n.spec, values[i]
            if spec is None or value is None:
                continue
            inputs = [slot[j] for j in n.inputs]
            engine_inputs = [values[j] for j in inputs]
            if spec.magnitude is not None:
                try:
                    with np.errstate(all="ignore"):
                        value = snap(value, spec.magnitude(n.xp, *engine_inputs, **n.params))
                except Exception:  # a frame never fails because a size could not be computed
                    pass
            taken = [self.removed[j] for j in inputs if j in self.removed]
            if taken:
                args = (n.xp, *[shown[j] for j in inputs])
                value = _carried(value, spec.forward, args, n.params, taken, engine_inputs)
            if value is not values[i]:
                shown[i] = value
                self.removed[i] = _minus(values[i], value)

    def edge(self, node, position: int, upstream: Any, local: Any, contribution: Any) -> tuple[Any, Any]:
        """(local, contribution) of input `position` of `node` as shown, from the engine's; `upstream` the
        engine's gradient of `node` (its shown one is `self.upstream(node.id, upstream)`)."""
        slot, values, shown = self.builder.slot, self.values, self.shown
        i = slot[node.id]
        inputs = [slot[j] for j in node.inputs]
        taken = [self.removed[j] for j in (i, *inputs) if j in self.removed]
        upstream_taken = self.grad_removed.get(node.id)
        if not taken and upstream_taken is None:
            return local, contribution
        spec, params = node.spec, node.params
        engine_inputs, shown_inputs = [values[j] for j in inputs], [shown[j] for j in inputs]
        context = [upstream, values[i], *engine_inputs]
        shown_local = local
        rule = spec.rule(position)
        if taken and local is not None and rule.local is not None:
            shown_local = _carried(local, rule.local, (node.xp, shown[i], *shown_inputs), params, taken, context)
        if upstream_taken is not None:
            taken.append(upstream_taken)
        if shown_local is not local:
            taken.append(_minus(local, shown_local))
        args = (spec, position, self.upstream(node.id, upstream), shown[i], shown_inputs, params, node.xp, node.scalar)
        if local is not None:
            context.append(local)  # upstream × local: the round-off of either, times the other
        return shown_local, _carried(contribution, _contribution, args, {}, taken, context)

    def upstream(self, node_id: str, engine: Any) -> Any:
        taken = self.grad_removed.get(node_id)
        return engine if taken is None else _minus(engine, taken)

    def total(self, node_id: str, accumulated: Any, terms: tuple, scale: Any, taken: float) -> Any:
        """A node's gradient as shown: the engine's sum of contributions, 0 where it is round-off of `terms` (the
        contributions as shown, their sizes adding up to `scale`; `taken` the round-off taken out of them)."""
        shown = snap(accumulated, scale)
        if taken:
            shown = _carried(shown, _sum, (terms,), {}, [taken], list(terms))
        if shown is accumulated:
            self.grad_removed.pop(node_id, None)
        else:
            self.grad_removed[node_id] = _minus(accumulated, shown)
        return shown


_NO_PENDING: frozenset = frozenset()


class _At:
    """A walkthrough's values and gradients as they stand at frame `k`."""

    __slots__ = ("walk", "k", "output")

    def __init__(self, walk: _Walkthrough, k: int):
        self.walk, self.k = walk, k
        self.output = walk.outputs[k]

    def value(self, node_id: str) -> Any:
        i = self.walk.index_of[node_id]
        return self.walk.values[i] if self.walk.value_from[i] <= self.k else None

    def grad(self, node_id: str) -> Any:
        return self.walk.gradient_at(self.walk.index_of[node_id], self.k)[0]

    def terms(self, node_id: str) -> tuple:
        return self.walk.gradient_at(self.walk.index_of[node_id], self.k)[1]


class _Walkthrough:
    """A Trace's frames, known by what changes at each one, and assembled one at a time when read.

    Made once in O(trace): `specs[k]` says what frame k shows; `value_from[i]` is the frame at which node
    i's value becomes known (-1: known from the start); `grad_frames[i]`/`grad_entries[i]` are the frames at
    which node i's (gradient, contributions) changed and what to; `edge_frames[j]`/`edge_entries[j]` the
    same for edge j's backward numbers. Built frames are kept while someone holds them, and the last few
    are kept anyway (a stepper going back and forth), so memory stays bounded.
    """

    KEEP = 16  # frames kept alive by the walkthrough itself (beyond those its caller holds)

    def __init__(self, trace: Trace, mode: str, precision: int, language: str, decimal: str):
        graph = trace.graph()
        builder = self.builder = _Builder(graph, precision, language, decimal)
        self.language = language
        ids = builder.ids
        nodes = graph.nodes
        self.index_of = index_of = {n.id: i for i, n in enumerate(nodes)}
        self.edge_keys = [(e.source, e.target, e.position) for e in graph.edges]
        self.edge_index = {key: j for j, key in enumerate(self.edge_keys)}
        self.edge_target = [index_of[e.target] for e in graph.edges]
        count = len(nodes)
        self.values: list = [n.value for n in nodes]
        self.value_from = [-1] * count
        self.grad_frames: list[list[int] | None] = [None] * count
        self.grad_entries: list[list[tuple] | None] = [None] * count
        self.edge_frames: list[list[int] | None] = [None] * len(self.edge_keys)
        self.edge_entries: list[list[tuple] | None] = [None] * len(self.edge_keys)
        self.grad_changes: dict[int, list[int]] = {}  # frame -> the nodes whose gradient changed at it
        self.specs: list[tuple] = []
        self.outputs: list[str] = []
        self.forward_ids: list[str] = []  # the nodes forward frames compute, in order (pending until then)
        self.forward_frames = 0  # frames 0..forward_frames-1 are the initial and forward frames

        forward_steps = [s for s in trace.forward_steps if id(s.node) in ids]
        for step in forward_steps:
            self.values[index_of[ids[id(step.node)]]] = step.value
        passes: dict[int, list] = {}
        for step in trace.backward_steps:
            passes.setdefault(step.pass_index, []).append(step)
        ours = [index for index, steps in passes.items() if id(steps[0].node) in ids]
        if ours:  # the leaves as this graph's first pass saw them, not as an optimizer left them since
            recorded = trace.leaf_values(ours[0])
            for i, n in enumerate(nodes):
                if not n.op and id(n.ref) in recorded:
                    self.values[i] = recorded[id(n.ref)]
        readable = _Readable(builder, self.values)
        self.values = readable.shown  # what the frames show: round-off as 0
        output = graph.outputs[0].id
        specs, outputs = self.specs, self.outputs
        if mode in ("both", "forward"):
            self.forward_ids = [ids[id(s.node)] for s in forward_steps]
            specs.append(("initial",))
            outputs.append(output)
            for k, (step, nid) in enumerate(zip(forward_steps, self.forward_ids, strict=True), start=1):
                self.value_from[index_of[nid]] = len(specs)
                specs.append(("forward", step, k, len(forward_steps), nid))
                outputs.append(output)
            self.forward_frames = len(specs)
        if mode in ("both", "backward"):
            # node -> (gradient, contributions) as the replay stands, as shown; and for the gradient's round-off,
            # node -> (the size of its contributions, the round-off taken out of them)
            current: dict[int, tuple] = {}
            sizes: dict[int, tuple] = {}
            op_nodes = {i for i, n in enumerate(nodes) if n.op}
            for steps in passes.values():
                if id(steps[0].node) not in ids:
                    continue  # a backward pass from a node outside this graph
                frame = len(specs)
                seed = steps[0]
                output = ids[id(seed.node)]
                for i in [i for i in current if i in op_nodes]:  # the engine recomputes them on every pass
                    del current[i]
                    sizes.pop(i, None)
                    readable.grad_removed.pop(nodes[i].id, None)
                    self._record_gradient(frame, i, (None, ()))
                readable.grad_removed.pop(output, None)
                current[index_of[output]] = entry = (seed.upstream, (seed.upstream,))
                self._record_gradient(frame, index_of[output], entry)
                specs.append(("seed", seed, output))
                outputs.append(output)
                visible = [s for s in steps[1:] if id(s.node) in ids]
                for k, step in enumerate(visible, start=1):
                    frame = len(specs)
                    nid = ids[id(step.node)]
                    node = builder.node_of[nid]
                    upstream = readable.upstream(nid, step.upstream)
                    active_edges, updated, shown_edges = [], set(), []
                    for edge_step in step.edges:
                        source = ids.get(id(edge_step.input))
                        if source is None:
                            continue
                        key = (source, nid, edge_step.position)
                        active_edges.append(key)
                        local, contribution = readable.edge(
                            node, edge_step.position, step.upstream, edge_step.local, edge_step.contribution
                        )
                        i = index_of[source]
                        had = current.get(i, (None, ()))[1]
                        terms = had + (contribution,)
                        size, taken = sizes.get(i, (0.0, 0.0))
                        size = size + abs(edge_step.contribution)
                        if contribution is not edge_step.contribution:
                            taken += _largest(_minus(edge_step.contribution, contribution))
                        sizes[i] = (size, taken)
                        accumulated = readable.total(source, edge_step.accumulated, terms, size, taken)
                        current[i] = entry = (accumulated, terms)
                        self._record_gradient(frame, i, entry)
                        updated.add(source)
                        shown = _Shown(source, edge_step.position, local, contribution, accumulated)
                        shown_edges.append(shown)
                        j = self.edge_index.get(key)
                        if j is not None:
                            self._record(self.edge_frames, self.edge_entries, frame, j, (upstream, shown))
                    specs.append(
                        (
                            "backward",
                            step,
                            k,
                            len(visible),
                            nid,
                            tuple(active_edges),
                            frozenset(updated),
                            (upstream, tuple(shown_edges)),
                        )
                    )
                    outputs.append(output)
            specs.append(("final",))
            outputs.append(output)
        self._node_records: dict[tuple, FrameNode] = {}
        self._edge_records: dict[tuple, FrameEdge] = {}
        self._alive: weakref.WeakValueDictionary[int, Frame] = weakref.WeakValueDictionary()
        self._recent: OrderedDict[int, Frame] = OrderedDict()
        self._lock = threading.Lock()
        self.built = 0  # how many frames were assembled (laziness is tested with it)

    @staticmethod
    def _record(frames_of: list, entries_of: list, frame: int, i: int, entry: tuple) -> None:
        at = frames_of[i]
        if at is None:
            frames_of[i], entries_of[i] = [frame], [entry]
        elif at[-1] == frame:
            entries_of[i][-1] = entry  # a second change in the same frame (x·x): the frame shows the last
        else:
            at.append(frame)
            entries_of[i].append(entry)

    def _record_gradient(self, frame: int, i: int, entry: tuple) -> None:
        self._record(self.grad_frames, self.grad_entries, frame, i, entry)
        changed = self.grad_changes.setdefault(frame, [])
        if not changed or changed[-1] != i:
            changed.append(i)

    def __len__(self) -> int:
        return len(self.specs)

    # -- what frame k shows ----------------------------------------------------------------------

    def _position(self, frames_of: list, i: int, k: int) -> int:
        at = frames_of[i]
        return -1 if at is None else bisect_right(at, k) - 1

    def gradient_at(self, i: int, k: int) -> tuple:
        position = self._position(self.grad_frames, i, k)
        return (None, ()) if position < 0 else self.grad_entries[i][position]

    def active(self, k: int) -> str | None:
        spec = self.specs[k]
        return spec[4] if spec[0] in ("forward", "backward") else spec[2] if spec[0] == "seed" else None

    def updated(self, k: int) -> frozenset:
        spec = self.specs[k]
        if spec[0] == "backward":
            return spec[6]
        return frozenset((spec[2],)) if spec[0] == "seed" else _NO_PENDING

    def active_edges(self, k: int) -> tuple:
        spec = self.specs[k]
        if spec[0] == "forward":
            return tuple(self.builder.edge_keys_into(spec[4]))
        return spec[5] if spec[0] == "backward" else ()

    def pending(self, k: int) -> frozenset:
        return frozenset(self.forward_ids[k:]) if k < self.forward_frames else _NO_PENDING

    def node(self, i: int, k: int, active: str | None, updated: frozenset) -> FrameNode:
        static = self.builder.static[i]
        nid = static[0]
        position = self._position(self.grad_frames, i, k)
        state = "active" if nid == active else ("pending" if self.value_from[i] > k else "done")
        is_updated = nid in updated
        key = (i, position, state, is_updated)
        made = self._node_records.get(key)
        if made is None:
            grad, terms = (None, ()) if position < 0 else self.grad_entries[i][position]
            value = None if state == "pending" else self.values[i]
            builder = self.builder
            made = FrameNode(
                *static, value, grad, terms, state, is_updated, self.language, builder.precision, builder.decimal
            )
            self._node_records[key] = made
        return made

    def edge(self, j: int, k: int, active_keys) -> FrameEdge:
        key = self.edge_keys[j]
        if key in active_keys:
            state = "active"
        elif self.value_from[self.edge_target[j]] > k:
            state = "pending"
        else:
            state = "done"
        position = self._position(self.edge_frames, j, k)
        record_key = (j, position, state)
        made = self._edge_records.get(record_key)
        if made is None:
            if position < 0:
                made = FrameEdge(key[0], key[1], key[2], state)
            else:
                upstream, shown = self.edge_entries[j][position]
                target = key[1]
                builder = self.builder
                node = builder.node_of[target]
                inputs = builder.inputs_of.get(target, [])
                local_text = _local_text(builder, node.spec, key[2], inputs, builder.label(target), node.params)
                made = FrameEdge(key[0], target, key[2], state, shown.local, local_text, upstream, shown.contribution)
            self._edge_records[record_key] = made
        return made

    def text(self, k: int) -> _Text:
        spec = self.specs[k]
        kind = spec[0]
        builder = self.builder
        if kind == "initial":
            return _initial_text(builder, _At(self, k), self.pending(k))
        if kind == "forward":
            return _forward_text(builder, _At(self, k), spec[1], spec[2], spec[3])
        if kind == "seed":
            return _seed_text(builder, spec[1])
        if kind == "backward":
            return _backward_text(builder, _At(self, k - 1), self.outputs[k], spec[1], spec[7], spec[2], spec[3])
        return _final_text(builder, _At(self, k))

    # -- assembling and keeping frames -------------------------------------------------------------

    def frame(self, k: int) -> Frame:
        """Frame k (0 <= k < len), assembled on first read."""
        with self._lock:
            made = self._recent.get(k)
            if made is not None:
                self._recent.move_to_end(k)
                return made
            made = self._alive.get(k)
            if made is None:
                made = self._assemble(k)
                self._alive[k] = made
            self._recent[k] = made
            if len(self._recent) > self.KEEP:
                self._recent.popitem(last=False)
            return made

    def _assemble(self, k: int) -> Frame:
        self.built += 1
        active, updated, active_keys = self.active(k), self.updated(k), self.active_edges(k)
        for neighbour in (k - 1, k + 1):
            near = self._alive.get(neighbour)
            if near is not None:
                nodes, edges = self._patched(near, neighbour, k, active, updated, active_keys)
                break
        else:
            nodes = tuple(self.node(i, k, active, updated) for i in range(len(self.values)))
            keys = set(active_keys)
            edges = tuple(self.edge(j, k, keys) for j in range(len(self.edge_keys)))
        text = self.text(k)
        spec = self.specs[k]
        kind = spec[0]
        return Frame(
            index=k,
            kind="backward" if kind == "seed" else kind,
            nodes=nodes,
            edges=edges,
            active=active,
            active_edges=active_keys,
            pending=self.pending(k),
            caption=text.caption,
            equation=text.equation,
            latex=text.latex,
            output=self.outputs[k],
            step=spec[1].index if kind in ("forward", "seed", "backward") else None,
            language=self.language,
            precision=self.builder.precision,
            decimal=self.builder.decimal,
        )

    def _patched(self, near: Frame, n: int, k: int, active, updated, active_keys) -> tuple[tuple, tuple]:
        """Frame k's nodes and edges from those of frame n = k ± 1: only what changed between them is redone."""
        index_of, edge_index = self.index_of, self.edge_index
        touched = set(self.grad_changes.get(max(n, k), ()))
        for nid in (near.active, active, *self.updated(n), *updated):
            if nid is not None:
                touched.add(index_of[nid])
        nodes = list(near.nodes)
        for i in touched:
            nodes[i] = self.node(i, k, active, updated)
        keys = set(active_keys)
        edges = list(near.edges)
        for key in (*near.active_edges, *active_keys):
            j = edge_index.get(key)
            if j is not None:
                edges[j] = self.edge(j, k, keys)
        return tuple(nodes), tuple(edges)


class Frames(Sequence):
    """The frames of a Trace, as a list-like sequence that builds each frame when it is first read.

    ``len``, indexing (negative too), slices (a lazy view) and iteration work as on a list; asking for one
    frame of a long trace builds that frame only. Frames built are kept while you hold them (and the last
    few anyway), so stepping back and forth is free and memory stays bounded. ``list(frames(t))`` builds
    them all.

    >>> from gradviz import Value, trace
    >>> x = Value(1.0, label="x")
    >>> with trace() as t:
    ...     y = x
    ...     for _ in range(500):
    ...         y = y * 1.001
    ...     y.backward()
    >>> steps = frames(t)
    >>> len(steps), steps[-1].kind, steps[250].caption   # builds two frames of 1,003
    (1003, 'final', 'Forward step 250 of 500: the × node computes v250 from v249 and 1.001.')
    >>> [frame.index for frame in steps[1:4]], len(steps[::2])
    ([1, 2, 3], 502)
    """

    __slots__ = ("_walk", "_indices")

    def __init__(self, walk: _Walkthrough, indices: range | None = None):
        self._walk = walk
        self._indices = range(len(walk)) if indices is None else indices

    @property
    def language(self) -> str:
        """The language ("en" or "es") the frames are made in."""
        return self._walk.language

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return Frames(self._walk, self._indices[key])
        try:
            position = operator.index(key)
        except TypeError:
            raise TypeError(f"frames are indexed by integers or slices, not {type(key).__name__}") from None
        count = len(self._indices)
        if not -count <= position < count:
            raise IndexError(
                f"frame {position} does not exist: there are {count} frames, 0 to {count - 1} (or -{count} to -1)"
                if count
                else f"frame {position} does not exist: there are no frames"
            )
        return self._walk.frame(self._indices[position])

    def __iter__(self):
        frame = self._walk.frame
        for k in self._indices:
            yield frame(k)

    def __reversed__(self):
        frame = self._walk.frame
        for k in reversed(self._indices):
            yield frame(k)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # like a list

    def __add__(self, other) -> list[Frame]:
        return list(self) + list(other)

    def __radd__(self, other) -> list[Frame]:
        return list(other) + list(self)

    def __reduce__(self):
        return (list, (list(self),))  # pickles (and copies) as the plain list of frames

    def __repr__(self) -> str:
        return f"<Frames: {len(self)} frames ({self._walk.language}), built when read>"


class _Now:
    """A graph's values and gradients as they are now (final_frame)."""

    def __init__(self, output: str):
        self.output = output
        self.values: dict[str, Any] = {}
        self.grads: dict[str, Any] = {}
        self.terms_of: dict[str, tuple] = {}

    def value(self, node_id: str) -> Any:
        return self.values.get(node_id)

    def grad(self, node_id: str) -> Any:
        return self.grads.get(node_id)

    def terms(self, node_id: str) -> tuple:
        return self.terms_of.get(node_id, ())


def final_frame(source, *, precision: int = 4, language: str | None = None, decimal: str | None = None) -> Frame:
    """The one frame of a Value/Tensor/Graph as it is now: values, and gradients where backward has run.

    `language` ("en" or "es") is that of the caption; default: the language in use. `precision` and `decimal`
    as for :func:`frames`.

    >>> from gradviz import Value
    >>> a = Value(2.0, label="a")
    >>> b = (a * a).relu()
    >>> final_frame(b, language="en").caption
    'The graph of v2 = 4: no backward pass has run yet, so no gradients.'
    >>> final_frame(b, language="es").caption
    'El grafo de v2 = 4: aún no se ha hecho la propagación hacia atrás, así que no hay gradientes.'
    >>> final_frame(Value(0.1, label="a") + 0.2 - 0.3).caption     # round-off is shown as 0
    'The graph of v2 = 0: no backward pass has run yet, so no gradients.'
    """
    graph = source if isinstance(source, Graph) else Graph.of(source)
    language = resolve_language(language, "final_frame(language=...)")
    builder = _Builder(graph, precision, language, decimal_mark(decimal, language))
    readable = _Readable(builder, [n.ref.data for n in graph.nodes])
    state = _Now(graph.outputs[0].id)
    for n, value in zip(graph.nodes, readable.shown, strict=True):
        state.values[n.id] = value
        grad = n.ref.grad
        if grad is not None:
            state.grads[n.id] = grad
            state.terms_of[n.id] = (grad,)
    edge_info = _edge_locals(builder, readable, state) if len(graph.nodes) <= SMALL_GRAPH else {}
    p, mark = builder.precision, builder.decimal
    nodes = tuple(
        FrameNode(
            *static,
            state.value(static[0]),
            state.grad(static[0]),
            state.terms(static[0]),
            "done",
            False,
            language,
            p,
            mark,
        )
        for static in builder.static
    )
    edges = tuple(
        edge_info.get((e.source, e.target, e.position)) or FrameEdge(e.source, e.target, e.position)
        for e in graph.edges
    )
    text = _final_text(builder, state)
    return Frame(
        index=0,
        kind="final",
        nodes=nodes,
        edges=edges,
        active=None,
        active_edges=(),
        pending=_NO_PENDING,
        caption=text.caption,
        equation=text.equation,
        latex=text.latex,
        output=state.output,
        language=language,
        precision=p,
        decimal=mark,
    )


def _edge_locals(builder: _Builder, readable: _Readable, state: _Now) -> dict[tuple[str, str, int], FrameEdge]:
    """Each edge's local derivative and contribution, from the op's rule, where a gradient shows backward ran;
    replayed from the output back, so that the gradients in `state` are shown as people read them too."""
    info = {}
    sizes: dict[str, list] = {}  # node id -> [contributions as shown, their sizes, the round-off taken out]
    for n in reversed(builder.nodes):
        if n.grad is None:
            continue
        if n.id in sizes:
            terms, size, taken = sizes[n.id]
            state.grads[n.id] = shown = readable.total(n.id, n.grad, tuple(terms), size, taken)
            state.terms_of[n.id] = (shown,)
        if not n.op:
            continue
        upstream = readable.upstream(n.id, n.grad)
        for position, parent in enumerate(builder.node_of[i] for i in n.inputs):
            if not parent.ref.requires_grad:
                continue
            try:
                local, contribution = edge(builder.graph, n, position)
                if local is not None:
                    local = float(local) if n.scalar else np.broadcast_to(np.asarray(local, dtype=float), n.shape)
                shown_local, shown = readable.edge(n, position, n.grad, local, contribution)
            except Exception:  # a picture never fails because one local derivative could not be evaluated
                local = contribution = shown_local = shown = None
            if shown is not None:
                entry = sizes.setdefault(parent.id, [[], 0.0, 0.0])
                entry[0].append(shown)
                entry[1] = entry[1] + abs(contribution)
                if shown is not contribution:
                    entry[2] += _largest(_minus(contribution, shown))
            key = (parent.id, n.id, position)
            text = _local_text(builder, n.spec, position, list(n.inputs), builder.label(n.id), n.params)
            info[key] = FrameEdge(key[0], n.id, position, "done", shown_local, text, upstream, shown)
    return info


def frames(
    source, *, mode: str = "both", precision: int = 4, language: str | None = None, decimal: str | None = None
) -> Sequence[Frame]:
    """The frames of a lesson: before anything runs, each forward op, each backward step, and the result.

    `source` is a Trace (recorded with ``with gradviz.trace() as t:``); for a Value, Tensor or Graph
    without a trace the list holds one final frame showing values and gradients as they are.
    `mode` keeps only the "forward" frames (the initial one and one per op) or only the "backward" ones
    (one per backward step, then the final one). `language` ("en" or "es") is that of the captions and of
    the words in equations; default: the language in use (``gradviz.set_language``), so a teacher can make
    both versions of one trace side by side. `precision` is the significant digits of every number shown
    (captions, equations, node and edge texts); `decimal` the decimal mark, "." or ","; default: the
    language's own (Spanish writes 0,8233, and then separates the items of a list of numbers with "; ").
    Round-off is shown as 0: at a = 0.1, b = 0.2 the frames of ``(a + b) − 0.3`` read 0, not 5.551×10⁻¹⁷
    (the engine's numbers stay exactly what they are).

    A Trace's frames come as a :class:`Frames` sequence, used like a list: each frame is built when it is
    first read, so ``frames(t)[k]`` on a trace of thousands of steps costs one replay of the trace and
    that one frame.

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
    >>> x = Value(0.5, label="x")
    >>> with trace() as t:
    ...     y = x * 2.25
    ...     y.label = "y"
    >>> frames(t, language="es")[1].equation, frames(t, language="es", decimal=".")[1].equation
    ('y = x · 2,25 = 0,5 · 2,25 = 1,125', 'y = x · 2.25 = 0.5 · 2.25 = 1.125')
    """
    if mode not in ("both", "forward", "backward"):
        raise ValueError(f"frames(mode=...) is 'both', 'forward' or 'backward', got {mode!r}")
    language = resolve_language(language, "frames(language=...)")
    decimal = decimal_mark(decimal, language)
    if isinstance(source, Trace):
        if not source.forward_steps and not source.backward_steps:
            raise ValueError(
                "this trace recorded nothing: compute (and call .backward()) inside `with gradviz.trace() as t:`"
            )
        if source.updates:  # a training lesson (gradviz.optim steps recorded): iterations, updates, loss per iteration
            from .updates import lesson_frames

            return lesson_frames(source, mode, precision, language, decimal)
        return Frames(_Walkthrough(source, mode, precision, language, decimal))
    if isinstance(source, Graph) or hasattr(source, "_prev"):
        return [final_frame(source, precision=precision, language=language, decimal=decimal)]
    raise TypeError(f"frames() takes a Trace, a Value, a Tensor or a Graph, got {type(source).__name__}")
