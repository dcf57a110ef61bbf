"""The Playground (gradviz/widgets/playground.py) live in a real browser: Voila runs the notebook on a kernel,
headless Debian Chromium clicks Run, the kernel trains in its background thread and the page's loss text,
curves and decision boundary change; a click on a layer name draws that layer's graph.

Screenshots go to the test's tmp dir and are checked to hold a picture (more than one colour).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import MISSING, chromium_context
from jupyter_support import MISSING_VOILA, voila_server

if MISSING is None:
    from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(MISSING is not None, reason=str(MISSING)),
    pytest.mark.skipif(MISSING_VOILA is not None, reason=str(MISSING_VOILA)),
]

EPOCHS = 40  # one press of Run; a small net on 300 points trains this in a few seconds
LIVE_TIMEOUT_MS = 90_000  # kernel start, the notebook's imports, the first pictures (about 5 s when healthy)
CLICK_TIMEOUT_MS = 60_000
CELL = f"""\
from gradviz.widgets import Playground
p = Playground(dataset="moons", hidden=(8, 8), activation="tanh", epochs={EPOCHS}, seed=0)
p"""


def write_notebook(folder: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = folder / "playground.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(CELL)]), str(path))
    return path


def assert_not_blank(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as picture:
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 50, f"{path} looks blank: {len(colours)} colours"


def image_source(page, css_class: str) -> str:
    return page.locator(f"img.{css_class}").get_attribute("src") or ""


def test_run_trains_in_the_kernel_and_the_loss_text_curves_and_layer_graph_change(tmp_path):
    notebook = write_notebook(tmp_path)
    errors: list[str] = []
    with (
        voila_server(notebook, tmp_path / "voila") as url,
        chromium_context(tmp_path / "chromium", local_server=True, viewport={"width": 1280, "height": 900}) as context,
    ):
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, wait_until="commit", timeout=LIVE_TIMEOUT_MS)

        status = page.locator(".gradviz-loss")
        expect(status).to_contain_text("epoch 0 · loss", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("img.gradviz-boundary")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        before_text = status.inner_text()
        before_boundary = image_source(page, "gradviz-boundary")
        before_curves = image_source(page, "gradviz-curves")
        network = page.locator(".gradviz-network svg")
        expect(network).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(page.locator(".gradviz-network g.weight")).to_have_count(2 * 8 + 8 * 8 + 8 * 1)
        before_network = network.inner_html()
        page.screenshot(path=tmp_path / "playground-before.png", full_page=True)

        page.locator(".gradviz-run").click()
        expect(status).not_to_have_text(before_text, timeout=CLICK_TIMEOUT_MS)
        expect(status).to_contain_text(f"epoch {EPOCHS} · loss", timeout=CLICK_TIMEOUT_MS)
        expect(page.locator(".gradviz-run")).to_be_enabled(timeout=CLICK_TIMEOUT_MS)  # the run has ended
        assert image_source(page, "gradviz-boundary") != before_boundary
        assert image_source(page, "gradviz-curves") != before_curves
        loss_before = float(re.search(r"loss (\d+\.\d+)", before_text).group(1))
        loss_after = float(re.search(r"loss (\d+\.\d+)", status.inner_text()).group(1))
        assert loss_after < loss_before, (before_text, status.inner_text())
        assert network.inner_html() != before_network  # the network view followed the training

        # a click on a weight shows its value and its gradient beside it
        weight = page.locator(".gradviz-network g.weight").first
        info = weight.locator(".weight-info")
        expect(info).to_be_hidden()
        weight.click()
        expect(info).to_be_visible()
        expect(info).to_contain_text("w = ")
        expect(info).to_contain_text("∂L/∂w = ")
        page.locator(".gradviz-network-lines button", has_text="gradients").click()
        expect(page.locator('.gradviz-network svg[data-shows="gradient"]')).to_be_attached(timeout=CLICK_TIMEOUT_MS)
        page.locator(".gradviz-network").screenshot(path=tmp_path / "playground-network.png")

        page.locator(".gradviz-layer-picker button", has_text="hidden1").click()
        graph = page.locator(".gradviz-layer-graph svg")
        expect(graph).to_be_visible(timeout=CLICK_TIMEOUT_MS)
        expect(page.locator(".gradviz-layer-graph")).to_contain_text("hidden1.weight")
        page.screenshot(path=tmp_path / "playground-after.png", full_page=True)

        # the chain rule through a weight, chosen in its menu; a third hidden layer from the + button
        page.locator(".gradviz-weight-picker select").select_option(index=1)
        expect(page.locator(".gradviz-chain-rule")).to_contain_text("path 1", timeout=CLICK_TIMEOUT_MS)
        page.locator(".gradviz-add-layer").click()
        expect(page.locator(".gradviz-network g.weight")).to_have_count(
            2 * 8 + 8 * 8 + 8 * 8 + 8 * 1, timeout=CLICK_TIMEOUT_MS
        )
        expect(status).to_contain_text("epoch 0 · loss", timeout=CLICK_TIMEOUT_MS)
        page.locator(".gradviz-layer-editor").screenshot(path=tmp_path / "playground-layers.png")
    assert not errors, f"JavaScript errors on the page: {errors}"
    for name in ("playground-before.png", "playground-after.png", "playground-network.png", "playground-layers.png"):
        assert_not_blank(tmp_path / name)
