"""What notebook 01 (machine_learning_basics) must show when executed, in either language (its pictures' titles
follow it; everything it prints is its own and the same in both)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notebook_checks import NUMBER, number_after, shown


def check(notebook, text: str, cwd: Path, language: str) -> None:
    # supervised: a regression target is a number, a classification target a class
    assert re.search(r"regression:\s+x = " + NUMBER + r" → y = " + NUMBER, text)
    assert re.search(r"classification: x = \[.+\] → y = [01]\n", text)

    # unsupervised: k-means finds the three blobs it was never told about
    sizes = re.search(r"k-means, 5 iterations: clusters of \[(\d+), (\d+), (\d+)\] points", text)
    assert sizes and sorted(int(size) for size in sizes.groups()) == [30, 30, 30]
    assert number_after(text, "agreement with the hidden labels:") == 100

    # ranking: the five pages come out in decreasing score, and each score is matched + clicks / 100
    rows = re.findall(r"^\s+(\d)\s+([A-E])\s+(\d+)\s+(\d+)\s+(" + NUMBER + r")$", text, flags=re.MULTILINE)
    assert [int(rank) for rank, *_ in rows] == [1, 2, 3, 4, 5]
    assert sorted(page for _, page, *_ in rows) == list("ABCDE")
    scores = [float(score) for *_, score in rows]
    assert scores == sorted(scores, reverse=True)
    for _, _, matched, clicks, score in rows:
        assert float(score) == pytest.approx(int(matched) + int(clicks) / 100, abs=0.005)

    # reinforcement: the agent estimates both chances (0.3 and 0.7) and plays the better machine most
    bandit = re.search(r"estimated chances \[(" + NUMBER + "), (" + NUMBER + r")\], plays \[(\d+), (\d+)\]", text)
    assert bandit
    low, high, plays_low, plays_high = (float(value) for value in bandit.groups())
    assert low == pytest.approx(0.3, abs=0.15) and high == pytest.approx(0.7, abs=0.1)
    assert plays_low + plays_high == 500 and plays_high > 0.8 * 500

    # the five steps: the line y = 2x + 1 is found, and the test cost is about the noise's variance 0.1² = 0.01
    learned = re.search(r"learned: ŷ = (" + NUMBER + r")·x \+ (" + NUMBER + ")", text)
    assert learned
    assert float(learned.group(1)) == pytest.approx(2.0, abs=0.1)
    assert float(learned.group(2)) == pytest.approx(1.0, abs=0.1)
    for part in ("on training", "on test"):
        assert number_after(text, part) == pytest.approx(0.01, abs=0.005), part

    # features and dimension: one row per example, one column per feature
    shapes = dict(re.findall(r"(\w+): X\.shape = (\(\d+, \d+\))", text))
    assert shapes == {
        "make_regression_1d": "(100, 1)",
        "make_moons": "(200, 2)",
        "make_blobs": "(90, 2)",
        "load_houses": "(50, 4)",
    }
    assert re.search(r"size_m2\s+rooms\s+floors\s+age_years", text)

    # parameters: 2·8 + 8 + 8·1 + 1 = 33, and each tensor's size is the product of its shape
    counts = re.findall(r"(dense(?:_1)?\.(?:weight|bias)): shape\s+\(([\d, ]+)\) →\s+(\d+)", text)
    assert [name for name, _, _ in counts] == ["dense.weight", "dense.bias", "dense_1.weight", "dense_1.bias"]
    for name, shape, size in counts:
        product = 1
        for side in filter(None, (part.strip() for part in shape.split(","))):
            product *= int(side)
        assert product == int(size), name
    assert sum(int(size) for *_, size in counts) == 33
    assert number_after(text, "total:") == 33
    assert number_after(text, "accuracy on the moons:") >= 0.95

    # parametric against non-parametric: 2 numbers against 60, and 3-NN follows the curve the line cannot
    assert re.search(r"line: w = " + NUMBER + ", b = " + NUMBER + ", keeps 2 numbers", text)
    assert "3-NN: keeps 60 numbers (all 30 examples)" in text
    assert number_after(text, "(all 30 examples); test MSE") < number_after(text, "keeps 2 numbers; test MSE") / 2

    # regression and classification, the blobs and k-means, the loss curve, the decision boundary, line vs k-NN
    assert shown(notebook, "image/png") == 5
