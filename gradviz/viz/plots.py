"""Training views with matplotlib: loss/metric curves, decision boundaries, gradient flow, confusion matrices.

matplotlib is imported inside each function (``import gradviz`` stays light). Each function
returns a ``matplotlib.figure.Figure`` that is not registered with pyplot: nothing opens a window,
it works headless, a notebook shows it when it is a cell's last value, and ``fig.savefig(path)``
writes it. Pass ``ax=`` to draw into your own axes instead (its figure is returned).

Axis labels, legends and default titles are in the language in use (``gradviz.set_language("es")``,
``with gradviz.i18n.language("es"):`` or ``gradviz train --lang es``); your own titles and names are kept.

>>> from gradviz.callbacks import History
>>> h = History(); h.on_train_begin()
>>> for e, (loss, val) in enumerate([(0.9, 1.0), (0.5, 0.7), (0.3, 0.6)]):
...     h.on_epoch_end(e, {"loss": loss, "val_loss": val})
>>> fig = plot_history(h)
>>> [line.get_label() for line in fig.axes[0].get_lines()]
['training', 'validation']
>>> from gradviz.i18n import language
>>> with language("es"):
...     fig = plot_history(h)
>>> fig.axes[0].get_title(), fig.axes[0].get_xlabel(), [line.get_label() for line in fig.axes[0].get_lines()]
('pérdida', 'época', ['entrenamiento', 'validación'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..i18n import message, resolve_language
from .format import decimal_mark

__all__ = [
    "plot_history",
    "plot_decision_boundary",
    "plot_decision_boundary_frames",
    "plot_regression_surface",
    "boundary_grid",
    "model_scores",
    "plot_gradient_norms",
    "plot_confusion_matrix",
    "plot_optimizer_paths",
    "optimizer_paths",
    "SURFACES",
    "plot_layer_histograms",
    "gradient_descent_path",
    "plot_linear_regression",
    "plot_learning_rates",
]

_TRAIN_COLOR = "#1f77b4"
_VAL_COLOR = "#ff7f0e"

# the quantities a History may hold, with the catalogue key of their name (any other key is shown as it is)
_QUANTITY_KEYS = {
    "loss": "plots.metric_loss",
    "accuracy": "plots.metric_accuracy",
    "acc": "plots.metric_accuracy",
    "precision": "plots.metric_precision",
    "recall": "plots.metric_recall",
    "f1": "plots.metric_f1",
    "f1_score": "plots.metric_f1",
    "mse": "plots.metric_mse",
    "mean_squared_error": "plots.metric_mse",
    "mae": "plots.metric_mae",
    "mean_absolute_error": "plots.metric_mae",
    "r2": "plots.metric_r2",
    "r2_score": "plots.metric_r2",
    "learning_rate": "plots.metric_learning_rate",
}


def _quantity(name: str) -> str:
    """A History key as a picture shows it: the key itself in English, its word in another language."""
    key = _QUANTITY_KEYS.get(name)
    return name if key is None or resolve_language() == "en" else message(key)


def _matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "gradviz's training plots need matplotlib: pip install matplotlib (or pip install 'gradviz[notebook]')"
        ) from None
    from matplotlib.figure import Figure

    return matplotlib, Figure


def _new_axes(ax, panels: int = 1, size: tuple[float, float] = (5.0, 3.6)):
    """(figure, [axes...]): the given axes, or a new pyplot-free figure with `panels` side by side."""
    _, Figure = _matplotlib()
    if ax is not None:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        axes = [a for a in np.ravel(np.asarray(axes, dtype=object))]
        return axes[0].figure, axes
    fig = Figure(figsize=(size[0] * panels, size[1]), layout="constrained")
    return fig, [fig.add_subplot(1, panels, i + 1) for i in range(panels)]


# -- history ------------------------------------------------------------------------------------------


def _history_dict(history) -> tuple[dict[str, list[float]], list[int]]:
    if hasattr(history, "history") and isinstance(history.history, dict):
        epochs = list(getattr(history, "epoch", []) or [])
        data = history.history
    elif hasattr(history, "history") and hasattr(history.history, "history"):  # a model after fit
        return _history_dict(history.history)
    elif isinstance(history, dict):
        data, epochs = history, []
    else:
        raise TypeError(
            f"plot_history takes a History (what fit returns), a model after fit, or a dict of lists; got "
            f"{type(history).__name__}"
        )
    if not data:
        raise ValueError("plot_history: the history is empty; train for at least one epoch first")
    length = max(len(v) for v in data.values())
    if len(epochs) != length:
        epochs = list(range(length))
    return {k: list(v) for k, v in data.items()}, epochs


def plot_history(
    history,
    metrics: Iterable[str] | None = None,
    ax=None,
    title: str | None = None,
    log_loss: bool = False,
):
    """Loss and metric curves over the epochs, training vs validation: one panel per quantity.

    `history` is what ``fit`` returns (or the model, or a dict like Keras' ``history.history``).
    `metrics` picks the quantities (default: 'loss' then every other one that is not 'val_…' or
    'learning_rate'). `ax`: one Axes per quantity (or one Axes for a single quantity); `log_loss`
    draws the loss on a log scale. Each panel has a 'training' line and, when validation ran, a
    'validation' line; the x axis counts epochs from 1. Known quantities (loss, accuracy, precision...)
    are named in the language in use; in English a panel is titled with the history's own key.

    >>> fig = plot_history({"loss": [1.0, 0.5], "accuracy": [0.6, 0.9], "val_loss": [1.1, 0.7],
    ...                     "val_accuracy": [0.5, 0.8]})
    >>> [ax.get_title() for ax in fig.axes], len(fig.axes[1].get_lines())
    (['loss', 'accuracy'], 2)
    """
    data, epochs = _history_dict(history)
    if metrics is None:
        names = [k for k in data if not k.startswith("val_") and k != "learning_rate"]
        names.sort(key=lambda k: k != "loss")
        if not names:  # only validation numbers
            names = [k[4:] for k in data if k.startswith("val_")]
    else:
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        for name in names:
            if name not in data and f"val_{name}" not in data:
                raise KeyError(f"plot_history: no {name!r} in the history; it holds {', '.join(data)}")
    fig, axes = _new_axes(ax, len(names))
    if len(axes) != len(names):
        if len(axes) != 1:
            raise ValueError(
                f"plot_history: {len(names)} quantities ({', '.join(names)}) need {len(names)} axes, got {len(axes)}"
            )
        axes = axes * len(names)
    x = np.asarray(epochs) + 1
    shared = len(set(map(id, axes))) == 1 and len(names) > 1
    for axis, name in zip(axes, names, strict=True):
        shown = _quantity(name)
        for key, label, series, color, style in (
            (name, message("plots.training"), shown, _TRAIN_COLOR, "-"),
            (
                f"val_{name}",
                message("plots.validation"),
                message("plots.validation_series", name=shown),
                _VAL_COLOR,
                "--",
            ),
        ):
            if key in data:
                values = np.asarray(data[key], dtype=float)
                axis.plot(
                    x[: len(values)], values, style, color=None if shared else color, label=series if shared else label
                )
        axis.set_xlabel(message("plots.epoch"))
        if not shared:
            axis.set_title(shown)
            axis.set_ylabel(shown)
        if name == "loss" and log_loss:
            axis.set_yscale("log")
        axis.grid(True, alpha=0.3)
        axis.legend()
        if len(x) <= 12:
            axis.set_xticks(x)
    if title:
        fig.suptitle(title)
    return fig


# -- decision boundary -----------------------------------------------------------------------------


def _scores_function(model) -> Callable[[np.ndarray], np.ndarray]:
    """A function from an (M, 2) grid to the model's outputs as a numpy array."""
    if hasattr(model, "predict") and callable(model.predict):
        return lambda grid: np.asarray(model.predict(grid, verbose=0))
    from ..context import no_grad
    from ..engine import Node
    from ..tensor import Tensor

    def scores(grid: np.ndarray) -> np.ndarray:
        was_training = getattr(model, "training", None)
        if was_training is not None:
            model.eval()
        try:
            with no_grad():
                try:
                    out = model(Tensor(grid))
                except TypeError:  # a function of numpy arrays
                    out = model(grid)
        finally:
            if was_training:
                model.train()
        if isinstance(out, Node):
            return np.asarray(out.data)
        if isinstance(out, (list, tuple)):
            return np.array([o.data if isinstance(o, Node) else o for o in out], dtype=float)
        return np.asarray(out, dtype=float)

    return scores


def _scalar_net_scores(model) -> Callable[[np.ndarray], np.ndarray] | None:
    """Scalar (Value) networks take one sample (a list of numbers) at a time."""
    from ..nn.module import Module
    from ..value import Value

    if isinstance(model, Module) and any(isinstance(p, Value) for p in model.parameters()):
        from ..context import no_grad

        def scores(grid: np.ndarray) -> np.ndarray:
            rows = []
            with no_grad():
                for point in grid:
                    out = model(list(point))
                    out = out[0] if isinstance(out, (list, tuple)) else out
                    rows.append(out.data)
            return np.asarray(rows, dtype=float)

        return scores
    return None


def _points(X, y, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X.data if hasattr(X, "data") and not isinstance(X, np.ndarray) else X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"{where} needs 2-D points, X of shape (n, 2); got {X.shape}. For more features, plot two "
            "of them or project the data first."
        )
    labels = None if y is None else np.asarray(getattr(y, "data", y))
    if labels is not None:
        if labels.ndim == 2 and labels.shape[1] > 1:
            labels = labels.argmax(axis=1)
        labels = labels.reshape(-1)
        if len(labels) != len(X):
            raise ValueError(f"{where}: X has {len(X)} points but y has {len(labels)} labels")
    return X, labels


def boundary_grid(X, resolution: int = 200, padding: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The evaluation grid of a decision-boundary plot: (gx, gy, points) with points of shape (resolution², 2)
    covering X's range plus `padding` on each side.

    >>> gx, gy, points = boundary_grid(np.array([[0.0, 0.0], [1.0, 2.0]]), resolution=3, padding=0.0)
    >>> points[:3].tolist()
    [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]]
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"decision boundary: resolution must be an integer ≥ 2, got {resolution!r}")
    X = np.asarray(X, dtype=float)
    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def model_scores(model, points: np.ndarray) -> np.ndarray:
    """The outputs of `model` (keras model, gradviz.nn Module, scalar net or function) on (M, 2) points, as numpy;
    one column is flattened to shape (M,).

    >>> import numpy as np
    >>> from gradviz import nn
    >>> nn.manual_seed(0)
    >>> model_scores(nn.Linear(2, 1), np.zeros((3, 2))).shape
    (3,)
    >>> model_scores(lambda points: points.sum(axis=1), np.ones((2, 2)))
    array([2., 2.])
    """
    scores = (_scalar_net_scores(model) or _scores_function(model))(points)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.shape[0] != len(points):
        raise ValueError(f"decision boundary: the model returned {scores.shape[0]} outputs for {len(points)} points")
    return scores


