"""The op registry is the list: one declaration (gradviz.ops.op plus its derivative) makes an op reachable from
gradviz.functional, Value, Tensor, the activations of nn and keras, the command line's formulas and the JAX
backend, with no other edit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradviz.functional as F
from gradviz import Tensor, Value, keras, nn
from gradviz.cli import main
from gradviz.expr import FUNCTIONS, evaluate
from gradviz.ops import OPS, op


@pytest.fixture
def softplus():
    """softplus(x) = log(1 + eˣ), declared for the test and taken out of the registry afterwards."""

    @op("softplus", symbol="softplus", text="softplus({a})", latex=r"\operatorname{softplus}({a})", activation=True)
    def declared(xp, a):
        return xp.log(1 + xp.exp(a))

    declared.derivative("a", "σ({a})")(lambda xp, out, a: 1 / (1 + xp.exp(-a)))
    try:
        yield declared
    finally:
        del OPS["softplus"]


def test_a_declared_op_is_a_function_of_functional_and_a_method_of_value_and_tensor(softplus):
    x = Value(0.5, label="x")
    y = x.softplus()
    y.backward()
    assert y.op == "softplus" and y.data == pytest.approx(math.log(1 + math.exp(0.5)))
    assert x.grad == pytest.approx(1 / (1 + math.exp(-0.5)))
    t = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    F.softplus(t).sum().backward()
    np.testing.assert_allclose(t.grad, 1 / (1 + np.exp(-t.data)))
    np.testing.assert_allclose(t.softplus().data, np.log1p(np.exp(t.data)))


def test_a_declared_op_leaves_no_trace_once_it_is_removed(softplus):
    del OPS["softplus"]
    try:
        with pytest.raises(AttributeError, match="softplus"):
            Value(1.0).softplus()
        with pytest.raises(AttributeError, match="softplus"):
            F.softplus  # noqa: B018
        assert "softplus" not in FUNCTIONS and "softplus" not in nn.activation_names()
    finally:
        OPS["softplus"] = softplus


def test_a_declared_activation_trains_a_keras_model_the_same_on_numpy_and_jax(softplus):
    pytest.importorskip("jax")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    losses, weights = {}, {}
    for backend in ("numpy", "jax"):
        model = keras.Sequential([keras.Dense(4, activation="softplus", input_dim=3), keras.Dense(1)], seed=0)
        model.compile("sgd", "mse")
        losses[backend] = model.fit(X, y, epochs=2, batch_size=8, verbose=0, shuffle=False, backend=backend).history[
            "loss"
        ]
        weights[backend] = model.get_weights()
    assert model.layers[0].activation_name == "softplus"
    np.testing.assert_allclose(losses["jax"], losses["numpy"], rtol=1e-6)
    for a, b in zip(weights["jax"], weights["numpy"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_a_declared_activation_is_a_choice_of_nn_layers(softplus):
    module = nn.get_activation("softplus")
    assert isinstance(module, nn.OpActivation) and "softplus" in nn.activation_names()
    np.testing.assert_allclose(module(Tensor([0.0])).data, [math.log(2.0)])


def test_a_declared_op_is_a_function_of_the_command_lines_formulas(softplus, tmp_path, capsys):
    assert evaluate("softplus(x) * 2", {"x": 0.0}).data == pytest.approx(2 * math.log(2.0))
    assert main(["render", "softplus(x * y)", "--set", "x=1", "y=2", "--out", str(tmp_path), "--quiet"]) == 0
    assert "softplus" in (tmp_path / "graph.svg").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["train", "--activation", "nope", "--out", str(tmp_path / "run")]) == 2
    assert "softplus" in capsys.readouterr().err  # gradviz train lists it among the hidden activations


def test_the_methods_of_declared_ops_are_class_attributes_not_a_getattr_hook():
    # a __getattr__ on Node would take every attribute read off CPython's fast path: the scalar step went
    # from 100 to 155 ms when the methods came from one (benchmarks/bench_scalar.py)
    from gradviz.engine import Node

    assert all("__getattr__" not in vars(cls) for cls in (Node, Value, Tensor))


# -- native forwards and derivatives that are an input -------------------------------------------------------

NATIVE = [o for o in OPS.values() if o.native is not None]


def _bits(x):
    """The bytes of `x`, signed zeros apart, every nan the same (a nan's payload is not part of the result)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(np.isnan(x), np.nan, x).tobytes()


def test_the_arithmetic_ops_name_their_python_operator_as_native():
    assert {o.name for o in NATIVE} >= {"add", "sub", "mul", "neg"}


@pytest.mark.parametrize("declared", NATIVE, ids=lambda o: o.name)
@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(allow_nan=True, allow_infinity=True, width=64),
    b=st.floats(allow_nan=True, allow_infinity=True, width=64),
    shape=st.sampled_from([(), (3,), (2, 3)]),
)
def test_a_native_forward_gives_what_the_declared_forward_gives_bit_for_bit(declared, a, b, shape):
    from gradviz.xp import scalar

    inputs = (a, b)[: len(declared.inputs)]
    assert _bits(declared.native(*inputs)) == _bits(declared.forward(scalar, *inputs))  # Value's floats
    arrays = [np.full(shape, x) for x in inputs]
    arrays[0].flat[0:1] = -0.0  # signed zeros too
    with np.errstate(all="ignore"):
        ours, theirs = declared.native(*arrays), declared.forward(np, *arrays)
    assert type(ours) is type(theirs) and _bits(ours) == _bits(theirs)  # Tensor's arrays


@pytest.fixture
def scaled():
    """scaled(a, b) = a·b + a, declared for the test with ∂/∂a = b + 1 and ∂/∂b = a (an input itself)."""

    @op("scaled", symbol="⊙", text="{a} ⊙ {b}")
    def declared(xp, a, b):
        return a * b + a

    declared.derivative("a", "{b} + 1")(lambda xp, out, a, b: b + 1)
    declared.derivative("b", "{a}", equals="a")
    try:
        yield declared
    finally:
        del OPS["scaled"]


def test_a_derivative_that_equals_an_input_is_that_input_in_the_fast_and_the_general_loop(scaled):
    from gradviz import detect_anomaly
    from gradviz.engine import apply

    grads = []
    for checked in (False, True):
        x, y = Value(0.75), Value(-2.5)
        f = apply(scaled, (x, y))
        if checked:
            with detect_anomaly():
                f.backward()
        else:
            f.backward()
        grads.append((x.grad, y.grad))
    assert grads[0] == grads[1] == (-1.5, 0.75)
    assert scaled.rules[1].local(None, 0.0, 0.75, -2.5) == 0.75 and scaled.rules[1].equals == 0


def test_a_derivative_equal_to_an_input_the_op_does_not_have_is_refused(scaled):
    with pytest.raises(ValueError, match=r"op 'scaled' has no input 'c'; inputs are \('a', 'b'\)"):
        scaled.derivative("a", "{c}", equals="c")
