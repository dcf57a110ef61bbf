"""gradviz.keras: Sequential/Dense/compile/fit/evaluate/predict/summary on gradviz's Modules."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

from gradviz import GradvizWarning, Tensor, keras, nn, optim
from gradviz.callbacks import EarlyStopping, LambdaCallback
from gradviz.data import Standardizer, load_digits, load_iris, make_moons, one_hot, train_test_split
from gradviz.errors import ShapeError
from gradviz.keras import Activation, Dense, Flatten, InputError, NonFiniteLossError, Sequential, losses


def iris_split(seed: int = 1):
    X, y = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=seed, stratify=y)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def small_classifier(classes: int = 3, seed: int = 0, **compile_options) -> Sequential:
    model = Sequential([Dense(8, activation="relu", input_dim=2), Dense(classes, activation="softmax")], seed=seed)
    options = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
    return model.compile(**{**options, **compile_options})


# -- training real data --------------------------------------------------------------------------------


def test_keras_style_iris_run_reaches_095_test_accuracy_deterministically():
    X_train, X_test, y_train, y_test = iris_split()
    results = []
    for _ in range(2):
        model = Sequential([Dense(16, activation="relu", input_dim=4), Dense(3, activation="softmax")], seed=0)
        model.compile(
            optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], learning_rate=0.01
        )
        history = model.fit(X_train, y_train, epochs=100, batch_size=16, verbose=0, seed=0)
        loss, accuracy = model.evaluate(X_test, y_test)
        results.append((history.history["loss"], loss, accuracy))
    assert results[0][2] >= 0.95
    assert results[0] == results[1]  # same seeds, same numbers


def test_keras_style_digits_images_through_flatten_reach_095_test_accuracy():
    digits = load_digits()
    images, labels = digits.images / 16.0, digits.y
    X_train, X_test, y_train, y_test = train_test_split(images, labels, test_size=0.2, seed=0, stratify=labels)
    model = Sequential([Flatten(), Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], learning_rate=0.005)
    model.fit(X_train, y_train, epochs=20, batch_size=64, verbose=0, seed=0)
    assert model.evaluate(X_test, y_test, return_dict=True)["accuracy"] >= 0.95
    assert model[1].weight.shape == (64, 64)


def test_moons_with_binary_crossentropy_and_sigmoid_output_learns_the_two_moons():
    X, y = make_moons(200, noise=0.1, seed=0)
    model = Sequential(
        [Dense(16, activation="relu"), Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0
    )
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], learning_rate=0.02)
    history = model.fit(X, y, epochs=40, batch_size=32, verbose=0, seed=0)
    assert history.history["accuracy"][-1] >= 0.97
    probabilities = model.predict(X)
    assert probabilities.shape == (200, 1) and np.all((probabilities >= 0) & (probabilities <= 1))
    assert model.evaluate(X, y, return_dict=True)["accuracy"] >= 0.97
    assert np.array_equal(model.predict_classes(X), (probabilities[:, 0] > 0.5).astype(int))


def test_hinge_loss_maps_01_labels_to_plus_minus_one_and_thresholds_scores_at_zero():
    X, y = make_moons(100, noise=0.1, seed=1)
    model = Sequential([Dense(16, activation="relu"), Dense(16, activation="relu"), Dense(1)], seed=0)
    model.compile("adam", "hinge", metrics=["accuracy"], learning_rate=0.02)
    history = model.fit(X, y, epochs=60, verbose=0, seed=0)
    assert history.history["accuracy"][-1] >= 0.95
    signed = model.fit(X, 2 * y - 1, epochs=1, verbose=0, seed=0)  # −1/+1 labels read the same way
    assert signed.history["accuracy"][0] >= 0.95


def test_mse_regression_fits_a_line():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(64, 1))
    y = 3.0 * X[:, 0] - 0.5
    model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse", metrics=["mae"], learning_rate=0.1)
    history = model.fit(X, y, epochs=200, batch_size=64, verbose=0)
    weight, bias = model.get_weights()
    assert weight[0, 0] == pytest.approx(3.0, abs=1e-3) and bias[0] == pytest.approx(-0.5, abs=1e-3)
    assert history.history["mae"][-1] < 1e-2


# -- the fused output activation -----------------------------------------------------------------------


def test_fused_softmax_crossentropy_equals_softmax_then_crossentropy_on_easy_inputs():
    model = small_classifier()
    X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.1]])
    labels = np.array([0, 2, 1])
    probabilities = model.predict(X)
    naive = -np.mean(np.log(probabilities[np.arange(3), labels]))
    assert model.evaluate(X, labels)[0] == pytest.approx(naive, rel=1e-12)
    naive_graph = nn.Softmax()(model(Tensor(X), logits=True))  # the same through the engine, unfused
    assert np.allclose(naive_graph.data, probabilities)


def test_fused_crossentropy_stays_finite_and_trains_on_extreme_logits():
    model = small_classifier()
    weight, bias, out_weight, out_bias = model.get_weights()
    model.set_weights([weight * 1e3, bias, out_weight * 1e3, out_bias])  # logits of order 1e5
    X = np.array([[1.0, 1.0], [-1.0, 2.0]])
    labels = np.array([0, 1])
    logits = model(Tensor(X), logits=True).data
    assert np.abs(logits).max() > 1e3
    with np.errstate(all="ignore"):
        naive = -np.log(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))[np.arange(2), labels]
    assert not np.all(np.isfinite(naive))  # the unfused formula overflows here
    loss = model.evaluate(X, labels)[0]
    assert np.isfinite(loss)
    model.fit(X, labels, epochs=1, verbose=0)  # no NonFiniteLossError
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_fused_sigmoid_binary_crossentropy_is_finite_for_saturated_outputs():
    model = Sequential([Dense(1, activation="sigmoid", input_dim=1)], seed=0).compile("sgd", "binary_crossentropy")
    model.set_weights([np.array([[1e4]]), np.array([0.0])])
    X, y = np.array([[1.0], [-1.0]]), np.array([0.0, 1.0])  # confidently wrong: sigmoid(±1e4) is exactly 1/0
    assert model.evaluate(X, y) == pytest.approx(1e4)


def test_categorical_crossentropy_takes_one_hot_rows_and_integer_labels_alike():
    X = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.1], [0.0, 0.0]])
    labels = np.array([0, 2, 1, 1])
    categorical = small_classifier(loss="categorical_crossentropy")
    sparse = small_classifier(loss="sparse_categorical_crossentropy")
    one_hot_loss = categorical.evaluate(X, one_hot(labels, 3))[0]
    assert one_hot_loss == pytest.approx(categorical.evaluate(X, labels)[0], rel=1e-12)
    assert one_hot_loss == pytest.approx(sparse.evaluate(X, labels)[0], rel=1e-12)
    assert categorical.evaluate(X, one_hot(labels, 3))[1] == sparse.evaluate(X, labels)[1]


def test_a_last_layer_without_activation_is_read_as_probabilities_unless_the_loss_says_from_logits():
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    with_softmax = small_classifier()
    linear = Sequential([Dense(8, activation="relu", input_dim=2), Dense(3)], seed=0)
    linear.compile("adam", "sparse_categorical_crossentropy")  # Keras' default from_logits=False
    outputs = linear.predict(X, verbose=0)
    kept = np.clip(outputs / outputs.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)  # Keras' rule for probabilities
    keras_rule = -np.mean(np.log(kept[np.arange(2), [0, 1]]))
    assert linear.evaluate(X, [0, 1], verbose=0) == pytest.approx(keras_rule, rel=1e-12)
    logits = Sequential([Dense(8, activation="relu", input_dim=2), Dense(3)], seed=0)
    logits.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True))
    assert logits.evaluate(X, [0, 1], verbose=0) == pytest.approx(
        with_softmax.evaluate(X, [0, 1], verbose=0)[0], rel=1e-12
    )


def test_activation_layer_after_dense_is_fused_too():
    separate = Sequential([Dense(8, activation="relu", input_dim=2), Dense(3), Activation("softmax")], seed=0)
    separate.compile("adam", "sparse_categorical_crossentropy")
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    assert separate.evaluate(X, [0, 1]) == pytest.approx(small_classifier().evaluate(X, [0, 1])[0], rel=1e-12)
    assert np.allclose(separate.predict(X).sum(axis=1), 1.0)


# -- fit: validation, history, callbacks ---------------------------------------------------------------


def test_validation_split_holds_out_the_last_samples_and_history_has_keras_keys():
    X, y = make_moons(100, noise=0.1, seed=0)
    y_poisoned = y.copy()
    y_poisoned[-20:] = 1 - y_poisoned[-20:]  # the held-out 20 % are flipped: their accuracy must fall to ~0
    model = Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], learning_rate=0.05)
    history = model.fit(X, y_poisoned, epochs=30, batch_size=16, validation_split=0.2, verbose=0, seed=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(30)) and all(len(v) == 30 for v in history.history.values())
    assert history.params == {"epochs": 30, "steps": 5, "batch_size": 16, "samples": 80, "verbose": 0}
    assert history.history["accuracy"][-1] > 0.9 > 0.2 > history.history["val_accuracy"][-1]
    assert model.history is history


def test_validation_data_gives_val_keys_equal_to_evaluate():
    X, y = make_moons(80, noise=0.1, seed=0)
    X_val, y_val = make_moons(40, noise=0.1, seed=1)
    model = Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy", "precision"])
    history = model.fit(X, y, epochs=3, validation_data=(X_val, y_val), verbose=0, seed=0)
    assert sorted(history.history) == ["accuracy", "loss", "precision", "val_accuracy", "val_loss", "val_precision"]
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(X_val, y_val)[0], rel=1e-12)


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    X, y = make_moons(60, noise=0.1, seed=0)
    X_val, y_val = X[:20], 1 - y[:20]  # validation labels flipped: val_loss rises as training fits
    model = Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", learning_rate=0.05)
    snapshots = []
    keep = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(X, y, epochs=50, validation_data=(X_val, y_val), callbacks=[keep, stop], verbose=0, seed=0)
    val_loss = history.history["val_loss"]
    assert len(val_loss) < 50 and stop.stopped_epoch == len(val_loss) - 1
    assert stop.best_epoch == int(np.argmin(val_loss)) and stop.best == min(val_loss)
    assert len(val_loss) == stop.best_epoch + 1 + 2  # the best epoch, then `patience` epochs without improvement
    for restored, best in zip(model.get_weights(), snapshots[stop.best_epoch], strict=True):
        assert np.array_equal(restored, best)


def test_fit_with_the_same_seed_repeats_exactly_and_shuffle_false_keeps_the_order():
    X, y = make_moons(50, noise=0.1, seed=0)

    def run(seed, shuffle=True):
        model = Sequential([Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy", learning_rate=0.1)
        return model.fit(X, y, epochs=3, batch_size=8, verbose=0, seed=seed, shuffle=shuffle).history["loss"]

    assert run(3) == run(3)
    assert run(3) != run(4)
    order = []
    model = Sequential([Dense(1, activation="sigmoid", input_dim=2)], seed=0).compile("sgd", "binary_crossentropy")
    model[0].register_forward_hook(lambda module, inputs, output: order.append(inputs[0].data[0, 0]))
    model.fit(X, y, epochs=1, batch_size=10, shuffle=False, verbose=0)
    assert order == list(X[::10, 0])


def test_verbose_2_prints_keras_epoch_lines_and_zero_prints_nothing(capsys):
    X, y = make_moons(20, seed=0)
    model = small_classifier(classes=2)
    model.fit(X, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(X, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"1/1 - \d+s - \d+(s|ms|us)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}", lines[1]), lines[1]
    model.fit(X, y, epochs=1, verbose=2)  # one epoch: no "Epoch 1/1" line, as Keras
    assert capsys.readouterr().out.startswith("1/1 - ")


def test_verbose_1_without_tqdm_prints_keras_bar_for_fit_evaluate_and_predict(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    X, y = make_moons(40, seed=0)
    model = small_classifier(classes=2)
    model.fit(X, y, batch_size=16, epochs=2)  # Keras' default verbose="auto"
    model.evaluate(X, y)
    model.predict(X)
    lines = capsys.readouterr().out.strip().splitlines()
    bar = "━" * 20
    assert lines[0] == "Epoch 1/2" and lines[1].startswith(f"3/3 {bar} ") and " - loss: " in lines[1]
    assert lines[3].startswith(f"3/3 {bar} ")
    assert (
        lines[4].startswith(f"2/2 {bar} ") and lines[4].endswith(lines[4].split(" - ", 1)[1]) and "accuracy" in lines[4]
    )
    assert re.fullmatch(rf"2/2 {bar} \d+s \d+(s|ms|us)/step", lines[5]), lines[5]


def test_nan_in_a_layers_weights_stops_fit_naming_the_epoch_batch_and_layer():
    X, y = make_moons(40, seed=0)
    model = Sequential([Dense(8, activation="relu", input_dim=2), Dense(1, activation="sigmoid")], seed=0)
    model.compile("sgd", "binary_crossentropy")
    weights = model.get_weights()
    weights[2][3, 0] = np.nan  # Keras' layout: input 3 of the output layer's kernel
    model.set_weights(weights)
    with pytest.raises(
        NonFiniteLossError, match=r"epoch 1, batch 1 of 4; layer 'dense_1': its parameters weight"
    ) as info:
        model.fit(
            X, y, batch_size=10, epochs=2, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)]
        )
    assert (info.value.epoch, info.value.batch, info.value.layer) == (0, 0, "dense_1")
    assert isinstance(info.value, RuntimeError)  # Keras' TerminateOnNaN(raise_error=True) raises a RuntimeError


def diverging_model():
    X = np.linspace(-10, 10, 40).reshape(-1, 1)
    model = Sequential([Dense(8, activation="relu", input_dim=1), Dense(1)], seed=0)
    return model.compile("sgd", "mse", learning_rate=1.0), X, 100.0 * X[:, 0]


def test_a_nan_loss_goes_on_as_in_keras_with_gradviz_warning_naming_where_once():
    model, X, y = diverging_model()
    with pytest.warns(
        GradvizWarning, match=r"^fit: the loss became (inf|nan) at epoch \d+, batch \d+ of 4;.*Training goes on"
    ) as caught:
        history = model.fit(X, y, batch_size=10, epochs=20, verbose=0, seed=0)
    assert len(caught) == 1 and len(history.epoch) == 20  # one warning, every epoch run
    assert not np.isfinite(history.history["loss"][-1])


def test_terminate_on_nan_stops_before_the_bad_update_and_prints_keras_line_and_the_explanation(capsys):
    model, X, y = diverging_model()
    history = model.fit(X, y, batch_size=10, epochs=20, verbose=0, seed=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"Batch \d: Invalid loss, terminating training", printed[0])
    assert printed[1].startswith("fit: the loss became") and "lower the learning rate (now 1)" in printed[1]
    assert len(history.epoch) < 20 and not np.isfinite(history.history["loss"][-1])
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())  # the bad batch's update is not applied


def test_nan_in_the_inputs_is_refused_before_training_naming_its_row_and_column():
    X = np.ones((4, 2))
    X[2, 1] = np.nan
    model = small_classifier()
    before = model.get_weights() if model.built else None
    with pytest.raises(
        InputError, match=r"fit: X holds 1 nan/inf value in 1 row, the first \(nan\) at row 2, column 1"
    ):
        model.fit(X, [0, 1, 2, 0], epochs=1, batch_size=4, verbose=0)
    assert before is None or all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_diverging_training_stops_with_a_hint_to_lower_the_learning_rate():
    model, X, y = diverging_model()
    with pytest.raises(NonFiniteLossError, match=r"lower the learning rate \(now 1\)"):
        model.fit(X, y, batch_size=10, epochs=20, verbose=0, seed=0,
                  callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])  # fmt: skip


# -- evaluate / predict / summary / weights ------------------------------------------------------------


def test_evaluate_returns_loss_and_metrics_in_keras_shapes():
    X, y = make_moons(30, seed=0)
    model = small_classifier(classes=2, metrics=["accuracy", "f1"])
    values = model.evaluate(X, y)
    assert isinstance(values, list) and len(values) == 3 and model.metrics_names == ["loss", "accuracy", "f1"]
    assert model.evaluate(X, y, return_dict=True) == dict(zip(model.metrics_names, values, strict=True))
    assert model.evaluate(X, y, batch_size=7)[0] == pytest.approx(values[0], rel=1e-12)
    plain = small_classifier(classes=2, metrics=[])
    assert isinstance(plain.evaluate(X, y), float)


def test_predict_returns_a_numpy_array_of_probabilities_with_any_batch_size():
    model = small_classifier()
    X = np.random.default_rng(0).normal(size=(10, 2))
    whole = model.predict(X)
    assert isinstance(whole, np.ndarray) and whole.shape == (10, 3)
    assert np.allclose(whole.sum(axis=1), 1.0)
    assert np.allclose(model.predict(X, batch_size=3), whole)
    assert np.array_equal(model.predict_classes(X), whole.argmax(axis=1))


def summary_of(model) -> str:
    printed = []
    assert model.summary(print_fn=printed.append) is None  # Keras' summary returns nothing
    return printed[0]


def test_summary_lists_layers_output_shapes_and_parameter_totals_as_keras_3():
    model = Sequential([Dense(64, activation="relu", input_dim=4), Dense(3, activation="softmax")])
    lines = summary_of(model).splitlines()
    assert lines[0] == 'Model: "sequential"'
    assert lines[2] == "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃"
    assert lines[4] == "│ dense (Dense)                   │ (None, 64)             │           320 │"
    assert lines[6] == "│ dense_1 (Dense)                 │ (None, 3)              │           195 │"
    assert lines[-3:] == [
        " Total params: 515 (4.02 KB)",  # float64 weights: 8 bytes each
        " Trainable params: 515 (4.02 KB)",
        " Non-trainable params: 0 (0.00 B)",
    ]
    model.compile("adam", "sparse_categorical_crossentropy").fit(np.zeros((4, 4)), [0, 1, 2, 0], verbose=0)
    assert summary_of(model).splitlines()[-1] == " Optimizer params: 1,030 (8.05 KB)"  # Adam's m and v


def test_summary_of_a_model_not_built_shows_question_marks_as_keras():
    model = Sequential([Dense(4), Dense(1)])
    assert "│ dense (Dense)                   │ ?                      │   0 (unbuilt) │" in summary_of(model)
    model.build((None, 3))
    assert "Total params: 21 (168.00 B)" in summary_of(model)


def test_dense_infers_its_input_size_at_the_first_call_and_then_keeps_it():
    layer = Dense(5, activation="tanh", seed=0)
    assert not layer.built and layer.weight is None
    layer(Tensor(np.ones((2, 7))))
    assert layer.built and layer.weight.shape == (5, 7) and layer.in_features == 7
    with pytest.raises(ShapeError, match="built for 7 input features but got 3"):
        layer.build(3)
    with pytest.raises(ShapeError, match="input_dim=2"):
        Dense(4, input_dim=2)(Tensor(np.ones((1, 3))))


def test_dense_is_a_linear_with_an_activation_child_so_scopes_show_the_layer():
    model = Sequential([Dense(4, activation="relu", input_dim=2), Dense(1, activation="sigmoid")], seed=0)
    assert isinstance(model[0], nn.Linear) and isinstance(model[0].activation, nn.ReLU)
    out = model(Tensor(np.ones((3, 2))))
    assert out.scope == "sequential/dense_1/sigmoid"
    assert [name for name, _ in model.named_parameters()] == [
        "dense.weight",
        "dense.bias",
        "dense_1.weight",
        "dense_1.bias",
    ]
    assert model[0].weight.label == "dense.weight"
    assert np.array_equal(model[0].bias.data, np.zeros(4))  # Keras' default: zero biases


def test_layers_get_keras_names_or_their_own_and_duplicates_are_refused():
    model = Sequential([Dense(4, name="hidden"), Dense(4), Dense(1)])
    assert [layer.name for layer in model.layers] == ["hidden", "dense", "dense_1"]
    assert model.get_layer("hidden") is model.layers[0]
    with pytest.raises(ValueError, match="already has a layer named 'hidden'"):
        model.add(Dense(2, name="hidden"))
    with pytest.raises(ValueError, match="attribute of Sequential"):
        Sequential([Dense(2, name="fit")])


def test_save_weights_and_load_weights_round_trip_bit_exact(tmp_path):
    model = small_classifier(seed=1)
    model.fit(np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 3, epochs=2, verbose=0)
    path = model.save_weights(tmp_path / "weights")
    other = small_classifier(seed=2)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        assert np.array_equal(a, b)


def test_optimizer_may_be_a_name_class_partial_or_instance_and_learning_rate_overrides():
    X, y = make_moons(20, seed=0)
    model = small_classifier(classes=2, optimizer="sgd")
    model.fit(X, y, epochs=1, verbose=0)
    assert isinstance(model.optimizer, optim.SGD) and model.optimizer.lr == 0.01  # Keras' default
    model.compile(
        optimizer=functools.partial(optim.SGD, momentum=0.9), loss="sparse_categorical_crossentropy", learning_rate=0.2
    )
    model.fit(X, y, epochs=1, verbose=0)
    assert model.optimizer.lr == 0.2 and model.optimizer.defaults["momentum"] == 0.9
    model.compile(optimizer=optim.RMSprop, loss="sparse_categorical_crossentropy")
    model.fit(X, y, epochs=1, verbose=0)
    assert isinstance(model.optimizer, optim.RMSprop)
    mine = optim.Adam(model.parameters(), lr=0.003)
    model.compile(optimizer=mine, loss="sparse_categorical_crossentropy")
    model.fit(X, y, epochs=1, verbose=0)
    assert model.optimizer is mine and "exp_avg" in mine.state[model[0].weight]
    model.compile(
        optimizer=optim.Adam(small_classifier(classes=2).parameters()), loss="sparse_categorical_crossentropy"
    )
    with pytest.raises(ValueError, match="built on other parameters"):
        model.fit(X, y, epochs=1, verbose=0)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw"])
def test_every_optimizer_name_trains_the_iris_network(name):
    X_train, _, y_train, _ = iris_split()
    model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(3, activation="softmax")], seed=0)
    model.compile(name, "sparse_categorical_crossentropy", learning_rate=None if name == "adadelta" else 0.05)
    history = model.fit(X_train, y_train, epochs=5, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_compile_returns_the_model_so_calls_chain():
    X, y = make_moons(20, seed=0)
    history = Sequential([Dense(1, activation="sigmoid")]).compile("adam", "binary_crossentropy").fit(X, y, verbose=0)
    assert history.epoch == [0]


# -- errors that teach --------------------------------------------------------------------------------


def test_unknown_loss_optimizer_and_metric_names_list_the_valid_ones():
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match="unknown loss 'cross_entropyy'; valid names: categorical_crossentropy, "):
        model.compile("adam", "cross_entropyy")
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; valid names: sgd, momentum"):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="unknown metric 'acuracy'; valid names: .*accuracy"):
        model.compile("adam", "mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="unknown activation 'rellu'; valid names: "):
        Dense(3, activation="rellu")


def test_fit_before_compile_says_to_compile():
    with pytest.raises(RuntimeError, match=r"not compiled; call model.compile\(optimizer="):
        Sequential([Dense(1)]).fit(np.zeros((2, 2)), np.zeros(2))


def test_label_shape_and_count_mismatches_are_explained():
    model = small_classifier()
    X = np.zeros((4, 2))
    with pytest.raises(ShapeError, match="X has 4 samples but y has 3"):
        model.fit(X, [0, 1, 2], verbose=0)
    with pytest.raises(
        ShapeError, match="sparse_categorical_crossentropy takes integer labels .*categorical_crossentropy"
    ):
        model.fit(X, one_hot([0, 1, 2, 0]), verbose=0)
    with pytest.raises(ValueError, match=r"label 3 is not a class of the last layer, which has 3 units .*Dense\(4\)"):
        model.fit(X, [0, 1, 2, 3], verbose=0)
    categorical = small_classifier(loss="categorical_crossentropy")
    with pytest.raises(ShapeError, match=r"one-hot targets of shape \(4, 3\)"):
        categorical.fit(X, one_hot([0, 1, 3, 0]), verbose=0)
    with pytest.raises(ShapeError, match=r"X has shape \(4,\).*reshape\(-1, 1\)"):
        model.fit(np.zeros(4), [0, 1, 2, 0], verbose=0)
    with pytest.raises(ShapeError, match=r"samples of shape \(2,\).*samples of shape \(5,\)"):
        model.predict(np.zeros((1, 5)))


def test_binary_crossentropy_refuses_minus_one_labels():
    model = Sequential([Dense(1, activation="sigmoid", input_dim=2)]).compile("adam", "binary_crossentropy")
    with pytest.raises(ValueError, match=r"targets in \[0, 1\].*\(y \+ 1\) / 2"):
        model.fit(np.zeros((2, 2)), [-1, 1], verbose=0)


def test_any_last_activation_goes_with_a_cross_entropy_read_as_probabilities_clipped_as_keras():
    X, y = np.array([[1.0, -2.0], [0.5, 0.5], [-1.0, 3.0]]), np.array([1.0, 0.0, 1.0])
    relu_out = Sequential([Dense(1, activation="relu", input_dim=2)], seed=0).compile("adam", "binary_crossentropy")
    p = np.clip(relu_out.predict(X, verbose=0)[:, 0], 1e-7, 1 - 1e-7)
    keras_rule = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert relu_out.evaluate(X, y, verbose=0) == pytest.approx(keras_rule, rel=1e-12)
    tanh_out = Sequential([Dense(3, activation="tanh", input_dim=2)], seed=0).compile(
        "adam", "categorical_crossentropy"
    )
    outputs = tanh_out.predict(X, verbose=0)
    q = np.clip(outputs / outputs.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)
    targets = one_hot([0, 2, 1], 3)
    assert tanh_out.evaluate(X, targets, verbose=0) == pytest.approx(-np.mean((targets * np.log(q)).sum(1)), rel=1e-12)


def test_early_stopping_on_val_loss_without_validation_says_how_to_get_it():
    model = small_classifier()
    with pytest.raises(KeyError, match="no 'val_loss'.*validation_split="):
        model.fit(np.zeros((4, 2)), [0, 1, 2, 0], epochs=2, callbacks=[EarlyStopping()], verbose=0)


def test_a_custom_loss_function_receives_y_true_then_y_pred_as_in_keras():
    seen = {}

    def squared_error_sum(y_true, y_pred):
        seen["arguments"] = (y_true.requires_grad, y_pred.requires_grad, y_true.shape, y_pred.shape)
        return ((y_pred - y_true) ** 2).sum()

    model = Sequential([Dense(2, input_dim=3)], seed=0).compile("sgd", squared_error_sum)
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), batch_size=4, verbose=0)
    assert seen["arguments"] == (False, True, (4, 2), (4, 2)) and model.loss is squared_error_sum


def test_a_custom_loss_of_one_value_per_sample_is_averaged_as_keras_reduces_it():
    def per_sample(y_true, y_pred):
        return ((y_pred - y_true) ** 2).sum(axis=-1)

    model = Sequential([Dense(2, input_dim=3)], seed=0).compile("sgd", per_sample)
    X, y = np.ones((4, 3)), np.arange(8.0).reshape(4, 2)
    expected = ((model.predict(X, verbose=0) - y) ** 2).sum(axis=1).mean()
    assert model.evaluate(X, y, verbose=0) == pytest.approx(expected, rel=1e-12)


def test_verbose_one_draws_a_tqdm_bar_per_epoch_when_tqdm_is_installed(monkeypatch):
    import sys
    import types

    bars = []

    class FakeBar:
        def __init__(self, total, desc, unit, leave):
            self.total, self.desc, self.updates, self.postfix, self.closed = total, desc, 0, "", False
            bars.append(self)

        def update(self, n):
            self.updates += n

        def set_postfix_str(self, text, refresh=True):
            self.postfix = text

        def close(self):
            self.closed = True

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = FakeBar
    package = types.ModuleType("tqdm")
    package.auto = auto
    monkeypatch.setitem(sys.modules, "tqdm", package)
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    X, y = make_moons(20, seed=0)
    small_classifier(classes=2).fit(X, y, epochs=2, batch_size=8, verbose=1)
    assert [(bar.desc, bar.total, bar.updates, bar.closed) for bar in bars] == [
        ("Epoch 1/2", 3, 3, True),
        ("Epoch 2/2", 3, 3, True),
    ]
    assert bars[-1].postfix.startswith("loss: ") and " - accuracy: " in bars[-1].postfix


def test_a_float32_model_trains_in_float32():
    X, y = make_moons(40, seed=0)
    model = Sequential([Dense(8, activation="relu", dtype="float32"), Dense(1, activation="sigmoid", dtype="float32")])
    model.compile("adam", "binary_crossentropy", learning_rate=0.05).fit(X, y, epochs=3, verbose=0, seed=0)
    assert {w.dtype for w in model.get_weights()} == {np.dtype("float32")}
    assert model.predict(X).dtype == np.float32


def test_gradviz_nn_modules_work_as_keras_layers_and_a_final_nn_softmax_is_fused():
    model = Sequential([nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1), nn.Softmax()])
    assert [layer.name for layer in model.layers] == ["linear", "relu", "linear_1", "softmax"]
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    logits = model(Tensor(X), logits=True)
    assert logits.scope == "sequential/linear_1"
    assert model.evaluate(X, [0, 2])[0] == pytest.approx(float(nn.cross_entropy(logits, [0, 2]).item()), rel=1e-12)
    text = summary_of(model)
    assert "relu (ReLU)" in text and "Total params: 51" in text


# -- bad arguments and bad data: clear gradviz errors, before anything trains -------------------------------------

X4 = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
Y4 = np.array([0, 1, 2, 0])


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, 2.0, "8", True])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_a_batch_size_that_is_not_an_integer_of_at_least_1_is_refused_by_fit_evaluate_and_predict(call, batch_size):
    model = small_classifier()
    arguments = (X4,) if call == "predict" else (X4, Y4)
    options = {"verbose": 0} if call == "fit" else {}
    with pytest.raises(
        InputError, match=rf"^{call}: batch_size must be an integer ≥ 1 \(samples per batch\) or None"
    ) as info:
        getattr(model, call)(*arguments, batch_size=batch_size, **options)
    assert info.value.argument == "batch_size"
    if batch_size == 2.0:
        assert str(info.value).endswith("got 2.0; write 2")


def test_numpy_integer_batch_sizes_and_none_are_accepted():
    model = small_classifier()
    model.fit(X4, Y4, batch_size=np.int64(2), verbose=0)
    assert model.predict(X4, batch_size=np.int32(3)).shape == (4, 3)
    assert model.evaluate(X4, Y4, batch_size=None) == pytest.approx(model.evaluate(X4, Y4, batch_size=3))


@pytest.mark.parametrize("verbose", ["loud", 3, -1, 1.0, None])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_verbose_must_be_auto_0_1_or_2_as_in_keras(call, verbose):
    model = small_classifier()
    arguments = (X4,) if call == "predict" else (X4, Y4)
    with pytest.raises(InputError, match=rf"^{call}: verbose must be 'auto', 0, 1 or 2 .*got {verbose!r}$"):
        getattr(model, call)(*arguments, verbose=verbose)


def test_verbose_auto_is_keras_default_progress(capsys):
    model = small_classifier()
    model.fit(X4, Y4, epochs=1, verbose="auto")  # a tqdm bar (stderr) or a line per epoch
    model.evaluate(X4, Y4, verbose="auto")
    assert "loss: " in capsys.readouterr().out


@pytest.mark.parametrize("epochs", [-1, 2.5, "3", None, True])
def test_epochs_must_be_an_integer_of_at_least_0(epochs):
    with pytest.raises(InputError, match=r"fit: epochs must be an integer ≥ 0, got"):
        small_classifier().fit(X4, Y4, epochs=epochs, verbose=0)


@pytest.mark.parametrize("split", [1.0, -0.1, 1.5, float("nan"), "0.2", True])
def test_validation_split_must_be_a_fraction_in_0_1(split):
    with pytest.raises(InputError, match=r"fit: validation_split must be a fraction in \[0, 1\)"):
        small_classifier().fit(X4, Y4, validation_split=split, verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_a_ragged_list_as_x_is_explained_with_its_row_lengths_not_numpys_message(call):
    ragged = [[0.0, 1.0], [1.0, 0.0], [0.5], [1.0, 1.0]]
    model = small_classifier()
    arguments = (ragged,) if call == "predict" else (ragged, Y4)
    with pytest.raises(InputError) as info:
        getattr(model, call)(*arguments)
    assert str(info.value) == (
        f"{call}: X is a ragged list: row 0 has 2 values but row 2 has 1 value (rows seen: 2 values (3 rows), 1 value "
        "(1 row)). A model takes one row per sample, every row with the same number of features: pad the short rows "
        "or drop them."
    )
    assert (info.value.argument, info.value.row) == ("X", 2)


def test_a_ragged_y_and_a_deeper_ragged_x_are_explained_too():
    with pytest.raises(InputError, match=r"fit: y is a ragged list: row 0 has 1 value but row 1 has 2 values"):
        small_classifier().fit(X4[:2], [[0], [1, 2]], verbose=0)
    images = [[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [1.0]]]
    with pytest.raises(InputError, match=r"predict: X is a ragged list: row 0 has shape \(2, 2\) but row 1 has ragged"):
        Sequential([Flatten(), Dense(2)], seed=0).predict(images)


def test_x_and_y_with_different_numbers_of_samples_are_refused():
    with pytest.raises(ShapeError, match=r"fit: X has 4 samples but y has 3; give one target per sample"):
        small_classifier().fit(X4, Y4[:3], verbose=0)
    with pytest.raises(ShapeError, match=r"evaluate: X has 4 samples but y has 5"):
        small_classifier().evaluate(X4, np.append(Y4, 1))


@pytest.mark.parametrize("call", ["evaluate", "predict"])
def test_nan_or_inf_in_x_is_refused_by_evaluate_and_predict_too_instead_of_a_nan_result(call):
    X = X4.copy()
    X[3, 0] = np.inf
    model = small_classifier()
    arguments = (X,) if call == "predict" else (X, Y4)
    with pytest.raises(
        InputError, match=rf"{call}: X holds 1 nan/inf value in 1 row, the first \(inf\) at row 3, column 0"
    ):
        getattr(model, call)(*arguments)


def test_nan_in_regression_targets_is_refused_naming_the_row():
    model = Sequential([Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    y = np.array([1.0, np.nan, 0.5, np.nan])
    with pytest.raises(
        InputError, match=r"fit: y holds 2 nan/inf values in 2 rows, the first \(nan\) at row 1\."
    ) as info:
        model.fit(X4, y, verbose=0)
    assert (info.value.argument, info.value.row, info.value.column) == ("y", 1, None)
    with pytest.raises(InputError, match=r"at row 2, column 1"):
        Sequential([Dense(2, input_dim=2)], seed=0).compile("sgd", "mse").fit(
            X4, [[0.0, 1.0], [1.0, 1.0], [1.0, np.nan], [0.0, 0.0]], verbose=0
        )


def test_validation_data_with_nan_is_refused_as_validation_data():
    X_val = X4.copy()
    X_val[0, 0] = np.nan
    with pytest.raises(InputError, match=r"fit\(validation_data\): X holds 1 nan/inf value"):
        small_classifier().fit(X4, Y4, validation_data=(X_val, Y4), verbose=0)


@pytest.mark.parametrize(
    "layers, loss",
    [
        ([Dense(4, activation="relu", input_dim=2), Dense(1)], "mse"),
        ([Dense(4, activation="relu", input_dim=2), Dense(3)], "mae"),
        ([Dense(4, activation="relu", input_dim=2), Dense(1, activation="relu")], "mse"),
        ([Dense(2, input_dim=2)], None),
    ],
    ids=["linear-mse", "three-values-mae", "relu-output", "not-compiled"],
)
def test_predict_classes_on_a_regression_model_says_it_predicts_values_and_what_to_use(layers, loss):
    model = Sequential(layers, seed=0)
    if loss:
        model.compile("sgd", loss)
    with pytest.raises(
        InputError, match=r"predict_classes: this model predicts values, not classes: its last layer's"
    ) as info:
        model.predict_classes(X4)
    assert "Use model.predict(x) for the values" in str(info.value) and "activation='softmax'" in str(info.value)


def test_predict_classes_reads_a_linear_output_as_its_loss_reads_it():
    logits = Sequential([Dense(3, input_dim=2)], seed=0).compile("sgd", "sparse_categorical_crossentropy")
    assert np.array_equal(logits.predict_classes(X4), logits.predict(X4).argmax(axis=1))
    binary = Sequential([Dense(1, input_dim=2)], seed=0)
    binary.compile("sgd", losses.BinaryCrossentropy(from_logits=True))
    assert np.array_equal(binary.predict_classes(X4), (binary.predict(X4)[:, 0] > 0).astype(int))
    binary.compile("sgd", "binary_crossentropy")  # from_logits=False: the outputs are probabilities
    assert np.array_equal(binary.predict_classes(X4), (binary.predict(X4)[:, 0] > 0.5).astype(int))
    scores = Sequential([Dense(1, activation="tanh", input_dim=2)], seed=0).compile("sgd", "hinge")
    assert np.array_equal(scores.predict_classes(X4), (scores.predict(X4)[:, 0] > 0).astype(int))


@pytest.mark.parametrize("rate", [float("nan"), -0.1, "0.1"])
def test_compile_checks_the_learning_rate_as_the_optimizers_do(rate):
    with pytest.raises((ValueError, TypeError), match=r"compile: .*learning.rate"):
        small_classifier().compile("adam", "sparse_categorical_crossentropy", learning_rate=rate)


@pytest.mark.parametrize("batch_size", [0, 2.5])
def test_the_jax_backend_checks_arguments_and_data_through_the_same_functions(batch_size):
    jax_backend = pytest.importorskip("gradviz.backends.jax")
    model = small_classifier()
    with pytest.raises(InputError) as numpy_error:
        model.predict(X4, batch_size=batch_size)
    with pytest.raises(InputError) as jax_error:
        jax_backend.predict(model, X4, batch_size=batch_size)
    # the same check; only what None means differs (Keras' 32 for predict, everything at once for jax's)
    assert str(jax_error.value).split(" or None")[0] == str(numpy_error.value).split(" or None")[0]
    with pytest.raises(InputError, match=r"^fit: batch_size must be an integer ≥ 1"):
        model.fit(X4, Y4, batch_size=batch_size, verbose=0, backend="jax")
    ragged = [[0.0, 1.0], [1.0]]
    with pytest.raises(InputError, match=r"^loss_function: X is a ragged list"):
        jax_backend.loss_function(model, ragged, Y4[:2])
    with pytest.raises(InputError, match=r"^fit: verbose must be"):
        model.fit(X4, Y4, verbose="loud", backend="jax")
