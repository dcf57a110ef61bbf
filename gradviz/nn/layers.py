"""Tensor layers: Linear (fully connected), Flatten, Sequential (a chain of modules) and MLP.

>>> from gradviz import Tensor, nn
>>> nn.manual_seed(0)
>>> model = nn.MLP(2, [4, 1], activation="tanh")
>>> model
MLP(
  (0): Linear(in_features=2, out_features=4, bias=True)  (12 parameters)
  (1): Tanh()
  (2): Linear(in_features=4, out_features=1, bias=True)  (5 parameters)
)  (17 parameters)
>>> model(Tensor([[0.5, -1.0]])).shape
(1, 1)
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ..errors import ShapeError
from .activations import get_activation
from .batchnorm import BatchNorm1d
from .init import get_initializer, make_rng, torch_default, uniform
from .module import Module, Parameter, _give_label, layer_label

__all__ = ["Linear", "Flatten", "Sequential", "MLP"]


class Linear(Module):
    """A fully connected layer, y = x Wᵀ + b, with W of shape (out_features, in_features) as in torch.

    `init` picks the weights' distribution: "torch" (default: U(±1/√in), torch's own), "uniform"
    (U[−1, 1], the course's hand-written example; biases too), "xavier"/"glorot" (uniform),
    "xavier_normal", "he"/"kaiming" (normal), "he_uniform", "zeros" — or a function
    ``(shape, rng=, dtype=) -> array``. Biases start at zero except for "torch" and "uniform".
    `seed` or `rng` make one layer reproducible; otherwise ``nn.manual_seed`` does.

    >>> from gradviz import Tensor
    >>> layer = Linear(3, 2, init="xavier", seed=0)
    >>> layer.weight.shape, layer.bias.data
    ((2, 3), array([0., 0.]))
    >>> layer(Tensor([[1.0, 2.0, 3.0]])).shape
    (1, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str | Callable = "torch",
        bias_init: str | Callable | None = None,
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        dtype="float64",
    ) -> None:
        super().__init__()
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Linear: {what} must be a positive integer, got {n!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.init = init if isinstance(init, str) else getattr(init, "__name__", "custom")
        generator = make_rng(seed, rng)
        shape = (self.out_features, self.in_features)
        self.weight = Parameter(get_initializer(init)(shape, rng=generator, dtype=dtype), label="weight", dtype=dtype)
        if bias:
            if bias_init is None:
                if init in ("torch", "default"):
                    bias_values = torch_default(
                        (self.out_features,), fan_in=self.in_features, rng=generator, dtype=dtype
                    )
                elif init == "uniform":
                    bias_values = uniform((self.out_features,), rng=generator, dtype=dtype)
                else:
                    bias_values = np.zeros(self.out_features, dtype=dtype)
            else:
                bias_values = get_initializer(bias_init)((self.out_features,), rng=generator, dtype=dtype)
            self.bias = Parameter(bias_values, label="bias", dtype=dtype)
        else:
            self.bias = None

    def forward(self, x):
        shape = getattr(x, "shape", None)
        if shape is not None and (len(shape) == 0 or shape[-1] != self.in_features):
            raise ShapeError(
                f"{self.name} = Linear(in_features={self.in_features}, out_features={self.out_features}) got an "
                f"input of shape {tuple(shape)}; its last dimension must be {self.in_features} (one row per sample, "
                f"one column per feature)"
                + (". Transpose it (x.T) first." if len(shape) == 2 and shape[0] == self.in_features else ".")
            )
        out = x @ self.weight.T
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Flatten(Module):
    """Each sample to one row, as ``torch.nn.Flatten()``: (N, 8, 8) images → (N, 64), for a Linear after it.

    Only the shape changes (the pictures and chain-rule paths step over it).

    >>> from gradviz import Tensor, nn
    >>> nn.Flatten()(Tensor(np.zeros((5, 8, 8)))).shape
    (5, 64)
    """

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Sequential(Module):
    """Modules applied one after the other; children are named '0', '1', ... (or by an OrderedDict's keys).

    Takes the modules as arguments (torch) or as one list (Keras); indexable, sliceable,
    iterable, with len() and append(). Its Linear layers' parameters are labelled ``W¹``, ``b¹``, ``W²``, ...
    (the layer's number among the Linear layers, from 1), unless the user labelled them.

    >>> from gradviz import nn
    >>> net = nn.Sequential(nn.Linear(2, 8), nn.ReLU())
    >>> net.append(nn.Linear(8, 1))
    Sequential(...)
    >>> len(net), type(net[-1]).__name__, len(net[:2])
    (3, 'Linear', 2)
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self._add(module, str(name))
            return
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        for module in modules:
            self.append(module)

    def _add(self, module: Module, name: str) -> None:
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__} takes Modules, got {type(module).__name__} at position {len(self)}; "
                "wrap a function with nn.get_activation(function) or write a Module around it"
            )
        setattr(self, name, module)
        self._label_layers()

    def _label_layers(self) -> None:
        """Label the Linear layers' parameters as the course writes them: W¹, b¹ for the first, W², b² ..., and the
        BatchNorm layers' γ¹, β¹, γ², ... (the names of named_parameters() stay '0.weight', '0.bias', ...; a label
        the user gave is kept)."""
        number = normalised = 0
        for module in self.children():
            if isinstance(module, Linear):
                number += 1
                _give_label(module, "weight", layer_label("W", number))
                _give_label(module, "bias", layer_label("b", number))
            elif isinstance(module, BatchNorm1d) and module.affine:
                normalised += 1
                _give_label(module, "weight", layer_label("γ", normalised))
                _give_label(module, "bias", layer_label("β", normalised))

    def append(self, module: Module) -> Sequential:
        """Add a module at the end; returns self."""
        self._add(module, str(len(self)))
        return self

    def __len__(self) -> int:
        return len(self._module_names)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self.children()))

    def __getitem__(self, index):
        items = list(self.named_children())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        if isinstance(index, str):
            return dict(items)[index]
        try:
            return items[index][1]
        except IndexError:
            raise IndexError(
                f"{type(self).__name__} index {index} is out of range: it holds {len(items)} modules"
            ) from None

    def forward(self, x):
        for module in self.children():
            x = module(x)
        return x


class MLP(Sequential):
    """A multilayer perceptron: Linear layers with an activation between them (and optionally after the last).

    ``MLP(n_in, [hidden..., n_out])`` stacks Linear(n_in, h1), activation, ..., Linear(h_last, n_out);
    `output_activation` (None: identity) is appended at the end. Children are numbered as in a
    Sequential, so ``model[0].weight`` is the first layer's weight matrix.

    Its layers' parameters are labelled as the course writes them, ``W¹``, ``b¹``, ``W²``, ... (as in every
    Sequential; ``named_parameters()`` keeps torch's names).

    >>> from gradviz import nn
    >>> nn.MLP(2, [16, 16, 1]).num_parameters()
    337
    >>> [(name, p.label) for name, p in nn.MLP(2, [3, 1]).named_parameters()][:3]
    [('0.weight', 'W¹'), ('0.bias', 'b¹'), ('2.weight', 'W²')]
    >>> [type(m).__name__ for m in nn.MLP(4, [8, 3], output_activation="softmax")]
    ['Linear', 'ReLU', 'Linear', 'Softmax']
    """

    def __init__(
        self,
        n_in: int,
        sizes: Sequence[int],
        activation: str | Module | Callable = "relu",
        output_activation: str | Module | Callable | None = None,
        init: str | Callable = "torch",
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        dtype="float64",
    ) -> None:
        if isinstance(sizes, (int, np.integer)):
            sizes = [int(sizes)]
        sizes = list(sizes)
        if not sizes:
            raise ValueError("MLP needs at least one layer size: MLP(n_in, [hidden..., n_out])")
        generator = make_rng(seed, rng)
        get_activation(activation)  # fail early on an unknown name, before building anything
        modules: list[Module] = []
        widths = [n_in, *sizes]
        for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=False)):
            modules.append(Linear(fan_in, fan_out, init=init, rng=generator, dtype=dtype))
            if i < len(sizes) - 1:
                modules.append(_activation_copy(activation))
        if output_activation is not None:
            modules.append(get_activation(output_activation))
        super().__init__(*modules)
        self.sizes = [int(n_in), *(int(s) for s in sizes)]


def _activation_copy(spec) -> Module:
    """A new activation module for each position (a module given by the user is copied, so each
    position has its own name scope)."""
    if isinstance(spec, Module):
        return copy.deepcopy(spec)
    return get_activation(spec)
