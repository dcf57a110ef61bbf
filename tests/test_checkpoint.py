"""Training checkpoints (gradviz.training, gradviz.keras.saving, ModelCheckpoint, BackupAndRestore): an interrupted fit
resumed from its last checkpoint ends exactly as the uninterrupted one; writes are whole or not at all; Keras' counts."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

from gradviz import keras, nn, training
from gradviz.callbacks import BackupAndRestore, Callback, LambdaCallback, ModelCheckpoint, _SaveEvery
from gradviz.data import make_moons
from gradviz.export._files import FilesRefused

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

X, Y = make_moons(50, noise=0.2, seed=0)  # 40 to train after validation_split=0.2: batches of 8 → 5 per epoch


def real_keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


class Interrupted(Exception):
    """What the tests raise to stop a fit the way a crash or a kill would."""


class Interrupt(Callback):
    """Raise after batch `batch` of epoch `epoch` (batch None: at the start of that epoch)."""

    def __init__(self, epoch: int, batch: int | None) -> None:
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        if self.at == (epoch, None):
            raise Interrupted(f"epoch {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        if self.at == (self.epoch, batch):
            raise Interrupted(f"epoch {self.epoch}, batch {batch}")


def model(seed: int = 0, dropout_seed: int | None = None, optimizer="adam"):
    return keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.3, seed=dropout_seed),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        seed=seed,
    ).compile(optimizer, "binary_crossentropy", metrics=["accuracy"])


FIT = {"batch_size": 8, "epochs": 4, "verbose": 0, "validation_split": 0.2, "shuffle": True}


def fit_seed(case: str):
    return 3 if case == "own generators" else None


def uninterrupted(case: str):
    nn.manual_seed(0)
    trained = model(dropout_seed=5 if case == "own generators" else None)
    history = trained.fit(X, Y, seed=fit_seed(case), **FIT)
    return trained, history


def same_run(a, b, history_a, history_b) -> None:
    assert all(np.array_equal(p, q) for p, q in zip(a.get_weights(), b.get_weights(), strict=True))
    assert history_a.history == history_b.history and history_a.epoch == history_b.epoch
    assert a.optimizer.iterations == b.optimizer.iterations
    state_a, state_b = a.optimizer.state_dict()["state"], b.optimizer.state_dict()["state"]
    assert state_a.keys() == state_b.keys()
    for key, entry in state_a.items():
        assert all(np.array_equal(entry[name], state_b[key][name]) for name in entry)


# "own generators": fit(seed=3) shuffles, the Dropout has its own seed; "shared generator": gradviz.nn's one
# generator both shuffles (fit without seed) and draws the dropout masks
@pytest.mark.parametrize("case", ["own generators", "shared generator"])
@pytest.mark.parametrize(
    "stop, save_freq",
    [((1, 2), 1), ((0, 4), 1), ((2, 3), 3), ((2, None), "epoch")],
    ids=["mid-epoch", "after-the-last-batch", "every-3-batches", "epoch-end"],
)
def test_an_interrupted_fit_resumed_from_its_checkpoint_ends_exactly_as_the_uninterrupted_one(
    tmp_path, case, stop, save_freq
):
    reference, reference_history = uninterrupted(case)
    path = tmp_path / "run.keras"
    nn.manual_seed(0)
    interrupted = model(dropout_seed=5 if case == "own generators" else None)
    checkpoint = ModelCheckpoint(path, save_freq=save_freq)
    with pytest.raises(Interrupted):
        interrupted.fit(X, Y, seed=fit_seed(case), callbacks=[checkpoint, Interrupt(*stop)], **FIT)
    assert interrupted._fit is None  # the fit's record is cleared on the error too
    nn.manual_seed(99)  # another process: every generator elsewhere
    resumed = model(seed=7, dropout_seed=5 if case == "own generators" else None)  # other initial weights
    history = resumed.fit(X, Y, seed=fit_seed(case), resume_from=path, **FIT)
    same_run(reference, resumed, reference_history, history)


def test_a_fit_stopped_by_a_callback_mid_epoch_resumes_from_its_last_batch_checkpoint(tmp_path):
    reference, reference_history = uninterrupted("own generators")
    path = tmp_path / "run.keras"

    def stop(batch, logs):
        if batch == 3 and len(stopped.history.epoch) == 1:
            stopped.stop_training = True

    nn.manual_seed(0)
    stopped = model(dropout_seed=5)
    early = stopped.fit(X, Y, seed=3, callbacks=[ModelCheckpoint(path, save_freq=1),
                                                 LambdaCallback(on_train_batch_end=stop)], **FIT)  # fmt: skip
    assert early.epoch == [0, 1]  # epoch 1 ended after its batch 3
    resumed = model(seed=2, dropout_seed=5)
    history = resumed.fit(X, Y, seed=3, resume_from=path, **FIT)
    same_run(reference, resumed, reference_history, history)


def test_the_checkpoint_holds_the_position_the_generators_and_the_epochs_partial_results(tmp_path):
    path = tmp_path / "run.keras"
    nn.manual_seed(0)
    with pytest.raises(Interrupted):
        model().fit(X, Y, seed=3, callbacks=[ModelCheckpoint(path, save_freq=1), Interrupt(1, 2)], **FIT)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.npz", "training.json"]
        state = json.loads(archive.read("training.json"))
    assert state["position"] == {"epoch": 1, "batch": 3, "step": 8, "order_drawn": True}
    assert state["data"] == {"samples": 40, "batch_size": 8, "steps": 5, "shuffle": True}
    assert state["history"]["epoch"] == [0] and set(state["history"]["history"]) == {
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
    }
    assert state["epoch"]["seen"] == 24 and state["optimizer"]["class_name"] == "Adam"
    assert state["optimizer"]["iterations"] == 8 and state["shuffle_rng"]["bit_generator"] == "PCG64"
    assert set(state["generators"]) == {"gradviz.nn"}
    loaded = keras.models.load_model(path)  # still an ordinary .keras file
    assert loaded.optimizer.state_dict()["state"][0]["step"] == 8


def test_a_checkpoint_written_at_a_batch_keeps_the_epochs_losses_and_outputs(tmp_path):
    path = tmp_path / "run.keras"
    seen = {}

    def keep(batch, logs):
        fit = training.running(trained)
        if batch == 1:
            seen["losses"], seen["rows"] = list(fit.epoch.batch_losses), sum(len(o) for o in fit.epoch.outputs)

    trained = model()
    trained.fit(X, Y, seed=3, epochs=1, batch_size=8, verbose=0, shuffle=True,
                callbacks=[LambdaCallback(on_train_batch_end=keep), ModelCheckpoint(path, save_freq=2)])  # fmt: skip
    checkpoint = keras.saving.load_checkpoint(model(), path)
    assert checkpoint.epoch == 0 and checkpoint.batch == 6  # the last of 7 batches: 2, 4, 6 saved
    with zipfile.ZipFile(path) as archive:
        state = json.loads(archive.read("training.json"))
    assert state["epoch"]["seen"] == 48
    npz = checkpoint.arrays
    assert npz["losses"].shape == (6,) and npz["losses"][:2].tolist() == seen["losses"]
    assert npz["outputs"].shape == (48, 1) and seen["rows"] == 16


def test_save_freq_counts_batches_and_fills_the_batch_in_the_name(tmp_path):
    template = str(tmp_path / "m-{epoch}-{batch}.keras")
    model().fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[ModelCheckpoint(template, save_freq=3)])
    written = sorted(p.name for p in tmp_path.glob("m-*.keras"))
    assert written == ["m-1-3.keras", "m-1-6.keras", "m-2-2.keras", "m-2-5.keras"]  # global steps 3, 6, 9, 12
    with pytest.raises(ValueError, match="save_freq must be 'epoch'"):
        ModelCheckpoint(tmp_path / "m.keras", save_freq=0)
    with pytest.raises(ValueError, match="save_freq must be 'epoch'"):
        BackupAndRestore(tmp_path, save_freq="batch")


# the batches on_train_batch_end reports over three epochs of 7: every batch, or every 3 (steps_per_execution)
@pytest.mark.parametrize("reports", [[list(range(7))] * 3, [[2, 5, 6]] * 3, [[1, 3, 5, 6]] * 3])
@pytest.mark.parametrize("freq", [1, 2, 3, 5, 8])
def test_save_freq_saves_at_the_batches_keras_saves_at(tmp_path, reports, freq):
    real = real_keras()
    theirs = real.callbacks.ModelCheckpoint(str(tmp_path / "k.keras"), save_freq=freq)
    their_backup = real.callbacks.BackupAndRestore(str(tmp_path / "kb"), save_freq=freq)
    ours = _SaveEvery(freq)
    saves = {"ours": [], "keras": [], "keras backup": []}
    for epoch, batches in enumerate(reports):
        ours.start_epoch()
        for batch in batches:
            if ours.due(batch):
                saves["ours"].append((epoch, batch))
            if theirs._should_save_on_batch(batch):
                saves["keras"].append((epoch, batch))
            if their_backup._should_save_on_batch(batch):
                saves["keras backup"].append((epoch, batch))
        their_backup._last_batch_seen = 0  # what its on_epoch_end does
    assert saves["ours"] == saves["keras"]
    if reports[0] == list(range(7)):  # Keras' BackupAndRestore starts from batch 0 seen, so it counts one batch
        assert saves["ours"] == saves["keras backup"]  # fewer when the first report is not batch 0 (k > 1)


def test_a_write_that_fails_midway_leaves_the_last_checkpoint_whole(tmp_path, monkeypatch):
    path = tmp_path / "run.keras"
    trained = model()
    trained.fit(X, Y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(path, save_freq=1)])
    before = path.read_bytes()
    import gradviz.export._files as files

    def crash(source, target):
        assert os.path.getsize(source) > 0  # the new file was written in full, beside the old one
        raise OSError("disk pulled out")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        trained.fit(X, Y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(path, save_freq=1)])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradviz-manifest.json", "run.keras"]  # no half file
    assert keras.saving.load_checkpoint(model(), path).step == 2  # 50 samples in Keras' batches of 32
    original = zipfile.ZipFile.writestr

    def fail_on_training(archive, name, data, *args, **kwargs):
        if name == "training.json":
            raise RuntimeError("serialising failed")
        return original(archive, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", fail_on_training)
    with pytest.raises(RuntimeError, match="serialising failed"):
        trained.fit(X, Y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(path, save_freq=1)])
    assert path.read_bytes() == before


def test_a_checkpoint_never_replaces_a_file_gradviz_did_not_write(tmp_path):
    mine = tmp_path / "run.keras"
    mine.write_text("my notes")
    with pytest.raises(FilesRefused):
        model().fit(X, Y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(mine, save_freq=2)])
    assert mine.read_text() == "my notes"
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "previous.keras").write_text("also mine")
    with pytest.raises(FilesRefused):  # refused when training begins, before any epoch runs
        model().fit(X, Y, epochs=1, verbose=0, callbacks=[BackupAndRestore(backup)])
    assert (backup / "previous.keras").read_text() == "also mine"


def test_backup_and_restore_resumes_mid_epoch_and_deletes_only_its_own_files_at_the_end(tmp_path):
    reference, reference_history = uninterrupted("own generators")
    backup = tmp_path / "backup"
    nn.manual_seed(0)
    interrupted = model(dropout_seed=5)
    with pytest.raises(Interrupted):
        interrupted.fit(X, Y, seed=3, callbacks=[BackupAndRestore(backup, save_freq=2), Interrupt(2, 1)], **FIT)
    assert (backup / "latest.keras").is_file()
    restore = BackupAndRestore(backup, save_freq=2)
    runs = []
    count = LambdaCallback(on_epoch_begin=lambda epoch, logs: runs.append(epoch))
    resumed = model(seed=4, dropout_seed=5)
    history = resumed.fit(X, Y, seed=3, callbacks=[restore, count], **FIT)
    assert restore.restored.epoch == 2 and restore.restored.batch == 2 and runs == [2, 3]
    same_run(reference, resumed, reference_history, history)
    assert not backup.exists()  # delete_checkpoint=True: its files, its manifest and the empty folder
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "notes.txt").write_text("mine")
    model().fit(X, Y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path / "kept")])
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["notes.txt"]  # its file and its manifest gone
    model().fit(X, Y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path / "kept", delete_checkpoint=False)])
    assert (tmp_path / "kept" / "latest.keras").is_file()


def test_backup_and_restore_with_double_checkpoint_reads_the_previous_when_the_latest_is_broken(tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(Interrupted):
        model().fit(X, Y, callbacks=[BackupAndRestore(backup, double_checkpoint=True), Interrupt(3, None)], **FIT)
    latest = keras.saving.load_checkpoint(model(), backup / "latest.keras")
    previous = keras.saving.load_checkpoint(model(), backup / "previous.keras")
    assert (latest.epoch, previous.epoch) == (3, 2)
    (backup / "latest.keras").write_bytes((backup / "latest.keras").read_bytes()[:100])  # a torn file
    restore = BackupAndRestore(backup, double_checkpoint=True, delete_checkpoint=False, overwrite=True)
    model().fit(X, Y, callbacks=[restore], **FIT)
    assert restore.restored.epoch == 2
    with pytest.raises(ValueError, match="not a .keras file"):  # without a previous one to fall back on
        (backup / "latest.keras").write_bytes(b"torn")
        model().fit(X, Y, callbacks=[BackupAndRestore(backup)], **FIT)


def test_backup_and_restore_runs_the_epochs_keras_runs_after_an_interruption(tmp_path):
    """Keras' own example: interrupted at epoch 4 of 10, the next fit runs the 6 epochs left."""
    real = real_keras()
    counts = {}
    for name, library, interrupt in (("keras", real, real.callbacks.Callback), ("gradviz", keras, Callback)):

        class Stop(interrupt):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch == 4:
                    raise Interrupted

        built = library.Sequential([library.Input(shape=(20,)), library.layers.Dense(10)])
        built.compile(library.optimizers.SGD(), loss="mse")
        data = np.arange(100, dtype="float32").reshape(5, 20) / 100, np.zeros((5, 10), dtype="float32")
        backup = library.callbacks.BackupAndRestore(backup_dir=str(tmp_path / name))
        with pytest.raises(Interrupted):
            built.fit(*data, epochs=10, batch_size=1, callbacks=[backup, Stop()], verbose=0)
        runs: list[int] = []
        counter = library.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs, runs=runs: runs.append(epoch))
        history = built.fit(*data, epochs=10, batch_size=1, callbacks=[backup, counter], verbose=0)
        counts[name] = (runs, len(history.history["loss"]), os.path.exists(tmp_path / name))
    assert counts["gradviz"][0] == counts["keras"][0] == [4, 5, 6, 7, 8, 9]
    assert counts["keras"][2] is counts["gradviz"][2] is False  # both delete the backup at the end
    assert counts["gradviz"][1] == 10  # gradviz's History also holds the 4 epochs before (Keras': 6)


