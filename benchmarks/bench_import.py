"""What starting gradviz costs: a whole Python process that imports numpy, one that imports gradviz, and
`gradviz --version` (each a fresh interpreter, timed from outside, interleaved).

The processes read compiled bytecode, as an installed package does (pip compiles it): they run with
PYTHONDONTWRITEBYTECODE removed and PYTHONPYCACHEPREFIX set to a temporary folder, so the warm-up runs write the
cache there and the timed runs read it, for numpy as for gradviz, without writing into the source tree.
``--compile-each-time`` times them as this environment would by default when it sets PYTHONDONTWRITEBYTECODE
(every module compiled from source in every process: the figure a development checkout without caches shows).

Goals (issue 20): `import gradviz` at most 60 ms more than `import numpy`; `gradviz --version` at most 0.15 s.
`import gradviz` loads its parts on first use, so the table also shows what a script pays before its first
Value or Tensor (`import gradviz; gradviz.Tensor`: numpy and the engine), against the same goal.

    .venv/bin/python benchmarks/bench_import.py            # full (30 runs of each)
    .venv/bin/python benchmarks/bench_import.py --quick    # a few runs (smoke test)
    .venv/bin/python benchmarks/bench_import.py --check    # only check each process does its work, then exit
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import fmt_ms, measure, parse_args, print_table  # noqa: E402

__all__ = ["COMMANDS", "check", "main"]

IMPORT_GOAL = 0.060  # seconds more than numpy
VERSION_GOAL = 0.150  # seconds
HEAVY = ("matplotlib", "ipywidgets", "jax", "torch", "PIL")

COMMANDS = {
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "python -c 'import gradviz'": [sys.executable, "-c", "import gradviz"],
    # what a script pays before its first Value or Tensor (the engine and numpy, loaded on first use)
    "python -c 'import gradviz; gradviz.Tensor'": [
        sys.executable,
        "-c",
        "import gradviz; gradviz.Tensor, gradviz.Value",
    ],
    "gradviz --version": [sys.executable, "-m", "gradviz", "--version"],
}


def environment(compile_each_time: bool, cache: str) -> dict[str, str]:
    """The subprocesses' environment: bytecode cached under `cache` (the default), or compiled every time."""
    env = dict(os.environ)
    if compile_each_time:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def check() -> list[str]:
    """Each command does its work (gradviz really imported, the version printed) and no heavy library loads."""
    problems = []
    probe = f"import sys, gradviz; print(gradviz.__version__, [m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode or not done.stdout.strip().endswith("[]"):
        problems.append(f"import gradviz: {done.stdout.strip() or done.stderr.strip()}")
    version = subprocess.run(COMMANDS["gradviz --version"], capture_output=True, text=True, check=False)
    if version.returncode or not version.stdout.strip():
        problems.append(f"gradviz --version printed nothing: {version.stderr.strip()}")
    return problems


def main(argv: list[str] | None = None) -> int:
    compile_each_time = "--compile-each-time" in (sys.argv[1:] if argv is None else argv)
    argv = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--compile-each-time"]
    args = parse_args(__doc__.split("\n\n")[0], argv, repeats=30)
    with tempfile.TemporaryDirectory(prefix="gradviz-pycache-") as cache:
        return _main(args, environment(compile_each_time, cache), compile_each_time)


def _main(args, env: dict[str, str], compile_each_time: bool) -> int:
    problems = check()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("check: gradviz imports without matplotlib, ipywidgets, jax, torch or Pillow; --version prints")
    if args.check:
        return 0
    runs = {
        name: (lambda command=command: subprocess.run(command, capture_output=True, check=True, env=env))
        for name, command in COMMANDS.items()
    }
    timings = measure(runs, args.repeats, warmup=2)
    numpy_time = timings["python -c 'import numpy'"]
    rows = []
    for name, timing in timings.items():
        extra = timing.median - numpy_time.median
        goal = ""
        if name.startswith("python -c 'import gradviz"):
            goal = f"≤ +{IMPORT_GOAL * 1e3:.0f} ms: {'met' if extra <= IMPORT_GOAL else 'not met'}"
        elif name == "gradviz --version":
            goal = f"≤ {VERSION_GOAL * 1e3:.0f} ms: {'met' if timing.median <= VERSION_GOAL else 'not met'}"
        rows.append([name, fmt_ms(timing.median), fmt_ms(timing.best), f"{extra * 1e3:+.0f}".replace("-", "−"), goal])
    print_table(
        f"Starting a process ({args.repeats} runs each, interleaved; "
        f"{'compiled from source every time' if compile_each_time else 'bytecode cached, as installed'})",
        ["process", "median ms", "min ms", "vs numpy ms", "goal"],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
