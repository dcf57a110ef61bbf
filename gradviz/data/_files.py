"""Reading users' files safely: the error they raise, size limits checked before memory grows, a no-pickle .npz reader.

Every reader in gradviz.data (read_idx, load_mnist, load_csv, read_npz) refuses a file whose header
declares more than ``max_bytes`` (2 GiB by default, ``None`` for no limit) or more than the file can
hold, before it allocates or decompresses anything, and names the file, the problem and the fix.
"""

from __future__ import annotations

import math
import os
import struct
import zipfile
import zlib

import numpy as np

from ..errors import GradvizError

__all__ = ["DataFileError", "read_npz"]

MAX_BYTES = 2**31
"""The default limit on what one data file may declare or inflate to (2 GiB); pass ``max_bytes=`` to change it."""

# deflate emits at most 258 bytes per 2 bits of input: no gzip/zip member inflates more than 1032:1
DEFLATE_MAX_RATIO = 1032
CHUNK = 1 << 18  # bytes read (or inflated) at a time


class DataFileError(GradvizError, ValueError):
    """A data file that cannot be read as it is (empty, truncated, corrupt, lying about its size, unsafe).

    The message names the file, the problem and, where there is one, the fix. It is also a ValueError.

    >>> import pathlib, tempfile
    >>> from gradviz.data import DataFileError, read_npz
    >>> empty = pathlib.Path(tempfile.mkdtemp()) / "weights.npz"
    >>> _ = empty.write_bytes(b"")
    >>> try:
    ...     read_npz(empty)
    ... except DataFileError as error:
    ...     print(error)
    read_npz: ...weights.npz is empty (0 bytes): nothing was saved into it (an interrupted save?); ...
    """


