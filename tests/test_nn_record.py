"""gradviz.nn.record: one training step of a model recorded as a Trace, leaving the model as it was."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import Tensor, keras, nn
from gradviz.nn import record_step
from gradviz.nn.record import KERAS_LOSS_KINDS

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]])


def test_record_step_records_the_forward_the_loss_and_one_backward_pass():
    model = nn.MLP(2, [3, 1], seed=0)
    t = record_step(model, X, np.array([1.0, 0.0, 1.0]), loss="mse")
    assert t.output.label == "L" and t.output.op == "mse" and len(t.outputs) == 1
    assert [s.op for s in t.forward_steps] == [
        "transpose",
        "matmul",
        "add",
        "relu",
        "transpose",
        "matmul",
        "add",
        "mse",
    ]
    labels = {node.label for node in t.graph().nodes}
    assert {"x", "y", "W¹", "b¹", "W²", "b²", "L"} <= labels
    step = t.backward_steps[-1]
    assert step.seed is False and t.backward_steps[0].seed


def test_record_step_leaves_every_gradient_and_every_value_of_the_model_as_it_was():
    model = nn.MLP(2, [3, 1], seed=0)
    model[0].weight.grad = np.full((3, 2), 7.0)  # left over from the user's own backward
    kept = model[0].weight.grad
    before = [p.data.copy() for p in model.parameters()]
    t = record_step(model, X, np.zeros(3), loss="mse")
    assert model[0].weight.grad is kept and np.all(kept == 7.0)
    assert all(p.grad is None for p in model.parameters()[1:])
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before, strict=True))
    reached = next(e for s in t.backward_steps for e in s.edges if e.input is model[0].weight)
    model.zero_grad()  # the lesson shows this batch's gradient, not 7 + it
    nn.MSELoss()(model(Tensor(X)), Tensor(np.zeros((3, 1)))).backward()
    np.testing.assert_allclose(reached.accumulated, model[0].weight.grad)


def test_keras_names_and_torch_names_of_a_loss_both_work():
    model = nn.MLP(2, [2, 1], output_activation="sigmoid", seed=0)
    y = np.array([1.0, 0.0, 1.0])
    torch_style = record_step(model, X, y, loss="bce").output.data
    keras_style = record_step(model, X, y, loss="binary_crossentropy").output.data
    assert torch_style == pytest.approx(keras_style)
    assert record_step(model, X, y, loss=nn.BCELoss()).output.data == pytest.approx(torch_style)


def test_every_keras_loss_rule_has_a_gradviz_loss():
    assert set(keras.LOSSES.values()) == set(KERAS_LOSS_KINDS)
    assert set(KERAS_LOSS_KINDS.values()) <= set(nn.LOSSES)


def test_a_keras_models_cross_entropy_reads_its_logits_as_compile_does():
    model = keras.Sequential(
        [keras.Dense(4, activation="tanh", input_dim=2), keras.Dense(3, activation="softmax")], seed=0
    )
    labels = np.array([0, 2, 1])
    t = record_step(model, X, labels, loss="sparse_categorical_crossentropy")
    assert t.output.op == "cross_entropy" and "softmax" not in [s.op for s in t.forward_steps]
    model.compile("sgd", loss="sparse_categorical_crossentropy")
    assert t.output.data == pytest.approx(model.evaluate(X, labels))
    assert record_step(model, X, labels).output.data == pytest.approx(t.output.data)  # the compiled loss


def test_a_keras_binary_classifier_and_regression():
    model = keras.Sequential(
        [keras.Dense(3, activation="relu", input_dim=2), keras.Dense(1, activation="sigmoid")], seed=0
    )
    y = np.array([1, 0, 1])
    t = record_step(model, X, y, loss="binary_crossentropy")
    assert t.output.op == "binary_cross_entropy_with_logits"
    assert t.output.data == pytest.approx(model.compile("sgd", "binary_crossentropy").evaluate(X, y))
    regression = keras.Sequential([keras.Dense(2, activation="relu", input_dim=2), keras.Dense(1)], seed=0)
    t = record_step(regression, X, np.array([0.5, -1.0, 2.0]), loss="mse")
    assert t.output.data == pytest.approx(regression.compile("sgd", "mse").evaluate(X, np.array([0.5, -1.0, 2.0])))


def test_a_scalar_network_is_fed_one_sample_per_row():
    net = nn.ScalarMLP(2, [2, 1], seed=0)
    t = record_step(net, X, np.array([1.0, 0.0, 1.0]), loss="mse")
    expected = np.mean([(net(list(row)).data - target) ** 2 for row, target in zip(X, [1.0, 0.0, 1.0], strict=True)])
    assert t.output.data == pytest.approx(expected)
    assert all(p.grad is None for p in net.parameters())


def test_record_step_says_what_it_needs():
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="needs a loss: loss='mse'"):
        record_step(model, X, np.zeros(3))
    with pytest.raises(ValueError, match="unknown loss 'huber'; valid names: .*bce.*binary_crossentropy"):
        record_step(model, X, np.zeros(3), loss="huber")
    with pytest.raises(TypeError, match="takes a gradviz.nn Module or a gradviz.keras model"):
        record_step(lambda x: x, X, np.zeros(3), loss="mse")
    with pytest.raises(TypeError, match="must be one number"):
        record_step(model, X, np.zeros(3), loss=lambda pred, target: pred - target)
