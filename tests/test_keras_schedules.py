"""keras.optimizers.schedules: every schedule gives Keras 3's rate at every step (real Keras, float64, in a
subprocess), Keras' defaults and configs, and the same formula on jax.numpy inside jit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gradviz.keras.optimizers import schedules

STEPS = list(range(0, 130)) + [500, 10_000]

# (name, class, arguments): each schedule and its options (staircase, cycle, warmup, alpha, restarts)
CASES = [
    ("exponential", "ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9}),
    (
        "exponential-staircase",
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9, "staircase": True},
    ),
    ("piecewise", "PiecewiseConstantDecay", {"boundaries": [10, 20, 35], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("piecewise-one-boundary", "PiecewiseConstantDecay", {"boundaries": [3], "values": [0.2, 0.02]}),
    ("polynomial", "PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30}),
    (
        "polynomial-sqrt",
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.001, "power": 0.5},
    ),
    (
        "polynomial-cycle",
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.01, "power": 2.0, "cycle": True},
    ),
    ("inverse-time", "InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}),
    (
        "inverse-time-staircase",
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5, "staircase": True},
    ),
    ("cosine", "CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40}),
    ("cosine-alpha", "CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40, "alpha": 0.2}),
    (
        "cosine-warmup",
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 40, "warmup_target": 0.2, "warmup_steps": 10},
    ),
    (
        "cosine-warmup-alpha",
        "CosineDecay",
        {"initial_learning_rate": 0.01, "decay_steps": 50, "alpha": 0.1, "warmup_target": 0.1, "warmup_steps": 7},
    ),
    ("restarts", "CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    (
        "restarts-constant-period",
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1},
    ),
    (
        "restarts-slow-growth",
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 8, "t_mul": 1.5, "m_mul": 0.8},
    ),
]
IDS = [name for name, _, _ in CASES]

# Real Keras 3 on JAX in float64 (a process of its own: float64 needs JAX_ENABLE_X64 before jax is imported)
_KERAS_SCRIPT = r"""
import json, sys
import jax
import numpy as np
import keras
keras.config.set_floatx("float64")
spec = json.load(sys.stdin)
out = {}
for name, class_name, arguments in spec["cases"]:
    schedule = getattr(keras.optimizers.schedules, class_name)(**arguments)
    out[name] = {
        "rates": np.asarray(jax.vmap(schedule)(np.array(spec["steps"], dtype=np.int64))).tolist(),
        "serialized": keras.optimizers.schedules.serialize(schedule),
    }
