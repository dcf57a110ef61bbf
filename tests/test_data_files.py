"""Users' files that lie or break: .npz, IDX (MNIST) and CSV give a clear gradviz error naming the file, or the
right result; never a raw numpy/gzip/csv traceback, never a silently lost row, column or imaginary part."""

from __future__ import annotations

import gzip
import io
import pickle
import re
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from gradviz import GradvizError, data
from gradviz.data import DataFileError, read_npz

MiB = 2**20


def _raises(error_type, *patterns, call):
    """call() raises error_type (a GradvizError) whose message matches every pattern."""
    with pytest.raises(error_type) as caught:
        call()
    assert isinstance(caught.value, GradvizError), type(caught.value).__mro__
    for pattern in patterns:
        assert re.search(pattern, str(caught.value)), (pattern, str(caught.value))
    return caught.value


# -- .npz -------------------------------------------------------------------------------------


def test_read_npz_returns_every_array_of_a_plain_and_a_compressed_archive(tmp_path):
    arrays = {"weight": np.arange(6.0).reshape(2, 3), "bias": np.array([1, 2], dtype=np.int32), "flag": np.array(True)}
    for save, name in ((np.savez, "plain.npz"), (np.savez_compressed, "small.npz")):
        path = tmp_path / name
        save(path, **arrays)
        back = read_npz(path)
        assert sorted(back) == ["bias", "flag", "weight"]
        for key, array in arrays.items():
            np.testing.assert_array_equal(back[key], array)
            assert back[key].dtype == array.dtype
    fortran = tmp_path / "fortran.npz"
    np.savez(fortran, a=np.asfortranarray(np.arange(6).reshape(2, 3)))
    np.testing.assert_array_equal(read_npz(fortran)["a"], np.arange(6).reshape(2, 3))


def test_read_npz_refuses_a_complex_array_instead_of_dropping_its_imaginary_part(tmp_path):
    path = tmp_path / "complex.npz"
    np.savez(path, weight=np.array([1 + 2j, 3 - 1j]))
    _raises(DataFileError, "complex.npz", "'weight'", "complex128", "imaginary", call=lambda: read_npz(path))
    assert read_npz(path, kinds="biufc")["weight"][0] == 1 + 2j  # asked for


def test_read_npz_refuses_a_truncated_archive(tmp_path):
    good = tmp_path / "good.npz"
    np.savez(good, weight=np.arange(1000.0))
    for cut in (100, len(good.read_bytes()) - 30):
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(good.read_bytes()[:cut])
        _raises(DataFileError, f"cut{cut}.npz", "truncated|corrupt", call=lambda path=path: read_npz(path))


def test_read_npz_refuses_a_compressed_member_whose_bytes_are_damaged(tmp_path):
    good = tmp_path / "good.npz"
    np.savez_compressed(good, weight=np.random.default_rng(0).normal(size=2000))
    raw = bytearray(good.read_bytes())
    raw[400:420] = b"\xff" * 20
    path = tmp_path / "damaged.npz"
    path.write_bytes(bytes(raw))
    _raises(DataFileError, "damaged.npz", "corrupt|truncated", call=lambda: read_npz(path))


def test_read_npz_says_a_text_file_renamed_npz_is_text(tmp_path):
    path = tmp_path / "weights.npz"
    path.write_text("weight,bias\n1,2\n")
    _raises(DataFileError, "weights.npz", "not an .npz", "text", call=lambda: read_npz(path))


