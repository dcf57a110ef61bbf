"""What notebook 10 (first_network_keras) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradviz import metrics
from gradviz.i18n import language as speaking
from gradviz.viz.format import decimal_mark
from notebook_checks import NUMBER, number_after, shown


def report_words(language: str) -> tuple[list[str], list[str]]:
    """The column heads and the summary rows' names that gradviz's classification_report writes in `language`
    ('precision' … 'support'; 'accuracy', 'macro avg', 'weighted avg' in English)."""
    with speaking(language):
        lines = metrics.classification_report([0, 1], [0, 1]).splitlines()
    heads = lines[0].split()
    rows = [re.match(r"\s*(.*?)\s+\d", line).group(1) for line in lines[-3:]]
    return heads, rows


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # the notebook's own prints (the same in both languages)
    iris = re.search(r"test accuracy (" + NUMBER + r") on 30 flowers", text)
    digits = re.search(r"test accuracy (" + NUMBER + r") on 450 images", text)
    assert iris and float(iris.group(1)) >= 0.9
    assert digits and float(digits.group(1)) >= 0.9
    counts = re.search(r"ConfusionCounts\(tp=(\d+), tn=(\d+), fp=(\d+), fn=(\d+)\)", text)
    assert counts
    tp, tn, fp, fn = map(int, counts.groups())
    assert tp + tn + fp + fn == 450
    assert number_after(text, "precision") == pytest.approx(tp / (tp + fp), abs=1e-3)
    assert number_after(text, "recall") == pytest.approx(tp / (tp + fn), abs=1e-3)
    wrong = re.search(r"(\d+) of 450 test images are wrong", text)
    assert wrong and int(wrong.group(1)) == round((1 - float(digits.group(1))) * 450)
    # gradviz's classification report, in the notebook's language
    heads, rows = report_words(language)
    report = text[text.index("\n\n", counts.end()) :]
    assert report.split()[: len(heads)] == heads, report
    for row in rows:
        assert re.search(r"^\s*" + re.escape(row) + r"\s+" + NUMBER, report, re.M), (row, report)
    if language != "en":  # the report speaks the notebook's language, with its decimal mark
        assert rows != report_words("en")[1], rows
    mark = decimal_mark(None, language)
    assert re.search(r"\d" + re.escape(mark) + r"\d\d\s", report), f"no numbers written 0{mark}96 in:\n{report}"
    assert shown(notebook, "image/png") == 6
