"""Slide-ready pictures (gradviz.export._slides and the exporters that place pictures): one layout for every frame,
pages that the picture fills, text a lecture hall can read — for the three lessons of tests/viz_examples.py."""

from __future__ import annotations

import io
import re

import pytest
from viz_examples import LESSONS

from gradviz.export import export
from gradviz.export._slides import ASPECTS, foot_lines, slide_geometry
from gradviz.viz import frames
from gradviz.viz.render import _graphviz_pure, _system_dot

RENDERERS = [
    pytest.param("dot", marks=pytest.mark.skipif(_system_dot() is None, reason="no system Graphviz dot")),
    pytest.param("graphviz-pure", marks=pytest.mark.skipif(_graphviz_pure() is None, reason="no graphviz-pure")),
]
_NODE = re.compile(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>\s*<(?:path|polygon|ellipse)([^>]*)>')
_SHAPE = re.compile(r'\b(?:points|d|cx|cy|rx|ry)="([^"]*)"')


def node_places(svg: str) -> dict[str, tuple[str, ...]]:
    """Each node's outline (its shape's coordinates) in an SVG drawn by Graphviz."""
    return {name: tuple(_SHAPE.findall(shape)) for name, shape in _NODE.findall(svg)}


def canvas(svg: str) -> tuple[str, str, str]:
    found = re.search(r'<svg width="([^"]+)" height="([^"]+)"[^>]*viewBox="([^"]+)"', svg)
    return found.groups()


def smallest_text(svg: str) -> float:
    return min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg))


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exported_frame_draws_each_node_at_the_same_place_on_one_canvas(lesson, renderer, tmp_path):
    result = export(LESSONS[lesson](), tmp_path / "steps", engine=renderer, focus=False)
    svgs = [path.read_text(encoding="utf-8") for path in result.files if path.suffix == ".svg"]
    assert len(svgs) == result.frames > 5
    assert len({canvas(svg) for svg in svgs}) == 1  # one canvas size
    places = [node_places(svg) for svg in svgs]
    assert len(places[0]) >= 5 and all(place == places[0] for place in places)  # every node in one place


@pytest.mark.parametrize("lesson", LESSONS)
def test_slides_are_filled_by_the_picture_and_their_smallest_text_is_16_px_on_a_1920_pixel_slide(lesson, tmp_path):
    pptx = pytest.importorskip("pptx")
    trace = LESSONS[lesson]()
    folder = export(trace, tmp_path / "steps")
    svgs = [path.read_text(encoding="utf-8") for path in folder.files if path.suffix == ".svg"]
    deck = pptx.Presentation(str(export(trace, tmp_path / "lesson.pptx").path))
    slide_width = deck.slide_width
    lines = max(len(foot_lines(frame.equation)) for frame in frames(trace))  # the foot is as tall on every slide
    free = slide_geometry("16:9", (1, 1), lines).free
    for number, (slide, svg) in enumerate(zip(deck.slides, svgs, strict=True)):
        (picture,) = [shape for shape in slide.shapes if shape.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        emu = slide_width / ASPECTS["16:9"][0]
        filled = max(picture.width / (free[2] * emu), picture.height / (free[3] * emu))
        assert filled >= 0.8, f"slide {number + 1}: the picture fills {filled:.0%} of the free space"
        pixels_per_point = picture.width / slide_width * 1920 / float(canvas(svg)[0].rstrip("pt"))
        smallest = smallest_text(svg) * pixels_per_point
        assert smallest >= 16, f"{lesson}, slide {number + 1}: the smallest text is {smallest:.1f} px at 1920"


def test_the_picture_sits_in_the_free_space_between_title_and_foot_for_both_page_shapes():
    for aspect in ASPECTS:
        for picture in [(900, 100), (100, 900), (16, 9)]:
            page = slide_geometry(aspect, picture, bottom_lines=3)
            x, y, width, height = page.picture
            fx, fy, fw, fh = page.free
            assert fx - 1e-6 <= x and x + width <= fx + fw + 1e-6 and fy - 1e-6 <= y and y + height <= fy + fh + 1e-6
            assert max(width / fw, height / fh) == pytest.approx(1.0)  # as large as it can be
            assert y + height <= page.bottom[1] and page.title[1] + page.title[3] <= y


def test_a_gif_is_1280_by_720_by_default_and_the_picture_fills_it(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    result = export(LESSONS["worked example"](), tmp_path / "lesson.gif")
    with Image.open(result.path) as gif:
        assert gif.size == (1280, 720)
        frame = gif.convert("RGB")
    background = frame.getpixel((0, 0))
    columns = [x for x in range(frame.width) if any(frame.getpixel((x, y)) != background for y in range(0, 720, 4))]
    assert columns[-1] - columns[0] > 0.9 * 1280  # the picture spans the width


def test_raster_pdf_pages_are_16_9_too(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    result = export(LESSONS["worked example"](), tmp_path / "lesson.pdf", vector=False, engine="graphviz-pure")
    reader = pypdf.PdfReader(io.BytesIO(result.path.read_bytes()))
    width, height = (float(side) for side in reader.pages[0].mediabox[2:])
    assert width / height == pytest.approx(16 / 9, rel=0.01) and len(reader.pages) == result.frames
