"""The chain rule inside a network: paths from the loss to one weight, their products and their sum."""

from __future__ import annotations

import math
import re

import networkx as nx
import numpy as np
import pytest

from gradviz import Graph, Tensor, Value, keras, nn
from gradviz.viz import chain_rule_paths, mlp_chain_rule, render
from gradviz.viz.paths import scalar_network


def paths_counted_by_networkx(loss, weight) -> int:
    """An independent count: simple paths in the graph, an edge used twice (x·x) counting twice."""
    graph = Graph.of(loss)
    g = graph.to_networkx()
    total = 0
    for path in nx.all_simple_paths(g, graph[weight].id, graph.outputs[0].id):
        total += math.prod(len(g.edges[a, b]["positions"]) for a, b in zip(path, path[1:], strict=False))
    return total


def net_2_3_2_1(activation: str = "tanh") -> nn.MLP:
    return nn.MLP(2, [3, 2, 1], activation=activation, seed=0)


def test_worked_example_paths_of_a_reused_input():
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    c = a * b
    c.label = "c"
    L = c + a
    L.label = "L"
    L.backward()
    result = chain_rule_paths(L, a)
    assert result.count == 2
    assert sorted(p.product for p in result.paths) == [-2.0, 1.0]
    assert result.total == a.grad == -1.0 and result.matches()
    assert [e.local_text for e in result.paths[0].edges] == ["b", "1"]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu"])
def test_every_weight_of_a_2_3_2_1_net_sum_of_path_products_equals_backward(activation):
    model = net_2_3_2_1(activation)
    net = scalar_network(model, [0.7, -1.3], [0.4], loss="mse")
    net.loss.backward()
    for layer in net.weights:
        for row in layer:
            for w in row:
                result = chain_rule_paths(net.loss, w, max_paths=100)
                assert len(result.paths) == result.count  # all listed for so few
                assert math.isclose(result.shown_sum, w.grad, rel_tol=1e-12, abs_tol=1e-15)
                assert math.isclose(result.total, w.grad, rel_tol=1e-12, abs_tol=1e-15)
                assert result.count == paths_counted_by_networkx(net.loss, w)


def test_path_counts_in_a_2_3_2_1_net_follow_the_layer_widths():
    net = scalar_network(net_2_3_2_1(), [0.5, -1.0], [0.3])
    net.loss.backward()
    first, second, last = net.weights
    assert chain_rule_paths(net.loss, first[1][0]).count == 2  # through both neurons of layer 2
    assert chain_rule_paths(net.loss, second[0][2]).count == 1
    assert chain_rule_paths(net.loss, last[0][1]).count == 1


def test_each_path_product_is_the_product_of_its_edges_local_derivatives():
    net = scalar_network(net_2_3_2_1(), [0.5, -1.0], [0.3])
    net.loss.backward()
    result = chain_rule_paths(net.loss, net.weights[0][1][0])
    for path in result.paths:
        assert path.labels[0] == "W1[1,0]" and path.labels[-1] == "L"
        assert path.product == pytest.approx(math.prod(e.local for e in path.edges), rel=1e-15)
    first_edge = result.paths[0].edges[0]  # ∂(W·x0)/∂W = x0
    assert first_edge.local_text == "x0" and first_edge.local == 0.5


def test_mlp_chain_rule_agrees_with_the_tensor_engine_on_the_model_itself():
    model = net_2_3_2_1()
    x, y = np.array([[0.5, -1.0]]), np.array([[0.3]])
    result = mlp_chain_rule(model, x[0], y[0], weight=(0, 1, 0))
    loss = nn.MSELoss()(model(Tensor(x)), Tensor(y))
    loss.backward()
    expected = model[0].weight.grad[1, 0]
    assert result.reference == pytest.approx(expected, rel=1e-12)
    assert result.total == pytest.approx(expected, rel=1e-12)
    assert result.count == 2 and result.matches()