def short_size(nbytes: int) -> str:
    """'47.0 MB', '512 bytes', '6.28e+29 bytes'."""
    if nbytes >= 10**18:
        return f"{float(nbytes):.3g} bytes"
    for unit, scale in (("PB", 10**15), ("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} bytes"


def human_size(nbytes: int) -> str:
    """'47,040,000 bytes (47.0 MB)': exact, then readable."""
    if nbytes < 1000:
        return f"{nbytes} bytes"
    return f"{nbytes:,} bytes ({short_size(nbytes)})"


def check_limit(
    nbytes: int, max_bytes: int | None, where: str, source: str, what: str, error: type = DataFileError
) -> None:
    """Refuse `what` (a phrase: "declares shape (3, 4) of uint8") when it needs more than max_bytes."""
    if max_bytes is not None and nbytes > max_bytes:
        raise error(
            f"{where}: {source} {what}, {human_size(nbytes)}, more than max_bytes={max_bytes} "
            f"({short_size(max_bytes)}); if the file really is that large, pass max_bytes=None (or a larger limit)"
        )


def check_max_bytes(max_bytes, where: str) -> int | None:
    """max_bytes must be a positive int or None."""
    if max_bytes is None:
        return None
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 1:
        raise ValueError(f"{where}: max_bytes must be a positive number of bytes or None (no limit), got {max_bytes!r}")
    return int(max_bytes)


def describe_start(head: bytes) -> str:
    """What a file looks like from its first bytes: 'text (it starts "weight,b")', 'a gzip file', …"""
    if head.startswith(b"\x1f\x8b"):
        return "a gzip-compressed file"
    if head.startswith(b"PK"):
        return "a zip archive"
    if head.startswith(b"\x93NUMPY"):
        return "a single .npy array"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a Python pickle"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel .xls (or other Office) file"
    if head.startswith(b"\x89HDF"):
        return "an HDF5 file (.h5, as Keras 2 saved weights)"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(ch.isprintable() or ch in "\t\r\n" for ch in text.lstrip("\ufeff")):
        shown = text.splitlines()[0] if text.strip() else text
        return f'text (it starts "{shown[:40]}")'
    return f"binary data (it starts {head[:8].hex(' ')})"


def deflate_capacity(compressed_bytes: int) -> int:
    """The most bytes a deflate stream (gzip, zip) of this size can inflate to, with room for headers."""
    return DEFLATE_MAX_RATIO * compressed_bytes + 1024


def _read_npy_header(member, version):
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(member)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(member)
    try:  # format 3.0 (utf-8 field names) has no public header reader
        from numpy.lib._format_impl import _read_array_header
    except ImportError:  # pragma: no cover - older numpy
        from numpy.lib.format import _read_array_header
    return _read_array_header(member, version)


# what zipfile, zlib and numpy's header parser raise on damaged bytes (RuntimeError: an encrypted member,
# NotImplementedError: an unknown zip version or compression, struct/Unicode errors: garbled directory fields)
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    struct.error,
    SyntaxError,
    OverflowError,
)

_KIND_NAMES = {
    "b": "bool",
    "i": "signed integer",
    "u": "unsigned integer",
    "f": "floating point",
    "c": "complex",
    "U": "text",
    "S": "bytes",
    "V": "structured/void",
    "M": "datetime",
    "m": "timedelta",
    "O": "object",
}


def read_npz(
    path: str | os.PathLike, *, kinds: str = "biuf", max_bytes: int | None = MAX_BYTES, where: str = "read_npz"
) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive (as written by ``np.savez`` or ``Module.save``), read safely.

    Never unpickles: an object array is refused (loading a pickle can run any code). Only dtype
    ``kinds`` are accepted — by default bool, integers and floats (``"biuf"``), so a complex array is
    refused rather than losing its imaginary part when copied into real parameters; pass
    ``kinds="biufc"`` to accept complex, ``"biufcUS"`` for text too. Each member's header is checked
    against the bytes the archive holds and against ``max_bytes`` (2 GiB; ``None`` = no limit) before
    anything is allocated. An empty, truncated or corrupt file, a text file or a single ``.npy`` array
    renamed ``.npz`` raise :class:`DataFileError` naming the file and the problem; ``where`` is the name
    the messages start with (``"Linear.load"``).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "weights.npz"
    >>> np.savez(path, weight=np.ones((2, 3)), bias=np.zeros(2))
    >>> {key: array.shape for key, array in read_npz(path).items()}
    {'weight': (2, 3), 'bias': (2,)}
    """
    source = os.fspath(path)
    max_bytes = check_max_bytes(max_bytes, where)
    if not os.path.exists(source):
        raise FileNotFoundError(f"{where}: no file at {source!r}")
    if os.path.isdir(source):
        raise DataFileError(f"{where}: {source} is a folder, not an .npz file")
    size = os.path.getsize(source)
    if size == 0:
        raise DataFileError(
            f"{where}: {source} is empty (0 bytes): nothing was saved into it (an interrupted save?); "
            "save the arrays again (np.savez(path, name=array), Module.save(path))"
        )
    with open(source, "rb") as handle:
        head = handle.read(64)
    if head.startswith(b"\x93NUMPY"):
        raise DataFileError(
            f"{where}: {source} is a single .npy array (np.save), not an .npz archive of named arrays; "
            "save it with np.savez(path, name=array), or read it with np.load(path, allow_pickle=False)"
        )
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise DataFileError(
            f"{where}: {source} is not an .npz archive: it is {describe_start(head)}. An .npz file is the zip "
            "archive np.savez / np.savez_compressed (or Module.save) writes"
        )
    try:
        archive = zipfile.ZipFile(source)
    except _DAMAGED as error:
        raise DataFileError(
            f"{where}: {source} is truncated or corrupt: its zip directory cannot be read ({error}); "
            "a partial download or an interrupted save? save or download it again"
        ) from None
    arrays: dict[str, np.ndarray] = {}
    budget = max_bytes
    with archive:
        for info in archive.infolist():
            name = info.filename
            if not name.endswith(".npy") or info.is_dir():
                raise DataFileError(
                    f"{where}: {source} holds {name!r}, which is not a .npy array; an .npz archive holds only "
                    "the .npy members np.savez writes"
                )
            key = name[: -len(".npy")]
            if key in arrays:
                raise DataFileError(f"{where}: {source} holds two arrays named {key!r}; save each name once")
            array = _read_member(archive, info, key, source, where, kinds, budget)
            if budget is not None:
                budget -= array.nbytes
            arrays[key] = array
    return arrays


def _read_member(archive, info, key, source, where, kinds, budget) -> np.ndarray:
    if info.compress_type != zipfile.ZIP_STORED and info.file_size > deflate_capacity(info.compress_size):
        raise DataFileError(
            f"{where}: {source} is corrupt: its member {key!r} declares {human_size(info.file_size)} but "
            f"{info.compress_size:,} compressed bytes cannot inflate to more than "
            f"{human_size(deflate_capacity(info.compress_size))}"
        )
    try:
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            shape, fortran_order, dtype = _read_npy_header(member, version)
            _check_dtype(dtype, key, source, where, kinds)
            count = math.prod(shape)
            nbytes = count * dtype.itemsize
            available = info.file_size - member.tell()
            if nbytes != available:
                problem = "truncated or corrupt" if nbytes > available else "corrupt"
                raise DataFileError(
                    f"{where}: {source} is {problem}: its array {key!r} declares shape {shape} of {dtype}, "
                    f"{human_size(nbytes)}, but the archive holds {human_size(max(available, 0))} for it; "
                    "save or download it again"
                )
            if budget is not None:
                check_limit(nbytes, budget, where, source, f"declares array {key!r} of shape {shape} of {dtype}")
            array = np.empty(count, dtype=dtype)
            _read_into(member, array.view(np.uint8) if count else None, nbytes)
            if member.read(1):  # also makes zipfile check the member's CRC
                raise DataFileError(f"{where}: {source} is corrupt: array {key!r} holds more bytes than it declares")
    except DataFileError:
        raise
    except _DAMAGED as error:
        raise DataFileError(
            f"{where}: {source} is truncated or corrupt: its array {key!r} cannot be read ({error}); "
            "save or download it again"
        ) from None
    if fortran_order:
        return array.reshape(shape[::-1]).transpose()
    return array.reshape(shape)


def _read_into(stream, target: np.ndarray | None, nbytes: int) -> None:
    """Fill target (a uint8 view) from stream in chunks; a stream that ends early is truncated."""
    if target is None:
        return
    view = memoryview(target)
    filled = 0
    while filled < nbytes:
        chunk = stream.read(min(CHUNK, nbytes - filled))
        if not chunk:
            raise EOFError(f"the data ends after {filled:,} of {nbytes:,} bytes")
        view[filled : filled + len(chunk)] = chunk
        filled += len(chunk)


def _check_dtype(dtype: np.dtype, key: str, source: str, where: str, kinds: str) -> None:
    if dtype.hasobject:
        raise DataFileError(
            f"{where}: {source} holds {key!r} as an object array (dtype {dtype}): reading it would unpickle it, "
            "and a pickle can run any code, so gradviz never does; save plain numeric arrays instead "
            f"(np.savez(path, {key}=np.asarray(values, dtype=float)))"
        )
    if dtype.kind in kinds:
        return
    allowed = ", ".join(_KIND_NAMES.get(kind, kind) for kind in kinds)
    if dtype.kind == "c":
        raise DataFileError(
            f"{where}: {source} holds {key!r} as {dtype} (complex numbers); gradviz's parameters and data are "
            "real, and keeping the real part would silently drop the imaginary part. Save array.real and "
            f"array.imag as two arrays, or pass kinds={kinds + 'c'!r} to read complex arrays"
        )
    raise DataFileError(
        f"{where}: {source} holds {key!r} as {dtype} ({_KIND_NAMES.get(dtype.kind, dtype.kind)}); "
        f"only {allowed} arrays are accepted here (kinds={kinds!r})"
    )
