"""The HTML player (gradviz/viz/player.py) in a real browser: keys, buttons, play, no network, escaping, a picture.

One headless Debian Chromium per module (tests/browser.py); the player's timer runs on Playwright's fake
clock, so playing is checked without waiting in real time.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser import MISSING, chromium_context

from gradviz import Value, trace
from gradviz.cli import main
from gradviz.viz import frames, render, to_dot
from gradviz.viz.dot import shorten
from gradviz.viz.player import player_html

if MISSING is None:
    from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]

DEMO_STEPS = 7  # f = (x + y)·z: the start, 2 forward steps, the seed, 2 backward steps, done
PLAY_INTERVAL_MS = 1500  # player_html's default, which the demo uses
SCRIPT_ATTACK = "<script>window.__pwned = 1</script>"
IMG_ATTACK = '<img src=x onerror="window.__pwned=1">'
CLOSING_ATTACK = "</script><script>window.__pwned = 1</script>"  # aimed at the JSON blob's <script> element
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="10" y="25">{}</text></svg>'


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    with chromium_context(tmp_path_factory.mktemp("chromium")) as context:
        yield context


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    return (out / "index.html").as_uri()


@pytest.fixture
def page(browser_context):
    """A fresh tab that records every request and every JavaScript error (none allowed)."""
    tab = browser_context.new_page()
    tab.set_default_timeout(10_000)
    tab.requests = []
    errors = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield tab
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert all(url.startswith("file://") for url in tab.requests), f"requests that left the machine: {tab.requests}"


def counter(page):
    return page.locator("#counter")


def caption(page):
    return page.locator("figure.frame.current .caption")


def written_page(folder: Path, text: str) -> str:
    path = folder / "page.html"
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


# -- stepping ------------------------------------------------------------------------------------------


def test_arrow_right_shows_the_next_step_and_arrow_left_the_previous(page, demo_url):
    page.goto(demo_url)
    expect(counter(page)).to_have_text(f"step 1 / {DEMO_STEPS}")
    first_caption = caption(page).text_content()
    assert first_caption.startswith("The graph of f before anything runs")

    page.keyboard.press("ArrowRight")
    expect(counter(page)).to_have_text(f"step 2 / {DEMO_STEPS}")
    expect(caption(page)).to_have_text("Forward step 1 of 2: the + node computes q from x and y.")
    expect(page.locator("#frame-2")).to_be_visible()
    expect(page.locator("#frame-1")).to_be_hidden()  # one step at a time

    page.keyboard.press("ArrowLeft")
    expect(counter(page)).to_have_text(f"step 1 / {DEMO_STEPS}")
    expect(caption(page)).to_have_text(first_caption)
    expect(page.locator("#frame-1")).to_be_visible()


def test_next_and_previous_buttons_step_and_are_disabled_at_the_ends(page, demo_url):
    page.goto(demo_url)
    next_button, previous_button = page.locator("#next"), page.locator("#previous")
    expect(previous_button).to_be_disabled()
    first_caption = caption(page).text_content()

    next_button.click()
    expect(counter(page)).to_have_text(f"step 2 / {DEMO_STEPS}")
    expect(caption(page)).not_to_have_text(first_caption)
    expect(previous_button).to_be_enabled()

    for _ in range(DEMO_STEPS):  # one click more than there are steps left: it stays at the last
        if next_button.is_enabled():
            next_button.click()
    expect(counter(page)).to_have_text(f"step {DEMO_STEPS} / {DEMO_STEPS}")
    expect(next_button).to_be_disabled()
    expect(caption(page)).to_contain_text("Done")

    previous_button.click()
    expect(counter(page)).to_have_text(f"step {DEMO_STEPS - 1} / {DEMO_STEPS}")
    expect(next_button).to_be_enabled()


def test_a_step_link_opens_that_step(page, demo_url):
    page.goto(demo_url + "#step-4")
    expect(counter(page)).to_have_text(f"step 4 / {DEMO_STEPS}")
    expect(caption(page)).to_contain_text("Backward step 0")


def test_space_plays_the_steps_by_itself_and_space_again_pauses(page, demo_url):
    page.clock.install()  # the player's setInterval runs on a clock the test moves
    page.goto(demo_url)
    play = page.locator("#play")
    expect(counter(page)).to_have_text(f"step 1 / {DEMO_STEPS}")

    page.keyboard.press(" ")
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(play).to_contain_text("Pause")
    page.clock.run_for(PLAY_INTERVAL_MS)
    expect(counter(page)).to_have_text(f"step 2 / {DEMO_STEPS}")
    page.clock.run_for(PLAY_INTERVAL_MS)
    expect(counter(page)).to_have_text(f"step 3 / {DEMO_STEPS}")

    page.keyboard.press(" ")
    expect(play).to_have_attribute("aria-pressed", "false")
    expect(play).to_contain_text("Play")
    page.clock.run_for(10 * PLAY_INTERVAL_MS)
    expect(counter(page)).to_have_text(f"step 3 / {DEMO_STEPS}")  # paused: the time passing changed nothing


def test_playing_stops_by_itself_at_the_last_step(page, demo_url):
    page.clock.install()
    page.goto(demo_url)
    page.locator("#play").click()
    page.clock.run_for((DEMO_STEPS + 2) * PLAY_INTERVAL_MS)
    expect(counter(page)).to_have_text(f"step {DEMO_STEPS} / {DEMO_STEPS}")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")


# -- offline ------------------------------------------------------------------------------------------


def test_the_demo_page_requests_nothing_but_itself(page, demo_url):
    page.goto(demo_url, wait_until="load")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.locator("#play").click()
    page.wait_for_load_state("networkidle")
    assert page.requests == [demo_url]


# -- the picture ----------------------------------------------------------------------------------------


def picture_summary(png: bytes) -> tuple[int, float]:
    """(distinct colours, share of pixels that are not white) of a PNG screenshot."""
    image_module = pytest.importorskip("PIL.Image", reason="decoding the screenshot needs pillow")
    image = image_module.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    pixels = image.width * image.height
    white = sum(count for count, colour in colours if min(colour) >= 250)
    return len(colours), 1 - white / pixels


def test_a_screenshot_of_the_demo_shows_the_graph_and_changes_with_the_step(page, demo_url, tmp_path):
    page.goto(demo_url)
    diagram = page.locator("figure.frame.current .diagram svg")
    expect(diagram).to_be_visible()
    box = diagram.bounding_box()
    assert box["width"] > 100 and box["height"] > 100, f"the diagram is drawn {box}"

    first = page.screenshot(path=tmp_path / "step-1.png", full_page=True)
    page.keyboard.press("ArrowRight")
    expect(counter(page)).to_have_text(f"step 2 / {DEMO_STEPS}")
    second = page.screenshot(path=tmp_path / "step-2.png", full_page=True)
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and first != second

    colours, inked = picture_summary(second)
    assert colours >= 16, f"a blank-looking screenshot: {colours} colours ({tmp_path / 'step-2.png'})"
    assert 0.02 < inked < 0.9, f"{inked:.1%} of the screenshot is not white ({tmp_path / 'step-2.png'})"
    colours, inked = picture_summary(diagram.screenshot())
    assert colours >= 16 and inked > 0.05, f"the diagram alone: {colours} colours, {inked:.1%} not white"


# -- escaping -------------------------------------------------------------------------------------------


def pwned(page) -> bool:
    return page.evaluate("() => typeof window.__pwned !== 'undefined'")


def test_hostile_captions_titles_and_equations_show_as_text_and_run_nothing(page, tmp_path):
    captions = [SCRIPT_ATTACK, IMG_ATTACK, CLOSING_ATTACK]
    equations = [IMG_ATTACK, CLOSING_ATTACK, "x < y & y > z"]
    title = f"{SCRIPT_ATTACK} {IMG_ATTACK}"
    url = written_page(tmp_path, player_html([SVG.format(i) for i in range(3)], captions, equations, title))
    page.goto(url, wait_until="load")

    assert page.locator("h1").text_content() == title
    for step, (shown_caption, shown_equation) in enumerate(zip(captions, equations, strict=True), start=1):
        expect(counter(page)).to_have_text(f"step {step} / 3")  # the script ran past every blob entry
        expect(caption(page)).to_have_text(shown_caption)
        expect(page.locator("figure.frame.current .equation")).to_have_text(shown_equation)
        assert page.title() == f"{title} — step {step} / 3: {shown_caption}"
        page.keyboard.press("ArrowRight")
    assert page.locator("main img, main script").count() == 0  # no element came out of a caption
    assert not pwned(page)
    page.wait_for_load_state("networkidle")
    assert page.requests == [url]  # the <img src=x> was never an element, so nothing was fetched


def test_hostile_variable_labels_show_literally_in_the_diagram_and_caption(page, tmp_path):
    script_label, quoted_label = f"x{SCRIPT_ATTACK}", f'a&b "q" {IMG_ATTACK}'
    x, y = Value(2.0, label=script_label), Value(3.0, label=quoted_label)
    with trace() as recorded:
        f = x * y
        f.label = "f"
        f.backward()
    steps = frames(recorded)
    page_text = player_html(
        [render(to_dot(frame), "svg").decode() for frame in steps],
        [frame.caption for frame in steps],
        [frame.equation for frame in steps],
        f"labels {script_label}",
    )
    url = written_page(tmp_path, page_text)
    page.goto(url, wait_until="load")

    page.keyboard.press("ArrowRight")  # the forward step names both inputs in its caption
    expect(counter(page)).to_have_text(f"step 2 / {len(steps)}")
    expect(caption(page)).to_contain_text(f"from {script_label} and {quoted_label}.")
    texts = page.locator("figure.frame.current .diagram svg text").all_text_contents()
    shown = shorten(quoted_label)  # a picture cuts names at 40 characters: 'a&b "q" <img src=x onerror="window.__pw…'
    assert shown != quoted_label and "<img" in shown
    assert script_label in texts and shown in texts, texts
    assert f"∂f/∂{shown}" in texts
    assert page.locator("main img, main script, svg script").count() == 0
    assert not pwned(page)
    page.wait_for_load_state("networkidle")
    assert page.requests == [url]
