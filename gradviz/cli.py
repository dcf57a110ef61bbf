"""The ``gradviz`` command line: ``demo`` (the worked example, step by step), ``render`` (any formula),
``train`` (a small network on a built-in dataset: curves, decision boundary, JSON summary) and ``export``
(a walkthrough as an HTML player, GIF, PDF, PowerPoint, LaTeX/Beamer or frames folder).

Heavy modules (the renderers) are imported inside the commands, so ``import gradviz.cli`` stays light.
``--lang es`` (before or after the command; default GRADVIZ_LANG, else English) gives Spanish captions,
pictures, players and messages; the ``--help`` text stays in English.

>>> main(["--version"])  # doctest: +ELLIPSIS
gradviz ...
0
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .i18n import LANGUAGES, language, message

__all__ = [
    "main",
    "build_parser",
    "EXIT_OK",
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "EXIT_NO_RENDERER",
    "EXIT_TOO_BIG",
    "EXIT_INTERRUPTED",
]

EXIT_OK = 0
"""The exit status of a command that did what it was asked.

>>> from gradviz.cli import EXIT_OK, main
>>> main(["--version"]) == EXIT_OK
gradviz ...
True
"""

EXIT_FAILURE = 1  # the files could not be written, or the work failed (a nan loss, a layout program's error)
"""The exit status when the files could not be written or the work failed: a training loss that became
nan, an error of the layout program, too little memory (the message on stderr says why).

>>> import os, tempfile
>>> from gradviz.cli import EXIT_FAILURE, main
>>> not_a_folder = os.path.join(tempfile.mkdtemp(), "notes.txt")
>>> open(not_a_folder, "w").close()
>>> main(["render", "x * 2", "--set", "x=3", "--out", os.path.join(not_a_folder, "pictures")]) == EXIT_FAILURE
True
"""

EXIT_USAGE = 2  # a bad command line or a bad expression (argparse uses 2 as well); files it refuses to touch
"""The exit status of a bad command line or formula (the message on stderr points at the mistake), and of
files in the way that gradviz did not write (the message names them; ``--force`` replaces them).

>>> import os, tempfile
>>> from gradviz.cli import EXIT_USAGE, main
>>> main(["render", "x +", "--quiet"]) == EXIT_USAGE   # the formula ends too early
True
>>> main(["render", "x * y", "--set", "x=2"]) == EXIT_USAGE   # y has no value
True
>>> folder = tempfile.mkdtemp()
>>> with open(os.path.join(folder, "graph.svg"), "w") as mine:
...     _ = mine.write("my drawing")
>>> main(["render", "x * 2", "--set", "x=3", "--out", folder]) == EXIT_USAGE   # not gradviz's graph.svg
True
"""

EXIT_NO_RENDERER = 3  # the requested format needs a program that is not installed (pdf without `dot`)
"""The exit status when the format asked for needs a program that is not installed: PDF without Graphviz's `dot`.

>>> import os, tempfile
>>> from unittest import mock
>>> from gradviz.cli import EXIT_NO_RENDERER, main
>>> folder = tempfile.mkdtemp()
>>> with mock.patch.dict(os.environ, {"GRADVIZ_RENDERER": "graphviz-pure"}):   # as if `dot` were missing
...     main(["render", "x * 2", "--set", "x=3", "--format", "pdf", "--out", folder]) == EXIT_NO_RENDERER
True
"""

EXIT_TOO_BIG = 4  # the pictures are over the layout budget, or the layout program ran past its time limit
"""The exit status when the pictures would take too long to lay out: a walkthrough (``--steps``) over the
layout budget, refused before any drawing, or a layout stopped at its time limit (GRADVIZ_LAYOUT_TIMEOUT,
30 s). The message says what to draw less of (``--max-nodes``, fewer ``--steps``) and how to raise the limit.

>>> import os, tempfile
>>> from unittest import mock
>>> from gradviz.cli import EXIT_TOO_BIG, main
>>> folder = tempfile.mkdtemp()
>>> with mock.patch.dict(os.environ, {"GRADVIZ_LAYOUT_TIMEOUT": "0.001"}):   # no layout can finish in 1 ms
...     main(["render", "x * 2", "--set", "x=3", "--out", folder]) == EXIT_TOO_BIG
True
"""

EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)
"""The exit status when the command was interrupted (Ctrl-C): one line on stderr, no traceback, and the
layout programs it started are stopped.

>>> from gradviz.cli import EXIT_INTERRUPTED
>>> EXIT_INTERRUPTED
130
"""

DEMO_FOLDER = "gradviz-demo"
RENDER_FOLDER = "gradviz-render"


class _UsageError(Exception):
    """A command-line mistake found after argparse: printed as one message, exit status 2."""


def _usage(key: str, **fields) -> _UsageError:
    """A _UsageError whose text is the catalogue's sentence `key` in the language in use."""
    return _UsageError(message(key, **fields))


_LANG_HELP = (
    "the language of captions, pictures and messages: en (English) or es (español); default: GRADVIZ_LANG, else en"
)


def _add_language_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default=default, metavar="{en,es}", help=_LANG_HELP)


