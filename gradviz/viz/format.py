"""Number and formula formatting for pictures and captions: real minus signs, precision, ×10ⁿ notation, the
decimal mark, and round-off shown as the 0 a person would write.

>>> from gradviz.viz.format import number
>>> number(-12.0), number(0.123456), number(3e-7), number(1234567.0), number(0.8233, decimal=",")
('−12', '0.1235', '3×10⁻⁷', '1.235×10⁶', '0,8233')
"""

from __future__ import annotations

import math
import string
from typing import Any

import numpy as np

from ..i18n import message

__all__ = [
    "MINUS",
    "ROUND_OFF",
    "decimal_mark",
    "list_separator",
    "snap",
    "number",
    "number_latex",
    "operand",
    "array_lines",
    "array_summary",
    "array_summary_rows",
    "fill",
    "latex_label",
]

MINUS = "−"  # U+2212, the typographic minus sign
"""The minus sign of every number gradviz shows: U+2212 (−), as wide as a plus sign, not the hyphen (-).

>>> from gradviz.viz.format import MINUS, number
>>> number(-3.5), number(-3.5).startswith(MINUS), hex(ord(MINUS))
('−3.5', True, '0x2212')
"""
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_LARGE = 1e5  # from here up, and below _SMALL, numbers switch to scientific notation
_SMALL = 1e-4
_MARKS = (".", ",")

ROUND_OFF = 1e-12
"""How small a result must be against the size of what it adds up to count as round-off: 0.1 + 0.2 − 0.3 is
5.551×10⁻¹⁷ against terms of about 0.6, so a picture shows 0 (the engine's numbers are never changed).

>>> from gradviz.viz.format import ROUND_OFF, snap
>>> ROUND_OFF, snap(0.1 + 0.2 - 0.3, 0.6), snap(1e-13, 1e-13)
(1e-12, 0.0, 1e-13)
"""


def decimal_mark(decimal: str | None = None, language: str | None = None) -> str:
    """The decimal mark to write numbers with: `decimal` checked ("." or ","), or when None the one of `language`
    (default: the language in use) — "," in Spanish, as the course writes 0,8233, and "." in English.

    >>> decimal_mark(language="es"), decimal_mark(language="en"), decimal_mark(".", language="es")
    (',', '.', '.')
    >>> decimal_mark(";")
    Traceback (most recent call last):
    ...
    ValueError: decimal is '.' or ',' (the mark between the units and the tenths), got ';'
    """
    if decimal is None:
        return message("pictures.decimal_mark", language)
    if decimal not in _MARKS:
        raise ValueError(f"decimal is '.' or ',' (the mark between the units and the tenths), got {decimal!r}")
    return decimal


def list_separator(decimal: str = ".") -> str:
    """What separates the items of a list of numbers: ", ", or "; " beside a decimal comma ([0,5; 1,2]).

    >>> list_separator("."), list_separator(",")
    (', ', '; ')
    """
    return "; " if decimal_mark(decimal) == "," else ", "


def snap(x: Any, scale: Any, tolerance: float = ROUND_OFF) -> Any:
    """`x` with round-off shown as 0: every entry smaller than `tolerance` × `scale` (the size of the terms it
    sums, elementwise for arrays) becomes exactly 0; anything else, and `x` itself when nothing is that small,
    comes back unchanged.

    >>> snap(0.1 + 0.2 - 0.3, 0.6), snap(1e-20, 1e-20), snap(-5.0, 5.0)
    (0.0, 1e-20, -5.0)
    >>> snap(np.array([5.551e-17, 0.25]), np.array([0.6, 0.25]))
    array([0.  , 0.25])
    """
    if x.__class__ is float and scale.__class__ is float:  # the scalar engine's numbers: the common case
        return 0.0 if x != 0 and abs(x) < tolerance * abs(scale) else x
    if isinstance(x, np.ndarray) or isinstance(scale, np.ndarray):
        array = np.asarray(x)
        if array.dtype.kind != "f":
            return x
        with np.errstate(invalid="ignore"):
            tiny = (np.abs(array) < tolerance * np.abs(scale)) & (array != 0)
        if not tiny.any():
            return x
        return np.where(tiny, 0.0, array).astype(array.dtype, copy=False)
    if isinstance(x, float) and x != 0 and abs(x) < tolerance * abs(scale):
        return 0.0
    return x


