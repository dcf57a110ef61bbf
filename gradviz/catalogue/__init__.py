"""The message catalogue: one module per area, each a table key → {"en": ..., "es": ...}, merged here."""

from __future__ import annotations

from . import dashboard, widgets

__all__ = ["CATALOGUE"]

CATALOGUE: dict[str, dict[str, str]] = {}
for _area in (widgets, dashboard):
    for _key, _entry in _area.MESSAGES.items():
        if _key in CATALOGUE:
            raise RuntimeError(f"catalogue: {_key!r} is declared twice")
        CATALOGUE[_key] = _entry
