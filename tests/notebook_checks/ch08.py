"""What notebook 08 (backprop_mlp) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_checks import WIDGET, number_after, shown

WORDS = {  # the notebook's own words before the numbers it prints
    "en": {
        "paths": "paths:",
        "sum": "their sum:",
        "forward": "forward steps:",
        "backward": "backward steps:",
        "first": "epoch 1, first layer",
        "ratio": "(ratio",
        "numeric": "numeric",
        "analytic": "analytic",
        "agree": "all agree: True",
    },
    "es": {
        "paths": "caminos:",
        "sum": "su suma:",
        "forward": "pasos hacia delante:",
        "backward": "pasos hacia atrás:",
        "first": "época 1, primera capa",
        "ratio": "(cociente",
        "numeric": "numérico",
        "analytic": "analítico",
        "agree": "todos coinciden: True",
    },
}
SIGNED = r"[−-]?\d+(?:[.,]\d+)?"  # a number as gradviz writes it: a true minus sign, a decimal comma in Spanish
STEP_5 = {  # gradviz's caption of the stepper's step 5
    "en": "Backward step 5 of 16: ",
    "es": "Propagación hacia atrás, paso 5 de 16: ",
}


def check(notebook, text: str, cwd: Path, language: str) -> None:
    words = WORDS[language]
    assert number_after(text, words["paths"]) == 2  # one path through each unit of layer 2
    assert number_after(text, words["sum"]) == pytest.approx(number_after(text, "backward():"), abs=1e-6)
    assert number_after(text, words["numeric"]) == pytest.approx(number_after(text, words["analytic"]), abs=1e-7)
    assert words["agree"] in text and "BAD" not in text and "MAL " not in text
    sigmoid = number_after(text, f"sigmoid: {words['first']}")
    assert sigmoid < number_after(text, f"relu: {words['first']}") / 10
    assert 300 < number_after(text, words["ratio"]) < 3000  # sigmoid's: "about a thousand times less"
    forward = number_after(text, words["forward"])
    assert number_after(text, words["backward"]) == forward + 1  # step 0 only sets ∂L/∂L = 1
    assert shown(notebook, WIDGET) == 1, "the stepper widget is not displayed"
    assert STEP_5[language] in text
    # step 5 is a product: both factors get the same upstream gradient, each times its local derivative
    after = text.split(STEP_5[language], 1)[1].splitlines()[1:3]
    factors = [re.search(rf"\(?({SIGNED})\)? · \(?({SIGNED})\)? = ({SIGNED})$", line) for line in after]
    assert all(factors), after
    numbers = [[float(value.replace("−", "-").replace(",", ".")) for value in found.groups()] for found in factors]
    assert numbers[0][0] == numbers[1][0]  # the same upstream gradient
    assert all(upstream * local == pytest.approx(product, abs=1e-3) for upstream, local, product in numbers)