json.dump(out, sys.stdout)
"""


@pytest.fixture(scope="module")
def keras_rates():
    """Each case's rates at STEPS and its serialized form, from real Keras 3."""
    os.environ.setdefault("KERAS_BACKEND", "jax")  # as test_keras3_fidelity: Keras on JAX (the reference runs apart)
    pytest.importorskip("keras", reason="real Keras is the optional comparison: pip install keras jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, "-c", _KERAS_SCRIPT],
        input=json.dumps({"cases": CASES, "steps": STEPS}),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if done.returncode:
        if "keras" in done.stderr and ("ModuleNotFoundError" in done.stderr or "ImportError" in done.stderr):
            pytest.skip(f"real Keras 3 could not start on jax: {done.stderr.strip().splitlines()[-1]}")
        raise AssertionError(f"the Keras reference failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def make(class_name, arguments):
    return getattr(schedules, class_name)(**arguments)


@pytest.mark.parametrize(("name", "class_name", "arguments"), CASES, ids=IDS)
def test_each_schedule_gives_keras_3_rate_at_every_step(keras_rates, name, class_name, arguments):
    ours = make(class_name, arguments)
    rates = [ours(k) for k in STEPS]
    assert all(isinstance(rate, float) for rate in rates)
    # Keras' ops.cos computes in float32 even with floatx float64: its cosines are float32's, 1e-7 of the peak
    peak = max(rates)
    atol = 1e-7 * peak if class_name.startswith("Cosine") else 1e-15
    np.testing.assert_allclose(rates, keras_rates[name]["rates"], rtol=1e-6, atol=atol)


@pytest.mark.parametrize(("name", "class_name", "arguments"), CASES, ids=IDS)
def test_each_schedule_has_keras_3_config_and_reads_keras_serialized_form(keras_rates, name, class_name, arguments):
    ours = make(class_name, arguments)
    serialized = keras_rates[name]["serialized"]  # Keras' defaults included
    assert json.loads(json.dumps(schedules.serialize(ours))) == serialized
    again = schedules.deserialize(serialized)
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    assert [again(k) for k in (0, 9, 33, 120)] == [ours(k) for k in (0, 9, 33, 120)]


def test_keras_import_paths_reach_the_schedules():
    from gradviz.keras.optimizers.schedules import CosineDecay

    from gradviz import keras

    assert keras.optimizers.schedules.CosineDecay is CosineDecay is schedules.CosineDecay
    assert issubclass(CosineDecay, keras.optimizers.schedules.LearningRateSchedule)


@pytest.mark.parametrize(("name", "class_name", "arguments"), CASES, ids=IDS)
def test_value_over_an_array_of_steps_is_the_curve_of_single_steps(name, class_name, arguments):
    ours = make(class_name, arguments)
    curve = ours.value(np, np.array(STEPS))
    assert curve.shape == (len(STEPS),)
    # to rounding, not bit for bit: on a CPU with AVX-512 numpy computes log/power/cos over an array with its own
    # vector routines, which may differ from the one-number results in the last bit (seen: 3e-16 relative)
    np.testing.assert_allclose(curve, [ours(k) for k in STEPS], rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize(("name", "class_name", "arguments"), CASES, ids=IDS)
def test_value_on_jax_inside_jit_with_a_traced_int32_step_matches_numpy(name, class_name, arguments):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    ours = make(class_name, arguments)
    rate_at = jax.jit(lambda step: ours.value(jnp, step))  # a Python `if` on the step would fail to trace
    on_jax = np.array([float(rate_at(jnp.int32(k))) for k in STEPS])
    # jax computes in float32 here (as the jax backend does): float32's rounding, near 0 as an absolute 1e-8
    np.testing.assert_allclose(on_jax, [ours.value(np, k) for k in STEPS], rtol=2e-6, atol=1e-8)
    scanned = jax.lax.scan(lambda k, _: (k + 1, ours.value(jnp, k)), jnp.int32(0), None, length=40)[1]
    np.testing.assert_allclose(np.asarray(scanned), on_jax[:40], rtol=1e-6)


def test_a_subclass_writes_its_formula_once_and_keras_style_call_only_subclasses_work_too():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def value(self, xp, step):
            return self.start * 0.5 ** xp.floor(step / 10)

        def get_config(self):
            return {"start": self.start}

    class KerasStyle(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1 / (step + 1)

    assert Halving(0.4)(25) == 0.1 and KerasStyle()(4) == pytest.approx(0.02)
    assert schedules.deserialize(schedules.serialize(Halving(0.4)), custom_objects={"Halving": Halving})(10) == 0.2
    with pytest.raises(ValueError, match="custom_objects"):
        schedules.deserialize(schedules.serialize(Halving(0.4)))
    with pytest.raises(NotImplementedError, match=r"value\(self, xp, step\)"):
        KerasStyle().value(np, 3)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), r"decay_steps` must be > 0"),
        (lambda: schedules.CosineDecay(0.1, -5), r"decay_steps` must be > 0"),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), r"first_decay_steps` must be > 0"),
        (lambda: schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5]), "1 less than the length of values"),
        (lambda: schedules.PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]), "strictly increasing"),
        (lambda: schedules.PolynomialDecay("0.1", 10), "initial_learning_rate must be a number"),
        (lambda: schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1), "warmup_steps must be ≥ 0"),
    ],
)
def test_bad_schedule_arguments_are_refused_with_keras_message(build, message):
    with pytest.raises(ValueError, match=message):
        build()
