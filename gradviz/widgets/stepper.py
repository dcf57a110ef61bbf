"""The backprop stepper: an ipywidgets UI that steps through a recorded forward and backward pass, frame by frame.

The widget holds the UI state in traitlets — `step`, `mode`, `show_numeric`, `collapse`, `expanded`, `focus` — and every
change recomputes the picture from the pure functions (`gradviz.viz.frames`, `to_dot`, `render`); it computes
nothing itself. Pictures are cached per (step, mode, options), so stepping back is instant.

>>> from gradviz import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> q = x + y
>>> q.label = "q"
>>> f = q * z
>>> f.label = "f"
>>> stepper = step_through(f)
>>> len(stepper.frames), stepper.frame.kind
(7, 'initial')
>>> stepper.next()
>>> stepper.frame.equation
'q = x + y = (−2) + 5 = 3'
>>> stepper.step = 5
>>> print(stepper.frame.equation)
∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4
∂f/∂y = ∂f/∂q · ∂q/∂y = (−4) · 1 = −4
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets
import traitlets

from ..graph import Graph
from ..i18n import get_language, message
from ..nn.module import Module
from ..nn.record import record_step
from ..trace import Trace
from ..viz.collapse import FOCUS_NODES
from ..viz.dot import THEMES, fixed_layout, to_dot
from ..viz.frame import Frame, frames
from ..viz.layers import is_layer_view, layer_texts, layer_view
from ..viz.player import inline_svg
from ..viz.render import render
from ._stepper_html import STYLE, caption_html, fallback_html, node_table
from ._stepper_numeric import DEFAULT_BUDGET, NumericGradients, numeric_gradients
from ._stepper_trace import trace_of

__all__ = ["Stepper", "step_through", "MODES", "VIEWS"]

MODES = ("both", "forward", "backward")
"""The passes a Stepper can step through: both (forward, then backward), only forward, or only backward.

>>> from gradviz import Value
>>> from gradviz.widgets.stepper import MODES, step_through
>>> a, b = Value(3.0, label="a"), Value(-1.0, label="b")
>>> c = a * b
>>> for mode in MODES:
...     print(mode, [frame.kind for frame in step_through(c, mode=mode).frames])
both ['initial', 'forward', 'backward', 'backward', 'final']
forward ['initial', 'forward']
backward ['backward', 'backward', 'final']
"""
VIEWS = ("nodes", "layers")
"""What a model's step is drawn as: every op a node ("nodes"), or each layer's W, b, z and h a node ("layers").

``step_through(model, X, y, view=None)`` picks "layers" for a tensor network whose graph has more than
``LAYERS_OVER`` nodes, else "nodes".

