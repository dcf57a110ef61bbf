"""The command line: `gradviz demo`, `gradviz render`, exit statuses and messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from viz_examples import worked_example

import gradviz
from gradviz.cli import EXIT_NO_RENDERER, EXIT_USAGE, main
from gradviz.viz import RendererNotFound, find_renderer, frames

CONSOLE_SCRIPT = Path(sys.executable).parent / ("gradviz.exe" if os.name == "nt" else "gradviz")


def system_dot_renders_pdf() -> bool:
    try:
        return find_renderer("pdf", engine="dot").name == "dot"
    except RendererNotFound:
        return False


def worked_example_frame_count() -> int:
    return len(frames(worked_example()[0]))


def step_files(folder: Path, extension: str) -> list[Path]:
    return sorted(folder.glob(f"step-*.{extension}"))


def pointed_at(message: str) -> str:
    """The text above the carets of an error message."""
    lines = message.rstrip("\n").splitlines()
    shown, carets = lines[-2], lines[-1]
    start = len(carets) - len(carets.lstrip(" "))
    return shown[start : start + len(carets.strip())]


# -- demo ------------------------------------------------------------------------------------------


def test_demo_writes_one_svg_per_frame_and_the_player(tmp_path, capsys):
    out = tmp_path / "lesson"
    assert main(["demo", "--out", str(out)]) == 0
    svgs = step_files(out, "svg")
    assert len(svgs) == worked_example_frame_count() == 7
    assert [p.name for p in svgs] == [f"step-{i:03d}.svg" for i in range(7)]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<figure") == 7 and page.count("<svg") == 7
    printed = capsys.readouterr().out
    assert "wrote 7 SVG files" in printed and str(out) in printed and "index.html" in printed
    assert "∂f/∂x = -4" in printed and "∂f/∂y = -4" in printed and "∂f/∂z = 3" in printed


def test_demo_svgs_show_the_labels_and_the_numbers(tmp_path):
    main(["demo", "--out", str(tmp_path), "--quiet"])
    final = step_files(tmp_path, "svg")[-1].read_text(encoding="utf-8")
    for label in ("x", "y", "z", "q", "f"):
        assert re.search(rf">\s*{label}\s*<", final), label
    for number in ("−2", "5", "−4", "3", "−12"):
        assert f">{number}<" in final or f" {number}<" in final or f">{number} " in final, number


def test_demo_player_carries_each_steps_caption_and_equation(tmp_path):
    main(["demo", "--out", str(tmp_path), "--quiet"])
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    blob = page.split('<script type="application/json" id="gradviz-frames">', 1)[1].split("</script>", 1)[0]
    data = json.loads(blob)
    assert data["count"] == 7 and [frame["kind"] for frame in data["frames"]][0] == "initial"
    assert any("∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4" in frame["equation"] for frame in data["frames"])
    assert not re.search(r"https?://", page)


def test_demo_as_png_writes_png_files_and_still_an_svg_player(tmp_path):
    assert main(["demo", "--out", str(tmp_path), "--format", "png", "--quiet"]) == 0
    pngs = step_files(tmp_path, "png")
    assert len(pngs) == 7 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    assert (tmp_path / "index.html").read_text(encoding="utf-8").count("<svg") == 7


def test_demo_removes_step_files_left_by_a_longer_run(tmp_path):
    longer = ["render", "(x + y) * z * w", "--set", "x=1", "y=2", "z=3", "w=4", "--steps", "--quiet"]
    assert main([*longer, "--out", str(tmp_path)]) == 0  # more than 7 steps, written by gradviz itself
    stale = tmp_path / "step-008.svg"
    mine = tmp_path / "notes.svg"
    mine.write_text("<svg/>")
    assert stale.exists()
    main(["demo", "--out", str(tmp_path), "--quiet"])
    assert not stale.exists() and mine.exists()


def test_demo_themes_and_layouts(tmp_path):
    assert main(["demo", "--out", str(tmp_path / "dark"), "--theme", "dark", "--rankdir", "tb", "--quiet"]) == 0
    assert '<html lang="en" class="dark">' in (tmp_path / "dark" / "index.html").read_text(encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path / "print"), "--theme", "print", "--captions", "--quiet"]) == 0
    assert "Forward step 1" in step_files(tmp_path / "print", "svg")[1].read_text(encoding="utf-8")


def test_an_unknown_theme_lists_the_themes(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--theme", "neon"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert "'neon' is not a theme" in error and "dark" in error and "print" in error
    assert not list(tmp_path.iterdir())


def test_demo_through_the_installed_console_script(tmp_path):
    if not CONSOLE_SCRIPT.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable} (pip install -e .)")
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "demo", "--out", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(step_files(tmp_path / "demo", "svg")) == 7 and (tmp_path / "demo" / "index.html").exists()
    assert "∂f/∂x = -4" in done.stdout


def test_python_dash_m_gradviz_prints_the_version():
    done = subprocess.run([sys.executable, "-m", "gradviz", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"gradviz {gradviz.__version__}"


# -- render ----------------------------------------------------------------------------------------


def test_render_writes_the_final_graph_with_gradients(tmp_path, capsys):
    code = main(["render", "(x + y) * z", "--set", "x=-2", "y=5", "z=-4", "--out", str(tmp_path)])
    assert code == 0
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert ">−12<" in svg or " −12<" in svg
    assert sorted(tmp_path.iterdir()) == [tmp_path / ".gradviz-manifest.json", tmp_path / "graph.svg"]
    printed = capsys.readouterr().out
    assert "f = (x + y) * z = -12" in printed and "∂f/∂x = -4" in printed and "∂f/∂z = 3" in printed


def test_render_png(tmp_path):
    assert (
        main(
            [
                "render",
                "tanh(w*x + b)",
                "--set",
                "w=0.5",
                "x=2",
                "b=-1",
                "--format",
                "png",
                "--out",
                str(tmp_path),
                "-q",
            ]
        )
        == 0
    )
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_steps_writes_every_step_and_the_player(tmp_path):
    assert main(["render", "relu(x) * y", "--set", "x=2", "y=3", "--steps", "--out", str(tmp_path), "-q"]) == 0
    svgs = step_files(tmp_path, "svg")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert len(svgs) == page.count("<figure") >= 5


def test_render_pdf_without_system_dot_exits_with_the_install_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GRADVIZ_RENDERER", "graphviz-pure")  # as on a machine without Graphviz
    code = main(["render", "x * y", "--set", "x=1", "y=2", "--format", "pdf", "--out", str(tmp_path / "out")])
    assert code == EXIT_NO_RENDERER == 3
    error = capsys.readouterr().err
    assert "PDF output needs the system Graphviz `dot`" in error and "apt-get install graphviz" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.dot
@pytest.mark.skipif(not system_dot_renders_pdf(), reason="needs the system Graphviz `dot` for pdf")
def test_render_pdf_with_system_dot(tmp_path):
    assert main(["render", "x * y", "--set", "x=1", "y=2", "--format", "pdf", "--out", str(tmp_path), "-q"]) == 0
    assert (tmp_path / "graph.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(
    ("expression", "token"),
    [
        ("x + 'a'", "'a'"),
        ("__import__('os').system('ls')", ".system"),
        ("tanh(x) + foo(x)", "foo"),
        ("x +* y", "*"),
    ],
)
def test_a_bad_expression_exits_2_with_a_caret_under_the_token(tmp_path, capsys, expression, token):
    code = main(["render", expression, "--set", "x=1", "--out", str(tmp_path / "out")])
    assert code == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == "" and "invalid expression" in captured.err
    assert pointed_at(captured.err) == token
    assert not (tmp_path / "out").exists()


def test_a_bad_expression_through_the_console_script_exits_2(tmp_path):
    if not CONSOLE_SCRIPT.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable} (pip install -e .)")
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "render", "x.__class__", "--set", "x=1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 2 and pointed_at(done.stderr) == ".__class__" and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (["x=1", "y"], "NAME=VALUE pairs"),
        (["x=1", "1y=2"], "not a variable name"),
        (["x=1", "x=2", "y=1"], "x is given twice"),
        (["x=1", "y=abc"], "the value of y must be a number"),
        (["x=1", "y=1/0"], "evaluates to inf"),
        (["x=1", "y=2", "w=3"], "w: not a variable of 'x * y'"),
        (["x=1", "y=2", "e=3"], "e is the constant"),
        (["x=1"], "no value for the variable y: add --set y=1.0"),
    ],
)
def test_set_mistakes_exit_2_with_a_clear_message(tmp_path, capsys, assignments, message):
    assert main(["render", "x * y", "--set", *assignments, "--out", str(tmp_path)]) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_set_values_may_be_constant_formulas(tmp_path, capsys):
    assert main(["render", "sin(x)", "--set", "x=pi/2", "--out", str(tmp_path)]) == 0
    assert "sin(x) = 1  with x = 1.5708" in capsys.readouterr().out


def test_an_expression_after_set_is_explained(tmp_path, capsys):
    assert main(["render", "--set", "x=1", "x * 2", "--out", str(tmp_path)]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert "put the expression before --set" in error or "required: EXPR" in error


def test_a_formula_starting_with_minus_is_not_taken_for_an_option(tmp_path, capsys):
    assert main(["render", "-x*y", "--set", "x=1", "y=2", "--out", str(tmp_path)]) == 0
    assert "f = -x*y = -2" in capsys.readouterr().out


def test_a_formula_without_variables_exits_2(tmp_path, capsys):
    assert main(["render", "2 * 3", "--out", str(tmp_path)]) == EXIT_USAGE
    assert "has no variables" in capsys.readouterr().err


def test_a_domain_problem_is_a_warning_not_a_failure(tmp_path, capsys):
    assert main(["render", "log(x)", "--set", "x=-1", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "warning: log gave a non-finite result (nan)" in captured.err
    assert (tmp_path / "graph.svg").exists()


def test_out_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("")
    assert main(["render", "x", "--set", "x=1", "--out", str(target)]) == EXIT_USAGE
    assert "this is a file" in capsys.readouterr().err


# -- render: statements that name the intermediates, and the course's functions ---------------------


def test_render_assignments_name_the_intermediates_in_the_picture_and_the_printout(tmp_path, capsys):
    code = main(["render", "q = x + y; f = q * z", "--set", "x=-2", "y=5", "z=-4", "--out", str(tmp_path)])
    assert code == 0
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert ">q<" in svg and ">f<" in svg and ">v1<" not in svg  # the picture says q, not an invented name
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "q = x + y = 3"
    assert printed[1] == "f = q * z = -12  with x = -2, y = 5, z = -4"
    assert printed[2] == "gradients: ∂f/∂x = -4,  ∂f/∂y = -4,  ∂f/∂z = 3,  ∂f/∂q = -4"


def test_render_statements_may_be_on_lines_of_their_own(tmp_path, capsys):
    code = main(["render", "q = x + y\nf = q * z\n", "--set", "x=-2", "y=5", "z=-4", "--out", str(tmp_path)])
    assert code == 0 and "f = q * z = -12" in capsys.readouterr().out


def test_render_steps_with_assignments_name_q_in_the_captions_and_the_title(tmp_path):
    argv = ["render", "q = x + y; f = q * z", "--set", "x=-2", "y=5", "z=-4", "--steps", "--out", str(tmp_path)]
    assert main([*argv, "-q"]) == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "gradviz: q = x + y; f = q * z" in page
    blob = json.loads(page.split('id="gradviz-frames">', 1)[1].split("</script>", 1)[0])
    captions = " ".join(frame["caption"] for frame in blob["frames"])
    assert "q" in re.findall(r"\w+", captions) and "v1" not in captions


@pytest.mark.parametrize(
    ("expression", "assignments", "message", "token"),
    [
        ("q = x + 1; q = y; f = q", ["x=1", "y=2"], "q is assigned twice", "q"),
        ("f = q * z; q = x + y", ["x=1", "y=2", "z=3"], "q is used (column 5) before it is assigned", "q"),
        ("q = x + y;; f = q", ["x=1", "y=2"], "an empty statement", ";"),
        ("q = x + y; f = q * z", ["x=1", "y=2", "z=3", "q=4"], "q is assigned by the formula (q = x + y)", "q"),
        ("p = softmax(a, b); f = p + 1", ["a=1", "b=2"], "p gives 2 values, not one number", "p"),
    ],
)
def test_statement_mistakes_exit_2_with_a_caret_under_the_name(
    tmp_path, capsys, expression, assignments, message, token
):
    code = main(["render", expression, "--set", *assignments, "--out", str(tmp_path / "out")])
    assert code == EXIT_USAGE
    error = capsys.readouterr().err
    assert message in error and pointed_at(error) == token
    assert not (tmp_path / "out").exists()


def test_render_the_courses_functions(tmp_path, capsys):
    argv = ["render", "p = sigmoid(w*x + b); L = bce(p, y)", "--set", "w=0.5", "x=2", "b=-1", "y=1"]
    assert main([*argv, "--out", str(tmp_path / "bce")]) == 0
    printed = capsys.readouterr().out
    assert "p = sigmoid(w*x + b) = 0.5" in printed and "L = bce(p, y) = 0.693147" in printed
    assert "∂L/∂w = -1" in printed  # (σ(z) − y)·x = (0.5 − 1)·2
    argv = ["render", "p = softmax(z1, z2); L = -log(p[0])", "--set", "z1=0", "z2=0"]
    assert main([*argv, "--out", str(tmp_path / "softmax")]) == 0
    printed = capsys.readouterr().out
    assert "p = softmax(z1, z2): p[0] = 0.5" in printed and "∂L/∂z1 = -0.5" in printed
    assert main(["render", "mse(p, y)", "--set", "p=0.7", "y=0.2", "--out", str(tmp_path / "mse")]) == 0
    assert "f = mse(p, y) = 0.25" in capsys.readouterr().out


def test_render_help_lists_the_parsers_functions_and_shows_an_assignment(capsys):
    from gradviz.expr import FUNCTIONS

    assert main(["render", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    listed = re.search(r"and the functions ([\w, ]+)\)", text).group(1).split(", ")
    assert listed == sorted(FUNCTIONS)  # derived from the parser's table, never restated
    assert "q = x + y; f = q * z" in text and "softmax(z1, z2)[0]" in text and "bce(p, y)" in text


def test_export_with_assignments_titles_the_walkthrough_with_the_statements(tmp_path, capsys):
    out = tmp_path / "walkthrough.html"
    argv = ["export", "--expr", "q = x + y; f = q * z", "--set", "x=-2", "y=5", "z=-4", "--out", str(out), "-q"]
    assert main(argv) == 0
    assert "q = x + y; f = q * z, step by step" in out.read_text(encoding="utf-8")


# -- the top level ---------------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gradviz {gradviz.__version__}"


def test_no_command_prints_the_help(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


def test_an_unknown_command_exits_2(capsys):
    assert main(["paint"]) == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


def test_importing_the_cli_loads_no_picture_export_or_keras_module_and_nothing_heavy():
    code = (
        "import sys, gradviz; import gradviz.cli; "
        "later = ('gradviz.viz', 'gradviz.export', 'gradviz.keras', 'gradviz.widgets', 'gradviz.backends'); "
        "heavy = ('graphviz', 'matplotlib', 'torch', 'jax', 'ipywidgets'); "
        "print(sorted(m for m in sys.modules if m.startswith(later)), "
        "sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[] []", done.stdout + done.stderr


# -- language ----------------------------------------------------------------------------------------


def test_lang_es_demo_writes_spanish_captions_player_and_messages(tmp_path, capsys):
    before = gradviz.get_language()
    assert main(["--lang", "es", "demo", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    blob = json.loads(page.split('id="gradviz-frames">', 1)[1].split("</script>", 1)[0])
    captions = [frame["caption"] for frame in blob["frames"]]
    spanish = frames(worked_example()[0], language="es")
    assert captions == [frame.caption for frame in spanish]
    assert "regla de la cadena" in captions[4] and "gradiente" in captions[4]
    assert '<html lang="es">' in page and "▶ Reproducir" in page
    assert ">valor<" in (tmp_path / "step-005.svg").read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert "el ejemplo resuelto" in printed and "guardados 7 archivos SVG" in printed and "wrote" not in printed
    assert gradviz.get_language() == before  # main() leaves the caller's language alone


def test_lang_may_follow_the_command_and_errors_speak_it_too(tmp_path, capsys):
    code = main(["render", "x * y", "--set", "x=1", "x=2", "--lang", "es", "--out", str(tmp_path)])
    assert code == EXIT_USAGE
    assert "gradviz render: --set x aparece dos veces (x=1 y x=2)" in capsys.readouterr().err


def test_an_unknown_lang_exits_2_with_the_choices(capsys):
    assert main(["--lang", "fr", "demo"]) == EXIT_USAGE
    assert "invalid choice: 'fr'" in capsys.readouterr().err


# -- nothing hangs: the layout budget, the time limit, Ctrl-C ----------------------------------------


def sum_of_xs(terms: int) -> str:
    return "+".join(["x"] * terms)


def test_a_sum_of_400_xs_renders_one_picture_quickly_with_the_far_nodes_in_a_box(tmp_path, capsys):
    import time

    started = time.monotonic()
    assert main(["render", sum_of_xs(400), "--set", "x=1", "--out", str(tmp_path), "-q"]) == 0
    assert time.monotonic() - started < 30  # was minutes, then a traceback
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert "more nodes" in svg
    assert capsys.readouterr().err == ""


def test_a_walkthrough_over_the_layout_budget_is_refused_before_drawing_with_status_4(tmp_path, capsys):
    from gradviz.cli import EXIT_TOO_BIG

    folder = tmp_path / "steps"
    code = main(["render", sum_of_xs(100), "--set", "x=1", "--steps", "--out", str(folder)])
    assert code == EXIT_TOO_BIG
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("gradviz render: 201 pictures of ")
    assert "--max-nodes" in line and "GRADVIZ_LAYOUT_BUDGET=" in line
    assert not folder.exists()  # refused before any drawing or writing


def test_the_layout_budget_can_be_raised_and_a_smaller_max_nodes_fits_it(tmp_path, monkeypatch, capsys):
    from gradviz.cli import EXIT_TOO_BIG

    argv = ["render", sum_of_xs(30), "--set", "x=1", "--steps", "--out", str(tmp_path / "a"), "-q"]
    monkeypatch.setenv("GRADVIZ_LAYOUT_BUDGET", "1000")
    assert main(argv) == EXIT_TOO_BIG
    assert main([*argv[:-3], "--out", str(tmp_path / "b"), "--max-nodes", "2", "-q"]) == EXIT_TOO_BIG
    monkeypatch.setenv("GRADVIZ_LAYOUT_BUDGET", "10000000")
    assert main(argv) == 0 and len(step_files(tmp_path / "a", "svg")) == 61
    monkeypatch.setenv("GRADVIZ_LAYOUT_BUDGET", "lots")
    assert main(argv) == EXIT_USAGE
    assert "$GRADVIZ_LAYOUT_BUDGET='lots'" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["1", "0", "-5"])
def test_max_nodes_below_two_is_refused(tmp_path, capsys, value):
    assert main(["render", "x*2", "--set", "x=1", "--max-nodes", value, "--out", str(tmp_path)]) == EXIT_USAGE
    assert "--max-nodes" in capsys.readouterr().err


def slow_renderer(tmp_path, monkeypatch):
    """Make every layout a program that never finishes (each one adds its pid to tmp_path/pids)."""
    import importlib

    render_module = importlib.import_module("gradviz.viz.render")
    script = tmp_path / "slow-dot"
    script.write_text(f"#!/bin/sh\necho $$ >> {tmp_path}/pids\nexec sleep 60\n")
    script.chmod(0o755)
    slow = render_module.Renderer("dot", str(script))
    monkeypatch.setattr(render_module, "find_renderer", lambda fmt, engine=None: slow)
    monkeypatch.setattr(gradviz.viz, "find_renderer", lambda fmt, engine=None: slow)


def test_a_layout_past_the_time_limit_ends_the_command_with_status_4_and_advice(tmp_path, monkeypatch, capsys):
    from gradviz.cli import EXIT_TOO_BIG

    slow_renderer(tmp_path, monkeypatch)
    monkeypatch.setenv("GRADVIZ_LAYOUT_TIMEOUT", "0.5")
    assert main(["render", "x*2", "--set", "x=1", "--out", str(tmp_path / "out")]) == EXIT_TOO_BIG
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("gradviz render: dot took more than 0.5 s") and "--max-nodes" in line
    assert not (tmp_path / "out" / "graph.svg").exists()
    assert still_running(tmp_path) == []


def still_running(tmp_path) -> list[int]:
    running = []
    for pid in map(int, (tmp_path / "pids").read_text().split()):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        running.append(pid)
    return running


@pytest.mark.parametrize("steps", [False, True], ids=["one picture", "a walkthrough in threads"])
def test_ctrl_c_during_a_layout_exits_130_with_one_line_and_stops_the_layout_programs(
    tmp_path, monkeypatch, capsys, steps
):
    import signal
    import time

    from gradviz.cli import EXIT_INTERRUPTED

    slow_renderer(tmp_path, monkeypatch)
    previous = signal.signal(signal.SIGALRM, lambda *_: signal.raise_signal(signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # Ctrl-C one second in, while the layouts run
    started = time.monotonic()
    try:
        argv = ["render", "x*2", "--set", "x=1", "--out", str(tmp_path / "out")] + (["--steps"] if steps else [])
        code = main(argv)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert code == EXIT_INTERRUPTED == 130
    assert time.monotonic() - started < 10  # not the layout's 30 s time limit
    assert capsys.readouterr().err.strip() == "gradviz render: interrupted"
    assert still_running(tmp_path) == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_export_takes_the_page_shape_and_the_focus_from_the_command_line(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "square.pdf"
    assert main(["export", "--out", str(out), "--aspect", "4:3", "--focus", "off", "--quiet"]) == 0
    width, height = (float(side) for side in pypdf.PdfReader(out).pages[0].mediabox[2:])
    assert (width, height) == (720.0, 540.0)


def test_render_focus_on_draws_the_focus_view_with_its_overview(tmp_path):
    expression = "q = x + y; f = q * z"
    assert main(["render", expression, "--set", "x=-2", "y=5", "z=-4", "--focus", "on", "--out", str(tmp_path)]) == 0
    assert "the whole graph" in (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert main(["render", expression, "--set", "x=-2", "y=5", "z=-4", "--out", str(tmp_path / "whole")]) == 0
    assert "the whole graph" not in (tmp_path / "whole" / "graph.svg").read_text(encoding="utf-8")


def test_export_train_makes_a_lesson_of_training_steps_with_their_updates(tmp_path):
    out = tmp_path / "steps"
    code = main(
        ["export", "--expr", "z = w*x + b; L = (z - y)**2", "--set", "w=0.5", "x=1", "b=0.1", "y=1",
         "--train", "lr=0.1,iterations=3", "--params", "w", "b", "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert code == 0
    svgs = sorted(out.glob("step-*.svg"))
    texts = [path.read_text(encoding="utf-8") for path in svgs]
    # per iteration: the graph, 4 forward steps, the seed and 4 backward steps, the result and the update; then
    # the loss per iteration
    assert len(svgs) == 3 * 12 + 1
    assert "0.6568" in texts[-2] and "0.6568" not in texts[-14]  # w after the third update (0.5 → 0.58 → 0.628 → …)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--train", "lr=-1"], "lr=RATE"),
        (["--train", "lr=0.1,epochs=3"], "epochs=3"),
        (["--train", "optimizer=lbfgs"], "the optimizers are sgd"),
        (["--train", "lr=0.1", "--params", "q"], "not a variable"),
        (["--params", "w"], "add --train"),
    ],
)
def test_export_train_mistakes_are_named(flags, says, tmp_path, capsys):
    args = ["export", "--expr", "L = (w - 3)**2", "--set", "w=0", *flags, "--out", str(tmp_path / "x")]
    assert main(args) == EXIT_USAGE
    assert says in capsys.readouterr().err


def test_version_answers_without_importing_numpy_or_the_engine():
    heavy = ("numpy", "gradviz.cli", "gradviz.tensor", "gradviz.catalogue")
    code = f"import sys, runpy\nsys.argv = ['gradviz', '--version']\ntry:\n    runpy.run_module('gradviz', run_name='__main__')\nexcept SystemExit as stop:\n    print(stop.code, [m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    version, rest = done.stdout.split("\n")[0], done.stdout.split("\n")[1]
    assert version == f"gradviz {gradviz.__version__}" and rest == "0 []"
