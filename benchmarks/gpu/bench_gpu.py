"""GPU benchmark: training samples/s of one large MLP on gradviz's jax backend, hand-written JAX and PyTorch.

    PYTHONPATH=. python benchmarks/gpu/bench_gpu.py          # 784-4096-4096-10, batch 8192, bf16 and fp32 (a GPU)
    PYTHONPATH=. python benchmarks/gpu/bench_gpu.py --quick  # 784-64-64-10, batch 128: a CPU smoke run

The workload: an MLP 784-H-H-10 (ReLU, softmax cross-entropy, Adam lr 1e-3, eps 1e-7 — Keras' Adam) trained
on synthetic MNIST-shaped data (seeded normal pixels, random labels), data resident on the device, no
shuffling; one first epoch (it compiles) and then the timed epochs. Four contenders start from the same
weights (gradviz's initialisation):

- ``gradviz-jax``: ``keras.Sequential(...).fit(X, y, backend="jax", dtype=...)`` as a user calls it, with
  no per-batch callback, so each epoch's batches are one jitted ``lax.scan``. The script watches fit from
  inside (:class:`ScannedEpochProbe`): every epoch must have run as one scan of all its batches, none one by
  one, or gradviz-jax fails; the losses the same-work check reads are the ones those scans returned;
- ``jax (by hand)``: a jitted, buffer-donating Adam step written directly in JAX, one call per batch;
- ``pytorch``: eager ``torch.nn.Sequential`` with ``torch.optim.Adam`` (fused on CUDA);
- ``pytorch+compile``: the same, with the forward and the loss under ``torch.compile`` (left out on a
  CPU unless ``--torch-compile``, and skipped with a line, not a crash, when torch.compile fails).

bf16 is the same mixed precision everywhere: float32 weights, optimizer state and loss; layers computed
in bfloat16 (gradviz's ``dtype="bfloat16"``, a cast in the hand-written step, ``torch.autocast``). fp32
matmuls use TF32 tensor cores where the GPU has them: JAX's default precision, and
``torch.set_float32_matmul_precision("high")`` for PyTorch (``--no-tf32`` asks both for full float32).

Same work: every contender's per-batch losses of the first epoch (from the same weights and batches; the
first 16 by default, ``--check-batches``) are compared with gradviz-jax's; past the tolerance (0.5 % fp32,
3 % bf16) the script prints ``SAME-WORK CHECK FAILED`` and exits 1. Each contender's first epoch (set-up and
compiling) is reported apart from its timed epochs. Nothing is downloaded; it imports only numpy, jax, torch,
gradviz and the standard library.
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
from dataclasses import asdict, dataclass, field
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
TOLERANCE = {"float32": 0.005, "bfloat16": 0.03}  # relative, on each checked loss
CHECK_BATCHES = 16  # the same-work check compares the first epoch's first 16 losses (see check_same_work)
GRADVIZ = "gradviz-jax"


@dataclass
class Workload:
    hidden: int
    batch: int
    batches: int  # per epoch
    epochs: int  # timed, after the first one

    @property
    def samples(self) -> int:
        return self.batch * self.batches

    @property
    def flops_per_sample(self) -> int:
        """Training FLOPs of one sample: 2 per multiply-add forward, twice that backward, less the first layer's
        input gradient (nobody computes it)."""
        sizes = [FEATURES, self.hidden, self.hidden, CLASSES]
        mads = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
        return 6 * mads - 2 * FEATURES * self.hidden

    def describe(self) -> str:
        return (
            f"MLP {FEATURES}-{self.hidden}-{self.hidden}-{CLASSES}, batch {self.batch}, {self.batches} batches per "
            f"epoch, 1 first epoch (compiles) + {self.epochs} timed; {self.flops_per_sample * self.samples / 1e12:.3g} "
            "TFLOP per epoch"
        )


FULL = Workload(hidden=4096, batch=8192, batches=128, epochs=5)
QUICK = Workload(hidden=64, batch=128, batches=8, epochs=2)


@dataclass
class Run:
    """What a contender hands back: per-batch losses of every epoch (first included), and when each epoch ended."""

    losses: list[list[float]]
    start: float  # perf_counter before anything of the contender ran (data still in host memory)
    ends: list[float]  # perf_counter at the end of each epoch, its work done (its losses fetched)
    path: str = ""  # what ran the batches, in words


@dataclass
class Result:
    contender: str
    dtype: str
    samples_per_s: float | None = None  # the timed epochs
    ms_per_step: float | None = None
    tflops: float | None = None
    first_epoch_s: float | None = None  # from the call to the end of the first epoch: set-up, compile, one epoch
    compile_s: float | None = None  # first_epoch_s less one steady epoch: what compiling (and warming up) cost
    epoch_s: list[float] = field(default_factory=list)  # each timed epoch
    losses: list[list[float]] = field(default_factory=list)  # per epoch, per batch
    largest_difference: float | None = None  # from gradviz-jax's losses, relative, over every epoch (not checked)
    path: str = ""
    note: str = ""
    skipped: bool = False  # left out on purpose (torch.compile unavailable, or on a CPU): not a failure


class NotScanned(RuntimeError):
    """gradviz-jax's epochs did not run as the one scanned program this benchmark is meant to time."""


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


