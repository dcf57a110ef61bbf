"""Shared test setup: every test runs in English, whatever GRADVIZ_LANG says, and leaves the language as it found it.

The expected texts of the suite are English; a test of Spanish switches on its own (``language("es")``,
``frames(..., language="es")``, ``gradviz --lang es``) or sets GRADVIZ_LANG itself with monkeypatch.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gradviz.i18n import get_language, set_language


@pytest.fixture(scope="session", autouse=True)
def english_for_the_session() -> Iterator[None]:
    """English before any module-scoped fixture builds frames or pictures; GRADVIZ_LANG is hidden from the
    subprocesses the tests start (the CLI, notebooks, examples), so they speak English too."""
    before = get_language()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GRADVIZ_LANG", raising=False)
        set_language("en")
        yield
    set_language(before)


@pytest.fixture(autouse=True)
def english_for_each_test() -> Iterator[None]:
    """Each test starts in English and the language it leaves behind is undone, even after a failure."""
    before = get_language()
    set_language("en")
    yield
    set_language(before)
