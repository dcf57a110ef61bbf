"""The training iteration as a lesson: the frames of a trace holding several iterations, with the optimizer's
update frames after each backward pass and a summary of the loss per iteration at the end.

Each iteration (its forward steps, its backward pass) gets the frames a single pass gets — the next
iteration's forward frames show the parameters' new values — then one frame of kind "update" per optimizer
step: the parameters highlighted with their value after the step, and the update written out with its numbers
(``w₁ ← w₁ − η·∂L/∂w₁ = 0.5 − 0.1·(−0.2) = 0.52``; momentum and Adam with their state). `frames(t)` uses this
when the trace recorded an optimizer step or more than one backward pass.

>>> from gradviz import Value, trace
>>> from gradviz.optim import SGD
>>> from gradviz.viz import frames
>>> w = Value(0.5, label="w")
>>> opt = SGD([w], lr=0.1)
>>> with trace() as t:
...     for _ in range(2):
...         opt.zero_grad()
...         loss = w * w
...         loss.label = "L"
...         loss.backward()
...         opt.step()
>>> steps = frames(t, language="en")
>>> [(f.kind, f.iteration) for f in steps if f.kind in ("update", "summary")]
[('update', 0), ('update', 1), ('summary', 1)]
>>> update = next(f for f in steps if f.kind == "update")
>>> print(update.equation)
w ← w − η·∂L/∂w = 0.5 − 0.1 · 1 = 0.4
>>> [(c.label, c.before, c.gradient, round(c.after, 12)) for c in update.updates]
[('w', 0.5, 1.0, 0.4)]
>>> print(steps[-1].equation)
iteration 1: L = 0.25
iteration 2: L = 0.16
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np

from ..i18n import message
from ..trace import Trace, UpdateStep
from .format import array_lines, latex_label, list_separator, number_latex, operand
from .frame import Frame, Frames, _Walkthrough, d, d_latex, quantity

__all__ = ["ParameterChange", "lesson_frames", "losses_per_iteration"]

_WRITTEN_OUT = 6  # arrays of up to this many numbers are written out in an update's equation


class ParameterChange(NamedTuple):
    """One parameter of an update frame: its node `id` and `label`, its value `before` the step, the `gradient`
    used, its value `after`, the learning rate `lr` and the optimizer's `state` for it after the step.

    >>> change = ParameterChange("n1", "w", 0.5, 1.0, 0.4, 0.1, {})
    >>> change.after - change.before
    -0.09999999999999998
    """

    id: str
    label: str
    before: Any
    gradient: Any
    after: Any
    lr: float
    state: dict


def lesson_frames(trace: Trace, mode: str, precision: int, language: str, decimal: str) -> list[Frame]:
    """Every frame of a trace of one or more training iterations: each iteration's frames (``frame.iteration``
    its number, 0-based), its update frames, and with several iterations a last frame of kind "summary" with
    the loss per iteration. ``frames(trace)`` calls it for a trace that recorded an optimizer step.

    >>> from gradviz import Value, trace
    >>> from gradviz.optim import SGD
    >>> w = Value(1.0, label="w")
    >>> opt = SGD([w], lr=0.25)
    >>> with trace() as t:
    ...     (w * w).backward()
    ...     opt.step()
    >>> [frame.kind for frame in lesson_frames(t, "both", 4, "en", ".")]
    ['initial', 'forward', 'backward', 'backward', 'final', 'update']
    """
    made: list[Frame] = []
    losses: list[tuple[str, Any]] = []
    for k in range(trace.iterations):
        part = trace.iteration(k)
        steps = Frames(_Walkthrough(part, mode, precision, language, decimal))
        for frame in steps:
            made.append(replace(frame, index=len(made), iteration=k))
        last = made[-1]
        output = last.node(last.output)
        losses.append((output.label, output.value))
        ids = {id(node.ref): node.id for node in part.graph().nodes}
        for update in part.updates:
            for group in _groups(last, update, ids):  # a network's step: one frame per neuron or layer
                made.append(_update_frame(last, update, group, len(made), k))
    if trace.iterations > 1:
        made.append(_summary_frame(made[-1], losses, len(made)))
    return made


def _groups(last: Frame, update: UpdateStep, ids: dict[int, str]) -> list[tuple[str | None, list]]:
    """The parameters an optimizer step moved that this iteration's graph reaches, grouped by the name scope
    they were made in (a layer, a neuron; None: one group), in the optimizer's order: (scope, [(node id, move)])."""
    groups: dict[str | None, list] = {}
    for move in update.parameters:
        node_id = ids.get(id(move.node))
        if node_id is None:
            continue  # a parameter this iteration's graph does not reach
        groups.setdefault(last.node(node_id).scope, []).append((node_id, move))
    if len(groups) == 1 or not groups:
        return [(None, [pair for pairs in groups.values() for pair in pairs])]
    return list(groups.items())


