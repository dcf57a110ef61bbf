"""The tensor engine where per-op overhead dominates: micrograd's demo step as a batched tensor step.

MLP 2-16-16-1 with ReLU on the 100 two-moons points of bench_scalar.py, the same hinge loss
mean((1 − y·score).relu()) + 1e-4·Σp², one full-batch SGD step, float64, from the very weights
bench_scalar.py starts from — so the loss must equal the scalar engine's to rounding. The arrays
are tiny: the time is Python and per-op overhead, not arithmetic.

Contenders: gradviz.Tensor, PyTorch eager on the CPU (2 threads), numpy by hand, and for scale
the same step on gradviz's scalar engine (gradviz.Value, ~66 thousand nodes).

    .venv/bin/python benchmarks/bench_overhead.py            # full
    .venv/bin/python benchmarks/bench_overhead.py --quick    # a few runs (smoke test)
    .venv/bin/python benchmarks/bench_overhead.py --check    # only check every contender computes the same step
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scalar  # noqa: E402
from _harness import close, measure, optional, parse_args, torch_threads  # noqa: E402
from bench_tensor import SETTINGS, check_steps, report  # noqa: E402

import gradviz  # noqa: E402

__all__ = ["initial_params", "data", "gradviz_step", "numpy_step", "torch_step", "check"]

ALPHA = bench_scalar.ALPHA
LEARNING_RATE = bench_scalar.LEARNING_RATE


def initial_params() -> list[np.ndarray]:
    """bench_scalar's initial weights as [W1, b1, W2, b2, W3, b3], W of shape (in, out), float64."""
    flat = iter(bench_scalar.initial_weights())
    nin, nouts = bench_scalar.SIZES
    sizes = [nin] + nouts
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        W, b = np.empty((fan_in, fan_out)), np.empty(fan_out)
        for j in range(fan_out):
            W[:, j] = [next(flat) for _ in range(fan_in)]
            b[j] = next(flat)
        params += [W, b]
    return params


def data(n_samples: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """bench_scalar's moons as arrays: X of shape (n, 2), y of shape (n, 1) in {-1, +1}."""
    X, y = bench_scalar.moons(n_samples)
    return np.array(X), np.array(y)[:, None]


def gradviz_step(params: list[np.ndarray], X: np.ndarray, y: np.ndarray, lr: float = LEARNING_RATE):
    """The step on gradviz.Tensor (training its own copy of `params`); returns the loss."""
    weights = [gradviz.Tensor(p.copy(), requires_grad=True) for p in params]
    x, target = gradviz.Tensor(X), gradviz.Tensor(y)
    last = len(weights) // 2 - 1

    def forward() -> gradviz.Tensor:
        h = x
        for i in range(0, len(weights), 2):
            h = h @ weights[i] + weights[i + 1]
            if i // 2 < last:
                h = h.relu()
        return (1 - target * h).relu().mean() + ALPHA * sum((p * p).sum() for p in weights)

    def step() -> float:
        loss = forward()
        loss.backward()
        for p in weights:
            p.data -= lr * p.grad
            p.grad = None
        return loss.item()

    step.params = weights  # type: ignore[attr-defined]
    step.forward = forward  # type: ignore[attr-defined]
    return step


def torch_step(params: list[np.ndarray], X: np.ndarray, y: np.ndarray, lr: float = LEARNING_RATE):
    """The same step in PyTorch eager (CPU, float64, 2 threads unless --threads says otherwise)."""
    import torch

    torch.set_num_threads(SETTINGS["torch_threads"])
    weights = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    x, target = torch.from_numpy(X), torch.from_numpy(y)
    last = len(weights) // 2 - 1

    def step() -> float:
        h = x
        for i in range(0, len(weights), 2):
            h = h @ weights[i] + weights[i + 1]
            if i // 2 < last:
                h = h.relu()
        loss = (1 - target * h).relu().mean() + ALPHA * sum((p * p).sum() for p in weights)
        loss.backward()
        with torch.no_grad():
            for p in weights:
                p -= lr * p.grad
                p.grad = None
        return loss.item()

    step.params = weights  # type: ignore[attr-defined]
    return step


def numpy_step(params: list[np.ndarray], X: np.ndarray, y: np.ndarray, lr: float = LEARNING_RATE):
    """The same step written out in numpy (the no-overhead limit)."""
    weights = [p.copy() for p in params]
    layers = len(weights) // 2
    n = X.shape[0]

    def step() -> float:
        activations = [X]
        h = X
        for i in range(layers):
            h = h @ weights[2 * i] + weights[2 * i + 1]
            if i < layers - 1:
                h = np.maximum(h, 0)
            activations.append(h)
        margin = 1 - y * h
        loss = float(np.maximum(margin, 0).mean() + ALPHA * sum(float((p * p).sum()) for p in weights))
        grad = -y * (margin > 0) / n
        for i in reversed(range(layers)):
            W, b = weights[2 * i], weights[2 * i + 1]
            below = activations[i]
            grad_W = below.T @ grad + 2 * ALPHA * W
            grad_b = grad.sum(axis=0) + 2 * ALPHA * b
            if i > 0:
                grad = (grad @ W.T) * (below > 0)
            W -= lr * grad_W
            b -= lr * grad_b
        return loss

    step.params = weights  # type: ignore[attr-defined]
    return step


def scalar_step(params: list[np.ndarray], X: np.ndarray, y: np.ndarray):
    """The same step on gradviz's scalar engine (bench_scalar's code), for scale."""
    model = bench_scalar.gradviz_model(bench_scalar.initial_weights())
    for layer, W, b in zip(model.layers, params[0::2], params[1::2], strict=True):
        for j, neuron in enumerate(layer):
            for k, w in enumerate(neuron.w):
                w.data = float(W[k, j])
            neuron.b.data = float(b[j])
    return bench_scalar.make_step(model, gradviz.Value, X.tolist(), y[:, 0].tolist(), bench_scalar._zero_gradviz)


def contenders() -> dict[str, Callable]:
    makers = {"gradviz Tensor": gradviz_step, "numpy by hand": numpy_step}
    if optional("torch") is not None:
        makers["PyTorch eager"] = torch_step
    return makers


def check() -> list[str]:
    """Every contender's first step agrees with gradviz.Tensor's, and its loss with the scalar engine's."""
    params = initial_params()
    X, y = data()
    scalar_loss = scalar_step(params, X, y)()
    lines = check_steps(contenders(), params, X, y, rtol=1e-9)
    tensor_loss = gradviz_step(params, X, y)()
    lines.append(close("gradviz Value (scalar engine) loss at step 1", tensor_loss, scalar_loss, rtol=1e-12))
    if optional("torch") is None:
        lines.append("PyTorch is not installed: compared with numpy only")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=30)
    SETTINGS["torch_threads"] = torch_threads(args)
    for line in check():
        print(line)
    if args.check:
        return 0
    params = initial_params()
    X, y = data()
    steps = {name: make(params, X, y) for name, make in contenders().items()}
    steps["gradviz Value (scalar engine)"] = scalar_step(params, X, y)
    timings = measure(
        steps, repeats=args.repeats, warmup=1 if args.quick else 2, target_seconds=0 if args.quick else 0.05
    )
    report(
        f"Overhead regime: MLP 2-16-16-1, batch {X.shape[0]}, hinge loss + L2, float64, {args.repeats} interleaved "
        f"runs, torch threads: {SETTINGS['torch_threads']}",
        timings,
        {"PyTorch eager": 3.0},
        reference="gradviz Tensor",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
