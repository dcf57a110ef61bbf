"""``python -m gradviz``: the same command line as the ``gradviz`` console script."""

from __future__ import annotations

from ._launch import main

if __name__ == "__main__":
    raise SystemExit(main())