def _update_frame(last: Frame, update: UpdateStep, group: tuple, index: int, iteration: int) -> Frame:
    """The frame of (a part of) one optimizer step, drawn on the iteration's last frame: each parameter it moved
    active, its value the new one, its gradient the one used."""
    scope, pairs = group
    changes = [
        ParameterChange(node_id, last.node(node_id).label, m.before, m.gradient, m.after, m.hyper["lr"], m.state)
        for node_id, m in pairs
    ]
    moved = {change.id: change for change in changes}
    nodes = tuple(
        node._replace(value=moved[node.id].after, state="active", updated=True) if node.id in moved else node
        for node in last.nodes
    )
    language, precision, decimal = last.language, last.precision, last.decimal
    lrs = sorted({change.lr for change in changes})
    caption = message(
        "updates.caption_scope"
        if scope is not None
        else "updates.caption_one"
        if len(changes) == 1
        else "updates.caption",
        language,
        number=update.index + 1,
        optimizer=update.optimizer,
        lr=" / ".join(quantity(lr, precision, language, decimal) for lr in lrs) or "?",
        count=len(changes),
        scope=scope,
    )
    output = last.node(last.output).label
    lines, latex = [], []
    for change, (_, move) in zip(changes, pairs, strict=True):
        text, tex = _rule(update.optimizer, change, move.hyper, output, precision, language, decimal)
        lines.extend(text)
        latex.extend(tex)
    return replace(
        last,
        index=index,
        kind="update",
        nodes=nodes,
        active=None,
        active_edges=(),
        caption=caption,
        equation="\n".join(lines),
        latex=r" \\ ".join(latex),
        step=update.index,
        iteration=iteration,
        updates=tuple(changes),
    )


def _rule(optimizer: str, change: ParameterChange, hyper: dict, output: str, precision, language, decimal):
    """The update of one parameter written out with its numbers: lines of text and of LaTeX."""

    def q(x):  # a small matrix written out, as the course writes a layer's weights; a large one by its shape
        if isinstance(x, np.ndarray) and 1 < x.size <= _WRITTEN_OUT and x.ndim <= 2:
            rows = array_lines(x, precision, decimal)
            return rows[0] if x.ndim == 1 else "[" + list_separator(decimal).join(rows) + "]"
        return quantity(x, precision, language, decimal)

    def f(x):  # a factor: a negative number in parentheses
        if isinstance(x, np.ndarray) and x.size != 1:
            text = q(x)
            return text if text.startswith("[") else f"[{text}]"
        return operand(float(np.asarray(x).item()), precision, decimal=decimal)

    def tq(x):
        return _latex(x, precision, language, decimal)

    def tf(x):
        return _latex(x, precision, language, decimal, factor=True)

    w, g = change.label, d(output, change.label)
    tw, tg = latex_label(change.label), d_latex(output, change.label)
    before, gradient, after, lr = change.before, change.gradient, change.after, change.lr
    state = change.state
    momentum = hyper.get("momentum") or 0.0
    plain = not hyper.get("weight_decay") and not hyper.get("dampening")
    if optimizer in ("SGD", "Momentum", "Nesterov") and plain and not momentum:
        return (
            [f"{w} ← {w} − η·{g} = {q(before)} − {q(lr)} · {f(gradient)} = {q(after)}"],
            [rf"{tw} \leftarrow {tw} - \eta\,{tg} = {tq(before)} - {tq(lr)} \cdot {tf(gradient)} = {tq(after)}"],
        )
    if optimizer in ("SGD", "Momentum", "Nesterov") and plain and "momentum_buffer" in state:
        velocity = state["momentum_buffer"]
        v = f"v_{w}"
        text = [f"{v} ← μ·{v} + {g} = {q(velocity)}   (μ = {q(momentum)})"]
        tex = [rf"v_{{{tw}}} \leftarrow \mu\, v_{{{tw}}} + {tg} = {tq(velocity)}"]
        if hyper.get("nesterov"):
            text.append(f"{w} ← {w} − η·({g} + μ·{v}) = {q(before)} → {q(after)}")
            tex.append(rf"{tw} \leftarrow {tw} - \eta\,({tg} + \mu\, v_{{{tw}}}) = {tq(after)}")
        else:
            text.append(f"{w} ← {w} − η·{v} = {q(before)} − {q(lr)} · {f(velocity)} = {q(after)}")
            tex.append(
                rf"{tw} \leftarrow {tw} - \eta\, v_{{{tw}}} = {tq(before)} - {tq(lr)} \cdot {tf(velocity)} = {tq(after)}"
            )
        return text, tex
    if optimizer in ("Adam", "AdamW") and "exp_avg" in state and not hyper.get("amsgrad"):
        beta1, beta2 = hyper["betas"]
        t = state.get("step", 1)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        return (
            [
                f"m ← β₁·m + (1 − β₁)·{g} = {q(m)},  m̂ = m/(1 − β₁^{t}) = {q(m_hat)}",
                f"v ← β₂·v + (1 − β₂)·({g})² = {q(v)},  v̂ = v/(1 − β₂^{t}) = {q(v_hat)}",
                f"{w} ← {w} − η·m̂/(√v̂ + ε) = {q(before)} − {f(_minus(before, after))} = {q(after)}",
            ],
            [
                rf"m \leftarrow \beta_1 m + (1 - \beta_1)\,{tg} = {tq(m)},\ \hat m = {tq(m_hat)}",
                rf"v \leftarrow \beta_2 v + (1 - \beta_2)\,({tg})^2 = {tq(v)},\ \hat v = {tq(v_hat)}",
                rf"{tw} \leftarrow {tw} - \eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {tq(before)} - {tf(_minus(before, after))} = {tq(after)}",
            ],
        )
    step = _minus(after, before)  # any other rule: the step it took
    return (
        [f"{w} ← {w} + Δ{w} = {q(before)} + {f(step)} = {q(after)}   ({optimizer}, η = {q(lr)})"],
        [rf"{tw} \leftarrow {tw} + \Delta {tw} = {tq(before)} + {tf(step)} = {tq(after)}"],
    )


