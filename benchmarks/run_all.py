"""Run every benchmark in this folder, one after another, each in its own Python process.

    .venv/bin/python benchmarks/run_all.py            # the full runs (a few minutes on 2 cores)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a few repetitions
    .venv/bin/python benchmarks/run_all.py --check    # only check each benchmark compares the same work

Each script first checks that its contenders compute the same first-step loss (and weights), so
a benchmark cannot silently compare different work; the exit status is non-zero if any fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

__all__ = ["SCRIPTS", "main"]

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_scalar.py",
    "bench_tensor.py",
    "bench_overhead.py",
    "bench_trace.py",
    "bench_fit.py",
    "bench_jax.py",
    "bench_import.py",
]


def main(argv: list[str] | None = None) -> int:
    flags = [a for a in (sys.argv[1:] if argv is None else argv) if a in ("--quick", "--check")]
    unknown = [a for a in (sys.argv[1:] if argv is None else argv) if a not in ("--quick", "--check")]
    if unknown:
        print(f"run_all.py takes --quick and/or --check, not {' '.join(unknown)}", file=sys.stderr)
        return 2
    failed = []
    for script in SCRIPTS:
        print(f"\n## {script} {' '.join(flags)}".rstrip(), flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *flags])
        print(f"\n({script}: exit {code}, {time.perf_counter() - start:.1f} s)", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
