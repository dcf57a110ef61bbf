"""One process of a localhost ``jax.distributed`` fit, started by tests/test_backends_jax_distributed.py.

    python tests/distributed_worker.py SPEC.json PROCESS_ID

SPEC holds: port, processes, sizes (each process's number of samples, in process order), dtype, epochs,
batch_size, out (a folder: process 0 writes result.json there), and optionally checkpoint (a .keras path
written every `save_freq` batches), resume (a checkpoint to resume from), die ([process, epoch, batch]: that
process exits abruptly after that batch), local_batches (each process's own batch size: the process passes
its slice as batches, a list — or a generator going round its batches when `generator` is set, with fit's
steps_per_epoch = `steps`), val_batches (with val_sizes: each process's validation batch size, its validation
samples passed as batches).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np


def data(total: int):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(total, 5))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0.8)
    return X, y


def local_batches(X, y, size: int) -> list:
    """A process's slice as batches of `size` rows (the last one smaller)."""
    return [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]


def model_for(keras):
    model = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dense(3, activation="softmax"),
        ],
        seed=0,
    )
    model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    spec = json.loads(open(sys.argv[1]).read())
    me = int(sys.argv[2])
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        f"127.0.0.1:{spec['port']}",
        num_processes=spec["processes"],
        process_id=me,
        initialization_timeout=60,
        heartbeat_timeout_seconds=spec.get("heartbeat", 10),
    )
    from gradviz import keras

    sizes, held_out = spec["sizes"], spec.get("val_sizes")
    X, y = data(sum(sizes) + sum(held_out or []))
    start = sum(sizes[:me])
    mine = slice(start, start + sizes[me])
    validation = {}
    if held_out:  # each process's own validation samples, after all the training ones
        first = sum(sizes) + sum(held_out[:me])
        validation = {"validation_data": (X[first : first + held_out[me]], y[first : first + held_out[me]])}
        if spec.get("val_batches"):  # as batches of its own size
            own = validation["validation_data"]
            validation = {"validation_data": local_batches(*own, spec["val_batches"][me])}
    model = model_for(keras)
    callbacks = []
    if spec.get("checkpoint"):
        callbacks.append(keras.callbacks.ModelCheckpoint(spec["checkpoint"], save_freq=spec.get("save_freq", 2)))
    die = spec.get("die")
    if die and die[0] == me:
        now = {"epoch": None}

        def stop(batch, logs):
            if now["epoch"] == die[1] and batch == die[2]:
                os._exit(3)  # as a crash: no clean-up, no goodbye to the coordinator

        callbacks.append(
            keras.callbacks.LambdaCallback(
                on_epoch_begin=lambda epoch, logs: now.update(epoch=epoch), on_batch_end=stop
            )
        )
    data_arguments = {"x": X[mine], "y": y[mine], "batch_size": spec["batch_size"]}
    if spec.get("local_batches"):
        batches = local_batches(X[mine], y[mine], spec["local_batches"][me])

        def around():
            while True:
                yield from batches

        data_arguments = {"x": batches}
        if spec.get("generator"):
            data_arguments = {"x": around(), "steps_per_epoch": spec["steps"]}
    history = model.fit(
        **data_arguments,
        epochs=spec["epochs"],
        verbose=0,
        seed=0,
        backend="jax",
        dtype=spec["dtype"],
        per_process_data=True,
        callbacks=callbacks,
        **validation,
        **({"resume_from": spec["resume"]} if spec.get("resume") else {}),
    )
    if me == 0:
        result = {"weights": [w.tolist() for w in model.get_weights()], "history": history.history}
        with open(os.path.join(spec["out"], "result.json"), "w") as file:
            json.dump(result, file)


if __name__ == "__main__":
    main()
