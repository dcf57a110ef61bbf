"""The layer view of a tensor network's step: each layer's W, b, z = x·Wᵀ + b and h = act(z) one node each.

A recorded step of a Linear/Dense network draws every layer as a transpose, a matmul and an addition; the
course writes a layer as one matrix equation. :func:`layer_view` rebuilds the recorded graph with each
layer's affine map (the ops of a layer's name scope: Wᵀ, x @ Wᵀ and + b) merged into one node ``z¹`` and
replays the step, so that :func:`gradviz.viz.frames` steps per layer — forward z¹, h¹, z², …, the loss;
backward δ¹ = ∂L/∂z¹ and, from it, ∂L/∂W¹ = δ¹ᵀ·x, ∂L/∂b¹ = Σ δ¹ and ∂L/∂x = δ¹·W¹ — and the pictures show
the matrices. :func:`layer_texts` words a frame of that view the way the course does (English and Spanish).

>>> import numpy as np
>>> from gradviz import Tensor, nn, trace
>>> model = nn.MLP(2, [3, 1], seed=0)
>>> with trace() as t:
...     loss = nn.MSELoss()(model(Tensor(np.ones((4, 2)), label="x")), Tensor(np.zeros((4, 1)), label="y"))
...     loss.label = "L"
...     loss.backward()
>>> view = layer_view(t)
>>> [node.label for node in view.graph().nodes]
['x', 'W¹', 'b¹', 'z¹', 'h¹', 'W²', 'b²', 'z²', 'y', 'L']
>>> bool(np.allclose(view.graph()["W¹"].grad, model[0].weight.grad))
True
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from ..graph import Graph
from ..i18n import message
from ..nn.activations import activation_names
from ..nn.module import layer_label
from ..ops import OPS, Op
from ..trace import Trace
from ..trace import trace as recording
from .format import latex_label, number_latex
from .frame import Frame, d, d_latex, quantity

__all__ = ["layer_view", "layer_texts", "is_layer_view", "AFFINE"]

AFFINE = "affine"
"""The op name of a layer's merged node z = x·Wᵀ + b in a layer view (one display op per layer, not in gradviz.ops).

