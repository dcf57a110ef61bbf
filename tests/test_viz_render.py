"""Rendering: graphviz-pure alone (PATH without dot), the system dot when present, forcing a backend,
pdf's clear error, escaping in SVG, and the one RendererNotFound."""

from __future__ import annotations

import importlib
import inspect
import os

import pytest
from viz_examples import worked_example

from gradviz import Value
from gradviz.errors import GradvizError
from gradviz.viz import RendererNotFound, find_renderer, frames, render, save, to_dot

render_module = importlib.import_module("gradviz.viz.render")  # the module (gradviz.viz.render is the function)

HAS_SYSTEM_DOT = render_module._system_dot() is not None
needs_dot = [
    pytest.mark.dot,
    pytest.mark.skipif(
        not HAS_SYSTEM_DOT, reason="the system Graphviz `dot` is not installed (apt-get install graphviz)"
    ),
]
ENGINES = [
    pytest.param("graphviz-pure", id="graphviz-pure"),
    pytest.param("dot", id="system-dot", marks=needs_dot),
]


@pytest.fixture
def no_dot_on_path(monkeypatch, tmp_path):
    """PATH holds nothing, so only the graphviz-pure next to this Python can render."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(render_module.ENV_VAR, raising=False)


def backward_frame_dot():
    t, _ = worked_example()
    return to_dot(frames(t)[5])


def test_without_dot_on_path_graphviz_pure_renders_svg_and_png(no_dot_on_path):
    assert find_renderer("svg").name == "graphviz-pure"
    svg = render(backward_frame_dot(), "svg")
    assert svg.startswith(b"<?xml") and b"</svg>" in svg
    assert render(backward_frame_dot(), "png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_without_the_system_dot_says_how_to_get_it(no_dot_on_path):
    with pytest.raises(RendererNotFound) as raised:
        render(backward_frame_dot(), "pdf")
    message = str(raised.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "svg or png" in message


def test_a_dot_that_is_really_graphviz_pure_is_not_taken_for_the_system_dot(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.symlink_to(render_module._graphviz_pure())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(render_module.ENV_VAR, raising=False)
    assert find_renderer("svg").name == "graphviz-pure"
    with pytest.raises(RendererNotFound, match="PDF output needs the system Graphviz"):
        find_renderer("pdf")


def test_with_no_renderer_at_all_the_error_says_to_reinstall_or_install_graphviz(no_dot_on_path, monkeypatch):
    monkeypatch.setattr(render_module, "_graphviz_pure", lambda: None)
    with pytest.raises(RendererNotFound, match="neither the system Graphviz `dot` nor the graphviz-pure"):
        render("digraph { a }", "svg")


def test_the_environment_variable_forces_graphviz_pure(monkeypatch):
    monkeypatch.setenv(render_module.ENV_VAR, "graphviz-pure")
    assert find_renderer("png").name == "graphviz-pure"


def test_forcing_dot_where_there_is_none_names_the_setting(no_dot_on_path, monkeypatch):
    monkeypatch.setenv(render_module.ENV_VAR, "dot")
    with pytest.raises(RendererNotFound, match="GRADVIZ_RENDERER='dot'"):
        find_renderer("svg")


def test_an_unknown_renderer_or_format_is_a_value_error():
    with pytest.raises(ValueError, match="'dot' .* or 'graphviz-pure'"):
        find_renderer("svg", engine="neato")
    with pytest.raises(ValueError, match="svg, png, pdf"):
        render("digraph { a }", "gif")


def test_renderer_not_found_is_a_gradviz_error_raised_in_one_place():
    assert issubclass(RendererNotFound, GradvizError)
    assert inspect.getsource(render_module).count("raise RendererNotFound") == 1


def test_invalid_dot_is_reported_with_the_renderers_message():
    with pytest.raises(GradvizError, match="could not render svg"):
        render("digraph { a -> }", "svg", engine="graphviz-pure")


@pytest.mark.parametrize("engine", ENGINES)
def test_svg_of_a_backward_frame_holds_the_labels_and_numbers(engine):
    svg = render(backward_frame_dot(), "svg", engine=engine).decode()
    for text in ("∂f/∂x", "∂q/∂x = 1", "(−4) · 1 = −4", "−12", ">q<", ">+<", ">×<"):
        assert text in svg, text


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tensor_graph_with_multi_row_arrays_renders_with_each_renderer(engine):
    # multi-row arrays leave the key cell of their continuation rows empty: graphviz's HTML labels
    # reject an empty FONT element there, so this failed with the system dot only
    import numpy as np

    import gradviz.functional as F
    from gradviz import Tensor

    W = Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True, label="W")
    loss = F.mse((Tensor([[1.0, -1.0, 2.0]]) @ W.T).relu(), [[0.5, 0.0]])
    loss.backward()
    svg = render(to_dot(loss), "svg", engine=engine).decode()
    assert "(2, 3) float64" in svg and "∂" in svg


@pytest.mark.parametrize("engine", ENGINES)
def test_markup_in_labels_comes_out_escaped_in_svg(engine):
    x = Value(1.0, label='<script>alert("&")</script>')
    svg = render(to_dot(x * 2), "svg", engine=engine).decode()
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


@pytest.mark.parametrize("engine", ENGINES)
def test_save_picks_the_format_from_the_extension(engine, tmp_path):
    dot = backward_frame_dot()
    assert save(dot, tmp_path / "f.svg", engine=engine).read_bytes().startswith(b"<?xml")
    assert save(dot, tmp_path / "f.png", engine=engine).read_bytes()[:4] == b"\x89PNG"
    assert save(dot, tmp_path / "f.dot").read_text(encoding="utf-8") == dot.source
    with pytest.raises(ValueError, match="cannot tell the format"):
        save(dot, tmp_path / "f.bmp")


@pytest.mark.dot
@pytest.mark.skipif(not HAS_SYSTEM_DOT, reason="the system Graphviz `dot` is not installed (apt-get install graphviz)")
def test_the_system_dot_renders_pdf():
    assert render(backward_frame_dot(), "pdf").startswith(b"%PDF")


@pytest.mark.skipif(not HAS_SYSTEM_DOT, reason="the system Graphviz `dot` is not installed")
def test_the_system_dot_is_preferred_when_present(monkeypatch):
    monkeypatch.delenv(render_module.ENV_VAR, raising=False)
    assert find_renderer("svg").name == "dot" and os.path.basename(find_renderer("svg").path) == "dot"


# -- the layout's time limit ---------------------------------------------------------------------------


def a_slow_layout_program(tmp_path) -> str:
    """A stand-in layout program that never finishes (it writes its pid first, so a test can see it stopped)."""
    script = tmp_path / "slow-dot"
    script.write_text(f"#!/bin/sh\necho $$ > {tmp_path}/pid\nexec sleep 60\n")
    script.chmod(0o755)
    return str(script)


def test_a_layout_past_its_time_limit_is_stopped_with_what_to_draw_less_of(tmp_path, monkeypatch):
    import time

    slow = render_module.Renderer("dot", a_slow_layout_program(tmp_path))
    monkeypatch.setattr(render_module, "find_renderer", lambda fmt, engine=None: slow)
    started = time.monotonic()
    with pytest.raises(render_module.LayoutTimeout) as caught:
        render("digraph { a -> b }", "svg", timeout=0.5)
    assert time.monotonic() - started < 10
    text = str(caught.value)
    assert "more than 0.5 s" in text and "max_nodes" in text and "GRADVIZ_LAYOUT_TIMEOUT=120" in text
    assert isinstance(caught.value, TimeoutError) and isinstance(caught.value, GradvizError)
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):  # the program was killed and reaped, not left running
        os.kill(pid, 0)


def test_the_time_limit_comes_from_the_environment_and_a_bad_one_is_named(monkeypatch):
    monkeypatch.setenv("GRADVIZ_LAYOUT_TIMEOUT", "7.5")
    assert render_module.layout_timeout() == 7.5
    assert render_module.layout_timeout(2) == 2.0  # the argument wins
    monkeypatch.setenv("GRADVIZ_LAYOUT_TIMEOUT", "soon")
    with pytest.raises(GradvizError, match=r"\$GRADVIZ_LAYOUT_TIMEOUT='soon'.*seconds above 0"):
        render_module.layout_timeout()
    with pytest.raises(GradvizError, match="timeout=-1"):
        render_module.layout_timeout(-1)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_sum_of_a_hundred_xs_renders_in_seconds_with_the_far_nodes_in_one_box(engine):
    import time

    x = Value(1.0, label="x")
    h = x
    for _ in range(99):
        h = h + x
    h.backward()
    dot = to_dot(h)
    assert "more nodes" in dot.source and "bends" in dot.source  # the note says why nodes were hidden
    started = time.monotonic()
    svg = render(dot, "svg", engine=engine)
    assert time.monotonic() - started < 20  # was minutes with graphviz-pure and 100 s with dot
    assert b"more nodes" in svg


@pytest.mark.parametrize("engine", ENGINES)
def test_a_name_of_9999_characters_is_cut_in_the_picture_and_renders(engine):
    name = "a" * 9999
    svg = render(to_dot(Value(2.0, label=name) * 3), "svg", engine=engine).decode()
    assert "a" * 39 + "…" in svg
