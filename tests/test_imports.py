"""`import gradviz` stays light: the heavy libraries are imported lazily, only by the features that need them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["matplotlib", "ipywidgets", "jax", "torch"]


def _modules_after(statement: str) -> set[str]:
    """The top-level module names loaded in a fresh interpreter after running `statement`."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def loaded_by_import_gradviz() -> set[str]:
    return _modules_after("import gradviz")


@pytest.mark.parametrize("heavy", HEAVY)
def test_import_gradviz_does_not_import(heavy, loaded_by_import_gradviz):
    assert "gradviz" in loaded_by_import_gradviz
    assert heavy not in loaded_by_import_gradviz, (
        f"`import gradviz` imported {heavy}; import it lazily inside a function"
    )


def test_using_the_core_engine_does_not_import_heavy_libraries():
    loaded = _modules_after(
        "import gradviz\n"
        "import gradviz.functional as F\n"
        "x = gradviz.Value(1.0)\n"
        "with gradviz.trace():\n"
        "    (x * 2).tanh().backward()\n"
        "w = gradviz.Tensor([[1.0, 2.0]], requires_grad=True)\n"
        "F.mse(w @ w.T, [[1.0]]).backward()\n"
        "gradviz.Graph.of(x * 3).summary()"
    )
    assert not loaded & set(HEAVY), f"the core engine imported {sorted(loaded & set(HEAVY))}"


def test_the_probe_sees_a_heavy_import():
    # guards the test above against a probe that could never fail
    assert "networkx" in _modules_after("import networkx")


# -- layers point one way ---------------------------------------------------------------------------------

PACKAGE = __import__("pathlib").Path(__file__).resolve().parent.parent / "gradviz"


def _gradviz_imports(path) -> set[str]:
    """The gradviz modules a file imports (anywhere in it, lazily inside functions too), as dotted names."""
    import ast

    package = ["gradviz", *path.relative_to(PACKAGE).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("gradviz")}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("gradviz")}


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("viz", "gradviz.keras"),  # pictures do not know about keras models
        ("keras", "gradviz.widgets"),  # fit finds the dashboard through gradviz.callbacks.named
        ("training.py", "gradviz.widgets"),
        ("engine.py", "gradviz.viz"),
    ],
)
def test_layers_point_one_way(lower, higher):
    files = [PACKAGE / lower] if lower.endswith(".py") else sorted((PACKAGE / lower).rglob("*.py"))
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(name for name in _gradviz_imports(path) if name.startswith(higher))
        for path in files
    }
    offenders = {name: found for name, found in offenders.items() if found}
    assert not offenders, f"{lower} must not import {higher}: {offenders}"


def test_the_layer_check_sees_relative_imports_at_the_top_and_inside_functions():
    names = _gradviz_imports(PACKAGE / "viz" / "paths.py")
    assert "gradviz.interpret.edge" in names  # from ..interpret import edge, at the top
    assert "gradviz.nn.layers.Flatten" in names  # inside _dense_layers


@pytest.mark.parametrize("first", ["import gradviz; gradviz.trace", "from gradviz.trace import Trace; import gradviz"])
def test_gradviz_trace_is_the_same_callable_module_whichever_loads_it_first(first):
    # the API reference is generated from what gradviz.trace is: it must not depend on which test ran first
    code = (
        f"{first}\nimport types\nt = gradviz.trace\nwith t() as recorded:\n    pass\n"
        "print(isinstance(t, types.ModuleType), type(recorded).__name__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.split() == ["True", "Trace"]
