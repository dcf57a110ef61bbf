"""The backprop stepper in a real browser: a notebook served by Voila, driven by Playwright in Debian's Chromium.

The notebook builds the worked example f = (x + y)·z and shows ``gradviz.step_through(f)``. Clicking Next and
pressing → on the slider travel websocket → kernel → Python observer → widget update → DOM, so the test
proves the whole loop, and saves screenshots of the stepper (checked not blank) in its tmp dir.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browser import MISSING, chromium_context
from jupyter_support import MISSING_VOILA, voila_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(MISSING is not None, reason=str(MISSING)),
    pytest.mark.skipif(MISSING_VOILA is not None, reason=str(MISSING_VOILA)),
]

if MISSING is None and MISSING_VOILA is None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

LOAD_TIMEOUT_MS = 60_000  # healthy: a few seconds (kernel start, notebook run, widget manager boot)
LOAD_ATTEMPTS = 2  # each reload starts a fresh kernel: a second line of defence against a stalled start
STEP_TIMEOUT_MS = 15_000
# everything but the Voila server on this machine (its page links a CDN font, which the test must not fetch)

CELLS = [
    "import gradviz\n"
    "from gradviz import Value\n"
    'x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")\n'
    "q = x + y\n"
    'q.label = "q"\n'
    "f = q * z\n"
    'f.label = "f"',
    "gradviz.step_through(f)",
]


TRAINING_CELLS = [
    "import gradviz\n"
    "from gradviz import Value\n"
    'w = Value(1.0, label="w")\n'
    "opt = gradviz.optim.SGD([w], lr=0.25)\n"
    "with gradviz.trace() as t:\n"
    "    for _ in range(2):\n"
    "        opt.zero_grad()\n"
    "        loss = w * w\n"
    '        loss.label = "L"\n'
    "        loss.backward()\n"
    "        opt.step()",
    "gradviz.step_through(t)",
]


def write_notebook(folder: Path, cells=CELLS) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "stepper.ipynb"
    nbformat.write(notebook, str(path))
    return path


def frame_at(page, step: int):
    return page.locator(f'.gradviz-diagram .gradviz-frame[data-step="{step}"]')


def open_stepper(page, url: str) -> None:
    failure = None
    for _ in range(LOAD_ATTEMPTS):
        try:
            page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
            expect(frame_at(page, 0).locator("svg")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
            return
        except (AssertionError, PlaywrightError) as error:  # expect() raises AssertionError
            failure = error
    raise failure


def assert_not_blank(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as picture:
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 16)  # None: more colours than that
    assert colours is None or len(colours) > 1, f"{path} is one flat colour"


def test_next_and_the_arrow_key_step_the_diagram_and_caption_in_voila(tmp_path):
    started = time.perf_counter()
    notebook = write_notebook(tmp_path)
    errors: list[str] = []
    with (
        voila_server(notebook, tmp_path / "voila") as url,
        chromium_context(tmp_path / "chromium", local_server=True) as context,
    ):
        serving = time.perf_counter() - started
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_stepper(page, url)
        live = time.perf_counter() - started

        diagram, caption = page.locator(".gradviz-diagram"), page.locator(".gradviz-caption")
        expect(caption).to_contain_text("before anything runs")
        expect(page.locator(".gradviz-counter")).to_have_text("step 1 of 7")
        svg_before, caption_before = diagram.inner_html(), caption.inner_text()
        page.screenshot(path=tmp_path / "stepper-start.png", full_page=True)

        page.get_by_role("button", name="Next").click()
        expect(frame_at(page, 1)).to_be_attached()
        expect(caption).to_contain_text("q = x + y = (−2) + 5 = 3")
        expect(page.locator(".gradviz-counter")).to_have_text("step 2 of 7")
        assert diagram.inner_html() != svg_before and caption.inner_text() != caption_before

        # keyboard: the slider's handle takes focus; → steps forward as Next does
        page.locator(".gradviz-slider [role=slider]").focus()
        page.keyboard.press("ArrowRight")
        expect(frame_at(page, 2)).to_be_attached()
        expect(caption).to_contain_text("f = q · z = 3 · (−4) = −12")

        for step in (3, 4, 5):  # on to the backward step where q hands −4 to x and y
            page.get_by_role("button", name="Next").click()
            expect(frame_at(page, step)).to_be_attached()
        expect(caption).to_contain_text("∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4")
        expect(page.locator(".gradviz-table")).to_contain_text("−4")
        page.screenshot(path=tmp_path / "stepper-backward.png", full_page=True)
        page.locator(".gradviz-slider [role=slider]").focus()
        page.keyboard.press("End")
        expect(frame_at(page, 6)).to_be_attached()
        expect(caption).to_contain_text("Done: f = −12")
        stepped = time.perf_counter() - started

    for name in ("stepper-start.png", "stepper-backward.png"):
        assert_not_blank(tmp_path / name)
    assert not errors, f"JavaScript errors on the page: {errors}"
    print(
        f"\nstepper in Voila: server and browser up {serving:.1f} s, stepper live {live:.1f} s, "
        f"stepped {stepped:.1f} s, all {time.perf_counter() - started:.1f} s; screenshots in {tmp_path}"
    )


def test_the_iteration_control_and_the_update_frames_of_a_training_lesson_in_voila(tmp_path):
    notebook = write_notebook(tmp_path, TRAINING_CELLS)
    errors: list[str] = []
    with (
        voila_server(notebook, tmp_path / "voila") as url,
        chromium_context(tmp_path / "chromium", local_server=True) as context,
    ):
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_stepper(page, url)
        caption = page.locator(".gradviz-caption")
        # per iteration: the graph, 1 forward step, the seed and 1 backward step, the result, the update; a summary
        expect(page.locator(".gradviz-counter")).to_have_text("step 1 of 13")
        page.locator(".gradviz-iteration select").select_option(label="iteration 2")
        expect(frame_at(page, 6)).to_be_attached()  # the first frame of the second iteration
        expect(caption).to_contain_text("before anything runs")
        expect(page.locator(".gradviz-table")).to_contain_text("0.5")  # w after the first update
        page.locator(".gradviz-slider [role=slider]").focus()
        page.keyboard.press("End")
        expect(caption).to_contain_text("The loss per iteration: 1 → 0.25")
        page.keyboard.press("ArrowLeft")
        expect(page.locator('.gradviz-frame[data-kind="update"]')).to_be_attached()
        expect(caption).to_contain_text("w ← w − η·∂L/∂w = 0.5 − 0.25 · 1 = 0.25")
        expect(page.locator(".gradviz-iteration select")).to_have_value("iteration 2")
        page.screenshot(path=tmp_path / "stepper-update.png", full_page=True)
    assert_not_blank(tmp_path / "stepper-update.png")
    assert not errors, f"JavaScript errors on the page: {errors}"
