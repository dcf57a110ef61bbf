"""The language switch and the message catalogue: both languages everywhere, no key unused, the Spanish
worked example against reviewed golden text, and no English word left in Spanish frames and pictures."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pytest
from viz_examples import check_golden, scalar_mlp, worked_example

import gradviz
from gradviz import Tensor, Value, i18n, trace
from gradviz.catalogue import AREAS, CATALOGUE
from gradviz.i18n import fields_of, get_language, language, message, resolve_language, set_language
from gradviz.viz import Frame, frames, to_dot

SOURCE = Path(gradviz.__file__).parent
# keys built at run time (f"area.{name}") must be listed here, or the unused-key test cannot see them
DYNAMIC_KEYS: frozenset[str] = frozenset(
    [f"widgets.mode_{mode}" for mode in ("forward", "backward", "both")]  # widgets/stepper.py
    + [f"dashboard.data_{name}" for name in ("moons", "circles", "spirals", "xor", "blobs", "user")]  # playground
    + [f"dashboard.{name}" for name in ("run", "pause", "step", "reset")]  # widgets/playground.py's buttons
    + [f"dashboard.{name}" for name in ("loss", "accuracy", "validation", "test")]  # widgets/_dashboard_plots.py
    + [f"dashboard.status_{held_out}" for held_out in ("validation", "test")]  # widgets/_dashboard_plots.py
)
WORD = re.compile(r"[^\W\d_]{2,}")  # two or more letters: single-letter node names are not words
NOT_WORDS = re.compile(r"\{\w+\}|\\[a-zA-Z]+|\w+\(\)")  # {fields}, LaTeX commands, code such as backward()


@pytest.fixture(autouse=True)
def english_around_each_test():
    """Every test starts and ends in the language it found, whatever it sets."""
    before = get_language()
    yield
    set_language(before)


def describe(frame: Frame) -> str:
    """The same layout as tests/golden/worked_example_frames.txt (see tests/test_viz_frame.py)."""
    pending = ", ".join(sorted(frame.node(i).label for i in frame.pending)) or "-"
    return (
        f"## frame {frame.index}: {frame.kind} (step {frame.step}), active {frame.active_label}, pending {pending}\n"
        f"caption: {frame.caption}\nequation:\n{frame.equation}\nlatex:\n{frame.latex}\n"
    )


# -- the catalogue -----------------------------------------------------------------------------------


def test_every_catalogue_entry_has_english_and_spanish_with_the_same_fields():
    problems = []
    for key, entry in CATALOGUE.items():
        if set(entry) != set(i18n.LANGUAGES):
            problems.append(f"{key}: languages {sorted(entry)}")
            continue
        if not all(isinstance(text, str) and text.strip() for text in entry.values()):
            problems.append(f"{key}: an empty sentence")
            continue
        if fields_of(entry["en"]) != fields_of(entry["es"]):
            problems.append(f"{key}: fields {sorted(fields_of(entry['en']))} vs {sorted(fields_of(entry['es']))}")
    assert problems == []


def test_every_key_lives_in_the_area_module_it_is_named_after():
    for area in AREAS:
        try:
            module = importlib.import_module(f"gradviz.catalogue.{area}")
        except ModuleNotFoundError:
            assert area == "backends"  # the only optional area
            continue
        misplaced = [key for key in module.MESSAGES if not key.startswith(area + ".")]
        assert misplaced == [], f"gradviz/catalogue/{area}.py holds keys of another area"


def test_every_catalogue_key_is_used_somewhere_in_the_code():
    code = "\n".join(path.read_text(encoding="utf-8") for path in SOURCE.rglob("*.py") if "catalogue" not in path.parts)
    quoted = set(re.findall(r"""["']([a-z_]+\.[a-z0-9_]+)["']""", code))
    assert sorted(DYNAMIC_KEYS - set(CATALOGUE)) == [], "DYNAMIC_KEYS lists keys the catalogue no longer has"
    unused = sorted(key for key in CATALOGUE if key not in quoted and key not in DYNAMIC_KEYS)
    assert unused == [], "catalogue keys nothing uses (or list keys built at run time in DYNAMIC_KEYS)"


def test_every_message_call_names_a_key_of_the_catalogue():
    used = set()
    for path in SOURCE.rglob("*.py"):
        used |= set(re.findall(r"""message\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    assert used and sorted(used - set(CATALOGUE)) == []


# -- choosing the language ---------------------------------------------------------------------------


def test_set_language_switches_and_a_locale_counts_as_its_language():
    set_language("es")
    assert get_language() == "es" and gradviz.get_language() == "es"
    assert message("frames.and", first="x", last="z") == "x y z"
    set_language("EN_us")
    assert get_language() == "en" and message("frames.and", first="x", last="z") == "x and z"


def test_a_language_gradviz_does_not_speak_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"set_language: gradviz speaks 'en' \(English\), 'es' \(español\); 'fr'"):
        set_language("fr")
    with pytest.raises(ValueError, match="frames"):
        frames(worked_example()[0], language="fr")
    with pytest.raises(ValueError, match="'de'"):
        message("frames.and", language="de", first="a", last="b")
    assert get_language() in i18n.LANGUAGES  # a refused language changes nothing


def test_the_language_block_restores_the_previous_language_even_after_an_error():
    set_language("en")
    with pytest.raises(RuntimeError):
        with language("es"):
            assert get_language() == "es"
            raise RuntimeError("inside the block")
    assert get_language() == "en"
    with pytest.raises(ValueError):
        with language("klingon"):
            pass
    assert resolve_language() == "en" and resolve_language("es-ES") == "es"


def test_gradviz_lang_chooses_the_starting_language_and_an_unknown_one_warns(monkeypatch):
    monkeypatch.setenv("GRADVIZ_LANG", "es_ES.UTF-8")
    i18n._from_environment()
    assert get_language() == "es"
    set_language("en")
    monkeypatch.setenv("GRADVIZ_LANG", "fr")
    with pytest.warns(gradviz.GradvizWarning, match="GRADVIZ_LANG='fr'.*using English"):
        i18n._from_environment()
    assert get_language() == "en"


def test_a_missing_field_or_key_says_what_is_wrong():
    with pytest.raises(KeyError, match=r"needs the field 'last'; its fields are first, last"):
        message("frames.and", first="x")
    with pytest.raises(KeyError, match="no catalogue entry 'frames.nothing'"):
        message("frames.nothing")


# -- Spanish frames ----------------------------------------------------------------------------------


def test_the_spanish_worked_example_matches_the_reviewed_golden_text():
    t, _ = worked_example()
    check_golden("worked_example_captions_es.txt", "\n".join(describe(f) for f in frames(t, language="es")))


def test_the_spanish_captions_speak_of_the_gradient_and_the_chain_rule():
    t, _ = worked_example()
    captions = [f.caption for f in frames(t, language="es")]
    assert captions[1] == "Propagación hacia delante, paso 1 de 2: el nodo + calcula q a partir de x e y."
    assert "gradiente" in captions[4] and "regla de la cadena" in captions[4]
    assert captions[5].endswith(
        "a sus entradas x e y; por la regla de la cadena, cada una recibe gradiente entrante × derivada local."
    )


def test_frames_follow_the_language_in_use_unless_told_and_keep_it():
    t, _ = worked_example()
    with language("es"):
        spanish = frames(t)
        english = frames(t, language="en")
    assert {f.language for f in spanish} == {"es"} and {f.language for f in english} == {"en"}
    assert english[1].caption == "Forward step 1 of 2: the + node computes q from x and y."
    assert [f.equation for f in spanish] == [f.equation for f in english]  # numbers and formulas are shared


def test_numbers_keep_the_decimal_point_in_spanish():
    x = Value(0.5, label="x")
    with trace() as t:
        y = x * 2.25
        y.label = "y"
        y.backward()
    frame = frames(t, language="es")[1]
    assert "0.5 · 2.25 = 1.125" in frame.equation and "0.5" in frame.latex


def spanish_sources():
    """Walkthroughs that between them reach every sentence a frame can say."""
    worked, _ = worked_example()
    a = Value(3.0, label="a")
    with trace() as summed:  # a node used twice: accumulation, "se usa en varios nodos"
        b = a * 2
        b.label = "b"
        c = b + a
        c.label = "c"
        c.backward()
    W = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    u = Tensor(np.arange(3.0), label="u")
    with trace() as tensors:  # arrays in captions, a vector-Jacobian product
        h = W @ u
        h.label = "h"
        total = h.sum()
        total.label = "L"
        total.backward()
    ps = [Value(float(k), label=f"p{k}") for k in range(10)]
    with trace() as many:  # more inputs than a caption lists: "… y 2 más"
        s = ps[0]
        for p in ps[1:]:
            s = s + p
        s.label = "s"
        s.backward()
    with trace() as constant:  # an op none of whose inputs needs a gradient
        k = Value(2.0, label="k", requires_grad=False)
        r = k * k + a
        r.label = "r"
        r.backward()
    big = Tensor(np.linspace(-1, 1, 30).reshape(5, 6), requires_grad=True, label="B")
    with trace() as large:  # a larger array: summarised as media / desv. / mín / máx in the picture
        m = (big * big).sum()
        m.label = "m"
        m.backward()
    fresh = Value(2.0, label="g")
    unrun = (fresh * fresh).relu()  # no backward yet
    return [worked, summed, tensors, many, constant, large, unrun]


def english_only_words() -> set[str]:
    """Words of the English sentences of frames and pictures that no Spanish sentence uses."""
    english, spanish = set(), set()
    for key, entry in CATALOGUE.items():
        if key.split(".")[0] in ("frames", "pictures"):
            english |= {w.lower() for w in WORD.findall(NOT_WORDS.sub(" ", entry["en"]))}
        spanish |= {w.lower() for w in WORD.findall(NOT_WORDS.sub(" ", entry["es"]))}
    return english - spanish


def shown_words(text: str, names: set[str]) -> set[str]:
    text = NOT_WORDS.sub(" ", text)
    return {w.lower() for w in WORD.findall(text)} - names


def dot_text(dot) -> str:
    """The text a picture shows: the contents of its HTML-like labels."""
    return " ".join(re.findall(r">([^<>]+)</", dot.source))  # text closed by a tag: </FONT>, </B>, </TD>


def test_no_english_word_is_left_in_the_spanish_frames_or_pictures():
    english = english_only_words()
    assert {"forward", "backward", "gradient", "value", "sum", "array", "mean"} <= english  # the check has teeth
    leftovers = {}
    for source in spanish_sources():
        for frame in frames(source, language="es"):
            names = {n.label.lower() for n in frame.nodes} | {n.op for n in frame.nodes}
            for text in (frame.caption, frame.equation, frame.latex, dot_text(to_dot(frame))):
                found = shown_words(text, names) & english
                if found:
                    leftovers.setdefault(frame.caption[:50], set()).update(found)
    boxes = dot_text(to_dot(frames(scalar_mlp(), language="es")[0], collapse=True))  # scope boxes
    assert "bloque" in boxes and shown_words(boxes, {"mlp", "layer", "mul", "add", "tanh"}) & english == set()
    assert leftovers == {}
    english_frame = frames(spanish_sources()[2], language="en")[-2]  # the same check finds English in English
    assert shown_words(english_frame.caption + dot_text(to_dot(english_frame)), set()) & english >= {"value", "shape"}


def test_the_spanish_frames_reach_every_frame_sentence_of_the_catalogue():
    captions = " ".join(f.caption + f.equation + f.latex for s in spanish_sources() for f in frames(s, language="es"))
    for key in ("frames.and_more", "frames.vjp", "frames.vjp_latex", "frames.summed_one", "frames.final_no_backward"):
        fixed = re.split(r"\{\w+\}", CATALOGUE[key]["es"].replace("{{", "{").replace("}}", "}"))
        assert all(part in captions for part in fixed if part.strip()), key


def test_the_english_frames_are_unchanged_by_the_catalogue():
    t, _ = worked_example()
    with language("es"):
        english = frames(t, language="en")
    check_golden("worked_example_frames.txt", "\n".join(describe(f) for f in english))


def test_node_texts_follow_the_language_of_their_frame():
    W = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    loss = (W * W).sum()
    loss.backward()
    (spanish,) = frames(loss, language="es")
    (english,) = frames(loss, language="en")
    assert spanish.node("W").value_text == "una matriz de 2×3" and english.node("W").grad_text == "a 2×3 array"
