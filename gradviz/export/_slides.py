"""Where things go on a slide or a page (PPTX, PDF): the title on top, the caption and the equation at the foot,
and the picture scaled to fill the space left between them — one geometry for every exporter that makes pages.

>>> page = slide_geometry("16:9", (800, 300), bottom_lines=2)
>>> page.size
(960.0, 540.0)
>>> x, y, width, height = page.picture
>>> round(width), round(height / page.free[3], 2)     # as wide as the free space allows
(912, 0.84)
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple

from ..errors import GradvizError

__all__ = [
    "ASPECTS",
    "check_aspect",
    "slide_geometry",
    "SlideGeometry",
    "TITLE_POINTS",
    "BOTTOM_POINTS",
    "text_dot",
    "foot_lines",
]

ASPECTS = {"16:9": (960.0, 540.0), "4:3": (720.0, 540.0)}  # page sizes in points (13.333 × 7.5 in, 10 × 7.5 in)
TITLE_POINTS = 28  # the title's text on a page
BOTTOM_POINTS = 18  # the caption's and equation's text
_MARGIN = 24.0
_TITLE_HEIGHT = 48.0
_LINE = 1.3  # line height, in text sizes
_BOTTOM_CHARS = 100  # a foot line wraps here
FOOT_LINES = 6  # the most lines a page's foot shows


class SlideGeometry(NamedTuple):
    """A page of `size` (points, y down): boxes (x, y, width, height) for the title, the picture (scaled to
    `free`, the space between title and foot, and centred in it) and the foot (caption and equation), whose
    text is `bottom_points` high."""

    size: tuple[float, float]
    title: tuple[float, float, float, float]
    free: tuple[float, float, float, float]
    picture: tuple[float, float, float, float]
    bottom: tuple[float, float, float, float]
    bottom_points: float


def check_aspect(aspect, option: str = "aspect=") -> str:
    """The page shape: "16:9" (the default) or "4:3"."""
    if aspect not in ASPECTS:
        from ._common import OptionError

        raise OptionError(f"{option}{aspect!r}: pages are '16:9' (the default) or '4:3'")
    return aspect


def foot_lines(*texts: str | None) -> list[str]:
    """The caption's and equation's lines as a page's foot shows them, wrapped; past `FOOT_LINES`, the last
    line says how many more there are (the picture keeps the room it needs; the speaker notes, the player and
    the frames hold every line)."""
    lines: list[str] = []
    for text in texts:
        for line in (text or "").splitlines():
            lines.extend(textwrap.wrap(line, _BOTTOM_CHARS) or [""])
    lines = [line for line in lines if line.strip()]
    if len(lines) > FOOT_LINES:
        lines = lines[: FOOT_LINES - 1] + [f"… (+{len(lines) - FOOT_LINES + 1})"]
    return lines


def slide_geometry(aspect: str, picture: tuple[float, float], bottom_lines: int) -> SlideGeometry:
    """The boxes of a page of shape `aspect` for a picture of size `picture` (any unit: only its shape counts)
    and a foot of `bottom_lines` lines."""
    if aspect not in ASPECTS:
        raise GradvizError(f"aspect {aspect!r}: pages are '16:9' or '4:3'")
    width, height = ASPECTS[aspect]
    points = BOTTOM_POINTS if bottom_lines <= 6 else max(11.0, BOTTOM_POINTS * 6 / bottom_lines)
    foot = bottom_lines * points * _LINE + (8 if bottom_lines else 0)
    title = (_MARGIN, _MARGIN / 2, width - 2 * _MARGIN, _TITLE_HEIGHT)
    top = title[1] + title[3] + 6
    free = (_MARGIN, top, width - 2 * _MARGIN, height - top - foot - _MARGIN / 2)
    scale = min(free[2] / picture[0], free[3] / picture[1])
    shown = (picture[0] * scale, picture[1] * scale)
    # the picture and the foot under it, together centred between the title and the page's bottom edge
    gap = 8 if bottom_lines else 0
    top_of_group = top + (free[3] - shown[1]) / 2
    placed = (free[0] + (free[2] - shown[0]) / 2, top_of_group, *shown)
    bottom = (_MARGIN, top_of_group + shown[1] + gap, width - 2 * _MARGIN, foot)
    return SlideGeometry((width, height), title, free, placed, bottom, points)


def text_dot(lines: list[str], points: float, color: str, background: str, bold: bool = False) -> str:
    """DOT text of a block of `lines`, left-aligned, `points` high — a page's title or foot drawn by the layout
    program itself (it embeds the fonts that ∂, −, · and ← need)."""
    from ..viz.dot import FONT, escape

    body = "".join(f'{escape(line) or " "}<BR ALIGN="LEFT"/>' for line in lines) or " "
    if bold:
        body = f"<B>{body}</B>"
    return (
        f'digraph {{ graph [bgcolor="{background}" margin=0 pad=0]; '
        f't [shape=plaintext margin=0 fontname={FONT} fontsize={points:g} fontcolor="{color}" label=<{body}>] }}'
    )
