"""benchmarks/gpu/bench_gpu.py: runs end to end on the CPU with --quick, and its same-work check catches a mismatch."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gpu" / "bench_gpu.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_gpu", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_the_same_work_check_flags_a_contender_whose_losses_differ():
    bench = load_bench()
    results = [
        bench.Result("gradviz-jax", "float32", losses=[2.30, 2.20]),
        bench.Result("jax (by hand)", "float32", losses=[2.30, 2.2001]),
        bench.Result("pytorch (cuda)", "float32", losses=[2.30, 2.40]),
    ]
    problems = bench.check_same_work(results, tolerance=0.005)
    assert len(problems) == 1
    assert "pytorch (cuda)" in problems[0] and "second loss (after one Adam step)" in problems[0]


def test_the_table_gives_gradviz_jax_over_each_contender():
    bench = load_bench()
    results = [
        bench.Result("gradviz-jax", "bfloat16", samples_per_s=2000.0, ms_per_step=4.0),
        bench.Result("jax (by hand)", "bfloat16", samples_per_s=1000.0, ms_per_step=8.0),
        bench.Result("pytorch (cuda)", "bfloat16", note="failed: RuntimeError: no CUDA"),
    ]
    lines = bench.table(results).splitlines()
    assert lines[3] == "| bfloat16 | jax (by hand) | 1,000 | 8.00 | 2.00× |"
    assert lines[4] == "| bfloat16 | pytorch (cuda) | — | — | failed: RuntimeError: no CUDA |"


@pytest.mark.slow
def test_the_quick_run_times_all_three_contenders_on_the_cpu_and_they_do_the_same_work(tmp_path: Path):
    pytest.importorskip("jax")
    pytest.importorskip("torch")
    out = tmp_path / "bench.json"
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--dtypes", "float32", "--json", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["problems"] == []
    assert [r["contender"] for r in report["results"]] == ["gradviz-jax", "jax (by hand)", "pytorch (cpu)"]
    assert all(r["samples_per_s"] > 0 and len(r["losses"]) == 2 for r in report["results"])
    assert "same-work check: every contender's first two losses agree" in done.stdout
    assert "| float32 | pytorch (cpu) |" in done.stdout
