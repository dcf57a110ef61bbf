"""The network itself, as TensorFlow Playground draws it — and with its gradients: every neuron a small map of its
activation over the plane, every weight a line (colour = sign, width ∝ size), the biases written under the
neurons; with ``gradients=True`` the lines show ∂L/∂w of the last batch instead, so vanishing gradients are seen
in the network itself.

The picture is computed once as plain data (:func:`network_picture`, a :class:`NetworkPicture`: neurons, weights,
texts, the canvas) and then written by :func:`picture_svg` or :func:`picture_png`; :func:`network_svg` and
:func:`network_png` do both steps. In the SVG each neuron's map is an ``<image>`` (a small PNG, written here with
zlib: no imaging library needed), each weight a group ``<g class="weight">`` carrying its value and gradient
(``data-value``, ``data-grad``), each neuron a group ``<g class="neuron">``; clicking or hovering either shows its
numbers beside it (a weight: w, ∂L/∂w and how many chain-rule paths that gradient sums; a neuron: its bias, ∂L/∂b
and the range of its activation over the plane). The PNG (Pillow) draws the same picture for slides and GIFs.

>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1, activation="sigmoid")], seed=0)
>>> svg = network_svg(model, np.array([[-1.0, -1.0], [1.0, 1.0]]))
>>> svg.count("<image"), svg.count('class="weight"')        # 2 inputs + 3 hidden + 1 output; 2·3 + 3·1 lines
(6, 9)
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..i18n import message, resolve_language
from .format import decimal_mark, number

__all__ = [
    "NetworkPicture",
    "NeuronMap",
    "WeightLine",
    "PictureText",
    "network_picture",
    "picture_svg",
    "picture_png",
    "network_svg",
    "network_png",
    "neuron_maps",
    "png_rgb",
]

# the decision boundary's colours (matplotlib's RdBu_r): low blue, white, high red
_LOW, _MID, _HIGH = np.array([33, 102, 172]), np.array([247, 247, 247]), np.array([178, 24, 43])
_POSITIVE, _NEGATIVE, _ZERO = "#b2182b", "#2166ac", "#bbbbbb"
_CELL = 56  # a neuron's map, in pixels of the picture
_GAP_X, _GAP_Y = 190, 80  # between layers (wide enough for a weight's info box), between neurons
_MARGIN = 40
_CENTRED = {"sigmoid": 0.5, "softmax": 0.5}  # the activation's middle value (0 for the others)
_LABEL_SIZE, _BIAS_SIZE, _CAPTION_SIZE, _INFO_SIZE = 15, 13, 14, 12
_INFO_LINE, _INFO_PAD = 15, 6  # an info box's line height and padding
_MIN_PNG_TEXT = 14  # the smallest text a PNG is drawn with, in pixels, whatever its scale
_PNG_SCALE = 2.0  # a PNG's scale when neither size nor scale is given
_SUPERSAMPLE = 2  # the PNG is drawn this many times larger, then reduced: smooth lines and text
_FONT_FILES = (  # TrueType fonts with ∂, − and subscripts, searched in the system's font folders by Pillow
    "DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "NotoSans-Regular.ttf",
    "LiberationSans-Regular.ttf",
    "Arial Unicode.ttf",
    "Arial.ttf",
    "arial.ttf",
)


@dataclass(frozen=True)
class PictureText:
    """A text of the picture: where it sits (`x`, `y` its baseline), its size in canvas pixels, how it is
    anchored ("start", "middle" or "end", as SVG's text-anchor), its colour and what it is ("label", "bias",
    "caption").

    >>> PictureText(12, 22, "lines: weights", 14, "start", "#555", "caption").anchor
    'start'
    """

    x: float
    y: float
    text: str
    size: float
    anchor: str
    fill: str
    kind: str


@dataclass(frozen=True)
class NeuronMap:
    """One neuron as it is drawn: its map of activation over the plane and what its info box says.

    `layer` is 0 for the inputs, then 1, 2, … for each fully connected layer; `index` its row. `x`, `y` are the
    top-left corner of its map (`size` pixels square) on the canvas; `pixels` the map itself, (H, W, 3) uint8
    (top row the largest x₂, as a plot); `low`, `high` the range of its activation over the plane (a feature's
    range for an input). `bias` and `bias_grad` are its b and ∂L/∂b (None when the layer has no bias, or no
    backward ran yet). `texts` are drawn with it (an input's name, a neuron's bias); `info` the lines of its info
    box.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, activation="sigmoid", input_dim=2)], seed=0)
    >>> output = network_picture(model, np.zeros((2, 2))).neurons[-1]
    >>> output.label, output.activation, output.bias, output.pixels.shape
    ('output 1', 'sigmoid', 0.0, (24, 24, 3))
    """

    layer: int
    index: int
    x: float
    y: float
    size: float
    label: str
    activation: str
    pixels: np.ndarray = field(repr=False, compare=False)
    low: float
    high: float
    bias: float | None
    bias_grad: float | None
    texts: tuple[PictureText, ...]
    info: tuple[str, ...]


@dataclass(frozen=True)
class WeightLine:
    """One weight as it is drawn: a line from neuron `source` of layer ``layer - 1`` to neuron `target` of
    `layer`, from `start` to `end` (canvas pixels), `stroke` its colour (the sign of what it shows) and `width`
    its width (the size of what it shows, on one scale for the whole network). `value` is w, `grad` ∂L/∂w (None
    before any backward), `paths` the number of chain-rule paths from this weight to the loss (the product of
    the widths of the later layers: ∂L/∂w is a sum over them); `info` the lines of its info box.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(4, input_dim=2), keras.Dense(2), keras.Dense(1)], seed=0)
    >>> {line.layer: line.paths for line in network_picture(model, np.zeros((2, 2))).weights}
    {1: 2, 2: 1, 3: 1}
    """

    layer: int
    source: int
    target: int
    start: tuple[float, float]
    end: tuple[float, float]
    value: float
    grad: float | None
    stroke: str
    width: float
    paths: int
    info: tuple[str, ...]


@dataclass(frozen=True)
class NetworkPicture:
    """The network view as data: the canvas (`width` × `height` pixels), every neuron (:class:`NeuronMap`,
    inputs first), every weight (:class:`WeightLine`, layer by layer), the texts drawn on the canvas itself
    (the caption), what the lines show (`shows`: "weight" or "gradient") and the language of its words.
    :func:`picture_svg` and :func:`picture_png` write it.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1)], seed=0)
    >>> picture = network_picture(model, np.zeros((2, 2)), language="en")
    >>> len(picture.neurons), len(picture.weights), picture.shows, picture.caption[:15]
    (6, 9, 'weight', 'lines: weights ')
    """

    width: int
    height: int
    neurons: tuple[NeuronMap, ...]
    weights: tuple[WeightLine, ...]
    texts: tuple[PictureText, ...]
    shows: str
    language: str

    @property
    def caption(self) -> str:
        """What the lines show, as the picture writes it at its top.

        >>> import numpy as np
        >>> from gradviz import keras
        >>> model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0)
        >>> network_picture(model, np.zeros((2, 2)), gradients=True, language="en").caption[:32]
        'lines: gradients ∂L/∂w of the la'
        """
        return " ".join(t.text for t in self.texts if t.kind == "caption")


def png_rgb(pixels: np.ndarray) -> bytes:
    """An (H, W, 3) uint8 array as PNG bytes (8-bit RGB, no filter).

    >>> png_rgb(np.zeros((2, 3, 3), dtype=np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[row].astype(np.uint8).tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _layer_groups(model) -> list[tuple]:
    """The network as its fully connected layers, each with the modules that follow it up to the next one (its
    activation when it is a module of its own, as in gradviz.nn.Sequential(Linear, Tanh, ...)): [(layer, [after])].
    Dropout is left out (the view shows the trained network, as in eval()); another layer with parameters (a
    BatchNorm) is refused, since its map would not be a neuron's."""
    children = list(getattr(model, "layers", [])) or list(model.children())
    groups: list[tuple] = []
    for child in children:
        weight = getattr(child, "weight", None)
        if weight is not None and np.ndim(weight.data) == 2:
            groups.append((child, []))
        elif type(child).__name__ == "Dropout":
            continue
        elif any(True for _ in child.parameters()) if hasattr(child, "parameters") else False:
            raise ValueError(
                f"the network view draws fully connected layers and their activations; {type(child).__name__} is "
                "neither — draw the network without it, or use gradviz.draw for its graph"
            )
        elif groups:
            groups[-1][1].append(child)
    if not groups:
        raise ValueError(
            "the network view draws a network of fully connected layers (gradviz.keras Dense or gradviz.nn Linear) "
            f"that has been built; {type(model).__name__} has none yet — call it once, or give input_dim"
        )
    return groups


def _dense_layers(model) -> list:
    return [layer for layer, _ in _layer_groups(model)]


def _activation_name(group) -> str:
    layer, after = group
    for child in [*(layer.children() if hasattr(layer, "children") else ()), *after]:
        return type(child).__name__.lower()
    return "linear"


def neuron_maps(model, points: np.ndarray) -> list[np.ndarray]:
    """Each layer's activations on `points` (N, 2): the inputs first, then every layer's outputs, (N, units) each.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(3, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    >>> [a.shape for a in neuron_maps(model, np.zeros((5, 2)))]
    [(5, 2), (5, 3), (5, 1)]
    """
    from .. import Tensor, no_grad

    outputs = [np.asarray(points, dtype=float)]
    with no_grad():
        h = Tensor(outputs[0])
        for layer, after in _layer_groups(model):
            h = layer(h)
            for module in after:  # the layer's activation, when it is a module of its own
                h = module(h)
            outputs.append(np.asarray(h.data, dtype=float))
    return outputs


def _colours(values: np.ndarray, middle: float) -> np.ndarray:
    """Values as the boundary's colours: `middle` white, below it blue, above it red (scaled to the largest)."""
    shifted = values - middle
    scale = float(np.max(np.abs(shifted))) or 1.0
    t = np.clip(shifted / scale, -1.0, 1.0)[..., None]
    colours = np.where(t < 0, _MID + (_LOW - _MID) * -t, _MID + (_HIGH - _MID) * t)
    return colours.astype(np.uint8)


def _text_width(text: str, size: float) -> float:
    """About how wide `text` is at `size` px in a Helvetica-like font, a little generous (a box around it must
    hold it in Helvetica, Arial, Liberation Sans and, nearly, DejaVu Sans): no font is at hand to measure it."""
    em = 0.0
    for char in text:
        if char in " .,:;!|'()[]/·ijlftrI":
            em += 0.3
        elif char in "mwMW…":
            em += 0.85
        elif char in "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁻":
            em += 0.4
        elif char.isupper():
            em += 0.68
        else:
            em += 0.58
    return 1.08 * em * size


def _plane(X: np.ndarray, resolution: int) -> np.ndarray:
    """The points of the plane the maps are drawn over: a `resolution`² grid over the extent of X, padded 10%,
    row by row from the top (the largest x₂, as a plot)."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-9)
    axes = [np.linspace(low[i] - pad[i], high[i] + pad[i], resolution) for i in range(min(2, X.shape[1]))]
    if X.shape[1] == 2:
        gx, gy = np.meshgrid(axes[0], axes[1][::-1])
        return np.column_stack([gx.ravel(), gy.ravel()])
    return np.repeat(np.linspace(-1, 1, resolution * resolution)[:, None], X.shape[1], axis=1)


def _path_count(widths: Sequence[int], layer: int) -> int:
    """Chain-rule paths from a weight of `layer` (1, 2, …) to the loss: one through every neuron of each later
    layer, so the product of their widths (`widths` are every layer's units, the inputs first)."""
    return math.prod(widths[layer + 1 :])


def network_picture(
    model,
    X: np.ndarray,
    *,
    gradients: bool = False,
    resolution: int = 24,
    input_names: Sequence[str] | None = None,
    language: str | None = None,
    features=None,
) -> NetworkPicture:
    """The network view of `model` (fully connected layers on 2-D inputs) over the extent of the points `X`, as
    data: read the numbers off it, or write it with :func:`picture_svg` or :func:`picture_png`.

    Each neuron is a `resolution`×`resolution` map of its activation over the plane; each weight a line from
    neuron to neuron whose colour is its sign (red positive, blue negative) and whose width grows with its size;
    with `gradients` the lines show each weight's gradient (``weight.grad``, the last batch's) instead. One scale
    serves the whole network, so a layer whose gradients vanish draws thin lines. `input_names` name the input
    features (default x₁, x₂, …); `features`, a function of the 2-D points, gives the network's inputs when they
    are features of the points (x₁², x₁x₂, sin x₁: their maps are drawn). `language` ("en" or "es", default the
    one in use) is that of its words and decimal mark.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(4, activation="tanh", input_dim=2), keras.Dense(2), keras.Dense(1)],
    ...                          seed=0)
    >>> picture = network_picture(model, np.array([[-1.0, 0.0], [1.0, 2.0]]), language="en")
    >>> picture.weights[0].info[-1]                 # 2 paths: through each neuron of the second hidden layer
    '∂L/∂w sums 2 paths to L'
    >>> x1 = picture.neurons[0]
    >>> x1.label, x1.low, x1.high                   # x₁'s range over the plane drawn (X's extent, padded 10%)
    ('x₁', -1.2, 1.2)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"the network view: X holds points, one per row, got shape {X.shape}")
    language = resolve_language(language, "network_picture(language=...)")
    decimal = decimal_mark(language=language)

    def show(x: float, precision: int = 4) -> str:
        return number(x, precision, decimal)

    layers = _dense_layers(model)
    grid = _plane(X, resolution)
    activations = neuron_maps(model, grid if features is None else features(grid))
    names = list(input_names or [])
    names += [f"x{_subscript(i + 1)}" for i in range(len(names), activations[0].shape[1])]
    kinds = ["input"] + [_activation_name(group) for group in _layer_groups(model)]
    middles = [0.0] + [_CENTRED.get(kind, 0.0) for kind in kinds[1:]]
    columns = [a.shape[1] for a in activations]
    tallest = max(columns)
    gap = _GAP_Y if tallest <= 4 else 28  # a wide layer packs its neurons closer
    left = max(_MARGIN, math.ceil(max(_text_width(n, _LABEL_SIZE) for n in names[: columns[0]]) + 14))
    width = left + (len(columns) - 1) * (_CELL + _GAP_X) + _CELL + _MARGIN
    height = 60 + tallest * (_CELL + gap)

    def place(column: int, row: int) -> tuple[float, float]:
        top = 40 + (tallest - columns[column]) * (_CELL + gap) / 2
        return left + column * (_CELL + _GAP_X), top + row * (_CELL + gap)

    # one scale for the whole network, so that a layer whose gradients vanish draws thin lines
    grads_of = [None if layer.weight.grad is None else np.asarray(layer.weight.grad, dtype=float) for layer in layers]
    drawn_of = grads_of if gradients else [np.asarray(layer.weight.data, dtype=float) for layer in layers]
    biggest = max((float(np.max(np.abs(d))) for d in drawn_of if d is not None and d.size), default=0.0)
    weights = []
    for k, layer in enumerate(layers):
        values = np.asarray(layer.weight.data, dtype=float)  # (units, inputs), as torch and gradviz.nn
        grads, drawn = grads_of[k], drawn_of[k]
        paths = _path_count(columns, k + 1)
        paths_text = (
            message("network.path_one", language) if paths == 1 else message("network.paths", language, count=paths)
        )
        for j in range(values.shape[0]):
            for i in range(values.shape[1]):
                (x1, y1), (x2, y2) = place(k, i), place(k + 1, j)
                value = float(values[j, i])
                grad = None if grads is None else float(grads[j, i])
                size = 0.0 if drawn is None else float(drawn[j, i])
                numbers = (f"w = {show(value)}",) + (() if grad is None else (f"∂L/∂w = {show(grad)}",))
                weights.append(
                    WeightLine(
                        layer=k + 1,
                        source=i,
                        target=j,
                        start=(x1 + _CELL, y1 + _CELL / 2),
                        end=(x2, y2 + _CELL / 2),
                        value=value,
                        grad=grad,
                        stroke=_POSITIVE if size > 0 else _NEGATIVE if size < 0 else _ZERO,
                        width=0.6 + 7.0 * abs(size) / biggest if biggest else 0.6,
                        paths=paths,
                        info=(*numbers, paths_text),
                    )
                )
    neurons = []
    for column, values in enumerate(activations):
        for row in range(values.shape[1]):
            x, y = place(column, row)
            plane_values = values[:, row].reshape(resolution, resolution)
            low, high = float(plane_values.min()), float(plane_values.max())
            ends = {"low": show(low, 3), "high": show(high, 3)}
            bias = bias_grad = None
            if column == 0:
                label = names[row]
                texts = (PictureText(x - 6, y + _CELL / 2 + 5, label, _LABEL_SIZE, "end", "#000", "label"),)
                # short: an input's box sits in the gap after it, under the next layer's maps if wider
                info = (
                    message("network.input", language, name=label),
                    message("network.input_range", language, **ends),
                )
            else:
                key = "network.output" if column == len(activations) - 1 else "network.hidden"
                label = message(key, language, layer=column, number=row + 1)
                parameter = layers[column - 1].bias
                if parameter is not None:
                    bias = float(np.asarray(parameter.data).reshape(-1)[row])
                    if parameter.grad is not None:
                        bias_grad = float(np.asarray(parameter.grad).reshape(-1)[row])
                texts = ()
                numbers = ()
                if bias is not None:
                    texts = (
                        PictureText(
                            x + _CELL / 2, y + _CELL + 16, f"b = {show(bias, 3)}", _BIAS_SIZE, "middle", "#333", "bias"
                        ),
                    )
                    numbers = (f"b = {show(bias)}",) + (() if bias_grad is None else (f"∂L/∂b = {show(bias_grad)}",))
                info = (f"{label} · {kinds[column]}", *numbers, message("network.range", language, **ends))
            pixels = _colours(plane_values, middles[column])
            pixels.setflags(write=False)  # the picture is frozen: its maps too
            neurons.append(
                NeuronMap(
                    layer=column,
                    index=row,
                    x=x,
                    y=y,
                    size=_CELL,
                    label=label,
                    activation=kinds[column],
                    pixels=pixels,
                    low=low,
                    high=high,
                    bias=bias,
                    bias_grad=bias_grad,
                    texts=texts,
                    info=info,
                )
            )
    caption = message("network.showing_gradients" if gradients else "network.showing_weights", language)
    return NetworkPicture(
        width=width,
        height=height,
        neurons=tuple(neurons),
        weights=tuple(weights),
        texts=(PictureText(12, 22, caption, _CAPTION_SIZE, "start", "#555", "caption"),),
        shows="gradient" if gradients else "weight",
        language=language,
    )


# -- SVG ----------------------------------------------------------------------------------------------------

# an info box shows on focus (a click, or Tab) or hover, and lets the pointer through to what is under it; while
# the pointer is on the weights, every line but the one under it fades, so the lines drawn after a weight do not
# hide its box
_SVG_STYLE = (
    "<style>.weight-info,.neuron-info{visibility:hidden;pointer-events:none}"
    ".weight:focus .weight-info,.weight:hover .weight-info,.neuron:focus .neuron-info,.neuron:hover .neuron-info"
    "{visibility:visible}.weight,.neuron{cursor:pointer;outline:none}"
    ".weights:hover .weight>.stroke,.weights:focus-within .weight>.stroke{stroke-opacity:0.15}"
    ".weights .weight:hover>.stroke,.weights .weight:focus>.stroke{stroke-opacity:1}"
    ".neuron:focus>.edge,.neuron:hover>.edge{stroke:#000;stroke-width:2}</style>"
)


def _svg_text(text: PictureText, css: str = "") -> str:
    return (
        f'<text{css} x="{text.x:.1f}" y="{text.y:.1f}" text-anchor="{text.anchor}" font-size="{text.size:g}"'
        f' fill="{text.fill}">{html.escape(text.text)}</text>'
    )


def _box_size(lines: Sequence[str]) -> tuple[float, float]:
    return (
        math.ceil(max(_text_width(line, _INFO_SIZE) for line in lines) + 2 * _INFO_PAD),
        len(lines) * _INFO_LINE + _INFO_PAD + 2,
    )


def _info_box(css: str, lines: Sequence[str], x: float, y: float, picture: NetworkPicture) -> str:
    """An info box with its top-left corner near (x, y), moved inside the canvas, as wide as its longest line."""
    box_width, box_height = _box_size(lines)
    x = min(max(2.0, x), picture.width - 2 - box_width)
    y = min(max(2.0, y), picture.height - 2 - box_height)
    rows = "".join(
        f'<tspan x="{x + _INFO_PAD:.1f}" y="{y + _INFO_PAD / 2 + (k + 1) * _INFO_LINE - 3:.1f}">{html.escape(line)}</tspan>'
        for k, line in enumerate(lines)
    )
    return (
        f'<g class="{css}"><rect x="{x:.1f}" y="{y:.1f}" width="{box_width}" height="{box_height}" rx="4"'
        f' fill="white" stroke="#555"/><text font-size="{_INFO_SIZE}" fill="#111">{rows}</text></g>'
    )


def _weight_svg(line: WeightLine, picture: NetworkPicture, gaps: dict[int, tuple[float, float]]) -> str:
    (x1, y1), (x2, y2) = line.start, line.end
    box_width, box_height = _box_size(line.info)
    # in the gap between the two layers when it fits (the maps drawn later would cover it), at the line's middle
    gap_left, gap_right = gaps[line.layer]
    x = min(max((x1 + x2 - box_width) / 2, gap_left + 6), gap_right - 6 - box_width)
    box = _info_box("weight-info", line.info, x, (y1 + y2 - box_height) / 2, picture)
    words = " · ".join(line.info)
    ends = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
    return (
        f'<g class="weight" tabindex="0" data-layer="{line.layer}" data-from="{line.source}" data-to="{line.target}"'
        f' data-value="{line.value!r}" data-grad="{"" if line.grad is None else repr(line.grad)}"'
        f' data-paths="{line.paths}"><title>{html.escape(words)}</title>'
        f'<line class="stroke" {ends} stroke="{line.stroke}" stroke-width="{line.width:.2f}" stroke-opacity="0.8"/>'
        f'<line {ends} stroke="transparent" stroke-width="10"/>{box}</g>'
    )


def _neuron_svg(neuron: NeuronMap, picture: NetworkPicture) -> str:
    x, y, size = neuron.x, neuron.y, neuron.size
    image = base64.b64encode(png_rgb(neuron.pixels)).decode("ascii")
    box_width, box_height = _box_size(neuron.info)
    # left of the map, over what was drawn before it; an input's box (nothing is left of it) to its right
    box_x = x + size + 8 if neuron.layer == 0 else x - 8 - box_width
    box = _info_box("neuron-info", neuron.info, box_x, y + (size - box_height) / 2, picture)
    texts = "".join(_svg_text(t, ' class="bias"' if t.kind == "bias" else "") for t in neuron.texts)
    bias = "" if neuron.bias is None else f' data-bias="{neuron.bias!r}"'
    bias_grad = "" if neuron.bias_grad is None else f' data-bias-grad="{neuron.bias_grad!r}"'
    return (
        f'<g class="neuron" data-layer="{neuron.layer}" data-index="{neuron.index}" tabindex="0"{bias}{bias_grad}'
        f' data-low="{neuron.low!r}" data-high="{neuron.high!r}"><title>{html.escape(neuron.label)}</title>'
        f'<image x="{x:g}" y="{y:g}" width="{size:g}" height="{size:g}" preserveAspectRatio="none"'
        f' style="image-rendering: pixelated" href="data:image/png;base64,{image}"/>'
        f'<rect class="edge" x="{x:g}" y="{y:g}" width="{size:g}" height="{size:g}" fill="none" stroke="#555"'
        f' stroke-width="1"/>{texts}{box}</g>'
    )


def picture_svg(picture: NetworkPicture) -> str:
    """The network view as SVG text: each neuron a ``<g class="neuron">`` (its map an ``<image>``), each weight a
    ``<g class="weight">`` (``data-layer``, ``data-from``, ``data-to``, ``data-value``, ``data-grad``,
    ``data-paths``), both focusable, with an info box (``.neuron-info``, ``.weight-info``) shown on focus or hover.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(2, input_dim=2), keras.Dense(1)], seed=0)
    >>> svg = picture_svg(network_picture(model, np.zeros((2, 2))))
    >>> svg.count('<g class="neuron"'), svg.count('class="weight-info"'), svg.count('class="neuron-info"')
    (5, 6, 5)
    """
    width, height = picture.width, picture.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' class="gradviz-network-view" data-shows="{picture.shows}" font-family="Helvetica, Arial, sans-serif"'
        ' style="max-width: 100%; height: auto">',
        _SVG_STYLE,
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    # the gap between layer k - 1 and layer k, where layer k's weights keep their info boxes
    by_layer = {n.layer: n for n in picture.neurons}
    gaps = {k: (by_layer[k - 1].x + by_layer[k - 1].size, by_layer[k].x) for k in by_layer if k > 0}
    # the lines first, so the maps sit on top of their ends; the neurons in order, each box left of its map, over
    # the layer before it (drawn already)
    parts.append('<g class="weights">')
    parts += [_weight_svg(line, picture, gaps) for line in picture.weights]
    parts.append('</g><g class="neurons">')
    parts += [_neuron_svg(neuron, picture) for neuron in picture.neurons]
    parts.append("</g>")
    parts += [_svg_text(text) for text in picture.texts]
    parts.append("</svg>")
    return "".join(parts)


def network_svg(
    model,
    X: np.ndarray,
    *,
    gradients: bool = False,
    resolution: int = 24,
    input_names: Sequence[str] | None = None,
    language: str | None = None,
    features=None,
) -> str:
    """The network view of `model` over the extent of the points `X` as SVG text (see :func:`network_picture`
    for what it draws and :func:`picture_svg` for what the SVG holds).

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(2, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    >>> 'data-shows="gradient"' in network_svg(model, np.zeros((3, 2)), gradients=True)
    True
    """
    return picture_svg(
        network_picture(
            model,
            X,
            gradients=gradients,
            resolution=resolution,
            input_names=input_names,
            language=language,
            features=features,
        )
    )


# -- PNG ----------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _truetype(px: int):
    """A Pillow TrueType font `px` pixels high that has ∂, − and subscripts (DejaVu Sans where it is installed);
    Pillow's own scalable font when none of those is found.

    >>> _truetype(14).getbbox("∂L/∂w")[2] > 0
    True
    """
    from PIL import ImageFont

    candidates = list(_FONT_FILES)
    try:
        import importlib.util

        spec = importlib.util.find_spec("matplotlib")  # it ships DejaVu Sans; found without importing it
        if spec is not None and spec.origin:
            from pathlib import Path

            candidates.append(str(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"))
    except (ImportError, ValueError):
        pass
    for name in candidates:
        try:
            return ImageFont.truetype(name, px)
        except OSError:
            continue
    return ImageFont.load_default(size=px)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def picture_png(picture: NetworkPicture, *, size: tuple[int, int] | None = None, scale: float | None = None) -> bytes:
    """The network view drawn with Pillow, as PNG bytes: the maps scaled up pixel by pixel, the lines with their
    widths, the names, biases and caption in a TrueType font (never smaller than 14 px, however small the scale).

    `size` (width, height) gives an image of exactly that size, the picture scaled to fit it and centred;
    `scale` an image of the canvas' size times `scale`; neither, twice the canvas' size.

    >>> import io, numpy as np
    >>> from PIL import Image
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1)], seed=0)
    >>> picture = network_picture(model, np.zeros((2, 2)))
    >>> Image.open(io.BytesIO(picture_png(picture, scale=1))).size == (picture.width, picture.height)
    True
    >>> Image.open(io.BytesIO(picture_png(picture, size=(1280, 720)))).size
    (1280, 720)
    """
    from ..export._common import require

    Image = require("PIL.Image", "pillow", "slides", "The network view as PNG")
    from PIL import ImageDraw

    if size is not None and scale is not None:
        raise ValueError("picture_png: give size=(width, height) or scale, not both")
    if size is not None:
        canvas = (int(size[0]), int(size[1]))
        if min(canvas) < 1:
            raise ValueError(f"picture_png: size is (width, height) in pixels, got {size!r}")
        scale = min(canvas[0] / picture.width, canvas[1] / picture.height)
    else:
        scale = _PNG_SCALE if scale is None else float(scale)
        if not scale > 0:
            raise ValueError(f"picture_png: scale is a positive number, got {scale!r}")
        canvas = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    ss = _SUPERSAMPLE
    s = scale * ss
    offset = ((canvas[0] - picture.width * scale) / 2 * ss, (canvas[1] - picture.height * scale) / 2 * ss)

    def at(x: float, y: float) -> tuple[float, float]:
        return offset[0] + x * s, offset[1] + y * s

    image = Image.new("RGBA", (canvas[0] * ss, canvas[1] * ss), (255, 255, 255, 255))
    lines = Image.new("RGBA", image.size, (255, 255, 255, 0))
    pen = ImageDraw.Draw(lines)
    for line in picture.weights:  # the lines first, so the maps sit on top of their ends
        pen.line([at(*line.start), at(*line.end)], fill=(*_rgb(line.stroke), 204), width=max(1, round(line.width * s)))
    image = Image.alpha_composite(image, lines)
    pen = ImageDraw.Draw(image)
    for neuron in picture.neurons:
        left, top = at(neuron.x, neuron.y)
        right, bottom = at(neuron.x + neuron.size, neuron.y + neuron.size)
        box = (round(left), round(top), round(right), round(bottom))
        tile = Image.fromarray(np.ascontiguousarray(neuron.pixels), "RGB")
        image.paste(tile.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.NEAREST), box[:2])
        pen.rectangle(box, outline=_rgb("#555"), width=max(1, round(s)))
    # SVG's text-anchor; vertically a name keeps its middle where the SVG has it, a bias or the caption its top,
    # so that a text drawn larger than its scale (the 14 px floor) grows away from the map it belongs to
    horizontal = {"start": "l", "middle": "m", "end": "r"}
    for text in [t for n in picture.neurons for t in n.texts] + list(picture.texts):
        px = max(_MIN_PNG_TEXT * ss, round(text.size * s))
        font = _truetype(px)
        room = image.width - 4 * ss
        if font.getlength(text.text) > room:  # a long caption: smaller, to fit the width
            px = max(8, int(px * room / font.getlength(text.text)))
            font = _truetype(px)
        vertical, rise = ("m", 0.35) if text.kind == "label" else ("a", 0.8)
        x, y = at(text.x, text.y - rise * text.size)
        length = font.getlength(text.text)
        start = {"start": x, "middle": x - length / 2, "end": x - length}[text.anchor]
        x += min(max(0.0, 2 * ss - start), image.width - 2 * ss - (start + length))  # inside the image
        anchor = horizontal[text.anchor] + vertical
        pen.text((x, y), text.text, font=font, fill=_rgb(text.fill), anchor=anchor)
    image = image.convert("RGB").reduce(ss)
    stream = io.BytesIO()
    image.save(stream, format="PNG", optimize=True)
    return stream.getvalue()


def network_png(
    model,
    X: np.ndarray,
    *,
    gradients: bool = False,
    resolution: int = 24,
    input_names: Sequence[str] | None = None,
    language: str | None = None,
    features=None,
    size: tuple[int, int] | None = None,
    scale: float | None = None,
) -> bytes:
    """The network view of `model` over the extent of the points `X` as PNG bytes (Pillow): the same picture as
    :func:`network_svg` (see :func:`network_picture`), `size` (width, height) or `scale` as :func:`picture_png`.

    >>> import io, numpy as np
    >>> from PIL import Image
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(2, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    >>> Image.open(io.BytesIO(network_png(model, np.zeros((3, 2)), size=(640, 360)))).size
    (640, 360)
    """
    picture = network_picture(
        model,
        X,
        gradients=gradients,
        resolution=resolution,
        input_names=input_names,
        language=language,
        features=features,
    )
    return picture_png(picture, size=size, scale=scale)


def _subscript(k: int) -> str:
    return str(k).translate(_SUBSCRIPTS)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