>>> import numpy as np
>>> from gradviz import Tensor, nn, trace
>>> model = nn.Linear(2, 1, seed=0)
>>> with trace() as t:
...     loss = model(Tensor(np.ones((3, 2)))).sum()
...     loss.backward()
>>> [node.op for node in layer_view(t).graph().nodes if node.op]
['affine', 'sum']
"""


class _Layer(NamedTuple):
    """One fully connected layer found in a graph: node ids, and which ops its z merges."""

    number: int  # from 1, in forward order
    x: str  # its input
    weight: str
    bias: str | None
    z: str  # the last merged op: its result is the layer's z
    merged: tuple[str, ...]  # the op nodes z replaces (transpose, matmul, add)
    transposed: bool  # z = x·Wᵀ + b (nn.Linear, keras Dense) or z = x·W + b (a hand-written x @ W)


# -- the merged op ---------------------------------------------------------------------------------


def _formulas(number: int, transposed: bool, bias: bool) -> dict[str, tuple[str, str]]:
    """Layer `number`'s formulas as templates over the input names, (text, LaTeX) by input: "z" the forward,
    "x", "W" and "b" what each input gets from δⁿ = ∂L/∂zⁿ. The op's rules and the frames' words both read them."""
    delta, delta_latex = "δ" + layer_label("", number), rf"\delta^{{{{{number}}}}}"
    if transposed:
        formulas = {
            "z": ("{x} · {W}ᵀ", r"{x} {W}^\top"),
            "x": (f"{delta} · {{W}}", rf"{delta_latex} {{W}}"),
            "W": (f"{delta}ᵀ · {{x}}", rf"({delta_latex})^\top {{x}}"),
        }
    else:
        formulas = {
            "z": ("{x} · {W}", "{x} {W}"),
            "x": (f"{delta} · {{W}}ᵀ", rf"{delta_latex} {{W}}^\top"),
            "W": (f"{{x}}ᵀ · {delta}", rf"{{x}}^\top {delta_latex}"),
        }
    if bias:
        text, latex = formulas["z"]
        formulas["z"] = (text + " + {b}", latex + " + {b}")
        formulas["b"] = (f"Σ {delta}", rf"\sum {delta_latex}")
    return formulas


@cache
def _affine_op(number: int, transposed: bool, bias: bool) -> Op:
    """The display op of layer `number`'s z: its forward and its VJPs, the arithmetic read from matmul's
    registered rules (one op, one place), the formulas written with δⁿ = ∂L/∂zⁿ."""
    matmul = OPS["matmul"]
    grad_a, grad_b = matmul.rules[0].vjp, matmul.rules[1].vjp

    def right(xp, W):
        return xp.swapaxes(W, -1, -2) if transposed else W

    def forward(xp, x, W, b=None, *, layer=number):
        z = xp.matmul(x, right(xp, W))
        return z if b is None else z + b

    def of_x(xp, g, out, x, W, b=None, *, layer=number):
        return grad_a(xp, g, out, x, right(xp, W))

    def of_w(xp, g, out, x, W, b=None, *, layer=number):
        return right(xp, grad_b(xp, g, out, x, right(xp, W)))

    def of_b(xp, g, out, x, W, b=None, *, layer=number):
        return g  # summed over the samples by the engine, as for any broadcast input

    formulas = _formulas(number, transposed, bias)
    inputs = ("x", "W", "b") if bias else ("x", "W")
    made = Op(
        name=AFFINE,
        symbol=("xWᵀ" if transposed else "xW") + ("+b" if bias else ""),
        forward=forward,
        text=formulas["z"][0],
        latex=formulas["z"][1],
        elementwise=False,
        scalar=False,
        inputs=inputs,
        params=("layer",),
        doc=f"layer {number}: z = {formulas['z'][0]}",
    )
    for name, rule in zip(inputs, (of_x, of_w, of_b), strict=False):
        made.vjp(name, *formulas[name])(rule)
    return made


# -- finding the layers ------------------------------------------------------------------------------


def _children(graph: Graph) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    for e in graph.edges:
        children[e.source].append(e.target)
    return children


def _is_parameter(node, ndim: int) -> bool:
    return not node.op and node.kind != "constant" and not node.scalar and len(node.shape) == ndim


def _find_layers(graph: Graph) -> list[_Layer]:
    """Every x @ Wᵀ (+ b) of a leaf W in the graph, in forward order: the ops a Linear/Dense layer records in its
    name scope. A matmul whose result (or transpose) is used elsewhere too stays as it is."""
    children = _children(graph)
    layers: list[_Layer] = []
    for node in graph.nodes:
        if node.op != "matmul":
            continue
        x, right = node.inputs
        right_node = graph[right]
        if right_node.op == "transpose" and right_node.params.get("axes") is None and children[right] == [node.id]:
            weight, merged, transposed = right_node.inputs[0], [right, node.id], True
        elif not right_node.op:
            weight, merged, transposed = right, [node.id], False
        else:
            continue
        if not _is_parameter(graph[weight], 2):
            continue
        z, bias = node.id, None
        users = children[node.id]
        if len(users) == 1 and graph[users[0]].op == "add":
            add = graph[users[0]]
            other = [i for i in add.inputs if i != node.id]
            if len(other) == 1 and _is_parameter(graph[other[0]], 1) and graph[other[0]].shape[-1] == node.shape[-1]:
                z, bias = add.id, other[0]
                merged.append(add.id)
        if len({graph[i].scope for i in merged}) != 1:
            continue  # not the ops of one layer's scope
        layers.append(_Layer(len(layers) + 1, x, weight, bias, z, tuple(merged), transposed))
    return layers


def is_layer_view(source) -> bool:
    """Whether a Trace or Graph is a layer view (made by :func:`layer_view`): it has merged layer nodes.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> model = nn.Linear(2, 1, seed=0)
    >>> loss = model(Tensor(np.ones((3, 2)))).sum()
    >>> is_layer_view(Trace.of(loss)), is_layer_view(layer_view(Trace.of(loss)))
    (False, True)
    """
    graph = source.graph() if isinstance(source, Trace) else source
    return any(node.op == AFFINE for node in graph.nodes)


# -- the view ----------------------------------------------------------------------------------------


def _recorded_values(source, graph: Graph) -> dict[str, Any]:
    """Each node's value as the recorded step computed it (the leaves as the last backward pass saw them)."""
    values = {n.id: n.value for n in graph.nodes}
    if isinstance(source, Trace):
        for step in source.forward_steps:
            try:
                values[graph.node_of(step.node).id] = step.value
            except KeyError:  # a step of another computation recorded in the same block
                continue
        if source.outputs:
            leaves = source.leaf_values()
            for n in graph.leaves:
                if id(n.ref) in leaves:
                    values[n.id] = leaves[id(n.ref)]
    return values


