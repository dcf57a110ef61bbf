"""benchmarks/gpu/bench_gpu.py: runs end to end on the CPU with --quick, times gradviz's scanned epoch (and refuses
anything else), splits compile time from steady time, and its same-work check catches a mismatch."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gpu" / "bench_gpu.py"
TINY = dict(hidden=8, batch=16, batches=4, epochs=1)


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_gpu", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def tiny_setup(bench):
    workload = bench.Workload(**TINY)
    X, y = bench.make_data(workload)
    weights = [
        np.asarray(w, dtype=np.float32) for w in bench.gradviz_model(workload).build(bench.FEATURES).get_weights()
    ]
    return workload, weights, X, y


def test_the_same_work_check_flags_a_contender_whose_per_batch_losses_differ():
    bench = load_bench()
    results = [
        bench.Result("gradviz-jax", "float32", losses=[[2.30, 2.20, 2.10]]),
        bench.Result("jax (by hand)", "float32", losses=[[2.30, 2.2001, 2.1001]]),
        bench.Result("pytorch (cuda)", "float32", losses=[[2.30, 2.20, 2.30]]),
    ]
    problems = bench.check_same_work(results, tolerance=0.005)
    assert len(problems) == 1
    assert problems[0].startswith("float32 pytorch (cuda): batch 2 loss (after 2 Adam steps) 2.3 vs gradviz-jax 2.1")
    assert "1 of 3 batches differ" in problems[0]
    assert bench.check_same_work(results, tolerance=0.005, batches=2) == []  # batch 2 is past the checked ones


@pytest.mark.slow
def test_a_contender_that_trains_differently_fails_the_run_with_same_work_check_failed(monkeypatch, capsys, tmp_path):
    pytest.importorskip("jax")
    bench = load_bench()
    honest = bench.run_jax

    def off_by_two_percent(*args, **kwargs):  # as if the hand-written step had a wrong learning rate
        run = honest(*args, **kwargs)
        run.losses = [[v * (1.02 if k else 1.0) for k, v in enumerate(epoch)] for epoch in run.losses]
        return run

    monkeypatch.setattr(bench, "run_jax", off_by_two_percent)
    out = tmp_path / "bench.json"
    argv = ["--quick", "--dtypes", "float32", "--no-torch", "--hidden", "8", "--batches", "4", "--epochs", "1"]
    assert bench.main([*argv, "--json", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "SAME-WORK CHECK FAILED:\n  float32 jax (by hand): batch 1 loss (after 1 Adam step)" in printed
    assert "3 of 4 batches differ" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["problems"]) == 1 and report["results"][1]["largest_difference"] == pytest.approx(0.02, rel=1e-3)


def test_the_same_work_check_fails_when_gradviz_jax_has_no_losses():
    bench = load_bench()
    results = [
        bench.Result("gradviz-jax", "bfloat16", note="failed: NotScanned: ..."),
        bench.Result("jax (by hand)", "bfloat16", losses=[[2.3]]),
    ]
    assert bench.check_same_work(results, tolerance=0.03) == [
        "bfloat16 gradviz-jax did not run, so nothing could be compared"
    ]


def test_the_table_gives_compile_time_apart_and_gradviz_jax_over_each_contender():
    bench = load_bench()
    results = [
        bench.Result(
            "gradviz-jax",
            "bfloat16",
            samples_per_s=2000.0,
            ms_per_step=4.0,
            tflops=1.5,
            first_epoch_s=3.5,
            compile_s=3.0,
        ),  # fmt: skip
        bench.Result(
            "jax (by hand)",
            "bfloat16",
            samples_per_s=1000.0,
            ms_per_step=8.0,
            tflops=0.75,
            first_epoch_s=2.0,
            compile_s=1.25,
        ),  # fmt: skip
        bench.Result("pytorch+compile (cuda)", "bfloat16", note="skipped: BackendCompilerFailed: no C compiler"),
    ]
    lines = bench.table(results).splitlines()
    assert "1st epoch s | compile s" in lines[0]
    assert lines[3] == "| bfloat16 | jax (by hand) | 1,000 | 8.00 | 0.75 | 2.00 | 1.25 | 2.00× |"
    assert (
        lines[4]
        == "| bfloat16 | pytorch+compile (cuda) | — | — | — | — | — | skipped: BackendCompilerFailed: no C compiler |"
    )


def test_measure_splits_the_first_epoch_from_the_timed_ones():
    bench = load_bench()
    workload = bench.Workload(hidden=8, batch=10, batches=5, epochs=2)
    run = bench.Run(losses=[[1.0] * 5] * 3, start=100.0, ends=[104.0, 105.0, 106.0], path="test")
    result = bench.measure(bench.Result("jax (by hand)", "float32"), workload, lambda: run)
    assert (result.first_epoch_s, result.compile_s, result.epoch_s) == (4.0, 3.0, [1.0, 1.0])
    assert result.samples_per_s == 50.0 and result.ms_per_step == 200.0


def test_a_failing_optional_contender_is_skipped_not_failed():
    bench = load_bench()

    def broken():
        raise RuntimeError("torch.compile is not supported here\nmore text")

    result = bench.measure(bench.Result("pytorch+compile (cpu)", "float32"), bench.QUICK, broken, optional=True)
    assert result.skipped and result.samples_per_s is None
    assert result.note == "skipped: RuntimeError: torch.compile is not supported here"


def test_gradviz_jax_is_timed_on_the_scanned_epoch_and_its_losses_are_the_scans():
    pytest.importorskip("jax")
    bench = load_bench()
    workload, weights, X, y = tiny_setup(bench)
    run = bench.run_gradviz(workload, weights, X, y, "float32")
    assert run.path == "scanned epoch: 2 lax.scan calls of 4 batches (data resident on the device), 0 single steps"
    assert len(run.losses) == 2 and all(len(epoch) == 4 for epoch in run.losses)
    assert len(run.ends) == 2
    # the scan's losses are the per-batch losses of the hand-written JAX run from the same weights
    by_hand = bench.run_jax(workload, weights, X, y, "float32", tf32=True)
    np.testing.assert_allclose(run.losses, by_hand.losses, rtol=1e-5)


def test_gradviz_jax_run_batch_by_batch_is_refused():
    pytest.importorskip("jax")
    from gradviz.callbacks import Callback

    bench = load_bench()
    workload, weights, X, y = tiny_setup(bench)

    class EveryBatch(Callback):  # a per-batch hook: fit then runs the batches one by one, not as one scan
        def on_train_batch_end(self, batch, logs=None):
            pass

    with pytest.raises(bench.NotScanned, match="the timed path must be one lax.scan over the epoch's 4 batches"):
        bench.run_gradviz(workload, weights, X, y, "float32", callbacks=[EveryBatch()])


def test_the_probe_refuses_an_epoch_split_into_several_scans():
    bench = load_bench()

    class History:
        history = {"loss": [2.0, 2.0]}

    probe = bench.ScannedEpochProbe()
    probe.scanned = [(True, np.array([2.0, 2.0])), (True, np.array([2.0, 2.0])), (True, np.array([2.0] * 4))]
    probe.marks = [(2, 0), (3, 0)]
    with pytest.raises(bench.NotScanned, match=r"epoch 0: its batches ran as 2 scans of \[2, 2\] batches"):
        probe.epochs(bench.Workload(**TINY), History())
    probe.scanned, probe.marks = [(True, np.array([2.0] * 4))] * 2, [(1, 0), (2, 0)]
    assert probe.epochs(bench.Workload(**TINY), History()) == [[2.0] * 4] * 2


@pytest.mark.slow
def test_the_quick_run_checks_the_scanned_losses_and_keeps_every_figure(tmp_path: Path):
    pytest.importorskip("jax")
    pytest.importorskip("torch")
    out = tmp_path / "bench.json"
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPT.parents[2]), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["problems"] == []
    assert {"jax", "numpy", "gradviz", "python", "torch"} <= set(report["versions"])
    contenders = [(r["dtype"], r["contender"]) for r in report["results"]]
    names = ["gradviz-jax", "jax (by hand)", "pytorch (cpu)", "pytorch+compile (cpu)"]
    assert contenders == [(d, n) for d in ("bfloat16", "float32") for n in names]
    timed = [r for r in report["results"] if not r["skipped"]]
    assert len(timed) == 6
    for r in timed:
        assert r["samples_per_s"] > 0 and r["compile_s"] >= 0 and r["first_epoch_s"] > 0
        assert len(r["epoch_s"]) == 2 and [len(e) for e in r["losses"]] == [8, 8, 8]
    gradviz = [r for r in timed if r["contender"] == "gradviz-jax"]
    assert all(r["path"].startswith("scanned epoch: 3 lax.scan calls of 8 batches") for r in gradviz)
    skipped = [r for r in report["results"] if r["skipped"]]
    assert all("--torch-compile runs it" in r["note"] for r in skipped)
    assert "same-work check: all first-epoch losses of every contender agree with gradviz-jax's" in done.stdout
    assert "| 1st epoch s | compile s |" in done.stdout
    assert done.stdout.startswith("# gradviz GPU benchmark") and "versions: python" in done.stdout


@pytest.mark.slow
def test_the_torch_compile_contender_does_the_same_work_on_the_cpu():
    pytest.importorskip("jax")
    torch = pytest.importorskip("torch")
    if not hasattr(torch, "compile"):
        pytest.skip("this PyTorch has no torch.compile")
    bench = load_bench()
    workload, weights, X, y = tiny_setup(bench)
    eager = bench.run_torch(workload, weights, X, y, "float32", "cpu")
    try:
        compiled = bench.run_torch(workload, weights, X, y, "float32", "cpu", compiled=True)
    except Exception as error:  # no C++ compiler here: the benchmark would skip it the same way
        pytest.skip(f"torch.compile cannot build on this machine: {bench._first_line(error)}")
    assert compiled.path.startswith("torch.compile'd forward and loss")
    np.testing.assert_allclose(compiled.losses, eager.losses, rtol=1e-4)
