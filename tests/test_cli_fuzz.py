"""The command line as a program, fuzzed: a few hundred seeded argument lists (formulas of random tokens,
huge numbers, unicode, very long names, empty strings; random options and values; demo, render, train and
export at small sizes). Each must end, within a time limit, with a documented exit status, a message on
stderr when it fails, and no Python traceback anywhere.

Most calls run ``gradviz.cli.main(argv)`` in this process (stdout and stderr captured, an alarm as the time
limit); a few dozen run as real ``python -m gradviz`` processes with ``timeout=``. Every call writes under
tmp_path (the working folder is tmp_path too, for the relative and empty ``--out`` values).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest

from gradviz import cli
from gradviz.expr import FUNCTIONS

SEED = 12  # issue 12
IN_PROCESS_CALLS = 300
SUBPROCESS_CALLS = 30
CALL_LIMIT_S = 30  # a call past this has hung (the layout time limit is 30 s: nothing should come near it)
DOCUMENTED = {
    cli.EXIT_OK,
    cli.EXIT_FAILURE,
    cli.EXIT_USAGE,
    cli.EXIT_NO_RENDERER,
    cli.EXIT_TOO_BIG,
    cli.EXIT_INTERRUPTED,
}

# -- the generator ------------------------------------------------------------------------------------

NAMES = ["x", "y", "z", "w", "b", "q", "f", "out", "x1", "_h", "α", "θ", "ｘ", "𝑥", "naïve", "Δt", "a" * 41, "b" * 120]
NUMBERS = [
    "0", "1", "-2", "2.5", ".5", "5.", "1e-3", "1e308", "1e309", "-1e308", "1e-320", "1_000", "0x1F", "0o17",
    "0b101", "007", "9" * 400, "10**400", "2**1024", "1e999", "nan", "inf", "-0.0", "3j", "1.5e+10",
]  # fmt: skip
OPERATORS = ["+", "-", "*", "/", "**", "//", "%", "@", "&", "|", "^", "<<", ">>", "<", "==", " and ", " or "]
JUNK = [
    "(", ")", ",", "[", "]", "{", "}", ":", ";", "'", '"', "\\", "`", "$", "#", "\t", " ", "", "\x00", "\n",
    "λ", "😀", "∂", "lambda x: x", "x if y else z", "[x]", "x.real", "x[0]", "__import__('os')", "open('f')",
    "not x", "~x", "...", "f'{x}'", "*x", "x=1", "print", "tanh", "max(x)", "min()", "leaky_relu(x, y)",
]  # fmt: skip
FUNCTION_NAMES = sorted(FUNCTIONS) + ["foo", "eval", "exec", "getattr"]
THEMES = ["light", "dark", "print", "", "neon", "LIGHT"]
FORMATS = ["svg", "png", "pdf", "gif", "", "SVG"]


class Generator:
    """Seeded random command lines: half of them well-formed (so that the drawing, training and writing run),
    the others with a mistake or two, and some pure noise."""

    def __init__(self, seed: int, out_root: str):
        self.rng = random.Random(seed)
        self.out_root = out_root
        self.count = 0
        self.faulty = False

    def pick(self, items):
        return self.rng.choice(items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def value(self, valid: list, invalid: list):
        """A valid value, or in a faulty call now and then an invalid one."""
        return self.pick(invalid) if self.faulty and self.chance(0.3) else self.pick(valid)

    # formulas

    def formula(self, small: bool = False) -> str:
        if not self.faulty:
            return self.expression(2 if small else self.rng.randint(1, 4), valid=True)
        roll = self.rng.random()
        if roll < 0.4:
            return self.expression(2 if small else self.rng.randint(1, 4))
        if roll < 0.65:
            return self.mutated(self.expression(2))
        if roll < 0.85 or small:
            return "".join(self.pick(NAMES + NUMBERS + OPERATORS + JUNK) for _ in range(self.rng.randint(0, 8)))
        return self.pick(
            [
                "",
                "   ",
                "+".join(["x"] * self.rng.randint(50, 400)),  # one x feeding every addition
                "*".join(f"v{i}" for i in range(self.rng.randint(40, 200))),
                "(" * 300 + "x" + ")" * 300,
                "(" * 5000 + "x" + ")" * 5000,
                "-" * 3000 + "x",
                "a" * 9999,
                "x" * 10_001,
                "x+" * 4000 + "x",
                "tanh(" * 200 + "x" + ")" * 200,
                "x" + "**x" * 60,
            ]
        )

    def expression(self, depth: int, valid: bool = False) -> str:
        names = NAMES[:14] if valid else NAMES
        numbers = NUMBERS[:11] if valid else NUMBERS
        if depth <= 0 or self.chance(0.25):
            return self.pick(names) if self.chance(0.7) else self.pick(numbers)
        roll = self.rng.random()
        if roll < 0.5:
            return f"{self.expression(depth - 1, valid)} {self.pick(OPERATORS[:5])} {self.expression(depth - 1, valid)}"
        if roll < 0.65:
            return f"-({self.expression(depth - 1, valid)})"
        if roll < 0.8:
            return f"({self.expression(depth - 1, valid)})"
        if valid:
            name = self.pick(sorted(n for n in FUNCTIONS if n not in ("max", "min", "maximum", "minimum")))
            function = FUNCTIONS[name]
            count = function.inputs
        else:
            name, count = self.pick(FUNCTION_NAMES), self.rng.randint(0, 3)
        arguments = ", ".join(self.expression(depth - 1, valid) for _ in range(count))
        return f"{name}({arguments})"

    def mutated(self, text: str) -> str:
        characters = list(text)
        for _ in range(self.rng.randint(1, 3)):
            where = self.rng.randint(0, len(characters))
            if characters and self.chance(0.5):
                del characters[min(where, len(characters) - 1)]
            else:
                characters.insert(where, self.pick(list("()+-*/,.=[]'\"\\ 0xe") + ["**", "😀", "\x00"]))
        return "".join(characters)

    def assignments(self, formula: str) -> list[str]:
        import re

        names = [n for n in dict.fromkeys(re.findall(r"[^\W\d]\w*", formula)) if n not in FUNCTIONS][:8]
        names = [n for n in names if n not in ("pi", "e") or self.faulty]
        items = []
        for name in names:
            if not self.faulty or self.chance(0.9):
                value = self.value(NUMBERS[:10] + ["pi/4", "sqrt(2)", "-e"], ["x", "", "1/0", "abc", "2 3", "1e999"])
                items.append(f"{name}={value}")
        if self.faulty and self.chance(0.2):
            items.append(self.pick(["x", "=3", "x==3", "1x=2", "pi=3", "x=1", "zz=2", "=", "α=1", "a" * 200 + "=1"]))
        return items

    # options

    def out(self, extension: str = "") -> str:
        self.count += 1
        if self.faulty and self.chance(0.1):
            return self.pick(["", " ", ".", "sub/dir/", "ünï cødé", "-", "nul\x00l"]) + extension
        return os.path.join(self.out_root, f"call{self.count}{extension}")

    def picture_options(self, formats: list[str]) -> list[str]:
        argv = []
        if self.chance(0.4):
            argv += ["--format", self.value(formats, ["gif", "jpeg", ""])]
        if self.chance(0.3):
            argv += ["--theme", self.value(THEMES[:3], THEMES[3:])]
        if self.chance(0.2):
            argv += ["--rankdir", self.value(["LR", "tb", "RL", "BT"], ["XY", ""])]
        if self.chance(0.3):
            argv += ["--precision", self.value(["1", "4", "17"], ["0", "18", "-3", "99999999999999999999", "abc"])]
        if self.chance(0.2):
            argv += ["--max-nodes", self.value(["2", "10", "150", "100000"], ["1", "0", "-4", "x"])]
        for flag in ("--captions", "--quiet", "--force"):
            if self.chance(0.25):
                argv.append(flag)
        return argv

    def language(self) -> list[str]:
        return ["--lang", self.value(["en", "es"], ["fr", ""])] if self.chance(0.2) else []

    # commands

    def demo(self) -> list[str]:
        return ["demo", "--out", self.out(), *self.picture_options(["svg", "png"]), *self.language()]

    def render(self) -> list[str]:
        steps = self.chance(0.25)
        formula = self.formula(small=steps)
        argv = ["render", formula]
        values = self.assignments(formula)
        if values:
            argv += ["--set", *values]
        if steps:
            argv.append("--steps")
        argv += ["--out", self.out(), *self.picture_options(["svg", "png", "pdf"]), *self.language()]
        return argv

    def train(self) -> list[str]:
        value = self.value
        argv = ["train", "--out", self.out(), "--quiet" if self.chance(0.7) else "--verbose"]
        argv += ["--epochs", value(["1", "2"], ["0", "-1", "1.5", "x"])]
        argv += ["--samples", value(["20", "40", "10"], ["9", "0", "-5", "abc"])]
        if self.chance(0.8):
            argv += [
                "--dataset",
                value(["moons", "circles", "xor", "blobs", "spirals", "iris", "MOONS"], ["mnist", ""]),
            ]
        if self.chance(0.5):
            argv += ["--hidden", value(["4", "3,3", "", "none", "0"], ["4,-1", "a,b", "2,,2", "1" * 30])]
        if self.chance(0.4):
            argv += ["--activation", value(["relu", "tanh", "sigmoid", "leaky-relu"], ["softmax", "gelu", ""])]
        if self.chance(0.4):
            argv += ["--optimizer", value(["sgd", "adam", "rmsprop", "adadelta", "adamw"], ["lbfgs", ""])]
        if self.chance(0.4):
            argv += ["--lr", value(["0.1", "1e-3", "1e308"], ["0", "-1", "nan", "inf", "abc", "1e400"])]
        if self.chance(0.3):
            argv += ["--batch-size", value(["8", "1", "100000"], ["0", "-2", "2.5"])]
        if self.chance(0.3):
            argv += ["--noise", value(["0", "0.1", "1e308"], ["-1", "nan", "inf"])]
        if self.chance(0.3):
            argv += ["--test-size", value(["0.2", "0.5", "0.99"], ["0", "1", "-0.1", "nan"])]
        if self.chance(0.2):
            argv += ["--seed", value(["0", "4294967296", "99999999999999999999999"], ["-1", "x"])]
        return argv + self.language()

    def export(self) -> list[str]:
        value = self.value
        extension = self.pick([".html", ".html", ".gif", ".pdf", ".pptx", ".tex", "", ".svg", ".HTML"])
        if self.faulty and self.chance(0.2):
            extension = self.pick([".xyz", ".", ".html/"])
        argv = ["export", "--out", self.out(extension)]
        if self.chance(0.5):
            formula = self.formula(small=True)
            argv += ["--expr", formula]
            values = self.assignments(formula)
            if values:
                argv += ["--set", *values]
        elif self.faulty and self.chance(0.2):
            argv += ["--set", "x=1"]
        if self.chance(0.2):
            argv += ["--format", value(["html", "gif", "pdf", "tex", "svg", "png"], ["doc", ""])]
        if self.chance(0.2):
            argv += ["--mode", value(["both", "forward", "backward"], ["sideways"])]
        if self.chance(0.3):
            argv += ["--steps", value(["0", "0,3-5", "1,1,1", "0-2"], ["2-1", "-1", "999", "a", "", "0-1000000000"])]
        if self.chance(0.15):
            argv += ["--title", self.pick(["", "Lección 1 ∂f", "😀" * 50, "t" * 5000, "<script>", "a\nb"])]
        if self.chance(0.2):
            argv += ["--dpi", value(["50", "72"], ["0", "-1", "100000", "x"])]
        if self.chance(0.2):
            argv += ["--size", value(["320x180", "160×90"], ["0x0", "99999x99999", "axb", ""])]
        if self.chance(0.15):
            argv += ["--duration", value(["100", "2000"], ["0", "-5", "99999999999", "x"])]
        if self.chance(0.2):
            argv += ["--theme", value(THEMES[:3], THEMES[3:])]
        if self.chance(0.15):
            argv += ["--precision", value(["3", "17"], ["0", "18"])]
        if self.chance(0.2):
            argv += ["--captions" if self.chance(0.5) else "--no-captions"]
        if self.chance(0.2):
            argv += ["--force"]
        return argv + ["--quiet"] * self.chance(0.6) + self.language()

    def noise(self) -> list[str]:
        words = [
            "demo", "render", "train", "export", "--out", "--set", "-h", "--help", "--version", "--lang", "es", "-q",
            "--", "-", "", "x", "--steps", "--format", "--no-such-option", "-x", "-2*x", "😀", "--force", "--max-nodes",
        ]  # fmt: skip
        argv = [self.pick(words) for _ in range(self.rng.randint(0, 6))]
        if self.chance(0.5):
            argv += ["--out", self.out()]  # whatever it means, nothing is written outside tmp_path
        return argv

    def argv(self) -> list[str]:
        self.faulty = self.chance(0.5)
        roll = self.rng.random()
        if roll < 0.42:
            return self.render()
        if roll < 0.52:
            return self.demo()
        if roll < 0.6:
            return self.train()
        if roll < 0.85:
            return self.export()
        self.faulty = True
        return self.noise()


# -- running a call -----------------------------------------------------------------------------------


class Hang(BaseException):
    """The call ran past CALL_LIMIT_S (a BaseException, so no `except Exception` in the CLI swallows it)."""


def _alarm(signum, frame):
    raise Hang()


def run_in_process(argv: list[str]) -> tuple[object, str, str, float]:
    """(status, stdout, stderr, seconds); the status is an escaped exception's traceback text when main raised."""
    stdout, stderr = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_LIMIT_S)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status: object = cli.main(argv)
    except Hang:
        status = f"hang: more than {CALL_LIMIT_S} s"
    except SystemExit as exit_:
        status = f"SystemExit({exit_.code!r}) escaped main"
    except BaseException:
        status = "exception escaped main:\n" + traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return status, stdout.getvalue(), stderr.getvalue(), time.perf_counter() - start


