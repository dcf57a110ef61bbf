"""gradviz.optim.lr_scheduler's MultiStepLR, LambdaLR, OneCycleLR and ReduceLROnPlateau against torch's: the
same learning rates (and OneCycleLR's momentum) step by step, and the same trained parameters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradviz import Tensor, Value, optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _two_groups(name: str = "SGD", **kwargs):
    """The same optimizer over two parameter groups (lr 0.1 and 0.3) in gradviz and in torch."""
    ours = getattr(optim, name)([{"params": [Value(1.0)]}, {"params": [Value(1.0)], "lr": 0.3}], lr=0.1, **kwargs)
    theirs = getattr(torch.optim, name)(
        [{"params": [torch.zeros(1, requires_grad=True)]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}],
        lr=0.1,
        **kwargs,
    )
    return ours, theirs


def _rates(ours_opt, theirs_opt, ours, theirs, steps: int):
    ours_rates, theirs_rates = [], []
    for _ in range(steps):
        ours_rates.append(ours.get_last_lr())
        theirs_rates.append(theirs.get_last_lr())
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
    return ours_rates, theirs_rates


SCHEDULES = [
    ("MultiStepLR", {"milestones": [3, 7, 12]}),
    ("MultiStepLR", {"milestones": [5, 2, 5], "gamma": 0.5}),  # unsorted, and 5 twice: γ² there
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch}),
    ("LambdaLR", {"lr_lambda": [lambda epoch: 1 / (epoch + 1), lambda epoch: epoch // 3 + 1]}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 30, "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": [0.5, 2.0], "epochs": 5, "steps_per_epoch": 6, "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 30, "anneal_strategy": "linear", "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 30, "three_phase": True, "pct_start": 0.25, "cycle_momentum": False}),
    (
        "OneCycleLR",
        {"max_lr": 0.8, "total_steps": 30, "div_factor": 10.0, "final_div_factor": 100.0, "cycle_momentum": False},
    ),
]


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_schedule_gives_torchs_learning_rates(name, kwargs):
    ours_opt, theirs_opt = _two_groups()
    ours = getattr(optim.lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    ours_rates, theirs_rates = _rates(ours_opt, theirs_opt, ours, theirs, 30)
    np.testing.assert_allclose(ours_rates, theirs_rates, rtol=1e-13, atol=1e-16)
    assert [g["lr"] for g in ours_opt.param_groups] == ours.get_last_lr()


@pytest.mark.parametrize(
    "name, kwargs, key",
    [
        ("SGD", {"momentum": 0.9}, "momentum"),
        ("SGD", {}, "momentum"),  # momentum 0: OneCycleLR switches it on, as torch's
        ("RMSprop", {"momentum": 0.5}, "momentum"),
        ("Adam", {}, "betas"),
        ("AdamW", {"weight_decay": 0.1}, "betas"),
    ],
)
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_cycles_momentum_as_torch_and_trains_the_same_parameters(name, kwargs, key, three_phase):
    start = np.array([1.5, -2.0, 0.5])
    w = Tensor(start.copy(), requires_grad=True)
    tw = torch.tensor(start.copy(), requires_grad=True)
    ours_opt = getattr(optim, name)([w], lr=0.1, **kwargs)
    theirs_opt = getattr(torch.optim, name)([tw], lr=0.1, **kwargs)
    options = {"max_lr": 0.5, "total_steps": 20, "three_phase": three_phase, "base_momentum": 0.8, "max_momentum": 0.9}
    ours = optim.OneCycleLR(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **options)
    for _ in range(20):
        assert ours_opt.param_groups[0][key] == pytest.approx(theirs_opt.param_groups[0][key], rel=1e-13)
        ours_opt.zero_grad()
        theirs_opt.zero_grad()
        (w * w).sum().backward()
        (tw * tw).sum().backward()
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
    assert np.all(np.isfinite(w.data)) and not np.allclose(w.data, start)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-11, atol=1e-13)


def test_one_cycle_refuses_a_step_past_total_steps_and_an_optimizer_without_momentum():
    opt = optim.SGD([Value(1.0)], lr=0.1)
    schedule = optim.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    schedule.step()
    schedule.step()
    schedule.step()
    with pytest.raises(ValueError, match="stepped 4 times, but total_steps is 3: step it once per batch"):
        schedule.step()
    with pytest.raises(ValueError, match="Adagrad has neither: pass cycle_momentum=False"):
        optim.OneCycleLR(optim.Adagrad([Value(1.0)]), max_lr=1.0, total_steps=3)
    with pytest.raises(ValueError, match="give either total_steps, or epochs and steps_per_epoch"):
        optim.OneCycleLR(optim.SGD([Value(1.0)]), max_lr=1.0, epochs=3)
    with pytest.raises(ValueError, match="expected a float between 0 and 1 for pct_start"):
        optim.OneCycleLR(optim.SGD([Value(1.0)]), max_lr=1.0, total_steps=3, pct_start=1)


def test_lambda_lr_state_dict_keeps_callable_objects_but_not_functions_as_torch():
    class Halving:
        def __init__(self):
            self.base = 0.5

        def __call__(self, epoch):
            return self.base**epoch

    ours_opt, theirs_opt = _two_groups()
    mine = optim.LambdaLR(ours_opt, [Halving(), lambda epoch: 1.0])
    theirs = torch.optim.lr_scheduler.LambdaLR(theirs_opt, [Halving(), lambda epoch: 1.0])
    mine.lr_lambdas[0].base = 0.25
    theirs.lr_lambdas[0].base = 0.25
    assert mine.state_dict()["lr_lambdas"] == theirs.state_dict()["lr_lambdas"] == [{"base": 0.25}, None]
    again = optim.LambdaLR(optim.SGD([Value(1.0)], lr=0.1), [Halving()])
    again.load_state_dict({**mine.state_dict(), "lr_lambdas": [{"base": 0.25}], "base_lrs": [0.1]})
    assert again.lr_lambdas[0].base == 0.25


def test_lambda_lr_needs_one_function_per_group():
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        optim.LambdaLR(_two_groups()[0], [lambda epoch: 1.0])
    with pytest.raises(TypeError, match="lr_lambda must be a function of the epoch"):
        optim.LambdaLR(optim.SGD([Value(1.0)]), 0.5)


def test_multistep_needs_a_list_of_epochs():
    with pytest.raises(TypeError, match="milestones must be a list of epoch numbers"):
        optim.MultiStepLR(optim.SGD([Value(1.0)]), milestones=10)
    with pytest.raises(TypeError, match="each milestone must be an epoch number"):
        optim.MultiStepLR(optim.SGD([Value(1.0)]), milestones=[2.5])


# -- ReduceLROnPlateau -----------------------------------------------------------------------------------

# a loss that falls, stalls, wobbles within the threshold, falls again, and a rising accuracy with plateaus
LOSSES = [1.0, 0.8, 0.7, 0.7, 0.7, 0.69995, 0.7, 0.71, 0.6, 0.6, 0.6, 0.6, 0.6, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55]
LOSSES += [0.55 - 1e-5 * i for i in range(12)] + [0.4] * 10
ACCURACIES = [0.5, 0.6, 0.6, 0.6, 0.61, 0.61, 0.61, 0.61, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.72, 0.72, 0.72, 0.72]

PLATEAU_CASES = [
    ({}, LOSSES),
    ({"patience": 2}, LOSSES),
    ({"patience": 0, "factor": 0.5}, LOSSES),
    ({"patience": 1, "cooldown": 2, "factor": 0.5}, LOSSES),
    ({"patience": 1, "threshold": 0.05, "threshold_mode": "abs"}, LOSSES),
    ({"patience": 1, "threshold": 0.0}, LOSSES),
    ({"patience": 1, "min_lr": 0.005, "factor": 0.5}, LOSSES),
    ({"patience": 1, "min_lr": [0.05, 0.001], "factor": 0.3}, LOSSES),
    ({"patience": 0, "eps": 0.02, "factor": 0.9}, LOSSES),  # a change smaller than eps is skipped
    ({"mode": "max", "patience": 1}, ACCURACIES),
    ({"mode": "max", "patience": 2, "threshold": 0.05, "threshold_mode": "abs", "factor": 0.5}, ACCURACIES),
]


@pytest.mark.parametrize("kwargs, values", PLATEAU_CASES, ids=[str(i) for i in range(len(PLATEAU_CASES))])
def test_reduce_on_plateau_gives_torchs_learning_rates(kwargs, values):
    ours_opt, theirs_opt = _two_groups()
    ours = optim.ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
    ours_rates, theirs_rates = [], []
    for value in values:
        ours_opt.step()
        theirs_opt.step()
        ours.step(value)
        theirs.step(value)
        ours_rates.append(ours.get_last_lr())
        theirs_rates.append(theirs.get_last_lr())
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
            theirs.best,
            theirs.num_bad_epochs,
            theirs.cooldown_counter,
        )
    np.testing.assert_allclose(ours_rates, theirs_rates, rtol=1e-15)
    assert ours_rates[0] != ours_rates[-1]  # the case reduces the rate at least once


def test_reduce_on_plateau_reads_a_one_element_tensor_and_resumes_from_its_state():
    opt = optim.SGD([Value(1.0)], lr=1.0)
    schedule = optim.ReduceLROnPlateau(opt, patience=1)
    schedule.step(Tensor([0.5]))
    schedule.step(Value(0.5))
    saved = schedule.state_dict()
    assert "optimizer" not in saved and saved["num_bad_epochs"] == 1
    again = optim.ReduceLROnPlateau(opt, patience=1)
    again.load_state_dict(saved)
    again.step(0.5)
    assert again.get_last_lr() == [0.1]


def test_reduce_on_plateau_refuses_bad_arguments_and_a_step_without_the_number_it_watches():
    opt = optim.SGD([Value(1.0)], lr=1.0)
    with pytest.raises(ValueError, match="factor should be < 1.0"):
        optim.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode must be 'min' .* or 'max'"):
        optim.ReduceLROnPlateau(opt, mode="minimum")
    with pytest.raises(ValueError, match="threshold_mode must be 'rel' or 'abs'"):
        optim.ReduceLROnPlateau(opt, threshold_mode="relative")
    with pytest.raises(ValueError, match="expected 1 min_lrs"):
        optim.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
    with pytest.raises(TypeError, match=r"needs the number it watches, e.g. scheduler.step\(val_loss\)"):
        optim.ReduceLROnPlateau(opt).step()


def test_reduce_on_plateau_defaults_are_torchs():
    ours = optim.ReduceLROnPlateau(optim.SGD([Value(1.0)], lr=1.0))
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0))
    for key in ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lrs", "eps", "best"):
        assert getattr(ours, key) == getattr(theirs, key), key
    assert math.isinf(ours.best)
