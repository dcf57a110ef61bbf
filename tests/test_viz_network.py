"""The network view (gradviz.viz.network): neurons as maps of their activation, weights as lines, a real PNG."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest

from gradviz import keras
from gradviz.viz.network import network_svg, neuron_maps, png_rgb


def model(seed=0):
    return keras.Sequential(
        [keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1, activation="sigmoid")], seed=seed
    )


def test_each_neuron_map_is_a_png_of_its_activation_over_the_plane():
    Image = pytest.importorskip("PIL.Image")
    svg = network_svg(model(), np.array([[-1.0, -1.0], [1.0, 1.0]]), resolution=12)
    images = re.findall(r'href="data:image/png;base64,([^"]+)"', svg)
    assert len(images) == 2 + 3 + 1
    with Image.open(io.BytesIO(base64.b64decode(images[0]))) as first:
        assert first.size == (12, 12) and first.mode == "RGB"
        left, right = first.getpixel((0, 6)), first.getpixel((11, 6))
    assert left[2] > left[0] and right[0] > right[2]  # x₁'s map: blue where x₁ is low, red where it is high


def test_the_maps_are_the_layers_activations():
    net = model()
    points = np.array([[0.5, -0.25], [1.0, 2.0]])
    inputs, hidden, output = neuron_maps(net, points)
    layer = net.layers[0]
    np.testing.assert_allclose(hidden, np.tanh(points @ layer.weight.data.T + layer.bias.data))
    np.testing.assert_allclose(output[:, 0], net.predict(points).reshape(-1))


def test_a_line_s_colour_is_its_sign_and_its_width_its_size():
    net = model()
    layer = net.layers[0]
    layer.weight.data[...] = [[1.0, -0.5], [0.25, 0.0], [-1.0, 0.5]]
    svg = network_svg(net, np.zeros((2, 2)))
    lines = re.findall(
        r'<g class="weight"[^>]*data-layer="1".*?<line [^>]*stroke="([^"]+)" stroke-width="([\d.]+)"', svg
    )
    strokes = [stroke for stroke, _ in lines]
    widths = [float(width) for _, width in lines]
    assert strokes[0] == "#b2182b" and strokes[1] == "#2166ac"  # +1 red, −0.5 blue
    assert widths[0] > widths[1] > widths[3]  # |1| > |−0.5| > |0|


def test_png_rgb_writes_a_png_any_viewer_reads():
    Image = pytest.importorskip("PIL.Image")
    pixels = np.zeros((3, 4, 3), dtype=np.uint8)
    pixels[1, 2] = (255, 0, 0)
    with Image.open(io.BytesIO(png_rgb(pixels))) as image:
        assert image.size == (4, 3) and image.getpixel((2, 1)) == (255, 0, 0)


def test_an_unbuilt_model_is_refused_saying_how_to_build_it():
    unbuilt = keras.Sequential([keras.Dense(3)])
    with pytest.raises(ValueError, match="input_dim"):
        network_svg(unbuilt, np.zeros((2, 2)))


# -- the picture as data, and its writers ------------------------------------------------------------------


def deep(seed=0, hidden=(4, 2)):
    return keras.Sequential(
        [keras.Dense(hidden[0], activation="tanh", input_dim=2)]
        + [keras.Dense(units, activation="tanh") for units in hidden[1:]]
        + [keras.Dense(1, activation="sigmoid")],
        seed=seed,
    )


POINTS = np.array([[-1.0, -0.5], [1.5, 1.0], [0.2, 0.3]])


def trained(seed=0):
    """A 2-(4, 2)-1 network after one backward: every weight and bias has its gradient."""
    from gradviz.data import make_moons

    X, y = make_moons(40, noise=0.1, seed=seed)
    net = deep(seed)
    net.compile(optimizer="adam", loss="binary_crossentropy", learning_rate=0.05)
    net.fit(X, y, epochs=2, batch_size=40, verbose=0, seed=seed)
    return net, X


def test_the_picture_s_line_widths_are_in_the_order_of_the_weights_sizes():
    from gradviz.viz.network import network_picture

    net = deep()
    picture = network_picture(net, POINTS)
    sizes = np.abs([line.value for line in picture.weights])
    widths = np.array([line.width for line in picture.weights])
    assert list(np.argsort(widths, kind="stable")) == list(np.argsort(sizes, kind="stable"))
    first = np.asarray(net.layers[0].weight.data)
    assert [line.value for line in picture.weights[:2]] == [first[0, 0], first[0, 1]]  # row by row, as W
    assert all(line.stroke == ("#b2182b" if line.value > 0 else "#2166ac") for line in picture.weights)


def test_each_weight_counts_its_chain_rule_paths_to_the_loss():
    from gradviz.viz.network import network_picture

    picture = network_picture(deep(hidden=(4, 2)), POINTS, language="en")
    assert {(line.layer, line.paths) for line in picture.weights} == {(1, 2), (2, 1), (3, 1)}
    wider = network_picture(deep(hidden=(3, 5, 2)), POINTS, language="en")
    assert {(line.layer, line.paths) for line in wider.weights} == {(1, 5 * 2), (2, 2), (3, 1), (4, 1)}
    assert wider.weights[0].info[-1] == "∂L/∂w sums 10 paths to L"
    assert wider.weights[-1].info[-1] == "∂L/∂w: a single path to L"
    assert 'data-paths="10"' in network_svg(deep(hidden=(3, 5, 2)), POINTS)


def test_a_neuron_s_info_holds_its_bias_and_after_a_backward_its_gradient():
    from gradviz.viz.network import network_picture

    fresh = network_picture(deep(), POINTS, language="en").neurons[2]  # hidden layer 1, neuron 1
    assert fresh.bias == 0.0 and fresh.bias_grad is None
    assert not any("∂L/∂b" in line for line in fresh.info)
    net, X = trained()
    picture = network_picture(net, X, language="en")
    for neuron in picture.neurons[2:]:
        bias = net.layers[neuron.layer - 1].bias
        assert neuron.bias == float(bias.data.reshape(-1)[neuron.index])
        assert neuron.bias_grad == float(bias.grad.reshape(-1)[neuron.index])
        assert neuron.info[1].startswith("b = ") and neuron.info[2].startswith("∂L/∂b = ")
    hidden = picture.neurons[3]
    assert hidden.info[0] == "hidden layer 1, neuron 2 · tanh"
    assert -1 <= hidden.low < hidden.high <= 1 and hidden.pixels.shape == (24, 24, 3)
    assert hidden.info[-1].startswith("from ") and hidden.info[-1].endswith(" over the plane")
    svg = network_svg(net, X)
    assert f'data-bias-grad="{hidden.bias_grad!r}"' in svg


def test_an_input_s_info_names_the_feature_and_its_range():
    from gradviz.viz.network import network_picture

    x1, x2 = network_picture(deep(), POINTS, input_names=["x₁", "sin x₂"], language="en").neurons[:2]
    assert x1.info == ("input x₁", "from −1.25 to 1.75")  # X's extent, padded by a tenth
    assert x2.label == "sin x₂" and x2.info[0] == "input sin x₂" and x2.bias is None
    assert (x1.low, x1.high) == (-1.25, 1.75)


def test_the_svg_parses_as_xml_with_six_hidden_maps_and_every_weight_of_a_4_2_network():
    import xml.etree.ElementTree as ET

    net, X = trained()
    root = ET.fromstring(network_svg(net, X, gradients=True))
    groups = root.iter("{http://www.w3.org/2000/svg}g")
    neurons = [g for g in groups if g.get("class") == "neuron"]
    hidden = [g for g in neurons if g.get("data-layer") in ("1", "2")]
    assert len(hidden) == 6 and all(g.find("{http://www.w3.org/2000/svg}image") is not None for g in hidden)
    weights = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "weight"]
    assert len(weights) == 2 * 4 + 4 * 2 + 2 * 1
    assert all(g.get("tabindex") == "0" for g in neurons + weights)
    assert {g.get("data-paths") for g in weights if g.get("data-layer") == "1"} == {"2"}
    assert all(float(g.get("data-grad")) == float(g.get("data-grad")) for g in weights)  # every one has ∂L/∂w


def test_every_info_box_is_as_wide_as_its_text_and_inside_the_canvas():
    import xml.etree.ElementTree as ET

    svg_ns = "{http://www.w3.org/2000/svg}"
    net, X = trained()
    for language in ("en", "es"):
        root = ET.fromstring(network_svg(net, X, gradients=True, language=language))
        width, height = float(root.get("width")), float(root.get("height"))
        boxes = [g for g in root.iter(svg_ns + "g") if g.get("class") in ("weight-info", "neuron-info")]
        assert len(boxes) == (2 * 4 + 4 * 2 + 2) + (2 + 4 + 2 + 1)
        for box in boxes:
            rect = box.find(svg_ns + "rect")
            x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
            lines = [tspan.text for tspan in box.iter(svg_ns + "tspan")]
            assert 0 <= x and x + w <= width and 0 <= y and y + h <= height
            longest = max(len(line) for line in lines)
            assert 0.5 * 12 * longest <= w <= 0.75 * 12 * longest + 12  # the width follows the text
            assert h >= 15 * len(lines)


def test_a_spanish_picture_writes_decimal_commas_and_spanish_words():
    from gradviz.viz.network import network_picture

    net, X = trained()
    picture = network_picture(net, X, language="es")
    assert picture.neurons[-1].info[0] == "salida 1 · sigmoid"
    assert picture.weights[0].info[-1] == "∂L/∂w es la suma de 2 caminos hasta L"
    assert "," in picture.weights[0].info[0] and "." not in picture.weights[0].info[0]
    assert picture.caption.startswith("líneas: pesos")


def test_the_png_has_the_canvas_aspect_and_lines_of_both_signs():
    Image = pytest.importorskip("PIL.Image")
    from gradviz.viz.network import network_picture, picture_png

    net = model()
    net.layers[0].weight.data[...] = [[1.0, -0.5], [0.25, -1.0], [-1.0, 0.5]]
    picture = network_picture(net, np.array([[-1.0, -1.0], [1.0, 1.0]]))
    with Image.open(io.BytesIO(picture_png(picture))) as opened:
        assert opened.size == (2 * picture.width, 2 * picture.height)  # the canvas, twice as large
        pixels = np.asarray(opened.convert("RGB")).astype(int)
    x1, hidden = picture.neurons[0], picture.neurons[2]
    gap = pixels[:, round(2 * (x1.x + x1.size + 4)) : round(2 * (hidden.x - 4))]  # between the layers: only lines
    red, green, blue = gap[..., 0], gap[..., 1], gap[..., 2]
    assert ((red > blue + 60) & (red > green + 60)).sum() > 200  # the positive weights
    assert ((blue > red + 60) & (blue > green + 30)).sum() > 200  # the negative ones
    assert (pixels.min(axis=-1) < 250).mean() > 0.05  # not blank


def test_the_png_fills_the_size_asked_and_writes_text_at_least_14_px_high():
    Image = pytest.importorskip("PIL.Image")
    from gradviz.viz.network import network_picture, picture_png

    picture = network_picture(deep(), POINTS)
    for size in ((1280, 720), (480, 270)):  # at 480×270 the picture's scale would make its text 7 px
        with Image.open(io.BytesIO(picture_png(picture, size=size))) as opened:
            assert opened.size == size
            pixels = np.asarray(opened.convert("L")).astype(int)
        scale = min(size[0] / picture.width, size[1] / picture.height)
        left = (size[0] - picture.width * scale) / 2
        top = (size[1] - picture.height * scale) / 2
        neuron = picture.neurons[2]  # "b = 0" under the first hidden neuron
        rows = slice(
            round(top + (neuron.y + neuron.size) * scale) + 2, round(top + (neuron.y + neuron.size) * scale) + 30
        )
        columns = slice(round(left + neuron.x * scale) - 25, round(left + (neuron.x + neuron.size) * scale) + 25)
        inked = np.nonzero((pixels[rows, columns] < 128).any(axis=1))[0]
        assert inked.size and inked.max() - inked.min() + 1 >= 10  # 'b' stands about 0.75 em: a 14 px font or more


def test_network_png_draws_the_model_as_network_svg_does():
    Image = pytest.importorskip("PIL.Image")
    from gradviz.viz.network import network_png

    with Image.open(io.BytesIO(network_png(model(), np.zeros((2, 2)), scale=1, language="es"))) as opened:
        assert opened.mode == "RGB" and opened.width > opened.height > 100
    with pytest.raises(ValueError, match="not both"):
        network_png(model(), np.zeros((2, 2)), size=(100, 100), scale=1)


@pytest.mark.browser
def test_in_a_browser_hovering_a_neuron_or_a_weight_shows_a_box_that_holds_its_text(tmp_path):
    from browser import MISSING, chromium_context

    if MISSING is not None:
        pytest.skip(MISSING)
    net, X = trained()
    path = tmp_path / "network.svg"
    path.write_text(network_svg(net, X, gradients=True), encoding="utf-8")
    visible_boxes = """() => [...document.querySelectorAll('.weight-info, .neuron-info')]
        .filter(g => getComputedStyle(g).visibility === 'visible').map(g => {
            const r = g.querySelector('rect').getBBox(), t = g.querySelector('text').getBBox();
            const canvas = g.ownerSVGElement.viewBox.baseVal;
            return [t.x >= r.x && t.x + t.width <= r.x + r.width && t.y >= r.y && t.y + t.height <= r.y + r.height,
                    r.x >= 0 && r.y >= 0 && r.x + r.width <= canvas.width && r.y + r.height <= canvas.height,
                    g.textContent];
        })"""
    with chromium_context(tmp_path / "chromium", viewport={"width": 1100, "height": 700}) as context:
        page = context.new_page()
        page.goto(path.as_uri())
        assert page.evaluate(visible_boxes) == []
        for neuron in range(2 + 4 + 2 + 1):
            page.locator("g.neuron").nth(neuron).locator("image").hover()
            (fits, inside, text), *others = page.evaluate(visible_boxes)
            assert fits and inside and not others, text
        page.locator("g.neuron").last.locator("image").click()  # focus: the output's box stays while the mouse is away
        page.mouse.move(1, 1)
        assert "∂L/∂b = " in page.evaluate(visible_boxes)[0][2]
        page.locator("g.weight").first.focus()
        (fits, inside, text), *others = page.evaluate(visible_boxes)
        assert fits and inside and "∂L/∂w sums 2 paths to L" in text


def test_a_torch_style_sequential_s_maps_are_its_activations_and_dropout_is_left_out():
    from gradviz import Tensor, nn

    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Dropout(0.5), nn.Linear(3, 1))
    points = np.random.default_rng(0).normal(size=(40, 2)) * 3
    maps = neuron_maps(model, points)
    expected = np.tanh(model[0](Tensor(points)).data)
    assert np.allclose(maps[1], expected)  # after the Tanh module, not the Linear's sums
    assert network_svg(model, points).count('class="weight"') == 2 * 3 + 3 * 1
    with pytest.raises(ValueError, match="BatchNorm1d is neither"):
        network_svg(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)), points)
