"""Recordings of a training run: snapshots of the network view and the decision boundary, as a GIF or an HTML player.

A :class:`Snapshot` holds what one moment of the training looks like (the network view as SVG and PNG, the
boundary as PNG, a caption such as "epoch 40 · loss 0.213"); :func:`write_recording` writes a list of them as an
animated GIF (``.gif``: for slides) or as one self-contained HTML page with a slider and play/pause buttons
(``.html``: the network's info boxes still open on hover). Pillow is imported only to write a GIF.

>>> import tempfile, pathlib, numpy as np
>>> from gradviz import keras
>>> from gradviz.viz.network import network_picture, picture_png, picture_svg
>>> model = keras.Sequential([keras.Dense(2, activation="tanh", input_dim=2), keras.Dense(1)], seed=0)
>>> picture = network_picture(model, np.array([[-1.0, -1.0], [1.0, 1.0]]))
>>> snapshot = Snapshot(0, picture_svg(picture), picture_png(picture, size=panel_size()), None, "epoch 0")
>>> write_recording([snapshot], pathlib.Path(tempfile.mkdtemp()) / "run.html").name
'run.html'
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..i18n import message, resolve_language
from .player import _TRANSPORT_SCRIPT, _json_for_script, inline_svg

__all__ = ["Snapshot", "write_recording", "panel_size", "RECORDING_SUFFIXES"]

RECORDING_SUFFIXES = (".gif", ".html")
"""The files :func:`write_recording` writes, by their suffix: an animated GIF, an HTML player.

>>> RECORDING_SUFFIXES
('.gif', '.html')
"""

_PNG = b"\x89PNG\r\n\x1a\n"
_MIN_CAPTION_PX = 24  # a GIF's caption is never smaller than this, in pixels
_PAD = 8  # around each picture of a GIF frame, in pixels


@dataclass(frozen=True)
class Snapshot:
    """One moment of a training run as a recording shows it: its `epoch`, the network view as SVG text
    (``network_svg``: the HTML player's) and as PNG bytes (``network_png``: the GIF's; draw it at
    :func:`panel_size` so that its text is not scaled), the decision boundary as PNG bytes (None when there is
    none, say for inputs that are not 2-D) and its `caption` ("epoch 40 · loss 0.213").

    >>> Snapshot(3, "<svg/>", b"\\x89PNG\\r\\n\\x1a\\n...", None, "epoch 3").epoch
    3
    >>> Snapshot(3, "<svg/>", b"GIF89a", None, "epoch 3")
    Traceback (most recent call last):
    ...
    ValueError: Snapshot.network_png holds PNG bytes (gradviz.viz.network.network_png), got b'GIF89a'
    """

    epoch: int
    network_svg: str
    network_png: bytes
    boundary_png: bytes | None
    caption: str

    def __post_init__(self):
        if isinstance(self.epoch, bool) or not isinstance(self.epoch, int):
            raise TypeError(f"Snapshot.epoch is a whole number, got {self.epoch!r}")
        if not isinstance(self.network_svg, str) or "<svg" not in self.network_svg:
            raise ValueError("Snapshot.network_svg holds SVG text (gradviz.viz.network.network_svg)")
        for name, data in (("network_png", self.network_png), ("boundary_png", self.boundary_png)):
            if data is None and name == "boundary_png":
                continue
            if not isinstance(data, bytes) or not data.startswith(_PNG):
                shown = repr(data[:12]) if isinstance(data, bytes) else type(data).__name__
                raise ValueError(f"Snapshot.{name} holds PNG bytes (gradviz.viz.network.{name}), got {shown}")


def _layout(size: tuple[int, int], halves: bool) -> tuple[int, tuple[int, int, int, int], tuple[int, int, int, int]]:
    """A GIF frame's caption size in pixels and its two panels (left, top, right, bottom): the network on the
    left, the boundary on the right (or the network alone across the frame, when no snapshot has a boundary)."""
    width, height = size
    caption_px = max(_MIN_CAPTION_PX, round(height * 0.04))
    top = round(caption_px * 1.8)
    middle = width // 2 if halves else width
    return caption_px, (_PAD, top, middle - _PAD, height - _PAD), (middle + _PAD, top, width - _PAD, height - _PAD)


def panel_size(size: tuple[int, int] = (1280, 720)) -> tuple[int, int]:
    """The size (width, height) in pixels that each picture of a GIF frame of `size` is scaled to fit: draw the
    network's PNG at it (``network_png(..., size=panel_size())``) and its text keeps the size it was drawn at.

    >>> panel_size(), panel_size((640, 360))
    ((624, 660), (304, 309))
    """
    _, (left, top, right, bottom), _ = _layout(_checked_size(size), True)
    return right - left, bottom - top


def _checked_size(size) -> tuple[int, int]:
    try:
        width, height = (int(side) for side in size)
    except (TypeError, ValueError):
        raise ValueError(f"write_recording: size is (width, height) in pixels, got {size!r}") from None
    if width < 64 or height < 64:
        raise ValueError(f"write_recording: size is (width, height), at least 64 pixels each, got {size!r}")
    return width, height


def _fitted(image, box: tuple[int, int, int, int]):
    """`image` scaled (up or down, keeping its aspect) to fill `box`, and where to paste it to centre it there."""
    from PIL import Image

    left, top, right, bottom = box
    scale = min((right - left) / image.width, (bottom - top) / image.height)
    shape = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if shape != image.size:
        image = image.resize(shape, Image.Resampling.LANCZOS)
    return image, (left + (right - left - image.width) // 2, top + (bottom - top - image.height) // 2)


def _exact_white(frames: list) -> list:
    """The frames with their palette's near-whites made white: a shared median-cut palette gives the background
    the mean of its bucket (and Pillow maps white to whichever near-white its colour cache finds), a visible
    grey-pink next to a slide's white."""
    palette = frames[0].getpalette()
    for k in range(0, len(palette), 3):
        if min(palette[k : k + 3]) >= 248:
            palette[k : k + 3] = [255, 255, 255]
    for frame in frames:
        frame.putpalette(palette)
    return frames


