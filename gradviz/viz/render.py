"""Rendering DOT to svg / png / pdf bytes: the system Graphviz `dot` when present, else `graphviz-pure`.

`graphviz-pure` is a dependency (a self-contained port of dot installed next to Python), so a plain
``pip install`` renders svg and png; pdf needs the system `dot`. Force one backend with the `engine`
argument or the environment variable ``GRADVIZ_RENDERER=dot|graphviz-pure``. A missing renderer is
one exception, `RendererNotFound`, raised in one place (`find_renderer`). The layout program runs with a
time limit (`LAYOUT_TIMEOUT`, 30 s; ``timeout=`` or ``GRADVIZ_LAYOUT_TIMEOUT``): past it, it is stopped and
`LayoutTimeout` says what to draw less of.

>>> svg = render('digraph { a -> b }', "svg")
>>> svg.startswith(b"<?xml")
True
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import GradvizError

__all__ = [
    "RendererNotFound",
    "LayoutTimeout",
    "Renderer",
    "find_renderer",
    "render",
    "save",
    "FORMATS",
    "ENV_VAR",
    "TIMEOUT_ENV_VAR",
    "LAYOUT_TIMEOUT",
    "layout_timeout",
    "stop_layouts",
]

ENV_VAR = "GRADVIZ_RENDERER"
"""The environment variable that forces a renderer for the whole session: "dot" or "graphviz-pure".

>>> import os
>>> from unittest import mock
>>> from gradviz.viz.render import ENV_VAR, find_renderer
>>> with mock.patch.dict(os.environ, {ENV_VAR: "graphviz-pure"}):
...     find_renderer("svg").name
'graphviz-pure'
"""
FORMATS = ("svg", "png", "pdf")
"""The picture formats render() and save() make; pdf needs the system Graphviz `dot`.

>>> from gradviz.viz.render import FORMATS
>>> FORMATS
('svg', 'png', 'pdf')
"""
PNG_DPI = 144  # sharp on slides and high-density screens

LAYOUT_TIMEOUT = 30.0
"""Seconds the layout program may run for one picture before it is stopped (`LayoutTimeout`).

A picture within the node budget (`gradviz.viz.collapse`) lays out in about a second; this limit only
catches what the budget could not foresee. Raise it with ``render(..., timeout=120)`` or the environment
variable ``GRADVIZ_LAYOUT_TIMEOUT=120``.

>>> from gradviz.viz.render import LAYOUT_TIMEOUT
>>> LAYOUT_TIMEOUT
30.0
"""
TIMEOUT_ENV_VAR = "GRADVIZ_LAYOUT_TIMEOUT"
"""The environment variable that sets the layout time limit in seconds for the whole session (default 30).