def test_resume_from_refuses_another_model_optimizer_loss_or_epoch(tmp_path):
    path = tmp_path / "run.keras"
    with pytest.raises(Interrupted):
        model().fit(X, Y, seed=3, callbacks=[ModelCheckpoint(path, save_freq=1), Interrupt(1, 2)], **FIT)
    wider = keras.Sequential(
        [keras.Input(shape=(2,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.3),
         keras.layers.Dense(1, activation="sigmoid")]
    ).compile("adam", "binary_crossentropy", metrics=["accuracy"])  # fmt: skip
    with pytest.raises(ValueError, match=r"checkpoint of another model: .*units=8 in the checkpoint, 16 in this model"):
        wider.fit(X, Y, resume_from=path, **FIT)
    shorter = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match=r"its layers are InputLayer, Dense, Dropout, Dense; this model's are"):
        shorter.compile("adam", "binary_crossentropy").fit(X, Y, resume_from=path, **FIT)
    with pytest.raises(ValueError, match=r"trained with the optimizer Adam, this model is compiled with SGD"):
        model(optimizer="sgd").fit(X, Y, resume_from=path, **FIT)
    relu = model()
    relu.compile("adam", "mse", metrics=["accuracy"])
    with pytest.raises(ValueError, match=r"its loss is 'binary_crossentropy', this model's 'mse'"):
        relu.fit(X, Y, resume_from=path, **FIT)
    with pytest.raises(ValueError, match=r"initial_epoch=3 but the checkpoint .* goes on from epoch 1"):
        model().fit(X, Y, resume_from=path, initial_epoch=3, **FIT)
    assert model().fit(X, Y, resume_from=path, initial_epoch=1, **FIT).epoch == [0, 1, 2, 3]
    with pytest.raises(ValueError, match=r"stopped in the middle of epoch 2 \(before batch 4\).*batch_size 8 then, 4"):
        model().fit(X, Y, resume_from=path, **{**FIT, "batch_size": 4})
    plain = model().save(tmp_path / "plain.keras")
    with pytest.raises(ValueError, match="is a saved model, not a training checkpoint"):
        model().fit(X, Y, resume_from=plain, **FIT)


