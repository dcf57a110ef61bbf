"""gradviz.backends.jaxpr: the program JAX traces, as a gradviz Graph that draws one box per named scope."""

from __future__ import annotations

import re

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from gradviz import draw  # noqa: E402
from gradviz.backends.jaxpr import JaxprGraph, jaxpr_graph  # noqa: E402
from gradviz.viz import to_dot  # noqa: E402

LAYERS = ["dense_1", "dense_2", "dense_3"]


def mlp_loss(params, x, y):
    """A 4-16-16-3 ReLU MLP with softmax cross-entropy, each layer in its own jax.named_scope."""
    h = x
    for i, layer in enumerate(params):
        with jax.named_scope(LAYERS[i]):
            h = h @ layer["w"] + layer["b"]
            if i < len(params) - 1:
                h = jax.nn.relu(h)
    with jax.named_scope("loss"):
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    sizes = [4, 16, 16, 3]
    params = [
        {"w": jnp.asarray(rng.normal(size=(a, b)) * 0.5, jnp.float32), "b": jnp.asarray(rng.normal(size=b) * 0.1)}
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    x = jnp.asarray(rng.normal(size=(8, 4)), jnp.float32)
    y = jnp.asarray(rng.integers(0, 3, size=8))
    return params, x, y


@pytest.fixture(scope="module")
def mlp_graph(batch):
    return jaxpr_graph(mlp_loss, *batch)


def box_titles(dot_source: str) -> list[str]:
    """The titles of the collapsed scope boxes in a DOT text."""
    return re.findall(r"scope </FONT><FONT[^>]*><B>([^<]+)</B>", dot_source)


def test_an_mlp_loss_collapses_to_one_box_per_named_scope(mlp_graph):
    source = to_dot(mlp_graph, collapse=True).source
    assert sorted(box_titles(source)) == sorted([*LAYERS, "loss"])
    assert not re.search(r"\bn\d+_op\b", source), "every op is inside a box"
    assert not re.search(r"^\s*n\d+ ", source, flags=re.MULTILINE), "every leaf joins its layer's box"
    # the boxes are chained dense_1 → dense_2 → dense_3 → loss
    ids = dict(re.findall(r"^\s*(s\d+) \[label=<.*?<B>([^<]+)</B>", source, flags=re.MULTILINE))
    by_title = {title: box for box, title in ids.items()}
    chain = [by_title[name] for name in [*LAYERS, "loss"]]
    for source_box, target_box in zip(chain, chain[1:], strict=False):
        assert re.search(rf"^\s*{source_box} -> {target_box}\b", source, flags=re.MULTILINE)


def test_draw_with_collapse_renders_the_layers_as_svg(mlp_graph):
    svg = draw(mlp_graph, collapse=True).svg
    for name in [*LAYERS, "loss"]:
        assert f">{name}<" in svg
    assert "(8, 16) float32" in svg  # a layer's output: its shape and dtype on the device


def test_one_node_per_equation_plus_one_per_argument_literal_and_constant(mlp_graph):
    jaxpr = mlp_graph.jaxpr.jaxpr
    literals = sum(isinstance(atom, jax.extend.core.Literal) for eqn in jaxpr.eqns for atom in eqn.invars)
    assert len(mlp_graph.ops) == len(jaxpr.eqns)
    assert [node.op for node in mlp_graph.ops] == [eqn.primitive.name for eqn in jaxpr.eqns]
    assert len(mlp_graph.leaves) == len(jaxpr.invars) + len(jaxpr.constvars) + literals
    assert len(mlp_graph) == len(jaxpr.eqns) + len(mlp_graph.leaves)
    assert len(mlp_graph.edges) == sum(len(eqn.invars) for eqn in jaxpr.eqns)


def test_arguments_are_labelled_by_their_path_and_integers_are_constants(mlp_graph):
    labels = [node.label for node in mlp_graph.leaves if not node.label[0].isdigit()]
    assert labels == [f"params[{i}].{key}" for i in range(3) for key in ("b", "w")] + ["x", "y"]
    assert mlp_graph["params[0].w"].kind == "input" and mlp_graph["y"].kind == "constant"
    assert mlp_graph.outputs[0].label == "mlp_loss"


def test_nested_calls_are_one_node_named_after_the_function(mlp_graph):
    symbols = {node.symbol for node in mlp_graph.ops}
    assert {"relu", "log_softmax"} <= symbols
    relu = [node for node in mlp_graph.ops if node.symbol == "relu"]
    assert [node.op for node in relu] == ["custom_jvp_call"] * 2
    assert [node.scope for node in relu] == LAYERS[:2]


def test_values_and_gradients_are_those_jax_computes(batch, mlp_graph):
    params, x, y = batch
    loss, grads = jax.value_and_grad(mlp_loss)(params, x, y)
    assert mlp_graph.outputs[0].value == pytest.approx(float(loss))
    assert mlp_graph.outputs[0].grad == pytest.approx(1.0)
    for i in range(3):
        for key in ("w", "b"):
            np.testing.assert_allclose(mlp_graph[f"params[{i}].{key}"].grad, grads[i][key], rtol=1e-5, atol=1e-7)
    first = mlp_graph.ops[0]  # x @ W1: its value is the matmul of this call
    np.testing.assert_allclose(first.value, x @ params[0]["w"], rtol=1e-6)
    assert first.value.shape == (8, 16) and first.grad.shape == (8, 16)


def test_a_function_without_scopes_renders_flat():
    def tanh_square(x):
        return jnp.sum(jnp.tanh(x) ** 2)

    graph = jaxpr_graph(tanh_square, jnp.linspace(-1.0, 1.0, 5))
    assert graph.scopes() == {}
    source = to_dot(graph, collapse=True).source
    assert box_titles(source) == [] and "cluster" not in source
    assert [node.op for node in graph.ops] == ["tanh", "integer_pow", "reduce_sum"]
    assert len(re.findall(r"\bn\d+_op\b \[", source)) == 3


def test_a_jitted_function_is_opened_to_show_its_equations(batch, mlp_graph):
    jitted = jaxpr_graph(jax.jit(mlp_loss), *batch)
    assert [node.op for node in jitted.ops] == [node.op for node in mlp_graph.ops]
    assert jitted.scopes() == mlp_graph.scopes()
    assert jitted.outputs[0].label == "mlp_loss"


def test_the_backward_pass_of_value_and_grad_gets_its_own_boxes(batch):
    graph = jaxpr_graph(jax.value_and_grad(mlp_loss), *batch)
    titles = set(box_titles(to_dot(graph, collapse=True).source))
    assert {*LAYERS, "loss"} <= titles
    assert {f"{name} (backward)" for name in [*LAYERS, "loss"]} <= titles


def test_closed_over_arrays_are_constant_leaves_and_bfloat16_is_shown():
    weights = jnp.arange(6.0, dtype=jnp.float32).reshape(3, 2)

    def half_precision(x):
        return jnp.sum((x.astype(jnp.bfloat16) @ weights.astype(jnp.bfloat16)).astype(jnp.float32))

    graph = jaxpr_graph(half_precision, jnp.ones((4, 3), jnp.float32))
    kinds = {node.label: node.kind for node in graph.leaves}
    assert kinds["x"] == "input" and "constant" in kinds.values()
    assert any(node.dtype == "bfloat16" for node in graph.ops)
    assert graph["x"].grad.shape == (4, 3)
    assert "bfloat16" in to_dot(graph).source


def test_a_python_branch_on_a_traced_value_raises_a_clear_error():
    def absolute(x):
        return x if x > 0 else -x

    with pytest.raises(TypeError, match=r"could not trace absolute.*jnp\.where"):
        jaxpr_graph(absolute, jnp.float32(-2.0))


def test_an_argument_jax_cannot_trace_is_named_in_the_error():
    with pytest.raises(TypeError, match=r"argument activation = 'relu'.*not a str.*functools\.partial"):
        jaxpr_graph(lambda x, activation: x, jnp.ones(3), "relu")
    with pytest.raises(TypeError, match=r"needs a function to trace.*got int"):
        jaxpr_graph(3, jnp.ones(3))


def test_a_gradviz_tensor_argument_says_to_pass_its_data():
    from gradviz import Tensor

    with pytest.raises(TypeError, match=r"argument x = .*pass its numpy array instead: x\.data"):
        jaxpr_graph(lambda x: jnp.sum(x), Tensor([1.0, 2.0]))


def test_the_graph_is_a_jaxpr_graph_with_its_program():
    graph = jaxpr_graph(lambda x: x * 2.0, jnp.ones(2))
    assert isinstance(graph, JaxprGraph) and "mul" in str(graph.jaxpr)
    assert graph.outputs[0].grad is None  # not a scalar: no gradient to show
    assert graph.ops[0].ref.eqn is graph.jaxpr.jaxpr.eqns[0]


@pytest.mark.slow
def test_the_backend_cores_model_loss_draws_one_box_per_layer():
    backend = pytest.importorskip("gradviz.backends.jax")
    if not hasattr(backend, "loss_function"):
        pytest.skip("gradviz.backends.jax has no loss_function yet")
    from gradviz import keras

    model = keras.Sequential([keras.Dense(8, activation="relu"), keras.Dense(3, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2])
    model.build(4)
    fn, params = backend.loss_function(model, x, y)
    graph = jaxpr_graph(fn, params, x, y)
    titles = box_titles(to_dot(graph, collapse=True).source)  # full scope paths: 'sequential/dense'
    assert [title.split("/")[-1] for title in titles] == [layer.name for layer in model.layers] + ["loss"]
    assert len(graph.ops) == len(graph.jaxpr.jaxpr.eqns)
    assert graph.outputs[0].value == pytest.approx(float(fn(params, x, y)))
