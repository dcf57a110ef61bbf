"""Frames: the worked example step by step (golden captions and equations), gradients summed over uses,
tensors, a graph without a trace, and numbers for people (round-off as 0, precision, the decimal comma)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from viz_examples import check_golden, describe, worked_example

from gradviz import Tensor, Value, trace
from gradviz.ops import scalar_ops
from gradviz.viz import final_frame, frames, to_dot
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


# -- numbers for people: round-off, precision, the decimal mark -------------------------------------------


def every_text(frame) -> list[str]:
    """Everything a frame writes for people: caption, equations, node texts and edge texts."""
    return (
        [frame.caption, frame.equation, frame.latex]
        + [text for n in frame.nodes for text in (n.label, n.value_text, n.grad_text)]
        + [e.local_text for e in frame.edges]
    )


def point_one_plus_point_two_minus_point_three():
    a, b = Value(0.1, label="a"), Value(0.2, label="b")
    with trace() as t:
        f = (a + b) - 0.3
        f.label = "f"
        f.backward()
    return t, f


def test_round_off_of_a_plus_b_minus_point_three_is_shown_as_0_in_every_frame_text():
    t, f = point_one_plus_point_two_minus_point_three()
    assert f.data == pytest.approx(5.551e-17, rel=1e-3)  # the engine keeps its number
    shown = [*frames(t), *frames(t, language="es"), final_frame(f)]
    for frame in shown:
        texts = every_text(frame) + [to_dot(frame).source]
        assert not [text for text in texts if "10⁻" in text or "10^{-" in text], frame
    assert frames(t)[2].equation == "f = v1 − 0.3 = 0.3 − 0.3 = 0"
    assert frames(t)[-1].caption.startswith("Done: f = 0, and every input")
    assert frames(t)[-1].node("f").value == 0.0 and final_frame(f).node("f").value_text == "0"


def test_a_gradient_summed_from_contributions_that_cancel_is_shown_as_0():
    x = Value(2.0, label="x")
    with trace() as t:
        out = x * 0.1 + x * 0.2 - x * 0.3
        out.label = "out"
        out.backward()
    assert x.grad != 0.0 and out.data != 0.0  # round-off in the engine
    node = frames(t)[-1].node("x")
    assert node.grad == 0.0 and node.grad_text == "−0.3 + 0.2 + 0.1 = 0"
    assert frames(t)[-1].equation == "∂out/∂x = 0"
    assert final_frame(out).node("x").grad == 0.0


def test_what_is_computed_from_round_off_reads_0_all_the_way_back_to_the_inputs():
    a, b = Value(0.1, label="a"), Value(0.2, label="b")
    with trace() as t:
        f = (a + b) - 0.3
        f.label = "f"
        loss = f * f * 1e30  # the engine's ∂loss/∂a is about 1.1×10¹⁴: round-off blown up, not a gradient
        loss.label = "L"
        loss.backward()
    assert abs(a.grad) > 1e13
    last = frames(t)[-1]
    assert last.node("L").value == 0.0 and last.node("a").grad == 0.0 and last.node("f").grad_text == "0 + 0 = 0"
    assert last.equation == "∂L/∂a = 0\n∂L/∂b = 0"


def test_a_jump_and_a_division_by_round_off_keep_the_engines_numbers():
    a, b = Value(0.1, label="a"), Value(0.2, label="b")
    with trace() as t:
        g = (a + b) - 0.3  # +5.551×10⁻¹⁷: shown as 0
        g.label = "g"
        r = g.relu()  # ReLU's derivative just above 0 is 1: a jump, not round-off
        r.label = "r"
        inverse = 1 / g  # 1.8×10¹⁶: no 0 to snap to
        inverse.label = "i"
        total = r + inverse
        total.label = "s"
        total.backward()
    last = frames(t)[-1]
    to_r = next(e for e in last.edges if last.node(e.target).label == "r")
    assert last.node("g").value == 0.0 and last.node("r").value == 0.0
    assert to_r.local == 1.0 and to_r.contribution == 1.0
    assert last.node("i").value == inverse.data


def test_tensor_round_off_is_shown_as_0_elementwise_and_only_where_it_is():
    a = Tensor(np.array([0.1, 0.5]), requires_grad=True, label="a")
    b = Tensor(np.array([0.2, 0.25]), label="b")
    c = Tensor(np.array([0.3, 0.25]), label="c")
    with trace() as t:
        d = (a + b) - c
        d.label = "d"
        total = (d * d).sum()
        total.label = "s"
        total.backward()
    assert d.data[0] != 0.0
    last = frames(t)[-1]
    np.testing.assert_array_equal(last.node("d").value, [0.0, 0.5])
    np.testing.assert_array_equal(last.node("a").grad, [0.0, 1.0])
    np.testing.assert_array_equal(final_frame(total).node("a").grad, [0.0, 1.0])


@given(st.floats(0.1, 10.0), st.floats(0.1, 10.0))
def test_a_sum_taken_apart_again_reads_0_whatever_the_numbers(x, y):
    a, b = Value(x, label="a"), Value(y, label="b")
    with trace() as t:
        back = ((a + b) - a) - b  # 0 in exact arithmetic; floating point leaves up to an ulp or two
        back.label = "z"
    assert frames(t)[-1].node("z").value == 0.0


def test_precision_applies_to_captions_equations_node_texts_and_edge_texts():
    x = Value(1 / 3, label="x")
    with trace() as t:
        y = (x * 0.123456).leaky_relu(0.0123456)
        y.label = "y"
        y.backward()
    made = frames(t, precision=2)
    texts = [text for frame in made for text in every_text(frame)]
    assert not [text for text in texts if "333" in text or "1234" in text or "1235" in text]
    assert made[1].equation == "v1 = x · 0.12 = 0.33 · 0.12 = 0.041"
    assert made[2].equation == "y = LeakyReLU(v1) = LeakyReLU(0.041) = 0.041"
    assert made[-1].node("x").value_text == "0.33" and made[-1].node("x").grad_text == "0.12"
    assert {e.local_text for e in made[-1].edges} >= {"1 if v1 > 0; 0.012 otherwise", "0.12"}
    assert made[-1].precision == 2 and made[-1].node("x").precision == 2


def test_spanish_frames_write_a_decimal_comma_and_separate_listed_numbers_with_semicolons():
    x, w = Value(0.5, label="x"), Value(-1.25, label="w")
    with trace() as t:
        v = x * w
        v.label = "v"
        v.backward()
    spanish = frames(t, language="es")
    assert spanish[0].equation == "x = 0,5; w = −1,25" and spanish[0].latex == r"x = 0{,}5;\quad w = -1{,}25"
    assert spanish[1].equation == "v = x · w = 0,5 · (−1,25) = −0,625"
    assert spanish[-1].caption.endswith("∂v/∂x = −1,25; ∂v/∂w = 0,5.")
    assert spanish[-1].node("v").value_text == "−0,625" and spanish[-1].decimal == ","
    assert frames(t, language="en")[0].equation == "x = 0.5, w = −1.25"


def test_decimal_overrides_the_languages_own_mark_and_a_bad_mark_is_refused():
    x = Value(0.5, label="x")
    with trace() as t:
        y = x * 2.25
        y.label = "y"
        y.backward()
    assert frames(t, language="es", decimal=".")[1].equation == "y = x · 2.25 = 0.5 · 2.25 = 1.125"
    assert frames(t, language="en", decimal=",")[1].equation == "y = x · 2,25 = 0,5 · 2,25 = 1,125"
    assert final_frame(y, language="es", decimal=".").node("y").value_text == "1.125"
    assert final_frame(y, language="es").node("y").grad_text == "1"
    with pytest.raises(ValueError, match="decimal is '.' or ','"):
        frames(t, decimal=";")


def test_a_one_element_tensor_writes_its_number_with_the_frames_decimal_mark():
    w = Tensor(np.array([0.25]), requires_grad=True, label="w")
    with trace() as t:
        total = (w * 0.5).sum()
        total.label = "L"
        total.backward()
    last = frames(t, language="es")[-1]
    assert last.node("w").value_text == "0,25" and last.node("L").value_text == "0,125"
    assert last.node("w").grad_text == "0,5" and last.equation == "∂L/∂w = 0,5"


def leaky_neuron():
    """y = LeakyReLU(x·w) at x = 0.5, w = −1.2 (v = −0.6 < 0: the slope 0.01)."""
    x, w = Value(0.5, label="x"), Value(-1.2, label="w")
    with trace() as t:
        v = x * w
        v.label = "v"
        y = v.leaky_relu()
        y.label = "y"
        y.backward()
    return t


def describe_with_edges(frame) -> str:
    edges = [
        f"{frame.node(e.source).label} → {frame.node(e.target).label}: {e.local_text} = "
        + number(e.local, frame.precision, frame.decimal)
        for e in frame.edges
        if e.state == "active" and e.local is not None
    ]
    return describe(frame) + "edges:\n" + ("\n".join(edges) or "-") + "\n"


def test_a_spanish_leaky_relu_walkthrough_matches_the_reviewed_golden_text():
    from gradviz.ops import OPS
    from gradviz.viz.format import number_latex

    made = frames(leaky_neuron(), language="es")
    by_cases = OPS["leaky_relu"].format_local(
        0, ["v"], "y", {"alpha": 0.01}, latex=True, language="es", number=lambda x: number_latex(x, decimal=",")
    )
    text = "\n".join(describe_with_edges(f) for f in made) + f"\n## ∂y/∂v in LaTeX\n{by_cases}\n"
    check_golden("leaky_relu_walkthrough_es.txt", text)
    to_v = next(e for e in made[4].edges if e.state == "active")
    assert to_v.local_text == "1 si v > 0; 0,01 si no" and to_v.local == 0.01


def test_a_number_in_the_expression_is_named_as_the_frames_write_numbers():
    x = Value(2.0, label="x")
    with trace() as t:
        y = x * -0.5
        y.label = "y"
        y.backward()
    english, spanish = frames(t), frames(t, language="es")
    assert english[1].caption == "Forward step 1 of 1: the × node computes y from x and −0.5."
    assert spanish[1].equation == "y = x · (−0,5) = 2 · (−0,5) = −1"
    assert spanish[-1].node("−0,5").kind == "constant"
    assert [e.local_text for e in spanish[-1].edges if e.local is not None] == ["(−0,5)"]
