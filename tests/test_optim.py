"""gradviz.optim: every update rule and schedule against torch.optim, plus state, dtype and errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradviz import Tensor, Value, nn, optim

CASES = [
    ("SGD", optim.SGD, {"lr": 0.1}, {}),
    ("SGD", optim.SGD, {"lr": 0.05, "momentum": 0.9}, {}),
    ("SGD", optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}, {}),
    ("SGD", optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.02}, {}),
    ("SGD", optim.Momentum, {"lr": 0.05}, {"momentum": 0.9}),
    ("SGD", optim.Nesterov, {"lr": 0.05}, {"momentum": 0.9, "nesterov": True}),
    ("Adagrad", optim.Adagrad, {"lr": 0.1}, {}),
    (
        "Adagrad",
        optim.Adagrad,
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.2},
        {},
    ),
    ("Adadelta", optim.Adadelta, {}, {}),
    ("Adadelta", optim.Adadelta, {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.01}, {}),
    ("RMSprop", optim.RMSprop, {"lr": 0.01}, {}),
    ("RMSprop", optim.RMSprop, {"lr": 0.01, "momentum": 0.9}, {}),
    ("RMSprop", optim.RMSprop, {"lr": 0.01, "centered": True, "alpha": 0.9}, {}),
    ("RMSprop", optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.05}, {}),
    ("Adam", optim.Adam, {"lr": 0.01}, {}),
    ("Adam", optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}, {}),
    ("Adam", optim.Adam, {"lr": 0.01, "amsgrad": True}, {}),
    ("AdamW", optim.AdamW, {"lr": 0.01}, {}),
    ("AdamW", optim.AdamW, {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, {}),
]


def _gradient(rng_seed: int, step: int, params: list[np.ndarray]) -> list[np.ndarray]:
    """A gradient that depends on the parameters (a quadratic's) plus step-dependent noise."""
    rng = np.random.default_rng(1000 * rng_seed + step)
    return [2.0 * p - 0.5 * np.sin(p) + rng.normal(size=p.shape) for p in params]


def _run_both(gradviz_class, kwargs, torch_extra, steps: int = 20, scalar: bool = False):
    import torch

    torch_class = getattr(
        torch.optim, {optim.Momentum: "SGD", optim.Nesterov: "SGD"}.get(gradviz_class, gradviz_class.__name__)
    )
    start = [np.random.default_rng(7).normal(size=(3, 4)), np.random.default_rng(8).normal(size=(4,))]
    if scalar:
        start = [np.array(1.5), np.array(-0.7)]
        ours = [Value(float(a)) for a in start]
    else:
        ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in start]
    opt = gradviz_class(ours, **kwargs)
    reference = torch_class(theirs, **kwargs, **torch_extra)
    for step in range(steps):
        grads = _gradient(3, step, [t.detach().numpy().copy() for t in theirs])
        for p, t, g in zip(ours, theirs, grads, strict=False):
            p.grad = float(g) if scalar else g.copy()
            t.grad = torch.tensor(g)
        opt.step()
        reference.step()
    return opt, ours, theirs, reference


@pytest.mark.torch
@pytest.mark.parametrize(
    "torch_name, cls, kwargs, extra", CASES, ids=[f"{c[1].__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_update_rule_matches_torch_over_20_steps(torch_name, cls, kwargs, extra):
    opt, ours, theirs, reference = _run_both(cls, kwargs, extra)
    for p, t in zip(ours, theirs, strict=False):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=0, atol=1e-10)
        assert p.data.dtype == np.float64
        # the internal state (velocities, squared-gradient averages) is torch's, by the same names
        state, torch_state = opt.state[p], reference.state[t]
        assert set(state) == set(torch_state)
        for key, value in torch_state.items():
            np.testing.assert_allclose(np.asarray(state[key], dtype=float), value.numpy(), rtol=1e-12, atol=1e-10)


@pytest.mark.torch
@pytest.mark.parametrize(
    "cls, kwargs, extra",
    [
        (optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {}),
        (optim.Adadelta, {"lr": 0.5}, {}),
        (optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}, {}),
        (optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, {}),
    ],
)
def test_scalar_value_parameters_follow_the_same_rules_as_torch(cls, kwargs, extra):
    _, ours, theirs, _ = _run_both(cls, kwargs, extra, scalar=True)
    for p, t in zip(ours, theirs, strict=False):
        assert isinstance(p.data, float)
        assert p.data == pytest.approx(t.item(), abs=1e-10)


