"""gradviz.keras._tally: the compiled metrics as sums (a confusion matrix, error sums) give, read back, the numbers the
metrics give on all the outputs — for every rule, with padding masked out; and metrics that are not such sums say so."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz import Tensor, keras
from gradviz.keras._tally import Tally

CASES = {
    "sparse, 3 classes": ("sparse_categorical_crossentropy", "softmax", 3),
    "categorical, 4 classes": ("categorical_crossentropy", "softmax", 4),
    "binary": ("binary_crossentropy", "sigmoid", 1),
    "hinge": ("hinge", None, 1),
    "regression, 2 values": ("mse", None, 2),
}


def _model(loss, activation, width, metrics):
    model = keras.Sequential([keras.layers.Dense(width, input_dim=2, activation=activation)], seed=0)
    return model.compile("sgd", loss, metrics=metrics)


def _data(case, rng, n):
    loss, _, width = CASES[case]
    X = rng.normal(size=(n, 2))
    if case.startswith("sparse"):
        y = rng.integers(0, width, n)
    elif case.startswith("categorical"):
        y = np.eye(width)[rng.integers(0, width, n)]
    elif case == "binary":
        y = rng.integers(0, 2, n).astype(float)
    elif case == "hinge":
        y = rng.choice([-1.0, 1.0], n)
    else:
        y = rng.normal(size=(n, width))
    return X, y


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(list(CASES)), seed=st.integers(0, 10_000), n=st.integers(1, 40), pad=st.integers(0, 5))
def test_the_tally_of_the_outputs_reads_back_as_the_metrics_of_the_outputs(case, seed, n, pad):
    loss, activation, width = CASES[case]
    metrics = ["mse", "mae"] if case.startswith("regression") else ["accuracy", "precision", "recall", "f1"]
    model = _model(loss, activation, width, metrics)
    rng = np.random.default_rng(seed)
    X, y = _data(case, rng, n)
    model(X[:1])
    Y, Y_metric = model._targets(y, n, "test")
    tally = Tally.of(model)
    assert tally is not None
    _, out = model._loss_and_outputs(Tensor(X), Y)
    expected = model._metric_values(Y_metric, out)
    # padded with junk rows masked out, as a backend pads a batch
    outputs = np.concatenate([out, rng.normal(size=(pad, *out.shape[1:]))])
    targets = np.concatenate([Y, Y[:1].repeat(pad, axis=0)]) if pad else Y
    mask = np.r_[np.ones(n), np.zeros(pad)]
    counts = tally.count(np, outputs, targets, mask)
    got = tally.logs(model, counts)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == pytest.approx(expected[key], rel=1e-12, abs=1e-15, nan_ok=True), key


@pytest.mark.parametrize(
    ("loss", "activation", "width", "metrics"),
    [
        ("sparse_categorical_crossentropy", "softmax", 3, ["accuracy", keras.metrics.SparseCategoricalAccuracy()]),
        ("mse", None, 1, ["r2"]),
        ("mse", None, 1, ["accuracy"]),
        ("binary_crossentropy", "sigmoid", 1, ["accuracy", "mae"]),
        ("sparse_categorical_crossentropy", "softmax", 3, [lambda y, p: p[:, 0]]),
        ("sparse_categorical_crossentropy", "softmax", 3, []),
    ],
    ids=["a keras metric object", "r2", "accuracy of values", "labels and errors mixed", "a callable", "none"],
)
def test_metrics_that_are_not_sums_are_computed_from_the_outputs(loss, activation, width, metrics):
    model = _model(loss, activation, width, metrics)
    model(np.zeros((1, 2)))
    assert Tally.of(model) is None
