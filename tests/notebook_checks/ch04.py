"""What notebook 04 (linear_regression) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_checks import NUMBER, number_after, shown

# the caption of the one-flat graph, as gradviz writes it in each language (a decimal comma in Spanish)
ONE_FLAT_CAPTION = {
    "en": "Done: L = 8325, and every input has its gradient: ∂L/∂w = −7746, ∂L/∂b = −182.5.",
    "es": "Resultado: L = 8325, y todas las entradas tienen ya su gradiente: ∂L/∂w = −7746; ∂L/∂b = −182,5.",
}
SLIDE_LINE = (0.8233, 52.096)  # the slides' y ≈ 0,8233x + 52,096 (k€)
SLIDE_MODEL = (80.0, 0.9, 0.5, 3.0, -2.0)  # the slides' f = 80 + 0,9x₁ + 0,5x₂ + 3x₃ − 2x₄ (k€)


def drawn_captions(notebook) -> str:
    """The text/plain of the displayed outputs: a gradviz Drawing shows its caption there."""
    return "\n".join(
        "".join(output["data"]["text/plain"])
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "text/plain" in output.get("data", {})
    )


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # one flat: ∂L/∂w = 2·error·x is the size (42.45, "42 times") times ∂L/∂b = 2·error
    assert number_after(text, "∂L/∂w = 2·error·x =") == pytest.approx(
        42.45 * number_after(text, "∂L/∂b = 2·error ="), rel=1e-3
    )
    assert ONE_FLAT_CAPTION[language] in drawn_captions(notebook)

    # standardised, 40 steps of gradient descent reach the least-squares line: about 1.095·x + 43.0 (k€)
    descent = re.search(r"^\s+y ≈ (" + NUMBER + r")·x \+ (" + NUMBER + r")$", text, re.M)
    exact = re.search(r"np\.polyfit:\s+y ≈ (" + NUMBER + r")·x \+ (" + NUMBER + ")", text)
    assert descent and exact
    best_w, best_b = float(exact.group(1)), float(exact.group(2))
    assert best_w == pytest.approx(1.095, abs=5e-4) and best_b == pytest.approx(43.0, abs=0.05)
    assert float(descent.group(1)) == pytest.approx(best_w, abs=2e-3)
    assert float(descent.group(2)) == pytest.approx(best_b, abs=0.1)

    # the slides' line is not the best fit: its MSE (38.45 k€²) is more than twice the least squares' (15.72 k€²)
    lines = re.findall(r"y ≈ (" + NUMBER + r")·x \+ (" + NUMBER + r"):\s+MSE = (" + NUMBER + ") k€²", text)
    assert len(lines) == 2, text
    (slide_w, slide_b, slide_mse), (w, b, best_mse) = ((float(v) for v in line) for line in lines)
    assert (slide_w, slide_b) == SLIDE_LINE
    assert (w, b) == pytest.approx((best_w, best_b), abs=1e-3)
    assert slide_mse == pytest.approx(38.45, abs=0.01) and best_mse == pytest.approx(15.72, abs=0.01)
    assert slide_mse > 2 * best_mse

    # the slides' model on four homes: numpy and an nn.Linear with its weights give the same prices
    rows = re.findall(
        r"x = \(([^)]*)\):\s+numpy f = (" + NUMBER + r")\s+nn\.Linear f = (" + NUMBER + r")\s+y = (" + NUMBER + ")",
        text,
    )
    assert len(rows) == 4, text
    bias, *weights = SLIDE_MODEL
    for inputs, by_hand, with_layer, _price in rows:
        expected = bias + sum(wi * float(xi) for wi, xi in zip(weights, inputs.split(","), strict=True))
        assert float(by_hand) == pytest.approx(expected, abs=0.006)
        assert float(with_layer) == float(by_hand)
    assert round(number_after(text, "MSE(slide_model, houses) =")) == 4419
    assert "price = 25000 + 1500·size + 4000·rooms + 6000·floors − 600·age" in text and "50 samples" in text

    # gradient descent on the four standardised columns lands on the least-squares weights
    weights = re.findall(r"(\w+): model\s+(" + NUMBER + r") €\s+np\.linalg\.lstsq\s+(" + NUMBER + ") €", text)
    assert [name for name, _, _ in weights] == ["size_m2", "rooms", "floors", "age_years"]
    for name, learned, exact_weight in weights:
        assert float(learned) == pytest.approx(float(exact_weight), abs=2), name
    assert abs(dict((name, float(e)) for name, _, e in weights)["rooms"] - 4000) > 2000  # "far from 4000 €"
    assert round(number_after(text, "MSE(model, houses) =")) == 75
    assert number_after(text, "np.corrcoef(size_m2, rooms) =") == pytest.approx(0.93, abs=0.005)
    assert shown(notebook, "image/png") >= 4
