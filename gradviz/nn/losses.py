"""The course's costs as functions and modules: MSE, MAE, binary and categorical cross-entropy, hinge; L1/L2 penalties.

Each loss returns the mean over the batch as a one-element node, ready for ``.backward()``.
MSE, MAE, hinge and binary cross-entropy also take lists of scalar Values (small nets drawn
node by node); the tensor versions use the fused ops of :mod:`gradviz.functional`.

>>> from gradviz import Tensor, Value, nn
>>> nn.MSELoss()(Tensor([1.0, 2.0]), Tensor([1.0, 4.0])).item()
2.0
>>> nn.hinge_loss([Value(0.5), Value(-2.0)], [1, -1]).data
0.25
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable

import numpy as np

from .. import functional as F
from ..engine import Node
from ..errors import ShapeError
from ..tensor import Tensor, as_tensor
from ..value import Value
from .module import Module

__all__ = [
    "mse_loss",
    "l1_loss",
    "mae_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l1_penalty",
    "l2_penalty",
    "MSELoss",
    "L1Loss",
    "MAELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HingeLoss",
    "LOSSES",
    "get_loss",
]


# -- scalar (Value) helpers ------------------------------------------------------------------------


def _values(x) -> list | None:
    """`x` as a list of Values when it is a Value or a sequence holding Values, else None."""
    if isinstance(x, Value):
        return [x]
    if isinstance(x, (list, tuple)) and x and any(isinstance(v, Value) for v in x):
        flat = []
        for v in x:
            if isinstance(v, (list, tuple)) and len(v) == 1:  # a network's one-output list
                v = v[0]
            flat.append(v)
        return flat
    return None


def _targets(y, n: int, op: str) -> list[float]:
    raw = [v.data if isinstance(v, Node) else v for v in (y if isinstance(y, (list, tuple, np.ndarray)) else [y])]
    array = np.asarray(raw, dtype=float).reshape(-1)
    if array.size != n:
        raise ShapeError(f"{op}: {n} prediction(s) but {array.size} target(s); give one target per prediction")
    return [float(v) for v in array]


def _sum(terms: list) -> Value:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _mean(terms: list) -> Value:
    return _sum(terms) * (1.0 / len(terms))


_check_reduction = F._check_loss_reduction


def _reduce_values(terms: list, reduction: str):
    if reduction == "mean":
        return _mean(terms)
    if reduction == "sum":
        return _sum(terms)
    return terms


def _reduce(elementwise: Tensor, reduction: str):
    if reduction == "mean":
        return elementwise.mean()
    if reduction == "sum":
        return elementwise.sum()
    return elementwise


# -- functions ---------------------------------------------------------------------------------------
# With reduction="mean" (the default) the tensor losses are one fused op of gradviz.functional: one
# node in the graph with the stable gradient. "sum" and "none" (as torch) are composed from elementwise ops.


def mse_loss(pred, target, reduction: str = "mean"):
    """Mean squared error mean((pred − target)²): regression (Tensors, or lists of Values).

    `reduction` "sum" adds the squared errors up; "none" returns them one by one.

    >>> mse_loss([Value(1.0), Value(3.0)], [1.0, 1.0]).data
    2.0
    """
    _check_reduction(reduction, "mse_loss")
    values = _values(pred)
    if values is not None:
        targets = _targets(target, len(values), "mse_loss")
        return _reduce_values([(p - t) ** 2 for p, t in zip(values, targets, strict=True)], reduction)
    if reduction == "mean":
        return F.mse(pred, target)
    pred, target = F._loss_pair(pred, target, "mse_loss")
    F._same_shape(pred, target, "mse_loss", "prediction", "target")
    return _reduce((pred - target) ** 2, reduction)


def l1_loss(pred, target, reduction: str = "mean"):
    """Mean absolute error mean(|pred − target|) (MAE): regression, less sensitive to outliers than MSE.

    >>> from gradviz import Tensor
    >>> l1_loss(Tensor([1.0, 2.0]), Tensor([2.0, 4.0])).item()
    1.5
    """
    _check_reduction(reduction, "l1_loss")
    values = _values(pred)
    if values is not None:
        targets = _targets(target, len(values), "l1_loss")
        return _reduce_values([abs(p - t) for p, t in zip(values, targets, strict=True)], reduction)
    pred, target = F._loss_pair(pred, target, "l1_loss")
    F._same_shape(pred, target, "l1_loss", "prediction", "target")
    return _reduce((pred - target).abs(), reduction)


mae_loss = l1_loss


def binary_cross_entropy(p, y, reduction: str = "mean"):
    """−mean(y·log p + (1 − y)·log(1 − p)) for probabilities p (after a sigmoid) and labels y ∈ {0, 1}.

    >>> from gradviz import Tensor
    >>> round(binary_cross_entropy(Tensor([0.5]), Tensor([1.0])).item(), 4)
    0.6931
    """
    _check_reduction(reduction, "binary_cross_entropy")
    values = _values(p)
    if values is not None:
        targets = _targets(y, len(values), "binary_cross_entropy")
        _check_binary(targets, "binary_cross_entropy")
        return _reduce_values([_bce_term(q, t) for q, t in zip(values, targets, strict=True)], reduction)
    p, y = F._loss_pair(p, y, "binary_cross_entropy")
    _check_float_labels(y, "binary_cross_entropy")
    # one fused node for every reduction, torch's numbers: log clamped at −100, a finite gradient at p = 0 and 1
    return F.binary_cross_entropy(p, y, reduction)


def _bce_term(q: Value, t: float) -> Value:
    """−(t·log q + (1 − t)·log(1 − q)) drawn node by node; a hard label keeps only its own log, as the course
    writes it (−log q for y = 1), so a saturated q = 1 with y = 1 costs 0 instead of 0·log 0 = nan."""
    if t == 1.0:
        return -q.log()
    if t == 0.0:
        return -(1.0 - q).log()
    return -(t * q.log() + (1.0 - t) * (1.0 - q).log())


def binary_cross_entropy_with_logits(z, y, reduction: str = "mean"):
    """Binary cross-entropy of sigmoid(z) from the raw scores z (stable for large |z|).

    >>> from gradviz import Tensor
    >>> round(binary_cross_entropy_with_logits(Tensor([0.0]), Tensor([1.0])).item(), 4)
    0.6931
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    z, y = F._loss_pair(z, y, "binary_cross_entropy_with_logits")
    _check_float_labels(y, "binary_cross_entropy_with_logits")
    if reduction == "mean":
        return F.binary_cross_entropy_with_logits(z, y)
    F._same_shape(z, y, "binary_cross_entropy_with_logits", "logits", "targets")
    # max(z, 0) − z·y + log(1 + e^−|z|): the stable form. `maximum` shares a tie's gradient (½ each), so at
    # z = 0 the derivative is ½ − y = σ(0) − y; relu would give −y there (relu′(0) = 0, and |z|′(0) = 0 too)
    return _reduce(z.maximum(0.0) - z * y + (1.0 + (-z.abs()).exp()).log(), reduction)


