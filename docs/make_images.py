"""Regenerate the README's pictures: python docs/make_images.py [--out docs/img].

Rendered through graphviz-pure (the renderer every `pip install` has) so the files do not depend
on which Graphviz a machine happens to have.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz import Value, nn, trace
from gradviz.viz import frames, render, to_dot


def worked_example_backward(out: Path) -> Path:
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as t:
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        f.backward()
    # the step where f hands its gradient back to q and z: the chain rule on both edges
    frame = next(fr for fr in frames(t) if fr.kind == "backward" and fr.step == 1)
    path = out / "worked-example-backward.png"
    path.write_bytes(render(to_dot(frame, caption=True), "png", engine="graphviz-pure"))
    return path


def mlp_collapsed(out: Path) -> Path:
    nn.manual_seed(0)
    model = nn.ScalarMLP(2, [4, 4, 1])
    score = model([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    score.label = "score"
    score.backward()
    path = out / "mlp-collapsed.png"
    path.write_bytes(render(to_dot(score, collapse=True), "png", engine="graphviz-pure"))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "img"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in (worked_example_backward(out), mlp_collapsed(out)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
