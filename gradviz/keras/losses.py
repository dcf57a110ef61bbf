"""Keras 3's losses: classes (``SparseCategoricalCrossentropy(from_logits=True)``) and functions
(``sparse_categorical_crossentropy(y_true, y_pred)``), computed with gradviz's ops so that they draw and
differentiate like everything else.

`from_logits` decides, exactly as in Keras: False (the default) reads the model's outputs as probabilities
— Keras clips them to [ε, 1 − ε] with ε = 1e-7 (and, for the categorical losses, divides each row by its
sum first), so a last layer without activation trained with from_logits=False learns badly there too —,
True reads them as logits (softmax/sigmoid applied inside the loss). One step is gradviz's own: when the
model ends with a softmax (sigmoid) and the loss is categorical (binary) with from_logits=False, fit fuses
the two and computes the loss from the logits (``F.cross_entropy``, ``F.binary_cross_entropy_with_logits``):
the same numbers wherever Keras' clip is inactive (probabilities in [1e-7, 1 − 1e-7]), and finite, with a
gradient, where Keras' would be clipped.

>>> import numpy as np
>>> from gradviz.keras import losses
>>> y_true, logits = np.array([0, 2]), np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])
>>> losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True).round(4)
array([0.2413, 0.0949])
>>> float(losses.SparseCategoricalCrossentropy(from_logits=True)(y_true, logits).round(4))
0.1681
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import functional as F
from .. import nn
from ..engine import Node
from ..nn.module import Module
from ..tensor import Tensor

__all__ = [
    "Loss",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "Hinge",
    "mean_squared_error",
    "mean_absolute_error",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "hinge",
    "mse",
    "mae",
    "get",
    "LOSSES",
    "EPSILON",
]

EPSILON = 1e-7
"""Keras' ``backend.epsilon()``: probabilities are clipped to [EPSILON, 1 − EPSILON] before their log.

>>> from gradviz.keras import losses
>>> float(losses.binary_crossentropy([1.0], [0.0]).round(4))    # −log(1e-7), not inf
16.1181
"""

LOSSES: dict[str, str] = {
    "categorical_crossentropy": "categorical",
    "sparse_categorical_crossentropy": "sparse",
    "binary_crossentropy": "binary",
    "mse": "mse",
    "mean_squared_error": "mse",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "hinge": "hinge",
}
"""Loss names compile() accepts (Keras' names), each with the rule it stands for (``mae`` = ``mean_absolute_error``).

>>> import numpy as np
>>> from gradviz import keras
>>> keras.LOSSES["mean_absolute_error"], sorted(set(keras.LOSSES.values()))
('mae', ['binary', 'categorical', 'hinge', 'mae', 'mse', 'sparse'])
>>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("sgd", loss="mean_absolute_error")
>>> x, y = np.array([[0.0], [1.0]]), np.array([1.0, -1.0])
>>> bool(np.isclose(model.evaluate(x, y, verbose=0), np.abs(model.predict(x, verbose=0)[:, 0] - y).mean()))
True
"""

_NAMES = {  # each rule's Keras name, the one history and the saved config use
    "categorical": "categorical_crossentropy",
    "sparse": "sparse_categorical_crossentropy",
    "binary": "binary_crossentropy",
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "hinge": "hinge",
}


# -- the arithmetic, per sample -------------------------------------------------------------------------


def _tensor(x, like: Tensor | None = None, *, labels: bool = False) -> Tensor:
    if isinstance(x, Tensor):
        return x
    data = np.asarray(x.data if isinstance(x, Node) else x)
    if labels:
        return Tensor(data.astype(np.int64), dtype=np.int64)
    dtype = like.dtype if like is not None and like.dtype.kind == "f" else "float64"
    return Tensor(data.astype(dtype), dtype=dtype)


def _same_rank(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Keras' squeeze_or_expand_to_same_rank for the usual case: (N,) targets against (N, 1) outputs."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        return y_true.reshape(*y_true.shape, 1)
    return y_true


def _axis(axis: int, where: str) -> None:
    if axis != -1:
        raise ValueError(f"{where}: gradviz computes losses over the last axis only (axis=-1), got axis={axis}")


def per_sample(rule: str, y_true, y_pred, *, from_logits: bool = False, label_smoothing: float = 0.0) -> Tensor:
    """Each sample's loss under `rule` ('categorical', 'sparse', 'binary', 'mse', 'mae', 'hinge'), as Keras
    computes it: a Tensor of shape (N,) built from gradviz's ops (so it back-propagates)."""
    y_pred = _tensor(y_pred)
    if rule == "sparse":
        labels = np.asarray(y_true.data if isinstance(y_true, Node) else y_true)
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]
        if from_logits:
            return F.cross_entropy(y_pred, labels.astype(np.int64), reduction="none")
        classes = y_pred.shape[-1]
        y_true = np.eye(classes, dtype=y_pred.dtype)[labels.astype(np.int64)]
        rule = "categorical"
    y_true = _same_rank(_tensor(y_true, y_pred), y_pred)
    if rule == "categorical":
        if label_smoothing:
            y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[-1]
        if from_logits:
            return F.cross_entropy(y_pred, y_true, reduction="none")
        probabilities = (y_pred / y_pred.sum(axis=-1, keepdims=True)).clip(EPSILON, 1.0 - EPSILON)
        return -(y_true * probabilities.log()).sum(axis=-1)
    if rule == "binary":
        if label_smoothing:
            y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
        if from_logits:  # max(z, 0) − z·y + log(1 + e^−|z|), each term an op of its own
            terms = y_pred.relu() - y_pred * y_true + (1.0 + (-y_pred.abs()).exp()).log()
            return terms.mean(axis=-1)
        probabilities = y_pred.clip(EPSILON, 1.0 - EPSILON)
        return F.binary_cross_entropy(probabilities, y_true, reduction="none").mean(axis=-1)
    if rule == "mse":
        return ((y_pred - y_true) ** 2).mean(axis=-1)
    if rule == "mae":
        return (y_pred - y_true).abs().mean(axis=-1)
    if rule == "hinge":
        if np.all(np.isin(y_true.data, (0.0, 1.0))):
            y_true = y_true * 2.0 - 1.0  # Keras' rule: 0/1 labels become −1/+1
        return (1.0 - y_true * y_pred).relu().mean(axis=-1)
    raise ValueError(f"unknown loss rule {rule!r}")