def cross_entropy(
    logits,
    targets,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    """Categorical cross-entropy of softmax(logits): integer labels of shape (N,) or one-hot/probability rows (N, C).

    torch.nn.functional.cross_entropy's arguments and formulas: `weight` (one number per class) weighs each
    sample's loss by its class, and the mean divides by the sum of the weights of the samples counted; a label
    equal to `ignore_index` (−100) counts for nothing; `label_smoothing` ε mixes the answer with the uniform
    distribution, (1 − ε)·loss + ε·(the mean over classes of −w_c·log p_c). `size_average` and `reduce` are
    torch's deprecated spellings of `reduction` and are refused.

    Without weight, ignored labels or smoothing the loss is one fused node (its gradient (softmax − one-hot) / N);
    with them it is drawn as log_softmax, the product with the weighted targets, the sum and the division.

    >>> from gradviz import Tensor
    >>> round(cross_entropy(Tensor([[0.0, 0.0]]), [1]).item(), 4)
    0.6931
    >>> logits = Tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])
    >>> round(cross_entropy(logits, [0, -100]).item(), 4), round(cross_entropy(logits, [0, 2], label_smoothing=0.1).item(), 4)
    (0.2413, 0.3431)
    """
    _check_reduction(reduction, "cross_entropy")
    for name, value in (("size_average", size_average), ("reduce", reduce)):
        if value is not None:
            raise TypeError(
                f"cross_entropy: {name}= is torch's deprecated spelling of reduction; pass reduction='mean', 'sum' "
                "or 'none' instead"
            )
    if isinstance(targets, (list, tuple)) and targets and isinstance(targets[0], str):
        raise TypeError("cross_entropy: targets must be class indices (integers) or one-hot rows, not strings")
    if (
        isinstance(label_smoothing, bool)
        or not isinstance(label_smoothing, numbers.Real)
        or not 0.0 <= label_smoothing <= 1.0
    ):
        raise ValueError(f"cross_entropy: label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"cross_entropy: ignore_index must be an integer (a label to skip), got {ignore_index!r}")
    logits = F._tensor(F._node(logits), "cross_entropy")
    if logits.ndim not in (1, 2):
        raise ShapeError(f"cross_entropy: logits must have shape (N, C) or (C,), got {logits.shape}")
    labels = _class_labels(logits, targets)
    if labels is None and ignore_index >= 0:  # torch refuses it too
        raise ValueError(
            f"cross_entropy: ignore_index={ignore_index} needs integer class labels; with probability (one-hot) "
            "targets give a row of zeros to a sample that should not count"
        )
    ignored = labels is not None and bool(np.any(labels == ignore_index))
    if weight is None and label_smoothing == 0 and not ignored:
        return F.cross_entropy(logits, targets, reduction)  # one fused node; checks shapes and labels
    classes = logits.shape[-1]
    weights = _class_weights(weight, classes, logits.dtype)
    if labels is None:  # one-hot rows or probabilities
        probabilities = _probability_targets(logits, targets)
        smoothed = (
            probabilities * (1 - label_smoothing) + label_smoothing / classes if label_smoothing else probabilities
        )
        mix = smoothed * (1.0 if weights is None else weights)
        count = probabilities.size // classes
    else:
        bad = (labels != ignore_index) & ((labels < 0) | (labels >= classes))
        if bad.any():
            raise ValueError(
                f"cross_entropy: label {labels[bad][0]} is not a class index in [0, {classes}) for logits with "
                f"{classes} classes (nor ignore_index={ignore_index})"
            )
        counted = labels != ignore_index
        safe = np.where(counted, labels, 0)
        one_hot = np.zeros((*labels.shape, classes), dtype=logits.dtype)
        np.put_along_axis(one_hot.reshape(-1, classes), safe.reshape(-1, 1), 1.0, axis=1)
        class_weights = np.ones(classes, dtype=logits.dtype) if weights is None else weights
        sample_weights = np.where(counted, class_weights[safe], 0.0).astype(logits.dtype)
        mix = (1 - label_smoothing) * one_hot * sample_weights[..., None]
        if label_smoothing:
            mix = mix + (label_smoothing / classes) * class_weights * counted[..., None]
        count = sample_weights.sum()  # torch's weighted mean: Σ w_y over the samples counted (0/0 = nan if none)
    target = Tensor(np.asarray(mix, dtype=logits.dtype), label="targets")
    terms = logits.log_softmax(-1) * target
    if reduction == "none":
        return -terms.sum(axis=-1)
    total = -terms.sum()
    if reduction == "sum":
        return total
    if count == 0:  # every label ignored: 0/0, as torch — the loss nan, the gradient 0
        return total * Tensor(np.zeros((), dtype=logits.dtype), label="0") + Tensor(
            np.full((), np.nan, dtype=logits.dtype), label="0/0"
        )
    return total * Tensor(np.asarray(1.0 / count, dtype=logits.dtype), label="1/Σw")


def _class_labels(logits: Tensor, targets) -> np.ndarray | None:
    """`targets` as an int64 array of class labels (integers, or floats holding whole numbers in the labels'
    shape), or None for one-hot/probability rows."""
    raw = np.asarray(targets.data if isinstance(targets, Node) else targets)
    if raw.dtype.kind in "biu":
        return raw.astype(np.int64)
    if (
        raw.dtype.kind == "f"
        and not getattr(targets, "requires_grad", False)
        and raw.shape == logits.shape[:-1]
        and np.all(np.mod(raw, 1) == 0)
    ):
        return raw.astype(np.int64)
    return None


def _probability_targets(logits: Tensor, targets) -> np.ndarray:
    if isinstance(targets, Node) and targets.requires_grad:
        raise TypeError(
            "cross_entropy: with weight, ignore_index or label_smoothing the targets are data (not trained); "
            "pass targets.detach()"
        )
    raw = np.asarray(targets.data if isinstance(targets, Node) else targets, dtype=logits.dtype)
    if raw.shape != logits.shape:
        raise ShapeError(
            f"cross_entropy: one-hot/probability targets must have the logits' shape {logits.shape}, got "
            f"{raw.shape}. For class indices, pass an integer array of shape {logits.shape[:-1]}."
        )
    return raw


def _class_weights(weight, classes: int, dtype) -> np.ndarray | None:
    if weight is None:
        return None
    if isinstance(weight, Node) and weight.requires_grad:
        raise TypeError("cross_entropy: weight= holds fixed numbers per class; pass weight.detach()")
    array = np.asarray(weight.data if isinstance(weight, Node) else weight)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cross_entropy: weight must hold numbers, one per class; got dtype {array.dtype}")
    if array.shape != (classes,):
        raise ShapeError(
            f"cross_entropy: weight must hold one number per class, shape ({classes},), got shape {array.shape}"
        )
    return array.astype(dtype)


def hinge_loss(scores, y, reduction: str = "mean"):
    """mean(relu(1 − y·score)) for labels y ∈ {−1, +1}: the SVM loss of micrograd's moons demo.

    >>> from gradviz import Tensor
    >>> hinge_loss(Tensor([2.0, 0.5, -1.0]), Tensor([1.0, 1.0, 1.0])).item()
    0.8333333333333334
    """
    _check_reduction(reduction, "hinge_loss")
    values = _values(scores)
    if values is not None:
        targets = _targets(y, len(values), "hinge_loss")
        _check_signs(np.asarray(targets), "hinge_loss")
        return _reduce_values([(1.0 - t * s).relu() for s, t in zip(values, targets, strict=True)], reduction)
    scores, y = F._loss_pair(scores, y, "hinge_loss")
    if scores.ndim == 2 and scores.shape[1] == 1 and y.shape == (scores.shape[0],):
        y = as_tensor(y.data.reshape(-1, 1))
    F._same_shape(scores, y, "hinge_loss", "scores", "labels")
    _check_signs(y.data, "hinge_loss")
    return _reduce((1.0 - y * scores).relu(), reduction)


def _check_signs(labels: np.ndarray, op: str) -> None:
    labels = np.asarray(labels)
    if labels.size and not np.isin(labels, (-1.0, 1.0)).all():
        found = np.unique(labels)[:5]
        raise ValueError(
            f"{op} needs labels −1 or +1, got values {found.tolist()}. "
            + ("For 0/1 labels use y = 2·y − 1." if np.isin(labels, (0.0, 1.0)).all() else "")
        )


def _check_binary(labels, op: str) -> None:
    labels = np.asarray(labels, dtype=float)
    if labels.size and ((labels < 0).any() or (labels > 1).any()):
        raise ValueError(
            f"{op} needs targets in [0, 1] (labels 0/1 or probabilities), got values from {labels.min():g} to "
            f"{labels.max():g}"
            + (". For −1/+1 labels use y = (y + 1) / 2." if np.isin(labels, (-1.0, 1.0)).all() else "")
        )


def _check_float_labels(y: Tensor, op: str) -> None:
    if y.dtype.kind not in "f":
        raise TypeError(f"{op} needs float targets, got dtype {y.dtype}; convert with y.astype(float)")
    _check_binary(y.data, op)


def _parameters(params) -> list:
    if isinstance(params, Module):
        return params.parameters()
    if isinstance(params, Node):
        return [params]
    return list(params)


def l2_penalty(params: Iterable | Module, alpha: float = 1.0, skip_biases: bool = False):
    """alpha · Σ w² over the parameters (weight decay as a term of the loss).

    `params` is a Module or an iterable of parameters; `skip_biases` leaves out the
    one-dimensional ones (micrograd's demo keeps them).

    >>> from gradviz import Value
    >>> l2_penalty([Value(1.0), Value(-2.0)], alpha=0.1).data
    0.5
    """
    return _penalty(params, alpha, skip_biases, lambda p: p * p if p.is_scalar else (p * p).sum(), "l2_penalty")


def l1_penalty(params: Iterable | Module, alpha: float = 1.0, skip_biases: bool = False):
    """alpha · Σ |w| over the parameters (pushes weights to exactly zero).

    >>> from gradviz import Value
    >>> l1_penalty([Value(1.0), Value(-2.0)], alpha=0.1).data
    0.30000000000000004
    """
    return _penalty(params, alpha, skip_biases, lambda p: abs(p) if p.is_scalar else p.abs().sum(), "l1_penalty")


def _penalty(params, alpha, skip_biases: bool, term: Callable, op: str):
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool):
        raise TypeError(f"{op}: alpha must be a number, got {alpha!r}")
    chosen = [p for p in _parameters(params) if not (skip_biases and not p.is_scalar and p.ndim <= 1)]
    if not chosen:
        raise ValueError(f"{op}: no parameters to penalise")
    total = term(chosen[0])
    for p in chosen[1:]:
        total = total + term(p)
    return total * float(alpha)


# -- modules ------------------------------------------------------------------------------------------


class _Loss(Module):
    function: Callable

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def forward(self, pred, target):
        return type(self).function(pred, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error as a module (see :func:`mse_loss`).

    >>> from gradviz import Tensor
    >>> MSELoss()(Tensor([0.0, 0.0]), Tensor([1.0, 3.0])).item()
    5.0
    """

    function = staticmethod(mse_loss)


class L1Loss(_Loss):
    """Mean absolute error as a module (see :func:`l1_loss`).

    >>> from gradviz import Tensor
    >>> L1Loss()(Tensor([0.0, 0.0]), Tensor([1.0, -3.0])).item()
    2.0
    """

    function = staticmethod(l1_loss)


MAELoss = L1Loss


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (see :func:`binary_cross_entropy`).

    >>> from gradviz import Tensor
    >>> round(BCELoss()(Tensor([0.9]), Tensor([1.0])).item(), 4)
    0.1054
    """

    function = staticmethod(binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on raw scores (see :func:`binary_cross_entropy_with_logits`).

    >>> from gradviz import Tensor
    >>> round(BCEWithLogitsLoss()(Tensor([0.0]), Tensor([0.0])).item(), 4)
    0.6931
    """

    function = staticmethod(binary_cross_entropy_with_logits)


class CrossEntropyLoss(_Loss):
    """Categorical cross-entropy on logits (see :func:`cross_entropy`), with torch's arguments in torch's order:
    ``CrossEntropyLoss(weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
    label_smoothing=0.0)``.

    >>> from gradviz import Tensor
    >>> round(CrossEntropyLoss()(Tensor([[0.0, 0.0, 0.0]]), [2]).item(), 4)
    1.0986
    >>> CrossEntropyLoss(weight=[1.0, 2.0], label_smoothing=0.1)
    CrossEntropyLoss(weight=[1.0, 2.0], label_smoothing=0.1)
    """

    function = staticmethod(cross_entropy)

    def __init__(
        self,
        weight=None,
        size_average=None,
        ignore_index: int = -100,
        reduce=None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        for name, value in (("size_average", size_average), ("reduce", reduce)):
            if value is not None:
                raise TypeError(
                    f"CrossEntropyLoss: {name}= is torch's deprecated spelling of reduction; pass reduction='mean', "
                    "'sum' or 'none' instead"
                )
        if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real):
            raise TypeError(f"CrossEntropyLoss: label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing!r}")
        if weight is not None:
            if isinstance(weight, Node) and weight.requires_grad:
                raise TypeError("CrossEntropyLoss: weight= holds fixed numbers per class; pass weight.detach()")
            weight = np.array(weight.data if isinstance(weight, Node) else weight, dtype=np.float64)
            if weight.ndim != 1:
                raise ShapeError(
                    f"CrossEntropyLoss: weight must hold one number per class (1-d), got shape {weight.shape}"
                )
        self.weight = weight
        self.ignore_index = int(ignore_index)
        self.label_smoothing = float(label_smoothing)

    def forward(self, pred, target):
        return cross_entropy(
            pred,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )

    def extra_repr(self) -> str:
        parts = []
        if self.weight is not None:
            parts.append(f"weight={self.weight.tolist()}")
        if self.ignore_index != -100:
            parts.append(f"ignore_index={self.ignore_index}")
        if self.reduction != "mean":
            parts.append(f"reduction={self.reduction!r}")
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing:g}")
        return ", ".join(parts)


class HingeLoss(_Loss):
    """The hinge loss mean(relu(1 − y·score)) for labels ±1 (see :func:`hinge_loss`).

    >>> from gradviz import Tensor
    >>> HingeLoss()(Tensor([3.0, -3.0]), Tensor([1.0, -1.0])).item()
    0.0
    """

    function = staticmethod(hinge_loss)


LOSSES: dict[str, type] = {
    "mse": MSELoss,
    "mean_squared_error": MSELoss,
    "mae": L1Loss,
    "l1": L1Loss,
    "mean_absolute_error": L1Loss,
    "bce": BCELoss,
    "binary_cross_entropy": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "binary_cross_entropy_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
    "hinge": HingeLoss,
}
"""Loss names accepted by :func:`get_loss` (torch-style; Keras names belong to the Keras layer).

>>> from gradviz import Tensor, nn
>>> loss = nn.LOSSES["mse"]()
>>> loss, loss(Tensor([1.0, 2.0]), Tensor([1.0, 4.0])).item()
(MSELoss(), 2.0)
>>> nn.LOSSES["mae"] is nn.L1Loss
True
"""


def get_loss(spec: str | Module | Callable) -> Module | Callable:
    """A loss module from its name, or the module/function given; unknown names list the valid ones.

    >>> get_loss("mse")
    MSELoss()
    """
    if isinstance(spec, str):
        key = spec.lower().replace("-", "_")
        if key in LOSSES:
            return LOSSES[key]()
        raise ValueError(f"unknown loss {spec!r}; valid names: {', '.join(sorted(LOSSES))}")
    if isinstance(spec, Module) or callable(spec):
        return spec
    raise TypeError(f"loss must be a name, a Module or a function, got {type(spec).__name__}")