def _gif(snapshots: Sequence[Snapshot], size: tuple[int, int], duration_ms: int) -> bytes:
    from ..export._common import require
    from ..export.gif import _one_palette
    from .network import _truetype

    Image = require("PIL.Image", "pillow", "slides", "A recording as a GIF")
    from PIL import ImageDraw

    halves = any(s.boundary_png is not None for s in snapshots)
    caption_px, network_box, boundary_box = _layout(size, halves)
    frames = []
    for snapshot in snapshots:
        frame = Image.new("RGB", size, (255, 255, 255))
        for data, box in ((snapshot.network_png, network_box), (snapshot.boundary_png, boundary_box)):
            if data is None:
                continue
            with Image.open(io.BytesIO(data)) as opened:
                picture = opened.convert("RGBA")
            flat = Image.new("RGB", picture.size, (255, 255, 255))
            flat.paste(picture, mask=picture.getchannel("A"))
            fitted, corner = _fitted(flat, box)
            frame.paste(fitted, corner)
        pen = ImageDraw.Draw(frame)
        px, room = caption_px, size[0] - 2 * _PAD
        font = _truetype(px)
        while font.getlength(snapshot.caption) > room and px > 10:  # a long caption: smaller, to fit the width
            px -= 2
            font = _truetype(px)
        pen.text((size[0] / 2, network_box[1] / 2), snapshot.caption, font=font, fill=(17, 17, 17), anchor="mm")
        frames.append(frame)
    frames = _exact_white(_one_palette(frames))
    durations = [duration_ms] * len(frames)
    durations[-1] = 3 * duration_ms  # the last frame held, as gradviz's other GIFs
    save = {"format": "GIF", "loop": 0, "duration": durations if len(frames) > 1 else durations[-1]}
    if len(frames) > 1:
        save.update(save_all=True, append_images=frames[1:], optimize=False, disposal=1)
    stream = io.BytesIO()
    frames[0].save(stream, **save)
    return stream.getvalue()


_STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --paper: #ffffff; --muted: #5a5a5a; --line: #d0d0d0;
        --accent: #0b5cad; --panel: #f5f5f5; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: var(--paper); }
header { padding: 0.8rem 1.2rem 0.2rem; }
h1 { font-size: 1.25rem; margin: 0; font-weight: 600; }
.controls { display: none; position: sticky; top: 0; z-index: 1; gap: 0.6rem; align-items: center;
            padding: 0.5rem 1.2rem; background: var(--paper); border-bottom: 1px solid var(--line); }
.js .controls { display: flex; }
button { font: inherit; padding: 0.3rem 0.9rem; border: 1px solid var(--line); border-radius: 6px;
         background: var(--panel); color: var(--ink); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); }
button:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button:disabled { opacity: 0.45; cursor: default; }
input[type=range] { flex: 1 1 auto; min-width: 8rem; accent-color: var(--accent); }
.counter { font-variant-numeric: tabular-nums; color: var(--muted); white-space: nowrap; }
.snapshot { margin: 0; padding: 0.6rem 1.2rem 1.2rem; border-bottom: 1px solid var(--line); }
.js .snapshot { display: none; border-bottom: 0; }
.js .snapshot.current { display: block; }
.caption { font-size: 1.25rem; font-weight: 600; margin: 0 0 0.5rem; font-variant-numeric: tabular-nums; }
.panels { display: flex; gap: 1rem; align-items: center; }
.network { flex: 3 1 0; min-width: 0; }
.network svg { display: block; width: 100%; height: auto; max-height: calc(100vh - 10rem); }
.boundary { flex: 2 1 0; min-width: 0; max-width: 40%; height: auto; max-height: calc(100vh - 10rem);
            object-fit: contain; }
@media (max-width: 800px) { .panels { flex-direction: column; } .boundary { max-width: 100%; } }
"""

# reads the JSON blob, shows one snapshot at a time; textContent only, never innerHTML. No "<" nor "&" in it:
# the page stays well-formed XML
_SCRIPT_BODY = (
    """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gradviz-recording").textContent);
  document.documentElement.classList.add("js");
  var figures = document.querySelectorAll(".snapshot");
  var total = figures.length;
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var previous = document.getElementById("previous");
  var next = document.getElementById("next");
  var play = document.getElementById("play");
  var current = 0;
  var timer = null;
  function show(index) {
    current = Math.max(0, Math.min(total - 1, index));
    for (var i = 0; i !== total; i++) {
      figures[i].classList.toggle("current", i === current);
    }
    var snapshot = data.snapshots[current];
    slider.value = String(current);
    counter.textContent = data.labels.counter.replace("{epoch}", String(snapshot.epoch))
      .replace("{step}", String(current + 1)).replace("{total}", String(total));
    document.title = data.title + " \\u2014 " + snapshot.caption;
    previous.disabled = current === 0;
    next.disabled = current === total - 1;
  }
