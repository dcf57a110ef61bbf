"""benchmarks/bench_fit.py runs, and its contenders train the same model over the same batches.

No timing is asserted: only that gradviz's keras fit, gradviz's nn loop and PyTorch compute the
same first-step loss and weights from the same start, and that --quick prints its tables.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def bench_fit():
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module("bench_fit")


def test_keras_fit_and_the_nn_loop_take_the_same_first_step():
    bench = bench_fit()
    workload = bench.QUICK["digits"]
    params = bench.initial_params(workload.sizes)
    X, y = bench.data(workload)
    keras_run = bench.keras_fit(workload, params, X, y, epochs=1, steps=1)
    loop_run = bench.nn_fit(workload, params, X, y, epochs=1, steps=1)
    assert keras_run() == pytest.approx(loop_run(), rel=1e-6)
    for a, b in zip(keras_run.params, loop_run.params, strict=True):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-6)
    assert not np.allclose(keras_run.params[0].data, params[0])  # the step did move the weights


def test_the_batches_are_keras_fits_shuffle_order():
    bench = bench_fit()
    first, second = bench.batch_orders(100, 2)
    assert sorted(first) == list(range(100)) and not np.array_equal(first, second)
    again = bench.batch_orders(100, 2)
    assert np.array_equal(first, again[0])


def test_check_compares_every_contender_including_pytorch():
    pytest.importorskip("torch")
    lines = bench_fit().check(quick=True)
    assert any("PyTorch eager (2 threads) loss at step 1" in line and "agrees" in line for line in lines)
    assert any("mean loss over epoch 1" in line and "agrees" in line for line in lines)


def test_full_size_workloads_are_the_ones_the_issue_names():
    bench = bench_fit()
    digits, mnist = bench.WORKLOADS["digits"], bench.WORKLOADS["mnist-shaped"]
    assert (digits.sizes, digits.batch, digits.epochs) == ((64, 128, 10), 64, 20)
    assert (mnist.sizes, mnist.batch, mnist.epochs, mnist.samples) == ((784, 256, 128, 10), 128, 1, 60_000)


@pytest.mark.slow
def test_bench_fit_runs_with_quick_and_prints_its_tables():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_fit.py"), "--quick", "--repeats", "1"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("| contender") == 2 and "(agrees)" in done.stdout
    assert "samples/s" in done.stdout
