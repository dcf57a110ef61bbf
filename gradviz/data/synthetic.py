"""Seeded toy datasets for classification (moons, circles, spirals, XOR, blobs) and regression (1-D, 2-D, plane, gaussians).

Every generator returns ``(X, y)``: ``X`` is float64 of shape ``(n, d)``; ``y`` is int64 class labels
``0 .. k-1`` for classification and float64 targets for regression. The same ``seed`` gives the same
data (a numpy ``Generator`` may be passed instead, to draw from a stream you own). Classes are
balanced (as evenly as ``n`` allows) and the rows are shuffled, so any slice holds every class.

scikit-learn's names work too: ``n_samples=`` for ``n`` and ``random_state=`` for ``seed`` (giving both
names of one argument is an error). The points are gradviz's own: ``make_moons(n_samples=100,
random_state=0)`` has the shape and classes of scikit-learn's moons, not the same numbers.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import Unset, count, either, noise_level, nonnegative, seeded

__all__ = [
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_blobs",
    "make_regression_1d",
    "make_regression_2d",
    "make_plane",
    "make_gaussians",
]


def _split_evenly(n: int, parts: int) -> list[int]:
    """n items into `parts` groups whose sizes differ by at most one (the first groups get the extra)."""
    base, extra = divmod(n, parts)
    return [base + (1 if k < extra else 0) for k in range(parts)]


def _finish(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator, shuffle: bool = True):
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return np.ascontiguousarray(X, dtype=np.float64), y


def make_moons(
    n: int = Unset(100),
    noise: float | None = 0.0,
    *,
    seed=Unset(0),
    n_samples: int = Unset(100),
    random_state=Unset(None),
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (micrograd's demo data): an outer moon (label 0) and an inner one (label 1).

    ``noise`` is the standard deviation of Gaussian noise added to each coordinate (None = 0, as in
    scikit-learn). ``shuffle=False`` keeps the outer moon's points first.

    >>> X, y = make_moons(100, noise=0.1, seed=0)
    >>> X.shape, X.dtype, y.dtype, np.bincount(y).tolist()
    ((100, 2), dtype('float64'), dtype('int64'), [50, 50])
    """
    where = "make_moons"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where, minimum=2)
    noise = noise_level(noise, where)
    rng = seeded(where, seed, random_state)
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)])
    X = np.vstack([outer, inner])
    y = np.repeat(np.arange(2, dtype=np.int64), [n_outer, n_inner])
    return _finish(X, y, noise, rng, shuffle)


