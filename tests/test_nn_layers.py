"""gradviz.nn.layers / activations / init: Linear, Sequential, MLP, activations, initialisations, training."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradviz import Graph, ShapeError, Tensor, Value, nn, optim
from gradviz.nn import init

# -- Linear ---------------------------------------------------------------------------------------


def test_linear_computes_x_times_w_transposed_plus_b():
    layer = nn.Linear(3, 2, seed=0)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layer(Tensor(x)).data, x @ layer.weight.data.T + layer.bias.data)
    assert layer(Tensor(x[0])).shape == (2,)


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert "bias=False" in repr(layer)


@pytest.mark.torch
def test_linear_gradients_match_torch():
    import torch

    layer = nn.Linear(4, 3, seed=0)
    torch_layer = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        torch_layer.weight.copy_(torch.tensor(layer.weight.data))
        torch_layer.bias.copy_(torch.tensor(layer.bias.data))
    x = np.random.default_rng(1).normal(size=(5, 4))
    layer(Tensor(x)).tanh().sum().backward()
    torch_layer(torch.tensor(x)).tanh().sum().backward()
    np.testing.assert_allclose(layer.weight.grad, torch_layer.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, torch_layer.bias.grad.numpy(), rtol=1e-12)


def test_linear_float32_stays_float32():
    layer = nn.Linear(3, 2, dtype="float32")
    out = layer(Tensor(np.ones((4, 3), dtype=np.float32)))
    assert layer.weight.dtype == np.float32 and out.dtype == np.float32


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="positive integer"):
        nn.Linear(bad, 2)


def test_linear_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"Linear\(in_features=3, out_features=2\) got an input of shape \(2, 5\)"):
        nn.Linear(3, 2)(Tensor(np.ones((2, 5))))
    with pytest.raises(ShapeError, match=r"Transpose it"):
        nn.Linear(3, 2)(Tensor(np.ones((3, 7))))


# -- initialisation ---------------------------------------------------------------------------------


def test_same_seed_same_network_different_seed_different_network():
    nn.manual_seed(42)
    a = nn.MLP(3, [8, 2]).state_dict()
    nn.manual_seed(42)
    b = nn.MLP(3, [8, 2]).state_dict()
    c = nn.MLP(3, [8, 2]).state_dict()  # the generator moved on
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["0.weight"], c["0.weight"])
    d = nn.MLP(3, [8, 2], seed=42).state_dict()
    e = nn.MLP(3, [8, 2], seed=42).state_dict()
    assert all(np.array_equal(d[k], e[k]) for k in d)


def test_rng_argument_is_used():
    layer = nn.Linear(2, 2, rng=np.random.default_rng(5))
    again = nn.Linear(2, 2, rng=np.random.default_rng(5))
    assert np.array_equal(layer.weight.data, again.weight.data)
    with pytest.raises(ValueError, match="either seed= or rng="):
        nn.Linear(2, 2, seed=1, rng=np.random.default_rng(1))


@pytest.mark.parametrize(
    "name, low, high, std",
    [
        ("uniform", -1.0, 1.0, 1 / math.sqrt(3)),
        ("torch", -1 / math.sqrt(400), 1 / math.sqrt(400), 1 / math.sqrt(400) / math.sqrt(3)),
        ("xavier", -math.sqrt(6 / 700), math.sqrt(6 / 700), math.sqrt(2 / 700)),
        ("xavier_normal", None, None, math.sqrt(2 / 700)),
        ("he", None, None, math.sqrt(2 / 400)),
        ("he_uniform", -math.sqrt(6 / 400), math.sqrt(6 / 400), math.sqrt(2 / 400)),
    ],
)
def test_initialisation_statistics(name, low, high, std):
    weight = nn.Linear(400, 300, init=name, seed=0).weight.data  # fan_in 400, fan_out 300
    assert abs(weight.mean()) < 0.05 * std
    assert weight.std() == pytest.approx(std, rel=0.02)
    if low is not None:
        assert weight.min() >= low and weight.max() <= high
        assert weight.min() < 0.99 * low and weight.max() > 0.99 * high


def test_bias_initialisation_follows_the_weights_scheme():
    assert np.all(nn.Linear(3, 4, init="he").bias.data == 0)
    assert np.all(nn.Linear(3, 4, init="xavier").bias.data == 0)
    assert np.abs(nn.Linear(3, 4, init="torch").bias.data).max() <= 1 / math.sqrt(3)
    assert np.any(nn.Linear(3, 4, init="uniform", seed=0).bias.data != 0)
    assert np.all(nn.Linear(3, 4, init="uniform", bias_init="zeros").bias.data == 0)


def test_zeros_and_custom_initialisers():
    assert np.all(nn.Linear(3, 2, init="zeros").weight.data == 0)
    layer = nn.Linear(3, 2, init=lambda shape, rng, dtype: np.full(shape, 0.5, dtype=dtype))
    assert np.all(layer.weight.data == 0.5)


def test_unknown_initialisation_lists_the_valid_names():
    with pytest.raises(ValueError, match="valid names: .*glorot.*he_uniform.*xavier"):
        nn.Linear(2, 2, init="glorious")


def test_fans_follow_torch():
    assert init.fans((16, 2)) == (2, 16)
    assert init.fans((8, 3, 5, 5)) == (75, 200)


# -- Sequential -----------------------------------------------------------------------------------------


def test_sequential_indexing_slicing_iteration_and_append():
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    assert net.append(nn.Linear(4, 1)) is net
    assert len(net) == 3 and isinstance(net[2], nn.Linear) and net[-1] is net[2]
    head = net[1:]
    assert isinstance(head, nn.Sequential) and [type(m) for m in head] == [nn.ReLU, nn.Linear]
    assert [name for name, _ in head.named_children()] == ["1", "2"]
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]
    with pytest.raises(IndexError, match="holds 3 modules"):
        net[3]


def test_sequential_takes_a_list_as_keras_does():
    net = nn.Sequential([nn.Linear(2, 3), nn.Tanh()])
    assert len(net) == 2 and net(Tensor([[1.0, 1.0]])).shape == (1, 3)


def test_sequential_refuses_something_that_is_not_a_module():
    with pytest.raises(TypeError, match="takes Modules, got function"):
        nn.Sequential(nn.Linear(2, 2), lambda x: x)


def test_sequential_chains_its_modules():
    net = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    x = Tensor(np.array([[0.5, -1.0]]))
    expected = net[2](net[1](net[0](x))).data
    np.testing.assert_allclose(net(x).data, expected)


# -- MLP ------------------------------------------------------------------------------------------


def test_mlp_layout_sizes_and_parameter_count():
    model = nn.MLP(2, [16, 16, 1])
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert model.num_parameters() == 337 and model.sizes == [2, 16, 16, 1]
    assert model[0].weight.shape == (16, 2)


def test_mlp_activation_by_name_module_or_function():
    assert isinstance(nn.MLP(2, [3, 1], activation="tanh")[1], nn.Tanh)
    shared = nn.LeakyReLU(0.2)
    model = nn.MLP(2, [3, 3, 1], activation=shared)
    assert model[1] is not model[3] and model[1].alpha == 0.2  # one copy per position, own scope
    custom = nn.MLP(2, [3, 1], activation=lambda x: x * 2)
    assert custom(Tensor([[1.0, 1.0]])).shape == (1, 1)
    assert isinstance(nn.MLP(2, [3, 2], output_activation="softmax")[-1], nn.Softmax)


def test_mlp_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'relu6'; valid names: .*leaky_relu.*relu.*sigmoid"):
        nn.MLP(2, [3, 1], activation="relu6")


def test_mlp_needs_layer_sizes():
    with pytest.raises(ValueError, match=r"MLP\(n_in, \[hidden..., n_out\]\)"):
        nn.MLP(2, [])


def test_mlp_graph_is_tagged_by_layer():
    model = nn.MLP(2, [4, 1])
    graph = Graph.of(model(Tensor(np.ones((3, 2)))))
    assert set(graph.scopes()) == {"mlp/0", "mlp/1", "mlp/2"}


def test_small_mlp_learns_xor_deterministically():
    X = Tensor(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    y = np.array([0, 1, 1, 0])
    model = nn.MLP(2, [8, 2], activation="tanh", seed=0)
    opt = optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = nn.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    assert (model(X).data.argmax(axis=1) == y).all()
    again = nn.MLP(2, [8, 2], activation="tanh", seed=0)
    opt = optim.Adam(again.parameters(), lr=0.05)
    for _ in range(60):
        opt.zero_grad()
        nn.cross_entropy(again(X), y).backward()
        opt.step()
    assert again(X).data.tobytes() == model(X).data.tobytes()


def test_micrograd_demo_with_the_tensor_engine_reaches_full_training_accuracy():
    X, y = _moons(100, seed=0)
    model = nn.MLP(2, [16, 16, 1], init="uniform", seed=1337)
    opt = optim.SGD(model.parameters(), lr=1.0)
    inputs, labels = Tensor(X), Tensor(y.reshape(-1, 1))
    for k in range(100):
        scores = model(inputs)
        loss = nn.hinge_loss(scores, labels) + nn.l2_penalty(model, 1e-4)
        opt.zero_grad()
        loss.backward()
        opt.lr = 1.0 - 0.9 * k / 100
        opt.step()
    accuracy = np.mean((model(inputs).data.ravel() > 0) == (y > 0))
    assert accuracy == 1.0


def _moons(n: int, seed: int, noise: float = 0.1):
    """Two interleaving half circles with labels −1/+1 (as sklearn's make_moons)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t_out, t_in = np.linspace(0, np.pi, half), np.linspace(0, np.pi, n - half)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    X += rng.normal(scale=noise, size=X.shape)
    return X, np.r_[-np.ones(half), np.ones(n - half)]


# -- activations ----------------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize(
    "module, torch_name, kwargs",
    [
        (nn.ReLU(), "ReLU", {}),
        (nn.Sigmoid(), "Sigmoid", {}),
        (nn.Tanh(), "Tanh", {}),
        (nn.LeakyReLU(0.1), "LeakyReLU", {"negative_slope": 0.1}),
        (nn.Softmax(axis=1), "Softmax", {"dim": 1}),
        (nn.Identity(), "Identity", {}),
    ],
)
def test_activation_modules_match_torch_values_and_gradients(module, torch_name, kwargs):
    import torch

    x = np.random.default_rng(0).normal(size=(4, 3)) * 3
    weights = np.random.default_rng(1).normal(size=(4, 3))
    ours = Tensor(x, requires_grad=True)
    (module(ours) * Tensor(weights)).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    out = getattr(torch.nn, torch_name)(**kwargs)(theirs)
    (out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(module(Tensor(x)).data, out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_activation_functions_work_on_values_and_tensors():
    assert nn.relu(Value(-1.0)).data == 0.0
    assert nn.sigmoid(Value(0.0)).data == 0.5
    assert nn.tanh(Tensor([0.0])).data.tolist() == [0.0]
    assert nn.leaky_relu(Value(-1.0), 0.2).data == pytest.approx(-0.2)
    assert nn.softmax(Tensor([1.0, 1.0])).data.tolist() == [0.5, 0.5]
    x = Tensor([1.0])
    assert nn.identity(x) is x


def test_activation_reprs_are_torchs():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax()) == "Softmax(dim=-1)"
    assert repr(nn.get_activation("linear")) == "Identity()"
