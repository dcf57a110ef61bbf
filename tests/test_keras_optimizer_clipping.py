"""Keras optimizers' per-step control — gradient clipping (clipnorm, global_clipnorm, clipvalue), a schedule as
learning_rate, gradient_accumulation_steps — against real Keras 3 fed the same weights and gradients (float64, in
a subprocess), and the pure functions the jax backend calls (clip_gradients, accumulate) on jax.numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import gradviz
from gradviz import Tensor, Value
from gradviz import keras as gkeras
from gradviz.keras import optimizers
from gradviz.keras.optimizers import schedules

SHAPES = [(3,), (2, 2)]
STEPS = 12

# (name, optimizer class, arguments, schedule as (class, arguments) or None). Adam's ε is 1e-12: gradviz's Adam is
# torch's, ε added after the bias correction (Keras adds it before), which with Keras' 1e-7 moves a weight by ~1e-6
# of the step; with 1e-12 the comparison sees the rest exactly — the bias correction's step count above all.
CASES = [
    ("sgd-clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 1.0}, None),
    ("sgd-global-clipnorm", "SGD", {"learning_rate": 0.1, "global_clipnorm": 1.5}, None),
    ("sgd-clipvalue", "SGD", {"learning_rate": 0.1, "clipvalue": 0.4}, None),
    ("adam-clipnorm", "Adam", {"learning_rate": 0.01, "clipnorm": 0.8, "epsilon": 1e-12}, None),
    ("sgd-schedule", "SGD", {}, ("PiecewiseConstantDecay", {"boundaries": [2, 5], "values": [0.1, 0.05, 0.01]})),
    (
        "adam-schedule",
        "Adam",
        {"epsilon": 1e-12},
        ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 20, "warmup_target": 0.05, "warmup_steps": 4}),
    ),
    ("sgd-accumulate", "SGD", {"learning_rate": 0.1, "gradient_accumulation_steps": 3}, None),
    (
        "sgd-momentum-accumulate",
        "SGD",
        {"learning_rate": 0.05, "momentum": 0.9, "gradient_accumulation_steps": 2},
        None,
    ),
    ("adam-accumulate", "Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 3, "epsilon": 1e-12}, None),
    (
        "adamw-everything",
        "AdamW",
        {"weight_decay": 0.1, "global_clipnorm": 1.0, "gradient_accumulation_steps": 2, "epsilon": 1e-12},
        ("ExponentialDecay", {"initial_learning_rate": 0.02, "decay_steps": 4, "decay_rate": 0.7}),
    ),
]
IDS = [case[0] for case in CASES]


def weights_and_gradients(seed: int = 0):
    """The starting weights and STEPS gradients per weight (norms from about 0.3 to 3, so clipping bites sometimes)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=shape) for shape in SHAPES]
    gradients = [[rng.normal(size=shape) * rng.uniform(0.2, 2.0) for shape in SHAPES] for _ in range(STEPS)]
    return weights, gradients


_KERAS_SCRIPT = r"""
import json, sys
import numpy as np
import keras
keras.config.set_floatx("float64")
spec = json.load(sys.stdin)
out = {}
for name, class_name, arguments, schedule in spec["cases"]:
    arguments = dict(arguments)
    if schedule is not None:
        arguments["learning_rate"] = getattr(keras.optimizers.schedules, schedule[0])(**schedule[1])
    optimizer = getattr(keras.optimizers, class_name)(**arguments)
    variables = [keras.Variable(np.array(w)) for w in spec["weights"]]
    optimizer.build(variables)
    steps = []
    for gradients in spec["gradients"]:
        optimizer.apply([np.array(g) for g in gradients], variables)
        steps.append({
            "weights": [np.asarray(v.value).tolist() for v in variables],
            "learning_rate": float(optimizer.learning_rate),
            "iterations": int(optimizer.iterations),
        })
    out[name] = steps
configs = {}
for name, config in spec["configs"].items():  # gradviz's get_config, read by Keras
    optimizer = getattr(keras.optimizers, config["class_name"]).from_config(config["config"])
    configs[name] = {"config": optimizer.get_config(), "rate_at_3": float(optimizer._learning_rate(3))}
out["configs"] = configs
json.dump(out, sys.stdout)
"""


