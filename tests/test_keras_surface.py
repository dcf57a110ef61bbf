"""gradviz.keras's Keras 3 surface: submodules, fit/evaluate/predict in Keras' order and defaults, weights in Keras'
layout, losses with from_logits, optimizer and metric objects, weighted losses, saving and loading."""

from __future__ import annotations

import importlib
import json
import zipfile

import numpy as np
import pytest

from gradviz import Tensor, keras, optim
from gradviz.data import make_moons, one_hot
from gradviz.errors import ShapeError
from gradviz.export._files import FilesRefused
from gradviz.keras import InputError, layers, losses, metrics, optimizers

X4 = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
Y4 = np.array([0, 1, 2, 0])


def classifier(seed: int = 0, **compile_options) -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input(shape=(2,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")], seed=seed
    )
    options = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
    return model.compile(**{**options, **compile_options})


# -- the modules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["layers", "optimizers", "losses", "metrics", "callbacks", "utils", "models", "saving"]
)
def test_each_keras_submodule_imports_three_ways(name):
    module = importlib.import_module(f"gradviz.keras.{name}")
    assert getattr(keras, name) is module
    assert getattr(importlib.import_module("gradviz.keras"), name) is module


def test_the_names_gradviz_keras_had_stay_importable_from_it():
    from gradviz.keras import LOSSES, OPTIMIZERS, Activation, Dense, Flatten, History, NonFiniteLossError  # noqa: F401

    assert keras.Dense is layers.Dense and keras.Sequential is keras.models.Sequential


# -- fit, evaluate, predict: Keras' order and defaults ---------------------------------------------------


def test_fit_takes_batch_size_then_epochs_positionally_as_keras():
    X, y = make_moons(40, seed=0)
    history = classifier().fit(X, y, 4, 3, 0)  # x, y, batch_size, epochs, verbose
    assert history.params["batch_size"] == 4 and history.params["epochs"] == 3 and history.params["steps"] == 10
    assert len(history.epoch) == 3


def test_gradviz_keywords_come_after_keras_arguments_and_only_by_name():
    with pytest.raises(TypeError):
        classifier().fit(X4, Y4, 2, 1, 0, None, 0.0, None, True, None, None, 0, None, None, None, 1, 0)


def test_the_defaults_are_keras_batches_of_32_and_one_epoch():
    X, y = make_moons(100, seed=0)
    history = classifier().fit(X, y, verbose=0)
    assert history.params["batch_size"] == 32 and history.params["steps"] == 4 and len(history.epoch) == 1


def test_validation_data_wins_over_validation_split_as_in_keras():
    X, y = make_moons(60, seed=0)
    X_val, y_val = make_moons(20, seed=1)
    model = classifier()
    history = model.fit(X, y, epochs=1, verbose=0, validation_split=0.5, validation_data=(X_val, y_val), seed=0)
    assert history.params["samples"] == 60  # nothing held out of x
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(X_val, y_val, verbose=0)[0], rel=1e-12)


def test_validation_freq_validates_every_k_epochs():
    X, y = make_moons(40, seed=0)
    history = classifier().fit(X, y, epochs=4, verbose=0, validation_split=0.25, validation_freq=2)
    assert np.isnan(history.history["val_loss"]).tolist() == [True, False, True, False]  # the rows line up


def test_steps_per_epoch_runs_that_many_batches_and_refuses_more_than_the_data_holds():
    X, y = make_moons(40, seed=0)
    seen = []
    watch = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    history = classifier().fit(X, y, batch_size=8, epochs=2, steps_per_epoch=2, verbose=0, callbacks=[watch])
    assert seen == [0, 1, 0, 1] and history.params["steps"] == 2
    with pytest.raises(InputError, match="steps_per_epoch=6 but 40 samples in batches of 8 make only 5"):
        classifier().fit(X, y, batch_size=8, steps_per_epoch=6, verbose=0)


def test_evaluate_and_predict_run_in_batches_of_32_by_default():
    X = np.random.default_rng(0).normal(size=(70, 2))
    batches = []
    watch = keras.callbacks.LambdaCallback(
        on_predict_batch_end=lambda batch, logs: batches.append(len(logs["outputs"]))
    )
    model = classifier()
    model.predict(X, verbose=0, callbacks=[watch])
    assert batches == [32, 32, 6]
    assert model.evaluate(X, np.zeros(70, dtype=int), verbose=0)[0] == pytest.approx(
        model.evaluate(X, np.zeros(70, dtype=int), batch_size=70, verbose=0)[0], rel=1e-12
    )


