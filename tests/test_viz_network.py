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
