"""fit(backend="jax", per_process_data=True) across real processes on 127.0.0.1 (jax.distributed, gloo): each
process passes only its own slice of the data, and the run equals one process training on all of it; a process
that dies stops the others with a message, and the run resumes from its last checkpoint."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax")

from gradviz import keras  # noqa: E402

pytestmark = pytest.mark.slow

WORKER = Path(__file__).resolve().parent / "distributed_worker.py"
sys.path.insert(0, str(WORKER.parent))
import distributed_worker  # noqa: E402


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(spec: dict, folder: Path) -> list[subprocess.Popen]:
    spec = {"port": _port(), "out": str(folder), **spec}
    path = folder / f"spec-{spec['port']}.json"
    path.write_text(json.dumps(spec))
    environment = {"JAX_PLATFORMS": "cpu", "PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"}
    environment.update({k: v for k, v in __import__("os").environ.items() if k.startswith(("PYTHON", "HOME"))})
    return [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(path), str(p)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for p in range(spec["processes"])
    ]


def _finish(processes: list[subprocess.Popen], timeout: float = 240) -> list[tuple[int, str]]:
    results = []
    for process in processes:
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise
        results.append((process.returncode, err))
    return results


def _run(spec: dict, folder: Path) -> dict:
    finished = _finish(_start(spec, folder))
    for rc, err in finished:
        assert rc == 0, err[-3000:]
    return json.loads((folder / "result.json").read_text())


def _one_process(sizes, dtype: str, epochs: int, batch_size: int, val_sizes=None):
    X, y = distributed_worker.data(sum(sizes) + sum(val_sizes or []))
    n = sum(sizes)
    validation = {"validation_data": (X[n:], y[n:])} if val_sizes else {}
    model = distributed_worker.model_for(keras)
    history = model.fit(
        X[:n], y[:n], epochs=epochs, batch_size=batch_size, verbose=0, seed=0, backend="jax", dtype=dtype,
        **validation,
    )  # fmt: skip
    return model.get_weights(), history.history


@pytest.mark.parametrize(
    ("sizes", "dtype"),
    [([60, 60], "float64"), ([25, 40, 31, 24], "float64"), ([70, 43], "float32")],
    ids=["2 even float64", "4 uneven float64", "2 uneven float32"],
)
def test_processes_with_their_own_slices_train_as_one_process_on_all_the_data(sizes, dtype, tmp_path):
    spec = {"processes": len(sizes), "sizes": sizes, "dtype": dtype, "epochs": 3, "batch_size": 16}
    result = _run(spec, tmp_path)
    weights, history = _one_process(sizes, dtype, 3, 16)
    tolerance = 1e-12 if dtype == "float64" else 1e-6
    for ours, theirs in zip(result["weights"], weights, strict=True):
        np.testing.assert_allclose(np.array(ours), theirs, rtol=0, atol=tolerance)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(result["history"][key], history[key], rtol=0, atol=tolerance * 10)


def test_a_process_that_dies_stops_the_others_with_a_message_and_the_run_resumes_from_the_last_checkpoint(tmp_path):
    sizes = [50, 46]
    checkpoint = tmp_path / "run.keras"
    spec = {"processes": 2, "sizes": sizes, "dtype": "float64", "epochs": 3, "batch_size": 16,
            "checkpoint": str(checkpoint), "save_freq": 2}  # fmt: skip
    started = time.monotonic()
    finished = _finish(_start({**spec, "die": [1, 1, 3]}, tmp_path), timeout=120)  # process 1 dies in epoch 2
    took = time.monotonic() - started
    (survivor, said), (dead, _) = finished
    assert dead == 3 and survivor != 0
    assert took < 90  # the survivor did not hang
    assert "process 0 of 2 lost its connection to the others in epoch 2" in said
    assert "process 1 stopped" in said and f"resume_from={str(checkpoint)!r}" in said
    # the last checkpoint is whole, and the run goes on from it to the end the uninterrupted run reaches
    assert keras.models.load_model(checkpoint).count_params() == 5 * 8 + 8 + 8 * 3 + 3
    result = _run({**spec, "resume": str(checkpoint)}, tmp_path)
    weights, history = _one_process(sizes, "float64", 3, 16)
    for ours, theirs in zip(result["weights"], weights, strict=True):
        np.testing.assert_allclose(np.array(ours), theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["history"]["loss"], history["loss"], rtol=0, atol=1e-11)


def test_each_processs_own_validation_samples_give_the_validation_of_one_process_on_all_of_them(tmp_path):
    sizes, held_out = [40, 33, 27], [11, 20, 6]
    spec = {"processes": 3, "sizes": sizes, "val_sizes": held_out, "dtype": "float64", "epochs": 2, "batch_size": 16}
    result = _run(spec, tmp_path)
    _, history = _one_process(sizes, "float64", 2, 16, held_out)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(result["history"][key], history[key], rtol=0, atol=1e-11)


def _global_batches(sizes, local, steps):
    """What one process trains on when every process passes its own batches: global batch b is every process's
    batch b, in process order."""
    X, y = distributed_worker.data(sum(sizes))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    own = [
        distributed_worker.local_batches(X[a:b], y[a:b], size)
        for a, b, size in zip(starts, starts[1:], local, strict=False)
    ]
    return [
        (np.concatenate([own[p][k % len(own[p])][0] for p in range(len(sizes))]),
         np.concatenate([own[p][k % len(own[p])][1] for p in range(len(sizes))]))
        for k in range(steps)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("sizes", "local", "generator"),
    [([40, 30], [8, 6], True), ([30, 26, 22, 18], [7, 6, 5, 4], False)],
    ids=["2 generators with steps_per_epoch", "4 lists of uneven batches"],
)
def test_processes_passing_their_own_batches_train_as_one_process_on_the_joined_batches(
    sizes, local, generator, tmp_path
):
    steps = 5
    spec = {"processes": len(sizes), "sizes": sizes, "dtype": "float64", "epochs": 3, "batch_size": None,
            "local_batches": local, "generator": generator, "steps": steps}  # fmt: skip
    result = _run(spec, tmp_path)
    model = distributed_worker.model_for(keras)
    if generator:  # the generators go round their batches: epoch e takes batches 5e … 5e + 4 of each
        joined = _global_batches(sizes, local, steps * 3)

        def stream():
            yield from joined

        history = model.fit(stream(), steps_per_epoch=steps, epochs=3, verbose=0, backend="jax", dtype="float64")
    else:  # each list is 5 batches long: every epoch passes over all of them
        history = model.fit(_global_batches(sizes, local, 5), epochs=3, verbose=0, backend="jax", dtype="float64")
    for ours, theirs in zip(result["weights"], model.get_weights(), strict=True):
        np.testing.assert_allclose(np.array(ours), theirs, rtol=0, atol=1e-12)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(result["history"][key], history.history[key], rtol=0, atol=1e-11)


def test_processes_with_fewer_batches_end_every_epoch_where_the_first_process_runs_out_and_say_so(tmp_path):
    sizes, local = [40, 18], [8, 6]  # process 0 has 5 batches, process 1 three
    spec = {"processes": 2, "sizes": sizes, "dtype": "float64", "epochs": 2, "batch_size": None,
            "local_batches": local}  # fmt: skip
    finished = _finish(_start(spec, tmp_path))
    for rc, err in finished:
        assert rc == 0, err[-3000:]
    said = finished[0][1]
    assert "in epoch 1 process(es) 0 had more batches than the others; the epoch ended after 3 batches" in said
    assert "had more batches" not in finished[1][1]  # only process 0 speaks
    result = json.loads((tmp_path / "result.json").read_text())
    model = distributed_worker.model_for(keras)
    model.fit(_global_batches(sizes, local, 3), epochs=2, verbose=0, backend="jax", dtype="float64")
    for ours, theirs in zip(result["weights"], model.get_weights(), strict=True):
        np.testing.assert_allclose(np.array(ours), theirs, rtol=0, atol=1e-12)


def test_each_processs_own_validation_batches_give_the_validation_of_one_process_on_the_joined_batches(tmp_path):
    sizes, held_out, val_batches = [30, 26], [14, 9], [5, 4]  # 3 validation batches each: 5 5 4 and 4 4 1
    spec = {"processes": 2, "sizes": sizes, "val_sizes": held_out, "val_batches": val_batches, "dtype": "float64",
            "epochs": 2, "batch_size": 16}  # fmt: skip
    result = _run(spec, tmp_path)
    X, y = distributed_worker.data(sum(sizes) + sum(held_out))
    n = sum(sizes)
    own = [
        distributed_worker.local_batches(X[n : n + held_out[0]], y[n : n + held_out[0]], val_batches[0]),
        distributed_worker.local_batches(X[n + held_out[0] :], y[n + held_out[0] :], val_batches[1]),
    ]
    joined = [(np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])) for a, b in zip(*own, strict=True)]
    model = distributed_worker.model_for(keras)
    history = model.fit(X[:n], y[:n], epochs=2, batch_size=16, verbose=0, seed=0, backend="jax", dtype="float64",
                        validation_data=joined)  # fmt: skip
    for key in ("val_loss", "val_accuracy"):
        np.testing.assert_allclose(result["history"][key], history.history[key], rtol=0, atol=1e-11)
