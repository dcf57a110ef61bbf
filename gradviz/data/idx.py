"""The IDX file format of MNIST (``train-images.idx3-ubyte`` …): read, write, and load MNIST from a folder.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values in big-endian row-major order. gzip-compressed files
(``.gz``, as distributed) are read transparently.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ._files import (
    CHUNK,
    DEFLATE_MAX_RATIO,
    MAX_BYTES,
    DataFileError,
    check_limit,
    check_max_bytes,
    deflate_capacity,
    human_size,
    short_size,
)
from .tables import Dataset, returned

__all__ = ["read_idx", "write_idx", "load_mnist", "IDXFormatError"]

# type code → big-endian numpy dtype
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXFormatError(DataFileError):
    """A file that is not a well-formed IDX file (bad magic number, unknown type, wrong length, a header that lies).

    It is a :class:`DataFileError` (so also a ValueError).

    >>> import pathlib, tempfile
    >>> from gradviz.data import IDXFormatError, read_idx
    >>> broken = pathlib.Path(tempfile.mkdtemp()) / "broken.idx"
    >>> _ = broken.write_bytes(bytes([0, 0, 8, 1, 0]))      # says 1 dimension, then stops
    >>> try:
    ...     read_idx(broken)
    ... except IDXFormatError as error:
    ...     print(error)
    read_idx: ...broken.idx declares 1 dimensions but ends after 5 bytes, before its shape header
    """


def read_idx(path: str | os.PathLike, *, max_bytes: int | None = MAX_BYTES) -> np.ndarray:
    """Read an IDX file (``idx1-ubyte`` labels, ``idx3-ubyte`` images, …; gzip or not) into a numpy array.

    The array has the file's shape and its values in native byte order (uint8 for MNIST). The header's
    declared size is checked before anything is allocated or decompressed: against ``max_bytes``
    (2 GiB by default; ``None`` for no limit), against the file's length (or, gzip-compressed, against
    what its compressed bytes can inflate to), and a gzip stream is inflated piece by piece, stopping one
    byte past the declared size. A file that is truncated, longer than its header says, corrupt or not
    IDX at all raises :class:`IDXFormatError` naming the file and the problem.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-images.idx3-ubyte.gz"
    >>> write_idx(path, np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    >>> images = read_idx(path)
    >>> images.shape, images.dtype, images[2].tolist()
    ((3, 2, 2), dtype('uint8'), [[8, 9], [10, 11]])
    """
    source = os.fspath(path)
    max_bytes = check_max_bytes(max_bytes, "read_idx")
    if not os.path.isfile(source):
        raise FileNotFoundError(f"read_idx: no file at {source!r}")
    size = os.path.getsize(source)
    with open(source, "rb") as handle:
        compressed = handle.read(2) == _GZIP_MAGIC
        if not compressed:
            handle.seek(0)
            dtype, shape, header_bytes = _read_header(handle, source, size, compressed=False)
            nbytes = _check_declared(dtype, shape, source, size - header_bytes, max_bytes, compressed=False)
            array = np.empty(shape, dtype=dtype)
            _fill(handle, array, nbytes, source)
            return _native(array)
        handle.seek(max(size - 4, 0))
        trailer = handle.read(4)
    try:
        with gzip.open(source, "rb") as stream:
            dtype, shape, header_bytes = _read_header(stream, source, None, compressed=True)
            capacity = deflate_capacity(size) - header_bytes
            nbytes = _check_declared(dtype, shape, source, capacity, max_bytes, compressed=True)
        total = header_bytes + nbytes
        # the gzip trailer holds the inflated length mod 2**32; when it disagrees with the header (a bomb,
        # a lie, a truncated or multi-part stream) count the inflated bytes first, keeping none of them
        if len(trailer) < 4 or struct.unpack("<I", trailer)[0] != total % 2**32:
            with gzip.open(source, "rb") as stream:
                inflated = _count(stream, total + 1)
            if inflated != total:
                raise _length_error(source, dtype, shape, nbytes, inflated - header_bytes)
        with gzip.open(source, "rb") as stream:
            stream.read(header_bytes)
            array = np.empty(shape, dtype=dtype)
            _fill(stream, array, nbytes, source)
    except (OSError, EOFError, zlib.error) as error:
        raise IDXFormatError(
            f"read_idx: {source} looks gzip-compressed but cannot be decompressed ({error}): a truncated or "
            "damaged download? download it again"
        ) from None
    return _native(array)


def _read_header(stream, source: str, size: int | None, *, compressed: bool):
    """(big-endian dtype, shape, header length) from the magic number and the shape header."""
    magic = stream.read(4)
    if len(magic) < 4:
        length = size if size is not None else len(magic)
        what = "inflates to" if compressed else "is"
        raise IDXFormatError(
            f"read_idx: {source} {what} {length} bytes long, too short for the 4-byte IDX magic number"
        )
    zero, type_code, ndim = magic[:2], magic[2], magic[3]
    if zero != b"\x00\x00":
        raise IDXFormatError(
            f"read_idx: {source} does not start like an IDX file (first bytes {magic.hex(' ')}, expected 00 00 "
            "then a type code and a dimension count); is it an MNIST idx1/idx3 file?"
        )
    if type_code not in _IDX_DTYPES:
        known = ", ".join(f"0x{code:02X} ({dtype.name})" for code, dtype in _IDX_DTYPES.items())
        raise IDXFormatError(f"read_idx: {source} has unknown IDX type code 0x{type_code:02X}; known codes: {known}")
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise IDXFormatError(
            f"read_idx: {source} declares {ndim} dimensions but ends after {4 + len(dims)} bytes, "
            "before its shape header"
        )
    return _IDX_DTYPES[type_code], struct.unpack(f">{ndim}I", dims), 4 + 4 * ndim


def _check_declared(dtype, shape, source: str, room: int, max_bytes, *, compressed: bool) -> int:
    """The data bytes the header declares (exact: Python ints never overflow), checked before any allocation."""
    nbytes = math.prod(shape) * dtype.itemsize
    declared = f"declares shape {shape} of {dtype.name}"
    if nbytes > room:
        if compressed:
            raise IDXFormatError(
                f"read_idx: {source}'s header {declared}, {human_size(nbytes)}, but a gzip file of this size "
                f"cannot hold more than {human_size(max(room, 0))} (deflate inflates at most "
                f"{DEFLATE_MAX_RATIO}:1): the header is wrong or the file is truncated; download it again"
            )
        raise _length_error(source, dtype, shape, nbytes, room)
    check_limit(nbytes, max_bytes, "read_idx", source, declared, IDXFormatError)
    if not compressed and nbytes < room:
        raise _length_error(source, dtype, shape, nbytes, room)
    return nbytes


def _length_error(source, dtype, shape, nbytes: int, actual: int) -> IDXFormatError:
    if actual < nbytes:
        return IDXFormatError(
            f"read_idx: {source} is truncated: its header declares shape {shape} of {dtype.name}, which needs "
            f"{_bytes(nbytes)}, found {max(actual, 0):,} (a partial download?)"
        )
    extra = "more bytes follow them" if actual == nbytes + 1 else f"{actual - nbytes} more bytes follow them"
    return IDXFormatError(
        f"read_idx: {source} is longer than its header says: shape {shape} of {dtype.name} needs {_bytes(nbytes)} "
        f"and {extra} (the rest is never read); the header is wrong, or two files were joined"
    )


def _bytes(nbytes: int) -> str:
    """'5 data bytes', '47,040,000 data bytes (47.0 MB)'."""
    return f"{nbytes:,} data bytes" + (f" ({short_size(nbytes)})" if nbytes >= 1000 else "")


def _count(stream, stop: int) -> int:
    """Bytes the stream inflates to, reading at most `stop` of them (and keeping none)."""
    seen = 0
    while seen < stop:
        chunk = stream.read(min(CHUNK, stop - seen))
        if not chunk:
            break
        seen += len(chunk)
    return seen


def _fill(stream, array: np.ndarray, nbytes: int, source: str) -> None:
    """Read exactly nbytes into the array's memory, then make sure nothing follows."""
    target = array.reshape(-1).view(np.uint8) if nbytes else None
    filled = 0
    if target is not None:
        view = memoryview(target)
        while filled < nbytes:
            chunk = stream.read(min(CHUNK, nbytes - filled))
            if not chunk:
                break
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
    if filled < nbytes:
        raise _length_error(source, array.dtype, array.shape, nbytes, filled)
    if stream.read(1):  # (for gzip, reading the end also checks its CRC)
        raise _length_error(source, array.dtype, array.shape, nbytes, nbytes + 1)


def _native(array: np.ndarray) -> np.ndarray:
    """The same values in native byte order, swapped in place (no second copy)."""
    native = array.dtype.newbyteorder("=")
    if array.dtype.str == native.str:
        return array
    return array.byteswap(inplace=True).view(native)


def write_idx(path: str | os.PathLike, array) -> None:
    """Write an array as an IDX file (gzip-compressed when the name ends in ``.gz``); read it back with read_idx.

    Supported dtypes: uint8, int8, int16, int32, float32, float64 (the ones IDX defines).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.idx1-ubyte"
    >>> write_idx(path, np.array([7, 2, 1], dtype=np.uint8))
    >>> list(path.read_bytes())         # magic 0 0 8 (ubyte) 1 (one dimension), size 3, then the values
    [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]
    """
    data = np.asarray(array)
    native = data.dtype.newbyteorder("=")
    if native not in _CODES:
        names = ", ".join(dtype.name for dtype in _IDX_DTYPES.values())
        raise TypeError(f"write_idx: IDX cannot store dtype {data.dtype}; convert to one of: {names}")
    if data.ndim > 255:
        raise ValueError(f"write_idx: IDX allows at most 255 dimensions, got {data.ndim}")
    if any(size > 0xFFFFFFFF for size in data.shape):
        raise ValueError(f"write_idx: IDX dimensions must fit in uint32, got shape {data.shape}")
    code = _CODES[native]
    header = bytes([0, 0, code, data.ndim]) + struct.pack(f">{data.ndim}I", *data.shape)
    payload = header + np.ascontiguousarray(data, dtype=_IDX_DTYPES[code]).tobytes()
    target = os.fspath(path)
    if target.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    with open(target, "wb") as handle:
        handle.write(payload)


_MNIST_WHERE = (
    "Download the four MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) from http://yann.lecun.com/exdb/mnist/ or a mirror "
    "such as https://ossci-datasets.s3.amazonaws.com/mnist/ (the one torchvision uses) into that folder; "
    "gzip-compressed or not, with '-' or '.' before 'idx', both work."
)


def _find_mnist_file(folder: Path, stem: str, kind: str) -> Path:
    candidates = [f"{stem}-{kind}", f"{stem}.{kind}"]
    for name in candidates:
        for suffix in ("", ".gz"):
            path = folder / (name + suffix)
            if path.is_file():
                return path
    tried = ", ".join(name + suffix for name in candidates for suffix in ("", ".gz"))
    raise FileNotFoundError(f"load_mnist: no {stem} file in {str(folder)!r} (looked for {tried}). {_MNIST_WHERE}")


def _check_labels(labels: np.ndarray, path: Path) -> None:
    """MNIST labels are whole numbers 0..9: anything else is another data set's file, or a damaged one."""
    if labels.dtype.kind not in "iu":
        raise IDXFormatError(
            f"load_mnist: {path} holds {labels.dtype} labels; MNIST labels are integers 0–9 (IDX type 0x08): "
            "is it the labels file?"
        )
    outside = np.flatnonzero((labels < 0) | (labels > 9))
    if outside.size:
        first = int(outside[0])
        raise IDXFormatError(
            f"load_mnist: {path} holds {outside.size} label(s) outside 0–9 (the first, at index {first}, is "
            f"{int(labels[first])}); MNIST and Fashion-MNIST have classes 0–9: for another data set's labels "
            "(EMNIST, …) use read_idx"
        )


def load_mnist(
    folder: str | os.PathLike,
    split: str = "train",
    *,
    flatten: bool = True,
    scale: bool = True,
    dtype="float64",
    max_bytes: int | None = MAX_BYTES,
    return_X_y: bool = False,
) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """MNIST (or Fashion-MNIST, same files) from a folder you downloaded it into; ``split`` is "train" or "test".

    ``X`` is (n, 784) when ``flatten`` (else (n, 28, 28)), divided by 255 when ``scale``, in ``dtype``
    (use ``"float32"`` to halve the memory); ``y`` holds int64 labels; ``images`` keeps the raw uint8 images.
    A missing file raises FileNotFoundError saying which names were looked for and where to get them;
    labels outside 0–9, non-integer labels, or non-uint8 images with ``scale`` raise IDXFormatError
    naming the file (``max_bytes`` is read_idx's limit per file). ``return_X_y=True`` returns ``(X, y)``,
    as scikit-learn's loaders do.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())       # a stand-in for the folder holding the real files
    >>> write_idx(folder / "train-images.idx3-ubyte", np.zeros((2, 28, 28), dtype=np.uint8))
    >>> write_idx(folder / "train-labels.idx1-ubyte", np.array([5, 0], dtype=np.uint8))
    >>> X, y = load_mnist(folder)
    >>> X.shape, y.tolist()
    ((2, 784), [5, 0])
    """
    if split not in ("train", "test"):
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"load_mnist: {str(root)!r} is not a folder. {_MNIST_WHERE}")
    prefix = "train" if split == "train" else "t10k"
    images_path = _find_mnist_file(root, f"{prefix}-images", "idx3-ubyte")
    labels_path = _find_mnist_file(root, f"{prefix}-labels", "idx1-ubyte")
    images = read_idx(images_path, max_bytes=max_bytes)
    labels = read_idx(labels_path, max_bytes=max_bytes)
    if images.ndim != 3 or labels.ndim != 1:
        raise IDXFormatError(
            f"load_mnist: expected images of shape (n, rows, cols) and labels of shape (n,), got {images.shape} "
            f"({images_path.name}) and {labels.shape} ({labels_path.name})"
        )
    if len(images) != len(labels):
        raise IDXFormatError(f"load_mnist: {len(images)} images but {len(labels)} labels in {str(root)!r}")
    _check_labels(labels, labels_path)
    if scale and images.dtype != np.uint8:
        raise IDXFormatError(
            f"load_mnist: {images_path} holds {images.dtype} pixels, but scale=True divides by 255, which is "
            "right only for uint8 images (IDX type 0x08); pass scale=False to keep the values as they are"
        )
    X = images.reshape(len(images), -1) if flatten else images
    X = X.astype(dtype)
    if scale:
        X /= 255.0
    rows, cols = images.shape[1:]
    dataset = Dataset(
        X,
        labels.astype(np.int64),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)) if flatten else (),
        target_names=tuple(str(k) for k in range(10)),
        target_name="digit",
        description=f"MNIST-format {split} split read from {root}",
        extras={"images": images},
    )
    return returned(dataset, return_X_y, False, "load_mnist")