def run_as_process(argv: list[str], cwd) -> tuple[object, str, str, float]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gradviz", *argv],
            capture_output=True,
            timeout=CALL_LIMIT_S + 15,  # + the import of a fresh interpreter
            cwd=cwd,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    except subprocess.TimeoutExpired:
        return f"hang: more than {CALL_LIMIT_S + 15} s", "", "", time.perf_counter() - start
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    return done.returncode, out, err, time.perf_counter() - start


def problems_of(argv, status, out: str, err: str) -> list[str]:
    """What is wrong with one call's result (empty: it ended as the CLI promises)."""
    found = []
    if not isinstance(status, int):
        return [str(status)]
    if status not in DOCUMENTED:
        found.append(f"exit status {status} is not one of the documented {sorted(DOCUMENTED)}")
    if "Traceback" in out or "Traceback" in err:
        found.append("a Python traceback in the output")
    if "bug in gradviz" in err:
        found.append("an unexpected exception (main's last resort caught it): fix the cause")
    if status != cli.EXIT_OK and not err.strip():
        found.append(f"exit status {status} with nothing on stderr")
    if status != cli.EXIT_OK and err.strip():
        first = err.strip().splitlines()[0]
        if not (first.startswith("gradviz") or first.startswith("usage: gradviz")):
            found.append(f"stderr does not start with a gradviz message: {first[:120]!r}")
    return found


