"""What every exporter shares: choosing the frames, rendering them in threads, the result and its log line."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GradvizError
from ..i18n import get_language, message, resolve_language
from ..viz.collapse import DEFAULT_MAX_NODES
from ..viz.frame import Frame, Frames
from ._files import write_files

__all__ = [
    "ExportResult",
    "MissingDependency",
    "OptionError",
    "WalkthroughTooBig",
    "Options",
    "check_options",
    "check_walkthrough",
    "select_frames",
    "render_frames",
    "step_name",
    "kind_name",
    "log",
]

log = logging.getLogger("gradviz.export")

LAYOUT_BUDGET_ENV_VAR = "GRADVIZ_LAYOUT_BUDGET"
LAYOUT_BUDGET = 100_000  # layout points of a whole walkthrough: about 30 s of dot on a 2-core laptop
PICTURE_POINTS = 100  # what one picture costs besides its nodes and bends (a process, the SVG), in points
MANY_FRAMES = 20  # from here on, a caller may say that rendering will take a moment


class OptionError(GradvizError, ValueError):
    """A picture option out of range (a theme, a precision, a node budget): the message names the option, as the
    caller spells it (``precision=`` in Python, ``--precision`` on the command line), and the values it takes.

    >>> from gradviz.export import OptionError
    >>> from gradviz.export._common import check_precision
    >>> from gradviz.i18n import language
    >>> with language("en"):
    ...     try:
    ...         check_precision(40, "--precision")
    ...     except OptionError as error:
    ...         print(error)
    --precision 40: give a number of significant digits from 1 to 17
    """


class WalkthroughTooBig(GradvizError):
    """A walkthrough whose pictures would take long to lay out, refused before anything is drawn: the message
    says how many layout points it needs, the budget, and how to ask for less (or raise the budget).

    >>> import os, tempfile
    >>> from unittest import mock
    >>> from gradviz import Value, trace
    >>> from gradviz.export import WalkthroughTooBig, export
    >>> x = Value(1.0, label="x")
    >>> with trace() as t:
    ...     y = (x * x + x).tanh()
    ...     y.backward()
    >>> with mock.patch.dict(os.environ, {"GRADVIZ_LAYOUT_BUDGET": "10"}):
    ...     try:
    ...         export(t, os.path.join(tempfile.mkdtemp(), "steps"))
    ...     except WalkthroughTooBig as error:
    ...         print("refused:", "GRADVIZ_LAYOUT_BUDGET" in str(error))
    refused: True
    """


_MODES = ("both", "forward", "backward")
_FORWARD_KINDS = ("initial", "forward")
_BACKWARD_KINDS = ("backward", "final")
_UNITS = {  # what one frame becomes in each format: (one, many)
    "pdf": ("export.unit_page_one", "export.unit_page_many"),
    "pptx": ("export.unit_slide_one", "export.unit_slide_many"),
    "gif": ("export.unit_frame_one", "export.unit_frame_many"),
    "tex": ("export.unit_beamer_one", "export.unit_beamer_many"),  # a Beamer frame is a slide
    "step": ("export.unit_step_one", "export.unit_step_many"),
}
_KINDS = {
    "initial": "export.kind_initial",
    "forward": "export.kind_forward",
    "backward": "export.kind_backward",
    "final": "export.kind_final",
    "update": "export.kind_update",
    "summary": "export.kind_summary",
}


def kind_name(frame: Frame) -> str:
    """The kind of step in a heading ("forward", "hacia delante"), in the frame's language."""
    key = _KINDS.get(frame.kind)
    return frame.kind if key is None else message(key, frame.language)


class MissingDependency(GradvizError, ImportError):
    """An export format needs an optional package that is not installed (the message says what to install).

    It is an ImportError too, so ``except ImportError`` catches it.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export import export
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import sys
    >>> from unittest import mock
    >>> with mock.patch.dict(sys.modules, {"pptx": None}):   # as if python-pptx were not installed
    ...     try:
    ...         export(t, folder / "lesson.pptx")
    ...     except MissingDependency as missing:
    ...         print(missing)
    PowerPoint export needs the python-pptx package, which is not installed: pip install "gradviz[slides]" (or pip install python-pptx)
    """


