"""The jax backend's optimizer rules at the numerical edges the numpy optimizers handle (β = 0, a zero variance)."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import Tensor, optim

jax_backend = pytest.importorskip("gradviz.backends.jax")


def _steps_on_both(make, gradients):
    """The numpy optimizer and the jax backend's rule for it, run over the same `gradients` from zero."""
    ours = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True, dtype=np.float32)
    numpy_optimizer = make([ours])
    twin = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True, dtype=np.float32)
    rule = jax_backend._Optimizer(make([twin]), {"w": twin}, ["w"], np.float32)
    params, state = {"w": twin.data}, rule.init()
    with np.errstate(over="ignore", invalid="ignore"):  # float32's (1e20)² is inf, on both
        for gradient in gradients:
            ours.grad = gradient.astype(np.float32)
            numpy_optimizer.step()
            params, state = rule.update(params, {"w": gradient.astype(np.float32)}, state, rule.learning_rates())
    jax_state = {key: np.asarray(value) for key, value in state["slots"]["w"].items()}
    return numpy_optimizer.state[ours], jax_state, ours.data, np.asarray(params["w"])


@pytest.mark.parametrize(
    "make, key",
    [
        (lambda p: optim.Adam(p, lr=1e-3, betas=(0.0, 0.999)), "exp_avg"),
        (lambda p: optim.AdamW(p, lr=1e-3, betas=(0.0, 0.999)), "exp_avg"),
        (lambda p: optim.RMSprop(p, lr=1e-3, alpha=0.0, centered=True), "grad_avg"),
    ],
    ids=["adam", "adamw", "rmsprop-centered"],
)
def test_the_jax_rule_with_a_zero_beta_keeps_the_new_gradient_exactly_as_numpy_does(make, key):
    gradients = (np.array([1e20, -1e15, 3.0]), np.array([1.0, 2.0, -0.5]))
    numpy_state, jax_state, _, _ = _steps_on_both(make, gradients)
    np.testing.assert_array_equal(jax_state[key], np.array([1.0, 2.0, -0.5], dtype=np.float32))
    np.testing.assert_array_equal(jax_state[key], numpy_state[key])


def test_the_jax_centered_rmsprop_with_alpha_0_stays_finite():
    gradient = np.array([1234.5678, -0.001, 7e7])
    # E[g²] − E[g]² = g² − g² is 0: a fused multiply-add would make it −(rounding of g²), and √ of it nan
    make = lambda p: optim.RMSprop(p, lr=1e-2, alpha=0.0, centered=True, eps=1e-8)  # noqa: E731
    _, _, numpy_params, jax_params = _steps_on_both(make, [gradient])
    expected = (-1e-2 * gradient / 1e-8).astype(np.float32)
    np.testing.assert_allclose(numpy_params, expected, rtol=1e-6)
    np.testing.assert_allclose(jax_params, expected, rtol=1e-6)
