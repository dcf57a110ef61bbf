"""Keras 3's layers on gradviz's Modules: Input, InputLayer, Dense, Activation, Flatten, Dropout.

Each layer is a :class:`gradviz.nn.Module`, so its nodes carry its name scope ('sequential/dense/relu') and
every picture of gradviz can show it. ``get_weights()`` and ``set_weights()`` use Keras' layout (a Dense
layer's kernel has shape (inputs, units)); the parameter ``layer.weight`` itself keeps torch's layout
(units, inputs), which is how gradviz draws a layer (row j = the weights into neuron j).

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.keras import layers
>>> model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.Dense(3)], seed=0)
>>> [w.shape for w in model.get_weights()]
[(4, 8), (8,), (8, 3), (3,)]
>>> model.layers[0].weight.shape          # gradviz's own parameter: (units, inputs), as torch and the pictures
(8, 4)
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import nn
from ..engine import Node, mark_modified
from ..errors import ShapeError
from ..nn.init import default_rng, get_initializer
from ..nn.module import Module, Parameter
from ..tensor import Tensor

__all__ = ["Input", "InputLayer", "KerasTensor", "Dense", "Activation", "Flatten", "Dropout", "Layer"]


def _random_uniform(shape, rng, dtype="float64"):
    return rng.uniform(-0.05, 0.05, size=shape).astype(dtype)  # Keras' RandomUniform defaults


def _random_normal(shape, rng, dtype="float64"):
    return rng.normal(0.0, 0.05, size=shape).astype(dtype)  # Keras' RandomNormal defaults


# Keras' initializer names → gradviz.nn's (or Keras' own distribution where gradviz has none of that name)
_KERAS_INITIALIZERS: dict[str, Any] = {
    "glorot_uniform": "xavier",
    "glorot_normal": "xavier_normal",
    "he_normal": "he",
    "he_uniform": "he_uniform",
    "random_uniform": _random_uniform,
    "random_normal": _random_normal,
}


class KerasTensor:
    """A symbolic input, as ``keras.Input(shape=(4,))`` returns: its `shape` (with None for the batch), `dtype`
    and `name`, and no data. Put it first in a Sequential to give the model its input size.

    >>> from gradviz import keras
    >>> x = keras.Input(shape=(4,))
    >>> x.shape, x.dtype
    ((None, 4), 'float32')
    """

    def __init__(self, shape: tuple, dtype: str = "float32", name: str = "input_layer") -> None:
        self.shape = tuple(shape)
        self.dtype = str(dtype)
        self.name = name

    @property
    def ndim(self) -> int:
        """The number of axes, the batch included."""
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


def _shape(shape, batch_shape, where: str) -> tuple[int, ...]:
    if shape is not None and batch_shape is not None:
        raise ValueError(f"{where}: give shape= or batch_shape=, not both")
    if batch_shape is not None:
        batch_shape = tuple(batch_shape)
        if not batch_shape:
            raise ValueError(f"{where}: batch_shape must include the batch axis, e.g. (None, 4)")
        shape = batch_shape[1:]
    if shape is None:
        raise ValueError(f"{where}: give the shape of one sample, e.g. shape=(4,) for 4 features")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(
                f"{where}: shape={shape}: every size must be a positive integer (the batch is left out: shape=(4,) "
                "for samples of 4 features)"
            )
    return tuple(int(d) for d in shape)


def Input(
    shape=None,
    batch_size: int | None = None,
    dtype=None,
    sparse=None,
    batch_shape=None,
    name: str | None = None,
    tensor=None,
    optional: bool = False,
) -> KerasTensor:
    """The model's input, as Keras 3's ``keras.Input``: ``shape`` is one sample's shape (no batch axis).

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)], seed=0)
    >>> model.built, model.get_weights()[0].shape
    (True, (2, 1))
    """
    if sparse or tensor is not None or optional:
        raise ValueError("Input: sparse=, tensor= and optional= are not supported by gradviz (dense arrays only)")
    sample = _shape(shape, batch_shape, "Input")
    return KerasTensor((batch_size, *sample), dtype or "float32", name or "input_layer")


class InputLayer:
    """The input as a layer, ``keras.layers.InputLayer(shape=(4,))``; put it first in a Sequential. It holds no
    weights and, as in Keras, is not one of ``model.layers``.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.InputLayer(shape=(3,)), keras.layers.Dense(2)], seed=0)
    >>> len(model.layers), model.input_shape
    (1, (None, 3))
    """

    def __init__(
        self,
        shape=None,
        batch_size: int | None = None,
        dtype=None,
        sparse=None,
        batch_shape=None,
        input_tensor=None,
        optional: bool = False,
        name: str | None = None,
        **kwargs,
    ) -> None:
        if "input_shape" in kwargs:  # Keras 2's name
            shape = kwargs.pop("input_shape")
        if kwargs:
            raise TypeError(f"InputLayer got unexpected arguments: {', '.join(kwargs)}")
        self.output = Input(shape, batch_size, dtype, sparse, batch_shape, name, input_tensor, optional)
        self.name = self.output.name

    @property
    def batch_shape(self) -> tuple:
        """(batch size or None, *sample shape)."""
        return self.output.shape

    def get_config(self) -> dict:
        """{'batch_shape': ..., 'dtype': ..., 'name': ...}, as Keras writes it.

        >>> InputLayer(shape=(3,)).get_config()
        {'batch_shape': (None, 3), 'dtype': 'float32', 'name': 'input_layer'}
        """
        return {"batch_shape": self.batch_shape, "dtype": self.output.dtype, "name": self.name}

    def __repr__(self) -> str:
        return f"<InputLayer shape={self.batch_shape}>"


class Layer(Module):
    """What every gradviz.keras layer adds to a gradviz.nn Module: Keras' ``get_weights``/``set_weights`` (Keras'
    layout), ``weights``, ``trainable``, ``count_params()`` and ``get_config``/``from_config``.

    >>> from gradviz import keras
    >>> layer = keras.layers.Dense(2, seed=0).build(3)
    >>> isinstance(layer, keras.layers.Layer), layer.count_params(), layer.trainable
    (True, 8, True)
    """

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the layer's weights as numpy arrays, in Keras' order and layout (a kernel as (inputs, units))."""
        return get_weights(self)

    def set_weights(self, weights: Sequence) -> None:
        """Set the weights from arrays in get_weights() order and layout."""
        set_weights(self, weights, self.name)

    @property
    def weights(self) -> list[Tensor]:
        """The layer's parameters (gradviz Tensors, in gradviz's layout: see get_weights for Keras')."""
        return self.parameters()

    @property
    def trainable(self) -> bool:
        """False when every parameter is frozen (``layer.trainable = False`` freezes them, as in Keras)."""
        params = self.parameters()
        return any(p.requires_grad for p in params) if params else self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        object.__setattr__(self, "_trainable", bool(value))
        self.requires_grad_(bool(value))

    def count_params(self) -> int:
        """The number of weights (scalars) of the layer."""
        return self.num_parameters()

    def get_config(self) -> dict:
        """The arguments that build this layer again (JSON-ready), as Keras' get_config."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        """A new layer built from get_config()'s dict (without its weights)."""
        return cls(**config)


