"""A Keras-like first network: ``Sequential([Dense(...), ...]).compile(...).fit(...)`` on gradviz's own Modules.

Each :class:`Dense` is a :class:`gradviz.nn.Linear` (weights built at the first call, when the
input size is known) followed by an activation module; the model is a :class:`gradviz.nn.Module`,
so ``parameters()``, ``state_dict()``, name scopes and every gradient are the ones of ``gradviz.nn``.

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.data import make_moons
>>> X, y = make_moons(200, noise=0.1, seed=0)
>>> model = keras.Sequential([keras.Dense(16, activation="relu"), keras.Dense(1, activation="sigmoid")], seed=0)
>>> history = model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], learning_rate=0.05).fit(
...     X, y, epochs=30, batch_size=32, validation_split=0.2, verbose=0, seed=0)
>>> sorted(history.history)
['accuracy', 'loss', 'val_accuracy', 'val_loss']
>>> model.evaluate(X, y, return_dict=True)["accuracy"] > 0.95
True
>>> model.predict(X[:3]).shape
(3, 1)
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from . import backends as _backends
from . import callbacks as _callbacks
from . import functional as F
from . import metrics as _metrics
from . import nn
from . import optim as _optim
from . import training as _training
from .callbacks import Callback, CallbackList, History
from .context import no_grad
from .engine import Node, mark_modified
from .errors import GradvizError, ShapeError
from .nn.init import default_rng, get_initializer
from .nn.module import Module, Parameter
from .optim.optimizers import check_hyperparameter as _check_hyperparameter
from .tensor import Tensor

__all__ = [
    "Sequential",
    "Dense",
    "Activation",
    "Flatten",
    "History",
    "LOSSES",
    "OPTIMIZERS",
    "NonFiniteLossError",
    "InputError",
]


class NonFiniteLossError(GradvizError, FloatingPointError):
    """The loss became nan or ±inf during fit; ``epoch``, ``batch`` (from 0) and ``layer`` (the first layer
    whose output or weights are not finite, or None) say where.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> x = np.array([[100.0], [200.0], [300.0]])   # not standardised: plain SGD diverges
    >>> model = keras.Sequential([keras.Dense(1)], seed=0).compile(optimizer="sgd", loss="mse")
    >>> try:
    ...     model.fit(x, x / 50, epochs=50, batch_size=1, verbose=0, seed=0)
    ... except keras.NonFiniteLossError as error:
    ...     print(error.epoch, error.batch, error.layer)
    ...     print(str(error).split(";")[0])
    18 0 None
    fit: the loss became inf at epoch 19, batch 1 of 3
    """

    def __init__(self, message: str, *, epoch: int, batch: int, layer: str | None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.layer = layer


class InputError(GradvizError, ValueError):
    """Data or an argument that fit, evaluate or predict cannot take: a ragged list, nan/inf in X or y, a
    batch_size that is not an integer ≥ 1, an unknown verbose, predict_classes on a model that predicts values
    ('model')... The message names the argument, and for data the row and column; ``argument``, ``row`` and
    ``column`` hold them (None where they do not apply).
    It is also a ValueError, as Keras' errors for the same mistakes are.

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> try:
    ...     model.fit(np.array([[1.0, 2.0], [0.5, np.nan]]), np.array([1.0, 0.0]), verbose=0)
    ... except keras.InputError as error:
    ...     print(error.argument, error.row, error.column)
    X 1 1
    """

    def __init__(self, message: str, *, argument: str, row: int | None = None, column=None) -> None:
        super().__init__(message)
        self.argument = argument
        self.row = row
        self.column = column


_VERBOSE = ("auto", 0, 1, 2)


def _verbosity(verbose, where: str) -> int:
    """Keras' `verbose` as a number: 'auto' is 1 (a progress bar), 0 silent, 2 one line per epoch."""
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if isinstance(verbose, (int, np.integer)) and int(verbose) in (0, 1, 2):  # True and False included
        return int(verbose)
    raise InputError(
        f"{where}: verbose must be 'auto', 0, 1 or 2 (0 silent, 1 a progress bar, 2 one line per epoch; 'auto' is 1), "
        f"got {verbose!r}",
        argument="verbose",
    )


def _batch_size(batch_size, where: str, none_means: str) -> int | None:
    """Keras' `batch_size`: an integer ≥ 1 (numpy's too), or None (`none_means` says what it then is)."""
    if batch_size is None:
        return None
    if isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool) and batch_size >= 1:
        return int(batch_size)
    whole = isinstance(batch_size, float) and batch_size.is_integer() and batch_size >= 1
    raise InputError(
        f"{where}: batch_size must be an integer ≥ 1 (samples per batch) or None ({none_means}), got {batch_size!r}"
        + (f"; write {int(batch_size)}" if whole else ""),
        argument="batch_size",
    )


def _count(value, name: str, where: str) -> int:
    """An `epochs`-like argument: an integer ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InputError(f"{where}: {name} must be an integer ≥ 0, got {value!r}", argument=name)
    return int(value)


def _array(data, where: str, what: str) -> np.ndarray:
    """X or y as a numpy array; a ragged list is refused naming its first row of another length (numpy's own
    message says only 'inhomogeneous shape')."""
    if isinstance(data, Node):
        return np.asarray(data.data)
    try:
        return np.asarray(data)
    except ValueError as error:
        if not isinstance(data, (list, tuple)) or "inhomogeneous" not in str(error):
            raise
        message, row = _ragged(data, where, what)
        raise InputError(message, argument=what, row=row) from None


def _ragged(rows: Sequence, where: str, what: str) -> tuple[str, int | None]:
    def shape(row):
        try:
            return np.shape(row)
        except ValueError:  # a row that is itself ragged
            return None

    def described(form) -> str:
        if form is None:
            return "ragged rows itself"
        if form == ():
            return "a single number"
        return f"{form[0]} value{'s' if form[0] != 1 else ''}" if len(form) == 1 else f"shape {form}"

    shapes = [shape(row) for row in rows]
    bad = next((i for i, form in enumerate(shapes) if form != shapes[0]), None)
    if bad is None or shapes[0] is None:  # the rows agree at the top, or row 0 is ragged itself
        bad = next(i for i, form in enumerate(shapes) if form is None)
        where_it_is = f"row {bad} has {described(None)}"
    else:
        where_it_is = f"row 0 has {described(shapes[0])} but row {bad} has {described(shapes[bad])}"
    counts: dict = {}
    for form in shapes:
        counts[form] = counts.get(form, 0) + 1
    seen = ", ".join(f"{described(form)} ({n} row{'s' if n != 1 else ''})" for form, n in list(counts.items())[:5])
    noun = "targets" if what == "y" else "features"
    return (
        f"{where}: {what} is a ragged list: {where_it_is} (rows seen: {seen}). A model takes one row per sample, "
        f"every row with the same number of {noun}: pad the short rows or drop them.",
        bad,
    )


def _check_finite(array: np.ndarray, where: str, what: str) -> None:
    """Refuse nan/±inf in X or y, naming the first one's row (and column) and how many rows hold one."""
    if array.dtype.kind not in "fc" or array.size == 0:
        return
    finite = np.isfinite(array)
    if finite.all():
        return
    bad = np.argwhere(~finite)
    first = tuple(int(i) for i in bad[0])
    row = first[0]
    column = None if array.ndim < 2 else (first[1] if array.ndim == 2 else first[1:])
    place = f"row {row}" + ("" if column is None else f", column {column}")
    rows = len(np.unique(bad[:, 0]))
    axes = "" if array.ndim == 1 else f".all(axis={tuple(range(1, array.ndim)) if array.ndim > 2 else 1})"
    kept = "X[keep]" if where == "predict" else "X[keep], y[keep]"
    raise InputError(
        f"{where}: {what} holds {len(bad)} nan/inf value{'s' if len(bad) != 1 else ''} in {rows} "
        f"row{'s' if rows != 1 else ''}, the first ({array[first]}) at {place}. A model cannot learn from or predict "
        f"a missing value: drop those rows (keep = np.isfinite({what}){axes}, then {kept}) or fill them in (e.g. with "
        "the column's mean).",
        argument=what,
        row=row,
        column=column,
    )


