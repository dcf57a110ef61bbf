"""gradviz.export: HTML player, GIF, PDF, PowerPoint, LaTeX/Beamer and frames folder, read back with their own tools."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gradviz import Value, trace
from gradviz.cli import EXIT_USAGE, main
from gradviz.export import ExportResult, MissingDependency, OptionError, export, format_of
from gradviz.export.latex import latex_escape, latex_math
from gradviz.export.pptx import slide_title
from gradviz.viz import RendererNotFound, find_renderer, frames

PIL = pytest.importorskip("PIL", reason="the GIF and raster PDF tests need Pillow (the slides/test extras)")
from PIL import Image, ImageSequence  # noqa: E402


def system_dot() -> bool:
    try:
        return find_renderer("pdf", engine="dot").name == "dot"
    except RendererNotFound:
        return False


needs_dot = pytest.mark.skipif(not system_dot(), reason="vector PDF needs the system Graphviz `dot`")


def worked_example(x=-2.0, y=5.0, z=-4.0, label_q="q"):
    """f = (x + y)·z recorded: 7 frames (the graph, 2 forward, 3 backward, the result)."""
    x, y, z = Value(x, label="x"), Value(y, label="y"), Value(z, label="z")
    with trace() as recorded:
        q = x + y
        q.label = label_q
        f = q * z
        f.label = "f"
        f.backward()
    return recorded


@pytest.fixture(scope="module")
def walkthrough():
    return worked_example()


@pytest.fixture(scope="module")
def two_hundred_frames():
    """200 distinct, cheap frames: 29 worked examples with different numbers, one after the other."""
    made = []
    for k in range(29):
        made += frames(worked_example(x=-2.0 - k, y=5.0 + k, z=-4.0))
    return made[:200]


CHEAP = {"engine": "graphviz-pure", "dpi": 24}  # tiny pictures: the 200-frame tests check the files, not the looks


# -- choosing the format and the frames ------------------------------------------------------------


def test_the_format_comes_from_the_extension_or_the_format_argument():
    assert [format_of(f"a{ext}") for ext in (".html", ".htm", ".gif", ".pdf", ".pptx", ".tex")] == [
        "html",
        "html",
        "gif",
        "pdf",
        "pptx",
        "tex",
    ]
    assert format_of("lesson") == "svg"
    assert format_of("lesson", "png") == "png"
    assert format_of("deck.tex", "beamer") == "tex"


def test_an_unknown_extension_names_the_formats_gradviz_writes(walkthrough, tmp_path):
    with pytest.raises(ValueError, match=r"\.docx.*\.html.*\.gif.*\.pdf.*\.pptx.*\.tex"):
        export(walkthrough, tmp_path / "lesson.docx")
    with pytest.raises(ValueError, match="not an export format"):
        export(walkthrough, tmp_path / "lesson", format="mp4")


def test_steps_and_mode_choose_the_frames(walkthrough, tmp_path):
    assert export(walkthrough, tmp_path / "forward", mode="forward").frames == 3
    assert export(walkthrough, tmp_path / "backward", mode="backward").frames == 4
    picked = export(walkthrough, tmp_path / "picked", steps=[0, -1])
    assert picked.frames == 2
    assert export(walkthrough, tmp_path / "sliced", steps=slice(1, 3)).frames == 2
    from_list = export(frames(walkthrough), tmp_path / "from-list", mode="backward")
    assert from_list.frames == 4


def test_a_step_that_does_not_exist_names_the_range(walkthrough, tmp_path):
    with pytest.raises(IndexError, match="no step 7; this walkthrough has 7 steps, 0 to 6"):
        export(walkthrough, tmp_path / "out", steps=[7])


def test_bad_options_are_refused_before_any_drawing(walkthrough, tmp_path):
    with pytest.raises(ValueError, match="theme"):
        export(walkthrough, tmp_path / "a.gif", theme="neon")
    with pytest.raises(ValueError, match="size is"):
        export(walkthrough, tmp_path / "a.gif", size=(10, "x"))
    with pytest.raises(TypeError, match="list holds a"):
        export([1, 2], tmp_path / "a.gif")
    assert not list(tmp_path.iterdir())


def test_importing_the_export_module_imports_no_optional_package():
    code = (
        "import sys, gradviz.export, gradviz.cli\n"
        "heavy = [m for m in ('PIL', 'pptx', 'pypdf', 'matplotlib') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- HTML ------------------------------------------------------------------------------------------


def test_html_is_one_self_contained_page_with_every_frame(walkthrough, tmp_path):
    result = export(walkthrough, tmp_path / "walkthrough.html", title="f = (x + y)·z")
    page = result.path.read_text(encoding="utf-8")
    assert result.format == "html" and result.files == [result.path]
    assert page.count('<figure class="frame') == 7
    assert page.count("<svg") == 7
    assert "f = (x + y)·z" in page and "step 1 / 7" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_a_label_with_a_script_tag_is_shown_as_text_in_the_html(tmp_path):
    recorded = worked_example(label_q="<script>alert(1)</script>")
    page = export(recorded, tmp_path / "x.html", title="<script>alert(2)</script>").path.read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert len(re.findall(r"<script\b", page)) == 2  # the player's JSON data and its code, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the label in the captions and the SVG text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_the_dark_theme_marks_the_html_page_dark(walkthrough, tmp_path):
    page = export(walkthrough, tmp_path / "d.html", theme="dark").path.read_text(encoding="utf-8")
    assert '<html lang="en" class="dark">' in page


# -- GIF -------------------------------------------------------------------------------------------


def gif_frames(path: Path) -> tuple[int, list[int], tuple[int, int]]:
    with Image.open(path) as image:
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
        return image.n_frames, durations, image.size


def test_a_gif_has_one_frame_per_step_and_holds_the_last(walkthrough, tmp_path):
    result = export(walkthrough, tmp_path / "w.gif", duration_ms=800, last_ms=3000)
    count, durations, _ = gif_frames(result.path)
    assert count == result.frames == 7
    assert durations == [800] * 6 + [3000]


def test_the_gif_last_frame_is_held_three_times_as_long_by_default(walkthrough, tmp_path):
    _, durations, _ = gif_frames(export(walkthrough, tmp_path / "w.gif", duration_ms=500).path)
    assert durations[-1] == 1500 and durations[0] == 500


def test_a_gif_is_drawn_on_the_chosen_canvas_size(walkthrough, tmp_path):
    _, _, size = gif_frames(export(walkthrough, tmp_path / "w.gif", size=(320, 180), **CHEAP).path)
    assert size == (320, 180)


def test_a_one_frame_gif(walkthrough, tmp_path):
    count, durations, _ = gif_frames(export(walkthrough, tmp_path / "one.gif", steps=[-1], last_ms=2000).path)
    assert count == 1 and durations == [2000]


# -- PDF -------------------------------------------------------------------------------------------


@needs_dot
def test_a_vector_pdf_has_one_16_9_page_per_step_with_its_title_caption_and_equation_as_text(walkthrough, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    result = export(walkthrough, tmp_path / "w.pdf")
    assert result.vector and "vector" in result.message
    reader = pypdf.PdfReader(result.path)
    assert len(reader.pages) == 7
    text = " ".join(reader.pages[4].extract_text().split())
    assert "Step 5 of 7" in text and "Backward step 1 of 2" in text and "upstream gradient" in text
    assert "∂f/∂q = ∂f/∂f · ∂f/∂q = 1 · (−4) = −4" in text  # the equation is on the page, not only the caption
    assert {(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages} == {(960.0, 540.0)}


@needs_dot
def test_a_pdf_in_4_3_has_4_3_pages(walkthrough, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(export(walkthrough, tmp_path / "square.pdf", aspect="4:3").path)
    assert {(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages} == {(720.0, 540.0)}


def test_an_unknown_aspect_is_refused_naming_the_shapes(walkthrough, tmp_path):
    with pytest.raises(OptionError, match="16:9.*4:3"):
        export(walkthrough, tmp_path / "w.pdf", aspect="21:9")


@needs_dot
def test_a_pdf_without_captions_carries_only_the_diagram_text(walkthrough, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    result = export(walkthrough, tmp_path / "bare.pdf", captions=False)
    text = pypdf.PdfReader(result.path).pages[4].extract_text()
    assert "Backward step 1 of 2" not in text and "value" in text


def test_without_the_system_dot_the_pdf_is_raster_and_says_so(walkthrough, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    result = export(walkthrough, tmp_path / "r.pdf", engine="graphviz-pure", dpi=72)
    assert not result.vector
    assert "raster pages at 72 dpi" in result.message and "dot" in result.message
    assert len(pypdf.PdfReader(result.path).pages) == 7


def test_insisting_on_a_vector_pdf_without_dot_says_how_to_get_it(walkthrough, tmp_path):
    with pytest.raises(RendererNotFound, match="install Graphviz"):
        export(walkthrough, tmp_path / "v.pdf", engine="graphviz-pure", vector=True)


@needs_dot
def test_without_pypdf_the_pdf_falls_back_to_raster_pages_and_says_why(walkthrough, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pypdf", None)
    result = export(walkthrough, tmp_path / "r.pdf", dpi=60)
    assert not result.vector and "pypdf is not installed" in result.message
    assert result.path.read_bytes()[:5] == b"%PDF-"


def test_without_pillow_a_gif_says_what_to_install(walkthrough, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(MissingDependency, match=r'pip install "gradviz\[slides\]"'):
        export(walkthrough, tmp_path / "w.gif")


def test_each_export_logs_one_line_saying_what_it_wrote(walkthrough, tmp_path, caplog):
    with caplog.at_level("INFO", logger="gradviz.export"):
        result = export(walkthrough, tmp_path / "w.pdf", engine="graphviz-pure", dpi=40)
    (record,) = caplog.records
    assert record.getMessage().startswith(result.message) and "raster" in record.getMessage()


# -- PowerPoint ------------------------------------------------------------------------------------


def test_a_pptx_has_one_slide_per_step_with_title_picture_equation_and_notes(walkthrough, tmp_path):
    pptx = pytest.importorskip("pptx")
    steps = frames(walkthrough)
    result = export(walkthrough, tmp_path / "w.pptx", dpi=72)
    deck = pptx.Presentation(str(result.path))
    slides = list(deck.slides)
    assert len(slides) == 7
    assert [slide.shapes.title.text for slide in slides][:2] == ["Step 1 of 7 · the graph", "Step 2 of 7 · forward"]
    for slide, frame in zip(slides, steps, strict=True):
        assert slide.notes_slide.notes_text_frame.text.startswith(frame.caption)
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert frame.equation in texts
        (picture,) = [shape for shape in slide.shapes if shape.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE]
        assert 0 <= picture.left and picture.left + picture.width <= deck.slide_width
        assert 0 <= picture.top and picture.top + picture.height <= deck.slide_height


def test_without_python_pptx_the_error_says_what_to_install(walkthrough, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)  # import pptx now raises ImportError
    with pytest.raises(MissingDependency, match=r'pip install "gradviz\[slides\]"'):
        export(walkthrough, tmp_path / "w.pptx")


# -- LaTeX / Beamer --------------------------------------------------------------------------------


# characters beyond ASCII that pdflatex surely typesets with utf8 inputenc and T1 fonts (Latin-1's letters and
# a few signs); any other must be declared in the preamble (\\DeclareUnicodeCharacter)
LATIN_1 = set(map(chr, range(0xC0, 0x100))) | set("¡¿«»°·")


def beamer_problems(tex: Path) -> list[str]:
    """What would stop pdflatex: unbalanced braces, a blank line inside braces (a paragraph ending an argument),
    unpaired \\begin/\\end, missing pictures, characters neither Latin-1 nor declared, control characters."""
    text = tex.read_text(encoding="utf-8")
    body = re.sub(r"(?<!\\)%.*", "", text)  # comments
    body = re.sub(r"\\[\\{}$&#^_%~]", "", body)  # escaped characters and \\ line breaks
    problems = []
    depth = 0
    for number, line in enumerate(body.split("\n"), start=1):
        if not line.strip() and depth > 0:
            problems.append(f"blank line {number} inside {{...}}")
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                problems.append("a } closes nothing")
                depth = 0
    declared = {chr(int(code, 16)) for code in re.findall(r"\\DeclareUnicodeCharacter\{([0-9A-F]+)\}", text)}
    unknown = {char for char in text if ord(char) > 0x7F and char not in LATIN_1 | declared}
    unknown |= {char for char in text if ord(char) < 0x20 and char != "\n" or ord(char) == 0x7F}
    if unknown:
        problems.append(f"characters pdflatex cannot typeset: {sorted(unknown)}")
    if depth:
        problems.append(f"{depth} {{ left open")
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", body):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            problems.append(f"\\end{{{name}}} does not close the last \\begin")
    problems += [f"\\begin{{{name}}} never ends" for name in stack]
    for picture in re.findall(r"\\includegraphics(?:\[[^\]]*\])?\{([^}]*)\}", body):
        if not (tex.parent / picture).is_file():
            problems.append(f"missing picture {picture}")
    return problems


def test_beamer_writes_a_well_formed_tex_and_its_pictures(walkthrough, tmp_path):
    result = export(walkthrough, tmp_path / "deck.tex")
    text = result.path.read_text(encoding="utf-8")
    assert beamer_problems(result.path) == []
    assert text.count("\\begin{frame}{Step") == 7
    assert r"\frac{\partial f}{\partial x}" in text
    pictures = sorted((tmp_path / "deck-frames").glob("step-*"))
    assert len(pictures) == 7 and len(result.files) == 8
    assert pictures[0].suffix == (".pdf" if system_dot() else ".png")


def test_latex_special_characters_in_captions_are_escaped(tmp_path):
    recorded = worked_example(label_q="a_1 $5 & #2 50% {b} ~c ^d \\e")
    tex = export(recorded, tmp_path / "s.tex", engine="graphviz-pure").path
    text = tex.read_text(encoding="utf-8")
    assert r"a\_1 \$5 \& \#2 50\% \{b\} \textasciitilde{}c \textasciicircum{}d \textbackslash{}e" in text
    assert beamer_problems(tex) == []


def test_greek_labels_are_declared_for_pdflatex(tmp_path):
    recorded = worked_example(label_q="Δ")
    text = export(recorded, tmp_path / "g.tex", engine="graphviz-pure", dpi=30).path.read_text(encoding="utf-8")
    assert r"\DeclareUnicodeCharacter{0394}{\ensuremath{\Delta}}" in text
    assert r"\DeclareUnicodeCharacter{2202}{\ensuremath{\partial}}" in text  # the ∂ of every caption


def test_the_tex_check_finds_what_pdflatex_would_reject(tmp_path):
    broken = tmp_path / "broken.tex"
    broken.write_text("\\begin{document}{\\includegraphics{gone.png}\\end{frame}\n", encoding="utf-8")
    problems = beamer_problems(broken)
    assert "1 { left open" in problems and "missing picture gone.png" in problems
    assert any("does not close" in p for p in problems)


HOSTILE_LABELS = [
    "two\n\nparagraphs",
    "emoji 😀",
    "50%",
    "A&B",
    "#1",
    "x_1",
    "{open",
    "back\\slash",
    "~t",
    "c^2",
    "L" * 500,
    "é ñ ά Ω ℓ 中 \u200b",
]


def hostile_walkthrough():
    """A product of values labelled with everything that once broke the deck; the output's label too."""
    values = [Value(float(k + 1), label=label) for k, label in enumerate(HOSTILE_LABELS)]
    with trace() as recorded:
        out = values[0]
        for value in values[1:]:
            out = out * value
        out.label = "the\n\noutput 🔥"
        out.backward()
    return recorded


