"""The JAX backend: gradviz's ``fit(backend="jax")`` against a hand-written ``jax.jit`` training step, and the numpy backend.

Workload: an MLP 784-256-128-10 (ReLU, softmax cross-entropy on the logits), batch 128, Adam
(lr 1e-3, betas 0.9/0.999, eps 1e-7 — Keras' "adam"), float32, synthetic MNIST-shaped data
(standard normal inputs, random labels 0..9, seeded). One timed run trains `epochs` epochs from the
same initial weights over the same batches (``np.random.default_rng(seed).permutation`` per epoch,
the order ``fit(shuffle=True, seed=seed)`` uses), data put on the device once per run by everyone.

Contenders:

* gradviz jax: ``keras.Sequential(...).compile("adam", ...).fit(X, y, epochs, batch_size=128,
  backend="jax", dtype="float32")`` — the loss graph compiled from gradviz's op registry, a
  ``lax.scan`` of jitted steps per epoch;
* hand-written jax.jit: the same model written directly in ``jax.numpy`` (``x @ W + b``,
  ``jax.nn.relu``, ``log_softmax``), ``jax.value_and_grad`` and the same Adam update in one
  ``jax.jit`` step with donated buffers, called once per batch from Python — how most JAX
  training loops are written (the goal: gradviz ≥ 0.95× its samples/s);
* hand-written jax.jit + lax.scan: the same step scanned over an epoch's batches, for information
  (the ceiling of this design);
* gradviz numpy: the same ``fit`` with the numpy backend — on the first eighth of the samples for one
  epoch (it is an order of magnitude slower on a CPU, and the run must stay short); compared by
  samples per second.

Before timing, the script checks that all four take the same first step: the loss and every
updated weight agree (float32, rtol 1e-4; atol 5e-5, 5% of Adam's first step, which float32
rounding bends only for weights whose gradient is near eps).

    .venv/bin/python benchmarks/bench_jax.py            # the full run (about a minute on 2 busy cores)
    .venv/bin/python benchmarks/bench_jax.py --quick    # small sizes, a few runs (smoke test)
    .venv/bin/python benchmarks/bench_jax.py --check    # only check the contenders do the same work
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import close, fmt_ms, fmt_ratio, measure, optional, parse_args, print_table  # noqa: E402

from gradviz import keras  # noqa: E402

__all__ = ["FULL", "QUICK", "data", "gradviz_fit", "handwritten_fit", "check", "main"]

LEARNING_RATE = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-7
SEED = 0

FULL = {"sizes": (784, 256, 128, 10), "samples": 8_192, "batch": 128, "epochs": 2}
QUICK = {"sizes": (784, 64, 32, 10), "samples": 1_024, "batch": 128, "epochs": 1}
NUMPY_SHARE = 8  # the numpy backend trains on samples // NUMPY_SHARE for one epoch


def data(workload: dict) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal inputs (float32) and random labels 0..9, seeded."""
    rng = np.random.default_rng(SEED + 1)
    X = rng.standard_normal((workload["samples"], workload["sizes"][0]), dtype=np.float32)
    return X, rng.integers(0, workload["sizes"][-1], size=workload["samples"]).astype(np.int64)


def _model(sizes) -> keras.Sequential:
    layers = [
        keras.Dense(units, activation="relu", dtype="float32", **({"input_dim": sizes[0]} if k == 0 else {}))
        for k, units in enumerate(sizes[1:-1])
    ]
    layers.append(keras.Dense(sizes[-1], activation="softmax", dtype="float32"))
    return keras.Sequential(layers, seed=SEED)


