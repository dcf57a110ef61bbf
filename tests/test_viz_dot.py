"""Frame → DOT: golden diagrams of the worked example, node and edge styles, themes, escaping, tensors,
and collapsing large graphs (scopes into boxes, a node budget, expand on demand, 100,000 nodes)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from viz_examples import check_golden, scalar_mlp, worked_example

from gradviz import Tensor, Value, scope
from gradviz.viz import THEMES, final_frame, frames, render, to_dot
from gradviz.viz.collapse import plan
from gradviz.viz.dot import escape


@pytest.mark.parametrize("index", [0, 2, 5, 6])
def test_worked_example_dot_of_key_frames_matches_the_reviewed_golden_file(index):
    t, _ = worked_example()
    check_golden(f"worked_example_frame{index}.dot", to_dot(frames(t)[index]).source)


def test_value_nodes_show_label_value_and_gradient_or_a_grey_question_mark():
    t, _ = worked_example()
    initial = to_dot(frames(t)[0]).source
    assert "∂f/∂q" in initial and "−2" in initial and "−12" not in initial  # f is still pending
    assert re.search(r"∂f/∂x</FONT></TD><TD ALIGN=\"RIGHT\"><FONT COLOR=\"#9a9a9a\"><I>\?</I>", initial)
    final = to_dot(frames(t)[-1]).source
    assert "−12" in final and ">−4</FONT>" in final


def test_op_nodes_show_the_registry_symbol():
    t, _ = worked_example()
    source = to_dot(frames(t)[-1]).source
    assert re.search(r"n2_op \[label=<\+>", source) and re.search(r"n4_op \[label=<×>", source)


def test_active_backward_edges_carry_local_derivative_and_product_in_the_active_colour():
    t, _ = worked_example()
    source = to_dot(frames(t)[4]).source
    active = THEMES["light"]["active_line"]
    assert f'∂f/∂q = z = −4</FONT><BR/><FONT COLOR="{active}"><B>1 · (−4) = −4</B>' in source
    assert source.count(f'color="{active}" penwidth=3') == 3  # two input edges and the op → f edge


def test_forward_frames_have_no_derivative_labels():
    t, _ = worked_example()
    assert "∂q/∂x" not in to_dot(frames(t)[1]).source


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_each_theme_sets_its_background_and_its_active_colour(theme):
    t, _ = worked_example()
    source = to_dot(frames(t)[5], theme=theme).source
    assert f'bgcolor="{THEMES[theme]["background"]}"' in source or f"bgcolor={THEMES[theme]['background']}" in source
    assert THEMES[theme]["active_line"] in source


def test_inputs_output_active_and_constants_get_distinct_styles():
    x = Value(2.0, label="x")
    y = x * 3
    y.label = "y"
    y.backward()
    source = to_dot(y).source
    light = THEMES["light"]
    assert light["input_line"] in source and light["output_line"] in source
    assert 'style="rounded,dashed"' in source  # the constant 3
    assert light["active_line"] not in source  # nothing active in a final frame


def test_rankdir_and_precision_are_applied():
    x = Value(1 / 3, label="x")
    y = x * 1.0
    source = to_dot(y, rankdir="TB", precision=2).source
    assert "rankdir=TB" in source and "0.33<" in source and "0.3333" not in source


def test_bad_theme_and_rankdir_are_rejected_with_the_choices():
    x = Value(1.0)
    with pytest.raises(ValueError, match="light, dark, print"):
        to_dot(x * 2, theme="neon")
    with pytest.raises(ValueError, match="'LR' or 'TB'"):
        to_dot(x * 2, rankdir="diagonal")


HOSTILE = ['<script>alert("x")</script>', "a & b", "it's", "x > y < z"]


@pytest.mark.parametrize("label", HOSTILE)
def test_labels_with_markup_characters_are_escaped_in_the_dot_text(label):
    x = Value(1.0, label=label)
    y = x * 2
    source = to_dot(y).source
    assert escape(label) in source
    assert "<script>" not in source and "a & b" not in source


def test_escape_turns_every_markup_character_into_an_entity():
    assert escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"


def test_small_tensors_show_shape_dtype_and_every_element():
    W = Tensor(np.array([[1.0, -2.0], [3.0, 4.0]]), requires_grad=True, label="W")
    y = (W * 2).sum()
    y.backward()
    source = to_dot(y).source
    assert "(2, 2) float64" in source and "[1, −2]" in source and "[3, 4]" in source


def test_large_tensors_show_a_mean_std_min_max_summary():
    W = Tensor(np.arange(30.0).reshape(5, 6), requires_grad=True, label="W")
    source = to_dot(W.sum()).source
    assert "(5, 6) float64" in source and "mean 14.5" in source and "min 0" in source and "max 29" in source


def test_a_scope_collapses_into_a_box_with_its_output_value_and_gradient_norm():
    out = scalar_mlp()
    source = to_dot(out, collapse=True).source
    assert "mlp/layer1" in source and "mlp/layer2" in source and "mlp/layer3" in source
    assert "4 outputs" in source and "‖∂y/∂out‖" in source
    assert "_op" not in source  # every op lives in a box


def test_collapsed_scalar_mlp_golden_dot():
    check_golden("mlp_collapsed.dot", to_dot(scalar_mlp(), collapse=True).source)


def test_expand_opens_one_scope_and_keeps_the_others_boxed():
    out = scalar_mlp()
    view = plan(final_frame(out), expand=["layer2"])
    assert sorted(box.title for box in view.boxes) == ["mlp/layer1", "mlp/layer3"]
    assert {view.cluster_of[n.id] for n in view.nodes} == {"mlp/layer2"}


def test_expand_of_an_unknown_scope_names_the_scopes_there_are():
    with pytest.raises(ValueError, match="no scope of that name; its scopes are: mlp, mlp/layer1"):
        to_dot(scalar_mlp(), expand=["layer9"])


def test_a_small_scoped_graph_is_drawn_open_inside_clusters():
    source = to_dot(scalar_mlp(), focus=False).source  # drawn whole (by default a graph this big is focused)
    assert "subgraph cluster_" in source and ">layer2<" in source
    assert source.count("_op [") == 64  # every op of the 2-4-4-1 MLP


def test_a_graph_over_the_budget_collapses_its_scopes_with_a_visible_note():
    out = scalar_mlp()
    source = to_dot(out, max_nodes=50).source
    assert "Collapsed to stay readable" in source and "scopes collapsed" in source
    assert "expand=[" in source


def test_an_unscoped_graph_over_the_budget_hides_the_nodes_furthest_from_the_output():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100):
        y = y * 1.0
    view = plan(final_frame(y), max_nodes=20)
    (overflow,) = view.boxes
    assert overflow.kind == "overflow" and len(view.nodes) == 19
    assert y.label is None and final_frame(y).output in {n.id for n in view.nodes}
    assert "more nodes" in to_dot(y, max_nodes=20).source


def hundred_thousand_node_chain():
    """A chain of 100,001 nodes (mul and add with constants) in four scopes."""
    x = Value(0.5, label="x")
    h = x
    for block in range(4):
        with scope(f"block{block}"):
            for _ in range(6250):
                h = h * 0.999 + 0.001
    h.label = "out"
    h.backward()
    return h


@pytest.mark.slow  # about 3 s, most of it building the 100,001-node Graph
def test_a_hundred_thousand_node_graph_collapses_to_one_box_per_scope_and_renders():
    h = hundred_thousand_node_chain()
    dot = to_dot(h)
    source = dot.source
    assert source.count("[label=") == 4 and "block3" in source and "25,000" in source
    assert "Collapsed to stay readable: 100,001 nodes: 4 scopes collapsed" in source
    svg = render(dot, "svg", engine="graphviz-pure").decode()
    assert "block0" in svg and "block3" in svg and "100,001 nodes" in svg


def test_a_spanish_frame_draws_spanish_row_names_and_summaries():
    big = Tensor(np.linspace(-1, 1, 30).reshape(5, 6), requires_grad=True, label="B")
    loss = (big * big).sum()
    loss.backward()
    spanish = to_dot(final_frame(loss, language="es")).source
    assert "valor" in spanish and "forma" in spanish and "media" in spanish and "desv." in spanish
    shown = " ".join(re.findall(r">([^<>]+)</", spanish))  # the text of the labels, not the DOT attributes
    assert "value" not in shown and "shape" not in shown and "mean" not in shown
    english = to_dot(final_frame(loss, language="en")).source
    assert "value" in english and "mean" in english and "valor" not in english


def test_the_collapse_hint_names_a_scope_the_picture_shows_not_one_hidden_in_the_overflow_box():
    import re

    from gradviz import Value, scope
    from gradviz.viz import final_frame
    from gradviz.viz.collapse import plan

    h = Value(0.5, label="x")
    for k in range(30):
        with scope(f"block{k}"):
            h = (h * 0.9 + 0.1).tanh()
    h.backward()
    view = plan(final_frame(h), max_nodes=10)
    named = re.search(r"expand=\['(\w+)'\]", view.note).group(1)
    shown = {box.title for box in view.boxes if box.kind == "scope"}
    assert named in shown, f"the hint names {named}, but the picture shows only {sorted(shown)}"


def test_no_expand_hint_when_no_scope_is_drawn_as_a_box():
    from gradviz import Tensor, nn
    from gradviz.viz import final_frame
    from gradviz.viz.collapse import plan

    nn.manual_seed(0)
    out = nn.MLP(2, [4, 4, 4, 1])(Tensor([[1.0, 2.0]])).sum()
    out.backward()
    view = plan(final_frame(out), collapse=False, max_nodes=8)
    assert not [box for box in view.boxes if box.kind == "scope"]
    assert view.note and "expand=" not in view.note


# -- the layout budget: nodes and bends of long edges ------------------------------------------------


def fan_in(terms: int):
    """x + x + … + x: x feeds every addition, so its edges reach across the whole picture."""
    from gradviz import trace

    x = Value(1.0, label="x")
    with trace() as recorded:
        h = x
        for _ in range(terms - 1):
            h = h + x
        h.backward()
    return h, recorded


@pytest.mark.parametrize("max_nodes", [20, 150, 400])
def test_a_picture_past_the_bend_budget_hides_the_far_nodes_until_its_bends_fit(max_nodes):
    from gradviz.viz.collapse import BENDS_PER_NODE, layout_cost

    h, _ = fan_in(100)
    frame = final_frame(h)
    everything = layout_cost(frame, plan(frame, max_nodes=10_000))
    assert everything.nodes >= 199 and everything.bends > 9_000  # 100 nodes, but thousands of bends
    view = plan(frame, max_nodes=max_nodes)
    cost = layout_cost(frame, view)
    assert cost.bends <= BENDS_PER_NODE * max_nodes and len(view.nodes) < min(max_nodes, 100)
    assert "bends" in view.note and f"max_nodes={max_nodes}" in view.note


def test_a_long_chain_without_long_edges_is_cut_by_the_node_budget_alone():
    from gradviz.viz.collapse import layout_cost

    h = Value(0.5, label="x")
    for _ in range(300):
        h = h * 1.01
    frame = final_frame(h)
    view = plan(frame, max_nodes=150)
    assert len(view.nodes) == 149 and layout_cost(frame, view).bends < 1_500
    assert "bends" not in view.note


def test_every_frame_of_a_walkthrough_hides_the_same_nodes():
    _, recorded = fan_in(60)
    shown = {frozenset(n.id for n in plan(frame).nodes) for frame in frames(recorded)}
    assert len(shown) == 1 and len(next(iter(shown))) < 60  # the same nodes hidden at every step


def test_a_labelled_constant_keeps_its_label_in_the_picture():
    x1 = Value(1.5, label="x₁", requires_grad=False)
    w = Value(2.0, label="w")
    source = to_dot(x1 * w).source
    assert "<B>x₁</B></FONT> = <FONT" in source and "1.5" in source


def test_a_big_graph_is_drawn_in_focus_view_the_active_node_its_inputs_outputs_and_the_output():
    from viz_examples import sigmoid_neuron

    from gradviz.viz.collapse import focus_of

    steps = frames(sigmoid_neuron())
    step = next(frame for frame in steps if frame.active is not None and frame.active_label == "p")
    shown = {step.node(i).label for i in focus_of(step)}
    assert shown == {"z", "p", "L"} | {step.node(e.target).label for e in step.edges if e.source == step.node("p").id}
    source = to_dot(step).source
    assert "nodes before" in source and "nodes after" in source  # the rest, folded into two boxes
    assert "the whole graph" in source  # and the overview under it
    marks = source.count("●") + source.count("○")
    assert marks == sum(1 for n in step.nodes if n.kind != "constant")  # a mark per value node
    everything = to_dot(step, focus=False).source
    assert "nodes before" not in everything and all(f"<B>{n.label}</B>" in everything for n in step.nodes if n.op)


def test_a_small_graph_is_never_focused_unless_asked():
    t, _ = worked_example()
    step = frames(t)[3]
    assert "nodes before" not in to_dot(step).source
    assert "the whole graph" in to_dot(step, focus=True).source
    with pytest.raises(ValueError, match="focus"):
        to_dot(step, focus="yes")