def kernels(module: Module) -> set[int]:
    """The ids of `module`'s fully connected kernels (each nn.Linear's weight, a keras Dense's included): the
    parameters get_weights/set_weights transpose to Keras' (inputs, units)."""
    return {id(m.weight) for m in module.modules() if isinstance(m, nn.Linear) and m.weight is not None}


def get_weights(module: Module) -> list[np.ndarray]:
    """Copies of `module`'s parameters in Keras' layout (a kernel as (inputs, units)), in parameters() order."""
    transposed = kernels(module)
    return [np.array(p.data).T.copy() if id(p) in transposed else np.array(p.data) for p in module.parameters()]


def set_weights(module: Module, weights: Sequence, who: str) -> None:
    """Set `module`'s parameters from arrays in get_weights() order and Keras' layout; nothing changes unless every
    shape fits."""
    params, transposed = module.parameters(), kernels(module)
    weights = list(weights)
    if len(weights) != len(params):
        raise ValueError(
            f"set_weights: {who} has {len(params)} weight arrays ({', '.join(p.label or '?' for p in params)}), "
            f"got {len(weights)}"
        )
    arrays = []
    for p, w in zip(params, weights, strict=True):
        w = np.asarray(w.data if isinstance(w, Node) else w)
        kernel = id(p) in transposed
        expected = p.data.shape[::-1] if kernel else p.data.shape
        if w.shape != expected:
            hint = ""
            if kernel and w.shape == p.data.shape:
                hint = (
                    f" — that is gradviz's own layout of {p.label} (units, inputs); Keras' get_weights/set_weights "
                    "take a kernel as (inputs, units): pass its transpose (W.T)"
                )
            raise ShapeError(f"set_weights: {p.label} takes shape {expected}, got {w.shape}{hint}")
        arrays.append(w.T if kernel else w)
    for p, w in zip(params, arrays, strict=True):
        p.data[...] = w
        mark_modified(p)


