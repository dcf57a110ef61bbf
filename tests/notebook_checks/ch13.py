"""What notebook 13 (large_runs) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

from notebook_checks import NUMBER, number_after, shown

# the drawn program's words in each language, and its numbers (a decimal comma in Spanish)
WORDS = {
    "en": {"scope": "scope", "nodes": "nodes", "number": r">0\.\d+<"},
    "es": {"scope": "bloque", "nodes": "nodos", "number": r">0,\d+<"},
}


def drawn_program(notebook) -> str:
    """The SVG of the compiled program (the notebook's only SVG output)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg:
                return "".join(svg)
    raise AssertionError("the compiled program was not drawn")


def check(notebook, text: str, cwd: Path, language: str) -> None:
    words = WORDS[language]
    assert "devices: [" in text
    assert "1347 training images, 450 test images of 64 pixels" in text

    # the same history and weights from both engines, and the compiled epochs faster than numpy's
    assert number_after(text, "largest difference:") < 1e-9
    assert number_after(text, "largest weight difference:") < 1e-9
    numpy_ms = re.search(r"numpy: (" + NUMBER + ") ms per epoch", text)
    jax_ms = re.search(r"jax: (" + NUMBER + ") ms per epoch, once compiled", text)
    assert numpy_ms and jax_ms
    assert float(jax_ms.group(1)) < float(numpy_ms.group(1)), "the compiled JAX epochs were not faster than numpy's"

    # one box per layer, and the loss's box last
    assert shown(notebook, "image/svg+xml") == 1
    svg = drawn_program(notebook)
    for scope in ("sequential/dense", "sequential/dense_1", "sequential/loss"):
        assert scope in svg
    assert words["scope"] in svg and words["nodes"] in svg and re.search(words["number"], svg)
    assert "skipped" not in text

    # a crash mid-run, the resume from the last checkpoint, and the end of the run never interrupted
    assert "the run crashed in epoch 3; the last checkpoint: run.keras" in text
    assert number_after(text, "largest weight difference from the run never interrupted:") == 0.0
    assert "the same History: True" in text
    assert (cwd / "run.keras").exists()
    assert "learning rate at steps 0, 10, 20, 100, 200: [0.0, 0.005, 0.01," in text

    # batches read from a generator, steps_per_epoch of them an epoch: the weights of the arrays' run
    assert "43 batches per epoch read from the generator" in text
    assert number_after(text, "largest weight difference from the arrays' run:") < 1e-6
