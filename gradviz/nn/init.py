"""Weight initialisations (uniform[−1, 1], Xavier/Glorot, He/Kaiming, torch's default, zeros), seeded.

Every initialiser draws from a numpy Generator: the one passed as `rng`, else a fresh one from
`seed`, else the module-wide generator that :func:`manual_seed` resets — so the same seed always
gives the same network.

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
