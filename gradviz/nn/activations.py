"""Activations as functions (Values or Tensors) and as modules: ReLU, Sigmoid, Tanh, LeakyReLU, Softmax, Identity.

>>> from gradviz import Tensor, nn
>>> x = Tensor([-2.0, 0.5])
>>> nn.ReLU()(x).data, nn.relu(x).data
(array([0. , 0.5]), array([0. , 0.5]))
>>> nn.get_activation("leaky_relu")
LeakyReLU(alpha=0.01)
"""

from __future__ import annotations

from collections.abc import Callable

from .. import functional as F
from .module import Module

__all__ = [
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "softmax",
    "log_softmax",
    "identity",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "Softmax",
    "Identity",
    "ACTIVATIONS",
    "OpActivation",
    "activation_names",
    "get_activation",
]

relu = F.relu
sigmoid = F.sigmoid
tanh = F.tanh
leaky_relu = F.leaky_relu
softmax = F.softmax
log_softmax = F.log_softmax


def identity(x):
    """x itself (the output activation of a regression network). Adds no node to the graph.

    >>> identity(3.0)
    3.0
    """
    return x


class ReLU(Module):
    """max(x, 0), elementwise: the hidden activation most used.

    >>> from gradviz import Value
    >>> ReLU()(Value(-3.0)).data
    0.0
    """

    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + e^−x): squashes into (0, 1); the output of a binary classifier (discouraged in hidden layers).

    >>> from gradviz import Value
    >>> Sigmoid()(Value(0.0)).data
    0.5
    """

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x): squashes into (−1, 1), zero-centred.

    >>> from gradviz import Value
    >>> Tanh()(Value(0.0)).data
    0.0
    """

    def forward(self, x):
        return F.tanh(x)


class LeakyReLU(Module):
    """x if x > 0 else alpha·x: ReLU that keeps a small gradient for negative inputs.

    >>> from gradviz import Value
    >>> LeakyReLU(0.1)(Value(-2.0)).data
    -0.2
    """

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x):
        return F.leaky_relu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha:g}"


class Softmax(Module):
    """e^x / Σ e^x along `axis` (default the last): class probabilities of a multiclass output.

    >>> from gradviz import Tensor
    >>> Softmax()(Tensor([[0.0, 0.0]])).data
    array([[0.5, 0.5]])
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = int(axis)

    def forward(self, x):
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Identity(Module):
    """Returns its input unchanged (linear output for regression).

    >>> Identity()(2.5)
    2.5
    """

    def forward(self, x):
        return x


ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "leaky_relu": LeakyReLU,
    "leakyrelu": LeakyReLU,
    "softmax": Softmax,
    "identity": Identity,
    "linear": Identity,
    "none": Identity,
}
"""Activation names accepted wherever ``activation=`` is (case-insensitive).

>>> from gradviz import Tensor, nn
>>> relu = nn.ACTIVATIONS["relu"]()
>>> relu, relu(Tensor([-1.0, 2.0])).data
(ReLU(), array([0., 2.]))
>>> nn.ACTIVATIONS["linear"] is nn.Identity
True
"""


def get_activation(spec: str | Module | Callable | None) -> Module:
    """A fresh activation module from a name ('relu', 'tanh', ...), a Module (returned as is),
    a function (wrapped), or None (Identity). Unknown names list the valid ones.

    >>> get_activation("Tanh"), get_activation(None)
    (Tanh(), Identity())
    """
    if spec is None:
        return Identity()
    if isinstance(spec, Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    if isinstance(spec, str):
        key = spec.lower().replace("-", "_")
        if key in ACTIVATIONS:
            return ACTIVATIONS[key]()
        op = _registered(key)
        if op is not None:
            return OpActivation(op)
        raise ValueError(f"unknown activation {spec!r}; valid names: {', '.join(activation_names())}")
    if callable(spec):
        return Lambda(spec)
    raise TypeError(f"activation must be a name, a Module, a function or None, got {type(spec).__name__}")


def _registered(name: str):
    """The op declared with ``activation=True`` under `name` (gradviz.ops), else None."""
    from ..ops import unary

    op = unary(name)
    return op if op is not None and op.activation else None


def activation_names() -> list[str]:
    """Every name ``activation=`` takes: the modules above and each op registered with ``activation=True``.

    >>> "relu" in activation_names(), "matmul" in activation_names()
    (True, False)
    """
    from ..ops import OPS

    return sorted(set(ACTIVATIONS) | {name for name in OPS if _registered(name) is not None})


class OpActivation(Module):
    """An activation that is one registered op applied elementwise (``activation="softplus"`` once declared).

    >>> from gradviz import Tensor
    >>> from gradviz.ops import OPS
    >>> OpActivation(OPS["tanh"])(Tensor([0.0])).data
    array([0.])
    """

    def __init__(self, op) -> None:
        super().__init__()
        self.op = op

    @property
    def name(self) -> str:
        return self._name or self.op.name

    @name.setter
    def name(self, value: str) -> None:
        Module.name.fset(self, value)

    def forward(self, x):
        from ..engine import apply

        return apply(self.op, (x,))

    def extra_repr(self) -> str:
        return self.op.name


class Lambda(Module):
    """A module around a plain function (used for ``activation=my_function``)."""

    def __init__(self, function: Callable) -> None:
        super().__init__()
        self.function = function

    @property
    def name(self) -> str:  # the scope shows the function's name
        return self._name or getattr(self.function, "__name__", "lambda").strip("<>") or "lambda"

    @name.setter
    def name(self, value: str) -> None:
        Module.name.fset(self, value)

    def forward(self, x):
        return self.function(x)

    def extra_repr(self) -> str:
        return getattr(self.function, "__name__", repr(self.function))
