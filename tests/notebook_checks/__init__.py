"""The checks of the executed course notebooks, one module per chapter (``ch03.check(notebook, text, cwd,
language)``), and what they share: the printed text, the displayed outputs, a number after a prefix.

A check reads what the notebook's own code prints (the same in both languages: the code cells are identical) and
what gradviz writes (in the notebook's language: a check that reads it says which words to expect in each).
"""

from __future__ import annotations

import re

NUMBER = r"-?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?"
WIDGET = "application/vnd.jupyter.widget-view+json"


def printed(notebook) -> str:
    """Everything the notebook's cells wrote to stdout, in order."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )


def shown(notebook, mimetype: str) -> int:
    """How many displayed outputs carry `mimetype` (image/png, image/svg+xml, a widget view...)."""
    return sum(
        mimetype in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def number_after(text: str, prefix: str) -> float:
    """The number printed right after `prefix` (the first occurrence; a decimal comma reads as a point)."""
    found = re.search(re.escape(prefix) + r"\s*(" + NUMBER + ")", text)
    assert found, f"the notebook did not print {prefix!r} followed by a number; it printed:\n{text}"
    return float(found.group(1).replace(",", "."))
