"""Activations as functions (Values or Tensors) and as modules: ReLU, Sigmoid, Tanh, LeakyReLU, Softmax,
LogSoftmax, Identity — with torch.nn's names and arguments (``negative_slope=``, ``dim=``).

>>> from gradviz import Tensor, nn
>>> x = Tensor([-2.0, 0.5])
>>> nn.ReLU()(x).data, nn.relu(x).data
(array([0. , 0.5]), array([0. , 0.5]))
>>> nn.get_activation("leaky_relu")
LeakyReLU(negative_slope=0.01)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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
    "LogSoftmax",
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


def _inplace(inplace, who: str) -> bool:
    """torch's `inplace` flag, taken for code that passes it: gradviz computes a new node either way (the graph
    needs the input), so the values and gradients are torch's; only the input is not overwritten."""
    if not isinstance(inplace, (bool, int)):
        raise TypeError(f"{who}: inplace must be True or False, got {inplace!r}")
    return bool(inplace)


class ReLU(Module):
    """max(x, 0), elementwise: the hidden activation most used.

    `inplace` is accepted for torch's code; the result is a new node all the same (the input is not overwritten).

    >>> from gradviz import Value
    >>> ReLU()(Value(-3.0)).data
    0.0
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = _inplace(inplace, "ReLU")

    def forward(self, x):
        return F.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


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
    """x if x > 0 else negative_slope·x: ReLU that keeps a small gradient for negative inputs (torch's
    ``LeakyReLU(negative_slope=0.01, inplace=False)``; gradviz's older name ``alpha=`` still works, and
    ``.alpha`` reads the slope).

    >>> from gradviz import Value
    >>> LeakyReLU(0.1)(Value(-2.0)).data, LeakyReLU(negative_slope=0.2)
    (-0.2, LeakyReLU(negative_slope=0.2))
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False, *, alpha: float | None = None) -> None:
        super().__init__()
        if alpha is not None:
            if negative_slope != 0.01 and float(negative_slope) != float(alpha):
                raise TypeError(
                    f"LeakyReLU: negative_slope={negative_slope!r} and alpha={alpha!r} name the same slope; give one"
                )
            negative_slope = alpha
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float, np.integer, np.floating)):
            raise TypeError(f"LeakyReLU: negative_slope must be a number, got {negative_slope!r}")
        self.negative_slope = float(negative_slope)
        self.inplace = _inplace(inplace, "LeakyReLU")

    @property
    def alpha(self) -> float:
        """The slope for negative inputs (gradviz's older name of ``negative_slope``)."""
        return self.negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope:g}" + (", inplace=True" if self.inplace else "")


def _dim(dim, axis, who: str) -> int | None:
    """torch's `dim`, or gradviz's older `axis` (one of them)."""
    if axis is not None:
        if dim is not None and dim != -1 and int(dim) != int(axis):
            raise TypeError(f"{who}: dim={dim!r} and axis={axis!r} name the same dimension; give one")
        dim = axis
    if dim is None:
        return None
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{who}: dim must be an integer (the dimension that sums to 1), got {dim!r}")
    return int(dim)


def _implicit_dim(ndim: int) -> int:
    # torch's rule for dim=None (deprecated there): the first dimension of a 0-, 1- or 3-d input, else the second
    return 0 if ndim in (0, 1, 3) else 1


class _AlongDim(Module):
    """An activation along one dimension `dim` (torch's name; gradviz's older ``axis=`` still works)."""

    def __init__(self, dim: int | None = -1, *, axis: int | None = None) -> None:
        super().__init__()
        self.dim = _dim(dim, axis, type(self).__name__)

    @property
    def axis(self) -> int | None:
        """The dimension that sums to 1 (gradviz's older name of ``dim``)."""
        return self.dim

    def _axis(self, x) -> int:
        return _implicit_dim(len(getattr(x, "shape", ()))) if self.dim is None else self.dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """e^x / Σ e^x along `dim` (default the last): class probabilities of a multiclass output.

    As ``torch.nn.Softmax(dim=...)``; gradviz's older name ``axis=`` still works. ``dim=None`` picks the dimension
    by torch's old rule (the first of a 0-, 1- or 3-d input, else the second): give it explicitly.

    >>> from gradviz import Tensor
    >>> Softmax(dim=1)(Tensor([[0.0, 0.0]])).data
    array([[0.5, 0.5]])
    """

    def forward(self, x):
        return F.softmax(x, self._axis(x))


class LogSoftmax(_AlongDim):
    """log(softmax(x)) = x − log Σ e^x along `dim`, computed stably (one node): as ``torch.nn.LogSoftmax(dim=...)``.

    >>> from gradviz import Tensor
    >>> LogSoftmax(dim=1)(Tensor([[0.0, 0.0]])).data.round(4)
    array([[-0.6931, -0.6931]])
    """

    def forward(self, x):
        return F.log_softmax(x, self._axis(x))


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
