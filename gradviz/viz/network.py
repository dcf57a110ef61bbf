"""The network itself, as TensorFlow Playground draws it — and with its gradients: every neuron a small map of its
activation over the plane, every weight a line (colour = sign, width ∝ size), the biases written under the
neurons; with ``gradients=True`` the lines show ∂L/∂w of the last batch instead, so vanishing gradients are seen
in the network itself.

The picture is plain SVG: each neuron's map an ``<image>`` (a small PNG, written here with zlib: no imaging
library needed), each weight a group ``<g class="weight">`` (its line) carrying its value and gradient
(``data-value``, ``data-grad``, a ``<title>``); clicking or hovering a weight shows its numbers beside it.

>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.Dense(3, activation="tanh", input_dim=2), keras.Dense(1, activation="sigmoid")], seed=0)
>>> svg = network_svg(model, np.array([[-1.0, -1.0], [1.0, 1.0]]))
>>> svg.count("<image"), svg.count('class="weight"')        # 2 inputs + 3 hidden + 1 output; 2·3 + 3·1 lines
(6, 9)
"""

from __future__ import annotations

import base64
import html
import struct
import zlib
from collections.abc import Sequence

import numpy as np

from ..i18n import message
from .format import number

__all__ = ["network_svg", "neuron_maps", "png_rgb"]

# the decision boundary's colours (matplotlib's RdBu_r): low blue, white, high red
_LOW, _MID, _HIGH = np.array([33, 102, 172]), np.array([247, 247, 247]), np.array([178, 24, 43])
_CELL = 56  # a neuron's map, in pixels of the picture
_GAP_X, _GAP_Y = 150, 80  # between layers, between neurons
_CENTRED = {"sigmoid": 0.5, "softmax": 0.5}  # the activation's middle value (0 for the others)


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


def _dense_layers(model) -> list:
    layers = list(getattr(model, "layers", [])) or list(model.children())
    dense = [layer for layer in layers if getattr(layer, "weight", None) is not None]
    if not dense:
        raise ValueError(
            "network_svg draws a network of fully connected layers (gradviz.keras Dense or gradviz.nn Linear) "
            f"that has been built; {type(model).__name__} has none yet — call it once, or give input_dim"
        )
    return dense


def _activation_name(layer) -> str:
    for child in layer.children() if hasattr(layer, "children") else ():
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
        for layer in _dense_layers(model):
            h = layer(h)
            outputs.append(np.asarray(h.data, dtype=float))
    return outputs