# -- layers ----------------------------------------------------------------------------------------

_KERAS_INITIALIZERS = {"glorot_uniform": "xavier", "glorot_normal": "xavier_normal", "random_uniform": "uniform"}


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


class Dense(nn.Linear):
    """A fully connected layer with its activation: ``activation(x Wᵀ + b)`` (Keras' Dense on gradviz.nn.Linear).

    The weight matrix is built at the first call, from the input's last dimension, unless
    `input_dim` (or ``input_shape=(d,)``) gives it; Keras' default initialisation (Glorot uniform
    weights, zero biases). `activation`: 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu',
    'linear'/None, a Module or a function. ``layer.weight`` has shape (units, inputs), as in torch.

    >>> from gradviz import Tensor
    >>> layer = Dense(3, activation="softmax", seed=0)
    >>> layer.built
    False
    >>> probabilities = layer(Tensor(np.ones((2, 4))))
    >>> layer.weight.shape, probabilities.data.sum(axis=1).round(6).tolist()
    ((3, 4), [1.0, 1.0])
    """

    def __init__(
        self,
        units: int,
        activation: str | Module | Callable | None = None,
        use_bias: bool = True,
        kernel_initializer: str | Callable = "glorot_uniform",
        bias_initializer: str | Callable = "zeros",
        *,
        input_dim: int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        seed: int | None = None,
        dtype="float64",
    ) -> None:
        Module.__init__(self)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"Dense: units must be a positive integer (the layer's outputs), got {units!r}")
        self.units = self.out_features = int(units)
        self.in_features = _input_features(input_dim, input_shape, "Dense")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _KERAS_INITIALIZERS.get(kernel_initializer, kernel_initializer)
        self.bias_initializer = _KERAS_INITIALIZERS.get(bias_initializer, bias_initializer)
        get_initializer(self.kernel_initializer)  # unknown names fail here, listing the valid ones
        get_initializer(self.bias_initializer)
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self.weight = None
        self.bias = None
        if name is not None:
            self.name = name
        function = nn.get_activation(activation)
        self._activation_slot = None
        if not isinstance(function, nn.Identity):
            # the child is named after the activation, so the graph's scope reads 'sequential/dense/relu'
            slot = _module_key(function)
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
        return _activation_name(self.activation)

    def build(self, in_features: int, rng: np.random.Generator | None = None) -> Dense:
        """Create the weights for inputs with `in_features` features (drawn from `rng`, the layer's `seed`,
        or gradviz.nn's global generator); returns self."""
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
        self._relabel()
        return self

    def _relabel(self) -> None:
        for pname in ("weight", "bias"):
            p = getattr(self, pname)
            if p is not None:
                p.label = f"{self.name}.{pname}"

    def forward(self, x, logits: bool = False):
        x = _as_input(x, self.dtype)
        if not self.built:
            self.build(x.shape[-1])
        out = nn.Linear.forward(self, x)
        if logits or self._activation_slot is None:
            return out
        return getattr(self, self._activation_slot)(out)

    def extra_repr(self) -> str:
        inputs = self.in_features if self.in_features is not None else "?"
        return f"units={self.units}, inputs={inputs}, activation={self.activation_name}, use_bias={self.use_bias}"


class Activation(Module):
    """An activation as a layer of its own: ``Sequential([Dense(3), Activation("softmax")])``.

    >>> from gradviz import Tensor
    >>> Activation("relu")(Tensor([[-1.0, 2.0]])).data
    array([[0., 2.]])
    """

    def __init__(self, activation: str | Module | Callable, *, name: str | None = None) -> None:
        super().__init__()
        function = nn.get_activation(activation)
        self._slot = _module_key(function)
        self.add_module(self._slot, function)
        if name is not None:
            self.name = name

    @property
    def activation(self) -> Module:
        return getattr(self, self._slot)

    @property
    def activation_name(self) -> str:
        return _activation_name(self.activation)

    def forward(self, x, logits: bool = False):
        x = _as_input(x, None)
        return x if logits else self.activation(x)

    def extra_repr(self) -> str:
        return self.activation_name


class Flatten(nn.Flatten):
    """Each sample to one row: (N, 8, 8) images → (N, 64), for a Dense after it.

    >>> from gradviz import Tensor
    >>> Flatten()(Tensor(np.zeros((5, 8, 8)))).shape
    (5, 64)
    """

    def __init__(self, *, input_shape: Sequence[int] | None = None, name: str | None = None) -> None:
        super().__init__()
        self.input_shape = None if input_shape is None else tuple(int(d) for d in input_shape)
        if name is not None:
            self.name = name

    def forward(self, x):
        return super().forward(_as_input(x, None))


_ACTIVATION_TYPES = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.Softmax, nn.Identity)


def _module_key(module: Module) -> str:
    """A layer's default name: its activation's name ('relu') or its class in snake case ('dense', 'mlp')."""
    if isinstance(module, (*_ACTIVATION_TYPES, nn.OpActivation)) or type(module).__name__ == "Lambda":
        return _activation_name(module).strip("<>") or "lambda"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", type(module).__name__).lower()


def _activation_name(module: Module) -> str:
    if isinstance(module, nn.Identity):
        return "linear"
    if isinstance(module, nn.OpActivation):
        return module.op.name
    name = type(module).__name__
    if name == "Lambda":
        return getattr(module.function, "__name__", "lambda")
    return {"LeakyReLU": "leaky_relu"}.get(name, name.lower())