def test_evaluate_and_predict_print_keras_progress_by_default(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    model = classifier()
    model.evaluate(X4, Y4)
    model.predict(X4)
    evaluated, predicted = capsys.readouterr().out.strip().splitlines()
    assert evaluated.startswith("1/1 ━") and "- loss: " in evaluated and "- accuracy: " in evaluated
    assert predicted.startswith("1/1 ━") and predicted.endswith("/step")
    model.evaluate(X4, Y4, verbose=2)
    assert capsys.readouterr().out.startswith("1/1 - ")


# -- weighted losses -------------------------------------------------------------------------------------


def test_sample_weight_weights_each_samples_loss_summed_over_the_batch_size_as_keras():
    model = classifier()
    weights = np.array([1.0, 0.0, 2.0, 0.5])
    probabilities = model.predict(X4, verbose=0)
    each = -np.log(probabilities[np.arange(4), Y4])
    assert model.evaluate(X4, Y4, sample_weight=weights, verbose=0)[0] == pytest.approx((weights * each).sum() / 4)


def test_class_weight_is_the_sample_weight_of_each_samples_class():
    X, y = make_moons(40, seed=0)
    by_class, by_sample = classifier(), classifier()
    one = by_class.fit(X, y, epochs=2, class_weight={0: 3.0}, verbose=0, seed=0).history["loss"]
    two = by_sample.fit(X, y, epochs=2, sample_weight=np.where(y == 0, 3.0, 1.0), verbose=0, seed=0).history["loss"]
    assert one == two
    assert all(np.array_equal(a, b) for a, b in zip(by_class.get_weights(), by_sample.get_weights(), strict=True))


def test_sample_and_class_weight_together_are_refused_and_a_wrong_shape_is_explained():
    with pytest.raises(ValueError, match="sample_weight or class_weight, not both"):
        classifier().fit(X4, Y4, sample_weight=np.ones(4), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ShapeError, match=r"one weight per sample, shape \(4,\), got \(3,\)"):
        classifier().fit(X4, Y4, sample_weight=np.ones(3), verbose=0)


def test_validation_split_splits_the_sample_weights_too():
    X, y = make_moons(40, seed=0)
    weights = np.where(np.arange(40) >= 30, 0.0, 1.0)  # the held-out 25 % weigh nothing
    history = classifier().fit(X, y, epochs=1, validation_split=0.25, sample_weight=weights, verbose=0)
    assert history.history["val_loss"] == [0.0]


def test_loss_weights_scale_the_loss():
    plain, doubled = classifier(), classifier(loss_weights=2.0)
    assert doubled.evaluate(X4, Y4, verbose=0)[0] == pytest.approx(2 * plain.evaluate(X4, Y4, verbose=0)[0])
    with pytest.raises(ValueError, match="one output"):
        classifier(loss_weights=[1.0, 2.0])


def test_jit_compile_and_run_eagerly_are_accepted_and_weighted_metrics_refused():
    classifier(jit_compile=True, run_eagerly=True).fit(X4, Y4, verbose=0)
    with pytest.raises(ValueError, match="weighted_metrics"):
        classifier(weighted_metrics=["accuracy"])


# -- losses: from_logits decides ---------------------------------------------------------------------------


def test_the_loss_functions_return_one_value_per_sample_and_the_classes_their_mean():
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])
    each = losses.sparse_categorical_crossentropy([0, 2], logits, from_logits=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(each, -log_p[[0, 1], [0, 2]])
    assert float(losses.SparseCategoricalCrossentropy(from_logits=True)([0, 2], logits)) == pytest.approx(each.mean())
    assert float(
        losses.SparseCategoricalCrossentropy(reduction="sum", from_logits=True)([0, 2], logits)
    ) == pytest.approx(each.sum())


def test_a_loss_on_tensors_is_a_node_that_back_propagates():
    z = Tensor([[2.0, -1.0]], requires_grad=True)
    loss = losses.CategoricalCrossentropy(from_logits=True)(np.array([[1.0, 0.0]]), z)
    loss.backward()
    p = np.exp([2.0, -1.0]) / np.exp([2.0, -1.0]).sum()
    np.testing.assert_allclose(z.grad, [p - [1.0, 0.0]])


def test_a_final_softmax_is_fused_and_a_linear_output_with_from_logits_is_the_same_loss():
    fused = classifier()
    logits = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(8, activation="relu"), layers.Dense(3)], seed=0)
    logits.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True))
    assert fused._loss.kind == "sparse" and logits._loss.kind == "sparse:logits"
    assert fused.evaluate(X4, Y4, verbose=0)[0] == pytest.approx(logits.evaluate(X4, Y4, verbose=0), rel=1e-12)


