"""The optimizer race: the course's seven optimizers from the same start on a 2-D test surface.

    python examples/optimizer_race.py --out race                       # Rosenbrock, 200 steps
    python examples/optimizer_race.py --surface quadratic --steps 100 --out race

Writes race.png (each optimizer's path over the contour lines, and its loss per step) and prints a table
of each one's final position and loss.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz.viz.plots import SURFACES, optimizer_paths


def table(runs: dict) -> str:
    """The final loss of each run, best first, as aligned text."""
    rows = sorted(runs.items(), key=lambda item: item[1]["loss"][-1])
    lines = [f"{'optimizer':<10} {'steps':>5} {'final x':>9} {'final y':>9} {'final loss':>12}"]
    for name, run in rows:
        (x, y), loss = run["path"][-1], run["loss"][-1]
        lines.append(f"{name:<10} {len(run['path']) - 1:>5} {x:>9.4f} {y:>9.4f} {loss:>12.4g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/optimizer_race"), help="folder for race.png")
    parser.add_argument("--surface", default="rosenbrock", choices=sorted(SURFACES))
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    runs = optimizer_paths(args.surface, steps=args.steps)
    print(f"{args.surface}, {args.steps} steps from the same start:")
    print(table(runs))

    try:
        import matplotlib
    except ImportError:
        print('skipped race.png: matplotlib is not installed (pip install "gradviz[notebook]")')
        return 0
    matplotlib.use("Agg")  # headless: never opens a window
    from gradviz.viz.plots import plot_optimizer_paths

    figure = plot_optimizer_paths(args.surface, paths=runs)
    path = args.out / "race.png"
    figure.savefig(path, dpi=100, bbox_inches="tight")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
