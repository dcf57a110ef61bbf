"""gradviz.callbacks: History, EarlyStopping, LambdaCallback, LearningRateScheduler, GradientRecorder."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradviz import Tensor, nn, optim
from gradviz.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    GradientRecorder,
    History,
    LambdaCallback,
    LearningRateScheduler,
)
from gradviz.data import make_moons
from gradviz.keras import Dense, Sequential


class Stub:
    """The little of a model EarlyStopping touches."""

    def __init__(self) -> None:
        self.stop_training = False
        self.weights = {"w": np.array([0.0])}

    def state_dict(self):
        return {key: value.copy() for key, value in self.weights.items()}

    def load_state_dict(self, state):
        self.weights = {key: value.copy() for key, value in state.items()}


def run_early_stopping(stop: EarlyStopping, values, key: str = "val_loss") -> tuple[Stub, int]:
    """Feed one monitored value per epoch; the stub's weight is the epoch number. Returns (stub, epochs run)."""
    stub = Stub()
    stop.set_model(stub)
    stop.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        stub.weights["w"] = np.array([float(epoch)])
        stop.on_epoch_end(epoch, {key: value})
        epochs += 1
        if stub.stop_training:
            break
    stop.on_train_end()
    return stub, epochs


def test_history_appends_each_epoch_and_pads_a_key_that_appears_late():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_epoch_end(1, {"loss": 0.5, "learning_rate": 0.1})
    assert history.epoch == [0, 1]
    assert history.history["loss"] == [1.0, 0.5]
    assert math.isnan(history.history["learning_rate"][0]) and history.history["learning_rate"][1] == 0.1
    assert repr(history) == "History(2 epochs: loss, learning_rate)"


def test_early_stopping_waits_patience_epochs_after_the_best_then_stops():
    stop = EarlyStopping(patience=2)
    stub, epochs = run_early_stopping(stop, [1.0, 0.8, 0.9, 0.85, 0.7, 0.6])
    assert epochs == 4 and stop.stopped_epoch == 3 and stop.best_epoch == 1 and stop.best == 0.8
    assert stub.weights["w"][0] == 3.0  # restore_best_weights=False leaves the last weights


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    stop = EarlyStopping(patience=1, restore_best_weights=True)
    stub, _ = run_early_stopping(stop, [1.0, 0.5, 0.7, 0.9])
    assert stub.weights["w"][0] == 1.0


def test_early_stopping_min_delta_counts_tiny_improvements_as_none():
    stop = EarlyStopping(patience=1, min_delta=0.1)
    _, epochs = run_early_stopping(stop, [1.0, 0.95, 0.92, 0.5])
    assert epochs == 2 and stop.best == 1.0


def test_early_stopping_mode_auto_maximises_accuracy_like_names():
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="val_loss").mode == "min"
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    _, epochs = run_early_stopping(stop, [0.5, 0.7, 0.6, 0.9], key="val_accuracy")
    assert epochs == 3 and stop.best == 0.7


def test_early_stopping_with_a_baseline_stops_when_it_is_never_beaten():
    stop = EarlyStopping(monitor="loss", patience=2, baseline=0.1)
    _, epochs = run_early_stopping(stop, [0.5, 0.4, 0.3, 0.2], key="loss")
    assert epochs == 2


def test_early_stopping_rejects_bad_settings():
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max'"):
        EarlyStopping(mode="smallest")
    with pytest.raises(ValueError, match="patience must be an integer"):
        EarlyStopping(patience=-1)


def test_lambda_callback_calls_the_functions_given_and_refuses_unknown_hooks():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append("begin"), on_batch_end=lambda b, logs: calls.append(b)
    )
    callback.on_train_begin({})
    callback.on_train_batch_end(3, {})
    assert calls == ["begin", 3]
    with pytest.raises(TypeError, match="no hook 'on_epoch_ends'; it takes: on_train_begin"):
        LambdaCallback(on_epoch_ends=print)


def test_callback_list_refuses_something_that_is_not_a_callback():
    with pytest.raises(TypeError, match=r"callbacks\[1\] is a function, not a gradviz Callback.*LambdaCallback"):
        CallbackList([Callback(), lambda epoch, logs: None])