# -- the parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``gradviz`` and its subcommands (each subcommand sets ``run``).

    >>> build_parser().parse_args(["demo", "--out", "lesson"]).out
    'lesson'
    """
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="gradviz",
        description="gradviz: an autograd engine built to be looked at. Draw a computation graph, "
        "forward and backward, one step at a time.",
        epilog="Start with `gradviz demo`, then open gradviz-demo/index.html in a browser.",
    )
    parser.add_argument("--version", action="version", version=f"gradviz {__version__}")
    _add_language_option(parser, None)
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(commands)
    for command in commands.choices.values():  # `gradviz demo --lang es` works as well as `gradviz --lang es demo`
        _add_language_option(command, argparse.SUPPRESS)
    return parser


def _add_picture_options(command: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    command.add_argument(
        "--format", choices=formats, default="svg", help="the file format of each picture (default: svg)"
    )
    command.add_argument(
        "--theme", default="light", metavar="THEME", help="the colour theme: light (default), print or dark"
    )
    command.add_argument(
        "--rankdir",
        type=str.upper,
        choices=["LR", "TB", "RL", "BT"],
        default="LR",
        help="the layout: LR left to right (default), TB top to bottom",
    )
    command.add_argument(
        "--precision", type=int, default=4, metavar="DIGITS", help="significant digits of numbers (default: 4)"
    )
    command.add_argument("--captions", action="store_true", help="also write each step's caption under its picture")
    command.add_argument(
        "--max-nodes",
        type=int,
        default=None,
        metavar="N",
        help="the node budget of a picture: past N nodes (or 10·N bends of long edges) the nodes furthest from "
        "the output are hidden in one box (default: 150)",
    )
    _add_focus_option(command)
    command.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    _add_force_option(command)


def _add_focus_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--focus",
        choices=["auto", "on", "off"],
        default="auto",
        help="big graphs (more than 14 value nodes, or a chain of more than 5) drawn as each step's focus — the "
        "active node, its inputs and outputs and the output, the rest folded, with an overview (auto, the "
        "default); on always; off draws every node",
    )


def _add_force_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--force",
        action="store_true",
        help="replace files in the way that gradviz did not write (without it, gradviz refuses, names them and "
        "writes nothing; files it wrote itself are always replaced)",
    )


def _add_demo(commands) -> None:
    command = commands.add_parser(
        "demo",
        help="write the worked example f = (x + y)·z, step by step, with an HTML player",
        description="Write the course's worked example f = (x + y)·z with x = −2, y = 5, z = −4 as one "
        "picture per step (the graph, each forward op, each backward step, the result) and a "
        "self-contained index.html that steps through them: buttons, ← → keys, space to play.",
    )
    command.add_argument(
        "--out", default=DEMO_FOLDER, metavar="DIR", help=f"the folder to write into (default: ./{DEMO_FOLDER}/)"
    )
    _add_picture_options(command, ["svg", "png"])
    command.set_defaults(run=_run_demo)


def _formula_help() -> str:
    """What a formula may hold, for --help: the functions are the parser's own table (the op registry's)."""
    from .expr import FUNCTIONS

    return (
        "The formula is checked against a whitelist (numbers, variables, pi, e, + - * / **, and the functions "
        f"{', '.join(sorted(FUNCTIONS))}); it is never run as Python code. Statements separated by ; or line "
        "breaks name intermediates, which pictures and captions then show by name: "
        '"q = x + y; f = q * z" (each name assigned once, before it is used; the last statement is the '
        "output). The course's functions: mse(p, y) and bce(p, y) are the squared error and the binary "
        "cross-entropy of one prediction p (y is the target, taken as data), softmax(z1, z2, ...) gives one "
        "probability per argument, read as softmax(z1, z2)[0] or named: p1, p2 = softmax(z1, z2)."
    )


def _add_render(commands) -> None:
    command = commands.add_parser(
        "render",
        help='draw the graph of a formula, e.g. render "q = x + y; f = q * z" --set x=-2 y=5 z=-4',
        description="Draw the computation graph of a formula of the course's functions after the "
        "backward pass (values and gradients), or every step of it with --steps. " + _formula_help(),
        epilog='Examples: gradviz render "(x + y) * z" --set x=-2 y=5 z=-4;  gradviz render '
        '"p = sigmoid(w*x + b); L = bce(p, y)" --set w=0.5 x=2 b=-1 y=1. '
        "A formula that is just a negated name reads as an option: write it with a space first, ' -x'.",
    )
    command.add_argument(
        "expression", metavar="EXPR", help='the formula, e.g. "tanh(w*x + b)" or "q = x + y; f = q * z"'
    )
    command.add_argument(
        "--set",
        dest="assignments",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=VALUE",
        help="the value of each variable, e.g. --set x=-2 y=5 z=-4 (a value may be a constant formula: pi/4)",
    )
    command.add_argument(
        "--steps",
        action="store_true",
        help="write every step (step-000.svg, ...) and an index.html player instead of one picture",
    )
    command.add_argument(
        "--out", default=RENDER_FOLDER, metavar="DIR", help=f"the folder to write into (default: ./{RENDER_FOLDER}/)"
    )
    _add_picture_options(command, ["svg", "png", "pdf"])
    command.set_defaults(run=_run_render)


TRAIN_FOLDER = "gradviz-train"
TRAIN_DATASETS = ("moons", "circles", "spirals", "xor", "blobs", "iris", "digits")
_TWO_D = ("moons", "circles", "spirals", "xor", "blobs")
_DEFAULT_NOISE = {"moons": 0.2, "circles": 0.1, "spirals": 0.1, "xor": 0.1, "blobs": 1.0}


def _add_train(commands) -> None:
    command = commands.add_parser(
        "train",
        help="train a small network on a built-in dataset: loss curves, decision boundary, JSON summary",
        description="Train an MLP (gradviz.keras: Dense layers, the optimizer of your choice) on one of the "
        "built-in datasets, holding out a stratified test split, and write the loss/accuracy curves "
        "(curves.png), the decision boundary for 2-D data (boundary.png) and a summary (summary.json). "
        "Features are standardised with the training split's mean and deviation. Two classes end in one "
        "sigmoid unit with binary cross-entropy, more in softmax with categorical cross-entropy.",
        epilog="Example: gradviz train --dataset moons --hidden 16,16 --activation relu --optimizer adam --epochs 100",
    )
    command.add_argument(
        "--dataset", default="moons", metavar="NAME", help=f"one of {', '.join(TRAIN_DATASETS)} (default: moons)"
    )
    command.add_argument(
        "--hidden", default="16,16", metavar="SIZES", help="hidden layer sizes, comma-separated (default: 16,16)"
    )
    command.add_argument(
        "--activation",
        default="relu",
        metavar="NAME",
        help="hidden activation: relu (default), tanh, sigmoid, leaky_relu",
    )
    command.add_argument(
        "--optimizer",
        default="adam",
        metavar="NAME",
        help="sgd, momentum, nesterov, adagrad, adadelta, rmsprop, adam (default) or adamw",
    )
    command.add_argument(
        "--lr", type=float, default=None, metavar="RATE", help="learning rate (default: 0.01; adadelta: 1.0)"
    )
    command.add_argument("--epochs", type=int, default=100, metavar="N", help="passes over the data (default: 100)")
    command.add_argument("--batch-size", type=int, default=32, metavar="N", help="mini-batch size (default: 32)")
    command.add_argument(
        "--seed", type=int, default=0, help="seed of the data, the weights and the shuffling (default: 0)"
    )
    command.add_argument(
        "--samples", type=int, default=400, metavar="N", help="points of the 2-D datasets (default: 400)"
    )
    command.add_argument(
        "--noise", type=float, default=None, metavar="STD", help="noise of the 2-D datasets (default: per dataset)"
    )
    command.add_argument(
        "--test-size", type=float, default=0.2, metavar="FRACTION", help="held-out fraction (default: 0.2)"
    )
    command.add_argument(
        "--out", default=TRAIN_FOLDER, metavar="DIR", help=f"the folder to write into (default: ./{TRAIN_FOLDER}/)"
    )
    command.add_argument("--verbose", "-v", action="store_true", help="print one line per epoch")
    command.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    _add_force_option(command)
    command.set_defaults(run=_run_train)


EXPORT_FILE = "walkthrough.html"


def _add_export(commands) -> None:
    command = commands.add_parser(
        "export",
        help="export a backprop walkthrough as an HTML player, GIF, PDF, PowerPoint, LaTeX/Beamer or frames folder",
        description="Record the forward and backward pass of a formula (the course's worked example "
        "f = (x + y)·z with x = -2, y = 5, z = -4 unless --expr is given) and write every step to one file "
        "ready to project. The format comes from the extension of --out: .html (a self-contained player), "
        '.gif, .pdf (one page per step), .pptx (one slide per step; needs pip install "gradviz[slides]"), '
        ".tex (LaTeX/Beamer, pictures beside it), or a name without an extension for a folder of "
        "step-000.svg ... (--format png for PNGs). " + _formula_help(),
        epilog='Example: gradviz export --expr "q = x + y; f = q * z" --set x=-2 y=5 z=-4 --out walkthrough.pptx',
    )
    command.add_argument(
        "--expr", default=None, metavar="EXPR", help="the formula or statements (default: the worked example)"
    )
    command.add_argument(
        "--set",
        dest="assignments",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=VALUE",
        help="the value of each variable of --expr, e.g. --set x=-2 y=5 z=-4",
    )
    command.add_argument(
        "--out", default=EXPORT_FILE, metavar="PATH", help=f"the file (or folder) to write (default: ./{EXPORT_FILE})"
    )
    command.add_argument(
        "--format",
        default=None,
        metavar="FORMAT",
        help="html, gif, pdf, pptx, tex, svg or png (default: from the extension of --out)",
    )
    command.add_argument(
        "--theme", default="light", metavar="THEME", help="the colour theme: light (default), print or dark"
    )
    command.add_argument(
        "--mode",
        choices=["both", "forward", "backward"],
        default="both",
        help="which passes to show (default: both)",
    )
    command.add_argument(
        "--steps", default=None, metavar="LIST", help="the steps to keep, counted from 0: e.g. 0,3-5 (default: all)"
    )
    command.add_argument("--title", default=None, help="the title of the page, deck or document")
    command.add_argument("--dpi", type=int, default=None, help="resolution of pixel pictures (gif, pptx, raster pdf)")
    command.add_argument(
        "--size", default=None, metavar="WxH", help="the GIF / raster PDF canvas in pixels, e.g. 960x540"
    )
    command.add_argument(
        "--duration", type=int, default=1500, metavar="MS", help="milliseconds per step in a GIF or the player"
    )
    command.add_argument(
        "--rankdir",
        type=str.upper,
        choices=["LR", "TB", "RL", "BT"],
        default="LR",
        help="the layout: LR left to right (default), TB top to bottom",
    )
    command.add_argument(
        "--precision", type=int, default=4, metavar="DIGITS", help="significant digits of numbers (default: 4)"
    )
    command.add_argument(
        "--captions",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw each step's caption under its picture (default: yes in gif and pdf, no elsewhere)",
    )
    command.add_argument(
        "--aspect",
        choices=["16:9", "4:3"],
        default="16:9",
        help="the shape of PDF and PowerPoint pages (default: 16:9)",
    )
    command.add_argument(
        "--train",
        default=None,
        metavar="SPEC",
        help="make the lesson a few training steps that minimise the formula: e.g. --train lr=0.1,iterations=3 "
        "(also optimizer=sgd|momentum|nesterov|adagrad|rmsprop|adam); each iteration ends with its update "
        "frames, the last frame lists the loss per iteration",
    )
    command.add_argument(
        "--params",
        nargs="+",
        default=None,
        metavar="NAME",
        help="with --train: the variables the optimizer changes (default: every variable of --set)",
    )
    _add_focus_option(command)
    command.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    _add_force_option(command)
    command.set_defaults(run=_run_export)


_MOST_STEPS = 100_000  # more steps than any walkthrough gradviz can draw in time
_MOST_DPI = 600
_MOST_DURATION_MS = 600_000  # ten minutes a step
_MOST_SIDE = 7680  # pixels of a side of the GIF / raster PDF canvas (8K)
_MOST_PIXELS = 3840 * 2160  # and of the whole canvas (4K)


def _steps_list(text: str | None) -> list[int] | None:
    """'0,3-5' as [0, 3, 4, 5]."""
    if text is None:
        return None
    chosen: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            start, end = (int(first), int(last)) if dash else (int(first), int(first))
        except ValueError:
            raise _usage("cli.steps_bad", text=repr(text)) from None
        if end < start or end - start + len(chosen) >= _MOST_STEPS:  # 5-2 is empty; 0-1000000000 too many
            raise _usage("cli.steps_bad", text=repr(text))
        chosen.extend(range(start, end + 1))
    return chosen


def _size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if match is None:
        raise _usage("cli.size_bad", text=repr(text))
    width, height = int(match.group(1)), int(match.group(2))
    if not (16 <= width <= _MOST_SIDE and 16 <= height <= _MOST_SIDE and width * height <= _MOST_PIXELS):
        raise _usage("cli.size_range", text=repr(text), side=_MOST_SIDE, most="3840×2160")
    return width, height


def _check_export(recorded, steps: list[int] | None, mode: str) -> None:
    """The walkthrough budget for `gradviz export`, before anything is drawn, in the command line's words."""
    from .export._common import check_walkthrough
    from .viz import frames
    from .viz.collapse import DEFAULT_MAX_NODES

    walkthrough = frames(recorded)
    count = len(walkthrough) if steps is None else len(set(steps))
    if mode != "both" and steps is None:
        count = (count + 1) // 2
    check_walkthrough(walkthrough, count, DEFAULT_MAX_NODES, "cli.walkthrough_advice_export")