def _as_input(x, dtype) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError("keras layers work on batches (Tensors or numpy arrays), not on a scalar Value")
    return Tensor(np.asarray(x), dtype=dtype or "float64")


# -- losses -----------------------------------------------------------------------------------------


class _LossSpec:
    """A compiled loss: its Keras name, what targets it reads, and whether it is fused with the last activation."""

    def __init__(self, name: str, kind: str, function: Callable | None = None) -> None:
        self.name = name
        self.kind = kind  # categorical, sparse, binary, mse, mae, hinge, custom
        self.function = function

    def __repr__(self) -> str:
        return self.name


LOSSES: dict[str, str] = {
    "categorical_crossentropy": "categorical",
    "sparse_categorical_crossentropy": "sparse",
    "binary_crossentropy": "binary",
    "mse": "mse",
    "mean_squared_error": "mse",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "hinge": "hinge",
}
"""Loss names compile() accepts (Keras' names), each with the rule it stands for (``mae`` = ``mean_absolute_error``).

>>> import numpy as np
>>> from gradviz import keras
>>> keras.LOSSES["mean_absolute_error"], sorted(set(keras.LOSSES.values()))
('mae', ['binary', 'categorical', 'hinge', 'mae', 'mse', 'sparse'])
>>> model = keras.Sequential([keras.Dense(1, input_dim=1)], seed=0).compile("sgd", loss="mean_absolute_error")
>>> x, y = np.array([[0.0], [1.0]]), np.array([1.0, -1.0])
>>> bool(np.isclose(model.evaluate(x, y), np.abs(model.predict(x)[:, 0] - y).mean()))
True
"""

OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("sgd", {"lr": 0.01}),
    "momentum": ("sgd", {"lr": 0.01, "momentum": 0.9}),
    "nesterov": ("sgd", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    "nag": ("sgd", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    "adagrad": ("adagrad", {"lr": 0.001}),
    "adadelta": ("adadelta", {"lr": 1.0}),
    "rmsprop": ("rmsprop", {"lr": 0.001, "alpha": 0.9, "eps": 1e-7}),
    "adam": ("adam", {"lr": 0.001, "eps": 1e-7}),
    "adamw": ("adamw", {"lr": 0.001, "eps": 1e-7, "weight_decay": 0.004}),
}
"""Optimizer names compile() accepts, with Keras' default hyperparameters (Adadelta: lr 1.0, as its paper).

The optimizer is built when fit starts; compile's `learning_rate` overrides the rate.

>>> import numpy as np
>>> from gradviz import keras
>>> keras.OPTIMIZERS["nesterov"]
('sgd', {'lr': 0.01, 'momentum': 0.9, 'nesterov': True})
>>> model = keras.Sequential([keras.Dense(1, input_dim=1)], seed=0).compile("adam", "mse", learning_rate=0.1)
>>> history = model.fit(np.ones((4, 1)), np.ones(4), epochs=1, verbose=0)
>>> type(model.optimizer).__name__, model.optimizer.defaults["lr"], model.optimizer.defaults["eps"]
('Adam', 0.1, 1e-07)
"""


def _loss_spec(loss) -> _LossSpec:
    if isinstance(loss, _LossSpec):
        return loss
    if isinstance(loss, str):
        key = loss.lower().replace("-", "_")
        if key not in LOSSES:
            raise ValueError(
                f"unknown loss {loss!r}; valid names: {', '.join(LOSSES)} (or pass a loss Module/function "
                "(predictions, targets) -> loss)"
            )
        return _LossSpec(key, LOSSES[key])
    if callable(loss):
        name = _module_key(loss) if isinstance(loss, Module) else getattr(loss, "__name__", "loss")
        return _LossSpec(name, "custom", loss)
    raise TypeError(f"compile(loss=...) takes a loss name or a function/Module, got {type(loss).__name__}")


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1/(1+e^-z) without overflow


# -- the model --------------------------------------------------------------------------------------


class Sequential(Module):
    """Layers applied in order, with Keras' workflow: compile(), fit(), evaluate(), predict(), summary().

    Layers are :class:`Dense`, :class:`Activation`, :class:`Flatten` or any gradviz.nn Module;
    each is registered under a Keras-style name ('dense', 'dense_1', ...) that is also its name
    scope. `seed` makes the initial weights reproducible (else ``fit(seed=...)`` or
    ``gradviz.nn.manual_seed``).

    >>> model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(3, activation="softmax")], seed=0)
    >>> [layer.name for layer in model.layers]
    ['dense', 'dense_1']
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    <Sequential 'sequential': 2 layers, 67 parameters, compiled (adam, sparse_categorical_crossentropy)>
    """

    def __init__(self, layers: Iterable[Module] | None = None, *, name: str | None = None, seed: int | None = None):
        super().__init__()
        if name is not None:
            self.name = name
        self.seed = seed
        object.__setattr__(self, "_init_rng", np.random.default_rng(seed) if seed is not None else None)
        self.stop_training = False
        self.history: History | None = None
        object.__setattr__(self, "optimizer", None)
        object.__setattr__(self, "_loss", None)
        object.__setattr__(self, "_metric_names", [])
        object.__setattr__(self, "_optimizer_spec", None)
        object.__setattr__(self, "_learning_rate", None)
        object.__setattr__(self, "_input_shape", None)
        object.__setattr__(self, "_output_shapes", None)
        if isinstance(layers, Module):
            layers = [layers]
        for layer in layers or []:
            self.add(layer)

    # -- layers -------------------------------------------------------------------------------

    def add(self, layer: Module) -> Sequential:
        """Append a layer; returns the model. Its name is its own (``Dense(..., name="hidden")``) or 'dense',
        'dense_1', ... by type."""
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential takes layers (Dense, Activation, Flatten or gradviz.nn Modules), got "
                f"{type(layer).__name__} at position {len(self.layers)}"
            )
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"this layer ({layer.name}) is already in the model; create a new one for each position")
        name = layer._name or self._free_name(_module_key(layer))
        if name in self._module_names:
            raise ValueError(f"the model already has a layer named {name!r}; give each layer its own name")
        if hasattr(type(self), name) or name in self.__dict__:
            raise ValueError(f"{name!r} cannot name a layer: it is an attribute of Sequential; choose another name")
        setattr(self, name, layer)
        if isinstance(layer, Dense):
            layer._relabel()
        if not self.layers[:-1] and getattr(layer, "in_features", None) is not None and isinstance(layer, Dense):
            object.__setattr__(self, "_input_shape", (layer.in_features,))
        if isinstance(layer, Flatten) and layer.input_shape is not None and len(self.layers) == 1:
            object.__setattr__(self, "_input_shape", layer.input_shape)
        object.__setattr__(self, "_output_shapes", None)
        if self._input_shape is not None:
            self.build(self._input_shape)  # the input size is known: build now, as Keras does
        return self

    def _free_name(self, base: str) -> str:
        if base not in self._module_names:
            return base
        k = 1
        while f"{base}_{k}" in self._module_names:
            k += 1
        return f"{base}_{k}"

    @property
    def layers(self) -> list[Module]:
        """The layers, in order."""
        return list(self.children())

    def get_layer(self, name: str | None = None, index: int | None = None) -> Module:
        """A layer by name or position."""
        if index is not None:
            return self.layers[index]
        for layer_name, layer in self.named_children():
            if layer_name == name:
                return layer
        raise ValueError(f"no layer named {name!r}; the layers are: {', '.join(self._module_names)}")

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self._module_names)

    @property
    def weights(self) -> list[Tensor]:
        """Every parameter (weight matrices and biases), in layer order."""
        return self.parameters()

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the parameters as numpy arrays (Keras' get_weights)."""
        return [np.array(p.data) for p in self.parameters()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set the parameters from arrays in get_weights() order."""
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"set_weights: the model has {len(params)} parameter arrays, got {len(weights)}")
        for p, w in zip(params, weights, strict=True):
            w = np.asarray(w)
            if w.shape != p.data.shape:
                raise ShapeError(f"set_weights: {p.label} has shape {p.data.shape}, got {w.shape}")
            p.data[...] = w
            mark_modified(p)

    def save_weights(self, path) -> str:
        """Write the parameters to an .npz file (no pickle); returns the path."""
        self._require_built("save_weights")
        return self.save(path)

    def load_weights(self, path) -> Sequential:
        """Read parameters written by save_weights (build the model first, e.g. with the same input_dim)."""
        self._require_built("load_weights")
        return self.load(path)

    # -- building -----------------------------------------------------------------------------

    @property
    def built(self) -> bool:
        """Whether every layer has its weights."""
        return all(getattr(layer, "built", True) for layer in self.layers) and self._input_shape is not None

    def build(self, input_shape: int | Sequence[int], rng: np.random.Generator | None = None) -> Sequential:
        """Create every layer's weights for samples of `input_shape` (features per sample, e.g. 4 or (4,)) by
        passing one zero sample through; records each layer's output shape for summary()."""
        shape = (
            (int(input_shape),) if isinstance(input_shape, (int, np.integer)) else tuple(int(d) for d in input_shape)
        )
        if not self.layers:
            raise ValueError("this Sequential has no layers: add some with Sequential([Dense(...), ...]) or .add()")
        rng = rng if rng is not None else self._init_rng
        h = Tensor(np.zeros((1, *shape)), dtype=self._dtype())
        shapes = []
        with no_grad():
            for layer in self.layers:
                if isinstance(layer, Dense) and not layer.built:
                    layer.build(h.shape[-1], rng=rng)
                h = layer(h)
                shapes.append(tuple(h.shape[1:]))
        object.__setattr__(self, "_input_shape", shape)
        object.__setattr__(self, "_output_shapes", shapes)
        return self

    def _dtype(self):
        for layer in self.layers:
            if isinstance(layer, Dense):
                return layer.dtype
        return np.dtype("float64")

    def _require_built(self, where: str) -> None:
        if self._output_shapes is not None and self.built:
            return
        if self._input_shape is not None:
            self.build(self._input_shape)
            return
        raise ValueError(
            f"{where}: this model has not been built yet, so its weights do not exist. Give the first layer "
            "input_dim= (Dense(64, input_dim=4)), call model.build(n_features), or fit it first."
        )

    # -- the forward pass ---------------------------------------------------------------------

    def forward(self, x, logits: bool = False):
        """The layers in order; with ``logits=True`` the last activation is left out (fused into the loss)."""
        x = _as_input(x, self._dtype())
        layers = self.layers
        for i, layer in enumerate(layers):
            if logits and i == len(layers) - 1:
                if isinstance(layer, (Dense, Activation)):
                    return layer(x, logits=True)
                if isinstance(layer, (nn.Softmax, nn.Sigmoid)):
                    return x
            x = layer(x)
        return x

    def output_activation(self) -> str:
        """The name of the last activation: 'softmax', 'sigmoid', 'linear', 'relu', ..."""
        for layer in reversed(self.layers):
            if isinstance(layer, (Dense, Activation)):
                return layer.activation_name
            if isinstance(layer, (nn.Softmax, nn.Sigmoid, nn.ReLU, nn.Tanh, nn.LeakyReLU, nn.Identity)):
                return _activation_name(layer)
            if isinstance(layer, nn.Linear):
                return "linear"
            return "other"
        return "linear"

    # -- compile -------------------------------------------------------------------------------

    def compile(
        self,
        optimizer: str | _optim.Optimizer | type | Callable = "rmsprop",
        loss: str | Module | Callable | None = None,
        metrics: Sequence[str | Callable] | None = None,
        learning_rate: float | None = None,
    ) -> Sequential:
        """Choose the optimizer, the loss and the metrics; returns the model (so ``.compile(...).fit(...)`` chains).

        `optimizer`: a name (``OPTIMIZERS``: 'sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta',
        'rmsprop', 'adam', 'adamw' — Keras' default rates), a gradviz.optim class or
        ``functools.partial(optim.SGD, lr=0.1, momentum=0.9)`` (built on the parameters at fit), or
        an optimizer already built on ``model.parameters()``. `learning_rate` overrides the rate.

        `loss` (Keras' names, ``LOSSES``):

        * 'categorical_crossentropy': one-hot targets (N, C); integer labels (N,) are also accepted and
          read as class indices (the sparse rule);
        * 'sparse_categorical_crossentropy': integer labels (N,) in [0, C);
        * 'binary_crossentropy': 0/1 targets (N,) or (N, k), one sigmoid output per column;
        * 'mse', 'mae': regression targets (N,) or (N, k); 'hinge': labels ±1 (0/1 are mapped to −1/+1);
        * a function or loss Module ``(outputs, targets) -> loss``, applied to the model's outputs.

        A final softmax with a categorical loss (a final sigmoid with binary_crossentropy) is fused:
        the loss is computed from the pre-activation logits (``F.cross_entropy``,
        ``F.binary_cross_entropy_with_logits``), stable for any logits; a last layer without
        activation is read as logits too (Keras' from_logits=True).

        `metrics`: names from :data:`gradviz.metrics.METRICS` ('accuracy', 'precision', 'recall',
        'f1', 'mse', ...) or functions ``(y_true, y_pred) -> float``; multiclass precision/recall/F1
        are macro averages.
        """
        spec = _loss_spec(loss) if loss is not None else None
        if spec is None:
            raise ValueError(f"compile needs a loss: one of {', '.join(LOSSES)}, or a loss function/Module")
        names = []
        for metric in metrics or []:
            if isinstance(metric, str):
                _metrics.get_metric(metric)  # unknown names list the valid ones
                names.append(metric)
            elif callable(metric):
                names.append(metric)
            else:
                raise TypeError(f"compile(metrics=...) takes names or functions, got {type(metric).__name__}")
        if learning_rate is not None:  # the optimizers' own check (torch's range), now rather than at fit
            learning_rate = _check_hyperparameter("learning_rate", learning_rate, "compile", rule="lr")
        if isinstance(optimizer, str):
            if optimizer.lower() not in OPTIMIZERS:
                raise ValueError(f"unknown optimizer {optimizer!r}; valid names: {', '.join(OPTIMIZERS)}")
        elif not (isinstance(optimizer, _optim.Optimizer) or callable(optimizer)):
            raise TypeError(
                "compile(optimizer=...) takes a name, a gradviz.optim class, functools.partial(optim.SGD, lr=...) or "
                f"an optimizer; got {type(optimizer).__name__}"
            )
        if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
            optimizer = optimizer.lower()
        object.__setattr__(self, "_loss", spec)
        object.__setattr__(self, "_metric_names", names)
        object.__setattr__(self, "_optimizer_spec", optimizer)
        object.__setattr__(self, "_learning_rate", learning_rate)
        object.__setattr__(self, "optimizer", optimizer if isinstance(optimizer, _optim.Optimizer) else None)
        if self.built:
            self._check_loss_fits_output()
        return self

    @property
    def loss(self) -> str | Callable | None:
        """The compiled loss: its name, or the function given."""
        if self._loss is None:
            return None
        return self._loss.function if self._loss.kind == "custom" else self._loss.name

    @property
    def metrics_names(self) -> list[str]:
        """'loss' and each metric's name, in the order evaluate() returns them."""
        return ["loss", *(_metric_label(m) for m in self._metric_names)]

    def _check_compiled(self, where: str) -> None:
        if self._loss is None:
            raise RuntimeError(
                f"{where}: the model is not compiled; call model.compile(optimizer='adam', "
                "loss='sparse_categorical_crossentropy', metrics=['accuracy']) (or the loss that fits your targets) first"
            )

    def _check_loss_fits_output(self) -> None:
        kind, last = self._loss.kind, self.output_activation()
        if kind in ("categorical", "sparse") and last not in ("softmax", "linear"):
            raise ValueError(
                f"{self._loss.name} needs class probabilities: make the last layer's activation 'softmax' (or none, "
                f"for logits); it is {last!r}"
            )
        if kind == "binary" and last not in ("sigmoid", "linear"):
            raise ValueError(
                f"binary_crossentropy needs probabilities: make the last layer's activation 'sigmoid' (or none, for "
                f"logits); it is {last!r}"
            )

    def _make_optimizer(self) -> _optim.Optimizer:
        spec, params = self._optimizer_spec, self.parameters()
        if isinstance(spec, _optim.Optimizer):
            bound = {id(p) for p in spec.parameters()}
            if bound != {id(p) for p in params}:
                raise ValueError(
                    "the optimizer given to compile was built on other parameters than this model's; pass a class "
                    "or functools.partial(optim.Adam, lr=...) instead, or build the model first (model.build(n)) and "
                    "then optim.Adam(model.parameters())"
                )
            if self._learning_rate is not None:
                spec.lr = self._learning_rate
            return spec
        if isinstance(spec, str):
            name, options = OPTIMIZERS[spec]
            options = dict(options)
            if self._learning_rate is not None:
                options["lr"] = float(self._learning_rate)
            return _optim.OPTIMIZERS[name](params, **options)
        options = {} if self._learning_rate is None else {"lr": float(self._learning_rate)}
        optimizer = spec(params, **options)
        if not isinstance(optimizer, _optim.Optimizer):
            raise TypeError(f"compile(optimizer=...) built a {type(optimizer).__name__}, not a gradviz optimizer")
        return optimizer

    # -- data -----------------------------------------------------------------------------------

    def _inputs(self, x, where: str) -> np.ndarray:
        """X as fit, evaluate and predict (and the jax backend) read it, checked once for all of them."""
        X = _array(x, where, "X")
        if X.dtype.kind not in "biuf":
            raise TypeError(f"{where}: X must be numbers, got dtype {X.dtype}")
        _check_finite(X, where, "X")
        if X.ndim == 1:
            raise ShapeError(
                f"{where}: X has shape {X.shape}; a model takes one row per sample, shape (samples, features). "
                f"For one feature use X.reshape(-1, 1); for one sample X.reshape(1, -1)."
            )
        if X.ndim == 0 or len(X) == 0:
            raise ValueError(f"{where}: X is empty (shape {X.shape})")
        if self._input_shape is not None and X.shape[1:] != self._input_shape:
            raise ShapeError(
                f"{where}: the model takes samples of shape {self._input_shape} (input_dim "
                f"{self._input_shape[0] if len(self._input_shape) == 1 else self._input_shape}), but X has shape "
                f"{X.shape}, i.e. samples of shape {X.shape[1:]}"
            )
        return X.astype(self._dtype(), copy=False)

    def _ensure_ready(self, X: np.ndarray, where: str, rng: np.random.Generator | None = None) -> None:
        if self._output_shapes is None or not self.built:
            self.build(X.shape[1:], rng=rng)
        self._check_loss_fits_output()

    def _targets(self, y, n: int, where: str) -> tuple[np.ndarray, np.ndarray]:
        """(what the loss reads, what the metrics read) from the user's targets."""
        Y = _array(y, where, "y")
        if Y.ndim == 0 or len(Y) != n:
            raise ShapeError(
                f"{where}: X has {n} samples but y has {0 if Y.ndim == 0 else len(Y)}; give one target per sample"
            )
        outputs = self._output_shapes[-1]
        width = outputs[-1] if outputs else 1
        kind, name = self._loss.kind, self._loss.name
        if Y.dtype.kind not in "biuf":
            raise TypeError(
                f"{where}: y must hold numbers (class indices or values), got dtype {Y.dtype}; encode string labels "
                "as integers first (e.g. np.unique(y, return_inverse=True)[1])"
            )
        _check_finite(Y, where, "y")
        whole = Y.dtype.kind in "biu" or bool(np.all(np.isfinite(Y)) and np.all(Y == np.round(Y)))
        if kind in ("categorical", "sparse"):
            if Y.ndim == 2 and Y.shape[1] == 1:
                Y = Y[:, 0]
            if Y.ndim == 1:
                if not whole:
                    raise ValueError(f"{where}: {name} with 1-D targets needs integer class labels, got {Y[:5]}")
                labels = Y.astype(np.int64)
                if labels.min() < 0 or labels.max() >= width:
                    bad = labels[(labels < 0) | (labels >= width)][0]
                    raise ValueError(
                        f"{where}: label {bad} is not a class of the last layer, which has {width} units (classes "
                        f"0..{width - 1}); use Dense({int(labels.max()) + 1}) for {int(labels.max()) + 1} classes"
                    )
                return labels, labels
            if kind == "sparse":
                raise ShapeError(
                    f"{where}: sparse_categorical_crossentropy takes integer labels of shape ({n},), got shape "
                    f"{Y.shape}. For one-hot rows use loss='categorical_crossentropy', or pass y.argmax(axis=1)."
                )
            if Y.ndim != 2 or Y.shape[1] != width:
                raise ShapeError(
                    f"{where}: categorical_crossentropy needs one-hot targets of shape ({n}, {width}) (one column per "
                    f"unit of the last layer), got {Y.shape}"
                )
            Y = Y.astype(self._dtype())
            return Y, Y.argmax(axis=1)
        if kind == "custom":
            if Y.ndim == 1 and tuple(outputs) == (1,):
                Y = Y.reshape(-1, 1)
            return Y, Y
        Y = Y.astype(self._dtype())
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape[1:] != tuple(outputs):
            raise ShapeError(
                f"{where}: the model outputs samples of shape {tuple(outputs)} but y has shape {Y.shape}; "
                + (
                    f"for {Y.shape[1]} targets per sample end the model with Dense({Y.shape[1]})"
                    if Y.ndim == 2
                    else "give one target row per sample"
                )
            )
        if kind == "binary":
            if np.any((Y < 0) | (Y > 1)):
                raise ValueError(
                    f"{where}: binary_crossentropy needs targets in [0, 1], got values from {Y.min():g} to {Y.max():g}"
                    + (". For −1/+1 labels use (y + 1) / 2." if np.all(np.isin(Y, (-1.0, 1.0))) else "")
                )
            return Y, (Y[:, 0].astype(np.int64) if width == 1 and whole else Y)
        if kind == "hinge":
            if np.all(np.isin(Y, (0.0, 1.0))):
                Y = 2.0 * Y - 1.0  # Keras' rule: 0/1 labels become −1/+1
            if not np.all(np.isin(Y, (-1.0, 1.0))):
                raise ValueError(f"{where}: hinge needs labels −1/+1 (or 0/1), got values {np.unique(Y)[:5].tolist()}")
            return Y, (Y[:, 0].astype(np.int64) if width == 1 else Y)
        return Y, Y

    # -- one batch ------------------------------------------------------------------------------

    def _fused(self) -> bool:
        """Whether the loss reads the logits (a final softmax/sigmoid fused into a cross-entropy)."""
        return self._loss.kind in ("categorical", "sparse", "binary")

    def _loss_of(self, out: Tensor, yb: np.ndarray) -> Tensor:
        """The batch's loss node from the model's output (the logits when :meth:`_fused`)."""
        kind = self._loss.kind
        if kind in ("categorical", "sparse"):
            return F.cross_entropy(out, yb)
        if kind == "binary":
            return F.binary_cross_entropy_with_logits(out, yb)
        if kind == "mse":
            return F.mse(out, yb)
        if kind == "mae":
            return nn.l1_loss(out, Tensor(yb, dtype=out.dtype))
        if kind == "hinge":
            return nn.hinge_loss(out, Tensor(yb, dtype=out.dtype))
        loss = self._loss.function(out, Tensor(yb, dtype=out.dtype if yb.dtype.kind == "f" else None))
        if not isinstance(loss, Tensor) or loss.size != 1:
            raise TypeError(
                f"the loss function {self._loss.name} must return a one-element Tensor, got "
                f"{type(loss).__name__}{getattr(loss, 'shape', '')}"
            )
        return loss

    def _loss_and_outputs(self, xb: Tensor, yb: np.ndarray, with_outputs: bool = True) -> tuple[Tensor, np.ndarray]:
        """The batch's loss node and the outputs the metrics read (probabilities, or scores for hinge)."""
        fused = self._fused()
        out = self(xb, logits=fused)
        loss = self._loss_of(out, yb)
        if not with_outputs:
            return loss, None
        if not fused:
            return loss, np.asarray(out.data)
        z = np.asarray(out.data, dtype=np.float64)
        return loss, _softmax_rows(z) if self._loss.kind != "binary" else _sigmoid(z)

    def _metric_values(self, y_true: np.ndarray, outputs: np.ndarray) -> dict[str, float]:
        values = {}
        classes = outputs.shape[-1] if outputs.ndim == 2 else 1
        for metric in self._metric_names:
            label = _metric_label(metric)
            if callable(metric):
                values[label] = float(metric(y_true, outputs))
                continue
            function = _metrics.get_metric(metric)
            options: dict[str, Any] = {}
            if function in (_metrics.precision, _metrics.recall, _metrics.f1_score):
                options["average"] = (
                    "macro" if classes > 2 or self._loss.kind in ("categorical", "sparse") else "binary"
                )
            if self._loss.kind == "hinge" and function in (
                _metrics.accuracy,
                _metrics.precision,
                _metrics.recall,
                _metrics.f1_score,
            ):
                options["threshold"] = 0.0
                if function is not _metrics.accuracy:
                    options.pop("average", None)
            values[label] = float(function(y_true, outputs, **options))
        return values

    def _nan_error(self, value: float, epoch: int, batch: int, batches: int, xb: Tensor) -> NonFiniteLossError:
        culprit, why = None, ""
        for layer_name, layer in self.named_children():
            bad = [n for n, p in layer.named_parameters() if not np.all(np.isfinite(p.data))]
            if bad:
                culprit, why = layer_name, f"its parameters {', '.join(bad)} hold nan/inf"
                break
        if culprit is None:
            h = xb
            with no_grad():
                if not np.all(np.isfinite(h.data)):
                    culprit, why = "input", "the input batch holds nan/inf (clean the data)"
                else:
                    for layer_name, layer in self.named_children():
                        h = layer(h)
                        if not np.all(np.isfinite(h.data)):
                            culprit, why = layer_name, "its output is the first that is not finite"
                            break
        where = (
            f"layer {culprit!r}: {why}" if culprit else "every layer's output is finite, so the loss itself overflowed"
        )
        rate = getattr(self.optimizer, "lr", None)
        return NonFiniteLossError(
            f"fit: the loss became {value} at epoch {epoch + 1}, batch {batch + 1} of {batches}; {where}. The weights "
            f"probably diverged: lower the learning rate (now {rate:g}), standardise X, or check the targets."
            if rate is not None
            else f"fit: the loss became {value} at epoch {epoch + 1}, batch {batch + 1} of {batches}; {where}.",
            epoch=epoch,
            batch=batch,
            layer=culprit if culprit not in (None, "input") else None,
        )

    # -- fit / evaluate / predict -------------------------------------------------------------------

    def fit(
        self,
        x,
        y,
        epochs: int = 1,
        batch_size: int | None = 32,
        verbose: int = 1,
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple | None = None,
        shuffle: bool = True,
        seed: int | None = None,
        initial_epoch: int = 0,
        backend: str | None = None,
        dtype: str | None = None,
        devices: Any = None,
        dashboard: bool = False,
    ) -> History:
        """Train for `epochs` passes over (x, y) in mini-batches of `batch_size`; returns a :class:`History`.

        `validation_split`: the last fraction of the samples (taken before shuffling, as Keras) is held out
        and evaluated after each epoch; or give `validation_data` = (X_val, y_val). `shuffle` reorders the
        training samples every epoch, from `seed` (which also draws the initial weights of layers not built
        yet). `verbose`: 0 silent, 1 a progress bar (tqdm when installed, else a text line per epoch),
        2 one line per epoch. `callbacks`: EarlyStopping, GradientRecorder, ... (gradviz.callbacks).
        The epoch's loss and metrics are averaged over its batches, computed before each update (as Keras).
        A nan/inf loss stops with :class:`NonFiniteLossError`, naming the epoch, the batch and the layer.

        `backend`: 'numpy' (gradviz's engine) or 'jax' (one jitted step per batch on CPU/GPU/TPU, data-parallel
        over `devices`); None uses :func:`gradviz.backends.current` ('numpy' unless ``gradviz.backends.use``
        changed it). `dtype` ('float32', 'float64', 'bfloat16'; None: the model's dtype on the CPU, float32 on a
        GPU/TPU) and `devices` (None: every device JAX sees; a number, or a list of jax devices) apply to the jax
        backend only (see :mod:`gradviz.backends.jax`). The History,
        metrics and callbacks are the same on both, and the trained weights are this model's afterwards (on jax they
        come back at the end of every epoch; a callback with per-batch hooks makes it run and report batch by batch).
        `dashboard=True` shows live training panels in the notebook while fit runs — loss and metric curves, each
        layer's gradient size, the decision boundary for 2-D inputs — (:class:`gradviz.widgets.FitDashboard`, needs
        ipywidgets); the dashboard stays in ``model.dashboard``.
        """
        where = "fit"
        backend = _backends.resolve(backend, where)
        if backend == "jax":
            _backends.require_jax()
            from .backends import jax as _jax_backend

            # checked here, before a dashboard shows or weights are drawn; the runner trains with what was chosen
            jax_options = _jax_backend._options(self, dtype, devices)
        elif dtype is not None or devices is not None:
            raise ValueError(
                "fit: dtype= and devices= choose the jax backend's precision and devices; the numpy backend trains in "
                "the model's own dtype (Dense(..., dtype='float32')) on the CPU. Pass backend='jax' with them, or "
                "leave them out."
            )
        self._check_compiled(where)
        epochs, initial_epoch = _count(epochs, "epochs", where), _count(initial_epoch, "initial_epoch", where)
        batch_size = _batch_size(batch_size, where, "Keras' default, 32")
        batch_size = 32 if batch_size is None else batch_size
        verbose = _verbosity(verbose, where)
        if (
            isinstance(validation_split, bool)
            or not isinstance(validation_split, numbers.Real)
            or not 0.0 <= validation_split < 1.0
        ):
            raise InputError(
                f"fit: validation_split must be a fraction in [0, 1) (the share of samples held out), got "
                f"{validation_split!r}",
                argument="validation_split",
            )
        if validation_split and validation_data is not None:
            raise ValueError("fit: give validation_split or validation_data, not both")
        rng = np.random.default_rng(seed) if seed is not None else None
        X = self._inputs(x, where)
        self._ensure_ready(X, where, rng)
        Y, Y_metric = self._targets(y, len(X), where)
        X_val = Y_val = Y_val_metric = None
        if validation_split:
            n_val = int(math.floor(len(X) * validation_split))
            if n_val < 1 or n_val >= len(X):
                raise ValueError(
                    f"fit: validation_split={validation_split} of {len(X)} samples leaves {n_val} for validation; "
                    "both parts need at least one sample"
                )
            X, X_val = X[:-n_val], X[-n_val:]
            Y, Y_val = Y[:-n_val], Y[-n_val:]
            Y_metric, Y_val_metric = Y_metric[:-n_val], Y_metric[-n_val:]
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("fit: validation_data must be a pair (X_val, y_val)")
            X_val = self._inputs(validation_data[0], "fit(validation_data)")
            Y_val, Y_val_metric = self._targets(validation_data[1], len(X_val), "fit(validation_data)")
        if isinstance(self._optimizer_spec, _optim.Optimizer):
            object.__setattr__(self, "optimizer", self._make_optimizer())  # checks it holds this model's parameters
        elif self.optimizer is None or {id(p) for p in self.optimizer.parameters()} != {
            id(p) for p in self.parameters()
        }:
            object.__setattr__(self, "optimizer", self._make_optimizer())  # kept across fit calls, as Keras
        shuffle_rng = rng if rng is not None else default_rng()

        n = len(X)
        steps = -(-n // batch_size)
        history = History()
        callbacks = list(callbacks or [])
        if dashboard:
            board = _callbacks.named("dashboard", x=x, y=y)  # gradviz.widgets.FitDashboard
            board.show()
            object.__setattr__(self, "dashboard", board)
            callbacks.append(board)
        callback_list = CallbackList([*callbacks, history])
        callback_list.set_model(self)
        params = {"epochs": int(epochs), "steps": steps, "batch_size": batch_size, "samples": n, "verbose": verbose}
        callback_list.set_params(params)
        history.params = params
        self.history = history
        self.stop_training = False
        progress = _training.Progress(verbose, epochs, steps)
        if backend == "jax":
            runner = _jax_backend.Runner(self, X, Y, options=jax_options, verbose=verbose)
        else:
            runner = _training.NumpyRunner(self, X, Y)
        return _training.train(
            self,
            runner,
            (X, Y, Y_metric),
            None if X_val is None else (X_val, Y_val, Y_val_metric),
            epochs=int(epochs),
            initial_epoch=int(initial_epoch),
            batch_size=batch_size,
            shuffle=bool(shuffle),
            shuffle_rng=shuffle_rng,
            callbacks=callback_list,
            progress=progress,
        )

    def _evaluate_arrays(self, X, Y, Y_metric, batch_size: int | None) -> dict[str, float]:
        step = len(X) if batch_size is None else int(batch_size)
        total, outputs = 0.0, []
        dtype = self._dtype()
        with no_grad():
            for start in range(0, len(X), step):
                loss, out = self._loss_and_outputs(
                    Tensor(X[start : start + step], dtype=dtype), Y[start : start + step]
                )
                total += float(loss.item()) * len(out)
                outputs.append(out)
        return self._logs(total / len(X), Y_metric, outputs)

    def _logs(
        self,
        loss: float,
        Y_metric: np.ndarray,
        outputs: list[np.ndarray],
        validation: dict[str, float] | None = None,
    ) -> dict[str, float]:
        """What fit and evaluate report, on either backend: the mean `loss`, each compiled metric of the batches'
        `outputs` (in order) against `Y_metric`, then the `validation` values prefixed ``val_``."""
        logs = {"loss": loss}
        if self._metric_names:
            logs.update(self._metric_values(Y_metric, np.concatenate(outputs)))
        if validation is not None:
            logs.update({f"val_{key}": value for key, value in validation.items()})
        return logs

    def evaluate(self, x, y, batch_size: int | None = None, verbose: int = 0, return_dict: bool = False):
        """The loss and metrics on (x, y): ``[loss, metric, ...]`` (just the loss without metrics), or a dict with
        ``return_dict=True``. `batch_size` None evaluates everything at once.

        >>> model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
        >>> model.set_weights([np.array([[2.0]]), np.array([0.0])])
        >>> model.evaluate(np.array([[1.0], [2.0]]), np.array([2.0, 5.0]))
        0.5
        """
        where = "evaluate"
        self._check_compiled(where)
        batch_size = _batch_size(batch_size, where, "all the samples at once")
        verbose = _verbosity(verbose, where)
        X = self._inputs(x, where)
        self._ensure_ready(X, where)
        Y, Y_metric = self._targets(y, len(X), where)
        was_training = self.training
        self.eval()
        values = self._evaluate_arrays(X, Y, Y_metric, batch_size)
        self.train(was_training)
        if verbose:
            print(" - ".join(f"{key}: {value:.4f}" for key, value in values.items()))
        if return_dict:
            return values
        return values["loss"] if len(values) == 1 else list(values.values())

    def predict(self, x, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """The model's outputs as a numpy array (probabilities after a final softmax/sigmoid), shape (N, units).

        >>> model = Sequential([Dense(3, activation="softmax", input_dim=2)], seed=0)
        >>> model.predict(np.zeros((4, 2))).sum(axis=1).round(6).tolist()
        [1.0, 1.0, 1.0, 1.0]
        """
        batch_size = _batch_size(batch_size, "predict", "all the samples at once")
        _verbosity(verbose, "predict")
        X = self._inputs(x, "predict")
        if self._output_shapes is None or not self.built:
            self.build(X.shape[1:])
        step = len(X) if batch_size is None else batch_size
        was_training = self.training
        self.eval()
        with no_grad():
            parts = [np.array(self(Tensor(X[i : i + step], dtype=self._dtype())).data) for i in range(0, len(X), step)]
        self.train(was_training)
        return np.concatenate(parts)

    def predict_classes(self, x) -> np.ndarray:
        """Class labels: argmax of a softmax output, probability > 0.5 for one sigmoid unit; a last layer without
        activation is read as logits when the model is compiled with a classification loss (argmax, logit > 0;
        score > 0 for hinge). Any other model predicts values, not classes: it is refused, saying so.

        >>> model = Sequential([Dense(3, activation="softmax", input_dim=2)], seed=0)
        >>> model.predict_classes(np.zeros((2, 2))).tolist()
        [0, 0]
        """
        kind = None if self._loss is None else self._loss.kind
        last = self.output_activation()
        logits = last == "linear" and kind in ("categorical", "sparse", "binary")
        if last not in ("softmax", "sigmoid") and not logits and kind != "hinge":
            compiled = f" and the model is compiled with loss {self._loss.name!r}" if self._loss is not None else ""
            raise InputError(
                f"predict_classes: this model predicts values, not classes: its last layer's activation is {last!r} "
                f"(not softmax or sigmoid){compiled}, so its outputs are not class scores. Use model.predict(x) for "
                "the values; for a classifier end the model with Dense(classes, activation='softmax') (or Dense(1, "
                "activation='sigmoid') for two classes) and compile it with a cross-entropy loss.",
                argument="model",
            )
        out = self.predict(x)
        if out.shape[-1] > 1:
            return out.argmax(axis=-1)
        threshold = 0.5 if last == "sigmoid" else 0.0  # a probability, or a logit/score
        return (out[:, 0] > threshold).astype(np.int64)

    # -- display --------------------------------------------------------------------------------

    def summary(self, print_fn: Callable[[str], Any] | None = print) -> str:
        """Print (with `print_fn`; None prints nothing) and return a Keras-like table: each layer's name and type,
        output shape and parameter count, and the totals.

        >>> text = Sequential([Dense(64, activation="relu", input_dim=4), Dense(3, activation="softmax")]).summary()
        Model: "sequential"
        _____________________________________________________________________
         Layer (type)                  Output Shape               Param #
        =====================================================================
         dense (Dense, relu)           (None, 64)                 320
         dense_1 (Dense, softmax)      (None, 3)                  195
        =====================================================================
        Total params: 515
        Trainable params: 515
        Non-trainable params: 0
        _____________________________________________________________________
        """
        self._require_built("summary")
        width = (30, 27, 12)
        rule = "_" * sum(width)
        lines = [
            f'Model: "{self.name}"',
            rule,
            _row(("Layer (type)", "Output Shape", "Param #"), width),
            "=" * sum(width),
        ]
        total = trainable = 0
        for (name, layer), shape in zip(self.named_children(), self._output_shapes, strict=True):
            count = layer.num_parameters()
            total += count
            trainable += sum(p.data.size for p in layer.parameters() if p.requires_grad)
            description = f"{name} ({type(layer).__name__})"
            if isinstance(layer, Dense) and layer.activation_name != "linear":
                description = f"{name} ({type(layer).__name__}, {layer.activation_name})"
            lines.append(_row((description, str((None, *shape)), f"{count:,}"), width))
        lines += [
            "=" * sum(width),
            f"Total params: {total:,}",
            f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}",
            rule,
        ]
        text = "\n".join(lines)
        if print_fn is not None:
            print_fn(text)
        return text

    def __repr__(self) -> str:
        state = "built" if self.built else "not built"
        count = self.num_parameters() if self.built else "?"
        compiled = (
            f"compiled ({_optimizer_label(self._optimizer_spec)}, {self._loss.name})" if self._loss else "not compiled"
        )
        if not self.built:
            return f"<Sequential {self.name!r}: {len(self)} layers, {state}, {compiled}>"
        return f"<Sequential {self.name!r}: {len(self)} layers, {count} parameters, {compiled}>"


def _row(cells: Sequence[str], width: Sequence[int]) -> str:
    return " " + "".join(cell.ljust(w - 1) + " " for cell, w in zip(cells, width, strict=True)).rstrip()


def _metric_label(metric) -> str:
    if isinstance(metric, str):
        return metric
    if isinstance(metric, functools.partial):
        return getattr(metric.func, "__name__", "metric")
    return getattr(metric, "__name__", type(metric).__name__.lower())


def _optimizer_label(spec) -> str:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, functools.partial):
        return getattr(spec.func, "__name__", "optimizer").lower()
    if isinstance(spec, type):
        return spec.__name__.lower()
    return type(spec).__name__.lower()
