"""Any expression, its graph drawn with every node's value and gradient (SVG).

    python examples/any_expression.py --out expression                   # a neuron: tanh(w·x + b), built from Values
    python examples/any_expression.py --expr "x**2 + sin(x*y)" --set x=1 y=2 --out expression

Without ``--expr`` the expression is built in Python from Values (the API); with it, the text is parsed
safely by ``gradviz.expr.evaluate`` (no ``eval``). Writes graph.svg and prints each input's gradient.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz import Value, draw
from gradviz.expr import evaluate, parse_number


def neuron() -> tuple[Value, dict[str, Value]]:
    """tanh(w·x + b) at w = 0.5, x = 2, b = −0.5, built from Values with the operators and methods."""
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-0.5, label="b")
    wx = w * x
    wx.label = "w·x"
    z = wx + b
    z.label = "z"
    out = z.tanh()
    out.label = "out"
    return out, {"w": w, "x": x, "b": b}


def from_text(text: str, assignments: list[str]) -> tuple[Value, dict[str, Value]]:
    """Parse `text` with gradviz.expr; `assignments` are NAME=NUMBER (a constant formula such as pi/4 is fine)."""
    inputs = {}
    for item in assignments:
        name, _, number = item.partition("=")
        if not number:
            raise SystemExit(f"--set expects NAME=NUMBER, got {item!r}")
        inputs[name.strip()] = Value(parse_number(number), label=name.strip())
    return evaluate(text, inputs), inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/any_expression"), help="folder for graph.svg")
    parser.add_argument("--expr", help='a formula such as "tanh(w*x + b)" (default: the neuron built from Values)')
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=NUMBER", help="the inputs' values")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    out, inputs = from_text(args.expr, args.set) if args.expr else neuron()
    out.backward()
    path = draw(out).save(args.out / "graph.svg")
    print(f"wrote {path}")
    print(f"{out.label} = {out.data:.6g}")
    for name, leaf in inputs.items():
        print(f"d{out.label}/d{name} = {leaf.grad:.6g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
