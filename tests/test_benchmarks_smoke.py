"""The benchmarks in benchmarks/ run, and each compares the same work across its contenders.

No timing is asserted here: these tests only prove that every script runs with --quick and that
gradviz and each reference implementation compute the same first-step loss and weights.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gradviz

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = ["bench_scalar.py", "bench_tensor.py", "bench_overhead.py", "bench_trace.py", "bench_jax.py"]


def _load(name: str):
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_script_runs_with_quick_and_prints_a_table(script):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| contender" in done.stdout or "| workload" in done.stdout
    if script != "bench_scalar.py" or importlib.util.find_spec("micrograd") is not None:
        assert "(agrees)" in done.stdout  # it compared its contenders' first step


@pytest.mark.slow
def test_run_all_check_runs_every_benchmark_check():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_all.py"), "--check"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for script in SCRIPTS:
        assert f"({script}: exit 0" in done.stdout


def test_run_all_rejects_an_unknown_flag():
    assert _load("run_all").main(["--fast"]) == 2


def test_scalar_benchmark_gradviz_and_micrograd_take_the_same_first_step():
    pytest.importorskip("micrograd")
    lines = _load("bench_scalar").check(n_samples=10)
    assert any(line.startswith("micrograd loss at step 1") and "agrees" in line for line in lines)


def test_scalar_benchmark_gradviz_model_has_micrograd_parameter_order():
    pytest.importorskip("micrograd")
    bench = _load("bench_scalar")
    flat = bench.initial_weights()
    ours = [p.data for p in bench.gradviz_model(flat).parameters()]
    theirs = [p.data for p in bench.micrograd_model(flat).parameters()]
    assert ours == theirs == flat
    assert len(flat) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_scalar_benchmark_step_builds_about_66_thousand_nodes():
    bench = _load("bench_scalar")
    X, y = bench.moons(100)
    loss = bench.build_loss(bench.gradviz_model(bench.initial_weights()), gradviz.Value, X, y)
    assert 60_000 < bench.count_nodes(loss) < 70_000


def test_tensor_benchmark_contenders_take_the_same_first_step():
    lines = _load("bench_tensor").check(quick=True)
    assert sum("agrees" in line for line in lines) >= 2  # numpy's loss and weights at least


def test_tensor_benchmark_check_catches_a_contender_doing_different_work():
    bench = _load("bench_tensor")
    sizes, n = bench.QUICK.values()
    params = bench.initial_params(sizes)
    X, labels = bench.batch(n, sizes[0], sizes[-1])

    def numpy_with_another_learning_rate(params, X, labels):
        return bench.numpy_step(params, X, labels, lr=bench.LEARNING_RATE * 2)

    makers = {"gradviz": bench.gradviz_step, "numpy (lr × 2)": numpy_with_another_learning_rate}
    with pytest.raises(AssertionError, match="updated weights differ"):
        bench.check_steps(makers, params, X, labels, rtol=1e-4)


def test_overhead_benchmark_matches_the_scalar_engine_and_references():
    lines = _load("bench_overhead").check()
    assert any(line.startswith("gradviz Value (scalar engine) loss") for line in lines)


def test_overhead_benchmark_weights_are_the_scalar_benchmarks():
    overhead, scalar = _load("bench_overhead"), _load("bench_scalar")
    params = overhead.initial_params()
    assert [p.shape for p in params] == [(2, 16), (16,), (16, 16), (16,), (16, 1), (1,)]
    assert sorted(np.concatenate([p.ravel() for p in params]).tolist()) == sorted(scalar.initial_weights())


def test_trace_benchmark_traced_step_records_and_matches_the_plain_step():
    lines = _load("bench_trace").check(quick=True)
    assert sum("traced loss" in line and "agrees" in line for line in lines) == 3


def test_moons_are_seeded_and_balanced():
    harness = _load("_harness")
    X1, y1 = harness.make_moons(50, seed=3)
    X2, y2 = harness.make_moons(50, seed=3)
    np.testing.assert_array_equal(X1, X2)
    assert X1.shape == (50, 2) and (y1 == 1).sum() == 25 and (y1 == -1).sum() == 25


@pytest.mark.slow
def test_benchmarks_skip_micrograd_and_torch_cleanly_when_they_are_absent():
    # a None entry in sys.modules makes `import micrograd` / `import torch` raise ImportError
    program = (
        "import runpy, sys\n"
        "sys.modules['micrograd'] = sys.modules['torch'] = None\n"
        f"for script in {SCRIPTS!r}:\n"
        f"    sys.argv = [script, '--quick']\n"
        "    try:\n"
        f"        runpy.run_path({str(BENCHMARKS)!r} + '/' + script, run_name='__main__')\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, (script, exit.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "micrograd is not installed" in done.stdout
    assert "PyTorch is not installed" in done.stdout
    assert "PyTorch eager" not in done.stdout


def test_profile_step_phases_cover_the_whole_step():
    profile_step, bench_trace = _load("profile_step"), _load("bench_trace")
    make = bench_trace.workloads(quick=True)["overhead"][1]
    times = profile_step.phases(make(), runs=2)
    assert list(times) == ["forward", "topological order", "backward", "update", "free the graph"]
    assert all(len(seconds) == 2 and min(seconds) >= 0 for seconds in times.values())
