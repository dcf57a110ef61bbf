"""gradviz.interpret: the one forward replay and the one edge rule every picture and backend calls."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz import Graph, Tensor, Value
from gradviz import functional as F
from gradviz.interpret import Local, Step, edge, evaluate, steps


def _scalar_graph(a: float, b: float, c: float):
    x, y, z = Value(a, label="x"), Value(b, label="y"), Value(c, label="z")
    f = (x * y).tanh() + (y - z) ** 2 + x.exp() / (1 + z * z)
    f.label = "f"
    return Graph.of(f), f


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-3, 3, allow_nan=False),
    st.floats(-3, 3, allow_nan=False),
    st.floats(-3, 3, allow_nan=False),
)
def test_replaying_a_scalar_graph_gives_every_value_the_engine_computed(a, b, c):
    graph, _ = _scalar_graph(a, b, c)
    replayed = evaluate(graph, graph.nodes[0].xp, [n.value if n.spec is None else None for n in graph.nodes])
    assert replayed == [n.value for n in graph.nodes]


def test_replaying_with_a_leaf_changed_recomputes_everything_downstream():
    graph, _ = _scalar_graph(0.5, -1.0, 2.0)
    changed, _ = _scalar_graph(1.5, -1.0, 2.0)
    replayed = evaluate(graph, graph.nodes[0].xp, {"x": 1.5})
    assert replayed == pytest.approx([n.value for n in changed.nodes])


def test_replaying_a_tensor_graph_with_numpy_matches_the_engine():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(4, 3)), label="x")
    w = Tensor(rng.normal(size=(3, 2)), requires_grad=True, label="w")
    b = Tensor(np.zeros(2), requires_grad=True, label="b")
    loss = F.mse((x @ w + b).relu(), Tensor(np.ones((4, 2))))
    graph = Graph.of(loss)
    replayed = evaluate(graph, np, [n.value if n.spec is None else None for n in graph.nodes])
    for node, value in zip(graph.nodes, replayed, strict=True):
        np.testing.assert_array_equal(value, node.value)


def test_a_graphs_steps_are_its_op_nodes_with_their_inputs_by_slot():
    graph, _ = _scalar_graph(0.5, -1.0, 2.0)
    program = steps(graph)
    assert [s.slot for s in program] == [i for i, n in enumerate(graph.nodes) if n.spec is not None]
    for step in program:
        node = graph.nodes[step.slot]
        assert isinstance(step, Step) and step.spec is node.spec
        assert tuple(graph.nodes[i].id for i in step.inputs) == node.inputs


def test_the_contributions_of_every_edge_sum_to_the_gradients_backward_stored():
    graph, f = _scalar_graph(0.5, -1.0, 2.0)
    f.backward()
    total: dict[str, float] = {}
    for node in graph.nodes:
        for position, source in enumerate(node.inputs):
            if graph[source].ref.requires_grad:
                local, contribution = edge(graph, node, position)
                total[source] = total.get(source, 0.0) + contribution
    for node in graph.nodes:
        if node.id in total:
            assert total[node.id] == pytest.approx(node.grad, rel=1e-12)


def test_an_edge_of_a_product_has_the_other_factor_as_its_local_derivative():
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    c = a * b
    c.label = "c"
    graph = Graph.of(c)
    assert edge(graph, "c", 0, upstream=5.0) == Local(-2.0, -10.0)
    assert edge(graph, "c", 1, upstream=5.0) == Local(3.0, 15.0)


def test_an_edge_of_a_broadcast_add_sums_its_contribution_to_the_inputs_shape():
    x = Tensor(np.ones((3, 2)), requires_grad=True, label="x")
    b = Tensor(np.zeros(2), requires_grad=True, label="b")
    y = x + b
    y.label = "y"
    graph = Graph.of(y)
    local, contribution = edge(graph, "y", 1, upstream=np.full((3, 2), 2.0))
    np.testing.assert_array_equal(contribution, [6.0, 6.0])
    assert local == 1.0


def test_an_edge_of_a_matmul_has_no_local_derivative_and_the_vjp_as_its_contribution():
    x = Tensor(np.arange(6.0).reshape(2, 3), label="x")
    w = Tensor(np.ones((3, 1)), requires_grad=True, label="w")
    y = x @ w
    y.label = "y"
    graph = Graph.of(y)
    local, contribution = edge(graph, "y", 1, upstream=np.ones((2, 1)))
    assert local is None
    np.testing.assert_array_equal(contribution, x.data.T @ np.ones((2, 1)))


def test_an_edge_reads_the_values_it_is_given_instead_of_the_graphs():
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    c = a * b
    c.label = "c"
    graph = Graph.of(c)
    values = evaluate(graph, graph.nodes[0].xp, {"b": 7.0})
    assert edge(graph, "c", 0, upstream=1.0, values=values).local == 7.0


def test_the_jax_backends_programs_are_steps_of_the_interpreter():
    pytest.importorskip("jax")
    from gradviz import keras
    from gradviz.backends.jax import compile_graph

    model = keras.Sequential([keras.Dense(2, activation="tanh", input_dim=3)], seed=0).compile("sgd", "mse")
    program = compile_graph(model, np.ones((4, 3)), np.zeros((4, 2)))
    assert all(isinstance(step, Step) for step in program.steps)
    assert [step.spec.name for step in program.steps] == ["transpose", "matmul", "add", "tanh", "mse"]
