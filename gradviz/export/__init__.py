"""Exports of a backprop walkthrough: HTML player, animated GIF, PDF pages, PowerPoint, LaTeX/Beamer, frames folder.

One function, `export`, picks the format from the file's extension (or ``format=``). Pillow, python-pptx and
pypdf are imported only when their format is asked for (``pip install "gradviz[slides]"`` brings them).

>>> import tempfile, pathlib
>>> from gradviz import Value, trace
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> with trace() as t:
...     f = (x + y) * z
...     f.backward()
>>> result = export(t, pathlib.Path(tempfile.mkdtemp()) / "walkthrough.html")
>>> result.format, result.frames
('html', 7)
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

from ..i18n import message
from ..viz.collapse import DEFAULT_MAX_NODES
from ._common import (
    ExportResult,
    MissingDependency,
    OptionError,
    Options,
    WalkthroughTooBig,
    check_options,
    check_walkthrough,
    log,
    select_frames,
)
from ._files import MANIFEST, FilesRefused, owned_by_gradviz
from ._slides import check_aspect

__all__ = [
    "export",
    "ExportResult",
    "MissingDependency",
    "FilesRefused",
    "OptionError",
    "WalkthroughTooBig",
    "EXPORT_FORMATS",
    "MANIFEST",
    "format_of",
    "owned_by_gradviz",
]

# extension → format; a path without an extension is a folder of numbered pictures
EXPORT_FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".gif": "gif",
    ".pdf": "pdf",
    ".pptx": "pptx",
    ".tex": "tex",
}
"""The file extensions `export` knows and the format each one means (a path without one is a folder of pictures).