def test_from_logits_true_after_a_softmax_reads_the_probabilities_as_logits_as_keras_does():
    model = classifier(loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    p = model.predict(X4, verbose=0)
    twice = np.log(np.exp(p) / np.exp(p).sum(axis=1, keepdims=True))  # a softmax of the softmax
    assert model.evaluate(X4, Y4, verbose=0)[0] == pytest.approx(-twice[np.arange(4), Y4].mean(), rel=1e-12)


def test_a_keras_loss_function_can_be_compiled_and_label_smoothing_is_honoured():
    model = classifier(loss=losses.categorical_crossentropy)
    assert model.loss is losses.categorical_crossentropy
    targets = one_hot(Y4, 3)
    smooth = classifier(loss=losses.CategoricalCrossentropy(label_smoothing=0.2))
    p = smooth.predict(X4, verbose=0)
    soft = targets * 0.8 + 0.2 / 3
    assert smooth.evaluate(X4, targets, verbose=0)[0] == pytest.approx(-(soft * np.log(p)).sum(axis=1).mean(), rel=1e-9)


def test_compute_loss_is_the_loss_fit_minimises():
    model = classifier()
    loss = model.compute_loss(X4, Y4)
    assert isinstance(loss, Tensor) and loss.item() == pytest.approx(model.evaluate(X4, Y4, verbose=0)[0], rel=1e-12)
    from_predictions = model.compute_loss(y=Y4, y_pred=model.predict(X4, verbose=0))
    assert from_predictions.item() == pytest.approx(loss.item(), rel=1e-9)


# -- weights in Keras' layout ------------------------------------------------------------------------------


def test_get_weights_gives_kernels_as_inputs_by_units_and_the_parameter_stays_torch_layout():
    model = classifier()
    kernel, bias, out_kernel, out_bias = model.get_weights()
    assert kernel.shape == (2, 8) and out_kernel.shape == (8, 3)
    np.testing.assert_array_equal(kernel, model.layers[0].weight.data.T)
    outputs = np.maximum(X4 @ kernel + bias, 0) @ out_kernel + out_bias  # Keras' x · kernel + bias
    np.testing.assert_allclose(model.predict(X4, verbose=0), np.exp(outputs) / np.exp(outputs).sum(1, keepdims=True))
    assert [w.shape for w in model.layers[0].get_weights()] == [(2, 8), (8,)]


def test_set_weights_in_torch_layout_is_refused_saying_to_transpose():
    model = classifier()
    weights = model.get_weights()
    with pytest.raises(ShapeError, match=r"takes shape \(2, 8\), got \(8, 2\) .* pass its transpose \(W.T\)"):
        model.set_weights([weights[0].T, *weights[1:]])


# -- layers and Sequential ---------------------------------------------------------------------------------


def test_input_builds_the_model_and_is_not_one_of_its_layers():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    assert model.built and model.input_shape == (None, 3) and model.output_shape == (None, 2)
    assert len(model.layers) == 1 and model.count_params() == 8
    with pytest.raises(ValueError, match="must come first"):
        model.add(keras.Input(shape=(2,)))


def test_add_and_pop_as_keras():
    model = keras.Sequential([keras.Input(shape=(4,))])
    model.add(layers.Dense(5, activation="relu"))
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert isinstance(popped, layers.Dense) and popped.units == 2
    assert model.output_shape == (None, 5) and [layer.name for layer in model.layers] == ["dense"]


def test_dropout_drops_while_fit_trains_and_not_in_evaluate_or_predict():
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(64, activation="relu"), layers.Dropout(0.5),
                              layers.Dense(1)], seed=0)  # fmt: skip
    model.compile("sgd", "mse")
    first, second = model.predict(X4, verbose=0), model.predict(X4, verbose=0)
    np.testing.assert_array_equal(first, second)  # inference: no mask
    trained = model(Tensor(X4), training=True).data
    assert not np.allclose(trained, first)  # training=True (Keras'): the mask is drawn
    assert model.layers[1].get_config() == {"name": "dropout", "rate": 0.5}