def test_a_deck_of_hostile_labels_is_text_pdflatex_accepts(tmp_path):
    tex = export(hostile_walkthrough(), tmp_path / "hostile.tex", **CHEAP).path
    text = tex.read_text(encoding="utf-8")
    assert beamer_problems(tex) == []
    assert "[grinning face]" in text and "[fire]" in text and "[cjk unified ideograph-4e2d]" in text
    assert r"two paragraphs" in text and r"50\%" in text and r"A\&B" in text and r"\#1" in text
    assert r"x\_1" in text and r"\{open" in text and r"back\textbackslash{}slash" in text
    assert "L" * 500 not in text and "L" * 49 + "..." + "L" * 50 in text  # cut in the middle, in the caption
    assert r"\mathrm{\text{é} \text{ñ} \text{α} Ω \text{l} \text{[cjk unified ideograph-4e2d]}" in text


def test_latex_escape_and_latex_math_make_any_text_safe():
    assert latex_escape("a\n\n\nb\r\nc\td\x07e") == "a b c de"
    assert latex_escape("ﬁ ½ Ω ο") == "ﬁ ½ Ω o"  # kept, kept, declared, Greek omicron as the Latin letter
    assert latex_math("\\mathrm{pérdida}\n\n= 1") == "\\mathrm{p\\text{é}rdida} = 1"
    assert latex_math("\\mathrm{a}\x00\x1f") == "\\mathrm{a}  "


