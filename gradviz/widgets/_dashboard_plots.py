"""The training dashboard's pictures as pure functions: numbers and a model in, a matplotlib Figure or SVG text out.

Nothing here knows about ipywidgets: the widgets call these functions and show the PNG/SVG they
return, and the tests read the figures directly. The curves and the decision boundary are drawn by
:mod:`gradviz.viz.plots`; only the labels are put into the language in use.

>>> text = status_text(3, {"loss": 0.25, "accuracy": 0.875})
>>> text
'epoch 3 · loss 0.2500 · accuracy 0.875'
>>> fig = curves_figure({"loss": [0.7, 0.5, 0.25], "accuracy": [0.5, 0.75, 0.875]})
>>> [axis.get_title() for axis in fig.axes]
['loss', 'accuracy']
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..i18n import message

__all__ = [
    "status_text",
    "curves_figure",
    "gradient_figure",
    "boundary_figure",
    "note_figure",
    "figure_png",
    "batch_loss",
    "layer_graph_svg",
]

_FONT_SIZE = 10


def _number(value: float | None, digits: int) -> str:
    """`value` with `digits` decimals and the decimal mark of the language in use ('0,2757' in Spanish)."""
    from ..viz.format import decimal_mark

    if value is None or not math.isfinite(value):
        return "–" if value is None else str(value)
    return f"{value:.{digits}f}".replace(".", decimal_mark())


def _check_held_out(held_out: str) -> None:
    if held_out not in ("validation", "test"):
        raise ValueError(f"held_out names the held-out numbers: 'validation' or 'test', got {held_out!r}")


def status_text(epoch: int, logs: Mapping[str, float], held_out: str = "validation") -> str:
    """The one-line summary shown above the pictures: 'epoch 12 · loss 0.3412 · accuracy 0.910', plus the
    held-out numbers when `logs` holds val_loss (and val_accuracy), called `held_out` ('validation' or 'test').

    >>> status_text(0, {"loss": 0.6931, "val_loss": 0.7, "accuracy": 0.5, "val_accuracy": 0.45}, held_out="test")
    'epoch 0 · loss 0.6931 · accuracy 0.500 (test: loss 0.7000, accuracy 0.450)'
    >>> status_text(4, {"loss": 0.0123, "val_loss": 0.02})   # a regression: no accuracy
    'epoch 4 · loss 0.0123 (validation: loss 0.0200)'
    """
    _check_held_out(held_out)
    loss = _number(logs.get("loss"), 4)
    if "accuracy" in logs:
        text = message("dashboard.status", epoch=epoch, loss=loss, accuracy=_number(logs["accuracy"], 3))
    else:
        text = message("dashboard.status_no_accuracy", epoch=epoch, loss=loss)
    if "val_loss" in logs and "val_accuracy" not in logs:  # a regression: the held-out loss alone
        held_out_loss = _number(logs["val_loss"], 4)
        if held_out == "test":
            return text + message("dashboard.status_test_loss", loss=held_out_loss)
        return text + message("dashboard.status_validation_loss", loss=held_out_loss)
    if "val_loss" in logs:
        text += message(
            f"dashboard.status_{held_out}",
            loss=_number(logs.get("val_loss"), 4),
            accuracy=_number(logs.get("val_accuracy"), 3),
        )
    return text


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def note_figure(text: str, width: float = 4.4, height: float = 3.4):
    """An empty panel with one centred sentence (before the first epoch, or when a picture cannot be drawn).

    >>> note_figure("nothing yet").texts[0].get_text()
    'nothing yet'
    """
    fig = _figure(width, height)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=_FONT_SIZE + 1, color="#555555", wrap=True)
    return fig


def curves_figure(
    history: Mapping[str, Sequence[float]], width: float = 4.4, height: float = 4.2, held_out: str = "validation"
):
    """Loss (top) and accuracy (bottom) over the epochs, training and held-out, drawn by
    :func:`gradviz.viz.plots.plot_history` with the labels in the language in use.

    `history` maps 'loss', 'accuracy', 'val_loss', 'val_accuracy' to one number per epoch (what
    ``History.history`` holds); without accuracy (a regression) the bottom panel shows its first other
    metric ('mae'), or there is one panel. An empty history gives a note.
    `held_out` names the 'val_' lines: 'validation' or 'test'.

    >>> fig = curves_figure({"loss": [0.7, 0.4], "val_loss": [0.8, 0.5]}, held_out="test")
    >>> [line.get_label() for line in fig.axes[0].get_lines()], len(fig.axes)
    (['training', 'test'], 1)
    >>> [axis.get_title() for axis in curves_figure({"loss": [0.7, 0.4], "mae": [0.6, 0.5]}).axes]
    ['loss', 'mae']
    """
    from ..viz.plots import plot_history

    _check_held_out(held_out)
    if not history or not any(len(values) for values in history.values()):
        return note_figure(message("dashboard.no_epochs"), width, height)
    names = [name for name in ("loss", "accuracy") if name in history or f"val_{name}" in history]
    others = [name for name in history if not name.startswith("val_") and name not in ("loss", "accuracy")]
    if not names:  # a custom metric only: plot what there is
        names = others[:2]
    elif names == ["loss"] and others:  # a regression: its metric (mae) where a classifier's accuracy goes
        names.append(others[0])
    fig = _figure(width, height)
    axes = [fig.add_subplot(len(names), 1, row + 1) for row in range(len(names))]
    plot_history({key: list(values) for key, values in history.items()}, metrics=names, ax=axes)
    for axis, name in zip(axes, names, strict=True):
        if held_out == "test":  # plot_history calls the 'val_' lines validation; here they are the test split
            for line in axis.get_lines():
                if line.get_label() == message("plots.validation"):
                    line.set_label(message("dashboard.test"))
        # another metric keeps plot_history's title: the history's key in English, its word in Spanish
        label = message(f"plots.metric_{name}") if name in ("loss", "accuracy") else axis.get_title()
        axis.set_title(label, fontsize=_FONT_SIZE + 1)
        axis.set_ylabel("")
        axis.set_xlabel(message("plots.epoch") if axis is axes[-1] else "", fontsize=_FONT_SIZE)
        axis.legend(fontsize=_FONT_SIZE - 1, loc="best")
        axis.tick_params(labelsize=_FONT_SIZE - 1)
        if name == "accuracy":
            axis.set_ylim(-0.02, 1.02)
    return fig


def gradient_figure(
    layers: Sequence[str], values: Sequence[float], epoch: int, width: float = 4.4, height: float = 2.8
):
    """One bar per layer, input to output, of the mean |∂L/∂W| of its weights during epoch `epoch`, on a log
    scale: with sigmoid hidden layers the first bars are orders of magnitude shorter (vanishing gradients).

    >>> fig = gradient_figure(["hidden1", "hidden2", "output"], [1e-5, 1e-3, 0.1], epoch=4)
    >>> axis = fig.axes[0]
    >>> axis.get_yscale(), [round(math.log10(bar.get_height())) for bar in axis.patches]
    ('log', [-5, -3, -1])
    """
    import matplotlib

    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if not layers or not finite:
        return note_figure(message("dashboard.gradients_none"), width, height)
    fig = _figure(width, height)
    axis = fig.add_subplot(1, 1, 1)
    cmap = matplotlib.colormaps["viridis"]
    heights = [v if v is not None and math.isfinite(v) and v > 0 else math.nan for v in values]
    colors = [cmap(i / max(len(layers) - 1, 1) * 0.9) for i in range(len(layers))]
    bars = axis.bar(range(len(layers)), heights, color=colors, edgecolor="#333333", linewidth=0.6)
    axis.set_yscale("log")
    low, high = min(finite), max(finite)
    axis.set_ylim(low / 10, high * 10)  # room for the value written above each bar
    for bar, value in zip(bars, heights, strict=True):
        if math.isfinite(value):
            axis.annotate(
                f"{value:.1e}",
                (bar.get_x() + bar.get_width() / 2, value),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=_FONT_SIZE - 1,
            )
    axis.set_xticks(range(len(layers)), list(layers), fontsize=_FONT_SIZE - 1)
    axis.set_xlabel(message("plots.layer_order"), fontsize=_FONT_SIZE)
    axis.set_ylabel(message("dashboard.gradients_axis"), fontsize=_FONT_SIZE - 1)
    axis.set_title(message("dashboard.gradients_title", epoch=epoch), fontsize=_FONT_SIZE + 1)
    axis.tick_params(axis="y", labelsize=_FONT_SIZE - 1)
    axis.grid(True, axis="y", which="major", alpha=0.3)
    return fig


def boundary_figure(
    model,
    X,
    y,
    epoch: int,
    resolution: int = 60,
    width: float = 4.4,
    height: float = 4.0,
    class_names=None,
    *,
    regression: bool = False,
    test=None,
    discretize: bool = False,
):
    """The decision boundary of `model` over the 2-D points X (coloured by y) after epoch `epoch`, drawn by
    :func:`gradviz.viz.plots.plot_decision_boundary`; other inputs give a note saying why there is none.

    `regression`: the model's output over the plane instead, the points coloured by their target y
    (:func:`gradviz.viz.plots.plot_regression_surface`). `test` = (X_test, y_test) draws the held-out points too;
    `discretize` draws hard class regions (a regression's output rounded to five levels).

    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1, 1, 0])
    >>> boundary_figure(lambda grid: grid[:, 1] - 0.5, X, y, epoch=2, resolution=10).axes[0].get_title()
    'decision boundary after epoch 2'
    >>> targets = X.sum(axis=1) - 1.0
    >>> fig = boundary_figure(lambda grid: grid.sum(axis=1) - 1.0, X, targets, epoch=3, resolution=10, regression=True)
    >>> fig.axes[0].get_title()
    'output after epoch 3'
    """
    from ..viz.plots import plot_decision_boundary, plot_regression_surface

    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        features = X.shape[1] if X.ndim == 2 else X.ndim
        if regression:
            return note_figure(message("dashboard.output_missing", features=features), width, height)
        return note_figure(message("dashboard.boundary_missing", features=features), width, height)
    fig = _figure(width, height)
    axis = fig.add_subplot(1, 1, 1)
    if regression:
        plot_regression_surface(
            model,
            X,
            y,
            ax=axis,
            resolution=resolution,
            title=message("dashboard.output_title", epoch=epoch),
            test=test,
            discretize=discretize,
        )
    else:
        plot_decision_boundary(
            model,
            X,
            y,
            ax=axis,
            resolution=resolution,
            title=message("dashboard.boundary_title", epoch=epoch),
            class_names=class_names,
            test=test,
            discretize=discretize,
        )
    axis.title.set_fontsize(_FONT_SIZE + 1)
    axis.tick_params(labelsize=_FONT_SIZE - 1)
    return fig


def figure_png(fig, dpi: int = 96) -> bytes:
    """The figure as PNG bytes (matplotlib's Agg; no pyplot, no window).

    >>> figure_png(note_figure("hello"))[:4]
    b'\\x89PNG'
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def batch_loss(model, X, y):
    """The loss node of `model` (a compiled keras Sequential ending in sigmoid or softmax) on the batch (X, y),
    built with the public ops so the graph shows the output activation and the loss.

    One sigmoid unit: binary cross-entropy of the probabilities; k softmax units: cross-entropy of the
    logits (the softmax is fused into the loss, as ``fit`` does). `y` holds class labels.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, activation="sigmoid", input_dim=2)], seed=0)
    >>> loss = batch_loss(model, np.zeros((3, 2)), np.array([0, 1, 1]))
    >>> round(loss.item(), 4)
    0.6931
    """
    from .. import functional as F
    from ..tensor import Tensor

    inputs = Tensor(np.asarray(X, dtype=np.float64), label="x")
    labels = np.asarray(y).reshape(-1)
    if model.output_activation() == "softmax":
        return F.cross_entropy(model(inputs, logits=True), labels.astype(np.int64))
    targets = Tensor(labels.astype(np.float64).reshape(-1, 1), label="y")
    return F.binary_cross_entropy(model(inputs), targets)


def layer_graph_svg(model, X, y, layer: str, epoch: int, rankdir: str = "TB", scale: float = 0.75) -> str:
    """SVG of the graph of `model`'s loss L on the batch (X, y) after one backward pass: the scopes of `layer` (the
    layer and its activation) drawn node by node with their gradients, every other layer collapsed into a box.
    `rankdir` "TB" draws it top to bottom; `scale` shrinks graphviz's print size for a screen.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(3, activation="tanh", input_dim=2, name="hidden1"),
    ...                           keras.Dense(1, activation="sigmoid", name="output")], seed=0)
    >>> svg = layer_graph_svg(model, np.ones((2, 2)), np.array([0, 1]), "hidden1", epoch=0)
    >>> svg.startswith("<svg"), "hidden1.weight" in svg, "∂L/∂hidden1.weight" in svg
    (True, True, True)
    """
    from ..viz.dot import to_dot
    from ..viz.frame import final_frame
    from ..viz.render import render

    names = [name for name, _ in model.named_children()]
    if layer not in names:
        raise ValueError(f"layer_graph_svg: the model has no layer {layer!r}; its layers are {', '.join(names)}")
    for p in model.parameters():
        p.grad = None  # the picture shows this batch's gradients only, not what training left behind
    loss = batch_loss(model, X, y)
    loss.label = "L"  # the gradients then read ∂L/∂hidden1.weight
    loss.backward()
    frame = final_frame(loss)
    scopes = {node.scope for node in frame.nodes if node.scope}
    # the layer's own scope and the ones inside it (its activation): 'sequential/hidden1', 'sequential/hidden1/tanh'
    opened = sorted(s for s in scopes if re.search(rf"(^|/){re.escape(layer)}(/|$)", s))
    caption = message("dashboard.layer_caption", layer=layer, samples=len(np.asarray(X)), epoch=epoch)
    dot = to_dot(frame, collapse=True, expand=opened, rankdir=rankdir, precision=3, title=caption)
    for p in model.parameters():
        p.grad = None
    svg = render(dot, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]
    # graphviz sizes the picture in points for print; `scale` shrinks it (the viewBox keeps it sharp)
    return re.sub(
        r'(width|height)="([0-9.]+)pt"',
        lambda size: f'{size.group(1)}="{float(size.group(2)) * scale:.0f}pt"',
        svg,
        count=2,
    )
