"""What notebook 12 (playground) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from notebook_checks import NUMBER, WIDGET, number_after, shown

# gradviz's own words in each language: the layers' names, the chain rule's paths, the network view's legend and
# its numbers (a decimal comma in Spanish)
WORDS = {
    "en": {
        "layers": "['hidden1', 'hidden2', 'output']",
        "two_paths": "sum over the 2 paths from W1[1,0] to L",
        "path": "path {number}:",
        "legend": "lines: weights (red positive, blue negative, width by size)",
        "bias": r"b = −?\d+\.\d+",
    },
    "es": {
        "layers": "['oculta1', 'oculta2', 'salida']",
        "two_paths": "sobre los 2 caminos de W1[1,0] a L",
        "path": "camino {number}:",
        "legend": "líneas: pesos (rojo positivo, azul negativo, grosor según su valor absoluto)",
        "bias": r"b = −?\d+,\d+",
    },
}


def network_view(notebook) -> str:
    """The SVG of the network view (the notebook's only SVG output)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg:
                return "".join(svg)
    raise AssertionError("the network view was not displayed")


def check(notebook, text: str, cwd: Path, language: str) -> None:
    words = WORDS[language]
    assert shown(notebook, WIDGET) == 2  # the playground and the fit dashboard
    assert shown(notebook, "image/png") == 1  # the boundary's snapshots side by side
    assert shown(notebook, "image/svg+xml") == 1  # the network view

    # the moons: 8 + 8 tanh units, 30 epochs; then the spirals start over: 16 + 16 ReLU units, 40 epochs
    assert "<Playground moons: hidden (8, 8), tanh, adam lr=0.03, epoch 30>" in text
    assert number_after(text, "val_accuracy:") >= 0.9
    assert "<Playground spirals: hidden (16, 16), relu, adam lr=0.03, epoch 40>" in text
    assert number_after(text, "epoch 40: test accuracy") >= 0.8
    assert words["layers"] in text
    assert "test_size=0.3," in text  # 30 % of the points held out (the code to_code writes)

    # the 2-4-2-1 network: two paths from a first-layer weight, whose sum is backward()'s gradient
    svg = network_view(notebook)
    assert words["legend"] in svg and re.search(words["bias"], svg)
    assert words["two_paths"] in text
    assert words["path"].format(number=2) in text and words["path"].format(number=3) not in text
    assert "paths agree with backward(): True" in text

    assert number_after(text, "no hidden layer, feature x1*x2: test accuracy") >= 0.9
    assert number_after(text, "regression: test loss") < 0.5 * number_after(text, "(after epoch 1:")

    # to_code(): the code, run, prints the playground's own final loss; record(): a 1280×720 GIF
    assert "model = keras.Sequential" in text
    replayed = re.search(r"^final loss (" + NUMBER + ")$", text, re.M)
    playground = re.search(r"^the playground's final loss (" + NUMBER + ")$", text, re.M)
    assert replayed and playground and replayed.group(1) == playground.group(1), "to_code() did not replay the run"
    assert "recorded playground.gif" in text
    with Image.open(cwd / "playground.gif") as gif:
        assert gif.size == (1280, 720) and gif.n_frames >= 3

    assert "40 epochs; validation accuracy" in text
