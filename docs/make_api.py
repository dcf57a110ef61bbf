"""Write docs/api.md, gradviz's API reference, from the docstrings of its public modules.

    python docs/make_api.py            # (re)writes docs/api.md
    python docs/make_api.py --check    # exits 1, naming the sections that differ, when docs/api.md is stale

Every public name (the ``__all__`` of each public module) is documented once, in the section of
the module a user imports it from: ``Linear`` under ``gradviz.nn`` rather than ``gradviz.nn.layers``,
``Value`` under ``gradviz.value``. The other modules that export it link to that entry. An entry
shows the signature, the docstring's first paragraph and its first example; a class also lists its
public methods and properties. Constants are documented by the string literal that follows their
assignment (an attribute docstring), which tests/test_api_docs.py runs as a doctest.

The output depends only on the source: run it on a machine with the test extras installed
(``pip install -e ".[test]"``), since gradviz.widgets needs ipywidgets and gradviz.backends.jax jax.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
import textwrap
import typing
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "docs" / "api.md"

# The table of contents: groups of modules, in reading order. A module that does not exist yet is
# left out; a public module found in the package but not listed here joins the group of its nearest
# listed parent package (or "Other modules"), so a new file is documented before anyone lists it.
GROUPS: list[tuple[str, list[str]]] = [
    ("Core engine", ["gradviz", "gradviz.value", "gradviz.engine", "gradviz.context", "gradviz.graph"]),
    ("Tensors and ops", ["gradviz.tensor", "gradviz.functional", "gradviz.ops", "gradviz.xp"]),
    ("Tracing and checks", ["gradviz.trace", "gradviz.check", "gradviz.errors", "gradviz.expr"]),
    (
        "Diagrams",
        [
            "gradviz.viz",
            "gradviz.viz.frame",
            "gradviz.viz.dot",
            "gradviz.viz.render",
            "gradviz.viz.draw",
            "gradviz.viz.paths",
            "gradviz.viz.collapse",
            "gradviz.viz.format",
            "gradviz.viz.player",
            "gradviz.viz.plots",
        ],
    ),
    (
        "Exports",
        [
            "gradviz.export",
            "gradviz.export.html",
            "gradviz.export.gif",
            "gradviz.export.pdf",
            "gradviz.export.pptx",
            "gradviz.export.latex",
            "gradviz.export.folder",
        ],
    ),
    (
        "Neural networks (nn)",
        [
            "gradviz.nn",
            "gradviz.nn.module",
            "gradviz.nn.layers",
            "gradviz.nn.activations",
            "gradviz.nn.losses",
            "gradviz.nn.init",
            "gradviz.nn.scalar",
        ],
    ),
    ("Optimizers (optim)", ["gradviz.optim", "gradviz.optim.optimizers", "gradviz.optim.lr_scheduler"]),
    ("Keras-style models", ["gradviz.keras"]),
    (
        "Data",
        ["gradviz.data", "gradviz.data.synthetic", "gradviz.data.tables", "gradviz.data.idx", "gradviz.data.loader"],
    ),
    ("Metrics", ["gradviz.metrics"]),
    ("Callbacks", ["gradviz.callbacks"]),
    ("Widgets", ["gradviz.widgets"]),
    ("Backends", ["gradviz.backends", "gradviz.backends.numpy", "gradviz.backends.jax"]),
    ("Languages (i18n)", ["gradviz.i18n"]),
    ("Command line", ["gradviz.cli"]),
]
OTHER_GROUP = "Other modules"

# Modules that are not API: the message catalogue is data that gradviz.i18n serves; __main__ runs the CLI.
INTERNAL = ("gradviz.catalogue", "gradviz.__main__")

HEADER = """\
# gradviz API reference