def _test_split(test, where: str, regression: bool = False) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The held-out points `test` = (X_test, y_test) (y_test may be None), checked as the training points are."""
    if test is None:
        return None
    if not isinstance(test, (tuple, list)) or len(test) != 2:
        raise ValueError(f"{where}: test is the pair (X_test, y_test), got {type(test).__name__}")
    if regression:
        X_test, _ = _points(test[0], None, f"{where} (test)")
        return X_test, _targets(X_test, test[1], f"{where} (test)")
    return _points(test[0], test[1], f"{where} (test)")


def _grid_image(axis, gx, gy, values, **style):
    """`values` on the grid as an image whose pixel centres are the grid points: its array is the values."""
    half_x = (gx[0, -1] - gx[0, 0]) / (gx.shape[1] - 1) / 2
    half_y = (gy[-1, 0] - gy[0, 0]) / (gy.shape[0] - 1) / 2
    extent = (gx[0, 0] - half_x, gx[0, -1] + half_x, gy[0, 0] - half_y, gy[-1, 0] + half_y)
    return axis.imshow(values, origin="lower", extent=extent, aspect="auto", **style)


# the held-out points: the training points' colours, squares with a bold black edge (a legend entry of their own)
_TEST_STYLE = {"marker": "s", "s": 34, "edgecolors": "k", "linewidths": 1.2}


def _legend_marker(marker: str, edge: float):
    """A white-faced legend marker: the kind of point (training circle, test square), whatever its colour."""
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=6,
        markerfacecolor="white",
        markeredgecolor="k",
        markeredgewidth=edge,
    )


def _draw_boundary(
    fig,
    axis,
    gx,
    gy,
    scores,
    X,
    labels,
    threshold,
    class_names,
    colorbar: bool,
    legend: bool,
    test: tuple[np.ndarray, np.ndarray | None] | None = None,
    discretize: bool = False,
):
    matplotlib, _ = _matplotlib()
    if scores.ndim == 2:  # k classes: argmax regions
        k = scores.shape[1]
        regions = scores.argmax(axis=1).reshape(gx.shape)
        cmap = matplotlib.colormaps["tab10"]
        colors = [cmap(i % 10) for i in range(k)]
        if discretize:
            palette = matplotlib.colors.ListedColormap(colors)
            _grid_image(
                axis, gx, gy, regions, cmap=palette, vmin=-0.5, vmax=k - 0.5, alpha=0.3, interpolation="nearest"
            )
        else:
            axis.contourf(gx, gy, regions, levels=np.arange(k + 1) - 0.5, colors=colors, alpha=0.3)
        if regions.min() != regions.max():
            axis.contour(gx, gy, regions, levels=np.arange(k) + 0.5, colors="k", linewidths=0.8)
    else:
        probabilities = threshold is None and bool(np.all((scores >= 0) & (scores <= 1)))
        cut = threshold if threshold is not None else (0.5 if probabilities else 0.0)
        field = scores.reshape(gx.shape)
        cmap = matplotlib.colormaps["RdBu_r"]
        colors = [cmap(0.1), cmap(0.9)]
        if discretize:  # hard regions: class 1 where the score passes the cut, no shading by how far
            palette = matplotlib.colors.ListedColormap(colors)
            regions = (field > cut).astype(np.int64)
            _grid_image(axis, gx, gy, regions, cmap=palette, vmin=-0.5, vmax=1.5, alpha=0.3, interpolation="nearest")
        else:
            if probabilities:
                filled = axis.contourf(gx, gy, field, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.45)
            else:
                span = float(np.max(np.abs(field - cut))) or 1.0
                levels = np.linspace(cut - span, cut + span, 11)
                filled = axis.contourf(gx, gy, field, levels=levels, cmap="RdBu_r", alpha=0.45)
            if colorbar:
                fig.colorbar(
                    filled, ax=axis, label=message("plots.probability_class_1" if probabilities else "plots.score")
                )
        if field.min() < cut < field.max():
            axis.contour(gx, gy, field, levels=[cut], colors="k", linewidths=1.2)
    test_labels = None if test is None else test[1]
    known = [part for part in (labels, test_labels) if part is not None]
    classes = np.unique(np.concatenate(known)) if known else np.array([])

    def colour_of(value) -> Any:
        i = int(np.searchsorted(classes, value))
        if scores.ndim == 2:
            integer = np.issubdtype(classes.dtype, np.integer)
            return colors[(int(value) if integer else i) % len(colors)]
        # two classes: the lower label on the blue side, the higher on the red (p > 0.5) side
        return colors[1] if i == len(classes) - 1 and len(classes) > 1 else colors[0]

    if labels is None:
        axis.scatter(X[:, 0], X[:, 1], s=18, c="k", edgecolors="white", linewidths=0.5)
    else:
        for i, value in enumerate(np.unique(labels)):
            chosen = labels == value
            if class_names is not None and i < len(class_names):
                name = class_names[i]
            else:
                name = message("plots.class_name", value=value)
            axis.scatter(
                X[chosen, 0], X[chosen, 1], s=20, color=colour_of(value), edgecolors="k", linewidths=0.6, label=name
            )
    if test is not None:
        X_test, _ = test
        faces = "white" if test_labels is None else [colour_of(value) for value in test_labels]
        axis.scatter(X_test[:, 0], X_test[:, 1], c=faces, label=message("plots.test"), **_TEST_STYLE)
    if legend and (labels is not None or test is not None):
        handles, names = axis.get_legend_handles_labels()
        if test is not None:  # the test entry in white: its points take their class's colour
            handles[-1] = _legend_marker("s", _TEST_STYLE["linewidths"])
        axis.legend(handles, names, loc="best", fontsize="small")
    axis.set_xlim(gx.min(), gx.max())
    axis.set_ylim(gy.min(), gy.max())


def _line_text(w: float, b: float) -> str:
    """'y = 1.095·x + 43.01' (in Spanish 'y = 1,095·x + 43,01'; 'y = 2·x − 5' for a negative intercept)."""
    mark = decimal_mark()

    def shown(value: float) -> str:
        return f"{round(value, 10):.4g}".replace(".", mark)

    sign = "−" if b < 0 else "+"
    return f"y = {shown(w).replace('-', '−')}·x {sign} {shown(abs(b))}"


def plot_decision_boundary(
    model,
    X,
    y=None,
    ax=None,
    resolution: int = 200,
    padding: float = 0.5,
    threshold: float | None = None,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
    test=None,
    discretize: bool = False,
):
    """The regions a 2-D classifier assigns to each class, with the data points on top.

    `model` is a keras Sequential (its ``predict``), a gradviz.nn Module (tensor or scalar nets),
    or a function from an (M, 2) array to scores. Outputs are read as: (M, k) with k ≥ 2 → the
    argmax class; one column of probabilities in [0, 1] → class 1 where p > 0.5, shaded by p;
    one column of other scores (logits, hinge) → class 1 where score > 0 (`threshold` overrides).
    `resolution` is the grid size per axis (scalar nets are slow: use 30–50).

    `test` = (X_test, y_test) draws held-out points too: their class's colour, as squares with a bold black edge,
    named "test" in the legend. `discretize` draws hard class regions as an image of class indices (no shading
    by probability, no colour bar), as TensorFlow Playground's "Discretize output".

    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1, 1, 0])
    >>> fig = plot_decision_boundary(lambda grid: grid[:, 1] - 0.5, X, y, resolution=20)
    >>> len(fig.axes[0].get_legend().get_texts())
    2
    >>> fig = plot_decision_boundary(lambda grid: grid[:, 1] - 0.5, X, y, resolution=20, test=(X[:2], y[:2]),
    ...                              discretize=True)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['class 0', 'class 1', 'test']
    >>> np.unique(fig.axes[0].images[0].get_array()).tolist()  # the regions: class indices only
    [0, 1]
    """
    where = "plot_decision_boundary"
    X, labels = _points(X, y, where)
    test = _test_split(test, where)
    gx, gy, points = boundary_grid(X if test is None else np.vstack([X, test[0]]), resolution, padding)
    scores = model_scores(model, points)
    fig, (axis,) = _new_axes(ax, 1, size=(5.5, 4.6))
    _draw_boundary(
        fig,
        axis,
        gx,
        gy,
        scores,
        X,
        labels,
        threshold,
        class_names,
        colorbar=True,
        legend=True,
        test=test,
        discretize=discretize,
    )
    axis.set_xlabel("x₁")
    axis.set_ylabel("x₂")
    axis.set_title(title or message("plots.decision_boundary"))
    return fig


def _targets(X: np.ndarray, y, where: str) -> np.ndarray | None:
    """A regression's targets as float64 of shape (n,) (a column (n, 1) is flattened), or None."""
    if y is None:
        return None
    targets = np.asarray(getattr(y, "data", y), dtype=float)
    if targets.ndim == 2 and targets.shape[1] == 1:
        targets = targets[:, 0]
    if targets.ndim != 1:
        raise ValueError(f"{where}: y holds one number per point, shape (n,) or (n, 1); got {targets.shape}")
    if len(targets) != len(X):
        raise ValueError(f"{where}: X has {len(X)} points but y has {len(targets)} targets")
    return targets