def test_mlp_chain_rule_leaves_the_model_gradients_as_they_were():
    model = net_2_3_2_1()
    mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(1, 0, 2))
    assert all(p.grad is None for p in model.parameters())


def test_keras_softmax_cross_entropy_and_sigmoid_binary_cross_entropy():
    classifier = keras.Sequential(
        [keras.Dense(4, activation="relu", input_dim=3), keras.Dense(3, activation="softmax")], seed=1
    )
    result = mlp_chain_rule(classifier, [0.2, -0.4, 1.0], 2, weight=(0, 3, 1), loss="cross_entropy")
    assert result.matches() and result.reference is not None
    binary = keras.Sequential(
        [keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1, activation="sigmoid")], seed=2
    )
    result = mlp_chain_rule(binary, [1.0, -0.5], 1, weight=(1, 0, 2), loss="bce")
    assert result.matches() and result.count == 1


def test_many_paths_are_capped_and_counted():
    model = nn.MLP(3, [6, 6, 3], seed=0)
    result = mlp_chain_rule(model, [0.1, 0.2, -0.3], 1, weight=(0, 2, 1), loss="cross_entropy", max_paths=4)
    network = result.extra["network"]
    assert result.count == paths_counted_by_networkx(network.loss, network.weights[0][2][1]) > 4
    assert len(result.paths) == 4
    sizes = [abs(p.product) for p in result.paths]
    assert sizes == sorted(sizes, reverse=True)  # the largest contributions first
    assert result.matches()
    assert f"{result.count - 4} more" in result.equation


def test_dot_and_svg_show_the_paths_labels_and_their_products():
    result = mlp_chain_rule(net_2_3_2_1(), [0.5, -1.0], [0.3], weight=(0, 1, 0))
    dot = result.to_dot(title="chain rule")
    source = dot.source
    for text in ("W1[1,0]", "h1[1]", "path 1", "path 2", "1 − h1[1]²", "backward() gives"):
        assert text in source, text
    svg = render(dot, "svg").decode("utf-8")
    assert "W1[1,0]" in svg and "path 2" in svg
    total = re.sub(r"\s+", " ", svg)
    assert "the same" in total


def test_frame_merges_running_sums_and_draws_only_the_paths():
    result = mlp_chain_rule(net_2_3_2_1(), [0.5, -1.0], [0.3], weight=(0, 1, 0))
    frame = result.to_frame()
    labels = {n.label for n in frame.nodes}
    assert not any(label.startswith("s") and "[" in label for label in labels)  # s1[1,1]… merged into z1[1]
    assert {"W1[1,0]", "z1[1]", "h1[1]", "h2[0]", "h2[1]", "ŷ", "L"} <= labels
    assert "W1[0,0]" not in labels  # another neuron's weight: off every path
    active = [e for e in frame.edges if e.state == "active"]
    assert active and all(e.local is not None for e in active)
    assert frame.node("W1[1,0]").grad == pytest.approx(result.total)
    unmerged = result.to_frame(merge_sums=False)
    assert any(n.label.startswith("s1[") for n in unmerged.nodes)


def test_wrong_inputs_get_clear_errors():
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="mlp_chain_rule"):
        chain_rule_paths((t * t).sum(), t)
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match="not in the graph"):
        chain_rule_paths(a * 3.0, b)
    model = net_2_3_2_1()
    with pytest.raises(ValueError, match="0..2"):
        mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(3, 0, 0))
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 3, 0))
    with pytest.raises(ValueError, match="valid names: mse"):
        mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 0, 0), loss="huber")
    with pytest.raises(ValueError, match="2 features"):
        mlp_chain_rule(model, [0.5], [0.3], weight=(0, 0, 0))


