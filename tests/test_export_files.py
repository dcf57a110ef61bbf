"""Nothing lost: gradviz never overwrites or deletes a file it did not write (CLI and gradviz.export), unless asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradviz import Value, trace
from gradviz.export import MANIFEST, FilesRefused, _files, export, owned_by_gradviz
from gradviz.viz import RendererNotFound, find_renderer

MINE = b"my own file, not gradviz's\n"
EXIT_REFUSED = 2  # the CLI's status for a bad command line, and for files it refuses to touch


def gradviz_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m gradviz ARGS` in `cwd`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "gradviz", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )


def users_file(path: Path, data: bytes = MINE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(done: subprocess.CompletedProcess, *names: str) -> None:
    assert done.returncode == EXIT_REFUSED, done.stderr
    error = done.stderr.strip()
    assert error.count("\n") == 0 and "Traceback" not in error, error  # one line
    assert "refused to overwrite" in error and "--force" in error and "nothing was written" in error, error
    for name in names:
        assert name in error, (name, error)


@pytest.fixture(scope="module")
def walkthrough():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as recorded:
        f = (x + y) * z
        f.backward()
    return recorded


def system_dot_draws_pdf() -> bool:
    try:
        return find_renderer("pdf").name == "dot"
    except RendererNotFound:
        return False


# -- the command line ------------------------------------------------------------------------------


def test_demo_keeps_a_users_step_file_it_would_not_write(tmp_path):
    lesson = tmp_path / "L"
    mine = users_file(lesson / "step-099.png")
    done = gradviz_cli("demo", "--out", "L", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert mine.read_bytes() == MINE
    assert len(list(lesson.glob("step-*.svg"))) == 7 and (lesson / "index.html").is_file()


def test_demo_refuses_to_overwrite_a_users_step_file_and_writes_nothing(tmp_path):
    lesson = tmp_path / "L"
    users_file(lesson / "step-003.svg")
    before = contents(lesson)
    done = gradviz_cli("demo", "--out", "L", cwd=tmp_path)
    assert_refused(done, "step-003.svg")
    assert contents(lesson) == before  # not even index.html or a manifest


def test_demo_refuses_to_overwrite_a_users_index_html(tmp_path):
    users_file(tmp_path / "L" / "index.html")
    assert_refused(gradviz_cli("demo", "--out", "L", cwd=tmp_path), "index.html")
    assert (tmp_path / "L" / "index.html").read_bytes() == MINE


def test_render_steps_keeps_the_users_files(tmp_path):
    lesson = tmp_path / "L"
    kept = users_file(lesson / "step-099.svg")
    in_the_way = users_file(lesson / "step-000.png", b"\x89PNG not really")
    args = ["render", "(x + y) * z", "--set", "x=-2", "y=5", "z=-4", "--steps", "--format", "png", "--out", "L"]
    done = gradviz_cli(*args, cwd=tmp_path)
    assert_refused(done, "step-000.png")
    assert kept.read_bytes() == MINE and in_the_way.read_bytes() == b"\x89PNG not really"
    assert not (lesson / "index.html").exists()


def test_export_to_a_folder_keeps_the_users_files(tmp_path):
    frames = tmp_path / "frames"
    kept = users_file(frames / "step-099.svg")
    in_the_way = users_file(frames / "step-001.svg")
    assert_refused(gradviz_cli("export", "--out", "frames", cwd=tmp_path), "step-001.svg")
    assert kept.read_bytes() == MINE and in_the_way.read_bytes() == MINE
    in_the_way.unlink()
    done = gradviz_cli("export", "--out", "frames", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert kept.read_bytes() == MINE and len(list(frames.glob("step-00*.svg"))) == 7


SINGLE_FILES = [
    ("render", "graph.svg", ["render", "x * 2", "--set", "x=3", "--out", "."]),
    ("html", "walkthrough.html", ["export", "--out", "walkthrough.html"]),
    ("gif", "walkthrough.gif", ["export", "--out", "walkthrough.gif"]),
    ("pdf", "walkthrough.pdf", ["export", "--out", "walkthrough.pdf"]),
    ("pptx", "walkthrough.pptx", ["export", "--out", "walkthrough.pptx"]),
    ("tex", "walkthrough.tex", ["export", "--out", "walkthrough.tex"]),
]


@pytest.mark.parametrize("kind, name, args", SINGLE_FILES, ids=[kind for kind, _, _ in SINGLE_FILES])
def test_a_single_output_file_the_user_made_is_not_overwritten(tmp_path, kind, name, args):
    if kind == "pptx":
        pytest.importorskip("pptx")
    mine = users_file(tmp_path / name)
    assert_refused(gradviz_cli(*args, cwd=tmp_path), name)
    assert mine.read_bytes() == MINE
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing else written beside it


def test_the_beamer_frames_folder_keeps_the_users_pictures(tmp_path):
    pictures = tmp_path / "deck-frames"
    suffix = "pdf" if system_dot_draws_pdf() else "png"
    kept = users_file(pictures / "step-050.png")
    in_the_way = users_file(pictures / f"step-002.{suffix}")
    assert_refused(gradviz_cli("export", "--out", "deck.tex", cwd=tmp_path), f"step-002.{suffix}")
    assert kept.read_bytes() == MINE and in_the_way.read_bytes() == MINE
    assert not (tmp_path / "deck.tex").exists()


@pytest.mark.parametrize(
    "args",
    [["demo"], ["render", "x * 2", "--set", "x=3"], ["render", "x * 2", "--set", "x=3", "--steps"], ["export"]],
    ids=["demo", "render", "render-steps", "export"],
)
def test_an_empty_out_is_refused_rather_than_taken_as_the_current_folder(tmp_path, args):
    users_file(tmp_path / "step-000.svg")
    done = gradviz_cli(*args, "--out", "", cwd=tmp_path)
    assert done.returncode == EXIT_REFUSED, done.stderr
    assert "--out is empty" in done.stderr and "--out ." in done.stderr and "Traceback" not in done.stderr
    assert contents(tmp_path) == {"step-000.svg": MINE}


def test_train_refuses_a_users_summary_before_it_trains(tmp_path):
    mine = users_file(tmp_path / "run" / "summary.json", b'{"mine": true}\n')
    done = gradviz_cli("train", "--epochs", "2", "--out", "run", cwd=tmp_path)
    assert_refused(done, "summary.json")
    assert mine.read_bytes() == b'{"mine": true}\n' and not (tmp_path / "run" / "curves.png").exists()


def test_force_overwrites_the_files_in_the_way_but_deletes_nothing_else(tmp_path):
    lesson = tmp_path / "L"
    replaced = users_file(lesson / "step-003.svg")
    kept = users_file(lesson / "step-099.svg")
    done = gradviz_cli("demo", "--out", "L", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert replaced.read_bytes().startswith(b"<?xml") or b"<svg" in replaced.read_bytes()
    assert kept.read_bytes() == MINE  # --force lets gradviz replace what it writes, never remove other files


def test_a_second_shorter_run_removes_only_its_own_stale_step_files(tmp_path):
    lesson = tmp_path / "L"
    longer = ["render", "(x + y) * z * w", "--set", "x=1", "y=2", "z=3", "w=4", "--steps", "--out", "L"]
    assert gradviz_cli(*longer, cwd=tmp_path).returncode == 0
    count = len(list(lesson.glob("step-*.svg")))
    assert count > 7
    edited = lesson / f"step-{count - 1:03d}.svg"
    edited.write_bytes(b"<svg><!-- my edit --></svg>")  # changed since gradviz wrote it: the user's now
    mine = users_file(lesson / "notes.txt")
    done = gradviz_cli("demo", "--out", "L", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in lesson.glob("step-*.svg"))
    assert names == [f"step-{k:03d}.svg" for k in range(7)] + [edited.name]
    assert edited.read_bytes() == b"<svg><!-- my edit --></svg>" and mine.read_bytes() == MINE
    assert gradviz_cli("demo", "--out", "L", cwd=tmp_path).returncode == 0  # its own files: replaced quietly


def test_a_file_gradviz_wrote_and_the_user_then_edited_is_not_overwritten(tmp_path):
    assert gradviz_cli("render", "x * 2", "--set", "x=3", "--out", "R", cwd=tmp_path).returncode == 0
    graph = tmp_path / "R" / "graph.svg"
    graph.write_bytes(graph.read_bytes() + b"<!-- annotated by hand -->")
    edited = graph.read_bytes()
    assert_refused(gradviz_cli("render", "x * 3", "--set", "x=3", "--out", "R", cwd=tmp_path), "graph.svg")
    assert graph.read_bytes() == edited


# -- gradviz.export ---------------------------------------------------------------------------------


def test_export_to_a_folder_refuses_a_users_file_and_names_it(walkthrough, tmp_path):
    folder = tmp_path / "frames"
    in_the_way = users_file(folder / "step-004.svg")
    kept = users_file(folder / "step-099.svg")
    with pytest.raises(FilesRefused, match=r"step-004\.svg.*overwrite=True") as refused:
        export(walkthrough, folder)
    assert refused.value.paths == [in_the_way] and isinstance(refused.value, FileExistsError)
    assert contents(folder) == {"step-004.svg": MINE, "step-099.svg": MINE}
    assert kept.read_bytes() == MINE


def test_export_with_overwrite_replaces_the_users_file_and_keeps_the_others(walkthrough, tmp_path):
    folder = tmp_path / "frames"
    in_the_way = users_file(folder / "step-004.svg")
    kept = users_file(folder / "step-099.svg")
    result = export(walkthrough, folder, overwrite=True)
    assert in_the_way in result.files and in_the_way.read_bytes() != MINE and owned_by_gradviz(in_the_way)
    assert kept.read_bytes() == MINE


@pytest.mark.parametrize("name", ["w.html", "w.gif", "w.pdf", "w.tex"])
def test_export_to_a_file_refuses_a_users_file_of_that_name(walkthrough, tmp_path, name):
    mine = users_file(tmp_path / name)
    with pytest.raises(FilesRefused, match=r"overwrite=True"):
        export(walkthrough, tmp_path / name, engine="graphviz-pure", dpi=20)
    assert mine.read_bytes() == MINE
    result = export(walkthrough, tmp_path / name, engine="graphviz-pure", dpi=20, overwrite=True)
    assert result.path.read_bytes() != MINE
    again = export(walkthrough, tmp_path / name, engine="graphviz-pure", dpi=20, steps=[0])  # its own: replaced
    assert again.frames == 1


def test_export_to_an_empty_path_is_refused(walkthrough, tmp_path):
    with pytest.raises(ValueError, match=r"empty path.*'\.' if you mean the current folder"):
        export(walkthrough, "")


def test_a_shorter_export_removes_its_own_stale_steps_and_no_others(walkthrough, tmp_path):
    folder = tmp_path / "frames"
    export(walkthrough, folder)
    mine = users_file(folder / "step-099.svg")
    export(walkthrough, folder, steps=[0, 1])
    assert sorted(p.name for p in folder.glob("step-*")) == ["step-000.svg", "step-001.svg", "step-099.svg"]
    assert mine.read_bytes() == MINE
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["written_by"] == "gradviz" and sorted(manifest["files"]) == ["step-000.svg", "step-001.svg"]


def test_a_foreign_file_named_like_the_manifest_is_not_overwritten(walkthrough, tmp_path):
    folder = tmp_path / "frames"
    fake = users_file(folder / MANIFEST, b'{"step-000.svg": "mine"}')
    with pytest.raises(FilesRefused, match=MANIFEST):
        export(walkthrough, folder)
    assert fake.read_bytes() == b'{"step-000.svg": "mine"}'


def test_a_forged_manifest_entry_does_not_make_a_users_file_gradviz_s(walkthrough, tmp_path):
    folder = tmp_path / "frames"
    export(walkthrough, folder, steps=[0])
    mine = users_file(folder / "step-001.svg")  # the manifest does not list it: the user's
    with pytest.raises(FilesRefused):
        export(walkthrough, folder, steps=[0, 1])
    assert mine.read_bytes() == MINE


def test_an_interrupted_write_leaves_the_old_file_whole_and_no_half_file(walkthrough, tmp_path, monkeypatch):
    path = tmp_path / "w.html"
    export(walkthrough, path)
    before = path.read_bytes()

    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(_files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(walkthrough, path, steps=[0])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "w.html"]  # no temporary file left


def test_written_files_get_the_usual_permissions(walkthrough, tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    umask = os.umask(0o022)
    os.umask(umask)
    path = export(walkthrough, tmp_path / "w.html").path
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_files_refused_is_public_and_lists_many_files_briefly(tmp_path):
    paths = [tmp_path / f"step-{k:03d}.svg" for k in range(12)]
    text = str(FilesRefused(paths))
    assert "step-004.svg" in text and "step-005.svg" not in text and "(12 in all)" in text
