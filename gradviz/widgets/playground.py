"""Playground: a TensorFlow-Playground-like widget, programmable from Python, that trains a small keras Sequential
on 2-D data and shows its decision boundary, loss and accuracy curves and per-layer gradients as it learns.

The widget holds its settings in traitlets (``p.activation = "sigmoid"`` and the dropdown change
together) and draws nothing itself: the pictures come from the pure functions of
``gradviz.widgets._dashboard_plots``. Training runs one epoch at a time (``step_epoch()``), or in
a background thread (``run()``), so the notebook stays responsive and Pause works; tests and
scripts call ``run(epochs=..., block=True)``.

>>> p = Playground("xor", hidden=(4,), activation="tanh", learning_rate=0.05, seed=0)
>>> [layer.units for layer in p.model.layers], p.epoch
([4, 1], 0)
>>> p.run(epochs=3, block=True)
>>> p.epoch, len(p.history["loss"]), p.status.value.count("epoch 3")
(3, 3, 1)
"""

from __future__ import annotations

import html
import math
import threading
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import numpy as np
import traitlets

from ..callbacks import LambdaCallback
from ..i18n import message
from ._dashboard_panels import DashboardPanels

__all__ = [
    "Playground",
    "DATASETS",
    "REGRESSION_DATASETS",
    "ACTIVATIONS",
    "OPTIMIZER_NAMES",
    "FEATURES",
    "make_dataset",
    "parse_hidden",
    "features_of",
]

DATASETS = ("moons", "circles", "spirals", "xor", "blobs")
"""The generated data sets the playground offers (``"user"`` is added when you pass x and y).

>>> from gradviz.widgets.playground import DATASETS, make_dataset
>>> DATASETS
('moons', 'circles', 'spirals', 'xor', 'blobs')
>>> [len(set(make_dataset(name, 60, seed=0)[1])) for name in DATASETS]   # classes in each
[2, 2, 2, 2, 3]
"""

REGRESSION_DATASETS = ("plane", "gaussians")
"""The regression data sets (TensorFlow Playground's 'plane' and 'multi gaussian'): a number to predict at each
point. Choosing one makes the Playground a regression: a linear output, the mean squared error, the output's
surface instead of a decision boundary.

>>> from gradviz.widgets.playground import Playground
>>> p = Playground("plane", hidden=(3,), seed=0)
>>> p.problem, p.model.layers[-1].activation_name, p.model.loss
('regression', 'linear', 'mse')
"""

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")
"""The hidden-layer activations offered.

>>> from gradviz.widgets.playground import ACTIVATIONS, Playground
>>> ACTIVATIONS
('relu', 'tanh', 'sigmoid', 'leaky_relu', 'linear')
>>> p = Playground("xor", hidden=(4,), activation="leaky_relu", seed=0)
>>> p.controls["activation"].value, type(p.model.layers[0].activation).__name__
('leaky_relu', 'LeakyReLU')
>>> p.activation = "gelu"
Traceback (most recent call last):
...
ValueError: Playground: activation='gelu' is not offered; choose one of relu, tanh, sigmoid, leaky_relu, linear
"""

OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam")
"""The optimizers offered (gradviz.optim's names).

>>> from gradviz.widgets.playground import OPTIMIZER_NAMES, Playground
>>> OPTIMIZER_NAMES
('sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam')
>>> from gradviz import optim
>>> all(name in optim.OPTIMIZERS for name in OPTIMIZER_NAMES)
True
>>> p = Playground("xor", hidden=(4,), optimizer="rmsprop", seed=0)
>>> p.controls["optimizer"].value
'rmsprop'
>>> p.optimizer = "sgd"   # from Python: the dropdown follows, the weights are kept
>>> p.controls["optimizer"].value
'sgd'
"""

# the menus of TensorFlow Playground; a value set from Python joins its menu
_LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
_L2_PENALTIES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


_NETWORK_RESOLUTION = 20  # pixels a side of each neuron's map in the network view
MAX_LAYERS, MAX_UNITS = 12, 512  # the largest network parse_hidden accepts

FEATURES: dict[str, tuple[str, Callable]] = {
    "x1": ("x₁", lambda X: X[:, 0]),
    "x2": ("x₂", lambda X: X[:, 1]),
    "x1^2": ("x₁²", lambda X: X[:, 0] ** 2),
    "x2^2": ("x₂²", lambda X: X[:, 1] ** 2),
    "x1*x2": ("x₁x₂", lambda X: X[:, 0] * X[:, 1]),
    "sin(x1)": ("sin x₁", lambda X: np.sin(X[:, 0])),
    "sin(x2)": ("sin x₂", lambda X: np.sin(X[:, 1])),
}
"""The input features a Playground can feed its network, as TensorFlow Playground's: name → (as shown, the
function of the 2-D points).

>>> import numpy as np
>>> [float(FEATURES[name][1](np.array([[2.0, 3.0]]))[0]) for name in ("x1", "x1^2", "x1*x2")]
[2.0, 4.0, 6.0]
"""


_FEATURE_CODE = {
    "x1": "points[:, 0]",
    "x2": "points[:, 1]",
    "x1^2": "points[:, 0] ** 2",
    "x2^2": "points[:, 1] ** 2",
    "x1*x2": "points[:, 0] * points[:, 1]",
    "sin(x1)": "np.sin(points[:, 0])",
    "sin(x2)": "np.sin(points[:, 1])",
}


def _dataset_call(name: str, samples: int, noise: float, seed: int) -> str:
    """The gradviz.data call make_dataset makes for the data set `name`, as code."""
    if name == "plane":
        return f"data.make_plane({samples}, noise={noise!r}, seed={seed})"
    if name == "gaussians":
        return f"data.make_gaussians({samples}, noise={noise!r}, seed={seed})"
    if name == "moons":
        return f"data.make_moons({samples}, noise={noise!r}, seed={seed})"
    if name == "circles":
        return f"data.make_circles({samples}, noise={noise * 0.5!r}, factor=0.5, seed={seed})"
    if name == "spirals":
        return f"data.make_spirals({samples}, classes=2, noise={noise * 0.5!r}, seed={seed})"
    if name == "xor":
        return f"data.make_xor({samples}, noise={noise * 0.5!r}, margin=0.05, seed={seed})"
    return f"data.make_blobs({samples}, centers=3, std={0.3 + 2.0 * noise!r}, box=(-2.5, 2.5), seed={seed})"


def features_of(names: Sequence[str], X: np.ndarray) -> np.ndarray:
    """The points `X` (N, 2) as the columns of the features `names` (N, len(names)).

    >>> import numpy as np
    >>> features_of(["x1", "x1*x2"], np.array([[2.0, 3.0], [1.0, -1.0]])).tolist()
    [[2.0, 6.0], [1.0, -1.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([FEATURES[name][1](X) for name in names])


def _menu(values, chosen: float) -> list[tuple[str, float]]:
    return [(f"{value:g}", value) for value in sorted({*values, float(chosen)})]


_GRAPH_SAMPLES = 4


def make_dataset(name: str, samples: int = 300, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The playground's data set `name` (one of ``DATASETS`` or ``REGRESSION_DATASETS``): `samples` 2-D points and
    their integer labels (their targets, for a regression set).

    'moons', 'circles', 'spirals' and 'xor' have two classes; 'blobs' has three clusters whose spread
    grows with `noise`; 'plane' and 'gaussians' give a number at each point.

    >>> X, y = make_dataset("blobs", 90, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    >>> make_dataset("plane", 50, seed=0)[1].dtype
    dtype('float64')
    """
    from .. import data

    if name not in (*DATASETS, *REGRESSION_DATASETS):
        names = ", ".join((*DATASETS, *REGRESSION_DATASETS))
        raise ValueError(f"Playground: unknown data set {name!r}; choose one of {names}")
    if name == "plane":
        return data.make_plane(samples, noise=noise, seed=seed)
    if name == "gaussians":
        return data.make_gaussians(samples, noise=noise, seed=seed)
    if name == "moons":
        return data.make_moons(samples, noise=noise, seed=seed)
    if name == "circles":
        return data.make_circles(samples, noise=noise * 0.5, factor=0.5, seed=seed)
    if name == "spirals":
        return data.make_spirals(samples, classes=2, noise=noise * 0.5, seed=seed)
    if name == "xor":
        return data.make_xor(samples, noise=noise * 0.5, margin=0.05, seed=seed)
    return data.make_blobs(samples, centers=3, std=0.3 + 2.0 * noise, box=(-2.5, 2.5), seed=seed)