def _run_export(args: argparse.Namespace) -> int:
    from . import Value, trace
    from .export import FilesRefused, MissingDependency, export, format_of

    if not args.out.strip():
        raise _usage("cli.out_empty")
    try:
        format_of(args.out, args.format)
    except ValueError as error:
        raise _UsageError(str(error)) from None
    from .export._common import check_precision, check_theme

    steps, size = _steps_list(args.steps), _size(args.size)
    check_theme(args.theme, "--theme")
    check_precision(args.precision, "--precision")
    if args.dpi is not None and not 10 <= args.dpi <= _MOST_DPI:
        raise _usage("cli.dpi_bad", value=args.dpi, most=_MOST_DPI)
    if not 1 <= args.duration <= _MOST_DURATION_MS:
        raise _usage("cli.duration_bad", value=args.duration, most=f"{_MOST_DURATION_MS:,}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.expr is None:
            if args.assignments:
                raise _usage("cli.set_without_expr")
            recorded, _ = _worked_example()
            title = args.title or message("cli.export_demo_title")
        else:
            from .expr import parse

            expression = parse(args.expr)
            values = _assignments(args.assignments, expression)
            training = _training(args.train, args.params, values)
            leaves = {
                name: Value(number, label=name, requires_grad=training is None or name in training.params)
                for name, number in values.items()
            }
            optimizer = training.optimizer([leaves[name] for name in training.params]) if training else None
            with trace() as recorded:
                for _ in range(training.iterations if training else 1):
                    if optimizer is not None:
                        optimizer.zero_grad()
                    output = expression.evaluate(leaves)
                    if not output.requires_grad:
                        raise _usage("cli.no_variables_steps", expression=repr(args.expr))
                    output.backward()
                    if optimizer is not None:
                        optimizer.step()
            title = args.title or message("cli.export_title", formula=_formula_line(expression, output.label))
        _check_export(recorded, steps, args.mode)
        try:
            result = export(
                recorded,
                args.out,
                format=args.format,
                theme=args.theme,
                mode=args.mode,
                steps=steps,
                size=size,
                dpi=args.dpi,
                title=title,
                rankdir=args.rankdir,
                precision=args.precision,
                duration_ms=args.duration,
                captions=args.captions,
                overwrite=args.force,
                aspect=args.aspect,
                focus=_FOCUS[args.focus],
            )
        except FilesRefused as error:
            raise _refused(error) from None
        except MissingDependency as error:
            raise _UsageError(str(error)) from None
        except (ValueError, IndexError, TypeError) as error:
            raise _UsageError(str(error)) from None
    _report_warnings(caught)
    if not args.quiet:
        _say(f"gradviz export: {result.message}", sys.stdout)
    return EXIT_OK


_COMMANDS: list[Callable[[Any], None]] = [_add_demo, _add_render, _add_train, _add_export]


# -- entry point ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gradviz`` with `argv` (default: the process's arguments) and return the exit status.

    0: done; 1: files could not be written; 2: a bad command line or expression, or files in the way that
    gradviz did not write (``--force`` replaces them); 3: the format's renderer is missing (pdf needs
    Graphviz's ``dot``).

    >>> import os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), "lesson")
    >>> main(["render", "(x + y) * z", "--set", "x=-2", "y=5", "z=-4", "--out", folder])
    f = (x + y) * z = -12  with x = -2, y = 5, z = -4
    gradients: ∂f/∂x = -4,  ∂f/∂y = -4,  ∂f/∂z = 3
    wrote .../lesson/graph.svg
    0
    >>> main(["--lang", "es", "render", "x +"])   # a mistake: the message goes to stderr, the status is 2
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    argv = _formulas_as_positionals(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and argparse's own errors
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else EXIT_USAGE)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return EXIT_OK
    chosen = getattr(args, "lang", None)
    with language(chosen) if chosen else nullcontext():  # main() leaves the caller's language as it was
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the command; every failure becomes a message on stderr and its exit status, never a traceback."""
    from .errors import GradvizError
    from .export import OptionError, WalkthroughTooBig
    from .expr import ExpressionError
    from .viz import RendererNotFound
    from .viz.render import LayoutTimeout

    command = args.command
    try:
        return args.run(args)
    except (ExpressionError, OptionError, _UsageError) as error:
        _say(f"gradviz {command}: {error}", sys.stderr)
        return EXIT_USAGE
    except RendererNotFound as error:
        _say(f"gradviz {command}: {error}", sys.stderr)
        return EXIT_NO_RENDERER
    except (LayoutTimeout, WalkthroughTooBig) as error:
        _say(f"gradviz {command}: {_one_line(error)}", sys.stderr)
        return EXIT_TOO_BIG
    except GradvizError as error:
        _say(f"gradviz {command}: {_one_line(error)}", sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        _say(message("cli.cannot_write", command=command, error=_one_line(error)), sys.stderr)
        return EXIT_FAILURE
    except MemoryError:
        _say(message("cli.out_of_memory", command=command), sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _say(message("cli.interrupted", command=command), sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: still one line, and a way to see the traceback
        if os.environ.get("GRADVIZ_DEBUG"):
            raise
        _say(
            message("cli.internal_error", command=command, error=_one_line(f"{type(error).__name__}: {error}")),
            sys.stderr,
        )
        return EXIT_FAILURE


def _one_line(error: object, limit: int = 2000) -> str:
    """An error's text on one line, cut at `limit` characters (a layout program may echo a whole label)."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _formulas_as_positionals(argv: list[str]) -> list[str]:
    """A formula that starts with '-' (``-x*y``, ``-2*x + 1``) would read as an unknown option:
    a leading space makes argparse take it as the EXPR it is (the parser ignores the space)."""
    commands = [i for i, item in enumerate(argv) if not item.startswith("-")]
    if not commands or argv[commands[0]] != "render":
        return argv
    start = commands[0] + 1
    for i in range(start, len(argv)):
        item = argv[i]
        if item == "--":
            break
        if item.startswith("-") and not item.startswith("--") and any(c in item[1:] for c in "+-*/()"):
            argv[i] = " " + item
    return argv