def test_a_scalar_mlp_weight_and_names_for_unlabelled_parameters():
    net = nn.ScalarMLP(2, [3, 2, 1], activation="tanh", seed=0)
    out = net([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    L = (out - 0.3) ** 2
    L.label = "L"
    L.backward()
    weight = net[0][1].w0
    result = chain_rule_paths(L, weight)
    # the weight's own label (W¹[1,0]), or its scope's name where the network leaves it unlabelled
    assert result.count == 2 and result.matches() and result.weight_label == (weight.label or "0.1.w0")
    a, b = Value(2.0), Value(-3.0)
    product = a * b
    named = chain_rule_paths(product, a, names={a: "a", b: "b"})
    assert named.paths[0].edges[0].local_text == "b" and a.label is None and b.label is None


def test_save_writes_the_picture_and_notebooks_get_svg_and_the_equation(tmp_path):
    result = mlp_chain_rule(net_2_3_2_1(), [0.5, -1.0], [0.3], weight=(2, 0, 1))
    path = result.save(tmp_path / "paths.png", title="one path")
    assert path.read_bytes()[:4] == b"\x89PNG"
    bundle = result._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and bundle["text/plain"] == result.equation


def test_the_paths_speak_spanish_when_the_language_is_spanish():
    from gradviz.i18n import language

    x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    h = (w * x).tanh()
    h.label = "h"
    loss = h * h
    loss.label = "L"
    loss.backward()
    with language("es"):
        paths = chain_rule_paths(loss, w)
        equation, caption, table = paths.equation, paths.to_frame().caption, paths.to_dot().source
    assert equation.splitlines()[0] == (
        "∂L/∂w = suma, sobre los 2 caminos de w a L, del producto de las derivadas locales"
    )
    assert equation.splitlines()[1].startswith("camino 1: ∂L/∂h")
    assert caption.startswith("2 caminos de w a L") and "camino 2" in table and "backward() da" in table
    assert "path" not in equation and "paths" not in caption


def test_chain_rule_paths_keep_the_language_they_were_made_in():
    from gradviz import nn
    from gradviz.i18n import language
    from gradviz.viz import mlp_chain_rule

    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    with language("es"):
        spanish = mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 0, 0))
    english = mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 0, 0), language="en")
    assert spanish.language == "es" and english.language == "en"
    assert spanish.description != english.description
    # read after the with-block: still Spanish, words and picture alike
    assert spanish.equation != english.equation
    assert spanish.to_frame().language == "es"
    assert (
        spanish.equation.splitlines()[0]
        == mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 0, 0), language="es").equation.splitlines()[0]
    )


# -- the picture: landscape, and no text over another with either renderer -------------------------

# Helvetica's widths (1/1000 em, from its AFM: what dot's Nimbus Sans and graphviz-pure's Arimo match); the
# symbols the pictures use, and a wide default for any other character, so that the estimate errs long
_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278]
        + [556] * 10
        + [278, 278, 584, 584, 584, 556, 1015]
        + [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833]
        + [722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]
        + [278, 278, 278, 469, 556, 333]
        + [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833]
        + [556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500]
        + [334, 260, 334, 584],
        strict=True,
    )
)
_SYMBOL_WIDTHS = {"−": 584, "·": 278, "←": 1000, "∂": 600, "ŷ": 500, "²": 333, "σ": 600, "×": 584, "…": 1000}
_SVG_TEXT = re.compile(r"<text([^>]*)>(.*?)</text>", re.S)