>>> import numpy as np
>>> from gradviz import nn
>>> from gradviz.widgets.stepper import VIEWS, step_through
>>> model = nn.MLP(2, [3, 1], seed=0)
>>> for view in VIEWS:
...     print(view, len(step_through(model, np.ones((4, 2)), np.zeros(4), loss="mse", view=view).graph.nodes))
nodes 14
layers 10
"""
COLLAPSE_OVER = 40  # a graph with scopes and more nodes than this starts folded: a notebook cell is not a poster
LAYERS_OVER = 12  # a model step with more nodes than this steps through its layer view unless told otherwise
_MODE_LABELS = {"both": "widgets.mode_both", "forward": "widgets.mode_forward", "backward": "widgets.mode_backward"}
_CACHE_LIMIT = 512  # pictures kept; a long MLP lesson at ~10-80 KB of SVG each stays well under 50 MB


class Stepper(widgets.VBox):
    """Step through the frames of a Trace: previous / next / play, a step slider, the forward, backward or both
    passes, the diagram, the step's caption and equation, and a table of every node's value and gradient so far.

    `trace` is a :class:`gradviz.Trace` (``with gradviz.trace() as t: ...; f.backward()``); use
    :func:`step_through` for an output Value/Tensor built without one. `mode` "both", "forward" or "backward";
    `collapse` folds name scopes (``nn`` layers and neurons) into boxes — None: when the graph has scopes and
    more than 40 nodes — and `expand` names the scopes drawn open; `focus` draws each step's active node, its inputs
    and outputs and the way to the output at full size with the rest folded and a small overview (None: when the
    graph has more than ``gradviz.viz.collapse.FOCUS_NODES`` value nodes and is not folded); `show_numeric` adds the numerical gradient
    (central differences) of every node to the table. `theme`, `rankdir` and `precision` go to `to_dot`;
    `interval_ms` is the pace of Play.

    Keyboard: every control is reachable with Tab; on the slider ← and → step, Home and End jump to the first
    and last step; Enter or Space presses a focused button. Without a widget front end (nbconvert, GitHub) the
    notebook shows the last step's picture and a note instead.

    The traitlets can be set from code as well (``stepper.step = 4``, ``stepper.mode = "backward"``); `frame`,
    `frames` and `svg` read what is shown.

    >>> from gradviz import Value, trace
    >>> a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    >>> with trace() as t:
    ...     c = a * b
    ...     c.label = "c"
    ...     c.backward()
    >>> stepper = Stepper(t, mode="backward")
    >>> [frame.kind for frame in stepper.frames], stepper.counter.value
    (['backward', 'backward', 'final'], 'step 1 of 3')
    >>> stepper.next(); stepper.next(); stepper.next()   # the last step stays the last
    >>> stepper.step, stepper.next_button.disabled
    (2, True)
    """

    step = traitlets.Int(0, help="The index of the frame shown, into `frames`.")
    mode = traitlets.Enum(MODES, "both", help="Which passes to step through.")
    show_numeric = traitlets.Bool(False, help="Show each node's numerical gradient next to the analytic one.")
    collapse = traitlets.Bool(False, help="Fold name scopes into boxes.")
    expanded = traitlets.Tuple(help="The scopes drawn open while `collapse` is on.")
    focus = traitlets.Bool(False, help="Draw each step's focus at full size, the rest folded, with an overview.")

    def __init__(
        self,
        trace: Trace,
        *,
        mode: str = "both",
        collapse: bool | None = None,
        expand: Iterable[str] = (),
        focus: bool | None = None,
        show_numeric: bool = False,
        theme: str = "light",
        rankdir: str = "LR",
        precision: int = 4,
        interval_ms: int = 1200,
        max_nodes: int = 150,
        numeric_budget: int = DEFAULT_BUDGET,
    ) -> None:
        if not isinstance(trace, Trace):
            raise TypeError(
                f"Stepper takes a gradviz.Trace, got {type(trace).__name__}; for an output Value or Tensor "
                "use gradviz.step_through(output)"
            )
        if mode not in MODES:
            raise ValueError(f"Stepper(mode=...) is 'both', 'forward' or 'backward', got {mode!r}")
        if theme not in THEMES:
            raise ValueError(f"Stepper(theme=...) is one of {', '.join(THEMES)}, got {theme!r}")
        if rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(f"Stepper(rankdir=...) is 'LR' or 'TB' (or 'RL', 'BT'), got {rankdir!r}")
        if not isinstance(interval_ms, int) or interval_ms <= 0:
            raise ValueError(f"Stepper(interval_ms=...) is a positive number of milliseconds, got {interval_ms!r}")
        if isinstance(expand, str):
            expand = [expand]
        self.trace = trace
        self.theme, self.rankdir, self.precision, self.max_nodes = theme, rankdir, precision, max_nodes
        self.numeric_budget = numeric_budget
        self._frames: dict[tuple[str, str], list[Frame]] = {}
        self._svgs: dict[tuple, str] = {}
        self._layouts: dict[tuple, object] = {}  # one Layout per mode and picture options
        self._numeric: NumericGradients | None = None
        self.graph: Graph = trace.graph()
        self.layer_view = is_layer_view(self.graph)  # its frames are worded layer by layer
        self.scopes: list[str] = sorted({p for s in self.graph.scopes() for p in _prefixes(s)})
        if collapse is None:
            collapse = bool(self.scopes) and len(self.graph.nodes) > COLLAPSE_OVER
        if focus is None:  # folded scopes already make a small picture
            focus = not collapse and len(self.graph.nodes) > FOCUS_NODES
        try:
            expand = self._scope_paths(expand)
        except ValueError as error:
            raise ValueError(f"Stepper(expand=...): {error}") from None
        shown = self._frames_for(mode)

        self.previous_button = widgets.Button(
            description=message("widgets.previous"), icon="step-backward", tooltip=message("widgets.previous")
        )
        self.next_button = widgets.Button(
            description=message("widgets.next"), icon="step-forward", tooltip=message("widgets.next")
        )
        self.play = widgets.Play(value=0, min=0, max=len(shown) - 1, step=1, interval=interval_ms, show_repeat=False)
        self.play.tooltip = message("widgets.play")
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=len(shown) - 1,
            description=message("widgets.slider"),
            readout=False,
            continuous_update=True,
            layout=widgets.Layout(width="320px"),
        )
        self.counter = widgets.Label()
        self.mode_buttons = widgets.ToggleButtons(
            options=[(message(key), name) for name, key in _MODE_LABELS.items()],
            value=mode,
            tooltips=[message("widgets.mode")] * len(_MODE_LABELS),
            style={"button_width": "auto"},
        )
        self.numeric_box = widgets.Checkbox(
            value=show_numeric, description=message("widgets.show_numeric"), indent=False
        )
        self.numeric_box.tooltip = message("widgets.show_numeric_tip")
        self.collapse_box = widgets.Checkbox(value=collapse, description=message("widgets.collapse"), indent=False)
        # a training lesson (several iterations, optimizer updates): jump to an iteration
        self.iterations = sorted({frame.iteration for frame in shown})
        self.iteration_select = widgets.Dropdown(
            options=[(message("widgets.iteration_option", number=k + 1), k) for k in self.iterations],
            value=self.iterations[0],
            description=message("widgets.iteration"),
            style={"description_width": "initial"},
        )
        self.iteration_select.observe(self._on_iteration, names="value")
        self.focus_box = widgets.Checkbox(value=bool(focus), description=message("widgets.focus"), indent=False)
        self.focus_box.tooltip = message("widgets.focus_tip")
        self.expand_select = widgets.SelectMultiple(
            options=self.scopes,
            value=expand,
            description=message("widgets.expand"),
            rows=min(6, max(2, len(self.scopes))),
            style={"description_width": "initial"},
        )
        self.diagram = widgets.HTML()
        self.caption = widgets.HTML()
        self.table = widgets.HTML()
        self.note = widgets.HTML(f'<span class="gradviz-note">{message("widgets.keys")}</span>')
        for control, name in [
            (self.previous_button, "previous"),
            (self.next_button, "next"),
            (self.play, "play"),
            (self.slider, "slider"),
            (self.counter, "counter"),
            (self.mode_buttons, "mode"),
            (self.numeric_box, "numeric"),
            (self.collapse_box, "collapse"),
            (self.focus_box, "focus"),
            (self.iteration_select, "iteration"),
            (self.expand_select, "expand"),
            (self.diagram, "diagram"),
            (self.caption, "caption"),
            (self.table, "table"),
            (self.note, "keys"),
        ]:
            control.add_class(f"gradviz-{name}")

        # Play drives the slider in the browser (no round trip per tick); the slider drives `step` in Python
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.previous_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        controls = widgets.HBox(
            [self.previous_button, self.play, self.next_button, self.slider, self.counter],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )
        row = widgets.Layout(align_items="center", flex_flow="row wrap")
        children = [
            widgets.HTML(STYLE),
            controls,
            widgets.HBox([self.mode_buttons, self.numeric_box, self.focus_box], layout=row),
        ]
        if len(self.iterations) > 1:
            children.append(widgets.HBox([self.iteration_select], layout=row))
        if self.scopes:
            children.append(widgets.HBox([self.collapse_box, self.expand_select], layout=row))
        children += [
            self.caption,
            self.diagram,
            self.table,
            self.note,
        ]
        super().__init__(children)
        self.add_class("gradviz-stepper")

        self.mode = mode
        self.show_numeric = show_numeric
        self.collapse = collapse
        self.focus = bool(focus)
        self.expanded = tuple(self.expand_select.value)
        traitlets.link((self.slider, "value"), (self, "step"))
        traitlets.link((self.mode_buttons, "value"), (self, "mode"))
        traitlets.link((self.numeric_box, "value"), (self, "show_numeric"))
        traitlets.link((self.collapse_box, "value"), (self, "collapse"))
        traitlets.link((self.focus_box, "value"), (self, "focus"))
        traitlets.link((self.expand_select, "value"), (self, "expanded"))
        self.observe(self._on_mode, names="mode")
        self.observe(lambda _: self._refresh(), names=["step", "show_numeric", "collapse", "expanded", "focus"])
        self._refresh()

    # -- state -----------------------------------------------------------------------------------------

    def _frames_for(self, mode: str) -> list[Frame]:
        key = (mode, get_language())
        if key not in self._frames:
            made = frames(self.trace, mode=mode, precision=self.precision)
            # a layer view is a few frames per layer: worded eagerly, as the course says each step
            self._frames[key] = [layer_texts(frame) for frame in made] if self.layer_view else made
        return self._frames[key]

    @property
    def frames(self) -> list[Frame]:
        """The frames of the current mode."""
        return self._frames_for(self.mode)

    @property
    def frame(self) -> Frame:
        """The frame shown now."""
        return self.frames[self.step]

    @traitlets.validate("step")
    def _valid_step(self, proposal):
        value = proposal["value"]
        count = len(self.frames)
        if not 0 <= value < count:
            raise traitlets.TraitError(
                f"Stepper.step = {value}: this stepper has {count} frames in mode {self.mode!r}, so step is 0 to {count - 1}"
            )
        return value

    def _scope_paths(self, names: Iterable[str]) -> tuple[str, ...]:
        """The full scope paths that `names` mean: a full path, or its last parts ("layer1" for "mlp/layer1")."""
        paths: list[str] = []
        for name in names:
            name = str(name).strip("/")
            matched = [p for p in self.scopes if p == name or p.endswith("/" + name)]
            if not matched:
                raise ValueError(f"the graph has no scope {name!r}; its scopes are: {', '.join(self.scopes) or 'none'}")
            paths += [p for p in matched if p not in paths]
        return tuple(paths)

    @traitlets.validate("expanded")
    def _valid_expanded(self, proposal):
        try:
            return self._scope_paths(proposal["value"])
        except ValueError as error:
            raise traitlets.TraitError(f"Stepper.expanded: {error}") from None

    def _on_mode(self, change) -> None:
        before = self._frames_for(change["old"])[self.step]  # `step` still indexes the old mode's frames
        shown = self.frames
        # stay on the same moment of the lesson when the new mode has it (the same forward or backward step)
        index = next(
            (i for i, frame in enumerate(shown) if frame.kind == before.kind and frame.step == before.step),
            0 if before.kind in ("initial", "forward") else len(shown) - 1,
        )
        last = len(shown) - 1
        # widen the ranges first, so that neither widget clamps the new step; then fit them to the new mode
        self.slider.max = self.play.max = max(self.slider.max, last)
        self.step = index
        self.slider.max = self.play.max = last
        self._refresh()

    def next(self) -> None:
        """Show the next frame (the last one stays)."""
        self.step = min(self.step + 1, len(self.frames) - 1)

    def previous(self) -> None:
        """Show the previous frame (the first one stays)."""
        self.step = max(self.step - 1, 0)

    # -- pictures --------------------------------------------------------------------------------------

    def svg_of(self, index: int, mode: str | None = None) -> str:
        """The SVG of frame `index` of `mode` (default: the current mode) with the current options, ready to sit
        inside HTML (ids prefixed per frame); rendered once, then cached."""
        mode = self.mode if mode is None else mode
        expanded = tuple(self.expanded) if self.collapse else ()
        key = (mode, index, self.collapse, expanded, self.focus, get_language())
        svg = self._svgs.get(key)
        if svg is None:
            steps = self._frames_for(mode)
            picture = {
                "theme": self.theme,
                "precision": self.precision,
                "collapse": self.collapse,
                "expand": expanded,
                "max_nodes": self.max_nodes,
                "focus": self.focus,
            }
            # one layout for every step (measured on the last frame, which holds each node's largest text):
            # stepping moves nothing
            layout_key = key[:1] + key[2:]
            layout = self._layouts.get(layout_key)
            if layout is None:
                layout = self._layouts[layout_key] = fixed_layout([steps[-1]], **picture)
            dot = to_dot(steps[index], rankdir=self.rankdir, layout=layout, **picture)
            if len(self._svgs) >= _CACHE_LIMIT:
                self._svgs.pop(next(iter(self._svgs)))
            svg = self._svgs[key] = inline_svg(render(dot, "svg").decode("utf-8"), f"gv{id(self)}-{mode[0]}{index}-")
        return svg

    @property
    def svg(self) -> str:
        """The SVG of the frame shown now."""
        return self.svg_of(self.step)

    def numeric(self) -> NumericGradients:
        """Every node's numerical gradient (central differences), computed on first use."""
        if self._numeric is None:
            seeds = [s for s in self.trace.backward_steps if s.seed]
            seed = seeds[-1].upstream if seeds else None
            # at the data the recorded pass used: parameters may have changed since (an optimizer step)
            leaves = self.trace.leaf_values() if self.trace.outputs else None
            self._numeric = numeric_gradients(self.graph, seed, budget=self.numeric_budget, leaf_values=leaves)
        return self._numeric

    def go_to_iteration(self, k: int) -> None:
        """Show the first frame of training iteration `k` (0-based) of a lesson that recorded optimizer steps."""
        for index, frame in enumerate(self.frames):
            if frame.iteration == k:
                self.step = index
                return
        raise IndexError(f"this lesson has iterations {self.iterations[0]} to {self.iterations[-1]}; got {k}")

    def _on_iteration(self, change) -> None:
        if self.frame.iteration != change["new"]:
            self.go_to_iteration(change["new"])

    def _refresh(self) -> None:
        frame = self.frame
        total = len(self.frames)
        if frame.iteration in self.iterations:
            self.iteration_select.value = frame.iteration
        # jslink copies Play's value onto the slider when the page loads: Play must already agree with `step`
        self.play.value = self.step
        self.counter.value = message("widgets.step_of", step=self.step + 1, total=total)
        self.previous_button.disabled = self.step == 0
        self.next_button.disabled = self.step == total - 1
        self.expand_select.disabled = not self.collapse
        self.caption.value = caption_html(frame)
        self.diagram.value = (
            f'<div class="gradviz-frame" data-step="{self.step}" data-kind="{frame.kind}">{self.svg}</div>'
        )
        table = node_table(frame, self.numeric().gradients if self.show_numeric else None, precision=self.precision)
        if self.show_numeric:
            skipped = len(self.numeric().skipped)
            notes = [message("widgets.numeric_note")]
            if skipped:
                notes.append(message("widgets.numeric_skipped", count=skipped))
            table += "".join(f'<p class="gradviz-note">{note}</p>' for note in notes)
        self.table.value = table

    # -- notebooks without a widget front end --------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The widget view for Jupyter, plus the last frame's picture and a note as HTML for the rest."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        last = len(self.frames) - 1
        bundle["text/html"] = fallback_html(self.svg_of(last), self.frames[last], last + 1)
        return bundle

    def __repr__(self) -> str:
        return f"<Stepper: {len(self.frames)} frames ({self.mode}), showing {self.step}: {self.frame.kind}>"


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def step_through(
    output,
    X=None,
    y=None,
    *,
    loss=None,
    optimizer=None,
    iterations: int = 1,
    view: str | None = None,
    mode: str = "both",
    collapse: bool | None = None,
    expand: Iterable[str] = (),
    focus: bool | None = None,
    show_numeric: bool = False,
    theme: str = "light",
    rankdir: str = "LR",
    precision: int = 4,
    interval_ms: int = 1200,
) -> Stepper:
    """A :class:`Stepper` over the forward and backward pass that produced `output` (a Value, a Tensor or a Trace),
    or over one training step of a model: ``step_through(model, X, y, loss="mse")``.

    For an output no trace needs recording: the forward steps are the graph's ops in order and the backward pass
    is replayed from ∂output/∂output = 1 (ones for a Tensor with several elements, as ``output.sum().backward()``)
    without touching any ``.grad``. The leaves' current data are used; if parameters changed after the graph was
    built, record the lesson with ``with gradviz.trace() as t:`` and pass `t`.

    For a model (a gradviz.nn Module or a gradviz.keras Sequential) give the batch `X`, its targets `y` and the
    `loss` ("mse", "bce", "cross_entropy", a Keras name such as "binary_crossentropy", a loss Module or function;
    a compiled keras model's own by default): :func:`gradviz.nn.record_step` records the forward pass, the loss
    ``L`` and the backward pass, and leaves the model as it was (every ``.grad`` is put back, no ``.data``
    changes). `view` "layers" draws each layer's ``W¹``, ``b¹``, ``z¹ = x·W¹ᵀ + b¹`` and ``h¹`` as one node each
    (:func:`gradviz.viz.layer_view`), "nodes" every op; None: the layer view for a tensor network of more than
    12 nodes (any output or trace may ask for ``view="layers"`` too). With an `optimizer` (gradviz.optim, over the
    model's parameters) the lesson is `iterations` training steps, each with its update frames, and the model is
    trained by them. Options: see Stepper.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> W = Tensor(np.array([[0.5], [-0.25]]), requires_grad=True, label="W")
    >>> X = Tensor(np.array([[1.0, 2.0], [3.0, -1.0]]), label="X")
    >>> loss = (X @ W).tanh().sum()
    >>> stepper = step_through(loss, mode="backward")
    >>> stepper.step = len(stepper.frames) - 1
    >>> stepper.frame.node("W").grad.shape, W.grad is None
    ((2, 1), True)
    >>> model = nn.MLP(2, [4, 3, 1], activation="tanh", seed=0)
    >>> lesson = step_through(model, np.ones((5, 2)), np.zeros(5), loss="mse")
    >>> [frame.active_label for frame in lesson.frames if frame.kind == "forward"]
    ['z¹', 'h¹', 'z²', 'h²', 'z³', 'L']
    >>> all(p.grad is None for p in model.parameters())
    True
    """
    if view is not None and view not in VIEWS:
        raise ValueError(
            f"step_through(view=...) is 'nodes', 'layers' or None (the layer view for a big model), got {view!r}"
        )
    if isinstance(output, Module):
        if X is None or y is None:
            raise TypeError(
                f"step_through({type(output).__name__}) steps through one training step: give the batch and its "
                "targets, step_through(model, X, y, loss='mse')"
            )
        recorded = record_step(output, X, y, loss, optimizer=optimizer, iterations=iterations)
        if optimizer is None and view is None and len(recorded.graph().nodes) > LAYERS_OVER:
            try:
                recorded = layer_view(recorded)
            except ValueError:  # no fully connected layer to show as one (a scalar network): every node it is
                pass
    else:
        if X is not None or y is not None or loss is not None:
            raise TypeError(
                "step_through(output, X, y, loss=...) is for a model (a gradviz.nn Module or a keras Sequential); "
                f"for a {type(output).__name__} give the options by name: step_through(output, mode='backward')"
            )
        recorded = trace_of(output)
    if view == "layers":
        recorded = layer_view(recorded)
    return Stepper(
        recorded,
        mode=mode,
        collapse=collapse,
        expand=expand,
        focus=focus,
        show_numeric=show_numeric,
        theme=theme,
        rankdir=rankdir,
        precision=precision,
        interval_ms=interval_ms,
    )
