"""The self-contained HTML stepper: every frame's SVG inline, buttons and arrow keys, no network.

>>> from gradviz.viz.player import player_html
>>> page = player_html(['<svg xmlns="http://www.w3.org/2000/svg"></svg>'], ["the graph"], ["f = q·z"], language="en")
>>> page.startswith("<!DOCTYPE html>"), "step 1 / 1" in page
(True, True)
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

from ..i18n import message, resolve_language

__all__ = ["player_html", "inline_svg"]

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_ID = re.compile(r'\bid="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')
_SCRIPT = re.compile(r"<\s*script\b", re.IGNORECASE)
_NAMESPACES = re.compile(r'\s+xmlns(:xlink)?="[^"]*"')  # HTML puts inline <svg> in its namespace by itself

_STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --paper: #ffffff; --muted: #5a5a5a; --line: #d0d0d0;
        --accent: #0b5cad; --panel: #f5f5f5; }
:root.dark { color-scheme: dark; --ink: #ececec; --paper: #16181d; --muted: #a8a8a8; --line: #3a3d45;
             --accent: #7fb2ff; --panel: #22252c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: var(--paper); }
header { padding: 0.8rem 1.2rem 0.2rem; }
h1 { font-size: 1.25rem; margin: 0; font-weight: 600; }
.controls { display: none; position: sticky; top: 0; z-index: 1; gap: 0.5rem; align-items: center;
            padding: 0.5rem 1.2rem; background: var(--paper); border-bottom: 1px solid var(--line); }
.js .controls { display: flex; }
button { font: inherit; padding: 0.3rem 0.9rem; border: 1px solid var(--line); border-radius: 6px;
         background: var(--panel); color: var(--ink); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); }
button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button:disabled { opacity: 0.45; cursor: default; }
.counter { margin-left: 0.6rem; font-variant-numeric: tabular-nums; color: var(--muted); }
.keys { margin-left: auto; font-size: 0.85rem; color: var(--muted); }
kbd { font: 0.8rem ui-monospace, "DejaVu Sans Mono", monospace; border: 1px solid var(--line);
      border-radius: 3px; padding: 0 0.25rem; }
.frame { margin: 0; padding: 0.8rem 1.2rem 1.2rem; border-bottom: 1px solid var(--line); }
.js .frame { display: none; border-bottom: 0; }
.js .frame.current { display: block; }
.step-number { font-size: 0.85rem; color: var(--muted); margin: 0 0 0.3rem; }
.js .step-number { display: none; }
.caption { font-size: 1.1rem; margin: 0 0 0.4rem; }
.equation { font: 1.05rem/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0 0 0.8rem;
            padding: 0.4rem 0.7rem; background: var(--panel); border-radius: 6px; white-space: pre-wrap;
            overflow-wrap: anywhere; }
.equation:empty { display: none; }
.diagram { overflow: auto; }
.diagram svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
/* stepping: the diagram on top, scaled to the window (every frame has one canvas, so nothing moves), the
   caption and equation under it */
.js .frame.current { display: flex; flex-direction: column; }
.js .diagram { order: -1; overflow: hidden; }
.js .diagram svg { width: 100%; max-width: none; height: calc(100vh - 15rem); min-height: 14rem; }
@media print {
  .controls, .keys { display: none !important; }
  body { background: #fff; color: #000; }
  .js .frame, .frame { display: block !important; break-after: page; page-break-after: always;
                       border: 0; padding: 0; }
  .frame:last-of-type { break-after: auto; page-break-after: auto; }
  .step-number, .js .step-number { display: block !important; color: #000; }
  .equation { background: none; border: 1px solid #999; }
  .diagram { overflow: visible; }
  .diagram svg { max-height: 80vh; }
}
"""

