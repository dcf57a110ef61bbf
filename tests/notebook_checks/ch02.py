"""What notebook 02 (metrics) must show when executed, in either language (its pictures follow it; the table,
the counts, the metrics and the classification report are printed the same in both)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_checks import NUMBER, number_after, shown

# classification_report does not follow the language yet: its headings are English in both notebooks. When it
# does, the Spanish words go under "es" (and its numbers take a decimal comma, which the regexes below accept).
REPORT_WORDS = {
    "en": ("precision", "recall", "f1-score", "support", "accuracy", "macro avg", "weighted avg"),
    "es": ("precisión", "exhaustividad", "F1", "soporte", "exactitud", "media macro", "media ponderada"),
}


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # the 20 predictions: ŷ = 1 exactly when p > 0.5, and each outcome named from y and ŷ
    rows = re.findall(r"^\s*(\d+)  ([01])  (" + NUMBER + r")  ([01])  (TP|TN|FP|FN)$", text, flags=re.MULTILINE)
    assert [int(index) for index, *_ in rows] == list(range(1, 21))
    table = {"TP": 0, "TN": 0, "FP": 0, "FN": 0}
    for _, truth, probability, answer, outcome in rows:
        assert int(answer) == (float(probability) > 0.5)
        assert outcome == ("T" if truth == answer else "F") + ("P" if answer == "1" else "N")
        table[outcome] += 1

    # the counts by hand, by gradviz and from the table agree
    hand = re.search(r"by hand: TP = (\d+), TN = (\d+), FP = (\d+), FN = (\d+)", text)
    ours = re.search(r"ConfusionCounts\(tp=(\d+), tn=(\d+), fp=(\d+), fn=(\d+)\)", text)
    assert hand and ours and hand.groups() == ours.groups()
    tp, tn, fp, fn = (int(count) for count in hand.groups())
    assert (tp, tn, fp, fn) == (table["TP"], table["TN"], table["FP"], table["FN"]) == (6, 9, 2, 3)
    assert "the same: True" in text

    # the metrics by hand equal gradviz's to 1e-12, and both equal the formulas on the counts
    expected = {
        "accuracy": (tp + tn) / (tp + tn + fp + fn),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "f1": 2 * tp / (2 * tp + fp + fn),
    }
    for name, value in expected.items():
        found = re.search(rf"{name}: by hand ({NUMBER})\s+gradviz ({NUMBER})\s+\|difference\| ({NUMBER})", text)
        assert found, name
        by_hand, by_gradviz, difference = (float(number) for number in found.groups())
        assert abs(by_hand - by_gradviz) <= 1e-12 and difference <= 1e-12, name
        assert by_hand == pytest.approx(value, abs=1e-12), name
    # the prose: three in four called spam are spam, a third of the spam let through
    assert expected["precision"] == 3 / 4 and fn / (tp + fn) == pytest.approx(1 / 3)

    # the confusion matrix with labels=[1, 0]: [[TP, FN], [FP, TN]]
    assert re.search(rf"\[\[{tp}\s+{fn}\]\s+\[{fp}\s+{tn}\]\]", text)

    # the report: its words, and the spam row repeating precision, recall, F1 (3 digits) and the support
    for word in REPORT_WORDS[language]:
        assert word in text, word
    spam = re.search(rf"^\s+1\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+(\d+)$", text, flags=re.MULTILINE)
    assert spam
    precision, recall, f1 = (float(number.replace(",", ".")) for number in spam.groups()[:3])
    assert (precision, recall, f1) == pytest.approx(
        (expected["precision"], expected["recall"], expected["f1"]), abs=5e-4
    )
    assert int(spam.group(4)) == tp + fn
    report_accuracy = re.search(rf"{REPORT_WORDS[language][4]}\s+({NUMBER})\s+20$", text, flags=re.MULTILINE)
    assert report_accuracy and float(report_accuracy.group(1).replace(",", ".")) == pytest.approx(0.75, abs=5e-4)

    # the threshold: lower it and recall rises while precision falls
    sweep = re.findall(rf"threshold ({NUMBER}): precision ({NUMBER}), recall ({NUMBER})", text)
    assert [float(threshold) for threshold, _, _ in sweep] == [0.3, 0.5, 0.7]
    precisions = [float(value) for _, value, _ in sweep]
    recalls = [float(value) for _, _, value in sweep]
    assert precisions == sorted(precisions) and precisions[0] < precisions[-1]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] > recalls[-1]
    assert precisions[1] == pytest.approx(expected["precision"], abs=5e-4)
    assert recalls[1] == pytest.approx(expected["recall"], abs=5e-4)

    # imbalanced classes: "always 0" has the higher accuracy and finds no one; the screening finds 4 of 5
    assert number_after(text, "always 0: accuracy") == pytest.approx(0.95)
    assert number_after(text, "screening: accuracy") == pytest.approx(0.89)
    lazy = re.search(rf"always 0: accuracy {NUMBER}, precision ({NUMBER}), recall ({NUMBER}), F1 ({NUMBER})", text)
    screen = re.search(rf"screening: accuracy {NUMBER}, precision ({NUMBER}), recall ({NUMBER})", text)
    assert lazy and [float(value) for value in lazy.groups()] == [0.0, 0.0, 0.0]
    assert (
        screen
        and float(screen.group(2)) == pytest.approx(0.8)
        and float(screen.group(1)) == pytest.approx(4 / 14, abs=5e-3)
    )

    # the spam filter's confusion matrix, then "always 0" and the screening side by side (one figure)
    assert shown(notebook, "image/png") == 2
