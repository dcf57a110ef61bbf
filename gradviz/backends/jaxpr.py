"""JAX programs as gradviz graphs: each equation `jax.make_jaxpr` records becomes a node, scoped by layer.

`jaxpr_graph(fn, *args)` traces any jax-traceable function, runs the traced program once on `args` to
record every value (and, for a scalar output, every gradient), and returns a `Graph` that `gradviz.draw`
and `gradviz.viz.to_dot` draw like any other: ``collapse=True`` gives one box per `jax.named_scope`.

>>> import jax, jax.numpy as jnp
>>> def loss(w, x):
...     with jax.named_scope("layer"):
...         h = jnp.tanh(x @ w)
...     return jnp.sum(h**2)
>>> graph = jaxpr_graph(loss, jnp.ones((3, 2)), jnp.ones((4, 3)))
>>> [(n.label, n.op, n.scope) for n in graph.ops]
[('v1', 'dot_general', 'layer'), ('v2', 'tanh', 'layer'), ('v3', 'integer_pow', None), ('loss', 'reduce_sum', None)]
>>> graph["w"].grad.shape, round(float(graph.outputs[0].value), 3)   # 4 · 2 · tanh(3)²
((3, 2), 7.921)
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import Node
from ..graph import Edge, Graph, GraphNode
from ..ops import Op, Rule

__all__ = ["jaxpr_graph", "JaxprGraph", "JaxprNode"]

BACKWARD = " (backward)"  # appended to the scope of the equations jax.grad's transpose wrote


class JaxprNode:
    """One node of a jaxpr graph: an argument, a constant, a literal or one equation of the program.

    `data` is the value this call computed (a numpy array; a float for a scalar literal), `grad` the
    gradient of the scalar output with respect to it (None when the output is not a scalar, or the
    value is not floating-point), `eqn` the jaxpr equation (None for a leaf). `spec`, `inputs`, `params`,
    `scope`, `is_scalar` and `xp` are what a Value or Tensor shows under the same names.

    >>> import jax.numpy as jnp
    >>> def loss(w, x):
    ...     return jnp.sum(jnp.tanh(x * w))
    >>> graph = jaxpr_graph(loss, jnp.float32(0.5), jnp.float32(2.0))
    >>> node = graph["v2"].ref   # the JaxprNode behind the graph's node v2
    >>> node, node.op, node.eqn.primitive.name
    (<JaxprNode 'v2' tanh>, 'tanh', 'tanh')
    >>> round(float(node.data), 4), round(float(node.grad), 4)   # tanh(1), and ∂loss/∂v2 = 1
    (0.7616, 1.0)
    >>> w = graph["w"].ref   # a leaf: no equation; ∂loss/∂w = x·(1 − tanh²(w·x))
    >>> w.eqn is None, round(float(w.grad), 4)
    (True, 0.8399)
    """

    __slots__ = ("data", "grad", "requires_grad", "label", "eqn", "spec", "inputs", "params", "scope", "is_scalar")
    xp = np

    def __init__(self, data: Any, *, label: str, requires_grad: bool = False, op: Op | None = None, eqn=None):
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self.eqn = eqn
        self.spec = op
        self.inputs: tuple = ()
        self.params: dict = {}
        self.scope: str | None = None
        self.is_scalar = not isinstance(data, np.ndarray)

    @property
    def op(self) -> str:
        """The primitive's name ('dot_general', 'jit', ...), '' for a leaf."""
        return self.spec.name if self.spec is not None else ""

    def __repr__(self) -> str:
        return f"<JaxprNode {self.label!r} {self.op or 'leaf'}>"


class JaxprGraph(Graph):
    """A Graph of a jaxpr: one node per equation, plus the arguments, constants and literals it reads.

    `jaxpr` is the ClosedJaxpr drawn, whose equations are the op nodes in order (labelled v1, v2, …);
    `name` the traced function's name, also the label of its output.

    >>> import jax.numpy as jnp
    >>> def loss(w, x):
    ...     return jnp.sum(jnp.tanh(x * w))
    >>> graph = jaxpr_graph(loss, jnp.float32(0.5), jnp.float32(2.0))
    >>> graph
    <JaxprGraph of loss: 3 equations, 5 nodes>
    >>> graph.name, [eqn.primitive.name for eqn in graph.jaxpr.jaxpr.eqns], [node.label for node in graph]
    ('loss', ['mul', 'tanh', 'reduce_sum'], ['w', 'x', 'v1', 'v2', 'loss'])
    """

    def __init__(self, nodes: list[GraphNode], edges: list[Edge], outputs: list[GraphNode], *, jaxpr, name: str):
        super().__init__(nodes, edges, outputs)
        self.jaxpr = jaxpr
        self.name = name

    def __repr__(self) -> str:
        return f"<JaxprGraph of {self.name}: {len(self.jaxpr.jaxpr.eqns)} equations, {len(self.nodes)} nodes>"


