"""GPU benchmark: training samples/s of one large MLP on gradviz's jax backend, hand-written JAX and PyTorch.

    python benchmarks/gpu/bench_gpu.py              # 784-4096-4096-10, batch 8192, bf16 and fp32 (a GPU)
    python benchmarks/gpu/bench_gpu.py --quick      # 784-64-64-10, batch 128: a CPU smoke run

The workload: an MLP 784-H-H-10 (ReLU, softmax cross-entropy, Adam lr 1e-3, eps 1e-7 — Keras' Adam) trained
on synthetic MNIST-shaped data (seeded normal pixels, random labels), data resident on the device, no
shuffling. Three contenders start from the same weights (gradviz's initialisation):

- ``gradviz-jax``: ``keras.Sequential(...).fit(X, y, backend="jax", dtype=...)`` as a user calls it; the
  time runs from the end of the first epoch (which compiles) to the end of the last, so it includes
  everything fit does between epochs (losses fetched, weights written back to the numpy model);
- ``jax (by hand)``: a jitted, buffer-donating Adam step written directly in JAX, one call per batch;
- ``pytorch``: eager ``torch.nn.Sequential`` with ``torch.optim.Adam`` (fused on CUDA), on CUDA when
  available, else on the CPU.

bf16 is the same mixed precision everywhere: float32 weights, optimizer state and loss; layers
computed in bfloat16 (gradviz's ``dtype="bfloat16"``, a cast in the hand-written step, ``torch.autocast``).
fp32 matmuls use TF32 tensor cores where the GPU has them: JAX's default precision, and
``torch.set_float32_matmul_precision("high")`` for PyTorch so both do the same arithmetic (``--no-tf32``
asks both for full float32).

Before timing, each contender's first two losses (before and after one Adam step, from the same
weights and batches) are compared with gradviz's; a mismatch stops the script. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# before JAX starts: grab GPU memory as needed, not 75% up front, so PyTorch can run in the same process
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

import numpy as np  # noqa: E402

LEARNING_RATE = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-7
SEED = 0
CLASSES = 10
FEATURES = 784


@dataclass
class Workload:
    hidden: int
    batch: int
    batches: int  # per epoch
    epochs: int  # timed, after one warm-up epoch

    @property
    def samples(self) -> int:
        return self.batch * self.batches

    def describe(self) -> str:
        return (
            f"MLP {FEATURES}-{self.hidden}-{self.hidden}-{CLASSES}, batch {self.batch}, {self.batches} batches per epoch, "
            f"{self.epochs} timed epochs after 1 warm-up"
        )


FULL = Workload(hidden=4096, batch=8192, batches=16, epochs=3)
QUICK = Workload(hidden=64, batch=128, batches=4, epochs=2)


@dataclass
class Result:
    contender: str
    dtype: str
    samples_per_s: float | None = None
    ms_per_step: float | None = None
    losses: list[float] = field(default_factory=list)  # the same-work check: the first two losses
    note: str = ""


# -- data and weights -----------------------------------------------------------------------------------


def make_data(workload: Workload) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((workload.samples, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, size=workload.samples).astype(np.int32)
    return X, y


def gradviz_model(workload: Workload):
    from gradviz import keras

    model = keras.Sequential(
        [
            keras.Dense(workload.hidden, activation="relu", input_dim=FEATURES, dtype="float32"),
            keras.Dense(workload.hidden, activation="relu", dtype="float32"),
            keras.Dense(CLASSES, activation="softmax", dtype="float32"),
        ],
        seed=SEED,
    )
    return model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", learning_rate=LEARNING_RATE)


# -- contenders -----------------------------------------------------------------------------------------
# each returns (the first two losses from the initial weights, seconds for workload.epochs epochs)


def run_gradviz(workload, weights, X, y, dtype: str) -> tuple[list[float], float]:
    from gradviz.callbacks import Callback

    class BatchLosses(Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.losses.append(float(logs["loss"]))

    class EpochClock(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    model = gradviz_model(workload)
    model.set_weights(weights)
    recorder = BatchLosses()
    recorder.losses = []
    two = slice(0, 2 * workload.batch)
    model.fit(X[two], y[two], epochs=1, batch_size=workload.batch, shuffle=False, verbose=0,
              backend="jax", dtype=dtype, callbacks=[recorder])  # fmt: skip

    model = gradviz_model(workload)
    model.set_weights(weights)
    clock = EpochClock()
    clock.ends = []
    model.fit(X, y, epochs=1 + workload.epochs, batch_size=workload.batch, shuffle=False, verbose=0,
              backend="jax", dtype=dtype, callbacks=[clock])  # fmt: skip
    return recorder.losses, clock.ends[-1] - clock.ends[0]


def run_jax(workload, weights, X, y, dtype: str, tf32: bool) -> tuple[list[float], float]:
    import jax
    import jax.numpy as jnp

    compute = jnp.bfloat16 if dtype == "bfloat16" else jnp.float32

    def loss_fn(params, x, labels):
        h = x.astype(compute)
        for i, (w, b) in enumerate(params):
            h = h @ w.astype(compute) + b.astype(compute)  # Keras' layout: kernels as (inputs, units)
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h.astype(jnp.float32))
        return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))

    def step(params, state, x, labels):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, labels)
        m, v, t = state
        t = t + 1
        m = jax.tree.map(lambda m, g: BETAS[0] * m + (1 - BETAS[0]) * g, m, grads)
        v = jax.tree.map(lambda v, g: BETAS[1] * v + (1 - BETAS[1]) * g * g, v, grads)
        first, second = 1 - BETAS[0] ** t, 1 - BETAS[1] ** t  # bias corrections, as torch.optim.Adam
        params = jax.tree.map(
            lambda p, m, v: p - LEARNING_RATE * (m / first) / (jnp.sqrt(v / second) + EPS), params, m, v
        )
        return params, (m, v, t), loss

    with _matmul_precision(tf32):
        step = jax.jit(step, donate_argnums=(0, 1))

        def fresh():
            params = [(jnp.asarray(weights[i]), jnp.asarray(weights[i + 1])) for i in range(0, len(weights), 2)]
            zeros = jax.tree.map(jnp.zeros_like, params)
            return params, (zeros, jax.tree.map(jnp.zeros_like, params), jnp.zeros((), jnp.float32))

        xs = jnp.asarray(X.reshape(workload.batches, workload.batch, FEATURES))
        ys = jnp.asarray(y.reshape(workload.batches, workload.batch))
        params, state = fresh()
        losses = []
        for i in range(2):
            params, state, loss = step(params, state, xs[i], ys[i])
            losses.append(float(loss))

        params, state = fresh()
        epoch_losses = []
        for epoch in range(1 + workload.epochs):
            if epoch == 1:
                jax.block_until_ready(params)
                start = time.perf_counter()
            batch_losses = []
            for i in range(workload.batches):
                params, state, loss = step(params, state, xs[i], ys[i])
                batch_losses.append(loss)
            epoch_losses.append(float(jnp.mean(jnp.stack(batch_losses))))  # one fetch per epoch, as fit
        jax.block_until_ready(params)
        return losses, time.perf_counter() - start


def run_torch(workload, weights, X, y, dtype: str, device: str) -> tuple[list[float], float]:
    import torch

    def fresh():
        layers = []
        for i in range(0, len(weights), 2):
            linear = torch.nn.Linear(weights[i].shape[0], weights[i].shape[1])  # the kernel is (inputs, units)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[i].T)))
                linear.bias.copy_(torch.from_numpy(weights[i + 1]))
            layers += [linear, torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1]).to(device)
        fused = {"fused": True} if device == "cuda" else {}
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=BETAS, eps=EPS, **fused)
        return model, optimizer

    autocast = torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=dtype == "bfloat16")
    criterion = torch.nn.CrossEntropyLoss()
    xs = torch.from_numpy(X.reshape(workload.batches, workload.batch, FEATURES)).to(device)
    ys = torch.from_numpy(y.reshape(workload.batches, workload.batch).astype(np.int64)).to(device)

    def step(model, optimizer, x, labels):
        optimizer.zero_grad(set_to_none=True)
        with autocast:
            loss = criterion(model(x).float(), labels)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    model, optimizer = fresh()
    losses = [float(step(model, optimizer, xs[i], ys[i])) for i in range(2)]
    model, optimizer = fresh()
    for epoch in range(1 + workload.epochs):
        if epoch == 1:
            sync()
            start = time.perf_counter()
        batch_losses = [step(model, optimizer, xs[i], ys[i]) for i in range(workload.batches)]
        float(torch.stack(batch_losses).mean())  # one fetch per epoch, as fit
    sync()
    return losses, time.perf_counter() - start


def _matmul_precision(tf32: bool):
    """JAX's default float32 matmul precision (TF32 on tensor cores), or full float32 inside the block."""
    import jax

    return contextlib.nullcontext() if tf32 else jax.default_matmul_precision("highest")


