"""A Trace rebuilt from an output's existing graph: its forward ops in order and one backward pass, replayed.

The stepper needs steps, and a graph built outside ``with gradviz.trace():`` has none recorded. Every op
node still holds its inputs, its op and its value, so the forward steps are the op nodes in topological
order, and the backward pass is recomputed by the engine's own `replay_backward` from a fresh start
(every gradient None, seed ∂f/∂f = 1) — nothing in the graph is changed, ``.grad`` included.

>>> from gradviz import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z                      # no trace recorded, no backward called
>>> t = trace_of(f)
>>> [s.op for s in t.forward_steps], t.backward_steps[2].edge("x").contribution
(['add', 'mul'], -4.0)
>>> x.grad is None                       # the replay leaves the graph as it was
True
"""

from __future__ import annotations

from ..trace import Trace

__all__ = ["trace_of"]


def trace_of(output) -> Trace:
    """A Trace of the forward ops that computed `output` (a Value or Tensor) and of one backward pass from it.

    The leaves' current data stand in for the data they had when the graph was built: if parameters were
    updated since (an optimizer step), record the lesson with ``with gradviz.trace() as t:`` instead.
    A Tensor output with more than one element is seeded with ones, as ``output.sum().backward()`` would be.
    """
    if isinstance(output, Trace):
        return output
    if not hasattr(output, "_prev"):
        raise TypeError(
            f"step_through takes a Value, a Tensor or a gradviz.Trace, got {type(output).__name__}; "
            "compute the output from Values or Tensors first"
        )
    if not output.requires_grad:
        name = f" {output.label!r}" if output.label else ""
        raise ValueError(
            f"step_through: this {type(output).__name__}{name} does not require grad, so it has no graph to step "
            "through (it was computed inside gradviz.no_grad(), or none of its inputs requires grad). Build it from "
            "leaves that require grad: Value(...) does; Tensor(..., requires_grad=True)."
        )
    return Trace.of(output)
