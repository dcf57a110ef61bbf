"""examples/: every script runs headless into a temporary folder, exits 0 and writes the files it names."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_example(name: str, *args: str, cwd: Path, prelude: str = "") -> subprocess.CompletedProcess:
    """Run examples/NAME.py in a fresh interpreter (headless: MPLBACKEND=Agg); `prelude` runs first (to hide a package)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    script = str(EXAMPLES / f"{name}.py")
    if prelude:
        code = f"import runpy, sys\n{prelude}\nsys.argv = {[script, *args]!r}\nrunpy.run_path({script!r}, run_name='__main__')"
        command = [sys.executable, "-c", code]
    else:
        command = [sys.executable, script, *args]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, f"{name} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def written(stdout: str, cwd: Path) -> list[Path]:
    """The paths on the script's 'wrote PATH' lines, each checked to exist."""
    paths = [cwd / Path(m) for m in re.findall(r"^wrote (\S+)", stdout, flags=re.MULTILINE)]
    missing = [str(p) for p in paths if not p.exists()]
    assert not missing, f"the script says it wrote {missing}, which do not exist"
    return paths


def check_worked_example(out: Path, stdout: str) -> None:
    svgs = sorted(out.glob("step-*.svg"))
    assert [p.name for p in svgs] == [f"step-{i:03d}.svg" for i in range(7)]
    for svg in svgs:
        assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    final = svgs[-1].read_text(encoding="utf-8")
    for label in (">x<", ">y<", ">z<", ">q<", ">f<", "−12", "−4"):
        assert label in final, f"the final frame lacks {label}"
    assert "df/dx = -4.0  df/dy = -4.0  df/dz = 3.0" in stdout


def check_any_expression(out: Path, stdout: str) -> None:
    svg = (out / "graph.svg").read_text(encoding="utf-8")
    for label in (">w<", ">x<", ">b<", ">out<", "tanh", "∂out/∂w"):
        assert label in svg, f"graph.svg lacks {label}"
    # out = tanh(0.5·2 − 0.5) = tanh(0.5); ∂out/∂b = 1 − tanh²(0.5); ∂out/∂w = that · x = 2 · that
    slope = 1 - math.tanh(0.5) ** 2
    assert f"out = {math.tanh(0.5):.6g}" in stdout
    assert f"dout/dw = {2 * slope:.6g}" in stdout and f"dout/db = {slope:.6g}" in stdout


