"""What one frame of a long walkthrough costs: a chain `y = y · 1.001` of 1,000 and 2,000 ops, traced
forward and backward, then one frame read (`frames(t)[k]`), one step drawn (`draw(t, step=k)` up to its DOT
source, no layout), and every frame read (`list(frames(t))`), each with its peak memory (tracemalloc, in a
separate untimed run).

Goal (issue 12): one frame of the 2,000-op trace in under 1 s and under 200 MB; before frames were lazy,
`frames(t)` took 21 s at 1,000 ops and 81 s / 4.5 GB at 2,000.

    .venv/bin/python benchmarks/bench_frames.py            # 1,000 and 2,000 ops
    .venv/bin/python benchmarks/bench_frames.py --quick    # 100 and 200 ops, 3 runs (smoke test)
    .venv/bin/python benchmarks/bench_frames.py --check    # only check a frame read alone equals it read in order
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import fmt_ms, measure, parse_args, print_table  # noqa: E402

from gradviz import Value, trace  # noqa: E402
from gradviz.viz import draw, frames  # noqa: E402

__all__ = ["chain", "check", "main"]

GOAL_SECONDS, GOAL_MB = 1.0, 200.0


def chain(length: int):
    """The issue's trace: x = 1, then `length` multiplications by 1.001, and backward; the steps replayed once."""
    x = Value(1.0, label="x")
    with trace() as t:
        y = x
        for _ in range(length):
            y = y * 1.001
        y.backward()
    _ = t.steps  # the trace's own replay, done once, is not what is measured
    return t


def check(length: int = 50) -> list[str]:
    """A frame read on its own (a fresh sequence) equals the same frame read in order, for every frame."""
    t = chain(length)
    in_order = list(frames(t))
    for k in (0, 1, length, length + 1, len(in_order) - 2, len(in_order) - 1):
        alone = frames(t)[k]
        if alone != in_order[k]:
            raise AssertionError(f"frame {k} read alone differs from frame {k} read in order")
    return [f"frames of a {length}-op chain: {len(in_order)} frames, each read alone equals it read in order (agrees)"]


def peak_mb(call: Callable[[], object]) -> float:
    """The peak of memory allocated while `call` runs, in MB (what it returns is dropped after)."""
    gc.collect()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
        gc.collect()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=5)
    for line in check():
        print(line)
    if args.check:
        return 0
    rows, met = [], True
    for length in (100, 200) if args.quick else (1000, 2000):
        t = chain(length)
        count = len(frames(t))
        middle = count // 2 + 1  # a backward frame
        contenders = {
            "frames(t): the replay, no frame built": lambda t=t: len(frames(t)),
            f"frames(t)[{middle}]": lambda t=t, k=middle: frames(t)[k],
            f"draw(t, step={middle}).source (no layout)": lambda t=t, k=middle: draw(t, step=k).source,
            f"list(frames(t)): all {count} frames": lambda t=t: list(frames(t)),
        }
        timings = measure(contenders, repeats=args.repeats)
        for name, call in contenders.items():
            megabytes = peak_mb(call)
            timing = timings[name]
            if not name.startswith("list"):
                met = met and timing.median < GOAL_SECONDS and megabytes < GOAL_MB
            rows.append([f"{length}", name, fmt_ms(timing.median), fmt_ms(timing.best), f"{megabytes:.1f}"])
    print_table(
        "One frame of a long walkthrough (chain of × 1.001)",
        ["ops", "what", "median (ms)", "best (ms)", "peak MB (tracemalloc)"],
        rows,
    )
    goal = f"one frame under {GOAL_SECONDS:.0f} s and {GOAL_MB:.0f} MB"
    print(f"\n{goal}: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
