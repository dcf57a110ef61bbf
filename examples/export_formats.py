"""The worked example f = (x + y)·z exported to every lecture format gradviz writes.

    python examples/export_formats.py --out exports

writes walkthrough.html (a self-contained player), walkthrough.gif, walkthrough.pdf, walkthrough.pptx
(when python-pptx is installed; otherwise it says so and skips it), walkthrough.tex (Beamer, with its
pictures in walkthrough-frames/) and frames/step-000.svg …
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import gradviz
from gradviz import Value

# (file name, what it is, the Python package it needs or None)
FORMATS = [
    ("walkthrough.html", "self-contained player: ← → keys, space plays", None),
    ("walkthrough.gif", "animation, one frame per step", "PIL"),
    ("walkthrough.pdf", "one page per step with its caption", "PIL"),
    ("walkthrough.pptx", "one slide per step, caption in the speaker notes", "pptx"),
    ("walkthrough.tex", "Beamer deck; run pdflatex", None),
    ("frames", "a folder of step-000.svg, step-001.svg, …", None),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/export_formats"), help="folder for the files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with gradviz.trace() as t:
        f = (x + y) * z
        f.backward()

    for name, what, needs in FORMATS:
        if needs is not None and importlib.util.find_spec(needs) is None:
            extra = "python-pptx" if needs == "pptx" else "Pillow"
            print(f'skipped {name}: {extra} is not installed (pip install "gradviz[slides]")')
            continue
        result = gradviz.export(t, args.out / name, duration_ms=800)
        print(f"wrote {result.path}  ({result.frames} frames, {what})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
