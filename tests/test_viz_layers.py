"""gradviz.viz.layers: the layer view of a tensor network's step (each layer's W, b, z, h one node) and its words."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import Graph, Tensor, Trace, keras, nn, trace
from gradviz.nn import record_step
from gradviz.viz import frames, layer_texts, layer_view
from gradviz.viz.layers import AFFINE, is_layer_view

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0], [1.0, 1.0]])
Y = np.array([0.2, -0.4, 0.9, 0.1])


def mlp(**options) -> nn.MLP:
    return nn.MLP(2, [3, 2, 1], activation="tanh", seed=0, **options)


def reference_gradients(model, loss_of) -> list[np.ndarray]:
    """Each parameter's gradient from a plain backward pass of the same loss (the model's grads put back after)."""
    model.zero_grad()
    loss_of(model).backward()
    grads = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    return grads


def test_the_layer_view_has_one_node_per_w_b_z_h_of_each_layer_and_the_loss():
    view = layer_view(record_step(mlp(), X, Y, loss="mse"))
    labels = [node.label for node in view.graph().nodes]
    assert labels == ["x", "W¹", "b¹", "z¹", "h¹", "W²", "b²", "z²", "h²", "W³", "b³", "z³", "y", "L"]
    graph = view.graph()
    assert [graph[f"z{s}"].op for s in "¹²³"] == [AFFINE] * 3  # transpose, matmul and + b merged
    assert [graph[f"h{s}"].op for s in "¹²"] == ["tanh", "tanh"]
    assert graph["W¹"].shape == (3, 2) and graph["b²"].shape == (2,) and graph["z²"].shape == (4, 2)
    assert graph["z¹"].scope == "mlp/0" and graph["h¹"].scope == "mlp/1"  # the scopes stay: still folds per layer
    assert not any(node.op in ("transpose", "matmul", "add") for node in graph.nodes)


def test_the_layer_views_gradients_equal_the_engines_for_an_nn_mlp():
    model = mlp()
    view = layer_view(record_step(model, X, Y, loss="mse"))
    reference = reference_gradients(model, lambda m: nn.MSELoss()(m(Tensor(X)), Tensor(Y.reshape(-1, 1))))
    final = frames(view)[-1]
    shown = [final.node(label).grad for label in ("W¹", "b¹", "W²", "b²", "W³", "b³")]
    for got, expected in zip(shown, reference, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    graph = view.graph()  # the replayed engine nodes hold the same gradients
    np.testing.assert_allclose(graph["W²"].grad, reference[2], rtol=1e-12)


def test_the_layer_views_gradients_equal_the_engines_for_a_keras_softmax_classifier():
    model = keras.Sequential(
        [keras.Dense(4, activation="relu", input_dim=2), keras.Dense(3, activation="softmax")], seed=1
    )
    labels = np.array([0, 2, 1, 2])
    view = layer_view(record_step(model, X, labels, loss="sparse_categorical_crossentropy"))
    assert [node.label for node in view.graph().nodes] == ["x", "W¹", "b¹", "z¹", "h¹", "W²", "b²", "z²", "y", "L"]
    reference = reference_gradients(model, lambda m: nn.CrossEntropyLoss()(m(Tensor(X), logits=True), labels))
    final = frames(view)[-1]
    for got, expected in zip((final.node(n).grad for n in ("W¹", "b¹", "W²", "b²")), reference, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_a_hand_written_x_at_w_plus_b_is_a_layer_written_as_the_course_does():
    W = Tensor(np.array([[0.5, -1.0, 0.25], [2.0, 0.5, -0.5]]), requires_grad=True, label="W")  # (in, out)
    b = Tensor(np.array([0.1, 0.0, -0.2]), requires_grad=True, label="b")
    x = Tensor(X, label="X")
    with trace() as t:
        loss = (x @ W + b).sigmoid().mean()
        loss.label = "L"
        loss.backward()
    view = layer_view(t)
    z = view.graph()["z¹"]
    assert z.spec.format(["X", "W¹", "b¹"]) == "X · W¹ + b¹" and z.symbol == "xW+b"
    assert z.spec.format_local(1, ["X", "W¹", "b¹"], "z¹") == "Xᵀ · δ¹"  # ∂L/∂W = hᵀ·δ
    final = frames(view)[-1]
    np.testing.assert_allclose(final.node("W¹").grad, W.grad, rtol=1e-12)
    np.testing.assert_allclose(final.node("b¹").grad, b.grad, rtol=1e-12)
    assert [node.label for node in view.graph().nodes] == ["X", "W¹", "b¹", "z¹", "h¹", "L"]  # X keeps its label


def test_the_layer_view_steps_forward_per_layer_and_backward_through_each_layers_delta():
    view = layer_view(record_step(mlp(), X, Y, loss="mse"))
    forward = [f.active_label for f in frames(view, mode="forward")][1:]
    assert forward == ["z¹", "h¹", "z²", "h²", "z³", "L"]
    backward = [f for f in frames(view, mode="backward") if f.kind == "backward"][1:]
    assert [f.active_label for f in backward] == ["L", "z³", "h²", "z²", "h¹", "z¹"]
    at_z2 = backward[3]
    receivers = {at_z2.node(e.source).label for e in at_z2.edges if e.state == "active"}
    assert receivers == {"W²", "b²", "h¹"}
    rules = {at_z2.node(e.source).label: e.local_text for e in at_z2.edges if e.state == "active"}
    assert rules == {"h¹": "δ² · W²", "W²": "δ²ᵀ · h¹", "b²": "Σ δ²"}  # δ² = ∂L/∂z²
    delta = next(e.upstream for e in at_z2.edges if e.state == "active")
    h1 = frames(view)[-1].node("h¹").value
    w2 = next(e for e in at_z2.edges if e.state == "active" and at_z2.node(e.source).label == "W²")
    np.testing.assert_allclose(w2.contribution, delta.T @ h1)  # ∂L/∂W² = δ²ᵀ·h¹, as the rule says
    b2 = next(e for e in at_z2.edges if e.state == "active" and at_z2.node(e.source).label == "b²")
    np.testing.assert_allclose(b2.contribution, delta.sum(axis=0))  # ∂L/∂b² = Σ δ² over the samples


def test_the_layer_view_leaves_the_recorded_step_and_the_model_alone():
    model = mlp()
    before = [p.data.copy() for p in model.parameters()]
    recorded = record_step(model, X, Y, loss="mse")
    view = layer_view(recorded)
    for node in view.graph().nodes:  # the view computes on copies: nothing is shared with the model
        assert all(node.ref is not p and node.ref.data is not p.data for p in model.parameters())
    assert all(p.grad is None for p in model.parameters())
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before, strict=True))
    assert [s.op for s in recorded.forward_steps].count("matmul") == 3  # the recorded step is unchanged
    assert is_layer_view(view) and not is_layer_view(recorded)


def test_a_layer_view_of_a_graph_uses_its_values_as_they_are():
    model = nn.MLP(2, [2, 1], seed=0)
    loss = nn.MSELoss()(model(Tensor(X)), Tensor(Y.reshape(-1, 1)))
    view = layer_view(Graph.of(loss))
    assert isinstance(view, Trace) and [n.label for n in view.graph().nodes][3:5] == ["z¹", "h¹"]
    np.testing.assert_allclose(view.graph().outputs[0].value, loss.data)


def test_a_layer_without_bias_is_z_equals_x_times_w_transposed():
    model = nn.Sequential(nn.Linear(2, 3, bias=False, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    view = layer_view(record_step(model, X, Y, loss="mse"))
    assert [n.label for n in view.graph().nodes][:4] == ["x", "W¹", "z¹", "h¹"]
    assert view.graph()["z¹"].spec.format(["x", "W¹"]) == "x · W¹ᵀ"
    final = frames(view)[-1]
    model.zero_grad()
    nn.MSELoss()(model(Tensor(X)), Tensor(Y.reshape(-1, 1))).backward()
    np.testing.assert_allclose(final.node("W¹").grad, model[0].weight.grad, rtol=1e-12)


def test_a_one_sample_input_is_a_layer_too():
    model = nn.MLP(2, [3, 1], seed=0)
    with trace() as t:
        loss = (model(Tensor(X[0])) ** 2).sum()
        loss.backward()
    final = frames(layer_view(t))[-1]
    np.testing.assert_allclose(final.node("W¹").grad, model[0].weight.grad, rtol=1e-12)
    np.testing.assert_allclose(final.node("b²").grad, model[2].bias.grad, rtol=1e-12)


def test_layer_view_refuses_a_scalar_network_a_graph_without_layers_and_other_things():
    net = nn.ScalarMLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="tensor networks"):
        layer_view(record_step(net, X, Y, loss="mse"))
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="no fully connected layer"):
        layer_view(Trace.of((w * w).sum()))
    with pytest.raises(TypeError, match="takes a gradviz.Trace or Graph"):
        layer_view(mlp())


def test_layer_texts_word_each_layers_steps_in_english():
    shown = [layer_texts(f) for f in frames(layer_view(record_step(mlp(), X, Y, loss="mse")), language="en")]
    z1 = next(f for f in shown if f.kind == "forward" and f.active_label == "z¹")
    assert z1.caption == (
        "Layer 1, forward: z¹ = x · W¹ᵀ + b¹ for every sample at once (a 4×3 array: one row per sample, one column "
        "per neuron)."
    )
    h1 = next(f for f in shown if f.kind == "forward" and f.active_label == "h¹")
    assert h1.caption == "Layer 1, forward: h¹ = tanh(z¹), the layer's activation applied to z¹."
    back = next(f for f in shown if f.kind == "backward" and f.active_label == "z²")
    assert back.equation.splitlines() == [
        "δ² = ∂L/∂z² = a 4×2 array",
        "∂L/∂W² = δ²ᵀ · h¹ = a 2×3 array",
        "∂L/∂b² = Σ δ² = a 2-element array",
        "∂L/∂h¹ = δ² · W² = a 4×3 array",
    ]
    assert (
        back.caption.startswith("Layer 2, backward: δ² = ∂L/∂z² arrives") and "h¹ gets ∂L/∂h¹ = δ² · W²" in back.caption
    )
    assert r"(\delta^{2})^\top \mathrm{h¹}" in back.latex and r"\sum \delta^{2}" in back.latex
    others = frames(layer_view(record_step(mlp(), X, Y, loss="mse")), language="en")
    assert layer_texts(others[0]) == others[0] and layer_texts(others[-1]) == others[-1]  # not a layer's step


def test_layer_texts_speak_spanish_with_spanish_frames():
    shown = [layer_texts(f) for f in frames(layer_view(record_step(mlp(), X, Y, loss="mse")), language="es")]
    back = next(f for f in shown if f.kind == "backward" and f.active_label == "z¹")
    assert back.caption.startswith("Capa 1, hacia atrás: llega δ¹ = ∂L/∂z¹")
    assert "los pesos reciben ∂L/∂W¹ = δ¹ᵀ · x" in back.caption
    assert back.equation.splitlines()[1] == "∂L/∂W¹ = δ¹ᵀ · x = una matriz de 3×2"
    forward = next(f for f in shown if f.kind == "forward" and f.active_label == "z¹")
    assert forward.caption.startswith("Capa 1, hacia delante: z¹ = x · W¹ᵀ + b¹ para todas las muestras")