@pytest.mark.torch
def test_optimizer_state_has_torch_names_and_values():
    opt, ours, theirs, reference = _run_both(optim.Adam, {"lr": 0.01, "amsgrad": True}, {}, steps=5)
    state, torch_state = opt.state[ours[0]], reference.state[theirs[0]]
    assert set(state) == set(torch_state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert state["step"] == int(torch_state["step"]) == 5
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        np.testing.assert_allclose(state[key], torch_state[key].numpy(), rtol=0, atol=1e-12)


@pytest.mark.torch
def test_adam_trains_an_mlp_exactly_like_torch_through_real_backward_passes():
    import torch

    nn.manual_seed(0)
    model = nn.MLP(3, [5, 2], activation="tanh")
    torch_model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for (_name, p), q in zip(model.named_parameters(), torch_model.parameters(), strict=False):
            q.copy_(torch.tensor(p.data))
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, size=16)
    opt = optim.Adam(model.parameters(), lr=0.05)
    reference = torch.optim.Adam(torch_model.parameters(), lr=0.05)
    for _ in range(20):
        opt.zero_grad()
        nn.cross_entropy(model(Tensor(X)), y).backward()
        opt.step()
        reference.zero_grad()
        torch.nn.functional.cross_entropy(torch_model(torch.tensor(X)), torch.tensor(y)).backward()
        reference.step()
    for p, q in zip(model.parameters(), torch_model.parameters(), strict=False):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=0, atol=1e-10)


def test_step_keeps_float32_and_updates_in_place_without_recording_a_graph():
    w = Tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    array = w.data
    for cls in (optim.SGD, optim.Momentum, optim.Adagrad, optim.Adadelta, optim.RMSprop, optim.Adam, optim.AdamW):
        opt = cls([w], lr=0.1)
        w.grad = np.full((2, 2), 0.5, dtype=np.float32)
        opt.step()
        assert w.data is array and w.data.dtype == np.float32, cls.__name__
        assert w.is_leaf and w.inputs == () and w.requires_grad
        for value in opt.state[w].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, cls.__name__
    assert (w.data < 1).all()


def test_parameters_without_a_gradient_are_skipped():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5)
    a.grad = np.array([1.0])
    opt.step()
    assert a.data.tolist() == [0.5] and b.data.tolist() == [2.0] and b not in opt.state


def test_zero_grad_sets_none_or_zeros():
    w, v = Tensor([1.0, 2.0], requires_grad=True), Value(1.0)
    opt = optim.SGD([w, v], lr=0.1)
    (w.sum() * 1.0).backward()
    (v * 2).backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0] and v.grad == 0.0
    opt.zero_grad()
    assert w.grad is None and v.grad is None


def test_param_groups_have_their_own_learning_rate():
    a, b = Value(1.0), Value(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (a.data, b.data) == (pytest.approx(0.9), pytest.approx(0.5))
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]


