"""gradviz.nn.losses: every loss against torch.nn.functional (values and gradients), scalar versions, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradviz import GradvizWarning, ShapeError, Tensor, Value, nn

RNG = np.random.default_rng(0)
PRED = RNG.normal(size=(6, 3))
TARGET = RNG.normal(size=(6, 3))
PROBS = 1 / (1 + np.exp(-PRED))
BINARY = (RNG.random(size=(6, 3)) > 0.5).astype(float)
LABELS = np.array([0, 2, 1, 1, 0, 2])


def _ours(loss, pred, target):
    x = Tensor(pred, requires_grad=True)
    out = loss(x, target)
    out.backward()
    return out.item(), x.grad


def _theirs(function, pred, target):
    import torch

    x = torch.tensor(pred, requires_grad=True)
    out = function(x, target)
    out.backward()
    return out.item(), x.grad.numpy()


def _torch_cases():
    import torch
    import torch.nn.functional as TF

    return [
        (nn.MSELoss(), PRED, Tensor(TARGET), TF.mse_loss, torch.tensor(TARGET)),
        (nn.L1Loss(), PRED, Tensor(TARGET), TF.l1_loss, torch.tensor(TARGET)),
        (nn.BCELoss(), PROBS, Tensor(BINARY), TF.binary_cross_entropy, torch.tensor(BINARY)),
        (nn.BCEWithLogitsLoss(), PRED * 10, Tensor(BINARY), TF.binary_cross_entropy_with_logits, torch.tensor(BINARY)),
        (nn.CrossEntropyLoss(), PRED, LABELS, TF.cross_entropy, torch.tensor(LABELS)),
        (nn.CrossEntropyLoss(), PRED, np.eye(3)[LABELS], TF.cross_entropy, torch.tensor(np.eye(3)[LABELS])),
        (
            nn.HingeLoss(),
            PRED,
            Tensor(2 * BINARY - 1),
            lambda s, y: torch.relu(1 - y * s).mean(),
            torch.tensor(2 * BINARY - 1),
        ),
    ]


@pytest.mark.torch
@pytest.mark.parametrize("index", range(7), ids=["mse", "l1", "bce", "bce_logits", "ce_labels", "ce_onehot", "hinge"])
def test_loss_matches_torch_value_and_gradient(index):
    ours_loss, pred, ours_target, torch_loss, torch_target = _torch_cases()[index]
    value, grad = _ours(ours_loss, pred, ours_target)
    expected_value, expected_grad = _theirs(torch_loss, pred, torch_target)
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-15)


def test_functions_and_modules_agree():
    assert nn.mse_loss(Tensor(PRED), Tensor(TARGET)).item() == nn.MSELoss()(Tensor(PRED), Tensor(TARGET)).item()
    assert nn.mae_loss is nn.l1_loss and nn.MAELoss is nn.L1Loss
    assert nn.cross_entropy(Tensor(PRED), LABELS).item() == nn.CrossEntropyLoss()(Tensor(PRED), LABELS).item()


@pytest.mark.parametrize(
    "function, pred, target",
    [
        (nn.mse_loss, [0.5, -1.0, 2.0], [1.0, 0.0, 2.5]),
        (nn.l1_loss, [0.5, -1.0, 2.0], [1.0, 0.0, 2.5]),
        (nn.hinge_loss, [0.5, -1.0, 2.0], [1.0, 1.0, -1.0]),
        (nn.binary_cross_entropy, [0.2, 0.7, 0.9], [0.0, 1.0, 1.0]),
    ],
)
def test_scalar_losses_equal_the_tensor_losses(function, pred, target):
    values = [Value(p) for p in pred]
    scalar = function(values, target)
    scalar.backward()
    tensor_pred = Tensor(pred, requires_grad=True)
    tensor = function(tensor_pred, Tensor(target))
    tensor.backward()
    assert isinstance(scalar, Value)
    assert scalar.data == pytest.approx(tensor.item(), rel=1e-12)
    assert [v.grad for v in values] == pytest.approx(tensor_pred.grad.tolist(), rel=1e-12)


def test_hinge_loss_takes_the_outputs_of_a_scalar_network():
    net = nn.ScalarMLP(2, [3, 1], seed=0)
    scores = [net([1.0, 2.0]), net([-1.0, 0.5])]
    assert isinstance(nn.hinge_loss(scores, [1, -1]), Value)


def test_hinge_loss_accepts_a_column_of_scores_with_flat_labels():
    scores = Tensor([[2.0], [-0.5]])
    assert nn.hinge_loss(scores, Tensor([1.0, -1.0])).item() == pytest.approx(0.25)


def test_penalties_sum_over_every_parameter():
    model = nn.Linear(3, 2, seed=0)
    expected_l2 = 0.1 * sum((p.data**2).sum() for p in model.parameters())
    expected_l1 = 0.1 * sum(np.abs(p.data).sum() for p in model.parameters())
    assert nn.l2_penalty(model, 0.1).item() == pytest.approx(expected_l2)
    assert nn.l1_penalty(model.parameters(), 0.1).item() == pytest.approx(expected_l1)
    assert nn.l2_penalty(model, 1.0, skip_biases=True).item() == pytest.approx((model.weight.data**2).sum())
    nn.l2_penalty(model, 0.5).backward()
    np.testing.assert_allclose(model.weight.grad, model.weight.data)


def test_penalties_on_scalar_values():
    w = [Value(1.0), Value(-3.0)]
    penalty = nn.l2_penalty(w, alpha=0.5)
    penalty.backward()
    assert penalty.data == 5.0 and [v.grad for v in w] == [1.0, -3.0]
    assert nn.l1_penalty(w).data == 4.0


# -- bad input ------------------------------------------------------------------------------------


def test_wrong_target_shape_is_refused_with_a_fix():
    with pytest.raises(ShapeError, match=r"Reshape the target with .reshape\(-1, 1\)"):
        nn.mse_loss(Tensor(np.ones((4, 1))), Tensor(np.ones(4)))
    with pytest.raises(ShapeError, match="differ"):
        nn.l1_loss(Tensor(np.ones((4, 2))), Tensor(np.ones((4, 3))))


def test_cross_entropy_labels_must_be_class_indices():
    with pytest.raises(ValueError, match=r"label 3 is not a class index in \[0, 3\)"):
        nn.cross_entropy(Tensor(PRED), np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ShapeError, match="need integer labels of shape"):
        nn.cross_entropy(Tensor(PRED), np.array([0, 1]))
    with pytest.raises(TypeError, match="not strings"):
        nn.cross_entropy(Tensor(PRED), ["cat"] * 6)


def test_hinge_loss_needs_plus_minus_one_labels():
    with pytest.raises(ValueError, match=r"needs labels −1 or \+1.*y = 2·y − 1"):
        nn.hinge_loss(Tensor([0.5, 1.0]), Tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="needs labels"):
        nn.hinge_loss([Value(0.5)], [0])


def test_binary_cross_entropy_checks_targets_and_probabilities():
    with pytest.raises(ValueError, match=r"targets in \[0, 1\].*y = \(y \+ 1\) / 2"):
        nn.binary_cross_entropy(Tensor([0.5, 0.5]), Tensor([-1.0, 1.0]))
    with pytest.raises(ValueError, match="probabilities in"):
        nn.binary_cross_entropy(Tensor([2.0]), Tensor([1.0]))
    with pytest.raises(ShapeError, match="2 prediction"):
        nn.binary_cross_entropy([Value(0.5), Value(0.5)], [1.0])


def test_get_loss_by_name_and_unknown_names():
    assert isinstance(nn.get_loss("MSE"), nn.MSELoss)
    assert isinstance(nn.get_loss("cross_entropy"), nn.CrossEntropyLoss)
    function = nn.mse_loss
    assert nn.get_loss(function) is function
    with pytest.raises(ValueError, match="unknown loss 'msee'; valid names: .*cross_entropy.*mse"):
        nn.get_loss("msee")


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["sum", "none"])
@pytest.mark.parametrize("index", range(7), ids=["mse", "l1", "bce", "bce_logits", "ce_labels", "ce_onehot", "hinge"])
def test_sum_and_none_reductions_match_torch(index, reduction):
    import torch

    ours_loss, pred, ours_target, torch_loss, torch_target = _torch_cases()[index]
    if index == 6:  # torch has no hinge loss module: reduce by hand
        torch_loss = {"sum": lambda s, y: torch.relu(1 - y * s).sum(), "none": lambda s, y: torch.relu(1 - y * s)}[
            reduction
        ]
    else:
        torch_loss = _with_reduction(torch_loss, reduction)
    module = type(ours_loss)(reduction=reduction)
    x = Tensor(pred, requires_grad=True)
    out = module(x, ours_target)
    weights = np.linspace(0.5, 1.5, out.size).reshape(out.shape)
    (out * Tensor(weights)).sum().backward()
    theirs = torch.tensor(pred, requires_grad=True)
    expected = torch_loss(theirs, torch_target)
    (expected * torch.tensor(weights)).sum().backward()
    # log(1 + e^−|z|) without a log1p op: absolute error ~1e-15 where the loss is ~1e-10
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def _with_reduction(function, reduction):
    return lambda a, b: function(a, b, reduction=reduction)


def test_scalar_losses_support_sum_and_none():
    values = [Value(1.0), Value(3.0)]
    assert nn.mse_loss(values, [0.0, 0.0], reduction="sum").data == 10.0
    assert [v.data for v in nn.l1_loss(values, [0.0, 0.0], reduction="none")] == [1.0, 3.0]


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.cross_entropy(Tensor(PRED), LABELS, reduction="max")


def test_loss_repr_shows_a_non_default_reduction():
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_label_for_every_reduction(reduction):
    # z = 0 is where a term-by-term derivative of the stable form goes wrong (relu′(0) = |z|′(0) = 0)
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    z_values = np.array([0.0, 0.0, 2.0, -3.0])
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    z = Tensor(z_values, requires_grad=True)
    loss = nn.losses.binary_cross_entropy_with_logits(z, Tensor(labels), reduction=reduction)
    loss.backward(np.ones_like(loss.data))
    zt = torch.tensor(z_values, requires_grad=True)
    expected = TF.binary_cross_entropy_with_logits(zt, torch.tensor(labels), reduction=reduction)
    expected.backward(torch.ones_like(expected))
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(z.grad, zt.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert z.grad[0] == pytest.approx(-0.5 if reduction != "mean" else -0.125)


# -- edges: saturated probabilities, infinite logits, infinite errors (torch is the reference) -------------


def _torch_loss_and_grad(function, pred, target, reduction):
    import torch

    x = torch.tensor(pred, requires_grad=True)
    out = function(x, torch.tensor(target), reduction=reduction)
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), x.grad.numpy()


def _gradviz_loss_and_grad(function, pred, target, reduction):
    x = Tensor(pred, requires_grad=True, dtype=pred.dtype)
    out = function(x, Tensor(target, dtype=target.dtype) if target.dtype.kind == "f" else target, reduction=reduction)
    out.backward(np.ones_like(out.data))
    return out.data, x.grad


def _assert_same_bits(ours, theirs):
    np.testing.assert_array_equal(ours, theirs)  # nan where torch has nan, ±inf where it has ±inf
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))  # and the zeros' signs


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_at_probabilities_0_and_1_gives_torchs_loss_and_finite_gradient_exactly(reduction, dtype):
    import torch.nn.functional as TF

    p = np.array([0.0, 0.0, 1.0, 1.0, 0.5, 1e-30, 1.0 - 1e-7], dtype=dtype)
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0], dtype=dtype)
    loss, grad = _gradviz_loss_and_grad(nn.binary_cross_entropy, p, y, reduction)
    expected_loss, expected_grad = _torch_loss_and_grad(TF.binary_cross_entropy, p, y, reduction)
    assert np.all(np.isfinite(grad)) and grad.dtype == dtype and np.asarray(loss).dtype == dtype
    _assert_same_bits(loss, expected_loss)
    _assert_same_bits(grad, expected_grad)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_module_with_every_reduction_is_one_fused_node(reduction):
    out = nn.BCELoss(reduction=reduction)(Tensor([0.0, 1.0], requires_grad=True), Tensor([1.0, 1.0]))
    assert out._op.name == "binary_cross_entropy"


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "logits, labels",
    [
        ([[0.0, -np.inf, 2.0], [1000.0, 0.0, -1000.0]], [0, 1]),  # −inf at a class that is not the label
        ([[0.0, -1e4, 2.0], [1000.0, 0.0, -1000.0]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),  # probability 0 at −1e4
        ([[1e308, -1e308, 0.0]], [[0.0, 0.0, 1.0]]),
    ],
    ids=["minus-inf-logit", "zero-probability", "huge-logits"],
)
def test_cross_entropy_at_extreme_logits_matches_torch_exactly(logits, labels, reduction):
    import torch.nn.functional as TF

    logits, labels = np.array(logits), np.array(labels)
    with np.errstate(all="ignore"):  # 1e308 − (−1e308) overflows in both libraries
        loss, grad = _gradviz_loss_and_grad(nn.cross_entropy, logits, labels, reduction)
    expected_loss, expected_grad = _torch_loss_and_grad(TF.cross_entropy, logits, labels, reduction)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-15)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-15, atol=1e-300)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "name, pred, target",
    [
        (
            "binary_cross_entropy_with_logits",
            [1000.0, -1000.0, 40.0, -40.0, 0.0, 1e308],
            [1.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        ),
        ("mse_loss", [np.inf, 1.0, 1e200, 2.0], [1.0, np.inf, 1.0, 2.0]),
        ("l1_loss", [np.inf, 1.0, -np.inf, 2.0], [1.0, 1.0, 0.0, 2.0]),
    ],
)
def test_losses_at_infinite_or_huge_inputs_match_torch(name, pred, target, reduction):
    import torch.nn.functional as TF

    pred, target = np.array(pred), np.array(target)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", GradvizWarning)  # inf is what is asked for here
        loss, grad = _gradviz_loss_and_grad(getattr(nn, name), pred, target, reduction)
    expected_loss, expected_grad = _torch_loss_and_grad(getattr(TF, name), pred, target, reduction)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-15)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-15)


def test_scalar_bce_of_a_saturated_right_answer_costs_zero_instead_of_nan():
    # a sigmoid of a Value reaches exactly 1.0 past z ≈ 37: −(1·log 1 + 0·log 0) was 0·(−inf) = nan
    probabilities = [Value(1.0), Value(0.0), Value(0.5)]
    loss = nn.binary_cross_entropy(probabilities, [1.0, 0.0, 1.0], reduction="sum")
    loss.backward()
    assert loss.data == pytest.approx(np.log(2.0))
    assert [p.grad for p in probabilities] == [-1.0, 1.0, -2.0]
