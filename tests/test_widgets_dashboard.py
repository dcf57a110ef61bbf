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
from gradviz.widgets._dashboard_panels import DashboardPanels, Throttle  # noqa: E402
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


def test_status_text_of_a_regression_gives_the_held_out_loss_without_an_accuracy():
    assert (
        plots.status_text(5, {"loss": 0.01234, "val_loss": 0.02}) == "epoch 5 · loss 0.0123 (validation: loss 0.0200)"
    )
    logs = {"loss": 0.01234, "mae": 0.1, "val_loss": 0.02, "val_mae": 0.12}
    assert plots.status_text(5, logs, held_out="test") == "epoch 5 · loss 0.0123 (test: loss 0.0200)"
    with gradviz.i18n.language("es"):
        assert plots.status_text(5, logs, held_out="test") == "época 5 · pérdida 0,0123 (prueba: pérdida 0,0200)"


def test_curves_of_a_regression_draw_the_loss_and_its_metric_and_no_accuracy():
    only_loss = plots.curves_figure({"loss": [0.5, 0.2], "val_loss": [0.6, 0.3]}, held_out="test")
    assert [axis.get_title() for axis in only_loss.axes] == ["loss"]
    assert [line.get_label() for line in only_loss.axes[0].get_lines()] == ["training", "test"]
    assert only_loss.axes[0].get_xlabel() == "epoch"
    with_mae = plots.curves_figure(
        {"loss": [0.5, 0.2], "mae": [0.6, 0.4], "val_loss": [0.6, 0.3], "val_mae": [0.7, 0.5]}
    )
    loss_axis, mae_axis = with_mae.axes
    assert mae_axis.get_title() == "mae" and list(mae_axis.get_lines()[1].get_ydata()) == [0.7, 0.5]
    assert mae_axis.get_ylim()[1] < 1.0  # not the accuracy's fixed 0..1 scale
    with gradviz.i18n.language("es"):
        assert [axis.get_title() for axis in plots.curves_figure({"loss": [0.5], "mae": [0.6]}).axes] == [
            "pérdida",
            "error absoluto medio",
        ]


def test_boundary_figure_of_a_regression_shows_the_output_after_the_epoch():
    X, y = make_moons(30, seed=0)
    targets = X[:, 0] - X[:, 1]
    fig = plots.boundary_figure(
        lambda grid: grid[:, 0] - grid[:, 1], X, targets, epoch=4, resolution=12, regression=True
    )
    axis = fig.axes[0]
    assert axis.get_title() == "output after epoch 4" and len(axis.images) == 1
    np.testing.assert_array_equal(axis.collections[0].get_array(), targets)
    with gradviz.i18n.language("es"):
        title = plots.boundary_figure(lambda grid: grid[:, 0], X, targets, 4, resolution=5, regression=True)
        assert title.axes[0].get_title() == "salida tras la época 4"
    note = plots.boundary_figure(lambda grid: grid[:, 0], np.zeros((4, 3)), np.zeros(4), 1, regression=True)
    assert note.texts[0].get_text() == "no output map: the inputs have 3 features (it needs 2)"


def test_boundary_figure_passes_test_points_and_discretize_to_the_classification_picture():
    X, y = make_moons(30, seed=0)
    fig = plots.boundary_figure(
        lambda grid: grid[:, 1] - 0.25, X, y, epoch=1, resolution=10, test=(X[:6], y[:6]), discretize=True
    )
    axis = fig.axes[0]
    assert [text.get_text() for text in axis.get_legend().get_texts()] == ["class 0", "class 1", "test"]
    assert np.unique(axis.images[0].get_array()).tolist() == [0, 1]


def regression_run(samples: int = 80):
    X, y = gradviz.data.make_gaussians(samples, noise=0.0, seed=0)
    model = keras.Sequential([keras.Dense(6, activation="tanh", input_dim=2), keras.Dense(1)], seed=0)
    return X, y, model.compile("adam", "mse", learning_rate=0.05)


def recorded_boundary_calls(monkeypatch) -> list[tuple[dict, object]]:
    calls = []
    draw = plots.boundary_figure

    def recording(*args, **kwargs):
        figure = draw(*args, **kwargs)
        calls.append((kwargs, figure))
        return figure

    monkeypatch.setattr(plots, "boundary_figure", recording)
    return calls


def test_panels_of_a_regression_draw_its_output_and_a_loss_only_history(monkeypatch):
    X, y, model = regression_run()
    calls = recorded_boundary_calls(monkeypatch)
    panels = DashboardPanels(X[:60], y[:60], resolution=12, redraw_interval=0.0)
    assert (panels.regression, panels.test_points, panels.show_test, panels.discretize) == (False, None, False, False)
    panels.regression = True
    panels.test_points = (X[60:], y[60:])
    assert panels.end_epoch(1, {"loss": 0.21, "val_loss": 0.25}, model)
    kwargs, figure = calls[-1]
    assert kwargs["regression"] is True and kwargs["test"] is None and kwargs["discretize"] is False
    assert figure.axes[0].get_title() == "output after epoch 1"
    assert "epoch 1 · loss 0.2100 (validation: loss 0.2500)" in panels.status.value
    assert "accuracy" not in panels.status.value
    for image in (panels.curves, panels.gradient_bars, panels.boundary):
        assert bytes(image.value).startswith(b"\x89PNG")


def test_panels_show_the_test_points_only_when_asked_and_discretize_the_output(monkeypatch):
    X, y, model = regression_run()
    calls = recorded_boundary_calls(monkeypatch)
    panels = DashboardPanels(X[:60], y[:60], resolution=12)
    panels.regression = True
    panels.test_points = (X[60:], y[60:])
    panels.show_test = panels.discretize = True
    panels.draw(model, 0, {"loss": 0.3})
    kwargs, figure = calls[-1]
    assert kwargs["test"] is panels.test_points and kwargs["discretize"] is True
    axis = figure.axes[0]
    assert [len(c.get_offsets()) for c in axis.collections] == [60, 20]
    assert [text.get_text() for text in axis.get_legend().get_texts()] == ["training", "test"]
    assert len(np.unique(axis.images[0].get_array())) <= 5
    panels.show_test = False
    panels.draw(model, 0, {"loss": 0.3})
    assert calls[-1][0]["test"] is None and len(calls[-1][1].axes[0].collections) == 1


def test_panels_feed_the_model_its_features_of_the_grid_for_a_regression_picture(monkeypatch):
    X, y, _ = regression_run()
    squares = lambda points: np.column_stack([points, points**2])  # noqa: E731
    model = keras.Sequential([keras.Dense(1, input_dim=4)], seed=0).compile("sgd", "mse")
    calls = recorded_boundary_calls(monkeypatch)
    panels = DashboardPanels(X, y, resolution=8)
    panels.regression, panels.features, panels.show_test = True, squares, True
    panels.test_points = (X[:5], y[:5])
    panels.draw(model, 2, {"loss": 0.3})
    image = calls[-1][1].axes[0].images[0]
    _, _, grid = gradviz.viz.plots.boundary_grid(X, 8)
    np.testing.assert_allclose(image.get_array(), model.predict(squares(grid))[:, 0].reshape(8, 8))


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
            "época 2 · pérdida 0,5000 · exactitud 0,750 (validación: pérdida 0,6000, exactitud 0,700)"
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
