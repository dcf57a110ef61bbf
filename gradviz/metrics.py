"""Classification and regression metrics from TP/TN/FP/FN: accuracy, precision, recall, F1, confusion matrix, MSE, R².

Inputs are lists, numpy arrays, gradviz Tensors or lists of Values. ``y_true`` holds labels (ints,
strings, whole-number floats, or one-hot rows). ``y_pred`` may hold labels or model outputs, read by
these rules:

* an (n, k) array with k ≥ 2 (probabilities, logits or one-hot rows): the label is the argmax of each row;
* an (n, 1) array: treated as its single column;
* a 1-D array of ints, bools or strings, or of floats that are all whole numbers: labels as they are;
* a 1-D array of other floats in [0, 1]: probabilities of the positive class, label ``score > 0.5``;
* ``threshold=t`` (e.g. ``threshold=0.0`` for logits or hinge scores): label ``score > t`` for any 1-D scores.

A thresholded prediction is 1 or 0 — or 1 or −1 when ``y_true`` uses −1/+1 labels (hinge-loss style).
Other 1-D floats (outside [0, 1], no threshold) raise an error rather than being guessed at.

Zero division: a precision with no positive prediction (TP + FP = 0), a recall with no positive sample
(TP + FN = 0) or an F1 with TP + FP + FN = 0 is undefined; it is returned as ``zero_division`` (0.0 by
default, as scikit-learn does, but silently), which may also be set to 1.0 or nan.

>>> from gradviz import metrics
>>> y_true = [1, 0, 1, 1, 0, 0]
>>> y_prob = [0.9, 0.2, 0.4, 0.8, 0.6, 0.1]           # probabilities: label = score > 0.5
>>> metrics.confusion_counts(y_true, y_prob)
ConfusionCounts(tp=2, tn=2, fp=1, fn=1)
>>> round(metrics.accuracy(y_true, y_prob), 3), round(metrics.precision(y_true, y_prob), 3)
(0.667, 0.667)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from .engine import Node

__all__ = [
    "accuracy",
    "confusion_matrix",
    "confusion_counts",
    "ConfusionCounts",
    "precision",
    "recall",
    "f1_score",
    "precision_recall_f1",
    "classification_report",
    "mean_squared_error",
    "mean_absolute_error",
    "r2_score",
    "get_metric",
    "METRICS",
]

AVERAGES = ("binary", "macro", "micro", "weighted", None)


# -- turning inputs into labels ---------------------------------------------------------------


def _plain(obj):
    if isinstance(obj, Node):
        return obj.data
    if isinstance(obj, (list, tuple)):
        return [_plain(item) for item in obj]
    return obj


def _to_numpy(x, name: str, where: str) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Node):
        return np.asarray(x.data)
    try:
        return np.asarray(_plain(x))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{where}: cannot read {name} ({type(x).__name__}) as an array: {error}") from None


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def _true_labels(y_true, where: str) -> np.ndarray:
    labels = _to_numpy(y_true, "y_true", where)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    elif labels.ndim == 2:
        if not (np.all((labels == 0) | (labels == 1)) and np.all(labels.sum(axis=1) == 1)):
            raise ValueError(
                f"{where}: a 2-D y_true must be one-hot rows (one 1 per row), got shape {labels.shape} with other "
                "values; pass labels of shape (n,) instead"
            )
        labels = labels.argmax(axis=1)
    if labels.ndim != 1:
        raise ValueError(f"{where}: y_true must be labels of shape (n,) or one-hot (n, k), got shape {labels.shape}")
    if labels.dtype.kind == "b":
        return labels.astype(np.int64)
    if labels.dtype.kind == "f":
        if not _whole(labels):
            bad = labels[~((labels == np.round(labels)) & np.isfinite(labels))][0].item()
            raise ValueError(
                f"{where}: y_true must hold class labels, got {bad!r}; round or threshold the targets first "
                "(probabilities belong in y_pred)"
            )
        return labels.astype(np.int64)
    if labels.dtype.kind not in "iuUSO":
        raise TypeError(f"{where}: y_true must hold class labels (ints or strings), got dtype {labels.dtype}")
    return labels


def _pred_labels(y_pred, where: str, threshold: float | None, true: np.ndarray) -> np.ndarray:
    scores = _to_numpy(y_pred, "y_pred", where)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    elif scores.ndim == 2:
        if threshold is not None:
            raise ValueError(
                f"{where}: threshold applies to 1-D scores of one class, but y_pred has shape {scores.shape}; "
                "multiclass outputs are read by argmax (drop threshold)"
            )
        return scores.argmax(axis=1)
    if scores.ndim != 1:
        raise ValueError(
            f"{where}: y_pred must be labels or scores of shape (n,), or outputs of shape (n, k), got {scores.shape}"
        )
    kind = scores.dtype.kind
    if kind in "USO" or (threshold is None and kind in "iub"):
        return scores.astype(np.int64) if kind == "b" else scores
    if kind not in "iuf":
        raise TypeError(f"{where}: y_pred must hold labels or numeric scores, got dtype {scores.dtype}")
    if threshold is None:
        if _whole(scores):
            return scores.astype(np.int64)
        if np.all((scores >= 0) & (scores <= 1)):
            threshold = 0.5
        else:
            bad = scores[(scores < 0) | (scores > 1) | ~np.isfinite(scores)][0]
            raise ValueError(
                f"{where}: y_pred holds scores outside [0, 1] (e.g. {bad:g}) that are not labels. For logits or "
                "hinge scores pass threshold=0.0; for probabilities apply sigmoid/softmax first; for k classes "
                "pass the (n, k) outputs (argmax is taken)"
            )
    negative = -1 if true.dtype.kind in "iu" and np.all(np.isin(true, (-1, 1))) and np.any(true == -1) else 0
    return np.where(scores > threshold, 1, negative).astype(np.int64)


def _labels_pair(y_true, y_pred, where: str, threshold: float | None) -> tuple[np.ndarray, np.ndarray]:
    true = _true_labels(y_true, where)
    pred = _pred_labels(y_pred, where, threshold, true)
    if len(true) != len(pred):
        raise ValueError(
            f"{where}: y_true has {len(true)} samples but y_pred has {len(pred)}; give one prediction per sample"
        )
    if len(true) == 0:
        raise ValueError(f"{where}: no samples (y_true and y_pred are empty)")
    if _text(true) != _text(pred):
        raise TypeError(
            f"{where}: y_true holds {true.dtype} labels but y_pred holds {pred.dtype}; use the same kind of "
            "labels (both class numbers or both names)"
        )
    return true, pred


def _label_set(true: np.ndarray, pred: np.ndarray, labels, where: str) -> np.ndarray:
    if labels is None:
        return np.unique(np.concatenate([true, pred]))
    chosen = np.asarray(_plain(labels))
    if chosen.ndim != 1 or chosen.size == 0:
        raise ValueError(f"{where}: labels must be a non-empty 1-D list of class labels, got {labels!r}")
    if len(np.unique(chosen)) != len(chosen):
        raise ValueError(f"{where}: labels has repeated entries: {chosen.tolist()}")
    if _text(chosen) != _text(true):
        raise TypeError(
            f"{where}: labels {chosen.tolist()} and the data's labels {np.unique(true).tolist()} are not the same "
            "kind (class numbers vs names)"
        )
    return chosen


def _check_threshold(threshold, where: str) -> None:
    if threshold is not None and (isinstance(threshold, bool) or not np.isfinite(float(threshold))):
        raise ValueError(f"{where}: threshold must be a finite number or None, got {threshold!r}")


# -- the metrics ------------------------------------------------------------------------------


def accuracy(y_true, y_pred, *, threshold: float | None = None) -> float:
    """Fraction of correct predictions, (TP + TN) / (TP + TN + FP + FN) in the binary case.

    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    >>> accuracy([0, 1, 1], [0.2, 0.9, 0.4])      # probabilities: label = p > 0.5
    0.6666666666666666
    >>> accuracy([0, 2, 1], [[0.9, 0.05, 0.05], [0.1, 0.1, 0.8], [0.3, 0.6, 0.1]])  # argmax per row
    1.0
    >>> accuracy([1, -1, 1], [2.3, -0.7, -0.1], threshold=0.0)  # hinge scores, −1/+1 labels
    0.6666666666666666
    """
    _check_threshold(threshold, "accuracy")
    true, pred = _labels_pair(y_true, y_pred, "accuracy", threshold)
    return float(np.mean(true == pred))


def confusion_matrix(y_true, y_pred, *, labels=None, normalize: str | None = None, threshold: float | None = None):
    """Counts ``C[i, j]`` of samples of true class ``labels[i]`` predicted as ``labels[j]`` (rows true, columns predicted).

    ``labels`` fixes the order (default: the sorted classes found in either input); samples of other
    classes are left out. ``normalize`` = "true" (rows sum to 1: recall on the diagonal), "pred"
    (columns sum to 1: precision on the diagonal) or "all" (the whole matrix sums to 1).

    >>> confusion_matrix([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])
    array([[1, 1],
           [1, 2]])
    >>> confusion_matrix([1, 1, 0, 0, 1], [1, 0, 0, 1, 1], labels=[1, 0])   # [[TP, FN], [FP, TN]]
    array([[2, 1],
           [1, 1]])
    """
    where = "confusion_matrix"
    _check_threshold(threshold, where)
    true, pred = _labels_pair(y_true, y_pred, where, threshold)
    order = _label_set(true, pred, labels, where)
    matrix = _counts(true, pred, order)
    if normalize is None:
        return matrix
    if normalize not in ("true", "pred", "all"):
        raise ValueError(f"{where}: normalize must be 'true', 'pred', 'all' or None, got {normalize!r}")
    matrix = matrix.astype(np.float64)
    total = {"true": matrix.sum(axis=1, keepdims=True), "pred": matrix.sum(axis=0, keepdims=True)}.get(
        normalize, matrix.sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(matrix / total)  # a class with no sample gives a row (or column) of zeros


def _positions(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Index of each value in `order`, or -1 where it is not there."""
    sorter = np.argsort(order, kind="stable")
    ordered = order[sorter]
    slot = np.clip(np.searchsorted(ordered, values), 0, len(order) - 1)
    return np.where(ordered[slot] == values, sorter[slot], -1)


