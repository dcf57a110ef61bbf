"""The Playground widget without a browser: controls → model, one epoch, a run, pause, reset, layer graphs, Spanish."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import gradviz  # noqa: E402
from gradviz import optim  # noqa: E402
from gradviz.widgets import _dashboard_plots as plots  # noqa: E402
from gradviz.widgets.playground import Playground, make_dataset, parse_hidden  # noqa: E402

SMALL = {"samples": 80, "seed": 0, "resolution": 30}  # small data and a coarse boundary grid keep each test fast


def layer_units(playground: Playground) -> list[int]:
    return [layer.units for layer in playground.model.layers]


def activations(playground: Playground) -> list[str]:
    return [layer.activation_name for layer in playground.model.layers]


def test_the_constructor_builds_the_model_the_controls_describe():
    p = Playground("moons", hidden=(5, 3), activation="relu", optimizer="sgd", learning_rate=0.1, **SMALL)
    assert layer_units(p) == [5, 3, 1]
    assert activations(p) == ["relu", "relu", "sigmoid"]
    assert p.layer_names == ["hidden1", "hidden2", "output"]
    assert p.controls["hidden"].value == "5, 3"
    assert p.controls["activation"].value == "relu"
    assert p.model.loss == "binary_crossentropy"
    p.step_epoch()
    assert type(p.model.optimizer) is optim.SGD
    assert p.model.optimizer.lr == 0.1


def test_typing_new_hidden_layers_or_picking_an_activation_rebuilds_the_model_from_epoch_zero():
    p = Playground("xor", hidden=(4,), **SMALL)
    p.step_epoch()
    assert p.epoch == 1
    p.controls["hidden"].value = "6, 6, 2"
    assert p.hidden == (6, 6, 2)
    assert layer_units(p) == [6, 6, 2, 1]
    assert p.epoch == 0 and p.history == {}
    p.controls["activation"].value = "sigmoid"
    assert p.activation == "sigmoid"
    assert activations(p) == ["sigmoid", "sigmoid", "sigmoid", "sigmoid"]
    p.hidden = (3,)  # from Python, the text box follows
    assert p.controls["hidden"].value == "3"
    assert layer_units(p) == [3, 1]


def test_picking_another_optimizer_or_rate_keeps_the_weights_and_changes_the_update_rule():
    p = Playground("moons", hidden=(4,), optimizer="adam", learning_rate=0.01, **SMALL)
    p.step_epoch()
    weights = p.model.get_weights()
    p.controls["optimizer"].value = "momentum"
    p.controls["learning_rate"].value = 0.3
    assert p.optimizer == "momentum" and p.learning_rate == 0.3
    assert all(np.array_equal(a, b) for a, b in zip(weights, p.model.get_weights(), strict=True))
    p.step_epoch()
    assert type(p.model.optimizer) is optim.SGD  # Keras' 'momentum': SGD with momentum 0.9
    assert p.model.optimizer.param_groups[0]["momentum"] == 0.9
    assert p.model.optimizer.lr == 0.3
    assert p.epoch == 2
    p.learning_rate = 0.0042  # a rate that is not in the menu joins it
    assert p.controls["learning_rate"].value == 0.0042
    assert p.model.optimizer.lr == 0.0042


def test_l2_becomes_the_optimizers_weight_decay():
    p = Playground("moons", hidden=(4,), optimizer="sgd", l2=0.01, **SMALL)
    p.step_epoch()
    assert p.model.optimizer.param_groups[0]["weight_decay"] == 0.01
    p.controls["l2"].value = 0.0
    p.step_epoch()
    assert p.model.optimizer.param_groups[0]["weight_decay"] == 0.0


def test_three_blobs_get_a_softmax_output_and_the_sparse_categorical_loss():
    p = Playground("blobs", hidden=(6,), **SMALL)
    assert layer_units(p) == [6, 3]
    assert activations(p)[-1] == "softmax"
    assert p.model.loss == "sparse_categorical_crossentropy"
    p.step_epoch()
    assert 0.0 <= p.history["accuracy"][0] <= 1.0


def test_step_epoch_trains_one_epoch_and_changes_the_loss_text_and_history():
    p = Playground("moons", hidden=(8,), learning_rate=0.1, **SMALL)
    before = p.status.value
    assert "epoch 0 · loss" in before and "test: loss" in before
    p.step_epoch()
    assert p.epoch == 1
    assert "epoch 1 · loss" in p.status.value
    assert sorted(p.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert [len(values) for values in p.history.values()] == [1, 1, 1, 1]
    assert p.panels.epochs == [1]
    assert p.panels.gradients.layers == ["hidden1", "output"]


def test_run_block_trains_the_requested_epochs_lowers_the_loss_and_fills_the_progress_bar():
    p = Playground("moons", hidden=(8,), learning_rate=0.05, **SMALL)
    initial_loss = float(p.status.value.split("loss ")[1].split(" ")[0])
    p.run(epochs=25, block=True)
    assert p.epoch == 25 and not p.running
    assert len(p.history["loss"]) == 25
    assert p.history["loss"][-1] < initial_loss
    assert p.history["accuracy"][-1] > 0.8
    assert (p.progress.value, p.progress.max) == (25, 25)
    assert p.progress_text.value == "25 of 25 epochs"
    assert bytes(p.panels.boundary.value).startswith(b"\x89PNG")
    assert bytes(p.panels.curves.value).startswith(b"\x89PNG")


def test_redraws_are_throttled_during_a_run_and_made_once_more_at_its_end():
    p = Playground("moons", hidden=(4,), redraw_interval=3600.0, **SMALL)
    drawn = p.panels.drawn
    p.run(epochs=12, block=True)
    # the reset has just drawn epoch 0, so nothing is due until the run's final picture
    assert p.panels.drawn - drawn == 1
    assert "epoch 12 · loss" in p.status.value


def test_reset_forgets_the_history_and_draws_other_weights():
    p = Playground("circles", hidden=(4,), **SMALL)
    first = p.model.get_weights()
    p.run(epochs=3, block=True)
    p.reset()
    assert p.epoch == 0 and p.history == {} and p.panels.gradients.layers == []
    assert "epoch 0 · loss" in p.status.value
    assert (p.progress.value, p.progress_text.value) == (0, "")
    assert not np.array_equal(first[0], p.model.get_weights()[0])


def test_pause_stops_a_background_run_after_the_current_epoch():
    p = Playground("moons", hidden=(4,), **SMALL)
    p.run(epochs=100_000)
    try:
        assert p.running
        assert p.run_button.disabled and p.step_button.disabled and not p.pause_button.disabled
        deadline = time.monotonic() + 30
        while p.epoch < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert p.epoch >= 2
        with pytest.raises(RuntimeError, match="pause"):
            p.step_epoch()
    finally:
        p.pause()
        assert p.wait(timeout=30)
    stopped_at = p.epoch
    assert not p.running and stopped_at < 100_000
    assert not p.run_button.disabled and p.pause_button.disabled
    assert f"epoch {stopped_at} · loss" in p.status.value
    time.sleep(0.05)
    assert p.epoch == stopped_at  # nothing trains after a pause


def test_changing_the_data_while_a_run_trains_stops_it_and_starts_over():
    p = Playground("moons", hidden=(4,), **SMALL)
    p.run(epochs=100_000)
    deadline = time.monotonic() + 30
    while p.epoch < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    p.controls["dataset"].value = "spirals"
    assert not p.running and p.epoch == 0 and p.dataset == "spirals"
    assert p.x_train.shape[1] == 2 and p.history == {}


def test_show_layer_draws_that_layer_open_with_its_gradients_and_the_others_collapsed():
    p = Playground("moons", hidden=(4, 3), **SMALL)
    assert "Click a layer" in p.layer_graph.value
    p.step_epoch()
    p.show_layer("hidden2")
    svg = p.layer_graph.value
    assert svg.startswith("<svg")
    assert "hidden2.weight" in svg and "∂L/∂hidden2.weight" in svg
    assert "hidden1.weight" not in svg  # collapsed into its box
    assert "sequential/hidden1" in svg and "sequential/output" in svg
    assert "hidden2 open, the other layers collapsed · loss L of 4 training points · epoch 1" in svg
    assert all(p_.grad is None for p_ in p.model.parameters())  # the picture leaves no gradient behind
    p.layer_picker.value = "output"  # a click on another name
    assert "output.weight" in p.layer_graph.value
    with pytest.raises(ValueError, match="no layer 'hidden9'"):
        p.show_layer("hidden9")
    p.show_layer(None)
    assert "Click a layer" in p.layer_graph.value


def test_the_gradient_bars_show_vanishing_gradients_in_a_deep_sigmoid_network():
    p = Playground("moons", hidden=(8, 8, 8, 8), activation="sigmoid", optimizer="sgd", learning_rate=0.1, **SMALL)
    p.run(epochs=2, block=True)
    layers, values = p.panels.gradient_values()
    assert layers == ["hidden1", "hidden2", "hidden3", "hidden4", "output"]
    assert values[0] < values[-1] / 20  # the first layer learns far more slowly than the last
    heights = [bar.get_height() for bar in plots.gradient_figure(layers, values, 2).axes[0].patches]
    assert heights == pytest.approx(values)


def test_your_own_arrays_train_under_the_name_your_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + X[:, 2] > 0).astype(np.int64)
    p = Playground(x=X, y=y, hidden=(4,), seed=0)
    assert p.dataset == "user"
    assert ("your data", "user") in p.controls["dataset"].options
    assert p.controls["noise"].disabled
    assert p.model.layers[0].in_features == 3
    p.run(epochs=5, block=True)
    assert p.epoch == 5
    p.controls["dataset"].value = "moons"
    assert not p.controls["noise"].disabled and p.model.layers[0].in_features == 2


def test_bad_settings_raise_errors_that_say_what_to_change():
    with pytest.raises(ValueError, match="dataset='squares' is not offered; choose one of moons, circles"):
        Playground("squares")
    with pytest.raises(ValueError, match="activation='softplus' is not offered"):
        Playground(activation="softplus")
    with pytest.raises(ValueError, match="give both x and y"):
        Playground(x=np.zeros((10, 2)))
    with pytest.raises(ValueError, match="class labels 0, 1, 2"):
        Playground(x=np.zeros((10, 2)), y=np.linspace(0, 1, 10))
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        Playground(learning_rate=0)
    with pytest.raises(ValueError, match="positive whole numbers separated by commas"):
        parse_hidden("8, eight")
    with pytest.raises(ValueError, match="unknown data set"):
        make_dataset("squares")


def test_a_hidden_layer_text_that_is_not_numbers_is_reported_and_the_model_kept():
    p = Playground("moons", hidden=(4,), **SMALL)
    p.controls["hidden"].value = "4, x"
    assert p.hidden == (4,) and layer_units(p) == [4, 1]
    assert "positive whole numbers" in p.status.value and "#b00020" in p.status.value


def test_noise_moves_in_the_sliders_steps_so_the_browser_never_changes_it():
    p = Playground("moons", noise=0.123, **SMALL)
    assert p.noise == 0.12 and p.controls["noise"].value == 0.12


def test_the_labels_and_the_loss_text_follow_the_language():
    previous = gradviz.get_language()
    gradviz.set_language("es")
    try:
        p = Playground("moons", hidden=(4,), **SMALL)
        assert p.run_button.description == "Entrenar"
        assert p.reset_button.description == "Reiniciar"
        assert p.controls["learning_rate"].description == "Tasa de aprendizaje"
        assert ("lunas", "moons") in p.controls["dataset"].options
        assert "época 0 · pérdida" in p.status.value and "prueba: pérdida" in p.status.value
        p.step_epoch()
        assert "época 1 · pérdida" in p.status.value
        assert p.progress_text.value == ""
        p.run(epochs=2, block=True)
        assert p.progress_text.value == "2 de 2 épocas"
        assert p.layer_names == ["oculta1", "salida"]  # the names the layer graph and the code show
        assert "name='oculta1'" in p.to_code() and "1 capa oculta" in p.layer_editor.children[0].children[0].value
    finally:
        gradviz.set_language(previous)


def test_a_diverged_loss_stops_training_and_asks_for_a_lower_rate_until_reset(monkeypatch):
    from gradviz.keras import NonFiniteLossError

    p = Playground("moons", hidden=(4,), **SMALL)

    def diverge(*args, **kwargs):
        raise NonFiniteLossError("fit: the loss became nan at epoch 1, batch 2 of 4.", epoch=0, batch=1, layer=None)

    monkeypatch.setattr(p.model, "fit", diverge)
    with pytest.raises(NonFiniteLossError):
        p.run(epochs=5, block=True)
    assert not p.running and p.epoch == 0
    assert "Training stopped: fit: the loss became nan" in p.status.value
    assert "Lower the learning rate and press Reset" in p.status.value
    p.run(epochs=5)  # Run does nothing until Reset
    assert not p.running
    with pytest.raises(RuntimeError, match="reset"):
        p.step_epoch()
    p.reset()
    p.step_epoch()
    assert p.epoch == 1 and p.error is None


def test_show_layer_draws_the_layer_graph_once(monkeypatch):
    drawn = []
    real = plots.layer_graph_svg
    monkeypatch.setattr(
        plots, "layer_graph_svg", lambda *args, **kwargs: drawn.append(args[3]) or real(*args, **kwargs)
    )
    p = Playground("moons", hidden=(4,), **SMALL)
    p.show_layer("hidden1")
    assert drawn == ["hidden1"]
    p.show_layer("hidden1")  # the same layer again: drawn again (the model may have trained since)
    assert drawn == ["hidden1", "hidden1"]


def test_the_playground_trains_in_its_thread_while_the_main_thread_uses_no_grad_trace_and_scope():
    p = Playground("moons", hidden=(8,), learning_rate=0.05, **SMALL)
    initial_loss = float(p.status.value.split("loss ")[1].split(" ")[0])
    p.run(epochs=40)
    deadline = time.monotonic() + 120
    try:
        x, y = gradviz.Value(-2.0, label="x"), gradviz.Value(5.0, label="y")
        rounds = 0
        while p.running or rounds < 50:
            with gradviz.no_grad():
                assert not (x * y).requires_grad
            with gradviz.trace() as t:
                with gradviz.scope("mine"):
                    q = (x + y).tanh()
                q.label = "q"
                q.backward()
            # the trace holds this thread's two ops and nothing of the training thread's
            assert [step.op for step in t.forward_steps] == ["add", "tanh"]
            assert {n.scope for n in t.graph().nodes if n.op} == {"mine"}
            assert (x * y).requires_grad
            x.grad = y.grad = None
            rounds += 1
            time.sleep(0.002)  # share the interpreter with the training thread, as a notebook's user would
            if time.monotonic() > deadline:  # a stuck run fails below (epoch short of 40), never hangs here
                break
    finally:
        p.pause()
        assert p.wait(timeout=60)
    assert p.error is None
    assert p.epoch == 40
    assert p.history["loss"][-1] < initial_loss


def test_the_network_view_draws_every_neuron_as_a_map_and_every_weight_as_a_line():
    import re

    p = Playground("xor", hidden=(4, 2), seed=0)
    svg = p.network_svg()
    hidden = len(re.findall(r'<g class="neuron" data-layer="[12]"', svg))
    assert hidden == 6 and svg.count("<image") == 2 + 6 + 1  # inputs, hidden neurons, the output
    assert svg.count('class="weight"') == 2 * 4 + 4 * 2 + 2 * 1
    assert svg.count('class="bias"') == 4 + 2 + 1 and p.network.value == svg


def test_the_gradient_toggle_draws_the_last_batch_s_gradients_on_the_lines():
    import re

    p = Playground("xor", hidden=(4, 2), seed=0, epochs=1)
    p.step_epoch()
    weights = p.network.value
    p.network_lines.value = "gradients"
    gradients = p.network.value
    assert 'data-shows="gradient"' in gradients and gradients != weights
    widths = lambda svg: re.findall(r'<g class="weight".*?<line [^>]*stroke-width="([\d.]+)"', svg)  # noqa: E731
    assert widths(weights) != widths(gradients)
    first = p.model.layers[0]
    grad = float(first.weight.grad[0, 0])
    assert f'data-grad="{grad!r}"' in gradients  # the line carries ∂L/∂w of the last batch


def test_a_feature_cross_solves_xor_with_no_hidden_layer_as_on_tensorflow_playground():
    crossed = Playground("xor", hidden=(), features=("x1*x2",), learning_rate=0.1, samples=200, seed=0)
    plain = Playground("xor", hidden=(), learning_rate=0.1, samples=200, seed=0)
    crossed.run(epochs=30, block=True)  # pictures drawn at most twice a second, as on screen
    plain.run(epochs=30, block=True)
    assert crossed.history["accuracy"][-1] > 0.9 > 0.75 > plain.history["accuracy"][-1]
    assert crossed.model.layers[0].weight.shape == (1, 1)  # one input, x₁x₂, one output
    svg = crossed.network_svg()
    assert svg.count("<image") == 2 and "x₁x₂" in svg


def test_the_feature_boxes_and_the_features_trait_follow_each_other():
    p = Playground("circles", hidden=(3,), **SMALL)
    p.feature_boxes["x1^2"].value = True
    p.feature_boxes["x2^2"].value = True
    assert p.features == ("x1", "x2", "x1^2", "x2^2") and p.model.layers[0].weight.shape == (3, 4)
    p.features = ("x1",)
    assert [name for name, box in p.feature_boxes.items() if box.value] == ["x1"]
    p.feature_boxes["x1"].value = False  # the last input stays
    assert p.feature_boxes["x1"].value and p.features == ("x1",)
    with pytest.raises(Exception, match="features are one or more of"):
        p.features = ("x3",)


def test_to_code_run_in_a_fresh_interpreter_reproduces_the_final_loss(tmp_path):
    import subprocess
    import sys

    p = Playground("moons", hidden=(4, 2), features=("x1", "x2", "x1*x2"), l2=0.001, samples=100, seed=3)
    p.run(epochs=4, block=True)
    script = tmp_path / "playground_run.py"
    script.write_text(p.to_code(), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"final loss {p.history['loss'][-1]!r}"


def test_to_code_carries_your_own_data():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 5)
    y = np.array([0, 0, 1, 1] * 5)
    p = Playground(x=X, y=y, hidden=(2,), seed=0, test_size=0.0)
    p.step_epoch()
    namespace: dict = {}
    exec(p.to_code().replace('print("final loss"', "final = (None"), namespace)  # noqa: S102
    assert namespace["losses"][-1] == p.history["loss"][-1]


def run_code(p: Playground) -> float:
    """to_code() executed here (a fresh namespace): the final loss it prints."""
    namespace: dict = {}
    exec(p.to_code().replace('print("final loss"', "final = (None"), namespace)  # noqa: S102
    return namespace["losses"][-1]


def test_each_hidden_layer_takes_its_own_activation_and_the_menus_follow():
    p = Playground("moons", hidden=(4, 3), activation=("relu", "tanh"), **SMALL)
    assert activations(p) == ["relu", "tanh", "sigmoid"]
    assert [menu.value for menu in p.activation_menus] == ["relu", "tanh"]
    p.activation_menus[1].value = "sigmoid"  # the second layer's menu
    assert p.activations == ("relu", "sigmoid") and activations(p) == ["relu", "sigmoid", "sigmoid"]
    p.activation = "leaky_relu"  # the menu for all layers
    assert activations(p) == ["leaky_relu", "leaky_relu", "sigmoid"]
    with pytest.raises(Exception, match="one per layer"):
        p.activations = ("relu",)


def test_the_plus_and_minus_buttons_add_and_remove_neurons_and_layers_and_start_over():
    p = Playground("xor", hidden=(3,), activation="relu", **SMALL)
    p.step_epoch()
    p.add_layer_button.click()
    assert p.hidden == (3, 3) and p.activations == ("relu", "relu") and p.epoch == 0
    more, fewer = p.neuron_buttons[1]
    more.click()
    more = p.neuron_buttons[1][0]  # the editor is drawn again after each change
    more.click()
    assert p.hidden == (3, 5) and layer_units(p) == [3, 5, 1]
    p.neuron_buttons[0][1].click()
    assert p.hidden == (2, 5)
    p.remove_layer_button.click()
    p.remove_layer_button.click()
    assert p.hidden == () and layer_units(p) == [1] and p.remove_layer_button.disabled
    with pytest.raises(ValueError, match="no hidden layer left"):
        p.remove_layer()
    p.add_layer(2)
    assert p.neuron_buttons[0][1].disabled is False
    p.remove_neuron(0)
    assert p.neuron_buttons[0][1].disabled  # a layer keeps one neuron
    with pytest.raises(ValueError, match="at least one neuron"):
        p.remove_neuron(0)
    with pytest.raises(ValueError, match="hidden layer's index"):
        p.add_neuron(3)


def test_the_test_share_slider_splits_the_data_again_and_starts_over():
    p = Playground("moons", hidden=(3,), **SMALL)
    assert len(p.x_test) == 24
    p.step_epoch()
    p.controls["test_size"].value = 0.5
    assert p.test_size == 0.5 and len(p.x_test) == 40 and len(p.x_train) == 40 and p.epoch == 0
    p.test_size = 0.0
    assert p.x_test is None and "val_loss" not in p._initial_logs()
    with pytest.raises(Exception, match="fraction"):
        p.test_size = 0.95


def test_l1_moves_every_weight_toward_zero_and_sets_small_ones_to_exactly_zero():
    plain = Playground("moons", hidden=(6,), optimizer="sgd", learning_rate=0.1, **SMALL)
    sparse = Playground("moons", hidden=(6,), optimizer="sgd", learning_rate=0.1, l1=0.3, **SMALL)
    assert sparse.controls["l1"].value == 0.3
    for p in (plain, sparse):
        p.run(epochs=5, block=True)

    def zeros(p):
        return sum(int((layer.weight.data == 0).sum()) for layer in p.model.layers)

    def size(p):
        return sum(float(np.abs(layer.weight.data).sum()) for layer in p.model.layers)

    assert zeros(plain) == 0 and zeros(sparse) >= 3
    assert size(sparse) < 0.7 * size(plain)
    assert run_code(sparse) == sparse.history["loss"][-1]  # the code carries the L1 step


def test_a_regression_data_set_trains_a_linear_output_on_the_squared_error():
    p = Playground("plane", hidden=(4,), learning_rate=0.03, **SMALL)
    assert p.problem == "regression" and p.classes is None
    assert p.model.layers[-1].activation_name == "linear" and p.model.loss == "mse"
    assert p.panels.regression is True
    first = p._initial_logs()["loss"]
    p.run(epochs=15, block=True)
    assert p.history["loss"][-1] < 0.5 * first and "accuracy" not in p.history
    assert p.panels.boundary_figure(p.model, p.epoch).axes[0].get_title() == "output after epoch 15"
    assert run_code(p) == p.history["loss"][-1]
    g = Playground("gaussians", hidden=(4,), **SMALL)
    assert g.problem == "regression" and g.y_train.dtype == np.float64


def test_your_own_numbers_make_a_regression_when_you_say_so():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    target = X[:, 0] - 2 * X[:, 1] + 0.25
    with pytest.raises(ValueError, match="problem='regression'"):
        Playground(x=X, y=target, hidden=(2,), seed=0)
    p = Playground(x=X, y=target, problem="regression", hidden=(2,), seed=0)
    assert p.problem == "regression" and p.model.loss == "mse"
    p.step_epoch()
    assert run_code(p) == p.history["loss"][-1]


def test_show_test_and_discretize_reach_the_boundary_panel_and_redraw_it():
    p = Playground("moons", hidden=(3,), **SMALL)
    drawn = p.panels.drawn
    p.controls["show_test"].value = True
    assert p.panels.show_test is True and p.panels.drawn == drawn + 1
    assert p.panels.test_points[0] is p.x_test
    p.discretize = True
    assert p.controls["discretize"].value is True and p.panels.discretize is True


def test_from_model_keeps_your_weights_reads_the_layers_and_its_code_starts_from_them():
    from gradviz import keras

    model = keras.Sequential(
        [
            keras.Dense(4, activation="relu", input_dim=2),
            keras.Dense(3, activation="tanh"),
            keras.Dense(1, activation="sigmoid"),
        ],
        seed=11,
    )
    before = [w.copy() for w in model.get_weights()]
    p = Playground.from_model(model, dataset="xor", **SMALL)
    assert p.model is model and p.hidden == (4, 3) and p.activations == ("relu", "tanh")
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    p.run(epochs=2, block=True)
    assert run_code(p) == p.history["loss"][-1]
    p.reset()
    assert p.model is not model and layer_units(p) == [4, 3, 1]
    with pytest.raises(ValueError, match="a regression"):
        Playground.from_model(keras.Sequential([keras.Dense(1, input_dim=2)]), dataset="moons")
    with pytest.raises(ValueError, match="3 classes"):
        Playground.from_model(model, dataset="blobs")
    with pytest.raises(ValueError, match="takes 2 inputs"):
        Playground.from_model(model, dataset="xor", features=("x1", "x2", "x1*x2"))


def test_chain_rule_writes_the_paths_through_a_weight_and_the_menu_shows_them():
    p = Playground("xor", hidden=(3, 2), **SMALL)
    p.step_epoch()
    paths = p.chain_rule(0, 2, 1)
    assert paths.count == 2 and paths.matches()
    assert len(p.weight_picker.options) == 1 + 2 * 3 + 3 * 2 + 2 * 1
    p.weight_picker.value = (1, 0, 2)
    assert "W2[0,2]" in p.chain_rule_view.value and "path 1" in p.chain_rule_view.value
    with pytest.raises(ValueError, match="training point's index"):
        p.chain_rule(0, 0, 0, sample=10_000)


def test_record_writes_a_gif_of_the_training_and_refuses_a_file_it_did_not_write(tmp_path):
    from PIL import Image

    p = Playground("xor", hidden=(3,), **SMALL)
    path = p.record(tmp_path / "xor.gif", epochs=4, every=2)
    assert p.epoch == 4
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.size == (1280, 720)
    mine = tmp_path / "talk.gif"
    mine.write_bytes(b"my own file")
    with pytest.raises(FileExistsError):
        p.record(mine, epochs=1)
    assert mine.read_bytes() == b"my own file" and p.epoch == 4  # refused before training
    with pytest.raises(ValueError, match=".gif or an .html"):
        p.record(tmp_path / "xor.mp4", epochs=1)