def test_read_npz_says_an_empty_file_is_empty(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    _raises(DataFileError, "empty.npz", r"empty \(0 bytes\)", call=lambda: read_npz(path))


def test_read_npz_says_a_single_npy_array_is_not_an_archive(tmp_path):
    path = tmp_path / "one.npz"
    with open(path, "wb") as handle:
        np.save(handle, np.arange(3))
    _raises(DataFileError, "one.npz", r"\.npy", "np.savez", call=lambda: read_npz(path))


class _Marker:
    """Unpickling this touches a file: proof that a reader ran code from the archive."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_read_npz_refuses_object_arrays_and_never_unpickles(tmp_path):
    marker = tmp_path / "unpickled-was-run"
    path = tmp_path / "pickled.npz"
    np.savez(path, weight=np.array([_Marker(marker)], dtype=object))
    assert not marker.exists()
    _raises(DataFileError, "pickled.npz", "'weight'", "object", "pickle", call=lambda: read_npz(path))
    assert not marker.exists()
    # also a raw pickle renamed .npz
    renamed = tmp_path / "renamed.npz"
    renamed.write_bytes(pickle.dumps(_Marker(marker)))
    _raises(DataFileError, "renamed.npz", "not an .npz", call=lambda: read_npz(renamed))
    assert not marker.exists()


def _npy_header(shape, descr="<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_read_npz_refuses_a_member_whose_header_claims_more_than_it_holds_before_allocating(tmp_path):
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w") as archive:  # 10^12 float64 (8 TB) declared, 16 bytes present
        archive.writestr("weight.npy", _npy_header((10**6, 10**6)) + b"\0" * 16)
    tracemalloc.start()
    try:
        _raises(DataFileError, "liar.npz", "'weight'", "declares", call=lambda: read_npz(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB


def test_read_npz_refuses_an_archive_beyond_max_bytes(tmp_path):
    path = tmp_path / "big.npz"
    np.savez_compressed(path, weight=np.zeros(100_000))
    _raises(DataFileError, "big.npz", "max_bytes", call=lambda: read_npz(path, max_bytes=10_000))
    assert read_npz(path, max_bytes=None)["weight"].shape == (100_000,)


def test_read_npz_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        read_npz(tmp_path / "absent.npz")


# -- IDX -------------------------------------------------------------------------------------


def _idx_header(type_code, *shape) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def test_idx_header_whose_size_product_overflows_int64_is_refused_by_its_declared_size(tmp_path):
    path = tmp_path / "overflow.idx3-ubyte"
    path.write_bytes(_idx_header(0x0E, 2**32 - 1, 2**32 - 1, 2**32 - 1) + b"\0" * 64)  # 8·(2³²−1)³ bytes
    error = _raises(data.IDXFormatError, "overflow.idx3-ubyte", "declares", call=lambda: data.read_idx(path))
    assert isinstance(error, DataFileError)
    # a product that wraps around to exactly the bytes present must not pass either
    wraps = tmp_path / "wraps.idx"
    wraps.write_bytes(_idx_header(0x08, 2**31, 2**31, 4))  # 2⁶⁴ bytes: 0 in int64 arithmetic
    _raises(data.IDXFormatError, "wraps.idx", "declares", call=lambda: data.read_idx(wraps))


def test_idx_sizes_larger_than_the_file_are_refused_before_reading_it(tmp_path):
    path = tmp_path / "short.idx"
    path.write_bytes(_idx_header(0x08, 60000, 28, 28) + b"\0" * 100)
    _raises(data.IDXFormatError, "short.idx", "truncated", "47,040,000 data bytes", call=lambda: data.read_idx(path))


def test_idx_limit_refuses_a_declared_size_above_max_bytes(tmp_path):
    path = tmp_path / "images.idx"
    data.write_idx(path, np.zeros((10, 28, 28), dtype=np.uint8))
    _raises(data.IDXFormatError, "images.idx", "max_bytes", call=lambda: data.read_idx(path, max_bytes=1000))
    assert data.read_idx(path, max_bytes=None).shape == (10, 28, 28)


def test_idx_corrupt_and_truncated_gzip_say_they_cannot_be_decompressed(tmp_path):
    good = tmp_path / "good.idx.gz"
    data.write_idx(good, np.random.default_rng(0).integers(0, 256, size=(50, 28, 28), dtype=np.uint8))
    raw = good.read_bytes()
    damaged = bytearray(raw)
    damaged[len(raw) // 2 : len(raw) // 2 + 40] = bytes(range(40))
    cases = {"damaged.idx.gz": bytes(damaged), "cut.idx.gz": raw[: len(raw) // 2], "no-trailer.idx.gz": raw[:-6]}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        _raises(data.IDXFormatError, name, "gzip|truncated", call=lambda path=path: data.read_idx(path))


def _gzip_bomb(path, header: bytes, size: int, *, noisy: bool = False) -> None:
    """A gzip file: `header` then `size` bytes of zeros (with 2 KiB of noise per MiB when `noisy`, so that it
    compresses about 350:1 instead of deflate's 1032:1), compressed chunk by chunk, never held whole in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytearray(MiB)
    if noisy:
        chunk[: 2 * 1024] = np.random.default_rng(0).integers(0, 256, 2 * 1024, dtype=np.uint8).tobytes()
    with open(path, "wb") as handle:
        handle.write(compressor.compress(header))
        for _ in range(size // MiB):
            handle.write(compressor.compress(chunk))
        handle.write(compressor.flush())


def _peak_while(call) -> int:
    tracemalloc.start()
    try:
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_idx_gzip_bomb_longer_than_its_header_is_refused_before_memory_grows(tmp_path):
    path = tmp_path / "bomb.idx1-ubyte.gz"
    _gzip_bomb(path, _idx_header(0x08, 10), 32 * MiB)  # says 10 labels, inflates to 32 MiB
    assert path.stat().st_size < 100_000

    def read():
        _raises(
            data.IDXFormatError, "bomb.idx1-ubyte.gz", "longer than its header says", call=lambda: data.read_idx(path)
        )

    assert _peak_while(read) < 2 * MiB


def test_idx_gzip_claiming_more_than_it_inflates_to_is_refused_before_memory_grows(tmp_path):
    path = tmp_path / "short.idx3-ubyte.gz"
    _gzip_bomb(path, _idx_header(0x08, 33, 1024, 1024), 32 * MiB, noisy=True)  # says 33 MiB, holds 32 MiB
    assert 33 * MiB < 1032 * path.stat().st_size  # so only inflating can tell: the header is not impossible

    def read():
        _raises(data.IDXFormatError, "short.idx3-ubyte.gz", "truncated", call=lambda: data.read_idx(path))

    assert _peak_while(read) < 2 * MiB


def test_idx_gzip_header_declaring_more_than_deflate_can_hold_is_refused_without_decompressing(tmp_path):
    path = tmp_path / "tiny.idx.gz"
    path.write_bytes(gzip.compress(_idx_header(0x08, 1000, 1000, 1000) + bytes(100)))  # 1 GB in ~100 bytes
    _raises(data.IDXFormatError, "tiny.idx.gz", "declares", "cannot hold", call=lambda: data.read_idx(path))


def test_idx_read_peak_memory_is_one_copy_of_the_data(tmp_path):
    array = np.random.default_rng(0).integers(0, 256, size=(2000, 28, 28), dtype=np.uint8)  # 1.5 MiB
    for name in ("images.idx", "images.idx.gz"):
        path = tmp_path / name
        data.write_idx(path, array)
        result = {}
        peak = _peak_while(lambda path=path, result=result: result.setdefault("x", data.read_idx(path)))
        np.testing.assert_array_equal(result["x"], array)
        assert peak < 1.5 * array.nbytes + 2 * MiB, (name, peak)
    wide = np.arange(-500, 500, dtype=np.int32).reshape(10, 100)
    data.write_idx(tmp_path / "wide.idx.gz", wide)
    back = data.read_idx(tmp_path / "wide.idx.gz")
    np.testing.assert_array_equal(back, wide)
    assert back.dtype == np.dtype("int32") and back.flags.writeable


def _write_mnist(folder, labels, n_images=None):
    n = len(labels) if n_images is None else n_images
    data.write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((n, 28, 28), dtype=np.uint8))
    data.write_idx(folder / "train-labels-idx1-ubyte.gz", np.asarray(labels))


def test_load_mnist_refuses_labels_outside_0_to_9(tmp_path):
    _write_mnist(tmp_path, np.array([3, 10, 255, 1], dtype=np.uint8))
    _raises(
        data.IDXFormatError,
        "train-labels-idx1-ubyte.gz",
        "outside 0–9",
        "10",
        "index 1",
        call=lambda: data.load_mnist(tmp_path),
    )


def test_load_mnist_refuses_float_labels_and_non_byte_images(tmp_path):
    _write_mnist(tmp_path, np.array([1.5, 2.0], dtype=np.float32))
    _raises(data.IDXFormatError, "train-labels", "whole numbers|integer", call=lambda: data.load_mnist(tmp_path))
    data.write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([1, 2], dtype=np.uint8))
    data.write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.full((2, 28, 28), 300.0, dtype=np.float32))
    _raises(data.IDXFormatError, "train-images", "uint8", "scale=False", call=lambda: data.load_mnist(tmp_path))
    X, _ = data.load_mnist(tmp_path, scale=False)
    assert X.max() == 300.0