def make(class_name, arguments, schedule):
    arguments = dict(arguments)
    if schedule is not None:
        arguments["learning_rate"] = getattr(schedules, schedule[0])(**schedule[1])
    return getattr(optimizers, class_name)(**arguments)


@pytest.fixture(scope="module")
def keras_steps():
    """Each case's weights, learning rate and iterations after every step, from real Keras 3 (and gradviz's
    configs read back by Keras)."""
    os.environ.setdefault("KERAS_BACKEND", "jax")  # as test_keras3_fidelity: Keras on JAX (the reference runs apart)
    pytest.importorskip("keras", reason="real Keras is the optional comparison: pip install keras jax")
    weights, gradients = weights_and_gradients()
    with_schedule = make("Adam", {"clipnorm": 0.5}, CASES[5][3])
    spec = {
        "cases": CASES,
        "weights": [w.tolist() for w in weights],
        "gradients": [[g.tolist() for g in step] for step in gradients],
        "configs": {"adam-schedule": {"class_name": "Adam", "config": with_schedule.get_config()}},
    }
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, "-c", _KERAS_SCRIPT], input=json.dumps(spec), capture_output=True, text=True, env=env,
        timeout=300,
    )  # fmt: skip
    if done.returncode:
        raise AssertionError(f"the Keras reference failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def run_gradviz(class_name, arguments, schedule, dtype=np.float64):
    weights, gradients = weights_and_gradients()
    params = [Tensor(w.astype(dtype), requires_grad=True, dtype=dtype) for w in weights]
    optimizer = make(class_name, arguments, schedule).build(params)
    steps = []
    for step in gradients:
        for p, g in zip(params, step, strict=True):
            p.grad = g.astype(dtype)
        optimizer.step()
        steps.append(
            {
                "weights": [p.data.copy() for p in params],
                "learning_rate": optimizer.learning_rate,
                "iterations": optimizer.iterations,
            }
        )
    return optimizer, params, steps


@pytest.mark.parametrize(("name", "class_name", "arguments", "schedule"), CASES, ids=IDS)
def test_every_step_gives_keras_3_weights_rate_and_iterations(keras_steps, name, class_name, arguments, schedule):
    _, _, ours = run_gradviz(class_name, arguments, schedule)
    for k, (mine, theirs) in enumerate(zip(ours, keras_steps[name], strict=True)):
        assert mine["iterations"] == theirs["iterations"], f"step {k}"
        # Keras' cosine is float32's (ops.cos), its other schedules float64's
        assert mine["learning_rate"] == pytest.approx(theirs["learning_rate"], rel=1e-6, abs=1e-9), f"step {k}"
        for w, expected in zip(mine["weights"], theirs["weights"], strict=True):
            np.testing.assert_allclose(w, expected, rtol=1e-6, atol=1e-12, err_msg=f"{name}, step {k}")


def test_keras_reads_gradviz_config_with_a_schedule(keras_steps):
    ours = make("Adam", {"clipnorm": 0.5}, CASES[5][3])
    theirs = keras_steps["configs"]["adam-schedule"]
    assert theirs["config"]["learning_rate"]["class_name"] == "CosineDecay"
    assert theirs["config"]["learning_rate"]["config"] == ours.get_config()["learning_rate"]["config"]
    assert {k: v for k, v in theirs["config"].items() if k != "name"} == {
        k: v for k, v in ours.get_config().items() if k != "name"
    }
    assert theirs["rate_at_3"] == pytest.approx(ours.schedule(3), rel=1e-6)


def test_accumulation_changes_the_weights_every_nth_step_with_the_mean_gradient():
    w = Tensor([1.0, -2.0], requires_grad=True)
    opt = optimizers.SGD(learning_rate=0.5, gradient_accumulation_steps=3).build([w])
    for k, g in enumerate([[1.0, 0.0], [2.0, 3.0], [3.0, 3.0]]):
        w.grad = np.array(g)
        opt.step()
        assert opt._iterations == k + 1 and opt.iterations == (k + 1) // 3
    np.testing.assert_array_equal(w.data, [1.0 - 0.5 * 2.0, -2.0 - 0.5 * 2.0])
    np.testing.assert_array_equal(opt.accumulators[w], [0.0, 0.0])


def test_clipping_leaves_grad_as_backward_made_it_and_the_trace_shows_the_clipped_gradient():
    w = Tensor([3.0, 4.0], requires_grad=True)
    opt = optimizers.SGD(learning_rate=0.1, clipnorm=1.0).build([w])
    (w * w).sum().backward()  # ∇ = 2w = [6, 8], norm 10
    with gradviz.trace() as t:
        opt.step()
    np.testing.assert_array_equal(w.grad, [6.0, 8.0])
    np.testing.assert_allclose(t.updates[0].parameters[0].gradient, [0.6, 0.8])
    np.testing.assert_allclose(w.data, [3.0 - 0.06, 4.0 - 0.08])


def test_a_float32_model_stays_float32_and_a_scalar_value_is_clipped():
    _, params, _ = run_gradviz("Adam", {"learning_rate": 0.01, "global_clipnorm": 1.0}, CASES[5][3], np.float32)
    assert all(p.data.dtype == np.float32 for p in params)
    v = Value(2.0)
    opt = optimizers.SGD(learning_rate=1.0, clipvalue=0.25).build([v])
    (v * v).backward()
    opt.step()
    assert v.data == 1.75 and v.grad == 4.0


def test_a_schedule_sets_each_update_rate_and_cannot_be_set_as_keras_says():
    rates = schedules.PiecewiseConstantDecay([1], [0.5, 0.25])
    w = Tensor([1.0], requires_grad=True)
    opt = optimizers.SGD(learning_rate=rates).build([w])
    assert opt.schedule is rates and opt.learning_rate == 0.5
    for expected in (1.0 - 0.5, 0.5 - 0.5 * 0.5, 0.25 - 0.25 * 0.25):  # ∇ = w; rates 0.5 (k = 0, 1), then 0.25
        w.grad = w.data.copy()
        opt.step()
        assert w.data[0] == expected
    assert opt.learning_rate == 0.25 and opt.iterations == 3
    with pytest.raises(TypeError, match="created with a `LearningRateSchedule`.*not settable"):
        opt.learning_rate = 0.1
    opt.learning_rate = schedules.ExponentialDecay(0.1, 1, 0.5)  # a schedule replaces a schedule, as in Keras
    assert opt.learning_rate == pytest.approx(0.1 * 0.5**3)


def test_learning_rate_callbacks_on_an_optimizer_with_a_schedule_raise_keras_type_error():
    X, y = np.ones((8, 2)), np.ones(8)
    model = gkeras.Sequential([gkeras.Input(shape=(2,)), gkeras.layers.Dense(1)], seed=0)
    model.compile(optimizer=optimizers.SGD(learning_rate=schedules.CosineDecay(0.1, 10)), loss="mse")
    reduce = gkeras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    with pytest.raises(TypeError, match="not settable"):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[reduce])


