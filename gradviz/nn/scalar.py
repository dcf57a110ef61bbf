"""Scalar networks built on Value (as micrograd): Neuron, Layer, MLP — small nets drawn node by node.

Every weight is one :class:`gradviz.Value`, so every product wᵢ·xᵢ and every sum is one node of
the graph; a neuron's nodes carry its scope ('mlp/0/3' is neuron 3 of layer 0). Pictures label the
weights as a student reads them: ``W¹[j,i]`` is weight i of neuron j in the first layer, ``b¹[j]`` its
bias (the names of ``named_parameters()`` stay '0.j.wi', '0.j.b').

>>> from gradviz import Graph, nn
>>> nn.manual_seed(0)
>>> net = nn.scalar.MLP(2, [3, 1])
>>> net
MLP(
  (0): Layer(n_in=2, n_out=3, activation=relu)  (9 parameters)
  (1): Layer(n_in=3, n_out=1, activation=identity)  (4 parameters)
)  (13 parameters)
>>> out = net([1.0, -2.0])
>>> sorted(Graph.of(out).scopes())[:2]
['mlp/0/0', 'mlp/0/1']
>>> net[0][1].w0.label, net[1][0].b.label
('W¹[1,0]', 'b²[0]')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..engine import Node
from ..value import Value
from .activations import Identity, get_activation
from .init import get_initializer, make_rng
from .module import Module, _give_label, layer_label

__all__ = ["Neuron", "Layer", "MLP"]


def _activation_name(module: Module) -> str:
    return "identity" if isinstance(module, Identity) else type(module).__name__.lower()


class Neuron(Module):
    """One artificial neuron: activation(b + Σ wᵢ·xᵢ) with scalar Values.

    Weights start uniform in [−1, 1] (the course's and micrograd's choice; `init` takes any
    name of :mod:`gradviz.nn.init`), the bias at 0 (or `bias_init`). Parameters are named
    'w0', 'w1', ..., 'b'.

    >>> from gradviz import nn
    >>> n = nn.Neuron(2, activation="tanh", seed=0)
    >>> [name for name, _ in n.named_parameters()]
    ['w0', 'w1', 'b']
    >>> y = n([1.0, 0.5])
    >>> y.backward()
    >>> n.b.grad == 1 - y.data ** 2
    True
    """

    def __init__(
        self,
        n_in: int,
        activation: str | Module | Callable | None = "relu",
        init: str | Callable = "uniform",
        bias_init: str | Callable = "zeros",
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(n_in, bool) or not isinstance(n_in, (int, np.integer)) or n_in < 1:
            raise ValueError(f"Neuron: n_in must be a positive integer, got {n_in!r}")
        generator = make_rng(seed, rng)
        weights = get_initializer(init)((int(n_in),), rng=generator, dtype="float64")
        bias = get_initializer(bias_init)((1,), rng=generator, dtype="float64")
        self.n_in = int(n_in)
        for i, w in enumerate(weights):
            setattr(self, f"w{i}", Value(float(w)))
        self.b = Value(float(bias[0]))
        # the activation runs inside the neuron's own scope: not a child module
        object.__setattr__(self, "activation", get_activation(activation))

    @property
    def w(self) -> list[Value]:
        """The weights, in input order."""
        return [getattr(self, f"w{i}") for i in range(self.n_in)]

    def forward(self, x):
        x = _inputs(x, self.n_in, "Neuron")
        total = self.b
        d = self.__dict__
        for i, xi in enumerate(x):
            total = total + d[f"w{i}"] * xi
        return self.activation.forward(total)

    def extra_repr(self) -> str:
        return f"n_in={self.n_in}, activation={_activation_name(self.activation)}"


class Layer(Module):
    """`n_out` neurons reading the same inputs; returns a list of Values (one Value when n_out is 1).

    Neuron j's weights are labelled ``W[j,i]`` and its bias ``b[j]`` (``W¹[j,i]`` in an MLP's first layer).

    >>> from gradviz import nn
    >>> layer = nn.Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0])), len(layer.parameters()), layer[1].w2.label
    (2, 8, 'W[1,2]')
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Module | Callable | None = "relu",
        init: str | Callable = "uniform",
        bias_init: str | Callable = "zeros",
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(n_out, bool) or not isinstance(n_out, (int, np.integer)) or n_out < 1:
            raise ValueError(f"Layer: n_out must be a positive integer, got {n_out!r}")
        generator = make_rng(seed, rng)
        self.n_in, self.n_out = int(n_in), int(n_out)
        for i in range(self.n_out):
            setattr(self, str(i), Neuron(n_in, activation, init, bias_init, rng=generator))
        self._label_neurons(None)

    def _label_neurons(self, layer: int | None) -> None:
        """Label neuron j's weight i ``W[j,i]`` and its bias ``b[j]`` (``W¹[j,i]``, ``b¹[j]`` as layer 1 of an
        MLP); the names of named_parameters() stay '0.w1', '0.b', ...; a label the user gave is kept."""
        for j, neuron in enumerate(self.children()):
            for i in range(neuron.n_in):
                _give_label(neuron, f"w{i}", layer_label("W", layer, j, i))
            _give_label(neuron, "b", layer_label("b", layer, j))

    @property
    def neurons(self) -> list[Neuron]:
        return list(self.children())

    def forward(self, x):
        x = _inputs(x, self.n_in, "Layer")
        outputs = [neuron(x) for neuron in self.children()]
        return outputs[0] if len(outputs) == 1 else outputs

    def __getitem__(self, index: int) -> Neuron:
        return self.neurons[index]

    def __len__(self) -> int:
        return self.n_out

    def extra_repr(self) -> str:
        first = next(self.children())
        return f"n_in={self.n_in}, n_out={self.n_out}, activation={_activation_name(first.activation)}"

    def __repr__(self) -> str:  # one line: a layer's neurons are alike
        count = self.num_parameters()
        return f"Layer({self.extra_repr()})  ({count} parameters)"