def _reduce(values: Tensor, sample_weight, reduction: str | None) -> Tensor:
    """Keras' reduce_weighted_values: weights multiply each sample's loss; "sum_over_batch_size" (and "mean")
    divide the sum by the number of samples, "mean_with_sample_weight" by the weights' sum."""
    if sample_weight is not None:
        weights = np.asarray(sample_weight.data if isinstance(sample_weight, Node) else sample_weight, dtype=float)
        weights = weights.reshape(values.shape) if weights.size == values.size else weights
        values = values * Tensor(weights.astype(values.dtype), dtype=values.dtype)
    if reduction in (None, "none"):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return total / float(np.sum(weights))
    return total / float(max(values.size, 1))


def _result(value: Tensor, inputs: tuple):
    """A Tensor when any input was a gradviz Tensor (so it back-propagates), else numpy, as Keras returns arrays."""
    if any(isinstance(x, Node) for x in inputs):
        return value
    return np.asarray(value.data)


# -- the functions -----------------------------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    """Each sample's mean of (y_true − y_pred)² over the last axis, shape (N,).

    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
    array([0.5])
    """
    return _result(per_sample("mse", y_true, y_pred), (y_true, y_pred))


def mean_absolute_error(y_true, y_pred):
    """Each sample's mean of |y_true − y_pred| over the last axis, shape (N,).

    >>> mean_absolute_error([[0.0, 1.0]], [[1.0, 3.0]])
    array([1.5])
    """
    return _result(per_sample("mae", y_true, y_pred), (y_true, y_pred))


mse = mean_squared_error
mae = mean_absolute_error


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1):
    """Each sample's binary cross-entropy, the mean over its last axis; `y_pred` probabilities (clipped to
    [1e-7, 1 − 1e-7]) or, with ``from_logits=True``, logits.

    >>> binary_crossentropy([[1.0], [0.0]], [[0.9], [0.2]]).round(4)
    array([0.1054, 0.2231])
    >>> binary_crossentropy([[1.0]], [[2.0]], from_logits=True).round(4)
    array([0.1269])
    """
    _axis(axis, "binary_crossentropy")
    value = per_sample("binary", y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing)
    return _result(value, (y_true, y_pred))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1):
    """Each sample's cross-entropy with one-hot (or probability) targets; `y_pred` probabilities (each row
    divided by its sum, then clipped to [1e-7, 1 − 1e-7], as Keras) or, with ``from_logits=True``, logits.

    >>> categorical_crossentropy([[0.0, 1.0]], [[0.2, 0.8]]).round(4)
    array([0.2231])
    """
    _axis(axis, "categorical_crossentropy")
    value = per_sample("categorical", y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing)
    return _result(value, (y_true, y_pred))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, ignore_class=None, axis: int = -1):
    """Each sample's cross-entropy with integer class labels; `y_pred` probabilities (as
    categorical_crossentropy) or, with ``from_logits=True``, logits.

    >>> sparse_categorical_crossentropy([1], [[0.2, 0.8]]).round(4)
    array([0.2231])
    """
    _axis(axis, "sparse_categorical_crossentropy")
    if ignore_class is not None:
        raise ValueError("sparse_categorical_crossentropy: ignore_class= is not supported by gradviz yet")
    return _result(per_sample("sparse", y_true, y_pred, from_logits=from_logits), (y_true, y_pred))


def hinge(y_true, y_pred):
    """Each sample's mean of max(1 − y_true·y_pred, 0); 0/1 labels are read as −1/+1 (Keras' rule).

    >>> hinge([[1.0], [0.0]], [[0.5], [0.5]])
    array([0.5, 1.5])
    """
    return _result(per_sample("hinge", y_true, y_pred), (y_true, y_pred))


_FUNCTIONS: dict[Callable, str] = {
    mean_squared_error: "mse",
    mean_absolute_error: "mae",
    binary_crossentropy: "binary",
    categorical_crossentropy: "categorical",
    sparse_categorical_crossentropy: "sparse",
    hinge: "hinge",
}


# -- the classes -----------------------------------------------------------------------------------


_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class Loss:
    """Keras' loss base class: ``loss(y_true, y_pred, sample_weight=None)`` reduces each sample's value
    (``call``) with `reduction` ("sum_over_batch_size" by default: the mean over the batch).

    A subclass writes ``call(y_true, y_pred)`` with gradviz Tensor ops (it receives Tensors) and returns one
    value per sample; compile(loss=MyLoss()) trains with it.

    >>> import numpy as np
    >>> class Quartic(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return ((y_pred - y_true) ** 4).mean(axis=-1)
    >>> float(Quartic()(np.array([[0.0], [0.0]]), np.array([[1.0], [2.0]])))
    8.5
    """

    rule = "custom"

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of {', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}"
            )
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        """Each sample's loss (a Tensor of shape (N,)); subclasses write it."""
        raise NotImplementedError(f"{type(self).__name__} must define call(self, y_true, y_pred)")

    def __call__(self, y_true, y_pred, sample_weight=None):
        pred = _tensor(y_pred)
        true = y_true if isinstance(y_true, Tensor) else _tensor(y_true, pred, labels=self.rule == "sparse")
        value = _reduce(self.call(true, pred), sample_weight, self.reduction)
        return _result(value, (y_true, y_pred))

    def get_config(self) -> dict:
        """The arguments that make this loss again (JSON-ready)."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        """The loss get_config() describes."""
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({arguments})"


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class _Builtin(Loss):
    """A loss of one of Keras' rules, with from_logits (cross-entropies) and label_smoothing where Keras has them."""

    def __init__(self, name, reduction, dtype, *, from_logits=False, label_smoothing=0.0, axis=-1) -> None:
        super().__init__(name or _NAMES[self.rule], reduction, dtype)
        _axis(axis, type(self).__name__)
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"{type(self).__name__}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        return per_sample(self.rule, y_true, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing)


class MeanSquaredError(_Builtin):
    """The mean of (y_true − y_pred)², Keras' ``MeanSquaredError()`` ('mse').

    >>> float(MeanSquaredError()([[0.0], [1.0]], [[1.0], [1.0]]))
    0.5
    """

    rule = "mse"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None) -> None:
        super().__init__(name, reduction, dtype)