class ScannedEpochProbe:
    """Watches ``fit(backend="jax")`` from inside: which compiled functions ran the batches, and the per-batch
    losses the scanned epoch returned.

    It wraps ``gradviz.backends.jax._Trainer.epoch_function`` (a jitted ``lax.scan`` over a run of batches) and,
    where the backend has one, ``_Trainer.step_function`` (one batch) for the duration of a ``with`` block; each
    scanned call's losses stay on the device until :meth:`epochs` reads them, after fit. Call :meth:`mark` at
    each epoch's end (an ``on_epoch_end`` callback) to group the calls by epoch.
    """

    def __init__(self) -> None:
        self.scanned: list[tuple[bool, object]] = []  # per scanned call: (data resident?, the losses it returned)
        self.single_steps = 0  # batches run one by one through step_function
        self.marks: list[tuple[int, int]] = []  # (scanned calls, single steps) so far, at each epoch's end

    def __enter__(self) -> ScannedEpochProbe:
        import importlib

        trainer = getattr(importlib.import_module("gradviz.backends.jax"), "_Trainer", None)
        if trainer is None or not hasattr(trainer, "epoch_function"):
            raise NotScanned(
                "gradviz.backends.jax._Trainer.epoch_function not found: bench_gpu.py checks the scanned epoch "
                "through it; update ScannedEpochProbe to the backend's new names"
            )
        self._trainer = trainer
        self._saved = {
            name: vars(trainer)[name] for name in ("epoch_function", "step_function") if name in vars(trainer)
        }
        epoch_function, step_function = self._saved["epoch_function"], self._saved.get("step_function")
        probe = self

        def watched_epoch_function(self, program, resident, *rest, **options):
            function = epoch_function(self, program, resident, *rest, **options)

            def scanned(*args):
                result = function(*args)
                probe.scanned.append((bool(resident), result[2]))  # (params, state, losses, outputs, totals)
                return result

            return scanned

        def watched_step_function(self, *args, **options):
            function = step_function(self, *args, **options)

            def one_batch(*args):
                probe.single_steps += 1
                return function(*args)

            return one_batch

        trainer.epoch_function = watched_epoch_function
        if step_function is not None:
            trainer.step_function = watched_step_function
        return self

    def __exit__(self, *exc) -> None:
        for name, function in self._saved.items():
            setattr(self._trainer, name, function)

    def mark(self) -> None:
        self.marks.append((len(self.scanned), self.single_steps))

    def epochs(self, workload: Workload, history) -> list[list[float]]:
        """The per-batch losses of each epoch, as the scanned epochs returned them; NotScanned unless every epoch
        ran its batches as one lax.scan (or, data streamed from the host, scans of several batches each), none
        one by one, and fit's History agrees with them."""
        expected = 1 + workload.epochs
        if len(self.marks) != expected:
            raise NotScanned(f"fit reported {len(self.marks)} epochs, {expected} were asked for")
        losses, before = [], (0, 0)
        for epoch, (calls, singles) in enumerate(self.marks):
            runs = [np.asarray(values, dtype=np.float64).reshape(-1) for _, values in self.scanned[before[0] : calls]]
            resident = all(flag for flag, _ in self.scanned[before[0] : calls])
            lengths = [len(run) for run in runs]
            one_by_one = singles - before[1] + (lengths.count(1) if workload.batches > 1 else 0)
            if one_by_one or not runs or (resident and len(runs) > 1):
                raise NotScanned(
                    f"epoch {epoch}: its batches ran as {len(runs)} scans of {lengths or 0} batches and "
                    f"{singles - before[1]} single steps: the timed path must be one lax.scan over the epoch's "
                    f"{workload.batches} batches (a callback with per-batch hooks turns it off, as does a batch "
                    "count that leaves a smaller last batch)"
                )
            values = [float(v) for run in runs for v in run]
            if len(values) != workload.batches:
                raise NotScanned(f"epoch {epoch}: the scans returned {len(values)} losses, not {workload.batches}")
            reported = history.history["loss"][epoch]
            if abs(np.mean(values) - reported) > 1e-5 * max(abs(reported), 1.0):
                raise NotScanned(
                    f"epoch {epoch}: the scanned losses average {np.mean(values):.6g} but fit's History says "
                    f"{reported:.6g}: the probe did not see the batches fit trained on"
                )
            losses.append(values)
            before = (calls, singles)
        return losses

    def describe(self) -> str:
        lengths = sorted({int(np.size(values)) for _, values in self.scanned})
        where = "resident on the device" if all(flag for flag, _ in self.scanned) else "streamed from the host"
        return (
            f"scanned epoch: {len(self.scanned)} lax.scan calls of {'/'.join(map(str, lengths))} batches (data "
            f"{where}), {self.single_steps} single steps"
        )


