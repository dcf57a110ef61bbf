"""A large run in miniature: several processes, each with its own slice of the data, a per-step schedule,
checkpoints, a crash, and the resume that ends as if nothing happened.

    python examples/large_run.py --out large-run              # 2 processes on 127.0.0.1
    python examples/large_run.py --out large-run --processes 3

The digits (1,797 handwritten 8×8 digits) are split into one slice per process (of different lengths).
Each process starts ``jax.distributed`` on 127.0.0.1 and trains the same 64-32-10 network with
``fit(backend="jax", per_process_data=True)``: a cosine learning-rate schedule with warm-up and gradient
clipping evaluated inside the compiled loop, ``steps_per_execution=5``, and a ``ModelCheckpoint`` every 10
steps (written by process 0 only). In the first run the last process crashes in epoch 3: the others stop
with gradviz's ``ProcessLostError`` naming it and the checkpoint. All of them start again with
``fit(..., resume_from=...)``, and the resumed run's weights are compared with one process training on all
the data without interruption. Without JAX it says so and exits 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

EPOCHS = 4
BATCH = 64
CRASH = (2, 7)  # the last process dies after this (epoch, batch), both counted from 0


def slices(processes: int, total: int) -> list[slice]:
    """One slice per process, of different lengths (the first ones a little longer)."""
    weights = np.arange(processes, 0, -1) + processes
    ends = np.round(np.cumsum(weights) / weights.sum() * total).astype(int)
    starts = np.concatenate([[0], ends[:-1]])
    return [slice(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def make_model():
    from gradviz import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        seed=0,
    )
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=80, alpha=0.1, warmup_target=0.01, warmup_steps=10
    )
    optimizer = keras.optimizers.Adam(learning_rate=schedule, clipnorm=1.0)
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=5)
    return model


def data():
    from gradviz.data import load_digits

    X, y = load_digits()
    return X / 16.0, y


def one_process(args) -> None:
    """What every process runs (this script started again with --process)."""
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        f"127.0.0.1:{args.port}", num_processes=args.processes, process_id=args.process, heartbeat_timeout_seconds=10
    )
    from gradviz import keras

    X, y = data()
    mine = slices(args.processes, len(X))[args.process]
    model = make_model()
    checkpoint = args.out / "run.keras"
    callbacks = [keras.callbacks.ModelCheckpoint(checkpoint, save_freq=10, overwrite=True)]
    if args.crash and args.process == args.processes - 1:
        now = {}

        def crash(batch, logs):
            if (now.get("epoch"), batch) >= CRASH:
                os._exit(3)  # as a crash: no clean-up, no goodbye

        callbacks.append(
            keras.callbacks.LambdaCallback(
                on_epoch_begin=lambda epoch, logs: now.update(epoch=epoch), on_batch_end=crash
            )
        )
    resume = {"resume_from": checkpoint} if args.resume else {}
    history = model.fit(
        X[mine], y[mine], epochs=EPOCHS, batch_size=BATCH, verbose=0, seed=0, backend="jax",
        per_process_data=True, callbacks=callbacks, **resume,
    )  # fmt: skip
    if args.process == 0:
        result = {"weights": [w.tolist() for w in model.get_weights()], "accuracy": history.history["accuracy"]}
        (args.out / "result.json").write_text(json.dumps(result))


def start_all(args, *, crash: bool, resume: bool) -> list[tuple[int, str]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    common = [sys.executable, __file__, "--out", str(args.out), "--processes", str(args.processes), "--port", str(port)]
    flags = (["--crash"] if crash else []) + (["--resume"] if resume else [])
    environment = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONUNBUFFERED="1")
    running = [
        subprocess.Popen([*common, "--process", str(p), *flags], stderr=subprocess.PIPE, text=True, env=environment)
        for p in range(args.processes)
    ]
    return [(process.wait(timeout=300), process.stderr.read()) for process in running]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/large_run"), help="folder for the files")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--process", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--crash", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--resume", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.process is not None:
        one_process(args)
        return 0
    if importlib.util.find_spec("jax") is None:
        print('skipped: JAX is not installed, so there is no jax backend to run (pip install "gradviz[jax]")')
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    X, y = data()
    print(
        f"{args.processes} processes, samples per process: {[s.stop - s.start for s in slices(args.processes, len(X))]}"
    )

    finished = start_all(args, crash=True, resume=False)
    codes = [code for code, _ in finished]
    said = next((line for _, err in finished for line in err.splitlines() if "lost its connection" in line), None)
    print(f"first run: the processes exited with {codes}")
    print(f"process 0 said: {said}")
    print(f"wrote {args.out / 'run.keras'}")

    finished = start_all(args, crash=False, resume=True)
    if any(code != 0 for code, _ in finished):
        print(finished[0][1][-2000:])
        return 1
    result = json.loads((args.out / "result.json").read_text())
    print(f"resumed run: accuracy per epoch {[round(a, 4) for a in result['accuracy']]}")

    import gradviz.backends  # noqa: F401  (the one-process run needs no jax.distributed)

    model = make_model()
    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH, verbose=0, seed=0, backend="jax")
    gap = max(float(np.abs(np.array(a) - b).max()) for a, b in zip(result["weights"], model.get_weights(), strict=True))
    print(f"one process on all the data, never interrupted: largest weight difference {gap:.1e}")
    print(f"wrote {args.out / 'result.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
