"""The backprop stepper: an ipywidgets UI that steps through a recorded forward and backward pass, frame by frame.

The widget holds the UI state in traitlets — `step`, `mode`, `show_numeric`, `collapse`, `expanded` — and every
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
from ..trace import Trace
from ..viz.dot import THEMES, to_dot
from ..viz.frame import Frame, frames
from ..viz.player import inline_svg
from ..viz.render import render
from ._stepper_html import STYLE, caption_html, fallback_html, node_table
from ._stepper_numeric import DEFAULT_BUDGET, NumericGradients, numeric_gradients
from ._stepper_trace import trace_of

__all__ = ["Stepper", "step_through", "MODES"]

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
COLLAPSE_OVER = 40  # a graph with scopes and more nodes than this starts folded: a notebook cell is not a poster
_MODE_LABELS = {"both": "widgets.mode_both", "forward": "widgets.mode_forward", "backward": "widgets.mode_backward"}
_CACHE_LIMIT = 512  # pictures kept; a long MLP lesson at ~10-80 KB of SVG each stays well under 50 MB


class Stepper(widgets.VBox):
    """Step through the frames of a Trace: previous / next / play, a step slider, the forward, backward or both
    passes, the diagram, the step's caption and equation, and a table of every node's value and gradient so far.

    `trace` is a :class:`gradviz.Trace` (``with gradviz.trace() as t: ...; f.backward()``); use
    :func:`step_through` for an output Value/Tensor built without one. `mode` "both", "forward" or "backward";
    `collapse` folds name scopes (``nn`` layers and neurons) into boxes — None: when the graph has scopes and
    more than 40 nodes — and `expand` names the scopes drawn open; `show_numeric` adds the numerical gradient
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

    def __init__(
        self,
        trace: Trace,
        *,
        mode: str = "both",
        collapse: bool | None = None,
        expand: Iterable[str] = (),
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
        self._numeric: NumericGradients | None = None
        self.graph: Graph = trace.graph()
        self.scopes: list[str] = sorted({p for s in self.graph.scopes() for p in _prefixes(s)})
        if collapse is None:
            collapse = bool(self.scopes) and len(self.graph.nodes) > COLLAPSE_OVER
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
        children = [widgets.HTML(STYLE), controls, widgets.HBox([self.mode_buttons, self.numeric_box], layout=row)]
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
        self.expanded = tuple(self.expand_select.value)
        traitlets.link((self.slider, "value"), (self, "step"))
        traitlets.link((self.mode_buttons, "value"), (self, "mode"))
        traitlets.link((self.numeric_box, "value"), (self, "show_numeric"))
        traitlets.link((self.collapse_box, "value"), (self, "collapse"))
        traitlets.link((self.expand_select, "value"), (self, "expanded"))
        self.observe(self._on_mode, names="mode")
        self.observe(lambda _: self._refresh(), names=["step", "show_numeric", "collapse", "expanded"])
        self._refresh()

    # -- state -----------------------------------------------------------------------------------------

    def _frames_for(self, mode: str) -> list[Frame]:
        key = (mode, get_language())
        if key not in self._frames:
            self._frames[key] = frames(self.trace, mode=mode, precision=self.precision)
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
        key = (mode, index, self.collapse, expanded, get_language())
        svg = self._svgs.get(key)
        if svg is None:
            frame = self._frames_for(mode)[index]
            dot = to_dot(
                frame,
                theme=self.theme,
                rankdir=self.rankdir,
                precision=self.precision,
                collapse=self.collapse,
                expand=expanded,
                max_nodes=self.max_nodes,
            )
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

    def _refresh(self) -> None:
        frame = self.frame
        total = len(self.frames)
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
    mode: str = "both",
    collapse: bool | None = None,
    expand: Iterable[str] = (),
    *,
    show_numeric: bool = False,
    theme: str = "light",
    rankdir: str = "LR",
    precision: int = 4,
    interval_ms: int = 1200,
) -> Stepper:
    """A :class:`Stepper` over the forward and backward pass that produced `output` (a Value, a Tensor or a Trace).

    No trace needs recording: the forward steps are the graph's ops in order and the backward pass is replayed
    from ∂output/∂output = 1 (ones for a Tensor with several elements, as ``output.sum().backward()``) without
    touching any ``.grad``. The leaves' current data are used; if parameters changed after the graph was built,
    record the lesson with ``with gradviz.trace() as t:`` and pass `t`. Options: see Stepper.

    >>> import numpy as np
    >>> from gradviz import Tensor
    >>> W = Tensor(np.array([[0.5], [-0.25]]), requires_grad=True, label="W")
    >>> X = Tensor(np.array([[1.0, 2.0], [3.0, -1.0]]), label="X")
    >>> loss = (X @ W).tanh().sum()
    >>> stepper = step_through(loss, mode="backward")
    >>> stepper.step = len(stepper.frames) - 1
    >>> stepper.frame.node("W").grad.shape, W.grad is None
    ((2, 1), True)
    """
    return Stepper(
        trace_of(output),
        mode=mode,
        collapse=collapse,
        expand=expand,
        show_numeric=show_numeric,
        theme=theme,
        rankdir=rankdir,
        precision=precision,
        interval_ms=interval_ms,
    )