def test_every_checkpoint_write_syncs_the_runner_first_and_the_fit_record_is_cleared(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(training.NumpyRunner, "sync", lambda runner: calls.append(runner.model))
    trained = model()
    trained.fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "m.keras", save_freq=4)])
    assert len(calls) == 3 and all(m is trained for m in calls)  # steps 4, 8, 12 of 14
    assert training.running(trained) is None
    weights = ModelCheckpoint(tmp_path / "w.weights.h5", save_weights_only=True, monitor="loss")
    trained.fit(X, Y, epochs=1, verbose=0, callbacks=[weights])
    assert len(calls) == 4


def test_per_process_data_is_for_the_jax_backend():
    with pytest.raises(ValueError, match="per_process_data=True is for backend='jax'"):
        model().fit(X, Y, epochs=1, verbose=0, per_process_data=True)


def test_a_jax_fit_resumed_mid_epoch_ends_exactly_as_the_uninterrupted_one(tmp_path):
    pytest.importorskip("jax")
    options = {"batch_size": 8, "epochs": 3, "verbose": 0, "backend": "jax", "dtype": "float64"}

    def dense():
        return keras.Sequential(
            [keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, "sigmoid")],
            seed=0,
        ).compile("adam", "binary_crossentropy", metrics=["accuracy"])

    reference = dense()
    reference_history = reference.fit(X, Y, seed=3, **options)
    path = tmp_path / "run.keras"
    with pytest.raises(Interrupted):
        dense().fit(X, Y, seed=3, callbacks=[ModelCheckpoint(path, save_freq=1), Interrupt(1, 2)], **options)
    resumed = dense()
    resumed.set_weights([np.zeros_like(w) for w in resumed.get_weights()])
    history = resumed.fit(X, Y, seed=3, resume_from=path, **options)
    same_run(reference, resumed, reference_history, history)