def run_gradviz(workload, weights, X, y, dtype: str, callbacks=()) -> Run:
    """`callbacks`: more for fit (the tests give one with a per-batch hook, which must be refused)."""
    from gradviz.callbacks import Callback

    probe = ScannedEpochProbe()

    class EpochEnds(Callback):  # on_epoch_end only: no per-batch hook, so fit keeps the scanned epoch
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())
            probe.mark()

    ends: list[float] = []
    start = time.perf_counter()
    model = gradviz_model(workload)
    model.set_weights(weights)
    with probe:
        history = model.fit(X, y, epochs=1 + workload.epochs, batch_size=workload.batch, shuffle=False, verbose=0,
                            backend="jax", dtype=dtype, callbacks=[EpochEnds(), *callbacks])  # fmt: skip
    return Run(probe.epochs(workload, history), start, ends, probe.describe())


def run_jax(workload, weights, X, y, dtype: str, tf32: bool) -> Run:
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

    start = time.perf_counter()
    with _matmul_precision(tf32):
        step = jax.jit(step, donate_argnums=(0, 1))
        params = [(jnp.asarray(weights[i]), jnp.asarray(weights[i + 1])) for i in range(0, len(weights), 2)]
        state = (jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params), jnp.zeros(()))
        # each batch its own device array: no slicing dispatched per step
        rows = [slice(i * workload.batch, (i + 1) * workload.batch) for i in range(workload.batches)]
        xs, ys = [jnp.asarray(X[r]) for r in rows], [jnp.asarray(y[r]) for r in rows]
        losses, ends = [], []
        for _ in range(1 + workload.epochs):
            batch_losses = []
            for i in range(workload.batches):
                params, state, loss = step(params, state, xs[i], ys[i])
                batch_losses.append(loss)
            losses.append(np.asarray(jnp.stack(batch_losses)).tolist())  # one fetch per epoch, as fit
            ends.append(time.perf_counter())
    return Run(losses, start, ends, "one jitted step per batch")


def run_torch(workload, weights, X, y, dtype: str, device: str, compiled: bool = False) -> Run:
    import torch

    start = time.perf_counter()
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
    criterion = torch.nn.CrossEntropyLoss()
    xs = torch.from_numpy(X.reshape(workload.batches, workload.batch, FEATURES)).to(device)
    ys = torch.from_numpy(y.reshape(workload.batches, workload.batch).astype(np.int64)).to(device)

    def loss_of(x, labels):
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=dtype == "bfloat16"):
            return criterion(model(x).float(), labels)

    if compiled:
        loss_of = torch.compile(loss_of, dynamic=False)  # compiled (forward and backward) at its first call

    losses, ends = [], []
    for _ in range(1 + workload.epochs):
        batch_losses = []
        for i in range(workload.batches):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of(xs[i], ys[i])
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.detach())
        losses.append(torch.stack(batch_losses).cpu().tolist())  # one fetch per epoch, as fit
        ends.append(time.perf_counter())
    what = "torch.compile'd forward and loss" if compiled else "eager"
    return Run(losses, start, ends, f"{what}, one step per batch, Adam{' (fused)' if fused else ''}")