def _parts(x: float, precision: int) -> tuple[str, int | None]:
    """The mantissa text (ASCII '-') and the power of ten (None for plain notation)."""
    if x != x:
        return "nan", None
    if math.isinf(x):
        return ("-∞" if x < 0 else "∞"), None
    if x == 0:
        return "0", None
    magnitude = abs(x)
    if magnitude >= _LARGE or magnitude < _SMALL:
        mantissa, exponent = f"{x:.{max(precision - 1, 0)}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return mantissa, int(exponent)
    text = f"{x:.{precision}g}"
    if "e" in text:  # 'g' chose scientific for a number we want plain (e.g. 12345 at precision 4)
        text = f"{round(x, max(precision - 1 - int(math.floor(math.log10(magnitude))), 0)):.0f}"
    return text, None


def number(x: Any, precision: int = 4, decimal: str = ".") -> str:
    """A number for people: `precision` significant digits, the real minus sign −, ×10ⁿ when huge or tiny, and
    `decimal` ("." or ",") between the units and the tenths.

    >>> number(2.0), number(-0.5), number(1 / 3, precision=2), number(True), number(-0.8233, decimal=",")
    ('2', '−0.5', '0.33', '1', '−0,8233')
    """
    x = float(x)
    mantissa, exponent = _parts(x, precision)
    mantissa = mantissa.replace("-", MINUS)
    if decimal != ".":
        mantissa = mantissa.replace(".", decimal_mark(decimal))
    if exponent is None:
        return mantissa
    if mantissa in ("1", MINUS + "1"):
        return mantissa.replace("1", "") + "10" + str(exponent).translate(_SUPERSCRIPT)
    return f"{mantissa}×10{str(exponent).translate(_SUPERSCRIPT)}"


def number_latex(x: Any, precision: int = 4, decimal: str = ".") -> str:
    r"""A number in LaTeX: ``-4``, ``1.5 \times 10^{-7}``; a decimal comma in braces, ``0{,}8233``, so that
    LaTeX does not space it as a list's comma.

    >>> number_latex(-4.0), number_latex(1.5e-7), number_latex(0.8233, decimal=",")
    ('-4', '1.5 \\times 10^{-7}', '0{,}8233')
    """
    mantissa, exponent = _parts(float(x), precision)
    mantissa = mantissa.replace("∞", r"\infty")
    if decimal != ".":
        mantissa = mantissa.replace(".", "{,}" if decimal_mark(decimal) == "," else ".")
    if exponent is None:
        return mantissa
    return f"{mantissa} \\times 10^{{{exponent}}}"


def operand(x: Any, precision: int = 4, latex: bool = False, decimal: str = ".") -> str:
    """A number as a factor inside a formula: negatives in parentheses, ``(−4)``.

    >>> operand(-4.0), operand(3.0), operand(-4.0, latex=True), operand(-0.5, decimal=",")
    ('(−4)', '3', '(-4)', '(−0,5)')
    """
    text = number_latex(x, precision, decimal) if latex else number(x, precision, decimal)
    return f"({text})" if text.startswith((MINUS, "-")) else text


def array_lines(array: np.ndarray, precision: int = 4, decimal: str = ".") -> list[str]:
    """A small array (at most 2-d) as rows of text: ``['[1, −2]', '[3, 4]']``; beside a decimal comma the items
    are separated by "; " so that the list stays unambiguous.

    >>> array_lines(np.array([[1.0, -2.0], [3.0, 4.0]]))
    ['[1, −2]', '[3, 4]']
    >>> array_lines(np.array([0.5, 1.2]), decimal=",")
    ['[0,5; 1,2]']
    """
    array = np.asarray(array)
    if array.ndim == 0:
        return [number(array.item(), precision, decimal)]
    separator = list_separator(decimal)
    if array.ndim == 1:
        return ["[" + separator.join(number(v, precision, decimal) for v in array.tolist()) + "]"]
    rows = array.reshape(-1, array.shape[-1])
    return ["[" + separator.join(number(v, precision, decimal) for v in row) + "]" for row in rows.tolist()]


