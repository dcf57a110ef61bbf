"""The IDX file format of MNIST (``train-images.idx3-ubyte`` …): read, write, and load MNIST from a folder.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values in big-endian row-major order. gzip-compressed files
(``.gz``, as distributed) are read transparently.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from .tables import Dataset

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


class IDXFormatError(ValueError):
    """A file that is not a well-formed IDX file (bad magic number, unknown type, wrong length).

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


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (``idx1-ubyte`` labels, ``idx3-ubyte`` images, …; gzip or not) into a numpy array.

    The array has the file's shape and its values in native byte order (uint8 for MNIST).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-images.idx3-ubyte.gz"
    >>> write_idx(path, np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    >>> images = read_idx(path)
    >>> images.shape, images.dtype, images[2].tolist()
    ((3, 2, 2), dtype('uint8'), [[8, 9], [10, 11]])
    """
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise FileNotFoundError(f"read_idx: no file at {source!r}")
    with open(source, "rb") as handle:
        raw = handle.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise IDXFormatError(
                f"read_idx: {source} looks gzip-compressed but cannot be decompressed: {error}"
            ) from None
    return _decode(raw, source)


def _decode(raw: bytes, source: str) -> np.ndarray:
    if len(raw) < 4:
        raise IDXFormatError(f"read_idx: {source} is {len(raw)} bytes long, too short for the 4-byte IDX magic number")
    zero, type_code, ndim = raw[:2], raw[2], raw[3]
    if zero != b"\x00\x00":
        raise IDXFormatError(
            f"read_idx: {source} does not start like an IDX file (first bytes {raw[:4].hex(' ')}, expected 00 00 "
            "then a type code and a dimension count); is it an MNIST idx1/idx3 file?"
        )
    if type_code not in _IDX_DTYPES:
        known = ", ".join(f"0x{code:02X} ({dtype.name})" for code, dtype in _IDX_DTYPES.items())
        raise IDXFormatError(f"read_idx: {source} has unknown IDX type code 0x{type_code:02X}; known codes: {known}")
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise IDXFormatError(
            f"read_idx: {source} declares {ndim} dimensions but ends after {len(raw)} bytes, before its shape header"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_end])
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header_end
    if actual != expected:
        problem = "truncated" if actual < expected else "longer than its header says"
        raise IDXFormatError(
            f"read_idx: {source} is {problem}: shape {shape} of {dtype.name} needs {expected} data bytes, "
            f"found {actual} (a partial download?)"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_end).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native order, and a writable copy


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


def load_mnist(
    folder: str | os.PathLike, split: str = "train", *, flatten: bool = True, scale: bool = True, dtype="float64"
) -> Dataset:
    """MNIST (or Fashion-MNIST, same files) from a folder you downloaded it into; ``split`` is "train" or "test".

    ``X`` is (n, 784) when ``flatten`` (else (n, 28, 28)), divided by 255 when ``scale``, in ``dtype``
    (use ``"float32"`` to halve the memory); ``y`` holds int64 labels; ``images`` keeps the raw uint8 images.
    A missing file raises FileNotFoundError saying which names were looked for and where to get them.

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
    images = read_idx(_find_mnist_file(root, f"{prefix}-images", "idx3-ubyte"))
    labels = read_idx(_find_mnist_file(root, f"{prefix}-labels", "idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1:
        raise IDXFormatError(
            f"load_mnist: expected images of shape (n, rows, cols) and labels of shape (n,), got {images.shape} "
            f"and {labels.shape}"
        )
    if len(images) != len(labels):
        raise IDXFormatError(f"load_mnist: {len(images)} images but {len(labels)} labels in {str(root)!r}")
    X = images.reshape(len(images), -1) if flatten else images
    X = X.astype(dtype)
    if scale:
        X /= 255.0
    rows, cols = images.shape[1:]
    return Dataset(
        X,
        labels.astype(np.int64),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)) if flatten else (),
        target_names=tuple(str(k) for k in range(10)),
        target_name="digit",
        description=f"MNIST-format {split} split read from {root}",
        extras={"images": images},
    )