>>> import os
>>> from unittest import mock
>>> from gradviz.viz.render import TIMEOUT_ENV_VAR, layout_timeout
>>> with mock.patch.dict(os.environ, {TIMEOUT_ENV_VAR: "90"}):
...     layout_timeout()
90.0
"""

_INSTALL_DOT = (
    "install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`conda install graphviz`"
)


class RendererNotFound(GradvizError, RuntimeError):
    """No program that can render this format: neither the system `dot` nor `graphviz-pure` (for pdf: no `dot`).

    The message says how to install the missing program.

    >>> from gradviz.viz import RendererNotFound, find_renderer
    >>> try:
    ...     find_renderer("pdf", engine="graphviz-pure")       # graphviz-pure makes svg and png only
    ... except RendererNotFound as missing:
    ...     print(missing)
    ...     print(missing.choice)     # what was asked for: engine=, else $GRADVIZ_RENDERER, else "auto"
    PDF output needs the system Graphviz `dot` program, ...
    graphviz-pure
    """

    def __init__(self, message: str, choice: str = "auto") -> None:
        super().__init__(message)
        self.choice = choice


class LayoutTimeout(GradvizError, TimeoutError):
    """The layout program ran past its time limit and was stopped; the message says what to draw less of.

    ``renderer`` is the program ("dot" or "graphviz-pure"), ``seconds`` the limit.

    >>> from gradviz.viz.render import LayoutTimeout
    >>> issubclass(LayoutTimeout, TimeoutError)
    True
    """

    def __init__(self, message: str, renderer: str = "", seconds: float = 0.0) -> None:
        super().__init__(message)
        self.renderer = renderer
        self.seconds = seconds


def layout_timeout(timeout: float | None = None) -> float:
    """The time limit of one layout in seconds: `timeout`, else $GRADVIZ_LAYOUT_TIMEOUT, else 30.

    >>> layout_timeout(5)
    5.0
    """
    given, origin = timeout, "timeout="
    if timeout is None:
        given = os.environ.get(TIMEOUT_ENV_VAR, "").strip()
        if not given:
            return LAYOUT_TIMEOUT
        origin = f"${TIMEOUT_ENV_VAR}="
    try:
        seconds = float(given)
    except (TypeError, ValueError):
        seconds = math.nan
    if not seconds > 0:  # nan and negatives too
        raise GradvizError(f"{origin}{given!r}: the layout time limit is a number of seconds above 0, e.g. 60")
    return seconds


@dataclass(frozen=True)
class Renderer:
    """A layout program: `name` is "dot" or "graphviz-pure", `path` the executable.

    >>> from gradviz.viz import find_renderer
    >>> renderer = find_renderer("png", engine="graphviz-pure")
    >>> renderer.name, renderer.formats
    ('graphviz-pure', ('svg', 'png'))
    """

    name: str
    path: str

    @property
    def formats(self) -> tuple[str, ...]:
        return FORMATS if self.name == "dot" else ("svg", "png")


@functools.lru_cache(maxsize=16)
def _banner(path: str) -> str:
    try:
        done = subprocess.run([path, "-V"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stderr + done.stdout).decode("utf-8", "replace")


def _system_dot() -> str | None:
    """The system Graphviz `dot` on PATH (a `dot` that is really graphviz-pure does not count)."""
    path = shutil.which("dot")
    if path is None:
        return None
    banner = _banner(path)
    if "graphviz-pure" in banner or "graphviz version" not in banner:
        return None
    return path


def _graphviz_pure() -> str | None:
    """The graphviz-pure executable: next to this Python (its virtualenv's bin/), else on PATH."""
    name = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    folders = [Path(sys.executable).parent]
    scripts = sysconfig.get_path("scripts")
    if scripts:
        folders.append(Path(scripts))
    for folder in folders:
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("graphviz-pure")


def find_renderer(format: str = "svg", engine: str | None = None) -> Renderer:
    """The program that will render `format`: `engine` ("dot" or "graphviz-pure"), else $GRADVIZ_RENDERER,
    else the system `dot` when on PATH, else graphviz-pure.

    >>> find_renderer("svg", engine="graphviz-pure").name
    'graphviz-pure'
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    choice = engine or os.environ.get(ENV_VAR) or "auto"
    if choice not in ("auto", "dot", "graphviz-pure"):
        origin = "engine=" if engine else f"${ENV_VAR}="
        raise ValueError(f"{origin}{choice!r}: the renderer is 'dot' (system Graphviz) or 'graphviz-pure'")
    forced = "" if choice == "auto" else f" ({'engine' if engine else ENV_VAR}={choice!r} asks for it)"
    if choice in ("auto", "dot"):
        path = _system_dot()
        if path is not None:
            return Renderer("dot", path)
    if choice in ("auto", "graphviz-pure") and format != "pdf":
        path = _graphviz_pure()
        if path is not None:
            return Renderer("graphviz-pure", path)
    if format == "pdf":
        problem = (
            f"PDF output needs the system Graphviz `dot` program, which is not on PATH{forced}; the built-in "
            f"renderer graphviz-pure makes svg and png only. To get it, {_INSTALL_DOT}; or export svg or png instead."
        )
    elif choice == "dot":
        problem = (
            f"the system Graphviz `dot` program is not on PATH{forced}. To get it, {_INSTALL_DOT}; or unset {ENV_VAR}."
        )
    else:
        problem = (
            f"no renderer for {format}: neither the system Graphviz `dot` nor the graphviz-pure program was found"
            f"{forced}. Reinstall gradviz (`pip install gradviz` brings graphviz-pure), or {_INSTALL_DOT}."
        )
    raise RendererNotFound(problem, choice)


def _source_of(dot) -> str:
    """DOT text from a graphviz object, a Drawing, or a string."""
    if isinstance(dot, str):
        return dot
    if hasattr(dot, "dot") and hasattr(dot.dot, "source"):  # a Drawing
        return dot.dot.source
    if hasattr(dot, "source"):
        return dot.source
    raise TypeError(f"render() takes DOT text, a graphviz.Digraph or a gradviz Drawing, got {type(dot).__name__}")


def render(
    dot, format: str = "svg", *, engine: str | None = None, dpi: int | None = None, timeout: float | None = None
) -> bytes:
    """Lay out and draw DOT (text, a graphviz.Digraph or a Drawing) as svg, png or pdf bytes.

    `engine` forces the program ("dot" or "graphviz-pure"); `dpi` sets a png's resolution (default 144).
    `timeout` is the time limit in seconds (default: $GRADVIZ_LAYOUT_TIMEOUT, else 30): past it the program
    is stopped and `LayoutTimeout` is raised.

    >>> render("digraph { a -> b }", "png", engine="graphviz-pure")[:4]
    b'\\x89PNG'
    """
    source = _source_of(dot)
    renderer = find_renderer("svg" if format == "json" else format, engine)  # json: the layout itself, as svg's
    seconds = layout_timeout(timeout)
    command = [renderer.path, f"-T{format}", "-q"]
    if format == "png":
        command.append(f"-Gdpi={dpi or PNG_DPI}")
    returncode, stdout, stderr = _run(command, source.encode("utf-8"), seconds, renderer.name, source)
    if returncode != 0 or not stdout:
        message = stderr.decode("utf-8", "replace").strip() or "no output"
        if len(message) > 500:  # dot repeats the offending label: keep the reason, not the whole label
            message = message[:500] + "…"
        raise GradvizError(
            f"{renderer.name} ({renderer.path}) could not render {format} (exit {returncode}): {message}"
        )
    return stdout


_RUNNING: set[subprocess.Popen] = set()  # the layout programs running now, in any thread
_RUNNING_LOCK = threading.Lock()


def stop_layouts() -> int:
    """Stop every layout program gradviz is running, in every thread (Ctrl-C in the main thread while
    worker threads lay out a walkthrough); their `render` calls raise GradvizError. Returns how many.

    >>> stop_layouts()
    0
    """
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        process.kill()
    return len(running)


def _run(command: list[str], data: bytes, seconds: float, name: str, source: str) -> tuple[int, bytes, bytes]:
    """Run the layout program; past `seconds` (or on Ctrl-C) it is killed, never left running."""
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        with _RUNNING_LOCK:
            _RUNNING.add(process)
        try:
            stdout, stderr = process.communicate(data, timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise LayoutTimeout(_timeout_message(name, seconds, source), name, seconds) from None
        except BaseException:  # KeyboardInterrupt, an alarm's exception: stop the program as well
            process.kill()
            process.wait()  # and reap it (Popen's exit does not wait after a KeyboardInterrupt)
            raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(process)
    return process.returncode, stdout, stderr


def _timeout_message(name: str, seconds: float, source: str) -> str:
    nodes = len(_DOT_NODE.findall(source))
    edges = source.count(" -> ")
    return (
        f"{name} took more than {seconds:g} s to lay out this graph ({nodes:,} nodes, {edges:,} edges) and was "
        "stopped. Draw less of it: a smaller max_nodes= (to_dot, draw; gradviz render --max-nodes) hides the "
        "nodes furthest from the output, and collapse=True boxes each name scope; or allow more time with "
        f"render(..., timeout={_longer(seconds)}) or {TIMEOUT_ENV_VAR}={_longer(seconds)}."
    )


def _longer(seconds: float) -> str:
    return f"{max(4 * seconds, 120):g}"


_DOT_NODE = re.compile(r"^\s*(?!(?:node|edge|graph) \[)\w+ \[", re.M)


def save(drawing, path, format: str | None = None, *, engine: str | None = None, dpi: int | None = None) -> Path:
    """Write a Drawing, a graphviz.Digraph or DOT text to `path`; the format comes from the extension
    (.svg, .png, .pdf; .dot or .gv write the DOT text itself).

    >>> import tempfile, pathlib
    >>> out = save("digraph { a -> b }", pathlib.Path(tempfile.mkdtemp()) / "ab.svg")
    >>> out.read_bytes()[:5]
    b'<?xml'
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt in ("dot", "gv"):
        path.write_text(_source_of(drawing), encoding="utf-8")
        return path
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: use a .svg, .png, .pdf or .dot name, or format=...")
    path.write_bytes(render(drawing, fmt, engine=engine, dpi=dpi))
    return path
