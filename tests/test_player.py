"""The self-contained HTML player: structure, the JSON blob, escaping, no network references."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from gradviz import Value, trace
from gradviz.viz import frames, render, to_dot
from gradviz.viz.player import inline_svg, player_html

SVG = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg width="62pt" height="44pt" viewBox="0 0 62 44" xmlns="http://www.w3.org/2000/svg" '
    'xmlns:xlink="http://www.w3.org/1999/xlink">\n<g id="graph0" class="graph"><g id="node1" class="node">'
    "<text>{label}</text></g></g>\n</svg>\n"
)


class Tags(HTMLParser):
    """Counts start tags and collects the JSON blob's text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.blob = None
        self._in_blob = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self._in_blob = tag == "script" and attributes.get("type") == "application/json"

    def handle_endtag(self, tag):
        self._in_blob = False

    def handle_data(self, data):
        if self._in_blob:
            self.blob = (self.blob or "") + data

    def named(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def page_of(captions, equations=None, title="demo", **options) -> str:
    svgs = [SVG.format(label=f"step {i}") for i in range(len(captions))]
    return player_html(svgs, captions, equations or [""] * len(captions), title, **options)


def test_the_page_has_one_figure_per_frame_and_the_three_buttons():
    tags = parsed(page_of(["first", "second", "third"]))
    assert len(tags.named("figure")) == 3
    assert {b["id"] for b in tags.named("button")} == {"previous", "play", "next"}
    assert len(tags.named("svg")) == 3


def test_the_counter_starts_at_step_one_of_n():
    assert 'id="counter" aria-live="polite">step 1 / 4</span>' in page_of(["a", "b", "c", "d"])


def test_the_json_blob_holds_each_frames_caption_and_equation():
    page = page_of(["the graph", "q = 3"], ["", "q = x + y = −2 + 5 = 3"], kinds=["initial", "forward"])
    data = json.loads(parsed(page).blob)
    assert data["count"] == 2 and data["title"] == "demo"
    assert data["frames"][1] == {
        "index": 1,
        "caption": "q = 3",
        "equation": "q = x + y = −2 + 5 = 3",
        "kind": "forward",
    }


def test_the_keys_and_buttons_are_wired_in_the_script():
    page = page_of(["a", "b"])
    for needle in ('"ArrowRight"', '"ArrowLeft"', 'key === " "', 'getElementById("gradviz-frames")', "textContent"):
        assert needle in page
    assert "innerHTML" not in page  # text is only ever set as text


def test_the_print_stylesheet_puts_every_step_on_its_own_page():
    style = re.search(r"@media print \{(.*?)\n\}", page_of(["a", "b"]), re.S).group(1)
    assert "break-after: page" in style and "display: block !important" in style and ".controls" in style


def test_without_javascript_every_step_is_shown_with_its_caption():
    page = page_of(["first step", "second step"])
    assert ".js .frame { display: none" in page  # hiding needs the class the script adds
    figures = re.findall(r"<figure.*?</figure>", page, re.S)
    assert "first step" in figures[0] and "second step" in figures[1]


def test_the_page_references_nothing_on_the_network():
    page = page_of(["a", "b"])
    assert not re.search(r"https?://", page)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)  # no external scripts, styles, images
    assert "@import" not in page and "url(http" not in page


def test_captions_titles_and_equations_are_escaped():
    attack = "<script>alert(1)</script>"
    page = page_of([attack, 'a "quoted" & <b>bold</b> label'], [attack, "x < y & y > z"], title=f"{attack}'")
    assert attack not in page
    assert page.count("<script") == 2  # the JSON blob and the player: nothing from the text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "x &lt; y &amp; y &gt; z" in page


def test_the_json_blob_cannot_close_its_script_element():
    attack = "</script><script>alert(1)</script><!--"
    page = page_of([attack], [attack], title=attack)
    blob = page.split('<script type="application/json" id="gradviz-frames">', 1)[1].split("</script>", 1)[0]
    assert "<" not in blob and ">" not in blob
    assert json.loads(blob)["frames"][0]["caption"] == attack
    assert json.loads(parsed(page).blob)["title"] == attack


