"""What notebook 11 (levels_of_programming) must show when executed, in either language: the same network trained
by hand in numpy, with autograd and Keras-style reaches the same losses, and the table states the lines it counted.

Everything read here is the notebook's own print() output (the same in both languages); gradviz's words appear only
in the decision-boundary pictures.
"""

from __future__ import annotations

import re
from pathlib import Path

from notebook_checks import NUMBER, shown

LEVELS = ("numpy", "autograd", "keras")
# the three levels' losses differ only by rounding: about 1e-16 in float64 (the sums run in different orders, and
# Keras fuses the sigmoid into the cross-entropy); a wrong derivative or update would differ by far more
AGREEMENT = 1e-12


def check(notebook, text: str, cwd: Path, language: str) -> None:
    levels = {}
    for name in LEVELS:
        found = re.search(
            rf"^{name}\s+L\(1\) = ({NUMBER})\s+L\((\d+)\) = ({NUMBER})\s+accuracy ({NUMBER})$", text, re.M
        )
        assert found, f"no losses printed for level {name}:\n{text}"
        first, epochs, last, accuracy = found.groups()
        levels[name] = (float(first), int(epochs), float(last), float(accuracy))
    for first, epochs, last, accuracy in levels.values():
        assert epochs == 500 and last < first / 5 and accuracy >= 0.95
    assert len({values[1:] for values in levels.values()}) == 1, levels  # the same printed loss and accuracy
    gaps = {(a, b): float(gap) for a, b, gap in re.findall(r"max \|L_(\w+) − L_(\w+)\| = (" + NUMBER + ")", text)}
    assert sorted(gaps) == [("autograd", "keras"), ("numpy", "autograd"), ("numpy", "keras")], gaps
    for pair, gap in gaps.items():
        assert gap < AGREEMENT, f"the losses of levels {pair} differ by {gap}"
    # the lines counted by the notebook are the ones its table states
    counted = [int(count) for _, count in re.findall(r"^(\d) · train_\w+\s+(\d+)$", text, re.M)]
    assert len(counted) == 3 and counted[0] > counted[1] > counted[2], counted
    table = "".join(
        "".join(cell.source)
        for cell in notebook.cells
        if cell.cell_type == "markdown" and "| 0 · numpy |" in cell.source
    )
    stated = [int(count) for count in re.findall(r"^\| \d · \w+ \| (\d+) \|", table, re.M)]
    assert stated == counted, f"the table states {stated} lines, the notebook counted {counted}"
    assert shown(notebook, "image/png") == 1
