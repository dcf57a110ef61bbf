"""The PDF export: one 16:9 (or 4:3) page per step — the title, the diagram scaled to fill the page, the caption
and the equation at its foot — vector when the system `dot` is
present (pages merged with pypdf), high-resolution pixels otherwise (Pillow)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.frame import Frame
from ..viz.render import RendererNotFound, find_renderer
from ._common import ExportResult, MissingDependency, Options, in_threads, render_frames, require, theme_background
from ._files import refuse_overwrites, write_files
from ._slides import TITLE_POINTS, foot_lines, slide_geometry, text_dot

__all__ = ["write_pdf", "PDF_DPI", "vector_pdf_available"]

PDF_DPI = 200  # sharp when projected or printed
"""The resolution of raster PDF pages (no system `dot`, or ``vector=False``) when ``dpi`` is not given.

>>> from gradviz.export.pdf import PDF_DPI
>>> PDF_DPI
200
>>> import tempfile, pathlib
>>> from gradviz import Value, trace
>>> from gradviz.export import export
>>> a = Value(3.0, label="a")
>>> with trace() as t:
...     b = a * a
...     b.backward()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> export(t, folder / "pages.pdf", vector=False, steps=[0]).note
'raster pages at 200 dpi'
"""


def vector_pdf_available(engine: str | None = None, language: str | None = None) -> str | None:
    """Why vector pages are impossible (a sentence in `language`), or None when the system `dot` and pypdf
    are both there.

    `engine` is the renderer that would draw the pages (default: the one `gradviz.viz.render` picks).

    >>> vector_pdf_available(engine="graphviz-pure")   # the built-in renderer draws svg and png, no pdf
    'the chosen renderer, graphviz-pure, draws svg and png but no pdf (leave engine= out to use the system `dot`)'
    >>> vector_pdf_available(engine="graphviz-pure", language="es")
    'el renderizador elegido, graphviz-pure, dibuja svg y png pero no pdf (quita engine= para usar `dot` del sistema)'
    """
    missing = _missing_for_vector(engine)
    return None if missing is None else message(missing, language)


def _missing_for_vector(engine: str | None) -> str | None:
    """The catalogue key of what vector pages lack ("export.no_dot", "export.no_pypdf"), or None."""
    try:
        find_renderer("pdf", engine)
    except RendererNotFound as missing:
        # a forced graphviz-pure cannot draw pdf even where the system dot is installed: say which it is
        return "export.engine_draws_no_pdf" if missing.choice == "graphviz-pure" else "export.no_dot"
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return "export.no_pypdf"
    return None


def write_pdf(
    frames: Sequence[Frame], path: Path, options: Options, *, vector: bool | None = None, captions: bool = True
) -> ExportResult:
    """Write one page per frame; `vector` None picks vector pages when possible, True insists, False rasterises.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export._common import Options
    >>> from gradviz.viz import frames
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_pdf(frames(t), folder / "b.pdf", Options(dpi=30, language="en"), vector=False).note
    'raster pages at 30 dpi'
    """
    language = options.language
    missing = _missing_for_vector(options.engine)
    if vector and missing:
        if missing in ("export.no_dot", "export.engine_draws_no_pdf"):
            find_renderer("pdf", options.engine)  # raises RendererNotFound with the install hint
        raise MissingDependency(f"vector PDF pages need pypdf to merge them: {message(missing, 'en')}")
    refuse_overwrites([path], overwrite=options.overwrite)
    if missing is None and vector is not False:
        write_files({path: _vector(frames, options, captions)}, overwrite=options.overwrite)
        note = message("export.note_pdf_vector", language)
        return ExportResult(path, "pdf", len(frames), [path], vector=True, note=note, language=language)
    dpi = options.dpi or PDF_DPI
    write_files({path: _raster(frames, options, dpi, captions)}, overwrite=options.overwrite)
    if missing and vector is None:
        note = message("export.note_pdf_raster_because", language, dpi=dpi, reason=message(missing, language))
    else:
        note = message("export.note_pdf_raster", language, dpi=dpi)
    return ExportResult(path, "pdf", len(frames), [path], vector=False, note=note, language=language)


def _pages(frames: Sequence[Frame], options: Options, captions: bool, picture_size, fmt: str, dpi: int | None):
    """Each page's geometry and its title and foot drawn as `fmt` by the layout program (text it embeds the
    fonts of), the foot (caption and equation) as tall on every page so that every picture has one size."""
    from ..viz.dot import THEMES
    from ..viz.render import render
    from .pptx import slide_title

    colors = THEMES[options.theme]
    feet = [foot_lines(frame.caption if captions else None, frame.equation) for frame in frames]
    lines = max(len(foot) for foot in feet)
    page = slide_geometry(options.aspect, picture_size, lines)
    paper = "transparent" if fmt == "pdf" else colors["background"]
    count = len(frames)
    sources = []
    for number, (frame, foot) in enumerate(zip(frames, feet, strict=True), start=1):
        sources.append(text_dot([slide_title(frame, number, count)], TITLE_POINTS, colors["text"], paper, bold=True))
        sources.append(text_dot(foot, page.bottom_points, colors["text"], paper) if foot else None)

    def draw(source):
        return None if source is None else render(source, fmt, engine=options.engine, dpi=dpi)

    texts = in_threads(draw, sources)
    return page, list(zip(texts[::2], texts[1::2], strict=True))


def _vector(frames: Sequence[Frame], options: Options, captions: bool) -> bytes:
    """One page of the chosen shape per frame: the title, the frame's own vector picture scaled to fill the
    space between title and foot, the caption and equation; for a coloured background the page is painted
    with it first."""
    import pypdf
    from pypdf import Transformation
    from pypdf.generic import ContentStream

    documents = render_frames(frames, "pdf", options, caption=False)
    drawn = [pypdf.PdfReader(io.BytesIO(data)).pages[0] for data in documents]
    size = (float(drawn[0].mediabox.width), float(drawn[0].mediabox.height))
    page, texts = _pages(frames, options, captions, size, "pdf", None)
    width, height = page.size
    lines = max(len(foot_lines(frame.caption if captions else None, frame.equation)) for frame in frames)
    background = theme_background(options.theme)
    writer = pypdf.PdfWriter()

    def place(sheet, source, box, scale: float, centred: bool) -> None:
        """`source` (a page) scaled by `scale` with its top-left at `box`'s (centred in it with `centred`)."""
        shown_w, shown_h = float(source.mediabox.width) * scale, float(source.mediabox.height) * scale
        x = box[0] + ((box[2] - shown_w) / 2 if centred else 0)
        y = box[1] + ((box[3] - shown_h) / 2 if centred else 0)
        left, bottom = float(source.mediabox.left), float(source.mediabox.bottom)
        move = Transformation().translate(-left, -bottom).scale(scale).translate(x, height - y - shown_h)
        sheet.merge_transformed_page(source, move)

    for picture, (title, foot) in zip(drawn, texts, strict=True):
        # each picture scaled to the free space (a focus view's pictures differ in size from frame to frame)
        own = (float(picture.mediabox.width), float(picture.mediabox.height))
        page = slide_geometry(options.aspect, own, lines)
        sheet = writer.add_blank_page(width, height)
        if background != (255, 255, 255):
            red, green, blue = (channel / 255 for channel in background)
            contents = ContentStream(None, None)
            contents.set_data(f"q {red:.4f} {green:.4f} {blue:.4f} rg 0 0 {width:.2f} {height:.2f} re f Q\n".encode())
            sheet.replace_contents(contents)
        place(sheet, picture, page.picture, page.picture[2] / own[0], centred=True)
        for text, box in ((title, page.title), (foot, page.bottom)):
            if text is not None:
                source = pypdf.PdfReader(io.BytesIO(text)).pages[0]
                scale = min(1.0, box[2] / float(source.mediabox.width))  # a long line is made to fit
                place(sheet, source, box, scale, centred=False)
    writer.add_metadata({"/Title": options.title, "/Creator": "gradviz"})
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def _raster(frames: Sequence[Frame], options: Options, dpi: int, captions: bool) -> bytes:
    Image = require("PIL.Image", "pillow", "slides", "A PDF without the system Graphviz `dot`")
    lines = max(len(foot_lines(frame.caption if captions else None, frame.equation)) for frame in frames)
    free = slide_geometry(options.aspect, (1, 1), lines).free
    pngs = render_frames(frames, "png", options, caption=False, dpi=dpi, fit=(free[2] * dpi / 72, free[3] * dpi / 72))
    with Image.open(io.BytesIO(pngs[0])) as opened:
        size = opened.size
    page, texts = _pages(frames, options, captions, size, "png", dpi)
    background = theme_background(options.theme)
    pixels = dpi / 72
    sheets = []
    for png, (title, foot) in zip(pngs, texts, strict=True):
        with Image.open(io.BytesIO(png)) as opened:
            page = slide_geometry(options.aspect, opened.size, lines)
        sheet = Image.new("RGB", (round(page.size[0] * pixels), round(page.size[1] * pixels)), background)
        for data, box, fill in ((png, page.picture, True), (title, page.title, False), (foot, page.bottom, False)):
            if data is None:
                continue
            with Image.open(io.BytesIO(data)) as opened:
                image = opened.convert("RGBA")
            wide = box[2] * pixels
            if fill or image.width > wide:
                scale = min(wide / image.width, box[3] * pixels / image.height) if fill else wide / image.width
                image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
            x = box[0] * pixels + ((wide - image.width) / 2 if fill else 0)
            y = box[1] * pixels + ((box[3] * pixels - image.height) / 2 if fill else 0)
            sheet.paste(image, (round(x), round(y)), mask=image.getchannel("A"))
        sheets.append(sheet)
    # Pillow stores RGB pages as JPEG: high quality and no chroma subsampling keep thin coloured text crisp
    stream = io.BytesIO()
    sheets[0].save(
        stream,
        format="PDF",
        save_all=True,
        append_images=sheets[1:],
        resolution=float(dpi),
        title=options.title,
        quality=92,
        subsampling=0,
    )
    return stream.getvalue()
