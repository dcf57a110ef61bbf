"""The language switch and the message catalogue: both languages everywhere, no key unused, the Spanish
worked example against reviewed golden text, and no English word left in Spanish frames, pictures, collapse
notes, formula errors and training plots. (tests/conftest.py puts English in place around every test.)"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pytest
from viz_examples import check_golden, describe, scalar_mlp, worked_example

import gradviz
from gradviz import Tensor, Value, i18n, scope, trace
from gradviz.catalogue import AREAS, CATALOGUE
from gradviz.i18n import fields_of, get_language, language, message, resolve_language, set_language
from gradviz.viz import final_frame, frames, to_dot
from gradviz.viz.collapse import plan

SOURCE = Path(gradviz.__file__).parent
# keys built at run time (f"area.{name}") must be listed here, or the unused-key test cannot see them
DYNAMIC_KEYS: frozenset[str] = frozenset(
    [f"widgets.mode_{mode}" for mode in ("forward", "backward", "both")]  # widgets/stepper.py
    + [
        f"dashboard.data_{name}"
        for name in ("moons", "circles", "spirals", "xor", "blobs", "plane", "gaussians", "user")
    ]  # playground
    + [f"dashboard.{name}" for name in ("run", "pause", "step", "reset")]  # widgets/playground.py's buttons
    + [f"plots.metric_{name}" for name in ("loss", "accuracy")]  # widgets/_dashboard_plots.py's panel titles
    + [f"dashboard.status_{held_out}" for held_out in ("validation", "test")]  # widgets/_dashboard_plots.py
)
WORD = re.compile(r"[^\W\d_]{2,}")  # two or more letters: single-letter node names are not words
# {fields}, LaTeX commands, code such as backward() or range(, keyword arguments (max_nodes=), command-line
# options with their value (--mode forward)
NOT_WORDS = re.compile(r"\{\w+\}|\\[a-zA-Z]+|\w+\(\)?|\b\w+=|--[a-z][\w-]*(?: [a-z]+\b)?")


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
    # with one decimal mark, numbers and formulas are shared (Spanish writes a decimal comma by default)
    assert [f.equation for f in frames(t, language="es", decimal=".")] == [f.equation for f in english]


def test_spanish_numbers_take_the_decimal_comma_unless_decimal_says_otherwise():
    x = Value(0.5, label="x")
    with trace() as t:
        y = x * 2.25
        y.label = "y"
        y.backward()
    frame = frames(t, language="es")[1]
    assert "0,5 · 2,25 = 1,125" in frame.equation and "0{,}5" in frame.latex
    assert "0.5 · 2.25 = 1.125" in frames(t, language="es", decimal=".")[1].equation


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


def test_the_suite_starts_each_test_in_english_whatever_gradviz_lang_says():
    # tests/conftest.py: English in place, and GRADVIZ_LANG hidden from the subprocesses a test starts
    import os

    assert get_language() == "en" and "GRADVIZ_LANG" not in os.environ
    set_language("es")  # undone after this test by the fixture


def words_of_area(area: str, language_code: str) -> set[str]:
    return {
        w.lower()
        for key, entry in CATALOGUE.items()
        if key.split(".")[0] == area
        for w in WORD.findall(NOT_WORDS.sub(" ", entry[language_code]))
    }


def english_only_words_of(area: str) -> set[str]:
    """Words of an area's English sentences that no Spanish sentence of the catalogue uses."""
    spanish = {w.lower() for entry in CATALOGUE.values() for w in WORD.findall(NOT_WORDS.sub(" ", entry["es"]))}
    return words_of_area(area, "en") - spanish


# -- collapse notes (gradviz.viz.collapse) -------------------------------------------------------------


def many_scopes(count: int = 30):
    """`count` scopes of a few ops each, chained: over a small budget they collapse, then overflow."""
    h = Value(0.5, label="x")
    for k in range(count):
        with scope(f"block{k}"):
            h = (h * 0.9 + 0.1).tanh()
    h.label = "out"
    h.backward()
    return h


