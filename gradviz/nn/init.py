"""Weight initialisations (uniform[−1, 1], Xavier/Glorot, He/Kaiming, torch's default, zeros), seeded.

Every initialiser draws from a numpy Generator: the one passed as `rng`, else a fresh one from
`seed`, else the module-wide generator that :func:`manual_seed` resets — so the same seed always
gives the same network.

torch.nn.init's in-place names fill a tensor that exists already (``nn.init.xavier_uniform_(layer.weight)``)
with torch's gain and fan rules: :func:`xavier_uniform_`, :func:`xavier_normal_`, :func:`kaiming_uniform_`,
:func:`kaiming_normal_`, :func:`uniform_`, :func:`normal_`, :func:`constant_`, :func:`ones_`, :func:`zeros_`
and :func:`calculate_gain`. Their `generator` is a numpy Generator (``np.random.default_rng(seed)``); without
one they draw from the module-wide generator.

>>> from gradviz.nn import init
>>> init.manual_seed(0)
>>> a = init.xavier_uniform((3, 2))
>>> init.manual_seed(0)
>>> b = init.xavier_uniform((3, 2))
>>> bool((a == b).all()), a.shape, bool(abs(a).max() <= (6 / 5) ** 0.5)
(True, (3, 2), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = [
    "manual_seed",
    "default_rng",
    "make_rng",
    "fans",
    "uniform",
    "torch_default",
    "xavier_uniform",
    "xavier_normal",
    "he_normal",
    "he_uniform",
    "zeros",
    "INITIALIZERS",
    "get_initializer",
    "initialize",
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "ones_",
    "zeros_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_RNG = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reset the generator every layer draws from when given no `seed`/`rng` (like torch.manual_seed).

    >>> from gradviz import nn
    >>> nn.manual_seed(1); a = nn.Linear(2, 2).weight.data
    >>> nn.manual_seed(1); b = nn.Linear(2, 2).weight.data
    >>> bool((a == b).all())
    True
    """
    global _RNG
    _RNG = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    """The module-wide generator (reset by :func:`manual_seed`).

    >>> from gradviz.nn import init
    >>> init.manual_seed(0)
    >>> first = init.default_rng().random()
    >>> init.manual_seed(0)
    >>> init.default_rng().random() == first
    True
    """
    return _RNG


def make_rng(seed: int | None = None, rng: np.random.Generator | None = None) -> np.random.Generator:
    """`rng` if given, else a new Generator seeded with `seed`, else the module-wide one.

    >>> from gradviz.nn import init
    >>> init.make_rng(seed=0).random() == init.make_rng(seed=0).random(), init.make_rng() is init.default_rng()
    (True, True)
    """
    if rng is not None and seed is not None:
        raise ValueError("pass either seed= or rng=, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
        return rng
    if seed is not None:
        return np.random.default_rng(seed)
    return _RNG


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape, torch's convention: (out, in) → fan_in = in.

    >>> fans((16, 2)), fans((5,))
    ((2, 16), (5, 5))
    """
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _draw(rng, dtype, sample: Callable[[np.random.Generator], np.ndarray]) -> np.ndarray:
    return np.asarray(sample(rng), dtype=dtype)


def uniform(shape, low: float = -1.0, high: float = 1.0, *, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """Uniform in [low, high) — by default [−1, 1], the course's hand-written example (and micrograd's).

    >>> from gradviz.nn import init
    >>> init.uniform((2,), seed=0)
    array([ 0.27392337, -0.46042657])
    """
    return _draw(make_rng(seed, rng), dtype, lambda r: r.uniform(low, high, size=shape))


def torch_default(shape, *, fan_in: int | None = None, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """Uniform in ±1/√fan_in: what torch.nn.Linear starts from (weights and biases).

    >>> from gradviz.nn import init
    >>> w = init.torch_default((3, 4), seed=0)            # fan_in 4: within ±0.5
    >>> w.shape, bool(abs(w).max() <= 0.5)
    ((3, 4), True)
    """
    fan_in = fans(shape)[0] if fan_in is None else fan_in
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return uniform(shape, -bound, bound, seed=seed, rng=rng, dtype=dtype)


def xavier_uniform(shape, gain: float = 1.0, *, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """Glorot/Xavier uniform: U(±gain·√(6 / (fan_in + fan_out))), for tanh and sigmoid layers.

    >>> from gradviz.nn import init
    >>> w = init.xavier_uniform((2, 4), seed=0)           # within ±√(6/6) = ±1
    >>> w.shape, bool(abs(w).max() <= 1.0)
    ((2, 4), True)
    """
    fan_in, fan_out = fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, -bound, bound, seed=seed, rng=rng, dtype=dtype)


def xavier_normal(shape, gain: float = 1.0, *, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).

    >>> from gradviz.nn import init
    >>> round(float(init.xavier_normal((200, 100), seed=0).std()), 2)       # √(2/300) ≈ 0.082
    0.08
    """
    fan_in, fan_out = fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _draw(make_rng(seed, rng), dtype, lambda r: r.normal(0.0, std, size=shape))