def jaxpr_graph(fn: Callable, *args: Any, **kwargs: Any) -> JaxprGraph:
    """The program JAX traces for ``fn(*args, **kwargs)`` as a gradviz Graph, with this call's values.

    One node per equation of ``jax.make_jaxpr(fn)(*args, **kwargs)`` — its `op` the primitive's name, its
    value the equation's output (shape and dtype as on the device) — and one leaf per argument array
    (labelled by its path: ``params[0].w``), per constant the function closes over, and per literal. The
    scope of a node is the `jax.named_scope` path it ran under, so ``draw(graph, collapse=True)`` shows one
    box per layer; equations written by `jax.grad`'s backward pass get the scope ``"<layer> (backward)"``.

    Nested programs stay one node each, as ``print(jax.make_jaxpr(...))`` shows them: a call to a jitted
    function (``jit``), ``custom_jvp_call``, ``custom_vjp_call`` and ``checkpoint`` are drawn as one node
    whose symbol is the function's name (``relu``, ``log_softmax``), so they keep their own differentiation
    rules; ``scan``, ``while`` and ``cond`` are one node named after the primitive. Only
    when the whole of `fn` is one jitted call (``jax.jit(loss)``) is that call opened, so the picture shows
    its contents. An equation with several outputs is one node with the value and gradient of its first.

    When the output is one floating-point scalar (a loss), every node also gets the gradient of it with
    respect to its value. Draw it with ``gradviz.draw(graph, collapse=True)`` (``.save("jaxpr.svg")``) or
    ``gradviz.viz.to_dot(graph, collapse=True)``; ``expand=["dense_1"]`` opens one layer's box again.

    >>> import jax.numpy as jnp
    >>> graph = jaxpr_graph(lambda x, y: jnp.sin(x) * y, jnp.float32(1.0), jnp.float32(2.0))
    >>> [(n.label, n.op or n.kind) for n in graph]
    [('x', 'input'), ('y', 'input'), ('v1', 'sin'), ('v2', 'mul')]
    >>> round(float(graph["x"].grad), 4)   # ∂(sin x · y)/∂x = y cos x
    1.0806
    """
    if not callable(fn):
        raise TypeError(
            f"jaxpr_graph(fn, *args) needs a function to trace as its first argument, got {type(fn).__name__}: "
            "call it as jaxpr_graph(loss, params, x, y)"
        )
    import jax

    names = _argument_names(fn, args, kwargs)
    _check_leaves(fn, names)
    try:
        closed = jax.make_jaxpr(fn)(*args, **kwargs)
    except jax.errors.ConcretizationTypeError as error:
        raise TypeError(
            f"jaxpr_graph could not trace {_name_of(fn)}: it turns a traced array into a Python value "
            f"({type(error).__name__}), which only works when the array is known before the program runs. "
            "Write branches on array values with jnp.where or jax.lax.cond, and pass sizes and flags as Python "
            f"numbers bound with functools.partial. JAX says: {_first_line(error)}"
        ) from error
    flat_args = [leaf for _, leaf in names]
    closed, prefix, inner_name = _opened(closed)
    graph_name = inner_name or _name_of(fn)
    values, outputs, gradients = _run(closed, flat_args)
    return _build(closed, [label for label, _ in names], flat_args, values, outputs, gradients, prefix, graph_name)


# ----------------------------------------------------------------------------------------------
# arguments


def _name_of(fn) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _argument_names(fn, args: tuple, kwargs: dict) -> list[tuple[str, Any]]:
    """(label, leaf) for every array leaf, in the order make_jaxpr flattens ``(args, kwargs)``."""
    import jax

    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # a builtin or a C function: no names to read
        parameters = []
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    rest = next((p.name for p in parameters if p.kind is p.VAR_POSITIONAL), "args")

    def base(index: int) -> str:
        if index < len(positional):
            return positional[index]
        return f"{rest}[{index - len(positional)}]"

    named = []
    leaves, _ = jax.tree_util.tree_flatten_with_path((args, kwargs), is_leaf=lambda leaf: leaf is None)
    for path, leaf in leaves:
        if leaf is None:
            continue
        group, first, *inner = path
        label = base(first.idx) if group.idx == 0 else str(first.key)
        named.append((label + "".join(_key_text(key) for key in inner), leaf))
    return named