def _regression_span(targets: Iterable[np.ndarray | None], field: np.ndarray) -> float:
    """Half the width of the colour scale: the largest |target| (the same colours epoch after epoch), else |output|."""
    known = [np.abs(part) for part in targets if part is not None and len(part)]
    largest = float(np.max(np.concatenate(known))) if known else float(np.max(np.abs(field)))
    return largest if np.isfinite(largest) and largest > 0 else 1.0


def _draw_surface(fig, axis, gx, gy, scores, X, targets, test, discretize: bool, colorbar: bool, legend: bool):
    matplotlib, _ = _matplotlib()
    field = scores.reshape(gx.shape)
    span = _regression_span([targets, None if test is None else test[1]], field)
    if discretize:  # five levels: −span, −span/2, 0, span/2, span (the output rounded to the nearest)
        step = span / 2
        field = np.clip(np.round(field / step), -2, 2) * step
    cmap = matplotlib.colormaps["RdBu_r"]
    norm = matplotlib.colors.Normalize(vmin=-span, vmax=span)  # centred at 0, like the classifier's scores
    _grid_image(
        axis, gx, gy, field, cmap=cmap, norm=norm, alpha=0.55, interpolation="nearest" if discretize else "bilinear"
    )
    points = {"c": "k"} if targets is None else {"c": targets, "cmap": cmap, "norm": norm}
    axis.scatter(X[:, 0], X[:, 1], s=20, edgecolors="k", linewidths=0.6, label=message("plots.training"), **points)
    if test is not None:
        X_test, test_targets = test
        faces = {"c": "white"} if test_targets is None else {"c": test_targets, "cmap": cmap, "norm": norm}
        axis.scatter(X_test[:, 0], X_test[:, 1], label=message("plots.test"), **_TEST_STYLE, **faces)
    if colorbar:
        scale = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)  # the points' full colours; the shading is paler
        fig.colorbar(scale, ax=axis, label=message("plots.output_and_target"))
    if legend and test is not None:
        handles = [_legend_marker("o", 0.6), _legend_marker("s", _TEST_STYLE["linewidths"])]
        axis.legend(handles, [message("plots.training"), message("plots.test")], loc="best", fontsize="small")
    axis.set_xlim(gx.min(), gx.max())
    axis.set_ylim(gy.min(), gy.max())


