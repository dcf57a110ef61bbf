"""Numbers for people (gradviz.viz.format): the decimal mark, lists beside a decimal comma, LaTeX's {,}, and
round-off snapped to 0."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradviz.viz.format import (
    ROUND_OFF,
    array_lines,
    array_summary,
    decimal_mark,
    fill,
    list_separator,
    number,
    number_latex,
    operand,
    snap,
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def test_the_decimal_comma_is_written_in_text_and_in_braces_in_latex():
    assert number(0.8233, decimal=",") == "0,8233"
    assert number(-1234567.0, decimal=",") == "−1,235×10⁶"
    assert number_latex(0.8233, decimal=",") == "0{,}8233"
    assert number_latex(1.5e-7, decimal=",") == r"1{,}5 \times 10^{-7}"
    assert operand(-0.5, decimal=",") == "(−0,5)" and operand(-0.5, latex=True, decimal=",") == "(-0{,}5)"


def test_a_list_of_numbers_beside_a_decimal_comma_is_separated_by_semicolons():
    assert array_lines(np.array([0.5, 1.2]), decimal=",") == ["[0,5; 1,2]"]
    assert array_lines(np.array([[0.5, -1.0], [2.0, 3.25]]), decimal=",") == ["[0,5; −1]", "[2; 3,25]"]
    assert array_lines(np.array([0.5, 1.2])) == ["[0.5, 1.2]"]
    assert list_separator(",") == "; " and list_separator(".") == ", "
    assert fill("clip({a}, {low}, {high})", {"a": "0,5", "low": "0", "high": "1"}, decimal=",") == "clip(0,5; 0; 1)"
    assert fill(r"{n}\,{a}", {"n": "2", "a": "v"}, decimal=",") == r"2\,v"  # LaTeX's thin space is not a list


def test_each_language_has_its_decimal_mark_and_an_explicit_one_wins():
    assert decimal_mark(language="es") == "," and decimal_mark(language="en") == "."
    assert decimal_mark(".", language="es") == "." and decimal_mark(",", language="en") == ","
    assert array_summary(np.array([0.5, 1.5]), language="es") == "media 1  desv. 0,5  mín 0,5  máx 1,5"
    assert array_summary(np.array([0.5, 1.5]), language="es", decimal=".") == "media 1  desv. 0.5  mín 0.5  máx 1.5"
    for bad in (";", "", " ", "·"):
        with pytest.raises(ValueError, match="decimal is '.' or ','"):
            number(0.5, decimal=bad)


@given(finite, st.integers(1, 8))
def test_a_decimal_comma_changes_only_the_mark(x, precision):
    assert number(x, precision, decimal=",") == number(x, precision).replace(".", ",")
    assert number_latex(x, precision, decimal=",") == number_latex(x, precision).replace(".", "{,}")


def test_round_off_is_snapped_to_0_against_the_size_of_the_terms():
    assert 0.1 + 0.2 - 0.3 != 0.0 and snap(0.1 + 0.2 - 0.3, 0.6) == 0.0
    assert snap(1e-11, 1.0) == 1e-11 and snap(1e-13, 1.0) == 0.0  # a trillionth of the terms is the line
    assert snap(-5.0, 5.0) == -5.0 and snap(0.0, 1.0) == 0.0 and math.isnan(snap(math.nan, 1.0))
    values = np.array([5.551e-17, 0.25, -1e-20])
    np.testing.assert_array_equal(snap(values, np.array([0.6, 0.25, 1.0])), [0.0, 0.25, 0.0])
    kept = np.array([1.0, 2.0])
    assert snap(kept, 1.0) is kept and snap(np.array([1, 0]), 1e20).dtype.kind == "i"  # integers are exact


@given(finite, finite)
def test_snap_either_keeps_a_number_or_makes_it_0_and_only_when_it_is_round_off(x, scale):
    shown = snap(x, scale)
    assert shown == x or (shown == 0.0 and abs(x) < ROUND_OFF * abs(scale))