# -- the commands ---------------------------------------------------------------------------------


def _worked_example():
    """The course's f = (x + y)·z at x = −2, y = 5, z = −4, recorded with its backward pass: (trace, nodes)."""
    from . import Value, trace

    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as recorded:
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        f.backward()
    return recorded, (x, y, z, q, f)


def _run_demo(args: argparse.Namespace) -> int:
    from .export import FilesRefused

    options = _picture_options(args, message("cli.demo_title"))  # the flags checked before any work
    out = _folder(args.out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        recorded, (x, y, z, q, f) = _worked_example()
        try:
            written = _write_steps(recorded, out, args.format, options, args)
        except FilesRefused as error:
            raise _refused(error) from None
    _report_warnings(caught)
    if not args.quiet:
        _say(message("cli.demo_intro"), sys.stdout)
        _say_written(written, out, args.format)
        _say(message("cli.demo_forward", q=_n(q.data), f=_n(f.data)), sys.stdout)
        gradients = ",  ".join(f"∂f/∂{node.label} = {_n(node.grad)}" for node in (q, z, x, y))
        _say(message("cli.demo_backward", gradients=gradients), sys.stdout)
    return EXIT_OK


def _run_render(args: argparse.Namespace) -> int:
    from . import Value, trace
    from .export import FilesRefused
    from .expr import parse

    options = _picture_options(args)  # the flags checked before any work
    expression = parse(args.expression)
    values = _assignments(args.assignments, expression)
    out = _folder(args.out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with trace() as recorded:
            leaves = {name: Value(number, label=name) for name, number in values.items()}
            named = expression.evaluate_all(leaves)
            output = list(named.values())[-1]
            if not output.requires_grad:
                raise _usage("cli.no_variables_graph", expression=repr(args.expression))
            output.backward()
        title = f"gradviz: {_formula_line(expression, output.label)}"
        try:
            if args.steps:
                written = _write_steps(recorded, out, args.format, dataclasses.replace(options, title=title), args)
            else:
                written = [_write_final(output, out, args.format, options, args)]
        except FilesRefused as error:
            raise _refused(error) from None
    _report_warnings(caught)
    if not args.quiet:
        for line in _statement_lines(expression, named):
            _say(line, sys.stdout)
        given = ", ".join(f"{name} = {_n(values[name])}" for name in expression.variables)
        formula = expression.statements[-1].formula
        shown = formula if len(formula) <= 80 else formula[:79] + "…"
        equation = (
            f"{output.label} = {_n(output.data)}"
            if shown == output.label
            else f"{output.label} = {shown} = {_n(output.data)}"
        )
        _say(message("cli.render_result", equation=equation, given=given), sys.stdout)
        intermediates = [name for name in named if name not in expression.variables and named[name] is not output]
        gradients = ",  ".join(
            f"∂{output.label}/∂{name} = {_n(named[name].grad)}" for name in [*expression.variables, *intermediates]
        )
        _say(message("cli.render_gradients", gradients=gradients), sys.stdout)
        _say_written(written, out, args.format)
    return EXIT_OK


def _formula_line(expression, output_label: str) -> str:
    """The formula on one line with its output named: ``f = (x + y) * z``, ``q = x + y; f = q * z``."""
    *first, last = expression.statements
    shown = last.text if last.names or last.text == output_label else f"{output_label} = {last.text}"
    return "; ".join([*(statement.text for statement in first), shown])


def _statement_lines(expression, named: dict) -> list[str]:
    """One line per statement before the output, with the value it names: ``q = x + y = 3``."""
    lines = []
    for statement in expression.statements[:-1]:
        if len(statement.names) == 1 and statement.names[0] in named:
            lines.append(f"{statement.text} = {_n(named[statement.names[0]].data)}")
            continue
        known = [  # a softmax's values, those the formula reads: p[0] = 0.2689, or p1 = 0.2689
            f"{name} = {_n(node.data)}"
            for name, node in named.items()
            if name in statement.names or any(name.startswith(f"{n}[") for n in statement.names)
        ]
        lines.append(f"{statement.text}: {', '.join(known)}" if known else statement.text)
    return lines


def _train_options(args: argparse.Namespace) -> dict:
    """The checked options of `gradviz train` (a _UsageError names the option and the valid values)."""
    from .keras import OPTIMIZERS
    from .nn import activation_names

    dataset = args.dataset.lower()
    if dataset not in TRAIN_DATASETS:
        raise _usage("cli.dataset_bad", value=repr(args.dataset), choices=", ".join(TRAIN_DATASETS))
    hidden_activations = [name for name in activation_names() if name not in ("softmax", "leakyrelu", "none")]
    activation = args.activation.lower().replace("-", "_")
    if activation not in hidden_activations:
        raise _usage("cli.activation_bad", value=repr(args.activation), choices=", ".join(hidden_activations))
    optimizer = args.optimizer.lower()
    if optimizer not in OPTIMIZERS:
        raise _usage("cli.optimizer_bad", value=repr(args.optimizer), choices=", ".join(OPTIMIZERS))
    hidden = _hidden_sizes(args.hidden)
    for name, value in (("--epochs", args.epochs), ("--batch-size", args.batch_size), ("--samples", args.samples)):
        if value < 1:
            raise _usage("cli.positive_bad", option=name, value=value)
    if dataset in _TWO_D and args.samples < 10:
        raise _usage("cli.samples_bad", value=args.samples)
    rate = args.lr if args.lr is not None else (1.0 if optimizer == "adadelta" else 0.01)
    if not 0 < rate < float("inf"):  # nan too; a rate that diverges is a lesson: the run stops at the nan loss
        raise _usage("cli.lr_bad", value=args.lr)
    noise = _DEFAULT_NOISE.get(dataset, 0.0) if args.noise is None else args.noise
    if not 0 <= noise <= _MOST_NOISE:  # nan too; 1e308 would overflow the standardised features
        raise _usage("cli.noise_bad", value=args.noise, most=f"{_MOST_NOISE:g}")
    if not 0.0 < args.test_size < 1.0:
        raise _usage("cli.test_size_bad", value=args.test_size)
    return {
        "dataset": dataset,
        "activation": activation,
        "optimizer": optimizer,
        "hidden": hidden,
        "lr": float(rate),
        "noise": float(noise),
    }


_MOST_NOISE = 1000.0


def _hidden_sizes(text: str) -> list[int]:
    """'16,16' → [16, 16]; '' or 'none' → [] (no hidden layer: logistic/softmax regression)."""
    cleaned = text.strip()
    if cleaned.lower() in ("", "none", "0"):
        return []
    sizes = []
    for part in cleaned.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise _usage("cli.hidden_bad", text=repr(text), part=repr(part))
        sizes.append(int(part))
    return sizes


def _training_data(name: str, samples: int, noise: float, seed: int):
    """(X, y, class names, description) of a built-in dataset."""
    from . import data

    makers = {
        "moons": lambda: data.make_moons(samples, noise=noise, seed=seed),
        "circles": lambda: data.make_circles(samples, noise=noise, factor=0.5, seed=seed),
        "spirals": lambda: data.make_spirals(samples, classes=2, noise=noise, seed=seed),
        "xor": lambda: data.make_xor(samples, noise=noise, seed=seed),
        "blobs": lambda: data.make_blobs(samples, centers=3, std=noise, seed=seed),
    }
    if name in makers:
        X, y = makers[name]()
        classes = tuple(message("cli.class_name", number=k) for k in np.unique(y).astype(int))
        return np.asarray(X, dtype=float), np.asarray(y).astype(np.int64), classes
    dataset = data.load_iris() if name == "iris" else data.load_digits()
    return np.asarray(dataset.X, dtype=float), np.asarray(dataset.y).astype(np.int64), tuple(dataset.target_names)


def _run_train(args: argparse.Namespace) -> int:
    import json
    import time

    from . import __version__, data, keras
    from .export._files import FilesRefused, refuse_overwrites, write_files
    from .keras import NonFiniteLossError

    options = _train_options(args)
    out = _folder(args.out)
    X, y, class_names = _training_data(options["dataset"], args.samples, options["noise"], args.seed)
    names = ["curves.png", "boundary.png", "summary.json"] if X.shape[1] == 2 else ["curves.png", "summary.json"]
    try:  # before the training: a file in the way is found in a moment, not after the last epoch
        refuse_overwrites([out / name for name in names], overwrite=args.force)
    except FilesRefused as error:
        raise _refused(error) from None
    n_classes = len(class_names)
    try:
        X_train, X_test, y_train, y_test = data.train_test_split(
            X, y, test_size=args.test_size, seed=args.seed, stratify=y
        )
    except ValueError as error:  # too few samples for every class on both sides
        raise _usage("cli.split_bad", reason=error) from None
    scaler = data.Standardizer().fit(X_train)
    X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)
    binary = n_classes == 2
    layers = [keras.Dense(units, activation=options["activation"]) for units in options["hidden"]]
    layers.append(keras.Dense(1, activation="sigmoid") if binary else keras.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers, seed=args.seed)
    loss = "binary_crossentropy" if binary else "sparse_categorical_crossentropy"
    model.compile(optimizer=options["optimizer"], loss=loss, metrics=["accuracy"], learning_rate=options["lr"])
    sizes = [X.shape[1], *options["hidden"], 1 if binary else n_classes]
    shape = "-".join(map(str, sizes))
    if not args.quiet:
        intro = message(
            "cli.train_intro",
            dataset=options["dataset"],
            samples=len(X),
            features=X.shape[1],
            classes=n_classes,
            train=len(X_train),
            test=len(X_test),
            shape=shape,
            activation=options["activation"],
            optimizer=options["optimizer"],
            lr=f"{options['lr']:g}",
            epochs=args.epochs,
            batch=args.batch_size,
        )
        _say(intro, sys.stdout)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            history = model.fit(
                X_train_s,
                y_train,
                epochs=args.epochs,
                batch_size=args.batch_size,
                validation_data=(X_test_s, y_test),
                verbose=2 if args.verbose and not args.quiet else 0,
                seed=args.seed,
                callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)],  # a diverged run stops and says why
            )
        except NonFiniteLossError as error:
            _say(f"gradviz train: {error}", sys.stderr)
            return EXIT_FAILURE
    seconds = time.perf_counter() - start
    _report_warnings(caught)
    final = {key: float(values[-1]) for key, values in history.history.items()}
    test = model.evaluate(X_test_s, y_test, return_dict=True, verbose=0)
    train = model.evaluate(X_train_s, y_train, return_dict=True, verbose=0)
    outputs: dict[Path, bytes] = {}
    plots_missing = None
    try:
        outputs.update(_training_plots(model, history, scaler, X, y, class_names, options, shape, out))
    except ImportError as error:
        plots_missing = str(error)
    summary = {
        "gradviz": __version__,
        "dataset": {
            "name": options["dataset"],
            "samples": int(len(X)),
            "features": int(X.shape[1]),
            "classes": list(class_names),
            "train_samples": int(len(X_train)),
            "test_samples": int(len(X_test)),
            "noise": options["noise"] if options["dataset"] in _TWO_D else None,
            "standardized": True,
        },
        "model": {
            "layers": sizes,
            "activation": options["activation"],
            "output_activation": "sigmoid" if binary else "softmax",
            "loss": loss,
            "parameters": int(model.num_parameters()),
        },
        "optimizer": {"name": options["optimizer"], "lr": options["lr"]},
        "epochs": int(len(history.epoch)),
        "batch_size": int(args.batch_size),
        "seed": int(args.seed),
        "final": {
            "loss": final.get("loss"),
            "accuracy": final.get("accuracy"),
            "val_loss": final.get("val_loss"),
            "val_accuracy": final.get("val_accuracy"),
            "train_loss": float(train["loss"]),
            "train_accuracy": float(train["accuracy"]),
            "test_loss": float(test["loss"]),
            "test_accuracy": float(test["accuracy"]),
        },
        "history": {key: [float(v) for v in values] for key, values in history.history.items()},
        "time_s": round(seconds, 3),
        "files": [p.name for p in outputs] + ["summary.json"],
    }
    text = json.dumps(_finite_json(summary), indent=2, allow_nan=False) + "\n"
    outputs[out / "summary.json"] = text.encode("utf-8")
    try:
        written = write_files(outputs, overwrite=args.force)
    except FilesRefused as error:
        raise _refused(error) from None
    if not args.quiet:
        result = message(
            "cli.train_result",
            epochs=summary["epochs"],
            seconds=f"{seconds:.1f}",
            train_loss=_n(train["loss"]),
            train_accuracy=_n(train["accuracy"]),
            test_loss=_n(test["loss"]),
            test_accuracy=_n(test["accuracy"]),
        )
        _say(result, sys.stdout)
        for path in written:
            _say(message("cli.wrote", path=path), sys.stdout)
    if plots_missing is not None:
        _say(message("cli.no_plots", reason=plots_missing), sys.stderr)
    return EXIT_OK