def he_normal(shape, *, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """He/Kaiming normal: N(0, 2 / fan_in), for ReLU layers.

    >>> from gradviz.nn import init
    >>> round(float(init.he_normal((300, 200), seed=0).std()), 2)          # √(2/200) = 0.1
    0.1
    """
    std = math.sqrt(2.0 / fans(shape)[0])
    return _draw(make_rng(seed, rng), dtype, lambda r: r.normal(0.0, std, size=shape))


def he_uniform(shape, *, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """He/Kaiming uniform: U(±√(6 / fan_in)), for ReLU layers.

    >>> from gradviz.nn import init
    >>> w = init.he_uniform((3, 6), seed=0)               # within ±√(6/6) = ±1
    >>> w.shape, bool(abs(w).max() <= 1.0)
    ((3, 6), True)
    """
    bound = math.sqrt(6.0 / fans(shape)[0])
    return uniform(shape, -bound, bound, seed=seed, rng=rng, dtype=dtype)


def zeros(shape, *, seed=None, rng=None, dtype="float64") -> np.ndarray:
    """All zeros (biases; never for the weights of a hidden layer: every unit would stay identical).

    >>> from gradviz.nn import init
    >>> init.zeros((2, 3), dtype="float32")
    array([[0., 0., 0.],
           [0., 0., 0.]], dtype=float32)
    """
    return np.zeros(shape, dtype=dtype)


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "uniform": uniform,
    "torch": torch_default,
    "default": torch_default,
    "xavier": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "glorot": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_normal": xavier_normal,
    "he": he_normal,
    "he_normal": he_normal,
    "kaiming": he_normal,
    "kaiming_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_uniform": he_uniform,
    "zeros": zeros,
}
"""Initialiser names accepted by ``Linear(init=...)`` and ``MLP(init=...)``.

>>> from gradviz import nn
>>> nn.init.INITIALIZERS["glorot"] is nn.init.xavier_uniform
True
>>> nn.Linear(3, 2, init="zeros").weight.data
array([[0., 0., 0.],
       [0., 0., 0.]])
"""


def get_initializer(name: str | Callable) -> Callable[..., np.ndarray]:
    """The initialiser called `name` (a callable passes through); unknown names list the valid ones.

    >>> get_initializer("glorot") is xavier_uniform
    True
    """
    if callable(name):
        return name
    if isinstance(name, str) and name.lower() in INITIALIZERS:
        return INITIALIZERS[name.lower()]
    raise ValueError(f"unknown initialisation {name!r}; valid names: {', '.join(sorted(INITIALIZERS))}")


def initialize(name: str | Callable, shape, *, rng: np.random.Generator, dtype="float64") -> np.ndarray:
    """Draw an array of `shape` with the initialiser `name` from `rng`.

    >>> import numpy as np
    >>> initialize("zeros", (2,), rng=np.random.default_rng(0))
    array([0., 0.])
    """
    return np.asarray(get_initializer(name)(tuple(shape), rng=rng, dtype=dtype), dtype=dtype)


# -- torch.nn.init's in-place names -------------------------------------------------------------------

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """torch's recommended gain for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh), √2 (relu),
    √(2 / (1 + slope²)) (leaky_relu, slope `param`, default 0.01), 3/4 (selu).

    >>> from gradviz.nn import init
    >>> init.calculate_gain("relu"), init.calculate_gain("tanh"), round(init.calculate_gain("leaky_relu", 0.2), 4)
    (1.4142135623730951, 1.6666666666666667, 1.3868)
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float, np.integer, np.floating)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain('leaky_relu', param): the negative slope must be a number, got {param!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    valid = ", ".join(repr(name) for name in (*_LINEAR[:1], "sigmoid", "tanh", "relu", "leaky_relu", "selu"))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; valid names: {valid}")


def _target(tensor, who: str) -> np.ndarray:
    """The array `tensor` holds, ready to be written in place (a read-only array is copied first)."""
    from ..tensor import Tensor

    if isinstance(tensor, Tensor):
        if not tensor.data.flags.writeable:  # e.g. a parameter made from np.broadcast_to
            tensor.data = tensor.data.copy()
        return tensor.data
    if isinstance(tensor, np.ndarray):
        if not tensor.flags.writeable:
            raise ValueError(f"nn.init.{who}: this numpy array is read-only; pass a copy (array.copy())")
        return tensor
    raise TypeError(
        f"nn.init.{who} fills a gradviz Tensor (or a numpy array) in place, e.g. nn.init.{who}(layer.weight); "
        f"got {type(tensor).__name__}"
    )


def _fill(tensor, values, who: str):
    """Write `values` into `tensor` in place (its dtype kept) and return it, as torch's init functions do."""
    from ..engine import Node, mark_modified

    array = _target(tensor, who)
    if array.dtype.kind != "f" and who not in ("constant_", "ones_", "zeros_"):
        raise TypeError(f"nn.init.{who} draws floating-point numbers; this tensor has dtype {array.dtype}")
    array[...] = values
    if isinstance(tensor, Node):
        mark_modified(tensor)  # a graph recorded before the change can no longer back-propagate
    return tensor


def _generator(generator, who: str) -> np.random.Generator:
    if generator is None:
        return _RNG
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"nn.init.{who}(generator=...) takes a numpy Generator, np.random.default_rng(seed) (not a "
            f"{type(generator).__name__}); leave it out to draw from the generator nn.manual_seed resets"
        )
    return generator