def test_fit_calls_the_hooks_in_keras_order():
    events = []

    class Spy(Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):
            events.append(f"batch_end {batch}")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    model.fit(np.zeros((4, 1)), np.zeros(4), epochs=2, batch_size=2, validation_split=0.5, callbacks=[Spy()], verbose=0)
    assert events == [
        "train_begin",
        "epoch_begin 0",
        "batch_end 0",
        "epoch_end 0 ['loss', 'val_loss']",
        "epoch_begin 1",
        "batch_end 0",
        "epoch_end 1 ['loss', 'val_loss']",
        "train_end",
    ]


def test_a_callback_can_stop_training_through_the_model():
    model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
    stopper = LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1))
    history = model.fit(np.zeros((4, 1)), np.zeros(4), epochs=10, callbacks=[stopper], verbose=0)
    assert history.epoch == [0, 1]


# -- learning-rate schedules ----------------------------------------------------------------------------


def fit_with(callback, epochs: int = 4):
    model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse", learning_rate=0.1)
    history = model.fit(np.ones((4, 1)), np.ones(4), epochs=epochs, callbacks=[callback], verbose=0)
    return model, history


def test_learning_rate_scheduler_with_a_keras_function_sets_the_rate_each_epoch():
    _, history = fit_with(LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr))
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025, 0.0125]


def test_learning_rate_scheduler_builds_a_gradviz_scheduler_class_on_the_models_optimizer():
    scheduler = LearningRateScheduler(optim.StepLR, step_size=2, gamma=0.1)
    model, history = fit_with(scheduler)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.01, 0.01])
    assert scheduler.scheduler.optimizer is model.optimizer


def test_learning_rate_scheduler_refuses_a_scheduler_of_another_optimizer_and_stray_arguments():
    other = optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="built on another optimizer"):
        fit_with(LearningRateScheduler(optim.ExponentialLR(other, gamma=0.5)))
    with pytest.raises(TypeError, match="only go with a scheduler class"):
        LearningRateScheduler(lambda epoch, lr: lr, gamma=0.5)
    with pytest.raises(ValueError, match="returned -1"):
        fit_with(LearningRateScheduler(lambda epoch, lr: -1))


# -- gradient health -----------------------------------------------------------------------------------


def deep_net_gradients(activation: str) -> GradientRecorder:
    X, y = make_moons(64, noise=0.1, seed=0)
    layers = [Dense(16, activation=activation, kernel_initializer="glorot_normal") for _ in range(6)]
    model = Sequential([*layers, Dense(1, activation="sigmoid")], seed=0)
    model.compile("sgd", "binary_crossentropy", learning_rate=0.01)
    recorder = GradientRecorder()
    model.fit(X, y, epochs=3, batch_size=16, callbacks=[recorder], verbose=0, seed=0)
    return recorder


def test_gradient_recorder_shows_vanishing_gradients_with_sigmoid_but_not_relu():
    sigmoid, relu = deep_net_gradients("sigmoid"), deep_net_gradients("relu")
    assert sigmoid.layers == ["dense", *(f"dense_{k}" for k in range(1, 7))]
    assert sigmoid.epochs == [0, 1, 2] and all(len(sigmoid.mean_abs[layer]) == 3 for layer in sigmoid.layers)
    first_to_last = {
        name: recorder.mean_abs["dense"][0] / recorder.mean_abs["dense_5"][0]
        for name, recorder in (("sigmoid", sigmoid), ("relu", relu))
    }
    assert first_to_last["sigmoid"] < 0.005 and first_to_last["relu"] > 0.05  # seeded: 0.0008 vs 0.11
    assert sigmoid.as_array().shape == (3, 7)


def test_gradient_recorder_in_a_hand_written_loop_averages_over_the_batches():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    recorder = GradientRecorder(include_biases=True)
    expected = []
    for scale in (1.0, 3.0):
        model.zero_grad()
        (model(Tensor(np.ones((1, 2)))) * scale).sum().backward()
        expected.append(np.mean(np.abs(model[0].weight.grad)))
        recorder.record(model)
    recorder.end_epoch()
    assert recorder.layers == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert recorder.mean_abs["0.weight"] == [pytest.approx(np.mean(expected))]
    assert recorder.norms["2.bias"] == [pytest.approx(2.0)]  # |∂/∂b| = 1 then 3


def test_gradient_recorder_rejects_an_unknown_statistic():
    with pytest.raises(ValueError, match="'mean_abs' or 'norm'"):
        GradientRecorder().as_array("max")