def test_optimizer_accepts_a_module_and_state_dict_round_trips():
    nn.manual_seed(0)
    model = nn.Linear(2, 2)
    opt = optim.Adam(model, lr=0.01)
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    opt.step()
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1] and saved["state"][0]["step"] == 1
    fresh = optim.Adam(model.parameters(), lr=0.5)
    fresh.load_state_dict(saved)
    assert fresh.lr == 0.01
    np.testing.assert_array_equal(fresh.state[model.weight]["exp_avg"], opt.state[model.weight]["exp_avg"])
    assert fresh.state[model.weight]["exp_avg"] is not opt.state[model.weight]["exp_avg"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: optim.SGD([], lr=0.1), "empty"),
        (lambda: optim.SGD(Tensor([1.0], requires_grad=True), lr=0.1), "wrap it in a list"),
        (lambda: optim.SGD([Tensor([1.0])], lr=0.1), "does not require grad"),
        (lambda: optim.SGD([np.ones(2)], lr=0.1), "not a Tensor or Value"),
        (lambda: optim.SGD([Value(1.0)], lr=-1.0), "lr must be"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), "betas must be a pair"),
        (lambda: optim.SGD([{"params": [Value(1.0)], "betas": (0.9, 0.9)}]), "no hyperparameter 'betas'"),
        (lambda: optim.get_optimizer("adamm", [Value(1.0)]), "valid names: sgd, momentum"),
    ],
)
def test_bad_arguments_explain_themselves(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_the_same_parameter_twice_is_refused():
    w = Value(1.0)
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([w, w], lr=0.1)


def test_get_optimizer_builds_every_named_optimizer():
    for name, cls in optim.OPTIMIZERS.items():
        assert type(optim.get_optimizer(name.upper(), [Value(1.0)], lr=0.1)) is cls


def test_sgd_minimises_a_quadratic_bowl():
    w = Tensor(np.array([3.0, -4.0]), requires_grad=True)
    opt = optim.Nesterov([w], lr=0.05)
    for _ in range(200):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert np.abs(w.data).max() < 1e-3


# -- learning-rate schedules -------------------------------------------------------------------------

SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 1, "gamma": 0.9}),
    ("ExponentialLR", {"gamma": 0.8}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 12}),
]


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_schedule_matches_torch_learning_rate_sequence(name, kwargs):
    import torch

    ours_opt = optim.SGD([{"params": [Value(1.0)]}, {"params": [Value(1.0)], "lr": 0.3}], lr=0.1)
    theirs_opt = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}],
        lr=0.1,
    )
    ours = getattr(optim.lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    ours_rates, theirs_rates = [], []
    for _ in range(30):
        ours_rates.append(ours.get_last_lr())
        theirs_rates.append(theirs.get_last_lr())
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
    np.testing.assert_allclose(ours_rates, theirs_rates, rtol=1e-13, atol=1e-15)
    assert [g["lr"] for g in ours_opt.param_groups] == ours.get_last_lr()


def test_cosine_schedule_reaches_eta_min_at_t_max():
    opt = optim.SGD([Value(1.0)], lr=1.0)
    schedule = optim.CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
    for _ in range(4):
        schedule.step()
    assert opt.lr == pytest.approx(0.1)


def test_schedule_needs_a_gradviz_optimizer():
    with pytest.raises(TypeError, match="needs a gradviz optimizer"):
        optim.StepLR(object(), step_size=1)


def test_a_read_only_parameter_array_is_copied_before_the_update():
    w = Tensor(np.broadcast_to(np.array([1.0]), (3,)), requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    w.grad = np.ones(3)
    opt.step()
    assert w.data.tolist() == [0.5, 0.5, 0.5]


# -- edges: β = 0 and β → 1, tiny and huge gradients, float32, against torch.optim ---------------------------------


def _edge_hyperparameters():
    """Each optimizer with hyperparameters drawn from the edges of their ranges (torch's own limits)."""
    rate = st.sampled_from([0.0, 1e-3, 0.1, 1.0])
    decay = st.sampled_from([0.0, 1e-4, 0.5])
    beta = st.sampled_from([0.0, 0.3, 0.5, 0.9, 0.999, 1.0 - 1e-7])
    eps = st.sampled_from([1e-8, 1e-3, 1.0])
    sgd = st.fixed_dictionaries(
        {
            "lr": rate,
            "momentum": st.sampled_from([0.0, 0.5, 0.9, 1.0 - 1e-7]),
            "dampening": st.sampled_from([0.0, 0.3, 1.0]),
            "weight_decay": decay,
        }
    )
    nesterov = st.fixed_dictionaries(
        {
            "lr": rate,
            "momentum": st.sampled_from([0.5, 0.9, 1.0 - 1e-7]),
            "weight_decay": decay,
            "nesterov": st.just(True),
        }
    )
    adagrad = st.fixed_dictionaries(
        {
            "lr": rate,
            "lr_decay": st.sampled_from([0.0, 0.1]),
            "weight_decay": decay,
            "initial_accumulator_value": st.sampled_from([0.0, 0.1]),
            "eps": st.sampled_from([1e-10, 1e-3]),
        }
    )
    adadelta = st.fixed_dictionaries(
        {"lr": rate, "rho": st.sampled_from([0.0, 0.5, 0.9, 1.0 - 1e-7, 1.0]), "eps": eps, "weight_decay": decay}
    )
    rmsprop = st.fixed_dictionaries(
        {
            "lr": rate,
            "alpha": beta,
            "eps": eps,
            "weight_decay": decay,
            "momentum": st.sampled_from([0.0, 0.9]),
            # α = 0 with centered: torch's fused multiply-add gives √(g² − g·g) = √(−tiny) = nan (a test below)
            "centered": st.just(False),
        }
    ) | st.fixed_dictionaries(
        {
            "lr": rate,
            "alpha": st.sampled_from([0.3, 0.9, 0.999]),
            "eps": eps,
            "weight_decay": decay,
            "momentum": st.sampled_from([0.0, 0.9]),
            "centered": st.just(True),
        }
    )
    adam = st.fixed_dictionaries(
        {"lr": rate, "betas": st.tuples(beta, beta), "eps": eps, "weight_decay": decay, "amsgrad": st.booleans()}
    )
    return st.one_of(
        st.tuples(st.just(optim.SGD), sgd),
        st.tuples(st.just(optim.SGD), nesterov),
        st.tuples(st.just(optim.Adagrad), adagrad),
        st.tuples(st.just(optim.Adadelta), adadelta),
        st.tuples(st.just(optim.RMSprop), rmsprop),
        st.tuples(st.just(optim.Adam), adam),
        st.tuples(st.just(optim.AdamW), adam),
    )


@st.composite
def _gradients(draw, shape, steps: int, dtype):
    """`steps` gradients whose elements span magnitudes from 1e-30 to 1e30 (1e±20 in float32, whose g² would
    leave its range), zeros included."""
    top = 30 if dtype == np.float64 else 15
    exponents = st.integers(-top, top)
    gradients = []
    for _ in range(steps):
        mantissa = draw(hnp.arrays(np.float64, shape, elements=st.floats(-2.0, 2.0, allow_subnormal=False)))
        power = draw(hnp.arrays(np.int64, shape, elements=exponents))
        gradients.append((mantissa * 10.0**power).astype(dtype))
    return gradients


@pytest.mark.torch
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_edge_hyperparameters(), dtype=st.sampled_from([np.float64, np.float32]), data=st.data())
def test_every_optimizer_follows_torch_at_the_edges_of_its_hyperparameters(case, dtype, data):
    import torch

    cls, kwargs = case
    shape = (2, 3)
    start = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-3.0, 3.0))).astype(dtype)
    ours = Tensor(start.copy(), requires_grad=True, dtype=dtype)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt = cls([ours], **kwargs)
    reference = getattr(torch.optim, cls.__name__)([theirs], **kwargs)
    rtol = 1e-9 if dtype == np.float64 else 2e-4
    # atol: a rounding at the scale each quantity has reached so far. torch fuses multiply-adds (numpy rounds
    # twice), and a step can cancel a parameter out (w − lr·m/√v with m/√v ≈ w/lr leaves ~1e-8·w)
    scales = {"param": _scale(start)}
    with np.errstate(all="ignore"):  # inf and nan are part of what is compared
        for gradient in data.draw(_gradients(shape, 4, dtype)):
            ours.grad = gradient.copy()
            theirs.grad = torch.tensor(gradient.copy())
            opt.step()
            reference.step()
            expected = theirs.detach().numpy()
            assert ours.data.dtype == dtype
            scales["param"] = max(scales["param"], _scale(expected))
            np.testing.assert_allclose(ours.data, expected, rtol=rtol, atol=rtol * scales["param"])
            for key, value in reference.state[theirs].items():
                if key != "step":
                    theirs_state = value.numpy()
                    scales[key] = max(scales.get(key, 0.0), _scale(theirs_state))
                    np.testing.assert_allclose(opt.state[ours][key], theirs_state, rtol=rtol, atol=rtol * scales[key])