def layer_view(source) -> Trace:
    """The layer view of a recorded step of a tensor network (a :class:`gradviz.Trace`, or a Graph as it is now).

    Each fully connected layer (nn.Linear, keras Dense, or a hand-written ``x @ W + b`` of parameters) becomes
    four nodes: ``W¹`` and ``b¹`` with their matrices, ``z¹ = x·W¹ᵀ + b¹`` (the transpose, the matmul and the
    bias addition of the layer's scope, merged), and ``h¹ = act(z¹)``, its activation; layers are numbered from
    1 in forward order. Every other node (the loss, a reshape) stays as it was; the input is labelled ``x`` and
    other labels are kept. The step is replayed on copies of the recorded data, backward included, so the
    returned Trace's frames (:func:`gradviz.viz.frames`) step per layer, its gradients are the recorded step's,
    and nothing of the original graph changes. Scopes are kept, so a big view still folds per layer.

    Raises ValueError when the graph has no fully connected layer (a scalar network: step through it node by
    node), or TypeError for something that is not a Trace or Graph.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> from gradviz.viz import frames
    >>> model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    >>> loss = nn.MSELoss()(model(Tensor(np.ones((4, 2)))), Tensor(np.zeros((4, 1))))
    >>> view = layer_view(Trace.of(loss))
    >>> [frame.active_label for frame in frames(view) if frame.kind == "forward"]
    ['z¹', 'h¹', 'z²', 'v1']
    >>> [frame.active_label for frame in frames(view, mode="backward")][1:-1]
    ['v1', 'z²', 'h¹', 'z¹']
    >>> view.graph()["z²"].spec.format_local(1, ["h¹", "W²", "b²"], "z²")      # ∂L/∂W² = δ²ᵀ · h¹
    'δ²ᵀ · h¹'
    """
    from ..engine import apply
    from ..tensor import Tensor

    if isinstance(source, Trace):
        if not source.forward_steps and not source.backward_steps:
            raise ValueError("layer_view: this trace recorded nothing; record a step with gradviz.trace() first")
        graph = source.graph()
    elif isinstance(source, Graph):
        graph = source
    else:
        raise TypeError(
            f"layer_view takes a gradviz.Trace or Graph, got {type(source).__name__}; for a model use "
            "gradviz.step_through(model, X, y, loss=..., view='layers') or gradviz.nn.record_step"
        )
    if any(n.scalar for n in graph.nodes):
        raise ValueError(
            "layer_view is for tensor networks (nn.Linear / keras Dense layers); a network of scalar Values is "
            "drawn neuron by neuron: step through it as it is"
        )
    layers = _find_layers(graph)
    if not layers:
        raise ValueError(
            "layer_view: this graph has no fully connected layer (x @ Wᵀ + b with W a parameter); step through it "
            "as it is"
        )
    values = _recorded_values(source, graph)
    merged = {i for layer in layers for i in layer.merged if i != layer.z}
    by_z = {layer.z: layer for layer in layers}
    labels: dict[str, str] = {}
    activations = set(activation_names())
    for layer in layers:
        labels.setdefault(layer.weight, layer_label("W", layer.number))
        if layer.bias is not None:
            labels.setdefault(layer.bias, layer_label("b", layer.number))
        labels[layer.z] = layer_label("z", layer.number)
        users = [e.target for e in graph.edges if e.source == layer.z]
        if len(users) == 1:
            user = graph[users[0]]
            if user.spec is not None and len(user.inputs) == 1 and (user.spec.activation or user.op in activations):
                labels[user.id] = layer_label("h", layer.number)
    first_input = graph[layers[0].x]
    if not first_input.op and first_input.auto_label:
        labels[first_input.id] = "x"

    made: dict[str, Any] = {}
    with recording() as replayed:
        for node in graph.nodes:
            if node.id in merged:
                continue
            if not node.op:
                data = np.array(values[node.id], copy=True)
                made[node.id] = Tensor(data, requires_grad=node.kind != "constant", dtype=data.dtype)
            elif node.id in by_z:
                layer = by_z[node.id]
                inputs = (layer.x, layer.weight) + ((layer.bias,) if layer.bias is not None else ())
                spec = _affine_op(layer.number, layer.transposed, layer.bias is not None)
                made[node.id] = apply(spec, tuple(made[i] for i in inputs), {"layer": layer.number})
            else:
                made[node.id] = apply(node.spec, tuple(made[i] for i in node.inputs), dict(node.params) or None)
            rebuilt = made[node.id]
            rebuilt.label = labels.get(node.id, None if node.auto_label else node.label)
            rebuilt.scope = node.scope
        root = made[graph.outputs[0].id]
        root.backward(None if root.data.size == 1 else np.ones_like(root.data))
    return replayed


# -- the words ---------------------------------------------------------------------------------------


def _layer_number(frame: Frame, node_id: str) -> int:
    """Which layer an affine node is: layers are numbered in the order the frame lists them (forward order)."""
    affine = [n.id for n in frame.nodes if n.op == AFFINE]
    return affine.index(node_id) + 1


def _inputs(frame: Frame, node_id: str) -> list[str]:
    edges = sorted((e for e in frame.edges if e.target == node_id), key=lambda e: e.position)
    return [e.source for e in edges]