class MeanAbsoluteError(_Builtin):
    """The mean of |y_true − y_pred|, Keras' ``MeanAbsoluteError()`` ('mae').

    >>> float(MeanAbsoluteError()([[0.0], [1.0]], [[1.0], [1.0]]))
    0.5
    """

    rule = "mae"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None) -> None:
        super().__init__(name, reduction, dtype)


class BinaryCrossentropy(_Builtin):
    """Binary cross-entropy, Keras' ``BinaryCrossentropy(from_logits=False, label_smoothing=0.0)``.

    >>> round(float(BinaryCrossentropy(from_logits=True)([[1.0], [0.0]], [[2.0], [-1.0]])), 4)
    0.2201
    """

    rule = "binary"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ) -> None:
        super().__init__(name, reduction, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(_Builtin):
    """Cross-entropy with one-hot targets, Keras' ``CategoricalCrossentropy(from_logits=False, label_smoothing=0.0)``.

    >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.2, 0.8]])), 4)
    0.2231
    """

    rule = "categorical"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ) -> None:
        super().__init__(name, reduction, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class SparseCategoricalCrossentropy(_Builtin):
    """Cross-entropy with integer labels, Keras' ``SparseCategoricalCrossentropy(from_logits=False)``.

    >>> round(float(SparseCategoricalCrossentropy(from_logits=True)([0, 2], [[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])), 4)
    0.1681
    """

    rule = "sparse"

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        name="sparse_categorical_crossentropy",
        dtype=None,
    ) -> None:
        if ignore_class is not None:
            raise ValueError("SparseCategoricalCrossentropy: ignore_class= is not supported by gradviz yet")
        super().__init__(name, reduction, dtype, from_logits=from_logits)

    def get_config(self) -> dict:
        return {**super().get_config(), "from_logits": self.from_logits}