def _scale(*arrays) -> float:
    return max(float(np.abs(a[np.isfinite(a)]).max(initial=0.0)) for a in arrays)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "cls, kwargs, key",
    [
        (optim.Adam, {"betas": (0.0, 0.999)}, "exp_avg"),
        (optim.AdamW, {"betas": (0.0, 0.999)}, "exp_avg"),
        (optim.Adam, {"betas": (0.0, 0.999), "amsgrad": True}, "exp_avg"),
        (optim.RMSprop, {"alpha": 0.0, "centered": True}, "grad_avg"),
    ],
)
def test_a_zero_beta_keeps_the_new_gradient_exactly_next_to_a_huge_old_average(cls, kwargs, key, dtype):
    # with β = 0 the running average is the gradient itself; m + (1 − β)(g − m) rounds g = 1 away next to m = 1e20
    import torch

    ours = Tensor(np.zeros(3, dtype=dtype), requires_grad=True, dtype=dtype)
    theirs = torch.tensor(np.zeros(3, dtype=dtype), requires_grad=True)
    opt = cls([ours], lr=1e-3, **kwargs)
    reference = getattr(torch.optim, cls.__name__)([theirs], lr=1e-3, **kwargs)
    for gradient in (np.array([1e20, -1e15, 3.0]), np.array([1.0, 2.0, -0.5])):
        ours.grad = gradient.astype(dtype)
        theirs.grad = torch.tensor(gradient.astype(dtype))
        with np.errstate(over="ignore", invalid="ignore"):  # float32's g² = 1e40 is inf, in torch too
            opt.step()
        reference.step()
    np.testing.assert_array_equal(opt.state[ours][key], np.array([1.0, 2.0, -0.5], dtype=dtype))
    np.testing.assert_array_equal(opt.state[ours][key], reference.state[theirs][key].numpy())