# reads the JSON blob, shows one frame at a time; textContent only, never innerHTML
_TRANSPORT_SCRIPT = """
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = data.labels.play;
    play.setAttribute("aria-pressed", "false");
  }
  function start() {
    if (current === total - 1) { show(0); }
    play.textContent = data.labels.pause;
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(function () {
      if (current >= total - 1) { stop(); } else { show(current + 1); }
    }, data.interval_ms);
  }
  function toggle() { if (timer === null) { start(); } else { stop(); } }
  previous.addEventListener("click", function () { stop(); show(current - 1); });
  next.addEventListener("click", function () { stop(); show(current + 1); });
  play.addEventListener("click", toggle);
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.target.type === "range") { return; }  // a slider moves itself (a keydown always has a target)
    var key = event.key;
    if (key === "ArrowRight" || key === "PageDown") { stop(); show(current + 1); }
    else if (key === "ArrowLeft" || key === "PageUp") { stop(); show(current - 1); }
    else if (key === "Home") { stop(); show(0); }
    else if (key === "End") { stop(); show(total - 1); }
    else if (key === " " || key === "Spacebar") {
      if (event.target.tagName === "BUTTON") { return; }
      toggle();
    } else { return; }
    event.preventDefault();
  });
"""
"""The player's controls, shared by every gradviz player page (this one and gradviz.viz.network_record's): ◀ ▶, play
and pause, the keys. The page's script defines `data` (its labels and interval_ms), `current`, `total`, `timer`,
the buttons `previous`, `next`, `play`, and `show(index)` before it."""

