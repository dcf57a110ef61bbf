"""The boundary between the engine and everything else: only the engine's modules read a node's private
slots (`_op`, `_prev`, `_params`, `_xp`, `_scalar`, `_a`, `_b`, `_scope`); pictures read Graph, GraphNode,
Trace and Frame, which carry what they need as plain data.

`NOT_YET` lists the modules still to be moved onto the boundary (issue 13): it may only shrink; a module
in it that no longer reads a private slot must leave it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gradviz"
PRIVATE = {"_op", "_prev", "_params", "_xp", "_scalar", "_a", "_b", "_scope"}
ENGINE = {"engine.py", "value.py", "tensor.py", "graph.py", "trace.py", "_state.py"}
NOT_YET = {
    "backends/jax.py",
    "backends/jaxpr.py",
    "callbacks.py",
    "check.py",
    "expr.py",
    "functional.py",
    "nn/losses.py",
    "nn/module.py",
    "optim/optimizers.py",
    "widgets/_stepper_numeric.py",
}


def private_reads(path: Path) -> list[str]:
    """`line: .slot` for every attribute access of a private engine slot in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE
    ]


def modules_outside_the_engine() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name not in ENGINE:
            found[name] = path
    return found


def test_no_module_outside_the_engine_reads_a_private_slot_of_a_node():
    offenders = {}
    for name, path in modules_outside_the_engine().items():
        if name in NOT_YET:
            continue
        reads = private_reads(path)
        if reads:
            offenders[name] = reads
    assert not offenders, (
        "these modules read the engine's private slots; read Graph/GraphNode (spec, inputs, params, scalar, xp), "
        f"Trace or Frame instead: {offenders}"
    )


def test_the_list_of_modules_not_yet_on_the_boundary_only_shrinks():
    modules = modules_outside_the_engine()
    moved = sorted(name for name in NOT_YET if name not in modules or not private_reads(modules[name]))
    assert not moved, f"these modules no longer read private slots: take them out of NOT_YET: {moved}"


def test_the_check_finds_a_private_read(tmp_path):
    source = tmp_path / "picture.py"
    source.write_text("def symbol(node):\n    return node._op.symbol\n", encoding="utf-8")
    assert private_reads(source) == ["2: ._op"]