def test_an_equation_too_wide_for_tex_is_replaced_by_a_note(walkthrough, tmp_path):
    wide = [dataclasses.replace(frame, latex=" + ".join(["x"] * 900)) for frame in frames(walkthrough)]
    text = export(wide, tmp_path / "wide.tex", **CHEAP).path.read_text(encoding="utf-8")
    assert "x + x + x" not in text and text.count("the equation is too long for a slide: 3597 characters") == 7


def test_the_pictures_folder_of_a_deck_has_a_name_includegraphics_reads(walkthrough, tmp_path):
    result = export(walkthrough, tmp_path / "week #3 {draft}.tex", **CHEAP)
    assert (tmp_path / "week -3 -draft--frames" / "step-000.png").is_file()
    assert beamer_problems(result.path) == []


@pytest.mark.slow
def test_a_deck_of_hostile_labels_compiles_with_pdflatex(tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed here; the .tex text is checked by the test above")
    result = export(hostile_walkthrough(), tmp_path / "hostile.tex", **CHEAP)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", result.path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert len(pytest.importorskip("pypdf").PdfReader(tmp_path / "hostile.pdf").pages) == result.frames + 1


@pytest.mark.slow
def test_the_beamer_deck_compiles_with_pdflatex(walkthrough, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip(
            "pdflatex is not installed here (install TeX Live to compile); the .tex is checked by the tests above"
        )
    result = export(walkthrough, tmp_path / "deck.tex")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", result.path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "deck.pdf").is_file()


def test_a_spanish_export_has_spanish_captions_title_buttons_and_log_line(walkthrough, tmp_path):
    result = export(walkthrough, tmp_path / "es.html", language="es")
    page = result.path.read_text(encoding="utf-8")
    assert "<title>Retropropagación a través de f, paso a paso</title>" in page
    assert "Propagación hacia atrás, paso 1 de 2" in page and "▶ Reproducir" in page
    assert result.message.startswith(f"guardado {result.path} (html): 7 pasos, autónomo")


def test_frames_made_in_one_language_are_not_exported_as_another(walkthrough, tmp_path):
    english = frames(walkthrough, language="en")
    with pytest.raises(ValueError, match=r"made in en; make them in the language you want"):
        export(english, tmp_path / "w.html", language="es")
    spanish = export(frames(walkthrough, language="es"), tmp_path / "s.html")  # Frames keep their language
    assert spanish.message.startswith("guardado") and "Propagación" in spanish.path.read_text(encoding="utf-8")


def test_spanish_slide_and_beamer_headings(walkthrough, tmp_path):
    spanish = frames(walkthrough, language="es")
    assert [slide_title(frame, k, 7) for k, frame in enumerate(spanish[:2], start=1)] == [
        "Paso 1 de 7 · el grafo",
        "Paso 2 de 7 · hacia delante",
    ]
    result = export(walkthrough, tmp_path / "es.tex", language="es", dpi=30, engine="graphviz-pure")
    text = result.path.read_text(encoding="utf-8")
    assert text.count("\\begin{frame}{Paso") == 7 and text.startswith("% escrito por gradviz")
    assert "por la regla de la cadena" in text and beamer_problems(result.path) == []


@pytest.mark.slow
def test_the_spanish_beamer_deck_compiles_with_pdflatex(tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed here (install TeX Live to compile)")
    a = Value(3.0, label="a")
    with trace() as recorded:  # accents in captions and "por tanto" inside \text{} of an equation
        b = a * 2
        c = b + a
        c.backward()
    result = export(recorded, tmp_path / "es.tex", language="es")
    assert r"\text{por tanto}" in result.path.read_text(encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", result.path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]


# -- frames folder ---------------------------------------------------------------------------------


def test_a_folder_gets_numbered_pictures_and_loses_its_own_stale_ones(walkthrough, tmp_path):
    folder = tmp_path / "frames"
    first = export(walkthrough, folder)
    assert [p.name for p in first.files] == [f"step-{i:03d}.svg" for i in range(7)]
    export(walkthrough, folder, steps=[0, 1])
    assert sorted(p.name for p in folder.iterdir()) == [".gradviz-manifest.json", "step-000.svg", "step-001.svg"]
    pngs = export(walkthrough, tmp_path / "pngs", format="png", **CHEAP)
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs.files)


def test_a_folder_path_that_is_a_file_is_refused(walkthrough, tmp_path):
    existing = tmp_path / "taken"
    existing.write_text("")
    with pytest.raises(ValueError, match="is a file"):
        export(walkthrough, existing)


# -- 1 and 200 frames, every format ----------------------------------------------------------------


def read_back_count(result: ExportResult) -> int:
    if result.format == "html":
        return result.path.read_text(encoding="utf-8").count('<figure class="frame')
    if result.format == "gif":
        return gif_frames(result.path)[0]
    if result.format == "pdf":
        return len(pytest.importorskip("pypdf").PdfReader(result.path).pages)
    if result.format == "pptx":
        return len(pytest.importorskip("pptx").Presentation(str(result.path)).slides)
    if result.format == "tex":
        assert beamer_problems(result.path) == []
        return result.path.read_text(encoding="utf-8").count("\\begin{frame}{Step")
    return len(list(result.path.glob("step-*")))


NAMES = ["w.html", "w.gif", "w.pdf", "w.pptx", "w.tex", "frames"]


@pytest.mark.parametrize("name", NAMES)
def test_every_exporter_handles_a_one_frame_walkthrough(walkthrough, tmp_path, name):
    if name.endswith(".pptx"):
        pytest.importorskip("pptx")
    result = export(walkthrough, tmp_path / name, steps=[3], **CHEAP)
    assert result.frames == 1 and read_back_count(result) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_exporter_handles_a_two_hundred_frame_walkthrough(two_hundred_frames, tmp_path, name):
    if name.endswith(".pptx"):
        pytest.importorskip("pptx")
    result = export(two_hundred_frames, tmp_path / name, **CHEAP)
    assert result.frames == 200 and read_back_count(result) == 200
    if name == "frames":
        assert result.files[-1].name == "step-199.svg"


# -- the command line ------------------------------------------------------------------------------


def test_the_cli_exports_a_formula_to_a_pptx(tmp_path, capsys):
    pptx = pytest.importorskip("pptx")
    out = tmp_path / "walkthrough.pptx"
    status = main(["export", "--expr", "(x+y)*z", "--set", "x=-2", "y=5", "z=-4", "--out", str(out), "--dpi", "60"])
    assert status == 0
    assert len(pptx.Presentation(str(out)).slides) == 7
    assert "7 slides" in capsys.readouterr().out


def test_the_cli_exports_the_worked_example_by_default(tmp_path, capsys):
    out = tmp_path / "w.gif"
    assert main(["export", "--out", str(out), "--steps", "0,4-5", "--dpi", "30", "--duration", "700"]) == 0
    assert gif_frames(out)[:2] == (3, [700, 700, 2100])


def test_the_cli_refuses_an_unknown_extension_with_status_2(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "w.docx")]) == EXIT_USAGE
    assert ".docx is not one gradviz writes" in capsys.readouterr().err
    assert not (tmp_path / "w.docx").exists()


def test_the_cli_says_what_to_install_when_python_pptx_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)
    assert main(["export", "--out", str(tmp_path / "w.pptx")]) == EXIT_USAGE
    assert 'pip install "gradviz[slides]"' in capsys.readouterr().err