def plot_regression_surface(
    model,
    X,
    y=None,
    ax=None,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
    test=None,
    discretize: bool = False,
):
    """The output of a 2-D regression model over the plane as a heat map, with the points coloured by their target
    on the same scale (TensorFlow Playground's regression view).

    `model` is read as by :func:`plot_decision_boundary` and must give one number per point. The colour map is
    diverging and centred at 0 (blue below, red above, as the classifier's scores); the scale runs from −s to s,
    s the largest |target| (training and test), so a colour means the same number from one epoch to the next and
    an output beyond it takes the end colour. The colour bar shows the points' full colours; the shading is a paler
    copy. `test` = (X_test, y_test) draws held-out points too, as squares with a bold black edge, with a legend
    (training, test). `discretize` rounds the output to five levels, −s, −s/2, 0, s/2 and s: the shading becomes
    bands, like contour lines.

    >>> X = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]); y = X.sum(axis=1) / 2
    >>> fig = plot_regression_surface(lambda grid: grid.sum(axis=1) / 2, X, y, resolution=5, padding=0.0)
    >>> image = fig.axes[0].images[0]
    >>> image.get_array()[0].tolist(), image.norm.vmin, image.norm.vmax
    ([-1.0, -0.75, -0.5, -0.25, 0.0], -1.0, 1.0)
    >>> fig.axes[0].get_title(), fig.axes[1].get_ylabel()
    ('model output', 'output (shading) · target (points)')
    """
    where = "plot_regression_surface"
    X, _ = _points(X, None, where)
    targets = _targets(X, y, where)
    test = _test_split(test, where, regression=True)
    gx, gy, points = boundary_grid(X if test is None else np.vstack([X, test[0]]), resolution, padding)
    scores = model_scores(model, points)
    if scores.ndim != 1:
        raise ValueError(
            f"{where}: the model gives {scores.shape[1]} outputs per point; a surface needs one (a regression)"
        )
    fig, (axis,) = _new_axes(ax, 1, size=(5.5, 4.6))
    _draw_surface(fig, axis, gx, gy, scores, X, targets, test, discretize, colorbar=True, legend=True)
    axis.set_xlabel("x₁")
    axis.set_ylabel("x₂")
    axis.set_title(title or message("plots.model_output"))
    return fig