def test_inline_svg_drops_the_prolog_and_namespace_urls_and_prefixes_ids():
    inline = inline_svg(SVG.format(label="x"), "f2-")
    assert inline.startswith("<svg") and "<?xml" not in inline and "DOCTYPE" not in inline
    assert "http" not in inline
    assert 'id="f2-graph0"' in inline and 'id="f2-node1"' in inline


def test_references_follow_the_prefixed_ids():
    svg = '<svg><defs><linearGradient id="l_1"/></defs><path fill="url(#l_1)"/><a xlink:href="#l_1"/></svg>'
    assert inline_svg(svg, "f1-") == (
        '<svg><defs><linearGradient id="f1-l_1"/></defs><path fill="url(#f1-l_1)"/><a xlink:href="#f1-l_1"/></svg>'
    )


def test_ids_are_unique_across_frames():
    ids = re.findall(r'\bid="([^"]*)"', page_of(["a", "b", "c"]))
    assert len(ids) == len(set(ids))


def test_an_svg_that_carries_a_script_is_refused():
    with pytest.raises(ValueError, match="script"):
        player_html(["<svg><script>alert(1)</script></svg>"], ["a"], ["b"], "t")


@pytest.mark.parametrize(
    ("svgs", "captions", "equations"),
    [([], [], []), (["<svg/>"], ["a", "b"], ["c"]), (["<svg/>", "<svg/>"], ["a", "b"], ["c"])],
)
def test_mismatched_or_empty_inputs_are_refused(svgs, captions, equations):
    with pytest.raises(ValueError, match="frame"):
        player_html(svgs, captions, equations, "t")


def test_the_dark_flag_darkens_the_page():
    assert '<html lang="en" class="dark">' in page_of(["a"], dark=True)
    assert '<html lang="en">' in page_of(["a"])


def test_a_page_of_real_frames_escapes_a_hostile_label_everywhere():
    x = Value(2.0, label="<script>alert(1)</script>")
    with trace() as recorded:
        f = x * x
        f.label = "f"
        f.backward()
    steps = frames(recorded)
    page = player_html(
        [render(to_dot(frame), "svg").decode() for frame in steps],
        [frame.caption for frame in steps],
        [frame.equation for frame in steps],
        "hostile labels",
    )
    assert "<script>alert" not in page and page.count("<script") == 2
    assert len(parsed(page).named("figure")) == len(steps)
    assert not re.search(r"https?://", page)


# The player's script run by node against a minimal stand-in for the DOM (browser tests come later):
# it checks the keys, the buttons, the counter and the #step-k link without a browser.
NODE_HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const page = fs.readFileSync(process.argv[2], "utf8");
const blob = /<script type="application\/json" id="gradviz-frames">([\s\S]*?)<\/script>/.exec(page)[1];
const code = /<script>([\s\S]*?)<\/script>/.exec(page)[1];
const count = (page.match(/<figure /g) || []).length;
function classList() { const s = new Set(); return { add: c => s.add(c), toggle: (c, on) => on ? s.add(c) : s.delete(c), contains: c => s.has(c) }; }
function element(id) { return { id, textContent: "", disabled: false, attrs: {}, classList: classList(), listeners: {},
  setAttribute(k, v) { this.attrs[k] = v; }, addEventListener(t, f) { this.listeners[t] = f; } }; }
const elements = { "gradviz-frames": { textContent: blob }, counter: element("counter"), previous: element("previous"),
  next: element("next"), play: element("play") };
const figures = Array.from({ length: count }, (_, i) => element("frame-" + (i + 1)));
const docListeners = {};
const timers = [];
const sandbox = {
  document: { documentElement: { classList: classList() }, title: "", getElementById: id => elements[id],
    querySelectorAll: () => figures, addEventListener: (t, f) => { docListeners[t] = f; } },
  location: { hash: process.argv[3] || "" }, history: { replaceState: (a, b, h) => { sandbox.location.hash = h; } },
  setInterval: (f) => { timers.push(f); return timers.length; }, clearInterval: () => {}, JSON, Math, parseInt,
};
vm.runInNewContext(code, sandbox);
function state() { return { counter: elements.counter.textContent, current: figures.map(f => f.classList.contains("current")).indexOf(true),
  prevDisabled: elements.previous.disabled, nextDisabled: elements.next.disabled, hash: sandbox.location.hash,
  js: sandbox.document.documentElement.classList.contains("js"), title: sandbox.document.title, play: elements.play.textContent }; }
