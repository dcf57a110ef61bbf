"""The LaTeX/Beamer export: a `.tex` file and the frame pictures beside it (vector PDF when the system `dot`
is present, PNG otherwise); one Beamer frame per step with its equation typeset in LaTeX."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path

from ..i18n import message
from ..viz.format import latex_label
from ..viz.frame import Frame
from ..viz.render import RendererNotFound, find_renderer
from ._common import ExportResult, Options, kind_name, render_frames, step_paths, write_step_files
from ._files import refuse_overwrites

__all__ = ["write_beamer", "latex_escape", "latex_math", "frames_folder_name", "LATEX_DPI"]

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


# the characters beyond ASCII that pdflatex typesets as text with the deck's packages (utf8 inputenc, T1 and
# TS1 fonts: the t1enc, ts1enc and ot1enc tables of TeX Live); anything else is replaced before it reaches the file
_TEXT_RANGES = (
    (0x00A0, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148), (0x014A, 0x0165), (0x0168, 0x017E),
    (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3), (0x01E6, 0x01EB), (0x01F0, 0x01F0), (0x01F4, 0x01F5),
    (0x0218, 0x021B), (0x0232, 0x0233), (0x0237, 0x0237), (0x02C7, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DB),
    (0x02DD, 0x02DD), (0x0E3F, 0x0E3F), (0x1E02, 0x1E03), (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25),
    (0x1E30, 0x1E31), (0x1E37, 0x1E37), (0x1E43, 0x1E43), (0x1E45, 0x1E45), (0x1E47, 0x1E47), (0x1E5B, 0x1E5B),
    (0x1E63, 0x1E63), (0x1E6D, 0x1E6D), (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3),
    (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022), (0x2030, 0x2031), (0x2039, 0x203B),
    (0x203D, 0x203D), (0x2044, 0x2044), (0x204E, 0x204E), (0x2052, 0x2052), (0x20A1, 0x20A1), (0x20A4, 0x20A4),
    (0x20A6, 0x20A6), (0x20A9, 0x20A9), (0x20AB, 0x20AC), (0x20B1, 0x20B1), (0x2103, 0x2103), (0x2116, 0x2117),
    (0x211E, 0x211E), (0x2120, 0x2120), (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E), (0x2190, 0x2193),
    (0x2329, 0x232A), (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF), (0x266A, 0x266A), (0x27E8, 0x27E9),
    (0x3008, 0x3009), (0xFB00, 0xFB06),
)  # fmt: skip
_TEXT_STARTS = [start for start, _ in _TEXT_RANGES]
# Greek capitals that are Latin letters to the eye (LaTeX has no \Alpha)
_GREEK_AS_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο", "ABEZHIKMNOPTYXo", strict=True))


def latex_escape(text: str) -> str:
    r"""Text safe in a LaTeX paragraph, one that pdflatex always compiles: the ten special characters escaped,
    line breaks and blank lines (which would end a paragraph, or an argument) turned into spaces, and the
    characters pdflatex cannot typeset with the deck's fonts (emoji, most scripts beyond Latin and Greek)
    replaced by their Unicode name in brackets, or by ``?`` when they have none.

    >>> print(latex_escape(r"50% of $x_1$ & {y} #2 ~ ^ \ "))
    50\% of \$x\_1\$ \& \{y\} \#2 \textasciitilde{} \textasciicircum{} \textbackslash{}
    >>> print(latex_escape("loss\n\n🔥 café"))
    loss [fire] café
    """
    return "".join(_typeset(char) for char in _one_line(text))


def _one_line(text) -> str:
    """`text` in NFC (é as one character), every run of white space holding a line break as one space."""
    return re.sub(r"\s*[\n\r\v\f\x85\u2028\u2029]\s*", " ", unicodedata.normalize("NFC", str(text)))


def _declared(char: str) -> bool:
    """Whether the deck's preamble declares `char` (gradviz's symbols, the Greek letters LaTeX has commands for)."""
    return f"{ord(char):04X}" in _UNICODE or (0x370 <= ord(char) <= 0x3FF and _greek(char) is not None)


def _printable(char: str) -> bool:
    """Whether pdflatex typesets `char` as it is, in text (after escaping the ten specials)."""
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return True
    if code < 0xA0:
        return False
    index = bisect_right(_TEXT_STARTS, code) - 1
    return (index >= 0 and code <= _TEXT_RANGES[index][1]) or _declared(char)


def _typeset(char: str) -> str:
    """One character as pdflatex text: itself (escaped), a space, nothing, or a stand-in it can typeset."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    if _printable(char):
        return char
    category = unicodedata.category(char)
    if category[0] == "Z" or char == "\t":
        return " "
    if category in ("Cc", "Cf", "Mn", "Me"):
        return ""  # control characters, zero-width marks, accents left over on nothing
    if char in _GREEK_AS_LATIN:
        return _GREEK_AS_LATIN[char]
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if plain and plain != char and all(_printable(c) for c in plain):
        return "".join(_SPECIAL.get(c, c) for c in plain)  # ℓ → l, ½ → 1⁄2, ά → α
    name = unicodedata.name(char, "")
    return f"[{name.lower()}]" if name else "?"