def make_circles(
    n: int = Unset(100),
    noise: float | None = 0.0,
    factor: float = 0.5,
    *,
    seed=Unset(0),
    n_samples: int = Unset(100),
    random_state=Unset(None),
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius 1 (label 0) around a smaller one of radius ``factor`` (label 1); not linearly separable.

    ``noise`` (None = 0) is Gaussian noise on each coordinate. scikit-learn's default ``factor`` is 0.8;
    gradviz's is 0.5, a wider gap for a first picture.

    >>> X, y = make_circles(200, noise=0.05, factor=0.3, seed=1)
    >>> X.shape, np.bincount(y).tolist()
    ((200, 2), [100, 100])
    >>> radius = np.hypot(*make_circles(8, factor=0.3)[0].T)
    >>> sorted(set(radius.round(6).tolist()))
    [0.3, 1.0]
    """
    where = "make_circles"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where, minimum=2)
    noise = noise_level(noise, where)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0.0 < factor < 1.0:
        raise ValueError(
            f"{where}: factor (inner radius / outer radius) must be strictly between 0 and 1, got {factor!r}"
        )
    rng = seeded(where, seed, random_state)
    n_outer, n_inner = _split_evenly(n, 2)
    # endpoint=False: 0 and 2π are the same point, do not draw it twice
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = float(factor) * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    X = np.vstack([outer, inner])
    y = np.repeat(np.arange(2, dtype=np.int64), [n_outer, n_inner])
    return _finish(X, y, noise, rng, shuffle)


def make_spirals(
    n: int = Unset(100),
    classes: int = 2,
    noise: float = 0.0,
    *,
    turns: float = 0.75,
    seed=Unset(0),
    n_samples: int = Unset(100),
    random_state=Unset(None),
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms starting at the origin, one per class (the CS231n / TensorFlow-playground spiral).

    Each arm sweeps ``turns`` full turns while its radius grows from 0 to 1; the arms are rotated by
    ``2π/classes`` from one another. ``noise`` is Gaussian noise added to each coordinate.

    >>> X, y = make_spirals(300, classes=3, noise=0.05, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    where = "make_spirals"
    classes = count(classes, "classes", where, minimum=2)
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where, minimum=classes)
    noise = nonnegative(noise, "noise", where)
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not np.isfinite(turns) or turns <= 0:
        raise ValueError(f"{where}: turns must be a positive number of turns, got {turns!r}")
    rng = seeded(where, seed, random_state)
    arms, labels = [], []
    for k, size in enumerate(_split_evenly(n, classes)):
        radius = np.linspace(0.0, 1.0, size + 1)[1:]  # skip r = 0: every arm would share the origin
        angle = 2.0 * np.pi * (k / classes + turns * radius)
        arms.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
        labels.append(np.full(size, k, dtype=np.int64))
    return _finish(np.vstack(arms), np.concatenate(labels), noise, rng)


def make_xor(
    n: int = Unset(200),
    noise: float = 0.0,
    *,
    margin: float = 0.0,
    seed=Unset(0),
    n_samples: int = Unset(200),
    random_state=Unset(None),
) -> tuple[np.ndarray, np.ndarray]:
    """Points in the square [-1, 1]²; label 1 where the two coordinates have opposite signs (XOR), else 0.

    ``margin`` keeps points at least that far from both axes (a clean gap between the quadrants);
    ``noise`` is Gaussian noise added after labelling, so noisy points may cross the axes.

    >>> X, y = make_xor(8, seed=3)
    >>> bool(np.all(y == (X[:, 0] * X[:, 1] < 0)))
    True
    """
    where = "make_xor"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where, minimum=4)
    noise = nonnegative(noise, "noise", where)
    margin = nonnegative(margin, "margin", where)
    if margin >= 1.0:
        raise ValueError(f"{where}: margin must be below 1 (the half-width of the square), got {margin}")
    rng = seeded(where, seed, random_state)
    # one quadrant per group, so both labels get n/2 points: (+,+) (−,−) → 0, (+,−) (−,+) → 1
    signs = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    sizes = _split_evenly(n, 4)
    sizes = [sizes[0], sizes[2], sizes[1], sizes[3]]  # class 0 gets quadrants 0, 1; class 1 gets 2, 3
    magnitude = rng.uniform(margin, 1.0, size=(n, 2))
    X = magnitude * np.repeat(signs, sizes, axis=0)
    y = np.repeat(np.array([0, 0, 1, 1], dtype=np.int64), sizes)
    return _finish(X, y, noise, rng)


def make_blobs(
    n: int = Unset(100),
    centers=3,
    std: float = Unset(1.0),
    *,
    dim: int = Unset(2),
    box: tuple[float, float] = Unset((-10.0, 10.0)),
    seed=Unset(0),
    n_samples: int = Unset(100),
    n_features: int = Unset(2),
    cluster_std: float = Unset(1.0),
    center_box: tuple[float, float] = Unset((-10.0, 10.0)),
    random_state=Unset(None),
    shuffle: bool = True,
    return_centers: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian clusters, one per class: ``centers`` is a count (drawn uniformly in ``box``) or a (k, d) array.

    scikit-learn's names are accepted beside gradviz's: ``n_samples`` (``n``), ``cluster_std`` (``std``),
    ``n_features`` (``dim``), ``center_box`` (``box``), ``random_state`` (``seed``); ``centers=None`` means 3
    and ``return_centers=True`` returns ``(X, y, centers)``, as there. Positionally the second argument is
    ``centers`` (scikit-learn's is ``n_features``): name it.

    >>> X, y = make_blobs(90, centers=[[0, 0], [5, 5], [0, 5]], std=0.5, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    >>> np.round(X[y == 1].mean(axis=0)).tolist()
    [5.0, 5.0]
    >>> X, y = make_blobs(n_samples=300, centers=4, cluster_std=0.6, random_state=0)   # scikit-learn's names
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [75, 75, 75, 75])
    """
    where = "make_blobs"
    n = either(where, "n", n, "n_samples", n_samples)
    std = either(where, "std", std, "cluster_std", cluster_std)
    dim = either(where, "dim", dim, "n_features", n_features)
    box = either(where, "box", box, "center_box", center_box)
    if isinstance(std, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{where}: std (cluster_std) must be one number for every cluster, got {std!r}; "
            "gradviz's blobs all share one spread"
        )
    std = nonnegative(std, "std", where)
    rng = seeded(where, seed, random_state)
    if centers is None:  # scikit-learn's default: three centers
        centers = 3
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = count(centers, "centers", where, minimum=1)
        dim = count(dim, "dim", where, minimum=1)
        low, high = box
        if not low < high:
            raise ValueError(f"{where}: box must be (low, high) with low < high, got {box!r}")
        center_points = rng.uniform(low, high, size=(k, dim))
    else:
        center_points = np.asarray(centers, dtype=np.float64)
        if center_points.ndim != 2 or center_points.shape[0] < 1:
            raise ValueError(
                f"{where}: centers must be an int or a (k, d) array of k center points, got shape {center_points.shape}"
            )
        if not np.all(np.isfinite(center_points)):
            raise ValueError(f"{where}: centers must be finite numbers")
        k = center_points.shape[0]
    n = count(n, "n", where, minimum=k)
    sizes = _split_evenly(n, k)
    X = np.repeat(center_points, sizes, axis=0)
    y = np.repeat(np.arange(k, dtype=np.int64), sizes)
    X, y = _finish(X, y, std, rng, shuffle)
    return (X, y, center_points) if return_centers else (X, y)


_CURVES_1D = {
    "linear": lambda x, slope, intercept: slope * x + intercept,
    "quadratic": lambda x, slope, intercept: slope * x**2 + intercept,
    "cubic": lambda x, slope, intercept: slope * x**3 + intercept,
    "sine": lambda x, slope, intercept: slope * np.sin(np.pi * x) + intercept,
}


def make_regression_1d(
    n: int = Unset(100),
    noise: float = 0.1,
    *,
    slope: float = 2.0,
    intercept: float = 1.0,
    kind: str = "linear",
    x_range: tuple[float, float] = (-1.0, 1.0),
    seed=Unset(0),
    n_samples: int = Unset(100),
    random_state=Unset(None),
) -> tuple[np.ndarray, np.ndarray]:
    """One feature, one float target: ``y = slope·f(x) + intercept + noise·ε`` with x uniform in ``x_range``.

    ``kind`` picks f: "linear" (x), "quadratic" (x²), "cubic" (x³) or "sine" (sin πx) — the last three
    need a hidden layer to fit. ``noise`` is the standard deviation of ε ~ N(0, 1).

    >>> X, y = make_regression_1d(50, noise=0.0, slope=3.0, intercept=-1.0, seed=0)
    >>> X.shape, y.shape, y.dtype
    ((50, 1), (50,), dtype('float64'))
    >>> bool(np.allclose(y, 3.0 * X[:, 0] - 1.0))
    True
    """
    where = "make_regression_1d"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where)
    noise = nonnegative(noise, "noise", where)
    if kind not in _CURVES_1D:
        raise ValueError(f"{where}: unknown kind {kind!r}; choose one of {', '.join(map(repr, _CURVES_1D))}")
    low, high = x_range
    if not low < high:
        raise ValueError(f"{where}: x_range must be (low, high) with low < high, got {x_range!r}")
    rng = seeded(where, seed, random_state)
    x = rng.uniform(low, high, size=n)
    y = _CURVES_1D[kind](x, float(slope), float(intercept)) + (rng.normal(0.0, noise, size=n) if noise > 0 else 0.0)
    return x.reshape(n, 1).astype(np.float64), np.asarray(y, dtype=np.float64)


