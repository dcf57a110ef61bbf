"""The tensor engine against PyTorch (CPU, eager) and hand-written numpy on an MNIST-sized MLP step.

One SGD step of an MLP 784-256-128-10 with ReLU and softmax cross-entropy on a batch of 128:
forward, backward, update. All three contenders start from the same weights, see the same batch
and run the same expression (x @ W + b, ReLU, cross-entropy), in float32 unless --float64.

* gradviz: gradviz.Tensor, `@`, `.relu()`, `F.cross_entropy`; update `p.data -= lr * p.grad`,
  then `p.grad = None`.
* PyTorch eager on the CPU with `torch.set_num_threads(2)` (or --threads N): the same expression, update under
  `torch.no_grad()`, `p.grad = None`.
* numpy by hand: the forward and the backward written out (the no-overhead limit).

    .venv/bin/python benchmarks/bench_tensor.py            # full
    .venv/bin/python benchmarks/bench_tensor.py --quick    # small sizes, a few runs (smoke test)
    .venv/bin/python benchmarks/bench_tensor.py --check    # only check the three compute the same step
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import close, fmt_ms, fmt_ratio, measure, optional, parse_args, print_table, torch_threads  # noqa: E402

import gradviz  # noqa: E402
import gradviz.functional as F  # noqa: E402

__all__ = ["initial_params", "batch", "gradviz_step", "numpy_step", "torch_step", "check"]

FULL = {"sizes": (784, 256, 128, 10), "batch": 128}
QUICK = {"sizes": (784, 64, 32, 10), "batch": 32}
LEARNING_RATE = 0.05
SETTINGS = {"torch_threads": 2}  # main() sets it from --threads


def initial_params(sizes: Sequence[int], dtype=np.float32, seed: int = 0) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] with W of shape (in, out), PyTorch's Linear init (uniform ±1/√in)."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype))
        params.append(rng.uniform(-bound, bound, size=fan_out).astype(dtype))
    return params


def batch(n: int, features: int, classes: int, dtype=np.float32, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A batch of standard-normal inputs and integer labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)).astype(dtype), rng.integers(0, classes, size=n)


def gradviz_step(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray, lr: float = LEARNING_RATE):
    """A step function for gradviz.Tensor (it trains its own copy of `params`); returns the loss."""
    weights = [gradviz.Tensor(p.copy(), requires_grad=True) for p in params]
    x = gradviz.Tensor(X)
    last = len(weights) // 2 - 1

    def forward() -> gradviz.Tensor:
        h = x
        for i in range(0, len(weights), 2):
            h = h @ weights[i] + weights[i + 1]
            if i // 2 < last:
                h = h.relu()
        return F.cross_entropy(h, labels)

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


def numpy_step(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray, lr: float = LEARNING_RATE):
    """The same step written out in numpy: forward, softmax cross-entropy, backward, in-place update."""
    weights = [p.copy() for p in params]
    n = X.shape[0]
    rows = np.arange(n)
    layers = len(weights) // 2

    def step() -> float:
        activations = [X]
        h = X
        for i in range(layers):
            h = h @ weights[2 * i] + weights[2 * i + 1]
            if i < layers - 1:
                h = np.maximum(h, 0)
            activations.append(h)
        shifted = h - h.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        loss = float(np.log(total[:, 0]).mean() - shifted[rows, labels].mean())
        grad = exp / total
        grad[rows, labels] -= 1
        grad /= n
        for i in reversed(range(layers)):
            W = weights[2 * i]
            below = activations[i]
            grad_W = below.T @ grad
            grad_b = grad.sum(axis=0)
            if i > 0:
                grad = grad @ W.T
                grad *= below > 0  # ReLU: `below` is the ReLU's output, positive exactly where its input was
            W -= lr * grad_W
            weights[2 * i + 1] -= lr * grad_b
        return loss

    step.params = weights  # type: ignore[attr-defined]
    return step


def torch_step(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray, lr: float = LEARNING_RATE):
    """The same step in PyTorch eager (CPU, 2 threads unless --threads says otherwise)."""
    import torch
    import torch.nn.functional as torch_F

    torch.set_num_threads(SETTINGS["torch_threads"])
    weights = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    x = torch.from_numpy(X)
    targets = torch.from_numpy(labels)
    last = len(weights) // 2 - 1

    def step() -> float:
        h = x
        for i in range(0, len(weights), 2):
            h = h @ weights[i] + weights[i + 1]
            if i // 2 < last:
                h = h.relu()
        loss = torch_F.cross_entropy(h, targets)
        loss.backward()
        with torch.no_grad():
            for p in weights:
                p -= lr * p.grad
                p.grad = None
        return loss.item()

    step.params = weights  # type: ignore[attr-defined]
    return step


def _as_numpy(p) -> np.ndarray:
    if isinstance(p, np.ndarray):
        return p
    if isinstance(p, gradviz.Tensor):
        return p.data
    return p.detach().numpy()


def check_steps(makers: dict[str, Callable], params, X, labels, rtol: float) -> list[str]:
    """Run one step of each contender from the same start; the losses and updated weights must agree."""
    names = list(makers)
    steps = {name: makers[name](params, X, labels) for name in names}
    losses = {name: steps[name]() for name in names}
    reference = names[0]
    lines = [f"{reference} loss at step 1: {losses[reference]:.8g}"]
    for name in names[1:]:
        lines.append(close(f"{name} loss at step 1", losses[reference], losses[name], rtol=rtol))
        for ours, theirs in zip(steps[reference].params, steps[name].params, strict=True):
            a, b = _as_numpy(ours), _as_numpy(theirs)
            scale = float(np.abs(a).max()) or 1.0
            if not np.allclose(a, b, rtol=rtol, atol=rtol * scale):
                raise AssertionError(f"{name}: updated weights differ from {reference}'s by {np.abs(a - b).max():.3g}")
        lines.append(f"{name}: every updated weight agrees with {reference}'s")
    return lines


def contenders(params, X, labels) -> dict[str, Callable]:
    makers = {"gradviz": gradviz_step, "numpy by hand": numpy_step}
    if optional("torch") is not None:
        makers["PyTorch eager"] = torch_step
    return makers


def check(quick: bool = False, dtype=np.float32) -> list[str]:
    sizes, n = (QUICK if quick else FULL).values()
    params = initial_params(sizes, dtype)
    X, labels = batch(n, sizes[0], sizes[-1], dtype)
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    lines = check_steps(contenders(params, X, labels), params, X, labels, rtol)
    if optional("torch") is None:
        lines.append("PyTorch is not installed: compared with numpy only")
    return lines


def report(title: str, timings: dict, goals: dict[str, float], reference: str = "gradviz") -> None:
    """Print the table: ms/step, steps/s and the speed of `reference` relative to each contender."""
    ours = timings[reference]
    rows = []
    for name, t in timings.items():
        ratio = t.median / ours.median
        goal = goals.get(name)
        rows.append(
            [
                name,
                fmt_ms(t.median),
                fmt_ms(t.best),
                f"{1 / t.median:.0f}",
                f"{1 / t.best:.0f}",
                fmt_ratio(ratio),
                fmt_ratio(t.best / ours.best),
                "" if goal is None else f"≥ {goal:g}× {'met' if ratio >= goal else 'NOT met'}",
            ]
        )
    print_table(
        title,
        [
            "contender",
            "median ms/step",
            "min ms/step",
            "steps/s (median)",
            "(best)",
            f"{reference} speed ÷ its speed (median)",
            "(min)",
            "goal (median)",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=30)
    SETTINGS["torch_threads"] = torch_threads(args)
    dtype = np.float32
    for line in check(args.quick, dtype):
        print(line)
    if args.check:
        return 0
    sizes, n = (QUICK if args.quick else FULL).values()
    params = initial_params(sizes, dtype)
    X, labels = batch(n, sizes[0], sizes[-1], dtype)
    steps = {name: make(params, X, labels) for name, make in contenders(params, X, labels).items()}
    timings = measure(
        steps, repeats=args.repeats, warmup=1 if args.quick else 2, target_seconds=0 if args.quick else 0.05
    )
    report(
        f"Tensor step: MLP {'-'.join(map(str, sizes))}, batch {n}, float32, {args.repeats} interleaved runs, "
        f"BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'numpy default')}, torch threads: {SETTINGS['torch_threads']}",
        timings,
        {"numpy by hand": 0.9, "PyTorch eager": 1.15},  # issue 20
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
