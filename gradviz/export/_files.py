"""Writing files without losing any: each folder's manifest of what gradviz wrote, refusals, atomic writes.

gradviz replaces or removes a file only when it wrote that file itself and nobody changed it since: each folder
it writes into holds a small ``.gradviz-manifest.json`` listing the files it wrote there with their sizes and
SHA-256 hashes. Any other file in the way is refused (``FilesRefused``) before anything is written, unless the
caller asked for it (``overwrite=True``; ``--force`` on the command line). Each file is written to a temporary
file in the same folder and then renamed over its name, so an interrupted run never leaves half a file.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "notes.txt").write_text("mine")
>>> [p.name for p in write_files({folder / "graph.svg": b"<svg/>"})]
['graph.svg']
>>> try:
...     write_files({folder / "notes.txt": b"gradviz's"})
... except FilesRefused as refused:
...     [p.name for p in refused.paths]
['notes.txt']
>>> (folder / "notes.txt").read_text(), [p.name for p in write_files({folder / "graph.svg": b"<svg></svg>"})]
('mine', ['graph.svg'])
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path

from ..errors import GradvizError

__all__ = ["FilesRefused", "MANIFEST", "refuse_overwrites", "write_files", "remove_files", "owned_by_gradviz"]

MANIFEST = ".gradviz-manifest.json"
"""The name of the file, in each folder gradviz writes into, that lists the files gradviz wrote there.

