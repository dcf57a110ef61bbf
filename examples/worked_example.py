"""The course's worked example f = (x + y)·z at x = −2, y = 5, z = −4, every frame of the walkthrough as SVG.

    python examples/worked_example.py --out worked-example

writes step-000.svg, step-001.svg, … (one per frame: the start, each forward op, each backward step,
the result) and prints each frame's caption and the final gradients ∂f/∂x, ∂f/∂y, ∂f/∂z.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz import Value, trace
from gradviz.viz import frames, save, to_dot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/worked_example"), help="folder for the SVGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as t:
        q = x + y
        q.label = "q"  # q = 3
        f = q * z
        f.label = "f"  # f = −12
        f.backward()

    for frame in frames(t):
        path = save(to_dot(frame), args.out / f"step-{frame.index:03d}.svg")
        print(f"wrote {path}  [{frame.kind}] {frame.caption}")
    print(f"f = {f.data}")
    print(f"df/dx = {x.grad}  df/dy = {y.grad}  df/dz = {z.grad}")  # -4.0 -4.0 3.0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
