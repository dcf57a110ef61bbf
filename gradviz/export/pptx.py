"""The PowerPoint export (python-pptx, the `slides` extra): one 16:9 slide per step — a title, the diagram as
a high-resolution picture scaled to fit, the equation as text, the caption in the speaker notes."""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.frame import Frame
from ._common import ExportResult, Options, kind_name, render_frames, require
from ._files import refuse_overwrites, write_files
from ._slides import ASPECTS, TITLE_POINTS, foot_lines, slide_geometry

__all__ = ["write_pptx", "PPTX_DPI", "slide_title"]

PPTX_DPI = 200
"""The least resolution of the slides' pictures when ``dpi`` is not given (a small graph is drawn at more, so
that it fills the slide sharp); ``dpi`` sets it exactly.

>>> from gradviz.export.pptx import PPTX_DPI
>>> PPTX_DPI
200
>>> import tempfile, pathlib
>>> from gradviz import Value, trace
>>> from gradviz.export import export
>>> a = Value(3.0, label="a")
>>> with trace() as t:
...     b = a * a
...     b.backward()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> export(t, folder / "lesson.pptx", steps=[0]).note          # doctest: +ELLIPSIS
'16:9, pictures at ... dpi'
>>> export(t, folder / "draft.pptx", steps=[0], dpi=PPTX_DPI // 2).note
'16:9, pictures at 100 dpi'
"""


def slide_title(frame: Frame, number: int, count: int) -> str:
    """The slide's title, in the frame's language; the deck's own title is the file's title property.

    >>> from gradviz import Value, trace
    >>> from gradviz.viz import frames
    >>> a = Value(2.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> slide_title(frames(t, language="en")[1], 2, 5), slide_title(frames(t, language="es")[1], 2, 5)
    ('Step 2 of 5 · forward', 'Paso 2 de 5 · hacia delante')
    """
    return message("export.slide_title", frame.language, number=number, count=count, kind=kind_name(frame))


_EMU = 12700  # PowerPoint's units in a point


def _png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    return width, height


def write_pptx(frames: Sequence[Frame], path: Path, options: Options, *, captions: bool = False) -> ExportResult:
    """Write a deck of len(frames) slides.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export._common import Options
    >>> from gradviz.viz import frames
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_pptx(frames(t), folder / "b.pptx", Options(dpi=30)).frames  # doctest: +SKIP
    5
    """
    pptx = require("pptx", "python-pptx", "slides", "PowerPoint export")
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    from ..viz.dot import THEMES

    colors = THEMES[options.theme]
    refuse_overwrites([path], overwrite=options.overwrite)
    feet = [foot_lines(frame.equation) for frame in frames]
    lines = max(len(foot) for foot in feet)  # one foot height for all: every picture the same size
    page_points = ASPECTS[options.aspect]
    free = slide_geometry(options.aspect, (1, 1), lines).free
    per_point = 2560 / page_points[0]  # pictures drawn for a slide 2560 pixels wide, filling the free space
    fit = None if options.dpi else (free[2] * per_point, free[3] * per_point)
    pngs = render_frames(frames, "png", options, caption=captions, dpi=options.dpi or PPTX_DPI, fit=fit)
    deck = pptx.Presentation()
    deck.slide_width, deck.slide_height = Emu(int(page_points[0] * _EMU)), Emu(int(page_points[1] * _EMU))
    deck.core_properties.title = options.title
    layout = deck.slide_layouts[5]  # "Title Only"
    ink = _rgb(colors["text"], RGBColor)
    paper = _rgb(colors["background"], RGBColor)
    count = len(frames)
    for number, (frame, png, foot) in enumerate(zip(frames, pngs, feet, strict=True), start=1):
        page = slide_geometry(options.aspect, _png_size(png), lines)
        slide = deck.slides.add_slide(layout)
        if options.theme == "dark":
            fill = slide.background.fill
            fill.solid()
            fill.fore_color.rgb = paper
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = (Emu(int(v * _EMU)) for v in page.title)
        title.text = slide_title(frame, number, count)
        for paragraph in title.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(TITLE_POINTS)
                run.font.color.rgb = ink
        # the diagram, as large as the space between title and equation allows, centred
        slide.shapes.add_picture(io.BytesIO(png), *(Emu(int(v * _EMU)) for v in page.picture))
        if foot:
            equation = slide.shapes.add_textbox(*(Emu(int(v * _EMU)) for v in page.bottom))
            text = equation.text_frame
            text.word_wrap = True
            for i, line in enumerate(foot):
                paragraph = text.paragraphs[0] if i == 0 else text.add_paragraph()
                paragraph.text = line
                for run in paragraph.runs:
                    run.font.size = Pt(page.bottom_points)
                    run.font.name = "Cambria Math"
                    run.font.color.rgb = ink
        notes = slide.notes_slide.notes_text_frame
        notes.text = frame.caption + (f"\n\n{frame.equation}" if frame.equation else "")
    stream = io.BytesIO()
    deck.save(stream)
    write_files({path: stream.getvalue()}, overwrite=options.overwrite)
    note = message(
        "export.note_pptx", options.language, aspect=options.aspect, dpi=options.dpi or _dpi_of(pngs[0], page.picture)
    )
    return ExportResult(path, "pptx", count, [path], vector=False, note=note, language=options.language)


def _dpi_of(png: bytes, placed: tuple[float, float, float, float]) -> int:
    """The resolution a picture has where it is placed (pixels per inch of the slide)."""
    return round(_png_size(png)[0] / (placed[2] / 72))


def _rgb(color: str, RGBColor):
    if color == "white":
        return RGBColor(255, 255, 255)
    if color == "black":
        return RGBColor(0, 0, 0)
    return RGBColor.from_string(color.lstrip("#").upper())
