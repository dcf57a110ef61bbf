"""Shared helpers for the benchmark scripts: interleaved timing, a table printer, seeded data, flags.

Not part of the gradviz package: the scripts in this folder import it as a sibling module.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType

import numpy as np

__all__ = [
    "Timing",
    "measure",
    "print_table",
    "make_moons",
    "parse_args",
    "optional",
    "close",
    "fmt_ms",
    "fmt_ratio",
]


class Timing:
    """The seconds of each run of one contender."""

    def __init__(self, name: str, seconds: list[float]):
        self.name = name
        self.seconds = seconds

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    def __repr__(self) -> str:
        return f"Timing({self.name!r}, median={self.median * 1e3:.3f} ms, min={self.best * 1e3:.3f} ms)"


def measure(
    contenders: dict[str, Callable[[], object]],
    repeats: int,
    warmup: int = 1,
    target_seconds: float = 0.0,
) -> dict[str, Timing]:
    """Time each contender `repeats` times, interleaved, and return the seconds per call.

    The machine is shared and noisy, so the contenders take turns (each round in a new order, drawn
    with a fixed seed, so no one always runs right after the same other one: a run right after
    PyTorch's, say, can pay for memory PyTorch just gave back), and a full `gc.collect()` runs *untimed* before each
    timed call: every contender starts from a clean heap and pays only for the garbage it makes
    itself. A contender whose call is shorter than `target_seconds` is called several times per
    timing (a number fixed after the warm-up), and the time divided back to seconds per call.
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    inner = {name: calls_per_timing(contenders[name], target_seconds) for name in names}
    seconds: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    orders = random.Random(0)
    for _ in range(repeats):
        for name in orders.sample(names, len(names)):
            call = contenders[name]
            gc.collect()
            start = clock()
            for _ in range(inner[name]):
                call()
            seconds[name].append((clock() - start) / inner[name])
    gc.collect()
    return {name: Timing(name, seconds[name]) for name in names}


def calls_per_timing(call: Callable[[], object], target_seconds: float = 0.02) -> int:
    """How many calls of `call` make one timing of about `target_seconds` (at least 1)."""
    if target_seconds <= 0:
        return 1
    once = math.inf
    for _ in range(3):
        start = time.perf_counter()
        call()
        once = min(once, time.perf_counter() - start)
    once = max(once, 1e-7)
    return max(1, int(target_seconds / once))


def print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    """Print a Markdown table (so a run's output can be pasted into benchmarks/README.md)."""
    print(f"\n### {title}\n")
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}" if seconds < 0.01 else f"{seconds * 1e3:.1f}"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.2f}×"


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the shape of sklearn's make_moons), labels in {-1, +1}.

    >>> X, y = make_moons(10, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((10, 2), [-1.0, 1.0])
    """
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer = np.linspace(0.0, math.pi, n_outer)
    inner = np.linspace(0.0, math.pi, n_inner)
    X = np.concatenate(
        [
            np.stack([np.cos(outer), np.sin(outer)], axis=1),
            np.stack([1.0 - np.cos(inner), 1.0 - np.sin(inner) - 0.5], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order] * 2.0 - 1.0


def parse_args(description: str, argv: list[str] | None = None, repeats: int = 20) -> argparse.Namespace:
    """The flags every benchmark script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a few repetitions on small sizes (for the smoke test)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that every contender computes the same first-step loss and gradients, then exit",
    )
    parser.add_argument("--repeats", type=int, default=None, help=f"timed runs per contender (default {repeats})")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS threads for numpy and PyTorch (default: numpy's own choice, PyTorch 2); "
        "--threads 1 gives steadier figures on a busy 2-core machine",
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        use_blas_threads(args.threads)
    if args.repeats is None:
        args.repeats = 3 if args.quick else repeats
    return args


def use_blas_threads(threads: int) -> None:
    """Make numpy's OpenBLAS use `threads` threads: it reads the count once, at import, so this
    restarts the script with OPENBLAS_NUM_THREADS set (a no-op when it is already set to that)."""
    if os.environ.get("OPENBLAS_NUM_THREADS") == str(threads):
        return
    environment = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], environment)


def torch_threads(args: argparse.Namespace) -> int:
    """The PyTorch thread count a run asked for (2 unless --threads says otherwise)."""
    return 2 if args.threads is None else args.threads


def optional(name: str) -> ModuleType | None:
    """Import `name` if it is installed, else None (the benchmark then skips that contender)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def close(name: str, reference: float, other: float, rtol: float = 1e-6, atol: float = 1e-9) -> str:
    """Raise if two numbers that must be equal are not; else a line saying they agree."""
    if not math.isclose(reference, other, rel_tol=rtol, abs_tol=atol):
        raise AssertionError(f"{name}: {other!r} differs from the reference {reference!r} (rtol {rtol})")
    return f"{name}: {other:.10g} (agrees)"
