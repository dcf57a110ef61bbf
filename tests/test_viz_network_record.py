"""Recordings of a training run (gradviz.viz.network_record): snapshots as an animated GIF or an HTML player."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from gradviz import keras
from gradviz.export._files import FilesRefused
from gradviz.viz.network import network_picture, picture_png, picture_svg
from gradviz.viz.network_record import Snapshot, panel_size, write_recording

Image = pytest.importorskip("PIL.Image")

GREEN = (0, 200, 0)


def solid_png(colour=GREEN, size=(40, 30)) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", size, colour).save(stream, format="PNG")
    return stream.getvalue()


def snapshots(count=3, boundary=True, size=(640, 360)) -> list[Snapshot]:
    model = keras.Sequential([keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1)], seed=0)
    picture = network_picture(model, np.array([[-1.0, -1.0], [1.0, 1.0]]), resolution=8)
    svg, png = picture_svg(picture), picture_png(picture, size=panel_size(size))
    return [
        Snapshot(10 * k, svg, png, solid_png() if boundary else None, f"epoch {10 * k} · loss {0.7 / (k + 1):.3f}")
        for k in range(count)
    ]


def test_the_gif_has_one_frame_per_snapshot_at_the_size_asked_and_holds_the_last(tmp_path):
    path = write_recording(snapshots(3), tmp_path / "run.gif", size=(640, 360), duration_ms=200)
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.size == (640, 360)
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
    assert durations == [200, 200, 600]


def test_a_gif_frame_has_the_caption_on_top_the_network_left_and_the_boundary_right(tmp_path):
    path = write_recording(snapshots(1), tmp_path / "run.gif", size=(640, 360))
    with Image.open(path) as gif:
        frame = np.asarray(gif.convert("RGB")).astype(int)
    green = (frame[..., 1] > 150) & (frame[..., 0] < 60) & (frame[..., 2] < 60)
    assert green[:, 320:].mean() > 0.3 and not green[:, :320].any()  # the boundary fills the right half
    left = frame[50:, :320]
    assert ((left[..., 0] > left[..., 2] + 60).sum() > 100) and ((left[..., 2] > left[..., 0] + 60).sum() > 100)
    band = frame[:40]
    inked = np.nonzero((band.max(axis=-1) < 100).any(axis=1))[0]
    assert inked.size and inked.max() - inked.min() + 1 >= 15  # the caption: 24 px text or more
    assert tuple(frame[-2, 2]) == (255, 255, 255)  # a white background, not the palette's near-white


def test_without_a_boundary_the_network_fills_the_frame(tmp_path):
    path = write_recording(snapshots(2, boundary=False), tmp_path / "run.gif", size=(640, 360))
    with Image.open(path) as gif:
        frame = np.asarray(gif.convert("RGB")).astype(int)
    drawn = np.nonzero((frame[60:].min(axis=-1) < 200).any(axis=0))[0]
    assert drawn.min() < 200 and drawn.max() > 440  # one picture across the middle


def test_the_html_player_holds_every_snapshot_a_slider_and_parses(tmp_path):
    from html.parser import HTMLParser

    recorded = snapshots(4)
    page = write_recording(recorded, tmp_path / "run.html", duration_ms=300).read_text(encoding="utf-8")
    root = ET.fromstring(page)  # well-formed: XML parses it too
    assert root.get("lang") == "en"
    figures = [e for e in root.iter("figure") if "snapshot" in e.get("class", "")]
    assert [f.get("data-epoch") for f in figures] == ["0", "10", "20", "30"]
    assert [f.find("figcaption").text for f in figures] == [s.caption for s in recorded]
    assert all(f.find(".//svg[@class='gradviz-network-view']") is not None for f in figures)  # inline, no xmlns
    assert sum(1 for e in root.iter("img") if e.get("src", "").startswith("data:image/png;base64,")) == 4
    (slider,) = [e for e in root.iter("input") if e.get("type") == "range"]
    assert (slider.get("min"), slider.get("max"), slider.get("value")) == ("0", "3", "0")
    assert [b.text for b in root.iter("button")] == ["◀ Previous", "▶ Play", "Next ▶"]

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.sources = []

        def handle_starttag(self, tag, attrs):
            self.sources += [value for name, value in attrs if name in ("src", "href") and value]

    parser = Tags()
    parser.feed(page)
    assert parser.sources and all(source.startswith("data:") for source in parser.sources)  # nothing fetched
    assert "<link" not in page and "http://" not in page.replace("http://www.w3.org/", "")


def test_the_html_player_speaks_spanish(tmp_path):
    page = write_recording(snapshots(2), tmp_path / "run.html", language="es").read_text(encoding="utf-8")
    root = ET.fromstring(page)
    assert root.get("lang") == "es"
    assert [b.text for b in root.iter("button")] == ["◀ Anterior", "▶ Reproducir", "Siguiente ▶"]
    assert "época 0 · instantánea 1 / 2" in page and "la frontera de decisión en la época 10" in page


@pytest.mark.parametrize("suffix", [".gif", ".html"])
def test_a_recording_refuses_to_overwrite_a_file_gradviz_did_not_write(tmp_path, suffix):
    mine = tmp_path / f"talk{suffix}"
    mine.write_bytes(b"my own file")
    with pytest.raises(FilesRefused) as refused:
        write_recording(snapshots(1), mine)
    assert refused.value.paths == [mine] and mine.read_bytes() == b"my own file"
    assert write_recording(snapshots(1), mine, overwrite=True) == mine and mine.read_bytes() != b"my own file"
    write_recording(snapshots(2), mine)  # its own file, unchanged since: replaced without asking


def test_a_bad_suffix_is_refused_naming_the_suffixes(tmp_path):
    with pytest.raises(ValueError, match=r"\.gif or an \.html file, got 'run\.mp4'"):
        write_recording(snapshots(1), tmp_path / "run.mp4")
    assert not (tmp_path / "run.mp4").exists()


def test_no_snapshots_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match="no snapshots to write"):
        write_recording([], tmp_path / "run.gif")


def test_a_snapshot_refuses_what_is_not_a_png_or_an_svg():
    (good,) = snapshots(1)
    with pytest.raises(ValueError, match="network_png holds PNG bytes"):
        Snapshot(0, good.network_svg, b"GIF89a", None, "epoch 0")
    with pytest.raises(ValueError, match="boundary_png holds PNG bytes"):
        Snapshot(0, good.network_svg, good.network_png, "boundary.png", "epoch 0")
    with pytest.raises(ValueError, match="SVG text"):
        Snapshot(0, "", good.network_png, None, "epoch 0")


def test_importing_the_network_view_and_its_recordings_does_not_import_pillow():
    code = "import sys, gradviz.viz.network, gradviz.viz.network_record; print('PIL' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


@pytest.mark.browser
def test_in_a_browser_the_slider_and_the_buttons_step_through_the_snapshots(tmp_path):
    from browser import MISSING, chromium_context

    if MISSING is not None:
        pytest.skip(MISSING)
    path = write_recording(snapshots(3), tmp_path / "run.html", duration_ms=100)
    errors = []
    with chromium_context(tmp_path / "chromium") as context:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        current = page.locator("figure.snapshot.current")
        assert page.locator("#counter").inner_text() == "epoch 0 · snapshot 1 / 3"
        page.locator("#slider").fill("2")
        assert current.get_attribute("data-epoch") == "20" and page.locator("#next").is_disabled()
        page.locator("#previous").click()
        assert current.get_attribute("data-epoch") == "10"
        assert page.locator("figure.snapshot:visible").count() == 1
        page.locator("#play").click()
        page.wait_for_function("document.getElementById('play').getAttribute('aria-pressed') === 'false'")
        assert current.get_attribute("data-epoch") == "20" and page.locator("#slider").input_value() == "2"
    assert errors == []
