"""gradviz.nn.scalar: Neuron, Layer and MLP on Values — micrograd's networks, drawn node by node."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest

from gradviz import Graph, Value, nn, optim


def test_neuron_computes_activation_of_bias_plus_weighted_sum():
    neuron = nn.Neuron(2, activation="tanh", seed=0)
    w0, w1, b = neuron.parameters()
    out = neuron([1.5, -2.0])
    assert out.data == pytest.approx(math.tanh(b.data + w0.data * 1.5 - w1.data * 2.0))
    out.backward()
    local = 1 - out.data**2
    assert (w0.grad, w1.grad, b.grad) == pytest.approx((1.5 * local, -2.0 * local, local))


def test_neuron_parameters_are_named_and_initialised_like_micrograd():
    neuron = nn.Neuron(3, seed=0)
    assert [name for name, _ in neuron.named_parameters()] == ["w0", "w1", "w2", "b"]
    assert all(-1 <= w.data <= 1 for w in neuron.w) and neuron.b.data == 0.0
    assert all(isinstance(p, Value) and p.requires_grad for p in neuron.parameters())
    assert neuron.w[1] is neuron.w1


def test_initialisation_is_reproducible():
    nn.manual_seed(7)
    a = [p.data for p in nn.ScalarMLP(2, [4, 1]).parameters()]
    nn.manual_seed(7)
    b = [p.data for p in nn.ScalarMLP(2, [4, 1]).parameters()]
    assert a == b
    assert [p.data for p in nn.ScalarMLP(2, [4, 1], seed=3).parameters()] == [
        p.data for p in nn.ScalarMLP(2, [4, 1], seed=3).parameters()
    ]


@pytest.mark.parametrize(
    "activation, expected", [("relu", 0.0), ("linear", -0.5), (None, -0.5), ("sigmoid", 1 / (1 + math.exp(0.5)))]
)
def test_neuron_activation_choice(activation, expected):
    neuron = nn.Neuron(1, activation=activation, init="zeros", bias_init=lambda shape, rng, dtype: np.full(shape, -0.5))
    assert neuron([3.0]).data == pytest.approx(expected)


def test_layer_returns_a_list_or_a_single_value():
    layer = nn.Layer(2, 3, seed=0)
    assert len(layer([1.0, 2.0])) == 3 and len(layer) == 3 and isinstance(layer[0], nn.Neuron)
    assert isinstance(nn.Layer(2, 1, seed=0)([1.0, 2.0]), Value)


def test_mlp_layout_matches_micrograd():
    net = nn.ScalarMLP(2, [16, 16, 1], seed=0)
    assert net.num_parameters() == 337 and len(net) == 3
    assert [layer.neurons[0].activation.__class__.__name__ for layer in net.layers] == ["ReLU", "ReLU", "Identity"]
    assert [name for name, _ in net.named_parameters()][:4] == ["0.0.w0", "0.0.w1", "0.0.b", "0.1.w0"]
    assert net[0][1].w0.label == "W¹[1,0]"  # the names stay the state dict's keys; the labels are for people
    assert repr(net).splitlines()[1] == "  (0): Layer(n_in=2, n_out=16, activation=relu)  (48 parameters)"


def test_mlp_matches_micrograd_values_and_gradients():
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP

    ours = nn.ScalarMLP(3, [4, 4, 1], seed=0)
    theirs = MicroMLP(3, [4, 4, 1])
    for p, q in zip(ours.parameters(), _micrograd_parameters(theirs), strict=False):
        q.data = p.data
    x = [0.5, -1.5, 2.0]
    out = ours(x)
    reference = theirs([MicroValue(v) for v in x])
    out.backward()
    reference.backward()
    assert out.data == pytest.approx(reference.data, rel=1e-12)
    assert [p.grad for p in ours.parameters()] == pytest.approx(
        [q.grad for q in _micrograd_parameters(theirs)], rel=1e-12
    )


def _micrograd_parameters(model) -> list:
    """micrograd lists a neuron's bias after its weights, as gradviz does."""
    return [p for layer in model.layers for neuron in layer.neurons for p in [*neuron.w, neuron.b]]


