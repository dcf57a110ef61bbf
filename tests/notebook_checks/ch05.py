"""What notebook 05 (perceptron_logistic) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_checks import number_after, shown

VALUE_ROW = {"en": ">value<", "es": ">valor<"}  # the row name inside a drawn node


def svg_texts(notebook) -> list[str]:
    return [
        "".join(output["data"]["image/svg+xml"])
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/svg+xml" in output.get("data", {})
    ]


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # the course's perceptron with its threshold (valor_umbral = 1.5, w = (1, 1)) is the logical AND
    for x, weighted, output in (("(0, 0)", 0, 0), ("(0, 1)", 1, 0), ("(1, 0)", 1, 0), ("(1, 1)", 2, 1)):
        assert f"x = {x}: w·x = {weighted} → {output}" in text, f"the threshold rule on {x} is not AND"
    # the threshold moved into the bias, b = −valor_umbral, and step(w·x + b) gives the same four outputs
    assert number_after(text, "b = −valor_umbral =") == -1.5
    assert text.count("same as the threshold: True") == 4 and "same as the threshold: False" not in text
    assert re.search(r"x = \(1, 1\): z = \+0\.5, step\(z\) = 1", text)
    # no gradient passes through the step
    for name in ("∂ŷ/∂w₁ =", "∂ŷ/∂w₂ =", "∂ŷ/∂b ="):
        assert number_after(text, name) == 0.0
    assert re.search(r"epoch \d+: 0 mistakes", text), "the perceptron did not separate the two clouds"
    # the sigmoid's slope is at most 0.25, at z = 0; the step's is 0
    assert number_after(text, "largest slope:") == pytest.approx(0.25, abs=1e-3)
    assert number_after(text, "at z =") == pytest.approx(0.0, abs=0.05)
    assert number_after(text, "largest slope of the step:") == 0.0
    # the neuron with a sigmoid: ∂L/∂z = p − y with y = 1, then (p − y)·xᵢ with x = (1.5, −0.5)
    p = number_after(text, "p =")
    error = number_after(text, "∂L/∂z = p − y =")
    assert error == pytest.approx(p - 1.0, abs=2e-3)
    assert number_after(text, "∂L/∂w₁ = (p − y)·x₁ =") == pytest.approx(error * 1.5, abs=3e-3)
    assert number_after(text, "∂L/∂w₂ = (p − y)·x₂ =") == pytest.approx(error * -0.5, abs=2e-3)
    assert number_after(text, "accuracy:") >= 0.95
    assert shown(notebook, "image/png") == 4  # perceptron line, sigmoid, BCE, logistic regression
    pictures = svg_texts(notebook)
    assert len(pictures) == 2  # the neuron with a step, then with a sigmoid
    assert all(VALUE_ROW[language] in picture for picture in pictures), f"the graphs do not speak {language}"
    assert ">step<" in pictures[0] and ">σ<" in pictures[1]
