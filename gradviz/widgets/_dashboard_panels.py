"""The live panels shared by the Playground and FitDashboard: status line, curves, gradient bars, decision boundary.

``DashboardPanels`` keeps the numbers of a training run (history per epoch, gradient sizes per
layer) and turns them into widget values through the pure functions of ``_dashboard_plots``.
Redrawing is throttled: the status line at most every ``text_interval`` seconds, the pictures at
most every ``redraw_interval`` seconds (or twice as long as the last drawing took, on a slow
machine), and ``flush`` draws everything now (the end of a run).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Mapping

import numpy as np

from ..callbacks import GradientRecorder
from ..i18n import message
from ..viz.plots import model_scores
from . import _dashboard_plots as plots

__all__ = ["DashboardPanels", "Throttle"]

_PNG_DPI = 96
# inches at _PNG_DPI: each picture is sent at the size it is shown (384 px wide), so nothing is rescaled
_WIDTH = 4.0
_HEIGHTS = {"curves": 3.4, "gradients": 2.6, "boundary": 3.7}


class Throttle:
    """Says whether enough time has passed since the last accepted moment (``due()``), so that a loop running
    hundreds of epochs a second sends the browser a few pictures a second.

    >>> clock = iter([0.0, 0.1, 0.6]).__next__
    >>> throttle = Throttle(0.5, clock=clock)
    >>> [throttle.due(), throttle.due(), throttle.due()]
    [True, False, True]
    """

    def __init__(self, interval: float, clock=time.monotonic) -> None:
        self.interval = float(interval)
        self.clock = clock
        self.last = -math.inf

    def due(self) -> bool:
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            return True
        return False

    def mark(self) -> None:
        self.last = self.clock()


@functools.lru_cache(maxsize=16)
def _note_png(text: str, height: float) -> bytes:
    """The picture of an empty panel (drawn once per sentence and size: resets stay cheap)."""
    return plots.figure_png(plots.note_figure(text, _WIDTH, height), _PNG_DPI)


def _image(css_class: str):
    import ipywidgets as widgets

    image = widgets.Image(
        format="png", layout=widgets.Layout(width=f"{round(_WIDTH * _PNG_DPI)}px", height="auto", object_fit="contain")
    )
    image.add_class(css_class)
    return image


class DashboardPanels:
    """The widgets that show a training run, and the record they are drawn from.

    `X`, `y`: the points of the decision-boundary panel (2 features; otherwise the panel says why it is
    empty, and None leaves it out); `held_out` names the 'val_' numbers ('validation' or 'test'). ``history`` maps 'loss', 'accuracy', 'val_loss', ... to one number
    per epoch; ``epochs`` holds the epoch numbers (from 1); ``gradients`` is the GradientRecorder fed
    by ``record_batch``. ``drawn`` counts the redraws (the tests read it).

    Set before ``draw`` (the Playground does): ``features``, a function of the points giving the model's inputs
    (None: the points are the inputs); ``regression``, True to show the model's output over the plane instead of
    a decision boundary; ``test_points``, the held-out (X, y) in the points' own coordinates, drawn when
    ``show_test``; ``discretize``, hard class regions (a regression's output in five levels).
    """

    def __init__(
        self,
        X=None,
        y=None,
        *,
        redraw_interval: float = 0.5,
        text_interval: float = 0.1,
        resolution: int = 60,
        class_names=None,
        held_out: str = "validation",
    ) -> None:
        import ipywidgets as widgets

        self.X = None if X is None else np.asarray(X)
        self.features = None  # a function of the points giving the model's inputs, when they are features of them
        self.regression = False
        self.test_points: tuple[np.ndarray, np.ndarray] | None = None
        self.show_test = False
        self.discretize = False
        self.y = None if y is None else np.asarray(y)
        self.resolution = int(resolution)
        self.class_names = class_names
        self.held_out = held_out
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        self.gradients = GradientRecorder()
        self.redraw_interval = float(redraw_interval)
        self.pictures = Throttle(redraw_interval)
        self.text = Throttle(text_interval)
        self.drawn = 0
        self._latest: tuple[int, dict[str, float]] | None = None
        self.status = widgets.HTML(layout=widgets.Layout(margin="0 0 4px 0"))
        self.status.add_class("gradviz-loss")
        self.curves = _image("gradviz-curves")
        self.gradient_bars = _image("gradviz-gradients")
        self.boundary = None if self.X is None else _image("gradviz-boundary")

    # -- the record --------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget the run (after a reset); the widgets keep their pictures until the next draw."""
        self.history = {}
        self.epochs = []
        self.gradients = GradientRecorder()
        self._latest = None
        self.pictures.last = self.text.last = -math.inf

    def record_batch(self, model) -> None:
        """Add the gradients now in `model`'s parameters to this epoch's averages (after each batch)."""
        self.gradients.record(model)

    def end_epoch(self, epoch: int, logs: Mapping[str, float], model) -> bool:
        """Close epoch `epoch` (counted from 1) with its `logs`; redraws what is due and says whether it showed
        anything (so a progress bar can follow the same throttle)."""
        self.epochs.append(int(epoch))
        for key, value in logs.items():
            values = self.history.setdefault(key, [math.nan] * (len(self.epochs) - 1))
            values.append(float(value))
        self.gradients.end_epoch(int(epoch))
        self._latest = (int(epoch), dict(logs))
        if self.pictures.due():
            self.text.mark()
            self.draw(model)
            return True
        if self.text.due():
            self.show_status(int(epoch), logs)
            return True
        return False

    def show_status(self, epoch: int, logs: Mapping[str, float], extra: str = "") -> None:
        """Write the status line: '<b>epoch 12 · loss 0.3412 · accuracy 0.910</b>' and an optional note."""
        import html

        text = html.escape(plots.status_text(epoch, logs, self.held_out))
        note = f" <span style='color:#666'>{html.escape(extra)}</span>" if extra else ""
        self.status.value = f"<span style='font-size:1.25em'><b>{text}</b></span>{note}"

    def show_problem(self, text: str) -> None:
        """Replace the status line by a problem, in red."""
        import html

        self.status.value = f"<span style='font-size:1.1em;color:#b00020'><b>{html.escape(text)}</b></span>"

    # -- drawing -----------------------------------------------------------------------------------

    def gradient_values(self) -> tuple[list[str], list[float]]:
        """The layers and their mean |∂L/∂W| in the last recorded epoch."""
        layers = list(self.gradients.layers)
        return layers, [self.gradients.mean_abs[layer][-1] for layer in layers]

    def draw(self, model, epoch: int | None = None, logs: Mapping[str, float] | None = None) -> None:
        """Redraw the status line and every picture now, from the record and `model`'s current weights."""
        if epoch is None:
            epoch, logs = self._latest if self._latest is not None else (0, logs or {})
        if logs is not None:
            self.show_status(epoch, logs)
        started = time.monotonic()
        if self.epochs:
            curves = plots.curves_figure(self.history, width=_WIDTH, height=_HEIGHTS["curves"], held_out=self.held_out)
            self.curves.value = plots.figure_png(curves, _PNG_DPI)
        else:
            self.curves.value = _note_png(message("dashboard.no_epochs"), _HEIGHTS["curves"])
        layers, values = self.gradient_values()
        if layers:
            bars = plots.gradient_figure(layers, values, epoch, width=_WIDTH, height=_HEIGHTS["gradients"])
            self.gradient_bars.value = plots.figure_png(bars, _PNG_DPI)
        else:
            self.gradient_bars.value = _note_png(message("dashboard.gradients_none"), _HEIGHTS["gradients"])
        if self.boundary is not None and model is not None:
            self.boundary.value = plots.figure_png(self.boundary_figure(model, epoch), _PNG_DPI)
        # a slow machine draws less often: drawing takes at most about a third of a run's time
        self.pictures.interval = max(self.redraw_interval, 2.0 * (time.monotonic() - started))
        self.pictures.mark()
        self.drawn += 1

    def boundary_figure(self, model, epoch: int, width: float = _WIDTH, height: float = _HEIGHTS["boundary"]):
        """The boundary panel's picture of `model` after `epoch` (the decision boundary, or the output's surface for a
        regression; the test points when shown), as a matplotlib Figure."""
        features = self.features
        if callable(getattr(model, "predict", None)) and callable(getattr(model, "compile", None)):
            quiet = model  # a keras model's predict draws a progress bar by default (Keras' verbose="auto")
            model = lambda points: quiet.predict(points, verbose=0)  # noqa: E731
        scorer = model if features is None else (lambda grid: model_scores(model, features(grid)))
        return plots.boundary_figure(
            scorer,
            self.X,
            self.y,
            epoch,
            resolution=self.resolution,
            width=width,
            height=height,
            class_names=self.class_names,
            regression=self.regression,
            test=self.test_points if self.show_test else None,
            discretize=self.discretize,
        )

    def flush(self, model) -> None:
        """Draw the latest epoch now, whatever the throttle says (the end of a run, a pause, one step)."""
        self.draw(model)