def plot_decision_boundary_frames(
    recorder,
    columns: int = 4,
    frames: Sequence[int] | None = None,
    threshold: float | None = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
):
    """The decision boundary's evolution: one small panel per snapshot of a
    :class:`gradviz.callbacks.DecisionBoundaryRecorder` (epoch 0 = before training), `columns` per row.
    `frames` picks snapshots by position (default: all).

    >>> from gradviz.callbacks import DecisionBoundaryRecorder
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); recorder = DecisionBoundaryRecorder(X, [0, 1], resolution=10)
    >>> recorder.add(lambda grid: grid[:, 0] - 0.2, epoch=0); recorder.add(lambda grid: grid[:, 0] - 0.5, epoch=5)
    >>> [ax.get_title() for ax in plot_decision_boundary_frames(recorder).axes]
    ['epoch 0', 'epoch 5']
    """
    if not getattr(recorder, "frames", None):
        raise ValueError(
            "plot_decision_boundary_frames: the recorder holds no snapshot; pass it to fit(callbacks=[recorder])"
        )
    chosen = range(len(recorder.frames)) if frames is None else list(frames)
    count = len(chosen)
    columns = max(1, min(int(columns), count))
    rows = -(-count // columns)
    _, Figure = _matplotlib()
    fig = Figure(figsize=(3.0 * columns, 2.8 * rows), layout="constrained")
    X, labels = recorder.X, recorder.y
    for position, index in enumerate(chosen):
        axis = fig.add_subplot(rows, columns, position + 1)
        scores = recorder.frames[index]
        _draw_boundary(
            fig,
            axis,
            recorder.gx,
            recorder.gy,
            scores,
            X,
            labels,
            threshold,
            class_names,
            colorbar=False,
            legend=position == 0,
        )
        axis.set_title(message("plots.epoch_number", epoch=recorder.epochs[index]))
        axis.set_xticks([])
        axis.set_yticks([])
    if title:
        fig.suptitle(title)
    return fig


# -- gradient flow ---------------------------------------------------------------------------------


def plot_gradient_norms(recorder, statistic: str = "mean_abs", ax=None, log: bool = True, title: str | None = None):
    """Gradient health: each layer's gradient size per epoch (one line per layer, log scale).

    `recorder` is a :class:`gradviz.callbacks.GradientRecorder` after training; `statistic` is
    'mean_abs' (mean |∂L/∂W|) or 'norm' (‖∂L/∂W‖₂). With sigmoid hidden layers the first layers'
    lines sit orders of magnitude below the last ones (vanishing gradients); with ReLU they stay close.

    >>> from gradviz.callbacks import GradientRecorder
    >>> r = GradientRecorder(); r.layers = ["dense", "dense_1"]; r.epochs = [0, 1]
    >>> r.mean_abs = {"dense": [1e-4, 2e-4], "dense_1": [1e-2, 3e-2]}; r.norms = r.mean_abs
    >>> [line.get_label() for line in plot_gradient_norms(r).axes[0].get_lines()]
    ['dense', 'dense_1']
    """
    table = recorder._table(statistic) if hasattr(recorder, "_table") else None
    if table is None:
        raise TypeError(f"plot_gradient_norms takes a GradientRecorder, got {type(recorder).__name__}")
    if not recorder.layers or not recorder.epochs:
        raise ValueError(
            "plot_gradient_norms: the recorder holds nothing; pass it to fit(callbacks=[recorder]) or call "
            "recorder.record(model) and recorder.end_epoch() while training"
        )
    fig, (axis,) = _new_axes(ax, 1, size=(6.0, 4.0))
    matplotlib, _ = _matplotlib()
    cmap = matplotlib.colormaps["viridis"]
    count = len(recorder.layers)
    x = np.asarray(recorder.epochs) + 1
    for i, layer in enumerate(recorder.layers):
        values = np.asarray(table[layer], dtype=float)
        axis.plot(
            x[: len(values)],
            values,
            marker="o" if len(values) <= 30 else None,
            markersize=3,
            color=cmap(i / max(count - 1, 1) * 0.9),
            label=layer,
        )
    if log:
        axis.set_yscale("log")
    axis.set_xlabel(message("plots.epoch"))
    symbol = message("plots.mean_gradient") if statistic in ("mean_abs", "mean") else "‖∂L/∂W‖₂"
    axis.set_ylabel(symbol)
    axis.set_title(title or message("plots.gradient_flow", symbol=symbol))
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(title=message("plots.layer_order"), fontsize="small")
    return fig


# -- confusion matrix ---------------------------------------------------------------------------------


def plot_confusion_matrix(
    y_true,
    y_pred,
    labels: Sequence[Any] | None = None,
    class_names: Sequence[str] | None = None,
    normalize: str | None = None,
    ax=None,
    title: str | None = None,
    threshold: float | None = None,
):
    """The confusion matrix as a heat map with the counts written in each cell (rows: true class, columns:
    predicted). `y_pred` may be labels or model outputs (read as :mod:`gradviz.metrics` does);
    `normalize` 'true', 'pred' or 'all' shows fractions.

    >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1', '0', '0', '0', '1', '1', '0', '0', '1']
    """
    from ..metrics import confusion_matrix

    matrix = np.asarray(confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize, threshold=threshold))
    if labels is None:
        from ..metrics import _labels_pair

        true, pred = _labels_pair(y_true, y_pred, "plot_confusion_matrix", threshold)
        labels = np.unique(np.concatenate([true, pred])).tolist()
    names = list(class_names) if class_names is not None else [str(v) for v in labels]
    fig, (axis,) = _new_axes(ax, 1, size=(4.8, 4.2))
    image = axis.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=axis)
    peak = matrix.max() if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            value = matrix[i, j]
            text = f"{value:.2f}" if normalize else f"{int(value)}"
            axis.text(j, i, text, ha="center", va="center", color="white" if value > peak / 2 else "black")
    axis.set_xticks(range(len(names)), names)
    axis.set_yticks(range(len(names)), names)
    axis.set_xlabel(message("plots.predicted"))
    axis.set_ylabel(message("plots.true"))
    axis.set_title(title or message("plots.confusion_matrix"))
    return fig


# -- optimizers side by side on 2-D test surfaces -----------------------------------------------------


def _quadratic(x, y):
    return 0.5 * x * x + 5.0 * y * y


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _saddle(x, y):
    return x * x - y * y


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y * y * y) ** 2


SURFACES: dict[str, dict[str, Any]] = {
    "quadratic": {
        "function": _quadratic,
        "formula": "x²/2 + 5y²",
        "start": (-4.0, 2.0),
        "bounds": ((-5.0, 5.0), (-3.0, 3.0)),
        "minimum": (0.0, 0.0),
        "learning_rates": {
            "SGD": 0.05,
            "Momentum": 0.01,
            "Nesterov": 0.01,
            "Adagrad": 0.5,
            "Adadelta": 1.0,
            "RMSprop": 0.05,
            "Adam": 0.1,
        },
    },
    "rosenbrock": {
        "function": _rosenbrock,
        "formula": "(1 − x)² + 100(y − x²)²",
        "start": (-1.2, 1.0),
        "bounds": ((-2.0, 2.0), (-1.0, 3.0)),
        "minimum": (1.0, 1.0),
        "learning_rates": {
            "SGD": 0.002,
            "Momentum": 0.001,
            "Nesterov": 0.001,
            "Adagrad": 1.0,
            "Adadelta": 1.0,
            "RMSprop": 0.02,
            "Adam": 0.3,
        },
    },
    "saddle": {
        "function": _saddle,
        "formula": "x² − y²",
        "start": (-2.0, 1e-3),
        "bounds": ((-2.5, 2.5), (-2.5, 2.5)),
        "minimum": None,
        "learning_rates": {
            "SGD": 0.05,
            "Momentum": 0.01,
            "Nesterov": 0.01,
            "Adagrad": 0.3,
            "Adadelta": 1.0,
            "RMSprop": 0.03,
            "Adam": 0.05,
        },
    },
    "beale": {
        "function": _beale,
        "formula": "Beale",
        "start": (1.0, 1.5),
        "bounds": ((-0.5, 4.0), (-1.5, 2.5)),
        "minimum": (3.0, 0.5),
        "learning_rates": {
            "SGD": 0.01,
            "Momentum": 0.001,
            "Nesterov": 0.001,
            "Adagrad": 1.0,
            "Adadelta": 1.0,
            "RMSprop": 0.03,
            "Adam": 0.1,
        },
    },
}
"""The 2-D test surfaces: function of (x, y) (numbers, Values or Tensors), start, plot bounds, minimum, and a
learning rate per optimizer that shows each one's character within a few hundred steps.

>>> from gradviz.viz.plots import SURFACES
>>> sorted(SURFACES)
['beale', 'quadratic', 'rosenbrock', 'saddle']
>>> SURFACES["rosenbrock"]["formula"], SURFACES["rosenbrock"]["minimum"]
('(1 − x)² + 100(y − x²)²', (1.0, 1.0))
"""


