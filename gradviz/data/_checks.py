"""Argument checks shared by the dataset helpers; each error names the argument, its value and what is allowed."""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


def rng_from(seed, where: str) -> np.random.Generator:
    """A numpy Generator from an int seed, an existing Generator (used as is) or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(
        f"{where}: seed must be a non-negative int, a numpy.random.Generator or None, got {seed!r} "
        f"({type(seed).__name__})"
    )


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
    data = getattr(x, "data", None)
    if isinstance(data, np.ndarray) and not isinstance(x, np.ndarray):  # a gradviz Tensor
        return data
    try:
        return np.asarray(x)
    except Exception as error:  # pragma: no cover - numpy's own message is kept
        raise TypeError(f"{where}: cannot turn {name} ({type(x).__name__}) into an array: {error}") from None


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
