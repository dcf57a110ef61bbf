"""Write the course's notebooks in English and Spanish from one source per chapter.

Each chapter is one file in ``notebooks/source/`` (``01_computational_graph.md``, ...) holding both languages'
prose beside one copy of the code::

    %% markdown
    %% en
    # 01 · The computational graph
    ...
    %% es
    # 01 · El grafo computacional
    ...
    %% code
    from gradviz import Value
    ...

A ``%% markdown`` cell holds an ``%% en`` and an ``%% es`` part; a ``%% code`` cell is the same in both
languages, except that the first one starts with the language switch (``gradviz.set_language("es")``), so the
pictures, captions and messages speak the notebook's language. The notebooks are written without outputs to
``notebooks/en/`` and ``notebooks/es/`` under the same names, so they cannot drift apart:

    python notebooks/make_notebooks.py           # write them
    python notebooks/make_notebooks.py 03 04     # write only chapters 03 and 04
    python notebooks/make_notebooks.py --check   # say which are stale (the test suite does this), write nothing

Only the standard library is needed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
LANGUAGES = ("en", "es")
_MARK = re.compile(r"^%% (markdown|code|en|es)\s*$")
_SWITCH = {
    "en": 'import gradviz\n\ngradviz.set_language("en")  # pictures, captions and messages in English\n',
    "es": 'import gradviz\n\ngradviz.set_language("es")  # dibujos, leyendas y mensajes en español\n',
}
_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


class SourceError(ValueError):
    """A chapter's source file is malformed: the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" or "code"
    text: dict[str, str]  # language → source (a code cell: the same text under both)


def _clean(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def parse(path: Path) -> list[Cell]:
    """The cells of one chapter's source file."""
    cells: list[Cell] = []
    kind: str | None = None
    language: str | None = None
    parts: dict[str, list[str]] = {}
    start = 0

    def close(line_number: int) -> None:
        if kind is None:
            return
        if kind == "code":
            text = _clean(parts.get("code", []))
            if not text:
                raise SourceError(f"{path.name}:{start}: an empty code cell; remove its '%% code' line")
            cells.append(Cell("code", {language: text for language in LANGUAGES}))
            return
        missing = [name for name in LANGUAGES if not _clean(parts.get(name, []))]
        if missing:
            raise SourceError(
                f"{path.name}:{start}: the markdown cell has no {' and no '.join(missing)} text; give it "
                f"'%% en' and '%% es' parts (before line {line_number})"
            )
        cells.append(Cell("markdown", {name: _clean(parts[name]) for name in LANGUAGES}))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        mark = _MARK.match(line)
        if mark is None:
            if kind is None:
                if line.strip():
                    raise SourceError(f"{path.name}:{number}: text before the first '%% markdown' or '%% code' line")
                continue
            if kind == "markdown" and language is None:
                if line.strip():
                    raise SourceError(f"{path.name}:{number}: markdown text outside an '%% en' or '%% es' part")
                continue
            parts.setdefault(language or "code", []).append(line)
            continue
        name = mark.group(1)
        if name in ("markdown", "code"):
            close(number)
            kind, language, parts, start = name, None, {}, number
        elif kind != "markdown":
            raise SourceError(f"{path.name}:{number}: '%% {name}' belongs inside a '%% markdown' cell")
        elif name in parts:
            raise SourceError(f"{path.name}:{number}: a second '%% {name}' part in one markdown cell")
        else:
            language = name
            parts[name] = []
    close(number + 1 if cells or kind else 1)
    if not cells:
        raise SourceError(f"{path.name}: no cells")
    return cells


def notebook(path: Path, language: str) -> str:
    """The notebook of chapter `path` in `language`, as the JSON text written to disk (no outputs)."""
    chapter = path.stem[:2]
    switched = False
    cells = []
    for index, cell in enumerate(parse(path)):
        text = cell.text[language]
        if cell.kind == "code" and not switched:
            text, switched = _SWITCH[language] + text, True
        entry = {"cell_type": cell.kind, "id": f"{chapter}-{index:02d}", "metadata": {}, "source": _lines(text)}
        if cell.kind == "code":
            entry.update({"execution_count": None, "outputs": []})
        cells.append(entry)
    document = {"cells": cells, "metadata": {**_METADATA}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def chapters() -> list[Path]:
    return sorted(SOURCE.glob("[0-9][0-9]_*.md"))


def outputs(only: list[str] | None = None) -> dict[Path, str]:
    """Every notebook file the sources make (or those of the chapters whose names start with one of `only`):
    path → its text."""
    chosen = [path for path in chapters() if not only or any(path.stem.startswith(prefix) for prefix in only)]
    return {
        HERE / language / f"{path.stem}.ipynb": notebook(path, language) for path in chosen for language in LANGUAGES
    }


def stale() -> list[Path]:
    """The notebooks whose file differs from what their source makes (or that no source makes)."""
    wanted = outputs()
    found = {path for language in LANGUAGES for path in (HERE / language).glob("*.ipynb")}
    different = [path for path, text in wanted.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    return sorted(different + [path for path in found if path not in wanted])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="write only the chapters whose names start so (e.g. 03)")
    parser.add_argument("--check", action="store_true", help="say which notebooks are stale; write nothing")
    options = parser.parse_args(argv)
    try:
        if options.check:
            old = stale()
            for path in old:
                print(f"stale: {path.relative_to(HERE)} (run: python notebooks/make_notebooks.py)")
            return 1 if old else 0
        for path, text in outputs(options.chapters).items():
            path.parent.mkdir(exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(HERE)}")
    except SourceError as problem:
        print(f"make_notebooks: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
