"""Course-style Keras 3 scripts run on gradviz.keras with only the import changed, and on real Keras when it is
installed (the optional extra): the same code, the same names, the same shapes, the accuracies Keras reaches.

Each script is a function of the ``keras`` module it runs on. Real Keras runs on its JAX backend
(KERAS_BACKEND=jax, set before keras is imported). The two never start from the same random weights, so they are
compared as a course compares them: the weights' shapes, the history's keys, and the metrics reached.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from gradviz import keras as gradviz_keras
from gradviz.data import load_digits, load_iris, train_test_split

# Keras' own JAX code still calls np.array(x, copy=False) on its arrays: numpy 2's notice about it is theirs
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")


@pytest.fixture(scope="module")
def real_keras():
    """Keras 3 on JAX, or a skip saying how to get it."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras", reason="real Keras is the optional comparison: pip install keras jax")
    if not keras.__version__.startswith("3."):
        pytest.skip(f"these scripts are Keras 3's; keras {keras.__version__} is installed")
    if keras.backend.backend() != "jax":
        pytest.skip(f"keras was imported with the {keras.backend.backend()} backend before this module set jax")
    return keras


def standardised(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std


# -- the scripts: each takes the keras module, as a student's script imports it ---------------------------------


def iris_first_network(keras):
    """The course's first network: Iris, keras.Input and keras.layers, Adam, sparse labels."""
    from_layers = keras.layers
    X, y = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, seed=1)
    X_train, X_test = standardised(X_train, X_test)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            from_layers.Dense(16, activation="relu"),
            from_layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    history = model.fit(X_train, y_train, 16, 60, verbose=0, validation_split=0.2)  # batch_size, epochs: Keras' order
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    probabilities = model.predict(X_test[:5], verbose=0)
    return model, history, {"loss": loss, "accuracy": accuracy, "probabilities": probabilities}


def flat_prices_regression(keras):
    """Linear regression with SGD and MSE: one Dense unit learns the least-squares line (standardised data)."""
    rng = np.random.default_rng(0)
    size = rng.uniform(30, 120, 200)
    price = 1200.0 * size + 40000.0 + rng.normal(0, 8000, 200)
    x = ((size - size.mean()) / size.std()).reshape(-1, 1)
    t = (price - price.mean()) / price.std()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, t, batch_size=20, epochs=40, verbose=0)
    kernel, bias = model.get_weights()
    slope, intercept = np.polyfit(x[:, 0], t, 1)
    return model, history, {"kernel": kernel, "bias": bias, "slope": slope, "intercept": intercept,
                            "mse": model.evaluate(x, t, verbose=0)[0]}  # fmt: skip


def callbacks_with_a_checkpoint(keras, folder: Path):
    """EarlyStopping, a .keras ModelCheckpoint reloaded by load_model, ReduceLROnPlateau and CSVLogger."""
    X, y = load_iris()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, stratify=y, seed=2)
    X_train, X_val = standardised(X_train, X_val)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = str(folder / "best.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),
        keras.callbacks.CSVLogger(str(folder / "log.csv")),
        keras.callbacks.TerminateOnNaN(),
    ]
    history = model.fit(X_train, y_train, batch_size=8, epochs=200, validation_data=(X_val, y_val), verbose=0,
                        callbacks=callbacks)  # fmt: skip
    best = keras.models.load_model(path)
    return (
        best,
        history,
        {
            "best_val_loss": min(history.history["val_loss"]),
            "reloaded": best.evaluate(X_val, y_val, verbose=0, return_dict=True),
            "csv": (folder / "log.csv").read_text().splitlines(),
            "rates": history.history["learning_rate"],
        },
    )