def _input_features(input_dim, input_shape, who: str) -> int | None:
    if input_dim is not None and input_shape is not None:
        raise ValueError(f"{who}: give input_dim or input_shape, not both")
    if input_shape is not None:
        shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
        if len(shape) != 1:
            raise ValueError(
                f"{who}: input_shape={shape} — a Dense layer takes flat samples (input_shape=(features,)); put a "
                "Flatten() first for images"
            )
        input_dim = shape[0]
    if input_dim is None:
        return None
    if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
        raise ValueError(f"{who}: input_dim must be a positive integer (features per sample), got {input_dim!r}")
    return int(input_dim)


def _unsupported(who: str, **arguments) -> None:
    given = [name for name, value in arguments.items() if value is not None]
    if given:
        raise ValueError(
            f"{who}: {', '.join(f'{name}=' for name in given)} not supported by gradviz yet (regularizers and "
            "constraints); leave them out, or add the penalty to a loss function of your own"
        )


class Dense(Layer, nn.Linear):
    """Keras' fully connected layer: ``activation(x · kernel + bias)``, on gradviz.nn.Linear.

    The weights are built at the first call, from the input's last dimension, unless the model's
    ``keras.Input(shape=...)`` (or `input_dim`, ``input_shape=(d,)``) gives it; Keras' default initialisation
    (Glorot uniform kernel, zero bias). `activation`: 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu',
    'linear'/None, a Module or a function.

    Two layouts, one set of numbers: ``get_weights()`` gives Keras' kernel of shape (inputs, units); the
    parameter ``layer.weight`` is its transpose, (units, inputs) as in torch, which is what gradviz's pictures
    draw (z = x·Wᵀ + b). `seed` (gradviz's) makes this layer's initial weights reproducible.

    >>> from gradviz import Tensor
    >>> layer = Dense(3, activation="softmax", seed=0)
    >>> layer.built
    False
    >>> probabilities = layer(Tensor(np.ones((2, 4))))
    >>> layer.weight.shape, layer.get_weights()[0].shape, probabilities.data.sum(axis=1).round(6).tolist()
    ((3, 4), (4, 3), [1.0, 1.0])
    """

    def __init__(
        self,
        units: int,
        activation: str | Module | Callable | None = None,
        use_bias: bool = True,
        kernel_initializer: str | Callable = "glorot_uniform",
        bias_initializer: str | Callable = "zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        *,
        input_dim: int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        seed: int | None = None,
        dtype=None,
        trainable: bool = True,
    ) -> None:
        Module.__init__(self)
        _unsupported(
            "Dense",
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            lora_rank=lora_rank,
        )
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"Dense: units must be a positive integer (the layer's outputs), got {units!r}")
        self.units = self.out_features = int(units)
        self.in_features = _input_features(input_dim, input_shape, "Dense")
        self.use_bias = bool(use_bias)
        self._initializer_names = (kernel_initializer, bias_initializer)
        self.kernel_initializer = _KERAS_INITIALIZERS.get(kernel_initializer, kernel_initializer)
        self.bias_initializer = _KERAS_INITIALIZERS.get(bias_initializer, bias_initializer)
        get_initializer(self.kernel_initializer)  # unknown names fail here, listing the valid ones
        get_initializer(self.bias_initializer)
        self.seed = seed
        self.dtype = np.dtype(_dtype_name(dtype))
        self.weight = None
        self.bias = None
        object.__setattr__(self, "_trainable", bool(trainable))
        if name is not None:
            self.name = name
        function = nn.get_activation(activation)
        self._activation_slot = None
        self._activation_spec = activation if isinstance(activation, str) or activation is None else None
        if not isinstance(function, nn.Identity):
            # the child is named after the activation, so the graph's scope reads 'sequential/dense/relu'
            slot = module_key(function)
            self._activation_slot = slot
            self.add_module(slot, function)

    @property
    def built(self) -> bool:
        """Whether the weights exist (after the first call, build(), or the model's build())."""
        return self.weight is not None

    @property
    def activation(self) -> Module:
        """The activation module (Identity for a linear layer)."""
        return getattr(self, self._activation_slot) if self._activation_slot else nn.Identity()

    @property
    def activation_name(self) -> str:
        """'relu', 'softmax', 'sigmoid', ... or 'linear'."""
        return activation_name(self.activation)

    def build(self, in_features, rng: np.random.Generator | None = None) -> Dense:
        """Create the weights for inputs with `in_features` features (an int, or Keras' input shape such as
        (None, 4)), drawn from `rng`, the layer's `seed`, or gradviz.nn's global generator; returns self."""
        if not isinstance(in_features, (int, np.integer)):
            in_features = tuple(in_features)[-1]
        in_features = int(in_features)
        if self.built:
            if in_features != self.in_features:
                raise ShapeError(
                    f"{self.name} = Dense({self.units}) was built for {self.in_features} input features but got "
                    f"{in_features}; every sample must have the same number of features"
                )
            return self
        if self.in_features is not None and in_features != self.in_features:
            raise ShapeError(
                f"{self.name} = Dense({self.units}, input_dim={self.in_features}) got inputs with {in_features} "
                f"features; fix input_dim or the data (X.shape[1] is the number of features)"
            )
        self.in_features = in_features
        generator = np.random.default_rng(self.seed) if self.seed is not None else (rng or default_rng())
        shape = (self.units, in_features)
        weights = get_initializer(self.kernel_initializer)(shape, rng=generator, dtype=self.dtype)
        self.weight = Parameter(weights, label="weight", dtype=self.dtype)
        if self.use_bias:
            biases = get_initializer(self.bias_initializer)((self.units,), rng=generator, dtype=self.dtype)
            self.bias = Parameter(biases, label="bias", dtype=self.dtype)
        if not self._trainable:
            self.requires_grad_(False)
        self.relabel()
        return self

    def relabel(self) -> None:
        """Label the parameters '<layer name>.weight' and '<layer name>.bias' (after the model names the layer)."""
        for pname in ("weight", "bias"):
            p = getattr(self, pname)
            if p is not None:
                p.label = f"{self.name}.{pname}"

    def forward(self, x, logits: bool = False):
        if x.__class__ is not Tensor:
            x = as_input(x, self.dtype)
        if self.weight is None:  # not built
            self.build(x.shape[-1])
        out = nn.Linear.forward(self, x)
        if logits or self._activation_slot is None:
            return out
        return getattr(self, self._activation_slot)(out)

    def get_config(self) -> dict:
        """units, activation, use_bias, the initializers and the dtype (gradviz's seed too, when given).

        >>> Dense(4, activation="relu").get_config()["activation"]
        'relu'
        """
        activation = self._activation_spec
        if activation is None and self._activation_slot is not None:
            activation = _serializable_activation(self.activation, self.name)
        kernel, bias = self._initializer_names
        for what, value in (("kernel_initializer", kernel), ("bias_initializer", bias)):
            if not isinstance(value, str):
                raise ValueError(
                    f"get_config: layer {self.name!r} has a {what} that is a function; only initializer names "
                    "('glorot_uniform', 'zeros', ...) can be saved in a config"
                )
        config = {
            "name": self.name,
            "units": self.units,
            "activation": activation or "linear",
            "use_bias": self.use_bias,
            "kernel_initializer": kernel,
            "bias_initializer": bias,
            "dtype": self.dtype.name,
            "trainable": self.trainable,
        }
        if self.seed is not None:
            config["seed"] = self.seed
        return config

    def extra_repr(self) -> str:
        inputs = self.in_features if self.in_features is not None else "?"
        return f"units={self.units}, inputs={inputs}, activation={self.activation_name}, use_bias={self.use_bias}"