def make_regression_2d(
    n: int = Unset(100),
    noise: float = 0.1,
    *,
    weights: tuple[float, float] = (2.0, -1.0),
    bias: float = 0.5,
    kind: str = "linear",
    seed=Unset(0),
    n_samples: int = Unset(100),
    random_state=Unset(None),
) -> tuple[np.ndarray, np.ndarray]:
    """Two features in [-1, 1]², one float target: a plane ``y = w·x + b`` ("linear") or a bumpy surface.

    ``kind="sine"`` gives ``y = w₀·sin(πx₀) + w₁·cos(πx₁) + b``, a surface a linear model cannot fit.

    >>> X, y = make_regression_2d(40, noise=0.0, weights=(1.0, 2.0), bias=0.0, seed=0)
    >>> X.shape, bool(np.allclose(y, X @ np.array([1.0, 2.0])))
    ((40, 2), True)
    """
    where = "make_regression_2d"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where)
    noise = nonnegative(noise, "noise", where)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (2,):
        raise ValueError(f"{where}: weights must be two numbers (one per feature), got shape {w.shape}")
    rng = seeded(where, seed, random_state)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    if kind == "linear":
        y = X @ w + float(bias)
    elif kind == "sine":
        y = w[0] * np.sin(np.pi * X[:, 0]) + w[1] * np.cos(np.pi * X[:, 1]) + float(bias)
    else:
        raise ValueError(f"{where}: unknown kind {kind!r}; choose 'linear' or 'sine'")
    if noise > 0:
        y = y + rng.normal(0.0, noise, size=n)
    return X, np.asarray(y, dtype=np.float64)