@pytest.mark.parametrize(("first", "then"), [("jax", "numpy"), ("numpy", "jax")])
def test_a_checkpoint_written_on_one_backend_resumes_mid_epoch_on_the_other(tmp_path, first, then):
    pytest.importorskip("jax")
    options = {"batch_size": 8, "epochs": 3, "verbose": 0, "dtype": None}

    def dense():
        return keras.Sequential(
            [keras.Input(shape=(2,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1, "sigmoid")],
            seed=0,
        ).compile("adam", "binary_crossentropy", metrics=["accuracy", "precision"])

    def on(backend):
        return {**options, "backend": backend, "dtype": "float64" if backend == "jax" else None}

    reference = dense()
    reference_history = reference.fit(X, Y, seed=3, **on("numpy"))
    path = tmp_path / "run.keras"
    with pytest.raises(Interrupted):  # the jax run sums its metrics on the device: the checkpoint keeps the sums
        dense().fit(X, Y, seed=3, callbacks=[ModelCheckpoint(path, save_freq=1), Interrupt(1, 2)], **on(first))
    resumed = dense()
    history = resumed.fit(X, Y, seed=3, resume_from=path, **on(then))
    for key, values in reference_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-10, err_msg=key)
    for ours, theirs in zip(resumed.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_save_freq_counts_the_batches_run_between_hooks_with_steps_per_execution_on_jax(tmp_path):
    pytest.importorskip("jax")
    options = {"batch_size": 8, "epochs": 3, "verbose": 0, "backend": "jax", "dtype": "float64"}

    def dense():
        return keras.Sequential(
            [keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, "sigmoid")],
            seed=0,
        ).compile("adam", "binary_crossentropy", metrics=["accuracy"], steps_per_execution=3)

    reported: list[int] = []
    reference = dense()
    hooks = LambdaCallback(on_train_batch_end=lambda batch, logs: reported.append(batch))
    reference_history = reference.fit(X, Y, seed=3, callbacks=[hooks], **options)
    assert reported == [2, 5, 6] * 3  # 7 batches an epoch, the hooks once per run of 3
    template = str(tmp_path / "r-{epoch}-{batch}.keras")
    with pytest.raises(Interrupted):
        dense().fit(X, Y, seed=3, callbacks=[ModelCheckpoint(template, save_freq=4), Interrupt(1, 5)], **options)
    # Keras' count: 3 + 3 ≥ 4 at batch 5 (saved), then 1 + 3 ≥ 4 at batch 2 of the next epoch
    assert sorted(p.name for p in tmp_path.glob("r-*.keras")) == ["r-1-6.keras", "r-2-3.keras"]
    resumed = dense()
    history = resumed.fit(X, Y, seed=3, resume_from=tmp_path / "r-2-3.keras", **options)
    same_run(reference, resumed, reference_history, history)