def _dtype_name(dtype) -> str:
    """Keras' dtype argument: a name, a numpy dtype or a DTypePolicy-like dict; gradviz's default is float64."""
    if dtype is None:
        return "float64"
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name", "float64")
    return np.dtype(dtype).name


def _serializable_activation(module: Module, layer: str) -> str:
    name = activation_name(module)
    if name in nn.ACTIVATIONS or name in nn.activation_names():
        return name
    raise ValueError(
        f"get_config: layer {layer!r} has an activation given as a function or Module ({name}); only activation "
        "names ('relu', 'softmax', ...) can be saved in a config"
    )


class Activation(Layer):
    """An activation as a layer of its own: ``Sequential([layers.Dense(3), layers.Activation("softmax")])``.

    >>> from gradviz import Tensor
    >>> Activation("relu")(Tensor([[-1.0, 2.0]])).data
    array([[0., 2.]])
    """

    def __init__(self, activation: str | Module | Callable, *, name: str | None = None, **kwargs) -> None:
        super().__init__()
        kwargs.pop("dtype", None)
        kwargs.pop("trainable", None)
        if kwargs:
            raise TypeError(f"Activation got unexpected arguments: {', '.join(kwargs)}")
        function = nn.get_activation(activation)
        self._spec = activation if isinstance(activation, str) else None
        self._slot = module_key(function)
        self.add_module(self._slot, function)
        if name is not None:
            self.name = name

    @property
    def activation(self) -> Module:
        """The activation module."""
        return getattr(self, self._slot)

    @property
    def activation_name(self) -> str:
        """'relu', 'softmax', ..."""
        return activation_name(self.activation)

    def forward(self, x, logits: bool = False):
        x = as_input(x, None)
        return x if logits else self.activation(x)

    def get_config(self) -> dict:
        """{'name': ..., 'activation': ...}.

        >>> Activation("tanh").get_config()
        {'name': 'activation', 'activation': 'tanh'}
        """
        activation = self._spec or _serializable_activation(self.activation, self.name)
        return {"name": self.name, "activation": activation}

    def extra_repr(self) -> str:
        return self.activation_name


