"""The language switch: every sentence gradviz shows a person comes from one catalogue, in English or Spanish.

>>> import gradviz
>>> gradviz.set_language("es")
>>> message("widgets.next")
'Siguiente'
>>> gradviz.set_language("en")
>>> message("widgets.next")
'Next'
"""

from __future__ import annotations

import os
import string

from .catalogue import CATALOGUE

__all__ = ["LANGUAGES", "set_language", "get_language", "message"]

LANGUAGES = ("en", "es")
_current = ["en"]


def _checked(language: str, who: str) -> str:
    if not isinstance(language, str) or language.lower() not in LANGUAGES:
        raise ValueError(f"{who}: language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language.lower()


def set_language(language: str) -> None:
    """Choose the language of captions, equation words, widget labels and CLI messages ("en" or "es").

    >>> set_language("es"); get_language()
    'es'
    >>> set_language("en")
    """
    _current[0] = _checked(language, "set_language")


def get_language() -> str:
    """The language in use: "en" unless set_language (or the GRADVIZ_LANG environment variable) chose another.

    >>> get_language()
    'en'
    """
    return _current[0]


def message(key: str, /, language: str | None = None, **fields) -> str:
    """The catalogue's sentence for `key` in `language` (default: the one in use), with `fields` filled in.

    >>> message("widgets.step_of", step=2, total=7)
    'step 2 of 7'
    """
    try:
        entry = CATALOGUE[key]
    except KeyError:
        raise KeyError(f"message: no catalogue entry {key!r}; add it to a module in gradviz/catalogue/") from None
    text = entry[_checked(language, "message") if language is not None else _current[0]]
    return text.format(**fields) if fields else text


def fields_of(text: str) -> set[str]:
    """The names of the {fields} a catalogue sentence uses (both languages must use the same ones)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


if os.environ.get("GRADVIZ_LANG"):
    _current[0] = _checked(os.environ["GRADVIZ_LANG"], "GRADVIZ_LANG")
