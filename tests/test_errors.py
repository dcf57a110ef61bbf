"""Bad input gets a clear error that names the op, the shapes or values at fault and a fix — never a wrong answer."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
import gradviz.functional as F
from gradviz import ShapeError, Tensor, Value, no_grad
from gradviz.errors import AnomalyError, GradcheckError, GradvizError, GradvizWarning


def test_error_types_form_one_family_that_standard_handlers_also_catch():
    assert issubclass(ShapeError, GradvizError) and issubclass(ShapeError, ValueError)
    assert issubclass(AnomalyError, GradvizError) and issubclass(AnomalyError, FloatingPointError)
    assert issubclass(GradcheckError, GradvizError) and issubclass(GradcheckError, AssertionError)
    assert issubclass(GradvizWarning, RuntimeWarning)
    error = AnomalyError("message", op="log", node=None, inputs=[1, 2])
    assert (error.op, error.node, error.inputs) == ("log", None, (1, 2))


# -- shapes -----------------------------------------------------------------------------------------


def test_shape_mismatch_names_the_op_both_shapes_and_the_broadcasting_rule():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones(4))
    with pytest.raises(ShapeError) as info:
        a + b
    message = str(info.value)
    assert message.startswith("add: shapes (2, 3) and (4,) cannot be broadcast together.")
    assert "compares shapes from the right; each pair of dimensions must be equal or one of them 1" in message
    assert "reshape" in message


@pytest.mark.parametrize(
    ("name", "fn"),
    [("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b), ("div", lambda a, b: a / b), ("maximum", F.maximum)],
)
def test_shape_mismatch_names_each_binary_op(name, fn):
    with pytest.raises(ShapeError, match=rf"^{name}: shapes \(3,\) and \(2, 2\) cannot be broadcast together"):
        fn(Tensor(np.ones(3)), Tensor(np.ones((2, 2))))


def test_matmul_inner_dimension_mismatch_names_both_shapes_and_the_fix():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))
    with pytest.raises(ShapeError) as info:
        a @ b
    message = str(info.value)
    assert message.startswith("matmul: cannot multiply shapes (2, 3) @ (2, 3): the inner dimensions differ (3 ≠ 2).")
    assert "A @ B needs A's last dimension to equal B's second-to-last dimension" in message
    assert "transpose one of them (B.T)" in message
    with pytest.raises(
        ShapeError, match=r"\(2, 3\) @ \(2,\): the inner dimensions differ \(3 ≠ 2\).*B's only dimension"
    ):
        a @ Tensor(np.ones(2))


def test_matmul_of_a_scalar_points_to_multiplication():
    with pytest.raises(
        ShapeError, match=r"matmul: both operands need at least one dimension, got shapes \(\) @ \(2,\); use \*"
    ):
        Tensor(2.0) @ Tensor(np.ones(2))


def test_reshape_to_an_impossible_shape_names_both_shapes_and_the_element_count():
    t = Tensor(np.zeros((2, 3)))
    with pytest.raises(ShapeError) as info:
        t.reshape(4, 2)
    assert str(info.value) == (
        "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (4, 2); the number of elements must stay "
        "the same (use -1 for one dimension to infer it)."
    )
    with pytest.raises(ShapeError, match=r"into \(4, -1\)"):
        t.reshape(4, -1)


def test_axis_out_of_range_names_the_op_and_the_rank():
    with pytest.raises(ShapeError, match=r"sum: axis 2 is out of range for a tensor with 2 dimension\(s\)"):
        Tensor(np.zeros((2, 3))).sum(axis=2)


def test_index_out_of_range_names_the_index_and_shape():
    with pytest.raises(IndexError, match=r"getitem: index 5 does not fit a tensor of shape \(2, 3\)"):
        Tensor(np.zeros((2, 3)))[5]


# -- backward -----------------------------------------------------------------------------------------


def test_backward_on_a_non_scalar_without_gradient_says_what_to_pass():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert str(info.value) == (
        "backward() on a Tensor of shape (2, 3) needs a gradient argument: the upstream gradient ∂L/∂output, an "
        "array of shape (2, 3). To differentiate the sum of its elements call .sum().backward(); for the mean, "
        ".mean().backward()."
    )


def test_backward_through_a_graph_built_under_no_grad_names_no_grad_and_the_fix():
    w = Tensor([1.0], requires_grad=True, label="w")
    with no_grad():
        loss = (w * 2).sum()
    loss.label = "loss"
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    message = str(info.value)
    assert message.startswith("backward(): this Tensor 'loss' does not require grad, so no graph was recorded for it.")
    assert "computed inside gradviz.no_grad()" in message
    assert "Compute it outside no_grad() from leaves created with requires_grad=True." in message


# -- non-numeric data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "shown", "kind"),
    [
        ("abc", "'abc'", "text"),
        (["1", "2"], r"\['1', '2'\]", "text"),
        (np.array([1, "a"], dtype=object), r"array\(\[1, 'a'\], dtype=object\)", "Python objects"),
        (np.array([1.0, 2.0], dtype=object), r"array\(\[1.0, 2.0\], dtype=object\)", "Python objects"),
        (None, "None", "Python objects"),
    ],
    ids=["string", "list of strings", "object array", "object array of floats", "None"],
)
def test_non_numeric_tensor_data_is_refused_with_how_to_convert(data, shown, kind):
    with pytest.raises(
        TypeError, match=rf"Tensor\(\) needs numeric data, but {shown} became an array of dtype .* \({kind}\)"
    ):
        Tensor(data)


def test_ragged_lists_are_refused_naming_equal_length_rows():
    with pytest.raises(TypeError, match=r"a nested list of equal-length rows.*got \[\[1, 2\], \[3\]\]"):
        Tensor([[1, 2], [3]])


def test_string_operand_is_refused():
    with pytest.raises(
        TypeError, match=r"Tensor\(\) needs numeric data, but 'a' became an array of dtype <U1 \(text\)"
    ):
        Tensor([1.0]) + "a"
    with pytest.raises(TypeError, match=r"unsupported operand: a Value and 'a' of type str"):
        Value(1.0) * "a"
    with pytest.raises(TypeError, match=r"unsupported operand: a Value and 'a' of type str"):
        "a" - Value(1.0)


def test_tensor_of_a_tensor_is_refused_with_a_hint():
    with pytest.raises(
        TypeError, match=r"Tensor\(\) takes numbers, lists or arrays, not a Tensor: use .data .* or .detach\(\)"
    ):
        Tensor(Tensor([1.0]))


# -- integer tensors, mixed engines -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_tensors_asked_for_gradients_are_refused(dtype):
    with pytest.raises(TypeError) as info:
        Tensor([1, 0], dtype=dtype, requires_grad=True)
    assert str(info.value) == (
        f"only floating-point tensors can require gradients, but this one has dtype {np.dtype(dtype)}. "
        "Create it with dtype='float64' (the default for numbers) or 'float32'."
    )


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda v, t: v + t, "cannot combine a scalar Value with a Tensor"),
        (lambda v, t: v * t, "cannot combine a scalar Value with a Tensor"),
        (lambda v, t: t + v, "cannot combine a Tensor with a Value"),
        (lambda v, t: t @ v, "cannot combine a Tensor with a Value"),
        (lambda v, t: F.maximum(t, v), "cannot combine a Tensor with a Value"),
    ],
    ids=["Value + Tensor", "Value * Tensor", "Tensor + Value", "Tensor @ Value", "maximum(Tensor, Value)"],
)
def test_mixing_value_and_tensor_is_refused_with_how_to_convert(fn, message):
    v = Value(1.0)
    t = Tensor([1.0], requires_grad=True)
    with pytest.raises(
        TypeError, match=rf"{message}: use Tensor for both \(gradviz\.Tensor\(value\.data\)\) or Value for both"
    ):
        fn(v, t)


def test_tensor_op_on_a_value_points_to_tensor():
    with pytest.raises(TypeError, match=r"softmax works on Tensors; this is a scalar Value"):
        F.softmax(Value(1.0))


# -- losses -----------------------------------------------------------------------------------------------------


def test_mse_with_n_by_1_predictions_and_n_targets_is_refused_with_the_reshape():
    with pytest.raises(ShapeError) as info:
        F.mse(Tensor(np.ones((4, 1)), requires_grad=True), np.ones(4))
    message = str(info.value)
    assert message.startswith("mse: prediction shape (4, 1) and target shape (4,) differ.")
    assert "would compare every prediction with every target and give a wrong loss" in message
    assert message.endswith("Reshape the target with .reshape(-1, 1).")
    with pytest.raises(
        ShapeError, match=r"mse: prediction shape \(4,\) and target shape \(4, 1\) differ.*Reshape the prediction"
    ):
        F.mse(Tensor(np.ones(4)), np.ones((4, 1)))


def test_bce_with_n_by_1_probabilities_and_n_targets_is_refused_with_the_reshape():
    with pytest.raises(
        ShapeError, match=r"binary_cross_entropy: probabilities shape \(4, 1\) and targets shape \(4,\) differ"
    ) as info:
        F.binary_cross_entropy(Tensor(np.full((4, 1), 0.5)), np.ones(4))
    assert str(info.value).endswith("Reshape the targets with .reshape(-1, 1).")
    with pytest.raises(
        ShapeError, match=r"binary_cross_entropy_with_logits: logits shape \(4, 1\) and targets shape \(4,\)"
    ):
        F.binary_cross_entropy_with_logits(Tensor(np.zeros((4, 1))), np.ones(4))


def test_bce_shape_message_is_grammatical():
    with pytest.raises(ShapeError, match=r"compare every probability with every target"):
        F.binary_cross_entropy(Tensor(np.full((4, 1), 0.5)), np.ones(4))


@pytest.mark.parametrize(("p", "low", "high"), [([0.5, 1.5], "0.5", "1.5"), ([-0.5, 0.5], "-0.5", "0.5")])
def test_bce_given_probabilities_outside_0_1_is_refused_and_points_to_logits(p, low, high):
    with pytest.raises(ValueError) as info:
        F.binary_cross_entropy(Tensor(p), [1.0, 0.0])
    assert str(info.value) == (
        f"binary_cross_entropy expects probabilities in [0, 1], got values from {low} to {high}. If these are raw "
        "scores (logits), use binary_cross_entropy_with_logits, or apply .sigmoid() first."
    )


def test_bce_given_targets_outside_0_1_is_refused():
    with pytest.raises(ValueError, match=r"binary_cross_entropy.*targets.*\[0, 1\]"):
        F.binary_cross_entropy(Tensor([0.5, 0.5]), [1.0, 2.0])


@pytest.mark.parametrize("label", [3, -1])
def test_cross_entropy_label_out_of_range_names_the_label_and_the_classes(label):
    with pytest.raises(ValueError) as info:
        F.cross_entropy(Tensor(np.zeros((2, 3))), [0, label])
    assert str(info.value) == f"cross_entropy: label {label} is not a class index in [0, 3) for logits with 3 classes"


def test_cross_entropy_label_count_must_match_the_batch():
    with pytest.raises(
        ShapeError,
        match=r"cross_entropy: 2 sample\(s\) of logits \(2, 3\) need integer labels of shape \(2,\), got \(3,\)",
    ):
        F.cross_entropy(Tensor(np.zeros((2, 3))), [0, 1, 2])


def test_errors_leave_no_half_recorded_graph_behind():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ShapeError):
        w @ Tensor(np.ones((2, 3)))
    (w * 2).sum().backward()
    np.testing.assert_array_equal(w.grad, np.full((2, 3), 2.0))
    assert gradviz.is_grad_enabled()