def latex_math(latex: str) -> str:
    r"""An equation's LaTeX (math mode) that pdflatex always compiles: on one line, control characters dropped,
    and each run of characters that are neither ASCII nor declared in the preamble set as text
    (``\text{é}``, which math mode needs for accents) or replaced as `latex_escape` does.

    >>> print(latex_math("\\mathrm{pérdida} = 1 \\\\\n\n\\mathrm{🔥} = 2 ∂"))
    \mathrm{p\text{é}rdida} = 1 \\ \mathrm{\text{[fire]}} = 2 ∂
    """
    text = re.sub(r"[\x00-\x1f\x7f]", " ", _one_line(latex))
    pieces: list[str] = []
    run: list[str] = []
    for char in text + " ":
        if ord(char) < 0x80 or _declared(char):
            if run:
                pieces.append(rf"\text{{{latex_escape(''.join(run))}}}")
                run = []
            pieces.append(char)
        else:
            run.append(char)
    return "".join(pieces)[:-1]


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


def _preamble(title: str, text: str, language: str, aspect: str = "16:9") -> str:
    unicode = _unicode_declarations(text + title)
    return (
        f"% {message('export.tex_header', language)}\n"
        f"\\documentclass[aspectratio={aspect.replace(':', '')}]{{beamer}}\n"
        "\\usepackage[utf8]{inputenc}\n"
        "\\usepackage[T1]{fontenc}\n"
        "\\usepackage{textcomp}\n"
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


LONGEST_LABEL = 100
"""The most characters of a label a Beamer slide shows: a longer one is cut in the middle (``first…last``); the
picture above it is the whole story. Kept short so an equation stays readable and within TeX's widest box.

>>> from gradviz.export.latex import LONGEST_LABEL, shorten_label
>>> len(shorten_label("w" * 500)) == LONGEST_LABEL, shorten_label("loss")
(True, 'loss')
"""
# pdfTeX cannot place a picture wider or taller than about 16,000 pt (a long label draws one): smaller ones only
_LARGEST_INCHES = 190
_LONGEST_LINE = 1200  # characters of LaTeX in one equation line: past this TeX's box width (16384 pt) may overflow


def shorten_label(label: str) -> str:
    """`label` as a slide shows it: at most LONGEST_LABEL characters, the middle cut out with an ellipsis."""
    if len(label) <= LONGEST_LABEL:
        return label
    keep = (LONGEST_LABEL - 1) // 2
    return f"{label[:keep]}…{label[len(label) - (LONGEST_LABEL - 1 - keep) :]}"


def _slide_text(frame: Frame) -> tuple[str, str]:
    """The frame's caption and equation LaTeX with every label longer than LONGEST_LABEL shortened."""
    caption, latex = frame.caption, frame.latex.strip()
    for label in sorted({node.label for node in frame.nodes if len(node.label) > LONGEST_LABEL}, key=len)[::-1]:
        caption = caption.replace(label, shorten_label(label))
        latex = latex.replace(latex_label(label), latex_label(shorten_label(label)))
    return caption, latex


def _frame(frame: Frame, number: int, count: int, picture: str) -> str:
    heading = message("export.beamer_title", frame.language, number=number, count=count, kind=kind_name(frame))
    caption, latex = _slide_text(frame)
    lines = [
        f"\\begin{{frame}}{{{latex_escape(heading)}}}",
        "\\centering",
        f"\\includegraphics[width=\\textwidth,height=0.56\\textheight,keepaspectratio]{{{picture}}}",
        "",
        f"{{\\small {latex_escape(caption)}\\par}}",
    ]
    if latex:
        equation = latex_math(latex)
        if max(len(line) for line in equation.split("\\\\")) > _LONGEST_LINE:
            too_long = message("export.tex_equation_too_long", frame.language, count=len(frame.latex))
            lines += ["\\medskip", f"{{\\small {latex_escape(too_long)}\\par}}"]
        else:
            lines += ["\\medskip", "\\gradvizequation{%", equation, "}"]
    lines.append("\\end{frame}")
    return "\n".join(lines) + "\n"


def frames_folder_name(path: Path) -> str:
    """The folder beside a deck ``lesson.tex`` that holds its pictures: ``lesson-frames``; characters that
    would break ``\\includegraphics`` (``# % { } \\``, control characters) become ``-``.

    >>> frames_folder_name(Path("lesson.tex")), frames_folder_name(Path("week #3 {draft}.tex"))
    ('lesson-frames', 'week -3 -draft--frames')
    """
    return re.sub(r"[#%{}\\\x00-\x1f\x7f]", "-", path.stem) + "-frames"


def write_beamer(frames: Sequence[Frame], path: Path, options: Options, *, captions: bool = False) -> ExportResult:
    """Write `path` (.tex) and its pictures in a folder `<stem>-frames/` beside it.

    Every caption, heading and equation is made safe for pdflatex (`latex_escape`, `latex_math`), so the deck
    compiles whatever the labels hold. Files in the way that gradviz did not write stop it before anything is
    drawn (FilesRefused), unless ``options.overwrite``.

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
    folder = path.parent / frames_folder_name(path)
    count = len(frames)
    refuse_overwrites([path, *step_paths(folder, count, suffix)], overwrite=options.overwrite)
    datas = render_frames(
        frames, suffix, options, caption=captions, dpi=options.dpi or LATEX_DPI, largest_inches=_LARGEST_INCHES
    )
    names = step_paths(folder, count, suffix)
    slides = [
        _frame(frame, number, count, f"{folder.name}/{picture.name}")
        for number, (frame, picture) in enumerate(zip(frames, names, strict=True), start=1)
    ]
    body = [
        _preamble(options.title, "".join(slides), options.language, options.aspect),
        "\\begin{document}\n",
        "\\begin{frame}\n\\titlepage\n\\end{frame}\n",
        *slides,
        "\\end{document}\n",
    ]
    tex = "\n".join(body).encode("utf-8", errors="replace")
    written = write_step_files(folder, datas, suffix, overwrite=options.overwrite, also={path: tex})
    pictures = written[:count]
    if suffix == "pdf":
        note = message("export.note_tex_pdf", options.language, folder=folder.name)
    else:
        note = message("export.note_tex_png", options.language, dpi=options.dpi or LATEX_DPI, folder=folder.name)
    return ExportResult(
        path, "tex", count, [path, *pictures], vector=suffix == "pdf", note=note, language=options.language
    )
