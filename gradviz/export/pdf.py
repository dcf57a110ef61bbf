"""The PDF export: one page per step with the caption under the diagram, vector when the system `dot` is
present (pages merged with pypdf), high-resolution pixels otherwise (Pillow)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.frame import Frame
from ..viz.render import RendererNotFound, find_renderer
from ._common import ExportResult, MissingDependency, Options, pictures, render_frames, require, theme_background
from ._files import refuse_overwrites, write_files

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


def _vector(frames: Sequence[Frame], options: Options, captions: bool) -> bytes:
    """Each frame's own PDF page, its box widened to one page size (the largest) and centred; for a coloured
    background the margins are painted with it (a rectangle drawn before the page's own content)."""
    import pypdf
    from pypdf.generic import ContentStream, RectangleObject

    documents = render_frames(frames, "pdf", options, caption=captions)
    pages = [page for data in documents for page in pypdf.PdfReader(io.BytesIO(data)).pages]
    width = max(float(page.mediabox.width) for page in pages)
    height = max(float(page.mediabox.height) for page in pages)
    background = theme_background(options.theme)
    writer = pypdf.PdfWriter()
    for page in pages:
        sheet = writer.add_page(page)
        box = sheet.mediabox
        left = float(box.left) - (width - float(box.width)) / 2
        bottom = float(box.bottom) - (height - float(box.height)) / 2
        wide = RectangleObject([left, bottom, left + width, bottom + height])
        sheet.mediabox = wide
        sheet.cropbox = wide
        if background != (255, 255, 255):
            red, green, blue = (channel / 255 for channel in background)
            paint = f"q {red:.4f} {green:.4f} {blue:.4f} rg {left:.2f} {bottom:.2f} {width:.2f} {height:.2f} re f Q\n"
            contents = ContentStream(None, None)
            contents.set_data(paint.encode("ascii") + sheet.get_contents().get_data())
            sheet.replace_contents(contents)
    writer.add_metadata({"/Title": options.title, "/Creator": "gradviz"})
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def _raster(frames: Sequence[Frame], options: Options, dpi: int, captions: bool) -> bytes:
    require("PIL.Image", "pillow", "slides", "A PDF without the system Graphviz `dot`")
    pngs = render_frames(frames, "png", options, caption=captions, dpi=dpi)
    pages = pictures(pngs, theme_background(options.theme), options.size)
    first, rest = pages[0], pages[1:]
    # Pillow stores RGB pages as JPEG: high quality and no chroma subsampling keep thin coloured text crisp
    stream = io.BytesIO()
    first.save(
        stream,
        format="PDF",
        save_all=True,
        append_images=rest,
        resolution=float(dpi),
        title=options.title,
        quality=92,
        subsampling=0,
    )
    return stream.getvalue()
