"""Frames: the worked example step by step (golden captions and equations), gradients summed over uses,
tensors, and a graph without a trace."""

from __future__ import annotations

import numpy as np
import pytest
from viz_examples import check_golden, describe, worked_example

from gradviz import Tensor, Value, trace
from gradviz.ops import scalar_ops
from gradviz.viz import frames
from gradviz.viz.format import number


def test_worked_example_has_initial_two_forward_three_backward_and_final_frames():
    t, _ = worked_example()
    made = frames(t)
    assert [f.kind for f in made] == ["initial", "forward", "forward", "backward", "backward", "backward", "final"]
    assert [f.index for f in made] == list(range(7))
    assert [f.active_label for f in made] == [None, "q", "f", "f", "f", "q", None]


def test_worked_example_captions_and_equations_match_the_golden_text():
    t, _ = worked_example()
    check_golden("worked_example_frames.txt", "\n".join(describe(f) for f in frames(t)))


def test_backward_equation_of_x_is_the_chain_rule_with_real_minus_signs():
    t, _ = worked_example()
    assert frames(t)[5].equation.splitlines()[0] == "∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4"
    assert frames(t)[5].latex.startswith(r"\frac{\partial f}{\partial x} = \frac{\partial f}{\partial q}")


def test_forward_frames_leave_later_values_pending_not_zero():
    t, _ = worked_example()
    initial, first, second = frames(t, mode="forward")
    assert {initial.node(i).label for i in initial.pending} == {"q", "f"}
    assert initial.node("q").value is None and initial.node("q").state == "pending"
    assert first.node("q").value == 3.0 and first.node("f").value is None
    assert second.node("f").value == -12.0 and not second.pending


def test_gradients_are_absent_until_backward_reaches_the_node():
    t, _ = worked_example()
    made = frames(t)
    seed, through_f = made[3], made[4]
    assert seed.node("f").grad == 1.0
    assert seed.node("q").grad is None and seed.node("x").grad is None
    assert through_f.node("q").grad == -4.0 and through_f.node("x").grad is None
    assert through_f.node("q").updated and through_f.node("z").updated and not through_f.node("f").updated


def test_backward_step_marks_the_input_edges_active_with_local_upstream_and_contribution():
    t, _ = worked_example()
    frame = frames(t)[4]
    active = [e for e in frame.edges if e.state == "active"]
    assert {frame.node(e.source).label for e in active} == {"q", "z"}
    to_q = next(e for e in active if frame.node(e.source).label == "q")
    assert (to_q.local_text, to_q.local, to_q.upstream, to_q.contribution) == ("z", -4.0, 1.0, -4.0)
    assert set(frame.active_edges) == {e.key for e in active}


def test_mode_backward_starts_at_the_seed_with_every_value_known():
    t, _ = worked_example()
    made = frames(t, mode="backward")
    assert [f.kind for f in made] == ["backward"] * 3 + ["final"]
    assert made[0].caption == "Backward step 0: the backward pass starts at the output f with ∂f/∂f = 1."
    assert all(n.value is not None for n in made[0].nodes)


def test_a_node_used_twice_shows_its_gradient_as_the_sum_of_contributions():
    a = Value(3.0, label="a")
    with trace() as t:
        b = a * 2
        b.label = "b"
        c = b + a
        c.label = "c"
        c.backward()
    made = frames(t)
    first, second = [f for f in made if f.kind == "backward"][1:]
    assert first.node("a").grad_terms == (1.0,) and first.node("a").grad == 1.0
    assert second.node("a").grad_terms == (1.0, 2.0) and second.node("a").grad == 3.0
    assert second.node("a").grad_text == "1 + 2 = 3"
    assert "∂c/∂a += ∂c/∂b · ∂b/∂a = 1 · 2 = 2, so ∂c/∂a = 1 + 2 = 3" in second.equation
    assert "feeds several nodes" in second.caption


def test_unnamed_nodes_use_the_graph_labels_v1_v2():
    x = Value(2.0, label="x")
    with trace() as t:
        y = (x * x).tanh()
        y.backward()
    made = frames(t)
    assert made[1].caption == "Forward step 1 of 2: the × node computes v1 from x and x."
    assert made[2].equation.startswith("v2 = tanh(v1) = tanh(4) = ")


