"""The op registry is the list: one declaration (gradviz.ops.op plus its derivative) makes an op reachable from
gradviz.functional, Value, Tensor, the activations of nn and keras, the command line's formulas and the JAX
backend, with no other edit."""

from __future__ import annotations

import math

import numpy as np
import pytest

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
