"""Keras 3's Sequential model on gradviz's Modules — compile, fit, evaluate, predict, summary, save — and
``load_model`` / ``save_model`` / ``clone_model``.

fit, evaluate and predict take Keras' arguments in Keras' order and with its defaults (``fit(x, y,
batch_size=None, epochs=1, verbose="auto", ...)``, batch size 32); gradviz's own options come after, as
keywords: ``seed=``, ``backend=``, ``dtype=``, ``devices=``, ``dashboard=``, ``resume_from=``,
``per_process_data=`` (fit) and ``learning_rate=`` (compile).

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.data import make_moons
>>> X, y = make_moons(200, noise=0.1, seed=0)
>>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(16, activation="relu"),
...                           keras.layers.Dense(1, activation="sigmoid")], seed=0)
>>> model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
<Sequential 'sequential': 2 layers, 65 parameters, compiled (adam, binary_crossentropy)>
>>> history = model.fit(X, y, 32, 30, verbose=0, validation_split=0.2, seed=0)     # batch_size 32, 30 epochs
>>> sorted(history.history)
['accuracy', 'loss', 'val_accuracy', 'val_loss']
>>> model.evaluate(X, y, verbose=0, return_dict=True)["accuracy"] > 0.95
True
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .. import backends as _backends
from .. import callbacks as _callbacks
from .. import metrics as _metrics
from .. import nn
from .. import optim as _optim
from .. import training as _training
from ..callbacks import Callback, CallbackList, History
from ..context import no_grad
from ..errors import ShapeError
from ..nn.init import default_rng
from ..nn.module import Module
from ..optim.optimizers import check_hyperparameter as _check_hyperparameter
from ..tensor import Tensor
from . import _checks
from . import layers as _layers
from . import losses as _losses
from . import metrics as _keras_metrics
from . import optimizers as _keras_optimizers
from ._checks import InputError, NonFiniteLossError
from .layers import Activation, Dense, Flatten, InputLayer, KerasTensor, Layer

__all__ = ["Sequential", "load_model", "save_model", "clone_model"]


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1/(1+e^-z) without overflow


class _Metric:
    """One compiled metric: its history `label`, and a Keras metric object, a function or a gradviz.metrics name."""

    def __init__(self, spec, label: str) -> None:
        self.spec = spec
        self.label = label

    @property
    def keras(self) -> bool:
        return isinstance(self.spec, _keras_metrics.Metric)


def _metric(spec) -> _Metric:
    if isinstance(spec, str):
        if _keras_metrics.is_keras_name(spec):
            metric = _keras_metrics.get(spec)
            return _Metric(metric, metric.name if spec in _keras_metrics._CLASSES else spec.lower())
        name = "accuracy" if spec == "acc" else spec
        _metrics.get_metric(name)  # unknown names list the valid ones
        return _Metric(name, spec)
    if isinstance(spec, _keras_metrics.Metric):
        return _Metric(spec, spec.name)
    if callable(spec):
        if isinstance(spec, functools.partial):
            return _Metric(spec, getattr(spec.func, "__name__", "metric"))
        return _Metric(spec, getattr(spec, "__name__", type(spec).__name__.lower()))
    raise TypeError(
        f"compile(metrics=...) takes names, keras.metrics objects or functions (y_true, y_pred), got "
        f"{type(spec).__name__}"
    )


class Sequential(Layer):
    """Layers applied in order, with Keras 3's workflow: compile(), fit(), evaluate(), predict(), summary(),
    save().

    Layers are keras.layers (Dense, Activation, Flatten, Dropout) or any gradviz.nn Module, after an optional
    ``keras.Input(shape=...)`` that gives the input size; each is registered under a Keras-style name
    ('dense', 'dense_1', ...) that is also its name scope in every picture. `seed` (gradviz's) makes the initial
    weights reproducible (else ``fit(seed=...)``, ``keras.utils.set_random_seed`` or ``gradviz.nn.manual_seed``).

    >>> from gradviz.keras import Input, layers
    >>> model = Sequential([Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.Dense(3, activation="softmax")],
    ...                    seed=0)
    >>> [layer.name for layer in model.layers]
    ['dense', 'dense_1']
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    <Sequential 'sequential': 2 layers, 67 parameters, compiled (adam, sparse_categorical_crossentropy)>
    """

    def __init__(
        self,
        layers: Iterable[Module] | None = None,
        trainable: bool = True,
        name: str | None = None,
        *,
        seed: int | None = None,
    ):
        super().__init__()
        if name is not None:
            self.name = name
        self.seed = seed
        object.__setattr__(self, "_init_rng", np.random.default_rng(seed) if seed is not None else None)
        self.stop_training = False
        self.history: History | None = None
        for key, value in (
            ("optimizer", None),
            ("_loss", None),
            ("_metric_list", []),
            ("_optimizer_spec", None),
            ("_optimizer_name", None),
            ("_learning_rate", None),
            ("_input_shape", None),
            ("_output_shapes", None),
            ("_compile_options", {}),
            ("_trainable", bool(trainable)),
        ):
            object.__setattr__(self, key, value)
        if isinstance(layers, (Module, KerasTensor, InputLayer)):
            layers = [layers]
        for layer in layers or []:
            self.add(layer)

    # -- layers -------------------------------------------------------------------------------

    def add(self, layer: Module | KerasTensor | InputLayer, rebuild: bool = True) -> Sequential:
        """Append a layer; returns the model. A ``keras.Input(shape=...)`` (or InputLayer) first gives the input
        size. A layer's name is its own (``Dense(..., name="hidden")``) or 'dense', 'dense_1', ... by type."""
        if isinstance(layer, (KerasTensor, InputLayer)):
            if self.layers or self._input_shape is not None:
                raise ValueError(
                    "keras.Input / InputLayer must come first in a Sequential, before any layer (it gives the input "
                    "size)"
                )
            shape = layer.shape if isinstance(layer, KerasTensor) else layer.batch_shape
            object.__setattr__(self, "_input_shape", tuple(shape[1:]))
            return self
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential takes layers (keras.layers.Dense, Activation, Flatten, Dropout or gradviz.nn Modules), "
                f"got {type(layer).__name__} at position {len(self.layers)}"
            )
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"this layer ({layer.name}) is already in the model; create a new one for each position")
        name = layer._name or self._free_name(_layers.module_key(layer))
        if name in self._module_names:
            raise ValueError(f"the model already has a layer named {name!r}; give each layer its own name")
        if hasattr(type(self), name) or name in self.__dict__:
            raise ValueError(f"{name!r} cannot name a layer: it is an attribute of Sequential; choose another name")
        setattr(self, name, layer)
        if isinstance(layer, Dense):
            layer.relabel()
        first = len(self.layers) == 1
        if first and self._input_shape is None:
            if isinstance(layer, Dense) and layer.in_features is not None:
                object.__setattr__(self, "_input_shape", (layer.in_features,))
            if isinstance(layer, Flatten) and layer.input_shape is not None:
                object.__setattr__(self, "_input_shape", layer.input_shape)
        object.__setattr__(self, "_output_shapes", None)
        if rebuild and self._input_shape is not None:
            self.build(self._input_shape)  # the input size is known: build now, as Keras does
        return self

    def pop(self, rebuild: bool = True) -> Module:
        """Remove the last layer and return it, as Keras' ``Sequential.pop()``.

        >>> model = Sequential([Dense(4, input_dim=2), Dense(1)], seed=0)
        >>> type(model.pop()).__name__, len(model.layers), model.output_shape
        ('Dense', 1, (None, 4))
        """
        if not self.layers:
            raise IndexError("pop: this Sequential has no layers to remove")
        name = self._module_names[-1]
        layer = getattr(self, name)
        delattr(self, name)
        object.__setattr__(self, "_output_shapes", None)
        if rebuild and self.layers and self._input_shape is not None:
            self.build(self._input_shape)
        return layer

    def _free_name(self, base: str) -> str:
        if base not in self._module_names:
            return base
        k = 1
        while f"{base}_{k}" in self._module_names:
            k += 1
        return f"{base}_{k}"

    @property
    def layers(self) -> list[Module]:
        """The layers, in order (keras.Input is not one of them, as in Keras)."""
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
    def input_shape(self) -> tuple | None:
        """(None, *one sample's shape), once known."""
        return None if self._input_shape is None else (None, *self._input_shape)

    @property
    def output_shape(self) -> tuple | None:
        """(None, *the last layer's output shape), once built."""
        return None if not self._output_shapes else (None, *self._output_shapes[-1])

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as numpy arrays in Keras' order and layout: each Dense's kernel as (inputs,
        units), then its bias (gradviz's own parameter ``layer.weight`` is the kernel's transpose).

        >>> model = Sequential([Dense(3, input_dim=2)], seed=0)
        >>> [w.shape for w in model.get_weights()], model.layers[0].weight.shape
        ([(2, 3), (3,)], (3, 2))
        """
        self._require_built("get_weights")
        return super().get_weights()

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set the weights from arrays in get_weights() order and layout (kernels as (inputs, units)).

        >>> model = Sequential([Dense(1, input_dim=2)], seed=0)
        >>> model.set_weights([np.array([[1.0], [2.0]]), np.array([0.5])])
        >>> model.predict(np.array([[1.0, 1.0]]), verbose=0)
        array([[3.5]])
        """
        self._require_built("set_weights")
        super().set_weights(weights)

    def count_params(self) -> int:
        """The number of weights of the model (its parameters' scalars)."""
        self._require_built("count_params")
        return self.num_parameters()

    # -- building -----------------------------------------------------------------------------

    @property
    def built(self) -> bool:
        """Whether every layer has its weights."""
        return all(getattr(layer, "built", True) for layer in self.layers) and self._input_shape is not None

    def build(self, input_shape, rng: np.random.Generator | None = None) -> Sequential:
        """Create every layer's weights for samples of `input_shape` — Keras' (None, 4), or one sample's shape (4,)
        or 4 — by passing one zero sample through; records each layer's output shape for summary()."""
        if isinstance(input_shape, (int, np.integer)):
            shape = (int(input_shape),)
        else:
            shape = tuple(input_shape)
            if shape and shape[0] is None:  # Keras' form, with the batch axis
                shape = shape[1:]
            shape = tuple(int(d) for d in shape)
        if not self.layers:
            raise ValueError("this Sequential has no layers: add some with Sequential([Dense(...), ...]) or .add()")
        rng = rng if rng is not None else self._init_rng
        h = Tensor(np.zeros((1, *shape)), dtype=self._dtype())
        shapes = []
        was_training = self.training
        self.eval()  # a dropout layer draws no mask (and no random number) here
        try:
            with no_grad():
                for layer in self.layers:
                    if isinstance(layer, Dense) and not layer.built:
                        layer.build(h.shape[-1], rng=rng)
                    h = layer(h)
                    shapes.append(tuple(h.shape[1:]))
        finally:
            self.train(was_training)
        object.__setattr__(self, "_input_shape", shape)
        object.__setattr__(self, "_output_shapes", shapes)
        if not self._trainable:
            self.requires_grad_(False)
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
            f"{where}: this model has not been built yet, so its weights do not exist. Start it with "
            "keras.Input(shape=(n_features,)) (or give the first layer input_dim=), call model.build((None, "
            "n_features)), or fit it first."
        )

    # -- the forward pass ---------------------------------------------------------------------

    def forward(self, x, logits: bool = False, training: bool | None = None):
        """The layers in order; with ``logits=True`` the last activation is left out (fused into the loss);
        `training` (Keras') runs dropout as in fit (True) or as in predict (False)."""
        if training is not None and bool(training) != self.training:
            was = self.training
            self.train(bool(training))
            try:
                return self.forward(x, logits)
            finally:
                self.train(was)
        if not isinstance(x, Tensor):  # fit hands over Tensors of the model's dtype: no need to look the dtype up
            x = _layers.as_input(x, self._dtype())
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
                return _layers.activation_name(layer)
            if isinstance(layer, nn.Linear):
                return "linear"
            if isinstance(layer, (nn.Dropout, nn.Flatten)):
                continue  # they change no value's meaning: the activation is the one before them
            return "other"
        return "linear"

    # -- compile -------------------------------------------------------------------------------

    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics: Sequence | None = None,
        weighted_metrics=None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile="auto",
        auto_scale_loss: bool = True,
        *,
        learning_rate: float | None = None,
    ) -> Sequential:
        """Choose the optimizer, the loss and the metrics, in Keras' order; returns the model (so
        ``.compile(...).fit(...)`` chains).

        `optimizer`: a keras.optimizers object (``Adam(1e-3)``), a name (``OPTIMIZERS``: 'sgd', 'momentum',
        'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw' — Keras' defaults; Adadelta at lr 1.0), a
        gradviz.optim class or ``functools.partial(optim.SGD, lr=0.1, momentum=0.9)`` or a function of the
        parameters (built at fit), or an optimizer already built on ``model.parameters()``. `learning_rate`
        (gradviz's shortcut) overrides the rate.

        `loss`: a name (``LOSSES``), a keras.losses object (``SparseCategoricalCrossentropy(from_logits=True)``),
        a keras.losses function, a function ``(y_true, y_pred) -> loss`` (Keras' order; one value per sample or one
        for the batch) or a gradviz.nn loss Module (torch's order). The loss's `from_logits` decides how the
        outputs are read, as in Keras: probabilities (clipped to [1e-7, 1 − 1e-7]) by default, logits with
        from_logits=True; a final softmax with a categorical loss (a sigmoid with binary_crossentropy) is fused
        into it, computed from the logits for stability. Targets: 'sparse_categorical_crossentropy' integer
        labels; 'categorical_crossentropy' one-hot rows (integer labels are accepted too); 'binary_crossentropy'
        0/1 values; 'hinge' ±1 (0/1 are mapped); 'mse', 'mae' values.

        `loss_weights` scales the loss (one number, or a one-element list/dict for this one-output model).
        `metrics`: gradviz.metrics names ('accuracy', 'precision', 'recall', 'f1', 'mse', ...), Keras' metric
        names ('sparse_categorical_accuracy', 'auc', ...), keras.metrics objects or functions ``(y_true, y_pred)``.
        `steps_per_execution`: with fit(backend='jax') that many batches run as one compiled call (a scan), and
        the batch hooks of callbacks are called once per call, as in Keras (the numpy backend runs, and reports,
        batch by batch). `run_eagerly`, `jit_compile` and `auto_scale_loss` are accepted and change nothing here
        (the numpy backend runs op by op; fit(backend='jax') compiles the step); `weighted_metrics` is not
        supported yet.
        """
        if loss is None:
            raise ValueError(
                f"compile needs a loss: one of {', '.join(_losses.LOSSES)}, a keras.losses object, or a function "
                "(y_true, y_pred) -> loss"
            )
        weight = self._loss_weight(loss_weights)
        spec = _losses.Compiled(loss, weight)
        if weighted_metrics:
            raise ValueError(
                "compile: weighted_metrics= is not supported by gradviz yet; the loss is weighted by sample_weight "
                "and the metrics are not (as Keras' metrics=)"
            )
        if isinstance(steps_per_execution, bool) or not isinstance(steps_per_execution, (int, np.integer)):
            raise TypeError(f"compile: steps_per_execution must be a whole number ≥ 1, got {steps_per_execution!r}")
        if steps_per_execution < 1:
            raise ValueError(f"compile: steps_per_execution must be ≥ 1, got {steps_per_execution}")
        entries = [_metric(m) for m in (metrics or [])]
        labels: dict[str, int] = {}
        for entry in entries:  # two metrics of one name get Keras' suffixes: precision, precision_1
            count = labels.get(entry.label, 0)
            labels[entry.label] = count + 1
            if count:
                entry.label = f"{entry.label}_{count}"
        if learning_rate is not None:  # the optimizers' own check (torch's range), now rather than at fit
            learning_rate = _check_hyperparameter("learning_rate", learning_rate, "compile", rule="lr")
        name = None
        if isinstance(optimizer, str):
            name = optimizer.lower()
            optimizer = _keras_optimizers.get(optimizer)
        elif isinstance(optimizer, dict):
            optimizer = _keras_optimizers.get(optimizer)
        elif not (isinstance(optimizer, _optim.Optimizer) or callable(optimizer)):
            raise TypeError(
                "compile(optimizer=...) takes a name, a keras.optimizers object, a gradviz.optim class, "
                f"functools.partial(optim.SGD, lr=...) or an optimizer; got {type(optimizer).__name__}"
            )
        if learning_rate is not None and isinstance(optimizer, _keras_optimizers.Optimizer):
            optimizer.learning_rate = learning_rate
        object.__setattr__(self, "_loss", spec)
        object.__setattr__(self, "_metric_list", entries)
        object.__setattr__(self, "_optimizer_spec", optimizer)
        object.__setattr__(self, "_optimizer_name", name)
        object.__setattr__(self, "_learning_rate", learning_rate)
        options = {"jit_compile": jit_compile, "run_eagerly": bool(run_eagerly)}
        object.__setattr__(self, "_compile_options", {**options, "steps_per_execution": int(steps_per_execution)})
        object.__setattr__(self, "optimizer", optimizer if isinstance(optimizer, _optim.Optimizer) else None)
        if self.built:
            self._settle_loss()
        return self

    @staticmethod
    def _loss_weight(loss_weights) -> float:
        if loss_weights is None:
            return 1.0
        if isinstance(loss_weights, dict):
            values = list(loss_weights.values())
        elif isinstance(loss_weights, (list, tuple)):
            values = list(loss_weights)
        else:
            values = [loss_weights]
        if len(values) != 1:
            raise ValueError(
                f"compile: loss_weights has {len(values)} weights, but this Sequential has one output (one loss): "
                "give one number"
            )
        value = values[0]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
            raise ValueError(f"compile: loss_weights must be a number, got {value!r}")
        return float(value)

    @property
    def loss(self):
        """The compiled loss as given: its name, a keras.losses object or the function."""
        return None if self._loss is None else self._loss.given

    @property
    def metrics_names(self) -> list[str]:
        """'loss' and each metric's name, in the order evaluate() returns them."""
        return ["loss", *(entry.label for entry in self._metric_list)]

    @property
    def _metric_names(self) -> list:
        # what the training loop and the jax backend ask: whether (and which) metrics are compiled
        return [entry.label for entry in self._metric_list]

    @property
    def compiled(self) -> bool:
        """Whether compile() has been called."""
        return self._loss is not None

    def _check_compiled(self, where: str) -> None:
        if self._loss is None:
            raise RuntimeError(
                f"{where}: the model is not compiled; call model.compile(optimizer='adam', "
                "loss='sparse_categorical_crossentropy', metrics=['accuracy']) (or the loss that fits your targets) first"
            )

    def _settle_loss(self) -> None:
        """Decide, from the last layer's activation, whether the loss reads its logits (gradviz's fused step)."""
        self._loss.fused = self._loss.fuses(self.output_activation())

    def _make_optimizer(self) -> _optim.Optimizer:
        spec, params = self._optimizer_spec, self.parameters()
        own = {id(p) for p in params}
        if isinstance(spec, _keras_optimizers.Optimizer):
            if spec.built and {id(p) for p in spec.parameters()} != own:
                if self._optimizer_name is None:
                    raise ValueError(
                        f"the {type(spec).__name__} given to compile is already built on another model's weights; "
                        f"give each model its own (keras.optimizers.{type(spec).__name__}(...))"
                    )
                spec = _keras_optimizers.get(self._optimizer_name)  # a name: a fresh one for the rebuilt model
                if self._learning_rate is not None:
                    spec.learning_rate = self._learning_rate
                object.__setattr__(self, "_optimizer_spec", spec)
            if not spec.built:
                spec.build(params)
            return spec
        if isinstance(spec, _optim.Optimizer):
            if {id(p) for p in spec.parameters()} != own:
                raise ValueError(
                    "the optimizer given to compile was built on other parameters than this model's; pass a "
                    "keras.optimizers object, a class or functools.partial(optim.Adam, lr=...) instead, or build the "
                    "model first (model.build((None, n))) and then optim.Adam(model.parameters())"
                )
            if self._learning_rate is not None:
                spec.lr = self._learning_rate
            return spec
        options = {} if self._learning_rate is None else {"lr": float(self._learning_rate)}
        optimizer = spec(params, **options)
        if not isinstance(optimizer, _optim.Optimizer):
            raise TypeError(f"compile(optimizer=...) built a {type(optimizer).__name__}, not a gradviz optimizer")
        return optimizer

    def _ready_optimizer(self) -> None:
        """The optimizer fit trains with, built on this model's parameters (kept across fits, as Keras does)."""
        current = self.optimizer
        own = {id(p) for p in self.parameters()}
        if (
            isinstance(self._optimizer_spec, _optim.Optimizer)
            or current is None
            or not isinstance(current, _optim.Optimizer)
            or {id(p) for p in current.parameters()} != own
        ):
            object.__setattr__(self, "optimizer", self._make_optimizer())

    # -- data -----------------------------------------------------------------------------------

    def _inputs(self, x, where: str) -> np.ndarray:
        """X as fit, evaluate and predict (and the jax backend) read it, checked once for all of them."""
        if x is None:
            raise InputError(
                f"{where}: x is missing: give the inputs as a numpy array, one row per sample", argument="x"
            )
        if isinstance(x, (dict, tuple)) or (
            isinstance(x, list) and x and isinstance(x[0], np.ndarray) and x[0].ndim > 1
        ):
            raise InputError(
                f"{where}: x must be one array (a Sequential has one input), got a {type(x).__name__} of arrays",
                argument="x",
            )
        X = _checks.array(x, where, "X")
        if X.dtype.kind not in "biuf":
            raise TypeError(f"{where}: X must be numbers, got dtype {X.dtype}")
        _checks.check_finite(X, where, "X")
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
        self._settle_loss()

    def _targets(self, y, n: int, where: str) -> tuple[np.ndarray, np.ndarray]:
        """(what the loss reads, what the metrics read) from the user's targets."""
        if y is None:
            raise InputError(f"{where}: y is missing: give one target per sample (labels or values)", argument="y")
        Y = _checks.array(y, where, "y")
        if Y.ndim == 0 or len(Y) != n:
            raise ShapeError(
                f"{where}: X has {n} samples but y has {0 if Y.ndim == 0 else len(Y)}; give one target per sample"
            )
        outputs = self._output_shapes[-1]
        width = outputs[-1] if outputs else 1
        spec = self._loss
        rule, name = spec.rule, spec.name
        if Y.dtype.kind not in "biuf":
            raise TypeError(
                f"{where}: y must hold numbers (class indices or values), got dtype {Y.dtype}; encode string labels "
                "as integers first (e.g. np.unique(y, return_inverse=True)[1])"
            )
        _checks.check_finite(Y, where, "y")
        whole = Y.dtype.kind in "biu" or bool(np.all(np.isfinite(Y)) and np.all(Y == np.round(Y)))
        if rule in ("categorical", "sparse"):
            if Y.ndim == 2 and Y.shape[1] == 1:
                Y = Y[:, 0]
            one_hot_loss = not spec.reads_logits or spec.label_smoothing  # the loss multiplies by one-hot rows
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
                if one_hot_loss:
                    return np.eye(width, dtype=self._dtype())[labels], labels
                return labels, labels
            if rule == "sparse":
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
            return Y, Y
        if rule == "custom":
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
        if rule == "binary":
            if np.any((Y < 0) | (Y > 1)):
                raise ValueError(
                    f"{where}: binary_crossentropy needs targets in [0, 1], got values from {Y.min():g} to {Y.max():g}"
                    + (". For −1/+1 labels use (y + 1) / 2." if np.all(np.isin(Y, (-1.0, 1.0))) else "")
                )
            return Y, Y
        if rule == "hinge":
            if np.all(np.isin(Y, (0.0, 1.0))):
                Y = 2.0 * Y - 1.0  # Keras' rule: 0/1 labels become −1/+1
            if not np.all(np.isin(Y, (-1.0, 1.0))):
                raise ValueError(f"{where}: hinge needs labels −1/+1 (or 0/1), got values {np.unique(Y)[:5].tolist()}")
            return Y, Y
        return Y, Y

    def _sample_weights(self, sample_weight, class_weight, y, n: int, where: str) -> np.ndarray | None:
        """Each sample's weight in the loss, from fit's sample_weight or class_weight (Keras' rules)."""
        if sample_weight is not None and class_weight is not None:
            raise ValueError(f"{where}: give sample_weight or class_weight, not both (as Keras)")
        if class_weight is not None:
            if not isinstance(class_weight, dict):
                raise TypeError(f"{where}: class_weight must be a dict {{class index: weight}}, got {class_weight!r}")
            labels = np.asarray(y)
            if labels.ndim > 1:
                labels = labels[..., 0] if labels.shape[-1] == 1 else labels.argmax(axis=-1)
            labels = np.round(labels).astype(np.int64)
            weights = np.array([float(class_weight.get(int(c), 1.0)) for c in labels])
        elif sample_weight is not None:
            weights = _checks.array(sample_weight, where, "sample_weight").astype(np.float64)
            if weights.ndim == 2 and weights.shape[1] == 1:
                weights = weights[:, 0]
            if weights.shape != (n,):
                raise ShapeError(
                    f"{where}: sample_weight must hold one weight per sample, shape ({n},), got {weights.shape}"
                )
        else:
            return None
        if not np.all(np.isfinite(weights)):
            raise InputError(f"{where}: the sample weights hold nan/inf", argument="sample_weight")
        return weights

    # -- one batch ------------------------------------------------------------------------------

    def _fused(self) -> bool:
        """Whether the loss reads the logits of a fused final softmax/sigmoid."""
        return self._loss.fused

    def _loss_of(self, out: Tensor, yb: np.ndarray, sample_weight: np.ndarray | None = None) -> Tensor:
        """The batch's loss node from the model's output (the logits when :meth:`_fused`)."""
        return self._loss.node(out, yb, sample_weight)

    def _loss_and_outputs(
        self, xb: Tensor, yb: np.ndarray, with_outputs: bool = True, sample_weight: np.ndarray | None = None
    ) -> tuple[Tensor, np.ndarray | None]:
        """The batch's loss node and the outputs the metrics read (the model's outputs: probabilities after a
        fused softmax/sigmoid)."""
        fused = self._loss.fused
        out = self(xb, logits=fused)
        loss = self._loss.node(out, yb, sample_weight)
        if not with_outputs:
            return loss, None
        if not fused:
            return loss, np.asarray(out.data)
        z = np.asarray(out.data, dtype=np.float64)
        return loss, _softmax_rows(z) if self._loss.rule != "binary" else _sigmoid(z)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training: bool = True) -> Tensor:
        """The compiled loss as a gradviz Tensor (a node of the graph, ready for backward()), as Keras 3's
        ``compute_loss``: from the inputs `x` (a final softmax/sigmoid fused in, as fit computes it) or from
        predictions `y_pred` you already have.

        >>> model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
        >>> model.set_weights([np.array([[2.0]]), np.array([0.0])])
        >>> model.compute_loss(np.array([[1.0]]), np.array([3.0])).item()
        1.0
        """
        self._check_compiled("compute_loss")
        if y_pred is None:
            X = self._inputs(x, "compute_loss")
            self._ensure_ready(X, "compute_loss")
            Y, _ = self._targets(y, len(X), "compute_loss")
            weights = self._sample_weights(sample_weight, None, Y, len(X), "compute_loss")
            was = self.training
            self.train(bool(training))
            try:
                out = self(Tensor(X, dtype=self._dtype()), logits=self._fused())
            finally:
                self.train(was)
            return self._loss_of(out, Y, weights)
        out = y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred), dtype=self._dtype())
        if self._output_shapes is None:
            raise ValueError("compute_loss: build the model first (or pass x)")
        fused, self._loss.fused = self._loss.fused, False  # predictions are probabilities, not logits
        try:
            Y, _ = self._targets(y, len(out.data), "compute_loss")
            weights = self._sample_weights(sample_weight, None, Y, len(out.data), "compute_loss")
            return self._loss_of(out, Y, weights)
        finally:
            self._loss.fused = fused

    def _metric_values(self, y_true: np.ndarray, outputs: np.ndarray, classes: int | None = None) -> dict[str, float]:
        """Each compiled metric of `outputs` against `y_true`; `classes` (the outputs' width) when `outputs` are
        already labels or scores (a device's confusion counts read back: gradviz.keras._tally)."""
        values = {}
        rule = self._loss.rule
        if classes is None:
            classes = outputs.shape[-1] if outputs.ndim == 2 else 1
        for entry in self._metric_list:
            spec = entry.spec
            if entry.keras:
                spec.reset_state()
                spec.update_state(y_true, outputs)
                result = spec.result()
                values[entry.label] = float(result) if np.ndim(result) == 0 else result
                continue
            if callable(spec):
                result = spec(y_true, outputs)
                values[entry.label] = float(np.mean(np.asarray(getattr(result, "data", result))))
                continue
            labels = y_true
            if rule == "categorical" and y_true.ndim == 2:
                labels = y_true.argmax(axis=1)
            elif rule in ("binary", "hinge") and y_true.ndim == 2 and y_true.shape[1] == 1:
                column = y_true[:, 0]
                labels = column.astype(np.int64) if np.all(column == np.round(column)) else y_true
            function = _metrics.get_metric(spec)
            options: dict[str, Any] = {}
            if function in (_metrics.precision, _metrics.recall, _metrics.f1_score):
                options["average"] = "macro" if classes > 2 or rule in ("categorical", "sparse") else "binary"
            thresholded = (_metrics.accuracy, _metrics.precision, _metrics.recall, _metrics.f1_score)
            if rule == "binary" and function in thresholded and classes == 1:
                options["threshold"] = 0.5  # Keras' BinaryAccuracy: output > 0.5, whatever the outputs are
            if rule == "hinge" and function in thresholded:
                options["threshold"] = 0.0
                if function is not _metrics.accuracy:
                    options.pop("average", None)
            values[entry.label] = float(function(labels, outputs, **options))
        return values

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
        if self._metric_list and outputs:
            with np.errstate(all="ignore"):
                logs.update(self._metric_values(Y_metric, np.concatenate(outputs)))
        if validation is not None:
            logs.update({f"val_{key}": value for key, value in validation.items()})
        return logs

    def _nan_error(
        self,
        value: float,
        epoch: int,
        batch: int,
        batches: int,
        xb: Tensor,
        *,
        layers: bool = True,
        training_goes_on: bool = False,
    ) -> NonFiniteLossError:
        culprit, why = None, ""
        if layers:
            culprit, why = self._first_bad_layer(xb)
        if culprit:
            where = f"layer {culprit!r}: {why}"
        elif layers:
            where = "every layer's output is finite, so the loss itself overflowed"
        else:
            where = "(the jax backend holds the weights on the device: fit with backend='numpy' to see which layer)"
        rate = getattr(self.optimizer, "lr", None)
        text = f"fit: the loss became {value} at epoch {epoch + 1}, batch {batch + 1} of {batches}; {where}."
        if rate is not None:
            text += (
                f" The weights probably diverged: lower the learning rate (now {rate:g}), standardise X, or check "
                "the targets."
            )
        if training_goes_on:
            text += (
                " Training goes on, as in Keras (every later loss is nan); pass "
                "callbacks=[keras.callbacks.TerminateOnNaN()] to stop at the first one."
            )
        return NonFiniteLossError(
            text, epoch=epoch, batch=batch, layer=culprit if culprit not in (None, "input") else None
        )

    def _first_bad_layer(self, xb: Tensor) -> tuple[str | None, str]:
        for layer_name, layer in self.named_children():
            bad = [n for n, p in layer.named_parameters() if not np.all(np.isfinite(p.data))]
            if bad:
                return layer_name, f"its parameters {', '.join(bad)} hold nan/inf"
        if not np.all(np.isfinite(xb.data)):
            return "input", "the input batch holds nan/inf (clean the data)"
        h = xb
        was = self.training
        self.eval()  # no dropout mask drawn: the analysis changes no random number of the training
        try:
            with no_grad(), np.errstate(all="ignore"):
                for layer_name, layer in self.named_children():
                    h = layer(h)
                    if not np.all(np.isfinite(h.data)):
                        return layer_name, "its output is the first that is not finite"
        finally:
            self.train(was)
        return None, ""

    # -- fit / evaluate / predict -------------------------------------------------------------------

    def fit(
        self,
        x=None,
        y=None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose="auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple | None = None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        sample_weight=None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
        *,
        seed: int | None = None,
        backend: str | None = None,
        dtype: str | None = None,
        devices: Any = None,
        dashboard: bool = False,
        resume_from=None,
        per_process_data: bool = False,
    ) -> History:
        """Train in mini-batches, with Keras 3's arguments in Keras' order; returns a :class:`History`.

        `batch_size` None is Keras' 32; `verbose` 'auto' (1: a progress bar per epoch — tqdm when installed),
        0 silent, 2 one line per epoch. `validation_data` = (x_val, y_val) or (x_val, y_val, weights), evaluated
        after each epoch (every `validation_freq` epochs); else `validation_split` holds out the last fraction of
        the samples (taken before shuffling, as Keras; ignored when validation_data is given, as in Keras).
        `shuffle` reorders the training samples every epoch. `class_weight` ({class: weight}) or `sample_weight`
        (one number per sample) weight each sample's loss: sum(w·loss)/N, as Keras; the metrics are not weighted.
        `initial_epoch` continues a run's epoch count; `steps_per_epoch` runs only that many batches per epoch.
        The epoch's loss and metrics are those of its batches, computed before each update (as Keras).

        `x` may be batches instead of an array, as in Keras 3: a list of ``(x, y)`` or ``(x, y, sample_weight)``,
        a :class:`gradviz.data.DataLoader`, a :class:`keras.utils.PyDataset`, a generator (see
        :class:`gradviz.training.Stream`); y, batch_size, sample_weight and validation_split are then left out. A
        generator goes on across epochs (give `steps_per_epoch`); anything else is an epoch per pass (with
        `steps_per_epoch`, epochs go on in the pass under way, as Keras'). When the
        batches run out before the epochs, fit warns and stops (Keras' "ran out of data"). `validation_data` may
        be batches too (not a one-shot iterator: it is read after every epoch).

        A nan/inf loss does what it does in Keras: training goes on, and gradviz warns once saying where (the
        epoch, the batch, the first layer whose output or weights are not finite);
        ``callbacks=[keras.callbacks.TerminateOnNaN()]`` stops there (``raise_error=True``: raises
        :class:`NonFiniteLossError`), keeping the weights of before that batch.

        gradviz's own keywords: `seed` draws the shuffles and the initial weights of layers not built yet;
        `backend` 'numpy' (gradviz's engine) or 'jax' (one jitted step per batch on CPU/GPU/TPU, data-parallel
        over `devices`; None uses :func:`gradviz.backends.current`); `dtype` ('float32', 'float64', 'bfloat16';
        None: the model's dtype on the CPU, float32 on a GPU/TPU) and `devices` (None: every device JAX sees; a
        number, or a list of jax devices) apply to the jax backend only (see :mod:`gradviz.backends.jax`). The
        History, metrics and callbacks are the same on both, and the trained weights are this model's afterwards.
        `dashboard=True` shows live training panels in the notebook while fit runs (loss and metric curves, each
        layer's gradient size, the decision boundary for 2-D inputs: :class:`gradviz.widgets.FitDashboard`, needs
        ipywidgets); the dashboard stays in ``model.dashboard``.

        `resume_from` (gradviz's) is a training checkpoint — a .keras file a ModelCheckpoint or BackupAndRestore
        wrote during an earlier fit of this model — to continue from: its weights and optimizer state, then the
        epochs from the one it stopped in, skipping the batches already run, in the same order of the samples, so
        that an interrupted run resumed with the same arguments ends as the uninterrupted one (the weights, exactly,
        and the History). `initial_epoch` may be left out (it must otherwise be the checkpoint's epoch); the
        callbacks start afresh, as with Keras' BackupAndRestore.
        `per_process_data=True` (jax backend, under ``jax.distributed``): each process passes only its own samples.
        """
        where = "fit"
        backend = _backends.resolve(backend, where)
        if backend == "jax":
            _backends.require_jax()
            from ..backends import jax as _jax_backend

            # checked here, before a dashboard shows or weights are drawn; the runner trains with what was chosen
            jax_options = _jax_backend._options(self, dtype, devices)
        elif per_process_data:
            raise ValueError(
                "fit: per_process_data=True is for backend='jax' under jax.distributed (each process passes its own "
                "samples); the numpy backend trains on the x and y it is given. Leave it out, or pass backend='jax'"
            )
        elif dtype is not None or devices is not None:
            raise ValueError(
                "fit: dtype= and devices= choose the jax backend's precision and devices; the numpy backend trains in "
                "the model's own dtype (Dense(..., dtype='float32')) on the CPU. Pass backend='jax' with them, or "
                "leave them out."
            )
        self._check_compiled(where)
        epochs = _checks.count(epochs, "epochs", where)
        initial_epoch = _checks.count(initial_epoch, "initial_epoch", where)
        stream = None
        if _training.is_batches(x):
            self._check_stream_arguments(y, batch_size, sample_weight, validation_split, where)
            stream = _training.Stream(self, x, class_weight=class_weight, where=where)
        batch_size = _checks.batch_size(batch_size, where, "Keras' default, 32")
        batch_size = 32 if batch_size is None else batch_size
        verbose = _checks.verbosity(verbose, where)
        if not _backends.main_process():  # a multi-process JAX run: process 0 prints, the others train quietly
            verbose = 0
        validation_split = _checks.fraction(validation_split, "validation_split", where)
        validation_freq = _checks.count(validation_freq, "validation_freq", where, low=1)
        validation_batch_size = _checks.batch_size(validation_batch_size, where, "batch_size")
        steps_per_epoch = _checks.count(steps_per_epoch, "steps_per_epoch", where, low=1, none=True)
        _checks.not_supported(
            validation_steps, "validation_steps", where, "gradviz validates on all of validation_data (pass fewer "
            "samples instead)"
        )  # fmt: skip
        if not isinstance(shuffle, (bool, np.bool_)):
            raise InputError(f"fit: shuffle must be True or False, got {shuffle!r}", argument="shuffle")
        if backend == "jax" and stream is None:
            if steps_per_epoch is not None:
                raise ValueError(
                    "fit: steps_per_epoch= with arrays trains on backend='numpy' only for now; pass fewer samples, or "
                    "the batches themselves (an iterator or a DataLoader)"
                )
        rng = np.random.default_rng(seed) if seed is not None else None
        if stream is not None:
            X = stream.first_inputs
            self._ensure_ready(X, where, rng)
            Y = Y_metric = W = None
        else:
            X = self._inputs(x, where)
            self._ensure_ready(X, where, rng)
            Y, Y_metric = self._targets(y, len(X), where)
            W = self._sample_weights(sample_weight, class_weight, Y_metric, len(X), where)
        X_val = Y_val = Y_val_metric = W_val = None
        validation_stream = None
        if validation_data is not None and _training.is_batches(validation_data):
            validation_stream = self._validation_stream(validation_data, backend, per_process_data)
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise TypeError(
                    "fit: validation_data must be a pair (x_val, y_val) or a triple (x_val, y_val, weights)"
                )
            X_val = self._inputs(validation_data[0], "fit(validation_data)")
            Y_val, Y_val_metric = self._targets(validation_data[1], len(X_val), "fit(validation_data)")
            if len(validation_data) == 3 and validation_data[2] is not None:
                if backend == "jax":
                    raise ValueError("fit: validation sample weights are for backend='numpy' only for now")
                W_val = self._sample_weights(validation_data[2], None, Y_val_metric, len(X_val), "fit(validation_data)")
        elif validation_split and stream is None:
            n_val = int(math.floor(len(X) * validation_split))
            if n_val < 1 or n_val >= len(X):
                raise ValueError(
                    f"fit: validation_split={validation_split} of {len(X)} samples leaves {n_val} for validation; "
                    "both parts need at least one sample"
                )
            X, X_val = X[:-n_val], X[-n_val:]
            Y, Y_val = Y[:-n_val], Y[-n_val:]
            Y_metric, Y_val_metric = Y_metric[:-n_val], Y_metric[-n_val:]
            if W is not None:
                W, W_val = W[:-n_val], W[-n_val:]
        self._ready_optimizer()
        shuffle_rng = rng if rng is not None else default_rng()
        checkpoint = None
        if resume_from is not None:
            import os

            from . import saving

            checkpoint = saving.load_checkpoint(self, resume_from, "fit(resume_from)")
            if initial_epoch and initial_epoch != checkpoint.epoch:
                raise ValueError(
                    f"fit: initial_epoch={initial_epoch} but the checkpoint {os.fspath(resume_from)} goes on from epoch "
                    f"{checkpoint.epoch} (counted from 0): leave initial_epoch out with resume_from, or pass "
                    f"initial_epoch={checkpoint.epoch}"
                )
        if backend == "jax":
            runner = _jax_backend.Runner(
                self, X, Y, options=jax_options, verbose=verbose, weights=W, per_process=bool(per_process_data),
                stream=stream,
            )  # fmt: skip
        else:
            runner = _training.NumpyRunner(self, X, Y, W)

        if stream is not None:
            n, steps = None, steps_per_epoch if steps_per_epoch is not None else stream.steps
            batch_size = None
        else:
            n = runner.samples(len(X))
            available = -(-n // batch_size)
            steps = available if steps_per_epoch is None else steps_per_epoch
        if stream is None and steps_per_epoch is not None and steps_per_epoch > available:
            raise InputError(
                f"fit: steps_per_epoch={steps_per_epoch} but {n} samples in batches of {batch_size} make only "
                f"{available} batches per epoch; give steps_per_epoch ≤ {available} (or leave it out)",
                argument="steps_per_epoch",
            )
        history = History()
        callbacks = list(callbacks or [])
        if dashboard:
            board = _callbacks.named("dashboard", x=None if stream else x, y=None if stream else y)  # FitDashboard
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
        validation = validation_stream
        if X_val is not None:
            validation = (X_val, Y_val, Y_val_metric) if W_val is None else (X_val, Y_val, Y_val_metric, W_val)
        return _training.train(
            self,
            runner,
            stream if stream is not None else (X, Y, Y_metric),
            validation,
            epochs=int(epochs),
            initial_epoch=int(initial_epoch),
            batch_size=batch_size,
            shuffle=bool(shuffle),
            shuffle_rng=shuffle_rng,
            callbacks=callback_list,
            progress=progress,
            steps_per_epoch=steps_per_epoch,
            validation_freq=validation_freq,
            validation_batch_size=validation_batch_size,
            resume=checkpoint,
        )

    @staticmethod
    def _check_stream_arguments(y, batch_size, sample_weight, validation_split, where: str) -> None:
        """What fit refuses when x is batches: the batches hold the targets, the weights and their own size."""
        if y is not None:
            raise ValueError(
                f"{where}: x is batches (an iterator or a DataLoader), so y must not be passed: the targets come with "
                "each batch, (x, y) or (x, y, sample_weight) — as Keras 3 says of a generator"
            )
        if batch_size is not None:
            raise ValueError(
                f"{where}: x is batches, which have their own size; leave batch_size out (it is the DataLoader's "
                "batch_size, or whatever your generator yields)"
            )
        if sample_weight is not None:
            raise ValueError(
                f"{where}: x is batches, so give each batch's sample weights as its third item, (x, y, sample_weight), "
                "instead of sample_weight="
            )
        if validation_split:
            raise ValueError(
                f"{where}: validation_split holds out the last samples of arrays, and x is batches; pass "
                "validation_data (arrays, or validation batches) instead — as Keras 3 says"
            )

    def _validation_stream(self, data, backend: str, per_process: bool):
        where = "fit(validation_data)"
        stream = _training.Stream(self, data, where=where)
        if stream.once:
            raise ValueError(
                f"{where}: validation batches from an iterator can be read only once, and fit validates after every "
                "epoch; pass a list of the batches (list(...)), a gradviz.data.DataLoader or a keras.utils.PyDataset, "
                "or arrays (x_val, y_val)"
            )
        return stream

    def _evaluate_arrays(
        self, X, Y, Y_metric, batch_size: int | None, sample_weight: np.ndarray | None = None, bar=None
    ) -> dict[str, float]:
        step = len(X) if batch_size is None else int(batch_size)
        total, outputs = 0.0, []
        dtype = self._dtype()
        with no_grad(), np.errstate(all="ignore"):
            for k, start in enumerate(range(0, len(X), step)):
                rows = slice(start, start + step)
                weights = None if sample_weight is None else sample_weight[rows]
                loss, out = self._loss_and_outputs(Tensor(X[rows], dtype=dtype), Y[rows], sample_weight=weights)
                total += float(loss.item()) * len(out)
                outputs.append(out)
                if bar is not None and start + step < len(X):
                    bar.update(k + 1, {"loss": total / (start + len(out))})
        return self._logs(total / len(X), Y_metric, outputs)

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size: int | None = None,
        verbose="auto",
        sample_weight=None,
        steps: int | None = None,
        callbacks: Sequence[Callback] | None = None,
        return_dict: bool = False,
        **kwargs,
    ):
        """The loss and metrics on (x, y), with Keras' arguments and defaults (batches of 32, a progress bar on
        verbose 'auto'/1, one line on 2): ``[loss, metric, ...]`` (just the loss without metrics), or a dict with
        ``return_dict=True``. `sample_weight` weights the loss as in fit. `x` may be batches, as fit takes them
        (y and sample_weight come with each batch; `steps` takes only that many, for an endless generator).

        >>> model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
        >>> model.set_weights([np.array([[2.0]]), np.array([0.0])])
        >>> model.evaluate(np.array([[1.0], [2.0]]), np.array([2.0, 5.0]), verbose=0)
        0.5
        """
        where = "evaluate"
        if kwargs:
            raise TypeError(f"evaluate got unexpected arguments: {', '.join(kwargs)}")
        self._check_compiled(where)
        if _training.is_batches(x):
            return self._evaluate_batches(x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict)
        batch_size = _checks.batch_size(batch_size, where, "Keras' default, 32")
        batch_size = 32 if batch_size is None else batch_size
        verbose = _checks.verbosity(verbose, where)
        _checks.not_supported(steps, "steps", where, "gradviz evaluates all of x (pass fewer samples instead)")
        X = self._inputs(x, where)
        self._ensure_ready(X, where)
        Y, Y_metric = self._targets(y, len(X), where)
        weights = self._sample_weights(sample_weight, None, Y_metric, len(X), where)
        hooks = CallbackList(list(callbacks or []))
        hooks.set_model(self)
        hooks.on_test_begin({})
        was_training = self.training
        self.eval()
        batches = -(-len(X) // batch_size)
        bar = _training.ProgressBar(batches, verbose) if verbose else None
        try:
            values = self._evaluate_arrays(X, Y, Y_metric, batch_size, weights, bar=bar)
        finally:
            self.train(was_training)
        if bar is not None:
            bar.update(batches, values, finalize=True)
        hooks.on_test_end(values)
        if return_dict:
            return values
        return values["loss"] if len(values) == 1 else list(values.values())

    def _evaluate_batches(self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict: bool):
        """evaluate(x=batches): the loss and metrics over the batches (the first `steps` of them, when given)."""
        where = "evaluate"
        self._check_stream_arguments(y, batch_size, sample_weight, 0.0, where)
        verbose = _checks.verbosity(verbose, where)
        steps = _checks.count(steps, "steps", where, low=1, none=True)
        stream = _training.Stream(self, x, where=where)
        self._ensure_ready(stream.first_inputs, where)
        hooks = CallbackList(list(callbacks or []))
        hooks.set_model(self)
        hooks.on_test_begin({})
        was_training = self.training
        bar = _training.ProgressBar(steps or stream.steps, verbose) if verbose else None
        try:
            values = _training.validate_stream(self, _training.NumpyRunner(self, None, None), stream, steps, bar)
        finally:
            self.train(was_training)
        hooks.on_test_end(values)
        if return_dict:
            return values
        return values["loss"] if len(values) == 1 else list(values.values())

    def predict(self, x, batch_size: int | None = None, verbose="auto", steps: int | None = None, callbacks=None):
        """The model's outputs as a numpy array (probabilities after a final softmax/sigmoid), shape (N, units),
        with Keras' arguments and defaults (batches of 32, a progress bar on verbose 'auto'/1). `x` may be batches
        (each an array of inputs, or a tuple whose first item is; `steps` takes only that many).

        >>> model = Sequential([Dense(3, activation="softmax", input_dim=2)], seed=0)
        >>> model.predict(np.zeros((4, 2)), verbose=0).sum(axis=1).round(6).tolist()
        [1.0, 1.0, 1.0, 1.0]
        """
        batch_size = _checks.batch_size(batch_size, "predict", "Keras' default, 32")
        step = 32 if batch_size is None else batch_size
        verbose = _checks.verbosity(verbose, "predict")
        if _training.is_batches(x):  # Keras': batches of inputs, or (x, ...) tuples whose first item is the inputs
            if batch_size is not None:
                raise ValueError("predict: x is batches, which have their own size; leave batch_size out")
            steps = _checks.count(steps, "steps", "predict", low=1, none=True)
            chunks, batches = self._input_batches(x, steps), steps or _training.Stream.length(x)
        else:
            _checks.not_supported(steps, "steps", "predict", "gradviz predicts all of x (pass fewer samples instead)")
            X = self._inputs(x, "predict")
            chunks, batches = (X[start : start + step] for start in range(0, len(X), step)), -(-len(X) // step)
        hooks = CallbackList(list(callbacks or []))
        hooks.set_model(self)
        hooks.on_predict_begin({})
        bar = _training.ProgressBar(batches, verbose) if verbose else None
        was_training = self.training
        self.eval()
        parts = []
        try:
            with no_grad():
                for k, inputs in enumerate(chunks):
                    if self._output_shapes is None or not self.built:
                        self.build(inputs.shape[1:])
                    hooks.on_predict_batch_begin(k, {})
                    parts.append(np.array(self(Tensor(inputs, dtype=self._dtype())).data))
                    hooks.on_predict_batch_end(k, {"outputs": parts[-1]})
                    if bar is not None:
                        bar.update(k + 1, finalize=k + 1 == batches)
            if bar is not None and batches is None:
                bar.update(len(parts), finalize=True)
        finally:
            self.train(was_training)
        hooks.on_predict_end({})
        if not parts:
            raise ValueError("predict: the batches given as x are empty; give at least one batch of inputs")
        return np.concatenate(parts)

    def _input_batches(self, x, steps: int | None):
        """predict's inputs from batches: each item an array of inputs, or a tuple (x, …) — the first `steps`."""
        for k, item in enumerate(x):
            if steps is not None and k >= steps:
                return
            inputs = item[0] if isinstance(item, (tuple, list)) and item and np.ndim(item[0]) >= 1 else item
            yield self._inputs(inputs, f"predict (batch {k + 1} of x)")

    def predict_on_batch(self, x) -> np.ndarray:
        """The outputs for one batch, as Keras' predict_on_batch (predict without batching or progress bar)."""
        return self.predict(x, batch_size=max(len(np.asarray(getattr(x, "data", x))), 1), verbose=0)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One optimizer step on the batch (x, y), as Keras' train_on_batch; returns the batch's loss (computed
        before the step) and metrics: a number, a list, or a dict with ``return_dict=True``.

        >>> model = Sequential([Dense(1, input_dim=1)], seed=0).compile("sgd", "mse")
        >>> first = model.train_on_batch(np.ones((4, 1)), np.ones(4))
        >>> second = model.train_on_batch(np.ones((4, 1)), np.ones(4))
        >>> second < first
        True
        """
        where = "train_on_batch"
        self._check_compiled(where)
        X = self._inputs(x, where)
        self._ensure_ready(X, where)
        Y, Y_metric = self._targets(y, len(X), where)
        weights = self._sample_weights(sample_weight, class_weight, Y_metric, len(X), where)
        self._ready_optimizer()
        self.train()
        self.optimizer.zero_grad()
        loss, out = self._loss_and_outputs(
            Tensor(X, dtype=self._dtype()), Y, with_outputs=bool(self._metric_list), sample_weight=weights
        )
        value = float(loss.item())
        if math.isfinite(value):
            loss.backward()
            self.optimizer.step()
        self.eval()
        values = self._logs(value, Y_metric, [out] if out is not None else [])
        if return_dict:
            return values
        return values["loss"] if len(values) == 1 else list(values.values())

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """The loss and metrics of one batch, without training, as Keras' test_on_batch."""
        return self.evaluate(
            x, y, batch_size=max(len(np.asarray(getattr(x, "data", x))), 1), verbose=0,
            sample_weight=sample_weight, return_dict=return_dict,
        )  # fmt: skip

    def predict_classes(self, x) -> np.ndarray:
        """Class labels (gradviz's): argmax of a softmax output, probability > 0.5 for one sigmoid unit. A last
        layer without activation under a classification loss is read as that loss reads it: logits (argmax,
        logit > 0) with from_logits=True, else probabilities (argmax, > 0.5); score > 0 for hinge. Any other model
        predicts values, not classes: it is refused, saying so.

        >>> model = Sequential([Dense(3, activation="softmax", input_dim=2)], seed=0)
        >>> model.predict_classes(np.zeros((2, 2))).tolist()
        [0, 0]
        """
        spec = self._loss
        last = self.output_activation()
        classification = spec is not None and spec.classification
        if (
            last not in ("softmax", "sigmoid")
            and not classification
            and not (spec is not None and spec.rule == "hinge")
        ):
            compiled = f" and the model is compiled with loss {spec.name!r}" if spec is not None else ""
            raise InputError(
                f"predict_classes: this model predicts values, not classes: its last layer's activation is {last!r} "
                f"(not softmax or sigmoid){compiled}, so its outputs are not class scores. Use model.predict(x) for "
                "the values; for a classifier end the model with Dense(classes, activation='softmax') (or Dense(1, "
                "activation='sigmoid') for two classes) and compile it with a cross-entropy loss.",
                argument="model",
            )
        out = self.predict(x, verbose=0)
        if out.shape[-1] > 1:
            return out.argmax(axis=-1)
        logits = last != "sigmoid" and spec is not None and (spec.from_logits or spec.rule == "hinge")
        threshold = 0.0 if logits else 0.5  # a logit/score, or a probability
        return (out[:, 0] > threshold).astype(np.int64)

    # -- configuration and files ----------------------------------------------------------------

    def get_config(self) -> dict:
        """The model's architecture as Keras writes it (JSON-ready): its name and each layer's class and config,
        the input layer first when the input shape is known.

        >>> from gradviz.keras import Input, layers
        >>> config = Sequential([Input(shape=(4,)), layers.Dense(2)]).get_config()
        >>> [layer["class_name"] for layer in config["layers"]]
        ['InputLayer', 'Dense']
        """
        entries = []
        if self._input_shape is not None:
            entries.append(
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, *self._input_shape], "dtype": "float32", "name": "input_layer"},
                }
            )
        for name, layer in self.named_children():
            kind = type(layer).__name__
            if _layers.LAYERS.get(kind) is not type(layer):
                raise ValueError(
                    f"get_config: layer {name!r} is a {kind}, not one of keras.layers' classes (Dense, Activation, "
                    "Flatten, Dropout), so its architecture cannot be written down; save_weights() keeps its weights"
                )
            entries.append({"module": "keras.layers", "class_name": kind, "config": layer.get_config()})
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable, "layers": entries}
        if self.seed is not None:
            config["seed"] = self.seed
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Sequential:
        """A new model (fresh weights) from get_config()'s dict.

        >>> model = Sequential([Dense(2, input_dim=3)], seed=0)
        >>> twin = Sequential.from_config(model.get_config())
        >>> twin.input_shape, twin.count_params()
        ((None, 3), 8)
        """
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("from_config: expected a dict with a 'layers' list, as get_config() writes")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True), seed=config.get("seed"))
        for entry in config["layers"]:
            kind, options = entry.get("class_name"), dict(entry.get("config", {}))
            if kind == "InputLayer":
                shape = options.get("batch_shape")
                model.add(_layers.InputLayer(batch_shape=tuple(shape), name=options.get("name")), rebuild=False)
                continue
            if kind not in _layers.LAYERS:
                raise ValueError(
                    f"from_config: unknown layer class {kind!r}; gradviz.keras knows: {', '.join(_layers.LAYERS)}"
                )
            model.add(_layers.LAYERS[kind].from_config(options), rebuild=False)
        if model._input_shape is not None:
            model.build(model._input_shape)
        return model

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string (Keras' to_json): {"class_name": "Sequential", "config": ...}."""
        return json.dumps({"class_name": "Sequential", "config": self.get_config()}, **kwargs)

    def _compile_config(self) -> dict | None:
        """compile()'s arguments as a saved model records them; None when one of them is a function."""
        if self._loss is None:
            return None
        loss = self._loss.config()
        spec = self._optimizer_spec
        if isinstance(spec, _keras_optimizers.Optimizer):
            optimizer = {"class_name": type(spec).__name__, "config": spec.get_config()}
            if self._optimizer_name is not None:
                optimizer["gradviz_name"] = self._optimizer_name
        else:
            optimizer = None
        metrics = []
        for entry in self._metric_list:
            if entry.keras:
                metrics.append(_keras_metrics.config(entry.spec))
            elif isinstance(entry.spec, str):
                metrics.append(entry.label if entry.label == entry.spec else entry.spec)
            else:
                return None
        if loss is None or optimizer is None:
            return None
        return {"optimizer": optimizer, "loss": loss, "loss_weights": self._loss.weight, "metrics": metrics}

    def save(self, filepath, overwrite: bool = False, zipped=None, **kwargs) -> str:
        """Write the whole model to `filepath`, a ``.keras`` file — exactly that name: the architecture
        (get_config), the compile settings, the weights and the optimizer's state, in gradviz's own safe format
        (a zip of JSON and an ``.npz``, never a pickle); :func:`load_model` reads it back. A ``.npz`` name writes
        the weights only (gradviz.nn's format). gradviz replaces a file it wrote itself; any other file of that
        name is refused unless ``overwrite=True``. Returns the path written.

        >>> import os, tempfile
        >>> model = Sequential([Dense(1, input_dim=2)], seed=0).compile("adam", "mse")
        >>> path = model.save(os.path.join(tempfile.mkdtemp(), "m.keras"))
        >>> os.path.basename(path), load_model(path).get_weights()[0].shape
        ('m.keras', (2, 1))
        """
        import os

        from . import saving

        path = os.fspath(filepath)
        if kwargs:
            raise TypeError(f"save got unexpected arguments: {', '.join(kwargs)}")
        if path.endswith(".npz"):
            return saving.write_weights(self, path, overwrite=overwrite)
        if path.endswith((".h5", ".hdf5")):
            raise ValueError(
                f"save: {path!r} is Keras' legacy HDF5 name; gradviz saves whole models as .keras files (its own safe "
                "format): use a name ending in '.keras'"
            )
        if not path.endswith(".keras"):
            raise ValueError(
                f"save: the file name must end in '.keras' (the whole model), as in Keras 3, got {path!r}; "
                "save_weights('name.weights.h5') writes the weights only"
            )
        return saving.save_model(self, path, overwrite=overwrite)

    def save_weights(self, filepath, overwrite: bool = False) -> str:
        """Write the weights to `filepath`, named as in Keras 3 (``name.weights.h5``) or ``name.npz``; the content
        is gradviz's safe .npz either way (not HDF5). A file gradviz did not write is refused unless
        ``overwrite=True``. Returns the path written."""
        import os

        from . import saving

        path = os.fspath(filepath)
        if not path.endswith((".weights.h5", ".npz")):
            if path.endswith(".keras"):
                raise ValueError("save_weights: a '.keras' name is for model.save(); use 'name.weights.h5' here")
            path += ".npz"  # gradviz's older form: save_weights("weights") wrote weights.npz
        self._require_built("save_weights")
        return saving.write_weights(self, path, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> Sequential:
        """Read weights written by save_weights (``.weights.h5`` or ``.npz``) or save (``.keras``) into this
        model, which must have the same layers (build it first, e.g. with keras.Input). Returns the model."""
        from . import saving

        self._require_built("load_weights")
        saving.read_weights(self, filepath, strict=not skip_mismatch)
        return self

    # -- display --------------------------------------------------------------------------------

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn: Callable[[str], Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range=None,
    ) -> None:
        """Print Keras 3's table of the model — each layer's name and type, output shape and parameter count —
        and the totals with their size in bytes (with `print_fn` instead of print: it gets the whole text).

        >>> Sequential([Dense(64, activation="relu", input_dim=4), Dense(3, activation="softmax")]).summary()
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
        │ dense (Dense)                   │ (None, 64)             │           320 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ dense_1 (Dense)                 │ (None, 3)              │           195 │
        └─────────────────────────────────┴────────────────────────┴───────────────┘
         Total params: 515 (4.02 KB)
         Trainable params: 515 (4.02 KB)
         Non-trainable params: 0 (0.00 B)
        """
        text = self._summary_text()
        (print_fn or print)(text)

    def _summary_text(self) -> str:
        width = (33, 24, 15)

        def row(cells, left="│", middle="│", right="│") -> str:
            name, shape, count = cells
            return (
                f"{left} {name[: width[0] - 2]:<{width[0] - 2}} {middle} {shape:<{width[1] - 2}} {middle} "
                f"{count:>{width[2] - 2}} {right}"
            )

        def rule(left, fill, middle, right) -> str:
            return left + middle.join(fill * w for w in width) + right

        lines = [f'Model: "{self.name}"', rule("┏", "━", "┳", "┓"), row(("Layer (type)", "Output Shape", "Param #"),
                 "┃", "┃", "┃"), rule("┡", "━", "╇", "┩")]  # fmt: skip
        shapes = self._output_shapes if self._output_shapes is not None and self.built else None
        children = list(self.named_children())
        for k, (name, layer) in enumerate(children):
            built = getattr(layer, "built", True) and shapes is not None
            shape = str((None, *shapes[k])) if built else "?"
            count = f"{layer.num_parameters():,}" if built else "0 (unbuilt)"
            lines.append(row((f"{name} ({type(layer).__name__})", shape, count)))
            if k < len(children) - 1:
                lines.append(rule("├", "─", "┼", "┤"))
        lines.append(rule("└", "─", "┴", "┘"))
        params = self.parameters()
        total = sum(p.data.size for p in params)
        trainable = sum(p.data.size for p in params if p.requires_grad)
        total_bytes = sum(p.data.nbytes for p in params)
        trainable_bytes = sum(p.data.nbytes for p in params if p.requires_grad)
        state = [
            value
            for entry in (getattr(self.optimizer, "state", None) or {}).values()
            for key, value in entry.items()
            if isinstance(value, np.ndarray)
        ]
        optimizer_count, optimizer_bytes = sum(a.size for a in state), sum(a.nbytes for a in state)
        lines.append(f" Total params: {total + optimizer_count:,} ({_readable(total_bytes + optimizer_bytes)})")
        lines.append(f" Trainable params: {trainable:,} ({_readable(trainable_bytes)})")
        lines.append(f" Non-trainable params: {total - trainable:,} ({_readable(total_bytes - trainable_bytes)})")
        if optimizer_count:
            lines.append(f" Optimizer params: {optimizer_count:,} ({_readable(optimizer_bytes)})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        spec = self._loss
        compiled = f"compiled ({_optimizer_label(self)}, {spec.name})" if spec is not None else "not compiled"
        if not self.built:
            return f"<Sequential {self.name!r}: {len(self)} layers, not built, {compiled}>"
        return f"<Sequential {self.name!r}: {len(self)} layers, {self.num_parameters()} parameters, {compiled}>"


def _readable(size: float) -> str:
    """Keras' readable_memory_size: bytes in B, KB, MB, ... (powers of 1024), two decimals."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _optimizer_label(model: Sequential) -> str:
    spec = model._optimizer_spec
    if model._optimizer_name is not None:
        return model._optimizer_name
    if isinstance(spec, _keras_optimizers.Optimizer):
        return spec.name.lower()
    if isinstance(spec, functools.partial):
        return getattr(spec.func, "__name__", "optimizer").lower()
    if isinstance(spec, type):
        return spec.__name__.lower()
    if isinstance(spec, _optim.Optimizer):
        return type(spec).__name__.lower()
    return getattr(spec, "__name__", "optimizer")


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True) -> Sequential:
    """A model saved by ``model.save("m.keras")`` (or a ModelCheckpoint), with its weights, compiled again as it
    was (``compile=False``: not compiled) and with its optimizer's state, so fit continues where it stopped. Only
    gradviz's own .keras files are read (never a pickle); a file written by Keras itself is refused, saying so.

    >>> import os, tempfile
    >>> model = Sequential([Dense(3, activation="softmax", input_dim=2)], seed=0)
    >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    <Sequential 'sequential': 1 layers, 9 parameters, compiled (adam, sparse_categorical_crossentropy)>
    >>> path = model.save(os.path.join(tempfile.mkdtemp(), "m.keras"))
    >>> load_model(path)
    <Sequential 'sequential': 1 layers, 9 parameters, compiled (adam, sparse_categorical_crossentropy)>
    """
    from . import saving

    return saving.load_model(filepath, compile=compile)


def save_model(model: Sequential, filepath, overwrite: bool = False, **kwargs) -> str:
    """``model.save(filepath)`` as a function (Keras' keras.models.save_model).

    >>> import os, tempfile
    >>> path = save_model(Sequential([Dense(1, input_dim=1)]), os.path.join(tempfile.mkdtemp(), "m.keras"))
    >>> os.path.basename(path)
    'm.keras'
    """
    return model.save(filepath, overwrite=overwrite, **kwargs)


def clone_model(model: Sequential) -> Sequential:
    """A new model with the same layers and fresh weights (Keras' clone_model); not compiled.

    >>> model = Sequential([Dense(2, input_dim=3)], seed=0)
    >>> twin = clone_model(model)
    >>> twin is model, [w.shape for w in twin.get_weights()] == [w.shape for w in model.get_weights()]
    (False, True)
    """
    return Sequential.from_config(model.get_config())