# -- the run ---------------------------------------------------------------------------------------------


def _time(result: Result, workload: Workload, run: Callable[[], tuple[list[float], float]]) -> Result:
    began = time.perf_counter()
    try:
        result.losses, seconds = run()
    except Exception as error:  # a contender that cannot run here is reported, not fatal
        result.note = f"failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:160]
        return result
    steps = workload.batches * workload.epochs
    result.samples_per_s = steps * workload.batch / seconds
    result.ms_per_step = 1e3 * seconds / steps
    print(f"  {result.dtype} {result.contender}: {time.perf_counter() - began:.1f} s in all", flush=True)
    return result


def check_same_work(results: list[Result], tolerance: float) -> list[str]:
    """Problems: a contender whose first two losses differ from gradviz-jax's by more than `tolerance` (relative)."""
    reference = next((r for r in results if r.contender == "gradviz-jax" and r.losses), None)
    problems = []
    if reference is None:
        return ["gradviz-jax did not run, so nothing could be compared"]
    for r in results:
        if r is reference or not r.losses:
            continue
        for k, (mine, theirs) in enumerate(zip(r.losses, reference.losses, strict=False)):
            if abs(mine - theirs) > tolerance * abs(theirs):
                which = "first loss (same weights)" if k == 0 else "second loss (after one Adam step)"
                problems.append(
                    f"{r.dtype} {r.contender}: {which} {mine:.6g} vs gradviz-jax {theirs:.6g} (tolerance {tolerance:.0%})"
                )
    return problems