"""
    + _TRANSPORT_SCRIPT
    + """  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  show(0);
})();
"""
)


def _html(snapshots: Sequence[Snapshot], duration_ms: int, language: str) -> bytes:
    import base64

    def say(key: str, **fields) -> str:
        return message(key, language, **fields)

    title = say("network.recording_title")
    total = len(snapshots)
    figures = []
    for k, snapshot in enumerate(snapshots):
        boundary = ""
        if snapshot.boundary_png is not None:
            source = base64.b64encode(snapshot.boundary_png).decode("ascii")
            alt = html.escape(say("network.boundary_alt", epoch=snapshot.epoch))
            boundary = f'<img class="boundary" alt="{alt}" src="data:image/png;base64,{source}"/>'
        figures.append(
            f'<figure class="snapshot{" current" if k == 0 else ""}" id="snapshot-{k + 1}" data-index="{k}"'
            f' data-epoch="{snapshot.epoch}">\n'
            f'<figcaption class="caption">{html.escape(snapshot.caption)}</figcaption>\n'
            f'<div class="panels"><div class="network" aria-label="'
            f'{html.escape(say("network.view_label", epoch=snapshot.epoch))}">'
            f"{inline_svg(snapshot.network_svg, f's{k + 1}-')}</div>{boundary}</div>\n"
            "</figure>"
        )
    data = {
        "title": title,
        "labels": {
            "counter": say("network.recording_counter", epoch="{epoch}", step="{step}", total="{total}"),
            "play": say("player.play"),
            "pause": say("player.pause"),
        },
        "interval_ms": int(duration_ms),
        "snapshots": [{"epoch": s.epoch, "caption": s.caption} for s in snapshots],
    }
    first = say("network.recording_counter", epoch=snapshots[0].epoch, step=1, total=total)
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n'
        "<head>\n"
        '<meta charset="utf-8"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        '<meta name="generator" content="gradviz"/>\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{_STYLE}</style>\n"
        "</head>\n"
        "<body>\n"
        f"<header><h1>{html.escape(title)}</h1></header>\n"
        f'<nav class="controls" aria-label="{html.escape(say("network.recording_controls"))}">\n'
        f'<button type="button" id="previous" aria-label="{html.escape(say("player.previous_label"))}">'
        f"{html.escape(say('player.previous'))}</button>\n"
        f'<button type="button" id="play" aria-pressed="false">{html.escape(say("player.play"))}</button>\n'
        f'<button type="button" id="next" aria-label="{html.escape(say("player.next_label"))}">'
        f"{html.escape(say('player.next'))}</button>\n"
        f'<input type="range" id="slider" min="0" max="{total - 1}" step="1" value="0"'
        f' aria-label="{html.escape(say("network.recording_slider"))}"/>\n'
        f'<span class="counter" id="counter" aria-live="polite">{html.escape(first)}</span>\n'
        "</nav>\n"
        "<main>\n" + "\n".join(figures) + "\n</main>\n"
        f'<script type="application/json" id="gradviz-recording">{_json_for_script(data)}</script>\n'
        f"<script>{_SCRIPT_BODY}</script>\n"
        "</body>\n"
        "</html>\n"
    )
    return page.encode("utf-8")


def write_recording(
    snapshots: Sequence[Snapshot],
    path,
    *,
    overwrite: bool = False,
    size: tuple[int, int] = (1280, 720),
    duration_ms: int = 500,
    language: str | None = None,
) -> Path:
    """Write `snapshots` (a list of :class:`Snapshot`, in the order of the training) to `path` and return it.

    By the suffix of `path`: ``.gif``, an animated GIF whose frames are `size` pixels, the network view on the left
    and the boundary on the right (each scaled to fill its half), the caption on top, `duration_ms` a frame and the
    last one held three times as long; ``.html``, one self-contained page (no network access) that shows one
    snapshot at a time — the network view as SVG (its info boxes open on hover), the boundary, the caption — with
    a slider, ◀ ▶ and play/pause buttons and the keys ←, →, space, Home and End, its words in `language` ("en" or
    "es", default the one in use). gradviz will not overwrite a file it did not write (``FilesRefused``, a
    FileExistsError) unless `overwrite`.

    >>> import tempfile, pathlib, numpy as np
    >>> from PIL import Image
    >>> from gradviz import keras
    >>> from gradviz.viz.network import network_picture, picture_png, picture_svg
    >>> model = keras.Sequential([keras.Dense(2, activation="tanh", input_dim=2), keras.Dense(1)], seed=0)
    >>> picture = network_picture(model, np.array([[-1.0, -1.0], [1.0, 1.0]]))
    >>> svg, png = picture_svg(picture), picture_png(picture, size=panel_size())
    >>> snapshots = [Snapshot(epoch, svg, png, png, f"epoch {epoch}") for epoch in (0, 10, 20)]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> gif = Image.open(write_recording(snapshots, folder / "run.gif"))
    >>> gif.n_frames, gif.size
    (3, (1280, 720))
    >>> page = write_recording(snapshots, folder / "run.html", language="es").read_text()
    >>> '<html lang="es">' in page, "▶ Reproducir" in page, page.count('class="gradviz-network-view"')
    (True, True, 3)
    >>> write_recording(snapshots, folder / "run.mp4")
    Traceback (most recent call last):
    ...
    ValueError: write_recording writes a .gif or an .html file, got 'run.mp4'
    """
    from ..export._files import refuse_overwrites, write_files

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in RECORDING_SUFFIXES:
        raise ValueError(f"write_recording writes a .gif or an .html file, got {path.name!r}")
    snapshots = list(snapshots)
    if not snapshots:
        raise ValueError("write_recording: no snapshots to write; record at least one Snapshot of the training")
    strays = [type(s).__name__ for s in snapshots if not isinstance(s, Snapshot)]
    if strays:
        raise TypeError(f"write_recording writes Snapshot objects, got {', '.join(sorted(set(strays)))}")
    if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms < 20:
        raise ValueError(f"write_recording: duration_ms={duration_ms!r}: GIF viewers show a frame at least 20 ms")
    size = _checked_size(size)
    language = resolve_language(language, "write_recording(language=...)")
    refuse_overwrites([path], overwrite=overwrite)  # before anything is drawn
    data = _gif(snapshots, size, duration_ms) if suffix == ".gif" else _html(snapshots, duration_ms, language)
    write_files({path: data}, overwrite=overwrite)
    return path
