"""The ``gradviz`` console script and ``python -m gradviz``: ``gradviz --version`` answers before anything heavy
is imported (``import gradviz`` itself loads nothing until a name is used); every other command runs
:func:`gradviz.cli.main`.

>>> main(["--version"])  # doctest: +ELLIPSIS
gradviz ...
0
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["--version"]:  # what argparse prints for it, without numpy, the engine or the parsers
        from . import __version__

        print(f"gradviz {__version__}")
        return 0
    from .cli import main as cli_main

    return cli_main(arguments)
