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

CATALOGUE: dict[str, dict[str, str]] = {}
for _name in AREAS:
    _area = importlib.import_module(f"{__name__}.{_name}")
    for _key, _entry in _area.MESSAGES.items():
        if _key in CATALOGUE:
            raise RuntimeError(
                f"catalogue: {_key!r} is declared twice (the second time in gradviz/catalogue/{_name}.py)"
            )
        CATALOGUE[_key] = _entry
