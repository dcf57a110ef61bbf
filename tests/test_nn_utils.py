"""gradviz.nn.utils' clip_grad_norm_ and clip_grad_value_ give torch.nn.utils' norms and gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradviz import Tensor, Value, nn

torch = pytest.importorskip("torch")


def gradients(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) * scale for shape in [(3,), (2, 4), ()]]


def both(grads):
    ours = [Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads, strict=True):
        p.grad = g.copy()
        q.grad = torch.tensor(g)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_gives_torch_norm_and_gradients(norm_type, max_norm):
    ours, theirs = both(gradients(scale=2.0))
    norm = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(norm, Tensor) and norm.shape == ()
    assert norm.item() == pytest.approx(expected.item(), rel=1e-12)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_gives_torch_gradients_and_skips_parameters_without_one():
    ours, theirs = both(gradients(seed=1, scale=2.0))
    spare = Tensor([1.0], requires_grad=True)  # no gradient: left alone, as torch
    assert nn.utils.clip_grad_value_([*ours, spare], 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.grad, q.grad.numpy())
    assert spare.grad is None


def test_a_single_tensor_a_scalar_value_and_no_gradients_at_all():
    w = Tensor([3.0, 4.0], requires_grad=True)
    w.grad = np.array([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(w, 1.0).item() == 5.0
    np.testing.assert_allclose(w.grad, np.array([3.0, 4.0]) / (5.0 + 1e-6))
    v = Value(2.0)
    (v * v).backward()
    nn.utils.clip_grad_norm_([v], 1.0)
    assert isinstance(v.grad, float) and v.grad == pytest.approx(1.0)
    assert nn.utils.clip_grad_norm_([Tensor([1.0], requires_grad=True)], 1.0).item() == 0.0


def test_a_float32_gradient_stays_float32_and_an_array_held_elsewhere_keeps_its_values():
    w = Tensor(np.array([3.0, 4.0], dtype=np.float32), requires_grad=True, dtype=np.float32)
    (w * w).sum().backward()
    held = w.grad  # e.g. by a recorded trace or a recorder: clipping gives w a new array
    nn.utils.clip_grad_norm_([w], 1.0)
    nn.utils.clip_grad_value_([w], 0.5)
    assert w.grad.dtype == np.float32 and w.grad is not held
    np.testing.assert_array_equal(held, [6.0, 8.0])


def test_a_nonfinite_norm_raises_torch_error_when_asked():
    ours, theirs = both([np.array([np.inf, 1.0])])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    norm = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert norm.item() == expected.item() == math.inf
    np.testing.assert_array_equal(ours[0].grad, theirs[0].grad.numpy())  # inf·0 = nan, 1·0 = 0, as torch