def digits(keras, from_logits: bool):
    """Digits 8×8 flattened, one-hot labels (to_categorical), categorical cross-entropy — with a softmax output, or
    with a linear one and from_logits=True."""
    data = load_digits()
    X, labels = data.images / 16.0, data.y
    X_train, X_test, y_train, y_test = train_test_split(X, labels, test_size=0.2, stratify=labels, seed=0)
    Y_train, Y_test = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_test, 10)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation=None if from_logits else "softmax"),
    ])  # fmt: skip
    loss = keras.losses.CategoricalCrossentropy(from_logits=from_logits)
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss=loss, metrics=["accuracy"])
    history = model.fit(X_train, Y_train, batch_size=64, epochs=15, verbose=0)
    loss_value, accuracy = model.evaluate(X_test, Y_test, verbose=0)
    return model, history, {"loss": loss_value, "accuracy": accuracy}


# -- on gradviz.keras ------------------------------------------------------------------------------------


def test_iris_first_network_reaches_keras_accuracy_on_gradviz():
    model, history, result = iris_first_network(gradviz_keras)
    assert result["accuracy"] >= 0.9
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history.epoch) == 60 and history.params["steps"] == 6  # 96 samples (80 %) in batches of 16
    assert [w.shape for w in model.get_weights()] == [(4, 16), (16,), (16, 3), (3,)]
    assert np.allclose(result["probabilities"].sum(axis=1), 1.0)


def test_sgd_regression_finds_the_least_squares_line_on_gradviz():
    _, history, result = flat_prices_regression(gradviz_keras)
    assert sorted(history.history) == ["loss", "mae"]
    assert result["kernel"].shape == (1, 1) and result["bias"].shape == (1,)
    assert result["kernel"][0, 0] == pytest.approx(result["slope"], abs=0.01)
    assert result["bias"][0] == pytest.approx(result["intercept"], abs=0.01)


def test_callbacks_and_a_reloaded_checkpoint_on_gradviz(tmp_path):
    best, history, result = callbacks_with_a_checkpoint(gradviz_keras, tmp_path)
    assert len(history.epoch) < 200  # EarlyStopping ended it
    assert result["reloaded"]["loss"] == pytest.approx(result["best_val_loss"], rel=1e-9)
    assert result["reloaded"]["accuracy"] >= 0.9
    assert result["csv"][0] == "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"
    assert len(result["csv"]) == len(history.epoch) + 1
    assert min(result["rates"]) < 0.001  # ReduceLROnPlateau lowered Adam's 0.001 on a plateau


@pytest.mark.parametrize("from_logits", [False, True], ids=["softmax", "from_logits"])
def test_digits_with_one_hot_labels_reach_keras_accuracy_on_gradviz(from_logits):
    model, history, result = digits(gradviz_keras, from_logits)
    assert result["accuracy"] >= 0.95
    assert [w.shape for w in model.get_weights()] == [(64, 64), (64,), (64, 10), (10,)]
    assert sorted(history.history) == ["accuracy", "loss"]


# -- the same scripts on real Keras: the shapes, names and accuracies agree -------------------------------


def test_iris_first_network_agrees_with_real_keras(real_keras):
    ours = iris_first_network(gradviz_keras)
    theirs = iris_first_network(real_keras)
    assert [w.shape for w in ours[0].get_weights()] == [w.shape for w in theirs[0].get_weights()]
    assert sorted(ours[1].history) == sorted(theirs[1].history)
    assert ours[1].params["steps"] == theirs[1].params["steps"] and len(ours[1].epoch) == len(theirs[1].epoch)
    assert theirs[2]["accuracy"] >= 0.9 and ours[2]["accuracy"] >= theirs[2]["accuracy"] - 0.05


def test_sgd_regression_agrees_with_real_keras(real_keras):
    ours = flat_prices_regression(gradviz_keras)[2]
    theirs = flat_prices_regression(real_keras)[2]
    for key in ("kernel", "bias"):
        assert ours[key].shape == theirs[key].shape
        np.testing.assert_allclose(ours[key], theirs[key], atol=0.01)  # both at the least-squares line
    assert ours["mse"] == pytest.approx(theirs["mse"], rel=1e-3)


