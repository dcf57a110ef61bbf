"""FitDashboard with a real fit, and the dashboard's pure picture functions (widgets/_dashboard_plots.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import gradviz  # noqa: E402
from gradviz import keras  # noqa: E402
from gradviz.data import load_iris, make_moons  # noqa: E402
from gradviz.widgets import _dashboard_plots as plots  # noqa: E402
from gradviz.widgets._dashboard_panels import Throttle  # noqa: E402
from gradviz.widgets.dashboard import FitDashboard  # noqa: E402


def moons_model(hidden_activation: str = "relu", layers: int = 1):
    hidden = [keras.Dense(8, activation=hidden_activation) for _ in range(layers)]
    model = keras.Sequential([*hidden, keras.Dense(1, activation="sigmoid")], seed=0)
    return model.compile("adam", "binary_crossentropy", metrics=["accuracy"], learning_rate=0.05)


@pytest.fixture(scope="module")
def moons():
    return make_moons(120, noise=0.1, seed=0)


def test_fit_with_the_dashboard_records_every_epoch_and_shows_the_last_one(moons):
    X, y = moons
    board = FitDashboard(x=X, y=y, resolution=30)
    model = moons_model()
    history = model.fit(X, y, epochs=6, batch_size=32, verbose=0, validation_split=0.25, callbacks=[board])
    assert board.epochs == [1, 2, 3, 4, 5, 6]
    assert sorted(board.history) == sorted(history.history)
    for key, values in history.history.items():
        assert board.history[key] == pytest.approx(values)
    assert "epoch 6 · loss" in board.status.value and "validation: loss" in board.status.value
    assert f"{history.history['loss'][-1]:.4f}" in board.status.value
    assert (board.progress.value, board.progress.max) == (6, 6)
    assert board.progress_text.value == "6 of 6 epochs"
    assert board.gradients.layers == ["dense", "dense_1"]
    assert len(board.gradients.mean_abs["dense"]) == 6
    for image in (board.panels.curves, board.panels.gradient_bars, board.boundary):
        assert bytes(image.value).startswith(b"\x89PNG")
    assert "gradviz-loss" in board.status._dom_classes


def test_a_fast_fit_redraws_the_pictures_only_when_due_and_once_at_the_end(moons):
    X, y = moons
    board = FitDashboard(x=X, y=y, redraw_interval=3600.0, resolution=20)
    moons_model().fit(X, y, epochs=8, verbose=0, callbacks=[board])
    assert board.panels.drawn == 2  # the first epoch (nothing was drawn before), then the end of training
    assert "epoch 8 · loss" in board.status.value


def test_a_second_fit_from_epoch_zero_starts_new_curves(moons):
    X, y = moons
    board = FitDashboard(x=X, y=y, resolution=20, redraw_interval=3600.0)
    model = moons_model()
    model.fit(X, y, epochs=3, verbose=0, callbacks=[board])
    model.fit(X, y, epochs=2, verbose=0, callbacks=[board])
    assert board.epochs == [1, 2] and len(board.history["loss"]) == 2
    model.fit(X, y, epochs=4, initial_epoch=2, verbose=0, callbacks=[board])  # Keras' way to continue
    assert board.epochs == [1, 2, 3, 4]


def test_inputs_with_more_than_two_features_train_without_a_boundary_panel():
    X, y = load_iris()
    board = FitDashboard(x=X, y=y, resolution=20)
    assert board.boundary is None
    model = keras.Sequential([keras.Dense(6, activation="relu"), keras.Dense(3, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=2, verbose=0, callbacks=[board])
    assert board.epochs == [1, 2] and "accuracy" in board.status.value
    note = plots.boundary_figure(model, X, y, epoch=2)  # what the Playground shows for such data
    assert note.texts[0].get_text() == "no decision boundary: the inputs have 4 features (it needs 2)"


def test_regression_targets_and_images_train_without_a_boundary_panel():
    X = np.random.default_rng(0).normal(size=(40, 2))
    targets = X @ np.array([1.5, -2.0]) + 0.3
    board = FitDashboard(x=X, y=targets)
    assert board.boundary is None
    model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse", learning_rate=0.05)
    model.fit(X, targets, epochs=2, verbose=0, callbacks=[board])
    assert "epoch 2 · loss" in board.status.value and "accuracy" not in board.status.value
    assert FitDashboard(x=np.zeros((5, 8, 8)), y=np.arange(5)).boundary is None


def test_without_x_there_is_no_boundary_panel(moons):
    X, y = moons
    board = FitDashboard()
    moons_model().fit(X, y, epochs=1, verbose=0, callbacks=[board])
    assert board.boundary is None and board.epochs == [1]


def test_one_hot_labels_colour_the_points_by_class():
    X, y = make_moons(40, seed=1)
    board = FitDashboard(x=X, y=np.eye(2)[y])
    assert board.panels.y.tolist() == y.tolist()


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"one row per sample \(n_samples, n_features\), got shape \(5,\)"):
        FitDashboard(x=np.zeros(5))
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        FitDashboard(x=np.zeros((4, 2)), y=[0, 1, 0])
    with pytest.raises(ValueError, match="'validation' or 'test'"):
        plots.status_text(1, {"loss": 0.5}, held_out="dev")


def test_the_dashboard_shows_as_its_widget_in_a_notebook():
    board = FitDashboard()
    bundle = board._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == board.widget.model_id


# -- the pure pictures ------------------------------------------------------------------------------------


def test_status_text_gives_the_epoch_loss_accuracy_and_held_out_numbers():
    logs = {"loss": 0.34121, "accuracy": 0.9104, "val_loss": 0.4, "val_accuracy": 0.85}
    assert plots.status_text(12, logs) == (
        "epoch 12 · loss 0.3412 · accuracy 0.910 (validation: loss 0.4000, accuracy 0.850)"
    )
    assert plots.status_text(3, {"loss": 1.5}) == "epoch 3 · loss 1.5000"
    assert plots.status_text(3, {"loss": math.nan}) == "epoch 3 · loss nan"


def test_curves_draw_loss_above_accuracy_with_training_and_held_out_lines():
    history = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.5, 0.8, 0.9], "val_loss": [1.0, 0.6, 0.5]}
    fig = plots.curves_figure(history, held_out="test")
    loss_axis, accuracy_axis = fig.axes
    assert [loss_axis.get_title(), accuracy_axis.get_title()] == ["loss", "accuracy"]
    assert [line.get_label() for line in loss_axis.get_lines()] == ["training", "test"]
    assert list(loss_axis.get_lines()[1].get_ydata()) == [1.0, 0.6, 0.5]
    assert [line.get_label() for line in accuracy_axis.get_lines()] == ["training"]
    assert accuracy_axis.get_xlabel() == "epoch"
    assert plots.curves_figure({}).texts[0].get_text() == "no epoch trained yet"


def test_gradient_bars_are_one_per_layer_on_a_log_scale_with_their_values_written():
    fig = plots.gradient_figure(["dense", "dense_1", "dense_2"], [2e-6, 3e-4, 5e-2], epoch=7)
    axis = fig.axes[0]
    assert axis.get_yscale() == "log"
    assert [bar.get_height() for bar in axis.patches] == [2e-6, 3e-4, 5e-2]
    assert [tick.get_text() for tick in axis.get_xticklabels()] == ["dense", "dense_1", "dense_2"]
    assert [text.get_text() for text in axis.texts] == ["2.0e-06", "3.0e-04", "5.0e-02"]
    assert axis.get_title() == "gradient size per layer, epoch 7"
    assert plots.gradient_figure([], [], 0).texts[0].get_text() == "gradients appear after the first epoch"


def test_a_deep_sigmoid_fit_shows_vanishing_gradients_in_the_bars(moons):
    X, y = moons
    board = FitDashboard(resolution=20)
    model = moons_model("sigmoid", layers=4)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"], learning_rate=0.1)
    model.fit(X, y, epochs=2, verbose=0, callbacks=[board])
    layers, values = board.panels.gradient_values()
    assert layers == ["dense", "dense_1", "dense_2", "dense_3", "dense_4"]
    assert values[0] < values[-1] / 20


def test_the_pictures_and_the_status_speak_spanish():
    previous = gradviz.get_language()
    gradviz.set_language("es")
    try:
        assert plots.status_text(2, {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.6, "val_accuracy": 0.7}) == (
            "época 2 · pérdida 0.5000 · exactitud 0.750 (validación: pérdida 0.6000, exactitud 0.700)"
        )
        fig = plots.curves_figure({"loss": [0.5], "accuracy": [0.7], "val_loss": [0.6]}, held_out="test")
        assert [axis.get_title() for axis in fig.axes] == ["pérdida", "exactitud"]
        assert [line.get_label() for line in fig.axes[0].get_lines()] == ["entrenamiento", "prueba"]
        assert fig.axes[1].get_xlabel() == "época"
        bars = plots.gradient_figure(["dense"], [1e-3], epoch=1).axes[0]
        assert bars.get_title() == "tamaño del gradiente por capa, época 1"
        X, y = make_moons(30, seed=0)
        board = FitDashboard(x=X, y=y, resolution=20)
        moons_model().fit(X, y, epochs=2, verbose=0, callbacks=[board])
        assert "época 2 · pérdida" in board.status.value
        assert board.progress_text.value == "2 de 2 épocas"
    finally:
        gradviz.set_language(previous)


def test_the_throttle_lets_one_moment_through_per_interval():
    moments = iter([0.0, 0.2, 0.49, 0.5, 0.6, 1.2])
    throttle = Throttle(0.5, clock=lambda: next(moments))
    assert [throttle.due() for _ in range(6)] == [True, False, False, True, False, True]


def test_fit_with_dashboard_true_shows_a_dashboard_that_follows_the_run(moons, capsys):
    X, y = moons
    model = moons_model()
    history = model.fit(X, y, epochs=3, batch_size=32, verbose=0, dashboard=True)
    board = model.dashboard
    assert isinstance(board, FitDashboard)
    assert board.epochs == [1, 2, 3]
    assert board.history["loss"] == pytest.approx(history.history["loss"])


def test_fit_without_dashboard_adds_no_callback(moons):
    X, y = moons
    model = moons_model()
    model.fit(X, y, epochs=1, batch_size=32, verbose=0)
    assert not hasattr(model, "dashboard")


def test_a_second_fit_with_the_same_dashboard_keeps_its_first_epochs_gradients(moons):
    X, y = moons
    board = FitDashboard(x=X, y=y, resolution=20)
    model = moons_model()
    model.fit(X, y, epochs=2, batch_size=32, verbose=0, callbacks=[board])
    model.fit(X, y, epochs=2, batch_size=32, verbose=0, callbacks=[board])
    assert board.epochs == [1, 2]
    for values in board.gradients.mean_abs.values():
        assert all(math.isfinite(value) for value in values), values
