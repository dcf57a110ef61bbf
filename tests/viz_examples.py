"""Graphs shared by the viz tests: the course's worked example and a small scalar MLP under name scopes."""

from __future__ import annotations

import os
import random
from pathlib import Path

from gradviz import Value, scope, trace

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GRADVIZ_UPDATE_GOLDEN") == "1"  # rewrite the golden files instead of comparing


def worked_example():
    """f = (x + y)·z at x = −2, y = 5, z = −4, traced forward and backward; returns (trace, f)."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as t:
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        f.backward()
    return t, f


def sigmoid_neuron():
    """The course's artificial neuron: p = σ(x₁w₁ + x₂w₂ + b) with the binary cross-entropy L against y = 1,
    traced forward and backward (20 value nodes); returns the trace."""
    x1 = Value(1.0, label="x₁", requires_grad=False)
    x2 = Value(-2.0, label="x₂", requires_grad=False)
    w1, w2, b = Value(0.5, label="w₁"), Value(-0.3, label="w₂"), Value(0.1, label="b")
    y = Value(1.0, label="y", requires_grad=False)
    with trace() as t:
        z = x1 * w1 + x2 * w2 + b
        z.label = "z"
        p = z.sigmoid()
        p.label = "p"
        loss = -(y * p.log() + (1 - y) * (1 - p).log())
        loss.label = "L"
        loss.backward()
    return t


def mlp_step():
    """One training sample through a 2-2-1 scalar MLP (gradviz.nn.scalar, ReLU hidden layer) with the squared
    error L against y = 1, traced forward and backward (28 value nodes); returns the trace."""
    from gradviz.nn.scalar import MLP

    model = MLP(2, [2, 1], seed=0)
    x = [Value(1.0, label="x₁", requires_grad=False), Value(-1.0, label="x₂", requires_grad=False)]
    target = Value(1.0, label="y", requires_grad=False)
    with trace() as t:
        out = model(x)
        loss = (out - target) ** 2
        loss.label = "L"
        loss.backward()
    return t


LESSONS = {"worked example": lambda: worked_example()[0], "sigmoid neuron": sigmoid_neuron, "MLP step": mlp_step}
"""The three lessons every picture must be projectable for (issue 14): name → a function recording its trace."""


def describe(frame) -> str:
    """One frame in the layout of the golden caption files (tests/golden/worked_example_frames*.txt)."""
    pending = ", ".join(sorted(frame.node(i).label for i in frame.pending)) or "-"
    return (
        f"## frame {frame.index}: {frame.kind} (step {frame.step}), active {frame.active_label}, pending {pending}\n"
        f"caption: {frame.caption}\nequation:\n{frame.equation}\nlatex:\n{frame.latex}\n"
    )


def scalar_mlp(sizes=(2, 4, 4, 1), seed=0):
    """One sample through a scalar MLP built from Values, each layer in scope 'mlp/layerK'; backward done."""
    rng = random.Random(seed)
    xs = [Value(0.5, label="x1"), Value(-1.5, label="x2")]
    with scope("mlp"):
        for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            with scope(f"layer{k}"):
                outs = []
                for j in range(n_out):
                    act = Value(0.0, label=f"b{k}{j}")
                    for i in range(n_in):
                        act = act + Value(rng.uniform(-1, 1), label=f"w{k}{j}{i}") * xs[i]
                    outs.append(act.tanh() if k < len(sizes) - 1 else act)
                xs = outs
    out = xs[0]
    out.label = "y"
    out.backward()
    return out


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with GRADVIZ_UPDATE_GOLDEN=1, review it, commit it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: review it, then GRADVIZ_UPDATE_GOLDEN=1"