def test_unsupported_layer_arguments_are_refused_saying_so():
    with pytest.raises(ValueError, match="kernel_regularizer= not supported"):
        layers.Dense(3, kernel_regularizer="l2")


# -- optimizers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SGD", {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
        ("RMSprop", {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}),
        ("Adagrad", {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7}),
        ("Adadelta", {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
        ("Adam", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}),
        ("AdamW", {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999}),
    ],
)
def test_optimizers_have_keras_defaults(name, expected):
    config = getattr(optimizers, name)().get_config()
    assert {key: config[key] for key in expected} == expected


def test_an_optimizer_object_trains_the_model_and_its_learning_rate_is_live():
    opt = optimizers.Adam(1e-2)  # positional learning_rate, as Keras
    model = classifier(optimizer=opt)
    model.fit(X4, Y4, epochs=1, verbose=0)
    assert model.optimizer is opt and isinstance(opt, optim.Adam) and opt.built
    opt.learning_rate = 0.5
    assert model.optimizer.param_groups[0]["lr"] == 0.5 and model.optimizer.lr == 0.5
    with pytest.raises(ValueError, match="already built on another model's weights"):
        classifier(optimizer=opt).fit(X4, Y4, verbose=0)


def test_an_optimizer_object_takes_the_same_steps_as_its_name():
    by_name, by_object = classifier(optimizer="rmsprop"), classifier(optimizer=optimizers.RMSprop())
    assert (
        by_name.fit(X4, Y4, epochs=3, verbose=0, seed=0).history
        == by_object.fit(X4, Y4, epochs=3, verbose=0, seed=0).history
    )


def test_keras_weight_decay_is_decoupled_before_the_update():
    w = Tensor([2.0], requires_grad=True)
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, weight_decay=0.5).build([w])
    (w * 0.0).sum().backward()  # zero gradient: only the decay moves w
    opt.step()
    assert w.data[0] == pytest.approx(2.0 - 2.0 * 0.5 * 0.1)


def test_unsupported_optimizer_arguments_are_refused():
    with pytest.raises(ValueError, match="use_ema not supported"):
        optimizers.Adam(use_ema=True)
    with pytest.raises(TypeError, match="LearningRateScheduler"):
        optimizers.SGD(learning_rate=lambda step: 0.1)


# -- metrics ---------------------------------------------------------------------------------------------


def test_metric_objects_in_compile_use_their_keras_names_in_history():
    X, y = make_moons(40, seed=0)
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=[metrics.BinaryAccuracy(), metrics.Precision(),
                                                          metrics.Recall(), metrics.AUC(), "binary_accuracy"])  # fmt: skip
    history = model.fit(X, y, epochs=1, verbose=0, validation_split=0.25)
    assert list(history.history) == [
        "loss", "binary_accuracy", "precision", "recall", "auc", "binary_accuracy_1",
        "val_loss", "val_binary_accuracy", "val_precision", "val_recall", "val_auc", "val_binary_accuracy_1",
    ]  # fmt: skip
    values = model.evaluate(X, y, verbose=0, return_dict=True)
    p = model.predict(X, verbose=0)[:, 0]
    assert values["binary_accuracy"] == pytest.approx(np.mean((p > 0.5) == y))
    assert values["precision"] == pytest.approx(np.sum((p > 0.5) & (y == 1)) / np.sum(p > 0.5))


def test_keras_precision_on_softmax_outputs_with_integer_labels_says_what_to_do():
    model = classifier(metrics=[metrics.Precision()])
    with pytest.raises(ValueError, match="one-hot labels .* class_id=k .* metrics=\\['precision'\\]"):
        model.evaluate(X4, Y4, verbose=0)


