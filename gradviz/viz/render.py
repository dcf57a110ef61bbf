"""Rendering DOT to svg / png / pdf bytes: the system Graphviz `dot` when present, else `graphviz-pure`.

`graphviz-pure` is a dependency (a self-contained port of dot installed next to Python), so a plain
``pip install`` renders svg and png; pdf needs the system `dot`. Force one backend with the `engine`
argument or the environment variable ``GRADVIZ_RENDERER=dot|graphviz-pure``. A missing renderer is
one exception, `RendererNotFound`, raised in one place (`find_renderer`).

>>> svg = render('digraph { a -> b }', "svg")
>>> svg.startswith(b"<?xml")
True
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from ..errors import GradvizError

__all__ = ["RendererNotFound", "Renderer", "find_renderer", "render", "save", "FORMATS", "ENV_VAR"]

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
_TIMEOUT = 120.0

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
    dot, format: str = "svg", *, engine: str | None = None, dpi: int | None = None, timeout: float = _TIMEOUT
) -> bytes:
    """Lay out and draw DOT (text, a graphviz.Digraph or a Drawing) as svg, png or pdf bytes.

    `engine` forces the program ("dot" or "graphviz-pure"); `dpi` sets a png's resolution (default 144).

    >>> render("digraph { a -> b }", "png", engine="graphviz-pure")[:4]
    b'\\x89PNG'
    """
    source = _source_of(dot)
    renderer = find_renderer(format, engine)
    command = [renderer.path, f"-T{format}", "-q"]
    if format == "png":
        command.append(f"-Gdpi={dpi or PNG_DPI}")
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GradvizError(
            f"{renderer.name} took more than {timeout:g} s to lay out this graph. Draw less of it: "
            "to_dot(..., collapse=True) boxes each name scope, and a smaller max_nodes hides distant nodes."
        ) from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip() or "no output"
        raise GradvizError(
            f"{renderer.name} ({renderer.path}) could not render {format} (exit {done.returncode}): {message}"
        )
    return done.stdout


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