def test_the_collapse_note_and_the_overflow_box_speak_spanish_in_a_spanish_frame():
    out = many_scopes()
    spanish = plan(final_frame(out, language="es"), max_nodes=10)
    english = plan(final_frame(out, language="en"), max_nodes=10)
    assert english.note == (
        "Collapsed to stay readable: 151 nodes: 30 scopes collapsed; 106 nodes furthest from the output hidden "
        "(budget max_nodes=10) — expand=['block21'] opens a scope."
    )
    assert spanish.note == (
        "Grafo plegado para que se pueda leer: 151 nodos: 30 bloques plegados; se ocultan los 106 nodos más "
        "alejados de la salida (límite max_nodes=10) — expand=['block21'] abre un bloque."
    )
    (overflow,) = [box for box in spanish.boxes if box.kind == "overflow"]
    assert overflow.title == "… 106 nodos más"
    source = to_dot(final_frame(out, language="es"), max_nodes=10).source
    assert "… 106 nodos más" in source and "Grafo plegado" in source
    english_words = english_only_words()
    assert {"collapsed", "furthest", "more", "nodes"} <= english_words  # the check has teeth
    prose = spanish.note.replace("max_nodes=10", "").replace("expand=['block21']", "")  # code stays code
    assert shown_words(prose + " " + overflow.title, set()) & english_words == set()


def test_one_collapsed_scope_is_singular_in_both_languages():
    out = many_scopes(1)
    with language("es"):
        spanish = plan(final_frame(out), max_nodes=4).note
    assert "nodos: 1 bloque plegado" in spanish
    assert "nodes: 1 scope collapsed" in plan(final_frame(out, language="en"), max_nodes=4).note


# -- formula errors (gradviz.expr, gradviz render) -----------------------------------------------------

REFUSED_FORMULAS = [
    "x +",
    "tanh(x",
    "x)",
    "(x]",
    "1x",
    "08",
    "x ≤ y",
    "'abc",
    "tanh(x y)",
    "x if y",
    "x\\",
    "x.__class__",
    "x[0] + 1",
    "leaky_relu(x, alpha=0.1)",
    "relu(*x)",
    "foo(x) + 1",
    "pi(2)",
    "tanh(x, y)",
    "leaky_relu(x, 1, 2)",
    "max(x)",
    "leaky_relu(x, y)",
    "relu + 1",
    "x // 2",
    "x @ y",
    "x ^ 2",
    "not x",
    "x < y",
    "x and y",
    "x if y else z",
    "(y := 2) * x",
    "[i for i in x]",
    "{1: x}",
    "x, y",
    "True * x",
    "1j * x",
    "f'{x}'",
    "...",
    "1" * 400 + " * x",
    "",
]


def spanish_expression_error(text: str, values=None):
    from gradviz.expr import ExpressionError, evaluate, parse

    with language("es"), pytest.raises(ExpressionError) as caught:
        parse(text) if values is None else evaluate(text, values)
    return caught.value


def test_every_refused_formula_is_explained_in_spanish_with_no_english_word():
    english = english_only_words_of("expr")
    assert {"invalid", "expression", "allowed", "column", "syntax", "function"} <= english  # the check has teeth
    leftovers = {}
    for text in REFUSED_FORMULAS:
        error = spanish_expression_error(text)
        first_line = str(error).splitlines()[0]
        code = {w.lower() for w in WORD.findall(text)} | {"and", "or", "if", "else", "not", "lambda", "ellipsis"}
        found = shown_words(first_line, code) & english
        if found:
            leftovers[text] = found
        if error.column is not None:
            assert f"(columna {error.column})" in first_line and "(column " not in first_line
    assert leftovers == {}