def _key_text(key) -> str:
    import jax

    tree = jax.tree_util
    if isinstance(key, tree.DictKey):
        text = str(key.key)
        return (
            f".{text}"
            if isinstance(key.key, str) and text.isidentifier() and not keyword.iskeyword(text)
            else f"[{key.key!r}]"
        )
    if isinstance(key, tree.GetAttrKey):
        return f".{key.name}"
    if isinstance(key, tree.SequenceKey):
        return f"[{key.idx}]"
    if isinstance(key, tree.FlattenedIndexKey):
        return f"[{key.key}]"
    return str(key)


def _check_leaves(fn, named: list[tuple[str, Any]]) -> None:
    """Every argument leaf must be an array or a number that has a value: the graph shows this call's values."""
    import jax

    for label, leaf in named:
        if isinstance(leaf, (jax.Array, np.ndarray, np.generic, bool, int, float, complex)):
            continue
        what = type(leaf).__name__
        if isinstance(leaf, jax.ShapeDtypeStruct):
            fix = "pass a real array of that shape (jnp.zeros(...)): the graph shows the values of this call"
        elif isinstance(leaf, Node):
            fix = f"pass its numpy array instead: {label}.data"
        else:
            fix = (
                "pass arrays and numbers only (jnp.asarray(...)); bind anything else (a string, a flag, a size) "
                "with functools.partial or a closure"
            )
        shown = repr(leaf)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise TypeError(
            f"jaxpr_graph cannot trace {_name_of(fn)} with argument {label} = {shown}: JAX traces arrays and "
            f"numbers, not a {what}. To fix it, {fix}."
        )


# ----------------------------------------------------------------------------------------------
# the program


def _callee(eqn):
    """The ClosedJaxpr (or Jaxpr) an equation calls, if it calls one."""
    for key in ("jaxpr", "call_jaxpr", "fun_jaxpr"):
        inner = eqn.params.get(key)
        if hasattr(inner, "jaxpr") or hasattr(inner, "eqns"):
            return inner
    return None


# primitives that call one function (drawn with its name); scan, while and cond keep their own names
_CALLS = frozenset(
    {"jit", "pjit", "closed_call", "core_call", "custom_jvp_call", "custom_vjp_call", "checkpoint", "remat", "remat2"}
)


def _callee_name(eqn) -> str | None:
    """The name of the function a call equation runs ('relu', 'log_softmax'), None for any other primitive."""
    if eqn.primitive.name not in _CALLS:
        return None
    name = eqn.params.get("name")
    if isinstance(name, str) and name:
        return name
    inner = _callee(eqn)
    if inner is None:
        return None
    debug = getattr(getattr(inner, "jaxpr", inner), "debug_info", None)
    source = (getattr(debug, "func_src_info", None) or "").split(" ")[0]
    return source if source and not source.startswith("<") else None  # '<lambda>' says nothing


def _opened(closed):
    """Open a program that is one jitted call of all its inputs (``jax.jit(loss)``): (jaxpr, scope, name)."""
    prefix: list[str] = []
    name = None
    while len(closed.jaxpr.eqns) == 1:
        eqn = closed.jaxpr.eqns[0]
        inner = eqn.params.get("jaxpr")
        if eqn.primitive.name not in ("jit", "pjit", "closed_call") or not hasattr(inner, "jaxpr"):
            break
        if list(eqn.invars) != list(closed.jaxpr.invars) or list(eqn.outvars) != list(closed.jaxpr.outvars):
            break
        if closed.consts or closed.jaxpr.constvars:
            break
        prefix += _scope_parts(eqn.source_info.name_stack)[0]
        name = _callee_name(eqn) or name
        closed = inner
    return closed, prefix, name


def _scope_parts(name_stack) -> tuple[list[str], bool]:
    """The named scopes of an equation, outermost first, and whether jax.grad's transpose wrote it."""
    parts, backward = [], False
    for entry in getattr(name_stack, "stack", ()):
        if type(entry).__name__ == "Transform":
            backward = backward or entry.name == "transpose"
        else:
            parts.append(str(entry.name))
    return parts, backward