class Flatten(Layer, nn.Flatten):
    """Each sample to one row: (N, 8, 8) images → (N, 64), for a Dense after it.

    >>> from gradviz import Tensor
    >>> Flatten()(Tensor(np.zeros((5, 8, 8)))).shape
    (5, 64)
    """

    def __init__(
        self, data_format=None, *, input_shape: Sequence[int] | None = None, name: str | None = None, **kwargs
    ) -> None:
        nn.Flatten.__init__(self)
        kwargs.pop("dtype", None)
        kwargs.pop("trainable", None)
        if kwargs:
            raise TypeError(f"Flatten got unexpected arguments: {', '.join(kwargs)}")
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"Flatten: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
        self.data_format = data_format
        self.input_shape = None if input_shape is None else tuple(int(d) for d in input_shape)
        if name is not None:
            self.name = name

    def forward(self, x):
        return nn.Flatten.forward(self, as_input(x, None))

    def get_config(self) -> dict:
        """{'name': ...}.

        >>> Flatten().get_config()
        {'name': 'flatten'}
        """
        config: dict[str, Any] = {"name": self.name}
        if self.data_format is not None:
            config["data_format"] = self.data_format
        return config


class Dropout(Layer, nn.Dropout):
    """Keras' ``Dropout(rate)`` on gradviz.nn.Dropout: while fit trains, each input is zeroed with probability
    `rate` and the others are scaled by 1/(1 − rate); evaluate and predict pass the input unchanged. In the graph
    it is one multiplication by the mask, in the layer's scope.

    >>> import numpy as np
    >>> from gradviz import Tensor
    >>> drop = Dropout(0.5, seed=0)
    >>> drop(Tensor(np.ones((1, 6)))).data
    array([[0., 2., 2., 2., 0., 0.]])
    >>> drop.eval()(Tensor(np.ones((1, 2)))).data
    array([[1., 1.]])
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, *, name: str | None = None, **kwargs):
        kwargs.pop("dtype", None)
        kwargs.pop("trainable", None)
        if kwargs:
            raise TypeError(f"Dropout got unexpected arguments: {', '.join(kwargs)}")
        if noise_shape is not None:
            raise ValueError("Dropout: noise_shape= is not supported by gradviz (each element is dropped on its own)")
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"Dropout: rate must be a number in [0, 1) (the share of inputs dropped), got {rate!r}")
        nn.Dropout.__init__(self, p=float(rate), seed=seed)
        self.rate = float(rate)
        self.seed = seed
        if name is not None:
            self.name = name

    def forward(self, x):
        return nn.Dropout.forward(self, as_input(x, None))

    def get_config(self) -> dict:
        """{'name': ..., 'rate': ...} (and gradviz's seed when given).

        >>> Dropout(0.2).get_config()
        {'name': 'dropout', 'rate': 0.2}
        """
        config: dict[str, Any] = {"name": self.name, "rate": self.rate}
        if self.seed is not None:
            config["seed"] = self.seed
        return config


_ACTIVATION_TYPES = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.Softmax, nn.Identity)


def module_key(module: Module) -> str:
    """A layer's default name: its activation's name ('relu') or its class in snake case ('dense', 'mlp')."""
    if isinstance(module, (*_ACTIVATION_TYPES, nn.OpActivation)) or type(module).__name__ == "Lambda":
        return activation_name(module).strip("<>") or "lambda"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", type(module).__name__).lower()


def activation_name(module: Module) -> str:
    """'relu', 'softmax', 'leaky_relu', 'linear' (Identity), the op's name, or a function's name."""
    if isinstance(module, nn.Identity):
        return "linear"
    if isinstance(module, nn.OpActivation):
        return module.op.name
    name = type(module).__name__
    if name == "Lambda":
        return getattr(module.function, "__name__", "lambda")
    return {"LeakyReLU": "leaky_relu"}.get(name, name.lower())


def as_input(x, dtype) -> Tensor:
    """A batch as a Tensor (numpy arrays and lists are wrapped; a scalar Value is refused)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError("keras layers work on batches (Tensors or numpy arrays), not on a scalar Value")
    return Tensor(np.asarray(x), dtype=dtype or "float64")


LAYERS: dict[str, type] = {"Dense": Dense, "Activation": Activation, "Flatten": Flatten, "Dropout": Dropout}
"""The layer classes a saved config may name (Keras' class names), for from_config and load_model.

>>> sorted(LAYERS)
['Activation', 'Dense', 'Dropout', 'Flatten']
"""