def _counts(true: np.ndarray, pred: np.ndarray, order: np.ndarray) -> np.ndarray:
    k = len(order)
    true_index, pred_index = _positions(true, order), _positions(pred, order)
    kept = (true_index >= 0) & (pred_index >= 0)
    return np.bincount(true_index[kept] * k + pred_index[kept], minlength=k * k).reshape(k, k).astype(np.int64)


def _text(labels: np.ndarray) -> bool:
    return labels.dtype.kind in "USO"


class ConfusionCounts(NamedTuple):
    """The four counts of a binary (or one-vs-rest) problem, as in the course.

    >>> from gradviz.metrics import ConfusionCounts
    >>> counts = ConfusionCounts(tp=8, tn=5, fp=2, fn=1)
    >>> counts.accuracy, counts.precision, round(counts.recall, 3), round(counts.f1, 3)
    (0.8125, 0.8, 0.889, 0.842)
    """

    tp: int
    tn: int
    fp: int
    fn: int

    @property
    def accuracy(self) -> float:
        """(TP + TN) / all."""
        return (self.tp + self.tn) / (self.tp + self.tn + self.fp + self.fn)

    @property
    def precision(self) -> float:
        """TP / (TP + FP): of the samples called positive, the share that is positive (0.0 if none called)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN): of the positive samples, the share found (0.0 if there are none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall (0.0 if undefined)."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


def confusion_counts(y_true, y_pred, *, pos_label=1, threshold: float | None = None) -> ConfusionCounts:
    """TP, TN, FP, FN for the class ``pos_label`` against all others (one-vs-rest when there are more classes).

    >>> counts = confusion_counts([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0])
    >>> counts
    ConfusionCounts(tp=2, tn=2, fp=1, fn=1)
    >>> counts.precision, counts.recall
    (0.6666666666666666, 0.6666666666666666)
    """
    _check_threshold(threshold, "confusion_counts")
    true, pred = _labels_pair(y_true, y_pred, "confusion_counts", threshold)
    is_true, is_pred = true == pos_label, pred == pos_label
    return ConfusionCounts(
        tp=int(np.sum(is_true & is_pred)),
        tn=int(np.sum(~is_true & ~is_pred)),
        fp=int(np.sum(~is_true & is_pred)),
        fn=int(np.sum(is_true & ~is_pred)),
    )


def _divide(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    numerator, denominator = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, zero_division)


def precision_recall_f1(
    y_true,
    y_pred,
    *,
    average: str | None = "binary",
    pos_label=1,
    labels=None,
    zero_division: float = 0.0,
    threshold: float | None = None,
) -> tuple:
    """Precision, recall, F1 and support (the number of true samples) in one pass.

    ``average``: "binary" (the class ``pos_label`` only; needs at most two classes), "macro" (unweighted
    mean over classes), "micro" (from the summed TP/FP/FN; equals accuracy for single-label data),
    "weighted" (mean weighted by support) or None (one value per class, in ``labels`` order). Support
    is a total for the averages and per class for None.

    >>> precision_recall_f1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro")
    (0.2222222222222222, 0.3333333333333333, 0.26666666666666666, 6)
    """
    return _precision_recall_f1(
        y_true, y_pred, average, pos_label, labels, zero_division, threshold, "precision_recall_f1"
    )


def _precision_recall_f1(y_true, y_pred, average, pos_label, labels, zero_division, threshold, where: str) -> tuple:
    if average not in AVERAGES:
        raise ValueError(f"{where}: average must be one of {', '.join(map(repr, AVERAGES))}, got {average!r}")
    if not (zero_division in (0.0, 1.0) or (isinstance(zero_division, float) and math.isnan(zero_division))):
        raise ValueError(f"{where}: zero_division must be 0.0, 1.0 or nan, got {zero_division!r}")
    _check_threshold(threshold, where)
    true, pred = _labels_pair(y_true, y_pred, where, threshold)
    present = np.unique(np.concatenate([true, pred]))
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                f"{where}: average='binary' needs two classes, but the labels are {present.tolist()}; "
                "pass average='macro', 'micro' or 'weighted' (or None for one value per class)"
            )
        if len(present) == 2 and pos_label not in present.tolist():
            raise ValueError(
                f"{where}: pos_label={pos_label!r} is not one of the labels {present.tolist()}; "
                "name the positive class with pos_label=..."
            )
        chosen = np.asarray([pos_label])
    else:
        chosen = _label_set(true, pred, labels, where)
    # counts over every class present, so that predictions of classes outside `labels` still count as FP
    if _text(chosen) != _text(present):
        raise TypeError(
            f"{where}: pos_label={pos_label!r} is not the same kind as the labels {present.tolist()} "
            "(class numbers vs names); pass pos_label=<one of them>"
        )
    everything = np.unique(np.concatenate([present, chosen]))
    matrix = _counts(true, pred, everything)
    rows = _positions(chosen, everything)
    tp = np.diag(matrix)[rows]
    fp = matrix.sum(axis=0)[rows] - tp
    fn = matrix.sum(axis=1)[rows] - tp
    support = tp + fn
    if average == "micro":
        tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    p = _divide(tp, tp + fp, zero_division)
    r = _divide(tp, tp + fn, zero_division)
    f = _divide(2 * tp, 2 * tp + fp + fn, zero_division)
    if average is None:
        return p, r, f, support
    if average == "weighted":
        total = support.sum()
        if total == 0:
            return zero_division, zero_division, zero_division, 0
        return tuple(float(np.sum(v * support) / total) for v in (p, r, f)) + (int(total),)
    return float(np.mean(p)), float(np.mean(r)), float(np.mean(f)), int(support.sum())


def precision(
    y_true,
    y_pred,
    *,
    average: str | None = "binary",
    pos_label=1,
    labels=None,
    zero_division: float = 0.0,
    threshold: float | None = None,
):
    """TP / (TP + FP): of the samples predicted positive, the share that truly is (see precision_recall_f1 for
    ``average``).

    >>> precision([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0])     # TP = 2, FP = 1
    0.6666666666666666
    >>> precision([0, 0, 0], [0, 0, 0])                       # no positive prediction: zero_division
    0.0
    """
    return _precision_recall_f1(y_true, y_pred, average, pos_label, labels, zero_division, threshold, "precision")[0]


def recall(
    y_true,
    y_pred,
    *,
    average: str | None = "binary",
    pos_label=1,
    labels=None,
    zero_division: float = 0.0,
    threshold: float | None = None,
):
    """TP / (TP + FN): of the truly positive samples, the share that was found (a.k.a. sensitivity).

    >>> recall([1, 1, 0, 0, 1, 1], [1, 0, 0, 1, 1, 0])        # TP = 2, FN = 2
    0.5
    """
    return _precision_recall_f1(y_true, y_pred, average, pos_label, labels, zero_division, threshold, "recall")[1]


def f1_score(
    y_true,
    y_pred,
    *,
    average: str | None = "binary",
    pos_label=1,
    labels=None,
    zero_division: float = 0.0,
    threshold: float | None = None,
):
    """Harmonic mean of precision and recall, computed as 2·TP / (2·TP + FP + FN).

    >>> f1_score([1, 1, 0, 0, 1, 1], [1, 0, 0, 1, 1, 0])       # P = 2/3, R = 1/2
    0.5714285714285714
    """
    return _precision_recall_f1(y_true, y_pred, average, pos_label, labels, zero_division, threshold, "f1_score")[2]


def classification_report(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names: Sequence[str] | None = None,
    digits: int = 2,
    threshold=None,
    language: str | None = None,
    decimal: str | None = None,
) -> str:
    """A text table of precision, recall, F1 and support per class, with accuracy and the macro/weighted averages,
    laid out as scikit-learn's; its words in `language` (default: the language in use) and its numbers with the
    language's decimal mark unless `decimal` ("." or ",") says otherwise.

    >>> print(classification_report([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], target_names=["cat", "dog"]))
                  precision    recall  f1-score   support
    <BLANKLINE>
             cat       0.67      1.00      0.80         2
             dog       1.00      0.67      0.80         3
    <BLANKLINE>
        accuracy                           0.80         5
       macro avg       0.83      0.83      0.80         5
    weighted avg       0.87      0.80      0.80         5
    >>> print(classification_report([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], language="es").splitlines()[0])
                       precisión exhaustividad            F1       soporte
    """
    from .i18n import message
    from .viz.format import decimal_mark

    where = "classification_report"
    true, pred = _labels_pair(y_true, y_pred, where, threshold)
    order = _label_set(true, pred, labels, where)
    names = [str(label) for label in order.tolist()] if target_names is None else [str(n) for n in target_names]
    if len(names) != len(order):
        raise ValueError(f"{where}: {len(names)} target_names for {len(order)} classes ({order.tolist()})")
    mark = decimal_mark(decimal, language)
    words = [
        message(key, language)
        for key in ("metrics.precision", "metrics.recall", "metrics.f1", "metrics.support", "metrics.accuracy")
    ]
    averages = [
        ("macro", message("metrics.macro_avg", language)),
        ("weighted", message("metrics.weighted_avg", language)),
    ]
    common = dict(labels=order, threshold=threshold)
    p, r, f, s = precision_recall_f1(true, pred, average=None, **common)
    width = max(len(words[4]), *(len(title) for _, title in averages), *(len(n) for n in names))
    column = max(9, *(len(word) for word in words[:4]))

    def shown(value: float) -> str:
        return f"{value:.{digits}f}".replace(".", mark)

    head = f"{'':>{width}} " + " ".join(f"{word:>{column}}" for word in words[:4])
    lines = [head, ""]
    for name, pv, rv, fv, sv in zip(names, p, r, f, s, strict=True):
        cells = [shown(pv), shown(rv), shown(fv), str(int(sv))]
        lines.append(f"{name:>{width}} " + " ".join(f"{cell:>{column}}" for cell in cells))
    lines.append("")
    total = [" ", " ", shown(accuracy(true, pred)), str(int(s.sum()))]
    lines.append(f"{words[4]:>{width}} " + " ".join(f"{cell:>{column}}" for cell in total))
    for average, title in averages:
        pa, ra, fa, sa = precision_recall_f1(true, pred, average=average, **common)
        cells = [shown(pa), shown(ra), shown(fa), str(sa)]
        lines.append(f"{title:>{width}} " + " ".join(f"{cell:>{column}}" for cell in cells))
    return "\n".join(lines)


# -- regression -------------------------------------------------------------------------------


def _regression_pair(y_true, y_pred, where: str) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray(_to_numpy(y_true, "y_true", where), dtype=np.float64)
    pred = np.asarray(_to_numpy(y_pred, "y_pred", where), dtype=np.float64)
    if pred.ndim == 2 and pred.shape[1] == 1 and true.ndim == 1:
        pred = pred[:, 0]
    if true.ndim == 2 and true.shape[1] == 1 and pred.ndim == 1:
        true = true[:, 0]
    if true.shape != pred.shape:
        raise ValueError(f"{where}: y_true has shape {true.shape} but y_pred has shape {pred.shape}; they must match")
    if true.size == 0:
        raise ValueError(f"{where}: no samples (y_true and y_pred are empty)")
    return true, pred


def mean_squared_error(y_true, y_pred) -> float:
    """Mean of (y − ŷ)², the MSE cost of linear regression.

    >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    true, pred = _regression_pair(y_true, y_pred, "mean_squared_error")
    return float(np.mean((true - pred) ** 2))