def _bind(eqn, inputs: list) -> list:
    """Run one equation as jax.core.eval_jaxpr does: its primitive bound to the inputs and its parameters."""
    bound = eqn.primitive.get_bind_params(eqn.params)
    subfuns, params = bound if isinstance(bound, tuple) else ((), bound)
    manager = getattr(getattr(eqn, "ctx", None), "manager", None)
    if manager is not None:
        with manager:
            outs = eqn.primitive.bind(*subfuns, *inputs, **params)
    else:
        outs = eqn.primitive.bind(*subfuns, *inputs, **params)
    return list(outs) if eqn.primitive.multiple_results else [outs]


def _evaluate(closed, flat_args: list, nudges: list | None = None) -> tuple[list, list]:
    """(outputs, each equation's first output); `nudges` are added to those first outputs (zeros, to take
    gradients with respect to them)."""
    from jax.extend.core import DropVar, Literal

    jaxpr = closed.jaxpr
    env: dict = dict(zip(jaxpr.constvars, closed.consts, strict=True))
    env.update(zip(jaxpr.invars, flat_args, strict=True))

    def read(atom):
        return atom.val if isinstance(atom, Literal) else env[atom]

    firsts = []
    for k, eqn in enumerate(jaxpr.eqns):
        outs = _bind(eqn, [read(atom) for atom in eqn.invars])
        if nudges is not None and nudges[k] is not None:
            outs[0] = outs[0] + nudges[k]
        for var, value in zip(eqn.outvars, outs, strict=True):
            if not isinstance(var, DropVar):
                env[var] = value
        firsts.append(outs[0])
    return [read(atom) for atom in jaxpr.outvars], firsts


def _floating(aval) -> bool:
    import jax.numpy as jnp

    return bool(jnp.issubdtype(aval.dtype, jnp.inexact))  # numpy does not count bfloat16 as inexact


def _run(closed, flat_args: list) -> tuple[list, list, tuple | None]:
    """Every equation's first output, the program's outputs, and — for a scalar floating-point output —
    (gradients of the arguments, gradients of the equations' first outputs)."""
    import jax
    import jax.numpy as jnp

    jaxpr = closed.jaxpr
    if len(jaxpr.outvars) != 1 or jaxpr.outvars[0].aval.shape != () or not _floating(jaxpr.outvars[0].aval):
        outputs, values = _evaluate(closed, flat_args)
        return values, outputs, None
    wanted = [i for i, var in enumerate(jaxpr.invars) if _floating(var.aval)]
    zeros = [
        jnp.zeros(eqn.outvars[0].aval.shape, eqn.outvars[0].aval.dtype) if _floating(eqn.outvars[0].aval) else None
        for eqn in jaxpr.eqns
    ]

    def scalar(chosen: list, nudges: list):
        full = list(flat_args)
        for i, value in zip(wanted, chosen, strict=True):
            full[i] = value
        outputs, values = _evaluate(closed, full, nudges)
        return outputs[0], (outputs, values)

    # eager, not jitted: JAX compiles each primitive once per process, so later graphs draw in milliseconds
    gradients, (outputs, values) = jax.grad(scalar, argnums=(0, 1), has_aux=True)([flat_args[i] for i in wanted], zeros)
    argument_grads, equation_grads = gradients
    by_argument = dict(zip(wanted, argument_grads, strict=True))
    return values, outputs, ([by_argument.get(i) for i in range(len(flat_args))], equation_grads)


# ----------------------------------------------------------------------------------------------
# the graph


def _array(value) -> np.ndarray:
    return np.asarray(value)


_OPS: dict[tuple[str, str, int], Op] = {}


def _op_for(eqn) -> Op:
    """A display-only gradviz Op for an equation: the primitive's name, the callee's name as the symbol."""
    name = eqn.primitive.name
    symbol = _callee_name(eqn)
    key = (name, symbol or name, len(eqn.invars))
    made = _OPS.get(key)
    if made is None:
        inputs = tuple(f"x{i}" for i in range(len(eqn.invars)))
        text = f"{symbol or name}(" + ", ".join(f"{{{i}}}" for i in inputs) + ")"
        made = _OPS[key] = Op(
            name=name,
            symbol=symbol or name,
            forward=eqn.primitive.bind,
            text=text,
            latex=text.replace("_", r"\_"),
            elementwise=False,
            scalar=False,
            inputs=inputs,
            # the rules carry no local derivative: the picture shows JAX's gradients, not gradviz's formulas
            rules=[Rule(i, "", "") for i in inputs],
        )
    return made


