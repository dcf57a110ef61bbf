"""Graph: nodes with stable ids and labels, edges with positions, order, counts, scopes, networkx export."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import Graph, Tensor, Value


def _worked_example():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    return f


def test_graph_of_and_output_graph_give_the_same_nodes():
    f = _worked_example()
    by_class = Graph.of(f)
    by_method = f.graph()
    assert [(n.id, n.label, n.op) for n in by_class] == [(n.id, n.label, n.op) for n in by_method]
    assert len(by_class) == 5


def test_nodes_come_in_topological_order_with_ids_in_that_order():
    g = Graph.of(_worked_example())
    assert [(n.id, n.label, n.op or n.kind) for n in g.nodes] == [
        ("n0", "x", "input"),
        ("n1", "y", "input"),
        ("n2", "v1", "add"),
        ("n3", "z", "input"),
        ("n4", "v2", "mul"),
    ]
    position = {n.id: i for i, n in enumerate(g.nodes)}
    for edge in g.edges:
        assert position[edge.source] < position[edge.target]


def test_same_computation_twice_gets_the_same_ids_and_labels():
    def build():
        x = Value(1.5, label="x")
        w = Value(-0.5)
        return ((x * w).tanh() + x * 2).exp()

    first = [(n.id, n.label, n.op, n.kind) for n in Graph.of(build())]
    second = [(n.id, n.label, n.op, n.kind) for n in Graph.of(build())]
    assert first == second


def test_unnamed_intermediates_get_auto_labels_and_named_ones_keep_theirs():
    x = Value(2.0, label="x")
    a = x * 3
    b = a.relu()
    b.label = "hidden"
    c = b + 1
    g = c.graph()
    assert g[a].label == "v1" and g[a].auto_label
    assert g[b].label == "hidden" and not g[b].auto_label
    assert g[c].label == "v2"
    assert g["x"].auto_label is False


def test_auto_labels_skip_a_label_the_user_already_took():
    x = Value(2.0, label="v1")
    y = x * x
    assert Graph.of(y)[y].label == "v2"


def test_unnamed_leaf_that_requires_grad_gets_an_auto_label():
    x = Value(2.0)
    g = (x * 2).graph()
    assert g[x].label == "v1" and g[x].kind == "input"


def test_constants_are_labelled_by_their_value():
    x = Value(2.0, label="x")
    y = x * 3 + 0.5
    g = y.graph()
    constants = [n for n in g if n.kind == "constant"]
    assert [n.label for n in constants] == ["3", "0.5"]
    t = Tensor([1.0, 2.0], requires_grad=True)
    tg = (t * 2.5 + np.ones((3, 2))).graph()
    assert sorted(n.label for n in tg if n.kind == "constant") == ["2.5", "const(3, 2)"]


def test_edges_go_from_input_to_op_with_the_input_position():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    d = x - y
    g = d.graph()
    assert {(e.source, e.target, e.position) for e in g.edges} == {
        (g["x"].id, g[d].id, 0),
        (g["y"].id, g[d].id, 1),
    }
    assert [n.label for n in g.parents(g[d])] == ["x", "y"]
    assert [n.id for n in g.children(g["x"])] == [g[d].id]


def test_x_times_x_has_two_edges():
    x = Value(3.0, label="x")
    y = x * x
    g = y.graph()
    edges = [(e.source, e.target, e.position) for e in g.edges]
    assert edges == [(g["x"].id, g[y].id, 0), (g["x"].id, g[y].id, 1)]
    assert [n.label for n in g.parents(g[y])] == ["x", "x"]


def test_leaves_inputs_outputs_and_ops():
    x = Value(1.0, label="x")
    c = Value(4.0, label="c", requires_grad=False)
    f = (x * c + 2).relu()
    g = f.graph()
    assert [n.label for n in g.leaves] == ["x", "c", "2"]
    assert [n.label for n in g.inputs] == ["x"]
    assert [n.kind for n in g.leaves] == ["input", "constant", "constant"]
    assert g.outputs == [g[f]] and g[f].kind == "output"
    assert [n.op for n in g.ops] == ["mul", "add", "relu"]


def test_graph_of_several_outputs_shares_their_common_nodes():
    x = Value(1.0, label="x")
    h = x * 2
    a, b = h + 1, h.exp()
    g = Graph.of(a, b)
    assert [n.kind for n in g.outputs] == ["output", "output"]
    assert sum(1 for n in g if n.ref is h) == 1
    assert len(g) == 6  # x, 2, h, 1, a, b


def test_counts_by_op():
    x = Value(1.0)
    y = (x * 2 + x * 3).tanh() + 1
    assert y.graph().counts() == {"mul": 2, "add": 2, "tanh": 1}


def test_summary_lists_sizes_ops_and_outputs():
    f = _worked_example()
    f.label = "f"
    text = f.graph().summary()
    assert text.splitlines()[0] == "Graph: 5 nodes (3 inputs, 2 ops), 4 edges"
    assert "add ×1" in text and "mul ×1" in text
    assert text.splitlines()[-1] == "  outputs: f"


def test_lookup_by_id_label_and_node():
    f = _worked_example()
    g = f.graph()
    assert g["n0"].label == "x"
    assert g["z"].value == -4.0
    assert g[f].op == "mul"
    assert g.node_of(f) is g[f]
    assert g.label_of(f) == "v2"
    with pytest.raises(KeyError, match=r"no node with id or label 'nope'"):
        g["nope"]
    with pytest.raises(KeyError, match=r"is not in this graph"):
        g[Value(1.0)]


def test_node_value_grad_symbol_and_shape_read_the_live_node():
    f = _worked_example()
    g = f.graph()
    assert g["x"].grad is None
    f.backward()
    assert g["x"].grad == -4.0
    assert g[f].value == -12.0
    assert g[f].symbol == "×"
    assert g[f].shape == ()
    W = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    tg = W.sum().graph()
    assert tg["W"].shape == (2, 3) and tg["W"].dtype == "float64" and tg["W"].is_tensor


def test_to_networkx_has_op_label_value_and_grad_attributes():
    import networkx as nx

    f = _worked_example()
    f.backward()
    graph = f.graph().to_networkx()
    assert isinstance(graph, nx.DiGraph)
    assert graph.number_of_nodes() == 5
    assert graph.nodes["n4"] == {
        "label": "v2",
        "kind": "output",
        "op": "mul",
        "scope": None,
        "value": -12.0,
        "grad": 1.0,
    }
    assert graph.nodes["n0"]["grad"] == -4.0
    assert set(graph.edges) == {("n0", "n2"), ("n1", "n2"), ("n2", "n4"), ("n3", "n4")}
    assert list(nx.topological_sort(graph))[-1] == "n4"


def test_to_networkx_keeps_both_positions_of_x_times_x_and_tensor_shapes():
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = (x * x).sum()
    y.backward()
    graph = y.graph().to_networkx()
    assert graph.edges["n0", "n1"]["positions"] == [0, 1]
    assert graph.nodes["n0"]["shape"] == (2,)
    np.testing.assert_array_equal(graph.nodes["n0"]["grad"], [2.0, 4.0])
    np.testing.assert_array_equal(graph.nodes["n0"]["value"], [1.0, 2.0])


def test_scope_tags_the_nodes_created_inside():
    x = Value(1.0, label="x")
    with gradviz.scope("layer1"):
        h = (x * 2).relu()
    out = h + 1
    g = out.graph()
    assert g[h].scope == "layer1"
    assert g[h.inputs[0]].scope == "layer1"
    assert g[out].scope is None
    assert g["x"].scope is None
    assert g.scopes() == {"layer1": 2}
    assert "scopes: layer1 (2)" in g.summary()


def test_nested_scopes_join_with_a_slash():
    x = Value(1.0)
    with gradviz.scope("a") as outer:
        with gradviz.scope("b") as inner:
            h = x * 2
        k = h + 1
    assert (outer, inner) == ("a", "a/b")
    assert h.scope == "a/b" and k.scope == "a"
    assert gradviz.context.current_scope() is None
    assert k.graph().scopes() == {"a/b": 1, "a": 1}


def test_graph_of_nothing_or_of_a_number_is_refused():
    with pytest.raises(ValueError, match=r"Graph.of\(\) needs at least one Value or Tensor"):
        Graph.of()
    with pytest.raises(TypeError, match=r"Graph.of\(\) takes Values or Tensors, got float"):
        Graph.of(1.0)


def test_graph_of_a_long_chain_needs_no_recursion():
    x = Value(0.0, label="x")
    y = x
    for _ in range(50_000):
        y = y.tanh()
    g = Graph.of(y)
    assert len(g) == 50_001
    assert g.nodes[0].label == "x" and g.nodes[-1].ref is y
    assert g.counts() == {"tanh": 50_000}


@pytest.mark.slow
def test_graph_of_a_hundred_thousand_node_tensor_chain_needs_no_recursion():
    x = Tensor([1.0], requires_grad=True, label="x")
    y = x
    for _ in range(100_000):
        y = -y
    g = Graph.of(y)
    assert len(g) == 100_001
    assert len(g.edges) == 100_000
