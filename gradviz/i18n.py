"""The language switch: every sentence gradviz shows a person comes from one catalogue, in English or Spanish.

The catalogue lives in ``gradviz/catalogue/`` (one module per area, each entry ``{"en": ..., "es": ...}``).
The language in use is English unless ``set_language("es")``, the ``GRADVIZ_LANG`` environment variable
(``es``, or a locale such as ``es_ES.UTF-8``) or ``gradviz --lang es`` chose Spanish; ``with language("es"):``
switches for a block and restores the previous language afterwards.

>>> with language("es"):
...     message("frames.forward_caption", step=1, total=2, symbol="+", out="q", inputs="x e y")
'Propagación hacia delante, paso 1 de 2: el nodo + calcula q a partir de x e y.'
>>> message("frames.forward_caption", language="en", step=1, total=2, symbol="+", out="q", inputs="x and y")
'Forward step 1 of 2: the + node computes q from x and y.'
"""

from __future__ import annotations

import os
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .catalogue import CATALOGUE

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "set_language",
    "get_language",
    "language",
    "resolve_language",
    "message",
    "fields_of",
]

LANGUAGES = ("en", "es")
"""The languages gradviz speaks, by code: captions, equation words, widget labels and CLI messages.

>>> from gradviz import Value
>>> from gradviz.i18n import LANGUAGES
>>> from gradviz.viz import final_frame
>>> a = Value(2.0, label="a")
>>> b = a * a
>>> b.label = "b"
>>> for code in LANGUAGES:
...     print(code, final_frame(b, language=code).caption)
en The graph of b = 4: no backward pass has run yet, so no gradients.
es El grafo de b = 4: aún no se ha hecho la propagación hacia atrás, así que no hay gradientes.
"""

LANGUAGE_NAMES = {"en": "English", "es": "español"}
"""Each language's name in that language, as messages that list the choices show it.

>>> from gradviz.i18n import LANGUAGE_NAMES, set_language
>>> LANGUAGE_NAMES["es"]
'español'
>>> set_language("fr")
Traceback (most recent call last):
...
ValueError: set_language: gradviz speaks 'en' (English), 'es' (español); 'fr' is not one of them
"""

_default = ["en"]  # the language new threads start with: GRADVIZ_LANG, or set_language in the main thread
_local = threading.local()  # each thread's own choice (`code`), like the engine's switches


def _normalised(language: object) -> str | None:
    """'es', 'ES', 'es-ES', 'es_ES.UTF-8' → 'es'; None when it names no language gradviz speaks."""
    if not isinstance(language, str):
        return None
    base = language.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return base if base in LANGUAGES else None


def _checked(language: object, who: str) -> str:
    chosen = _normalised(language)
    if chosen is None:
        choices = ", ".join(f"{code!r} ({name})" for code, name in LANGUAGE_NAMES.items())
        raise ValueError(f"{who}: gradviz speaks {choices}; {language!r} is not one of them")
    return chosen


def set_language(language: str) -> None:
    """Choose the language of captions, equation words, widget labels and CLI messages: "en" or "es".

    A locale such as "es_ES" or "es-ES" counts as its language; anything else raises ValueError.

    >>> previous = get_language()
    >>> set_language("es")
    >>> get_language()
    'es'
    >>> set_language(previous)

    The choice is this thread's; made in the main thread (a notebook, a script) it is also the language
    every thread started afterwards speaks, so a Playground's training thread draws in it too.
    """
    code = _checked(language, "set_language")
    _local.code = code
    if threading.current_thread() is threading.main_thread():
        _default[0] = code


def get_language() -> str:
    """The language in use: "en" unless set_language, ``language(...)`` or GRADVIZ_LANG chose another.

    >>> with language("es"):
    ...     get_language()
    'es'
    """
    code = getattr(_local, "code", None)
    return _default[0] if code is None else code


@contextmanager
def language(chosen: str) -> Iterator[str]:
    """Use `chosen` ("en" or "es") inside a with-block, then go back to the language used before.

    The setting is this thread's only: another thread keeps speaking its own language meanwhile.

    >>> before = get_language()
    >>> with language("es") as code:
    ...     code, message("frames.and", first="q", last="z")
    ('es', 'q y z')
    >>> get_language() == before
    True
    """
    code = _checked(chosen, "language")
    previous = getattr(_local, "code", None)
    _local.code = code
    try:
        yield code
    finally:
        _local.code = previous


def resolve_language(chosen: str | None = None, who: str = "language") -> str:
    """`chosen` checked ("en" or "es"), or the language in use when it is None.

    >>> resolve_language("ES"), resolve_language() in LANGUAGES
    ('es', True)
    """
    return get_language() if chosen is None else _checked(chosen, who)


def message(key: str, /, language: str | None = None, **fields: object) -> str:
    """The catalogue's sentence for `key` in `language` (default: the one in use), with `fields` filled in.

    >>> message("frames.array_vector", language="es", count=3)
    'un vector de 3 elementos'
    >>> message("frames.array_vector", language="en", count=3)
    'a 3-element array'
    """
    try:
        entry = CATALOGUE[key]
    except KeyError:
        raise KeyError(f"message: no catalogue entry {key!r}; add it to a module in gradviz/catalogue/") from None
    text = entry[get_language() if language is None else _checked(language, "message")]
    try:
        return text.format(**fields)
    except KeyError as missing:
        wanted = ", ".join(sorted(fields_of(text)))
        raise KeyError(f"message({key!r}): the sentence needs the field {missing}; its fields are {wanted}") from None


def fields_of(text: str) -> set[str]:
    """The names of the {fields} a catalogue sentence uses (both languages must use the same ones).

    >>> sorted(fields_of("paso {step} de {total}"))
    ['step', 'total']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _from_environment() -> None:
    """GRADVIZ_LANG chooses the starting language; a value gradviz does not speak warns and keeps English."""
    wanted = os.environ.get("GRADVIZ_LANG", "").strip()
    if not wanted:
        return
    chosen = _normalised(wanted)
    if chosen is None:
        import warnings

        from .errors import GradvizWarning

        warnings.warn(
            f"GRADVIZ_LANG={wanted!r} is not a language gradviz speaks (en, es): using English",
            GradvizWarning,
            stacklevel=2,
        )
        return
    _default[0] = _local.code = chosen


_from_environment()
