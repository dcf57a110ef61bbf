"""Where a benchmark step spends its time in gradviz: cProfile of the gradviz contender's step.

    .venv/bin/python benchmarks/profile_step.py scalar              # bench_scalar's step
    .venv/bin/python benchmarks/profile_step.py overhead --top 25   # bench_overhead's tensor step
    .venv/bin/python benchmarks/profile_step.py tensor --trace      # bench_tensor's step, traced
    .venv/bin/python benchmarks/profile_step.py scalar --phases     # no profiler: ms per phase of the step

cProfile slows pure-Python code several fold, so read the shares, not the absolute times;
--phases times forward / topological order / backward / update / freeing the graph without it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_trace  # noqa: E402

from gradviz.engine import topological_order  # noqa: E402

__all__ = ["phases", "main"]


def phases(step: Callable[[], float], runs: int) -> dict[str, list[float]]:
    """Seconds spent in each phase of `step` (a gradviz step with `.forward` and `.params`), per run.

    "backward" is the whole `loss.backward()` call, which computes the topological order itself;
    "topological order" times that part alone, on the same graph, just before.
    """
    times: dict[str, list[float]] = {
        name: [] for name in ("forward", "topological order", "backward", "update", "free the graph")
    }
    clock = time.perf_counter
    params = step.params  # type: ignore[attr-defined]
    for _ in range(runs):
        gc.collect()
        start = clock()
        loss = step.forward()  # type: ignore[attr-defined]
        forward_done = clock()
        topological_order(loss)
        order_done = clock()
        for p in params:
            p.grad = None
        loss.backward()
        backward_done = clock()
        for p in params:
            p.data -= 0.0 * p.grad
        update_done = clock()
        del loss
        freed = clock()
        for name, begin, end in (
            ("forward", start, forward_done),
            ("topological order", forward_done, order_done),
            ("backward", order_done, backward_done),
            ("update", backward_done, update_done),
            ("free the graph", update_done, freed),
        ):
            times[name].append(end - begin)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=["scalar", "overhead", "tensor"])
    parser.add_argument("--trace", action="store_true", help="profile the step inside `with gradviz.trace():`")
    parser.add_argument("--steps", type=int, default=None, help="steps to profile (default: 3 scalar, 300 others)")
    parser.add_argument("--top", type=int, default=15, help="how many entries to print")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumtime, ncalls)")
    parser.add_argument("--phases", action="store_true", help="time the phases of the step instead of profiling")
    args = parser.parse_args(argv)
    step = bench_trace.workloads()[args.workload][1]()
    if args.trace:
        step = bench_trace.traced(step)
    steps = args.steps or (3 if args.workload == "scalar" else 300)
    step()  # warm-up
    if args.phases:
        runs = max(steps, 15)
        print(f"{args.workload} step, ms per phase over {runs} runs (GC on, collected before each run):")
        for name, seconds in phases(step, runs).items():
            print(f"  {name:18s} median {statistics.median(seconds) * 1e3:8.3f}   min {min(seconds) * 1e3:8.3f}")
        return 0
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    print(f"{args.workload} step{' (traced)' if args.trace else ''}, {steps} steps profiled, sorted by {args.sort}:")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