def _surface(surface) -> dict[str, Any]:
    if isinstance(surface, dict):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; valid names: {', '.join(SURFACES)}")
    return SURFACES[surface]


def _optimizer_factories(optimizers, learning_rates: dict[str, float]) -> dict[str, Callable]:
    import functools

    from .. import optim

    seven = {
        "SGD": optim.SGD,
        "Momentum": optim.Momentum,
        "Nesterov": optim.Nesterov,
        "Adagrad": optim.Adagrad,
        "Adadelta": optim.Adadelta,
        "RMSprop": optim.RMSprop,
        "Adam": optim.Adam,
    }
    if optimizers is None:
        optimizers = list(seven)
    if isinstance(optimizers, dict):
        return dict(optimizers)
    factories = {}
    by_lower = {name.lower(): name for name in seven}
    for name in optimizers:
        key = by_lower.get(str(name).lower())
        if key is None:
            raise ValueError(
                f"unknown optimizer {name!r}; valid names: {', '.join(seven)} (or pass a dict name → class)"
            )
        factories[key] = functools.partial(seven[key], lr=learning_rates.get(key, 0.01))
    return factories


def optimizer_paths(surface="rosenbrock", optimizers=None, start=None, steps: int = 200) -> dict[str, dict[str, Any]]:
    """Run each optimizer from the same start on a 2-D surface; per optimizer: 'path' (k, 2) points, 'loss' (k,)
    values and 'state' (each state entry per step, e.g. Adam's 'exp_avg' of shape (k − 1, 2)).

    `surface`: a name in :data:`SURFACES` or a dict like them; `optimizers`: names (default the
    seven of the course, each at the surface's learning rate) or a dict name → ``class_or_partial(params)``.
    A run that leaves 10× the plot bounds or meets nan stops there (the path is shorter).

    >>> paths = optimizer_paths("quadratic", ["SGD", "Adam"], steps=50)
    >>> paths["SGD"]["path"].shape, bool(paths["Adam"]["loss"][-1] < paths["Adam"]["loss"][0] / 100), sorted(paths["Adam"]["state"])
    ((51, 2), True, ['exp_avg', 'exp_avg_sq'])
    """
    from ..tensor import Tensor

    spec = _surface(surface)
    function = spec["function"]
    start = np.asarray(spec["start"] if start is None else start, dtype=np.float64)
    (x_low, x_high), (y_low, y_high) = spec["bounds"]
    limit = 10.0 * max(abs(x_low), abs(x_high), abs(y_low), abs(y_high))
    runs = {}
    for name, factory in _optimizer_factories(optimizers, spec.get("learning_rates", {})).items():
        w = Tensor(start.copy(), requires_grad=True, label="w")
        optimizer = factory([w])
        path, losses, states = [w.data.copy()], [], {}
        for _ in range(int(steps)):
            optimizer.zero_grad()
            with np.errstate(over="ignore", invalid="ignore"):
                value = function(w[0], w[1])
                value.backward()
            losses.append(float(value.item()))
            optimizer.step()
            if not np.all(np.isfinite(w.data)) or np.abs(w.data).max() > limit:
                break
            path.append(w.data.copy())
            for key, entry in optimizer.state.get(w, {}).items():
                if isinstance(entry, np.ndarray) and entry.shape == w.data.shape:
                    states.setdefault(key, []).append(entry.copy())
        path = np.array(path)
        with np.errstate(over="ignore", invalid="ignore"):
            loss = np.array([float(function(float(x), float(y))) for x, y in path])
        runs[name] = {"path": path, "loss": loss, "state": {k: np.array(v) for k, v in states.items()}}
    return runs


def plot_optimizer_paths(
    surface="rosenbrock",
    optimizers=None,
    start=None,
    steps: int = 200,
    ax=None,
    show_loss: bool = True,
    paths: dict[str, dict[str, Any]] | None = None,
):
    """The optimizers side by side on a 2-D test surface (quadratic bowl, Rosenbrock, saddle, Beale): each one's
    trajectory from the same start over the surface's contour lines, and (with `show_loss`) its value per step.

    `paths` reuses the result of :func:`optimizer_paths`; otherwise they are computed here with the
    same arguments. `ax`: one Axes (the paths) or two (paths, loss).

    >>> fig = plot_optimizer_paths("quadratic", ["SGD", "Momentum"], steps=30)
    >>> [line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    ['SGD', 'Momentum']
    >>> fig.axes[1].get_xlabel()
    'step'
    """
    spec = _surface(surface)
    runs = paths if paths is not None else optimizer_paths(spec, optimizers, start, steps)
    panels = 2 if show_loss else 1
    fig, axes = _new_axes(ax, panels, size=(5.6, 4.6))
    matplotlib, _ = _matplotlib()
    (x_low, x_high), (y_low, y_high) = spec["bounds"]
    gx, gy = np.meshgrid(np.linspace(x_low, x_high, 300), np.linspace(y_low, y_high, 300))
    field = spec["function"](gx, gy)
    axis = axes[0]
    if spec.get("minimum") is not None and np.min(field) >= 0:
        levels = np.geomspace(max(float(np.min(field)), 1e-3), float(np.max(field)), 25)
        axis.contour(
            gx,
            gy,
            np.maximum(field, 1e-3),
            levels=levels,
            cmap="Greys",
            linewidths=0.6,
            norm=matplotlib.colors.LogNorm(),
        )
        axis.plot(
            *spec["minimum"],
            marker="*",
            color="gold",
            markersize=14,
            markeredgecolor="k",
            linestyle="none",
            label="_minimum",
        )
    else:
        axis.contour(gx, gy, field, levels=25, cmap="Greys", linewidths=0.6)
    colors = matplotlib.colormaps["tab10"]
    for i, (name, run) in enumerate(runs.items()):
        path = run["path"]
        axis.plot(path[:, 0], path[:, 1], "-", color=colors(i % 10), linewidth=1.6, label=name, zorder=3)
        axis.plot(path[-1, 0], path[-1, 1], "o", color=colors(i % 10), markersize=4, label="_end", zorder=4)
    first = next(iter(runs.values()))["path"][0]
    axis.plot(first[0], first[1], "ks", markersize=6, label="_start", zorder=5)
    axis.set_xlim(x_low, x_high)
    axis.set_ylim(y_low, y_high)
    axis.set_xlabel("x")
    axis.set_ylabel("y")
    steps_taken = max(len(r["path"]) for r in runs.values()) - 1
    axis.set_title(
        message("plots.path_steps", surface=spec.get("formula") or message("plots.surface"), steps=steps_taken)
    )
    axis.legend(fontsize="small", loc="best")
    if show_loss:
        loss_axis = axes[1] if len(axes) > 1 else axes[0]
        positive = spec.get("minimum") is not None
        for i, (name, run) in enumerate(runs.items()):
            values = run["loss"]
            loss_axis.plot(
                np.arange(len(values)),
                np.maximum(values, 1e-16) if positive else values,
                color=colors(i % 10),
                label=name,
            )
        if positive:
            loss_axis.set_yscale("log")
        else:  # an unbounded surface (the saddle): show the values inside the plotted window, not the escape
            loss_axis.set_ylim(float(np.min(field)) * 1.05, float(np.max(field)) * 1.05)
        loss_axis.set_xlabel(message("plots.step"))
        loss_axis.set_ylabel("f(x, y)")
        loss_axis.set_title(message("plots.value_along_path"))
        loss_axis.grid(True, alpha=0.3)
    return fig