def test_the_cli_refuses_a_bad_steps_list_with_status_2(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "f"), "--steps", "1,x"]) == EXIT_USAGE
    assert "--steps" in capsys.readouterr().err


# -- the exported HTML in a real browser -----------------------------------------------------------


def browser_missing() -> str | None:
    try:
        from browser import MISSING  # tests/browser.py: Debian chromium driven by playwright
    except ImportError:
        return "tests/browser.py (the headless Chromium helper) is not here"
    return MISSING


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_the_exported_html_steps_with_the_arrow_key_offline_and_runs_no_label_script(tmp_path):
    from browser import chromium_context

    recorded = worked_example(label_q="<script>window.__pwned = 1</script>")
    page_path = export(recorded, tmp_path / "w.html").path
    requests = []
    with chromium_context(tmp_path / "chromium") as context:
        tab = context.new_page()
        tab.on("request", lambda request: requests.append(request.url))
        tab.goto(page_path.as_uri())
        assert tab.inner_text("#counter") == "step 1 / 7"
        first_caption = tab.inner_text(".frame.current .caption")
        tab.keyboard.press("ArrowRight")
        assert tab.inner_text("#counter") == "step 2 / 7"
        second_caption = tab.inner_text(".frame.current .caption")
        assert second_caption != first_caption and second_caption.startswith("Forward step 1 of 2")
        assert "<script>window.__pwned = 1</script>" in second_caption  # shown as text
        assert tab.evaluate("window.__pwned") is None
        darkest, lightest = Image.open(io.BytesIO(tab.screenshot())).convert("L").getextrema()
        assert lightest - darkest > 100  # not a blank page: dark text on a light page
    assert requests and all(url.startswith("file://") for url in requests)