_SCRIPT_BODY = (
    """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gradviz-frames").textContent);
  var root = document.documentElement;
  root.classList.add("js");
  var figures = document.querySelectorAll(".frame");
  var total = figures.length;
  var counter = document.getElementById("counter");
  var previous = document.getElementById("previous");
  var next = document.getElementById("next");
  var play = document.getElementById("play");
  var current = 0;
  var timer = null;
  function show(index) {
    current = Math.max(0, Math.min(total - 1, index));
    for (var i = 0; i < total; i++) {
      figures[i].classList.toggle("current", i === current);
    }
    var count = data.labels.counter.replace("{step}", String(current + 1)).replace("{total}", String(total));
    counter.textContent = count;
    var frame = data.frames[current] || {};
    document.title = data.title + " \\u2014 " + count + (frame.caption ? ": " + frame.caption : "");
    previous.disabled = current === 0;
    next.disabled = current === total - 1;
    if (history.replaceState) { history.replaceState(null, "", "#step-" + (current + 1)); }
  }
"""
    + _TRANSPORT_SCRIPT
    + """  var wanted = /^#step-(\\d+)$/.exec(location.hash);
  show(wanted ? parseInt(wanted[1], 10) - 1 : 0);
})();
"""
)


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document made fit to sit inside HTML: no XML prolog and no namespace URLs (HTML supplies them),
    ids prefixed so that frames do not clash.

    >>> inline_svg('<?xml version="1.0"?><svg><g id="node1"/><use href="#node1"/></svg>', "f3-")
    '<svg><g id="f3-node1"/><use href="#f3-node1"/></svg>'
    """
    if _SCRIPT.search(svg):
        raise ValueError("refusing an SVG that contains <script>: frames are drawn by graphviz and never carry code")
    body = _PROLOG.sub("", svg, count=1)
    body = _NAMESPACES.sub("", body)
    body = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', body)
    return _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", body)


def _json_for_script(data: object) -> str:
    """JSON that cannot end the <script> element early: every <, > and & as a \\u escape."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def player_html(
    frames_svgs: Sequence[str],
    captions: Sequence[str],
    equations: Sequence[str],
    title: str = "gradviz",
    *,
    kinds: Sequence[str] | None = None,
    dark: bool = False,
    interval_ms: int = 1500,
    language: str | None = None,
) -> str:
    """One self-contained HTML page that steps through the frames (no network, no external files).

    Every frame's SVG is inline; ◀ Previous / ▶ Play / Next ▶ buttons and the keys ←, →, space,
    Home and End step through them; the page shows "step k / n", the caption and the equation of
    each step, and prints every step on its own page. Captions, equations and the title are
    escaped (the SVG is trusted: graphviz escapes labels itself). Without JavaScript all steps are
    shown one under another. `language` ("en" or "es", default the one in use) is that of the
    buttons, the counter and the page's ``lang``; pass the frames' own (``frame.language``).

    >>> page = player_html(["<svg></svg>", "<svg></svg>"], ["start", "<b>end</b>"], ["", "f = 1"], "two steps")
    >>> "&lt;b&gt;end&lt;/b&gt;" in page, "<b>end" in page
    (True, False)
    >>> "▶ Reproducir" in player_html(["<svg></svg>"], ["inicio"], [""], language="es")
    True
    """
    count = len(frames_svgs)
    if count == 0:
        raise ValueError("player_html needs at least one frame")
    if len(captions) != count or len(equations) != count or (kinds is not None and len(kinds) != count):
        raise ValueError(
            f"player_html got {count} SVGs, {len(captions)} captions and {len(equations)} equations"
            + (f" and {len(kinds)} kinds" if kinds is not None else "")
            + ": give one of each per frame"
        )
    language = resolve_language(language, "player_html(language=...)")

    def say(key: str, **fields) -> str:
        return message(key, language, **fields)

    labels = {
        "counter": say("player.counter", step="{step}", total="{total}"),  # the script fills the numbers in
        "play": say("player.play"),
        "pause": say("player.pause"),
    }
    data = {
        "title": str(title),
        "labels": labels,
        "count": count,
        "interval_ms": int(interval_ms),
        "frames": [
            {"index": i, "caption": str(captions[i]), "equation": str(equations[i])}
            | ({"kind": str(kinds[i])} if kinds is not None else {})
            for i in range(count)
        ],
    }
    escaped_title = html.escape(str(title))
    figures = []
    for i, svg in enumerate(frames_svgs):
        current = " current" if i == 0 else ""
        figures.append(
            f'<figure class="frame{current}" id="frame-{i + 1}" data-index="{i}">\n'
            f'<p class="step-number">{html.escape(say("player.counter", step=i + 1, total=count))}</p>\n'
            f"<figcaption>\n"
            f'<p class="caption">{html.escape(str(captions[i]))}</p>\n'
            f'<p class="equation">{html.escape(str(equations[i]))}</p>\n'
            f"</figcaption>\n"
            f'<div class="diagram">{inline_svg(svg, f"f{i + 1}-")}</div>\n'
            f"</figure>"
        )
    root_class = ' class="dark"' if dark else ""
    keys = say("player.keys", left="\0left\0", right="\0right\0", space="\0space\0")
    keys = (
        html.escape(keys)
        .replace("\0left\0", "<kbd>←</kbd>")
        .replace("\0right\0", "<kbd>→</kbd>")
        .replace("\0space\0", f"<kbd>{html.escape(say('player.space_key'))}</kbd>")
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}"{root_class}>\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="gradviz">\n'
        f"<title>{escaped_title}</title>\n"
        f"<style>{_STYLE}</style>\n"
        "</head>\n"
        "<body>\n"
        f"<header><h1>{escaped_title}</h1></header>\n"
        f'<nav class="controls" aria-label="{html.escape(say("player.steps_label"))}">\n'
        f'<button type="button" id="previous" aria-label="{html.escape(say("player.previous_label"))}">'
        f"{html.escape(say('player.previous'))}</button>\n"
        f'<button type="button" id="play" aria-pressed="false">{html.escape(say("player.play"))}</button>\n'
        f'<button type="button" id="next" aria-label="{html.escape(say("player.next_label"))}">'
        f"{html.escape(say('player.next'))}</button>\n"
        f'<span class="counter" id="counter" aria-live="polite">{html.escape(say("player.counter", step=1, total=count))}'
        "</span>\n"
        f'<span class="keys">{keys}</span>\n'
        "</nav>\n"
        "<main>\n" + "\n".join(figures) + "\n</main>\n"
        f'<script type="application/json" id="gradviz-frames">{_json_for_script(data)}</script>\n'
        f"<script>{_SCRIPT_BODY}</script>\n"
        "</body>\n"
        "</html>\n"
    )
