"""What notebook 09 (optimizers) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_checks import NUMBER, number_after, shown

WORDS = {  # the notebook's own words around the numbers it prints
    "en": {
        "ends": "ends at",
        "moved": "moved",
        "from": "from step",
        "keeps": "keeps:",
        "nothing": "nothing",
        "later": "from step 10:",
        "step": "step",
        "start": "at the start:",
    },
    "es": {
        "ends": "termina en",
        "moved": "desplazamiento",
        "from": "desde el paso",
        "keeps": "guarda:",
        "nothing": "nada",
        "later": "desde el paso 10:",
        "step": "paso",
        "start": "al principio:",
    },
}
OPTIMIZERS = ["SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam"]


def numbers_after(text: str, prefix: str) -> list[float]:
    """The numbers printed on the rest of the line after the first `prefix`."""
    assert prefix in text, f"the notebook did not print {prefix!r}; it printed:\n{text}"
    return [float(value) for value in re.findall(NUMBER, text.split(prefix, 1)[1].split("\n", 1)[0])]


def check(notebook, text: str, cwd: Path, language: str) -> None:
    words = WORDS[language]
    # Rosenbrock, best first: Momentum, Nesterov and Adam furthest along the valley; Adadelta hardly moves
    finals = re.findall(rf"(\w+): {words['ends']} \(.*\), f = ({NUMBER}), {words['moved']} ({NUMBER})", text)
    assert sorted(name for name, _, _ in finals) == sorted(OPTIMIZERS)
    losses = [float(value) for _, value, _ in finals]
    assert losses == sorted(losses), "the Rosenbrock table is not sorted best first"
    assert {name for name, _, _ in finals[:3]} == {"Momentum", "Nesterov", "Adam"}
    moved = {name: float(distance) for name, _, distance in finals}
    others = min(distance for name, distance in moved.items() if name != "Adadelta")
    assert finals[-1][0] == "Adadelta" and moved["Adadelta"] < others / 3

    # the saddle: SGD, Momentum and Nesterov leave the ridge after about 70 steps, the adaptive ones early
    off = {name: int(step) for name, step in re.findall(rf"(\w+): \|y\| > 1 {words['from']} (\d+)", text)}
    assert sorted(off) == sorted(OPTIMIZERS)
    assert all(60 <= off[name] <= 80 for name in ("SGD", "Momentum", "Nesterov")), off
    assert all(off[name] < 40 for name in ("Adagrad", "Adadelta", "RMSprop", "Adam")), off

    assert f"Adam {words['keeps']} exp_avg, exp_avg_sq" in text and f"SGD {words['keeps']} {words['nothing']}" in text

    # inside Adam: m over two orders of magnitude, √v near 14, no step above η = 0.3, |∂f/∂x| ≈ 216 at the start
    low, high = numbers_after(text, "|m| (x):")
    assert 50 < high / low < 1000
    low, high = numbers_after(text, words["later"])
    assert 13 <= low <= high <= 15
    largest, rate = numbers_after(text, f"max |{words['step']}|:")
    assert largest <= rate == 0.3
    assert number_after(text, f"|∂f/∂x| {words['start']}") == pytest.approx(216, abs=1)
    assert shown(notebook, "image/png") == 6
