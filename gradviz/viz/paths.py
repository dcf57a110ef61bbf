"""The chain rule inside a network: every path from the loss to one weight, its local derivatives and their product.

∂L/∂w is the sum, over every path from w to L in the graph, of the product of the local derivatives
along the path. `chain_rule_paths` finds those paths in a scalar (Value) graph and returns them as
plain data; `to_dot` draws only the nodes on them (with the inputs they read), and a table of each
path's product and their sum under the picture. `mlp_chain_rule` does the same for one weight of a
tensor network (gradviz.nn.MLP or a keras Sequential of Dense layers): it rebuilds the network for one
sample as Values with the same weights and checks the two engines agree.

>>> from gradviz import Value
>>> x, w, b = Value(2.0, label="x"), Value(-0.5, label="w"), Value(1.5, label="b")
>>> z = w * x + b
>>> z.label = "z"
>>> h = z.tanh()
>>> h.label = "h"
>>> L = h * h
>>> L.label = "L"
>>> L.backward()
>>> paths = chain_rule_paths(L, w)
>>> paths.count, [len(p.edges) for p in paths.paths]        # h feeds L twice (h·h): two paths
(2, [4, 4])
>>> print(paths.paths[0].text())
∂L/∂h · ∂h/∂z · ∂z/∂v1 · ∂v1/∂w = 0.4621 · 0.7864 · 1 · 2 = 0.7269
>>> round(paths.total, 6) == round(w.grad, 6), paths.matches()
(True, True)
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import Graph
from ..i18n import message, resolve_language
from ..interpret import edge as edge_of
from .format import decimal_mark, latex_label, number, number_latex, operand
from .frame import Frame, FrameEdge, FrameNode, _names

__all__ = [
    "PathEdge",
    "ChainPath",
    "ChainRulePaths",
    "chain_rule_paths",
    "mlp_chain_rule",
    "scalar_network",
    "ScalarNetwork",
]

ENUMERATE_LIMIT = 20_000  # up to this many paths, all are listed and the largest |products| come first
DEFAULT_MAX_PATHS = 6
COMPACT_PAST = 12  # value nodes: a picture of more draws each box as one row (name, value, gradient)
_TABLE_ID = "paths_table"


@dataclass(frozen=True)
class PathEdge:
    """One edge of a path: `source` feeds `target` (input number `position`); `local` = ∂target/∂source,
    `local_text` its formula with the nodes' labels (``x`` for ∂(w·x)/∂w).

    >>> from gradviz import Value
    >>> x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    >>> h = w * x
    >>> h.label = "h"
    >>> L = h * h
    >>> L.label = "L"
    >>> L.backward()
    >>> edge = chain_rule_paths(L, w).paths[0].edges[0]   # the first edge up from w
    >>> edge.symbol, edge.local_text, edge.local
    ('∂h/∂w', 'x', 2.0)
    """

    source: str  # node id in the graph
    target: str
    position: int
    source_label: str
    target_label: str
    local: float
    local_text: str
    local_latex: str

    @property
    def symbol(self) -> str:
        """∂target/∂source."""
        return f"∂{_d_name(self.target_label)}/∂{_d_name(self.source_label)}"

    @property
    def symbol_latex(self) -> str:
        return rf"\frac{{\partial {latex_label(self.target_label)}}}{{\partial {latex_label(self.source_label)}}}"


@dataclass(frozen=True)
class ChainPath:
    """A path from the weight to the loss: `edges` from the weight upwards; `product` the product of their
    local derivatives (this path's share of ∂L/∂w).

    >>> from gradviz import Value
    >>> x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    >>> h = w * x
    >>> h.label = "h"
    >>> L = h * h
    >>> L.label = "L"
    >>> L.backward()
    >>> path = chain_rule_paths(L, w).paths[0]
    >>> path.labels, path.product
    (['w', 'h', 'L'], -2.0)
    >>> print(path.text())
    ∂L/∂h · ∂h/∂w = (−1) · 2 = −2
    """

    edges: tuple[PathEdge, ...]
    product: float

    @property
    def labels(self) -> list[str]:
        """The node labels from the weight to the loss."""
        return [self.edges[0].source_label] + [e.target_label for e in self.edges]

    @property
    def node_ids(self) -> list[str]:
        return [self.edges[0].source] + [e.target for e in self.edges]

    def text(self, precision: int = 4, decimal: str = ".") -> str:
        """``∂L/∂h · ∂h/∂w = (−2) · 3 = −6``: the chain from the loss down to the weight (numbers with the
        `decimal` mark)."""
        down = self.edges[::-1]
        symbols = " · ".join(e.symbol for e in down)
        numbers = " · ".join(operand(e.local, precision, decimal=decimal) for e in down)
        return f"{symbols} = {numbers} = {number(self.product, precision, decimal)}"

    def latex(self, precision: int = 4, decimal: str = ".") -> str:
        down = self.edges[::-1]
        symbols = r" \cdot ".join(e.symbol_latex for e in down)
        numbers = r" \cdot ".join(operand(e.local, precision, latex=True, decimal=decimal) for e in down)
        return f"{symbols} = {numbers} = {number_latex(self.product, precision, decimal)}"


@dataclass(frozen=True)
class ChainRulePaths:
    """The chain rule for one weight as data: the paths shown, how many there are, and the sums.

    `paths` holds up to `max_paths` paths (the largest |products| first when there are at most
    ENUMERATE_LIMIT); `count` is how many paths there are in all; `total` is the sum of every path's
    product (computed over all of them, shown or not), which is ∂loss/∂weight; `gradient` is what
    backward() left in ``weight.grad`` (None if it has not run) and `reference` the tensor engine's
    gradient when the graph was rebuilt from a tensor network (see mlp_chain_rule).

    >>> from gradviz import Value
    >>> x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    >>> h = w * x
    >>> h.label = "h"
    >>> L = h * h       # L uses h twice: two paths from w to L
    >>> L.label = "L"
    >>> L.backward()
    >>> paths = chain_rule_paths(L, w)
    >>> paths
    <ChainRulePaths ∂L/∂w = −4: 2 paths, 2 listed>
    >>> paths.count, paths.total, paths.gradient, paths.matches()
    (2, -4.0, -4.0, True)
    >>> print(paths.equation)
    ∂L/∂w = sum over the 2 paths from w to L of the product of local derivatives
    path 1: ∂L/∂h · ∂h/∂w = (−1) · 2 = −2
    path 2: ∂L/∂h · ∂h/∂w = (−1) · 2 = −2
    ∂L/∂w = −2 + (−2) = −4  (backward(): −4)
    """

    graph: Graph
    loss_id: str
    weight_id: str
    paths: tuple[ChainPath, ...]
    count: int
    total: float
    gradient: float | None
    upstream: dict[str, float]  # ∂loss/∂node for every node on a path from the weight to the loss
    reference: float | None = None
    precision: int = 4
    sorted_by_size: bool = True
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    language: str = "en"  # of every sentence and picture it makes, chosen when it was made

    def _say(self, key: str, **fields) -> str:
        return message(key, self.language, **fields)

    @property
    def loss_label(self) -> str:
        return self.graph[self.loss_id].label

    @property
    def weight_label(self) -> str:
        return self.graph[self.weight_id].label

    @property
    def shown_sum(self) -> float:
        """The sum of the products of the paths listed in `paths` (equals `total` when all are listed)."""
        return math.fsum(p.product for p in self.paths)

    def matches(self, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
        """Whether the sum over the paths equals backward()'s gradient (and the tensor engine's, when known)."""
        known = [g for g in (self.gradient, self.reference) if g is not None]
        return all(math.isclose(self.total, g, rel_tol=rtol, abs_tol=atol) for g in known)

    @property
    def _decimal(self) -> str:
        """The decimal mark of the language the paths were made in ("," in Spanish)."""
        return decimal_mark(None, self.language)

    @property
    def equation(self) -> str:
        """The chain rule for this weight in plain text: one line per path shown, then the sum."""
        p, d = self.precision, self._decimal
        L, w = _d_name(self.loss_label), _d_name(self.weight_label)
        head = "paths.equation_head_one" if self.count == 1 else "paths.equation_head_many"
        lines = [self._say(head, derivative=f"∂{L}/∂{w}", count=f"{self.count:,}", weight=w, loss=L)]
        for k, path in enumerate(self.paths, start=1):
            lines.append(self._say("paths.path_line", number=k, chain=path.text(p, d)))
        lines.append(self._sum_text())
        return "\n".join(lines)

    @property
    def latex(self) -> str:
        """The same in LaTeX (one line per path, then the sum), for a slide or a notebook."""
        p, d = self.precision, self._decimal
        L, w = latex_label(self.loss_label), latex_label(self.weight_label)
        lines = [self._say("paths.latex_head", derivative=rf"\frac{{\partial {L}}}{{\partial {w}}}")]
        lines += [
            self._say("paths.path_latex", number=k, chain=path.latex(p, d))
            for k, path in enumerate(self.paths, start=1)
        ]
        terms = " + ".join(operand(path.product, p, latex=True, decimal=d) for path in self.paths)
        rest = r" + \dots" if len(self.paths) < self.count else ""
        lines.append(rf"\frac{{\partial {L}}}{{\partial {w}}} = {terms}{rest} = {number_latex(self.total, p, d)}")
        return " \\\\\n".join(lines)

    def _sum_text(self) -> str:
        p, d = self.precision, self._decimal
        L, w = _d_name(self.loss_label), _d_name(self.weight_label)
        terms = " + ".join(
            [number(self.paths[0].product, p, d)] + [operand(x.product, p, decimal=d) for x in self.paths[1:]]
        )
        if len(self.paths) < self.count:
            terms += " + … " + self._say("paths.more_paths", count=f"{self.count - len(self.paths):,}")
        text = f"∂{L}/∂{w} = {terms} = {number(self.total, p, d)}"
        checks = []
        if self.gradient is not None:
            checks.append(f"backward(): {number(self.gradient, p, d)}")
        if self.reference is not None:
            checks.append(self._say("paths.check_tensor", value=number(self.reference, p, d)))
        return text + (f"  ({'; '.join(checks)})" if checks else "")

    def __repr__(self) -> str:
        return (
            f"<ChainRulePaths ∂{self.loss_label}/∂{self.weight_label} = {number(self.total, self.precision)}: "
            f"{self.count:,} path{'s' if self.count != 1 else ''}, {len(self.paths)} listed>"
        )

    # -- pictures ------------------------------------------------------------------------------

    def _absorbed(self) -> dict[str, str]:
        """Running sums merged into the sum they feed: {absorbed id: the id of the final sum}.

        A '+' node whose only use is another '+' is one step of a longer sum (b + w₀x₀ + w₁x₁ + …);
        pictures draw the whole sum as one '+' node with all its terms."""
        consumers: dict[str, list] = {}
        for e in self.graph.edges:
            consumers.setdefault(e.source, []).append(e.target)
        by_id = self.graph._by_id
        top: dict[str, str] = {}
        for n in reversed(self.graph.nodes):  # consumers first
            users = consumers.get(n.id, [])
            if n.op == "add" and len(users) == 1 and by_id[users[0]].op == "add" and n.id != self.loss_id:
                top[n.id] = top.get(users[0], users[0])
        return top

    def to_frame(self, max_paths: int | None = None, merge_sums: bool = True) -> Frame:
        """A Frame with only the nodes on the listed paths (highlighted) and the inputs they read.

        Each path node carries ∂loss/∂node; each path edge its local derivative (symbolic and
        numeric) and upstream × local. Nodes off the paths are left out (the inputs of path nodes are
        drawn as plain boxes, without their own history). With `merge_sums` a chain of '+' nodes
        (b + w₀x₀ + w₁x₁ + …) is drawn as one '+' node with all its terms (their local derivative is 1).
        """
        shown = self.paths if max_paths is None else self.paths[:max_paths]
        graph = self.graph
        top = self._absorbed() if merge_sums else {}

        def rep(nid: str) -> str:
            return top.get(nid, nid)

        on_path: dict[str, None] = {}
        path_edges: dict[tuple[str, str], tuple[float, str]] = {}  # (source, drawn target) -> (local, text)
        for path in shown:
            for nid in path.node_ids:
                on_path.setdefault(rep(nid))
            for e in path.edges:
                if e.source in top:
                    continue  # inside a merged sum
                target = rep(e.target)
                if target != e.target:
                    path_edges[(e.source, target)] = (e.local, "1" if e.local == 1.0 else e.local_text)
                else:
                    path_edges[(e.source, target)] = (e.local, e.local_text)
        side: dict[str, None] = {}
        edges: list[FrameEdge] = []
        positions: dict[str, int] = {}
        active = []
        for e in graph.edges:
            target = rep(e.target)
            if target not in on_path or e.source in top and rep(e.source) == target:
                continue
            position = positions[target] = positions.get(target, -1) + 1
            known = path_edges.get((e.source, target))
            if known is not None:
                local, text = known
                upstream = self.upstream[target]
                edges.append(FrameEdge(e.source, target, position, "active", local, text, upstream, upstream * local))
                active.append((e.source, target, position))
            else:
                if e.source not in on_path:
                    side.setdefault(e.source)
                edges.append(FrameEdge(e.source, target, position, "done"))
        nodes = []
        for n in graph.nodes:
            if n.id not in on_path and n.id not in side:
                continue
            ref = n.ref
            if n.id in on_path:
                grad = self.upstream.get(n.id)
                nodes.append(
                    FrameNode(
                        n.id,
                        n.label,
                        n.kind,
                        n.op,
                        n.symbol,
                        n.scope,
                        None,
                        None,
                        ref.data,
                        grad,
                        (grad,),
                        "active" if n.id == self.weight_id else "done",
                        language=self.language,
                        decimal=self._decimal,
                    )
                )
            else:  # an input of a path node, drawn without its own history
                nodes.append(
                    FrameNode(
                        n.id,
                        n.label,
                        n.kind if not n.op else "op",
                        "",
                        "",
                        n.scope,
                        None,
                        None,
                        ref.data,
                        ref.grad,
                        language=self.language,
                        decimal=self._decimal,
                    )
                )
        omitted = len(graph.nodes) - len(nodes)
        caption = self._say(
            "paths.caption_one" if self.count == 1 else "paths.caption_many",
            count=f"{self.count:,}",
            weight=self.weight_label,
            loss=self.loss_label,
        )
        if len(shown) < self.count:
            caption += " " + self._say("paths.caption_drawn", count=len(shown))
        if omitted:
            caption += "; " + self._say("paths.caption_omitted", count=f"{omitted:,}")
        return Frame(
            index=0,
            kind="final",
            nodes=tuple(nodes),
            edges=tuple(edges),
            active=self.weight_id,
            active_edges=tuple(active),
            pending=frozenset(),
            caption=caption,
            equation=self.equation,
            latex=self.latex,
            output=self.loss_id,
            language=self.language,
            decimal=self._decimal,
        )

    def to_dot(
        self,
        *,
        max_paths: int | None = None,
        theme: str = "light",
        rankdir: str = "TB",
        title: str | None = None,
        table: bool = True,
    ):
        """The graphviz.Digraph of the paths: value boxes with ∂loss/∂node, each path edge labelled with its
        local derivative and upstream × local, and a table with each path's product and the sum
        (= ∂loss/∂weight). Draws through gradviz.viz.to_dot; only the table and the spacing are its own.

        `max_paths` limits the paths drawn (default: all listed in `paths`); `rankdir` "TB" (default: the
        loss at the bottom, the table beside it, so that a long chain still makes a landscape picture) or
        "LR" (the table under the picture); `title` a first line over the table; `table=False` leaves it out.
        Past COMPACT_PAST value nodes (a network's paths) each box is one row — name, value, gradient — and
        the ranks sit closer, so that the picture fits a 16:9 slide.

        >>> from gradviz import Value
        >>> w, x = Value(-0.5, label="w"), Value(2.0, label="x")
        >>> L = (w * x).tanh()
        >>> L.label = "L"
        >>> L.backward()
        >>> dot = chain_rule_paths(L, w).to_dot()
        >>> "paths_table" in dot.source, "rank=same" in dot.source
        (True, True)
        """
        from .dot import THEMES, to_dot

        frame = self.to_frame(max_paths)
        crowded = sum(1 for n in frame.nodes if n.kind != "constant") > COMPACT_PAST
        dot = to_dot(
            frame,
            theme=theme,
            rankdir=rankdir,
            precision=self.precision,
            collapse=False,
            edge_labels=True,
            compact=crowded and rankdir in ("TB", "BT"),
            max_nodes=max(len(frame.nodes), 2),
            focus=False,  # the paths are the focus: every node on them is drawn
        )
        vertical = rankdir in ("TB", "BT")
        if crowded and vertical:
            # closer ranks (each labelled edge already spans two), and room between the labels side by side
            dot.attr(ranksep="0.15", nodesep="0.45")
        if table:
            label = self._table_label(THEMES[theme], max_paths, title)
            if vertical:  # beside the loss: under a tall graph it would make a portrait
                dot.node(_TABLE_ID, label, shape="plain")
                with dot.subgraph() as beside:
                    beside.attr(rank="same")
                    beside.node(frame.output)
                    beside.node(_TABLE_ID)
            else:
                dot.attr(label=label, labelloc="b")
        elif title:
            dot.attr(label=title, labelloc="t")
        return dot

    def _table_label(self, colors: dict, max_paths, title: str | None) -> str:
        """The table, one column: each line in a row of its own (a path's factors under its route), so that a
        renderer's estimate of a text's width never puts two texts over each other."""
        from .dot import _font, escape

        p, d = self.precision, self._decimal
        shown = self.paths if not max_paths else self.paths[:max_paths]
        L, w = _d_name(self.loss_label), _d_name(self.weight_label)

        def line(text: str, color: str, size: int, bold: bool = False) -> str:
            return f'<TR><TD ALIGN="LEFT">{_font(escape(text), color, size, bold=bold)}</TD></TR>'

        rows = []
        if title:
            rows.append(line(title, colors["text"], 18, bold=True))
        head = self._say(
            "paths.table_head_one" if self.count == 1 else "paths.table_head_many",
            derivative=f"∂{L}/∂{w}",
            count=f"{self.count:,}",
            weight=w,
            loss=L,
        )
        rows.append(line(head, colors["text"], 15))
        top = self._absorbed()
        ones = False
        for k, path in enumerate(shown, start=1):
            factors = [e.local for e in path.edges[::-1] if e.local != 1.0]
            ones = ones or len(factors) < len(path.edges)
            numbers = " · ".join(operand(x, p, decimal=d) for x in factors) or "1"
            kept = [  # the route through the values that matter: no running sums, no products
                label
                for nid, label in zip(path.node_ids[::-1], path.labels[::-1], strict=True)
                if nid not in top and (self.graph[nid].op != "mul" or nid == self.weight_id)
            ]
            name = _font(escape(self._say("paths.path_name", number=k)), colors["active_line"], 15, bold=True)
            route = _font(escape(" ← ".join(kept)), colors["muted"], 14)
            product = _font(escape(f"{numbers} = {number(path.product, p, d)}"), colors["text"], 15)
            # the route ends its row: a renderer that underestimates its arrows has nothing to run into
            rows.append(f'<TR><TD ALIGN="LEFT">{name}   {route}</TD></TR>')
            rows.append(f'<TR><TD ALIGN="LEFT">{product}</TD></TR>')
        terms = " + ".join([number(shown[0].product, p, d)] + [operand(x.product, p, decimal=d) for x in shown[1:]])
        if len(shown) < self.count:
            terms += " + … " + self._say("paths.more", count=f"{self.count - len(shown):,}")
        if ones:
            rows.append(line(self._say("paths.ones_left_out"), colors["muted"], 14))
        rows.append(line(f"∂{L}/∂{w} = {terms} = {number(self.total, p, d)}", colors["grad"], 17, bold=True))
        checks = []
        if self.gradient is not None:
            checks.append(self._say("paths.gives_backward", value=number(self.gradient, p, d)))
        if self.reference is not None:
            checks.append(self._say("paths.gives_tensor", value=number(self.reference, p, d)))
        if checks:
            same = self.matches(rtol=1e-7, atol=1e-10)
            verdict = self._say("paths.verdict_same" if same else "paths.verdict_different")
            rows.append(line(f"{_names(checks, self.language)}: {verdict}", colors["muted"], 14))
        return '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE>>"

    def draw(self, **options):
        """A :class:`gradviz.viz.Drawing` of the paths (Jupyter shows it; ``.save("paths.png")`` writes it);
        `options` go to :meth:`to_dot`."""
        from .draw import Drawing

        return Drawing(self.to_frame(options.get("max_paths")), self.to_dot(**options))

    def save(self, path, **options):
        """Write the picture of the paths to `path` (.svg, .png, .pdf or .dot); returns the path."""
        return self.draw(**options).save(path)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = self.draw()._repr_mimebundle_(include, exclude)
        bundle["text/plain"] = self.equation
        return bundle


def _d_name(label: str) -> str:
    """A label inside ∂…/∂…: in parentheses when it holds spaces or operators."""
    return f"({label})" if any(c in label for c in " +·−-*/") else label


# ----------------------------------------------------------------------------------------------
# finding the paths


def chain_rule_paths(
    loss, weight, *, max_paths: int = DEFAULT_MAX_PATHS, precision: int = 4, names=None, language: str | None = None
) -> ChainRulePaths:
    """Every path from `weight` to `loss` in a graph of scalar Values, with the local derivative of each edge.

    Returns a :class:`ChainRulePaths`: up to `max_paths` paths (the largest |products| first), the
    number of paths in all, and the sum of all the products (= ∂loss/∂weight), next to the gradient
    backward() stored in ``weight.grad`` if it has run. Nothing is recomputed and nothing is changed:
    the local derivatives come from each op's declared rule. Its ``to_dot()`` draws the paths.
    `names` — a Module (e.g. a gradviz.nn.ScalarMLP) or a dict {Value: name} — names the parameters
    that have no label of their own ('0.1.w0': layer 0, neuron 1, weight 0), for the equations and
    pictures only (their labels are left as they were). `language` ("en", "es"; default: the one in use)
    is that of every sentence and picture the result makes.

    >>> from gradviz import Value
    >>> a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> L = c + a
    >>> L.label = "L"
    >>> L.backward()
    >>> result = chain_rule_paths(L, a)
    >>> from gradviz.i18n import language
    >>> with language("en"):  # the words follow gradviz.set_language
    ...     print(result.equation)
    ∂L/∂a = sum over the 2 paths from a to L of the product of local derivatives
    path 1: ∂L/∂c · ∂c/∂a = 1 · (−2) = −2
    path 2: ∂L/∂a = 1 = 1
    ∂L/∂a = −2 + 1 = −1  (backward(): −1)
    """
    from ..engine import Node
    from ..value import Value

    for what, node in (("loss", loss), ("weight", weight)):
        if not isinstance(node, Node):
            raise TypeError(f"chain_rule_paths: the {what} must be a gradviz Value, got {type(node).__name__}")
        if not isinstance(node, Value):
            raise TypeError(
                f"chain_rule_paths works on scalar Values (one node per number); the {what} is a Tensor of shape "
                f"{tuple(node.data.shape)}. For one weight of a tensor network use "
                "gradviz.viz.mlp_chain_rule(model, x, y, weight=(layer, i, j))."
            )
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 1:
        raise ValueError(f"chain_rule_paths: max_paths must be a positive integer, got {max_paths!r}")
    graph = _graph_with_names(loss, names)
    try:
        w = graph[weight]
    except KeyError:
        raise ValueError(
            f"chain_rule_paths: {weight!r} is not in the graph of the loss; pick a weight the loss was computed from"
        ) from None
    loss_node = graph.outputs[0]
    if w.id == loss_node.id:
        raise ValueError("chain_rule_paths: the weight is the loss itself; pick a weight the loss was computed from")
    by_id = {n.id: n for n in graph.nodes}
    outgoing: dict[str, list] = {}
    for e in graph.edges:
        outgoing.setdefault(e.source, []).append(e)
    # the nodes reachable from the weight (every node of Graph.of(loss) reaches the loss)
    reach = {w.id}
    order = []
    for n in graph.nodes:  # topological order: inputs first
        if n.id in reach:
            order.append(n)
            for e in outgoing.get(n.id, ()):
                reach.add(e.target)
    locals_: dict[tuple[str, str, int], float] = {}
    for n in order:
        for e in outgoing.get(n.id, ()):
            locals_[(e.source, e.target, e.position)] = float(
                edge_of(graph, by_id[e.target], e.position, upstream=1.0).local
            )
    # number of paths and ∂loss/∂node over the sub-graph, loss end first
    count: dict[str, int] = {loss_node.id: 1}
    upstream: dict[str, float] = {loss_node.id: 1.0}
    for n in reversed(order):
        if n.id == loss_node.id:
            continue
        total_count, total_grad = 0, 0.0
        for e in outgoing.get(n.id, ()):
            total_count += count.get(e.target, 0)
            total_grad += upstream.get(e.target, 0.0) * locals_[(e.source, e.target, e.position)]
        count[n.id], upstream[n.id] = total_count, total_grad
    n_paths = count[w.id]
    listed, complete = _enumerate(w.id, loss_node.id, outgoing, locals_, upstream, n_paths, max_paths)
    labels = {n.id: n.label for n in graph.nodes}
    text_cache: dict[tuple[str, str, int], tuple[str, str]] = {}

    def edge(key) -> PathEdge:
        source, target, position = key
        if key not in text_cache:
            node = by_id[target]
            names = [labels[x] for x in node.inputs]
            params = node.params
            try:
                text = node.spec.format_local(position, names, labels[target], params)
                tex = node.spec.format_local(
                    position, [latex_label(x) for x in names], latex_label(labels[target]), params, latex=True
                )
            except (KeyError, IndexError, ValueError):
                text = tex = ""
            text_cache[key] = (text, tex)
        text, tex = text_cache[key]
        return PathEdge(source, target, position, labels[source], labels[target], locals_[key], text, tex)

    paths = tuple(ChainPath(tuple(edge(k) for k in keys), _product(locals_[k] for k in keys)) for keys in listed)
    gradient = weight.grad if weight.grad is not None and loss.grad is not None else None
    return ChainRulePaths(
        graph=graph,
        loss_id=loss_node.id,
        weight_id=w.id,
        paths=paths,
        count=n_paths,
        total=upstream[w.id],
        gradient=None if gradient is None else float(gradient),
        upstream={nid: upstream[nid] for nid in upstream if count.get(nid, 0) > 0},
        precision=precision,
        sorted_by_size=complete,
        language=resolve_language(language),
    )


def _graph_with_names(loss, names) -> Graph:
    """Graph.of(loss), with unlabelled parameters labelled by `names` while the graph reads the labels."""
    if names is None:
        return Graph.of(loss)
    if hasattr(names, "named_parameters"):
        pairs = [(value, name) for name, value in names.named_parameters()]
    else:
        pairs = list(dict(names).items())
    renamed = [(value, value.label) for value, _ in pairs if not value.label]
    try:
        for value, name in pairs:
            if not value.label:
                value.label = str(name)
        return Graph.of(loss)
    finally:
        for value, label in renamed:
            value.label = label


def _product(factors) -> float:
    result = 1.0
    for f in factors:
        result *= f
    return result


def _enumerate(start, end, outgoing, locals_, upstream, n_paths: int, max_paths: int):
    """Up to `max_paths` paths (lists of edge keys) from start to end; all of them sorted by |product| when there are
    at most ENUMERATE_LIMIT, else the first found following the edges that carry the most gradient."""
    complete = n_paths <= ENUMERATE_LIMIT
    want = n_paths if complete else max_paths
    found: list[list] = []
    stack = [(start, [])]
    while stack and len(found) < want:
        node, keys = stack.pop()
        if node == end:
            found.append(keys)
            continue
        steps = [(e.source, e.target, e.position) for e in outgoing.get(node, ()) if e.target in upstream]
        # pushed smallest first, so the edge carrying the most gradient is followed first
        steps.sort(key=lambda k: abs(locals_[k] * upstream[k[1]]))
        for key in steps:
            stack.append((key[1], keys + [key]))
    if complete:
        found.sort(key=lambda keys: -abs(_product(locals_[k] for k in keys)))
    return found[:max_paths], complete


# ----------------------------------------------------------------------------------------------
# a tensor network rebuilt as Values

_SCALAR_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "leaky_relu")
_LOSS_NAMES = {
    "mse": "mse",
    "mean_squared_error": "mse",
    "bce": "bce",
    "binary_crossentropy": "bce",
    "binary_cross_entropy": "bce",
    "cross_entropy": "ce",
    "categorical_crossentropy": "ce",
    "sparse_categorical_crossentropy": "ce",
    "ce": "ce",
}


@dataclass
class ScalarNetwork:
    """A tensor network rebuilt for one sample as Values: ``weights[l][j][i]`` is the Value of layer l's
    ``weight[j, i]`` (layer 0 is the first Linear/Dense), ``biases[l][j]``, the `inputs`, the `outputs`
    (logits before a fused softmax/sigmoid) and the scalar `loss`.

    >>> from gradviz import nn
    >>> net = scalar_network(nn.MLP(2, [2, 1], seed=0), [0.5, -1.0], 1.0)
    >>> [x.label for x in net.inputs], net.weights[0][1][0].label, net.biases[0][1].label
    (['x0', 'x1'], 'W1[1,0]', 'b1[1]')
    >>> [y.label for y in net.outputs], net.loss.label, net.loss_kind
    (['ŷ'], 'L', 'mse')
    """

    inputs: list
    weights: list[list[list]]
    biases: list[list | None]
    outputs: list
    loss: Any
    layers: list[tuple[Any, Any, str, float]]  # (weight Parameter, bias Parameter or None, activation, alpha)
    loss_kind: str


def _activation_of(module) -> tuple[str, float] | None:
    from ..nn import activations as A

    if isinstance(module, A.Identity):
        return "linear", 0.0
    if isinstance(module, A.ReLU):
        return "relu", 0.0
    if isinstance(module, A.Sigmoid):
        return "sigmoid", 0.0
    if isinstance(module, A.Tanh):
        return "tanh", 0.0
    if isinstance(module, A.LeakyReLU):
        return "leaky_relu", module.alpha
    if isinstance(module, A.Softmax):
        return "softmax", 0.0
    return None


def _dense_layers(model) -> list[tuple[Any, Any, str, float]]:
    """(weight, bias, activation, leaky alpha) per fully connected layer of an nn.Linear/Sequential/MLP or keras model."""
    from ..nn.layers import Flatten, Linear
    from ..nn.module import Module

    modules = [model] if isinstance(model, Linear) else list(getattr(model, "layers", None) or model.children())
    layers: list[list] = []
    for module in modules:
        # a layer with its activation inside (a keras Dense) says so with an `activation` Module
        inner = getattr(module, "activation", None)
        if isinstance(module, Linear):
            if not getattr(module, "built", True):
                raise ValueError(
                    f"mlp_chain_rule: {module.name} has no weights yet; build the model first (model.build(n_features) "
                    "or fit it)"
                )
            name, alpha = ("linear", 0.0) if inner is None else (_activation_of(inner) or ("other", 0.0))
            layers.append([module.weight, module.bias, name, alpha])
        elif isinstance(module, Flatten):
            continue
        else:
            inner = inner if isinstance(inner, Module) else module
            found = _activation_of(inner)
            if found is None or not layers or layers[-1][2] != "linear":
                raise TypeError(
                    f"mlp_chain_rule handles Linear/Dense layers each followed by at most one activation "
                    f"({', '.join(_SCALAR_ACTIVATIONS)}, softmax last); got {type(module).__name__} here"
                )
            layers[-1][2], layers[-1][3] = found
    if not layers:
        raise TypeError(f"mlp_chain_rule: {type(model).__name__} has no Linear/Dense layer")
    for k, (_, _, name, _) in enumerate(layers):
        if name == "softmax" and k != len(layers) - 1:
            raise TypeError("mlp_chain_rule: softmax is only supported as the last activation (fused into the loss)")
        if name not in (*_SCALAR_ACTIVATIONS, "softmax"):
            raise TypeError(f"mlp_chain_rule: layer {k} has an activation it cannot rebuild as Values ({name})")
    return [tuple(layer) for layer in layers]


def scalar_network(model, x, y, loss: str = "mse") -> ScalarNetwork:
    """Rebuild a tensor MLP (gradviz.nn.MLP/Sequential of Linear layers, or a keras Sequential of Dense layers)
    for one sample `x` as a graph of Values with the same weights, ending in the scalar loss for target `y`.

    Labels: inputs ``x0, x1, …``; layer l (from 1) has weights ``W{number_of_layer}[j,i]`` (= the l-th Linear's
    ``weight[j, i]``), biases ``b{number_of_layer}[j]``, products ``W{number_of_layer}[j,i]·x{i}``, running sums ``s{number_of_layer}[j,k]``,
    pre-activations ``z{number_of_layer}[j]`` and activations ``h{number_of_layer}[j]``; the output is ``ŷ`` (``ŷ[k]``), the loss
    ``L``. `loss`: "mse" (mean over outputs), "bce" (binary cross-entropy of a sigmoid output; logits
    are passed through σ) or "cross_entropy" (softmax cross-entropy of the logits; `y` the class).

    >>> from gradviz import nn
    >>> net = scalar_network(nn.MLP(2, [3, 1], seed=0), [0.5, -1.0], 1.0)
    >>> net.loss.label, len(net.weights[0]), len(net.weights[0][0])
    ('L', 3, 2)
    """
    from ..value import Value

    kind = _LOSS_NAMES.get(str(loss).lower().replace("-", "_"))
    if kind is None:
        raise ValueError(f"unknown loss {loss!r} for mlp_chain_rule; valid names: {', '.join(_LOSS_NAMES)}")
    layers = _dense_layers(model)
    sample = np.asarray(getattr(x, "data", x), dtype=float).reshape(-1)
    n_in = layers[0][0].data.shape[1]
    if sample.size != n_in:
        raise ValueError(f"mlp_chain_rule: x must be one sample of {n_in} features, got {sample.size} numbers")
    inputs = [Value(float(v), label=f"x{i}") for i, v in enumerate(sample)]
    h, names = inputs, [f"x{i}" for i in range(len(inputs))]
    weights, biases = [], []
    last = len(layers) - 1
    for index, (W, b, activation, alpha) in enumerate(layers):
        number_of_layer = index + 1
        matrix = np.asarray(W.data, dtype=float)
        bias = None if b is None else np.asarray(b.data, dtype=float)
        layer_w = [
            [Value(float(matrix[j, i]), label=f"W{number_of_layer}[{j},{i}]") for i in range(matrix.shape[1])]
            for j in range(matrix.shape[0])
        ]
        layer_b = (
            None
            if bias is None
            else [Value(float(bias[j]), label=f"b{number_of_layer}[{j}]") for j in range(len(bias))]
        )
        weights.append(layer_w)
        biases.append(layer_b)
        outputs, out_names = [], []
        single = matrix.shape[0] == 1
        for j, row in enumerate(layer_w):
            total = None
            for i, (wji, hi) in enumerate(zip(row, h, strict=True)):
                product = wji * hi
                product.label = f"W{number_of_layer}[{j},{i}]·{names[i]}"
                if total is None:
                    total = product
                else:
                    total = total + product
                    total.label = f"s{number_of_layer}[{j},{i}]"
            if layer_b is not None:
                total = total + layer_b[j]
            fused = index == last and (
                kind == "ce" or (kind == "bce" and activation == "sigmoid") or activation == "softmax"
            )
            out = _activate(total, activation, alpha, fused)
            suffix = "" if single else f"[{j}]"
            if index < last:
                total.label, name = f"z{number_of_layer}[{j}]", f"h{number_of_layer}[{j}]"
            elif fused:
                total.label = name = f"z{suffix}"  # the logits, read by the loss
            else:
                total.label, name = f"z{number_of_layer}{suffix}", f"ŷ{suffix}"
            out.label = name
            outputs.append(out)
            out_names.append(out.label)
        h, names = outputs, out_names
    loss_value = _scalar_loss(h, y, kind, layers[-1][2])
    loss_value.label = "L"
    return ScalarNetwork(inputs, weights, biases, h, loss_value, layers, kind)


def _activate(z, activation: str, alpha: float, fused: bool):
    if activation == "relu":
        return z.relu()
    if activation == "tanh":
        return z.tanh()
    if activation == "sigmoid":
        return z if fused else z.sigmoid()
    if activation == "leaky_relu":
        return z.leaky_relu(alpha)
    return z  # linear, or a softmax fused into the cross-entropy


def _scalar_loss(outputs: list, y, kind: str, last_activation: str):
    from ..value import Value

    if kind == "mse":
        target = np.asarray(getattr(y, "data", y), dtype=float).reshape(-1)
        if target.size != len(outputs):
            raise ValueError(f"mlp_chain_rule: mse needs {len(outputs)} target value(s), got {target.size}")
        if last_activation == "softmax":
            raise ValueError("mlp_chain_rule: mse on a softmax output is not rebuilt; use loss='cross_entropy'")
        terms = []
        for k, (out, t) in enumerate(zip(outputs, target, strict=True)):
            error = out - Value(float(t), label=f"y{'' if len(outputs) == 1 else f'[{k}]'}", requires_grad=False)
            error.label = "e" if len(outputs) == 1 else f"e[{k}]"
            square = error**2
            if len(outputs) > 1:
                square.label = f"e[{k}]²"
            terms.append(square)
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total if len(terms) == 1 else total * (1.0 / len(terms))
    if kind == "bce":
        if len(outputs) != 1:
            raise ValueError(
                "mlp_chain_rule: bce is rebuilt for one output unit; use cross_entropy for several classes"
            )
        label = float(np.asarray(getattr(y, "data", y), dtype=float).reshape(-1)[0])
        if label not in (0.0, 1.0):
            raise ValueError(f"mlp_chain_rule: bce needs a 0/1 target, got {label:g}")
        p = outputs[0].sigmoid()
        p.label = "p"
        return -(p.log()) if label == 1.0 else -((1.0 - p).log())
    # cross-entropy of softmax(logits): L = log Σ exp(z_k − m) + m − z_y, m = max z (a constant)
    label = int(np.asarray(getattr(y, "data", y)).reshape(-1)[0])
    if not 0 <= label < len(outputs):
        raise ValueError(f"mlp_chain_rule: class {label} is not in [0, {len(outputs)})")
    shift = max(z.data for z in outputs)
    total = None
    for k, z in enumerate(outputs):
        term = (z - shift).exp()
        term.label = f"exp(z[{k}]−m)"
        total = term if total is None else total + term
    total.label = "Σexp"
    log_total = total.log()
    log_total.label = "log Σexp"
    return log_total + (shift - outputs[label])


def _tensor_gradient(model, layers, x, y, kind: str, layer: int, i: int, j: int) -> float:
    """The tensor engine's ∂loss/∂weight[i, j] of `layer` for the same sample (grads of the model are restored)."""
    import gradviz.functional as F

    from ..tensor import Tensor

    params = (
        list(model.parameters())
        if hasattr(model, "parameters")
        else [p for layer_ in layers for p in layer_[:2] if p is not None]
    )
    saved = [p.grad for p in params]
    for p in params:
        p.grad = None
    try:
        sample = Tensor(np.asarray(getattr(x, "data", x), dtype=float).reshape(1, -1))
        logits = kind in ("ce", "bce") and layers[-1][2] in ("softmax", "sigmoid")
        if "logits" in inspect.signature(model.forward).parameters:  # a keras model: it stops before its activation
            out = model(sample, logits=logits)
        else:
            modules = (
                [model] if not hasattr(model, "children") or not list(model.children()) else list(model.children())
            )
            out = sample
            for k, module in enumerate(modules):
                finishing = (
                    k == len(modules) - 1 and logits and _activation_of(module) in (("softmax", 0.0), ("sigmoid", 0.0))
                )
                if not finishing:
                    out = module(out)
        target = np.asarray(getattr(y, "data", y))
        if kind == "mse":
            loss = F.mse(out, Tensor(target.astype(float).reshape(out.shape)))
        elif kind == "bce":
            loss = F.binary_cross_entropy_with_logits(out, Tensor(target.astype(float).reshape(out.shape)))
        else:
            loss = F.cross_entropy(out, np.asarray([int(target.reshape(-1)[0])]))
        loss.backward()
        return float(layers[layer][0].grad[i, j])
    finally:
        for p, g in zip(params, saved, strict=True):
            p.grad = g


def mlp_chain_rule(
    model,
    x,
    y,
    weight: tuple,
    loss: str = "mse",
    *,
    max_paths: int = DEFAULT_MAX_PATHS,
    precision: int = 4,
    language: str | None = None,
) -> ChainRulePaths:
    """The chain-rule paths from the loss to one weight of a tensor MLP, for one sample.

    `model` is a gradviz.nn.MLP / Sequential of Linear layers (activations between them) or a keras
    Sequential of Dense layers; `x` one sample, `y` its target; `weight` = (layer, i, j): element
    [i, j] of the weight matrix of the layer-th Linear/Dense layer (from 0), i.e.
    ``model[0].weight[1, 0]`` of an nn.MLP is (0, 1, 0) and the second Linear's is (1, ·, ·);
    `loss` "mse", "bce" or "cross_entropy" (see :func:`scalar_network`). The network is rebuilt as
    Values with the same weights (:func:`scalar_network`), backward() runs on that copy, and the
    result's `gradient` (scalar engine) and `reference` (the tensor engine, on the model itself)
    must both equal the sum over the paths — a ValueError says so if they do not. The model's
    gradients are left as they were. `language` as in :func:`chain_rule_paths`.

    >>> from gradviz import nn
    >>> model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=0)
    >>> paths = mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 1, 0))
    >>> paths.count, paths.matches()
    (2, True)
    >>> paths.weight_label
    'W1[1,0]'
    """
    layers = _dense_layers(model)
    if not isinstance(weight, (tuple, list)) or len(weight) != 3:
        raise TypeError(
            f"mlp_chain_rule: weight=(layer, i, j), e.g. (0, 1, 0) for model[0].weight[1, 0]; got {weight!r}"
        )
    layer, i, j = weight
    if not 0 <= layer < len(layers):
        raise ValueError(
            f"mlp_chain_rule: layer {layer} does not exist; the model has {len(layers)} Linear/Dense layers (0..{len(layers) - 1})"
        )
    shape = layers[layer][0].data.shape
    if not (0 <= i < shape[0] and 0 <= j < shape[1]):
        raise ValueError(f"mlp_chain_rule: weight[{i}, {j}] is outside layer {layer}'s weight matrix of shape {shape}")
    net = scalar_network(model, x, y, loss)
    net.loss.backward()
    chosen = net.weights[layer][i][j]
    result = chain_rule_paths(net.loss, chosen, max_paths=max_paths, precision=precision, language=language)
    reference = _tensor_gradient(model, layers, x, y, net.loss_kind, layer, i, j)
    described = result._say("paths.description", layer=layer, i=i, j=j, label=chosen.label)
    result = ChainRulePaths(
        **{**result.__dict__, "reference": reference, "description": described, "extra": {"network": net}}
    )
    if not result.matches(rtol=1e-7, atol=1e-10):
        raise ValueError(
            f"mlp_chain_rule: the engines disagree on ∂L/∂{chosen.label}: paths {result.total!r}, scalar backward "
            f"{result.gradient!r}, tensor backward {reference!r} — please report this"
        )
    return result