def _summary_frame(last: Frame, losses: list[tuple[str, Any]], index: int) -> Frame:
    """The lesson's last frame: the loss of every iteration."""
    language, precision, decimal = last.language, last.precision, last.decimal
    values = [quantity(value, precision, language, decimal) for _, value in losses]
    caption = message("updates.summary", language, losses=" → ".join(values), count=len(losses))
    lines = [
        message("updates.iteration_loss", language, number=k + 1, output=label, value=value)
        for k, ((label, _), value) in enumerate(zip(losses, values, strict=True))
    ]
    nodes = tuple(node._replace(state="done", updated=False) for node in last.nodes)
    return replace(
        last,
        index=index,
        kind="summary",
        nodes=nodes,
        active=None,
        active_edges=(),
        caption=caption,
        equation="\n".join(lines),
        latex=r" \\ ".join(line.replace("_", r"\_") for line in lines),
        step=None,
        updates=(),
    )


def _minus(a, b):
    return np.subtract(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else a - b


def _latex(x, precision: int, language: str, decimal: str, factor: bool = False) -> str:
    """A value in LaTeX; as a `factor`, a negative one in parentheses."""
    if isinstance(x, np.ndarray) and x.size != 1:
        return rf"\text{{{quantity(x, precision, language, decimal)}}}"
    value = float(np.asarray(x).item()) if isinstance(x, np.ndarray) else float(x)
    text = number_latex(value, precision, decimal)
    return f"({text})" if factor and value < 0 else text


def losses_per_iteration(trace: Trace) -> list[float]:
    """The loss (the output of each iteration's last backward pass) of every iteration of a trace, as recorded.

    >>> from gradviz import Value, trace
    >>> from gradviz.optim import SGD
    >>> w = Value(1.0, label="w")
    >>> opt = SGD([w], lr=0.25)
    >>> with trace() as t:
    ...     for _ in range(3):
    ...         opt.zero_grad()
    ...         (w * w).backward()
    ...         opt.step()
    >>> losses_per_iteration(t)
    [1.0, 0.25, 0.0625]
    """
    losses = []
    for k in range(trace.iterations):
        part = trace.iteration(k)
        if not part.backward_steps:
            continue
        seed = next(step for step in reversed(part.backward_steps) if step.seed)  # its last pass began there
        value = next((s.value for s in part.forward_steps if s.node is seed.node), None)
        losses.append(float(np.sum(value if value is not None else seed.node.data)))
    return losses