def _torch_fans(tensor, who: str) -> tuple[int, int]:
    shape = _target(tensor, who).shape
    if len(shape) < 2:
        raise ValueError(
            f"nn.init.{who}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
            f"(shape {shape}); it is for weight matrices (out_features, in_features). For a bias use "
            "nn.init.zeros_ or nn.init.uniform_"
        )
    return fans(shape)


def _correct_fan(tensor, mode: str, who: str) -> int:
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init.{who}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _torch_fans(tensor, who)
    return fan_in if mode.lower() == "fan_in" else fan_out


def _uniform_fill(tensor, low: float, high: float, generator, who: str):
    rng = _generator(generator, who)
    shape = _target(tensor, who).shape
    return _fill(tensor, rng.uniform(low, high, size=shape), who)


def _normal_fill(tensor, mean: float, std: float, generator, who: str):
    rng = _generator(generator, who)
    shape = _target(tensor, who).shape
    return _fill(tensor, rng.normal(mean, std, size=shape), who)


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None):
    """Fill `tensor` in place with draws from U(a, b) and return it (torch.nn.init.uniform_).

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> w = Tensor(np.zeros(3))
    >>> nn.init.uniform_(w, -1.0, 1.0, generator=np.random.default_rng(0)) is w, bool(abs(w.data).max() <= 1)
    (True, True)
    """
    return _uniform_fill(tensor, float(a), float(b), generator, "uniform_")


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator: np.random.Generator | None = None):
    """Fill `tensor` in place with draws from N(mean, std²) and return it (torch.nn.init.normal_).

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> w = nn.init.normal_(Tensor(np.zeros((200, 100))), std=0.1, generator=np.random.default_rng(0))
    >>> round(float(w.data.std()), 2)
    0.1
    """
    return _normal_fill(tensor, float(mean), float(std), generator, "normal_")


