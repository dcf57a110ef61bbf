"""gradviz.nn.batchnorm: BatchNorm1d as torch.nn.BatchNorm1d (values, gradients, running statistics, train/eval,
state_dict), module buffers, and its picture."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import Tensor, nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _pair(num_features: int, **kwargs):
    """A gradviz and a torch BatchNorm1d with the same (random) γ and β."""
    ours = nn.BatchNorm1d(num_features, **kwargs)
    theirs = torch.nn.BatchNorm1d(num_features, dtype=torch.float64, **kwargs)
    if ours.affine:
        rng = np.random.default_rng(num_features)
        gamma, beta = rng.uniform(0.5, 2.0, num_features), rng.normal(size=num_features)
        ours.weight.data[...] = gamma
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(gamma))
        if ours.bias is not None:
            ours.bias.data[...] = beta
            with torch.no_grad():
                theirs.bias.copy_(torch.tensor(beta))
    return ours, theirs


def _step(ours, theirs, x: np.ndarray, upstream: np.ndarray):
    """One forward and backward pass through both (from Σ upstream·y): outputs, input gradients and, when affine,
    the gradients of γ and β."""
    ours.zero_grad()
    theirs.zero_grad()
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    (yo * Tensor(upstream)).sum().backward()
    (yt * torch.tensor(upstream)).sum().backward()
    result = [(yo.data, yt.detach().numpy()), (xo.grad, xt.grad.numpy())]
    if ours.affine:
        result.append((ours.weight.grad, theirs.weight.grad.numpy()))
    if ours.bias is not None:
        result.append((ours.bias.grad, theirs.bias.grad.numpy()))
    return result


def _assert_buffers_match(ours, theirs):
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-13)
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked.item())


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)], ids=["N-C", "N-C-L"])
def test_training_steps_match_torch_values_gradients_and_running_statistics(shape, momentum):
    ours, theirs = _pair(3, momentum=momentum)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = rng.normal(loc=2.0, scale=3.0, size=shape)
        for mine, expected in _step(ours, theirs, x, rng.normal(size=shape)):
            np.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-12)
        _assert_buffers_match(ours, theirs)
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    for mine, expected in _step(ours, theirs, x, rng.normal(size=shape)):
        np.testing.assert_allclose(mine, expected, rtol=1e-11, atol=1e-13)
    _assert_buffers_match(ours, theirs)  # evaluation leaves them alone


def test_without_affine_bias_or_running_statistics_it_matches_torch_in_train_and_eval():
    rng = np.random.default_rng(1)
    for kwargs in (
        {"affine": False},
        {"bias": False},
        {"track_running_stats": False},
        {"affine": False, "track_running_stats": False},
    ):
        ours, theirs = _pair(4, **kwargs)
        for mode in ("train", "eval"):
            getattr(ours, mode)()
            getattr(theirs, mode)()
            x = rng.normal(size=(6, 4))
            for mine, expected in _step(ours, theirs, x, rng.normal(size=(6, 4))):
                np.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-12)
        assert (ours.weight is None) == (theirs.weight is None) and (ours.bias is None) == (theirs.bias is None)
        assert (ours.running_mean is None) == (theirs.running_mean is None)
        assert repr(ours).startswith(repr(theirs))


def test_eps_enters_under_the_square_root_as_in_torch():
    ours, theirs = _pair(2, eps=0.5)
    x = np.array([[0.0, 1.0], [0.1, 1.0], [0.2, 1.0]])  # the second feature has no variance: ε alone
    for mine, expected in _step(ours, theirs, x, np.ones((3, 2))):
        np.testing.assert_allclose(mine, expected, rtol=1e-12, atol=1e-14)


def test_state_dict_holds_torchs_keys_and_values_and_loads_back():
    ours, theirs = _pair(3)
    rng = np.random.default_rng(2)
    for _ in range(2):
        _step(ours, theirs, rng.normal(size=(4, 3)), np.ones((4, 3)))
    mine, expected = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(expected) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    for key in mine:
        np.testing.assert_allclose(mine[key], expected[key].numpy(), rtol=1e-13)
    fresh = nn.BatchNorm1d(3).load_state_dict({k: v.numpy() for k, v in expected.items()})
    _assert_buffers_match(fresh, theirs)
    assert fresh.num_batches_tracked.dtype == np.int64


def test_save_and_load_keep_the_running_statistics(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.BatchNorm1d(3))
    model(Tensor(np.random.default_rng(3).normal(size=(5, 2))))
    path = model.save(tmp_path / "model")
    again = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).load(path)
    np.testing.assert_array_equal(again[1].running_var.data, model[1].running_var.data)
    assert again[1].num_batches_tracked.item() == 1
    with pytest.raises(KeyError, match="missing keys: 1.running_mean, 1.running_var, 1.num_batches_tracked"):
        nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).load_state_dict(
            {k: v for k, v in model.state_dict().items() if "running" not in k and "num_batches" not in k}
        )


def test_buffers_are_listed_converted_and_never_trained():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    torch_model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    assert [n for n, _ in model.named_buffers()] == [n for n, _ in torch_model.named_buffers()]
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in torch_model.named_parameters()]
    assert all(not b.requires_grad for b in model.buffers())
    model.to("float32")
    assert model[1].running_mean.dtype == np.float32 and model[1].num_batches_tracked.dtype == np.int64
    with pytest.raises(TypeError, match="registered buffer; it can be replaced by a Tensor without gradient"):
        model[1].running_mean = np.zeros(3)


def test_defaults_and_repr_are_torchs():
    ours, theirs = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    assert repr(nn.BatchNorm1d(2, eps=0.001, momentum=None)).startswith(
        repr(torch.nn.BatchNorm1d(2, eps=0.001, momentum=None))
    )
    assert (ours.eps, ours.momentum, ours.affine, ours.track_running_stats) == (
        theirs.eps,
        theirs.momentum,
        theirs.affine,
        theirs.track_running_stats,
    )
    assert repr(ours).startswith(repr(theirs) + "  (8 parameters)")


def test_a_batch_of_one_sample_is_refused_in_training_but_runs_in_eval():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training, got input of shape"):
        bn(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    np.testing.assert_allclose(bn.eval()(Tensor(np.ones((1, 3)))).data, np.ones((1, 3)) / np.sqrt(1 + 1e-5))


def test_a_wrong_input_shape_names_the_expected_one():
    with pytest.raises(
        ValueError,
        match=r"BatchNorm1d\(3\) expects a Tensor of shape \(N, 3\) or \(N, 3, L\), got an input of shape \(3, 5\). Transpose it",
    ):
        nn.BatchNorm1d(3)(Tensor(np.ones((3, 5))))
    with pytest.raises(ValueError, match="num_features must be a positive integer"):
        nn.BatchNorm1d(0)
    with pytest.raises(ValueError, match="momentum must be a number in"):
        nn.BatchNorm1d(2, momentum=2.0)


def test_the_gradient_through_the_batch_statistics_passes_gradcheck():
    bn = nn.BatchNorm1d(3)
    x = Tensor(np.random.default_rng(4).normal(size=(5, 3)), requires_grad=True)
    weights = Tensor(np.random.default_rng(5).normal(size=(5, 3)))
    assert gradviz.gradcheck(lambda x, g, b: (bn(x) * weights).sum(), x, bn.weight, bn.bias)


# -- the picture ------------------------------------------------------------------------------------------


def test_training_draws_the_formula_with_its_batch_statistics_in_a_scope_named_batchnorm():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.BatchNorm1d(3))
    out = model(Tensor(np.random.default_rng(6).normal(size=(4, 2)), label="x"))
    graph = out.graph()
    by_label = {node.label: node for node in graph.nodes}
    for label in ("μ", "x − μ", "σ²", "σ² + ε", "√(σ² + ε)", "x̂"):
        assert by_label[label].scope == "sequential/1/batchnorm"
    assert by_label["x̂"].op == "div" and by_label["μ"].op == "mean" and by_label["√(σ² + ε)"].op == "sqrt"
    assert by_label["γ¹"].scope == by_label["β¹"].scope == "sequential/1/batchnorm"
    assert [node.op for node in graph.nodes if node.scope == "sequential/1/batchnorm" and node.op][-2:] == [
        "mul",
        "add",
    ]
    assert ">batchnorm<" in gradviz.draw(out, focus=False, collapse=False).source


def test_evaluation_draws_the_running_statistics_as_constants():
    bn = nn.BatchNorm1d(2).eval()
    out = bn(Tensor(np.ones((3, 2)), requires_grad=True))
    labels = [node.label for node in out.graph().nodes]
    assert "running_mean" in labels and "√(running_var + ε)" in labels and "μ" not in labels
    assert out.scope == "batchnorm"


def test_an_mlp_with_batchnorm_trains_to_torchs_parameters_and_running_statistics():
    rng = np.random.default_rng(7)
    X, labels = rng.normal(size=(16, 2)), rng.integers(0, 3, size=16)
    ours = nn.Sequential(nn.Linear(2, 5, seed=0), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3, seed=1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    theirs = theirs.double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    ours_opt = gradviz.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    theirs_opt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for start in range(0, 64, 8):
        batch = slice(start % 16, start % 16 + 8)
        ours_opt.zero_grad()
        theirs_opt.zero_grad()
        nn.CrossEntropyLoss(label_smoothing=0.1)(ours(Tensor(X[batch])), labels[batch]).backward()
        torch.nn.CrossEntropyLoss(label_smoothing=0.1)(
            theirs(torch.tensor(X[batch])), torch.tensor(labels[batch])
        ).backward()
        ours_opt.step()
        theirs_opt.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(Tensor(X)).data, theirs(torch.tensor(X)).detach().numpy(), rtol=1e-9, atol=1e-12)
