"""Keras 3's metric objects: Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, Precision,
Recall, AUC — for ``compile(metrics=[...])`` (history and evaluate use their Keras names) or on their own
(``update_state``, ``result``, ``reset_state``).

Strings in ``compile(metrics=[...])`` are gradviz.metrics' names ('accuracy', 'precision', 'recall', 'f1',
'mse', ...; multiclass precision/recall are macro averages) or Keras' metric names
('sparse_categorical_accuracy', 'binary_accuracy', 'categorical_accuracy', 'auc').

>>> import numpy as np
>>> from gradviz.keras import metrics
>>> m = metrics.SparseCategoricalAccuracy()
>>> m.update_state([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
>>> m.name, round(m.result(), 4)
('sparse_categorical_accuracy', 0.6667)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..engine import Node

__all__ = [
    "Metric",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "Precision",
    "Recall",
    "AUC",
    "get",
]

_EPSILON = 1e-7


def _numpy(x) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Node) else x)


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras' squeeze_or_expand_to_same_rank: (N,) against (N, 1) become the same rank."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_pred = y_pred[..., None]
    return y_true, y_pred


def _sample_weight(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    weights = _numpy(sample_weight).astype(np.float64).reshape(-1)
    if weights.size != n:
        raise ValueError(f"sample_weight has {weights.size} values for {n} samples")
    return weights


class Metric:
    """Keras' metric base class: a running value over the batches it is shown. ``update_state(y_true, y_pred,
    sample_weight=None)`` adds a batch, ``result()`` reads the value, ``reset_state()`` starts again; calling
    the metric does update_state and returns result(), as in Keras 3.

    >>> class Largest(Metric):
    ...     def reset_state(self):
    ...         self.value = 0.0
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         self.value = max(self.value, float(np.max(y_pred)))
    ...     def result(self):
    ...         return self.value
    >>> Largest()([0, 1], [0.2, 0.9])
    0.9
    """

    def __init__(self, name: str | None = None, dtype=None) -> None:
        self.name = name or re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", type(self).__name__).lower()
        self.dtype = dtype
        self.reset_state()

    def reset_state(self) -> None:
        """Forget every batch seen."""

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add a batch."""
        raise NotImplementedError(f"{type(self).__name__} must define update_state(y_true, y_pred, sample_weight)")

    def result(self):
        """The metric's value over the batches seen."""
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        """The arguments that make this metric again (JSON-ready)."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """The metric get_config() describes."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class _Mean(Metric):
    """A mean of one value per sample (Keras' MeanMetricWrapper), weighted by sample_weight."""

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = _numpy(y_true), _numpy(y_pred)
        values = np.asarray(self.values(y_true, y_pred), dtype=np.float64).reshape(len(y_pred), -1).mean(axis=-1)
        weights = _sample_weight(sample_weight, len(values))
        self.total += float(np.sum(values * weights))
        self.count += float(np.sum(weights))

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class Accuracy(_Mean):
    """How often predictions equal the labels exactly (Keras' ``Accuracy``: for class labels, not probabilities).

    >>> Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    0.75
    """

    def __init__(self, name: str = "accuracy", dtype=None) -> None:
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        return (y_true == y_pred).astype(np.float64)


class BinaryAccuracy(_Mean):
    """How often a probability above `threshold` (0.5) matches a 0/1 label (Keras' ``BinaryAccuracy``).

    >>> BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [0.7], [0.1], [0.6]])
    0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5) -> None:
        self.threshold = float(threshold)
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        return (y_true == (y_pred > self.threshold)).astype(np.float64)

    def get_config(self) -> dict:
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(_Mean):
    """How often the argmax of the prediction is the argmax of a one-hot label (Keras' ``CategoricalAccuracy``).

    >>> CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype=None) -> None:
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        if y_true.ndim != y_pred.ndim:
            raise ValueError(
                f"{self.name}: labels of shape {y_true.shape} are not one-hot rows like the predictions "
                f"{y_pred.shape}; for integer labels use SparseCategoricalAccuracy"
            )
        return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


