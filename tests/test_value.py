"""Value: the scalar engine's operators, methods, attributes and repr, each checked for value and gradient."""

from __future__ import annotations

import math

import pytest

from gradviz import Value

# (name, function of x, x, expected value, expected ∂/∂x)
UNARY_CASES = [
    ("add", lambda x: x + 2, 3.0, 5.0, 1.0),
    ("radd", lambda x: 2 + x, 3.0, 5.0, 1.0),
    ("sub", lambda x: x - 2, 3.0, 1.0, 1.0),
    ("rsub", lambda x: 1 - x, 3.0, -2.0, -1.0),
    ("mul", lambda x: x * 2, 3.0, 6.0, 2.0),
    ("rmul", lambda x: 2 * x, 3.0, 6.0, 2.0),
    ("truediv", lambda x: x / 2, 3.0, 1.5, 0.5),
    ("rtruediv", lambda x: 2 / x, 4.0, 0.5, -2.0 / 16.0),
    ("pow constant exponent", lambda x: x**2, 3.0, 9.0, 6.0),
    ("pow negative exponent", lambda x: x**-1, 2.0, 0.5, -0.25),
    ("pow fractional exponent", lambda x: x**0.5, 4.0, 2.0, 0.25),
    ("rpow", lambda x: 2**x, 3.0, 8.0, 8.0 * math.log(2.0)),
    ("neg", lambda x: -x, 3.0, -3.0, -1.0),
    ("pos", lambda x: +x * 1, 3.0, 3.0, 1.0),
    ("abs of negative", lambda x: abs(x), -3.0, 3.0, -1.0),
    ("abs of positive", lambda x: abs(x), 3.0, 3.0, 1.0),
    ("relu positive", lambda x: x.relu(), 3.0, 3.0, 1.0),
    ("relu negative", lambda x: x.relu(), -3.0, 0.0, 0.0),
    ("tanh", lambda x: x.tanh(), 0.5, math.tanh(0.5), 1 - math.tanh(0.5) ** 2),
    ("sigmoid", lambda x: x.sigmoid(), 0.5, 1 / (1 + math.exp(-0.5)), (s := 1 / (1 + math.exp(-0.5))) * (1 - s)),
    ("exp", lambda x: x.exp(), 0.5, math.exp(0.5), math.exp(0.5)),
    ("log", lambda x: x.log(), 2.0, math.log(2.0), 0.5),
    ("sqrt", lambda x: x.sqrt(), 4.0, 2.0, 0.25),
    ("sin", lambda x: x.sin(), 0.5, math.sin(0.5), math.cos(0.5)),
    ("cos", lambda x: x.cos(), 0.5, math.cos(0.5), -math.sin(0.5)),
    ("leaky_relu negative default alpha", lambda x: x.leaky_relu(), -2.0, -0.02, 0.01),
    ("leaky_relu negative alpha 0.2", lambda x: x.leaky_relu(0.2), -2.0, -0.4, 0.2),
    ("leaky_relu positive", lambda x: x.leaky_relu(0.2), 2.0, 2.0, 1.0),
    ("maximum picks x", lambda x: x.maximum(1.0), 3.0, 3.0, 1.0),
    ("maximum picks constant", lambda x: x.maximum(5.0), 3.0, 5.0, 0.0),
    ("minimum picks x", lambda x: x.minimum(5.0), 3.0, 3.0, 1.0),
    ("minimum picks constant", lambda x: x.minimum(1.0), 3.0, 1.0, 0.0),
]


