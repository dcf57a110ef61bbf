"""What notebook 07 (losses_gradient_descent) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from notebook_checks import NUMBER, shown

SLIDES = {"en": "slides", "es": "diapositivas"}  # the notebook's own row name for the slides' formulas
STAGES = {  # the notebook's own names of a training iteration's stages
    "en": {"forward": "forward", "backward": "backward", "update": "update"},
    "es": {"forward": "hacia delante", "backward": "hacia atrás", "update": "actualización"},
}
UPDATE = {  # gradviz's update frame, written out with its numbers (a decimal comma in Spanish)
    "en": "w ← w − η·∂L/∂w = 0 − 0.4 · (−6) = 2.4",
    "es": "w ← w − η·∂L/∂w = 0 − 0,4 · (−6) = 2,4",
}
SUMMARY = {  # gradviz's last frame of the lesson: the loss per iteration
    "en": "The loss per iteration: 9 → 0.36 (2 iterations).",
    "es": "El coste en cada iteración: 9 → 0,36 (2 iteraciones).",
}


def row(text: str, name: str, after: str) -> list[float]:
    """The numbers of the first table row named `name` printed after the line starting with `after`."""
    found = re.search(r"^" + re.escape(after) + r".*?^" + re.escape(name) + r" +([^\n]*)", text, re.M | re.S)
    assert found, f"no row {name!r} after {after!r} in:\n{text}"
    return [float(value) for value in re.findall(NUMBER, found.group(1))]


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # the costs as the slides write them against gradviz's, on the same numbers
    slides_bce, gradviz_bce = row(text, SLIDES[language], "BCE"), row(text, "gradviz.functional", "BCE")
    probabilities = [0.1, 0.5, 0.9, 0.99]
    assert gradviz_bce == pytest.approx([-math.log(p) for p in probabilities], abs=1e-4)
    assert slides_bce == pytest.approx([-value for value in gradviz_bce], abs=1e-4)  # only the minus differs
    assert all(value < 0 for value in slides_bce), "the slides' BCE is negative"
    assert slides_bce == sorted(slides_bce) and gradviz_bce == sorted(
        gradviz_bce, reverse=True
    )  # largest/smallest at p → 1
    slides_ce, gradviz_ce = row(text, SLIDES[language], "CE"), row(text, "gradviz.nn", "CE")
    assert gradviz_ce == pytest.approx([-math.log(0.7), -math.log(0.1)], abs=1e-4)  # −log p of the right class
    assert slides_ce == pytest.approx([math.log(0.7 * 0.8 * 0.9), math.log(0.1 * 0.8 * 0.3)], abs=1e-4)
    assert all(value < 0 for value in slides_ce) and slides_ce[0] > slides_ce[1], "the slides' CE prefers the wrong p"
    assert gradviz_ce[0] < gradviz_ce[1]

    softmax = [float(v) for v in re.findall(NUMBER, text.split("softmax", 1)[1].split("\n", 1)[0])]
    gradient = [float(v) for v in re.findall(NUMBER, text.split("∂CE/∂scores", 1)[1].split("\n", 1)[0])]
    assert gradient == pytest.approx([softmax[0] - 1.0, *softmax[1:]], abs=2e-4)

    # one whole iteration: forward, loss, backward, update, and the next iteration's lower loss
    stage = STAGES[language]
    walk = [line for line in text.splitlines() if re.match(r"[12] · ", line)]
    kinds = [next(kind for kind, name in stage.items() if line[4:].startswith(name)) for line in walk]
    assert kinds == ["forward"] * 2 + ["backward"] * 3 + ["update"] + ["forward"] * 2, walk
    assert walk[1].endswith(" = 9") and walk[4].endswith(" = −6")  # L = 9, ∂L/∂w = −6
    assert walk[5].endswith(UPDATE[language])  # the recorded update, with its numbers
    assert walk[7].startswith("2 · ") and walk[7].endswith(("= 0.36", "= 0,36"))  # the next loss is lower
    assert SUMMARY[language] in text
    assert shown(notebook, "image/svg+xml") == 1, "the update frame is not drawn"

    assert "η = 0.4 : w = 0.00, 2.40, 2.88, 2.98" in text
    assert "η = 1.05: w = 0.00, 6.30, -0.63, 6.99" in text  # every step overshoots further
    assert shown(notebook, "image/png") == 4  # the costs, the three rates in 1-D, plot_learning_rates, 2-D
