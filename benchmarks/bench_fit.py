"""Training throughput: gradviz's fit (Keras-style and a hand-written nn loop) against PyTorch CPU on the same batches.

Two workloads, each a whole training run with Adam (lr 1e-3, betas 0.9/0.999, eps 1e-7 — Keras'
"adam"), ReLU hidden layers and softmax cross-entropy on the logits, float32:

* digits: the 1,797 8×8 digits shipped with gradviz (pixels / 16), MLP 64-128-10, batch 64, 20 epochs;
* mnist-shaped: 60,000 × 784 random inputs (standard normal, seeded) with random labels 0..9,
  MLP 784-256-128-10, batch 128, 1 epoch.

Contenders, all from the same initial weights (PyTorch's Linear init, U(±1/√fan_in), drawn once with
numpy) and over the same batches (each epoch's order is ``np.random.default_rng(seed).permutation``,
the order ``keras.Sequential.fit(shuffle=True, seed=seed)`` uses):

* gradviz keras: ``Sequential([Dense(..., "relu"), ..., Dense(10, "softmax")]).compile("adam",
  "sparse_categorical_crossentropy").fit(X, y, batch_size=..., epochs=..., seed=..., verbose=0)``;
* gradviz nn loop: ``nn.MLP`` + ``optim.Adam`` + ``F.cross_entropy``, batches sliced by hand;
* PyTorch eager on the CPU (``torch.set_num_threads(2)``): ``torch.nn.Sequential`` + ``torch.optim.Adam``.

Before timing, the script checks that the three compute the same first-step loss and the same
weights after that step (float32: rtol 1e-4), and the same loss after a whole epoch of digits.

    .venv/bin/python benchmarks/bench_fit.py            # full (a few minutes on 2 cores)
    .venv/bin/python benchmarks/bench_fit.py --quick    # tiny sizes, a few runs (smoke test)
    .venv/bin/python benchmarks/bench_fit.py --check    # only check the contenders do the same work
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import close, fmt_ratio, measure, optional, parse_args, print_table, torch_threads  # noqa: E402

import gradviz.functional as F  # noqa: E402
from gradviz import Tensor, keras, nn, optim  # noqa: E402
from gradviz.data import load_digits  # noqa: E402

__all__ = ["WORKLOADS", "Workload", "data", "initial_params", "keras_fit", "nn_fit", "torch_fit", "check"]

LEARNING_RATE = 1e-3
EPS = 1e-7  # Keras' Adam epsilon (gradviz.keras's "adam" uses it; PyTorch is told the same)
SEED = 0


class Workload:
    """A training run: data maker, layer sizes, batch size, epochs."""

    def __init__(self, name: str, sizes: tuple[int, ...], batch: int, epochs: int, samples: int | None = None):
        self.name = name
        self.sizes = sizes
        self.batch = batch
        self.epochs = epochs
        self.samples = samples  # None: the whole dataset (digits)

    @property
    def title(self) -> str:
        return f"{self.name}: MLP {'-'.join(map(str, self.sizes))}, batch {self.batch}, {self.epochs} epoch{'s' * (self.epochs != 1)}"


WORKLOADS = {
    "digits": Workload("digits", (64, 128, 10), 64, 20),
    "mnist-shaped": Workload("mnist-shaped", (784, 256, 128, 10), 128, 1, samples=60_000),
}
QUICK = {
    "digits": Workload("digits", (64, 32, 10), 64, 2),
    "mnist-shaped": Workload("mnist-shaped", (784, 64, 32, 10), 128, 1, samples=2_000),
}


FIT_GOAL = 1.0  # issue 20: fit at PyTorch's speed (it was ≥ 0.9×)


def data(workload: Workload) -> tuple[np.ndarray, np.ndarray]:
    """The inputs (float32) and integer labels of a workload."""
    if workload.name == "digits":
        X, y = load_digits()
        return (X / 16.0).astype(np.float32), y.astype(np.int64)
    rng = np.random.default_rng(SEED + 1)
    X = rng.standard_normal((workload.samples, workload.sizes[0]), dtype=np.float32)
    return X, rng.integers(0, workload.sizes[-1], size=workload.samples).astype(np.int64)


def initial_params(sizes, seed: int = SEED) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...], W of shape (out, in) as torch and gradviz store it; U(±1/√fan_in), float32."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, size=fan_out).astype(np.float32))
    return params


def batch_orders(n: int, epochs: int, seed: int = SEED) -> list[np.ndarray]:
    """Each epoch's order of the samples: the permutations keras fit(shuffle=True, seed=seed) draws."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


