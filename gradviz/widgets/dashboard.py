"""FitDashboard: a fit() callback that shows live loss/accuracy curves, per-layer gradient sizes and, for 2-D
inputs, the decision boundary, with a progress bar, while a keras Sequential trains in a notebook.

>>> from gradviz import keras
>>> from gradviz.data import make_moons
>>> X, y = make_moons(120, noise=0.1, seed=0)
>>> board = FitDashboard(x=X, y=y)
>>> model = keras.Sequential([keras.Dense(8, activation="relu"), keras.Dense(1, activation="sigmoid")], seed=0)
>>> _ = model.compile("adam", "binary_crossentropy", metrics=["accuracy"], learning_rate=0.05)
>>> _ = model.fit(X, y, epochs=3, verbose=0, callbacks=[board])
>>> board.epochs, board.progress.value, "epoch 3" in board.status.value
([1, 2, 3], 3, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..callbacks import Callback
from ..i18n import message
from ._dashboard_panels import DashboardPanels

__all__ = ["FitDashboard"]


def _array(values) -> np.ndarray | None:
    if values is None:
        return None
    return np.asarray(values if isinstance(values, np.ndarray) else getattr(values, "data", values))


def _are_classes(labels: np.ndarray | None) -> bool:
    """Whether `labels` can colour a decision boundary: none, or a few whole-number classes (not regression targets)."""
    if labels is None:
        return True
    values = labels.reshape(-1)
    if values.dtype.kind == "b":
        return True
    if values.dtype.kind not in "iuf" or not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return False
    return len(np.unique(values)) <= 20


class FitDashboard(Callback):
    """Live pictures of a ``fit`` run: loss and accuracy curves (training and validation), the mean |∂L/∂W| of each
    layer as bars on a log scale (vanishing gradients show as short first bars), the decision boundary over
    `x` when it has 2 features and `y` holds classes, and a progress bar.

    Pass it to fit and show it in a notebook (its last value in a cell, or ``board.show()``)::

        board = FitDashboard(x=X, y=y)
        board.show()
        model.fit(X, y, epochs=200, callbacks=[board])

    ``fit(..., dashboard=True)`` does the same. `x`, `y`: the points under the decision boundary
    (usually the training data; `y` labels or one-hot rows colour them); other inputs (more features,
    images, regression targets) train with the other panels only. The pictures are redrawn at most every `redraw_interval` seconds and once more at the
    end, so a fast run does not flood the notebook. After fit: ``history`` (the curves' numbers),
    ``epochs``, ``gradients`` (a :class:`gradviz.callbacks.GradientRecorder`), ``widget`` (the ipywidgets box).

    >>> board = FitDashboard()
    >>> board.boundary is None, board.progress.max
    (True, 1)
    """

    def __init__(
        self,
        x=None,
        y=None,
        *,
        redraw_interval: float = 0.5,
        resolution: int = 60,
        class_names: Sequence[str] | None = None,
    ) -> None:
        import ipywidgets as widgets

        super().__init__()
        X = _array(x)
        labels = _array(y)
        if X is not None and (X.ndim < 2 or len(X) == 0):
            raise ValueError(
                f"FitDashboard: x must be the samples, one row per sample (n_samples, n_features), got shape {X.shape}"
            )
        if labels is not None and X is not None and len(labels) != len(X):
            raise ValueError(f"FitDashboard: x has {len(X)} samples but y has {len(labels)}; give one label per sample")
        if labels is not None and labels.ndim == 2 and labels.shape[1] > 1:
            labels = labels.argmax(axis=1)  # one-hot rows: colour each point by its class
        points = X if X is not None and X.ndim == 2 and X.shape[1] == 2 and _are_classes(labels) else None
        self.panels = DashboardPanels(
            points, labels, redraw_interval=redraw_interval, resolution=resolution, class_names=class_names
        )
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="300px"))
        self.progress.add_class("gradviz-progress")
        self.progress_text = widgets.HTML()
        top = widgets.Layout(align_items="flex-start")
        if self.panels.boundary is None:
            pictures = [self.panels.curves, self.panels.gradient_bars]
        else:
            pictures = [self.panels.boundary, widgets.VBox([self.panels.curves, self.panels.gradient_bars], layout=top)]
        self.widget = widgets.VBox(
            [
                self.panels.status,
                widgets.HBox([self.progress, self.progress_text], layout=widgets.Layout(align_items="center")),
                widgets.HBox(pictures, layout=widgets.Layout(align_items="flex-start", flex_flow="row wrap")),
            ]
        )
        self.widget.add_class("gradviz-fit-dashboard")
        self._total = 0

    # -- what the widget shows -----------------------------------------------------------------------

    @property
    def status(self):
        """The status line (an HTML widget with class 'gradviz-loss'): 'epoch 12 · loss 0.3412 · accuracy 0.910'."""
        return self.panels.status

    @property
    def boundary(self):
        """The decision-boundary image widget, or None without 2-feature `x` and class labels."""
        return self.panels.boundary

    @property
    def history(self) -> dict[str, list[float]]:
        """'loss', 'accuracy', 'val_loss', ... → one number per epoch seen."""
        return self.panels.history

    @property
    def epochs(self) -> list[int]:
        """The epochs seen, counted from 1."""
        return self.panels.epochs

    @property
    def gradients(self):
        """The GradientRecorder fed after every batch."""
        return self.panels.gradients

    def show(self) -> None:
        """Display the dashboard in the notebook (IPython's display)."""
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"FitDashboard({len(self.epochs)} epochs seen)"

    # -- fit's hooks ------------------------------------------------------------------------------------

    def _show_progress(self, done: int) -> None:
        self.progress.value = min(done, self.progress.max)
        self.progress_text.value = message("dashboard.progress", done=done, total=self._total)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._total = int(self.params.get("epochs", 0))
        self.progress.max = max(self._total, 1)
        self._show_progress(0)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        # before the epoch's batches are recorded, or the new run's first gradients would be cleared with the old
        if self.epochs and epoch + 1 <= self.epochs[-1]:
            self.panels.clear()  # a new fit that starts counting again: a new run

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.panels.record_batch(self.model)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.panels.end_epoch(epoch + 1, logs or {}, self.model):
            self._show_progress(epoch + 1)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.epochs:
            self.panels.flush(self.model)
            self._show_progress(self.epochs[-1])
