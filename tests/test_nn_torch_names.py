"""torch.nn's names in gradviz.nn, each against torch on the same data: LeakyReLU(negative_slope=), Softmax(dim=),
LogSoftmax, CrossEntropyLoss(weight=, ignore_index=, label_smoothing=) and the in-place nn.init functions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from gradviz import ShapeError, Tensor, nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional
pytestmark = pytest.mark.torch


def _ours_and_theirs(module, torch_module, x, weights):
    """Values and input gradients of `module` and `torch_module` on `x`, backward from Σ weights·out."""
    ours = Tensor(x, requires_grad=True)
    out = module(ours)
    (out * Tensor(weights)).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    expected = torch_module(theirs)
    (expected * torch.tensor(weights)).sum().backward()
    return out.data, ours.grad, expected.detach().numpy(), theirs.grad.numpy()


# -- activations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slope", [0.01, 0.2, 1.5, 0.0])
def test_leaky_relu_negative_slope_matches_torch(slope):
    rng = np.random.default_rng(0)
    x, weights = rng.normal(size=(4, 5)) * 3, rng.normal(size=(4, 5))
    out, grad, expected, expected_grad = _ours_and_theirs(
        nn.LeakyReLU(negative_slope=slope), torch.nn.LeakyReLU(negative_slope=slope), x, weights
    )
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(grad, expected_grad)


def test_leaky_relu_defaults_and_repr_are_torchs_and_alpha_still_works():
    assert nn.LeakyReLU().negative_slope == torch.nn.LeakyReLU().negative_slope == 0.01
    assert repr(nn.LeakyReLU(0.2)) == repr(torch.nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == repr(torch.nn.LeakyReLU(0.2, inplace=True))
    older = nn.LeakyReLU(alpha=0.3)
    assert older.negative_slope == older.alpha == 0.3
    assert nn.LeakyReLU(0.3, alpha=0.3).negative_slope == 0.3
    with pytest.raises(TypeError, match="negative_slope=0.2 and alpha=0.3 name the same slope; give one"):
        nn.LeakyReLU(0.2, alpha=0.3)
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        nn.LeakyReLU("0.1")


def test_inplace_activations_give_torchs_numbers_and_leave_the_input_alone():
    x = np.array([-2.0, 3.0])
    ours = Tensor(x.copy())
    assert nn.ReLU(inplace=True)(ours).data.tolist() == torch.nn.ReLU(inplace=True)(torch.tensor(x)).tolist()
    assert ours.data.tolist() == [-2.0, 3.0]
    assert repr(nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.ReLU()) == repr(torch.nn.ReLU()) == "ReLU()"


@pytest.mark.parametrize("dim", [0, 1, -1, 2])
@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
def test_softmax_and_log_softmax_along_dim_match_torch(name, dim):
    rng = np.random.default_rng(1)
    x, weights = rng.normal(size=(3, 4, 5)) * 2, rng.normal(size=(3, 4, 5))
    out, grad, expected, expected_grad = _ours_and_theirs(
        getattr(nn, name)(dim=dim), getattr(torch.nn, name)(dim=dim), x, weights
    )
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-11, atol=1e-14)
    assert repr(getattr(nn, name)(dim=dim)) == repr(getattr(torch.nn, name)(dim=dim))


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 2, 3, 4)])
def test_softmax_without_dim_picks_torchs_implicit_dimension(shape):
    x = np.random.default_rng(2).normal(size=shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch: "Implicit dimension choice for softmax ..."
        expected = torch.nn.Softmax(dim=None)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(nn.Softmax(dim=None)(Tensor(x)).data, expected, rtol=1e-13)


def test_softmax_keeps_the_older_axis_name():
    assert nn.Softmax(axis=0).dim == nn.Softmax(0).dim == nn.Softmax(axis=0).axis == 0
    assert nn.Softmax().dim == -1
    with pytest.raises(TypeError, match="dim=1 and axis=0 name the same dimension; give one"):
        nn.Softmax(dim=1, axis=0)
    with pytest.raises(TypeError, match="dim must be an integer"):
        nn.Softmax(dim=1.5)


def test_log_softmax_is_one_node_and_not_a_softmax():
    out = nn.LogSoftmax(dim=1)(Tensor(np.zeros((2, 3)), requires_grad=True))
    assert out.op == "log_softmax"
    assert not isinstance(nn.LogSoftmax(), nn.Softmax)  # the pictures tell the two apart by type


# -- CrossEntropyLoss ------------------------------------------------------------------------------------

LOGITS = np.random.default_rng(3).normal(size=(6, 4)) * 2
LABELS = np.array([0, 3, 1, 1, 2, 3])
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.0, 3.0])
PROBABILITIES = np.random.default_rng(4).dirichlet(np.ones(4), size=6)

CROSS_ENTROPY_CASES = [
    ({"weight": CLASS_WEIGHTS}, LABELS),
    ({"ignore_index": 1}, LABELS),
    ({"label_smoothing": 0.1}, LABELS),
    ({"label_smoothing": 1.0}, LABELS),
    ({"weight": CLASS_WEIGHTS, "ignore_index": 3, "label_smoothing": 0.25}, LABELS),
    ({}, np.array([0, -100, 1, -100, 2, 3])),  # torch's default ignore_index
    ({"weight": CLASS_WEIGHTS}, np.array([0, -100, 1, -100, 2, 3])),
    ({"ignore_index": 7, "label_smoothing": 0.2}, np.array([0, 7, 1, 7, 2, 3])),  # an ignored label past C
    ({"weight": CLASS_WEIGHTS}, PROBABILITIES),
    ({"label_smoothing": 0.3}, PROBABILITIES),
    ({"weight": CLASS_WEIGHTS, "label_smoothing": 0.3}, np.eye(4)[LABELS]),
    ({}, PROBABILITIES),
    ({}, LABELS),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kwargs, targets", CROSS_ENTROPY_CASES, ids=[str(i) for i in range(len(CROSS_ENTROPY_CASES))])
def test_cross_entropy_options_match_torch_values_and_gradients(kwargs, targets, reduction):
    torch_kwargs = {k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
    ours = Tensor(LOGITS, requires_grad=True)
    loss = nn.CrossEntropyLoss(**kwargs, reduction=reduction)(ours, targets)
    loss.backward(np.ones_like(loss.data))
    theirs = torch.tensor(LOGITS, requires_grad=True)
    expected = torch.nn.CrossEntropyLoss(**torch_kwargs, reduction=reduction)(theirs, torch.tensor(targets))
    expected.backward(torch.ones_like(expected))
    assert loss.shape == tuple(expected.shape)
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("kwargs", [{"weight": CLASS_WEIGHTS}, {"label_smoothing": 0.2}, {}])
def test_cross_entropy_of_one_sample_of_1d_logits_matches_torch(kwargs):
    torch_kwargs = {k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
    ours = Tensor(LOGITS[0], requires_grad=True)
    loss = nn.cross_entropy(ours, np.array(2), **kwargs)
    loss.backward()
    theirs = torch.tensor(LOGITS[0], requires_grad=True)
    expected = TF.cross_entropy(theirs, torch.tensor(2), **torch_kwargs)
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-13)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cross_entropy_of_only_ignored_labels_is_nan_with_zero_gradient_in_the_mean_and_zero_in_the_sum_as_torch():
    labels = np.array([-100, -100])
    logits = Tensor(LOGITS[:2], requires_grad=True)
    mean = nn.cross_entropy(logits, labels, label_smoothing=0.1)
    mean.backward()
    theirs = torch.tensor(LOGITS[:2], requires_grad=True)
    expected = TF.cross_entropy(theirs, torch.tensor(labels), label_smoothing=0.1)
    expected.backward()
    assert math.isnan(mean.item()) and math.isnan(expected.item())
    np.testing.assert_array_equal(logits.grad, theirs.grad.numpy())  # zeros in both
    assert nn.cross_entropy(logits, labels, reduction="sum").item() == 0.0
    assert nn.cross_entropy(logits, labels, reduction="none").data.tolist() == [0.0, 0.0]


def test_cross_entropy_takes_torchs_positional_order():
    ours = nn.CrossEntropyLoss(CLASS_WEIGHTS, None, 3, None, "sum", 0.1)
    theirs = torch.nn.CrossEntropyLoss(torch.tensor(CLASS_WEIGHTS), None, 3, None, "sum", 0.1)
    assert (ours.ignore_index, ours.reduction, ours.label_smoothing) == (3, "sum", 0.1)
    np.testing.assert_allclose(
        ours(Tensor(LOGITS), LABELS).item(), theirs(torch.tensor(LOGITS), torch.tensor(LABELS)).item(), rtol=1e-13
    )
    assert (
        repr(ours)
        == "CrossEntropyLoss(weight=[0.5, 2.0, 1.0, 3.0], ignore_index=3, reduction='sum', label_smoothing=0.1)"
    )


def test_cross_entropy_without_options_stays_one_fused_node():
    loss = nn.CrossEntropyLoss()(Tensor(LOGITS, requires_grad=True), LABELS)
    assert loss.op == "cross_entropy"
    weighted = nn.CrossEntropyLoss(weight=CLASS_WEIGHTS)(Tensor(LOGITS, requires_grad=True), LABELS)
    assert [node.op for node in weighted.graph().nodes if node.op] == ["log_softmax", "mul", "sum", "neg", "mul"]


def test_cross_entropy_refuses_bad_options_with_the_fix():
    logits = Tensor(LOGITS)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\], got -0.1"):
        nn.cross_entropy(logits, LABELS, label_smoothing=-0.1)  # torch ignores a negative value silently
    with pytest.raises(ShapeError, match=r"weight must hold one number per class, shape \(4,\), got shape \(3,\)"):
        nn.cross_entropy(logits, LABELS, weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"label 4 is not a class index in \[0, 4\).*nor ignore_index=-100"):
        nn.cross_entropy(logits, np.array([0, 4, 1, 1, 2, 3]), weight=CLASS_WEIGHTS)
    with pytest.raises(ValueError, match="ignore_index=1 needs integer class labels"):
        nn.cross_entropy(logits, PROBABILITIES, ignore_index=1)
    with pytest.raises(TypeError, match="size_average= is torch's deprecated spelling of reduction"):
        nn.CrossEntropyLoss(size_average=True)
    with pytest.raises(TypeError, match="reduce= is torch's deprecated spelling of reduction"):
        nn.cross_entropy(logits, LABELS, reduce=False)


# -- nn.init ------------------------------------------------------------------------------------------------

INIT_CASES = [
    ("uniform_", {}, (3, 4)),
    ("uniform_", {"a": -2.0, "b": 0.5}, (3, 4)),
    ("normal_", {"mean": 1.0, "std": 0.3}, (5,)),
    ("xavier_uniform_", {}, (16, 8)),
    ("xavier_uniform_", {"gain": 2.0}, (4, 3, 5)),  # a conv-like weight: fans times the receptive field
    ("xavier_normal_", {"gain": 0.5}, (16, 8)),
    ("kaiming_uniform_", {}, (16, 8)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, (16, 8)),  # how torch.nn.Linear starts
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, (16, 8)),
    ("kaiming_normal_", {}, (16, 8)),
    ("kaiming_normal_", {"a": 0.2, "mode": "fan_out"}, (6, 2, 3)),
    ("kaiming_normal_", {"nonlinearity": "tanh"}, (16, 8)),
]


@pytest.mark.parametrize("name, kwargs, shape", INIT_CASES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INIT_CASES)])
def test_init_functions_draw_from_torchs_distribution(name, kwargs, shape, monkeypatch):
    # torch's own bounds (uniform) or mean and std (normal), read from the fill it asks for; ours must be those
    # numbers drawn from the generator it was given, exactly
    asked = []
    monkeypatch.setattr(
        torch.Tensor, "uniform_", lambda self, a, b, generator=None: asked.append(("uniform", a, b)) or self
    )
    monkeypatch.setattr(
        torch.Tensor, "normal_", lambda self, m, s, generator=None: asked.append(("normal", m, s)) or self
    )
    getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64), **kwargs)
    kind, first, second = asked[0]
    w = Tensor(np.zeros(shape), requires_grad=True)
    assert getattr(nn.init, name)(w, **kwargs, generator=np.random.default_rng(7)) is w
    draw = np.random.default_rng(7)
    expected = draw.uniform(first, second, size=shape) if kind == "uniform" else draw.normal(first, second, size=shape)
    np.testing.assert_array_equal(w.data, expected)


@pytest.mark.parametrize("name, value", [("zeros_", 0.0), ("ones_", 1.0)])
def test_zeros_and_ones_fill_in_place_like_torch(name, value):
    w = Tensor(np.full((2, 3), 5.0, dtype=np.float32), requires_grad=True)
    theirs = getattr(torch.nn.init, name)(torch.full((2, 3), 5.0))
    assert getattr(nn.init, name)(w) is w
    np.testing.assert_array_equal(w.data, theirs.numpy())
    assert w.dtype == np.float32 and w.requires_grad


def test_constant_fills_in_place_like_torch():
    layer = nn.Linear(3, 2)
    assert nn.init.constant_(layer.bias, 0.25) is layer.bias
    np.testing.assert_array_equal(layer.bias.data, torch.nn.init.constant_(torch.zeros(2, dtype=torch.float64), 0.25))


@pytest.mark.parametrize(
    "nonlinearity, param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 1),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_init_in_place_stops_a_backward_through_an_older_graph():
    layer = nn.Linear(2, 1)
    loss = layer(Tensor([[1.0, 2.0]])).sum()
    nn.init.xavier_uniform_(layer.weight)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_init_without_a_generator_repeats_after_manual_seed_and_fills_numpy_arrays():
    nn.manual_seed(3)
    first = nn.init.kaiming_normal_(Tensor(np.zeros((4, 4)))).data.copy()
    nn.manual_seed(3)
    again = np.zeros((4, 4))
    assert nn.init.kaiming_normal_(again) is again
    np.testing.assert_array_equal(first, again)


def test_init_refuses_what_torch_refuses_and_explains():
    with pytest.raises(ValueError, match="fewer than 2 dimensions .* For a bias use nn.init.zeros_"):
        nn.init.xavier_uniform_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        nn.init.kaiming_uniform_(Tensor(np.zeros((2, 2))), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        nn.init.kaiming_normal_(Tensor(np.zeros((2, 2))), nonlinearity="gelu")
    with pytest.raises(TypeError, match=r"takes a numpy Generator, np.random.default_rng\(seed\) \(not a Generator\)"):
        nn.init.uniform_(Tensor(np.zeros(2)), generator=torch.Generator())
    with pytest.raises(TypeError, match=r"fills a gradviz Tensor \(or a numpy array\) in place"):
        nn.init.zeros_([0.0, 1.0])
    with pytest.raises(TypeError, match="draws floating-point numbers; this tensor has dtype int64"):
        nn.init.normal_(Tensor(np.zeros(2, dtype=np.int64), dtype=np.int64))
