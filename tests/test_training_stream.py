"""fit's input as batches (gradviz.training.Stream): a list of (x, y) batches, a generator, a DataLoader or a
Keras PyDataset trains as the same batches cut from arrays; an iterator goes on across epochs; running out of data,
bad batches and arguments that cannot go with batches are said in words; a mid-epoch checkpoint resumes exactly."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from gradviz import keras, training
from gradviz.callbacks import Callback, ModelCheckpoint
from gradviz.data import DataLoader, make_moons
from gradviz.errors import GradvizWarning

X, Y = make_moons(46, noise=0.2, seed=0)  # batches of 8: 5 full and one of 6
VAL_X, VAL_Y = make_moons(20, noise=0.2, seed=1)


def model(seed: int = 0):
    return keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(6, activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        seed=seed,
    ).compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])


def cut(X, Y, size=8, W=None):
    return [
        (X[i : i + size], Y[i : i + size]) if W is None else (X[i : i + size], Y[i : i + size], W[i : i + size])
        for i in range(0, len(X), size)
    ]


def same_weights(a, b, atol=0.0):
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=0, atol=atol)


def arrays_run(epochs=3, **options):
    reference = model()
    history = reference.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0, **options)
    return reference, history


def test_a_list_of_batches_trains_exactly_as_the_arrays_it_was_cut_from():
    reference, expected = arrays_run()
    trained = model()
    history = trained.fit(cut(X, Y), epochs=3, verbose=0)
    same_weights(reference, trained)
    assert history.history == expected.history
    assert history.params["steps"] == 6 and history.params["batch_size"] is None


def test_a_generator_goes_on_across_epochs_for_steps_per_epoch_batches():
    reference, expected = arrays_run()
    batches = cut(X, Y)

    def around():
        while True:
            yield from batches

    trained = model()
    history = trained.fit(around(), steps_per_epoch=6, epochs=3, verbose=0)
    same_weights(reference, trained)
    assert history.history == expected.history


def test_a_generator_without_steps_per_epoch_is_one_epoch_and_running_out_is_a_warning_with_the_fix():
    trained = model()
    with pytest.warns(GradvizWarning, match="ran out of data in epoch 2 after 0 batches.*steps_per_epoch"):
        history = trained.fit(iter(cut(X, Y)), epochs=3, verbose=0)
    assert history.epoch == [0]
    reference, _ = arrays_run(epochs=1)
    same_weights(reference, trained)


def test_steps_per_epoch_beyond_one_pass_stops_after_the_short_epoch_with_a_warning():
    trained = model()
    with pytest.warns(GradvizWarning, match=r"after 6 batches of the 9 asked for .*divides 6"):
        history = trained.fit(cut(X, Y), steps_per_epoch=9, epochs=3, verbose=0)
    assert history.epoch == [0] and trained.stop_training


def test_a_dataloader_is_an_epoch_per_pass_and_reshuffles_itself():
    loader = DataLoader(X, Y, batch_size=8, seed=0)
    trained = model()
    seen = []

    class Targets(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(logs["size"])

    history = trained.fit(loader, epochs=2, verbose=0, callbacks=[Targets()])
    assert len(history.epoch) == 2 and seen == [8, 8, 8, 8, 8, 6] * 2
    # the same two shuffled passes, cut by hand, give the same run
    again = DataLoader(X, Y, batch_size=8, seed=0)
    by_hand = model()
    for _ in range(2):
        by_hand.fit(list(again), epochs=1, verbose=0)
    same_weights(trained, by_hand)


def test_a_keras_pydataset_gives_its_batches_in_order_and_hears_each_epochs_end():
    class Halves(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=2)
            self.ends = 0

        def __len__(self):
            return 6

        def __getitem__(self, index):
            return X[index * 8 : (index + 1) * 8], Y[index * 8 : (index + 1) * 8]

        def on_epoch_end(self):
            self.ends += 1

    data = Halves()
    reference, expected = arrays_run()
    trained = model()
    history = trained.fit(data, epochs=3, verbose=0)
    same_weights(reference, trained)
    assert history.history == expected.history and data.ends == 3


def test_each_batchs_third_item_weighs_its_samples_as_sample_weight_does():
    weights = np.linspace(0.2, 2.0, len(X))
    reference, expected = arrays_run(sample_weight=weights)
    trained = model()
    history = trained.fit(cut(X, Y, W=weights), epochs=3, verbose=0)
    same_weights(reference, trained)
    assert history.history == expected.history


def test_class_weight_applies_to_each_batch():
    reference, expected = arrays_run(class_weight={0: 0.5, 1: 2.0})
    trained = model()
    trained.fit(cut(X, Y), epochs=3, verbose=0, class_weight={0: 0.5, 1: 2.0})
    same_weights(reference, trained)


def test_validation_batches_give_the_numbers_of_the_validation_arrays():
    _, expected = arrays_run(validation_data=(VAL_X, VAL_Y))
    history = model().fit(cut(X, Y), epochs=3, verbose=0, validation_data=DataLoader(VAL_X, VAL_Y, 7, shuffle=False))
    for key in ("val_loss", "val_accuracy"):
        np.testing.assert_allclose(history.history[key], expected.history[key], rtol=1e-12)


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"y": Y}, "y must not be passed"),
        ({"batch_size": 8}, "leave batch_size out"),
        ({"sample_weight": np.ones(len(X))}, r"third item, \(x, y, sample_weight\)"),
        ({"validation_split": 0.2}, "pass validation_data"),
        ({"validation_data": iter(cut(VAL_X, VAL_Y))}, "can be read only once"),
    ],
    ids=["y", "batch_size", "sample_weight", "validation_split", "one-shot validation"],
)
def test_arguments_that_cannot_go_with_batches_are_refused_with_the_fix(options, said):
    with pytest.raises(ValueError, match=said):
        model().fit(cut(X, Y), epochs=1, verbose=0, **options)


def test_a_batch_that_is_not_a_pair_or_an_empty_input_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"batch 2 of x is ndarray; each batch must be a pair \(x, y\)"):
        model().fit(iter([(X[:8], Y[:8]), X[8:16]]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="the batches given as x are empty"):
        model().fit(iter([]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"batch 2 of x.*X has 8 samples but y has 7"):
        model().fit([(X[:8], Y[:8]), (X[8:16], Y[8:15])], epochs=1, verbose=0)


def test_the_progress_of_batches_of_unknown_length_counts_them(capsys):
    def some():
        yield from cut(X, Y)

    model().fit(some(), epochs=1, verbose=2)
    assert capsys.readouterr().out.startswith("6/6 - ")
    bar = training.ProgressBar(None, verbose=1, use_tqdm=False)
    bar.dynamic = True
    bar.update(3, {"loss": 0.5})
    assert "3/Unknown" in capsys.readouterr().out


def test_is_batches_tells_batches_from_array_data():
    assert training.is_batches(cut(X, Y)) and training.is_batches(DataLoader(X, Y, 8))
    assert not training.is_batches(X) and not training.is_batches(X.tolist()) and not training.is_batches(None)


class Interrupted(Exception):
    pass


def test_a_mid_epoch_checkpoint_of_a_batch_list_resumes_exactly(tmp_path):
    reference = model()
    expected = reference.fit(DataLoader(X, Y, 8, seed=4), epochs=3, verbose=0)
    path = tmp_path / "run.keras"

    class Stop(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == (1, 2):
                raise Interrupted

    interrupted = model()
    loader = DataLoader(X, Y, 8, seed=4)
    with pytest.raises(Interrupted):
        interrupted.fit(loader, epochs=3, verbose=0, callbacks=[ModelCheckpoint(path, save_freq=1), Stop()])
    # a restarted process: the loader made again with its seed, drawing epoch 1's order and then epoch 2's
    resumed = model(seed=5)
    fresh = DataLoader(X, Y, 8, seed=4)
    list(fresh)  # epoch 0's pass, which the checkpoint's run had already made
    history = resumed.fit(fresh, epochs=3, verbose=0, resume_from=path)
    same_weights(reference, resumed)
    assert history.history == expected.history


def test_a_mid_epoch_checkpoint_cannot_resume_a_one_shot_iterator(tmp_path):
    path = tmp_path / "run.keras"

    class Stop(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise Interrupted

    with pytest.raises(Interrupted):
        model().fit(iter(cut(X, Y)), epochs=1, verbose=0, callbacks=[ModelCheckpoint(path, save_freq=1), Stop()])
    with pytest.raises(ValueError, match="x is an iterator: gradviz cannot tell which of its batches were run"):
        model().fit(iter(cut(X, Y)), epochs=1, verbose=0, resume_from=path)


def test_a_nan_loss_in_a_batch_stops_there_under_terminate_on_nan():
    line = keras.Sequential([keras.layers.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    batches = [(X[i : i + 8], X[i : i + 8, 0]) for i in range(0, 40, 8)]
    bad = (X[:8], np.full(8, 1e200))  # its squared error overflows
    before = None

    class Keep(Callback):
        def on_train_batch_end(self, batch, logs=None):
            nonlocal before
            before = [w.copy() for w in line.get_weights()]

    with contextlib.redirect_stdout(io.StringIO()) as said:
        history = line.fit([*batches[:2], bad, *batches[2:]], epochs=2, verbose=0,
                           callbacks=[keras.callbacks.TerminateOnNaN(), Keep()])  # fmt: skip
    assert history.epoch == [0] and line.stop_training
    assert "Batch 2: Invalid loss, terminating training" in said.getvalue()
    assert all(np.array_equal(p, q) for p, q in zip(line.get_weights(), before, strict=True))


def test_evaluate_and_predict_take_batches_as_keras_does():
    trained = model()
    trained.fit(cut(X, Y), epochs=2, verbose=0)
    expected = trained.evaluate(X, Y, batch_size=8, verbose=0, return_dict=True)
    assert trained.evaluate(DataLoader(X, Y, 8, shuffle=False), verbose=0, return_dict=True) == expected

    def around():
        while True:
            yield X[:8], Y[:8]

    assert trained.evaluate(around(), steps=3, verbose=0) == trained.evaluate(X[:8], Y[:8], verbose=0)
    outputs = trained.predict(X, verbose=0)
    np.testing.assert_array_equal(trained.predict(DataLoader(X, Y, 7, shuffle=False), verbose=0), outputs)
    np.testing.assert_array_equal(trained.predict(iter([X[:20], X[20:]]), verbose=0), outputs)  # bare inputs
    assert trained.predict(around(), steps=2, verbose=0).shape == (16, 1)
    with pytest.raises(ValueError, match="leave batch_size out"):
        trained.predict(cut(X, Y), batch_size=8)
    with pytest.raises(ValueError, match="y must not be passed"):
        trained.evaluate(cut(X, Y), Y)


def test_an_epoch_that_ends_before_the_generator_does_not_close_it():
    import gc

    from gradviz.callbacks import LambdaCallback

    def around():
        while True:
            yield from cut(X, Y)

    history = model().fit(around(), steps_per_epoch=2, epochs=4, verbose=0,
                          callbacks=[LambdaCallback(on_epoch_end=lambda epoch, logs: gc.collect())])  # fmt: skip
    assert history.epoch == [0, 1, 2, 3]


def test_with_steps_per_epoch_the_epochs_go_on_in_one_pass_and_a_new_pass_begins_when_it_is_used_up():
    seen = []

    class Counted(list):
        def __iter__(self):
            for k, batch in enumerate(list.__iter__(self)):
                seen.append(k)
                yield batch

    reference, expected = arrays_run(epochs=1)  # one pass of the 6 batches, in order
    trained = model()
    history = trained.fit(Counted(cut(X, Y)), steps_per_epoch=3, epochs=4, verbose=0)  # as Keras: 3 + 3, then again
    assert seen == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5] and history.epoch == [0, 1, 2, 3]
    again = model()
    again.fit(cut(X, Y), steps_per_epoch=3, epochs=2, verbose=0)
    same_weights(reference, again)  # two epochs of 3 = the one pass the arrays' epoch makes
    with pytest.warns(GradvizWarning, match=r"ran out of data in epoch 2 after 2 batches of the 4 .*divides 6"):
        model().fit(cut(X, Y), steps_per_epoch=4, epochs=3, verbose=0)


def test_a_mid_epoch_checkpoint_inside_a_pass_that_spans_epochs_resumes_exactly(tmp_path):
    reference = model()
    expected = reference.fit(cut(X, Y), steps_per_epoch=2, epochs=5, verbose=0)
    path = tmp_path / "run.keras"

    class Stop(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == (1, 0):  # the pass's third batch
                raise Interrupted

    with pytest.raises(Interrupted):
        model().fit(cut(X, Y), steps_per_epoch=2, epochs=5, verbose=0,
                    callbacks=[ModelCheckpoint(path, save_freq=1), Stop()])  # fmt: skip
    resumed = model(seed=3)
    history = resumed.fit(cut(X, Y), steps_per_epoch=2, epochs=5, verbose=0, resume_from=path)
    same_weights(reference, resumed)
    assert history.history == expected.history