# -- the contenders: each maker returns run() -> the last batch's loss; run.params are its weights --------


def keras_fit(workload: Workload, params, X, y, epochs: int | None = None, steps: int | None = None):
    """gradviz.keras: Sequential of Dense layers, compile("adam"), fit."""
    sizes = workload.sizes
    layers = [
        keras.Dense(units, activation="relu", dtype="float32", **({"input_dim": sizes[0]} if k == 0 else {}))
        for k, units in enumerate(sizes[1:-1])
    ]
    layers.append(keras.Dense(sizes[-1], activation="softmax", dtype="float32"))
    model = keras.Sequential(layers, seed=SEED)
    epochs = workload.epochs if epochs is None else epochs
    if steps is not None:  # the first `steps` batches of the first epoch only
        order = batch_orders(len(X), 1)[0][: steps * workload.batch]
        X, y = X[order], y[order]

    keras_layout = [p.T if p.ndim == 2 else p for p in params]  # set_weights takes kernels as (inputs, units)

    def run() -> float:
        model.set_weights(keras_layout)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", learning_rate=LEARNING_RATE)
        history = model.fit(X, y, epochs=epochs, batch_size=workload.batch, verbose=0, seed=SEED, shuffle=steps is None)
        return history.history["loss"][-1]

    run.params = model.parameters()  # type: ignore[attr-defined]
    return run


