"""The LaTeX/Beamer export: a `.tex` file and the frame pictures beside it (vector PDF when the system `dot`
is present, PNG otherwise); one Beamer frame per step with its equation typeset in LaTeX."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.frame import Frame
from ..viz.render import RendererNotFound, find_renderer
from ._common import ExportResult, Options, kind_name, render_frames, write_step_files

__all__ = ["write_beamer", "latex_escape", "LATEX_DPI"]

LATEX_DPI = 200
"""The resolution of a Beamer deck's PNG pictures (when there is no system `dot` for vector PDF ones) when ``dpi``
is not given.

>>> from gradviz.export.latex import LATEX_DPI
>>> LATEX_DPI
200
>>> import tempfile, pathlib
>>> from gradviz import Value, trace
>>> from gradviz.export import export
>>> a = Value(3.0, label="a")
>>> with trace() as t:
...     b = a * a
...     b.backward()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> export(t, folder / "lesson.tex", engine="graphviz-pure").note   # the built-in renderer draws PNG, no PDF
'PNG pictures at 200 dpi in lesson-frames/; run pdflatex'
"""

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}

# characters gradviz writes in captions that pdflatex's utf8 input does not know by itself
_UNICODE = {
    "2202": r"\ensuremath{\partial}",
    "00B7": r"\ensuremath{\cdot}",
    "2212": r"\ensuremath{-}",
    "00D7": r"\ensuremath{\times}",
    "2192": r"\ensuremath{\to}",
    "2190": r"\ensuremath{\leftarrow}",
    "2016": r"\ensuremath{\|}",
    "2207": r"\ensuremath{\nabla}",
    "2211": r"\ensuremath{\sum}",
    "221A": r"\ensuremath{\surd}",
    "2248": r"\ensuremath{\approx}",
    "2260": r"\ensuremath{\neq}",
    "2264": r"\ensuremath{\leq}",
    "2265": r"\ensuremath{\geq}",
    "221E": r"\ensuremath{\infty}",
    "03C3": r"\ensuremath{\sigma}",
    "03B1": r"\ensuremath{\alpha}",
    "03B2": r"\ensuremath{\beta}",
    "03B8": r"\ensuremath{\theta}",
    "03BB": r"\ensuremath{\lambda}",
    "03BC": r"\ensuremath{\mu}",
    "03B7": r"\ensuremath{\eta}",
    "2070": r"\ensuremath{^{0}}",
    "00B9": r"\ensuremath{^{1}}",
    "00B2": r"\ensuremath{^{2}}",
    "00B3": r"\ensuremath{^{3}}",
    "207B": r"\ensuremath{^{-}}",
    "25C0": r"\ensuremath{\blacktriangleleft}",
    "25B6": r"\ensuremath{\blacktriangleright}",
}


def latex_escape(text: str) -> str:
    r"""Text safe in a LaTeX paragraph: the ten special characters escaped.

    >>> print(latex_escape(r"50% of $x_1$ & {y} #2 ~ ^ \ "))
    50\% of \$x\_1\$ \& \{y\} \#2 \textasciitilde{} \textasciicircum{} \textbackslash{}
    """
    return "".join(_SPECIAL.get(char, char) for char in str(text))


_GREEK_CAPITALS = {"GAMMA", "DELTA", "THETA", "LAMDA", "XI", "PI", "SIGMA", "UPSILON", "PHI", "PSI", "OMEGA"}


def _greek(char: str) -> str | None:
    """A Greek letter's math command (σ → \\sigma), None for letters LaTeX has no command for."""
    import unicodedata

    name = unicodedata.name(char, "")
    if name.startswith("GREEK SMALL LETTER ") and " " not in name[19:] and name[19:] != "OMICRON":
        word = name[19:].lower().replace("lamda", "lambda").replace("final sigma", "varsigma")
        return rf"\ensuremath{{\{word}}}"
    if name.startswith("GREEK CAPITAL LETTER ") and name[21:] in _GREEK_CAPITALS:
        word = name[21:].capitalize().replace("Lamda", "Lambda")
        return rf"\ensuremath{{\{word}}}"
    return None