def report(failures: list) -> str:
    lines = [f"{len(failures)} command lines broke the CLI's promise; the first ones:"]
    for argv, status, problems, err in failures[:8]:
        problems = [f"exit status {status}", *problems]
        shown = [a if len(a) <= 60 else a[:57] + "..." for a in argv]
        lines.append(f"  gradviz {' '.join(map(repr, shown))}")
        lines.extend(f"      {p}" for p in problems)
        if err.strip():
            lines.append(f"      stderr: {err.strip()[-600:]}")
    return "\n".join(lines)


@pytest.fixture
def quiet_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a relative or empty --out writes here, never into the repository
    monkeypatch.delenv("GRADVIZ_LANG", raising=False)
    monkeypatch.delenv("GRADVIZ_RENDERER", raising=False)
    monkeypatch.delenv("GRADVIZ_LAYOUT_TIMEOUT", raising=False)
    return tmp_path


# -- the tests ----------------------------------------------------------------------------------------


def test_the_generator_is_seeded_and_covers_every_command(tmp_path):
    first = [Generator(SEED, str(tmp_path)).argv() for _ in range(1)]
    again = [Generator(SEED, str(tmp_path)).argv() for _ in range(1)]
    assert first == again
    generator = Generator(SEED, str(tmp_path))
    commands = {
        next((a for a in generator.argv() if a in ("demo", "render", "train", "export")), None) for _ in range(300)
    }
    assert {"demo", "render", "train", "export"} <= commands


