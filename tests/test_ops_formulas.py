"""The formulas of the op registry: every derivative written as math in both languages — a condition as a formula
by cases, never Python — the power rule simplified, and the ops that add terms up declaring their size."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gradviz import Value, trace
from gradviz.i18n import LANGUAGES
from gradviz.ops import OPS, Piecewise
from gradviz.viz import frames
from gradviz.viz.format import number, number_latex

PYTHON = re.compile(r"\b(else|elif|where|True|False|None|and|or|not)\b|\*\*|==|!=|\bg\b reshaped|sliced|scattered")
ENGLISH = re.compile(r"\b(if|otherwise|else|at the|copied|every|element|back)\b")


def every_rule():
    for op in OPS.values():
        for position, rule in enumerate(op.rules):
            yield pytest.param(op, position, id=f"{op.name}-{rule.input}")


def filled(op, position: int, language: str, latex: bool = False) -> str:
    labels = [f"u{i}" for i in range(len(op.inputs))]
    params = {name: 2 for name in op.params}  # a number for every parameter: the power rule needs one
    return op.format_local(position, labels, "out", params, latex=latex, language=language)


@pytest.mark.parametrize(("op", "position"), list(every_rule()))
def test_every_derivative_formula_is_math_in_both_languages_never_python(op, position):
    for language in LANGUAGES:
        text, latex = filled(op, position, language), filled(op, position, language, latex=True)
        assert text and latex
        assert not PYTHON.search(text), text
        assert "{" not in text and "}" not in text, text  # every placeholder filled
    if isinstance(op.rules[position].text, Piecewise):
        assert filled(op, position, "en") != filled(op, position, "es")
    assert not ENGLISH.search(filled(op, position, "es")), filled(op, position, "es")


def test_leaky_relus_derivative_is_a_formula_by_cases_in_english_and_in_spanish():
    leaky = OPS["leaky_relu"]
    comma = {"number": lambda x: number(x, decimal=",")}
    assert leaky.format_local(0, ["v"], "y", {"alpha": 0.01}, language="es", **comma) == "1 si v > 0; 0,01 si no"
    assert leaky.format_local(0, ["v"], "y", {"alpha": 0.01}, language="en") == "1 if v > 0; 0.01 otherwise"
    assert leaky.format_local(0, ["v"], "y", {"alpha": 0.01}, latex=True, language="en") == (
        r"\begin{cases} 1 & v > 0 \\ 0.01 & \text{otherwise} \end{cases}"
    )
    latex_comma = {"number": lambda x: number_latex(x, decimal=",")}
    assert leaky.format_local(0, ["v"], "y", {"alpha": 0.01}, latex=True, language="es", **latex_comma) == (
        r"\begin{cases} 1 & v > 0 \\ 0{,}01 & \text{si no} \end{cases}"
    )


def test_relu_and_the_selections_are_formulas_by_cases_too():
    assert OPS["relu"].format_local(0, ["z"], "h", language="es") == "1 si z > 0; 0 si no"
    assert OPS["maximum"].format_local(0, ["a", "b"], "m", language="en") == "1 if a > b; ½ if a = b; 0 otherwise"
    assert OPS["clip"].format_local(0, ["x"], "c", {"low": 0, "high": 1}, language="es") == "1 si 0 ≤ x ≤ 1; 0 si no"


@pytest.mark.parametrize(
    ("exponent", "text", "latex"),
    [
        (2, "2·v", r"2\,v"),
        (3, "3·v²", r"3\,v^{2}"),
        (3.0, "3·v²", r"3\,v^{2}"),
        (1, "1", "1"),
        (0, "0", "0"),
        (-1, "−1·v⁻²", r"-1\,v^{-2}"),
        (0.5, "0.5·v^(0.5−1)", r"0.5\,v^{0.5-1}"),
    ],
)
def test_the_power_rule_is_written_as_a_person_writes_it(exponent, text, latex):
    power = OPS["pow"]
    assert power.format_local(0, ["v"], "y", {"exponent": exponent}, number=number) == text
    assert power.format_local(0, ["v"], "y", {"exponent": exponent}, latex=True, number=number_latex) == latex


def test_a_spanish_frame_of_a_square_shows_the_power_rule_with_a_decimal_comma():
    v = Value(1.5, label="v")
    with trace() as t:
        y = v**2
        y.label = "y"
        y.backward()
    last = frames(t, language="es")[-1]
    (edge,) = [e for e in last.edges if e.local is not None]
    assert edge.local_text == "2·v" and last.equation == "∂y/∂v = 3"
    assert frames(t, language="es")[1].equation == "y = v^2 = 1,5^2 = 2,25"


def test_the_ops_that_add_terms_up_declare_the_size_of_their_terms():
    declared = sorted(name for name, op in OPS.items() if op.magnitude is not None)
    assert declared == ["add", "matmul", "mean", "sub", "sum"]
    assert OPS["sub"].magnitude(np, 0.3, -0.3) == pytest.approx(0.6)
    np.testing.assert_allclose(OPS["matmul"].magnitude(np, np.array([[1.0, -2.0]]), np.array([[3.0], [4.0]])), 16.0)
    np.testing.assert_allclose(OPS["mean"].magnitude(np, np.array([1.0, -3.0]), axis=None), 2.0)


def test_a_piecewise_formula_needs_its_conditions_except_the_last():
    with pytest.raises(ValueError, match="only the last condition may be None"):
        Piecewise(("1", None), ("0", None))