def test_callbacks_and_checkpoint_agree_with_real_keras(real_keras, tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    _, ours_history, ours = callbacks_with_a_checkpoint(gradviz_keras, tmp_path / "ours")
    _, theirs_history, theirs = callbacks_with_a_checkpoint(real_keras, tmp_path / "theirs")
    assert ours["csv"][0] == theirs["csv"][0]  # the same CSV header: epoch and the logs' keys, sorted
    assert sorted(ours_history.history) == sorted(theirs_history.history)
    for result in (ours, theirs):  # each reloaded checkpoint is that run's best epoch
        assert result["reloaded"]["loss"] == pytest.approx(result["best_val_loss"], rel=1e-5)
    assert ours["reloaded"]["accuracy"] >= theirs["reloaded"]["accuracy"] - 0.1


@pytest.mark.parametrize("from_logits", [False, True], ids=["softmax", "from_logits"])
def test_digits_agree_with_real_keras(real_keras, from_logits):
    ours = digits(gradviz_keras, from_logits)
    theirs = digits(real_keras, from_logits)
    assert [w.shape for w in ours[0].get_weights()] == [w.shape for w in theirs[0].get_weights()]
    assert sorted(ours[1].history) == sorted(theirs[1].history)
    assert theirs[2]["accuracy"] >= 0.95 and ours[2]["accuracy"] >= theirs[2]["accuracy"] - 0.03


def test_weights_copied_from_real_keras_give_the_same_outputs_losses_and_metrics(real_keras):
    X, y = load_iris()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    models = {}
    for name, keras in (("gradviz", gradviz_keras), ("keras", real_keras)):
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5, activation="tanh"),
                                  keras.layers.Dense(3)])  # fmt: skip
        model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy", keras.metrics.SparseCategoricalAccuracy()])  # fmt: skip
        models[name] = model
    models["gradviz"].set_weights(models["keras"].get_weights())  # the same layout: kernels (inputs, units)
    np.testing.assert_allclose(
        models["gradviz"].predict(X, verbose=0), models["keras"].predict(X, verbose=0), atol=1e-5
    )
    ours = models["gradviz"].evaluate(X, y, verbose=0, return_dict=True)
    theirs = models["keras"].evaluate(X, y, verbose=0, return_dict=True)
    assert set(ours) == set(theirs) == {"loss", "accuracy", "sparse_categorical_accuracy"}
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key], abs=1e-5), key
    # sigmoid outputs under a categorical loss with from_logits=False: read as probabilities (each row divided by
    # its sum, then clipped), no fusion: the same number as Keras
    read_as_probabilities = {}
    for name, keras in (("gradviz", gradviz_keras), ("keras", real_keras)):
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="sigmoid")])
        model.compile("sgd", "sparse_categorical_crossentropy")
        read_as_probabilities[name] = model
    read_as_probabilities["gradviz"].set_weights(read_as_probabilities["keras"].get_weights())
    assert read_as_probabilities["gradviz"].evaluate(X, y, verbose=0) == pytest.approx(
        read_as_probabilities["keras"].evaluate(X, y, verbose=0), rel=1e-5
    )


@pytest.mark.parametrize(
    "last, from_logits", [("sigmoid", False), (None, True), (None, False)], ids=["sigmoid", "from_logits", "linear"]
)
def test_binary_crossentropy_and_accuracy_read_the_outputs_as_real_keras_does(real_keras, last, from_logits):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(64, 3)), rng.integers(0, 2, 64).astype(float)
    models = {}
    for name, keras in (("gradviz", gradviz_keras), ("keras", real_keras)):
        # float32 on both: Keras' clip to [1e-7, 1 − 1e-7] is a float32 one (1 − 1e-7 rounds to 0.99999988)
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation=last, dtype="float32")])
        model.compile("sgd", keras.losses.BinaryCrossentropy(from_logits=from_logits), metrics=["accuracy"])
        models[name] = model
    models["gradviz"].set_weights(models["keras"].get_weights())
    ours = models["gradviz"].evaluate(X, y, verbose=0, return_dict=True)
    theirs = models["keras"].evaluate(X, y, verbose=0, return_dict=True)
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-4)
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"], abs=1e-6)  # output > 0.5, logits included