class Hinge(_Builtin):
    """The hinge loss max(1 − y_true·y_pred, 0), Keras' ``Hinge()`` (0/1 labels read as −1/+1).

    >>> float(Hinge()([[1.0], [-1.0]], [[0.5], [-2.0]]))
    0.25
    """

    rule = "hinge"

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None) -> None:
        super().__init__(name, reduction, dtype)


_CLASSES: dict[str, type] = {
    "MeanSquaredError": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "BinaryCrossentropy": BinaryCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    "Hinge": Hinge,
}
_RULE_CLASSES = {cls.rule: cls for cls in _CLASSES.values()}


def get(identifier) -> Loss | Callable:
    """A loss from a name (Keras' function or class names: 'mse', 'sparse_categorical_crossentropy',
    'BinaryCrossentropy'), a config dict, or a loss/function (returned as it is).

    >>> get("sparse_categorical_crossentropy")
    SparseCategoricalCrossentropy(reduction='sum_over_batch_size', from_logits=False)
    >>> get("CategoricalCrossentropy").from_logits
    False
    """
    if isinstance(identifier, Loss) or (callable(identifier) and not isinstance(identifier, (str, dict))):
        return identifier
    if isinstance(identifier, dict):
        name, config = identifier.get("class_name"), identifier.get("config", {})
        if name not in _CLASSES:
            raise ValueError(f"unknown loss class {name!r}; gradviz knows: {', '.join(_CLASSES)}")
        return _CLASSES[name].from_config(config)
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        key = identifier.lower().replace("-", "_")
        if key in LOSSES:
            return _RULE_CLASSES[LOSSES[key]]()
        raise ValueError(
            f"unknown loss {identifier!r}; valid names: {', '.join(LOSSES)} (or a keras.losses class such as "
            "SparseCategoricalCrossentropy(from_logits=True), or a function (y_true, y_pred) -> loss)"
        )
    raise TypeError(f"compile(loss=...) takes a loss name, a keras.losses loss or a function, got {identifier!r}")


# -- what compile keeps ------------------------------------------------------------------------------


