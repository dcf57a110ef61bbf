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