def _latex_quantity(value, frame: Frame) -> str:
    if np.size(value) == 1:
        return number_latex(np.asarray(value).item())
    return rf"\text{{{quantity(value, language=frame.language)}}}"


def layer_texts(frame: Frame) -> Frame:
    """A frame of a layer view with the course's words: the layer's forward step as one matrix equation, its
    backward step as δ = ∂L/∂z and what the weights, the biases and the layer's input get from it; any other
    frame comes back as it is. A Frame → Frame view (in the frame's language).

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> from gradviz.viz import frames
    >>> model = nn.MLP(2, [3, 1], seed=0)
    >>> loss = nn.MSELoss()(model(Tensor(np.ones((4, 2)))), Tensor(np.zeros((4, 1))))
    >>> loss.label = "L"
    >>> shown = [layer_texts(frame) for frame in frames(layer_view(Trace.of(loss)), language="en")]
    >>> print(shown[-2].equation)
    δ¹ = ∂L/∂z¹ = a 4×3 array
    ∂L/∂W¹ = δ¹ᵀ · x = a 3×2 array
    ∂L/∂b¹ = Σ δ¹ = a 3-element array
    >>> shown[1].caption
    'Layer 1, forward: z¹ = x · W¹ᵀ + b¹ for every sample at once (a 4×3 array: one row per sample, one column per neuron).'
    """
    if frame.active is None or frame.kind not in ("forward", "backward"):
        return frame
    active = frame.node(frame.active)
    language = frame.language
    if active.op == AFFINE:
        number = _layer_number(frame, active.id)
        inputs = [frame.node(i) for i in _inputs(frame, active.id)]
        formulas = _formulas(number, active.symbol.startswith("xWᵀ"), len(inputs) == 3)
        names = dict(zip(("x", "W", "b"), (n.label for n in inputs), strict=False))
        if frame.kind == "backward":
            return _backward_layer(frame, active, number, inputs, formulas, names)
        caption = message(
            "layers.forward_caption",
            language,
            layer=number,
            z=active.label,
            formula=formulas["z"][0].format(**names),
            value=quantity(active.value, language=language),
        )
        return dataclasses.replace(frame, caption=caption)
    sources = _inputs(frame, active.id)
    if frame.kind == "forward" and len(sources) == 1 and frame.node(sources[0]).op == AFFINE:
        z = frame.node(sources[0])
        caption = message(
            "layers.activation_caption",
            language,
            layer=_layer_number(frame, z.id),
            h=active.label,
            activation=active.symbol or active.op,
            z=z.label,
        )
        return dataclasses.replace(frame, caption=caption)
    return frame


def _backward_layer(frame: Frame, z, number: int, inputs: list, formulas: dict, names: dict) -> Frame:
    """Layer `number`'s backward frame: δ, then ∂L/∂W, ∂L/∂b and ∂L/∂x from the edges the frame made active."""
    language = frame.language
    loss = frame.output_label
    delta, delta_latex = "δ" + layer_label("", number), rf"\delta^{{{number}}}"
    into = [e for e in frame.edges if e.target == z.id and e.state == "active"]
    upstream = next((e.upstream for e in into if e.upstream is not None), z.grad)
    lines = [f"{delta} = {d(loss, z.label)} = {quantity(upstream, language=language)}"]
    latex = [rf"{delta_latex} = {d_latex(loss, z.label)} = {_latex_quantity(upstream, frame)}"]
    latex_names = {key: latex_label(name) for key, name in names.items()}
    by_position = {e.position: e for e in into}
    for position, key in ((1, "W"), (2, "b"), (0, "x")):  # the weights, the biases, then what goes on down
        edge = by_position.get(position)
        if edge is None or key not in formulas:
            continue
        name = names[key]
        text, rule_latex = formulas[key]
        value = quantity(edge.contribution, language=language)
        lines.append(f"{d(loss, name)} = {text.format(**names)} = {value}")
        latex.append(
            rf"{d_latex(loss, name)} = {rule_latex.format(**latex_names)} = {_latex_quantity(edge.contribution, frame)}"
        )
    fields = {"layer": number, "delta": delta, "loss": loss, "z": z.label, "weight": names["W"]}
    if "b" in names:
        fields["bias"] = names["b"]
        fields["bias_rule"] = formulas["b"][0].format(**names)
    fields["weight_rule"] = formulas["W"][0].format(**names)
    caption = message(
        "layers.backward_caption" if "b" in names else "layers.backward_caption_no_bias", language, **fields
    )
    if 0 in by_position:
        caption += " " + message(
            "layers.backward_input", language, input=names["x"], loss=loss, rule=formulas["x"][0].format(**names)
        )
    return dataclasses.replace(frame, caption=caption, equation="\n".join(lines), latex=" \\\\\n".join(latex))
