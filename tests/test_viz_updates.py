"""The training iteration as a lesson (gradviz.viz.updates): optimizer steps recorded in a trace, update frames
with their numbers, iterations kept apart, the loss per iteration."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradviz
from gradviz import Tensor, Value
from gradviz.export import export
from gradviz.viz import frames
from gradviz.viz.updates import losses_per_iteration


def neuron_lesson(optimizer=gradviz.optim.SGD, iterations=2, **options):
    """The issue's example: a sigmoid neuron with a squared error, trained for a few iterations inside a trace."""
    w1, w2, b = Value(0.5, label="w₁"), Value(-0.3, label="w₂"), Value(0.1, label="b")
    opt = optimizer([w1, w2, b], **({"lr": 0.5} | options))
    with gradviz.trace() as t:
        for _ in range(iterations):
            opt.zero_grad()
            loss = ((w1 * 1.0 + w2 * 2.0 + b).sigmoid() - 1.0) ** 2
            loss.label = "L"
            loss.backward()
            opt.step()
    return t, (w1, w2, b)


def test_each_iteration_has_its_forward_backward_and_update_frames_and_a_summary_ends_the_lesson():
    t, _ = neuron_lesson()
    steps = frames(t, language="en")
    kinds = [frame.kind for frame in steps]
    assert {frame.iteration for frame in steps} == {0, 1} and t.iterations == 2
    first = [frame.kind for frame in steps if frame.iteration == 0]
    assert first[0] == "initial" and "backward" in first and first[-1] == "update"
    assert kinds.count("update") == 2 and kinds[-1] == "summary"
    assert [frame.index for frame in steps] == list(range(len(steps)))


def test_the_update_frame_writes_sgd_s_step_with_the_numbers_a_hand_computation_gives():
    t, (w1, w2, b) = neuron_lesson(iterations=1)
    (update,) = [frame for frame in frames(t, language="en") if frame.kind == "update"]
    # by hand: z = 0.5 − 0.6 + 0.1 = 0, p = σ(0) = 0.5, ∂L/∂z = 2(p − 1)·p(1 − p) = −0.25
    grads = {"w₁": -0.25 * 1.0, "w₂": -0.25 * 2.0, "b": -0.25}
    befores = {"w₁": 0.5, "w₂": -0.3, "b": 0.1}
    for change in update.updates:
        assert change.before == befores[change.label] and change.gradient == pytest.approx(grads[change.label])
        assert change.after == pytest.approx(befores[change.label] - 0.5 * grads[change.label])
    assert "w₁ ← w₁ − η·∂L/∂w₁ = 0.5 − 0.5 · (−0.25) = 0.625" in update.equation.splitlines()
    assert r"\leftarrow" in update.latex and update.node("w₁").value == pytest.approx(0.625)
    assert {update.node(label).state for label in ("w₁", "w₂", "b")} == {"active"}


def test_the_next_iteration_starts_from_the_new_values_and_its_loss_is_lower():
    t, _ = neuron_lesson()
    steps = frames(t)
    starts = [frame for frame in steps if frame.kind == "initial"]
    assert starts[1].node("w₁").value == pytest.approx(0.625)  # what the update frame said
    finals = [frame for frame in steps if frame.kind == "final"]
    losses = [frame.node("L").value for frame in finals]
    assert losses[1] < losses[0]
    summary = steps[-1]
    assert summary.kind == "summary" and "0.25" in summary.caption and "→" in summary.caption


def test_the_lesson_shows_what_was_recorded_even_after_the_parameters_change_again():
    t, (w1, w2, b) = neuron_lesson()
    before = [(frame.kind, frame.caption, frame.equation) for frame in frames(t)]
    w1.data, w2.data, b.data = 9.0, 9.0, 9.0
    assert [(frame.kind, frame.caption, frame.equation) for frame in frames(t)] == before


@pytest.mark.parametrize(
    ("optimizer", "options"),
    [
        (gradviz.optim.SGD, {}),
        (gradviz.optim.SGD, {"momentum": 0.9}),
        (gradviz.optim.SGD, {"momentum": 0.9, "nesterov": True}),
        (gradviz.optim.Adagrad, {}),
        (gradviz.optim.RMSprop, {"lr": 0.01}),
        (gradviz.optim.Adam, {"lr": 0.1}),
    ],
    ids=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
)
def test_the_update_frames_numbers_are_what_the_optimizer_did(optimizer, options):
    w = Tensor(np.array([[0.5, -0.3], [0.2, 0.8]]), requires_grad=True, label="W")
    x = Tensor(np.array([[1.0, 2.0]]), label="x")
    opt = optimizer([w], **options)
    seen = []
    with gradviz.trace() as t:
        for _ in range(3):
            opt.zero_grad()
            loss = ((x @ w).tanh() ** 2).sum()
            loss.label = "L"
            loss.backward()
            before, grad = w.data.copy(), w.grad.copy()
            opt.step()
            seen.append((before, grad, w.data.copy()))
    updates = [frame for frame in frames(t) if frame.kind == "update"]
    assert len(updates) == 3
    for frame, (before, grad, after) in zip(updates, seen, strict=True):
        (change,) = frame.updates
        np.testing.assert_array_equal(change.before, before)
        np.testing.assert_array_equal(change.gradient, grad)
        np.testing.assert_array_equal(change.after, after)
        assert "W ←" in frame.equation and frame.node("W").value is change.after