def initial_params(sizes) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] in Keras' layout (each kernel W of shape (in, out)), Keras' Glorot-uniform weights and
    zero biases, float32."""
    return _model(sizes).get_weights()


def gradviz_fit(workload: dict, params, X, y, backend: str, epochs: int | None = None, shuffle: bool = True):
    """gradviz.keras: compile("adam") and fit(..., backend=backend); run() returns the last epoch's mean loss."""
    model = _model(workload["sizes"])
    epochs = workload["epochs"] if epochs is None else epochs
    options = {"backend": backend, **({"dtype": "float32"} if backend == "jax" else {})}

    def run() -> float:
        model.set_weights(params)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", learning_rate=LEARNING_RATE)
        history = model.fit(
            X, y, epochs=epochs, batch_size=workload["batch"], verbose=0, seed=SEED, shuffle=shuffle, **options
        )
        return history.history["loss"][-1]

    run.weights = model.get_weights  # type: ignore[attr-defined]
    return run


def handwritten_fit(workload: dict, params, X, y, scan: bool = False, epochs: int | None = None, shuffle: bool = True):
    """The same training written directly in JAX: one jitted step per batch (or a lax.scan over the epoch)."""
    import jax
    import jax.numpy as jnp

    batch = workload["batch"]
    epochs = workload["epochs"] if epochs is None else epochs
    beta1, beta2 = BETAS

    def loss_of(weights, x, labels):
        h = x
        for k in range(0, len(weights), 2):
            h = h @ weights[k] + weights[k + 1]
            if k + 2 < len(weights):
                h = jax.nn.relu(h)
        log_p = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(log_p, labels[:, None], axis=1))

    def step(weights, m, v, t, x, labels):
        loss, grads = jax.value_and_grad(loss_of)(weights, x, labels)
        t = t + 1
        m = [mi + (g - mi) * (1 - beta1) for mi, g in zip(m, grads, strict=True)]
        v = [vi * beta2 + (g * g) * (1 - beta2) for vi, g in zip(v, grads, strict=True)]
        step_size = LEARNING_RATE / (1 - beta1**t)
        correction = jnp.sqrt(1 - beta2**t)
        weights = [
            w - (mi / (jnp.sqrt(vi) / correction + EPS)) * step_size for w, mi, vi in zip(weights, m, v, strict=True)
        ]
        return weights, m, v, t, loss

    jitted_step = jax.jit(step, donate_argnums=(0, 1, 2))

    @functools.partial(jax.jit, donate_argnums=(0, 1, 2))
    def epoch_scan(weights, m, v, t, xs, ys):
        def body(carry, batch_data):
            *state, loss = step(*carry, *batch_data)
            return tuple(state), loss

        (weights, m, v, t), losses = jax.lax.scan(body, (weights, m, v, t), (xs, ys))
        return weights, m, v, t, losses

    state = {}

    def run() -> float:
        weights = [jnp.asarray(p) for p in params]
        m = [jnp.zeros_like(w) for w in weights]
        v = [jnp.zeros_like(w) for w in weights]
        t = jnp.asarray(0.0, dtype=jnp.float32)
        X_dev, y_dev = jax.device_put(X), jax.device_put(y.astype(np.int32))
        rng = np.random.default_rng(SEED)
        mean = 0.0
        for _ in range(epochs):
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            full = len(X) // batch
            order_dev = jnp.asarray(order[: full * batch].astype(np.int32))
            if scan:
                xs = X_dev[order_dev].reshape(full, batch, -1)
                ys = y_dev[order_dev].reshape(full, batch)
                weights, m, v, t, losses = epoch_scan(weights, m, v, t, xs, ys)
            else:
                X_epoch, y_epoch = X_dev[order_dev], y_dev[order_dev]
                losses = []
                for b in range(full):
                    rows = slice(b * batch, (b + 1) * batch)
                    weights, m, v, t, loss = jitted_step(weights, m, v, t, X_epoch[rows], y_epoch[rows])
                    losses.append(loss)
            mean = float(np.mean(jax.device_get(losses)))  # one fetch per epoch, as gradviz
        state["weights"] = weights
        return mean

    run.weights = lambda: [np.asarray(w) for w in state["weights"]]  # type: ignore[attr-defined]
    return run