class SparseCategoricalAccuracy(_Mean):
    """How often the argmax of the prediction is the integer label (Keras' ``SparseCategoricalAccuracy``).

    >>> SparseCategoricalAccuracy()([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None) -> None:
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        return (y_true.astype(np.int64) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def _thresholds(thresholds, where: str) -> tuple[list[float], bool]:
    if thresholds is None:
        return [0.5], False
    many = isinstance(thresholds, (list, tuple, np.ndarray))
    values = [float(t) for t in (thresholds if many else [thresholds])]
    if any(not 0.0 <= t <= 1.0 for t in values):
        raise ValueError(f"{where}: thresholds must be in [0, 1], got {thresholds!r}")
    return values, many


class _Confusion(Metric):
    """True/false positives and negatives at one or more thresholds, over every element (Keras' binary view)."""

    def __init__(self, thresholds, top_k, class_id, name, dtype) -> None:
        if top_k is not None:
            raise ValueError(f"{type(self).__name__}: top_k= is not supported by gradviz yet")
        self.thresholds, self._many = _thresholds(thresholds, type(self).__name__)
        self.class_id = class_id
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        size = len(self.thresholds)
        self.true_positives = np.zeros(size)
        self.false_positives = np.zeros(size)
        self.true_negatives = np.zeros(size)
        self.false_negatives = np.zeros(size)

    def _pair(self, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
        y_true, y_pred = _same_rank(_numpy(y_true).astype(np.float64), _numpy(y_pred).astype(np.float64))
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"{self.name}: labels of shape {y_true.shape} and predictions of shape {y_pred.shape} do not match. "
                "Keras' precision, recall and AUC are binary, element by element: give one-hot labels for a "
                "softmax output (or class_id=k for one class), or use metrics=['precision'] (gradviz's macro "
                "average over the classes)"
            )
        return y_true, y_pred

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = self._pair(y_true, y_pred)
        weights = _sample_weight(sample_weight, len(y_true)) if y_true.ndim else np.ones(1)
        weights = np.broadcast_to(weights.reshape(-1, *([1] * (y_true.ndim - 1))), y_true.shape)
        positive = y_true != 0  # Keras casts the labels to bool
        for k, threshold in enumerate(self.thresholds):
            predicted = y_pred > threshold
            self.true_positives[k] += float(np.sum(weights[predicted & positive]))
            self.false_positives[k] += float(np.sum(weights[predicted & ~positive]))
            self.true_negatives[k] += float(np.sum(weights[~predicted & ~positive]))
            self.false_negatives[k] += float(np.sum(weights[~predicted & positive]))

    def get_config(self) -> dict:
        return {"name": self.name, "thresholds": self.thresholds if self._many else None, "class_id": self.class_id}


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


class Precision(_Confusion):
    """TP / (TP + FP) with predictions above `thresholds` (0.5) called positive, over every element (Keras'
    ``Precision``: binary; with a softmax output give one-hot labels, or class_id=k).

    >>> Precision()([0, 1, 1, 1], [1, 0, 1, 1])
    0.6666666666666666
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name: str = "precision", dtype=None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        values = _ratio(self.true_positives, self.true_positives + self.false_positives)
        return values.tolist() if self._many else float(values[0])


class Recall(_Confusion):
    """TP / (TP + FN) with predictions above `thresholds` (0.5) called positive, over every element (Keras'
    ``Recall``).

    >>> Recall()([0, 1, 1, 1], [1, 0, 1, 1])
    0.6666666666666666
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name: str = "recall", dtype=None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        values = _ratio(self.true_positives, self.true_positives + self.false_negatives)
        return values.tolist() if self._many else float(values[0])


class AUC(_Confusion):
    """The area under the ROC (or precision–recall) curve, as Keras' ``AUC`` computes it: confusion counts at
    `num_thresholds` thresholds evenly spaced in [0, 1] and a Riemann sum (`summation_method`
    'interpolation', 'minoring' or 'majoring'; for PR, 'interpolation' is Davis & Goadrich's).

    >>> round(AUC()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.75
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype=None,
        thresholds: Sequence[float] | None = None,
        multi_label: bool = False,
        num_labels=None,
        label_weights=None,
        from_logits: bool = False,
    ) -> None:
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f"AUC: summation_method must be 'interpolation', 'minoring' or 'majoring', got {summation_method!r}"
            )
        if multi_label or label_weights is not None:
            raise ValueError("AUC: multi_label= and label_weights= are not supported by gradviz yet")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got {num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.curve, self.summation_method, self.from_logits = curve, summation_method, bool(from_logits)
        self.num_thresholds = len(inner) + 2
        self._given_thresholds = None if thresholds is None else list(inner)
        super().__init__(None, None, None, name or "auc", dtype)
        self.thresholds = [0.0 - _EPSILON, *inner, 1.0 + _EPSILON]
        self._many = False
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self.from_logits:
            z = _numpy(y_pred).astype(np.float64)
            y_pred = 0.5 * (1.0 + np.tanh(0.5 * z))
        super().update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp = tp[: n - 1] - tp[1:]
            p = tp + fp
            dp = p[: n - 1] - p[1:]
            slope = _ratio(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * p[1:]
            both = (p[: n - 1] > 0) & (p[1:] > 0)
            safe = np.where(both, _ratio(p[: n - 1], np.maximum(p[1:], 0)), 1.0)
            increment = _ratio(slope * (dtp + intercept * np.log(safe)), np.maximum(tp[1:] + fn[1:], 0))
            return float(np.sum(increment))
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        else:
            x, y = recall, _ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        return float(np.sum((x[: n - 1] - x[1:]) * heights))

    def get_config(self) -> dict:
        return {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "name": self.name,
            "thresholds": self._given_thresholds,
            "from_logits": self.from_logits,
        }


_CLASSES: dict[str, type] = {
    "Accuracy": Accuracy,
    "BinaryAccuracy": BinaryAccuracy,
    "CategoricalAccuracy": CategoricalAccuracy,
    "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "Precision": Precision,
    "Recall": Recall,
    "AUC": AUC,
}
_KERAS_NAMES: dict[str, type] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "auc": AUC,
}


def get(identifier) -> Metric:
    """A new metric object from Keras' names ('sparse_categorical_accuracy', 'binary_accuracy',
    'categorical_accuracy', 'auc'), a class name ('Precision') or a config dict; a Metric passes through.

    >>> get("binary_accuracy").name, get("AUC").num_thresholds
    ('binary_accuracy', 200)
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        if name not in _CLASSES:
            raise ValueError(f"unknown metric class {name!r}; gradviz knows: {', '.join(_CLASSES)}")
        return _CLASSES[name].from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier.lower() in _KERAS_NAMES:
            return _KERAS_NAMES[identifier.lower()]()
    raise ValueError(
        f"unknown metric {identifier!r}; Keras' metric names are {', '.join(_KERAS_NAMES)} and its classes "
        f"{', '.join(_CLASSES)}"
    )


def is_keras_name(name: str) -> bool:
    """Whether a compile(metrics=[...]) string names a Keras metric object rather than a gradviz.metrics function."""
    return name in _CLASSES or name.lower() in _KERAS_NAMES


def config(metric: Metric) -> dict:
    """{'class_name': ..., 'config': ...} for a saved model (a metric class of this module only)."""
    name = type(metric).__name__
    if _CLASSES.get(name) is not type(metric):
        raise ValueError(f"save: the metric {metric.name!r} ({name}) is not one of keras.metrics' classes")
    return {"class_name": name, "config": metric.get_config()}