def nn_fit(workload: Workload, params, X, y, epochs: int | None = None, steps: int | None = None):
    """gradviz.nn + gradviz.optim: the training loop written out."""
    model = nn.MLP(workload.sizes[0], list(workload.sizes[1:]), activation="relu", dtype="float32", seed=SEED)
    weights = model.parameters()
    epochs = workload.epochs if epochs is None else epochs
    size = workload.batch

    def run() -> float:
        for p, value in zip(weights, params, strict=True):
            p.data[...] = value
            p.grad = None
        optimizer = optim.Adam(weights, lr=LEARNING_RATE, eps=EPS)
        total = 0.0
        for order in batch_orders(len(X), epochs):
            if steps is not None:
                order = order[: steps * size]
            X_epoch, y_epoch = X[order], y[order]
            total, seen = 0.0, 0
            for start in range(0, len(order), size):
                xb, yb = X_epoch[start : start + size], y_epoch[start : start + size]
                optimizer.zero_grad()
                loss = F.cross_entropy(model(Tensor(xb, dtype="float32")), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
                seen += len(xb)
            total /= seen
        return total

    run.params = weights  # type: ignore[attr-defined]
    return run


def torch_fit(workload: Workload, params, X, y, epochs: int | None = None, steps: int | None = None, threads: int = 2):
    """PyTorch eager on the CPU: torch.nn.Sequential + torch.optim.Adam over the same batches."""
    import torch

    torch.set_num_threads(threads)
    modules = []
    for k, (fan_in, fan_out) in enumerate(zip(workload.sizes[:-1], workload.sizes[1:], strict=True)):
        modules.append(torch.nn.Linear(fan_in, fan_out))
        if k < len(workload.sizes) - 2:
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    weights = list(model.parameters())
    X_all, y_all = torch.from_numpy(X), torch.from_numpy(y)
    epochs = workload.epochs if epochs is None else epochs
    size = workload.batch
    loss_function = torch.nn.CrossEntropyLoss()

    def run() -> float:
        torch.set_num_threads(threads)  # process-wide: set on every run, as 1- and 2-thread contenders take turns
        with torch.no_grad():
            for p, value in zip(weights, params, strict=True):
                p.copy_(torch.from_numpy(value))
                p.grad = None
        optimizer = torch.optim.Adam(weights, lr=LEARNING_RATE, eps=EPS)
        total = 0.0
        for order in batch_orders(len(X), epochs):
            if steps is not None:
                order = order[: steps * size]
            index = torch.from_numpy(order)
            X_epoch, y_epoch = X_all[index], y_all[index]
            total, seen = 0.0, 0
            for start in range(0, len(order), size):
                xb, yb = X_epoch[start : start + size], y_epoch[start : start + size]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_function(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
                seen += len(xb)
            total /= seen
        return total

    run.params = weights  # type: ignore[attr-defined]
    return run


def contenders(threads: int = 2, single_thread_too: bool = True) -> dict[str, Callable]:
    """gradviz's two contenders and PyTorch with `threads` threads (the reference), plus PyTorch with one thread
    for information: on a busy 2-core machine, 2 OpenMP threads can wait on each other for a whole time slice."""
    makers: dict[str, Callable] = {"gradviz keras fit": keras_fit, "gradviz nn loop": nn_fit}
    if optional("torch") is not None:
        makers[_torch_name(threads)] = lambda *a, **k: torch_fit(*a, threads=threads, **k)
        if single_thread_too and threads != 1:
            makers[_torch_name(1)] = lambda *a, **k: torch_fit(*a, threads=1, **k)
    return makers


def _torch_name(threads: int) -> str:
    return f"PyTorch eager ({threads} thread{'s' if threads != 1 else ''})"


def _as_numpy(p) -> np.ndarray:
    return p.data if isinstance(p, Tensor) else p.detach().numpy()


def check(quick: bool = False, threads: int = 2) -> list[str]:
    """The contenders take the same first step (loss and every updated weight) and reach the same epoch loss."""
    makers = contenders(threads, single_thread_too=False)
    lines = []
    for workload in (QUICK if quick else WORKLOADS).values():
        params = initial_params(workload.sizes)
        X, y = data(workload)
        runs = {name: make(workload, params, X, y, epochs=1, steps=1) for name, make in makers.items()}
        losses = {name: run() for name, run in runs.items()}
        reference = next(iter(runs))
        lines.append(f"{workload.name}: {reference} loss at step 1: {losses[reference]:.8g}")
        for name in list(runs)[1:]:
            lines.append(close(f"{workload.name}: {name} loss at step 1", losses[reference], losses[name], rtol=1e-5))
            for ours, theirs in zip(runs[reference].params, runs[name].params, strict=True):
                a, b = _as_numpy(ours), _as_numpy(theirs)
                if not np.allclose(a, b, rtol=1e-4, atol=1e-4 * (float(np.abs(a).max()) or 1.0)):
                    raise AssertionError(
                        f"{name}: weights after step 1 differ from {reference}'s by {np.abs(a - b).max():.3g}"
                    )
            lines.append(f"{workload.name}: {name}: every weight after step 1 agrees with {reference}'s")
    digits = (QUICK if quick else WORKLOADS)["digits"]
    params = initial_params(digits.sizes)
    X, y = data(digits)
    epoch_losses = {name: make(digits, params, X, y, epochs=1)() for name, make in makers.items()}
    reference = next(iter(epoch_losses))
    for name in list(epoch_losses)[1:]:
        lines.append(
            close(f"digits: {name} mean loss over epoch 1", epoch_losses[reference], epoch_losses[name], rtol=1e-4)
        )
    if optional("torch") is None:
        lines.append("PyTorch is not installed: compared the gradviz contenders only")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=5)
    threads = torch_threads(args)
    for line in check(args.quick, threads):
        print(line)
    if args.check:
        return 0
    makers = contenders(threads)
    references = [name for name in dict.fromkeys((_torch_name(threads), _torch_name(1))) if name in makers]
    for workload in (QUICK if args.quick else WORKLOADS).values():
        params = initial_params(workload.sizes)
        X, y = data(workload)
        runs = {name: make(workload, params, X, y) for name, make in makers.items()}
        timings = measure(runs, repeats=args.repeats, warmup=1)
        samples = len(X) * workload.epochs
        rows = []
        for name, t in timings.items():
            ratios = [fmt_ratio(timings[ref].median / t.median) for ref in references]
            goal = ""
            if references and not name.startswith("PyTorch"):
                met = timings[references[0]].median / t.median >= FIT_GOAL
                goal = f"≥ {FIT_GOAL:g}× {'met' if met else 'NOT met'}"
            rows.append([name, f"{t.median:.3f}", f"{t.best:.3f}", f"{samples / t.median:,.0f}", *ratios, goal])
        print_table(
            f"fit, {workload.title}, float32, {len(X):,} samples, {args.repeats} interleaved runs",
            ["contender", "median s/run", "min s/run", "samples/s (median)"]
            + [f"speed ÷ {ref.removeprefix('PyTorch eager ')}" for ref in references]
            + ["goal (vs PyTorch, threads as asked)"],
            rows,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
