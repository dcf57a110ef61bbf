"""gradviz.nn.dropout: inverted dropout as torch.nn.Dropout (values, gradients, train/eval, seeding) and its picture."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import Tensor, nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _dropout_both(p: float, x: np.ndarray):
    """Output and input gradient of gradviz's and torch's Dropout(p) in training mode on `x` (backward from Σ out)."""
    ours = Tensor(x, requires_grad=True)
    out = nn.Dropout(p, seed=0)(ours)
    out.sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    torch.manual_seed(0)
    expected = torch.nn.Dropout(p)(theirs)
    expected.sum().backward()
    return out.data, ours.grad, expected.detach().numpy(), theirs.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", [0.5, 0.1, 0.8, 1 / 3])
def test_kept_elements_are_scaled_exactly_as_torch_and_dropped_ones_are_zero(p, dtype):
    x = np.random.default_rng(1).uniform(0.5, 2.0, size=(100, 100)).astype(dtype)  # no zero inputs
    out, grad, expected, expected_grad = _dropout_both(p, x)
    kept, kept_by_torch = out != 0, expected != 0
    both = kept & kept_by_torch
    assert both.sum() > 100  # the two masks differ (different generators), so compare where both kept
    np.testing.assert_array_equal(out[both], expected[both])  # x · (1/(1 − p)): the same rounding
    np.testing.assert_array_equal(grad[both], expected_grad[both])
    np.testing.assert_array_equal(grad[~kept], 0.0)
    np.testing.assert_array_equal(expected_grad[~kept_by_torch], 0.0)
    assert out.dtype == dtype


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_the_share_of_kept_elements_is_one_minus_p_as_in_torch(p):
    out, _, expected, _ = _dropout_both(p, np.ones((400, 500)))
    assert (out != 0).mean() == pytest.approx(1 - p, abs=0.005)
    assert (expected != 0).mean() == pytest.approx(1 - p, abs=0.005)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps the expected value


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_p_zero_and_one_match_torch_exactly(p):
    x = np.random.default_rng(2).normal(size=(3, 4))
    out, grad, expected, expected_grad = _dropout_both(p, x)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(grad, expected_grad)


def test_eval_mode_returns_the_input_itself_as_torch():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    theirs = torch.ones(2, 3)
    assert torch.nn.Dropout(0.5).eval()(theirs) is theirs
    assert nn.Dropout(0.0)(x) is x  # p = 0 in training: nothing to drop, no node


def test_train_and_eval_switch_a_dropout_inside_a_model():
    model = nn.Sequential(nn.Linear(4, 4, seed=0), nn.Dropout(0.5, seed=0))
    x = Tensor(np.ones((8, 4)))
    assert (model(x).data == 0).any()
    model.eval()
    np.testing.assert_array_equal(model(x).data, model[0](x).data)
    model.train()
    assert (model(x).data == 0).any()


def test_masks_repeat_after_manual_seed_and_with_a_layer_seed():
    x = Tensor(np.ones((6, 6)))
    nn.manual_seed(5)
    first = nn.Dropout()(x).data
    nn.manual_seed(5)
    np.testing.assert_array_equal(nn.Dropout()(x).data, first)
    layer_a, layer_b = nn.Dropout(0.3, seed=9), nn.Dropout(0.3, seed=9)
    np.testing.assert_array_equal(layer_a(x).data, layer_b(x).data)
    assert not np.array_equal(layer_a(x).data, layer_a(x).data)  # each call draws a new mask


def test_defaults_and_repr_are_torchs():
    assert nn.Dropout().p == torch.nn.Dropout().p == 0.5
    assert repr(nn.Dropout(0.25)) == repr(torch.nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_a_probability_outside_0_1_is_refused_with_torchs_message(p):
    with pytest.raises(ValueError) as theirs:
        torch.nn.Dropout(p)
    with pytest.raises(ValueError) as ours:
        nn.Dropout(p)
    assert str(ours.value) == str(theirs.value)


def test_dropout_needs_a_tensor():
    with pytest.raises(TypeError, match="a scalar network has no dropout layer"):
        nn.Dropout(0.5)(gradviz.Value(1.0))


# -- the picture ------------------------------------------------------------------------------------------


def test_a_dropout_is_one_multiplication_by_its_mask_in_a_scope_named_dropout():
    x = Tensor(np.ones((2, 5)), requires_grad=True, label="x")
    y = nn.Dropout(0.5, seed=1)(x)
    assert y.op == "mul" and y.scope == "dropout"
    inputs = y.inputs
    assert inputs[0] is x and inputs[1].label == "m/(1−p)"
    np.testing.assert_array_equal(np.unique(inputs[1].data), [0.0, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, inputs[1].data)  # ∂(x·m/(1−p))/∂x = m/(1−p)


def test_inside_a_sequential_the_dropout_box_sits_inside_its_numbered_layer():
    model = nn.Sequential(nn.Linear(3, 3, seed=0), nn.Dropout(0.5, seed=0), nn.Linear(3, 1, seed=0))
    out = model(Tensor(np.ones((4, 3)), label="x")).sum()
    graph = out.graph()
    masks = [node for node in graph.nodes if node.label == "m/(1−p)"]
    products = [node for node in graph.nodes if node.op == "mul"]
    assert len(masks) == 1 and [node.scope for node in products] == ["sequential/1/dropout"]
    source = gradviz.draw(out, focus=False, collapse=False).source
    assert ">dropout<" in source and "m/(1−p)" in source