def test_fit_trains_with_a_schedule_clipping_and_accumulation_and_the_keras_file_keeps_them(tmp_path):
    X = np.linspace(-1, 1, 32).reshape(-1, 1)
    y = 3.0 * X[:, 0] + 1.0
    schedule = schedules.CosineDecay(0.05, 40, warmup_target=0.2, warmup_steps=8)
    opt = optimizers.Adam(learning_rate=schedule, global_clipnorm=5.0, gradient_accumulation_steps=2)
    model = gkeras.Sequential([gkeras.Input(shape=(1,)), gkeras.layers.Dense(1)], seed=0)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(X, y, batch_size=8, epochs=10, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 4
    assert opt._iterations == 40 and opt.iterations == 20 and opt.learning_rate == schedule(40)
    loaded = gkeras.saving.load_model(model.save(str(tmp_path / "m.keras")))
    again = loaded._optimizer_spec
    assert isinstance(again.schedule, schedules.CosineDecay)
    assert again.schedule.get_config() == schedule.get_config()
    assert (again.global_clipnorm, again.gradient_accumulation_steps) == (5.0, 2)


def test_config_round_trips_and_the_repr_shows_what_was_changed():
    opt = optimizers.SGD(learning_rate=schedules.InverseTimeDecay(0.1, 5, 0.5), clipvalue=0.5)
    config = json.loads(json.dumps(opt.get_config()))
    twin = optimizers.SGD.from_config(config)
    assert twin.get_config() == opt.get_config() and twin.clipvalue == 0.5
    assert repr(opt).startswith("SGD(learning_rate=InverseTimeDecay(") and "clipvalue=0.5" in repr(opt)
    assert "clipnorm" not in repr(opt) and "use_ema" not in repr(opt)
    assert optimizers.get({"class_name": "SGD", "config": config}).schedule(5) == pytest.approx(0.1 / 1.5)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"clipnorm": 1.0, "clipvalue": 1.0}, ValueError, "Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"),
        ({"gradient_accumulation_steps": 1}, ValueError, "must be an integer >= 2"),
        ({"gradient_accumulation_steps": 2.5}, ValueError, "must be an integer >= 2"),
        ({"clipnorm": -1.0}, ValueError, "clipnorm must be ≥ 0"),
        ({"use_ema": True}, ValueError, "use_ema not supported"),
        ({"learning_rate": lambda: 0.1}, TypeError, "LearningRateSchedule"),
    ],
)
def test_bad_per_step_arguments_are_refused(arguments, error, message):
    with pytest.raises(error, match=message):
        optimizers.Adam(**arguments)


