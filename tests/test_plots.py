"""gradviz.viz.plots: training curves, decision boundaries, gradient flow and confusion matrices (headless)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from gradviz import Tensor, nn  # noqa: E402
from gradviz.callbacks import GradientRecorder, History  # noqa: E402
from gradviz.data import make_blobs, make_moons  # noqa: E402
from gradviz.keras import Dense, Sequential  # noqa: E402
from gradviz.viz.plots import (  # noqa: E402
    boundary_grid,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_gradient_norms,
    plot_history,
    plot_regression_surface,
)


def trained_moons_model(epochs: int = 20):
    X, y = make_moons(120, noise=0.1, seed=0)
    model = Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], learning_rate=0.05)
    recorder = GradientRecorder()
    history = model.fit(X, y, epochs=epochs, validation_split=0.25, callbacks=[recorder], verbose=0, seed=0)
    return model, history, recorder, X, y


@pytest.fixture(scope="module")
def moons_run():
    return trained_moons_model()


def test_importing_gradviz_and_its_training_modules_does_not_import_matplotlib():
    code = (
        "import sys, gradviz, gradviz.keras, gradviz.callbacks, gradviz.viz.plots; print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_plot_history_draws_one_panel_per_quantity_with_training_and_validation_lines(moons_run, tmp_path):
    _, history, _, _, _ = moons_run
    fig = plot_history(history)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    for ax, name in zip(fig.axes, ["loss", "accuracy"], strict=True):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["training", "validation"]
        assert np.array_equal(lines[0].get_xdata(), np.arange(1, 21))
        assert np.allclose(lines[1].get_ydata(), history.history[f"val_{name}"])
        assert ax.get_xlabel() == "epoch"
    path = tmp_path / "history.png"
    fig.savefig(path)
    assert path.stat().st_size > 10_000


def test_plot_history_without_validation_draws_only_the_training_line_and_reads_a_model_or_dict(moons_run):
    model, _, _, _, _ = moons_run
    fig = plot_history({"loss": [3.0, 2.0, 1.0]}, log_loss=True)
    assert len(fig.axes) == 1 and [line.get_label() for line in fig.axes[0].get_lines()] == ["training"]
    assert fig.axes[0].get_yscale() == "log"
    assert [ax.get_title() for ax in History.plot(model.history, metrics=["accuracy"]).axes] == ["accuracy"]
    assert len(plot_history(model).axes) == 2


def test_plot_history_into_given_axes_returns_their_figure():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    returned = plot_history({"loss": [1.0, 0.5], "val_loss": [1.2, 0.9], "accuracy": [0.5, 0.8]}, ax=ax)
    assert returned is fig and len(fig.axes) == 1
    assert [line.get_label() for line in ax.get_lines()] == ["loss", "val_loss", "accuracy"]


def test_plot_history_explains_unknown_metrics_and_empty_histories():
    with pytest.raises(KeyError, match="no 'f1' in the history; it holds loss"):
        plot_history({"loss": [1.0]}, metrics=["f1"])
    with pytest.raises(ValueError, match="history is empty"):
        plot_history(History())
    with pytest.raises(TypeError, match="takes a History"):
        plot_history([1.0, 2.0])


def test_plot_decision_boundary_of_a_binary_model_shades_probabilities_and_marks_both_classes(moons_run, tmp_path):
    model, _, _, X, y = moons_run
    fig = plot_decision_boundary(model, X, y, resolution=80)
    ax = fig.axes[0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    scatter_sizes = [len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets") and len(c.get_offsets())]
    assert sorted(scatter_sizes)[-2:] == sorted([int((y == 0).sum()), int((y == 1).sum())])
    assert fig.axes[1].get_ylabel() == "P(class 1)"  # the colour bar
    path = tmp_path / "moons.png"
    fig.savefig(path)
    assert path.stat().st_size > 10_000


def test_plot_decision_boundary_of_a_multiclass_model_colours_argmax_regions():
    X, y = make_blobs(90, seed=0)
    classes = int(y.max()) + 1
    model = Sequential([Dense(8, activation="relu"), Dense(classes, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", learning_rate=0.05).fit(X, y, epochs=10, verbose=0)
    fig = plot_decision_boundary(model, X, y, resolution=40, class_names=[f"blob {k}" for k in range(classes)])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [f"blob {k}" for k in range(classes)]
    assert len(fig.axes) == 1  # no colour bar for class regions


def test_plot_decision_boundary_reads_nn_modules_scalar_nets_and_functions():
    X, y = make_moons(30, noise=0.1, seed=0)
    tensor_net = nn.MLP(2, [8, 1], seed=0)
    assert plot_decision_boundary(tensor_net, X, y, resolution=20).axes[0].get_title() == "decision boundary"
    assert tensor_net.training  # the plot put it back in training mode
    scalar_net = nn.ScalarMLP(2, [4, 1], seed=0)
    fig = plot_decision_boundary(scalar_net, X, 2 * y - 1, resolution=8, title="scalar net")
    assert fig.axes[0].get_title() == "scalar net"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["class -1", "class 1"]
    fig = plot_decision_boundary(lambda grid: grid[:, 0] - 0.5, X, resolution=10)  # no labels: plain points
    assert fig.axes[0].get_legend() is None


def test_plot_decision_boundary_needs_two_features():
    with pytest.raises(ValueError, match=r"needs 2-D points, X of shape \(n, 2\); got \(5, 3\)"):
        plot_decision_boundary(lambda grid: grid[:, 0], np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X has 5 points but y has 4 labels"):
        plot_decision_boundary(lambda grid: grid[:, 0], np.zeros((5, 2)), np.zeros(4))


def point_collections(axis) -> list:
    return [c for c in axis.collections if isinstance(c, matplotlib.collections.PathCollection)]


def legend_texts(axis) -> list[str]:
    return [text.get_text() for text in axis.get_legend().get_texts()]


def test_held_out_points_are_drawn_in_their_class_colour_with_a_bolder_edge_and_named_test_in_the_legend():
    X, y = make_moons(60, noise=0.1, seed=0)
    X_test, y_test = make_moons(21, noise=0.1, seed=1)
    X_test = X_test + np.array([3.0, 0.0])  # beyond the training points: the grid must reach them
    fig = plot_decision_boundary(lambda grid: grid[:, 1] - 0.25, X, y, resolution=20, test=(X_test, y_test))
    axis = fig.axes[0]
    training_0, training_1, test = point_collections(axis)
    assert [len(c.get_offsets()) for c in (training_0, training_1, test)] == [30, 30, 21]
    assert legend_texts(axis) == ["class 0", "class 1", "test"]
    colours = {0: training_0.get_facecolor()[0], 1: training_1.get_facecolor()[0]}
    np.testing.assert_allclose(test.get_facecolor(), [colours[label] for label in y_test])
    assert test.get_linewidths()[0] > training_0.get_linewidths()[0]
    assert axis.get_xlim()[1] >= X_test[:, 0].max()
    without = plot_decision_boundary(lambda grid: grid[:, 1] - 0.25, X, y, resolution=20).axes[0]
    assert len(point_collections(without)) == 2 and legend_texts(without) == ["class 0", "class 1"]


def test_discretized_boundary_is_an_image_of_class_indices_only_without_a_colour_bar():
    X, y = make_moons(40, noise=0.1, seed=0)
    probability = lambda grid: 1 / (1 + np.exp(-4 * (grid[:, 1] - 0.25)))  # noqa: E731
    fig = plot_decision_boundary(probability, X, y, resolution=15, padding=0.2, discretize=True)
    (image,) = fig.axes[0].images
    _, _, grid = boundary_grid(X, 15, 0.2)
    np.testing.assert_array_equal(image.get_array(), (probability(grid) > 0.5).reshape(15, 15))
    assert len(fig.axes) == 1  # hard regions: no probability scale
    shaded = plot_decision_boundary(probability, X, y, resolution=15, padding=0.2)
    assert len(shaded.axes[0].images) == 0 and len(shaded.axes) == 2
    blobs, labels = make_blobs(60, centers=3, seed=0)
    scores = lambda grid: np.column_stack([grid[:, 0], -grid[:, 0], grid[:, 1]])  # noqa: E731
    regions = plot_decision_boundary(scores, blobs, labels, resolution=12, discretize=True).axes[0].images[0]
    _, _, grid = boundary_grid(blobs, 12)
    np.testing.assert_array_equal(regions.get_array(), scores(grid).argmax(axis=1).reshape(12, 12))


def surface_inputs():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    return X, 0.8 * X[:, 0] - X[:, 1] ** 2


def bowl(grid):
    return 0.8 * grid[:, 0] - grid[:, 1] ** 2


def test_regression_surface_image_is_the_models_output_on_the_grid_on_a_scale_centred_at_zero():
    X, y = surface_inputs()
    fig = plot_regression_surface(bowl, X, y, resolution=25, padding=0.3)
    axis = fig.axes[0]
    (image,) = axis.images
    _, _, grid = boundary_grid(X, 25, 0.3)
    np.testing.assert_allclose(image.get_array(), bowl(grid).reshape(25, 25))
    span = np.abs(y).max()
    assert (image.norm.vmin, image.norm.vmax) == (-span, span)
    (points,) = point_collections(axis)
    np.testing.assert_array_equal(points.get_array(), y)  # the points take the target's colour ...
    assert (points.norm.vmin, points.norm.vmax) == (-span, span) and points.cmap.name == image.cmap.name
    assert image.cmap.name == "RdBu_r"  # ... on the diverging map of the classifier's scores
    assert axis.get_title() == "model output" and axis.get_legend() is None
    assert fig.axes[1].get_ylabel() == "output (shading) · target (points)"
    assert plot_regression_surface(bowl, X, y, resolution=5, title="bowl").axes[0].get_title() == "bowl"


def test_regression_surface_of_a_keras_regressor_is_its_prediction():
    X, y = surface_inputs()
    model = Sequential([Dense(6, activation="tanh", input_dim=2), Dense(1)], seed=0)
    model.compile("adam", "mse", learning_rate=0.05).fit(X, y, epochs=3, verbose=0)
    image = plot_regression_surface(model, X, y, resolution=10).axes[0].images[0]
    _, _, grid = boundary_grid(X, 10)
    np.testing.assert_allclose(image.get_array(), model.predict(grid)[:, 0].reshape(10, 10))


def test_regression_surface_draws_test_points_on_the_same_scale_named_in_the_legend():
    X, y = surface_inputs()
    X_test, y_test = X[:7] * 1.5, 2.0 * y[:7]
    fig = plot_regression_surface(bowl, X, y, resolution=10, test=(X_test, y_test))
    axis = fig.axes[0]
    training, test = point_collections(axis)
    assert (len(training.get_offsets()), len(test.get_offsets())) == (40, 7)
    np.testing.assert_array_equal(test.get_array(), y_test)
    span = max(np.abs(y).max(), np.abs(y_test).max())
    assert test.norm.vmin == training.norm.vmin == axis.images[0].norm.vmin == -span
    assert legend_texts(axis) == ["training", "test"]
    assert test.get_linewidths()[0] > training.get_linewidths()[0]


def test_discretized_regression_surface_holds_five_levels_the_output_rounded_to_the_nearest():
    X, y = surface_inputs()
    fig = plot_regression_surface(bowl, X, y, resolution=30, discretize=True)
    values = fig.axes[0].images[0].get_array()
    span = np.abs(y).max()
    levels = span * np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    assert set(np.unique(values)) <= set(levels) and len(np.unique(values)) >= 4
    _, _, grid = boundary_grid(X, 30)
    output = bowl(grid).reshape(30, 30)
    inside = np.abs(output) <= span  # beyond the scale the end level is kept
    nearest = levels[np.abs(output[..., None] - levels).argmin(axis=-1)]
    np.testing.assert_allclose(values[inside], nearest[inside])


def test_regression_surface_refuses_several_outputs_and_malformed_targets_or_test_points():
    X, y = surface_inputs()
    with pytest.raises(ValueError, match="the model gives 2 outputs per point; a surface needs one"):
        plot_regression_surface(lambda grid: grid, X, y, resolution=5)
    with pytest.raises(ValueError, match=r"y holds one number per point, shape \(n,\) or \(n, 1\); got \(40, 2\)"):
        plot_regression_surface(bowl, X, np.zeros((40, 2)), resolution=5)
    with pytest.raises(ValueError, match="X has 40 points but y has 39 targets"):
        plot_regression_surface(bowl, X, y[:-1], resolution=5)
    with pytest.raises(ValueError, match=r"test is the pair \(X_test, y_test\)"):
        plot_regression_surface(bowl, X, y, resolution=5, test=X)
    with pytest.raises(ValueError, match=r"\(test\) needs 2-D points"):
        plot_decision_boundary(bowl, X, y > 0, resolution=5, test=(np.zeros((3, 3)), None))


def test_plot_gradient_norms_draws_one_log_scale_line_per_layer(moons_run):
    _, _, recorder, _, _ = moons_run
    fig = plot_gradient_norms(recorder)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["dense", "dense_1"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert np.allclose(ax.get_lines()[0].get_ydata(), recorder.mean_abs["dense"])
    norms = recorder.plot(statistic="norm", log=False).axes[0]
    assert norms.get_yscale() == "linear" and np.allclose(norms.get_lines()[1].get_ydata(), recorder.norms["dense_1"])


def test_plot_gradient_norms_of_an_empty_recorder_says_how_to_fill_it():
    with pytest.raises(ValueError, match=r"fit\(callbacks=\[recorder\]\)"):
        plot_gradient_norms(GradientRecorder())


def test_plot_confusion_matrix_writes_each_count_in_its_cell():
    fig = plot_confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], class_names=["cat", "dog"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["1", "1", "1", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    normalized = plot_confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], normalize="true").axes[0]
    assert [t.get_text() for t in normalized.texts] == ["0.50", "0.50", "0.00", "1.00"]


def test_plots_take_tensor_inputs_too():
    X, y = make_moons(20, seed=0)
    fig = plot_decision_boundary(lambda grid: grid[:, 1] - 0.25, Tensor(X), Tensor(y.astype(float)), resolution=10)
    assert len(fig.axes[0].get_legend().get_texts()) == 2


def test_decision_boundary_recorder_snapshots_before_training_and_every_few_epochs(tmp_path):
    from gradviz.callbacks import DecisionBoundaryRecorder
    from gradviz.viz.plots import plot_decision_boundary_frames

    X, y = make_moons(60, noise=0.1, seed=0)
    recorder = DecisionBoundaryRecorder(X, y, every=5, resolution=30)
    model = Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", learning_rate=0.05)
    model.fit(X, y, epochs=15, callbacks=[recorder], verbose=0, seed=0)
    assert recorder.epochs == [0, 5, 10, 15] and recorder.frames[0].shape == (900,)
    assert np.allclose(recorder.frames[-1], model.predict(recorder.points)[:, 0])
    assert not np.allclose(recorder.frames[0], recorder.frames[-1])  # the boundary moved while training
    fig = recorder.plot(columns=2)
    assert [ax.get_title() for ax in fig.axes] == ["epoch 0", "epoch 5", "epoch 10", "epoch 15"]
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None
    fig.savefig(tmp_path / "frames.png")
    model.fit(X, y, epochs=5, callbacks=[recorder], verbose=0)  # a second fit continues the epoch count
    assert recorder.epochs[-1] == 20
    with pytest.raises(ValueError, match="holds no snapshot"):
        plot_decision_boundary_frames(DecisionBoundaryRecorder(X, y))


def test_optimizer_paths_start_together_and_each_keeps_its_internal_state():
    from gradviz.viz.plots import SURFACES, optimizer_paths

    runs = optimizer_paths("rosenbrock", steps=60)
    assert list(runs) == ["SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam"]
    for run in runs.values():
        assert np.array_equal(run["path"][0], SURFACES["rosenbrock"]["start"])
        assert run["path"].shape == (61, 2) and run["loss"].shape == (61,)
    assert sorted(runs["Momentum"]["state"]) == ["momentum_buffer"]
    assert sorted(runs["Adadelta"]["state"]) == ["acc_delta", "square_avg"]
    assert runs["Adam"]["state"]["exp_avg"].shape == (60, 2)
    assert runs["Momentum"]["loss"][-1] < runs["SGD"]["loss"][-1]  # momentum runs down the valley faster
    with pytest.raises(ValueError, match="unknown surface 'bowl'; valid names: quadratic, rosenbrock, saddle, beale"):
        optimizer_paths("bowl")
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        optimizer_paths("quadratic", ["lbfgs"])


def test_optimizer_paths_stop_a_diverging_run_early():
    import functools

    from gradviz import optim
    from gradviz.viz.plots import optimizer_paths

    runs = optimizer_paths("quadratic", {"too fast": functools.partial(optim.SGD, lr=0.5)}, steps=100)
    assert len(runs["too fast"]["path"]) < 101  # |1 − 0.5·10| = 4 > 1: y explodes and the run stops


def test_plot_optimizer_paths_draws_a_path_and_a_value_curve_per_optimizer(tmp_path):
    from gradviz.viz.plots import plot_optimizer_paths

    fig = plot_optimizer_paths("beale", ["SGD", "Adam", "RMSprop"], steps=40)
    paths, values = fig.axes[0], fig.axes[1]
    assert [t.get_text() for t in paths.get_legend().get_texts()] == ["SGD", "Adam", "RMSprop"]
    assert [line.get_label() for line in values.get_lines()] == ["SGD", "Adam", "RMSprop"]
    assert values.get_yscale() == "log"
    saddle = plot_optimizer_paths("saddle", ["SGD"], steps=20, show_loss=False)
    assert len(saddle.axes) == 1
    fig.savefig(tmp_path / "beale.png")


def test_layer_histograms_show_weights_gradients_and_activations_per_layer():
    from gradviz.viz.plots import plot_layer_histograms

    X, y = make_moons(50, seed=0)
    model = Sequential([Dense(8, activation="sigmoid"), Dense(1, activation="sigmoid")], seed=0)
    with pytest.raises(ValueError, match="no gradient yet; run a forward pass and loss.backward"):
        plot_layer_histograms(Sequential([Dense(2, input_dim=2)]), what="gradients")
    model.compile("sgd", "binary_crossentropy").fit(X, y, epochs=1, verbose=0)
    weights = plot_layer_histograms(model)
    assert [ax.get_title() for ax in weights.axes] == ["dense: weights", "dense_1: weights"]
    assert sum(patch.get_height() for patch in weights.axes[0].patches) == 16  # the 8×2 weight matrix
    gradients = plot_layer_histograms(model, what="gradients")
    assert [ax.get_title() for ax in gradients.axes] == ["dense: gradients", "dense_1: gradients"]
    activations = plot_layer_histograms(model, X, what="activations", bins=10)
    assert sum(patch.get_height() for patch in activations.axes[0].patches) == 50 * 8
    assert not any(layer._forward_hooks for layer in model.layers)  # the hooks are removed afterwards
    with pytest.raises(ValueError, match="needs inputs X"):
        plot_layer_histograms(model, what="activations")
    with pytest.raises(ValueError, match="'weights', 'gradients' or 'activations'"):
        plot_layer_histograms(model, what="biases")


def test_gradient_descent_path_converges_to_the_least_squares_line_of_the_flat_prices():
    from gradviz.data import load_flat_prices
    from gradviz.viz.plots import gradient_descent_path, plot_linear_regression

    X, y = load_flat_prices()
    x = (X[:, 0] - X[:, 0].mean()) / X[:, 0].std()
    target = (y - y.mean()) / y.std()
    path = gradient_descent_path(x, target, learning_rate=0.1, steps=300, start=(-1.0, 1.0))
    slope, intercept = np.polyfit(x, target, 1)
    assert path.shape == (301, 2) and path[0].tolist() == [-1.0, 1.0]
    assert path[-1] == pytest.approx([slope, intercept], abs=1e-9)
    fig = plot_linear_regression(x, target, path)
    fit, cost = fig.axes[:2]
    assert any(line.get_label().startswith("least squares: y = ") for line in fit.get_lines())
    descent = [line for line in cost.get_lines() if line.get_label() == "gradient descent"][0]
    assert np.allclose(descent.get_xdata(), path[:, 0])
    with pytest.raises(ValueError, match=r"x of shape \(n,\) or \(n, 1\)"):
        plot_linear_regression(np.zeros((3, 2)), np.zeros(3))


def test_the_learning_rate_lesson_names_too_small_good_and_diverging_rates():
    import gradviz
    from gradviz import Value
    from gradviz.viz.plots import plot_learning_rates

    def train(lr):
        w = Value(0.0, label="w")
        opt = gradviz.optim.SGD([w], lr=lr)
        with gradviz.trace() as t:
            for _ in range(6):
                opt.zero_grad()
                ((w - 3.0) ** 2).backward()
                opt.step()
        return t

    figure = plot_learning_rates(train, [0.01, 0.4, 1.2])
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["η = 0.01 (too small)", "η = 0.4 (good)", "η = 1.2 (diverges)"]
    assert list(lines[0].get_ydata())[0] == 9.0 and list(lines[2].get_ydata())[-1] > 9.0  # (0 − 3)² to start
    assert figure.axes[0].get_yscale() == "log"
    assert (
        plot_learning_rates(lambda lr: [1.0, 0.5, 0.25], [0.1]).axes[0].get_lines()[0].get_label() == "η = 0.1 (good)"
    )