# -- utils -----------------------------------------------------------------------------------------------


def test_set_random_seed_makes_a_whole_run_repeat():
    X, y = make_moons(40, seed=0)

    def run():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
        return model.compile("sgd", "mse").fit(X, y, epochs=2, verbose=0).history["loss"]

    assert run() == run()


# -- saving ------------------------------------------------------------------------------------------------


def test_save_writes_exactly_the_keras_name_in_a_safe_format_and_load_model_restores_everything(tmp_path):
    X, y = make_moons(40, seed=0)
    model = classifier(
        optimizer=optimizers.Adam(0.01), metrics=["accuracy", metrics.SparseCategoricalAccuracy(name="sca")]
    )
    model.fit(X, y, epochs=2, verbose=0, seed=0)
    path = tmp_path / "m.keras"
    assert model.save(path) == str(path) and sorted(p.name for p in tmp_path.iterdir()) == [
        ".gradviz-manifest.json", "m.keras"]  # fmt: skip
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.npz"]
        config = json.loads(archive.read("config.json"))
    assert [layer["class_name"] for layer in config["config"]["layers"]] == ["InputLayer", "Dense", "Dense"]
    loaded = keras.models.load_model(path)
    assert loaded.metrics_names == model.metrics_names
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True))
    # the optimizer's state came back too: one more epoch gives the same weights on both
    model.fit(X, y, epochs=1, verbose=0, seed=1)
    loaded.fit(X, y, epochs=1, verbose=0, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True))


def test_save_replaces_its_own_file_but_refuses_one_it_did_not_write(tmp_path):
    model = classifier()
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.keras")  # gradviz wrote it: replaced
    theirs = tmp_path / "theirs.keras"
    theirs.write_bytes(b"not ours")
    with pytest.raises(FilesRefused):
        model.save(theirs)
    assert theirs.read_bytes() == b"not ours"
    model.save(theirs, overwrite=True)
    assert keras.models.load_model(theirs).count_params() == model.count_params()


def test_save_needs_a_keras_name_and_load_model_refuses_files_keras_wrote(tmp_path):
    with pytest.raises(ValueError, match="must end in '.keras'"):
        classifier().save(tmp_path / "model.pkl")
    fake = tmp_path / "keras.keras"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("config.json", "{}")
        archive.writestr("model.weights.h5", b"\x89HDF")
    with pytest.raises(ValueError, match="written by Keras itself"):
        keras.models.load_model(fake)


def test_save_weights_with_keras_names_round_trips_and_needs_a_built_model(tmp_path):
    model, other = classifier(seed=0), classifier(seed=1)
    path = model.save_weights(tmp_path / "x.weights.h5")
    assert path.endswith("x.weights.h5") and (tmp_path / "x.weights.h5").exists()
    other.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights(), strict=True))
    third = classifier(seed=2).load_weights(model.save(tmp_path / "m.keras"))  # weights from a .keras file too
    assert np.array_equal(third.get_weights()[0], model.get_weights()[0])


def test_get_config_from_config_and_clone_model_rebuild_the_architecture():
    model = classifier()
    twin = keras.Sequential.from_config(json.loads(json.dumps(model.get_config())))
    assert [type(layer) for layer in twin.layers] == [type(layer) for layer in model.layers]
    assert [w.shape for w in twin.get_weights()] == [w.shape for w in model.get_weights()]
    clone = keras.models.clone_model(model)
    assert clone.count_params() == model.count_params() and not clone.compiled
    with pytest.raises(ValueError, match="not one of keras.layers' classes"):
        keras.Sequential([__import__("gradviz").nn.Linear(2, 2)]).get_config()


def test_train_on_batch_takes_one_step_and_returns_the_loss_before_it():
    model = classifier()
    before = model.evaluate(X4, Y4, verbose=0, return_dict=True)
    first = model.train_on_batch(X4, Y4, return_dict=True)
    assert first["loss"] == pytest.approx(before["loss"], rel=1e-12)
    assert model.train_on_batch(X4, Y4)[0] < first["loss"]
    assert model.test_on_batch(X4, Y4)[0] == pytest.approx(model.evaluate(X4, Y4, verbose=0)[0])
