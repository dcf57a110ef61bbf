"""The API reference: every public name has a docstring with a runnable example, and docs/api.md is current."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_make_api():
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


make_api = _load_make_api()

# Public names allowed to lack a `>>>` example while another helper is editing their file (empty once
# every file has settled): test_pending_names_still_lack_examples fails as soon as a listed name gains
# an example, so no name stays listed longer than it must.
# A constant's docstring is a string literal right after its assignment, with a `>>>` example (see ops.OPS).
PENDING: set[str] = set()

# setup.cfg's doctest_optionflags, less pytest's own NUMBER: a constant's example prints its numbers exactly
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _generated(function):
    """Call make_api; without the test extras (jax, ipywidgets) the reference cannot be built: skip, saying why."""
    try:
        return function()
    except make_api.MissingDependency as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def collected():
    return _generated(make_api.collect)


@pytest.fixture(scope="module")
def fresh() -> str:
    return _generated(make_api.generate)


def test_every_public_name_has_a_docstring_with_an_example(collected):
    _, _, entries, _ = collected
    missing = sorted(e.qualname for e in entries if not make_api.has_example(e.doc) and e.qualname not in PENDING)
    assert not missing, (
        f"{len(missing)} public name(s) have no docstring with a `>>>` example (a constant's docstring is the "
        "string literal right after its assignment): " + ", ".join(missing)
    )


def test_every_public_submodule_named_in_an_all_has_an_example(collected):
    _, modules, _, exports = collected
    named = sorted({target for target in exports.values() if isinstance(target, str)})
    missing = [name for name in named if not make_api.has_example(modules[name].__doc__) and name not in PENDING]
    assert not missing, "module docstring(s) without a `>>>` example: " + ", ".join(missing)


def test_every_public_module_declares_all(collected):
    _, modules, _, _ = collected
    assert [name for name, module in modules.items() if not hasattr(module, "__all__")] == []


def test_pending_names_still_lack_examples(collected):
    _, modules, entries, exports = collected
    by_name = {e.qualname: e for e in entries}
    submodules = {target for target in exports.values() if isinstance(target, str)}
    unknown = sorted(PENDING - set(by_name) - submodules)
    assert not unknown, f"PENDING names that are no longer public names: {unknown}; remove them from PENDING"
    documented = sorted(
        name
        for name in PENDING
        if make_api.has_example(by_name[name].doc if name in by_name else modules[name].__doc__)
    )
    assert not documented, f"these now have an example: remove them from PENDING in {__file__}: {documented}"


def test_constant_docstring_examples_pass(collected):
    """pytest's doctest collection never sees a constant's docstring (a string after the assignment): run them here."""
    _, _, entries, _ = collected
    constants = [e for e in entries if e.kind == "data" and make_api.has_example(e.doc)]
    assert constants, "expected documented constants (OPS, LOSSES, ...)"
    failures = []
    for entry in constants:
        module = __import__(entry.defined_in, fromlist=["_"])
        test = doctest.DocTestParser().get_doctest(entry.doc, dict(vars(module)), entry.qualname, module.__file__, None)
        output: list[str] = []
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        runner.run(test, out=output.append)
        if runner.failures:
            failures.append("".join(output))
    assert not failures, "\n".join(failures)


def test_api_md_is_what_the_generator_writes_now(fresh):
    committed = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    if committed != fresh:
        problems = "\n  ".join(make_api.stale_sections(committed, fresh))
        pytest.fail(f"docs/api.md is stale; run `python docs/make_api.py`. Sections that differ:\n  {problems}")


def test_check_exits_1_and_names_the_stale_section(fresh, tmp_path, capsys):
    stale = tmp_path / "api.md"
    stale.write_text(fresh.replace("## `gradviz.metrics`\n", "## `gradviz.metrics`\n\nAn edit by hand.\n", 1))
    assert make_api.main(["--check", "--output", str(stale)]) == 1
    report = capsys.readouterr().out
    assert "gradviz.metrics: differs" in report and "An edit by hand." in report
    assert "gradviz.nn:" not in report  # the sections nobody touched are not listed

    stale.write_text(fresh)
    assert make_api.main(["--check", "--output", str(stale)]) == 0