def test_nodes_carry_the_scope_of_their_neuron_and_layer():
    net = nn.ScalarMLP(2, [3, 1], seed=0)
    graph = Graph.of(net([1.0, -1.0]))
    scopes = graph.scopes()
    assert set(scopes) == {"mlp/0/0", "mlp/0/1", "mlp/0/2", "mlp/1/0"}
    assert graph[net[0][2].w1].scope == "mlp/0/2"
    assert scopes["mlp/0/0"] == 3 + 4 + 1  # w0, w1, b; two products, two sums; relu


def test_zero_grad_resets_every_value():
    net = nn.ScalarMLP(2, [2, 1], seed=0)
    net([1.0, 1.0]).backward()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_inputs_are_checked():
    net = nn.ScalarMLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"expects 2 input\(s\), got 3"):
        net([1.0, 2.0, 3.0])
    from gradviz import Tensor

    with pytest.raises(TypeError, match="not a Tensor; use nn.Linear/nn.MLP for tensors"):
        net(Tensor([1.0, 2.0]))
    assert isinstance(net(np.array([1.0, 2.0])), Value)


def test_scalar_mlp_learns_a_small_problem():
    X = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    y = [1.0, -1.0, -1.0, 1.0]  # Karpathy's four-sample example
    net = nn.ScalarMLP(3, [4, 4, 1], activation="tanh", seed=1)
    opt = optim.SGD(net.parameters(), lr=0.05)
    losses = []
    for _ in range(40):
        loss = nn.mse_loss([net(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0]


@pytest.mark.slow
def test_micrograd_demo_reaches_full_training_accuracy_with_the_scalar_engine():
    X, y = _moons(100, seed=0)
    net = nn.ScalarMLP(2, [16, 16, 1], seed=1337)
    opt = optim.SGD(net.parameters(), lr=1.0)
    rows = [list(row) for row in X]
    # each step builds ~65,000 nodes and no reference cycles: pausing the cyclic garbage collector, which
    # would rescan them all again and again, halves the time without changing any number
    collecting = gc.isenabled()
    gc.disable()
    try:
        for k in range(100):
            scores = [net(row) for row in rows]
            loss = nn.hinge_loss(scores, y) + nn.l2_penalty(net, 1e-4)
            opt.zero_grad()
            loss.backward()
            opt.lr = 1.0 - 0.9 * k / 100
            opt.step()
    finally:
        if collecting:
            gc.enable()
    accuracy = np.mean([(net(row).data > 0) == (label > 0) for row, label in zip(rows, y, strict=False)])
    assert accuracy == 1.0


def _moons(n: int, seed: int, noise: float = 0.1):
    """Two interleaving half circles with labels −1/+1 (as sklearn's make_moons)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t_out, t_in = np.linspace(0, np.pi, half), np.linspace(0, np.pi, n - half)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    X += rng.normal(scale=noise, size=X.shape)
    return X, np.r_[-np.ones(half), np.ones(n - half)]


def test_a_scalar_mlp_labels_each_weight_by_layer_neuron_and_input_and_never_by_its_dotted_name():
    net = nn.ScalarMLP(2, [3, 1], seed=0)
    labels = [p.label for p in net.parameters()]
    assert labels[:6] == ["W¹[0,0]", "W¹[0,1]", "b¹[0]", "W¹[1,0]", "W¹[1,1]", "b¹[1]"]
    assert labels[-4:] == ["W²[0,0]", "W²[0,1]", "W²[0,2]", "b²[0]"]
    assert len(set(labels)) == len(labels) and not any("." in label for label in labels)
    assert net[1][0].w2 is net.parameters()[-2]  # W²[0,2] is neuron 0's weight 2 of the second layer
    assert [p.label for p in nn.Layer(2, 1, seed=0).parameters()] == ["W[0,0]", "W[0,1]", "b[0]"]  # no layer number
    assert [p.label for p in nn.Neuron(2, seed=0).parameters()] == ["w0", "w1", "b"]
    graph = Graph.of(net([1.0, -1.0]))
    assert "W²[0,1]" in [node.label for node in graph.nodes]  # what pictures and the trace show