def test_evaluation_errors_are_spanish_too():
    english = english_only_words_of("expr")
    for text, values in [
        ("x * y", {"x": 1}),
        ("x", {"x": 1, "w": 2}),
        ("x", {"x": 1, "e": 2}),
        ("x", {"x": "1"}),
        ("x + 1 / 0", {"x": 1}),
        ("x", [1]),
    ]:
        line = str(spanish_expression_error(text, values)).splitlines()[0]
        assert shown_words(line, {"values", "set", "inf", "list", "str"}) & english == set(), line
    from gradviz.expr import ExpressionError, parse_number

    with language("es"), pytest.raises(ExpressionError, match="aquí se espera un número, no la variable y"):
        parse_number("y")


def test_python_syntax_messages_keep_their_english_and_unknown_ones_become_a_spanish_syntax_error():
    import ast
    import warnings

    from gradviz.expr import _syntax_reason

    for text in REFUSED_FORMULAS[:11] + ["x y", "0b2", 'f"{x"']:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            python_message = pytest.raises(SyntaxError, ast.parse, text, mode="eval").value.msg
        assert _syntax_reason(python_message) == python_message  # English: Python's own words, unchanged
        with language("es"):
            assert _syntax_reason(python_message) != python_message
    with language("es"):
        assert _syntax_reason("invalid digit '2' in binary literal") == "error de sintaxis"


def test_gradviz_lang_es_render_explains_a_broken_formula_in_spanish_with_the_caret(capsys):
    from gradviz.cli import EXIT_USAGE, main

    assert main(["--lang", "es", "render", "x +"]) == EXIT_USAGE
    lines = capsys.readouterr().err.rstrip("\n").splitlines()
    assert lines == [
        "gradviz render: expresión no válida: error de sintaxis (la expresión termina antes de tiempo) (columna 4)",
        "  x +",
        "     ^",
    ]
    assert main(["render", "x +"]) == EXIT_USAGE  # English is unchanged
    assert capsys.readouterr().err.splitlines()[0] == (
        "gradviz render: invalid expression: invalid syntax (the expression ends too early) (column 4)"
    )
    assert main(["render", "tanh(x) @ y", "--lang", "es"]) == EXIT_USAGE
    assert capsys.readouterr().err.splitlines()[0] == (
        "gradviz render: expresión no válida: no se admite @ (@ es el producto de matrices, para Tensors: estas "
        "expresiones son escalares) (columna 9)"
    )


# -- training plots (gradviz.viz.plots) ----------------------------------------------------------------


def axes_texts(figure) -> list[str]:
    """Every text a figure shows in words: titles, axis labels, legend entries and titles, and free texts."""
    texts = [figure._suptitle.get_text()] if figure._suptitle is not None else []
    for axis in figure.axes:
        texts += [axis.get_title(), axis.get_xlabel(), axis.get_ylabel()]
        texts += [text.get_text() for text in axis.texts]
        legend = axis.get_legend()
        if legend is not None:
            texts += [text.get_text() for text in legend.get_texts()] + [legend.get_title().get_text()]
    return [text for text in texts if text]


