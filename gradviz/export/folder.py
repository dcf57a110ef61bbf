"""The frames-folder export: numbered pictures step-000.svg … (or .png, .pdf) for any slide tool."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..viz.frame import Frame
from ._common import ExportResult, Options, render_frames, step_paths, write_step_files
from ._files import refuse_overwrites

__all__ = ["write_folder", "FOLDER_FORMATS"]

FOLDER_FORMATS = ("svg", "png", "pdf")
"""The picture formats a frames folder can hold: one numbered file per step, for any slide tool.

>>> from gradviz.export.folder import FOLDER_FORMATS
>>> FOLDER_FORMATS
('svg', 'png', 'pdf')
>>> import tempfile, pathlib
>>> from gradviz import Value, trace
>>> from gradviz.export import export
>>> a = Value(3.0, label="a")
>>> with trace() as t:
...     b = a * a
...     b.backward()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> [path.name for path in export(t, folder / "steps", format="png").files]
['step-000.png', 'step-001.png', 'step-002.png', 'step-003.png', 'step-004.png']
"""


def write_folder(
    frames: Sequence[Frame],
    path: Path,
    options: Options,
    *,
    picture: str = "svg",
    captions: bool = False,
    player: bool = False,
) -> ExportResult:
    """Write one `picture` file per frame into the folder `path` (created when missing); with `player`, also
    ``index.html``, the player page over the same pictures (what ``gradviz demo`` and ``render --steps`` write).

    A file of the same name that gradviz did not write stops it before anything is drawn (FilesRefused), unless
    ``options.overwrite``; the stale step files of an earlier, longer export by gradviz are removed, no others.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export._common import Options
    >>> from gradviz.viz import frames
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_folder(frames(t), folder / "steps", Options()).files]
    ['step-000.svg', 'step-001.svg', 'step-002.svg', 'step-003.svg', 'step-004.svg']
    """
    if picture not in FOLDER_FORMATS:
        raise ValueError(f"a frames folder holds svg, png or pdf pictures, got {picture!r}")
    if path.exists() and not path.is_dir():
        raise ValueError(f"{str(path)!r} is a file: give a folder (a path without an extension) for numbered pictures")
    index = path / "index.html"
    refuse_overwrites(
        [*step_paths(path, len(frames), picture), *([index] if player else [])], overwrite=options.overwrite
    )
    rendered = render_frames(frames, picture, options, caption=captions, dpi=options.dpi, with_svg=player)
    pages = {}
    if player:
        from ..viz.player import player_html

        page = player_html(
            [svg for _, svg in rendered],
            [frame.caption for frame in frames],
            [frame.equation for frame in frames],
            options.title,
            kinds=[frame.kind for frame in frames],
            dark=options.theme == "dark",
            language=options.language,
        )
        pages[index] = page.encode("utf-8", errors="replace")
        rendered = [data for data, _ in rendered]
    written = write_step_files(path, rendered, picture, overwrite=options.overwrite, also=pages)
    return ExportResult(
        path,
        picture,
        len(frames),
        written,
        vector=picture != "png",
        note=f"{written[0].name} … {written[len(frames) - 1].name}",
        language=options.language,
    )