>>> from gradviz.export import EXPORT_FORMATS, format_of
>>> EXPORT_FORMATS[".pptx"], sorted(set(EXPORT_FORMATS.values()))
('pptx', ['gif', 'html', 'pdf', 'pptx', 'tex'])
>>> format_of("lesson.HTM"), format_of("lesson")
('html', 'svg')
"""
_FOLDER = ("svg", "png", "folder")
_NAMES = ("html", "gif", "pdf", "pptx", "tex", "beamer", "latex", "svg", "png", "folder")


def format_of(path, format: str | None = None) -> str:
    """The export format of `path`: `format` when given, else the extension; no extension means a folder of SVGs.

    >>> format_of("lesson.pptx"), format_of("slides/"), format_of("out", "png"), format_of("a.tex", "beamer")
    ('pptx', 'svg', 'png', 'tex')
    """
    if format is not None:
        name = str(format).lower().lstrip(".")
        if name not in _NAMES:
            raise ValueError(
                f"format={format!r} is not an export format; the formats are html, gif, pdf, pptx, tex (Beamer), "
                "and svg or png for a folder of numbered pictures"
            )
        return {"beamer": "tex", "latex": "tex", "folder": "svg", "htm": "html"}.get(name, name)
    suffix = Path(path).suffix.lower()
    if not suffix:
        return "svg"
    if suffix in EXPORT_FORMATS:
        return EXPORT_FORMATS[suffix]
    raise ValueError(
        f"cannot export to {str(path)!r}: its extension {suffix} is not one gradviz writes. Use .html (player), "
        ".gif, .pdf, .pptx, .tex (Beamer), or a name without an extension for a folder of step-000.svg … "
        "(format png for PNGs)"
    )


def export(
    source,
    path,
    *,
    format: str | None = None,
    theme: str = "light",
    mode: str = "both",
    steps=None,
    size: tuple[int, int] | None = None,
    dpi: int | None = None,
    title: str | None = None,
    rankdir: str = "LR",
    precision: int = 4,
    engine: str | None = None,
    duration_ms: int = 1500,
    last_ms: int | None = None,
    vector: bool | None = None,
    captions: bool | None = None,
    language: str | None = None,
    overwrite: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    aspect: str = "16:9",
    focus: bool | str = "auto",
) -> ExportResult:
    """Write a walkthrough (a Trace, or a list of Frames) to `path` as a lesson ready to project.

    The format comes from the extension, or `format`: ``.html`` a self-contained player; ``.gif`` an
    animation (`duration_ms` per frame, the last held `last_ms`, default 3×); ``.pdf`` one page per step
    with its caption (vector when the system ``dot`` and pypdf are there, else raster at `dpi`, default
    200 — ``result.vector`` and the log line say which); ``.pptx`` one slide per step (picture, equation,
    caption in the notes); ``.tex`` a Beamer deck plus its pictures in ``<stem>-frames/``; a path without
    an extension (or ``format="svg"|"png"``) a folder of ``step-000.svg`` …

    `theme` is "light", "dark" or "print"; `mode` "both", "forward" or "backward"; `steps` the indices
    (a list, a range or a slice) of the steps to keep; `size` (width, height) in pixels of the GIF or
    raster-PDF canvas (pictures are scaled down to fit); `dpi` the resolution of pixel pictures; `title`
    the page/deck title; `engine` forces the layout program ("dot" or "graphviz-pure"); `captions`
    draws each caption under its picture (default: in GIF and PDF, where nothing else shows it; the
    player, the slides and Beamer show it as text). `language` ("en" or "es") is that of the captions,
    titles and buttons (default: the language in use; a list of Frames keeps the language it was made in).
    `max_nodes` is the number of nodes each picture draws (the far ones go into one box saying why).
    `aspect` is the shape of PPTX and PDF pages, "16:9" or "4:3": each page has the step's title on top, the
    caption (PDF) and the equation at the foot, and the picture scaled to fill the space between them.

    `focus` "auto" draws the frames of a graph of more than 14 value nodes as their focus (the active node, its
    inputs and outputs, the output; the rest folded, and an overview of the whole graph), so that text stays
    legible on a slide; True always, False draws every node in every frame.

    Every picture of a walkthrough has one layout (`gradviz.viz.fixed_layout`): each node at the same place
    on a canvas of the same size in every frame, so stepping through them moves nothing. GIFs are 1280×720
    pixels unless `size` says otherwise, the picture drawn to fill them.

    A walkthrough whose pictures would take long to lay out (more than $GRADVIZ_LAYOUT_BUDGET layout points, by
    default 100,000: about 30 s of ``dot``) is refused before anything is drawn (`WalkthroughTooBig`, saying how
    to ask for less); a picture option out of range raises `OptionError`, naming it.

    Nothing is lost: a file gradviz did not write (or one it wrote that was changed since) is never
    overwritten or removed; `export` raises `FilesRefused`, naming those files, before it draws anything,
    unless `overwrite=True`. A file gradviz wrote earlier is replaced, and the stale step files of an earlier,
    longer export into the same folder are removed; a ``.gradviz-manifest.json`` in each folder it writes into
    records what it wrote there (sizes and SHA-256 hashes). Each file is written whole or not at all.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = (a * a).tanh()
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "frames"
    >>> [p.name for p in export(t, folder, mode="forward").files]
    ['step-000.svg', 'step-001.svg', 'step-002.svg']
    """
    if isinstance(path, str) and not path.strip():
        raise ValueError(
            f"export() got an empty path {path!r}: give a file name (walkthrough.html) or a folder name "
            "('.' if you mean the current folder)"
        )
    chosen = format_of(path, format)
    check_options(theme, rankdir, dpi, size, precision, max_nodes)
    check_aspect(aspect)
    if focus not in ("auto", True, False):
        raise OptionError(f"focus={focus!r}: focus is 'auto' (the default), True or False")
    path = Path(path)
    frames = select_frames(source, mode, steps, precision, language)
    check_walkthrough(frames, len(frames), max_nodes)
    options = Options(
        theme=theme,
        rankdir=rankdir,
        precision=precision,
        dpi=dpi,
        size=tuple(size) if size is not None else None,
        title=title if title is not None else _default_title(frames),
        engine=engine,
        language=frames[0].language,
        overwrite=bool(overwrite),
        max_nodes=max_nodes,
        aspect=aspect,
        focus=focus,
    )
    start = time.perf_counter()
    if chosen == "html":
        from .html import write_html

        result = write_html(frames, path, options, interval_ms=duration_ms)
    elif chosen == "gif":
        from .gif import write_gif

        result = write_gif(
            frames,
            path,
            options,
            duration_ms=duration_ms,
            last_ms=last_ms,
            captions=True if captions is None else captions,
        )
    elif chosen == "pdf":
        from .pdf import write_pdf

        result = write_pdf(frames, path, options, vector=vector, captions=captions is not False)
    elif chosen == "pptx":
        from .pptx import write_pptx

        result = write_pptx(frames, path, options, captions=bool(captions))
    elif chosen == "tex":
        from .latex import write_beamer

        result = write_beamer(frames, path, options, captions=bool(captions))
    else:
        from .folder import write_folder

        result = write_folder(frames, path, options, picture=chosen, captions=bool(captions))
    log.info("%s in %.1f s", result.message, time.perf_counter() - start)
    return result


def _default_title(frames) -> str:
    return message("export.default_title", frames[-1].language, output=frames[-1].output_label)


class _ExportModule(types.ModuleType):
    """``gradviz.export`` is this module and its function at once: ``gradviz.export(trace, "walkthrough.html")``
    works whether the module was first loaded by that call (``import gradviz`` loads it lazily) or by an import of
    one of its parts (``from gradviz.export import html``)."""

    def __call__(self, *args, **kwargs) -> ExportResult:
        return export(*args, **kwargs)


sys.modules[__name__].__class__ = _ExportModule