class Compiled:
    """The loss a model was compiled with, as fit uses it: the Keras `rule`, `from_logits`, whether the model's
    final softmax/sigmoid is `fused` into it (set by the model), and `weight` (compile's loss_weights)."""

    def __init__(self, loss, weight: float = 1.0) -> None:
        self.given = loss
        self.weight = float(weight)
        self.fused = False
        self.from_logits = False
        self.label_smoothing = 0.0
        self.function: Callable | None = None
        self.torch_order = False
        self.reduction = "sum_over_batch_size"
        self.name = "loss"
        if isinstance(loss, str):
            key = loss.lower().replace("-", "_")
            loss = get(loss)  # unknown names list the valid ones
            self.name = key if key in LOSSES else loss.name
        if isinstance(loss, _Builtin):
            self.rule, self.from_logits, self.label_smoothing = loss.rule, loss.from_logits, loss.label_smoothing
            self.reduction = loss.reduction
            if not isinstance(self.given, str):
                self.name = loss.name
        elif isinstance(loss, Loss):
            self.rule, self.function, self.name, self.reduction = "custom", loss.call, loss.name, loss.reduction
        elif loss in _FUNCTIONS:
            self.rule, self.name = _FUNCTIONS[loss], loss.__name__
        elif isinstance(loss, Module):  # a gradviz.nn loss: torch's order, (predictions, targets)
            self.rule, self.function, self.torch_order = "custom", loss, True
            self.name = _snake(type(loss).__name__)
        elif callable(loss):
            self.rule, self.function = "custom", loss
            self.name = getattr(loss, "__name__", "loss")
        else:
            raise TypeError(
                f"compile(loss=...) takes a loss name, a keras.losses loss or a function (y_true, y_pred) -> loss, "
                f"got {type(loss).__name__}"
            )
        if self.rule in ("mse", "mae", "hinge", "custom"):
            self.from_logits = False

    @property
    def kind(self) -> str:
        """How the loss reads the model's output: 'categorical', 'sparse' or 'binary' when it reads the logits of
        a fused final softmax/sigmoid (the metrics then read that activation of them), else the rule with
        ':logits' or ':probabilities' for a cross-entropy that reads the output as it is, or 'mse', 'mae',
        'hinge', 'custom'."""
        if self.rule in ("categorical", "sparse", "binary") and not self.fused:
            return f"{self.rule}:{'logits' if self.from_logits else 'probabilities'}"
        return self.rule

    @property
    def classification(self) -> bool:
        return self.rule in ("categorical", "sparse", "binary")

    def fuses(self, last_activation: str) -> bool:
        """Whether a model ending in `last_activation` has it folded into this loss (gradviz's stable step)."""
        if self.from_logits:
            return False
        return (self.rule in ("categorical", "sparse") and last_activation == "softmax") or (
            self.rule == "binary" and last_activation == "sigmoid"
        )

    def node(self, out: Tensor, targets: np.ndarray, sample_weight: np.ndarray | None = None) -> Tensor:
        """The batch's loss node from the model's output `out` (its logits when fused) and the prepared targets
        (see ``Sequential._targets``), weighted by `sample_weight` (one number per sample) as Keras weights."""
        if self.rule == "custom":
            values = self._custom(out, targets)
            if sample_weight is not None and values.ndim == 0:
                raise ValueError(
                    f"the loss function {self.name} returns one number for the batch, so sample_weight / "
                    "class_weight cannot weight its samples: return one loss per sample (shape (N,)) instead"
                )
            loss = _reduce(values, sample_weight, self.reduction or "sum_over_batch_size")
        elif sample_weight is None and not self.label_smoothing:
            loss = self._mean(out, targets)
        else:
            rule = "categorical" if self.rule == "sparse" and targets.ndim == out.ndim else self.rule
            values = per_sample(rule, targets, out, from_logits=self.reads_logits, label_smoothing=self.label_smoothing)
            loss = _reduce(values, sample_weight, self.reduction or "sum_over_batch_size")
        return loss * self.weight if self.weight != 1.0 else loss

    @property
    def reads_logits(self) -> bool:
        """Whether the loss reads logits: a fused final activation, or from_logits=True."""
        return self.fused or self.from_logits

    def _mean(self, out: Tensor, targets: np.ndarray) -> Tensor:
        rule = self.rule
        if rule in ("categorical", "sparse"):
            if self.reads_logits:
                return F.cross_entropy(out, targets)
            return per_sample("categorical", targets, out).mean()  # one-hot targets: see Sequential._targets
        if rule == "binary":
            if self.reads_logits:
                return F.binary_cross_entropy_with_logits(out, targets)
            return F.binary_cross_entropy(out.clip(EPSILON, 1.0 - EPSILON), Tensor(targets, dtype=out.dtype))
        if rule == "mse":
            return F.mse(out, targets)
        if rule == "mae":
            return nn.l1_loss(out, Tensor(targets, dtype=out.dtype))
        return nn.hinge_loss(out, Tensor(targets, dtype=out.dtype))

    def _custom(self, out: Tensor, targets: np.ndarray) -> Tensor:
        target = Tensor(targets, dtype=out.dtype if targets.dtype.kind == "f" else None)
        loss = self.function(out, target) if self.torch_order else self.function(target, out)
        if not isinstance(loss, Tensor):
            raise TypeError(
                f"the loss function {self.name} must return a Tensor (one number, or one per sample) built with "
                f"gradviz's ops from its arguments (y_true, y_pred), got {type(loss).__name__}"
            )
        if loss.ndim > 1 or (loss.ndim == 1 and loss.size not in (1, out.shape[0])):
            raise TypeError(
                f"the loss function {self.name} must return one number or one per sample (shape ({out.shape[0]},)), "
                f"got shape {loss.shape}"
            )
        return loss.reshape(()) if loss.ndim == 1 and loss.size == 1 and out.shape[0] != 1 else loss

    def config(self) -> Any:
        """What a saved model records of this loss: a Keras name, or a loss class's config; None for a function."""
        if isinstance(self.given, str):
            return self.given
        if isinstance(self.given, _Builtin):
            return {"class_name": type(self.given).__name__, "config": self.given.get_config()}
        if self.given in _FUNCTIONS:
            return self.given.__name__
        return None

    def __repr__(self) -> str:
        return self.name