def _finite_json(value):
    """nan/inf (not JSON) become null."""
    if isinstance(value, dict):
        return {key: _finite_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_json(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _training_plots(model, history, scaler, X, y, class_names, options, shape, out: Path) -> dict[Path, bytes]:
    """curves.png and, for 2-D data, boundary.png, as {path: PNG bytes} (raises ImportError without matplotlib)."""
    import io

    from .viz.plots import plot_decision_boundary, plot_history

    def png(figure) -> bytes:
        stream = io.BytesIO()
        figure.savefig(stream, dpi=120, format="png")
        return stream.getvalue()

    title = f"{options['dataset']}: MLP {shape} {options['activation']}, {options['optimizer']} lr {options['lr']:g}"
    written = {out / "curves.png": png(plot_history(history, title=title))}
    if X.shape[1] == 2:

        def scores(points):
            return model.predict(scaler.transform(points), verbose=0)

        figure = plot_decision_boundary(
            scores,
            X,
            y,
            resolution=150,
            title=message("cli.boundary_title", title=title),
            class_names=list(class_names),
        )
        written[out / "boundary.png"] = png(figure)
    return written


# -- helpers ------------------------------------------------------------------------------------


def _picture_options(args: argparse.Namespace, title: str | None = None):
    """The picture flags as gradviz.export's Options, each checked by the function the Python API uses."""
    from .export._common import Options, check_max_nodes, check_precision, check_theme
    from .viz.collapse import DEFAULT_MAX_NODES

    return Options(
        theme=check_theme(args.theme, "--theme"),
        rankdir=args.rankdir,
        precision=check_precision(args.precision, "--precision"),
        max_nodes=check_max_nodes(DEFAULT_MAX_NODES if args.max_nodes is None else args.max_nodes, "--max-nodes"),
        title=title,
        overwrite=bool(args.force),
        focus=_FOCUS[getattr(args, "focus", "auto")],
    )


_FOCUS = {"auto": "auto", "on": True, "off": False}  # --focus as export's focus=


class _Training(NamedTuple):
    """What --train and --params ask for: the optimizer (made from the parameters), the iterations, the names."""

    optimizer: Callable
    iterations: int
    params: tuple[str, ...]


_OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
}
_MOST_ITERATIONS = 50  # a lesson, not a training run


def _training(spec: str | None, params: list[str] | None, values: dict) -> _Training | None:
    """--train lr=0.1,iterations=3[,optimizer=adam] and --params, checked; None without --train."""
    if spec is None:
        if params:
            raise _usage("cli.params_without_train")
        return None
    from . import optim

    fields: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in ("lr", "iterations", "optimizer"):
            raise _usage("cli.train_bad", part=part)
        fields[key.strip()] = value.strip()
    try:
        lr = float(fields.get("lr", "0.1"))
        iterations = int(fields.get("iterations", "3"))
    except ValueError:
        raise _usage("cli.train_bad", part=spec) from None
    if not (lr > 0 and math.isfinite(lr)) or not 1 <= iterations <= _MOST_ITERATIONS:
        raise _usage("cli.train_bad", part=spec)
    name = fields.get("optimizer", "sgd").lower()
    if name not in _OPTIMIZERS:
        raise _usage("cli.train_optimizer", name=name, choices=", ".join(_OPTIMIZERS))
    cls, options = _OPTIMIZERS[name]
    chosen = tuple(params or values)
    unknown = [p for p in chosen if p not in values]
    if unknown:
        raise _usage("cli.params_unknown", names=", ".join(unknown), known=", ".join(values) or "-")
    optimizer_class = getattr(optim, cls)
    return _Training(lambda leaves: optimizer_class(leaves, lr=lr, **options), iterations, chosen)


def _folder(text: str) -> Path:
    """The folder of --out; an empty --out is refused rather than taken as the current folder."""
    if not text.strip():
        raise _usage("cli.out_empty")
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise _usage("cli.out_is_file", path=text)
    return out


def _refused(error) -> _UsageError:
    """gradviz.export.FilesRefused as the command line says it: the files, and --force (exit status 2)."""
    from .export._files import listed

    key = "cli.refused_one" if len(error.paths) == 1 else "cli.refused_many"
    return _usage(key, files=listed(error.paths), count=len(error.paths))


def _assignments(items: Sequence[str], expression) -> dict[str, float]:
    """--set NAME=VALUE items as a dict; a VALUE may be a constant formula such as -2, 1e-3 or pi/4."""
    from .expr import CONSTANTS, ExpressionError, parse_number

    values: dict[str, float] = {}
    for item in items:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise _usage("cli.set_pair_order" if not equals else "cli.set_pair_bad", item=repr(item))
        if not name.isidentifier():
            raise _usage("cli.set_name_bad", item=item, name=repr(name))
        if name in expression.assigned:  # `q = x + y` and --set q=3: one of them is a mistake
            start, end = expression.where(name)
            statement = expression.statement_of(name).text
            raise ExpressionError(
                message("expr.value_for_assigned", name=name, statement=statement), expression.text, start, end
            )
        if name in CONSTANTS:
            raise _usage("cli.set_constant", item=item, name=name, value=repr(CONSTANTS[name]))
        if name in values:
            raise _usage("cli.set_twice", name=name, first=f"{name}={_n(values[name])}", second=item)
        try:
            values[name] = parse_number(text)
        except ExpressionError as error:
            raise _usage("cli.set_not_number", item=item, name=name, error=error) from None
    missing = [name for name in expression.variables if name not in values]
    if missing:
        start, end = expression.where(missing[0])
        example = " ".join(f"{name}=1.0" for name in missing)
        names = ", ".join(missing)
        raise ExpressionError(
            message("cli.missing_many" if len(missing) > 1 else "cli.missing_one", names=names, example=example),
            expression.text,
            start,
            end,
        )
    unused = [name for name in values if name not in expression.variables]
    if unused:
        known = ", ".join(expression.variables) or message("cli.no_variables")
        raise _usage("cli.set_unused", names=", ".join(unused), expression=repr(expression.text), known=known)
    return values


def _write_steps(recorded, out: Path, fmt: str, options, args: argparse.Namespace) -> list[Path]:
    """step-000.svg … and index.html in `out`, through gradviz.export (refused before any drawing when a file
    gradviz did not write is in the way, unless --force; gradviz's own stale steps of a longer run removed)."""
    from .export._common import MANY_FRAMES, check_walkthrough
    from .export.folder import write_folder
    from .viz import frames

    steps = frames(recorded, precision=options.precision)
    check_walkthrough(steps, len(steps), options.max_nodes, "cli.walkthrough_advice_steps")
    if len(steps) > MANY_FRAMES and not args.quiet:
        _say(message("cli.rendering", count=len(steps)), sys.stderr)
    return write_folder(steps, out, options, picture=fmt, captions=args.captions, player=True).files


def _write_final(output, out: Path, fmt: str, options, args: argparse.Namespace) -> Path:
    """graph.<fmt> in `out`: the final frame, values and gradients, through gradviz.export's renderer."""
    from .export._common import render_frames
    from .export._files import refuse_overwrites, write_files
    from .viz import final_frame

    path = out / f"graph.{fmt}"
    refuse_overwrites([path], overwrite=options.overwrite)
    (data,) = render_frames([final_frame(output, precision=options.precision)], fmt, options, caption=args.captions)
    write_files({path: data}, overwrite=options.overwrite)
    return path


def _n(x: float | None) -> str:
    return "—" if x is None else f"{x:.6g}"


def _say_written(written: list[Path], out: Path, fmt: str) -> None:
    pictures = [p for p in written if p.suffix == f".{fmt}"]
    if len(pictures) == 1 and len(written) == 1:
        _say(message("cli.wrote", path=pictures[0]), sys.stdout)
        return
    _say(
        message(
            "cli.wrote_files",
            count=len(pictures),
            format=fmt.upper(),
            folder=out,
            first=pictures[0].name,
            last=pictures[-1].name,
        ),
        sys.stdout,
    )
    for path in written:
        if path.suffix == ".html":
            _say(message("cli.wrote_player", path=path), sys.stdout)


def _report_warnings(caught: list) -> None:
    for warning in caught:
        _say(message("cli.warning", message=warning.message), sys.stderr)


def _say(text: str, stream) -> None:
    """print, falling back to '?' for characters the terminal's encoding lacks (∂ on a cp1252 console)."""
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(encoding, errors="replace").decode(encoding), file=stream)