def _square_points(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform in [-1, 1]², and where their target is read: the same points moved by Gaussian noise of
    standard deviation `noise` (TensorFlow Playground's way: the points stay put, their targets get noisy)."""
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    read_at = X + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X
    return X, read_at


def make_plane(
    n: int = Unset(100), noise: float = 0.0, *, seed=Unset(0), n_samples: int = Unset(100), random_state=Unset(None)
) -> tuple[np.ndarray, np.ndarray]:
    """TensorFlow Playground's "plane" regression: points uniform in [-1, 1]², target ``y = (x₁ + x₂) / 2``.

    The target runs from -1 (bottom left) to 1 (top right), the range of a tanh unit; a network with no
    hidden layer fits it. ``noise`` is the standard deviation of Gaussian noise added to the point where the
    target is read (the points themselves stay where they are), as TensorFlow Playground does.

    >>> X, y = make_plane(50, seed=0)
    >>> X.shape, y.shape, y.dtype
    ((50, 2), (50,), dtype('float64'))
    >>> bool(np.allclose(y, (X[:, 0] + X[:, 1]) / 2))
    True
    """
    where = "make_plane"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where)
    noise = nonnegative(noise, "noise", where)
    rng = seeded(where, seed, random_state)
    X, read_at = _square_points(n, noise, rng)
    return X, np.asarray(read_at.sum(axis=1) / 2.0, dtype=np.float64)


# TensorFlow Playground's six bumps, in its [-6, 6]² square scaled to [-1, 1]²: (x₁, x₂, sign), signs alternating
_BUMPS = np.array(
    [
        [-2 / 3, 5 / 12, 1.0],
        [0.0, 5 / 12, -1.0],
        [2 / 3, 5 / 12, 1.0],
        [-2 / 3, -5 / 12, -1.0],
        [0.0, -5 / 12, 1.0],
        [2 / 3, -5 / 12, -1.0],
    ]
)
_BUMP_WIDTH = 0.2  # the standard deviation of each bump: neighbours 2/3 apart barely overlap


def make_gaussians(
    n: int = Unset(100), noise: float = 0.0, *, seed=Unset(0), n_samples: int = Unset(100), random_state=Unset(None)
) -> tuple[np.ndarray, np.ndarray]:
    """TensorFlow Playground's "multi gaussian" regression: points uniform in [-1, 1]², target a sum of six
    signed Gaussian bumps, two rows of three whose signs alternate like a chequerboard (+ − + above, − + −
    below).

    Each bump peaks at ±1 (its sign) and has a standard deviation of 0.2, so the target lies in about [-1, 1] and
    is near 0 between the bumps; fitting it needs hidden units. ``noise`` moves the point where the target is read,
    as in :func:`make_plane`.

    >>> X, y = make_gaussians(500, seed=0)
    >>> X.shape, y.dtype, bool(np.abs(y).max() <= 1.0)
    ((500, 2), dtype('float64'), True)
    >>> upper_row = np.abs(X[:, 1] - 5 / 12) < 0.15
    >>> [float(np.sign(y[upper_row & (np.abs(X[:, 0] - x1) < 0.15)]).mean()) for x1 in (-2 / 3, 0.0, 2 / 3)]
    [1.0, -1.0, 1.0]
    """
    where = "make_gaussians"
    n = count(either(where, "n", n, "n_samples", n_samples), "n", where)
    noise = nonnegative(noise, "noise", where)
    rng = seeded(where, seed, random_state)
    X, read_at = _square_points(n, noise, rng)
    squared = ((read_at[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)
    y = (_BUMPS[:, 2] * np.exp(-squared / (2.0 * _BUMP_WIDTH**2))).sum(axis=1)
    return X, np.asarray(y, dtype=np.float64)