def constant_(tensor, val: float):
    """Fill `tensor` in place with `val` and return it (torch.nn.init.constant_).

    >>> from gradviz import Tensor, nn
    >>> nn.init.constant_(Tensor([1.0, 2.0]), 0.5).data
    array([0.5, 0.5])
    """
    return _fill(tensor, val, "constant_")


def ones_(tensor):
    """Fill `tensor` in place with ones and return it (torch.nn.init.ones_).

    >>> from gradviz import Tensor, nn
    >>> nn.init.ones_(Tensor([3.0, 4.0])).data
    array([1., 1.])
    """
    return _fill(tensor, 1, "ones_")


def zeros_(tensor):
    """Fill `tensor` in place with zeros and return it (torch.nn.init.zeros_): biases, usually.

    >>> from gradviz import nn
    >>> layer = nn.Linear(2, 3)
    >>> nn.init.zeros_(layer.bias).data
    array([0., 0., 0.])
    """
    return _fill(tensor, 0, "zeros_")


def xavier_uniform_(tensor, gain: float = 1.0, generator: np.random.Generator | None = None):
    """Glorot/Xavier uniform in place: U(−a, a) with a = gain·√3·√(2 / (fan_in + fan_out)) (torch's rule;
    fan_in is the second dimension of an (out, in) weight). Returns the tensor.

    >>> import numpy as np
    >>> from gradviz import nn
    >>> layer = nn.Linear(4, 2)
    >>> w = nn.init.xavier_uniform_(layer.weight, generator=np.random.default_rng(0))    # a = √(6/6) = 1
    >>> w is layer.weight, bool(abs(w.data).max() <= 1.0)
    (True, True)
    """
    fan_in, fan_out = _torch_fans(tensor, "xavier_uniform_")
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return _uniform_fill(tensor, -bound, bound, generator, "xavier_uniform_")


def xavier_normal_(tensor, gain: float = 1.0, generator: np.random.Generator | None = None):
    """Glorot/Xavier normal in place: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). Returns the tensor.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> w = nn.init.xavier_normal_(Tensor(np.zeros((200, 100))), generator=np.random.default_rng(0))
    >>> round(float(w.data.std()), 2)                                    # √(2/300) ≈ 0.082
    0.08
    """
    fan_in, fan_out = _torch_fans(tensor, "xavier_normal_")
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _normal_fill(tensor, 0.0, std, generator, "xavier_normal_")


def kaiming_uniform_(
    tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
):
    """He/Kaiming uniform in place: U(−bound, bound) with bound = gain·√(3 / fan), gain =
    ``calculate_gain(nonlinearity, a)`` and fan the weight's fan_in or fan_out (`mode`). Returns the tensor.

    torch's defaults (a = 0, leaky_relu) give gain √2; ``a=math.sqrt(5)`` is how torch.nn.Linear starts.

    >>> import math, numpy as np
    >>> from gradviz import nn
    >>> layer = nn.Linear(6, 3)
    >>> w = nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", generator=np.random.default_rng(0))
    >>> bool(abs(w.data).max() <= math.sqrt(2) * math.sqrt(3 / 6))
    True
    """
    if 0 in _target(tensor, "kaiming_uniform_").shape:
        return tensor  # torch: a no-op on a tensor without elements
    fan = _correct_fan(tensor, mode, "kaiming_uniform_")
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan))
    return _uniform_fill(tensor, -bound, bound, generator, "kaiming_uniform_")


def kaiming_normal_(
    tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
):
    """He/Kaiming normal in place: N(0, std²) with std = gain / √fan (see :func:`kaiming_uniform_`). Returns the
    tensor.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> w = nn.init.kaiming_normal_(Tensor(np.zeros((300, 200))), nonlinearity="relu", generator=np.random.default_rng(0))
    >>> round(float(w.data.std()), 2)                                    # √2 / √200 = 0.1
    0.1
    """
    if 0 in _target(tensor, "kaiming_normal_").shape:
        return tensor
    fan = _correct_fan(tensor, mode, "kaiming_normal_")
    gain = calculate_gain(nonlinearity, a)
    return _normal_fill(tensor, 0.0, gain / math.sqrt(fan), generator, "kaiming_normal_")