def _colours(values: np.ndarray, middle: float) -> np.ndarray:
    """Values as the boundary's colours: `middle` white, below it blue, above it red (scaled to the largest)."""
    shifted = values - middle
    scale = float(np.max(np.abs(shifted))) or 1.0
    t = np.clip(shifted / scale, -1.0, 1.0)[..., None]
    colours = np.where(t < 0, _MID + (_LOW - _MID) * -t, _MID + (_HIGH - _MID) * t)
    return colours.astype(np.uint8)


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
    """The network view of `model` (fully connected layers on 2-D inputs) over the extent of the points `X`.

    Each neuron is a `resolution`×`resolution` map of its activation over the plane; each weight a line from
    neuron to neuron whose colour is its sign (red positive, blue negative) and whose width grows with its size;
    with `gradients` the lines show each weight's gradient (``weight.grad``, the last batch's) instead. Biases are
    written under the neurons. One scale serves the whole network, so a layer whose gradients vanish draws thin
    lines. `input_names` name the input features (default x₁, x₂, …); `features`, a function of the 2-D points,
    gives the network's inputs when they are features of the points (x₁², x₁x₂, sin x₁: their maps are drawn).

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(2, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    >>> 'data-shows="gradient"' in network_svg(model, np.zeros((3, 2)), gradients=True)
    True
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"network_svg: X holds points, one per row, got shape {X.shape}")
    layers = _dense_layers(model)
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-9)
    axes = [np.linspace(low[i] - pad[i], high[i] + pad[i], resolution) for i in range(min(2, X.shape[1]))]
    if X.shape[1] == 2:
        gx, gy = np.meshgrid(axes[0], axes[1][::-1])  # the top row is the largest x₂, as a plot
        grid = np.column_stack([gx.ravel(), gy.ravel()])
    else:
        grid = np.repeat(np.linspace(-1, 1, resolution * resolution)[:, None], X.shape[1], axis=1)
    activations = neuron_maps(model, grid if features is None else features(grid))
    names = list(input_names or [f"x{_SUBSCRIPTS[i + 1]}" for i in range(activations[0].shape[1])])
    middles = [0.0] + [_CENTRED.get(_activation_name(layer), 0.0) for layer in layers]
    columns = [a.shape[1] for a in activations]
    tallest = max(columns)
    gap = _GAP_Y if tallest <= 4 else 28  # a wide layer packs its neurons closer
    width = 40 + (len(columns) - 1) * (_CELL + _GAP_X) + _CELL + 40
    height = 60 + tallest * (_CELL + gap)

    def place(column: int, row: int) -> tuple[float, float]:
        top = 40 + (tallest - columns[column]) * (_CELL + gap) / 2
        return 40 + column * (_CELL + _GAP_X), top + row * (_CELL + gap)

    shown = "gradient" if gradients else "weight"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' class="gradviz-network-view" data-shows="{shown}" font-family="Helvetica, Arial, sans-serif"'
        ' style="max-width: 100%; height: auto">',
        "<style>.weight-info{visibility:hidden}.weight:focus .weight-info,.weight:hover .weight-info"
        "{visibility:visible}.weight{cursor:pointer;outline:none}</style>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    # one scale for the whole network, so that a layer whose gradients vanish draws thin lines
    drawn_of = [
        (np.asarray(layer.weight.grad, dtype=float) if layer.weight.grad is not None else None)
        if gradients
        else np.asarray(layer.weight.data, dtype=float)
        for layer in layers
    ]
    biggest = max((float(np.max(np.abs(d))) for d in drawn_of if d is not None and d.size), default=0.0)
    # the lines first, so the maps sit on top of their ends
    for k, layer in enumerate(layers):
        weights = np.asarray(layer.weight.data, dtype=float)  # (units, inputs), as torch and gradviz.nn
        grads = None if layer.weight.grad is None else np.asarray(layer.weight.grad, dtype=float)
        drawn = drawn_of[k]
        for j in range(weights.shape[0]):
            for i in range(weights.shape[1]):
                x1, y1 = place(k, i)
                x2, y2 = place(k + 1, j)
                value = weights[j, i]
                grad = None if grads is None else grads[j, i]
                size = 0.0 if drawn is None else drawn[j, i]
                stroke = "#b2182b" if size > 0 else "#2166ac" if size < 0 else "#bbbbbb"
                line_width = 0.6 + 7.0 * abs(size) / biggest if biggest else 0.6
                words = f"w = {number(value)}" + ("" if grad is None else f", ∂L/∂w = {number(grad)}")
                start, end = (x1 + _CELL, y1 + _CELL / 2), (x2, y2 + _CELL / 2)
                middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
                parts.append(
                    # a click (focus) shows the weight's numbers beside it; hovering, its title
                    f'<g class="weight" tabindex="0" data-layer="{k + 1}" data-from="{i}" data-to="{j}"'
                    f' data-value="{value!r}" data-grad="{"" if grad is None else repr(float(grad))}">'
                    f"<title>{html.escape(words)}</title>"
                    f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" y2="{end[1]:.1f}"'
                    f' stroke="{stroke}" stroke-width="{line_width:.2f}" stroke-opacity="0.8"/>'
                    f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" y2="{end[1]:.1f}"'
                    f' stroke="transparent" stroke-width="10"/>'
                    f'<g class="weight-info"><rect x="{middle[0] - 78:.1f}" y="{middle[1] - 13:.1f}" width="156"'
                    f' height="20" rx="4" fill="white" stroke="#555"/><text x="{middle[0]:.1f}" y="{middle[1] + 2:.1f}"'
                    f' text-anchor="middle" font-size="12">{html.escape(words)}</text></g></g>'
                )
    for column, values in enumerate(activations):
        for row in range(values.shape[1]):
            x, y = place(column, row)
            field = values[:, row].reshape(resolution, resolution)
            image = base64.b64encode(png_rgb(_colours(field, middles[column]))).decode("ascii")
            if column == 0:
                label = names[row] if row < len(names) else f"x{row + 1}"
            else:
                key = "network.output" if column == len(activations) - 1 else "network.hidden"
                label = message(key, language, layer=column, number=row + 1)
            parts.append(
                f'<g class="neuron" data-layer="{column}" data-index="{row}"><title>{html.escape(label)}</title>'
                f'<image x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" preserveAspectRatio="none"'
                f' style="image-rendering: pixelated" href="data:image/png;base64,{image}"/>'
                f'<rect x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" fill="none" stroke="#555" stroke-width="1"/>'
            )
            if column == 0:
                parts.append(
                    f'<text x="{x - 6}" y="{y + _CELL / 2 + 5}" text-anchor="end" font-size="15">'
                    f"{html.escape(label)}</text>"
                )
            else:
                bias = layers[column - 1].bias
                if bias is not None:
                    value = float(np.asarray(bias.data).reshape(-1)[row])
                    parts.append(
                        f'<text class="bias" x="{x + _CELL / 2}" y="{y + _CELL + 16}" text-anchor="middle"'
                        f' font-size="13" fill="#333">b = {html.escape(number(value, 3))}</text>'
                    )
            parts.append("</g>")
    caption = message("network.showing_gradients" if gradients else "network.showing_weights", language)
    parts.append(f'<text x="12" y="22" font-size="14" fill="#555">{html.escape(caption)}</text>')
    parts.append("</svg>")
    return "".join(parts)


_SUBSCRIPTS = dict(zip(range(10), "₀₁₂₃₄₅₆₇₈₉", strict=True))