class MLP(Module):
    """A scalar multilayer perceptron (micrograd's MLP): ``MLP(n_in, [hidden..., n_out])``.

    Hidden layers use `activation` (micrograd: ReLU), the last one `output_activation`
    (None: linear). Calling it on one sample (a list of numbers) returns a Value, or a list
    when there are several outputs.

    >>> from gradviz import nn
    >>> net = nn.scalar.MLP(2, [16, 16, 1], seed=0)
    >>> net.num_parameters()
    337
    >>> type(net([0.5, -0.5])).__name__
    'Value'
    """

    def __init__(
        self,
        n_in: int,
        sizes: Sequence[int],
        activation: str | Module | Callable | None = "relu",
        output_activation: str | Module | Callable | None = None,
        init: str | Callable = "uniform",
        bias_init: str | Callable = "zeros",
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(sizes, (int, np.integer)):
            sizes = [int(sizes)]
        sizes = [int(s) for s in sizes]
        if not sizes:
            raise ValueError("MLP needs at least one layer size: MLP(n_in, [hidden..., n_out])")
        generator = make_rng(seed, rng)
        widths = [int(n_in), *sizes]
        for i in range(len(sizes)):
            last = i == len(sizes) - 1
            act = output_activation if last else activation
            setattr(self, str(i), Layer(widths[i], widths[i + 1], act, init, bias_init, rng=generator))
            self[i]._label_neurons(i + 1)
        self.sizes = widths

    @property
    def layers(self) -> list[Layer]:
        return list(self.children())

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.sizes) - 1

    def forward(self, x):
        for layer in self.children():
            x = layer(x)
        return x


def _inputs(x, n_in: int, who: str) -> list:
    if isinstance(x, (Value, int, float)) and not isinstance(x, bool):
        x = [x]
    elif isinstance(x, np.ndarray):
        x = x.reshape(-1).tolist()
    elif isinstance(x, Node):
        raise TypeError(
            f"{who} takes a list of numbers or Values (one sample), not a Tensor; use nn.Linear/nn.MLP for tensors"
        )
    else:
        x = list(x)
    if len(x) != n_in:
        raise ValueError(
            f"{who} expects {n_in} input(s), got {len(x)}: one sample is a list of {n_in} numbers or Values"
        )
    return x
