"""Argument checks shared by the dataset helpers; each error names the argument, its value and what is allowed."""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


class Unset:
    """A default that shows as its value in help() and the API docs, so that a function can tell an argument
    that was not passed from one passed with the same value (``seed=0`` beside ``random_state=0``)."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def given(value) -> bool:
    """Whether an argument with an :class:`Unset` default was passed."""
    return not isinstance(value, Unset)


def either(where: str, name: str, value, sklearn_name: str, sklearn_value):
    """The value of one argument known by two names, gradviz's (``n``, ``seed``) and scikit-learn's
    (``n_samples``, ``random_state``); both given is an error, so neither silently wins."""
    if given(value) and given(sklearn_value):
        raise TypeError(
            f"{where}: got both {name}={value!r} and {sklearn_name}={sklearn_value!r}; they are the same argument "
            f"({sklearn_name} is scikit-learn's name for {name}): give only one"
        )
    chosen = sklearn_value if given(sklearn_value) else value
    return chosen.value if isinstance(chosen, Unset) else chosen


def rng_from(seed, where: str, name: str = "seed") -> np.random.Generator | np.random.RandomState:
    """A numpy Generator from an int seed, an existing Generator or RandomState (used as is) or None (fresh
    entropy)."""
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(
        f"{where}: {name} must be a non-negative int, a numpy Generator or RandomState, or None, got {seed!r} "
        f"({type(seed).__name__})"
    )


def seeded(where: str, seed, random_state):
    """The random stream for ``seed=`` or scikit-learn's ``random_state=`` (the same argument under two names)."""
    value = either(where, "seed", seed, "random_state", random_state)
    return rng_from(value, where, "random_state" if given(random_state) else "seed")


def count(value, name: str, where: str, minimum: int = 1) -> int:
    """An int >= minimum (bools and floats such as 100.0 are refused, so a typo does not pass silently)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {value}")
    return int(value)


def nonnegative(value, name: str, where: str) -> float:
    """A finite real number >= 0 (a noise level, a standard deviation)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {name} must be finite and >= 0, got {value}")
    return float(value)


def as_array(x, name: str, where: str) -> np.ndarray:
    """numpy view of a list, an array or a gradviz Tensor (through its ``__array__``)."""
    from .tables import Dataset

    if isinstance(x, Dataset):  # it has .data too, but is a pair: taking only its features would lose y silently
        raise TypeError(
            f"{where}: {name} is a whole Dataset (features and targets); unpack it first: X, y = dataset, "
            "then pass X and y (or dataset.data and dataset.target)"
        )
    data = getattr(x, "data", None)
    if isinstance(data, np.ndarray) and not isinstance(x, np.ndarray):  # a gradviz Tensor
        return data
    try:
        return np.asarray(x)
    except Exception as error:  # pragma: no cover - numpy's own message is kept
        raise TypeError(f"{where}: cannot turn {name} ({type(x).__name__}) into an array: {error}") from None


def noise_level(noise, where: str) -> float:
    """A noise standard deviation; ``None`` (scikit-learn's default for make_moons and make_circles) is 0."""
    return 0.0 if noise is None else nonnegative(noise, "noise", where)


def same_length(X: np.ndarray, y: np.ndarray | None, where: str) -> None:
    """X and y must hold the same number of samples (their first dimension)."""
    if X.ndim == 0:
        raise ValueError(f"{where}: X must have at least one dimension (samples first), got a scalar")
    if y is not None and (y.ndim == 0 or len(y) != len(X)):
        y_len = "a scalar" if y.ndim == 0 else f"{len(y)} samples (shape {y.shape})"
        raise ValueError(
            f"{where}: X has {len(X)} samples (shape {X.shape}) but y has {y_len}; "
            "they must have the same length along the first axis"
        )