def parse_hidden(text: str | Sequence[int]) -> tuple[int, ...]:
    """The hidden layer sizes from '8, 8' (or a sequence of ints); '' means no hidden layer.

    >>> parse_hidden("8, 4"), parse_hidden(""), parse_hidden([3])
    ((8, 4), (), (3,))
    """
    if isinstance(text, str):
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        try:
            sizes = tuple(int(part) for part in parts)
        except ValueError:
            raise ValueError(message("dashboard.bad_hidden", text=text)) from None
    else:
        sizes = tuple(text)
        if not all(isinstance(size, (int, np.integer)) and not isinstance(size, bool) for size in sizes):
            raise ValueError(message("dashboard.bad_hidden", text=", ".join(map(str, sizes))))
        sizes = tuple(int(size) for size in sizes)
    if any(size < 1 or size > MAX_UNITS for size in sizes) or len(sizes) > MAX_LAYERS:
        raise ValueError(message("dashboard.bad_hidden", text=", ".join(map(str, sizes))))
    return sizes


def _user_data(x, y, problem: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(getattr(x, "data", x) if not isinstance(x, np.ndarray) else x, dtype=np.float64)
    labels = np.asarray(getattr(y, "data", y) if not isinstance(y, np.ndarray) else y)
    if X.ndim != 2 or len(X) < 4:
        raise ValueError(f"Playground(x=...): x must be (n_samples, n_features) with n ≥ 4, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("Playground(x=...): x holds nan or inf; clean the data first")
    if problem == "regression":
        targets = np.asarray(labels, dtype=np.float64).reshape(-1)
        if targets.shape != (len(X),) or not np.all(np.isfinite(targets)):
            raise ValueError(
                f"Playground(problem='regression'): y must hold one finite number per point ({len(X)}), "
                f"got shape {np.shape(labels)}"
            )
        return X, targets
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)  # one-hot rows
    labels = labels.reshape(-1)
    if len(labels) != len(X):
        raise ValueError(f"Playground: x has {len(X)} samples but y has {len(labels)} labels")
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ValueError(
            "Playground(y=...): a classification needs class labels 0, 1, 2, … in y "
            f"(got values such as {labels[labels != np.round(labels)][0]!r}); for numbers to predict, "
            "pass problem='regression'"
        )
    labels = labels.astype(np.int64)
    if labels.min() < 0 or len(np.unique(labels)) < 2:
        raise ValueError(
            f"Playground(y=...): y needs at least two classes labelled 0, 1, …; got {np.unique(labels).tolist()}"
        )
    return X, labels


class Playground(widgets.VBox):
    """Train a small network on 2-D data and watch it learn: decision boundary, loss and accuracy, gradient sizes.

    Controls (also settable from Python, e.g. ``p.hidden = (8, 8, 8)``): `features` (the network's inputs, from
    FEATURES: 'x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'), `dataset` ('moons',
    'circles', 'spirals', 'xor', 'blobs'; the regressions 'plane' and 'gaussians'; or 'user' for your own
    ``x``/``y``), `noise`, `test_size` (the share of points held out as test data), `hidden` (neurons per hidden
    layer; the + and − buttons above the network add and remove neurons and layers), `activation` (every hidden
    layer's, and a new layer's) or `activations` (one per hidden layer), `optimizer`, `learning_rate`,
    `batch_size`, `l1` and `l2` (regularisation rates), `epochs` (per press of Run), `show_test` (draw the test
    points too), `discretize` (hard class regions instead of shades). Changing the data or the architecture
    starts over with new weights; changing the optimizer, rate or regularisation keeps the weights.

    The network view (``network_svg()``, and its panel with a weights/gradients toggle) draws every neuron as a
    map of its activation over the plane and every weight as a line, as TensorFlow Playground does; a click on a
    weight or a neuron shows its value and gradient, and ``chain_rule(layer, i, j)`` (the weight menu under the
    view) writes out the chain-rule paths through a weight.

    Buttons: Run (train `epochs` epochs in the background; the pictures refresh at most every
    `redraw_interval` seconds), Pause, +1 epoch, Reset. Clicking a layer name draws that layer's
    graph (the loss of a small batch, the layer open, the others collapsed) with its gradients.

    From Python: ``step_epoch()``, ``run(epochs=None, block=False)``, ``pause()``, ``wait()``,
    ``reset()``, ``show_layer(name)``, ``add_layer()``, ``remove_layer()``, ``add_neuron(layer)``,
    ``remove_neuron(layer)``, ``record(path, epochs, every)`` (a GIF or HTML player of the training),
    ``to_code()``; ``model`` (the keras Sequential), ``history``, ``epoch``. ``Playground.from_model(model, x,
    y)`` starts from a model of your own.

    `seed` fixes the data, the split, the first weights and the batch order (Reset draws other weights).

    >>> p = Playground("moons", hidden=(8, 8), activation="relu", optimizer="sgd", learning_rate=0.1)
    >>> p.step_epoch()
    >>> p.epoch, type(p.model.optimizer).__name__, p.model.optimizer.lr
    (1, 'SGD', 0.1)
    >>> p.show_layer("hidden2")
    >>> "hidden2.weight" in p.layer_graph.value
    True
    """

    dataset = traitlets.Unicode("moons")
    features = traitlets.Tuple()
    noise = traitlets.Float(0.15)
    test_size = traitlets.Float(0.3)
    hidden = traitlets.Tuple()
    activation = traitlets.Unicode("tanh")
    activations = traitlets.Tuple()
    optimizer = traitlets.Unicode("adam")
    learning_rate = traitlets.Float(0.03)
    batch_size = traitlets.Int(16)
    l1 = traitlets.Float(0.0)
    l2 = traitlets.Float(0.0)
    epochs = traitlets.Int(100)
    show_test = traitlets.Bool(False)
    discretize = traitlets.Bool(False)
    epoch = traitlets.Int(0, help="epochs trained since the last reset")
    running = traitlets.Bool(False, help="whether a background run is training now")

    def __init__(
        self,
        dataset: str | None = None,
        *,
        x=None,
        y=None,
        problem: str | None = None,
        model=None,
        hidden: Sequence[int] = (8, 8),
        features: Sequence[str] = ("x1", "x2"),
        activation: str | Sequence[str] = "tanh",
        optimizer: str = "adam",
        learning_rate: float = 0.03,
        batch_size: int = 16,
        l1: float = 0.0,
        l2: float = 0.0,
        noise: float = 0.15,
        samples: int = 300,
        epochs: int = 100,
        test_size: float = 0.3,
        show_test: bool = False,
        discretize: bool = False,
        seed: int = 0,
        redraw_interval: float = 0.5,
        resolution: int = 60,
    ) -> None:
        super().__init__()
        if (x is None) != (y is None):
            raise ValueError("Playground: give both x and y (your points and their class labels), or neither")
        if problem not in (None, "classification", "regression"):
            raise ValueError(f"Playground: problem is 'classification' or 'regression', got {problem!r}")
        self._user = None if x is None else _user_data(x, y, problem)
        self._user_problem = "regression" if problem == "regression" else "classification"
        if dataset is None:
            dataset = "user" if self._user is not None else "moons"
        self._check_choice("dataset", dataset, self._dataset_names())
        if isinstance(activation, str):
            activation, activations = activation, (activation,) * len(parse_hidden(hidden))
        else:
            activations = tuple(activation)
            activation = activations[0] if activations else "tanh"
        for name in (activation, *activations):
            self._check_choice("activation", name, ACTIVATIONS)
        self._check_choice("optimizer", optimizer, OPTIMIZER_NAMES)
        self._positive("learning_rate", learning_rate)
        self.samples = int(samples)
        self.seed = int(seed)
        self.resolution = int(resolution)
        self.error: BaseException | None = None
        self._resets = 0
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._logs: dict[str, float] = {}
        self._given = None
        self.model = None

        # the typed state first, then the controls bound to it, then the observers: no reset half-way
        self.dataset = dataset
        self.features = self._check_features(features)
        self.noise = float(noise)
        self.test_size = test_size
        self.hidden = parse_hidden(hidden)
        self.activation = activation
        self.activations = activations
        self.optimizer = optimizer
        self.learning_rate = float(learning_rate)
        self.batch_size = self._count("batch_size", batch_size)
        self.l1 = self._nonnegative("l1", l1)
        self.l2 = self._nonnegative("l2", l2)
        self.epochs = self._count("epochs", epochs)
        self.show_test = bool(show_test)
        self.discretize = bool(discretize)
        if model is not None:
            self._adopt(model)

        self.panels = DashboardPanels(
            np.zeros((1, 2)), None, redraw_interval=redraw_interval, resolution=resolution, held_out="test"
        )
        self.status = self.panels.status
        self._build_controls()
        self._observe()
        self.reset()

    @classmethod
    def from_model(cls, model, x=None, y=None, **settings) -> Playground:
        """A Playground that starts from your own keras Sequential of Dense layers (its weights as they are; Reset
        draws new ones for the same layers): the hidden sizes and activations are read from it, the output tells
        the problem (1 sigmoid unit: two classes; k softmax units: k classes; 1 linear unit: a regression).
        `x`, `y`: your data (default: the `dataset` setting's); other settings as for Playground().

        >>> from gradviz import keras
        >>> model = keras.Sequential([keras.Dense(5, activation="relu", input_dim=2),
        ...                           keras.Dense(1, activation="sigmoid")], seed=3)
        >>> p = Playground.from_model(model, dataset="circles")
        >>> p.hidden, p.activations, p.model is model
        ((5,), ('relu',), True)
        """
        return cls(model=model, x=x, y=y, **settings)

    def _adopt(self, model) -> None:
        """Take `model`'s architecture as the settings (checked against the data), and keep it for the first reset."""
        layers = list(getattr(model, "layers", []))
        if not layers or not all(hasattr(layer, "units") and hasattr(layer, "activation_name") for layer in layers):
            raise ValueError(
                "Playground.from_model: the model must be a gradviz.keras Sequential of Dense layers, got "
                f"{type(model).__name__}"
            )
        *hidden, output = layers
        activations = tuple(layer.activation_name for layer in hidden)
        for name in activations:
            if name not in ACTIVATIONS:
                raise ValueError(
                    f"Playground.from_model: a hidden layer's activation is {name!r}; the Playground offers "
                    f"{', '.join(ACTIVATIONS)}"
                )
        kind = (output.units, output.activation_name)
        problem = "regression" if kind == (1, "linear") else "classification"
        if kind[1] not in ("sigmoid", "softmax", "linear") or (kind[1] == "sigmoid" and kind[0] != 1):
            raise ValueError(
                "Playground.from_model: the output layer must be Dense(1, 'sigmoid') for two classes, "
                f"Dense(k, 'softmax') for k classes or Dense(1) for a regression; it is Dense({kind[0]}, {kind[1]!r})"
            )
        if problem != self.problem:
            raise ValueError(
                f"Playground.from_model: the model's output makes it a {problem}, but the data set "
                f"{self.dataset!r} is a {self.problem}; choose matching data"
            )
        X, y = self._data()
        classes = None if problem == "regression" else int(y.max()) + 1
        wanted = 1 if classes in (None, 2) else classes
        if output.units != wanted:
            raise ValueError(
                f"Playground.from_model: the data has {classes} classes, so the output needs {wanted} units; "
                f"the model's has {output.units}"
            )
        width = self._inputs(X[:1]).shape[1]
        if layers[0].in_features not in (None, width):
            raise ValueError(
                f"Playground.from_model: the model takes {layers[0].in_features} inputs, but the features "
                f"{', '.join(self.features)} give {width}; choose features= to match"
            )
        self.hidden = tuple(layer.units for layer in hidden)
        self.activations = activations
        if activations:
            self.activation = activations[0]
        self._given = model

    # -- checks --------------------------------------------------------------------------------------

    def _dataset_names(self) -> tuple[str, ...]:
        names = (*DATASETS, *REGRESSION_DATASETS)
        return (*names, "user") if self._user is not None else names

    @property
    def problem(self) -> str:
        """'classification' or 'regression' (a regression data set, or your data with problem='regression')."""
        if self.dataset == "user":
            return self._user_problem
        return "regression" if self.dataset in REGRESSION_DATASETS else "classification"

    @staticmethod
    def _check_choice(what: str, value, choices: Sequence[str]) -> None:
        if value not in choices:
            raise ValueError(f"Playground: {what}={value!r} is not offered; choose one of {', '.join(choices)}")

    def _check_features(self, names) -> tuple[str, ...]:
        names = tuple(names)
        unknown = [name for name in names if name not in FEATURES]
        if unknown or not names:
            raise ValueError(
                f"Playground: features are one or more of {', '.join(FEATURES)}; got {', '.join(map(repr, names)) or 'none'}"
            )
        if self._user is not None and self._user[0].shape[1] != 2 and names != ("x1", "x2"):
            raise ValueError("Playground: features are functions of 2-D points; your x has other columns")
        return names

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs for the points X: the chosen features (the points as they are for x₁, x₂)."""
        if self.features == ("x1", "x2") or X.shape[1] != 2:
            return X
        return features_of(self.features, X)

    @staticmethod
    def _positive(what: str, value) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or not math.isfinite(value):
            raise ValueError(f"Playground: {what} must be a positive number, got {value!r}")
        return float(value)

    @staticmethod
    def _nonnegative(what: str, value) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or not math.isfinite(value):
            raise ValueError(f"Playground: {what} must be a number ≥ 0, got {value!r}")
        return float(value)

    @staticmethod
    def _count(what: str, value) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"Playground: {what} must be a positive whole number, got {value!r}")
        return int(value)

    @traitlets.validate("dataset")
    def _valid_dataset(self, proposal):
        self._check_choice("dataset", proposal["value"], self._dataset_names())
        return proposal["value"]

    @traitlets.validate("activation")
    def _valid_activation(self, proposal):
        self._check_choice("activation", proposal["value"], ACTIVATIONS)
        return proposal["value"]

    @traitlets.validate("optimizer")
    def _valid_optimizer(self, proposal):
        self._check_choice("optimizer", proposal["value"], OPTIMIZER_NAMES)
        return proposal["value"]

    @traitlets.validate("hidden")
    def _valid_hidden(self, proposal):
        return parse_hidden(proposal["value"])

    @traitlets.validate("activations")
    def _valid_activations(self, proposal):
        names = tuple(proposal["value"])
        for name in names:
            self._check_choice("activation", name, ACTIVATIONS)
        if len(names) != len(self.hidden):
            raise ValueError(
                f"Playground: activations gives {len(names)} names for {len(self.hidden)} hidden layers; give one per layer"
            )
        return names

    @traitlets.validate("test_size")
    def _valid_test_size(self, proposal):
        value = proposal["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 0.9:
            raise ValueError(f"Playground: test_size must be a fraction in [0, 0.9], got {value!r}")
        return round(float(value), 2)  # the slider's steps

    def _join_menu(self, name: str, value: float, defaults) -> None:
        control = getattr(self, "controls", {}).get(name)
        if control is not None and value not in [option for _, option in control.options]:
            control.options = _menu(defaults, value)

    @traitlets.validate("learning_rate")
    def _valid_learning_rate(self, proposal):
        value = self._positive("learning_rate", proposal["value"])
        self._join_menu("learning_rate", value, _LEARNING_RATES)
        return value

    @traitlets.validate("l1", "l2")
    def _valid_penalty(self, proposal):
        name = proposal["trait"].name
        value = self._nonnegative(name, proposal["value"])
        self._join_menu(name, value, _L2_PENALTIES)
        return value

    @traitlets.validate("noise")
    def _valid_noise(self, proposal):
        # the slider moves in steps of 0.01: a value between steps would be moved by the browser and restart training
        return round(self._nonnegative("noise", proposal["value"]), 2)

    @traitlets.validate("batch_size", "epochs")
    def _valid_count(self, proposal):
        value = self._count(proposal["trait"].name, proposal["value"])
        control = getattr(self, "controls", {}).get("batch_size")
        if proposal["trait"].name == "batch_size" and control is not None and value > control.max:
            control.max = value
        return value

    # -- the controls ----------------------------------------------------------------------------------

    def _build_controls(self) -> None:
        wide = {"description_width": "150px"}
        names = [(message(f"dashboard.data_{name}"), name) for name in self._dataset_names()]
        self.controls = {
            "dataset": widgets.Dropdown(options=names, description=message("dashboard.dataset")),
            "noise": widgets.FloatSlider(min=0.0, max=0.5, step=0.01, description=message("dashboard.noise")),
            "test_size": widgets.FloatSlider(
                min=0.0, max=0.9, step=0.05, readout_format=".0%", description=message("playground.test_size")
            ),
            "hidden": widgets.Text(
                description=message("dashboard.hidden"), placeholder="8, 8", tooltip=message("dashboard.hidden_tooltip")
            ),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), description=message("dashboard.activation")),
            "optimizer": widgets.Dropdown(options=list(OPTIMIZER_NAMES), description=message("dashboard.optimizer")),
            "learning_rate": widgets.Dropdown(
                options=_menu(_LEARNING_RATES, self.learning_rate), description=message("dashboard.learning_rate")
            ),
            "batch_size": widgets.IntSlider(
                min=1, max=max(256, self.batch_size), description=message("dashboard.batch_size")
            ),
            "l1": widgets.Dropdown(options=_menu(_L2_PENALTIES, self.l1), description=message("playground.l1")),
            "l2": widgets.Dropdown(options=_menu(_L2_PENALTIES, self.l2), description=message("dashboard.l2")),
            "epochs": widgets.BoundedIntText(min=1, max=100_000, description=message("dashboard.epochs")),
            "show_test": widgets.Checkbox(description=message("playground.show_test")),
            "discretize": widgets.Checkbox(description=message("playground.discretize")),
        }
        for name, control in self.controls.items():
            control.style = wide
            control.layout = widgets.Layout(width="345px")
            control.add_class(f"gradviz-{name.replace('_', '-')}")
            if name != "hidden":
                traitlets.link((self, name), (control, "value"))
        self.controls["hidden"].value = ", ".join(map(str, self.hidden))
        if self._user is not None:
            self.controls["noise"].disabled = True  # the noise of your own data is yours

        # the input features, as TensorFlow Playground's column of inputs
        self.feature_boxes = {
            name: widgets.Checkbox(
                value=name in self.features, description=shown, indent=False, layout=widgets.Layout(width="80px")
            )
            for name, (shown, _) in FEATURES.items()
        }
        for name, box in self.feature_boxes.items():
            box.add_class(f"gradviz-feature-{name.replace('^', '-').replace('*', '-').replace('(', '-').rstrip(')')}")
            box.observe(self._on_feature_box, names="value")
        self.features_row = widgets.HBox(
            [widgets.Label(message("dashboard.features")), *self.feature_boxes.values()],
            layout=widgets.Layout(flex_flow="row wrap", width="345px"),
        )
        if self._user is not None and self._user[0].shape[1] != 2:
            for box in self.feature_boxes.values():
                box.disabled = True

        def button(key: str, icon: str, tooltip: str | None = None):
            made = widgets.Button(
                description=message(f"dashboard.{key}"),
                icon=icon,
                tooltip=message(tooltip) if tooltip else "",
                layout=widgets.Layout(width="168px"),
            )
            made.add_class(f"gradviz-{key}")
            return made

        self.run_button = button("run", "play", "dashboard.run_tooltip")
        self.run_button.button_style = "success"
        self.pause_button = button("pause", "pause")
        self.pause_button.disabled = True
        self.step_button = button("step", "step-forward", "dashboard.step_tooltip")
        self.reset_button = button("reset", "refresh", "dashboard.reset_tooltip")
        self.run_button.on_click(lambda _: self.run())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self._step_clicked())
        self.reset_button.on_click(lambda _: self.reset())
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="170px"))
        self.progress.add_class("gradviz-progress")
        self.progress_text = widgets.HTML()
        self.summary = widgets.HTML(layout=widgets.Layout(margin="0 0 6px 0"))

        self.network = widgets.HTML(layout=widgets.Layout(overflow="auto"))
        self.network.add_class("gradviz-network")
        self.network_lines = widgets.ToggleButtons(
            options=[
                (message("dashboard.lines_weights"), "weights"),
                (message("dashboard.lines_gradients"), "gradients"),
            ],
            value="weights",
            description=message("dashboard.network"),
            style={**wide, "button_width": "120px"},
        )
        self.network_lines.add_class("gradviz-network-lines")
        self.network_lines.observe(lambda _: self._draw_network(), names="value")

        # TensorFlow Playground's + and − above the layers
        self.add_layer_button = self._small_button("+", "playground.add_layer", "gradviz-add-layer")
        self.remove_layer_button = self._small_button("−", "playground.remove_layer", "gradviz-remove-layer")
        self.add_layer_button.on_click(lambda _: self.add_layer())
        self.remove_layer_button.on_click(lambda _: self.remove_layer())
        self.layer_editor = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        self.layer_editor.add_class("gradviz-layer-editor")

        # the chain rule through one weight, chosen in a menu (a click in the picture cannot reach Python)
        self.weight_picker = widgets.Dropdown(
            options=[], description=message("playground.chain_rule"), style=wide, layout=widgets.Layout(width="420px")
        )
        self.weight_picker.add_class("gradviz-weight-picker")
        self._filling = False
        self.weight_picker.observe(lambda _: None if self._filling else self._draw_chain_rule(), names="value")
        self.chain_rule_view = widgets.HTML()
        self.chain_rule_view.add_class("gradviz-chain-rule")

        self.layer_picker = widgets.ToggleButtons(
            options=[], description=message("dashboard.layer"), style={**wide, "button_width": "90px"}
        )
        self.layer_picker.add_class("gradviz-layer-picker")
        self.layer_picker.observe(self._on_layer_picked, names="value")
        self.layer_graph = widgets.HTML(
            value=f"<i>{html.escape(message('dashboard.layer_hint'))}</i>",
            layout=widgets.Layout(max_height="520px", overflow="auto", width="100%"),
        )
        self.layer_graph.add_class("gradviz-layer-graph")

        left = widgets.VBox(
            [
                self.features_row,
                *self.controls.values(),
                widgets.HBox([self.run_button, self.pause_button]),
                widgets.HBox([self.step_button, self.reset_button]),
                widgets.HBox([self.progress, self.progress_text]),
            ],
            layout=widgets.Layout(width="355px", min_width="355px", margin="0 8px 0 0"),
        )
        top = widgets.Layout(align_items="flex-start")
        self.children = [
            self.panels.status,
            self.summary,
            widgets.HBox(
                [
                    left,
                    widgets.VBox([self.panels.boundary], layout=top),
                    widgets.VBox([self.panels.curves, self.panels.gradient_bars], layout=top),
                ],
                layout=widgets.Layout(align_items="flex-start", flex_flow="row wrap"),
            ),
            self.layer_editor,
            self.network_lines,
            self.network,
            self.weight_picker,
            self.chain_rule_view,
            self.layer_picker,
            self.layer_graph,
        ]
        self.add_class("gradviz-playground")

    @staticmethod
    def _small_button(text: str, tooltip: str, css_class: str):
        made = widgets.Button(description=text, tooltip=message(tooltip), layout=widgets.Layout(width="34px"))
        made.add_class(css_class)
        return made

    def _build_layer_editor(self) -> None:
        """One column per hidden layer — its name, + and − for its neurons, its activation — after the layer buttons."""
        self.add_layer_button.disabled = len(self.hidden) >= MAX_LAYERS
        self.remove_layer_button.disabled = not self.hidden
        if len(self.hidden) == 1:
            count = widgets.Label(message("playground.layers_one"))
        else:
            count = widgets.Label(message("playground.layers", count=len(self.hidden)))
        columns = [widgets.VBox([count, widgets.HBox([self.add_layer_button, self.remove_layer_button])])]
        self.neuron_buttons: list[tuple[widgets.Button, widgets.Button]] = []
        self.activation_menus: list[widgets.Dropdown] = []
        for k, units in enumerate(self.hidden):
            more = self._small_button("+", "playground.add_neuron", f"gradviz-add-neuron-{k + 1}")
            fewer = self._small_button("−", "playground.remove_neuron", f"gradviz-remove-neuron-{k + 1}")
            more.disabled, fewer.disabled = units >= MAX_UNITS, units <= 1
            more.on_click(lambda _, k=k: self.add_neuron(k))
            fewer.on_click(lambda _, k=k: self.remove_neuron(k))
            menu = widgets.Dropdown(
                options=list(ACTIVATIONS), value=self.activations[k], layout=widgets.Layout(width="110px")
            )
            menu.add_class(f"gradviz-activation-{k + 1}")
            menu.observe(lambda change, k=k: self._on_layer_activation(k, change["new"]), names="value")
            self.neuron_buttons.append((more, fewer))
            self.activation_menus.append(menu)
            if units == 1:
                title = widgets.Label(message("playground.layer_column_one", layer=k + 1))
            else:
                title = widgets.Label(message("playground.layer_column", layer=k + 1, units=units))
            columns.append(
                widgets.VBox([title, widgets.HBox([more, fewer]), menu], layout=widgets.Layout(margin="0 0 0 14px"))
            )
        self.layer_editor.children = columns

    def add_layer(self, units: int | None = None) -> None:
        """Add a hidden layer before the output (of `units` neurons; default: as many as the last hidden layer, or 4),
        with the `activation` setting; the network starts over, as TensorFlow Playground's + button.

        >>> p = Playground("xor", hidden=(3,), seed=0)
        >>> p.add_layer(); p.hidden, p.activations
        ((3, 3), ('tanh', 'tanh'))
        """
        if len(self.hidden) >= MAX_LAYERS:
            raise ValueError(f"Playground.add_layer: at most {MAX_LAYERS} hidden layers")
        size = units if units is not None else (self.hidden[-1] if self.hidden else 4)
        self.hidden = (*self.hidden, self._count("units", size))

    def remove_layer(self) -> None:
        """Remove the last hidden layer (a network with none is logistic regression on the features)."""
        if not self.hidden:
            raise ValueError("Playground.remove_layer: there is no hidden layer left to remove")
        self.hidden = self.hidden[:-1]

    def _layer_index(self, layer: int, where: str) -> int:
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(self.hidden):
            raise ValueError(
                f"Playground.{where}: layer is a hidden layer's index, 0 to {len(self.hidden) - 1}; got {layer!r}"
            )
        return int(layer)

    def add_neuron(self, layer: int) -> None:
        """One more neuron in hidden layer `layer` (from 0); the network starts over."""
        k = self._layer_index(layer, "add_neuron")
        if self.hidden[k] >= MAX_UNITS:
            raise ValueError(f"Playground.add_neuron: at most {MAX_UNITS} neurons a layer")
        self.hidden = (*self.hidden[:k], self.hidden[k] + 1, *self.hidden[k + 1 :])

    def remove_neuron(self, layer: int) -> None:
        """One neuron fewer in hidden layer `layer` (from 0; a layer keeps at least one); the network starts over."""
        k = self._layer_index(layer, "remove_neuron")
        if self.hidden[k] <= 1:
            raise ValueError("Playground.remove_neuron: a layer keeps at least one neuron; remove_layer() removes it")
        self.hidden = (*self.hidden[:k], self.hidden[k] - 1, *self.hidden[k + 1 :])

    def _on_layer_activation(self, k: int, name: str) -> None:
        if k < len(self.activations) and self.activations[k] != name:
            self.activations = (*self.activations[:k], name, *self.activations[k + 1 :])

    def _observe(self) -> None:
        self.controls["hidden"].observe(self._on_hidden_typed, names="value")
        self.observe(self._on_hidden, names="hidden")
        self.observe(self._on_data, names=["dataset", "noise"])
        self.observe(self._on_features, names="features")
        self.observe(self._on_architecture, names=["hidden", "activation", "activations", "features"])
        self.observe(lambda _: self._recompile(), names=["optimizer", "l2"])
        self.observe(lambda _: self.reset(), names="test_size")
        self.observe(lambda _: self._redraw_pictures(), names=["show_test", "discretize"])
        self.observe(self._on_learning_rate, names="learning_rate")
        self.observe(self._on_running, names="running")

    def _on_feature_box(self, change) -> None:
        chosen = tuple(name for name, box in self.feature_boxes.items() if box.value)
        if not chosen:  # the network needs an input: the last one stays
            change["owner"].value = True
            return
        if chosen != self.features:
            self.features = chosen

    def _on_features(self, change) -> None:
        for name, box in self.feature_boxes.items():
            if box.value != (name in change["new"]):
                box.value = name in change["new"]

    @traitlets.validate("features")
    def _valid_features(self, proposal):
        return self._check_features(proposal["value"])

    def _on_hidden_typed(self, change) -> None:
        try:
            sizes = parse_hidden(change["new"])
        except ValueError as problem:
            self.panels.show_problem(str(problem))
            return
        self.hidden = sizes

    def _on_architecture(self, change) -> None:
        """A new architecture starts over, once: the activations follow the layers (and `activation`, when set)."""
        name = change["name"]
        if name in ("hidden", "activation"):
            kept = self.activations if name == "hidden" else ()
            wanted = tuple(kept[: len(self.hidden)]) + (self.activation,) * max(0, len(self.hidden) - len(kept))
            if wanted != self.activations:
                self.activations = wanted  # its own change resets
                return
        self.reset()

    def _redraw_pictures(self) -> None:
        with self._lock:
            self._configure_panels()
            self.panels.draw(self.model)

    def _on_hidden(self, change) -> None:
        text = ", ".join(map(str, change["new"]))
        try:
            typed = parse_hidden(self.controls["hidden"].value)
        except ValueError:
            typed = None
        if typed != change["new"]:
            self.controls["hidden"].value = text

    def _on_data(self, change) -> None:
        self.controls["noise"].disabled = self.dataset == "user"
        self.reset()

    def _on_learning_rate(self, change) -> None:
        with self._lock:
            if self.model is not None and self.model.optimizer is not None:
                self.model.optimizer.lr = float(change["new"])  # keeps the optimizer's state (momentum, Adam's moments)

    def _recompile(self) -> None:
        with self._lock:
            if self.model is not None:
                self._compile(self.model)

    def _on_running(self, change) -> None:
        running = bool(change["new"])
        self.run_button.disabled = running
        self.step_button.disabled = running
        self.pause_button.disabled = not running

    # -- data and model --------------------------------------------------------------------------------

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        if self.dataset == "user":
            return self._user
        return make_dataset(self.dataset, self.samples, self.noise, self.seed)

    def _split(self, X: np.ndarray, y: np.ndarray) -> None:
        from ..data import train_test_split

        regression = self.problem == "regression"
        if self.test_size > 0:
            stratify = None if regression or np.bincount(y).min() < 2 else y
            parts = train_test_split(X, y, test_size=self.test_size, seed=self.seed, stratify=stratify)
            self.x_train, self.x_test, self.y_train, self.y_test = parts
        else:
            self.x_train, self.y_train, self.x_test, self.y_test = X, y, None, None
        self.classes = None if regression else int(y.max()) + 1

    def _output(self) -> tuple[int, str, str]:
        """The output layer's units and activation, and the loss, for the problem."""
        if self.classes is None:
            return 1, "linear", "mse"
        if self.classes == 2:
            return 1, "sigmoid", "binary_crossentropy"
        return self.classes, "softmax", "sparse_categorical_crossentropy"

    def _layer_names(self) -> list[str]:
        """'hidden1', …, 'output' (in Spanish 'oculta1', …, 'salida'): the names the pictures show."""
        hidden = [message("playground.hidden_layer_name", number=k + 1) for k in range(len(self.hidden))]
        return [*hidden, message("playground.output_layer_name")]

    def _build_model(self):
        from .. import keras

        if self._given is not None:  # from_model: your model, as it is, the first time
            model, self._given = self._given, None
            if not model.built:
                model.build(self._inputs(self.x_train[:1]).shape[1])
            self._model_seed = None
            self._initial_weights = [np.array(w) for w in model.get_weights()]
            return self._compile(model)
        units, output_activation, _ = self._output()
        sizes = [*self.hidden, units]
        activations = [*self.activations, output_activation]
        features = self._inputs(self.x_train).shape[1]
        layers = [
            keras.Dense(units, activation=activation, name=name, input_dim=features if k == 0 else None)
            for k, (units, name, activation) in enumerate(zip(sizes, self._layer_names(), activations, strict=True))
        ]
        self._model_seed = self.seed + 7919 * self._resets
        self._initial_weights = None
        model = keras.Sequential(layers, seed=self._model_seed)
        return self._compile(model)

    def _make_optimizer(self, params):
        from .. import keras, optim

        name, defaults = keras.OPTIMIZERS[self.optimizer]
        options = {**defaults, "lr": float(self.learning_rate)}
        if self.l2:
            options["weight_decay"] = float(self.l2)
        return optim.OPTIMIZERS[name](params, **options)

    def _compile(self, model):
        loss = self._output()[2]
        return model.compile(
            optimizer=self._make_optimizer, loss=loss, metrics=[] if self.classes is None else ["accuracy"]
        )

    def _targets(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.float64) if self.classes in (None, 2) else y

    def _l1_step(self) -> None:
        """L1 as TensorFlow Playground applies it: after each step every weight moves toward 0 by
        learning_rate·l1, and one that would cross 0 stops there (the biases are left alone)."""
        shrink = float(self.learning_rate) * float(self.l1)
        for layer in self.model.layers:
            w = layer.weight.data
            w[...] = np.sign(w) * np.maximum(np.abs(w) - shrink, 0.0)

    @property
    def history(self) -> dict[str, list[float]]:
        """'loss', 'accuracy', 'val_loss', 'val_accuracy' ('val' is the test part) → one number per epoch."""
        return self.panels.history

    @property
    def layer_names(self) -> list[str]:
        """The model's layers: 'hidden1', 'hidden2', ..., 'output' (a model of your own: its names)."""
        return [name for name, _ in self.model.named_children()]

    def _initial_logs(self) -> dict[str, float]:
        logs = self.model.evaluate(self._inputs(self.x_train), self._targets(self.y_train), verbose=0, return_dict=True)
        if self.x_test is not None:
            test = self.model.evaluate(
                self._inputs(self.x_test), self._targets(self.y_test), verbose=0, return_dict=True
            )
            logs.update({f"val_{key}": value for key, value in test.items()})
        return logs

    def _show_summary(self) -> None:
        sizes = [self._inputs(self.x_train).shape[1], *self.hidden, self._output()[0]]
        parameters = sum(int(np.prod(p.shape)) for p in self.model.parameters())
        self.summary.value = html.escape(
            message(
                "dashboard.summary",
                samples=len(self.x_train),
                test=0 if self.x_test is None else len(self.x_test),
                layers=" → ".join(map(str, sizes)),
                parameters=parameters,
            )
        )

    # -- training ------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Stop any run, draw new weights, forget the history and show epoch 0."""
        self.pause()
        self.wait()
        with self._lock:
            self.error = None
            self._split(*self._data())
            self.model = self._build_model()
            self._resets += 1
            self.epoch = 0
            self.panels.clear()
            self.panels.X, self.panels.y = self.x_train, self.y_train
            self._configure_panels()
            self.progress.value, self.progress.max = 0, 1
            self.progress_text.value = ""
            names = self.layer_names
            chosen = self.layer_picker.value if self.layer_picker.value in names else None
            with self.layer_picker.hold_trait_notifications():
                self.layer_picker.options = names
                self.layer_picker.value = chosen
            self._show_summary()
            self._build_layer_editor()
            self._fill_weight_picker()
            self.panels.draw(self.model, 0, self._initial_logs())
            self._draw_layer()
            self._draw_network()
            self._draw_chain_rule()

    def _configure_panels(self) -> None:
        """What the boundary panel shows: the problem, the test points, hard regions."""
        panels = self.panels
        panels.features = None if self.features == ("x1", "x2") else self._inputs
        panels.regression = self.problem == "regression"
        panels.test_points = None if self.x_test is None else (self.x_test, self.y_test)
        panels.show_test = bool(self.show_test)
        panels.discretize = bool(self.discretize)

    def _epoch_callback(self) -> LambdaCallback:
        def batch_end(batch, logs):
            self.panels.record_batch(self.model)  # the gradients of this batch, before L1 moves the weights
            if self.l1:
                self._l1_step()

        return LambdaCallback(on_batch_end=batch_end, on_epoch_end=lambda epoch, logs: self._logs.update(logs))

    def _train_epoch(self) -> bool:
        """One epoch under the lock; says whether the widgets were updated (the throttle). A diverged loss is
        kept in ``error`` and shown in the status line."""
        from .. import keras
        from ..keras import NonFiniteLossError

        with self._lock:
            epoch = self.epoch
            validation = None if self.x_test is None else (self._inputs(self.x_test), self._targets(self.y_test))
            self._logs = {}
            try:
                self.model.fit(
                    self._inputs(self.x_train),
                    self._targets(self.y_train),
                    epochs=epoch + 1,
                    initial_epoch=epoch,
                    batch_size=self.batch_size,
                    verbose=0,
                    validation_data=validation,
                    seed=self.seed + epoch + 1,
                    callbacks=[self._epoch_callback(), keras.callbacks.TerminateOnNaN(raise_error=True)],
                )
            except NonFiniteLossError as diverged:
                self.error = diverged
                self.panels.show_problem(message("dashboard.diverged", reason=str(diverged)))
                return False
            self.epoch = epoch + 1
            shown = self.panels.end_epoch(self.epoch, self._logs, self.model)
            if shown:  # the network view keeps the pictures' redraw budget
                self._draw_network()
            return shown

    def step_epoch(self) -> None:
        """Train exactly one epoch now (in this thread) and redraw everything."""
        if self.running:
            raise RuntimeError("Playground.step_epoch: a run is training now; pause() it first")
        if self.error is not None:
            raise RuntimeError(f"Playground.step_epoch: training stopped ({self.error}); reset() first")
        self._train_epoch()
        if self.error is not None:
            raise self.error
        self._finish()

    def _step_clicked(self) -> None:
        if not self.running and self.error is None:  # a diverged model waits for Reset (the status says so)
            self.step_epoch()

    def run(self, epochs: int | None = None, *, block: bool = False) -> None:
        """Train for `epochs` epochs (default: the Epochs control), in a background thread so the notebook stays
        responsive, or here and now with ``block=True``. Pause stops it after the current epoch."""
        total = self.epochs if epochs is None else self._count("epochs", epochs)
        if self.running or self.error is not None:
            return  # a second click while training; a diverged model stays stopped until Reset
        self._stop.clear()
        self.running = True
        self.progress.max, self.progress.value = total, 0
        self.progress_text.value = message("dashboard.progress", done=0, total=total)
        if block:
            self._loop(total)
            if self.error is not None:
                raise self.error
            return
        self._thread = threading.Thread(target=self._loop, args=(total,), name="gradviz-playground", daemon=True)
        self._thread.start()

    def _loop(self, total: int) -> None:
        done = 0
        try:
            while done < total and not self._stop.is_set():
                shown = self._train_epoch()
                if self.error is not None:
                    break
                done += 1
                if shown:
                    self.progress.value = done
                    self.progress_text.value = message("dashboard.progress", done=done, total=total)
        except Exception as problem:  # noqa: BLE001 — shown in the widget, kept in .error, never lost
            self.error = problem
            self.panels.show_problem(f"{type(problem).__name__}: {problem}")
        finally:
            self.progress.value = done
            self.progress_text.value = message("dashboard.progress", done=done, total=total)
            if self.error is None:
                self._finish()
            self.running = False

    def _finish(self) -> None:
        """The end of a run or a step: every picture for the latest epoch, and the chosen layer's graph."""
        with self._lock:
            self.panels.flush(self.model)
            self._draw_layer()
            self._draw_network()
            self._draw_chain_rule()

    def pause(self) -> None:
        """Ask a background run to stop after the epoch it is in (``wait()`` waits for that)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until a background run has ended; True when nothing is running any more."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return not self.running

    # -- the layer graph -------------------------------------------------------------------------------------

    def network_svg(self, gradients: bool | None = None) -> str:
        """The network view as SVG: every neuron a small map of its activation over the plane, every weight a line
        (colour = sign, width ∝ size; ``class="weight"``), the biases under the neurons; with `gradients` (default:
        the toggle's choice) the lines show ∂L/∂w of the last batch (gradviz.viz.network.network_svg)."""
        from ..viz.network import picture_svg

        return picture_svg(self._network_picture(gradients))

    def _network_picture(self, gradients: bool | None = None):
        from ..viz.network import network_picture

        if gradients is None:
            gradients = self.network_lines.value == "gradients"
        with self._lock:
            return network_picture(
                self.model,
                self.x_train,
                gradients=gradients,
                resolution=_NETWORK_RESOLUTION,
                features=None if self.features == ("x1", "x2") else self._inputs,
                input_names=[FEATURES[name][0] for name in self.features],
            )

    def _draw_network(self) -> None:
        self.network.value = self.network_svg()

    def to_code(self) -> str:
        """The gradviz code (keras-style) that builds and trains this network as the Playground did since its last
        reset — the same data, split, features, layers, seed, optimizer and batch order — and prints the final
        loss, which equals ``history["loss"][-1]`` (a change of optimizer, rate or L2 in the middle of a run is not
        replayed: the code uses the settings of now).

        >>> p = Playground("xor", hidden=(3,), samples=60, seed=1)
        >>> p.step_epoch()
        >>> code = p.to_code()
        >>> "keras.Sequential" in code and "], seed=1)" in code
        True
        """
        from .. import keras

        lines = ["import numpy as np", "", "from gradviz import data, keras, optim", ""]
        if self.dataset == "user":
            X, y = self._user
            lines += [f"X = np.array({X.tolist()!r})", f"y = np.array({y.tolist()!r})"]
        else:
            lines.append(f"X, y = {_dataset_call(self.dataset, self.samples, self.noise, self.seed)}")
        if self.test_size > 0:
            labels = self._data()[1]
            stratify = "None" if self.classes is None or np.bincount(labels).min() < 2 else "y"
            lines.append(
                f"x_train, x_test, y_train, y_test = data.train_test_split(X, y, test_size={self.test_size!r}, "
                f"seed={self.seed}, stratify={stratify})"
            )
        else:
            lines.append("x_train, y_train, x_test, y_test = X, y, None, None")
        if self.features == ("x1", "x2"):
            lines += ["", "def inputs(points):", "    return points"]
        else:
            columns = ", ".join(_FEATURE_CODE[name] for name in self.features)
            lines += ["", "def inputs(points):  # " + ", ".join(FEATURES[n][0] for n in self.features)]
            lines.append(f"    return np.column_stack([{columns}])")
        units, output_activation, loss = self._output()
        sizes = [*self.hidden, units]
        names = self.layer_names
        activations = [*self.activations, output_activation]
        width = self._inputs(self.x_train[:1]).shape[1]
        layers = [
            f"    keras.Dense({units}, activation={activation!r}, name={name!r}"
            + (f", input_dim={width})," if k == 0 else "),")
            for k, (units, name, activation) in enumerate(zip(sizes, names, activations, strict=True))
        ]
        name, defaults = keras.OPTIMIZERS[self.optimizer]
        options = {**defaults, "lr": float(self.learning_rate)}
        if self.l2:
            options["weight_decay"] = float(self.l2)
        floats = self.classes in (None, 2)
        targets = "y_train.astype(np.float64)" if floats else "y_train"
        test_targets = "y_test.astype(np.float64)" if floats else "y_test"
        metrics = "[]" if self.classes is None else '["accuracy"]'
        seed = "" if self._model_seed is None else f", seed={self._model_seed}"
        lines += ["", "", "model = keras.Sequential([\n" + "\n".join(layers) + f"\n]{seed})"]
        if self._model_seed is None:  # a model of your own: its first weights, written out
            weights = ", ".join(f"np.array({w.tolist()!r})" for w in self._initial_weights or [])
            lines += [f"model.build({width})", f"model.set_weights([{weights}])"]
        lines += [
            "model.compile(",
            f"    optimizer=lambda params: optim.OPTIMIZERS[{name!r}](params, **{options!r}),",
            f"    loss={loss!r},",
            f"    metrics={metrics},",
            ")",
        ]
        callbacks = ""
        if self.l1:
            shrink = float(self.learning_rate) * float(self.l1)
            lines += [
                "",
                "",
                "def l1_step(batch, logs):  # L1: after each step every weight moves toward 0 by lr·l1, stopping at 0",
                "    for layer in model.layers:",
                "        w = layer.weight.data",
                f"        w[...] = np.sign(w) * np.maximum(np.abs(w) - {shrink!r}, 0.0)",
                "",
                "",
            ]
            callbacks = ", callbacks=[callbacks.LambdaCallback(on_batch_end=l1_step)]"
            lines[2] = "from gradviz import callbacks, data, keras, optim"
        lines += [
            "validation = None if x_test is None else (inputs(x_test), " + test_targets + ")",
            "losses = []",
            f"for epoch in range({self.epoch}):  # one fit per epoch, each with its own shuffle seed, as the Playground",
            "    history = model.fit(",
            f"        inputs(x_train), {targets}, epochs=epoch + 1, initial_epoch=epoch, batch_size={self.batch_size},",
            f"        verbose=0, validation_data=validation, seed={self.seed} + epoch + 1{callbacks},",
            "    )",
            '    losses.append(history.history["loss"][-1])',
            'print("final loss", repr(losses[-1]) if losses else None)',
        ]
        return "\n".join(lines) + "\n"

    # -- the chain rule through one weight ----------------------------------------------------------------

    def _loss_kind(self) -> str:
        return {None: "mse", 2: "bce"}.get(self.classes, "cross_entropy")

    def chain_rule(self, layer: int, i: int, j: int, sample: int = 0):
        """The chain-rule paths from the loss to weight [i, j] of the `layer`-th Dense layer (from 0; [i, j] is the
        weight from input j to neuron i, as ``model.layers[layer].weight[i, j]``) for training point `sample`:
        gradviz.viz.mlp_chain_rule on the network as it is now (``.equation`` writes the paths out; the sum is
        checked against backward()).

        >>> p = Playground("xor", hidden=(3, 2), seed=0)
        >>> paths = p.chain_rule(0, 1, 0)
        >>> paths.count, paths.matches()     # through the 2 neurons of the second layer
        (2, True)
        """
        from ..viz.paths import mlp_chain_rule

        with self._lock:
            if (
                isinstance(sample, bool)
                or not isinstance(sample, (int, np.integer))
                or not 0 <= sample < len(self.x_train)
            ):
                raise ValueError(
                    f"Playground.chain_rule: sample is a training point's index, 0 to {len(self.x_train) - 1}; "
                    f"got {sample!r}"
                )
            x = self._inputs(self.x_train[sample : sample + 1])[0]
            target = self.y_train[sample]
            y = [float(target)] if self.classes in (None, 2) else int(target)
            return mlp_chain_rule(self.model, x, y, weight=(layer, i, j), loss=self._loss_kind())

    def _fill_weight_picker(self) -> None:
        options = [(message("playground.no_weight"), None)]
        sizes = [self._inputs(self.x_train[:1]).shape[1], *self.hidden, self._output()[0]]
        for layer in range(len(sizes) - 1):
            for i in range(sizes[layer + 1]):
                for j in range(sizes[layer]):
                    options.append((message("playground.weight_choice", layer=layer + 1, i=i, j=j), (layer, i, j)))
        chosen = self.weight_picker.value if self.weight_picker.value in [value for _, value in options] else None
        self._filling = True  # no chain rule is drawn while the menu is being filled
        try:
            self.weight_picker.options = options
            self.weight_picker.index = [value for _, value in options].index(chosen)  # the hint shows when none
        finally:
            self._filling = False

    def _draw_chain_rule(self) -> None:
        chosen = self.weight_picker.value
        if chosen is None:
            self.chain_rule_view.value = ""
            return
        try:
            paths = self.chain_rule(*chosen)
        except Exception as problem:  # noqa: BLE001 — said in the widget
            self.chain_rule_view.value = html.escape(message("dashboard.cannot_draw", reason=str(problem)))
            return
        self.chain_rule_view.value = (
            "<pre style='font-size:14px;line-height:1.35;white-space:pre-wrap'>"
            f"{html.escape(message('playground.chain_rule_sample'))}\n{html.escape(paths.equation)}</pre>"
        )

    # -- recording --------------------------------------------------------------------------------------------

    def _snapshot(self):
        from ..viz.network import picture_png, picture_svg
        from ..viz.network_record import Snapshot, panel_size
        from . import _dashboard_plots as plots

        width, height = panel_size()
        with self._lock:
            logs = dict(self._latest_logs())
            picture = self._network_picture()
            boundary = None
            if self.x_train.shape[1] == 2:  # the boundary filling its half of a 1280×720 frame
                dpi = 140  # larger type than the notebook panel's, for the back of the room
                figure = self.panels.boundary_figure(self.model, self.epoch, width / dpi, height / dpi)
                boundary = plots.figure_png(figure, dpi)
            caption = plots.status_text(self.epoch, logs, "test")
        return Snapshot(
            epoch=self.epoch,
            network_svg=picture_svg(picture),
            network_png=picture_png(picture, size=(width, height)),
            boundary_png=boundary,
            caption=caption,
        )

    def _latest_logs(self) -> dict[str, float]:
        if self.panels.history:
            return {key: values[-1] for key, values in self.panels.history.items()}
        return self._initial_logs()

    def record(self, path, epochs: int | None = None, every: int = 10, *, overwrite: bool = False):
        """Train `epochs` more epochs (default: the Epochs control) here and now, and write the network view and the
        boundary every `every` epochs (and before the first and after the last) as an animated GIF (``.gif``,
        1280×720, for slides) or a self-contained HTML player (``.html``). Returns the file's Path. The file is
        checked before training starts: gradviz will not overwrite a file it did not write (``overwrite=True``
        replaces it).

        >>> import tempfile, pathlib
        >>> p = Playground("xor", hidden=(3,), samples=60, seed=0)
        >>> path = p.record(pathlib.Path(tempfile.mkdtemp()) / "xor.html", epochs=4, every=2)
        >>> path.name, p.epoch, path.read_text().count('class="gradviz-network-view"')
        ('xor.html', 4, 3)
        """
        from pathlib import Path

        from ..export._files import refuse_overwrites
        from ..viz.network_record import write_recording

        path = Path(path)
        if path.suffix.lower() not in (".gif", ".html"):
            raise ValueError(f"Playground.record: write a .gif or an .html file, got {path.name!r}")
        total = self.epochs if epochs is None else self._count("epochs", epochs)
        every = self._count("every", every)
        if self.running:
            raise RuntimeError("Playground.record: a run is training now; pause() it first")
        refuse_overwrites([path], overwrite=overwrite)
        snapshots = [self._snapshot()]
        self.progress.max, self.progress.value = total, 0
        if self.error is not None:
            raise RuntimeError(f"Playground.record: training stopped ({self.error}); reset() first")
        for done in range(1, total + 1):
            if self._train_epoch():  # the panels follow at their own pace; the snapshots are drawn here
                self.progress.value = done
                self.progress_text.value = message("dashboard.progress", done=done, total=total)
            if self.error is not None:
                raise self.error
            if done % every == 0 or done == total:
                snapshots.append(self._snapshot())
        self._finish()
        self.progress.value = total
        self.progress_text.value = message("dashboard.progress", done=total, total=total)
        return write_recording(snapshots, path, overwrite=overwrite)

    def _on_layer_picked(self, change) -> None:
        if not self.running:  # during a run the graph is drawn when it ends
            self._draw_layer()

    def show_layer(self, name: str | None) -> None:
        """Choose the layer whose graph is drawn ('hidden1', ..., 'output'), as a click on its name does; None hides it."""
        if name is not None and name not in self.layer_names:
            raise ValueError(f"Playground.show_layer: no layer {name!r}; the layers are {', '.join(self.layer_names)}")
        changed = self.layer_picker.value != name
        self.layer_picker.value = name
        if not changed or self.running:  # otherwise the picker's observer has drawn it
            self._draw_layer()

    def _draw_layer(self) -> None:
        from ._dashboard_plots import layer_graph_svg

        name = self.layer_picker.value
        if name is None:
            self.layer_graph.value = f"<i>{html.escape(message('dashboard.layer_hint'))}</i>"
            return
        with self._lock:
            rows = slice(0, _GRAPH_SAMPLES)
            try:
                svg = layer_graph_svg(
                    self.model, self._inputs(self.x_train[rows]), self.y_train[rows], name, self.epoch
                )
            except Exception as problem:  # noqa: BLE001 — e.g. no renderer: say so in the widget
                self.layer_graph.value = html.escape(message("dashboard.cannot_draw", reason=str(problem)))
                return
        self.layer_graph.value = svg

    def __repr__(self) -> str:
        sizes = ", ".join(map(str, self.hidden))
        return (
            f"<Playground {self.dataset}: hidden ({sizes}), {self.activation}, {self.optimizer} "
            f"lr={self.learning_rate:g}, epoch {self.epoch}>"
        )
