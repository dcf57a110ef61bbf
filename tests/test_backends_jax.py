"""The JAX backend: the same training as the numpy engine (float64 parity), every op's gradient, devices, callbacks."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from gradviz import Tensor, backends, keras, optim  # noqa: E402
from gradviz.backends import jax as jax_backend  # noqa: E402
from gradviz.callbacks import EarlyStopping, GradientRecorder, LambdaCallback, LearningRateScheduler  # noqa: E402
from gradviz.engine import apply  # noqa: E402
from gradviz.ops import OPS  # noqa: E402

RNG = np.random.default_rng(7)
X3 = RNG.normal(size=(40, 3))
LABELS3 = RNG.integers(0, 3, 40)


def _classifier(optimizer, hidden="tanh", dtype="float64", input_dim=3):
    layers = [
        keras.Dense(8, activation=hidden, input_dim=input_dim, dtype=dtype),
        keras.Dense(3, activation="softmax", dtype=dtype),
    ]
    return keras.Sequential(layers, seed=0).compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])


def _close(a, b, atol=1e-8):
    for left, right in zip(a, b, strict=True):
        np.testing.assert_allclose(left, right, rtol=0, atol=atol)


# -- parity with the numpy backend ---------------------------------------------------------------------

OPTIMIZERS = {
    "sgd": functools.partial(optim.SGD, lr=0.1),
    "sgd, dampening and weight decay": functools.partial(
        optim.SGD, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05
    ),
    "momentum": functools.partial(optim.Momentum, lr=0.05),
    "nesterov": functools.partial(optim.Nesterov, lr=0.05),
    "adagrad": functools.partial(optim.Adagrad, lr=0.1, lr_decay=0.01),
    "adadelta": functools.partial(optim.Adadelta, lr=1.0),
    "rmsprop": functools.partial(optim.RMSprop, lr=0.01),
    "rmsprop, centered with momentum": functools.partial(optim.RMSprop, lr=0.01, centered=True, momentum=0.5),
    "adam": functools.partial(optim.Adam, lr=0.01),
    "adam, amsgrad and weight decay": functools.partial(optim.Adam, lr=0.01, amsgrad=True, weight_decay=0.1),
    "adamw": functools.partial(optim.AdamW, lr=0.01, weight_decay=0.1),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_ten_steps_on_jax_float64_match_the_numpy_backend_to_1e_8(name):
    runs = {}
    for backend in ("numpy", "jax"):
        model = _classifier(OPTIMIZERS[name])
        history = model.fit(X3, LABELS3, epochs=5, batch_size=20, verbose=0, seed=3, backend=backend)  # 10 steps
        runs[backend] = (model, history)
    (numpy_model, numpy_history), (jax_model, jax_history) = runs["numpy"], runs["jax"]
    np.testing.assert_allclose(jax_history.history["loss"], numpy_history.history["loss"], rtol=0, atol=1e-8)
    assert jax_history.history["accuracy"] == numpy_history.history["accuracy"]
    _close(jax_model.get_weights(), numpy_model.get_weights())
    # the optimizer's state came back into the numpy optimizer, entry by entry
    for p_jax, p_numpy in zip(jax_model.parameters(), numpy_model.parameters(), strict=True):
        saved, expected = jax_model.optimizer.state[p_jax], numpy_model.optimizer.state[p_numpy]
        assert saved.keys() == expected.keys()
        for key in expected:
            np.testing.assert_allclose(saved[key], expected[key], rtol=0, atol=1e-8)


@pytest.mark.slow
def test_a_last_smaller_batch_validation_and_a_flatten_reshape_match_the_numpy_backend():
    X = RNG.normal(size=(45, 2, 3))  # batches of 20, 20 and 5 (the reshape's row count differs)
    y = RNG.integers(0, 3, 45)
    histories, weights = {}, {}
    for backend in ("numpy", "jax"):
        model = keras.Sequential(
            [keras.Flatten(), keras.Dense(6, activation="relu"), keras.Dense(3, activation="softmax")], seed=1
        ).compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy", "f1"], learning_rate=0.02)
        history = model.fit(X, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0, seed=0, backend=backend)
        histories[backend], weights[backend] = history.history, model.get_weights()
    assert (
        histories["jax"].keys()
        == histories["numpy"].keys()
        == {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1"}
    )
    for key, values in histories["numpy"].items():
        np.testing.assert_allclose(histories["jax"][key], values, rtol=0, atol=1e-8, err_msg=key)
    _close(weights["jax"], weights["numpy"])


@pytest.mark.parametrize("loss", ["binary_crossentropy", "mse", "mae", "hinge"])
def test_the_other_losses_match_the_numpy_backend(loss):
    X = RNG.normal(size=(30, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    last = "sigmoid" if loss == "binary_crossentropy" else None
    weights, losses = {}, {}
    for backend in ("numpy", "jax"):
        model = keras.Sequential(
            [keras.Dense(5, activation="tanh", input_dim=2), keras.Dense(1, activation=last)], seed=2
        )
        model.compile("rmsprop", loss, learning_rate=0.01)
        losses[backend] = model.fit(X, y, epochs=2, batch_size=8, verbose=0, seed=1, backend=backend).history["loss"]
        weights[backend] = model.get_weights()
    np.testing.assert_allclose(losses["jax"], losses["numpy"], rtol=0, atol=1e-8)
    _close(weights["jax"], weights["numpy"])


def test_a_custom_loss_written_with_tensor_ops_is_followed_by_the_jax_backend():
    def squared(out, target):
        return ((out - target) ** 2).mean()

    X, y = RNG.normal(size=(24, 2)), RNG.normal(size=(24, 1))
    weights = {}
    for backend in ("numpy", "jax"):
        model = keras.Sequential([keras.Dense(3, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
        model.compile("sgd", squared, learning_rate=0.05).fit(
            X, y, epochs=2, batch_size=10, verbose=0, seed=0, backend=backend
        )
        weights[backend] = model.get_weights()
    _close(weights["jax"], weights["numpy"])


def test_a_loss_computed_from_data_outside_the_ops_is_refused_with_the_reason():
    def signs(out, target):
        return ((out - Tensor(np.sign(target.data))) ** 2).mean()  # numpy on .data: invisible to the graph

    model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", signs)
    with pytest.raises(ValueError, match=r"computed from the data outside gradviz's ops .* backend='numpy'"):
        # targets on both sides of 0 and in (−1, 0): the second recording (y + 1) flips some signs, whatever ran before
        model.fit(RNG.normal(size=(8, 2)), np.linspace(-2.0, 2.0, 8).reshape(-1, 1), verbose=0, backend="jax")


@pytest.mark.slow
def test_callbacks_history_gradient_recorder_and_learning_rate_schedules_behave_as_on_numpy():
    results = {}
    for backend in ("numpy", "jax"):
        model = _classifier("adam")
        recorders = [GradientRecorder(), GradientRecorder(include_biases=True)]
        schedule = LearningRateScheduler(lambda epoch, lr: 0.05 / (epoch + 1))
        history = model.fit(
            X3, LABELS3, epochs=3, batch_size=16, verbose=0, seed=0, callbacks=[*recorders, schedule], backend=backend
        )
        results[backend] = (history, recorders, model.get_weights())
    (numpy_history, numpy_recorders, numpy_weights), (jax_history, jax_recorders, jax_weights) = (
        results["numpy"],
        results["jax"],
    )
    assert jax_history.epoch == [0, 1, 2] and jax_history.params == numpy_history.params
    np.testing.assert_allclose(jax_history.history["learning_rate"], [0.05, 0.025, 0.05 / 3])
    for ours, theirs in zip(jax_recorders, numpy_recorders, strict=True):
        assert ours.layers == theirs.layers and ours.epochs == theirs.epochs
        for layer in theirs.layers:
            np.testing.assert_allclose(ours.mean_abs[layer], theirs.mean_abs[layer], rtol=1e-9)
            np.testing.assert_allclose(ours.norms[layer], theirs.norms[layer], rtol=1e-9)
    _close(jax_weights, numpy_weights)


def test_a_callback_that_watches_every_batch_hears_each_loss_as_on_numpy():
    losses = {}
    for backend in ("numpy", "jax"):
        heard = []
        watcher = LambdaCallback(
            on_batch_end=lambda batch, logs, heard=heard: heard.append((batch, logs["size"], logs["loss"]))
        )
        _classifier("sgd").fit(
            X3, LABELS3, epochs=2, batch_size=16, verbose=0, seed=0, callbacks=[watcher], backend=backend
        )
        losses[backend] = heard
    assert [entry[:2] for entry in losses["jax"]] == [entry[:2] for entry in losses["numpy"]]
    np.testing.assert_allclose([e[2] for e in losses["jax"]], [e[2] for e in losses["numpy"]], rtol=0, atol=1e-10)


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_a_learning_rate_set_in_a_batch_hook_applies_to_that_batch(backend):
    model = _classifier(functools.partial(optim.SGD, lr=0.1))
    before = [w.copy() for w in model.get_weights()]
    frozen = LambdaCallback(on_batch_begin=lambda batch, logs: setattr(model.optimizer, "lr", 0.0))
    model.fit(X3, LABELS3, epochs=2, batch_size=16, verbose=0, seed=0, callbacks=[frozen], backend=backend)
    _close(model.get_weights(), before, atol=0)


@pytest.mark.slow
def test_early_stopping_restores_the_best_weights_into_the_numpy_model():
    runs = {}
    for backend in ("numpy", "jax"):
        model = _classifier(functools.partial(optim.SGD, lr=3.0))
        stop = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
        history = model.fit(
            X3,
            LABELS3,
            epochs=30,
            batch_size=8,
            validation_split=0.25,
            verbose=0,
            seed=0,
            callbacks=[stop],
            backend=backend,
        )
        runs[backend] = (len(history.epoch), stop.best_epoch, model.get_weights())
    assert runs["jax"][:2] == runs["numpy"][:2]
    _close(runs["jax"][2], runs["numpy"][2])


@pytest.mark.slow
def test_a_jax_fit_continues_on_numpy_from_the_weights_and_optimizer_state_it_leaves():
    weights = {}
    for first in ("numpy", "jax"):
        model = _classifier("adam")
        model.fit(X3, LABELS3, epochs=2, batch_size=20, verbose=0, seed=0, backend=first)
        model.fit(X3, LABELS3, epochs=2, batch_size=20, verbose=0, seed=1, backend="numpy")
        weights[first] = model.get_weights()
    _close(weights["jax"], weights["numpy"])


@pytest.mark.slow
def test_the_trained_parameters_load_back_so_predict_agrees_with_the_jax_predictions():
    model = _classifier("adam")
    before = model.get_weights()
    model.fit(X3, LABELS3, epochs=3, batch_size=16, verbose=0, seed=0, backend="jax")
    assert all(not np.allclose(a, b) for a, b in zip(model.get_weights(), before, strict=True))
    assert all(p.grad is None for p in model.parameters())  # no stale numpy gradient pretends to be current
    np.testing.assert_allclose(jax_backend.predict(model, X3), model.predict(X3), rtol=0, atol=1e-12)
    np.testing.assert_allclose(jax_backend.predict(model, X3, batch_size=16), model.predict(X3), rtol=0, atol=1e-12)


def test_parameters_and_load_parameters_round_trip_a_pytree():
    model = _classifier("sgd")
    params = jax_backend.parameters(model)
    assert {name: value.dtype for name, value in params.items()} == {name: jnp.float32 for name in model.state_dict()}
    doubled = jax.tree_util.tree_map(lambda value: 2 * value, params)
    expected = [2 * w for w in model.get_weights()]
    jax_backend.load_parameters(model, doubled)
    _close(model.get_weights(), expected, atol=1e-6)
    with pytest.raises(KeyError, match="load_parameters: .*missing keys: dense.bias"):
        jax_backend.load_parameters(model, {k: v for k, v in params.items() if k != "dense.bias"})
    with pytest.raises(KeyError, match="unexpected keys: extra"):
        jax_backend.load_parameters(model, {**params, "extra": jnp.zeros(1)})
    with pytest.raises(ValueError, match=r"load_parameters: .*dense.bias: checkpoint \(3,\), model \(8,\)"):
        jax_backend.load_parameters(model, {**params, "dense.bias": jnp.zeros(3)})
    _close(model.get_weights(), expected, atol=1e-6)  # a refused pytree leaves the model as it was
    jax_backend.load_parameters(model, {"dense.bias": jnp.zeros(8)}, strict=False)
    assert not model.get_weights()[1].any() and model.get_weights()[1].dtype == np.float64


@pytest.mark.slow
@pytest.mark.parametrize("batch_by_batch", [False, True])
def test_data_streamed_in_chunks_trains_exactly_as_data_resident_on_the_device(monkeypatch, batch_by_batch):
    heard = []
    watchers = [LambdaCallback(on_batch_end=lambda batch, logs: heard.append(batch))] if batch_by_batch else []
    resident = _classifier("adam")
    resident.fit(X3, LABELS3, epochs=2, batch_size=12, verbose=0, seed=0, backend="jax")
    monkeypatch.setattr(jax_backend, "_device_memory", lambda device: 4_000)  # the data no longer "fits"
    streamed = _classifier("adam")
    history = streamed.fit(X3, LABELS3, epochs=2, batch_size=12, verbose=0, seed=0, callbacks=watchers, backend="jax")
    assert len(history.epoch) == 2
    assert heard == ([0, 1, 2, 3] * 2 if batch_by_batch else [])
    _close(streamed.get_weights(), resident.get_weights(), atol=1e-12)


@pytest.mark.slow
def test_float32_and_bfloat16_runs_train_and_keep_the_models_own_dtype():
    reference = _classifier("adam").fit(X3, LABELS3, epochs=2, batch_size=20, verbose=0, seed=0).history["loss"]
    model = _classifier("adam")
    single = model.fit(X3, LABELS3, epochs=2, batch_size=20, verbose=0, seed=0, backend="jax", dtype="float32")
    np.testing.assert_allclose(single.history["loss"], reference, rtol=1e-5)
    assert all(w.dtype == np.float64 for w in model.get_weights())
    low = _classifier("adam").fit(
        X3, LABELS3, epochs=2, batch_size=20, verbose=0, seed=0, backend="jax", dtype="bfloat16"
    )
    np.testing.assert_allclose(low.history["loss"], reference, rtol=0.05)


def test_use_jax_makes_every_fit_without_a_backend_run_on_jax(monkeypatch):
    calls = []
    real = jax_backend.Runner.begin
    monkeypatch.setattr(jax_backend.Runner, "begin", lambda self, *args: calls.append(1) or real(self, *args))
    with backends.use("jax"):
        _classifier("sgd").fit(X3, LABELS3, epochs=1, batch_size=40, verbose=0, seed=0)
    _classifier("sgd").fit(X3, LABELS3, epochs=1, batch_size=40, verbose=0, seed=0)
    assert calls == [1]


DIVERGING = {
    # the loss turns inf on an epoch's last batch
    "on the last batch": (
        RNG.normal(size=(16, 2)) * 100,
        RNG.normal(size=16) * 1e3,
        functools.partial(optim.SGD, lr=1e3),
        8,
    ),
    # nan in the middle of the epoch's scan, with a smaller last batch still to run after it
    "mid-epoch": (np.linspace(100, 300, 400).reshape(-1, 1), np.linspace(100, 300, 400), "sgd", 3),
}


@pytest.mark.parametrize("batch_by_batch", [False, True])
@pytest.mark.parametrize("case", list(DIVERGING))
def test_a_diverging_loss_stops_with_the_epoch_and_batch_as_on_numpy(case, batch_by_batch):
    X, y, optimizer, batch_size = DIVERGING[case]
    errors, models, heard = {}, {}, {}
    for backend in ("numpy", "jax"):
        heard[backend] = []
        watchers = (
            [LambdaCallback(on_batch_end=lambda batch, logs, backend=backend: heard[backend].append(batch))]
            if batch_by_batch
            else []
        )
        model = keras.Sequential([keras.Dense(1, input_dim=X.shape[1])], seed=0).compile(optimizer, "mse")
        with pytest.raises(keras.NonFiniteLossError) as caught:
            model.fit(
                X,
                y,
                epochs=50,
                batch_size=batch_size,
                verbose=0,
                seed=0,
                callbacks=[*watchers, keras.callbacks.TerminateOnNaN(raise_error=True)],
                backend=backend,
            )
        errors[backend], models[backend] = caught.value, model
    assert (errors["jax"].epoch, errors["jax"].batch) == (errors["numpy"].epoch, errors["numpy"].batch)
    # the bad batch's update is not kept: the model holds the last finite weights, so no layer is blamed
    assert errors["jax"].layer == errors["numpy"].layer is None
    assert all(np.all(np.isfinite(w)) for w in models["jax"].get_weights())
    for ours, theirs in zip(models["jax"].get_weights(), models["numpy"].get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)  # huge weights: compared relative to their size
    assert heard["jax"] == heard["numpy"]  # the bad batch's end is not reported


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dtype": "float16"}, r"trains in float32, float64, bfloat16, not 'float16'"),
        ({"devices": 99}, r"devices=99: JAX sees \d+ device"),
        ({"devices": []}, r"non-empty list of jax devices"),
    ],
)
def test_bad_precision_or_devices_are_refused_with_the_choices(options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        _classifier("sgd").fit(X3, LABELS3, epochs=1, verbose=0, backend="jax", **options)


@pytest.mark.parametrize("options", [{"dtype": "float16"}, {"devices": 99}])
def test_bad_precision_or_devices_are_refused_before_a_dashboard_shows_or_weights_are_drawn(monkeypatch, options):
    from gradviz.widgets import dashboard

    shown = []
    monkeypatch.setattr(dashboard, "FitDashboard", lambda **kwargs: shown.append(kwargs))
    model = keras.Sequential([keras.Dense(3, activation="softmax")], seed=0).compile(
        "sgd", "sparse_categorical_crossentropy"
    )
    with pytest.raises((ValueError, TypeError)):
        model.fit(X3, LABELS3, epochs=1, verbose=0, backend="jax", dashboard=True, **options)
    assert shown == [] and not model.built


def test_a_custom_optimizer_rule_is_refused_on_jax():
    class Halving(optim.SGD):
        def _update(self, param, grad, state, group):
            param -= 0.5 * grad

    with pytest.raises(TypeError, match="Halving has its own in-place _update"):
        _classifier(Halving).fit(X3, LABELS3, epochs=1, verbose=0, backend="jax")


def test_an_optimizer_written_as_a_rule_trains_the_same_on_both_backends():
    class SignDescent(optim.Optimizer):  # w ← w − lr·sign(g), with a running count of sign flips
        def __init__(self, params, lr=0.01):
            super().__init__(params, {"lr": lr})

        def initial_state(self, group):
            return {"last": 0.0, "flips": 0.0}

        def rule(self, xp, p, g, state, group, lr, t):
            sign = xp.sign(g)
            flips = state["flips"] + (sign * state["last"] < 0)
            return p - lr * sign, {"last": sign, "flips": flips}

    runs = {}
    for backend in ("numpy", "jax"):
        model = _classifier(SignDescent)
        history = model.fit(X3, LABELS3, epochs=3, batch_size=16, verbose=0, seed=0, shuffle=False, backend=backend)
        runs[backend] = (history.history["loss"], model.get_weights(), model.optimizer.state)
    np.testing.assert_allclose(runs["jax"][0], runs["numpy"][0], rtol=1e-6)
    for a, b in zip(runs["jax"][1], runs["numpy"][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    flips = [state["flips"].sum() for state in runs["numpy"][2].values()]
    assert sum(flips) > 0 and [state["step"] for state in runs["jax"][2].values()] == [
        state["step"] for state in runs["numpy"][2].values()
    ]


# -- the pure loss function --------------------------------------------------------------------------------


@pytest.mark.slow
def test_loss_function_gives_the_models_loss_and_the_numpy_engines_gradients():
    model = _classifier("adam", hidden="relu")
    model.build(3)
    with jax.enable_x64(True):
        loss, params = jax_backend.loss_function(model, X3, LABELS3, dtype="float64")
        value, grads = jax.value_and_grad(loss)(params, X3, LABELS3)
    reference = model._loss_of(model(Tensor(X3), logits=True), LABELS3)
    reference.backward()
    assert abs(float(value) - reference.item()) < 1e-12
    for name, p in model.named_parameters():
        np.testing.assert_allclose(np.asarray(grads[name]), p.grad, rtol=0, atol=1e-12, err_msg=name)


def test_float64_loss_function_outside_64_bit_mode_says_how_to_enable_it():
    if jax.config.jax_enable_x64:
        pytest.skip("64-bit mode is on for the whole process")
    with pytest.raises(ValueError, match=r"jax.config.update\('jax_enable_x64', True\)"):
        jax_backend.loss_function(_classifier("sgd"), X3, LABELS3, dtype="float64")


def test_the_jaxpr_of_the_loss_names_each_equations_layer():
    model = keras.Sequential(
        [keras.Flatten(), keras.Dense(4, activation="tanh"), keras.Dense(2, activation="softmax")], seed=0
    ).compile("sgd", "sparse_categorical_crossentropy")
    X, y = RNG.normal(size=(5, 2, 2)), np.array([0, 1, 1, 0, 1])
    loss, params = jax_backend.loss_function(model, X, y)
    stacks = {(str(e.primitive), str(e.source_info.name_stack)) for e in jax.make_jaxpr(loss)(params, X, y).jaxpr.eqns}
    assert ("reshape", "sequential/flatten") in stacks
    assert ("dot_general", "sequential/dense") in stacks and ("dot_general", "sequential/dense_1") in stacks
    assert ("tanh", "sequential/dense/tanh") in stacks


# -- every op's gradient: JAX's autodiff of the registered forward = the numpy engine's rules ---------------


def _positive(*shape):
    return RNG.uniform(0.5, 2.0, size=shape)


def _signed(*shape):
    values = RNG.uniform(0.3, 1.5, size=shape)
    return values * RNG.choice([-1.0, 1.0], size=shape)  # away from 0, where abs/relu have a kink


# op name -> list of (inputs, params, which inputs are differentiated); ties and kinks are avoided on purpose
OP_CASES = {
    "add": [((_signed(3, 4), _signed(4)), {}, (0, 1))],
    "sub": [((_signed(3, 4), _signed(3, 1)), {}, (0, 1))],
    "neg": [((_signed(3),), {}, (0,))],
    "mul": [((_signed(2, 3), _signed(3)), {}, (0, 1))],
    "div": [((_signed(2, 3), _signed(2, 3)), {}, (0, 1))],
    "pow": [((_signed(4),), {"exponent": 3.0}, (0,)), ((_positive(4),), {"exponent": -0.5}, (0,))],
    "power": [((_positive(3), _signed(3)), {}, (0, 1))],
    "exp": [((_signed(5),), {}, (0,))],
    "log": [((_positive(5),), {}, (0,))],
    "sqrt": [((_positive(5),), {}, (0,))],
    "abs": [((_signed(5),), {}, (0,))],
    "sin": [((_signed(5),), {}, (0,))],
    "cos": [((_signed(5),), {}, (0,))],
    "tanh": [((_signed(5),), {}, (0,))],
    "sigmoid": [((_signed(5) * 4,), {}, (0,))],
    "relu": [((_signed(6),), {}, (0,))],
    "step": [((_signed(6),), {}, (0,))],
    "leaky_relu": [((_signed(6),), {"alpha": 0.2}, (0,))],
    "maximum": [((_signed(6), _signed(6)), {}, (0, 1))],
    "minimum": [((_signed(6), _signed(6)), {}, (0, 1))],
    "clip": [((np.array([-2.0, -0.7, 0.1, 0.45, 1.3]),), {"low": -0.5, "high": 0.5}, (0,))],
    "where": [((_signed(4), _signed(4)), {"condition": np.array([True, False, True, False])}, (0, 1))],
    "matmul": [((_signed(3, 4), _signed(4, 2)), {}, (0, 1)), ((_signed(4), _signed(2, 4, 3)), {}, (0, 1))],
    "sum": [
        ((_signed(3, 4),), {"axis": 1, "keepdims": False}, (0,)),
        ((_signed(3, 4),), {"axis": None, "keepdims": False}, (0,)),
    ],
    "mean": [((_signed(3, 4),), {"axis": 0, "keepdims": True}, (0,))],
    "max": [
        ((_signed(3, 4),), {"axis": 1, "keepdims": False}, (0,)),
        ((np.array([1.0, 3.0, 3.0, -1.0]),), {"axis": None, "keepdims": False}, (0,)),
    ],
    "min": [((_signed(3, 4),), {"axis": None, "keepdims": False}, (0,))],
    "reshape": [((_signed(3, 4),), {"shape": (2, 6)}, (0,))],
    "transpose": [((_signed(2, 3, 4),), {"axes": (2, 0, 1)}, (0,)), ((_signed(2, 3),), {"axes": None}, (0,))],
    "getitem": [
        ((_signed(4, 3),), {"index": (slice(1, 3), 2)}, (0,)),
        ((_signed(4, 3),), {"index": np.array([0, 2, 2])}, (0,)),  # a repeated row adds up
    ],
    "concatenate": [((_signed(2, 3), _signed(2, 1)), {"axis": 1}, (0, 1))],
    "stack": [((_signed(3), _signed(3), _signed(3)), {"axis": 1}, (0, 1, 2))],
    "softmax": [((_signed(2, 4),), {"axis": -1}, (0,))],
    "log_softmax": [((_signed(2, 4),), {"axis": 0}, (0,))],
    "mse": [((_signed(3, 2), _signed(3, 2)), {}, (0, 1))],
    "binary_cross_entropy": [((RNG.uniform(0.1, 0.9, 5), RNG.uniform(0, 1, 5)), {}, (0, 1))],
    "binary_cross_entropy_with_logits": [((_signed(5) * 3, RNG.uniform(0, 1, 5)), {}, (0, 1))],
    "cross_entropy": [
        ((_signed(4, 3), np.array([0, 2, 1, 2])), {}, (0,)),  # integer labels
        ((_signed(4, 3), np.eye(3)[[1, 0, 2, 2]] * 0.8 + 0.05), {}, (0, 1)),  # probability rows
    ],
    "clone": [((_signed(3, 2),), {}, (0,))],
}


def test_every_registered_op_has_a_gradient_case():
    missing = sorted(set(OPS) - set(OP_CASES))
    assert not missing, f"add a case to OP_CASES for the op(s) {missing}: the jax backend differentiates every op"


@pytest.mark.parametrize(
    ("name", "case"), [(name, i) for name, cases in OP_CASES.items() for i in range(len(cases))], ids=lambda v: str(v)
)
def test_jax_autodiff_of_each_ops_forward_matches_the_numpy_engines_gradient(name, case):
    inputs, params, wrt = OP_CASES[name][case]
    op = OPS[name]
    tensors = tuple(
        Tensor(x, requires_grad=i in wrt and x.dtype.kind == "f", dtype=x.dtype) for i, x in enumerate(inputs)
    )
    out = apply(op, tensors, params or None)
    upstream = RNG.normal(size=out.shape)
    out.backward(upstream)

    with jax.enable_x64(True):

        def forward(*differentiated):
            args = list(map(jnp.asarray, inputs))
            for i, value in zip(wrt, differentiated, strict=True):
                args[i] = value
            return op.forward(jnp, *args, **params)

        value, pullback = jax.vjp(forward, *(jnp.asarray(inputs[i]) for i in wrt))
        grads = pullback(jnp.asarray(upstream))
    np.testing.assert_allclose(np.asarray(value), out.data, rtol=1e-12, atol=1e-12)
    for i, grad in zip(wrt, grads, strict=True):
        np.testing.assert_allclose(
            np.asarray(grad), tensors[i].grad, rtol=1e-10, atol=1e-12, err_msg=f"{name} input {i}"
        )


# -- several devices ---------------------------------------------------------------------------------------------

_FOUR_DEVICES = """
import json, numpy as np, jax
from gradviz import keras
rng = np.random.default_rng(0)
X, y = rng.normal(size=(90, 5)), rng.integers(0, 3, 90)
from gradviz.backends import jax as jax_backend
sent = []  # how each run of batches the host sent sits on the devices
real_put = jax_backend._Trainer.put
def put(self, array, sharded_axis=None):
    placed = real_put(self, array, sharded_axis)
    if array is not None and np.ndim(array) >= 3:
        sent.append([str(placed.sharding.spec), len(placed.sharding.device_set), placed.addressable_shards[0].data.shape])
    return placed