def _literal_node(atom) -> JaxprNode:
    value = np.asarray(atom.val)
    if value.shape == () and value.dtype.kind in "biuf":
        number = value.item()
        text = f"{number:g}" if isinstance(number, float) else str(number)
        return JaxprNode(float(number), label=text)
    return JaxprNode(value, label=f"const{value.shape}")


def _build(closed, labels, flat_args, values, outputs, gradients, prefix, name) -> JaxprGraph:
    from jax.extend.core import DropVar, Literal

    jaxpr = closed.jaxpr
    taken = set(labels) | {name}
    argument_grads, equation_grads = gradients if gradients is not None else (None, None)
    output_vars = [v for v in jaxpr.outvars if not isinstance(v, Literal)]
    single_output = len(jaxpr.outvars) == 1 and name.isidentifier() and output_vars
    refs: list[JaxprNode] = []
    scopes: list[str | None] = []
    auto: list[bool] = []
    producer: dict = {}  # jaxpr variable → index of its node in refs

    def add(ref: JaxprNode, scope: str | None, automatic: bool) -> int:
        ref.scope = scope
        refs.append(ref)
        scopes.append(scope)
        auto.append(automatic)
        return len(refs) - 1

    base_scope = "/".join(prefix) or None
    for k, (var, value) in enumerate(zip(jaxpr.constvars, closed.consts, strict=True)):
        producer[var] = add(JaxprNode(_array(value), label=f"const{k}"), base_scope, True)
    for i, (var, label, value) in enumerate(zip(jaxpr.invars, labels, flat_args, strict=True)):
        # as the program sees it: float64 numpy data becomes float32 on the device unless x64 is on
        ref = JaxprNode(np.asarray(value, dtype=var.aval.dtype), label=label, requires_grad=_floating(var.aval))
        if argument_grads is not None and argument_grads[i] is not None:
            ref.grad = _array(argument_grads[i])
        producer[var] = add(ref, base_scope, False)

    counter = 0
    edges_of: list[tuple[int, int, int]] = []  # (source node, target node, position)
    for k, eqn in enumerate(jaxpr.eqns):
        parts, backward = _scope_parts(eqn.source_info.name_stack)
        parts = prefix + parts
        scope = "/".join(parts) + BACKWARD if parts and backward else ("/".join(parts) or None)
        sources = []
        for atom in eqn.invars:
            if isinstance(atom, Literal):
                sources.append(add(_literal_node(atom), scope, True))
            else:
                sources.append(producer[atom])
        kept = [v for v in eqn.outvars if not isinstance(v, DropVar)]
        counter += 1
        while f"v{counter}" in taken:
            counter += 1
        label = f"v{counter}"
        if single_output and output_vars[0] in kept and len(kept) == 1:
            label = name
        ref = JaxprNode(_array(values[k]), label=label, requires_grad=True, op=_op_for(eqn), eqn=eqn)
        if equation_grads is not None and equation_grads[k] is not None:
            ref.grad = _array(equation_grads[k])
        index = add(ref, scope, label != name)
        for position, source in enumerate(sources):
            edges_of.append((source, index, position))
        ref.inputs = tuple(refs[s] for s in sources)
        for var in kept:
            producer[var] = index

    output_indices = []
    for atom in jaxpr.outvars:
        if isinstance(atom, Literal):
            output_indices.append(add(_literal_node(atom), base_scope, True))
        else:
            output_indices.append(producer[atom])
    if gradients is not None:  # ∂out/∂out = 1, also when the output is an argument itself
        only = refs[output_indices[0]]
        if only.grad is None and not only.is_scalar:
            only.grad = np.ones_like(only.data)

    inputs_of: dict[int, list[tuple[int, str]]] = {}
    for source, target, position in edges_of:
        inputs_of.setdefault(target, []).append((position, f"n{source}"))
    nodes = []
    for i, ref in enumerate(refs):
        if ref.spec is not None:
            kind = "output" if i in output_indices else "op"
        elif ref.requires_grad:
            kind = "output" if i in output_indices else "input"
        else:
            kind = "constant"
        node = GraphNode(f"n{i}", ref, ref.label, kind, ref.op, scopes[i], auto[i])
        node.spec, node.params, node.scalar = ref.spec, dict(ref.params), ref.is_scalar
        node.inputs = tuple(nid for _, nid in sorted(inputs_of.get(i, [])))
        nodes.append(node)
    edges = [Edge(f"n{s}", f"n{t}", p) for s, t, p in edges_of]
    return JaxprGraph(nodes, edges, [nodes[i] for i in dict.fromkeys(output_indices)], jaxpr=closed, name=name)