def _matmul_precision(tf32: bool):
    """JAX's default float32 matmul precision (TF32 on tensor cores), or full float32 inside the block."""
    import jax

    return contextlib.nullcontext() if tf32 else jax.default_matmul_precision("highest")


# -- the run ---------------------------------------------------------------------------------------------


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:400]


def measure(result: Result, workload: Workload, run: Callable[[], Run], *, optional: bool = False) -> Result:
    """Run one contender and fill `result` with its figures; an error becomes the result's note (a skip when
    `optional`), so one contender that cannot run here does not stop the others."""
    try:
        done = run()
    except Exception as error:  # NotScanned too: gradviz-jax then has no losses, and the same-work check fails
        result.note = ("skipped: " if optional else "failed: ") + _first_line(error)
        result.skipped = optional
        print(f"  {result.dtype} {result.contender}: {result.note}", flush=True)
        return result
    result.losses, result.path = done.losses, done.path
    result.first_epoch_s = done.ends[0] - done.start
    result.epoch_s = [b - a for a, b in zip(done.ends, done.ends[1:], strict=False)]
    seconds = done.ends[-1] - done.ends[0]
    steps = workload.batches * workload.epochs
    result.samples_per_s = steps * workload.batch / seconds
    result.ms_per_step = 1e3 * seconds / steps
    result.tflops = result.samples_per_s * workload.flops_per_sample / 1e12
    result.compile_s = max(result.first_epoch_s - seconds / workload.epochs, 0.0)
    print(
        f"  {result.dtype} {result.contender}: first epoch {result.first_epoch_s:.2f} s (compile ≈ "
        f"{result.compile_s:.2f} s), {workload.epochs} timed epochs {seconds:.2f} s; {result.path}",
        flush=True,
    )
    return result


def check_same_work(results: list[Result], tolerance: float, batches: int | None = None) -> list[str]:
    """Problems: a contender whose per-batch losses of the first epoch (the first `batches` of them; None: all)
    differ from gradviz-jax's by more than `tolerance` (relative). One line per contender: its first bad batch.

    The first loss checks the forward pass (same weights, same batch), the next ones the gradients and Adam.
    Further on, rounding differences compound (this wide net's loss jumps about 5× after Adam's first,
    sign-like step and comes back), so the default stops at :data:`CHECK_BATCHES`; the largest difference over
    every epoch is printed and kept for the record.
    """
    reference = next((r for r in results if r.contender == GRADVIZ and r.losses), None)
    if reference is None:
        return [f"{results[0].dtype if results else ''} {GRADVIZ} did not run, so nothing could be compared".strip()]
    theirs = reference.losses[0][:batches]
    problems = []
    for r in results:
        if r is reference or not r.losses:
            continue
        mine = r.losses[0][:batches]
        if len(mine) != len(theirs):
            problems.append(f"{r.dtype} {r.contender}: {len(mine)} losses in its first epoch, {GRADVIZ} {len(theirs)}")
            continue
        bad = [k for k, (a, b) in enumerate(zip(mine, theirs, strict=True)) if not abs(a - b) <= tolerance * abs(b)]
        if bad:
            k = bad[0]
            what = "before any update (same weights)" if k == 0 else f"after {k} Adam step{'s' if k > 1 else ''}"
            problems.append(
                f"{r.dtype} {r.contender}: batch {k} loss ({what}) {mine[k]:.6g} vs {GRADVIZ} {theirs[k]:.6g} "
                f"({abs(mine[k] - theirs[k]) / abs(theirs[k]):.2%} > {tolerance:.1%}; {len(bad)} of {len(mine)} "
                "batches differ)"
            )
    return problems


def largest_difference(result: Result, reference: Result) -> float | None:
    """The largest relative difference between two contenders' losses over every epoch (for the record)."""
    if not result.losses or not reference.losses:
        return None
    a = np.array([v for epoch in result.losses for v in epoch])
    b = np.array([v for epoch in reference.losses for v in epoch])
    return float(np.max(np.abs(a - b) / np.abs(b))) if a.shape == b.shape else None