def svg_text_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of each text element, from its x, y, anchor, font size and an estimate
    of its width (bold a little wider); the box reaches 0.72 of the size above the baseline, 0.21 below."""
    import html

    boxes = []
    for attributes, body in _SVG_TEXT.findall(svg):
        found = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        text = html.unescape(re.sub(r"<[^>]+>", "", body))
        if not text.strip():
            continue
        size, x, y = float(found.get("font-size", 14)), float(found["x"]), float(found["y"])
        em = sum(_WIDTHS.get(c, _SYMBOL_WIDTHS.get(c, 700)) for c in text) / 1000
        width = em * size * (1.06 if found.get("font-weight") == "bold" else 1.0)
        anchor = found.get("text-anchor", "start")
        left = x - {"middle": width / 2, "end": width}.get(anchor, 0.0)
        boxes.append((text, left, y - 0.72 * size, left + width, y + 0.21 * size))
    return boxes


def overlapping_texts(svg: str) -> list[tuple[str, str]]:
    boxes = svg_text_boxes(svg)
    found = []
    for i, (first, left, top, right, bottom) in enumerate(boxes):
        for second, left2, top2, right2, bottom2 in boxes[i + 1 :]:
            if min(right, right2) - max(left, left2) > 0.5 and min(bottom, bottom2) - max(top, top2) > 0.5:
                found.append((first, second))
    return found


def svg_size(svg: str) -> tuple[float, float]:
    width, height = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"', svg).groups()
    return float(width), float(height)


RENDERERS = [pytest.param("dot", marks=pytest.mark.dot), "graphviz-pure"]


def rendered_svg(dot, engine: str) -> str:
    from gradviz.viz import RendererNotFound, find_renderer

    try:
        if find_renderer("svg", engine=engine).name != engine:
            pytest.skip(f"{engine} is not installed")
    except RendererNotFound:
        pytest.skip(f"{engine} is not installed")
    return render(dot, "svg", engine=engine).decode("utf-8")


def test_the_overlap_check_finds_texts_drawn_over_each_other():
    svg = (
        '<svg><text text-anchor="start" x="10" y="20" font-size="12">L ← e ← ŷ ← h2[1]</text>'
        '<text text-anchor="start" x="60" y="20" font-size="12">(−0.9189)</text>'
        '<text text-anchor="middle" x="60" y="60" font-size="12">alone</text></svg>'
    )
    assert overlapping_texts(svg) == [("L ← e ← ŷ ← h2[1]", "(−0.9189)")]


@pytest.mark.parametrize("engine", RENDERERS)
def test_the_mlp_chain_rule_picture_is_landscape_for_a_16_9_slide(engine):
    result = mlp_chain_rule(net_2_3_2_1(), [0.5, -1.0], [0.3], weight=(0, 1, 0))
    width, height = svg_size(rendered_svg(result.to_dot(), engine))
    assert 1.2 < width / height < 2.4, (width, height)  # was 2564 × 3744 px: a portrait


@pytest.mark.parametrize("engine", RENDERERS)
@pytest.mark.parametrize(
    "weight", [(0, 1, 0), (2, 0, 1)], ids=["two paths through both hidden layers", "one path from the last layer"]
)
def test_no_two_texts_of_the_mlp_chain_rule_picture_overlap(engine, weight):
    result = mlp_chain_rule(net_2_3_2_1(), [0.5, -1.0], [0.3], weight=weight)
    svg = rendered_svg(result.to_dot(title="chain rule"), engine)
    assert "W1[1,0]" in svg or weight != (0, 1, 0)
    assert overlapping_texts(svg) == []  # graphviz-pure drew "W1[1,0" over "(−0.9189)" in the table


def test_the_table_sits_beside_the_loss_and_a_long_chain_draws_one_row_boxes():
    result = mlp_chain_rule(net_2_3_2_1(), [0.5, -1.0], [0.3], weight=(0, 1, 0))
    source = result.to_dot().source
    loss = result.to_frame().output
    assert re.search(r"\{\s*rank=same\s+" + loss + r"\s+paths_table\s*\}", source)
    assert "ranksep=0.15" in source and ">value<" not in source  # compact boxes: name, value, gradient
    small = chain_rule_paths(*_small_chain()).to_dot().source
    assert ">value<" in small  # a short chain keeps the boxes with their row names
    under = result.to_dot(rankdir="LR").source
    assert "paths_table" not in under and "labelloc=b" in under  # left to right: the table under the picture


def _small_chain():
    x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    h = (w * x).tanh()
    h.label = "h"
    loss = h * h
    loss.label = "L"
    loss.backward()
    return loss, w