def table(results: list[Result]) -> str:
    lines = [
        "| dtype | contender | samples/s | ms/step | gradviz-jax ÷ this |",
        "|---|---|---:|---:|---:|",
    ]
    for dtype in dict.fromkeys(r.dtype for r in results):
        rows = [r for r in results if r.dtype == dtype]
        ours = next((r.samples_per_s for r in rows if r.contender == "gradviz-jax"), None)
        for r in rows:
            if r.samples_per_s is None:
                lines.append(f"| {dtype} | {r.contender} | — | — | {r.note} |")
                continue
            ratio = "" if r.contender == "gradviz-jax" or ours is None else f"{ours / r.samples_per_s:.2f}×"
            lines.append(f"| {dtype} | {r.contender} | {r.samples_per_s:,.0f} | {r.ms_per_step:.2f} | {ratio} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few steps (a CPU smoke run)")
    parser.add_argument("--dtypes", default="bfloat16,float32", help="comma-separated: bfloat16, float32")
    parser.add_argument("--hidden", type=int, help="hidden width (default 4096; 64 with --quick)")
    parser.add_argument("--batch", type=int, help="batch size (default 8192; 128 with --quick)")
    parser.add_argument("--batches", type=int, help="batches per epoch (default 16; 4 with --quick)")
    parser.add_argument("--epochs", type=int, help="timed epochs after the warm-up one (default 3; 2 with --quick)")
    parser.add_argument("--no-tf32", action="store_true", help="full float32 matmuls in JAX and PyTorch")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    base = QUICK if args.quick else FULL
    workload = Workload(
        hidden=args.hidden or base.hidden,
        batch=args.batch or base.batch,
        batches=args.batches or base.batches,
        epochs=args.epochs or base.epochs,
    )
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    unknown = [d for d in dtypes if d not in ("bfloat16", "float32")]
    if unknown:
        parser.error(f"--dtypes: {', '.join(unknown)} not supported; use bfloat16 and/or float32")

    began = time.perf_counter()
    import jax

    try:
        import torch
    except ImportError:
        torch = None
    torch_device = "cuda" if torch is not None and torch.cuda.is_available() else "cpu"
    if torch is not None:
        torch.manual_seed(SEED)
        torch.set_float32_matmul_precision("highest" if args.no_tf32 else "high")
    devices = jax.devices()
    print(f"# gradviz GPU benchmark — {workload.describe()}")
    print(
        f"JAX {jax.__version__} on {len(devices)} × {devices[0].device_kind} ({devices[0].platform}); "
        + (f"PyTorch {torch.__version__} on {torch_device}" if torch is not None else "PyTorch not installed")
        + (f" ({torch.cuda.get_device_name()})" if torch_device == "cuda" else "")
        + f"; Python {platform.python_version()}"
    )
    print(f"fp32 matmuls: {'full float32' if args.no_tf32 else 'TF32 where the hardware has it (JAX default)'}")
    if devices[0].platform == "cpu" and not args.quick:
        print("note: JAX sees no GPU; the full-size run on a CPU takes long — try --quick", file=sys.stderr)

    X, y = make_data(workload)
    weights = [np.asarray(w, dtype=np.float32) for w in gradviz_model(workload).build(FEATURES).get_weights()]
    results: list[Result] = []
    for dtype in dtypes:
        with _matmul_precision(not args.no_tf32):
            results.append(
                _time(
                    Result("gradviz-jax", dtype),
                    workload,
                    lambda dtype=dtype: run_gradviz(workload, weights, X, y, dtype),
                )
            )
        results.append(
            _time(
                Result("jax (by hand)", dtype),
                workload,
                lambda dtype=dtype: run_jax(workload, weights, X, y, dtype, not args.no_tf32),
            )
        )
        if torch is not None and not args.no_torch:
            results.append(
                _time(
                    Result(f"pytorch ({torch_device})", dtype),
                    workload,
                    lambda dtype=dtype: run_torch(workload, weights, X, y, dtype, torch_device),
                )
            )
        if torch_device == "cuda":
            torch.cuda.empty_cache()

    print()
    print(table(results))
    print()
    problems = []
    for dtype in dtypes:
        problems += check_same_work([r for r in results if r.dtype == dtype], 0.03 if dtype == "bfloat16" else 0.005)
    failed = [r for r in results if r.samples_per_s is None]
    losses = "; ".join(
        f"{r.dtype} {r.contender} {', '.join(f'{v:.5f}' for v in r.losses)}" for r in results if r.losses
    )
    print(f"first two losses: {losses}")
    if problems:
        print("SAME-WORK CHECK FAILED:\n  " + "\n  ".join(problems))
    else:
        print("same-work check: every contender's first two losses agree with gradviz-jax's")
    print(f"total {time.perf_counter() - began:.1f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "workload": workload.__dict__,
                    "device": f"{devices[0].device_kind} ({devices[0].platform})",
                    "torch_device": torch_device,
                    "tf32": not args.no_tf32,
                    "results": [r.__dict__ for r in results],
                    "problems": problems,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        print(f"wrote {args.json}")
    return 1 if problems or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
