"""What notebook 06 (mlp_activations) must show when executed, in either language (gradviz's own texts follow it)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from notebook_checks import NUMBER, number_after, shown

# chain_rule_paths(...).equation: its first line and the word before each path's number
EQUATION_HEAD = {"en": "∂f₄/∂x = sum over the 1 path from x to f₄", "es": "∂f₄/∂x = suma, sobre 1 camino de x a f₄"}
PATH_WORD = {"en": "path", "es": "camino"}
CHAIN = ("∂f₄/∂f₃", "∂f₃/∂f₂", "∂f₂/∂f₁", "∂f₁/∂x")  # ∂f₄/∂x along f₄(f₃(f₂(f₁(x)))), from the output down


def numbers(text: str) -> list[float]:
    """Every number in `text`, as gradviz writes them: a minus sign '−', a decimal point or comma."""
    found = re.findall(NUMBER, text.replace("−", "-"))
    return [float(value.replace(",", ".")) for value in found]


def check(notebook, text: str, cwd: Path, language: str) -> None:
    assert number_after(text, "one neuron: accuracy") < 0.7
    assert number_after(text, "MLP 2-8-1: accuracy") > 0.9

    # the composition f₄(f₃(f₂(f₁(x)))): the four local derivatives, their product and backward()'s gradient
    local = {}
    for symbol in CHAIN:
        found = re.search(re.escape(symbol) + r" = [^=\n]+ = (" + NUMBER + ")", text)
        assert found, f"the notebook did not print the local derivative {symbol}; it printed:\n{text}"
        local[symbol] = float(found.group(1))
    assert local["∂f₃/∂f₂"] == -2.0 and local["∂f₁/∂x"] == 0.8  # w₂ and w₁
    assert 0 < local["∂f₄/∂f₃"] <= 0.25 and 0 < local["∂f₂/∂f₁"] <= 1  # σ′ and tanh′
    product = number_after(text, "product of the four local derivatives:")
    gradient = number_after(text, "x.grad from backward():")
    assert product == pytest.approx(gradient, abs=1e-6)
    assert product == pytest.approx(math.prod(local.values()), rel=1e-3)
    # the same chain as gradviz writes it, in the notebook's language, and its check against backward()
    assert EQUATION_HEAD[language] in text
    line = re.search(rf"^{PATH_WORD[language]} 1: " + re.escape(" · ".join(CHAIN)) + r" = (.+)$", text, re.M)
    assert line, f"chain_rule_paths did not write the chain in {language}; the notebook printed:\n{text}"
    *factors, result = numbers(line.group(1))
    assert len(factors) == 4 and math.prod(factors) == pytest.approx(result, rel=1e-3)
    assert result == pytest.approx(gradient, rel=1e-3)
    backward = re.search(r"\(backward\(\): (\S+)\)", text)
    assert backward and numbers(backward.group(1))[0] == pytest.approx(gradient, rel=1e-3)

    assert number_after(text, "sigmoid: largest slope") == pytest.approx(0.25, abs=5e-3)
    assert "probabilities [0.659 0.242 0.099] sum 1.0" in text
    # the chain f₁…f₄, then the MLP collapsed, then with one layer open
    assert shown(notebook, "image/svg+xml") == 3
    assert shown(notebook, "image/png") == 4