jax_backend._Trainer.put = put
weights = {}
for devices in (None, 1):
    model = keras.Sequential([keras.Dense(8, activation="relu"), keras.Dense(3, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", learning_rate=0.05)
    history = model.fit(X, y, epochs=2, batch_size=16, verbose=0, seed=0, backend="jax", devices=devices)
    weights[str(devices)] = [w.tolist() for w in model.get_weights()]
print(json.dumps({"devices": len(jax.devices()), "weights": weights, "sent": sent}))
"""


@pytest.mark.slow
def test_four_cpu_devices_train_to_the_same_parameters_as_one():
    environment = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    done = subprocess.run(
        [sys.executable, "-c", _FOUR_DEVICES], capture_output=True, text=True, timeout=300, env=environment
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["devices"] == 4
    # on 4 devices each epoch's five full batches of 16 are sent split along the batch axis (a device holds a
    # quarter of each); the last batch of 10 does not split in four and goes to every device
    full, last = ["P(None, 'batch')", 4, [5, 4, 5]], ["P()", 4, [1, 10, 5]]
    assert result["sent"] == [full, last] * 2  # the inputs of two epochs (on one device the data stays there)
    _close([np.array(w) for w in result["weights"]["None"]], [np.array(w) for w in result["weights"]["1"]], atol=1e-12)


def test_a_verbose_fit_says_which_devices_and_precision_train():
    import gradviz

    model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    printed = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("builtins.print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
        model.fit(np.zeros((4, 2)), np.zeros(4), epochs=1, verbose=2, backend="jax", dtype="float32")
        gradviz.set_language("es")
        try:
            model.fit(np.zeros((4, 2)), np.zeros(4), epochs=1, verbose=2, backend="jax")
        finally:
            gradviz.set_language("en")
    everything = f"{len(jax.devices())} × {jax.devices()[0].platform}"
    assert printed[0] == f"Training with JAX on {everything}, in float32"
    assert printed[2].startswith(f"Entrenamiento con JAX en {everything}, en ")


def test_a_second_fit_of_the_same_model_reuses_the_compiled_step_and_the_cache_lets_the_model_go():
    import gc
    import weakref

    model = _classifier("sgd")
    model.fit(X3, LABELS3, epochs=1, batch_size=16, verbose=0, seed=0, backend="jax")
    compiled = dict(jax_backend._COMPILED[model])
    model.fit(X3, LABELS3, epochs=1, batch_size=16, verbose=0, seed=1, backend="jax")
    assert jax_backend._COMPILED[model] == compiled  # the same jitted functions, nothing new compiled
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("activation", ["softmax", None])
def test_predict_in_bfloat16_returns_float32_whatever_the_last_layer(activation):
    from gradviz.backends.jax import predict

    model = keras.Sequential([keras.Dense(3, activation=activation, input_dim=2)], seed=0)
    X = np.random.default_rng(0).normal(size=(4, 2))
    outputs = predict(model, X, dtype="bfloat16")
    assert outputs.dtype == np.float32
    np.testing.assert_allclose(outputs, model.predict(X), atol=0.05)


def test_predict_in_chunks_records_the_graph_once_per_chunk_length(monkeypatch):
    recorded = []
    real = jax_backend.compile_graph
    monkeypatch.setattr(
        jax_backend, "compile_graph", lambda model, x, *rest: recorded.append(len(x)) or real(model, x, *rest)
    )
    model = _classifier("sgd")
    outputs = jax_backend.predict(model, X3, batch_size=16)  # chunks of 16, 16 and 8 rows
    assert recorded == [16, 8]
    np.testing.assert_allclose(outputs, model.predict(X3), rtol=0, atol=1e-12)


def test_a_batch_by_batch_fit_builds_each_programs_cache_key_once_not_every_batch(monkeypatch):
    calls = []
    real = jax_backend._frozen
    monkeypatch.setattr(jax_backend, "_frozen", lambda value: calls.append(1) or real(value))
    watcher = LambdaCallback(on_batch_end=lambda batch, logs: None)
    counts = []
    for epochs in (1, 3):
        calls.clear()
        model = _classifier("adam")
        model.fit(X3, LABELS3, epochs=epochs, batch_size=8, verbose=0, seed=0, callbacks=[watcher], backend="jax")
        counts.append(len(calls))
    assert counts[0] > 0 and counts[1] == counts[0]  # 5 batches or 15: the same work


def test_steps_per_execution_runs_that_many_batches_per_call_and_calls_the_batch_hooks_once_per_call():
    heard = {}
    weights = {}
    for backend, every in (("numpy", 1), ("jax", 1), ("jax", 2)):
        ends, begins = [], []
        watcher = LambdaCallback(
            on_batch_begin=lambda batch, logs, begins=begins: begins.append(batch),
            on_batch_end=lambda batch, logs, ends=ends: ends.append(batch),
        )
        model = _classifier("adam")
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=every)
        history = model.fit(
            X3, LABELS3, epochs=2, batch_size=8, verbose=0, seed=0, callbacks=[watcher], backend=backend
        )
        heard[(backend, every)] = (begins, ends)
        weights[(backend, every)] = (model.get_weights(), history.history)
    assert heard[("jax", 1)] == heard[("numpy", 1)] == ([0, 1, 2, 3, 4] * 2, [0, 1, 2, 3, 4] * 2)
    assert heard[("jax", 2)] == ([0, 2, 4] * 2, [1, 3, 4] * 2)  # 5 batches: calls of 2, 2 and 1, as Keras
    for key in (("jax", 1), ("jax", 2)):
        _close(weights[key][0], weights[("numpy", 1)][0], atol=1e-10)
        assert weights[key][1]["accuracy"] == pytest.approx(weights[("numpy", 1)][1]["accuracy"])


def test_a_callback_that_stops_training_mid_epoch_stops_the_jax_fit_after_that_batch_as_numpy():
    results = {}
    for backend in ("numpy", "jax"):
        model = _classifier("sgd")

        def stop(batch, logs, model=model):
            if batch == 2:
                model.stop_training = True

        history = model.fit(
            X3,
            LABELS3,
            epochs=3,
            batch_size=8,
            verbose=0,
            seed=0,
            callbacks=[LambdaCallback(on_batch_end=stop)],
            backend=backend,
        )
        results[backend] = (model.get_weights(), history.history["loss"])
    _close(results["jax"][0], results["numpy"][0], atol=1e-10)
    assert len(results["jax"][1]) == 1 and results["jax"][1] == pytest.approx(results["numpy"][1])


@pytest.mark.parametrize("how", ["sample_weight", "class_weight"])
def test_sample_and_class_weights_train_on_jax_as_on_numpy(how):
    weights = {"sample_weight": np.linspace(0.1, 2.0, len(X3))} if how == "sample_weight" else {}
    if how == "class_weight":
        weights = {"class_weight": {0: 1.0, 1: 3.0, 2: 0.5}}
    results = {}
    for backend in ("numpy", "jax"):
        model = _classifier("adam")
        history = model.fit(X3, LABELS3, epochs=3, batch_size=16, verbose=0, seed=0, backend=backend, **weights)
        results[backend] = (model.get_weights(), history.history["loss"])
    _close(results["jax"][0], results["numpy"][0], atol=1e-10)
    np.testing.assert_allclose(results["jax"][1], results["numpy"][1], rtol=1e-10)


def test_dropout_trains_on_jax_with_masks_drawn_each_step_that_keep_each_element_with_its_layers_probability():
    model = keras.Sequential([keras.Input(shape=(400,)), keras.layers.Dropout(0.25)], seed=0).compile("sgd", "mse")
    model.train()
    X, Y = np.ones((250, 400)), np.zeros((250, 400))
    program = jax_backend.compile_graph(model, X, Y)
    assert [leaf.value for leaf in program.leaves if leaf.kind == "dropout"] == [0.75]
    params = jax_backend.parameters(model, "float32")
    with jax.enable_x64(True):
        losses = [float(program.run(params, X, Y, None, None, jax.random.PRNGKey(k))[0]) for k in (0, 0, 1)]
    # each element kept with probability 0.75 and scaled by 1/0.75: the mean of its square is 1/0.75
    assert losses[0] == losses[1] != losses[2]
    assert losses[0] == pytest.approx(1 / 0.75, rel=0.01)
    results = {}
    for backend in ("numpy", "jax"):
        net = keras.Sequential(
            [keras.Input(shape=(3,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.3),
             keras.layers.Dense(2, activation="softmax")],
            seed=0,
        )  # fmt: skip
        net.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        inputs = np.random.default_rng(0).normal(size=(400, 3))
        labels = (inputs[:, 0] + inputs[:, 1] > 0).astype(int)
        net.fit(inputs, labels, epochs=20, verbose=0, backend=backend, seed=0)
        results[backend] = net.evaluate(inputs, labels, verbose=0)[1]
    assert results["jax"] > 0.9 and abs(results["jax"] - results["numpy"]) < 0.05  # other masks, same learning


def _scheduled(**options):
    from gradviz.keras.optimizers import schedules

    schedule = schedules.CosineDecay(0.0, decay_steps=12, alpha=0.1, warmup_target=0.08, warmup_steps=4)
    model = _classifier("adam")
    model.compile(keras.optimizers.Adam(learning_rate=schedule, **options), "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize(
    "options",
    [{}, {"clipnorm": 0.05}, {"global_clipnorm": 0.05}, {"clipvalue": 0.01}, {"gradient_accumulation_steps": 3}],
    ids=["cosine with warm-up", "+ clipnorm", "+ global_clipnorm", "+ clipvalue", "+ accumulation"],
)
def test_a_per_step_schedule_clipping_and_accumulation_inside_the_scan_equal_the_numpy_steps(options):
    results = {}
    for backend in ("numpy", "jax"):
        model = _scheduled(**options)
        model.fit(X3, LABELS3, epochs=4, batch_size=8, verbose=0, seed=0, backend=backend)  # 20 steps, 1 scan each
        results[backend] = (model.get_weights(), model.optimizer._iterations, model.optimizer.learning_rate)
    _close(results["jax"][0], results["numpy"][0], atol=1e-10)
    assert results["jax"][1] == results["numpy"][1] == 20
    assert results["jax"][2] == pytest.approx(results["numpy"][2])


def test_a_schedule_without_value_is_refused_on_jax_with_the_fix():
    from gradviz.keras.optimizers import schedules

    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1 / (1 + step)

        def get_config(self):
            return {}

    model = _classifier("sgd")
    model.compile(keras.optimizers.SGD(learning_rate=Halving()), "sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match=r"value\(self, xp, step\)"):
        model.fit(X3, LABELS3, epochs=1, verbose=0, backend="jax")


# -- fit's input as batches --------------------------------------------------------------------------------


def _batches(size=7, weights=None):
    return [
        (X3[i : i + size], LABELS3[i : i + size]) + (() if weights is None else (weights[i : i + size],))
        for i in range(0, len(X3), size)
    ]


def _on_both(data, **options):
    """fit on the numpy and the jax backend with the same batches: (weights, history) of each."""
    results = {}
    for backend in ("numpy", "jax"):
        model = _classifier("adam")
        made = data() if callable(data) else data
        history = model.fit(made, epochs=3, verbose=0, backend=backend, **options)
        results[backend] = (model.get_weights(), history.history)
    return results


def _agree(results, atol=1e-10):
    _close(results["jax"][0], results["numpy"][0], atol=atol)
    for key, values in results["numpy"][1].items():
        np.testing.assert_allclose(results["jax"][1][key], values, rtol=0, atol=atol, err_msg=key)


@pytest.mark.parametrize(
    "case", ["a list with a smaller last batch", "a generator with steps_per_epoch", "weighted batches"]
)
def test_batches_train_on_jax_as_on_numpy(case):
    if case == "a list with a smaller last batch":
        results = _on_both(_batches(7))  # 5 batches of 7 and one of 5: padded to 7 rows, weight 0
    elif case == "a generator with steps_per_epoch":
        batches = _batches(8)

        def around():
            while True:
                yield from batches

        results = _on_both(around, steps_per_epoch=4)  # epoch 2 goes on from batch 4 of the 5
    else:
        results = _on_both(_batches(6, weights=np.linspace(0.2, 3.0, len(X3))))
    _agree(results)


def test_validation_batches_and_per_batch_hooks_with_steps_per_execution_on_jax_as_on_numpy():
    heard = {}
    results = {}
    for backend, every in (("numpy", 1), ("jax", 2)):
        model = _classifier("adam")
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=every)
        ends = []
        watcher = LambdaCallback(on_batch_end=lambda batch, logs, ends=ends: ends.append(batch))
        history = model.fit(_batches(8), epochs=2, verbose=0, backend=backend, callbacks=[watcher],
                            validation_data=_batches(9)[:3])  # fmt: skip
        heard[backend], results[backend] = ends, (model.get_weights(), history.history)
    assert heard["numpy"] == [0, 1, 2, 3, 4] * 2 and heard["jax"] == [1, 3, 4] * 2
    _agree(results)
    assert {"val_loss", "val_accuracy"} <= set(results["jax"][1])


def test_a_diverging_batch_from_an_iterator_stops_the_jax_fit_before_its_update():
    results = {}
    for backend in ("numpy", "jax"):
        line = keras.Sequential([keras.layers.Dense(1, input_dim=3, dtype="float64")], seed=0).compile("sgd", "mse")
        batches = [(X3[i : i + 8], X3[i : i + 8, 0]) for i in range(0, 40, 8)]
        batches[3] = (X3[:8], np.full(8, 1e200))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):
                history = line.fit(iter(batches), epochs=1, verbose=0, backend=backend,
                                   callbacks=[keras.callbacks.TerminateOnNaN()])  # fmt: skip
        results[backend] = (line.get_weights(), history.history["loss"], line.stop_training)
    _close(results["jax"][0], results["numpy"][0], atol=1e-12)
    assert results["jax"][2] and results["numpy"][2]


def test_a_jax_fit_of_batches_resumed_mid_epoch_ends_as_the_uninterrupted_one(tmp_path):
    from gradviz.callbacks import Callback, ModelCheckpoint
    from gradviz.data import DataLoader

    class Interrupted(Exception):
        pass

    class Stop(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == (1, 2):
                raise Interrupted

    reference = _classifier("adam")
    expected = reference.fit(DataLoader(X3, LABELS3, 8, seed=1), epochs=3, verbose=0, backend="jax")
    path = tmp_path / "run.keras"
    with pytest.raises(Interrupted):
        _classifier("adam").fit(DataLoader(X3, LABELS3, 8, seed=1), epochs=3, verbose=0, backend="jax",
                                callbacks=[ModelCheckpoint(path, save_freq=1), Stop()])  # fmt: skip
    loader = DataLoader(X3, LABELS3, 8, seed=1)
    list(loader)  # the restarted process's loader: epoch 0's pass was run before the checkpoint
    resumed = _classifier("adam")
    history = resumed.fit(loader, epochs=3, verbose=0, backend="jax", resume_from=path)
    _close(resumed.get_weights(), reference.get_weights(), atol=1e-12)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("data", ["arrays", "batches"])
@pytest.mark.parametrize("metrics", [["accuracy", "precision", "f1"], ["mse", "mae"]], ids=["labels", "errors"])
def test_the_metrics_are_summed_on_the_device_and_only_the_sums_come_back(monkeypatch, data, metrics):
    fetched = []
    real = jax_backend._to_host
    monkeypatch.setattr(jax_backend, "_to_host", lambda array: fetched.append(np.shape(array)) or real(array))
    results = {}
    for backend in ("numpy", "jax"):
        if metrics[0] == "mse":
            model = keras.Sequential([keras.layers.Dense(2, input_dim=3, dtype="float64")], seed=0)
            model.compile("adam", "mse", metrics=metrics)
            targets = np.stack([X3[:, 0], X3[:, 1] * 2], axis=1)
        else:
            model = _classifier("adam")
            model.compile("adam", "sparse_categorical_crossentropy", metrics=metrics)
            targets = LABELS3
        if data == "arrays":
            history = model.fit(X3, targets, batch_size=8, epochs=2, verbose=0, shuffle=False, backend=backend)
        else:
            batches = [(X3[i : i + 7], targets[i : i + 7]) for i in range(0, 40, 7)]
            history = model.fit(batches, epochs=2, verbose=0, backend=backend)
        results[backend] = history.history
    for key, values in results["numpy"].items():
        np.testing.assert_allclose(results["jax"][key], values, rtol=1e-9, err_msg=key)
    assert fetched and all(len(shape) < 3 for shape in fetched)  # sums, losses and weights; no (batches, rows, …)