const log = [state()];
const key = k => { let prevented = false; docListeners.keydown({ key: k, target: { tagName: "BODY" }, preventDefault: () => { prevented = true; } }); return prevented; };
key("ArrowRight"); log.push(state());
key("ArrowRight"); key("ArrowRight"); log.push(state());
key("ArrowLeft"); log.push(state());
key("Home"); log.push(state());
key(" "); log.push(state()); timers[timers.length - 1](); log.push(state());
elements.previous.listeners.click(); log.push(state());
log.push({ unhandled: key("a") });
console.log(JSON.stringify(log));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the player's script")
def test_the_script_steps_with_keys_and_buttons_and_follows_the_step_link(tmp_path):
    (tmp_path / "page.html").write_text(
        page_of(["a", "b", "</script>c"], ["", "e1", "e2"], title="T"), encoding="utf-8"
    )
    (tmp_path / "run.js").write_text(NODE_HARNESS, encoding="utf-8")
    done = subprocess.run(
        ["node", str(tmp_path / "run.js"), str(tmp_path / "page.html"), "#step-2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    opened, right, end, left, home, playing, ticked, clicked, other = json.loads(done.stdout)
    assert opened["js"] and (opened["counter"], opened["current"]) == ("step 2 / 3", 1)  # from #step-2
    assert (right["counter"], right["nextDisabled"], right["hash"]) == ("step 3 / 3", True, "#step-3")
    assert right["title"] == "T — step 3 / 3: </script>c"
    assert end["counter"] == "step 3 / 3"  # stops at the last step
    assert left["counter"] == "step 2 / 3"
    assert (home["counter"], home["prevDisabled"]) == ("step 1 / 3", True)
    assert playing["play"].endswith("Pause") and ticked["counter"] == "step 2 / 3"
    assert clicked["counter"] == "step 1 / 3" and clicked["play"].endswith("Play")  # a click stops playing
    assert other == {"unhandled": False}  # other keys are left to the browser


def test_a_spanish_page_has_spanish_buttons_counter_and_lang():
    page = page_of(["inicio", "fin"], language="es")
    assert '<html lang="es">' in page
    assert "◀ Anterior" in page and "▶ Reproducir" in page and "Siguiente ▶" in page
    assert 'id="counter" aria-live="polite">paso 1 / 2</span>' in page and "<kbd>espacio</kbd>" in page
    blob = json.loads(parsed(page).blob)
    assert blob["labels"] == {"counter": "paso {step} / {total}", "play": "▶ Reproducir", "pause": "❚❚ Pausa"}
    hidden = r"<(script|style|svg)\b.*?</\1>"  # code, styles and the pictures are not the page's words
    text = re.sub(r"<[^>]+>", " ", re.sub(hidden, " ", page, flags=re.S))
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', page))
    for english in ("Previous", "Play", "Pause", "Next", "step", "space"):
        assert english not in text and english not in labels


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the player's script")
def test_the_spanish_script_counts_in_spanish(tmp_path):
    (tmp_path / "page.html").write_text(page_of(["a", "b", "c"], title="T", language="es"), encoding="utf-8")
    (tmp_path / "run.js").write_text(NODE_HARNESS, encoding="utf-8")
    done = subprocess.run(
        ["node", str(tmp_path / "run.js"), str(tmp_path / "page.html")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    opened, right, *_, playing, _ticked, clicked, _other = json.loads(done.stdout)
    assert opened["counter"] == "paso 1 / 3" and right["title"] == "T — paso 2 / 3: b"
    assert playing["play"] == "❚❚ Pausa" and clicked["play"] == "▶ Reproducir"