def test_a_jax_fit_with_dropout_resumed_mid_epoch_draws_the_same_masks_as_the_uninterrupted_one(tmp_path):
    pytest.importorskip("jax")
    options = {"batch_size": 8, "epochs": 3, "verbose": 0, "backend": "jax", "dtype": "float64"}

    def dropped():
        keras.utils.set_random_seed(0)  # the dropout key's seed is drawn from gradviz's generator
        return keras.Sequential(
            [keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dropout(0.5),
             keras.layers.Dense(1, "sigmoid")],
            seed=0,
        ).compile("adam", "binary_crossentropy")  # fmt: skip

    reference = dropped()
    reference_history = reference.fit(X, Y, seed=3, **options)
    path = tmp_path / "run.keras"
    with pytest.raises(Interrupted):
        dropped().fit(X, Y, seed=3, callbacks=[ModelCheckpoint(path, save_freq=1), Interrupt(1, 2)], **options)
    resumed = dropped()
    keras.utils.set_random_seed(123)  # whatever the generator holds now: the checkpoint has the key's seed
    history = resumed.fit(X, Y, seed=3, resume_from=path, **options)
    same_run(reference, resumed, reference_history, history)


def test_backup_and_restore_on_jax_puts_the_restored_weights_on_the_devices(tmp_path):
    pytest.importorskip("jax")
    options = {"batch_size": 8, "epochs": 3, "verbose": 0, "backend": "jax", "dtype": "float64", "seed": 3}

    def dense(seed=0):
        return keras.Sequential(
            [keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, "sigmoid")],
            seed=seed,
        ).compile("adam", "binary_crossentropy")

    reference = dense()
    reference_history = reference.fit(X, Y, **options)
    backup = tmp_path / "backup"
    with pytest.raises(Interrupted):
        dense().fit(X, Y, callbacks=[BackupAndRestore(backup, save_freq=2), Interrupt(1, 1)], **options)
    resumed = dense(seed=4)  # other initial weights: the backup's must reach the devices
    history = resumed.fit(X, Y, callbacks=[BackupAndRestore(backup, save_freq=2)], **options)
    same_run(reference, resumed, reference_history, history)