def test_hundreds_of_random_command_lines_end_with_a_documented_status_a_message_and_no_traceback(
    quiet_environment,
):
    generator = Generator(SEED, str(quiet_environment / "out"))
    failures, slowest = [], (0.0, None)
    started = time.perf_counter()
    for _ in range(IN_PROCESS_CALLS):
        argv = generator.argv()
        status, out, err, seconds = run_in_process(argv)
        slowest = max(slowest, (seconds, argv), key=lambda pair: pair[0])
        problems = problems_of(argv, status, out, err)
        if problems:
            failures.append((argv, status, problems, err))
    assert not failures, report(failures)
    total = time.perf_counter() - started
    print(f"{IN_PROCESS_CALLS} calls in {total:.1f} s; the slowest {slowest[0]:.1f} s: {slowest[1]}")


def test_random_command_lines_as_real_processes_exit_cleanly_without_a_traceback_or_a_hang(quiet_environment):
    generator = Generator(SEED + 1, str(quiet_environment / "out"))
    # a real command line cannot hold a NUL character (the operating system ends each argument at one)
    calls = [[a.replace("\x00", "") for a in generator.argv()] for _ in range(SUBPROCESS_CALLS)]
    calls[:4] = [
        ["render", "+".join(["x"] * 100), "--set", "x=1", "--out", str(quiet_environment / "hundred")],
        ["render", "a" * 9999, "--set", "a" * 9999 + "=1", "--out", str(quiet_environment / "long")],
        ["render", "(x", "--lang", "es"],
        ["--no-such-option"],
    ]
    with ThreadPoolExecutor(max_workers=3) as pool:  # a fresh interpreter per call: three at a time
        results = list(pool.map(lambda argv: run_as_process(argv, quiet_environment), calls))
    failures = []
    for argv, (status, out, err, _) in zip(calls, results, strict=True):
        problems = problems_of(argv, status, out, err)
        if problems:
            failures.append((argv, status, problems, err))
    assert not failures, report(failures)
