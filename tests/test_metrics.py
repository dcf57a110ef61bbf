"""gradviz.metrics: hand-computed TP/TN/FP/FN cases, the averaging rules, input reading rules and errors."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from gradviz import Tensor, Value, metrics

# binary: 4 positives, 6 negatives -> TP = 3, FN = 1, FP = 2, TN = 4
BINARY_TRUE = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
BINARY_PRED = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]

# three classes; confusion matrix (rows true, columns predicted) worked out by hand:
#   true 0: predicted 0, 1, 0        -> [2, 1, 0]
#   true 1: predicted 1, 2           -> [0, 1, 1]
#   true 2: predicted 2, 2, 0, 2, 1  -> [1, 1, 3]
MULTI_TRUE = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]
MULTI_PRED = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1]
MULTI_MATRIX = [[2, 1, 0], [0, 1, 1], [1, 1, 3]]
MULTI_TP, MULTI_FP, MULTI_FN = [2, 1, 3], [1, 2, 1], [1, 1, 2]
MULTI_SUPPORT = [3, 2, 5]


def _ratio(a, b):
    return float(Fraction(a, b))


# -- binary, as in the course ---------------------------------------------------------------


def test_binary_counts_and_metrics_match_the_hand_computed_tp_tn_fp_fn():
    counts = metrics.confusion_counts(BINARY_TRUE, BINARY_PRED)
    assert counts == metrics.ConfusionCounts(tp=3, tn=4, fp=2, fn=1)
    assert metrics.accuracy(BINARY_TRUE, BINARY_PRED) == pytest.approx((3 + 4) / 10)
    assert metrics.precision(BINARY_TRUE, BINARY_PRED) == pytest.approx(3 / (3 + 2))
    assert metrics.recall(BINARY_TRUE, BINARY_PRED) == pytest.approx(3 / (3 + 1))
    precision, recall = 3 / 5, 3 / 4
    assert metrics.f1_score(BINARY_TRUE, BINARY_PRED) == pytest.approx(2 * precision * recall / (precision + recall))
    assert (counts.accuracy, counts.precision, counts.recall) == pytest.approx((0.7, 0.6, 0.75))
    assert counts.f1 == pytest.approx(metrics.f1_score(BINARY_TRUE, BINARY_PRED))


def test_binary_confusion_matrix_rows_are_true_columns_are_predicted():
    np.testing.assert_array_equal(metrics.confusion_matrix(BINARY_TRUE, BINARY_PRED), [[4, 2], [1, 3]])
    np.testing.assert_array_equal(
        metrics.confusion_matrix(BINARY_TRUE, BINARY_PRED, labels=[1, 0]), [[3, 1], [2, 4]]
    )  # [[TP, FN], [FP, TN]]
    assert metrics.confusion_matrix(BINARY_TRUE, BINARY_PRED).dtype == np.int64


def test_pos_label_picks_the_positive_class():
    # with 0 as the positive class the roles swap: TP = 4, FP = 1, FN = 2
    assert metrics.confusion_counts(BINARY_TRUE, BINARY_PRED, pos_label=0) == (4, 3, 1, 2)
    assert metrics.precision(BINARY_TRUE, BINARY_PRED, pos_label=0) == pytest.approx(4 / 5)
    assert metrics.recall(BINARY_TRUE, BINARY_PRED, pos_label=0) == pytest.approx(4 / 6)
    spam = ["spam", "ham", "spam", "ham"]
    said = ["spam", "spam", "ham", "ham"]
    assert metrics.precision(spam, said, pos_label="spam") == 0.5
    with pytest.raises(ValueError, match="pos_label=1 is not one of the labels"):
        metrics.precision(["a", "b"], ["a", "b"])


# -- multiclass averages ----------------------------------------------------------------------


def test_multiclass_confusion_matrix_matches_hand_count():
    np.testing.assert_array_equal(metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED), MULTI_MATRIX)
    reordered = metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED, labels=[2, 0])
    np.testing.assert_array_equal(reordered, [[3, 1], [0, 2]])  # samples of class 1 (true or predicted) left out


def test_multiclass_per_class_values_match_hand_computed_counts():
    p, r, f, support = metrics.precision_recall_f1(MULTI_TRUE, MULTI_PRED, average=None)
    tp, fp, fn = MULTI_TP, MULTI_FP, MULTI_FN
    np.testing.assert_allclose(p, [_ratio(tp[k], tp[k] + fp[k]) for k in range(3)])
    np.testing.assert_allclose(r, [_ratio(tp[k], tp[k] + fn[k]) for k in range(3)])
    np.testing.assert_allclose(f, [_ratio(2 * tp[k], 2 * tp[k] + fp[k] + fn[k]) for k in range(3)])
    np.testing.assert_array_equal(support, MULTI_SUPPORT)


def test_macro_micro_weighted_averages_match_hand_computation():
    tp, fp, fn, support = MULTI_TP, MULTI_FP, MULTI_FN, MULTI_SUPPORT
    per_p = [Fraction(tp[k], tp[k] + fp[k]) for k in range(3)]
    per_r = [Fraction(tp[k], tp[k] + fn[k]) for k in range(3)]
    per_f = [Fraction(2 * tp[k], 2 * tp[k] + fp[k] + fn[k]) for k in range(3)]

    def check(average, expected_p, expected_r, expected_f):
        assert metrics.precision(MULTI_TRUE, MULTI_PRED, average=average) == pytest.approx(float(expected_p))
        assert metrics.recall(MULTI_TRUE, MULTI_PRED, average=average) == pytest.approx(float(expected_r))
        assert metrics.f1_score(MULTI_TRUE, MULTI_PRED, average=average) == pytest.approx(float(expected_f))

    check("macro", sum(per_p) / 3, sum(per_r) / 3, sum(per_f) / 3)
    micro = Fraction(sum(tp), sum(tp) + sum(fp))  # = accuracy for single-label data
    check("micro", micro, micro, micro)
    assert float(micro) == pytest.approx(metrics.accuracy(MULTI_TRUE, MULTI_PRED)) == 0.6

    def weighted(values):
        return sum(v * s for v, s in zip(values, support, strict=True)) / sum(support)

    check("weighted", weighted(per_p), weighted(per_r), weighted(per_f))
    assert metrics.precision_recall_f1(MULTI_TRUE, MULTI_PRED, average="macro")[3] == 10


def _reference(true, pred, average):
    """Independent loop-over-samples reference for precision/recall/F1 (no numpy vector tricks)."""
    labels = sorted(set(true) | set(pred))
    rows = []
    for label in labels:
        tp = sum(1 for t, p in zip(true, pred, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(true, pred, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(true, pred, strict=True) if t == label and p != label)
        rows.append((tp, fp, fn, tp + fn))

    def safe(a, b):
        return a / b if b else 0.0

    if average == "micro":
        tp, fp, fn = (sum(row[i] for row in rows) for i in range(3))
        return safe(tp, tp + fp), safe(tp, tp + fn), safe(2 * tp, 2 * tp + fp + fn)
    values = [(safe(tp, tp + fp), safe(tp, tp + fn), safe(2 * tp, 2 * tp + fp + fn)) for tp, fp, fn, _ in rows]
    weights = [1.0] * len(rows) if average == "macro" else [row[3] for row in rows]
    return tuple(sum(v[i] * w for v, w in zip(values, weights, strict=True)) / sum(weights) for i in range(3))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_averages_agree_with_a_loop_reference_on_random_labels(seed, average):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    true = rng.integers(0, k, size=int(rng.integers(5, 40))).tolist()
    pred = rng.integers(0, k + 1, size=len(true)).tolist()  # sometimes a class that is never true
    got = metrics.precision_recall_f1(true, pred, average=average)[:3]
    assert got == pytest.approx(_reference(true, pred, average))


def test_labels_restrict_the_average_but_other_predictions_still_count_as_false_positives():
    # class 1 predicted three times, right once -> precision 1/3 even though classes 0 and 2 are left out
    assert metrics.precision([0, 1, 2], [1, 1, 1], labels=[1], average="macro") == pytest.approx(1 / 3)
    p, _, _, support = metrics.precision_recall_f1([0, 1, 2], [1, 1, 1], labels=[2, 1], average=None)
    np.testing.assert_allclose(p, [0.0, 1 / 3])
    np.testing.assert_array_equal(support, [1, 1])


def test_binary_average_refuses_three_classes_and_names_the_alternatives():
    with pytest.raises(ValueError, match=r"f1_score: average='binary' needs two classes.*\[0, 1, 2\].*'macro'"):
        metrics.f1_score(MULTI_TRUE, MULTI_PRED)
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.recall(MULTI_TRUE, MULTI_PRED, average="mean")


# -- zero division ------------------------------------------------------------------------------


def test_zero_division_returns_the_chosen_value_silently():
    nothing_predicted = ([1, 0, 1], [0, 0, 0])  # TP + FP = 0
    assert metrics.precision(*nothing_predicted) == 0.0
    assert metrics.precision(*nothing_predicted, zero_division=1.0) == 1.0
    assert math.isnan(metrics.precision(*nothing_predicted, zero_division=float("nan")))
    assert metrics.recall(*nothing_predicted) == 0.0  # TP = 0 of 2 positives: defined, 0
    no_positives = ([0, 0, 0], [0, 0, 0])  # TP + FN = 0 and TP + FP = 0
    assert metrics.recall(*no_positives) == 0.0 and metrics.f1_score(*no_positives) == 0.0
    assert metrics.f1_score(*no_positives, zero_division=1.0) == 1.0
    assert metrics.ConfusionCounts(0, 3, 0, 0).precision == 0.0
    with pytest.raises(ValueError, match="zero_division must be 0.0, 1.0 or nan"):
        metrics.precision(*nothing_predicted, zero_division=0.5)


def test_a_class_never_predicted_gets_zero_precision_in_the_macro_average():
    # class 2 is never predicted: its precision is 0/0 -> 0.0, pulling the macro mean down
    p = metrics.precision([0, 1, 2], [0, 1, 1], average=None)
    np.testing.assert_allclose(p, [1.0, 0.5, 0.0])
    assert metrics.precision([0, 1, 2], [0, 1, 1], average="macro") == pytest.approx(0.5)


# -- reading predictions --------------------------------------------------------------------


def test_probabilities_are_thresholded_at_one_half():
    probabilities = [0.9, 0.6, 0.2, 0.51, 0.5, 0.1]
    truth = [1, 1, 0, 1, 0, 0]
    assert metrics.accuracy(truth, probabilities) == 1.0  # 0.5 is not above 0.5 -> 0
    assert metrics.accuracy(truth, np.array(probabilities).reshape(-1, 1)) == 1.0  # (n, 1) column
    assert metrics.accuracy(truth, probabilities, threshold=0.55) == pytest.approx(5 / 6)


def test_rows_of_outputs_are_read_by_argmax_logits_or_probabilities():
    logits = np.array([[2.0, -1.0, 0.5], [-3.0, 4.0, 1.0], [0.0, 0.1, 0.2]])
    assert metrics.accuracy([0, 1, 2], logits) == 1.0
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 1, 1], logits), [[1, 0, 0], [0, 1, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match="threshold applies to 1-D scores"):
        metrics.accuracy([0, 1, 2], logits, threshold=0.0)


def test_logits_without_a_threshold_are_refused_with_advice():
    with pytest.raises(ValueError, match=r"outside \[0, 1\] \(e.g. 2.5\).*threshold=0.0.*sigmoid"):
        metrics.accuracy([1, 0], [2.5, -1.0])
    assert metrics.accuracy([1, 0], [2.5, -1.0], threshold=0.0) == 1.0


def test_hinge_style_minus_one_plus_one_labels_get_minus_one_for_negative_scores():
    y = [1, -1, -1, 1]
    scores = [0.7, -2.0, 0.3, -0.1]
    assert metrics.accuracy(y, scores, threshold=0.0) == 0.5
    assert metrics.confusion_counts(y, scores, threshold=0.0) == (1, 1, 1, 1)


def test_whole_number_floats_are_labels_and_one_hot_truth_is_decoded():
    assert metrics.accuracy([0.0, 1.0, 2.0], [0.0, 1.0, 1.0]) == pytest.approx(2 / 3)
    one_hot_truth = np.eye(3)[[0, 2, 1]]
    assert metrics.accuracy(one_hot_truth, [0, 2, 2]) == pytest.approx(2 / 3)
    assert metrics.accuracy([True, False], [1, 0]) == 1.0


def test_tensors_and_lists_of_values_are_accepted():
    y = Tensor([0.0, 1.0, 1.0, 0.0])
    outputs = Tensor([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.9, 0.1]], requires_grad=True)
    assert metrics.accuracy(y, outputs) == 0.75
    assert metrics.f1_score(y, outputs) == pytest.approx(2 / 3)
    scores = [Value(0.4), Value(-1.2), Value(2.0)]  # what the scalar MLP returns
    assert metrics.accuracy([1, -1, -1], scores, threshold=0.0) == pytest.approx(2 / 3)
    assert metrics.mean_squared_error(Tensor([1.0, 2.0]), [Value(1.0), Value(4.0)]) == 2.0


def test_string_labels_work_end_to_end():
    truth = ["cat", "dog", "dog", "bird"]
    guess = ["cat", "dog", "cat", "bird"]
    np.testing.assert_array_equal(
        metrics.confusion_matrix(truth, guess, labels=["cat", "dog", "bird"]), [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    )
    assert metrics.f1_score(truth, guess, average="micro") == 0.75
    with pytest.raises(TypeError, match="same kind of labels"):
        metrics.accuracy(truth, [0, 1, 0, 1])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "message"),
    [
        ([0, 1, 1], [0, 1], ValueError, "y_true has 3 samples but y_pred has 2"),
        ([0.5, 1.0], [0, 1], ValueError, r"y_true must hold class labels, got 0.5"),
        ([[0.2, 0.8]], [1], ValueError, "one-hot rows"),
        (np.zeros((2, 2, 2)), [0, 1], ValueError, "labels of shape"),
        ([0, 1], np.zeros((2, 2, 2)), ValueError, r"y_pred must be labels or scores of shape \(n,\)"),
        ([], [], ValueError, "no samples"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(y_true, y_pred, error, message):
    with pytest.raises(error, match=message):
        metrics.accuracy(y_true, y_pred)


# -- confusion matrix options -------------------------------------------------------------------


def test_normalized_confusion_matrices():
    by_row = metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED, normalize="true")
    np.testing.assert_allclose(by_row, np.array(MULTI_MATRIX) / np.array(MULTI_SUPPORT)[:, None])
    np.testing.assert_allclose(np.diag(by_row), metrics.recall(MULTI_TRUE, MULTI_PRED, average=None))
    by_column = metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED, normalize="pred")
    np.testing.assert_allclose(np.diag(by_column), metrics.precision(MULTI_TRUE, MULTI_PRED, average=None))
    assert metrics.confusion_matrix(MULTI_TRUE, MULTI_PRED, normalize="all").sum() == pytest.approx(1.0)
    # a label with no samples gives zeros, not nan
    empty_row = metrics.confusion_matrix([0, 0], [0, 0], labels=[0, 1], normalize="true")
    np.testing.assert_array_equal(empty_row, [[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="normalize must be"):
        metrics.confusion_matrix([0], [0], normalize="rows")
    with pytest.raises(ValueError, match="repeated"):
        metrics.confusion_matrix([0], [0], labels=[0, 0])
    with pytest.raises(TypeError, match="not the same kind"):
        metrics.confusion_matrix([0], [0], labels=["zero"])


# -- report, regression, registry ------------------------------------------------------------


def test_classification_report_lists_every_class_and_the_averages():
    report = metrics.classification_report(MULTI_TRUE, MULTI_PRED, target_names=["a", "b", "c"], digits=3)
    lines = report.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["a", "0.667", "0.667", "0.667", "3"]
    assert lines[4].split() == ["c", "0.750", "0.600", "0.667", "5"]
    assert lines[6].split() == ["accuracy", "0.600", "10"]
    macro = metrics.precision_recall_f1(MULTI_TRUE, MULTI_PRED, average="macro")
    assert lines[7].split() == ["macro", "avg", *(f"{v:.3f}" for v in macro[:3]), "10"]
    assert lines[8].split()[:2] == ["weighted", "avg"]
    with pytest.raises(ValueError, match="2 target_names for 3 classes"):
        metrics.classification_report(MULTI_TRUE, MULTI_PRED, target_names=["a", "b"])


def test_regression_metrics_match_hand_values():
    y, y_hat = [3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]
    assert metrics.mean_squared_error(y, y_hat) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    assert metrics.mean_absolute_error(y, y_hat) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    mean = sum(y) / 4
    total = sum((v - mean) ** 2 for v in y)
    assert metrics.r2_score(y, y_hat) == pytest.approx(1 - 1.5 / total)
    assert metrics.mean_squared_error(y, np.array(y_hat).reshape(-1, 1)) == pytest.approx(0.375)  # (n, 1) outputs
    assert metrics.r2_score([2.0, 2.0], [2.0, 2.0]) == 1.0 and metrics.r2_score([2.0, 2.0], [1.0, 3.0]) == 0.0
    with pytest.raises(ValueError, match=r"shape \(2,\) but y_pred has shape \(3,\)"):
        metrics.mean_squared_error([1.0, 2.0], [1.0, 2.0, 3.0])


def test_get_metric_by_name_and_unknown_names_list_the_valid_ones():
    assert metrics.get_metric("accuracy") is metrics.accuracy
    assert metrics.get_metric("F1") is metrics.f1_score
    assert metrics.get_metric(len) is len
    with pytest.raises(ValueError, match="unknown metric 'auc'; valid names: acc, accuracy"):
        metrics.get_metric("auc")
