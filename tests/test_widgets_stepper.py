"""The backprop stepper (gradviz/widgets/stepper.py) without a browser: UI state → frame, SVG, caption, table."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

import gradviz
from gradviz import Tensor, Value, keras, nn, trace
from gradviz.viz import frames
from gradviz.widgets import Stepper, step_through
from gradviz.widgets import stepper as stepper_module
from gradviz.widgets._stepper_numeric import numeric_gradients
from gradviz.widgets._stepper_trace import trace_of


def worked_example():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, (x, y, z)


@pytest.fixture
def spanish():
    gradviz.set_language("es")
    try:
        yield
    finally:
        gradviz.set_language("en")


def small_tensor_graph():
    W = Tensor(np.array([[0.5], [-0.25]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.1]), requires_grad=True, label="b")
    X = Tensor(np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]), label="X")
    loss = ((X @ W + b).tanh() * 2.0).sum()
    loss.label = "L"
    return loss, (W, b)


# -- stepping ------------------------------------------------------------------------------------------


def test_next_moves_to_the_following_frame_and_updates_caption_diagram_and_counter():
    f, _ = worked_example()
    stepper = step_through(f)
    before = (stepper.caption.value, stepper.diagram.value, stepper.counter.value)
    stepper.next()
    assert stepper.step == 1 and stepper.frame.kind == "forward"
    assert stepper.frame.equation == "q = x + y = (−2) + 5 = 3"
    assert stepper.caption.value != before[0] and "q = x + y" in stepper.caption.value
    assert stepper.diagram.value != before[1] and 'data-step="1"' in stepper.diagram.value
    assert stepper.counter.value == "step 2 of 7" != before[2]


def test_clicking_the_buttons_steps_and_disables_them_at_the_ends():
    f, _ = worked_example()
    stepper = step_through(f)
    assert stepper.previous_button.disabled and not stepper.next_button.disabled
    for _ in range(10):  # more clicks than frames: the last one stays
        stepper.next_button.click()
    assert stepper.step == 6 and stepper.frame.kind == "final"
    assert stepper.next_button.disabled and not stepper.previous_button.disabled
    stepper.previous_button.click()
    assert stepper.step == 5


def test_moving_the_slider_shows_that_frame_with_its_chain_rule_equation():
    f, _ = worked_example()
    stepper = step_through(f)
    stepper.slider.value = 5  # what ← / → on the focused slider do in the browser
    assert stepper.step == 5
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4" in stepper.caption.value
    assert 'data-kind="backward"' in stepper.diagram.value


def test_setting_step_from_code_moves_the_slider_and_out_of_range_is_refused():
    f, _ = worked_example()
    stepper = step_through(f)
    stepper.step = 3
    assert stepper.slider.value == 3
    with pytest.raises(traitlets.TraitError, match="7 frames in mode 'both', so step is 0 to 6"):
        stepper.step = 7


def test_the_frames_are_those_of_the_recorded_trace():
    f, (x, _, _) = worked_example()
    a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    with trace() as t:
        c = a * b
        c.label = "c"
        c.backward()
    stepper = Stepper(t)
    assert [fr.caption for fr in stepper.frames] == [fr.caption for fr in frames(t)]
    assert [fr.caption for fr in step_through(t).frames] == [fr.caption for fr in frames(t)]
    assert stepper.frames[-1].node("a").grad == -1.0


def test_step_through_replays_backward_without_touching_the_graphs_gradients():
    f, (x, y, z) = worked_example()
    stepper = step_through(f)
    final = stepper.frames[-1]
    assert (final.node("x").grad, final.node("y").grad, final.node("z").grad) == (-4.0, -4.0, 3.0)
    assert x.grad is None and z.grad is None and f.grad is None


def test_step_through_after_backward_shows_a_fresh_pass_not_accumulated_gradients():
    f, (x, _, _) = worked_example()
    f.backward()
    f.backward()  # x.grad is now -8: a second pass accumulated into it
    final = step_through(f).frames[-1]
    assert x.grad == -8.0 and final.node("x").grad == -4.0


# -- modes -----------------------------------------------------------------------------------------------


def test_switching_mode_keeps_the_same_backward_step_and_resizes_the_slider():
    f, _ = worked_example()
    stepper = step_through(f)
    stepper.step = 4  # backward step 1: f passes its gradient to q and z
    shown = stepper.frame
    stepper.mode_buttons.value = "backward"
    assert stepper.mode == "backward" and len(stepper.frames) == 4
    assert stepper.frame.kind == shown.kind and stepper.frame.step == shown.step
    assert stepper.frame.equation == shown.equation
    assert stepper.slider.max == 3 and stepper.play.max == 3
    stepper.mode = "forward"  # no backward frame in this mode: the end of the forward pass
    assert stepper.step == len(stepper.frames) - 1 == 2 and stepper.slider.max == 2


def test_an_unknown_mode_is_refused_with_the_choices():
    f, _ = worked_example()
    with pytest.raises(ValueError, match="'both', 'forward' or 'backward', got 'sideways'"):
        step_through(f, mode="sideways")
    with pytest.raises(ValueError, match="interval_ms=...\\) is a positive number of milliseconds, got 0"):
        step_through(f, interval_ms=0)


# -- pictures ------------------------------------------------------------------------------------------


def test_each_picture_is_rendered_once_then_served_from_the_cache(monkeypatch):
    calls = []
    real = stepper_module.render

    def counting(dot, fmt, **options):
        calls.append(fmt)
        return real(dot, fmt, **options)

    monkeypatch.setattr(stepper_module, "render", counting)
    f, _ = worked_example()
    stepper = step_through(f)
    for index in [1, 2, 1, 0, 2]:
        stepper.step = index
    assert calls == ["svg"] * 3
    assert "<svg" in stepper.svg and "<?xml" not in stepper.svg  # ready to sit inside HTML


def test_the_diagram_of_a_backward_step_shows_the_product_on_the_active_edge():
    f, _ = worked_example()
    stepper = step_through(f)
    stepper.step = 5  # q passes −4 to x and y
    assert "(−4) · 1 = −4" in stepper.svg


# -- the node table --------------------------------------------------------------------------------------


def test_the_table_shows_unknown_gradients_as_question_marks_until_backward_reaches_them():
    f, _ = worked_example()
    stepper = step_through(f)
    stepper.step = 2  # forward done, no gradient yet
    assert stepper.table.value.count('class="grad unknown">?</td>') == 5
    stepper.step = 4  # f gave q and z their gradients; x and y still wait
    table = stepper.table.value
    assert table.count('class="grad unknown">?</td>') == 2
    assert '<tr class="done updated" data-node="n2">' in table  # q's gradient just arrived


def test_numerical_gradients_appear_in_the_table_and_agree_with_backward():
    f, _ = worked_example()
    stepper = step_through(f)
    assert "numerical" not in stepper.table.value
    stepper.numeric_box.value = True
    stepper.step = len(stepper.frames) - 1
    table = stepper.table.value
    assert "numerical ∂f/∂node" in table and "central differences" in table
    numeric = stepper.numeric().gradients
    for node in stepper.frame.nodes:
        assert numeric[node.id] == pytest.approx(node.grad, abs=1e-6)


def test_numerical_gradients_of_a_tensor_graph_match_backward_elementwise():
    loss, (W, b) = small_tensor_graph()
    loss.backward()
    numeric = numeric_gradients(gradviz.Graph.of(loss))
    graph = gradviz.Graph.of(loss)
    for node in graph.nodes:
        if node.ref.requires_grad and node.ref.is_leaf:
            np.testing.assert_allclose(numeric.gradients[node.id], node.ref.grad, atol=1e-6)


def test_numerical_gradients_over_budget_are_skipped_and_the_table_says_so():
    loss, _ = small_tensor_graph()
    stepper = step_through(loss)
    stepper.numeric_budget = 10
    stepper.show_numeric = True
    result = stepper.numeric()
    assert result.skipped and all(node_id not in result.gradients for node_id in result.skipped)
    assert f"{len(result.skipped)} nodes have no numerical gradient" in stepper.table.value


# -- tensors and networks --------------------------------------------------------------------------------


def test_a_tensor_graph_steps_to_the_gradients_backward_computes():
    loss, (W, b) = small_tensor_graph()
    stepper = step_through(loss, mode="backward")
    stepper.step = len(stepper.frames) - 1
    loss.backward()
    np.testing.assert_allclose(stepper.frame.node("W").grad, W.grad)
    np.testing.assert_allclose(stepper.frame.node("b").grad, b.grad)
    assert "(2, 1) float64" in stepper.svg


def test_a_scalar_mlp_starts_folded_into_scope_boxes_and_a_scope_can_be_opened():
    net = nn.scalar.MLP(2, [4, 4, 1], seed=0)
    out = net([1.0, -2.0])
    stepper = step_through(out)
    assert stepper.collapse and not stepper.expand_select.disabled
    assert "mlp/0" in stepper.scopes and "mlp/0" in stepper.expand_select.options
    stepper.step = len(stepper.frames) - 1
    folded = stepper.svg
    assert "scope" in folded and "mlp/0/0" not in folded  # layer boxes, neurons hidden
    stepper.expand_select.value = ("mlp/0",)
    assert stepper.expanded == ("mlp/0",)
    opened = stepper.svg
    assert opened != folded and "mlp/0/0" in opened  # the first layer's neurons are boxes of their own now
    stepper.collapse_box.value = False
    assert stepper.expand_select.disabled and "scope " not in stepper.svg


def test_a_torch_style_mlp_loss_steps_through_its_layers():
    nn.manual_seed(0)
    model = nn.MLP(2, [4, 1])
    X = Tensor(np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    Y = Tensor(np.array([[1.0], [0.0], [1.0]]))
    loss = nn.MSELoss()(model(X), Y)
    stepper = step_through(loss, show_numeric=True)
    stepper.step = len(stepper.frames) - 1
    loss.backward()
    np.testing.assert_allclose(stepper.frame.node("W¹").grad, model[0].weight.grad)
    assert "mlp/0" in stepper.table.value  # the scope column


def test_opening_a_scope_that_does_not_exist_names_the_real_ones():
    net = nn.scalar.MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="no scope 'layer9'; its scopes are: mlp, mlp/0, mlp/0/0, mlp/0/1, mlp/1"):
        step_through(net([1.0, 1.0]), expand=["layer9"])
    stepper = step_through(net([1.0, 1.0]), collapse=True)
    with pytest.raises(traitlets.TraitError, match="Stepper.expanded: the graph has no scope 'nine'"):
        stepper.expanded = ("nine",)


def test_a_scope_named_by_its_last_part_opens_every_scope_of_that_name():
    net = nn.scalar.MLP(2, [2, 1], seed=0)
    stepper = step_through(net([1.0, 1.0]), collapse=True, expand=["0"])
    assert stepper.expanded == ("mlp/0", "mlp/0/0", "mlp/1/0") == stepper.expand_select.value


def test_a_graph_with_a_single_frame_still_makes_a_stepper():
    stepper = step_through(Value(3.0, label="a"), mode="forward")
    assert len(stepper.frames) == 1 and stepper.slider.max == 0
    assert stepper.previous_button.disabled and stepper.next_button.disabled


def test_step_through_refuses_what_it_cannot_step_through():
    with pytest.raises(TypeError, match="takes a Value, a Tensor or a gradviz.Trace, got list"):
        step_through([1.0, 2.0])
    constant = Tensor(np.ones(3)) * 2.0
    with pytest.raises(ValueError, match="does not require grad"):
        step_through(constant)
    with pytest.raises(TypeError, match="for an output Value or Tensor use gradviz.step_through"):
        Stepper(Value(1.0))


def test_trace_of_lists_the_forward_ops_in_order_and_one_backward_pass():
    f, _ = worked_example()
    rebuilt = trace_of(f)
    assert [s.op for s in rebuilt.forward_steps] == ["add", "mul"]
    assert [s.node.label for s in rebuilt.backward_steps] == ["f", "f", "q"]
    assert rebuilt.backward_steps[1].edge("q").local == -4.0


# -- notebooks without widgets, language, package ----------------------------------------------------------


def test_without_a_widget_front_end_the_notebook_shows_the_last_frame_and_a_note():
    f, _ = worked_example()
    stepper = step_through(f)
    bundle = stepper._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    static = bundle["text/html"]
    assert "<svg" in static and "needs a Jupyter front end with ipywidgets" in static
    assert "Done: f = −12" in static and "(7 of 7)" in static


@pytest.mark.slow  # importing nbconvert takes seconds
def test_nbconvert_renders_the_static_fallback_when_no_widget_state_was_saved():
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    f, _ = worked_example()
    bundle = step_through(f)._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("gradviz.step_through(f)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    notebook.cells = [cell]
    page, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    assert "needs a Jupyter front end with ipywidgets" in page and "<svg" in page


def test_labels_captions_and_the_fallback_note_follow_the_language(spanish):
    f, _ = worked_example()
    stepper = step_through(f)
    assert stepper.next_button.description == "Siguiente"
    assert stepper.previous_button.description == "Anterior"
    assert stepper.counter.value == "paso 1 de 7"
    assert [label for label, _ in stepper.mode_buttons.options] == [
        "Hacia delante y hacia atrás",
        "Hacia delante",
        "Hacia atrás",
    ]
    assert "valor" in stepper.table.value and "hasta ahora" in stepper.table.value
    assert "necesita un entorno Jupyter con ipywidgets" in stepper._repr_mimebundle_()["text/html"]


def test_the_package_exports_the_stepper_and_loads_the_other_widgets_on_first_use():
    import gradviz.widgets as package

    assert package.Stepper is Stepper and gradviz.step_through is not None
    assert isinstance(gradviz.step_through(worked_example()[0]), Stepper)
    from gradviz.widgets.dashboard import FitDashboard
    from gradviz.widgets.playground import Playground

    assert package.FitDashboard is FitDashboard and package.Playground is Playground
    assert {"Stepper", "step_through", "Playground", "FitDashboard"} <= set(dir(package))
    with pytest.raises(AttributeError, match="has no attribute 'Stepperr'"):
        package.Stepperr  # noqa: B018


def test_a_long_table_repeats_the_rows_of_the_current_step_on_top():
    net = nn.scalar.MLP(2, [3, 1], seed=0)
    stepper = step_through(net([1.0, -2.0]))
    stepper.step = len(stepper.frames) - 2  # a late backward step: the active node and its inputs' new gradients
    frame = stepper.frame
    touched = [node.id for node in frame.nodes if node.state == "active" or node.updated]
    body = stepper.table.value.split("<tbody>")[1]
    pinned = [row.split('data-node="')[1].split('"')[0] for row in body.split("<tr ")[1:] if "data-pinned" in row]
    assert pinned == touched and len(touched) >= 2
    assert body.count("<tr ") == len(frame.nodes) + len(touched)


def test_the_numerical_check_uses_the_data_the_recorded_pass_used_even_after_an_optimizer_step():
    from gradviz import Value, trace
    from gradviz.widgets import Stepper

    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    with trace() as t:
        c = a * b
        c.label = "c"
        c.backward()
    a.data -= 0.5 * a.grad  # the parameters move on after the lesson was recorded
    stepper = Stepper(t, show_numeric=True)
    numeric = stepper.numeric()
    by_label = {node.label: node.id for node in stepper.graph.nodes}
    assert float(numeric.gradients[by_label["b"]]) == pytest.approx(3.0, rel=1e-6)  # ∂c/∂b = a as recorded
    assert float(numeric.gradients[by_label["a"]]) == pytest.approx(2.0, rel=1e-6)


# -- models ----------------------------------------------------------------------------------------


BATCH = np.array([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]])


def backward_frames_reaching(stepper, label: str) -> list:
    """The backward frames in which the node labelled `label` receives a gradient."""
    found = []
    for frame in stepper.frames:
        if frame.kind != "backward":
            continue
        if any(e.state == "active" and frame.node(e.source).label == label for e in frame.edges):
            found.append(frame)
    return found


def test_step_through_an_nn_mlp_has_a_backward_frame_for_each_layers_weights():
    model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=0)
    stepper = gradviz.step_through(model, BATCH, np.array([0.2, -0.4, 0.9]), loss="mse")
    assert isinstance(stepper, Stepper) and stepper.layer_view  # a big model: one node per W, b, z, h
    for label in ("W¹", "W²", "W³", "b¹", "b³"):
        assert len(backward_frames_reaching(stepper, label)) == 1, label
    assert [f.active_label for f in stepper.frames if f.kind == "forward"] == ["z¹", "h¹", "z²", "h²", "z³", "L"]
    layer_two = backward_frames_reaching(stepper, "W²")[0]
    assert layer_two.caption.startswith("Layer 2, backward: δ² = ∂L/∂z² arrives")
    assert "∂L/∂W² = δ²ᵀ · h¹" in layer_two.equation
    stepper.step = len(stepper.frames) - 1
    assert "W²" in stepper.svg and "z²" in stepper.svg


def test_step_through_a_keras_sequential_has_a_backward_frame_for_each_layers_weights():
    model = keras.Sequential(
        [keras.Dense(4, activation="relu", input_dim=2), keras.Dense(3, activation="softmax")], seed=0
    )
    stepper = step_through(model, BATCH, np.array([0, 2, 1]), loss="sparse_categorical_crossentropy")
    assert stepper.layer_view
    assert all(len(backward_frames_reaching(stepper, w)) == 1 for w in ("W¹", "W²"))
    model.compile("adam", loss="sparse_categorical_crossentropy")
    compiled = step_through(model, BATCH, np.array([0, 2, 1]))  # its compiled loss
    assert compiled.frames[-1].node("L").value == pytest.approx(stepper.frames[-1].node("L").value)


def test_step_through_a_model_leaves_its_gradients_and_weights_as_they_were():
    model = nn.MLP(2, [3, 1], seed=0)
    model[2].bias.grad = np.array([5.0])
    kept = model[2].bias.grad
    before = [p.data.copy() for p in model.parameters()]
    for view in ("nodes", "layers"):
        step_through(model, BATCH, np.zeros(3), loss="mse", view=view)
    assert model[2].bias.grad is kept and model[0].weight.grad is None
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before, strict=True))


def test_a_models_node_view_and_layer_view_agree_on_every_gradient():
    model = nn.MLP(2, [3, 1], seed=0)
    nodes = step_through(model, BATCH, np.zeros(3), loss="mse", view="nodes")
    layers = step_through(model, BATCH, np.zeros(3), loss="mse", view="layers")
    assert not nodes.layer_view and len(nodes.graph.nodes) > len(layers.graph.nodes)
    for label in ("W¹", "b¹", "W²", "b²"):
        np.testing.assert_allclose(layers.frames[-1].node(label).grad, nodes.frames[-1].node(label).grad)
    # node by node the weight reaches its gradient through its transpose, as the engine recorded it
    assert len(backward_frames_reaching(nodes, "W¹")) == 1


def test_a_small_model_steps_node_by_node_and_a_scalar_network_has_no_layer_view():
    small = nn.Linear(2, 1, seed=0)
    assert not step_through(small, BATCH, np.zeros(3), loss="mse").layer_view  # 8 nodes: each one shown
    net = nn.ScalarMLP(2, [2, 1], seed=0)
    stepper = step_through(net, BATCH, np.zeros(3), loss="mse")
    assert not stepper.layer_view and "W¹[1,0]" in [n.label for n in stepper.graph.nodes]
    with pytest.raises(ValueError, match="tensor networks"):
        step_through(net, BATCH, np.zeros(3), loss="mse", view="layers")


def test_any_tensor_output_may_ask_for_the_layer_view():
    model = nn.MLP(2, [3, 1], seed=0)
    loss = nn.MSELoss()(model(Tensor(BATCH)), Tensor(np.zeros((3, 1))))
    stepper = step_through(loss, view="layers")
    assert stepper.layer_view and [n.label for n in stepper.graph.nodes][3:5] == ["z¹", "h¹"]
    assert not step_through(loss).layer_view  # an output is drawn as it was built unless asked


def test_step_through_says_what_a_model_needs_and_what_an_output_does_not_take():
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"give the batch and its targets, step_through\(model, X, y, loss='mse'\)"):
        step_through(model)
    with pytest.raises(ValueError, match="needs a loss"):
        step_through(model, BATCH, np.zeros(3))
    f, _ = worked_example()
    with pytest.raises(TypeError, match="is for a model"):
        step_through(f, "backward")
    with pytest.raises(ValueError, match=r"view=\.\.\.\) is 'nodes', 'layers' or None"):
        step_through(model, BATCH, np.zeros(3), loss="mse", view="matrix")


def test_the_layer_view_stepper_speaks_spanish(spanish):
    stepper = step_through(nn.MLP(2, [3, 2, 1], seed=0), BATCH, np.zeros(3), loss="mse")
    frame = backward_frames_reaching(stepper, "W¹")[0]
    assert frame.caption.startswith("Capa 1, hacia atrás")
    stepper.step = stepper.frames.index(frame)
    assert "Capa 1, hacia atrás" in stepper.caption.value


def test_the_focus_box_draws_a_big_graphs_step_as_its_focus_and_can_be_turned_off():
    x = Value(0.5, label="x")
    h = x
    for _ in range(20):
        h = (h * 1.1).tanh()
    stepper = step_through(h)
    assert stepper.focus and stepper.focus_box.value  # more than FOCUS_NODES nodes, nothing folded
    stepper.step = 10
    focused = stepper.svg
    stepper.focus_box.value = False
    assert not stepper.focus and stepper.svg != focused
    small = step_through(worked_example()[0])
    assert not small.focus
    folded = step_through(nn.scalar.MLP(2, [4, 4, 1], seed=0)([1.0, -2.0]))
    assert folded.collapse and not folded.focus  # folded scopes already make a small picture
    assert step_through(worked_example()[0], focus=True).focus


def test_the_iteration_control_jumps_to_an_iteration_and_follows_the_steps():
    import gradviz

    w = gradviz.Value(1.0, label="w")
    opt = gradviz.optim.SGD([w], lr=0.25)
    with gradviz.trace() as t:
        for _ in range(3):
            opt.zero_grad()
            loss = w * w
            loss.label = "L"
            loss.backward()
            opt.step()
    stepper = gradviz.step_through(t)
    assert stepper.iterations == [0, 1, 2] and stepper.iteration_select.options[1] == ("iteration 2", 1)
    stepper.iteration_select.value = 2
    assert stepper.frame.iteration == 2 and stepper.frame.kind == "initial"
    stepper.step = 0
    assert stepper.iteration_select.value == 0
    update = next(i for i, frame in enumerate(stepper.frames) if frame.kind == "update")
    stepper.step = update
    assert 'data-kind="update"' in stepper.diagram.value and "w ← w − η·∂L/∂w" in stepper.caption.value
