"""Hypothesis strategies shared by the oracle tests: shapes, float64 arrays, and values kept off kinks.

Shapes are small (0–3 dimensions, sides 1–4) so a central-difference check stays cheap. Values are
bounded; the ``away_from`` strategies keep each element at least a margin away from the points
where a derivative is undefined (relu and abs at 0, maximum at a tie), so a numerical check is
meaningful there.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "MAX_DIMS",
    "MAX_SIDE",
    "shapes",
    "broadcastable_shapes",
    "floats",
    "arrays",
    "positive_arrays",
    "unit_interval_arrays",
    "arrays_away_from",
    "distinct_arrays",
    "grid_arrays",
    "axes_for",
    "axis_for",
    "permutations_of",
    "reshape_targets",
    "slices_for",
]

MAX_DIMS = 3
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1, max_side: int = MAX_SIDE):
    """Array shapes, including size-1 dimensions."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(count: int = 2, min_dims: int = 0, max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE):
    """`count` shapes that broadcast together (size-1 and missing dimensions included), as a tuple."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=count, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda drawn: drawn.input_shapes)


def floats(low: float = -3.0, high: float = 3.0):
    """Finite float64 numbers in [low, high] (no subnormals: they only add noise to the comparisons)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape, low: float = -3.0, high: float = 3.0):
    """float64 arrays of `shape` with elements in [low, high]; hypothesis likes 0 and repeated values."""
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


def positive_arrays(shape, low: float = 0.1, high: float = 3.0):
    """float64 arrays with elements in [low, high], low > 0: for log, sqrt, fractional powers and divisors."""
    assert low > 0
    return arrays(shape, low, high)


def unit_interval_arrays(shape, margin: float = 0.05):
    """Probabilities kept `margin` away from 0 and 1 (where log and its derivative blow up)."""
    return arrays(shape, margin, 1.0 - margin)


def _away_from_zero(low: float, high: float, margin: float):
    magnitude = st.floats(margin, high, allow_nan=False, allow_subnormal=False)
    return (
        st.tuples(st.sampled_from([-1.0, 1.0]), magnitude)
        .map(lambda pair: pair[0] * pair[1])
        .filter(lambda x: x >= low)
    )


def arrays_away_from(shape, points=(0.0,), margin: float = 0.1, low: float = -3.0, high: float = 3.0):
    """float64 arrays whose elements all stay at least `margin` from each of `points` (kinks)."""
    elements = _away_from_zero(low, high, margin)
    for point in points:
        elements = elements.filter(lambda x, p=point: abs(x - p) >= margin)
    return hnp.arrays(np.float64, shape, elements=elements)


def distinct_arrays(shape, spacing: float = 0.05, span: int = 80):
    """float64 arrays of pairwise distinct elements at least `spacing` apart: no ties for max/min."""
    grid = st.integers(-span, span).map(lambda k: k * spacing)
    return hnp.arrays(np.float64, shape, elements=grid, unique=True)


def grid_arrays(shape, step: float = 0.5, span: int = 3):
    """float64 arrays on the grid k·step for |k| ≤ span: zeros and ties come often (for kink conventions)."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-span, span).map(lambda k: k * step))


@st.composite
def axes_for(draw, ndim: int, allow_none: bool = True, allow_tuple: bool = True, allow_negative: bool = True):
    """An `axis` argument for a reduction over an array of `ndim` dimensions: None, an int or a tuple."""
    choices = ["none"] if allow_none or ndim == 0 else []
    if ndim > 0:
        choices.append("int")
        if allow_tuple:
            choices.append("tuple")
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None
    if kind == "int":
        return draw(axis_for(ndim, allow_negative))
    picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    if allow_negative:
        picked = [a - ndim if draw(st.booleans()) else a for a in picked]
    return tuple(picked)


def axis_for(ndim: int, allow_negative: bool = True):
    """One valid axis of an array with `ndim` ≥ 1 dimensions."""
    return st.integers(-ndim if allow_negative else 0, ndim - 1)


def permutations_of(ndim: int):
    """A permutation of range(ndim), as a tuple."""
    return st.permutations(list(range(ndim))).map(tuple)


@st.composite
def reshape_targets(draw, shape: tuple):
    """A shape with as many elements as `shape`: its dimensions shuffled, with 1s inserted and maybe a -1."""
    dims = list(draw(st.permutations(list(shape)))) if shape else []
    for _ in range(draw(st.integers(0, 2))):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    if dims and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@st.composite
def slices_for(draw, side: int, negative_steps: bool = False):
    """A basic slice into an axis of length `side`; negative steps only on request (torch refuses them)."""
    start = draw(st.none() | st.integers(-side, side))
    stop = draw(st.none() | st.integers(-side, side))
    steps = st.integers(-3, 3).filter(bool) if negative_steps else st.integers(1, 3)
    step = draw(st.none() | steps)
    return slice(start, stop, step)
