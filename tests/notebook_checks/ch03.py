"""What notebook 03 (computational_graph) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

from pathlib import Path

from notebook_checks import WIDGET, shown

# what gradviz writes, in each language: the captions of the worked example's backward steps, the fan-out note
# and the export's report (the equations themselves read the same in both: the numbers here are whole)
GRADVIZ_TEXT = {
    "en": (
        "Backward step 0: the backward pass starts at the output f with ∂f/∂f = 1.",
        "Backward step 1 of 2: f = q · z passes its gradient ∂f/∂f = 1 back to q and z",
        "Backward step 2 of 2: q = x + y passes its gradient ∂f/∂q = −4 back to x and y",
        "x feeds several nodes, so its gradient is the sum of the contributions.",
        "walkthrough.html (html): 7 steps, self-contained",
    ),
    "es": (
        "Propagación hacia atrás, paso 0: la retropropagación empieza en la salida f con ∂f/∂f = 1.",
        "Propagación hacia atrás, paso 1 de 2: f = q · z envía su gradiente ∂f/∂f = 1 hacia atrás, a sus entradas q y z",
        "Propagación hacia atrás, paso 2 de 2: q = x + y envía su gradiente ∂f/∂q = −4 hacia atrás, a sus entradas x e y",
        "x se usa en varios nodos, así que su gradiente es la suma de las contribuciones.",
        "walkthrough.html (html): 7 pasos, autónomo",
    ),
}


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # the notebook's own prints: the same in both languages
    assert "q = 3.0, f = -12.0" in text
    assert "∂f/∂x = -4.0, ∂f/∂y = -4.0, ∂f/∂z = 3.0" in text
    assert "f → q: upstream 1.0 × local -4.0 = -4.0" in text and "f → z: upstream 1.0 × local 3.0 = 3.0" in text
    assert "g → x: contribution +1, x.grad = 1" in text and "u → x: contribution +2, x.grad = 3" in text
    assert "∂g/∂x = 3.0" in text
    # gradviz's equations: the same words in both languages
    assert "q = x + y = (−2) + 5 = 3" in text and "f = q · z = 3 · (−4) = −12" in text
    assert "∂f/∂q = ∂f/∂f · ∂f/∂q = 1 · (−4) = −4" in text and "∂f/∂z = ∂f/∂f · ∂f/∂z = 1 · 3 = 3" in text
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4" in text and "∂f/∂y = ∂f/∂q · ∂q/∂y = (−4) · 1 = −4" in text
    # gradviz's sentences: the notebook's language
    for sentence in GRADVIZ_TEXT[language]:
        assert sentence in text, f"gradviz did not write {sentence!r} in {language}; the notebook printed:\n{text}"
    assert shown(notebook, WIDGET) == 1, "the stepper widget is not displayed"
    assert shown(notebook, "image/svg+xml") >= 5
    assert (cwd / "out" / "walkthrough.html").stat().st_size > 1000
