"""keras.callbacks: ModelCheckpoint, ReduceLROnPlateau, CSVLogger, TerminateOnNaN and LearningRateScheduler, on
gradviz models, and beside real Keras' own callbacks fed the same logs when keras is installed."""

from __future__ import annotations

import os
import types

import numpy as np
import pytest

from gradviz import keras
from gradviz.data import make_moons
from gradviz.export._files import FilesRefused

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")


def model(seed: int = 0):
    return keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        seed=seed,
    ).compile("adam", "binary_crossentropy", metrics=["accuracy"])


@pytest.fixture(scope="module")
def real_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


def test_model_checkpoint_keeps_the_best_epoch_and_fills_the_name_template(tmp_path, capsys):
    X, y = make_moons(40, seed=0)
    best = keras.callbacks.ModelCheckpoint(tmp_path / "best.keras", monitor="val_loss", save_best_only=True, verbose=1)
    every = keras.callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{loss:.2f}.keras"))
    history = model().fit(X, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[best, every])
    assert best.best == min(history.history["val_loss"]) and best.best_epoch == int(
        np.argmin(history.history["val_loss"])
    )
    written = sorted(p.name for p in tmp_path.glob("m-*.keras"))
    assert [name[:5] for name in written] == ["m-01-", "m-02-", "m-03-"]
    assert "Epoch 1: val_loss improved from inf to " in capsys.readouterr().out
    restored = keras.models.load_model(tmp_path / "best.keras")
    assert restored.evaluate(X[30:], y[30:], verbose=0)[0] == pytest.approx(best.best, rel=1e-9)


def test_model_checkpoint_weights_only_and_its_name_rules(tmp_path):
    X, y = make_moons(20, seed=0)
    keep = keras.callbacks.ModelCheckpoint(tmp_path / "w.weights.h5", monitor="loss", save_weights_only=True)
    trained = model()
    trained.fit(X, y, epochs=1, verbose=0, callbacks=[keep])
    fresh = model(seed=5).load_weights(tmp_path / "w.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), trained.get_weights(), strict=True))
    with pytest.raises(ValueError, match=r"must end in '.keras'"):
        keras.callbacks.ModelCheckpoint(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"must end in '.weights.h5'"):
        keras.callbacks.ModelCheckpoint(tmp_path / "m.keras", save_weights_only=True)


def test_model_checkpoint_never_replaces_a_file_gradviz_did_not_write(tmp_path):
    mine = tmp_path / "m.keras"
    mine.write_text("my notes")
    with pytest.raises(FilesRefused):
        model().fit(*make_moons(20, seed=0), epochs=1, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(mine)])
    assert mine.read_text() == "my notes"


def test_csv_logger_writes_a_header_and_a_row_per_epoch_and_appends(tmp_path):
    X, y = make_moons(20, seed=0)
    path = tmp_path / "log.csv"
    model().fit(X, y, epochs=2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss" and [line.split(",")[0] for line in lines[1:]] == ["0", "1"]
    model().fit(X, y, epochs=1, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    assert path.read_text().splitlines()[:3] == lines and len(path.read_text().splitlines()) == 4
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("someone's table\n")
    with pytest.raises(FilesRefused):
        model().fit(X, y, epochs=1, verbose=0, callbacks=[keras.callbacks.CSVLogger(theirs)])


def test_learning_rate_scheduler_takes_a_schedule_of_the_epoch_alone_as_keras():
    X, y = make_moons(20, seed=0)
    halve = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / 2**epoch)
    history = model().fit(X, y, epochs=3, verbose=0, callbacks=[halve])
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]


def test_reduce_lr_on_plateau_lowers_the_rate_after_patience_epochs_without_improvement():
    X, y = make_moons(20, seed=0)
    flat = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1.0, min_lr=0.0002)
    history = model().fit(X, y, epochs=5, verbose=0, callbacks=[flat])
    assert history.history["learning_rate"] == [0.001, 0.001, 0.0005, 0.00025, 0.0002]


# -- beside real Keras: the same logs, the same decisions ------------------------------------------------------

SEQUENCE = [0.9, 0.8, 0.8, 0.85, 0.79, 0.81, 0.8, 0.82, 0.83, 0.84, 0.7, 0.71, 0.72]


def _fake_model(learning_rate: float):
    optimizer = types.SimpleNamespace(learning_rate=learning_rate)
    optimizer.lr = learning_rate
    return types.SimpleNamespace(optimizer=optimizer, stop_training=False)


def test_reduce_lr_on_plateau_decides_as_keras_on_the_same_logs(real_keras):
    options = {"monitor": "val_loss", "factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": 0.01, "min_delta": 0.005}
    rates = {}
    for name, module in (("gradviz", keras), ("keras", real_keras)):
        callback = module.callbacks.ReduceLROnPlateau(**options)
        fake = _fake_model(0.1)
        if name == "gradviz":  # gradviz's optimizers use lr and learning_rate alike
            fake.optimizer = types.SimpleNamespace(lr=0.1)
        callback.set_model(fake)
        callback.on_train_begin({})
        rates[name] = []
        for epoch, value in enumerate(SEQUENCE):
            logs = {"val_loss": value}
            callback.on_epoch_end(epoch, logs)
            rates[name].append(round(float(logs["learning_rate"]), 8))
    assert rates["gradviz"] == rates["keras"]


def test_csv_logger_writes_what_keras_writes_for_the_same_logs(real_keras, tmp_path):
    files = {}
    for name, module in (("gradviz", keras), ("keras", real_keras)):
        path = tmp_path / f"{name}.csv"
        logger = module.callbacks.CSVLogger(str(path))
        logger.set_model(_fake_model(0.1))
        logger.on_train_begin({})
        for epoch, value in enumerate(SEQUENCE[:3]):
            logger.on_epoch_end(epoch, {"loss": value, "accuracy": 1 - value, "val_loss": value / 2})
        logger.on_train_end({})
        files[name] = path.read_text().splitlines()
    assert files["gradviz"] == files["keras"]