def check(quick: bool = False) -> list[str]:
    """Every contender's first step on the first batch: the same loss and updated weights (float32, rtol 1e-4)."""
    workload = dict(QUICK if quick else FULL)
    X, y = data(workload)
    X, y = X[: workload["batch"]], y[: workload["batch"]]
    params = initial_params(workload["sizes"])
    makers = {
        "gradviz numpy": lambda: gradviz_fit(workload, params, X, y, "numpy", epochs=1, shuffle=False),
        "hand-written jax.jit": lambda: handwritten_fit(workload, params, X, y, epochs=1, shuffle=False),
        "hand-written jax.jit + lax.scan": lambda: handwritten_fit(workload, params, X, y, True, 1, shuffle=False),
        "gradviz jax": lambda: gradviz_fit(workload, params, X, y, "jax", epochs=1, shuffle=False),
    }
    lines, reference, reference_weights = [], None, None
    for name, make in makers.items():
        run = make()
        loss = run()
        weights = run.weights()
        if reference is None:
            reference, reference_weights = loss, weights
            lines.append(f"{name} loss at step 1: {loss:.10g} (reference)")
            continue
        lines.append(close(f"{name} loss at step 1", reference, loss, rtol=1e-4))
        for k, (ours, theirs) in enumerate(zip(weights, reference_weights, strict=True)):
            # atol: 5% of Adam's first step (±lr), which float32 rounding bends only where |∇| is near eps
            if not np.allclose(ours, theirs, rtol=1e-4, atol=5e-2 * LEARNING_RATE):
                raise AssertionError(f"{name}: updated weights differ from gradviz numpy's in array {k}")
        lines.append(f"{name} updated weights after step 1: {len(weights)} arrays (agrees)")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=5)
    if optional("jax") is None:
        print('JAX is not installed (pip install "gradviz[jax]"): nothing to compare')
        return 0
    import jax

    for line in check(args.quick):
        print(line)
    if args.check:
        return 0
    workload = QUICK if args.quick else FULL
    X, y = data(workload)
    params = initial_params(workload["sizes"])
    few = workload["samples"] // NUMPY_SHARE
    contenders = {
        "gradviz jax": gradviz_fit(workload, params, X, y, "jax"),
        "hand-written jax.jit": handwritten_fit(workload, params, X, y),
        "hand-written jax.jit + lax.scan": handwritten_fit(workload, params, X, y, scan=True),
        "gradviz numpy": gradviz_fit(workload, params, X[:few], y[:few], "numpy", epochs=1),
    }
    losses = {name: run() for name, run in contenders.items()}  # also compiles the jitted ones
    for name, loss in losses.items():
        if name != "gradviz numpy":
            print(close(f"{name} mean loss of the last epoch", losses["hand-written jax.jit"], loss, rtol=1e-3))
    timings = measure(contenders, repeats=args.repeats, warmup=0)
    full_batches = workload["samples"] // workload["batch"] * workload["batch"]
    samples = {name: full_batches * workload["epochs"] for name in contenders}
    samples["gradviz numpy"] = few
    speed = {name: (samples[name] / t.median, samples[name] / t.best) for name, t in timings.items()}
    ours = speed["gradviz jax"]
    rows = []
    for name, timing in timings.items():
        rows.append(
            [
                name,
                f"{samples[name]:,}",
                fmt_ms(timing.median),
                fmt_ms(timing.best),
                f"{speed[name][0]:,.0f}",
                "—" if name == "gradviz jax" else fmt_ratio(ours[0] / speed[name][0]),
                "—" if name == "gradviz jax" else fmt_ratio(ours[1] / speed[name][1]),
            ]
        )
    sizes = "-".join(map(str, workload["sizes"]))
    device = jax.devices()[0]
    print_table(
        f"MLP {sizes}, batch {workload['batch']}, {workload['samples']:,} samples × {workload['epochs']} epochs, Adam, "
        f"float32, on {len(jax.devices())} × {device.platform} ({args.repeats} runs)",
        [
            "contender",
            "samples per run",
            "median ms",
            "min ms",
            "samples/s (median)",
            "gradviz jax vs it (median)",
            "(min)",
        ],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