def spanish_plot_figures():
    """One figure of each plot function, drawn in Spanish, reaching every sentence of the plots catalogue."""
    pytest.importorskip("matplotlib")
    from gradviz import keras
    from gradviz.callbacks import DecisionBoundaryRecorder, GradientRecorder
    from gradviz.viz import plots

    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    recorder = DecisionBoundaryRecorder(X, y, resolution=8)
    recorder.add(lambda grid: grid[:, 1] - 0.5, epoch=0)
    gradients = GradientRecorder()
    gradients.layers, gradients.epochs = ["dense", "dense_1"], [0, 1]
    gradients.mean_abs = gradients.norms = {"dense": [1e-4, 2e-4], "dense_1": [1e-2, 3e-2]}
    model = keras.Sequential([keras.Dense(4, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.9], "val_loss": [1.1, 0.7], "val_accuracy": [0.4, 0.8]}
    unnamed_surface = {key: value for key, value in plots.SURFACES["saddle"].items() if key != "formula"}
    line_x = np.array([0.0, 1.0, 2.0, 3.0])
    line_y = 2 * line_x + 1
    with language("es"):
        figures = {
            "history": plots.plot_history(history),
            "history_shared": plots.plot_history(history, ax=plots._new_axes(None)[1][0]),
            "probabilities": plots.plot_decision_boundary(
                lambda grid: 1 / (1 + np.exp(-grid[:, 1])), X, y, resolution=8
            ),
            "scores": plots.plot_decision_boundary(lambda grid: grid[:, 1] - 0.5, X, y, resolution=8),
            "surface": plots.plot_regression_surface(
                lambda grid: grid[:, 0], X, X[:, 1], test=(X[:2], X[:2, 1]), resolution=8
            ),
            "frames": plots.plot_decision_boundary_frames(recorder),
            "gradients": plots.plot_gradient_norms(gradients),
            "confusion": plots.plot_confusion_matrix([0, 1, 1], [0, 1, 0]),
            "paths": plots.plot_optimizer_paths("quadratic", ["SGD"], steps=5),
            "unnamed_surface": plots.plot_optimizer_paths(unnamed_surface, ["SGD"], steps=3, show_loss=False),
            "weights": plots.plot_layer_histograms(model, what="weights"),
            "activations": plots.plot_layer_histograms(model, X, what="activations"),
            "regression": plots.plot_linear_regression(
                line_x, line_y, plots.gradient_descent_path(line_x, line_y, 0.05, 4)
            ),
        }
        model.compile("sgd", "mse")
        model.fit(X, y.astype(float), epochs=1, verbose=0)
        figures["gradient_histograms"] = plots.plot_layer_histograms(model, what="gradients")
        # the learning-rate lesson: too small, good and diverging (the losses given, as train(lr) may)
        curves = {0.01: [9.0, 8.8, 8.6], 0.3: [9.0, 1.0, 0.1], 2.0: [9.0, 30.0, 900.0]}
        figures["learning_rates"] = plots.plot_learning_rates(lambda lr: curves[lr], list(curves))
    return figures


def colorbar_labels(figure) -> list[str]:
    return [axis.get_ylabel() for axis in figure.axes if axis.get_label() == "<colorbar>"]


def test_the_plots_label_their_axes_legends_and_titles_in_spanish():
    figures = spanish_plot_figures()
    history = figures["history"]
    assert [axis.get_title() for axis in history.axes] == ["pérdida", "exactitud"]
    assert [axis.get_xlabel() for axis in history.axes] == ["época", "época"]
    assert [t.get_text() for t in history.axes[0].get_legend().get_texts()] == ["entrenamiento", "validación"]
    shared = [t.get_text() for t in figures["history_shared"].axes[0].get_legend().get_texts()]
    assert shared == ["pérdida", "pérdida (validación)", "exactitud", "exactitud (validación)"]
    boundary = figures["scores"].axes[0]
    assert boundary.get_title() == "frontera de decisión"
    assert [t.get_text() for t in boundary.get_legend().get_texts()] == ["clase 0", "clase 1"]
    assert colorbar_labels(figures["probabilities"]) == ["P(clase 1)"] and colorbar_labels(figures["scores"]) == [
        "puntuación"
    ]
    assert figures["frames"].axes[0].get_title() == "época 0"
    gradients = figures["gradients"].axes[0]
    assert gradients.get_title() == "flujo del gradiente: media de |∂L/∂W| por capa"
    assert gradients.get_legend().get_title().get_text() == "capa (entrada → salida)"
    confusion = figures["confusion"].axes[0]
    assert (confusion.get_xlabel(), confusion.get_ylabel(), confusion.get_title()) == (
        "clase predicha",
        "clase real",
        "matriz de confusión",
    )
    assert [axis.get_title() for axis in figures["paths"].axes] == [
        "x²/2 + 5y²: 5 pasos",
        "valor a lo largo del camino",
    ]
    assert (
        figures["weights"].axes[0].get_title() == "dense: pesos"
        and figures["weights"].axes[0].get_ylabel() == "recuento"
    )
    assert figures["regression"].axes[1].get_title() == "coste MSE(w, b)"
    assert "mínimos cuadrados: y = 2·x + 1" in [
        t.get_text() for t in figures["regression"].axes[0].get_legend().get_texts()
    ]


def test_no_english_word_is_left_in_the_spanish_plots():
    english = english_only_words_of("plots")
    assert {"epoch", "loss", "training", "validation", "boundary", "class", "predicted", "step"} <= english
    known = {"dense", "sgd", "relu", "mse"}  # layer, optimizer and cost names stay as they are
    leftovers = {}
    for name, figure in spanish_plot_figures().items():
        found = set()
        for text in axes_texts(figure) + colorbar_labels(figure):
            found |= shown_words(text, known) & english
        if found:
            leftovers[name] = found
    assert leftovers == {}


def test_the_plots_reach_every_sentence_of_the_plots_catalogue():
    shown = " ".join(
        text for figure in spanish_plot_figures().values() for text in axes_texts(figure) + colorbar_labels(figure)
    )
    metric_words = {key for key in CATALOGUE if key.startswith("plots.metric_")}  # only two appear above
    for key in sorted(set(CATALOGUE) - metric_words):
        if key.startswith("plots."):
            fixed = re.split(r"\{\w+\}", CATALOGUE[key]["es"])
            assert all(part.strip() in shown for part in fixed if part.strip()), key


def test_the_plots_keep_english_history_keys_and_name_every_known_quantity_in_spanish():
    from gradviz.metrics import METRICS
    from gradviz.viz.plots import _quantity

    for name in [*METRICS, "loss", "learning_rate"]:
        assert _quantity(name) == name  # English shows the history's own key
        with language("es"):
            assert _quantity(name) != name, name
    with language("es"):
        assert _quantity("my_metric") == "my_metric"


def test_gradviz_train_lang_es_draws_spanish_pictures(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from gradviz.cli import EXIT_OK, main
    from gradviz.viz import plots

    drawn = []

    def recording(function):
        def wrapper(*args, **kwargs):
            drawn.append(function(*args, **kwargs))
            return drawn[-1]

        return wrapper

    monkeypatch.setattr(plots, "plot_history", recording(plots.plot_history))
    monkeypatch.setattr(plots, "plot_decision_boundary", recording(plots.plot_decision_boundary))
    options = ["--epochs", "2", "--samples", "40", "--hidden", "4", "--quiet", "--out", str(tmp_path / "run")]
    assert main(["--lang", "es", "train", "--dataset", "moons", *options]) == EXIT_OK
    curves, boundary = drawn
    assert [axis.get_title() for axis in curves.axes] == ["pérdida", "exactitud"]
    assert curves.axes[0].get_xlabel() == "época"
    assert [t.get_text() for t in curves.axes[0].get_legend().get_texts()] == ["entrenamiento", "validación"]
    assert boundary.axes[0].get_title().startswith("frontera de decisión — moons")
    assert [t.get_text() for t in boundary.axes[0].get_legend().get_texts()] == ["clase 0", "clase 1"]
    assert (tmp_path / "run" / "curves.png").exists() and get_language() == "en"


def test_a_language_block_in_one_thread_leaves_another_threads_language_alone():
    import threading

    inside, seen = threading.Event(), {}

    def worker():
        inside.wait(10)
        seen["worker"] = get_language()

    thread = threading.Thread(target=worker)
    thread.start()
    with language("es"):
        inside.set()
        thread.join(10)
        assert get_language() == "es"
    assert seen["worker"] == "en"


def test_set_language_in_the_main_thread_is_what_threads_started_later_speak():
    import threading

    seen = {}
    set_language("es")
    thread = threading.Thread(target=lambda: seen.setdefault("worker", get_language()))
    thread.start()
    thread.join(10)
    set_language("en")
    assert seen["worker"] == "es"