@pytest.mark.parametrize("forced_by", ["engine", "environment"])
def test_a_forced_graphviz_pure_says_it_draws_no_pdf_rather_than_that_dot_is_missing(forced_by, monkeypatch):
    from gradviz.export.pdf import vector_pdf_available
    from gradviz.viz.render import ENV_VAR

    if forced_by == "environment":
        monkeypatch.setenv(ENV_VAR, "graphviz-pure")
        reason = vector_pdf_available()
    else:
        reason = vector_pdf_available(engine="graphviz-pure")
    assert reason.startswith("the chosen renderer, graphviz-pure, draws svg and png but no pdf")


# -- one frame pipeline: the options and the walkthrough budget, checked in one place -------------------


def _chain(count: int):
    from gradviz import Value, trace

    x = Value(0.5, label="x")
    with trace() as t:
        h = x
        for _ in range(count):
            h = h * 1.01 + x
        h.label = "out"
        h.backward()
    return t


def test_export_refuses_a_walkthrough_over_the_layout_budget_before_drawing(tmp_path, monkeypatch):
    from gradviz.export import WalkthroughTooBig

    monkeypatch.setenv("GRADVIZ_LAYOUT_BUDGET", "2000")
    with pytest.raises(WalkthroughTooBig, match="max_nodes=") as caught:
        export(_chain(30), tmp_path / "steps")
    assert "GRADVIZ_LAYOUT_BUDGET" in str(caught.value)
    assert not (tmp_path / "steps").exists()


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [("precision", 0, "precision= 0"), ("max_nodes", 1, "max_nodes= 1"), ("theme", "neon", "theme= 'neon'")],
)
def test_export_names_a_picture_option_out_of_range(tmp_path, option, value, words):
    from gradviz.export import OptionError

    with pytest.raises(OptionError, match=words):
        export(_chain(1), tmp_path / "steps", **{option: value})


def test_export_draws_at_most_max_nodes_per_picture(tmp_path):
    counts = {}
    for budget in (12, 150):
        result = export(_chain(40), tmp_path / f"steps{budget}", steps=[-1], max_nodes=budget, focus=False)
        counts[budget] = result.files[0].read_text(encoding="utf-8").count('class="node"')
    assert counts[150] > 120 and counts[12] < 25, counts  # 12 kept (plus the box of the others and its notes)