def mean_absolute_error(y_true, y_pred) -> float:
    """Mean of |y − ŷ|.

    >>> mean_absolute_error([1.0, 2.0, 3.0], [2.0, 2.0, 1.0])
    1.0
    """
    true, pred = _regression_pair(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(true - pred)))


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)²: 1 is perfect, 0 is as good as predicting the mean.

    A constant ``y_true`` has no variance to explain: the score is 1.0 for a perfect fit and 0.0 otherwise.

    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    (1.0, 0.0)
    """
    true, pred = _regression_pair(y_true, y_pred, "r2_score")
    residual = float(np.sum((true - pred) ** 2))
    total = float(np.sum((true - true.mean()) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


METRICS: dict[str, Callable] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "precision": precision,
    "recall": recall,
    "f1": f1_score,
    "f1_score": f1_score,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "r2": r2_score,
    "r2_score": r2_score,
}
"""Metric names accepted by :func:`get_metric` and by Keras-style ``metrics=[...]``.

>>> from gradviz.metrics import METRICS
>>> METRICS["acc"]([1, 0, 1], [1, 1, 1]), METRICS["mse"]([1.0, 2.0], [1.0, 4.0])
(0.6666666666666666, 2.0)
"""


def get_metric(name: str | Callable) -> Callable:
    """A metric function by name (as Keras' ``metrics=["accuracy"]``); a callable is returned as is.

    >>> get_metric("acc") is accuracy
    True
    """
    if callable(name):
        return name
    if not isinstance(name, str) or name.lower() not in METRICS:
        raise ValueError(f"unknown metric {name!r}; valid names: {', '.join(sorted(METRICS))}")
    return METRICS[name.lower()]