>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_files({folder / "graph.svg": b"<svg/>"})
>>> manifest = json.loads((folder / MANIFEST).read_text())
>>> manifest["written_by"], manifest["files"]["graph.svg"]["bytes"]
('gradviz', 6)
"""

_STEP_FILE = re.compile(r"^step-(\d{3,})\.(svg|png|pdf)$")
_SHOWN = 5  # files named in a refusal's message; the rest are counted
_ABOUT = (
    "the files gradviz wrote in this folder: it replaces or removes only these, and only while they are unchanged "
    "(delete this file and gradviz will treat every file here as yours)"
)
_LOCK = threading.Lock()  # one manifest update at a time in this process


class FilesRefused(GradvizError, FileExistsError):
    """gradviz would overwrite files it did not write (or that were changed since): it wrote nothing.

    ``paths`` lists them. Pass ``overwrite=True`` (``--force`` on the command line) to replace them, or write
    somewhere else. It is a FileExistsError too, so ``except OSError`` catches it.

    >>> import tempfile, pathlib
    >>> from gradviz import Value, export, trace
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "lesson.html").write_text("my own notes")
    >>> a = Value(3.0, label="a")
    >>> with trace() as t:
    ...     b = a * a
    ...     b.backward()
    >>> try:
    ...     export(t, folder / "lesson.html")
    ... except FilesRefused as refused:
    ...     print(refused)   # doctest: +ELLIPSIS
    refused to overwrite .../lesson.html: gradviz did not write it, so it wrote nothing; pass overwrite=True to replace it, or write somewhere else
    >>> export(t, folder / "lesson.html", overwrite=True).frames
    5
    """

    def __init__(self, paths: Iterable[Path]):
        self.paths = [Path(p) for p in paths]
        one = len(self.paths) == 1
        super().__init__(
            f"refused to overwrite {listed(self.paths)}: gradviz did not write "
            f"{'it' if one else 'them'}, so it wrote nothing; pass overwrite=True to replace "
            f"{'it' if one else 'them'}, or write somewhere else"
        )

    def __reduce__(self):
        return (type(self), (self.paths,))


def listed(paths: list[Path]) -> str:
    """'a, b, c' for a few paths; the first five and how many more for many."""
    names = [str(p) for p in paths[:_SHOWN]]
    if len(paths) > _SHOWN:
        names.append(f"… ({len(paths)} in all)")
    return ", ".join(names)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(folder: Path) -> dict | None:
    """The folder's manifest as {name: {"bytes": n, "sha256": hex}}; {} when there is none; None when a file of
    that name is there but is not one gradviz wrote (it is someone's file)."""
    path = folder / MANIFEST
    if not path.exists() and not path.is_symlink():
        return {}
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != "gradviz" or not isinstance(data.get("files"), dict):
        return None
    return {
        name: entry
        for name, entry in data["files"].items()
        if isinstance(name, str)
        and isinstance(entry, dict)
        and isinstance(entry.get("bytes"), int)
        and isinstance(entry.get("sha256"), str)
    }


def _is_owned(path: Path, entry: dict | None) -> bool:
    """Whether `path` is a plain file that still holds what gradviz wrote there (size and hash as recorded)."""
    if entry is None or path.is_symlink() or not path.is_file():
        return False
    try:
        if path.stat().st_size != entry["bytes"]:
            return False
        return _digest(path.read_bytes()) == entry["sha256"]
    except OSError:
        return False


def owned_by_gradviz(path) -> bool:
    """Whether gradviz wrote the file at `path` (its folder's manifest says so) and nobody has changed it since.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> written, = write_files({folder / "a.svg": b"<svg/>"})
    >>> owned_by_gradviz(written)
    True
    >>> _ = written.write_text("edited by hand")
    >>> owned_by_gradviz(written)
    False
    """
    path = Path(path)
    manifest = _read_manifest(path.parent)
    return bool(manifest) and _is_owned(path, manifest.get(path.name))


def _in_the_way(paths: Iterable[Path], overwrite: bool) -> list[Path]:
    """The paths that hold something gradviz may not replace; raises IsADirectoryError for a folder in the way."""
    refused: list[Path] = []
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    for folder, targets in by_folder.items():
        manifest = _read_manifest(folder)
        if manifest is None and not overwrite:
            refused.append(folder / MANIFEST)
        for path in targets:
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(f"{path} is a folder, so gradviz cannot write a file of that name there")
            if overwrite or not (path.exists() or path.is_symlink()):
                continue
            if not _is_owned(path, (manifest or {}).get(path.name)):
                refused.append(path)
    return refused


def refuse_overwrites(paths: Iterable, *, overwrite: bool = False) -> None:
    """Raise FilesRefused, before anything is drawn or written, when a file gradviz did not write is in the way.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "step-000.svg").write_text("mine")
    >>> refuse_overwrites([folder / "step-000.svg", folder / "step-001.svg"])   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gradviz.export._files.FilesRefused: refused to overwrite .../step-000.svg: gradviz did not write it, ...
    >>> refuse_overwrites([folder / "step-000.svg"], overwrite=True)   # asked for: no refusal
    """
    refused = _in_the_way([Path(p) for p in paths], overwrite)
    if refused:
        raise FilesRefused(refused)


def write_files(outputs: Mapping[Path, bytes], *, overwrite: bool = False, sweep: Iterable[Path] = ()) -> list[Path]:
    """Write each file of `outputs` ({path: bytes}) atomically and record it in its folder's manifest.

    Nothing is written when a file gradviz did not write is in the way (FilesRefused names them all), unless
    `overwrite`. In each folder of `sweep`, the step files (``step-000.svg`` …) an earlier gradviz call wrote
    there and this one does not are removed, if nobody has changed them since; no other file is ever removed.
    Returns the paths written, in the order given.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "step-009.svg").write_text("mine")
    >>> long = {folder / f"step-00{k}.svg": b"<svg/>" for k in range(3)}
    >>> short = {folder / "step-000.svg": b"<svg/>"}
    >>> _ = write_files(long, sweep=[folder]); _ = write_files(short, sweep=[folder])
    >>> sorted(p.name for p in folder.iterdir())   # its own stale steps are gone, the user's step-009 stays
    ['.gradviz-manifest.json', 'step-000.svg', 'step-009.svg']
    """
    outputs = {Path(path): bytes(data) for path, data in outputs.items()}
    with _LOCK:
        refuse_overwrites(outputs, overwrite=overwrite)
        folders: dict[Path, dict[str, bytes]] = {}
        for path, data in outputs.items():
            folders.setdefault(path.parent, {})[path.name] = data
        for folder in sweep:
            folders.setdefault(Path(folder), {})
        for folder, files in folders.items():
            _write_folder(folder, files, sweep=folder in {Path(f) for f in sweep})
    return list(outputs)


def remove_files(paths: Iterable) -> list[Path]:
    """Remove each of `paths` that gradviz wrote and nobody has changed since, and take it off its folder's
    manifest (the manifest goes too when it lists nothing more); any other file stays. Returns the paths removed.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> ours, = write_files({folder / "latest.keras": b"weights"})
    >>> _ = (folder / "notes.txt").write_text("mine")
    >>> [p.name for p in remove_files([ours, folder / "notes.txt"])], sorted(p.name for p in folder.iterdir())
    (['latest.keras'], ['notes.txt'])
    """
    removed: list[Path] = []
    with _LOCK:
        by_folder: dict[Path, list[Path]] = {}
        for path in map(Path, paths):
            by_folder.setdefault(path.parent, []).append(path)
        for folder, targets in by_folder.items():
            manifest = _read_manifest(folder)
            if not manifest:
                continue
            for path in targets:
                if _is_owned(path, manifest.get(path.name)):
                    path.unlink()
                    removed.append(path)
                    del manifest[path.name]
            kept = {name: entry for name, entry in manifest.items() if _is_owned(folder / name, entry)}
            if kept:
                _write_manifest(folder, kept)
            else:
                (folder / MANIFEST).unlink()
    return removed


def _write_folder(folder: Path, files: dict[str, bytes], sweep: bool) -> None:
    if not files and not folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    before = _read_manifest(folder) or {}
    kept: dict[str, dict] = {}
    for name, entry in before.items():
        if name in files:
            continue
        path = folder / name
        if not _is_owned(path, entry):
            continue  # gone, or changed since: it is not gradviz's any more
        if sweep and _STEP_FILE.match(name):
            path.unlink()  # a stale step of an earlier, longer walkthrough gradviz wrote here
            continue
        kept[name] = entry
    for name, data in files.items():
        _atomic_write(folder / name, data)
        kept[name] = {"bytes": len(data), "sha256": _digest(data)}
    if not kept and not (folder / MANIFEST).exists():
        return
    _write_manifest(folder, kept)


def _write_manifest(folder: Path, files: dict[str, dict]) -> None:
    """The folder's manifest listing `files` (name -> size and digest), written atomically."""
    manifest = {"written_by": "gradviz", "about": _ABOUT, "files": dict(sorted(files.items()))}
    _atomic_write(folder / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a new file beside `path`, flushed to the disk, then rename it over `path`: readers see the
    old file or the new one, never half of one, also after a crash or a power cut. The file gets the usual
    permissions (0666 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = path.parent / f".gradviz-{secrets.token_hex(6)}.tmp"
        try:
            descriptor = os.open(temporary, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    if os.name == "posix":  # the rename itself, made durable
        with suppress(OSError):
            folder = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
