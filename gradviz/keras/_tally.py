"""A model's compiled metrics as sums over the samples, so that a backend can add them up on its devices.

Accuracy, precision, recall and F1 are functions of the confusion matrix; MSE and MAE of the summed errors. When
every compiled metric is one of those, a :class:`Tally` counts a batch's share with any array module (``count(xp,
…)``: numpy here, ``jax.numpy`` in the JAX backend's compiled code) and turns the epoch's sums into the numbers
the metrics would give on all the outputs (:meth:`Tally.logs`) — through the same metric functions, so the two
cannot drift apart. Anything else (Keras metric objects, callables, R², AUC) is computed from the outputs.

>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.layers.Dense(3, input_dim=2, activation="softmax")], seed=0)
>>> model = model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
>>> tally = Tally.of(model)
>>> outputs, labels = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]), np.array([0, 1])
>>> counts = tally.count(np, outputs, labels, np.ones(2))
>>> counts.reshape(3, 3).tolist(), tally.logs(model, counts)
([[1, 0, 0], [0, 0, 1], [0, 0, 0]], {'accuracy': 0.5})
"""

from __future__ import annotations

import numpy as np

from .. import metrics as _metrics

__all__ = ["Tally"]

_LABELS = (_metrics.accuracy, _metrics.precision, _metrics.recall, _metrics.f1_score)
_ERRORS = (_metrics.mean_squared_error, _metrics.mean_absolute_error)


class Tally:
    """The compiled metrics as sums: ``kind`` 'labels' (a confusion matrix of `size` = Kt·Kp counts, true class
    by predicted side) or 'errors' (Σ(y − ŷ)², Σ|y − ŷ| and the number of values). Made by :meth:`of`, which says
    None when a metric is not such a sum. `whole_targets`: binary targets must be 0/1 labels (the backend
    checks; soft targets are computed from the outputs)."""

    def __init__(self, kind: str, rule: str, width: int) -> None:
        self.kind, self.rule, self.width = kind, rule, width
        self.whole_targets = rule == "binary"
        if kind == "errors":
            self.size = 3
            return
        if rule in ("categorical", "sparse"):
            self.true_values = np.arange(width)
            self.pred_values = np.arange(width)  # read as labels (1-D ints)
        elif rule == "binary":
            self.true_values = np.array([0, 1])
            self.pred_values = np.array([0.0, 1.0])  # scores either side of the 0.5 threshold
        else:  # hinge: −1/+1 labels, scores either side of 0
            self.true_values = np.array([-1, 1])
            self.pred_values = np.array([-1.0, 1.0])
        self.size = len(self.true_values) * len(self.pred_values)

    @classmethod
    def of(cls, model) -> Tally | None:
        entries = list(getattr(model, "_metric_list", []))
        loss = getattr(model, "_loss", None)
        if not entries or loss is None or model._output_shapes is None:
            return None
        functions = []
        for entry in entries:
            if entry.keras or callable(entry.spec):
                return None
            try:
                functions.append(_metrics.get_metric(entry.spec))
            except ValueError:
                return None
        rule = loss.rule
        outputs = model._output_shapes[-1]
        if len(outputs) != 1:
            return None
        width = int(outputs[0])
        if all(f in _LABELS for f in functions):
            if rule in ("categorical", "sparse") or (rule in ("binary", "hinge") and width == 1):
                return cls("labels", rule, width)
            return None
        if all(f in _ERRORS for f in functions) and rule not in ("categorical", "sparse", "binary", "hinge", "custom"):
            return cls("errors", rule, width)
        return None

    # -- a batch's share, with numpy or jax.numpy ------------------------------------------------------------
    def count(self, xp, outputs, targets, mask):
        """This batch's sums: `outputs` (…, width) as the metrics read them, `targets` as the loss reads them
        (labels, one-hot rows or values), `mask` (…) 1 for a real sample, 0 for padding."""
        if self.kind == "errors":
            errors = (targets.astype(outputs.dtype) - outputs).reshape(*mask.shape, -1)
            weight = mask.astype(outputs.dtype)[..., None]
            values = xp.sum(weight) * errors.shape[-1]
            return xp.stack([xp.sum(errors * errors * weight), xp.sum(xp.abs(errors) * weight), values])
        if self.rule in ("categorical", "sparse"):
            pred = xp.argmax(outputs, axis=-1)
            true = xp.argmax(targets, axis=-1) if targets.ndim == outputs.ndim else targets.reshape(pred.shape)
        elif self.rule == "binary":
            pred = outputs[..., 0] > 0.5
            true = xp.round(targets[..., 0]) > 0.5
        else:
            pred = outputs[..., 0] > 0
            true = targets[..., 0] > 0
        sides = len(self.pred_values)
        index = (true.astype(np.int32) * sides + pred.astype(np.int32)).reshape(-1)
        weights = mask.astype(np.int32).reshape(-1)
        if xp is np:
            return np.bincount(index, weights=weights, minlength=self.size).astype(np.int64)
        return xp.bincount(index, weights=weights, length=self.size)

    # -- the epoch's numbers -----------------------------------------------------------------------------------
    def logs(self, model, tally) -> dict[str, float]:
        """The metrics' values from the summed `tally`, as the model's metrics give them on all the outputs."""
        tally = np.asarray(tally, dtype=np.float64)
        if self.kind == "errors":
            squared, absolute, values = tally
            out = {}
            for entry in model._metric_list:
                function = _metrics.get_metric(entry.spec)
                total = squared if function is _metrics.mean_squared_error else absolute
                out[entry.label] = float(total / values) if values else float("nan")
            return out
        matrix = np.rint(tally).astype(np.int64).reshape(len(self.true_values), len(self.pred_values))
        if matrix.sum() == 0:
            return {entry.label: float("nan") for entry in model._metric_list}
        rows, columns = np.nonzero(matrix)
        counts = matrix[rows, columns]
        true = np.repeat(self.true_values[rows], counts)
        pred = np.repeat(self.pred_values[columns], counts)
        with np.errstate(all="ignore"):
            return model._metric_values(true, pred, classes=self.width)