# -- CSV -------------------------------------------------------------------------------------


def test_load_csv_strips_a_utf8_bom_from_the_first_column_name(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("size,price\n50,100\n70,150\n".encode("utf-8-sig"))
    ds = data.load_csv(path, target="price")
    assert ds.feature_names == ("size",) and ds.X.tolist() == [[50.0], [70.0]]
    assert data.load_csv(path, target="size").target_name == "size"


def test_load_csv_reads_latin1_text_and_says_which_encoding_it_used(tmp_path):
    path = tmp_path / "pisos.csv"
    path.write_bytes("tamaño,precio,barrio\n42.5,91241,Chamberí\n54.2,101251,Salamanca\n".encode("latin-1"))
    ds = data.load_csv(path, target="barrio")
    assert ds.feature_names == ("tamaño", "precio") and ds.target_names == ("Chamberí", "Salamanca")
    assert "1252" in ds.description or "latin" in ds.description.lower()
    assert data.load_csv(path, target="barrio", encoding="latin-1").target_names == ("Chamberí", "Salamanca")


def test_load_csv_wrong_explicit_encoding_names_the_line_and_the_fix(tmp_path):
    path = tmp_path / "pisos.csv"
    path.write_bytes("size,price\n1,2\n3,4\nñ,5\n".encode("latin-1"))
    _raises(
        DataFileError, "pisos.csv", "utf-8", "line 4", "encoding=", call=lambda: data.load_csv(path, encoding="utf-8")
    )


def test_load_csv_reads_utf16_with_a_bom_as_excel_writes_unicode_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("size\tprice\n50\t100\n70\t150\n".encode("utf-16"))
    ds = data.load_csv(path)
    assert ds.feature_names == ("size",) and ds.y.tolist() == [100.0, 150.0]


def test_load_csv_headerless_file_with_string_labels_keeps_its_first_row(tmp_path):
    path = tmp_path / "iris-no-header.csv"
    path.write_text("5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,2.9,virginica\n")
    ds = data.load_csv(path)
    assert ds.X.tolist() == [[5.1, 3.5], [4.9, 3.0], [6.3, 2.9]]
    assert ds.y.tolist() == [0, 0, 1] and ds.target_names == ("setosa", "virginica")
    assert ds.feature_names == ("x0", "x1")
    # a real header is still a header
    named = tmp_path / "named.csv"
    named.write_text("sepal,petal,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n")
    assert data.load_csv(named).feature_names == ("sepal", "petal") and data.load_csv(named).n_samples == 2


def test_load_csv_detects_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "pisos.csv"
    path.write_text("tamaño;precio\n42,45;91241\n54,25;101251\n32,5;83051\n")
    ds = data.load_csv(path, target="precio")
    assert ds.X[:, 0].tolist() == [42.45, 54.25, 32.5] and ds.y.tolist() == [91241.0, 101251.0, 83051.0]
    headerless = tmp_path / "numbers.csv"
    headerless.write_text("1,5;2,0\n3,25;4,0\n")
    ds = data.load_csv(headerless)
    assert ds.X.tolist() == [[1.5], [3.25]] and ds.y.tolist() == [2.0, 4.0]
    tabs = tmp_path / "tabs.tsv"
    tabs.write_text("a\tb\tc\n1\t2\t3\n4\t5\t6\n")
    assert data.load_csv(tabs).X.tolist() == [[1.0, 2.0], [4.0, 5.0]]


def test_load_csv_explicit_decimal_comma_reads_thousands_dots(tmp_path):
    path = tmp_path / "precios.csv"
    path.write_text("tamaño;precio\n42,45;91.241\n54,25;101.251,5\n")
    ds = data.load_csv(path, decimal=",")
    assert ds.X[:, 0].tolist() == [42.45, 54.25] and ds.y.tolist() == [91241.0, 101251.5]
    with pytest.raises(ValueError, match="decimal must be"):
        data.load_csv(path, decimal="x")


def test_load_csv_comma_separated_labels_with_semicolons_stay_comma_separated(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b,note\n1,2,x;y\n3,4,z;w\n")
    ds = data.load_csv(path)
    assert ds.X.tolist() == [[1.0, 2.0], [3.0, 4.0]] and ds.target_names == ("x;y", "z;w")


def test_load_csv_refuses_nul_bytes_naming_the_line(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b\n1,2\n3,\x004\n")
    _raises(DataFileError, "nul.csv", "NUL", "line 3", call=lambda: data.load_csv(path))
    spreadsheet = tmp_path / "book.csv"
    spreadsheet.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(50))
    _raises(DataFileError, "book.csv", "xlsx|zip", call=lambda: data.load_csv(spreadsheet))


def test_load_csv_huge_cell_is_a_clear_error_not_a_csv_traceback(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("a,b\n1,2\n3," + "9" * (2 * MiB) + "\n")
    _raises(DataFileError, "huge.csv", "line 3", "cell", "characters", call=lambda: data.load_csv(path))
    quote = tmp_path / "quote.csv"
    quote.write_text('a,b\n1,"2\n' + "3,4\n" * 40_000)  # an unclosed quote swallows the rest of the file
    _raises(DataFileError, "quote.csv", "line 2", "quote", call=lambda: data.load_csv(quote))


def test_load_csv_ragged_rows_name_their_physical_line(tmp_path):
    fewer = tmp_path / "fewer.csv"
    fewer.write_text("a,b,c\n\n1,2,3\n\n4,5\n")
    _raises(DataFileError, "fewer.csv", "line 5 has 2 cells", "3", call=lambda: data.load_csv(fewer))
    spanning = tmp_path / "spanning.csv"  # a quoted cell over two lines: later rows keep their real line numbers
    spanning.write_text('a,b,label\n1,2,"two\nlines"\n3,4\n')
    _raises(DataFileError, "spanning.csv", "line 4 has 2 cells", call=lambda: data.load_csv(spanning))
    more = tmp_path / "more.csv"
    more.write_text("a,b\n1,2\n3,4,5\n")
    _raises(DataFileError, "more.csv", "line 3 has 3 cells", call=lambda: data.load_csv(more))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", r"empty \(0 bytes\)"), (b"\n\n  \n", "no rows"), (b"a,b,c\n", "header but no data rows")],
)
def test_load_csv_empty_files_and_a_header_only(tmp_path, content, message):
    path = tmp_path / "blank.csv"
    path.write_bytes(content)
    _raises(DataFileError, "blank.csv", message, call=lambda: data.load_csv(path))


def test_load_csv_corrupt_gzip_is_a_clear_error(tmp_path):
    good = gzip.compress(b"a,b\n" + b"1,2\n" * 5000)
    path = tmp_path / "table.csv.gz"
    path.write_bytes(good[: len(good) // 2])
    _raises(DataFileError, "table.csv.gz", "gzip", call=lambda: data.load_csv(path))


def test_load_csv_refuses_a_file_beyond_max_bytes(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 1000)
    _raises(DataFileError, "big.csv", "max_bytes", call=lambda: data.load_csv(path, max_bytes=100))
    assert data.load_csv(path, max_bytes=None).n_samples == 1000


def test_load_csv_unclosed_quote_at_the_end_is_refused_not_merged_into_one_row(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text('a,b\n1,"2\n3,4\n5,6\n')  # today: one row whose target is '2\n3,4\n5,6\n'
    _raises(DataFileError, "open.csv", "line 2", "never closed", call=lambda: data.load_csv(path))
    glued = tmp_path / "glued.csv"
    glued.write_text('a,b\n"1"2,3\n')  # text after a closing quote: not silently read as 12
    _raises(DataFileError, "glued.csv", "line 2", "closing quote", call=lambda: data.load_csv(glued))


# -- every damaged file gives a gradviz error or a result: a seeded fuzz ---------------------------


def _mutations(good: bytes, seed: int, count: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        raw = bytearray(good)
        kind = rng.integers(4)
        if kind == 0 and raw:  # truncate
            del raw[rng.integers(len(raw)) :]
        elif kind == 1:  # flip bytes
            for at in rng.integers(0, max(len(raw), 1), size=rng.integers(1, 8)):
                if raw:
                    raw[at] = rng.integers(256)
        elif kind == 2:  # insert junk
            at = rng.integers(len(raw) + 1)
            raw[at:at] = rng.integers(0, 256, size=rng.integers(1, 16), dtype=np.uint8).tobytes()
        else:  # duplicate a slice (joined files, repeated headers)
            start = rng.integers(len(raw) + 1)
            raw[start:start] = raw[: rng.integers(len(raw) + 1)]
        yield bytes(raw)


def _good_files(tmp_path):
    npz, compressed = tmp_path / "good.npz", tmp_path / "good-small.npz"
    np.savez(npz, weight=np.arange(12.0).reshape(3, 4), bias=np.arange(3, dtype=np.int32))
    np.savez_compressed(compressed, weight=np.arange(40.0))
    idx, idx_gz = tmp_path / "good.idx", tmp_path / "good.idx.gz"
    data.write_idx(idx, np.arange(24, dtype=np.int16).reshape(2, 3, 4))
    data.write_idx(idx_gz, np.arange(60, dtype=np.uint8).reshape(3, 4, 5))
    table = "size;rooms;kind\n42,5;2;flat\n60,25;3;house\n33,0;1;flat\n".encode("latin-1")
    return {
        read_npz: [npz.read_bytes(), compressed.read_bytes()],
        data.read_idx: [idx.read_bytes(), idx_gz.read_bytes()],
        data.load_csv: [table, "a,b,label\n1,2,x\n3,4,y\n".encode("utf-8-sig"), gzip.compress(table)],
    }


def test_damaged_files_give_a_gradviz_error_or_a_result_never_a_raw_traceback(tmp_path):
    path = tmp_path / "fuzzed"
    for reader, goods in _good_files(tmp_path).items():
        for g, good in enumerate(goods):
            for raw in _mutations(good, seed=g, count=150):
                path.write_bytes(raw)
                try:
                    reader(path)
                except GradvizError as error:
                    assert "fuzzed" in str(error), str(error)
                except Exception as error:  # pragma: no cover - the failure this test exists to catch
                    raise AssertionError(
                        f"{reader.__name__} raised {type(error).__name__}: {error} on {raw!r}"
                    ) from error
