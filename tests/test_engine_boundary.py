"""The boundary between the engine and everything else: only the engine's modules read a node's private
slots (`_op`, `_prev`, `_params`, `_xp`, `_scalar`, `_a`, `_b`, `_scope`); pictures read Graph, GraphNode,
Trace and Frame, which carry what they need as plain data.

`ENGINE` is the engine (Value, Tensor, their backward, Graph and Trace, which build the plain data) and its
one interpreter (`gradviz.interpret`), which every other module calls to recompute a graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gradviz"
PRIVATE = {"_op", "_prev", "_params", "_xp", "_scalar", "_a", "_b", "_scope"}
ENGINE = {"engine.py", "value.py", "tensor.py", "graph.py", "trace.py", "_state.py", "interpret.py"}


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
        reads = private_reads(path)
        if reads:
            offenders[name] = reads
    assert not offenders, (
        "these modules read the engine's private slots; read Graph/GraphNode (spec, inputs, params, scalar, xp), "
        f"Trace or Frame instead: {offenders}"
    )


def test_the_check_finds_a_private_read(tmp_path):
    source = tmp_path / "picture.py"
    source.write_text("def symbol(node):\n    return node._op.symbol\n", encoding="utf-8")
    assert private_reads(source) == ["2: ._op"]
