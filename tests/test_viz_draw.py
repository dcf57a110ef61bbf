"""draw(): a Drawing that Jupyter shows as SVG, saves by extension, and picks a trace's step."""

from __future__ import annotations

import subprocess
import sys

import pytest
from viz_examples import worked_example

from gradviz import Value
from gradviz.viz import Drawing, draw


def test_draw_of_an_output_shows_its_final_frame_and_digraph():
    _, f = worked_example()
    picture = draw(f)
    assert isinstance(picture, Drawing)
    assert picture.frame.kind == "final" and picture.frame.node("x").grad == -4.0
    assert picture.dot.source == picture.source and "−12" in picture.source


def test_draw_of_a_trace_picks_the_frame_at_step_and_counts_from_the_end():
    t, _ = worked_example()
    assert draw(t, step=5).frame.active_label == "q"
    assert draw(t, step=-1).frame.kind == "final"
    assert draw(t).frame.kind == "final"


def test_draw_step_out_of_range_says_how_many_frames_there_are():
    t, _ = worked_example()
    with pytest.raises(IndexError, match="this trace has 7 frames, so step is 0 to 6"):
        draw(t, step=7)


def test_draw_of_a_long_trace_builds_only_the_frame_it_draws_and_the_last_for_the_layout(monkeypatch):
    from gradviz import trace
    from gradviz.viz.frame import _Walkthrough

    x = Value(1.0, label="x")
    with trace() as t:
        y = x
        for _ in range(500):
            y = y * 1.001
        y.backward()
    built: list[int] = []
    assemble = _Walkthrough._assemble
    monkeypatch.setattr(_Walkthrough, "_assemble", lambda walk, k: built.append(k) or assemble(walk, k))
    picture = draw(t, step=700)
    # the step drawn, and the last frame, which holds every node's largest text (the walkthrough's one layout)
    assert built == [700, 1002] and picture.frame.index == 700 and picture.source.startswith("digraph")
    assert draw(t).frame.kind == "final" and built[2:] == [1002]  # the last frame, built once
    assert draw(t, step=-2).frame.kind == "backward" and built[3:] == [1001, 1002]


def test_draw_step_must_be_an_integer_index():
    t, _ = worked_example()
    with pytest.raises(TypeError, match=r"step=\.\.\.\) is a frame index \(an integer\), got '3'"):
        draw(t, step="3")


def test_draw_step_needs_a_trace():
    _, f = worked_example()
    with pytest.raises(TypeError, match="needs a Trace"):
        draw(f, step=2)


def test_jupyter_gets_svg_from_the_mimebundle_and_repr_svg():
    t, _ = worked_example()
    picture = draw(t, step=4, engine="graphviz-pure")
    bundle = picture._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith("<?xml") and "∂f/∂q = z = −4" in bundle["image/svg+xml"]
    assert picture._repr_svg_() == bundle["image/svg+xml"]
    assert "frame 4 (backward)" in bundle["text/plain"]


def test_without_a_renderer_the_notebook_shows_text_explaining_why(monkeypatch, tmp_path):
    import importlib

    render_module = importlib.import_module("gradviz.viz.render")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render_module, "_graphviz_pure", lambda: None)
    bundle = draw(Value(1.0, label="a") * 2)._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "cannot draw" in bundle["text/plain"]


def test_drawing_save_writes_svg_png_and_dot_by_extension(tmp_path):
    t, _ = worked_example()
    picture = draw(t, step=5, engine="graphviz-pure", theme="print")
    assert picture.save(tmp_path / "step.svg").read_bytes().startswith(b"<?xml")
    assert picture.save(tmp_path / "step.png").read_bytes()[:4] == b"\x89PNG"
    assert picture.save(tmp_path / "step.dot").read_text(encoding="utf-8") == picture.source


def test_values_keep_their_plain_repr():
    _, f = worked_example()
    assert repr(f) == "Value(data=-12, grad=1, label='f')"
    assert not hasattr(Value, "_repr_svg_") and not hasattr(Value, "_repr_mimebundle_")


def test_importing_gradviz_does_not_import_the_graphviz_package():
    code = "import sys, gradviz, gradviz.viz; print('graphviz' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_graph_a_trace_and_a_frame_show_themselves_as_a_picture_in_a_notebook_cell():
    from gradviz import Graph, Value, trace
    from gradviz.viz import frames

    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    with trace() as t:
        f = x * y
        f.label = "f"
        f.backward()
    for shown in (Graph.of(f), t, frames(t)[1]):
        bundle = shown._repr_mimebundle_()
        assert bundle["image/svg+xml"].lstrip().startswith("<?xml") and bundle["text/plain"] == repr(shown)
        assert set(shown._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
        assert set(shown._repr_mimebundle_(exclude=["image/svg+xml"])) == {"text/plain"}


def test_an_empty_trace_in_a_cell_says_there_is_nothing_to_draw():
    from gradviz import trace

    with trace() as t:
        pass
    bundle = t._repr_mimebundle_()
    assert set(bundle) == {"text/plain"} and "nothing to draw" in bundle["text/plain"]