def table(results: list[Result]) -> str:
    lines = [
        "| dtype | contender | samples/s | ms/step | TFLOP/s | 1st epoch s | compile s | gradviz-jax ÷ this |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for dtype in dict.fromkeys(r.dtype for r in results):
        rows = [r for r in results if r.dtype == dtype]
        ours = next((r.samples_per_s for r in rows if r.contender == GRADVIZ), None)
        for r in rows:
            if r.samples_per_s is None:
                lines.append(f"| {dtype} | {r.contender} | — | — | — | — | — | {r.note} |")
                continue
            ratio = "" if r.contender == GRADVIZ or ours is None else f"{ours / r.samples_per_s:.2f}×"
            lines.append(
                f"| {dtype} | {r.contender} | {r.samples_per_s:,.0f} | {r.ms_per_step:.2f} | {r.tflops:.3g} | "
                f"{r.first_epoch_s:.2f} | {r.compile_s:.2f} | {ratio} |"
            )
    return "\n".join(lines)


def versions(torch, torch_device: str) -> dict[str, str]:
    import jax

    import gradviz

    found = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "jax": jax.__version__,
        "gradviz": gradviz.__version__,
    }
    with contextlib.suppress(Exception):
        import jaxlib

        found["jaxlib"] = jaxlib.__version__
    device = jax.devices()[0]
    found["jax_device"] = f"{len(jax.devices())} × {device.device_kind} ({device.platform})"
    with contextlib.suppress(Exception):
        found["jax_platform_version"] = " ".join(device.client.platform_version.split())
    with contextlib.suppress(Exception):
        found["jax_device_memory_gib"] = f"{device.memory_stats()['bytes_limit'] / 2**30:.1f}"
    if torch is not None:
        found["torch"] = torch.__version__
        found["torch_device"] = torch_device
        if torch_device == "cuda":
            found["torch_cuda"] = str(torch.version.cuda)
            found["torch_gpu"] = torch.cuda.get_device_name()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few steps (a CPU smoke run)")
    parser.add_argument("--dtypes", default="bfloat16,float32", help="comma-separated: bfloat16, float32")
    parser.add_argument("--hidden", type=int, help=f"hidden width (default {FULL.hidden}; {QUICK.hidden} with --quick)")
    parser.add_argument("--batch", type=int, help=f"batch size (default {FULL.batch}; {QUICK.batch} with --quick)")
    parser.add_argument(
        "--batches", type=int, help=f"batches per epoch (default {FULL.batches}; {QUICK.batches} with --quick)"
    )
    parser.add_argument(
        "--epochs", type=int, help=f"timed epochs after the first (default {FULL.epochs}; {QUICK.epochs} with --quick)"
    )
    parser.add_argument(
        "--check-batches",
        type=int,
        default=CHECK_BATCHES,
        help=f"how many first-epoch losses the same-work check compares (default {CHECK_BATCHES}; 0: all)",
    )
    parser.add_argument("--no-tf32", action="store_true", help="full float32 matmuls in JAX and PyTorch")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out (both PyTorch contenders)")
    parser.add_argument("--no-torch-compile", action="store_true", help="leave the torch.compile contender out")
    parser.add_argument(
        "--torch-compile", action="store_true", help="run the torch.compile contender on a CPU too (slow to compile)"
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)

    base = QUICK if args.quick else FULL
    workload = Workload(
        hidden=args.hidden or base.hidden,
        batch=args.batch or base.batch,
        batches=args.batches or base.batches,
        epochs=args.epochs or base.epochs,
    )
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    unknown = [d for d in dtypes if d not in TOLERANCE]
    if unknown or not dtypes:
        parser.error(f"--dtypes: {', '.join(unknown) or 'none given'}: use bfloat16 and/or float32")

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
    found = versions(torch, torch_device)
    print(f"# gradviz GPU benchmark — {workload.describe()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in found.items() if not k.startswith(("jax_", "torch_"))))
    about = [found[k] for k in ("jax_platform_version",) if k in found]
    about += [f"{found['jax_device_memory_gib']} GiB" for k in ("jax_device_memory_gib",) if k in found]
    print(f"JAX device: {', '.join([found['jax_device'], *about])}")
    if torch is None:
        print("PyTorch: not installed (its contenders are left out)")
    else:
        gpu = f" ({found['torch_gpu']}, CUDA {found['torch_cuda']})" if torch_device == "cuda" else ""
        print(f"PyTorch device: {torch_device}{gpu}")
    print(f"fp32 matmuls: {'full float32' if args.no_tf32 else 'TF32 where the hardware has it (JAX default)'}")
    on_cpu = jax.devices()[0].platform == "cpu"
    if on_cpu and not args.quick:
        print("note: JAX sees no GPU; the full-size run on a CPU takes very long — try --quick", file=sys.stderr)
    compile_torch = torch is not None and not args.no_torch and not args.no_torch_compile
    compile_skip = None
    if compile_torch and torch_device == "cpu" and not args.torch_compile:
        compile_skip = "skipped: on a CPU torch.compile's C++ build takes 8–26 s per dtype; --torch-compile runs it"
    elif compile_torch and not hasattr(torch, "compile"):
        compile_skip = f"skipped: this PyTorch ({torch.__version__}) has no torch.compile"

    X, y = make_data(workload)
    weights = [np.asarray(w, dtype=np.float32) for w in gradviz_model(workload).build(FEATURES).get_weights()]
    print(f"data: {X.nbytes / 2**30:.2f} GiB of inputs, ready {time.perf_counter() - began:.1f} s after the start")
    tf32 = not args.no_tf32
    results: list[Result] = []
    for dtype in dtypes:
        with _matmul_precision(tf32):
            results.append(
                measure(
                    Result(GRADVIZ, dtype), workload, lambda dtype=dtype: run_gradviz(workload, weights, X, y, dtype)
                )
            )
        results.append(
            measure(
                Result("jax (by hand)", dtype),
                workload,
                lambda dtype=dtype: run_jax(workload, weights, X, y, dtype, tf32),
            )
        )
        if torch is not None and not args.no_torch:
            results.append(
                measure(
                    Result(f"pytorch ({torch_device})", dtype),
                    workload,
                    lambda dtype=dtype: run_torch(workload, weights, X, y, dtype, torch_device),
                )
            )
            _free(torch, torch_device)
        if compile_torch:
            result = Result(f"pytorch+compile ({torch_device})", dtype)
            if compile_skip:
                result.note, result.skipped = compile_skip, True
                print(f"  {dtype} {result.contender}: {compile_skip}", flush=True)
                results.append(result)
            else:
                results.append(
                    measure(
                        result,
                        workload,
                        lambda dtype=dtype: run_torch(workload, weights, X, y, dtype, torch_device, compiled=True),
                        optional=True,
                    )
                )
            _free(torch, torch_device)

    print()
    print(table(results))
    print()
    problems = []
    for dtype in dtypes:
        problems += check_same_work(
            [r for r in results if r.dtype == dtype], TOLERANCE[dtype], args.check_batches or None
        )
    failed = [r for r in results if r.samples_per_s is None and not r.skipped]
    checked = f"the first {args.check_batches}" if 0 < args.check_batches < workload.batches else "all"
    for r in results:
        if r.losses:
            reference = next(g for g in results if g.dtype == r.dtype and g.contender == GRADVIZ)
            spread = r.largest_difference = largest_difference(r, reference) if r is not reference else None
            apart = "" if spread is None else f"; largest difference from {GRADVIZ} over every epoch {spread:.3%}"
            first = ", ".join(f"{v:.5f}" for v in r.losses[0][:3])
            print(
                f"losses {r.dtype} {r.contender}: first epoch {first} … {r.losses[0][-1]:.5f}; "
                f"last epoch's mean {np.mean(r.losses[-1]):.5f}{apart}"
            )
    if problems:
        print("SAME-WORK CHECK FAILED:\n  " + "\n  ".join(problems))
    else:
        print(f"same-work check: {checked} first-epoch losses of every contender agree with {GRADVIZ}'s "
              f"(tolerance {', '.join(f'{d} {TOLERANCE[d]:.1%}' for d in dtypes)})")  # fmt: skip
    total = time.perf_counter() - began
    print(f"total {total:.1f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "workload": asdict(workload) | {"flops_per_sample": workload.flops_per_sample},
                    "versions": found,
                    "device": found["jax_device"],
                    "torch_device": torch_device,
                    "tf32": tf32,
                    "argv": sys.argv[1:] if argv is None else list(argv),
                    "check_batches": args.check_batches,
                    "results": [asdict(r) for r in results],
                    "problems": problems,
                    "total_s": total,
                },
                indent=1,
            ),
            encoding="utf-8",
        )
        print(f"wrote {args.json}")
    return 1 if problems or failed else 0


def _free(torch, device: str) -> None:
    if device == "cuda":
        torch.cuda.empty_cache()


if __name__ == "__main__":
    raise SystemExit(main())