def _unicode_declarations(text: str) -> str:
    """\\DeclareUnicodeCharacter lines for gradviz's symbols and the Greek letters the document uses."""
    declared = dict(_UNICODE)
    for char in sorted(set(text)):
        code = f"{ord(char):04X}"
        if 0x370 <= ord(char) <= 0x3FF and code not in declared:
            command = _greek(char)
            if command is not None:
                declared[code] = command
    return "\n".join(f"\\DeclareUnicodeCharacter{{{code}}}{{{command}}}" for code, command in declared.items())


def _preamble(title: str, text: str, language: str) -> str:
    unicode = _unicode_declarations(text + title)
    return (
        f"% {message('export.tex_header', language)}\n"
        "\\documentclass[aspectratio=169]{beamer}\n"
        "\\usepackage[utf8]{inputenc}\n"
        "\\usepackage[T1]{fontenc}\n"
        "\\usepackage{amsmath,amssymb}\n"
        "\\usepackage{graphicx}\n"
        f"{unicode}\n"
        "\\setbeamertemplate{navigation symbols}{}\n"
        f"% {message('export.tex_fit', language)}\n"
        "\\newsavebox{\\gradvizbox}\n"
        "\\newcommand{\\gradvizequation}[1]{\\sbox{\\gradvizbox}{$\\displaystyle\\begin{gathered}#1\\end{gathered}$}%\n"
        "  \\ifdim\\wd\\gradvizbox>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox{\\gradvizbox}}"
        "\\else\\usebox{\\gradvizbox}\\fi}\n"
        f"\\title{{{latex_escape(title)}}}\n"
        "\\date{}\n"
    )


def _frame(frame: Frame, number: int, count: int, picture: str) -> str:
    heading = message("export.beamer_title", frame.language, number=number, count=count, kind=kind_name(frame))
    lines = [
        f"\\begin{{frame}}{{{latex_escape(heading)}}}",
        "\\centering",
        f"\\includegraphics[width=\\textwidth,height=0.56\\textheight,keepaspectratio]{{{picture}}}",
        "",
        f"{{\\small {latex_escape(frame.caption)}\\par}}",
    ]
    if frame.latex.strip():
        lines += ["\\medskip", "\\gradvizequation{%", frame.latex.strip(), "}"]
    lines.append("\\end{frame}")
    return "\n".join(lines) + "\n"


def write_beamer(frames: Sequence[Frame], path: Path, options: Options, *, captions: bool = False) -> ExportResult:
    """Write `path` (.tex) and its pictures in a folder `<stem>-frames/` beside it.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, trace
    >>> from gradviz.export._common import Options
    >>> from gradviz.viz import frames
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_beamer(frames(t), folder / "b.tex", Options(dpi=30)).files][:2]  # doctest: +ELLIPSIS
    ['b.tex', 'step-000...']
    """
    try:
        find_renderer("pdf", options.engine)
        suffix = "pdf"
    except RendererNotFound:
        suffix = "png"
    datas = render_frames(frames, suffix, options, caption=captions, dpi=options.dpi or LATEX_DPI)
    folder = path.parent / f"{path.stem}-frames"
    pictures = write_step_files(folder, datas, suffix)
    count = len(frames)
    slides = [
        _frame(frame, number, count, f"{folder.name}/{picture.name}")
        for number, (frame, picture) in enumerate(zip(frames, pictures, strict=True), start=1)
    ]
    body = [
        _preamble(options.title, "".join(slides), options.language),
        "\\begin{document}\n",
        "\\begin{frame}\n\\titlepage\n\\end{frame}\n",
        *slides,
        "\\end{document}\n",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(body), encoding="utf-8")
    if suffix == "pdf":
        note = message("export.note_tex_pdf", options.language, folder=folder.name)
    else:
        note = message("export.note_tex_png", options.language, dpi=options.dpi or LATEX_DPI, folder=folder.name)
    return ExportResult(
        path, "tex", count, [path, *pictures], vector=suffix == "pdf", note=note, language=options.language
    )
