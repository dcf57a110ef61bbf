"""Trace: the forward and backward steps as plain data — the worked example read step by step."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import Tensor, Value, trace
from gradviz._state import current


def _traced_worked_example(make):
    x, y, z = make(-2.0, "x"), make(5.0, "y"), make(-4.0, "z")
    with trace() as t:
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        f.backward()
    return t, (x, y, z, q, f)


def _value(number, label):
    return Value(number, label=label)


def _tensor(number, label):
    return Tensor(number, requires_grad=True, label=label)


@pytest.mark.parametrize("make", [_value, _tensor], ids=["Value", "Tensor"])
def test_worked_example_backward_steps_show_upstream_times_local(make):
    t, (x, y, z, q, f) = _traced_worked_example(make)
    seed, f_step, q_step = t.backward_steps
    # step 0: the seed ∂f/∂f = 1
    assert seed.index == 0 and seed.seed and seed.node is f and seed.edges == ()
    assert float(seed.upstream) == 1.0
    # step 1: f = q·z sends 1 · z = −4 to q and 1 · q = 3 to z
    assert f_step.index == 1 and not f_step.seed and f_step.node.label == "f"
    assert float(f_step.upstream) == 1.0
    assert [(e.input.label, float(e.local), float(e.contribution)) for e in f_step.edges] == [
        ("q", -4.0, -4.0),
        ("z", 3.0, 3.0),
    ]
    # step 2: q = x + y sends −4 · 1 = −4 to both x and y
    assert q_step.node.label == "q"
    assert float(q_step.upstream) == -4.0
    assert [(e.input.label, float(e.local), float(e.contribution)) for e in q_step.edges] == [
        ("x", 1.0, -4.0),
        ("y", 1.0, -4.0),
    ]
    assert [float(e.accumulated) for e in q_step.edges] == [-4.0, -4.0]
    assert q_step.edge("y").input is y
    assert float(x.grad) == -4.0 and float(z.grad) == 3.0


@pytest.mark.parametrize("make", [_value, _tensor], ids=["Value", "Tensor"])
def test_worked_example_forward_steps_show_op_inputs_and_value(make):
    t, (x, y, z, q, f) = _traced_worked_example(make)
    assert [s.op for s in t.forward_steps] == ["add", "mul"]
    add, mul = t.forward_steps
    assert add.index == 0 and add.kind == "forward"
    assert add.inputs == (x, y) and add.node is q and float(add.value) == 3.0
    assert mul.inputs == (q, z) and mul.node is f and float(mul.value) == -12.0
    assert t.steps == [add, mul, *t.backward_steps]


def test_trace_is_off_by_default_and_records_nothing_outside_the_block():
    assert current().trace is None
    x = Value(1.0)
    with trace() as t:
        y = x * 2
    assert current().trace is None
    z = y * 3
    z.backward()
    assert len(t.forward_steps) == 1 and t.backward_steps == []
    assert len(t) == 1


def test_trace_records_params_of_an_op():
    x = Value(2.0)
    with trace() as t:
        x**3
        x.leaky_relu(0.2)
    assert [s.params for s in t.forward_steps] == [{"exponent": 3.0}, {"alpha": 0.2}]


def test_trace_skips_ops_on_constants_only():
    x = Value(2.0, label="x")
    with trace() as t:
        c = Value(1.0, requires_grad=False) + 2
        y = x * c
    assert [s.node for s in t.forward_steps] == [y]


def test_fan_out_accumulation_grows_by_one_contribution_per_edge():
    x = Value(2.0, label="x")
    with trace() as t:
        a = x * 3
        a.label = "a"
        b = a * a
        c = b + a
        c.backward()
    accumulated = [(s.node, e.contribution, e.accumulated) for s in t.backward_steps for e in s.edges if e.input is a]
    # c = b + a: a receives 1; b = a·a: a receives a = 6 twice
    assert [(contribution, total) for _, contribution, total in accumulated] == [(1.0, 1.0), (6.0, 7.0), (6.0, 13.0)]
    assert [node for node, _, _ in accumulated] == [c, b, b]
    assert a.grad == 13.0
    x_step = t.backward_steps[-1]
    assert x_step.node is a and x_step.upstream == 13.0 and x_step.edge("x").contribution == 39.0


def test_tensor_trace_local_derivatives_are_arrays_for_elementwise_ops_and_none_otherwise():
    W = Tensor(np.full((2, 3), 0.1), requires_grad=True, label="W")
    b = Tensor([0.5, -0.5], requires_grad=True, label="b")
    X = Tensor(np.ones(3), label="X")
    with trace() as t:
        h = (W @ X + b).tanh()
        loss = h.sum()
        loss.backward()
    by_op = {s.node.op: s for s in t.backward_steps if not s.seed}
    assert by_op["sum"].edges[0].local is None
    assert by_op["matmul"].edges[0].local is None
    assert by_op["matmul"].edges[0].input is W
    np.testing.assert_allclose(by_op["matmul"].edges[0].contribution, W.grad)
    tanh_local = by_op["tanh"].edges[0].local
    assert isinstance(tanh_local, np.ndarray) and tanh_local.shape == (2,)
    np.testing.assert_allclose(tanh_local, 1 - h.data**2)
    add_edges = by_op["add"].edges
    assert [e.input.label for e in add_edges] == [None, "b"]
    np.testing.assert_array_equal(add_edges[1].local, [1.0, 1.0])
    np.testing.assert_allclose(add_edges[1].contribution, by_op["add"].upstream * 1.0)


def test_tensor_trace_local_has_the_output_shape_and_contribution_the_input_shape_when_broadcasting():
    a = Tensor(np.ones((2, 3)), requires_grad=True, label="a")
    row = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="row")
    with trace() as t:
        (a * row).sum().backward()
    mul_step = next(s for s in t.backward_steps if s.node.op == "mul")
    edge = mul_step.edge("row")
    assert edge.local.shape == (2, 3)
    assert edge.contribution.shape == (3,)
    np.testing.assert_array_equal(edge.contribution, [2.0, 2.0, 2.0])


def test_two_backward_calls_in_one_trace_record_two_passes():
    x = Value(2.0, label="x")
    with trace() as t:
        y = x * x
        y.backward()
        y.backward()
    assert t.outputs == [y, y]
    assert [s.pass_index for s in t.backward_steps] == [0, 0, 1, 1]
    assert [s.seed for s in t.backward_steps] == [True, False, True, False]
    assert [s.index for s in t.backward_steps] == [0, 1, 2, 3]
    first, second = t.backward_steps[1], t.backward_steps[3]
    assert [e.accumulated for e in first.edges] == [2.0, 4.0]
    assert [e.accumulated for e in second.edges] == [6.0, 8.0]  # the leaf keeps accumulating
    assert "2 backward pass(es)" in repr(t)


def test_a_backward_pass_cut_short_by_an_error_keeps_its_own_pass_index():
    x = Value(0.0, label="x")
    with trace() as t:
        root = x.sqrt()
        with gradviz.detect_anomaly(), pytest.raises(gradviz.AnomalyError):
            root.backward()  # ∂√x/∂x is inf at 0
        (x * 2).backward()
    assert [s.pass_index for s in t.backward_steps if s.seed] == [0, 1]
    assert t.backward_steps[-1].pass_index == 1
    assert "2 backward pass(es)" in repr(t)


def test_recorded_tensor_gradients_do_not_change_when_grad_is_updated_in_place():
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    with trace() as t:
        (w * 3).sum().backward()
    edge = t.backward_steps[-1].edge("w")
    w.grad[:] = 0.0  # as an optimizer's in-place zeroing would
    np.testing.assert_array_equal(edge.contribution, [3.0, 3.0])
    np.testing.assert_array_equal(edge.accumulated, [3.0, 3.0])


def test_trace_output_and_graph():
    x = Value(1.0, label="x")
    with trace() as t:
        with pytest.raises(ValueError, match=r"this trace recorded nothing"):
            _ = t.output
        y = x.exp()
        assert t.output is y
        z = y * 2
        z.backward()
    assert t.output is z
    assert [n.op for n in t.graph().ops] == ["exp", "mul"]


def test_edge_lookup_by_an_unknown_label_names_the_step():
    t, _ = _traced_worked_example(_value)
    with pytest.raises(KeyError, match=r"backward step 1 has no edge to an input labelled 'w'"):
        t.backward_steps[1].edge("w")


def test_nested_trace_restores_the_outer_one():
    x = Value(1.0)
    with trace() as outer:
        x * 2
        with trace() as inner:
            x * 3
        x * 4
    assert len(outer.forward_steps) == 2 and len(inner.forward_steps) == 1
    assert current().trace is None


def test_trace_works_under_a_scope_and_records_scoped_nodes():
    x = Value(1.0)
    with trace() as t, gradviz.scope("layer"):
        x * 2
    assert t.forward_steps[0].node.scope == "layer"


def test_a_trace_records_only_the_ops_of_the_thread_that_opened_it():
    import threading
    import time

    started, recorded = threading.Event(), threading.Event()
    worker_steps = [0]

    def worker():
        started.set()
        w = Value(2.0, label="w")
        while not recorded.is_set():
            (w * w).backward()
            worker_steps[0] += 1

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert started.wait(10)
        x, y = Value(-2.0, label="x"), Value(5.0, label="y")
        ours, deadline = 0, time.monotonic() + 10
        with gradviz.trace() as t:
            before = worker_steps[0]
            while worker_steps[0] < before + 50 and time.monotonic() < deadline:  # the worker runs meanwhile
                q = x + y
                ours += 1
                time.sleep(0.0001)
            q.label = "q"
            q.backward()
        assert worker_steps[0] >= before + 50
        recorded.set()
    finally:
        recorded.set()
        thread.join(10)
    assert len(t.forward_steps) == ours
    assert {step.node.label for step in t.backward_steps} <= {"q", "x", "y"}


# -- frames show what was recorded, not the values as they are now (issue 13) ------------------------


def test_a_leaf_updated_after_the_trace_leaves_its_frames_as_recorded():
    from gradviz.viz import frames

    w = Value(3.0, label="w")
    with gradviz.trace() as t:
        loss = w * w
        loss.label = "L"
        loss.backward()
    w.data -= 0.1 * w.grad
    assert frames(t)[1].equation == "L = w · w = 3 · 3 = 9"


def test_a_tensor_leaf_and_intermediate_changed_in_place_after_recording_leave_the_steps_as_recorded():
    from gradviz.viz import frames

    w = Tensor(np.array([3.0]), label="w", requires_grad=True)
    with gradviz.trace() as t:
        h = w * 2
        h.label = "h"
        loss = (h * h).sum()
        loss.label = "L"
        loss.backward()
    h.data -= 50  # in place: the very arrays the trace saw, before any step was read
    w.data -= 1
    equations = [f.equation for f in frames(t)]
    assert equations[:3] == ["w = 3", "h = w · 2 = 3 · 2 = 6", "v1 = h · h = 6 · 6 = 36"]
    assert equations[-2] == "∂L/∂w = ∂L/∂h · ∂h/∂w = 12 · 2 = 24"
    assert t.forward_steps[0].value.tolist() == [6.0]


def test_a_scalar_intermediate_reassigned_after_recording_keeps_its_recorded_value_in_every_step():
    from gradviz.viz import frames

    w = Value(3.0, label="w")
    with gradviz.trace() as t:
        h = w * 2
        h.label = "h"
        loss = h * h
        loss.label = "L"
        loss.backward()
    h.data = 100.0
    equations = [f.equation for f in frames(t)]
    assert equations[1] == "h = w · 2 = 3 · 2 = 6" and equations[2] == "L = h · h = 6 · 6 = 36"
    assert "∂L/∂w = ∂L/∂h · ∂h/∂w = 12 · 2 = 24" in equations


def test_a_forward_only_trace_keeps_the_values_it_computed_when_the_block_ends():
    w = Tensor(np.array([1.0, 2.0]), label="w", requires_grad=True)
    with gradviz.trace() as t:
        h = w * 2
    h.data *= 0
    assert t.forward_steps[0].value.tolist() == [2.0, 4.0]


def _traced_matmul(W, x):
    with gradviz.trace() as t:
        (x @ W).sum().backward()
    return t


def test_a_finished_traces_large_copies_are_reused_by_the_next_trace_but_never_one_still_held():
    import importlib

    buffers = importlib.import_module("gradviz.trace")._BUFFERS
    W = Tensor(np.arange(90_000.0).reshape(300, 300), requires_grad=True)
    x = Tensor(np.ones((10, 300)))
    first = _traced_matmul(W, x)
    copy = first._passes[0].leaf_datas[id(W)]
    address = copy.__array_interface__["data"][0]
    del copy, first  # nothing holds the trace's copy of W any more: the next trace copies into it
    W.grad = None
    second = _traced_matmul(W, x)
    assert second._passes[0].leaf_datas[id(W)].__array_interface__["data"][0] == address
    # a copy still held when its trace ends (here a view of it, as a frame might keep) is never written again
    held = second._passes[0].leaf_datas[id(W)][:2]
    del second
    W.data *= -1.0
    W.grad = None
    third = _traced_matmul(W, x)
    assert np.array_equal(held, np.arange(600.0).reshape(2, 300))  # still the values it was recorded with
    assert np.array_equal(third._passes[0].leaf_datas[id(W)], -np.arange(90_000.0).reshape(300, 300))
    assert buffers._bytes <= buffers.LIMIT
