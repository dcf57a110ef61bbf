"""The README shows, not tells: every Python block in it runs, and its pictures are what the script makes now."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def python_blocks() -> list[tuple[int, str]]:
    """Each ```python block of the README with the line it starts on."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.M | re.S):
        blocks.append((text[: match.start()].count("\n") + 1, match.group(1)))
    return blocks


BLOCKS = python_blocks()


def test_the_readme_has_python_blocks_to_run():
    assert len(BLOCKS) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("line, code", BLOCKS, ids=[f"line-{line}" for line, _ in BLOCKS])
def test_every_python_block_in_the_readme_runs(line, code, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    script = tmp_path / f"readme_line_{line}.py"
    script.write_text(code, encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            runpy.run_path(str(script), run_name="__main__")
        except Exception as error:  # name the block, so a stale README is easy to fix
            raise AssertionError(f"README.md's python block at line {line} fails: {error!r}") from error
    # a comment of the form `print(...)   # expected output` is checked against what was printed
    for statement, expected in re.findall(r"^(print\(.*?\))\s+#\s*([-\d. ]+)$", code, flags=re.M):
        assert expected.strip() in printed.getvalue(), f"README line {line}: {statement} did not print {expected}"


def test_the_worked_example_block_prints_the_course_gradients():
    code = next(code for _, code in BLOCKS if "Value(-2.0" in code and "backward_steps" in code)
    assert "print(x.grad, y.grad, z.grad)     # -4.0 -4.0 3.0" in code


@pytest.mark.slow
def test_the_readme_pictures_equal_what_the_script_makes_now(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    make_images = runpy.run_path(str(ROOT / "docs" / "make_images.py"))
    make_images["main"](["--out", str(tmp_path)])
    committed = sorted((ROOT / "docs" / "img").glob("*.png"))
    made = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in made] == [p.name for p in committed], "docs/img/ and the script's pictures differ in names"
    different = []
    for fresh in made:
        old = ROOT / "docs" / "img" / fresh.name
        a = np.asarray(Image.open(fresh).convert("RGB"))
        b = np.asarray(Image.open(old).convert("RGB"))
        if a.shape != b.shape:
            different.append(f"{fresh.name}: size {b.shape[1]}×{b.shape[0]} committed, {a.shape[1]}×{a.shape[0]} now")
        elif (a != b).any():
            share = (a != b).any(axis=2).mean()
            different.append(f"{fresh.name}: {share:.2%} of the pixels differ")
    assert not different, "run `python docs/make_images.py` and commit docs/img/: " + "; ".join(different)


def test_every_picture_the_readme_shows_is_committed():
    shown = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text(encoding="utf-8"))
    assert shown
    missing = [path for path in shown if not (ROOT / path).is_file()]
    assert not missing, f"README.md shows pictures that are not committed: {missing}"


def test_every_notebook_and_example_the_readme_links_exists():
    links = re.findall(r"\]\(((?:notebooks|examples|docs|benchmarks)/[^)#]+)\)", README.read_text(encoding="utf-8"))
    missing = [path for path in links if not (ROOT / path).exists()]
    assert not missing, f"README.md links to files that do not exist: {missing}"
