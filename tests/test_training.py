"""The training loop of fit (gradviz.training): which callbacks get the batch hooks, and the batches it trains on."""

import numpy as np
import pytest

from gradviz import keras, training
from gradviz.callbacks import Callback, History, LambdaCallback, TerminateOnNaN
from gradviz.training import wants_batches


class _CountsBatches(Callback):
    def __init__(self):
        super().__init__()
        self.begun, self.ended, self.epochs = [], [], 0

    def on_train_batch_begin(self, batch, logs=None):
        self.begun.append((batch, logs["size"]))

    def on_batch_end(self, batch, logs=None):  # Keras' older name, reached through on_train_batch_end
        self.ended.append((batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


class _EpochsOnly(Callback):
    def on_epoch_end(self, epoch, logs=None):
        pass


def _data(n=10, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    return X, (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.int64)


def _model():
    layers = [keras.layers.Dense(4, activation="relu", input_dim=3), keras.layers.Dense(2, "softmax")]
    return keras.Sequential(layers, seed=0)


def test_wants_batches_sees_a_batch_hook_of_the_class_or_of_the_instance_and_nothing_else():
    assert wants_batches(_CountsBatches()) and wants_batches(LambdaCallback(on_train_batch_begin=print))
    assert wants_batches(LambdaCallback(on_batch_end=print))
    assert not wants_batches(History()) and not wants_batches(_EpochsOnly()) and not wants_batches(TerminateOnNaN())
    assert not wants_batches(LambdaCallback(on_epoch_end=print))


def test_fit_calls_every_batch_hook_a_callback_has_with_each_batch_and_its_size_and_loss():
    X, y = _data(10)
    counter, losses = _CountsBatches(), []
    lam = LambdaCallback(on_train_batch_end=lambda batch, logs: losses.append(logs["loss"]))
    model = _model().compile("sgd", "sparse_categorical_crossentropy")
    model.fit(X, y, batch_size=4, epochs=2, verbose=0, seed=0, callbacks=[_EpochsOnly(), counter, lam])
    assert counter.begun == [(0, 4), (1, 4), (2, 2)] * 2
    assert [b for b, _ in counter.ended] == [0, 1, 2] * 2 and counter.epochs == 2
    assert [v for _, v in counter.ended] == losses and all(np.isfinite(losses))


@pytest.mark.parametrize("gather_bytes", [1, 200, training.GATHER_BYTES])  # 1, 2 (of 96 bytes) or all batches
def test_shuffled_fit_trains_on_the_batches_of_each_epochs_permutation_with_their_sample_weights(
    gather_bytes, monkeypatch
):
    monkeypatch.setattr(training, "GATHER_BYTES", gather_bytes)
    X, y = _data(11)
    weights = np.linspace(0.5, 2.0, len(X))
    fitted = _model().compile("sgd", "sparse_categorical_crossentropy", learning_rate=0.1)
    fitted.fit(X, y, batch_size=4, epochs=3, verbose=0, seed=7, sample_weight=weights)

    by_hand = _model().compile("sgd", "sparse_categorical_crossentropy", learning_rate=0.1)
    by_hand._ready_optimizer()
    rng = np.random.default_rng(7)  # fit(seed=7) draws each epoch's order from this generator
    for _ in range(3):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 4):
            rows = order[start : start + 4]
            by_hand.optimizer.zero_grad()
            by_hand.compute_loss(X[rows], y[rows], sample_weight=weights[rows]).backward()
            by_hand.optimizer.step()
    for ours, theirs in zip(fitted.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