Generated from the docstrings by `python docs/make_api.py`; do not edit by hand (`--check` tells
whether this file is current). Every example below runs as a doctest in the test suite.
Each name is documented once, under the module you import it from; the other modules that
export it link there.
"""

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")  # "e.g. the" goes on: a sentence ends before a capital
_DIRECTIVE = re.compile(r"\s*# doctest:[^\n]*")  # for the test runner, not the reader


# -- finding the public modules and names ---------------------------------------------------------


def _is_internal(name: str) -> bool:
    parts = name.split(".")
    return any(part.startswith("_") for part in parts[1:]) or any(
        name == prefix or name.startswith(prefix + ".") for prefix in INTERNAL
    )


class MissingDependency(RuntimeError):
    """A public module needs an optional package that is not installed (jax, ipywidgets, ...)."""


def _exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package that does not exist yet
        return False


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if error.name is not None and error.name.split(".")[0] == "gradviz":
            raise  # a bug in gradviz itself, not a missing optional dependency
        raise MissingDependency(
            f"make_api: cannot import {name} ({error}). The reference documents every public module, so it "
            'needs the optional dependencies: pip install -e ".[test]"'
        ) from error


def public_modules() -> dict[str, str]:
    """Every public module of gradviz, in table-of-contents order, mapped to its group's title."""
    declared = [(group, name) for group, names in GROUPS for name in names]
    declared_names = {name for _, name in declared}
    found: set[str] = set()
    for _, name in declared:
        if _exists(name):
            found.add(name)
    for name in sorted(found):
        module = _import(name)
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, name + ".", onerror=_walk_error):
                if not _is_internal(info.name):
                    found.add(info.name)
    order: dict[str, str] = {}
    for group, name in declared:
        if name in found:
            order[name] = group
    extras = sorted(found - declared_names)
    for name in extras:
        parent = name.rpartition(".")[0]
        while parent not in declared_names and "." in parent:
            parent = parent.rpartition(".")[0]
        group = order.get(parent) if parent != "gradviz" else None
        order[name] = group or OTHER_GROUP
    # keep each group together: declared modules first, then the new ones, in name order
    titles = [group for group, _ in GROUPS] + [OTHER_GROUP]
    return dict(sorted(order.items(), key=lambda item: titles.index(item[1])))


def _walk_error(name: str) -> None:
    if not _is_internal(name):
        _import(name)  # raises with the reason


@dataclass
class Entry:
    """One documented object: where it lives, what it is and the names it is exported under."""

    module: str  # the section that documents it
    name: str
    obj: Any
    kind: str  # "module", "class", "function" or "data"
    doc: str | None  # the docstring (an attribute docstring for data), or None
    exported_as: list[str] = field(default_factory=list)  # "gradviz.Value", ...
    defined_in: str = ""  # the module whose source holds the docstring (its globals run the example)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


def _kind(obj: Any) -> str:
    if inspect.ismodule(obj):
        # a third-party module re-exported by name (gradviz.xp.numpy) is documented like a constant
        return "module" if obj.__name__.split(".")[0] == "gradviz" else "data"
    if inspect.isclass(obj):
        return "class"
    if inspect.isroutine(obj):
        return "function"
    return "data"


def _source_tree(module: ModuleType) -> ast.Module | None:
    try:
        return ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return None


_TREES: dict[str, ast.Module | None] = {}


def _tree(module: ModuleType) -> ast.Module | None:
    """The parsed source of a module (parsed once)."""
    if module.__name__ not in _TREES:
        _TREES[module.__name__] = _source_tree(module)
    return _TREES[module.__name__]


def attribute_docstring(module: ModuleType, name: str) -> str | None:
    """The string literal right after the top-level statement that binds `name` in `module`, if any."""
    tree = _tree(module)
    if tree is None:
        return None
    body = tree.body
    for statement, following in zip(body, body[1:], strict=False):
        if name in _bound_names(statement) and _is_string(following):
            return inspect.cleandoc(following.value.value)
    return None


def _bound_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.Assign):
        return {t.id for t in statement.targets if isinstance(t, ast.Name)}
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return {statement.target.id}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    return set()


