"""draw(): one picture of a graph or of one step of a trace, shown as SVG in Jupyter, saved with .save().

>>> from gradviz import Value
>>> x = Value(3.0, label="x")
>>> picture = draw(x * x)
>>> picture.frame.kind, "×" in picture.dot.source
('final', True)
"""

from __future__ import annotations

import operator
from pathlib import Path

from ..graph import Graph
from ..trace import Trace
from .dot import fixed_layout, to_dot
from .frame import Frame, frames
from .render import RendererNotFound, render, save

__all__ = ["Drawing", "draw"]


class Drawing:
    """A Frame and its graphviz.Digraph (`dot`); Jupyter shows it as SVG, `save()` writes svg/png/pdf/dot.

    >>> import pathlib, tempfile
    >>> from gradviz import Value, draw
    >>> x = Value(3.0, label="x")
    >>> picture = draw(x * 2)
    >>> picture.source.startswith("digraph"), picture.svg.startswith("<?xml")
    (True, True)
    >>> picture.save(pathlib.Path(tempfile.mkdtemp()) / "double.png").suffix
    '.png'
    """

    def __init__(self, frame: Frame, dot, *, engine: str | None = None):
        self.frame = frame
        self.dot = dot
        self.engine = engine
        self._svg: str | None = None

    @property
    def source(self) -> str:
        """The DOT text."""
        return self.dot.source

    def render(self, format: str = "svg", **options) -> bytes:
        """The picture as svg, png or pdf bytes (see gradviz.viz.render)."""
        options.setdefault("engine", self.engine)
        return render(self.dot, format, **options)

    @property
    def svg(self) -> str:
        """The picture as SVG text (rendered once, then kept)."""
        if self._svg is None:
            self._svg = self.render("svg").decode("utf-8")
        return self._svg

    def save(self, path, format: str | None = None, **options) -> Path:
        """Write the picture; the format comes from the extension (.svg, .png, .pdf, .dot)."""
        options.setdefault("engine", self.engine)
        return save(self.dot, path, format, **options)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/plain": repr(self)}
        if _wanted("image/svg+xml", include, exclude):
            try:
                bundle["image/svg+xml"] = self.svg
            except RendererNotFound as missing:  # the notebook still shows something useful
                bundle["text/plain"] = f"{self!r}\n(cannot draw: {missing})"
        return {key: value for key, value in bundle.items() if _wanted(key, include, exclude)}

    def __repr__(self) -> str:
        return f"<Drawing of frame {self.frame.index} ({self.frame.kind}): {self.frame.caption}>"


def draw(source, step: int | None = None, *, mode: str = "both", engine: str | None = None, **dot_options) -> Drawing:
    """A picture of `source`: an output Value/Tensor or a Graph (as it is now), a Trace (its step `step`,
    an index into ``frames(trace)``, negative counting from the end; default the last), or a Frame. Of a
    Trace only that one frame is built, so drawing a step of a trace of thousands of steps stays quick.

    Options go to `to_dot`: theme, rankdir, precision, expand, collapse, max_nodes, caption...

    >>> from gradviz import Value, trace
    >>> x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    >>> with trace() as t:
    ...     f = x * y
    ...     f.backward()
    >>> draw(t, step=1).frame.caption
    'Forward step 1 of 1: the × node computes v1 from x and y.'
    """
    if isinstance(source, Frame):
        frame = source
    elif isinstance(source, Trace):
        precision = dot_options.get("precision", 4)
        every = frames(source, mode=mode, precision=precision)  # lazy: only the frame read is built
        try:
            index = len(every) - 1 if step is None else operator.index(step)
        except TypeError:
            raise TypeError(f"draw(trace, step=...) is a frame index (an integer), got {step!r}") from None
        if not -len(every) <= index < len(every):
            raise IndexError(
                f"draw(trace, step={step}): this trace has {len(every)} frames, so step is 0 to {len(every) - 1}"
            )
        frame = every[index]
        if "layout" not in dot_options:  # the layout of the whole walkthrough: each step puts each node in one place
            measured = {key: value for key, value in dot_options.items() if key != "rankdir"}
            try:
                dot_options["layout"] = fixed_layout([frame, every[-1]], engine=engine, **measured)
            except RendererNotFound:  # nothing to measure with: the picture says so when it is drawn
                pass
    else:
        if step is not None:
            raise TypeError("draw(..., step=k) needs a Trace: record one with `with gradviz.trace() as t:`")
        frame = frames(source, precision=dot_options.get("precision", 4))[0]
    return Drawing(frame, to_dot(frame, **dot_options), engine=engine)


def _wanted(mime: str, include, exclude) -> bool:
    """Whether a front end that asked for `include` and against `exclude` (IPython's display protocol) wants `mime`."""
    return (not include or mime in include) and not (exclude and mime in exclude)


def _shown_in_a_cell(self, include=None, exclude=None) -> dict:
    """A Graph, Trace or Frame as the last line of a notebook cell: its picture (a Trace's last step), and its
    repr as text; a source with nothing to draw shows its repr and why."""
    try:
        bundle = draw(self)._repr_mimebundle_(include, exclude)
    except (ValueError, TypeError, IndexError) as error:
        bundle = {"text/plain": f"{self!r}\n(nothing to draw: {error})"}
    else:
        bundle["text/plain"] = repr(self)
    return {key: value for key, value in bundle.items() if _wanted(key, include, exclude)}


# the plain data shows itself as a picture in Jupyter; set here so that the engine never imports the pictures
for _kind in (Graph, Trace, Frame):
    _kind._repr_mimebundle_ = _shown_in_a_cell
