"""The HTML player export: one self-contained page, every frame's SVG inline, no network."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.frame import Frame
from ._common import ExportResult, Options, render_frames
from ._files import refuse_overwrites, write_files

__all__ = ["write_html"]


def write_html(frames: Sequence[Frame], path: Path, options: Options, *, interval_ms: int = 1500) -> ExportResult:
    """Write the player page (buttons, ← → keys, space plays, a print stylesheet) to `path`.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export._common import Options
    >>> from gradviz.viz import frames
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_html(frames(t), folder / "b.html", Options()).frames
    5
    """
    from ..viz.player import player_html

    refuse_overwrites([path], overwrite=options.overwrite)
    svgs = render_frames(frames, "svg", options, caption=False)
    page = player_html(
        [svg.decode("utf-8") for svg in svgs],
        [frame.caption for frame in frames],
        [frame.equation for frame in frames],
        options.title,
        kinds=[frame.kind for frame in frames],
        dark=options.theme == "dark",
        interval_ms=interval_ms,
        language=options.language,
    )
    write_files({path: page.encode("utf-8", errors="replace")}, overwrite=options.overwrite)
    note = message("export.note_html", options.language)
    return ExportResult(path, "html", len(frames), [path], vector=True, note=note, language=options.language)