def _is_string(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _binds(module: ModuleType, name: str) -> bool:
    """Whether `module` assigns `name` itself (or imports a module under it), rather than importing it from another."""
    tree = _tree(module)
    return tree is not None and any(name in _bound_names(s) for s in tree.body if not isinstance(s, ast.ImportFrom))


def _defining_module(obj: Any, kind: str, modules: dict[str, ModuleType], owner: str, name: str) -> str:
    """Where `obj` is defined: its __module__, or for data the public module whose source assigns it."""
    if kind == "module":
        return obj.__name__
    if kind in ("class", "function"):
        return getattr(obj, "__module__", None) or owner
    if _binds(modules[owner], name):
        return owner
    # the owner's own package first (gradviz.nn.losses for gradviz.nn.LOSSES), then the rest, by name
    package = owner + "."
    for candidate in sorted(sys.modules, key=lambda m: (not m.startswith(package), m)):
        module = sys.modules[candidate]
        if (
            candidate.startswith("gradviz.")
            and module is not None
            and getattr(module, name, None) is obj
            and _binds(module, name)
        ):
            return candidate
    return owner


def _home(defined_in: str, listed_in: list[str]) -> str:
    """The section for an object: the highest listing module on the path to where it is defined.

    The package itself is only a home for what it defines (``__version__``): it re-exports the rest.
    """
    on_path = [m for m in listed_in if (defined_in == m or defined_in.startswith(m + ".")) and m != "gradviz"]
    if defined_in == "gradviz" and "gradviz" in listed_in:
        return "gradviz"
    if on_path:
        return min(on_path, key=lambda m: m.count("."))
    return next((m for m in listed_in if m != "gradviz"), listed_in[0])


def collect() -> tuple[dict[str, str], dict[str, ModuleType], list[Entry], dict[tuple[str, str], Entry | str]]:
    """The public modules (name → group), the modules, the entries, and (module, name) → entry for every export."""
    groups = public_modules()
    modules = {name: _import(name) for name in groups}
    # one key per documented object: its identity, except for data, which may be a shared small int or string
    listed: dict[Any, list[tuple[str, str]]] = {}
    exports: dict[tuple[str, str], Entry | str] = {}  # an entry, or the name of a submodule's section
    objects: dict[Any, tuple[Any, str, str]] = {}
    for module_name, module in modules.items():
        names = getattr(module, "__all__", None)
        if names is None:
            continue
        for name in names:
            obj = getattr(module, name)
            kind = _kind(obj)
            defined_in = _defining_module(obj, kind, modules, module_name, name)
            key = ("data", defined_in, name) if kind == "data" else ("object", id(obj))
            listed.setdefault(key, []).append((module_name, name))
            if kind == "module":
                exports[(module_name, name)] = obj.__name__
            objects.setdefault(key, (obj, kind, defined_in))
    entries: list[Entry] = []
    for key, places in listed.items():
        obj, kind, defined_in = objects[key]
        if kind == "module":
            continue  # a submodule named in __all__ is documented by its own section
        home = _home(defined_in, [m for m, _ in places])
        name = next(n for m, n in places if m == home)
        if kind == "data":
            doc = attribute_docstring(sys.modules.get(defined_in, modules[home]), name)
        elif kind == "class":
            doc = obj.__dict__.get("__doc__")
        else:
            doc = obj.__doc__
        source = defined_in if defined_in in sys.modules else home
        entry = Entry(home, name, obj, kind, inspect.cleandoc(doc) if doc else None, defined_in=source)
        entry.exported_as = [f"{m}.{n}" for m, n in places if (m, n) != (home, name)]
        entries.append(entry)
        for place in places:
            exports[place] = entry
    order = {name: index for index, name in enumerate(modules)}
    entries.sort(key=lambda e: (order[e.module], modules[e.module].__all__.index(e.name)))
    return groups, modules, entries, exports


def has_example(doc: str | None) -> bool:
    """Whether a docstring holds a doctest example."""
    return bool(doc) and any(line.lstrip().startswith(">>> ") for line in doc.splitlines())


# -- writing markdown ---------------------------------------------------------------------------


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    paragraph = doc.strip().split("\n\n")[0].strip()
    return "" if paragraph.startswith(">>>") else paragraph


def first_example(doc: str | None) -> str:
    """The first run of doctest lines: from the first ``>>>`` to the next blank line."""
    if not doc:
        return ""
    lines = doc.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")), None)
    if start is None:
        return ""
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return _DIRECTIVE.sub("", textwrap.dedent("\n".join(block)))


def _clean(text: str) -> str:
    return _ADDRESS.sub("", text)


class _Annotation:
    """An annotation kept as the text it was written as (``str | None``), shown without quotes."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _signature_text(obj: Any, *, drop_first: bool = False, drop_return: bool = False) -> str | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    empty = inspect.Parameter.empty

    def plain(annotation):
        if isinstance(annotation, typing.ForwardRef):  # a NamedTuple's fields under postponed annotations
            annotation = annotation.__forward_arg__
        return _Annotation(annotation) if isinstance(annotation, str) else annotation

    parameters = [p.replace(annotation=plain(p.annotation)) for p in sig.parameters.values()]
    if drop_first and parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    returns = empty if drop_return else plain(sig.return_annotation)
    return _clean(str(sig.replace(parameters=parameters, return_annotation=returns)))


def signature(entry: Entry) -> str:
    """The first line of an entry: ``name(params) -> result``, ``class Name(params)`` or ``NAME = value``."""
    obj = entry.obj
    if entry.kind == "function":
        return f"{entry.name}{_signature_text(obj) or '(...)'}"
    if entry.kind == "class":
        parameters = _signature_text(obj, drop_return=True)
        if parameters is None or (issubclass(obj, BaseException) and parameters == "(*args, **kwargs)"):
            parameters = ""
        return f"class {entry.name}{parameters}"
    return f"{entry.name} = {_value_text(obj)}"


def _value_text(obj: Any) -> str:
    if isinstance(obj, (bool, int, float, str)) or (
        isinstance(obj, tuple) and all(isinstance(v, (bool, int, float, str)) for v in obj)
    ):
        text = repr(obj)
        if len(text) <= 160:
            return text
    if inspect.ismodule(obj):
        return f"<module {obj.__name__}>"
    if isinstance(obj, dict) and all(isinstance(key, str) for key in obj):
        keys = [f"{key!r}: …" for key in obj]  # insertion order: the order the source lists them in
        shown = ", ".join(keys[:12]) + (f", … ({len(keys)} entries in all)" if len(keys) > 12 else "")
        return f"{{{shown}}}"
    if isinstance(obj, (dict, list, tuple, set, frozenset)):
        return f"{type(obj).__name__}  # {len(obj)} entries"
    return f"<{type(obj).__name__} object>"


def _members(entry: Entry, documented: dict[int, str]) -> list[str]:
    """Bullets for a class's public methods and properties (its own, and those of undocumented bases)."""
    cls = entry.obj
    lines = []
    seen: set[str] = set()
    for klass in cls.__mro__:
        if klass is not cls and (id(klass) in documented or not klass.__module__.startswith("gradviz")):
            continue
        for name, member in klass.__dict__.items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            raw = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
            if isinstance(raw, property):
                summary = _summary(raw.__doc__)
                lines.append(f"- `{name}` (property){' — ' + summary if summary else ''}")
            elif inspect.isfunction(raw):
                parameters = _signature_text(raw, drop_first=not isinstance(member, staticmethod)) or "(...)"
                summary = _summary(raw.__doc__)
                lines.append(f"- `{name}{parameters}`{' — ' + summary if summary else ''}")
    return lines


def _summary(doc: str | None) -> str:
    """The first sentence of a docstring, on one line."""
    if not doc:
        return ""
    paragraph = " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
    return _SENTENCE_END.split(paragraph, maxsplit=1)[0]


class _Anchors:
    """GitHub's anchors for the headings, in document order (a repeated anchor gets -1, -2, ...)."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}
        self.of: dict[str, str] = {}

    def add(self, key: str, heading: str) -> None:
        base = anchor(heading)
        count = self.used.get(base, 0)
        self.used[base] = count + 1
        self.of[key] = base if count == 0 else f"{base}-{count}"


def render_sections() -> tuple[str, list[tuple[str, str]]]:
    """The table of contents, and (module, markdown) for each section, in order."""
    groups, modules, entries, exports = collect()
    documented = {id(e.obj): e.qualname for e in entries if e.kind == "class"}  # to link a class's bases
    by_module: dict[str, list[Entry]] = {}
    for entry in entries:
        by_module.setdefault(entry.module, []).append(entry)
    named = {target for target in exports.values() if isinstance(target, str)}  # submodules named in an __all__
    # an implementation file whose names are all documented under its package gets no section
    shown = [name for name in modules if by_module.get(name) or name in named or name == "gradviz"]
    anchors = _Anchors()
    anchors.add("contents", "Contents")
    for name in shown:
        anchors.add(name, f"`{name}`")
        for entry in by_module.get(name, []):
            anchors.add(entry.qualname, f"`{entry.qualname}`")  # the "()" after a function's name: no anchor text
    toc = ["## Contents", ""]
    for group in dict.fromkeys(groups.values()):
        names = [name for name in shown if groups[name] == group]
        if names:
            toc.append(f"- **{group}**: " + ", ".join(f"[`{n}`](#{anchors.of[n]})" for n in names))
    sections = []
    for name in shown:
        sections.append((name, _section(name, modules[name], by_module.get(name, []), exports, documented, anchors)))
    return "\n".join(toc) + "\n", sections


def _section(
    module_name: str, module: ModuleType, own: list[Entry], exports, documented: dict[int, str], anchors
) -> str:
    doc = inspect.cleandoc(module.__doc__) if module.__doc__ else None
    out = [f"## `{module_name}`", ""]
    summary = first_paragraph(doc)
    if summary:
        out += [summary, ""]
    example = first_example(doc)
    if example:
        out += ["```python", example, "```", ""]
    links = []
    for name in getattr(module, "__all__", []):
        target = exports.get((module_name, name))
        if isinstance(target, str):
            if target in anchors.of:
                links.append(f"[`{name}`](#{anchors.of[target]})")
            continue
        if target is None or target.module == module_name:
            continue
        label = f"`{name}`" if name == target.name else f"`{name}` (`{target.qualname}`)"
        links.append(f"[{label}](#{anchors.of[target.qualname]})")
    if links:
        out += [("Exports " if module_name == "gradviz" else "Also exports ") + ", ".join(links) + ".", ""]
    for entry in own:
        out += _entry(entry, documented, anchors)
    return "\n".join(out).rstrip() + "\n"


def _entry(entry: Entry, documented: dict[int, str], anchors: _Anchors) -> list[str]:
    title = entry.qualname + ("()" if entry.kind == "function" else "")
    out = [f"### `{title}`", "", "```python", signature(entry), "```", ""]
    summary = first_paragraph(entry.doc)
    if summary:
        out += [summary, ""]
    if entry.kind == "class":
        bases = [b for b in entry.obj.__bases__ if b is not object]
        if bases:
            names = [
                f"[`{documented[id(b)]}`](#{anchors.of[documented[id(b)]]})"
                if id(b) in documented
                else f"`{_class_name(b)}`"
                for b in bases
            ]
            out += ["Bases: " + ", ".join(names) + ".", ""]
    example = first_example(entry.doc)
    if example:
        out += ["```python", example, "```", ""]
    if entry.kind == "class":
        members = _members(entry, documented)
        if members:
            out += members + [""]
    aliases = [name for name in entry.exported_as if name.rpartition(".")[0] in anchors.of]  # shown sections
    if aliases:
        out += ["Also exported as " + ", ".join(f"`{name}`" for name in aliases) + ".", ""]
    return out


def _class_name(cls: type) -> str:
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def generate() -> str:
    """The whole of docs/api.md."""
    toc, sections = render_sections()
    return HEADER + "\n" + toc + "\n" + "\n".join(text for _, text in sections)


def split_sections(text: str) -> dict[str, str]:
    """The text of each ``## `module` `` section (and the part before the first one, as "header")."""
    parts: dict[str, str] = {}
    current = "header"
    for line in text.splitlines(keepends=True):
        match = re.match(r"## `([\w.]+)`\s*$", line)
        if match:
            current = match.group(1)
        elif line.startswith("## "):
            current = line[3:].strip()
        parts[current] = parts.get(current, "") + line
    return parts


def stale_sections(committed: str, fresh: str) -> list[str]:
    """A line per section that differs: changed, missing from the file, or no longer generated."""
    old, new = split_sections(committed), split_sections(fresh)
    problems = []
    for name in new:
        if name not in old:
            problems.append(f"{name}: missing from the file")
        elif old[name] != new[name]:
            first = next(
                (
                    line
                    for line in difflib.unified_diff(old[name].splitlines(), new[name].splitlines(), lineterm="", n=0)
                    if line[:1] in "+-" and not line.startswith(("+++", "---")) and line[1:].strip()
                ),
                "",
            )
            problems.append(f"{name}: differs (first change: {first.strip()[:100]})")
    problems += [f"{name}: no longer generated" for name in old if name not in new]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/api.md from gradviz's docstrings.")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=API_MD, help="the file to write or check (default: docs/api.md)")
    args = parser.parse_args(argv)
    try:
        fresh = generate()
    except MissingDependency as missing:
        print(missing, file=sys.stderr)
        return 2
    if args.check:
        committed = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if committed == fresh:
            print(f"{args.output} is up to date")
            return 0
        print(f"{args.output} is stale; run `python docs/make_api.py` to regenerate it. Sections that differ:")
        for problem in stale_sections(committed, fresh):
            print(f"  {problem}")
        return 1
    args.output.write_text(fresh, encoding="utf-8")
    print(f"wrote {args.output} ({fresh.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
