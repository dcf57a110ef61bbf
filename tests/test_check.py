"""gradcheck (analytic against numerical gradients) and detect_anomaly (stop at the first nan/inf)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradviz.functional as F
from gradviz import AnomalyError, GradcheckError, GradvizWarning, Tensor, Value, detect_anomaly, gradcheck, no_grad
from gradviz._state import current

# -- gradcheck ----------------------------------------------------------------------------------


def _with_hidden_term(x):
    """x·2 plus a term computed under no_grad: backward misses it, central differences see it."""
    with no_grad():
        hidden = x * x
    return x * 2 + hidden


def _with_hidden_tensor_term(w):
    with no_grad():
        hidden = (w * w).sum()
    return w.tanh().sum() + hidden


def test_gradcheck_passes_on_correct_scalar_ops():
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    result = gradcheck(lambda a, b: (a * b).tanh() + (a / b).exp() + a.sigmoid() * b**2 + (a - b).sin(), a, b)
    assert result.ok and bool(result)
    assert result.labels == ["a", "b"]
    assert result.passed == [True, True]
    assert all(error < 1e-6 for error in result.errors)


def test_gradcheck_passes_on_correct_tensor_ops_with_a_non_scalar_output():
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 2)), requires_grad=True, label="W")
    b = Tensor(rng.normal(size=(2,)), requires_grad=True, label="b")
    X = Tensor(rng.normal(size=(4, 3)))
    result = gradcheck(lambda W, b: (X @ W + b).softmax(), W, b)
    assert result.ok, result.report()
    assert [np.shape(a) for a in result.analytic] == [(3, 2), (2,)]


def test_gradcheck_returns_one_error_per_input_that_requires_grad():
    x = Value(0.5, label="x")
    c = Value(2.0, requires_grad=False)
    result = gradcheck(lambda x, c: x * c, x, c)
    assert result.labels == ["x"]
    assert len(result.errors) == 1
    assert result.analytic == [2.0]
    assert result.numeric[0] == pytest.approx(2.0)


def test_gradcheck_fails_on_a_gradient_that_misses_a_term():
    x = Value(1.5, label="x")
    result = gradcheck(_with_hidden_term, x, raise_exception=False)
    assert not result.ok and not bool(result)
    assert result.passed == [False]
    assert result.analytic == [2.0]
    assert result.numeric[0] == pytest.approx(2.0 + 2 * 1.5)
    assert result.errors[0] == pytest.approx(3.0)
    assert "FAILED" in repr(result)


def test_gradcheck_fails_on_a_wrong_tensor_gradient_and_reports_only_the_bad_input():
    rng = np.random.default_rng(1)
    w = Tensor(rng.normal(size=(2, 2)), requires_grad=True, label="w")
    v = Tensor(rng.normal(size=(2,)), requires_grad=True, label="v")
    result = gradcheck(lambda w, v: _with_hidden_tensor_term(w) + (v * v).sum(), w, v, raise_exception=False)
    assert result.passed == [False, True]
    np.testing.assert_allclose(result.numeric[0] - result.analytic[0], 2 * w.data, atol=1e-5)
    report = result.report()
    assert report.splitlines()[0].startswith("BAD w: max |analytic − numeric| = ")
    assert any(line.startswith("ok  v:") for line in report.splitlines())


def test_gradcheck_raises_a_report_by_default_as_torch():
    x = Value(1.5, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(_with_hidden_term, x)
    message = str(info.value)
    assert message.startswith("gradcheck: analytic and numerical gradients disagree")
    assert "BAD x: max |analytic − numeric| = 3" in message
    assert "analytic: 2." in message
    assert "numeric:  5." in message
    assert isinstance(info.value, AssertionError)


@pytest.mark.torch
def test_gradcheck_takes_torchs_signature_and_defaults():
    torch = pytest.importorskip("torch")
    import inspect

    ours = inspect.signature(gradcheck).parameters
    theirs = inspect.signature(torch.autograd.gradcheck).parameters
    for name in ("eps", "atol", "rtol", "raise_exception"):
        assert ours[name].default == theirs[name].default, name
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    assert gradcheck(lambda a, b: (a * b).tanh(), (a, b)).labels == ["a", "b"]  # torch's tuple of inputs


def test_gradcheck_leaves_the_inputs_grad_as_before():
    x = Value(0.5, label="x")
    y = Value(0.25, label="y")
    x.grad = 7.0
    gradcheck(lambda x, y: x * y, x, y)
    assert x.grad == 7.0
    assert y.grad is None
    w = Tensor([1.0, 2.0], requires_grad=True)
    saved = np.array([3.0, 4.0])
    w.grad = saved
    gradcheck(lambda w: (w * w).sum(), w)
    assert w.grad is saved
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])


def test_gradcheck_leaves_the_inputs_data_unchanged():
    w = Tensor([1.0, 2.0], requires_grad=True)
    original = w.data
    gradcheck(lambda w: w.exp().sum(), w)
    assert w.data is original
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match=r"gradcheck: none of the inputs requires grad, so there is nothing to check"):
        gradcheck(lambda t: t * 2, Tensor([1.0]))


def test_gradcheck_refuses_float32_inputs():
    w = Tensor([1.0], dtype="float32", requires_grad=True)
    with pytest.raises(TypeError, match=r"gradcheck needs float64 inputs .* float32"):
        gradcheck(lambda w: w * 2, w)


def test_gradcheck_needs_fn_to_return_a_node():
    with pytest.raises(TypeError, match=r"gradcheck: fn must return a Value or Tensor, got float"):
        gradcheck(lambda x: 1.0, Value(1.0))


# -- detect_anomaly: forward ----------------------------------------------------------------------


def test_detect_anomaly_stops_at_the_first_op_producing_nan_and_names_it():
    x = Value(-1.0, label="x")
    with detect_anomaly():
        h = x * 2
        with pytest.raises(AnomalyError) as info:
            h.log()  # the first op producing nan
    error = info.value
    assert error.op == "log"
    assert error.inputs == (h,)
    message = str(error)
    assert message.startswith("detect_anomaly: op 'log' produced nan")
    assert "from inputs (unnamed) = -2" in message
    assert "log needs a positive input" in message
    assert isinstance(error, FloatingPointError)


def test_detect_anomaly_forward_message_names_the_new_node_by_its_formula():
    h = Value(-2.0, label="h")
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        h.log()
    assert "ln(h)" in str(info.value)
    assert "scope None" not in str(info.value)


def test_detect_anomaly_names_the_input_labels_and_values():
    a, b = Value(1.0, label="a"), Value(0.0, label="b")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"op 'div' produced inf .*from inputs a = 1, b = 0"):
        a / b


def test_detect_anomaly_names_the_scope_of_the_node():
    import gradviz

    x = Value(-4.0, label="x")
    with detect_anomaly(), gradviz.scope("layer1"), pytest.raises(AnomalyError, match=r"in scope 'layer1'") as info:
        x.sqrt()
    assert info.value.node.scope == "layer1"


def test_detect_anomaly_on_tensors_counts_and_locates_the_bad_values():
    t = Tensor([1.0, -1.0, 4.0], requires_grad=True, label="t")
    with (
        detect_anomaly(),
        pytest.raises(
            AnomalyError,
            match=r"op 'sqrt' produced 1 nan value, first at index \(1,\) .*from inputs t = \[ 1\., -1\.,  4\.\]",
        ),
    ):
        t.sqrt()


def test_detect_anomaly_on_an_op_without_a_domain_rule():
    x = Value(math.inf, label="x")
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"The input\(s\) x were already non-finite: they come from a leaf"),
    ):
        x * 0


def test_detect_anomaly_is_off_outside_the_block_and_restored_after_an_error():
    assert not current().anomaly
    with pytest.raises(AnomalyError):
        with detect_anomaly():
            assert current().anomaly
            Value(-1.0).sqrt()
    assert not current().anomaly


# -- detect_anomaly: backward ---------------------------------------------------------------------


def test_detect_anomaly_stops_in_backward_at_an_infinite_gradient():
    x = Value(0.0, label="x")
    with detect_anomaly():
        root = x.sqrt()  # finite forward: sqrt(0) = 0
        root.label = "root"
        with pytest.raises(AnomalyError) as info:
            root.backward()  # ∂√x/∂x = 1 / (2√x) = inf at 0
    message = str(info.value)
    assert message.startswith("detect_anomaly: the backward pass of op 'sqrt' (node root")
    assert " sent inf to its input x" in message
    assert "to its input x = 0: upstream gradient 1, local derivative inf." in message
    assert info.value.op == "sqrt"
    assert info.value.node is root


def test_detect_anomaly_in_tensor_backward():
    t = Tensor([4.0, 0.0], requires_grad=True, label="t")
    with detect_anomaly():
        loss = t.sqrt().sum()
        with pytest.raises(
            AnomalyError, match=r"backward pass of op 'sqrt' .* sent 1 inf value, first at index \(1,\)"
        ):
            loss.backward()


def test_without_detect_anomaly_a_backward_inf_is_just_the_result():
    x = Value(0.0, label="x")
    x.sqrt().backward()
    assert x.grad == math.inf


# -- outside detect_anomaly: numpy semantics and a warning naming the op ----------------------------


DOMAIN_CASES = [
    ("log of a negative", lambda x: x.log(), -1.0, math.nan, r"log gave a non-finite result \(nan\) from x = -1"),
    ("log of zero", lambda x: x.log(), 0.0, -math.inf, r"log gave a non-finite result \(-inf\) from x = 0"),
    (
        "sqrt of a negative",
        lambda x: x.sqrt(),
        -4.0,
        math.nan,
        r"sqrt gave a non-finite result \(nan\) .* sqrt needs a non-negative input",
    ),
    (
        "division by zero",
        lambda x: 1 / x,
        0.0,
        math.inf,
        r"div gave a non-finite result \(inf\) .* div needs a divisor other than 0",
    ),
    ("zero over zero", lambda x: x / 0, 0.0, math.nan, r"div gave a non-finite result \(nan\)"),
    ("exp overflow", lambda x: x.exp(), 1000.0, math.inf, r"exp gave a non-finite result \(inf\) from x = 1000"),
    ("fractional power of a negative", lambda x: x**0.5, -8.0, math.nan, r"pow gave a non-finite result \(nan\)"),
    ("negative power of zero", lambda x: x**-1, 0.0, math.inf, r"pow gave a non-finite result \(inf\)"),
]


@pytest.mark.parametrize(("name", "fn", "x0", "expected", "match"), DOMAIN_CASES, ids=[c[0] for c in DOMAIN_CASES])
def test_value_domain_error_follows_numpy_and_warns_naming_the_op(name, fn, x0, expected, match):
    x = Value(x0, label="x")
    with pytest.warns(GradvizWarning, match=match):
        out = fn(x)
    if math.isnan(expected):
        assert math.isnan(out.data)
    else:
        assert out.data == expected


def test_tensor_domain_error_follows_numpy_and_warns_naming_the_op():
    t = Tensor([-1.0, 0.0, 4.0], label="t")
    with pytest.warns(
        GradvizWarning, match=r"log gave a non-finite result \(1 nan and 1 -inf values, first at index \(0,\)\) from t"
    ):
        out = t.log()
    assert np.isnan(out.data[0]) and out.data[1] == -np.inf and out.data[2] == pytest.approx(np.log(4.0))
    with pytest.warns(GradvizWarning, match=r"div gave a non-finite result \(1 inf value, first at index \(0,\)\)"):
        quotient = Tensor([1.0, 2.0]) / Tensor([0.0, 1.0])
    np.testing.assert_array_equal(quotient.data, [np.inf, 2.0])
    with pytest.warns(GradvizWarning, match=r"sqrt gave a non-finite result"):
        F.sqrt(Tensor([-1.0]))


def test_domain_warning_says_how_to_find_the_op():
    with pytest.warns(GradvizWarning, match=r"run inside gradviz\.detect_anomaly\(\) to stop at the op"):
        Value(-1.0).log()


def test_finite_results_do_not_warn(recwarn):
    Value(2.0).log()
    Tensor([1.0, 4.0]).sqrt()
    Value(1.0) / 2
    assert not [w for w in recwarn if issubclass(w.category, GradvizWarning)]
