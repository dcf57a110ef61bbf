"""The message catalogue: one module per area, each a table key → {"en": ..., "es": ...}, merged here.

A key starts with its area's name (``frames.seed_caption`` lives in ``frames.py``); both languages use the
same ``{fields}``, and literal braces are doubled (``{{``) because every sentence goes through str.format.
"""

from __future__ import annotations

import importlib

__all__ = ["CATALOGUE", "AREAS"]

# every area module
AREAS = (
    "frames",
    "formulas",
    "pictures",
    "focus",
    "updates",
    "network",
    "paths",
    "player",
    "export",
    "cli",
    "widgets",
    "layers",
    "dashboard",
    "playground",
    "expr",
    "plots",
    "metrics",
    "check",
    "backends",
)


class _Catalogue(dict):
    """The merged table, filled one area at a time: ``CATALOGUE["frames.seed_caption"]`` loads ``frames.py`` the
    first time a ``frames.`` key is asked for, so that `import gradviz` does not read the sentences of every
    picture, player and widget. Asking for the whole table (``in``, ``len``, iterating, ``keys()``/``items()``/
    ``values()``, ``get``) loads every area first, so it always sees all of it.

    >>> from gradviz.catalogue import CATALOGUE
    >>> CATALOGUE["frames.array_vector"]["es"]
    'un vector de {count} elementos'
    >>> "formulas.case" in CATALOGUE, len(CATALOGUE) > 100
    (True, True)
    """

    __slots__ = ("loaded",)

    def __init__(self) -> None:
        super().__init__()
        self.loaded: set[str] = set()

    def load(self, area: str) -> None:
        """Merge the entries of gradviz/catalogue/<area>.py (once)."""
        if area in self.loaded:
            return
        module = importlib.import_module(f"{__name__}.{area}")
        self.loaded.add(area)
        for key, entry in module.MESSAGES.items():
            if dict.__contains__(self, key):
                raise RuntimeError(
                    f"catalogue: {key!r} is declared twice (the second time in gradviz/catalogue/{area}.py)"
                )
            dict.__setitem__(self, key, entry)

    def load_all(self) -> None:
        """Merge every area (what reading the whole table needs)."""
        if len(self.loaded) < len(AREAS):
            for area in AREAS:
                self.load(area)

    def __missing__(self, key: str) -> dict[str, str]:
        area = key.partition(".")[0] if isinstance(key, str) else None
        if area not in AREAS or area in self.loaded:
            raise KeyError(key)
        self.load(area)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self.load_all()
        return dict.__contains__(self, key)

    def __iter__(self):
        self.load_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self.load_all()
        return dict.__len__(self)

    def keys(self):
        self.load_all()
        return dict.keys(self)

    def items(self):
        self.load_all()
        return dict.items(self)

    def values(self):
        self.load_all()
        return dict.values(self)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __repr__(self) -> str:
        self.load_all()
        return dict.__repr__(self)

    def __eq__(self, other: object) -> bool:
        self.load_all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


CATALOGUE: dict[str, dict[str, str]] = _Catalogue()
"""Every sentence by key (``area.name``) → {"en": ..., "es": ...}; each area loads on first use (see `_Catalogue`)."""
