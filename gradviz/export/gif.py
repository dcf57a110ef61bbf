"""The animated GIF export (Pillow): every frame on one canvas, a duration per frame, the last frame held."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.frame import Frame
from ._common import ExportResult, Options, pictures, render_frames, theme_background
from ._files import refuse_overwrites, write_files

__all__ = ["write_gif", "GIF_SIZE"]

GIF_SIZE = (1280, 720)
"""The size in pixels of GIF frames when neither ``size`` nor ``dpi`` is given: a 16:9 slide (720p), the
picture drawn to fill it; ``size=(w, h)`` picks another canvas, ``dpi=`` draws the pictures at that resolution
on a canvas of their own size.

>>> from PIL import Image
>>> from gradviz.export.gif import GIF_SIZE
>>> GIF_SIZE
(1280, 720)
>>> import tempfile, pathlib
>>> from gradviz import Value, trace
>>> from gradviz.export import export
>>> a = Value(3.0, label="a")
>>> with trace() as t:
...     b = a * a
...     b.backward()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> Image.open(export(t, folder / "usual.gif").path).size
(1280, 720)
>>> Image.open(export(t, folder / "small.gif", size=(640, 360)).path).size
(640, 360)
"""


def write_gif(
    frames: Sequence[Frame],
    path: Path,
    options: Options,
    *,
    duration_ms: int = 1500,
    last_ms: int | None = None,
    captions: bool = True,
    loop: bool = True,
) -> ExportResult:
    """Write an animated GIF: `duration_ms` per frame, the last one shown `last_ms` (default 3 × duration).

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export._common import Options
    >>> from gradviz.viz import frames
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_gif(frames(t), folder / "b.gif", Options(dpi=30, language="en"), duration_ms=500).note  # doctest: +ELLIPSIS
    '... px, 500 ms each'
    """
    if duration_ms < 20:
        raise ValueError(f"duration_ms={duration_ms}: GIF viewers show a frame for at least 20 ms")
    last_ms = 3 * duration_ms if last_ms is None else last_ms
    refuse_overwrites([path], overwrite=options.overwrite)
    size = options.size or (None if options.dpi else GIF_SIZE)
    fit = None if options.dpi else size  # drawn at the resolution that fills the canvas
    pngs = render_frames(frames, "png", options, caption=captions, dpi=options.dpi, fit=fit)
    images = _one_palette(pictures(pngs, theme_background(options.theme), size))
    durations = [duration_ms] * len(images)
    durations[-1] = last_ms
    first, rest = images[0], images[1:]
    save = {"format": "GIF", "duration": durations if rest else last_ms}
    if rest:
        save.update(save_all=True, append_images=rest, optimize=False, disposal=1)
    if loop:
        save["loop"] = 0
    stream = io.BytesIO()
    first.save(stream, **save)
    write_files({path: stream.getvalue()}, overwrite=options.overwrite)
    width, height = first.size
    note = message("export.note_gif", options.language, width=width, height=height, ms=duration_ms)
    return ExportResult(path, "gif", len(images), [path], vector=False, note=note, language=options.language)


def _one_palette(images: list, samples: int = 6) -> list:
    """The frames in one shared 255-colour palette, taken from a few frames spread over the walkthrough:
    a diagram uses a handful of theme colours, and quantising every frame on its own is 40 times slower
    (and lets colours flicker from frame to frame)."""
    from PIL import Image

    picked = sorted({round(k * (len(images) - 1) / max(1, samples - 1)) for k in range(samples)})
    width, height = images[0].size
    sample = Image.new("RGB", (width, height * len(picked)))
    for row, index in enumerate(picked):
        sample.paste(images[index], (0, height * row))
    palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    return [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