# -- weights, gradients and activations per layer -------------------------------------------------------


def _layers_with_weights(model) -> list[tuple[str, Any]]:
    named = list(model.named_children()) if hasattr(model, "named_children") else []
    return [(name, layer) for name, layer in named if any(True for _ in layer.parameters())] or [("model", model)]


def plot_layer_histograms(model, X=None, what: str = "weights", bins: int = 30, title: str | None = None):
    """One histogram per layer of its weights, of their gradients (after a backward pass), or of its outputs on
    the inputs `X` (activations: all saturated at 0/1 with sigmoid, half zero with ReLU...).

    `model` is a keras Sequential or a gradviz.nn Module with children (each child is a layer).

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(8, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    >>> [ax.get_title() for ax in plot_layer_histograms(model, what="weights").axes]
    ['dense: weights', 'dense_1: weights']
    """
    from ..value import Value

    if what not in ("weights", "gradients", "activations"):
        raise ValueError(f"plot_layer_histograms: what must be 'weights', 'gradients' or 'activations', got {what!r}")
    series: list[tuple[str, np.ndarray]] = []
    if what == "activations":
        if X is None:
            raise ValueError("plot_layer_histograms(what='activations') needs inputs X to run through the model")
        from ..context import no_grad
        from ..tensor import Tensor

        children = list(model.named_children()) if hasattr(model, "named_children") else []
        if not children:
            raise TypeError("plot_layer_histograms: activations need a model made of layers (keras or nn.Sequential)")
        handles = [
            layer.register_forward_hook(
                lambda module, inputs, output, name=name: series.append((name, np.asarray(output.data).ravel()))
            )
            for name, layer in children
        ]
        try:
            with no_grad():
                model(Tensor(np.asarray(getattr(X, "data", X), dtype=float)))
        finally:
            for handle in handles:
                handle.remove()
    else:
        for name, layer in _layers_with_weights(model):
            weights = [p for p in layer.parameters() if not isinstance(p, Value) and np.ndim(p.data) >= 2] or list(
                layer.parameters()
            )
            if what == "weights":
                values = [np.asarray(p.data).ravel() for p in weights]
            else:
                missing = [p for p in weights if p.grad is None]
                if missing:
                    raise ValueError(
                        "plot_layer_histograms(what='gradients'): the parameters have no gradient yet; run a forward "
                        "pass and loss.backward() first (after fit, the last batch's gradients are kept)"
                    )
                values = [np.asarray(p.grad).ravel() for p in weights]
            series.append((name, np.concatenate(values)))
    fig, axes = _new_axes(None, len(series), size=(3.2, 2.8))
    what_shown = message({"weights": "plots.weights", "gradients": "plots.gradients"}.get(what, "plots.activations"))
    for axis, (name, values) in zip(axes, series, strict=True):
        axis.hist(values, bins=bins, color="#4c72b0", alpha=0.85)
        axis.set_title(f"{name}: {what_shown}")
        axis.set_xlabel(message("plots.value"))
        axis.text(
            0.98,
            0.95,
            message("plots.histogram_stats", mean=f"{values.mean():.3g}", std=f"{values.std():.3g}"),
            transform=axis.transAxes,
            ha="right",
            va="top",
            fontsize="small",
        )
    axes[0].set_ylabel(message("plots.count"))
    if title:
        fig.suptitle(title)
    return fig


# -- linear regression: the fit line, the cost surface and the descent ------------------------------------


def _line_data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(getattr(x, "data", x), dtype=float)
    y = np.asarray(getattr(y, "data", y), dtype=float).reshape(-1)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or len(x) != len(y):
        raise ValueError(
            f"linear regression with one variable needs x of shape (n,) or (n, 1) and y of shape (n,); got "
            f"{x.shape} and {y.shape}"
        )
    return x, y


def gradient_descent_path(x, y, learning_rate: float = 0.1, steps: int = 100, start=(0.0, 0.0)) -> np.ndarray:
    """Fit y ≈ w·x + b by plain gradient descent on the MSE, with gradviz's engine; returns the (steps + 1, 2)
    array of (w, b) after each step (row 0 is `start`).

    >>> x = np.array([0.0, 1.0, 2.0]); y = 2.0 * x + 1.0
    >>> gradient_descent_path(x, y, learning_rate=0.1, steps=500)[-1].round(4).tolist()
    [2.0, 1.0]
    """
    from .. import functional as F
    from ..tensor import Tensor

    x, y = _line_data(x, y)
    w = Tensor(float(start[0]), requires_grad=True, label="w")
    b = Tensor(float(start[1]), requires_grad=True, label="b")
    inputs, targets = Tensor(x), Tensor(y)
    path = [(float(w.data), float(b.data))]
    for _ in range(int(steps)):
        w.grad = b.grad = None
        F.mse(inputs * w + b, targets).backward()
        w.data = w.data - learning_rate * w.grad
        b.data = b.data - learning_rate * b.grad
        path.append((float(w.data), float(b.data)))
    return np.array(path)


