"""notebooks/: the course in English and Spanish, written from one source per chapter, each notebook executed top
to bottom on a real kernel and checked on what it prints (tests/notebook_checks/chNN.py).

The stored notebooks carry no outputs, are what notebooks/make_notebooks.py writes from notebooks/source/, and
notebooks/README.md lists every one of them.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from pathlib import Path

import pytest
from jupyter_support import MISSING_KERNEL, execute_notebook, jupyter_environment
from notebook_checks import NUMBER, printed

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LANGUAGES = ("en", "es")
CHAPTERS = sorted(path.stem for path in (NOTEBOOKS / "source").glob("[0-9][0-9]_*.md"))
COURSE = [NOTEBOOKS / language / f"{name}.ipynb" for language in LANGUAGES for name in CHAPTERS]
OPENING = {  # each notebook's first cell: its numbered title, then what the student will see and the chapter
    "en": ("**What you will see:**", "Course chapter:"),
    "es": ("**Lo que verás:**", "Capítulo del curso:"),
}


def make_notebooks():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        return importlib.import_module("make_notebooks")
    finally:
        sys.path.remove(str(NOTEBOOKS))


def stored(path: Path) -> dict:
    """The notebook file as JSON, with no Jupyter package needed."""
    return json.loads(path.read_text(encoding="utf-8"))


def run(language: str, name: str, tmp_path: Path, env: dict[str, str] | None = None):
    """Execute notebooks/LANGUAGE/NAME.ipynb in tmp_path (its files land there, never in the repository); `env`
    adds variables for the kernel. Each cell may take up to 3 minutes on a loaded machine."""
    return execute_notebook(
        NOTEBOOKS / language / f"{name}.ipynb",
        tmp_path,
        timeout=180,
        env={**jupyter_environment(tmp_path / "jupyter"), **(env or {})},
    )


def check_of(name: str):
    return importlib.import_module(f"notebook_checks.ch{name[:2]}").check


# -- the sources and the stored files -------------------------------------------------------------------------


def test_the_notebooks_are_what_their_sources_make_in_both_languages():
    stale = make_notebooks().stale()
    assert stale == [], "stale notebooks; run: python notebooks/make_notebooks.py"


def test_the_course_is_numbered_chapters_each_in_both_languages_with_a_check():
    assert [name[:2] for name in CHAPTERS] == [f"{k:02d}" for k in range(1, len(CHAPTERS) + 1)]
    for name in CHAPTERS:
        assert callable(check_of(name)), f"tests/notebook_checks/ch{name[:2]}.py has no check()"
        for language in LANGUAGES:
            assert (NOTEBOOKS / language / f"{name}.ipynb").exists()


def test_code_cells_are_the_same_in_both_languages_but_the_language_switch():
    switch = make_notebooks()._SWITCH
    for name in CHAPTERS:
        code = {}
        for language in LANGUAGES:
            cells = stored(NOTEBOOKS / language / f"{name}.ipynb")["cells"]
            sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
            assert sources[0].startswith(switch[language]), f"{language}/{name}: no language switch first"
            code[language] = [sources[0].removeprefix(switch[language]), *sources[1:]]
        assert code["en"] == code["es"], name


def test_a_malformed_source_is_refused_with_its_line_and_the_fix(tmp_path):
    module = make_notebooks()
    path = tmp_path / "01_x.md"
    path.write_text("%% markdown\n%% en\nHello\n%% code\nx = 1\n", encoding="utf-8")
    with pytest.raises(module.SourceError, match=r"01_x.md:1: the markdown cell has no es text"):
        module.parse(path)
    path.write_text("%% code\n%% en\n", encoding="utf-8")
    with pytest.raises(module.SourceError, match="belongs inside a '%% markdown' cell"):
        module.parse(path)


@pytest.mark.parametrize("path", COURSE, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_stored_notebook_has_no_outputs_and_no_execution_counts(path):
    notebook = stored(path)
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} cell {index} was saved with outputs"
            assert cell["execution_count"] is None, f"{path.name} cell {index} was saved with an execution count"
        assert "execution" not in cell.get("metadata", {}), f"{path.name} cell {index} keeps execution timings"
    assert "widgets" not in notebook["metadata"], f"{path.name} was saved with widget state"


@pytest.mark.parametrize("path", COURSE, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_notebook_opens_with_its_title_and_course_chapter(path):
    cells = stored(path)["cells"]
    first = "".join(cells[0]["source"])
    see, chapter = OPENING[path.parent.name]
    assert cells[0]["cell_type"] == "markdown"
    assert first.startswith(f"# {path.name[:2]} · "), f"{path.name} does not open with its numbered title"
    assert see in first and chapter in first
    assert 8 <= len(cells) <= 20, f"{path.name} has {len(cells)} cells; a lesson stays short (8–20)"


# words that give away the other language in prose (code, formulas and names aside)
ENGLISH_WORDS = frozenset(
    "the and of with what you will see is are this that which each every from into then when where first "
    "learning rate gradient chain rule loss weight weights network layer layers train training step".split()
)
SPANISH_WORDS = frozenset(
    "el la los las del con que una uno por para cada cuando donde como es son esta este gradiente regla "
    "cadena pérdida peso pesos red capa capas entrenamiento paso tasa aprendizaje función coste".split()
)
_CODE = re.compile(r"`[^`]*`|\$[^$]*\$|\[([^\]]*)\]\([^)]*\)|https?://\S+")


def prose_words(text: str) -> set[str]:
    """The lower-case words of a markdown cell's prose: inline code, formulas and link targets left out."""
    text = _CODE.sub(lambda found: found.group(1) or " ", text)
    return set(re.findall(r"[^\W\d_]+", text.lower()))


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_english_prose_in_a_spanish_notebook_and_no_spanish_in_an_english_one(name):
    for language, foreign in (("es", ENGLISH_WORDS), ("en", SPANISH_WORDS)):
        for index, cell in enumerate(stored(NOTEBOOKS / language / f"{name}.ipynb")["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            found = sorted(prose_words("".join(cell["source"])) & foreign)
            assert not found, f"{language}/{name}.ipynb cell {index} has {found} in its prose"


def test_readme_lists_every_notebook_in_both_languages_and_no_other():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[`(\d\d_\w+)`\]\(en/\1\.ipynb\) · \[es\]\(es/\1\.ipynb\) \| .+ \|$", readme, re.M)
    assert listed == CHAPTERS


def test_notebooks_link_only_to_readme_sections_that_exist():
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", readme, flags=re.MULTILINE)
    }
    for path in COURSE:
        first = "".join(stored(path)["cells"][0]["source"])
        for anchor in re.findall(r"\]\(\.\./\.\./README\.md#([\w-]+)\)", first):
            assert anchor in anchors, f"{path.name} links to README.md#{anchor}, which is not a heading there"


# -- executed on a real kernel ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(MISSING_KERNEL is not None, reason=MISSING_KERNEL or "")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CHAPTERS)
def test_notebook_runs_top_to_bottom_and_shows_its_lesson(name, language, tmp_path):
    if name.endswith("_large_runs"):
        pytest.importorskip("jax", reason="the large-runs notebook's JAX path needs jax; its skip path is tested below")
    notebook = run(language, name, tmp_path)
    check_of(name)(notebook, printed(notebook), tmp_path, language)


@pytest.mark.slow
@pytest.mark.skipif(MISSING_KERNEL is not None, reason=MISSING_KERNEL or "")
def test_large_runs_notebook_without_jax_says_so_and_skips_its_jax_cells(tmp_path):
    hidden = tmp_path / "no-jax" / "jax"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("jax is hidden for this test")\n', encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(hidden.parent), os.environ.get("PYTHONPATH")]))
    name = next(name for name in CHAPTERS if name.endswith("_large_runs"))
    notebook = run("en", name, tmp_path, env={"PYTHONPATH": path})
    text = printed(notebook)
    assert (
        'JAX is not installed, so the JAX cells below are skipped. Install it with: pip install "gradviz[jax]"' in text
    )
    assert text.count("skipped: needs JAX") == 3
    assert re.search(r"numpy:\s+" + NUMBER + r" s for 5 epochs; test accuracy 0\.9", text)
    assert "jax:" not in text