def array_summary(
    array: np.ndarray, precision: int = 4, language: str | None = None, decimal: str | None = None
) -> str:
    """mean, std, min and max of a larger array on one line (words in `language`, default the one in use; the
    decimal mark `decimal`, default that language's own).

    >>> array_summary(np.arange(4.0), language="en")
    'mean 1.5  std 1.118  min 0  max 3'
    >>> array_summary(np.arange(4.0), language="es")
    'media 1,5  desv. 1,118  mín 0  máx 3'
    >>> array_summary(np.arange(4.0), language="es", decimal=".")
    'media 1.5  desv. 1.118  mín 0  máx 3'
    """
    return "  ".join(array_summary_rows(array, precision, language, decimal))


def array_summary_rows(
    array: np.ndarray, precision: int = 4, language: str | None = None, decimal: str | None = None
) -> list[str]:
    """array_summary as two rows, mean and std then min and max (one row for an empty array), for narrow boxes.

    >>> array_summary_rows(np.arange(4.0), language="en")
    ['mean 1.5  std 1.118', 'min 0  max 3']
    """
    array = np.asarray(array, dtype=float)
    if array.size == 0:
        return [message("pictures.stats_empty", language)]
    mark = decimal_mark(decimal, language)
    with np.errstate(all="ignore"):
        values = (array.mean(), array.std(), array.min(), array.max())
        mean, std, low, high = (number(v, precision, mark) for v in values)
    return [
        message("pictures.stats_centre", language, mean=mean, std=std),
        message("pictures.stats_range", language, min=low, max=high),
    ]


def _needs_parentheses(before: str, after: str) -> bool:
    """A negative number goes in parentheses unless the template already wraps the slot: ``exp({a})``."""
    opened = before.rstrip().endswith(("(", "[", ",", "|"))
    closed = after.lstrip().startswith((")", "]", ",", "|"))
    return not (opened and closed)


def fill(template: str, values: dict[str, str], negative: frozenset[str] = frozenset(), decimal: str = ".") -> str:
    """Fill a formula template (``{a} · {b}``); names in `negative` are wrapped in parentheses where needed, and
    beside a decimal comma the template's list commas become semicolons: ``max(0,5; 1,2)``.

    >>> fill("{a} · {b}", {"a": "3", "b": "−4"}, frozenset({"b"}))
    '3 · (−4)'
    >>> fill("exp({a})", {"a": "−2"}, frozenset({"a"}))
    'exp(−2)'
    >>> fill("max({a}, {b})", {"a": "0,5", "b": "1,2"}, decimal=",")
    'max(0,5; 1,2)'
    """
    pieces = list(string.Formatter().parse(template))
    separator = list_separator(decimal)
    out = []
    for i, (literal, name, _spec, _conversion) in enumerate(pieces):
        out.append(literal.replace(", ", separator) if separator != ", " else literal)
        if name is None:
            continue
        text = values[name]
        if name in negative:
            after = pieces[i + 1][0] if i + 1 < len(pieces) else ""
            if _needs_parentheses(literal, after):
                text = f"({text})"
        out.append(text)
    return "".join(out)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
}


_LATEX_TEXT_SPECIAL = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


def latex_label(label: str) -> str:
    r"""A node label inside LaTeX math: single letters as they are, longer names upright and escaped.

    >>> latex_label("x"), latex_label("w_1"), latex_label("loss")
    ('x', '\\mathrm{w\\_1}', '\\mathrm{loss}')
    """
    if any(ch in label for ch in "\\^~"):
        # these have no math-mode escape: write the label as text (amsmath's \text)
        text = "".join(_LATEX_TEXT_SPECIAL.get(ch, _LATEX_SPECIAL.get(ch, ch)) for ch in label)
        return rf"\text{{{text}}}"
    escaped = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in label)
    if len(label) == 1 and label.isalpha():
        return escaped
    return rf"\mathrm{{{escaped}}}"