def plot_linear_regression(x, y, path=None, ax=None, resolution: int = 120, title: str | None = None):
    """Linear regression with one variable, in two panels: the data with the least-squares line (and the lines
    along `path`), and the cost surface MSE(w, b) as contour lines with the least-squares minimum and the
    gradient-descent `path` of (w, b) pairs (e.g. from :func:`gradient_descent_path`) on it.

    >>> x = np.array([0.0, 1.0, 2.0, 3.0]); y = np.array([1.0, 2.9, 5.2, 7.0])
    >>> fig = plot_linear_regression(x, y, gradient_descent_path(x, y, 0.05, 50))
    >>> [ax.get_xlabel() for ax in fig.axes[:2]]
    ['x', 'w']
    """
    x, y = _line_data(x, y)
    design = np.column_stack([x, np.ones_like(x)])
    (w_best, b_best), *_ = np.linalg.lstsq(design, y, rcond=None)
    path = None if path is None else np.asarray(path, dtype=float).reshape(-1, 2)
    fig, axes = _new_axes(ax, 2, size=(5.0, 4.2))
    if len(axes) != 2:
        raise ValueError("plot_linear_regression draws two panels: pass ax=[ax_fit, ax_cost]")
    fit, cost = axes
    fit.scatter(x, y, color="k", s=22, label=message("plots.data"), zorder=3)
    span = np.linspace(x.min(), x.max(), 2)
    if path is not None and len(path) > 1:
        for w, b in path[:: max(1, len(path) // 8)]:
            fit.plot(span, w * span + b, color="#ff7f0e", alpha=0.25, linewidth=1)
        fit.plot(
            span,
            path[-1, 0] * span + path[-1, 1],
            color="#ff7f0e",
            label=message("plots.step_number", step=len(path) - 1),
        )
    fit.plot(
        span,
        w_best * span + b_best,
        "--",
        color="#1f77b4",
        label=message("plots.least_squares", line=_line_text(w_best, b_best)),
    )
    fit.set_xlabel("x")
    fit.set_ylabel("y")
    fit.legend(fontsize="small")
    fit.set_title(title or message("plots.the_fit"))
    points = np.array([[w_best, b_best]] + ([] if path is None else list(path)))
    w_span = max(np.ptp(points[:, 0]), abs(w_best) * 0.5, 1e-3) * 0.6
    b_span = max(np.ptp(points[:, 1]), abs(b_best) * 0.5, 1e-3) * 0.6
    ws = np.linspace(points[:, 0].min() - w_span, points[:, 0].max() + w_span, resolution)
    bs = np.linspace(points[:, 1].min() - b_span, points[:, 1].max() + b_span, resolution)
    gw, gb = np.meshgrid(ws, bs)
    residuals = gw[..., None] * x + gb[..., None] - y
    surface = np.mean(residuals**2, axis=-1)
    matplotlib, _ = _matplotlib()
    levels = np.geomspace(max(surface.min(), 1e-12), surface.max(), 20)
    cost.contour(gw, gb, surface, levels=levels, cmap="viridis", linewidths=0.8, norm=matplotlib.colors.LogNorm())
    cost.plot(
        w_best,
        b_best,
        marker="*",
        color="gold",
        markersize=14,
        markeredgecolor="k",
        linestyle="none",
        label=message("plots.minimum"),
    )
    if path is not None:
        cost.plot(path[:, 0], path[:, 1], ".-", color="#ff7f0e", markersize=4, label=message("plots.gradient_descent"))
        cost.plot(path[0, 0], path[0, 1], "ks", markersize=5, label=message("plots.start"))
    cost.set_xlabel("w")
    cost.set_ylabel("b")
    cost.set_title(message("plots.cost"))
    cost.legend(fontsize="small")
    return fig


def plot_learning_rates(train: Callable, learning_rates=(0.02, 0.5, 3.0), ax=None, title: str | None = None):
    """The same lesson with several learning rates, the loss per iteration side by side — too small (it barely
    moves), good, too large (it overshoots or diverges) — as the course's slide on α shows.

    `train(lr)` runs the lesson with learning rate `lr` and returns its Trace (recorded with a gradviz.optim
    optimizer: one loss per iteration, gradviz.viz.updates.losses_per_iteration) or the list of losses. Each
    curve is named by its rate and by what it did: "too small" for the slowest of those that go down, "good"
    for the lowest final loss, "diverges" for one that ends higher than it began (or not finite). Returns the
    figure (a new one, or that of `ax`).

    >>> import gradviz
    >>> from gradviz import Value
    >>> def train(lr):
    ...     w = Value(0.0, label="w")
    ...     opt = gradviz.optim.SGD([w], lr=lr)
    ...     with gradviz.trace() as t:
    ...         for _ in range(8):
    ...             opt.zero_grad()
    ...             loss = (w - 3.0) ** 2
    ...             loss.backward()
    ...             opt.step()
    ...     return t
    >>> figure = plot_learning_rates(train, [0.02, 0.3, 1.1])
    >>> [line.get_label() for line in figure.axes[0].get_lines()]
    ['η = 0.02 (too small)', 'η = 0.3 (good)', 'η = 1.1 (diverges)']
    """
    from .updates import losses_per_iteration

    fig, (axis,) = _new_axes(ax, size=(6.0, 3.8))
    runs = {}
    for lr in learning_rates:
        result = train(lr)
        runs[lr] = [float(v) for v in (losses_per_iteration(result) if hasattr(result, "iteration") else result)]
    verdicts = _verdicts(runs)
    for lr, losses in runs.items():
        name = message(verdicts[lr]) if verdicts.get(lr) else ""
        label = f"η = {lr:g}".replace(".", decimal_mark()) + (f" ({name})" if name else "")
        axis.plot(range(1, len(losses) + 1), losses, marker="o", label=label)
    axis.set_xlabel(message("plots.iteration"))
    axis.set_ylabel(_quantity("loss"))
    if any(max(losses, default=0) > 100 * max(min(losses, default=1), 1e-12) for losses in runs.values()):
        axis.set_yscale("log")
    axis.set_title(title if title is not None else message("plots.learning_rates_title"))
    axis.legend()
    return fig


def _verdicts(runs: dict[float, list[float]]) -> dict[float, str]:
    """Each learning rate's verdict (a catalogue key), from its losses."""
    verdicts: dict[float, str] = {}
    down = {}
    for lr, losses in runs.items():
        if not losses:
            continue
        if not all(np.isfinite(losses)) or losses[-1] > losses[0]:
            verdicts[lr] = "plots.lr_diverges"
        else:
            down[lr] = losses[-1]
    if down:
        best = min(down, key=down.get)
        verdicts[best] = "plots.lr_good"
        slow = min(down)
        if slow != best:
            verdicts[slow] = "plots.lr_too_small"
    return verdicts