@pytest.mark.parametrize(("name", "fn", "x0", "value", "grad"), UNARY_CASES, ids=[c[0] for c in UNARY_CASES])
def test_operator_gives_value_and_gradient(name, fn, x0, value, grad):
    x = Value(x0, label="x")
    out = fn(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(value, rel=1e-12, abs=1e-12)
    out.backward()
    assert x.grad == pytest.approx(grad, rel=1e-9, abs=1e-12)


# (name, function of a and b, a, b, value, ∂/∂a, ∂/∂b)
BINARY_CASES = [
    ("add", lambda a, b: a + b, 2.0, 3.0, 5.0, 1.0, 1.0),
    ("sub", lambda a, b: a - b, 2.0, 3.0, -1.0, 1.0, -1.0),
    ("mul", lambda a, b: a * b, 2.0, 3.0, 6.0, 3.0, 2.0),
    ("div", lambda a, b: a / b, 2.0, 4.0, 0.5, 0.25, -2.0 / 16.0),
    ("power with a Value exponent", lambda a, b: a**b, 2.0, 3.0, 8.0, 3.0 * 4.0, 8.0 * math.log(2.0)),
    ("maximum", lambda a, b: a.maximum(b), 2.0, 3.0, 3.0, 0.0, 1.0),
    ("minimum", lambda a, b: a.minimum(b), 2.0, 3.0, 2.0, 1.0, 0.0),
]


@pytest.mark.parametrize(
    ("name", "fn", "a0", "b0", "value", "grad_a", "grad_b"), BINARY_CASES, ids=[c[0] for c in BINARY_CASES]
)
def test_two_value_operator_gives_both_gradients(name, fn, a0, b0, value, grad_a, grad_b):
    a, b = Value(a0, label="a"), Value(b0, label="b")
    out = fn(a, b)
    assert out.data == pytest.approx(value)
    out.backward()
    assert a.grad == pytest.approx(grad_a)
    assert b.grad == pytest.approx(grad_b)


def test_worked_example_values_and_gradients():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    assert q.data == 3.0
    assert f.data == -12.0
    f.backward()
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
    assert q.grad == -4.0  # ∂f/∂q = z
    assert f.grad == 1.0  # the seed ∂f/∂f


def test_attributes_data_grad_label_op():
    x = Value(2, label="x")
    assert x.data == 2.0 and isinstance(x.data, float)
    assert x.grad is None  # never a misleading 0 before backward
    assert x.label == "x"
    assert x.op == ""
    assert x.is_leaf
    y = x * 3
    assert y.op == "mul"
    assert y.label is None
    assert not y.is_leaf
    y.label = "y"
    assert y.label == "y"
    assert y.inputs[0] is x
    assert y.inputs[1].data == 3.0 and not y.inputs[1].requires_grad


def test_value_requires_grad_by_default_and_numbers_become_constants():
    x = Value(1.0)
    assert x.requires_grad
    y = x + 4
    constant = y.inputs[1]
    assert constant.requires_grad is False
    y.backward()
    assert constant.grad is None


def test_backward_with_explicit_gradient_scales_every_gradient():
    x = Value(3.0)
    (x * 2).backward(gradient=5.0)
    assert x.grad == 10.0


def test_backward_gradient_must_be_a_number():
    x = Value(3.0)
    with pytest.raises(TypeError, match=r"backward\(gradient=\.\.\.\) on a Value takes a number"):
        (x * 2).backward(gradient="one")


def test_item_and_float_give_the_number():
    x = Value(1.25)
    assert x.item() == 1.25
    assert float(x) == 1.25


def test_repr_shows_data_grad_and_label():
    x = Value(1.5, label="a")
    assert repr(x) == "Value(data=1.5, grad=None, label='a')"
    (x * 2).backward()
    assert repr(x) == "Value(data=1.5, grad=2, label='a')"
    assert repr(Value(-0.125)) == "Value(data=-0.125, grad=None)"


def test_value_accepts_ints_and_floats_only():
    assert Value(3).data == 3.0
    with pytest.raises(TypeError, match=r"Value\(\) takes a real number \(int or float\), got True"):
        Value(True)
    with pytest.raises(TypeError, match=r"Value\(\) takes a real number .* got '3' of type str"):
        Value("3")


def test_value_of_a_value_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"Value\(\) takes a number, not a Value: use Value.data"):
        Value(Value(1.0))


def test_leaky_relu_alpha_must_be_a_number():
    with pytest.raises(TypeError, match=r"leaky_relu\(alpha=\.\.\.\) needs a real number here, got 'a'"):
        Value(1.0).leaky_relu("a")


def test_pow_exponent_must_be_a_number():
    with pytest.raises(TypeError, match=r"\*\* needs a real number here, got 'x' of type str"):
        Value(2.0) ** "x"


def test_operand_of_another_type_is_refused():
    with pytest.raises(TypeError, match=r"unsupported operand: a Value and 'a' of type str"):
        Value(1.0) + "a"