def test_centered_rmsprop_with_alpha_0_stays_finite_where_rounding_makes_the_variance_negative():
    # E[g²] − E[g]² = g² − g² is 0; torch's fused multiply-add computes it as −(rounding of g²) and its √ is nan
    gradient = np.random.default_rng(0).normal(size=50) * 1e3
    w = Tensor(np.zeros(50), requires_grad=True)
    opt = optim.RMSprop([w], lr=0.01, alpha=0.0, centered=True, eps=1e-8)
    w.grad = gradient.copy()
    opt.step()
    np.testing.assert_allclose(w.data, -0.01 * gradient / 1e-8, rtol=1e-12)


# -- hyperparameters are checked as torch checks them, in one place ------------------------------------------------

NAN = float("nan")
BAD_HYPERPARAMETERS = [
    # (optimizer, keyword arguments, torch's message)
    ("SGD", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"lr": 0.1, "weight_decay": -1}, "Invalid weight_decay value: -1"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    ("Adagrad", {"initial_accumulator_value": -1.0}, "Invalid initial_accumulator_value value: -1.0"),
    ("Adagrad", {"eps": -1e-10}, "Invalid epsilon value: -1e-10"),
    ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("Adadelta", {"rho": NAN}, "Invalid rho value: nan"),
    ("RMSprop", {"alpha": -0.1}, "Invalid alpha value: -0.1"),
    ("RMSprop", {"momentum": NAN}, "Invalid momentum value: nan"),
    ("Adam", {"betas": (NAN, 0.9)}, "Invalid beta parameter at index 0: nan"),
    ("Adam", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ("Adam", {"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
    ("AdamW", {"betas": (0.9, NAN)}, "Invalid beta parameter at index 1: nan"),
    ("AdamW", {"lr": NAN}, "Invalid learning rate: nan"),
    ("Adam", {"eps": NAN}, "Invalid epsilon value: nan"),
    ("Adam", {"weight_decay": NAN}, "Invalid weight_decay value: nan"),
]


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs, expected", BAD_HYPERPARAMETERS, ids=[c[2] for c in BAD_HYPERPARAMETERS])
def test_bad_hyperparameters_are_refused_with_torchs_message_naming_the_argument_and_its_range(name, kwargs, expected):
    import torch

    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    assert str(theirs.value) == expected
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([Tensor([0.0], requires_grad=True)], **kwargs)
    message = str(ours.value)
    assert message.startswith(f"{name}: {expected}. ")
    argument = list(kwargs)[-1]
    assert argument in message.split(". ", 1)[1]
    assert re.search(r"must be (in [\[(][-\d.]+, [\d.]+[\])]|a number ≥ 0)$", message), message


@pytest.mark.parametrize(
    "make",
    [
        lambda w: optim.SGD([w], lr=0.1, momentum=NAN),  # torch's `momentum < 0` lets nan through: gradviz does not
        lambda w: optim.SGD([w], lr=0.1, dampening=NAN),
        lambda w: optim.SGD([{"params": [w], "lr": NAN}], lr=0.1),  # a parameter group's own value
        lambda w: optim.Adam([{"params": [w], "betas": (0.9, 1.5)}]),
        lambda w: setattr(optim.Adam([w]), "lr", -1.0),  # and a rate set later
        lambda w: optim.Adam([w]).load_state_dict(
            {"state": {}, "param_groups": [{**optim.Adam([w]).state_dict()["param_groups"][0], "eps": NAN}]}
        ),  # or loaded from a file
    ],
    ids=["sgd-momentum-nan", "sgd-dampening-nan", "group-lr-nan", "group-betas", "lr-setter", "load-state-dict"],
)
def test_nan_and_out_of_range_hyperparameters_are_refused_in_groups_and_setters_too(make):
    with pytest.raises(ValueError, match=r"Invalid .*must be"):
        make(Tensor([0.0], requires_grad=True))


def test_hyperparameters_must_be_numbers():
    with pytest.raises(TypeError, match="lr must be a number, got '0.1'"):
        optim.Adam([Value(1.0)], lr="0.1")
    with pytest.raises(TypeError, match=r"betas must be a pair \(beta1, beta2\), got 0.9"):
        optim.Adam([Value(1.0)], betas=0.9)
    with pytest.raises(TypeError, match=r"betas\[1\] must be a number, got None"):
        optim.Adam([Value(1.0)], betas=(0.9, None))


# -- one rule per optimizer, and numpy's in-place paths ----------------------------------------------------

RULE_CASES = [
    (optim.SGD, {"lr": 0.1}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (optim.Adam, {"lr": 0.01}),
    (optim.Adam, {"lr": 0.01, "betas": (0.0, 0.9), "weight_decay": 0.1, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.01, "amsgrad": True}),
    (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    (optim.Adadelta, {"weight_decay": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
]


def _steps(kind, hyper, dtype, in_place: bool, steps: int = 5):
    class RuleOnly(kind):  # the same optimizer, made to take the rule's path on numpy
        def _in_place(self, param, grad, state, group):
            return False

    rng = np.random.default_rng(3)
    w = Tensor(rng.normal(size=(4, 3)).astype(dtype), requires_grad=True)
    opt = (kind if in_place else RuleOnly)([w], **hyper)
    for _ in range(steps):
        w.grad = rng.normal(size=(4, 3)).astype(dtype)
        opt.step()
    return w.data, opt.state[w]


@pytest.mark.parametrize(("kind", "hyper"), RULE_CASES, ids=lambda v: getattr(v, "__name__", None) or str(v))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_numpy_in_place_update_computes_exactly_what_the_rule_says(kind, hyper, dtype):
    fast, fast_state = _steps(kind, hyper, dtype, in_place=True)
    rule, rule_state = _steps(kind, hyper, dtype, in_place=False)
    np.testing.assert_array_equal(fast, rule)
    assert fast_state.keys() == rule_state.keys()
    for key in fast_state:
        np.testing.assert_array_equal(fast_state[key], rule_state[key])


@pytest.mark.parametrize(("kind", "hyper"), RULE_CASES, ids=lambda v: getattr(v, "__name__", None) or str(v))
def test_a_float32_parameter_and_its_state_stay_float32_through_the_rule(kind, hyper):
    p, g = np.full((2, 2), 0.5, dtype=np.float32), np.full((2, 2), -0.25, dtype=np.float32)
    opt = kind([Tensor(p.copy(), requires_grad=True)], **hyper)
    group = opt.param_groups[0]
    state = {key: np.full_like(p, fill) for key, fill in opt.initial_state(group).items()}
    for t in (1, 2):  # no float64 scalar may promote the arithmetic (the parameter would be cast back silently)
        p, state = opt.rule(np, p, g, state, group, group["lr"], t)
        assert p.dtype == np.float32, t
        assert all(value.dtype == np.float32 for value in state.values()), t