# -- the pure functions, on jax.numpy (the jax backend's compiled loop calls them) ----------------------------


@pytest.mark.parametrize("clipping", [{"clipnorm": 1.0}, {"global_clipnorm": 1.5}, {"clipvalue": 0.4}, {}])
def test_clip_gradients_on_jax_inside_jit_equals_numpy(clipping):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    opt = optimizers.SGD(**clipping)
    _, gradients = weights_and_gradients()
    for step in gradients[:4]:
        step = [g.astype(np.float32) for g in step]
        on_jax = jax.jit(lambda grads: opt.clip_gradients(jnp, grads))([jnp.asarray(g) for g in step])
        for a, b in zip(on_jax, opt.clip_gradients(np, step), strict=True):
            assert a.dtype == jnp.float32
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-6)


def test_global_clipnorm_of_zero_gradients_keeps_them_and_of_infinite_ones_gives_nan_as_keras():
    opt = optimizers.SGD(global_clipnorm=1.0)
    with np.errstate(all="raise"):  # no divide-by-zero along the way
        zeros = opt.clip_gradients(np, [np.zeros(2), np.zeros(3)])
    assert all(np.array_equal(g, np.zeros_like(g)) for g in zeros)
    with np.errstate(invalid="ignore"):
        assert np.isnan(opt.clip_gradients(np, [np.array([np.inf, 1.0])])[0]).all()


def test_accumulate_on_jax_inside_jit_with_a_traced_step_count_equals_numpy():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    opt = optimizers.Adam(gradient_accumulation_steps=3)
    _, gradients = weights_and_gradients()
    accumulate = jax.jit(lambda grads, sums, k: opt.accumulate(jnp, grads, sums, k))
    sums_np = [np.zeros(shape) for shape in SHAPES]
    sums_jax = [jnp.zeros(shape, jnp.float32) for shape in SHAPES]
    for k, step in enumerate(gradients[:7]):
        apply_np, mean_np, sums_np = opt.accumulate(np, step, sums_np, k)
        apply_jax, mean_jax, sums_jax = accumulate([jnp.asarray(g, jnp.float32) for g in step], sums_jax, jnp.int32(k))
        assert bool(apply_np) == bool(apply_jax) == ((k + 1) % 3 == 0)
        assert apply_jax.dtype == jnp.bool_ and apply_jax.shape == ()
        for a, b in zip([*mean_jax, *sums_jax], [*mean_np, *sums_np], strict=True):
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-6, atol=1e-6)