def check_export_formats(out: Path, stdout: str) -> None:
    assert (out / "walkthrough.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert (out / "walkthrough.gif").read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    assert (out / "walkthrough.pdf").read_bytes()[:5] == b"%PDF-"
    assert "\\begin{frame}" in (out / "walkthrough.tex").read_text(encoding="utf-8")
    assert len(list((out / "frames").glob("step-*.svg"))) == 7
    pptx = out / "walkthrough.pptx"
    if "skipped walkthrough.pptx" in stdout:
        assert not pptx.exists()
    else:
        slides = [n for n in zipfile.ZipFile(pptx).namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        assert len(slides) == 7


def check_mlp_chain_rule(out: Path, stdout: str) -> None:
    svg = (out / "paths.svg").read_text(encoding="utf-8")
    assert "W1[1,0]" in svg and "∂L/∂W1[1,0]" in svg
    assert (out / "paths.png").read_bytes()[:8] == PNG_MAGIC
    assert "sum of the paths agrees with backward: True" in stdout


def check_keras_iris(out: Path, stdout: str) -> None:
    accuracy = float(re.search(r"test accuracy (\S+)", stdout).group(1))
    assert accuracy >= 0.9
    png = out / "history.png"
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 10_000


def check_optimizer_race(out: Path, stdout: str) -> None:
    rows = re.findall(r"^(\w+)\s+\d+\s+\S+\s+\S+\s+(\S+)$", stdout, flags=re.MULTILINE)
    assert {name for name, _ in rows} == {"SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam"}
    losses = [float(loss) for _, loss in rows]
    assert losses == sorted(losses), "the table is sorted by final loss, best first"
    png = out / "race.png"
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 10_000


def check_jax_backend(out: Path, stdout: str) -> None:
    accuracies = dict(re.findall(r"(numpy|jax) backend: test accuracy (\S+)", stdout))
    assert set(accuracies) == {"numpy", "jax"} and all(float(a) >= 0.9 for a in accuracies.values())
    loaded = re.search(r"loaded into a fresh numpy model: test accuracy (\S+) \(same outputs: True\)", stdout)
    assert loaded and loaded.group(1) == accuracies["jax"]
    assert (out / "jax-weights.npz").read_bytes()[:2] == b"PK"
    frames = sorted((out / "backward").glob("step-*.svg"))
    assert len(frames) >= 5 and "∂loss/∂" in frames[-1].read_text(encoding="utf-8")
    svg = (out / "jaxpr.svg").read_text(encoding="utf-8")
    assert ">sequential/dense<" in svg and ">sequential/dense_1<" in svg, "one box per layer"


def check_large_run(out: Path, stdout: str) -> None:
    if stdout.startswith("skipped"):
        return
    codes = re.search(r"first run: the processes exited with \[(.+)\]", stdout).group(1).split(", ")
    assert codes[-1] == "3" and codes[0] != "0", "the last process crashed, the others stopped"
    assert "process 1 stopped" in stdout and "resume_from=" in stdout
    gap = float(re.search(r"largest weight difference (\S+)", stdout).group(1))
    assert gap < 1e-10, "the resumed run ends as the uninterrupted one"
    assert (out / "run.keras").read_bytes()[:2] == b"PK"


CHECKS = {
    "worked_example": check_worked_example,
    "any_expression": check_any_expression,
    "export_formats": check_export_formats,
    "mlp_chain_rule": check_mlp_chain_rule,
    "keras_iris": check_keras_iris,
    "optimizer_race": check_optimizer_race,
    "jax_backend": check_jax_backend,
    "large_run": check_large_run,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_runs_headless_and_writes_the_files_it_names(name: str, tmp_path: Path) -> None:
    out = tmp_path / name
    result = run_example(name, "--out", str(out), cwd=tmp_path)
    files = written(result.stdout, tmp_path)
    assert files, f"{name} printed no 'wrote' line:\n{result.stdout}"
    assert all(f.resolve().is_relative_to(out.resolve()) for f in files), "it writes only under --out"
    for path in files:
        size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
        assert size > 500, f"{path} is almost empty"
    CHECKS[name](out, result.stdout)


def test_every_script_in_examples_is_tested_and_listed_in_its_readme() -> None:
    scripts = {p.stem for p in EXAMPLES.glob("*.py")}
    assert scripts == set(CHECKS)
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(scripts) if f"`{name}.py`" not in readme] == []


def test_any_expression_parses_a_formula_given_on_the_command_line(tmp_path: Path) -> None:
    result = run_example(
        "any_expression", "--expr", "x**2 + sin(x*y)", "--set", "x=1", "y=2", "--out", "e", cwd=tmp_path
    )
    # f = 1 + sin 2; ∂f/∂x = 2x + y·cos(xy); ∂f/∂y = x·cos(xy)
    assert "f = 1.9093" in result.stdout and "df/dx = 1.16771" in result.stdout and "df/dy = -0.416147" in result.stdout
    assert ">f<" in (tmp_path / "e" / "graph.svg").read_text(encoding="utf-8")


def test_without_out_an_example_writes_into_a_folder_of_the_current_directory(tmp_path: Path) -> None:
    run_example("worked_example", cwd=tmp_path)
    assert len(list((tmp_path / "examples-out" / "worked_example").glob("step-*.svg"))) == 7


def test_export_formats_skips_the_slides_with_a_note_when_python_pptx_is_missing(tmp_path: Path) -> None:
    result = run_example("export_formats", "--out", "x", cwd=tmp_path, prelude="sys.modules['pptx'] = None")
    assert "skipped walkthrough.pptx: python-pptx is not installed" in result.stdout
    assert not (tmp_path / "x" / "walkthrough.pptx").exists() and (tmp_path / "x" / "walkthrough.tex").exists()


@pytest.mark.parametrize("name, args", [("keras_iris", ["--epochs", "2"]), ("optimizer_race", ["--steps", "5"])])
def test_plotting_examples_skip_the_png_with_a_note_when_matplotlib_is_missing(name, args, tmp_path: Path) -> None:
    result = run_example(name, *args, "--out", "o", cwd=tmp_path, prelude="sys.modules['matplotlib'] = None")
    assert "matplotlib is not installed" in result.stdout
    assert list((tmp_path / "o").iterdir()) == []


def test_jax_backend_skips_with_a_note_when_jax_is_missing(tmp_path: Path) -> None:
    result = run_example("jax_backend", "--out", "j", cwd=tmp_path, prelude="sys.modules['jax'] = None")
    assert "skipped: JAX is not installed" in result.stdout
    assert not (tmp_path / "j").exists()