def test_momentum_and_adam_write_their_state_with_its_numbers():
    t, _ = neuron_lesson(gradviz.optim.SGD, momentum=0.9)
    momentum = [frame for frame in frames(t, language="en") if frame.kind == "update"][1]
    assert "v_w₁ ← μ·v_w₁ + ∂L/∂w₁" in momentum.equation and "(μ = 0.9)" in momentum.equation
    t, _ = neuron_lesson(gradviz.optim.Adam, lr=0.1)
    adam = [frame for frame in frames(t, language="en") if frame.kind == "update"][0]
    lines = adam.equation.splitlines()
    assert lines[0].startswith("m ← β₁·m + (1 − β₁)·∂L/∂w₁") and "m̂" in lines[0] and "v̂" in lines[1]
    change = adam.updates[0]
    assert math.isclose(float(change.state["exp_avg"]), 0.1 * float(change.gradient))  # β₁ = 0.9, first step


def test_update_frames_speak_spanish():
    t, _ = neuron_lesson()
    update = next(frame for frame in frames(t, language="es") if frame.kind == "update")
    assert update.caption.startswith("Paso de actualización 1 (SGD, η = 0,5)")
    assert "0,5 − 0,5 · (−0,25) = 0,625" in update.equation
    assert frames(t, language="es")[-1].caption.startswith("El coste en cada iteración: 0,25 →")


def test_a_trace_without_optimizer_steps_keeps_its_single_walkthrough():
    w = Value(2.0, label="w")
    with gradviz.trace() as t:
        (w * w).backward()
    assert not t.updates and all(frame.kind != "update" for frame in frames(t))


@pytest.mark.parametrize("suffix", ["html", "gif", "pdf", "pptx", "tex", ""])
def test_a_three_iteration_lesson_exports_in_every_format(suffix, tmp_path):
    t, _ = neuron_lesson(iterations=3)
    count = len(frames(t))
    result = export(t, tmp_path / (f"lesson.{suffix}" if suffix else "lesson"), focus=False)
    assert result.frames == count and result.path.exists()


def test_a_model_trained_in_a_lesson_steps_through_its_iterations_and_a_layer_s_update_at_a_time():
    from gradviz import nn
    from gradviz.nn.record import record_step

    model = nn.MLP(2, [2, 1], seed=0)
    opt = gradviz.optim.SGD(model.parameters(), lr=0.1)
    X, y = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0], [0.0]])
    start = model[0].weight.data.copy()
    t = record_step(model, X, y, loss="mse", optimizer=opt, iterations=3)
    steps = frames(t, language="en")
    updates = [frame for frame in steps if frame.kind == "update"]
    # one update frame per layer (W¹ and b¹, then W² and b²) in each of the three iterations
    assert len(updates) == 6 and [frame.iteration for frame in updates] == [0, 0, 1, 1, 2, 2]
    assert [change.label for change in updates[0].updates] == ["W¹", "b¹"]
    first = updates[0].updates[0]
    np.testing.assert_array_equal(first.before, start)
    np.testing.assert_allclose(first.after, start - 0.1 * first.gradient)
    assert updates[0].equation.startswith("W¹ ← W¹ − η·∂L/∂W¹ = [[")  # a small matrix written out
    losses = losses_per_iteration(t)
    assert losses[2] < losses[0] and steps[-1].kind == "summary"


def test_step_through_a_model_with_an_optimizer_opens_the_training_lesson():
    pytest.importorskip("ipywidgets")
    from gradviz import nn

    model = nn.MLP(2, [2, 1], seed=0)
    opt = gradviz.optim.Adam(model.parameters(), lr=0.05)
    stepper = gradviz.step_through(model, np.ones((3, 2)), np.zeros((3, 1)), loss="mse", optimizer=opt, iterations=2)
    kinds = [frame.kind for frame in stepper.frames]
    assert kinds.count("update") == 2 * 2 and kinds[-1] == "summary"  # a frame per layer, two iterations


def test_a_scalar_network_s_update_comes_one_neuron_at_a_time():
    from gradviz.nn.scalar import MLP

    model = MLP(2, [2, 1], seed=0)
    opt = gradviz.optim.SGD(model.parameters(), lr=0.1)
    x = [Value(1.0, requires_grad=False), Value(-1.0, requires_grad=False)]
    with gradviz.trace() as t:
        opt.zero_grad()
        loss = (model(x) - 1.0) ** 2
        loss.label = "L"
        loss.backward()
        opt.step()
    updates = [frame for frame in frames(t, language="en") if frame.kind == "update"]
    assert [[change.label for change in frame.updates] for frame in updates] == [
        ["W¹[0,0]", "W¹[0,1]", "b¹[0]"],
        ["W¹[1,0]", "W¹[1,1]", "b¹[1]"],
        ["W²[0,0]", "W²[0,1]", "b²[0]"],
    ]
    assert all(frame.caption.startswith("Update step 1, mlp/") for frame in updates)