def require(module: str, package: str, extra: str, what: str):
    """Import `module` or raise MissingDependency naming the pip command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(
            f'{what} needs the {package} package, which is not installed: pip install "gradviz[{extra}]" '
            f"(or pip install {package})"
        ) from None


@dataclass(frozen=True)
class Options:
    """The options every exporter reads (checked once by `export`).

    `language` ("en" or "es", default the one in use) is that of the words the exporter writes (titles,
    slide headings, the log line); the frames bring their own captions. Without a `title`, a generic one
    in that language. `overwrite` lets the exporter replace files gradviz did not write (see `FilesRefused`).
    `max_nodes` is the number of nodes each picture draws (gradviz.viz.collapse).
    """

    theme: str = "light"
    rankdir: str = "LR"
    precision: int = 4
    dpi: int | None = None
    size: tuple[int, int] | None = None
    title: str | None = None
    engine: str | None = None
    language: str = field(default_factory=get_language)
    overwrite: bool = False
    max_nodes: int = DEFAULT_MAX_NODES  # nodes drawn per picture; the far ones go into one box
    aspect: str = "16:9"  # the shape of PPTX, PDF and Beamer pages: "16:9" or "4:3"
    focus: bool | str = "auto"  # big graphs: each frame's focus at full size (gradviz.viz.collapse.FOCUS_NODES)

    def __post_init__(self) -> None:
        object.__setattr__(self, "language", resolve_language(self.language, "Options(language=...)"))
        if self.title is None:
            object.__setattr__(self, "title", message("export.untitled", self.language))


@dataclass
class ExportResult:
    """What `export` wrote: the main `path`, every file written, the number of frames, and how.

    `vector` says whether the diagrams are vector graphics (svg, pdf) or pixels (png, gif);
    `message` is the one log line (also sent to the ``gradviz.export`` logger), in `language`.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export import export
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> result = export(t, folder / "steps")
    >>> result.format, result.frames, [path.name for path in result.files[:2]], result.vector
    ('svg', 5, ['step-000.svg', 'step-001.svg'], True)
    >>> print(result)
    wrote .../steps (svg): 5 steps, step-000.svg … step-004.svg
    """

    path: Path
    format: str
    frames: int
    files: list[Path] = field(default_factory=list)
    vector: bool = False
    note: str = ""
    language: str = "en"

    @property
    def message(self) -> str:
        unit = _UNITS.get(self.format, _UNITS["step"])[0 if self.frames == 1 else 1]
        text = message(
            "export.wrote",
            self.language,
            path=self.path,
            format=self.format,
            count=self.frames,
            unit=message(unit, self.language),
        )
        return text + (f", {self.note}" if self.note else "")

    def __str__(self) -> str:
        return self.message


def select_frames(source, mode: str, steps, precision: int, language: str | None = None) -> list[Frame]:
    """The frames to export: a Trace's frames (or a list of Frames) filtered by `mode`, then picked by `steps`.

    A Trace's frames are made in `language` (default: the one in use); Frames already made keep theirs, and
    asking for another language than theirs is an error (their captions are written already).
    """
    from ..viz.frame import frames as make_frames

    if mode not in _MODES:
        raise ValueError(f"mode must be 'both', 'forward' or 'backward', got {mode!r}")
    if isinstance(source, Frame):
        chosen = [source]
    elif isinstance(source, (list, tuple, Frames)):
        if not source:
            raise ValueError("export() got an empty list of frames: record a trace and pass it, or pass frames(trace)")
        wrong = [type(item).__name__ for item in source if not isinstance(item, Frame)]
        if wrong:
            raise TypeError(f"export() takes a Trace or a list of Frames; this list holds a {wrong[0]}")
        kinds = {"forward": _FORWARD_KINDS, "backward": _BACKWARD_KINDS}.get(mode)
        chosen = [frame for frame in source if kinds is None or frame.kind in kinds]
        if not chosen:
            raise ValueError(f"none of these {len(source)} frames is a {mode} frame: use mode='both'")
    else:
        from ..viz.layers import is_layer_view, layer_texts

        chosen = make_frames(source, mode=mode, precision=precision, language=language)
        if is_layer_view(source):  # a layer view's steps are worded layer by layer, as the stepper words them
            chosen = [layer_texts(frame) for frame in chosen]
    if language is not None:
        wanted = resolve_language(language, "export(language=...)")
        made = {chosen.language} if isinstance(chosen, Frames) else {frame.language for frame in chosen}
        if made != {wanted}:
            raise ValueError(
                f"export(language={language!r}): these frames were made in {', '.join(sorted(made))}; make them in "
                f"the language you want, frames(trace, language={wanted!r}), or pass the trace itself"
            )
    if steps is None:
        return chosen
    if isinstance(steps, int):
        steps = [steps]
    if isinstance(steps, slice):
        picked = chosen[steps]
    else:
        picked = []
        for index in _indices(steps):
            if not -len(chosen) <= index < len(chosen):
                raise IndexError(
                    f"steps: there is no step {index}; this walkthrough has {len(chosen)} steps, 0 to {len(chosen) - 1}"
                )
            picked.append(chosen[index])
    if not picked:
        raise ValueError(f"steps={steps!r} picks none of the {len(chosen)} steps")
    return picked


def _indices(steps: Iterable) -> list[int]:
    indices = []
    for item in steps:
        if isinstance(item, bool) or not isinstance(item, int) and not hasattr(item, "__index__"):
            raise TypeError(f"steps holds step numbers (ints), got {item!r}")
        indices.append(int(item))
    return indices


def check_theme(theme, option: str = "theme=") -> str:
    from ..viz.dot import THEMES

    if theme not in THEMES:
        raise OptionError(message("export.option_theme", option=option, value=repr(theme), choices=", ".join(THEMES)))
    return theme


def check_precision(precision, option: str = "precision=") -> int:
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise OptionError(message("export.option_precision", option=option, value=precision))
    return precision


def check_max_nodes(max_nodes, option: str = "max_nodes=") -> int:
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 2:
        raise OptionError(message("export.option_max_nodes", option=option, value=max_nodes, default=DEFAULT_MAX_NODES))
    return max_nodes


def check_options(theme: str, rankdir: str, dpi, size, precision: int = 4, max_nodes: int = DEFAULT_MAX_NODES) -> None:
    """Every picture option, checked once (the command line checks its flags with the same functions)."""
    check_theme(theme)
    check_precision(precision)
    check_max_nodes(max_nodes)
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise OptionError(f"rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), got {rankdir!r}")
    if dpi is not None and not (isinstance(dpi, int) and 10 <= dpi <= 1200):
        raise OptionError(f"dpi is a whole number of pixels per inch from 10 to 1200, got {dpi!r}")
    if size is not None and not (
        isinstance(size, (tuple, list)) and len(size) == 2 and all(isinstance(s, int) and s >= 16 for s in size)
    ):
        raise OptionError(f"size is (width, height) in pixels, each at least 16, got {size!r}")


def layout_budget() -> int:
    """The walkthrough budget in layout points: $GRADVIZ_LAYOUT_BUDGET, else 100,000."""
    text = os.environ.get(LAYOUT_BUDGET_ENV_VAR, "").strip()
    try:
        return int(text) if text else LAYOUT_BUDGET
    except ValueError:
        raise OptionError(message("cli.layout_budget_bad", variable=LAYOUT_BUDGET_ENV_VAR, value=repr(text))) from None


def check_walkthrough(frames, count: int, max_nodes: int, advice: str = "export.walkthrough_advice") -> None:
    """Refuse, before any drawing, `count` pictures like the last of `frames` whose layout would take long:
    each costs its nodes and bends (gradviz.viz.collapse.layout_cost, after the node budget) plus a fixed
    part; their sum must stay within the walkthrough budget (WalkthroughTooBig). `advice` is the catalogue's
    sentence saying how to ask for less, in the caller's words."""
    if count <= 1 or not len(frames):
        return
    from ..viz.collapse import layout_cost, plan

    last = frames[-1]
    points = layout_cost(last, plan(last, max_nodes=max_nodes)).points + PICTURE_POINTS
    budget = layout_budget()
    total = count * points
    if total <= budget:
        return
    fewer = max(2, min(max_nodes, len(last.nodes)) * budget // total // 2)
    text = message(advice, fewer=fewer, last=max(budget // points - 1, 0))
    raise WalkthroughTooBig(
        message(
            "cli.walkthrough_too_big",
            count=f"{count:,}",
            points=f"{points:,}",
            total=f"{total:,}",
            budget=f"{budget:,}",
            advice=text,
            variable=LAYOUT_BUDGET_ENV_VAR,
            bigger=f"{10 ** len(str(total))}",
        )
    )


def render_frames(
    frames: Sequence[Frame],
    fmt: str,
    options: Options,
    *,
    caption: bool,
    dpi: int | None = None,
    title: str | None = None,
    largest_inches: float | None = None,
    with_svg: bool = False,
    fit: tuple[float, float] | None = None,
) -> list:
    """Each frame drawn as `fmt` bytes (svg, png or pdf), all with one layout (`gradviz.viz.fixed_layout`: each
    node at the same place on the same canvas); several layout programs run at once in threads.

    `largest_inches` scales a drawing wider or taller than that down to fit (Graphviz's ``size``); `fit` (width,
    height in pixels) renders png at the resolution that makes the pictures just fit that box, `dpi` bounding it
    from below (a small graph is drawn large rather than blown up from few pixels). With
    `with_svg`, each item is (bytes, the SVG text) — for a player next to pictures of another format. On an
    error or Ctrl-C the pictures not started are dropped and the running layout programs stopped.
    """
    from ..viz.dot import fixed_layout, to_dot
    from ..viz.render import find_renderer, render

    find_renderer(fmt, options.engine)  # a missing renderer fails before any work
    picture = {
        "theme": options.theme,
        "precision": options.precision,
        "caption": caption,
        "title": title,
        "max_nodes": options.max_nodes,
        "focus": options.focus,
    }
    # one layout for all the frames: every node at the same place on the same canvas in every picture
    layout = fixed_layout(frames, engine=options.engine, **picture) if len(frames) > 1 else None
    dots = [to_dot(frame, rankdir=options.rankdir, layout=layout, **picture) for frame in frames]
    if largest_inches is not None:
        for dot in dots:
            dot.attr(size=f"{largest_inches:g},{largest_inches:g}")

    if fit is not None and fmt == "png":
        dpi = max(dpi or 0, fit_dpi(render(dots[0], "svg", engine=options.engine), fit))

    def draw(dot):
        data = render(dot, fmt, engine=options.engine, dpi=dpi if fmt == "png" else None)
        if not with_svg:
            return data
        svg = data if fmt == "svg" else render(dot, "svg", engine=options.engine)
        return data, svg.decode("utf-8")

    return in_threads(draw, dots)


def in_threads(work, items: Sequence) -> list:
    """``[work(item) for item in items]``, several layout programs at once; on an error or Ctrl-C the items not
    started are dropped and the running layout programs stopped."""
    from ..viz.render import stop_layouts

    if len(items) == 1:
        return [work(items[0])]
    pool = ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1))
    try:
        return list(pool.map(work, items))
    except BaseException:  # an error or Ctrl-C: the pictures not started are dropped, the running ones stopped
        pool.shutdown(wait=False, cancel_futures=True)
        stop_layouts()
        raise
    finally:
        pool.shutdown(wait=True)


def svg_points(svg: bytes | str) -> tuple[float, float]:
    """An SVG's width and height in points (as Graphviz writes them: ``width="804pt"``)."""
    import re

    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    found = re.search(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', text)
    if found is None:
        raise GradvizError("the layout program wrote an SVG without a size in points")
    return float(found.group(1)), float(found.group(2))


def fit_dpi(svg: bytes | str, box: tuple[float, float]) -> int:
    """The png resolution at which the picture of `svg` just fits `box` (pixels), from 20 to 600 dpi."""
    width, height = svg_points(svg)
    return int(max(20, min(600, 72 * box[0] / width, 72 * box[1] / height)))


def step_name(index: int, count: int, suffix: str) -> str:
    """step-000.svg …: at least three digits, more when there are 1000 steps or more."""
    width = max(3, len(str(count - 1)))
    return f"step-{index:0{width}d}.{suffix}"


def step_paths(folder: Path, count: int, suffix: str) -> list[Path]:
    """The paths of `count` numbered step files in `folder`: step-000.svg …"""
    return [folder / step_name(index, count, suffix) for index in range(count)]


def write_step_files(
    folder: Path, datas: Sequence[bytes], suffix: str, *, overwrite: bool = False, also: dict | None = None
) -> list[Path]:
    """Numbered files in `folder` (and the files of `also`, {path: bytes}), written together: nothing when a file
    gradviz did not write is in the way (FilesRefused, unless `overwrite`); the stale step files an earlier,
    longer export of gradviz left in `folder` are removed (the folder's manifest says which are gradviz's)."""
    outputs = dict(zip(step_paths(folder, len(datas), suffix), datas, strict=True))
    outputs.update(also or {})
    return write_files(outputs, overwrite=overwrite, sweep=[folder])


def theme_background(theme: str) -> tuple[int, int, int]:
    """The theme's background as RGB (to pad pictures to one canvas)."""
    from ..viz.dot import THEMES

    color = THEMES[theme]["background"]
    if color == "white":
        return (255, 255, 255)
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def pictures(datas: Sequence[bytes], background: tuple[int, int, int], size: tuple[int, int] | None = None):
    """PNG bytes as Pillow RGB images on one canvas: each scaled down to fit `size` (default: the largest
    picture's width and height), centred and padded with the background colour."""
    Image = require("PIL.Image", "pillow", "slides", "Pictures in GIF and raster PDF files")
    import io

    images = []
    for data in datas:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGBA")
        flat = Image.new("RGB", image.size, background)
        flat.paste(image, mask=image.getchannel("A"))
        images.append(flat)
    if size is None:
        canvas = (max(i.width for i in images), max(i.height for i in images))
    else:
        canvas = (int(size[0]), int(size[1]))
    placed = []
    for image in images:
        if image.width > canvas[0] or image.height > canvas[1]:
            scale = min(canvas[0] / image.width, canvas[1] / image.height)
            image = image.resize(
                (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
            )
        page = Image.new("RGB", canvas, background)
        page.paste(image, ((canvas[0] - image.width) // 2, (canvas[1] - image.height) // 2))
        placed.append(page)
    return placed
