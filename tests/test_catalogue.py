"""The message catalogue loads one area at a time, and reading the whole table always sees every area."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from gradviz.catalogue import AREAS, CATALOGUE


def _in_fresh_process(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_import_gradviz_loads_no_area_of_the_catalogue_until_a_sentence_is_asked_for():
    code = (
        "import sys, gradviz\n"
        "areas = lambda: sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('gradviz.catalogue.'))\n"
        "print(areas())\n"
        "from gradviz.i18n import message\n"
        "message('frames.array_vector', count=3)\n"
        "print(areas())\n"
    )
    before, after = _in_fresh_process(code).splitlines()
    assert before == "[]"
    assert after == "['frames']"


def test_reading_the_whole_catalogue_in_a_fresh_process_sees_every_area():
    code = (
        "from gradviz.catalogue import CATALOGUE, AREAS\n"
        "print(len(CATALOGUE), len(set(CATALOGUE)), sorted({k.split('.')[0] for k in CATALOGUE}) == sorted(AREAS))\n"
    )
    count, distinct, every_area = _in_fresh_process(code).split()
    assert int(count) == int(distinct) > 100 and every_area == "True"


def test_catalogue_holds_exactly_the_entries_of_its_area_modules():
    merged = {}
    for area in AREAS:
        merged.update(importlib.import_module(f"gradviz.catalogue.{area}").MESSAGES)
    assert dict(CATALOGUE.items()) == merged
    assert len(CATALOGUE) == len(merged) and set(CATALOGUE) == set(merged)
    key = next(iter(merged))
    assert key in CATALOGUE and CATALOGUE.get(key) is merged[key] and CATALOGUE[key] is merged[key]


@pytest.mark.parametrize("key", ["frames.no_such_sentence", "no_such_area.sentence", "plain"])
def test_a_key_the_catalogue_does_not_have_raises_key_error_and_get_gives_the_default(key):
    with pytest.raises(KeyError):
        CATALOGUE[key]
    assert CATALOGUE.get(key, "default") == "default"
    assert key not in CATALOGUE