def test_tensor_frames_carry_arrays_shapes_and_dtypes():
    W = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    x = Tensor(np.arange(3.0), label="x")
    with trace() as t:
        h = W @ x
        h.label = "h"
        loss = h.sum()
        loss.label = "L"
        loss.backward()
    made = frames(t)
    final = made[-1]
    assert final.node("W").shape == (2, 3) and final.node("W").dtype == "float64"
    np.testing.assert_allclose(final.node("W").grad, [[0, 1, 2], [0, 1, 2]])
    assert "vector-Jacobian product" in made[-2].equation or "vector-Jacobian product" in made[-3].equation
    assert final.node("W").value_text == "a 2×3 array"


def test_an_output_without_a_trace_gives_one_final_frame_as_it_is():
    x = Value(-2.0, label="x")
    y = x * x
    assert frames(y)[0].node("x").grad is None
    y.backward()
    (frame,) = frames(y)
    assert frame.kind == "final" and frame.index == 0
    assert frame.node("x").grad == -4.0
    edge = frame.edges[0]
    assert edge.local == -2.0 and edge.local_text == "x"


def test_frames_rejects_a_bad_mode_an_empty_trace_and_other_objects():
    t, _ = worked_example()
    with pytest.raises(ValueError, match="'both', 'forward' or 'backward'"):
        frames(t, mode="sideways")
    with trace() as empty:
        pass
    with pytest.raises(ValueError, match="recorded nothing"):
        frames(empty)
    with pytest.raises(TypeError, match="takes a Trace"):
        frames(3.0)


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (-12.0, "−12"),
        (0.5, "0.5"),
        (1 / 3, "0.3333"),
        (123456.0, "1.235×10⁵"),
        (-2.5e-7, "−2.5×10⁻⁷"),
        (1e9, "10⁹"),
        (0.0, "0"),
    ],
)
def test_numbers_use_significant_digits_the_real_minus_and_powers_of_ten(x, text):
    assert number(x) == text


def run_op(name: str):
    a, b = Value(0.7, label="a"), Value(-1.3, label="b")
    binary = {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "maximum": lambda: a.maximum(b),
        "minimum": lambda: a.minimum(b),
        "power": lambda: Value(2.0, label="a") ** b,
        "pow": lambda: a**3,
        "neg": lambda: -a,
        "abs": lambda: abs(b),
        "leaky_relu": lambda: b.leaky_relu(0.1),
    }
    with trace() as t:
        out = binary[name]() if name in binary else getattr(a, name)()
        out.label = "out"
        out.backward()
    return t


@pytest.mark.parametrize("name", [op.name for op in scalar_ops()])
def test_every_scalar_op_gives_a_forward_equation_and_a_numeric_chain_rule_line(name):
    made = frames(run_op(name))
    forward, last_backward = made[1], made[-2]
    assert forward.equation.startswith("out = ") and forward.equation.count("=") >= 2
    for line in last_backward.equation.splitlines():
        assert line.startswith("∂out/∂") and " · " in line
    assert all(e.local_text for e in last_backward.edges if e.state == "active")


def test_a_negative_operand_is_parenthesised_only_where_the_template_does_not_wrap_it():
    assert frames(run_op("neg"))[1].equation == "out = −a = −0.7 = −0.7"
    assert frames(run_op("abs"))[1].equation == "out = |b| = |−1.3| = 1.3"
    assert frames(run_op("power"))[1].equation == "out = a^b = 2^(−1.3) = 0.4061"


def test_frames_show_the_leaves_the_trace_computed_with_not_what_an_optimizer_left_since():
    w = Value(3.0, label="w")
    with trace() as t:
        loss = w * w
        loss.label = "L"
        loss.backward()
    w.data -= 0.2 * w.grad  # an SGD step after the lesson: w is 1.8 now
    made = frames(t)
    assert made[0].equation == "w = 3" and made[0].node("w").value == 3.0
    assert made[1].equation == "L = w · w = 3 · 3 = 9"
    assert made[-1].node("w").value == 3.0 and made[-1].node("w").grad == 6.0

    W = Tensor(np.ones((2, 2)), requires_grad=True, label="W")
    with trace() as t:
        total = (W * W).sum()
        total.backward()
    W.data -= 0.5 * W.grad  # in place: the array the trace saw is changed
    np.testing.assert_array_equal(frames(t)[0].node("W").value, np.ones((2, 2)))
    np.testing.assert_array_equal(frames(t)[-1].node("W").value, np.ones((2, 2)))
