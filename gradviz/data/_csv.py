"""Turning a CSV file's bytes into rows: size limit, gzip, encoding, NUL bytes, delimiter and decimal-comma detection."""

from __future__ import annotations

import codecs
import collections
import csv
import gzip
import io
import os
import re
import zlib

from ._files import DataFileError, describe_start, human_size, short_size

__all__: list[str] = []

DELIMITERS = (",", ";", "\t", "|")  # tried in this order; ties go to the earlier one
_SNIFF_LINES = 50
_SNIFF_CHARS = 64 * 1024  # below csv's field_size_limit, so a sniffed sample always parses
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_COMMA_DECIMAL = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
_DOT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?([eE][+-]?\d+)?")
_ENCODING_HINT = (
    "pass the file's encoding, e.g. encoding='cp1252' (Excel on Windows), encoding='latin-1', "
    "encoding='utf-16' (Excel's 'Unicode text')"
)


def read_bytes(source: str, max_bytes: int | None, where: str) -> bytes:
    """The file's bytes (inflated when gzip-compressed), refusing more than max_bytes before reading them."""
    size = os.path.getsize(source)
    with open(source, "rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    if not compressed:
        if size == 0:
            raise DataFileError(f"{where}: {source} is empty (0 bytes): no rows to read")
        if max_bytes is not None and size > max_bytes:
            raise DataFileError(
                f"{where}: {source} is {human_size(size)}, more than max_bytes={max_bytes} ({short_size(max_bytes)}); "
                "if the table really is that large, pass max_bytes=None (or a larger limit)"
            )
        with open(source, "rb") as handle:
            return handle.read()
    chunks, total = [], 0
    try:
        with gzip.open(source, "rb") as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if max_bytes is not None and total > max_bytes:
                    raise DataFileError(
                        f"{where}: {source} inflates to more than max_bytes={max_bytes} ({short_size(max_bytes)}) "
                        "(a decompression bomb, or a really large table? then pass max_bytes=None)"
                    )
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise DataFileError(
            f"{where}: {source} looks gzip-compressed but cannot be decompressed ({error}): a truncated or "
            "damaged file? download or compress it again"
        ) from None
    if total == 0:
        raise DataFileError(f"{where}: {source} is empty (0 bytes once decompressed): no rows to read")
    return b"".join(chunks)


def decode(raw: bytes, encoding: str | None, source: str, where: str) -> tuple[str, str]:
    """(text, the encoding used). None: a BOM's encoding, else UTF-8, else Windows-1252 (else latin-1)."""
    if raw.startswith(b"PK\x03\x04"):
        raise DataFileError(
            f"{where}: {source} is a zip archive (an Excel .xlsx or LibreOffice .ods workbook?), not CSV text; "
            "save the sheet as CSV (File ▸ Save As ▸ CSV) and read that file"
        )
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(f"{where}: unknown encoding {encoding!r}; {_ENCODING_HINT}") from None
        return _decode_as(raw, "utf-8-sig" if name == "utf-8" else encoding, source, where, encoding), encoding
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return _decode_as(raw, name, source, where), name
    wide = _utf16_without_bom(raw)
    if wide:
        return _decode_as(raw, wide, source, where), wide
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _decode_as(raw: bytes, encoding: str, source: str, where: str, shown: str | None = None) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataFileError(
            f"{where}: {source} is not {shown or encoding} text: byte 0x{raw[error.start]:02x} on line {line} cannot be "
            f"decoded; {_ENCODING_HINT} (or encoding=None to let gradviz detect it)"
        ) from None


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the first bytes are ASCII text interleaved with zero bytes."""
    sample = raw[:2000]
    if len(sample) < 8 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    even_zero = sample[0::2].count(0) / (len(sample) // 2)
    odd_zero = sample[1::2].count(0) / (len(sample) // 2)
    if odd_zero > 0.9 and even_zero < 0.1:
        return "utf-16-le"
    if even_zero > 0.9 and odd_zero < 0.1:
        return "utf-16-be"
    return None


def refuse_nul(text: str, raw: bytes, source: str, where: str) -> None:
    """CSV is text: a NUL character means a binary file or text in another encoding."""
    at = text.find("\x00")
    if at < 0:
        return
    line = text.count("\n", 0, at) + 1
    looks = describe_start(raw[:16]) if at < 16 else ""
    looks = f" ({looks})" if looks and not looks.startswith(("text", "binary data")) else ""
    raise DataFileError(
        f"{where}: {source} holds a NUL byte (\\x00) on line {line}{looks}: CSV is text, and NUL bytes mean a "
        "binary file (a spreadsheet, a database) or text in another encoding; export the table as CSV text, "
        f"or {_ENCODING_HINT}"
    )


def check_delimiter(delimiter, where: str) -> str | None:
    """None (detect) or one character that is not a quote or a line break."""
    if delimiter is None:
        return None
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise ValueError(
            f"{where}: delimiter must be one character such as ',', ';' or '\\t' (or None to detect it), "
            f"got {delimiter!r}"
        )
    return delimiter


def check_decimal(decimal, delimiter: str | None, where: str) -> str | None:
    """None (detect), '.' or ','; a decimal comma needs another delimiter."""
    if decimal not in (None, ".", ","):
        raise ValueError(f"{where}: decimal must be '.', ',' or None (detect), got {decimal!r}")
    if decimal == "," and delimiter == ",":
        raise ValueError(f"{where}: decimal=',' needs another delimiter (';' or '\\t'), not ','")
    return decimal


def _sample_lines(text: str) -> str:
    """The first few complete lines (at most _SNIFF_CHARS characters)."""
    end, seen = 0, 0
    while seen < _SNIFF_LINES:
        newline = text.find("\n", end)
        if newline < 0 or newline >= _SNIFF_CHARS:
            if newline < 0 and len(text) <= _SNIFF_CHARS:
                end = len(text)
            break
        end, seen = newline + 1, seen + 1
    return text[: end or _SNIFF_CHARS]


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most consistent, most numeric columns."""
    sample = _sample_lines(text)
    best, best_score = ",", None
    for rank, candidate in enumerate(DELIMITERS):
        try:
            rows = [row for row in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate) if any(row)]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = collections.Counter(len(row) for row in rows)
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        body = rows[1:] or rows
        cells = [cell.strip() for row in body for cell in row if cell.strip()]
        comma = candidate != ","
        numeric = sum(parse_number(cell, comma) is not None for cell in cells) / max(len(cells), 1)
        score = (count / len(rows), numeric, -rank)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    return best


def read_rows(text: str, delimiter: str, source: str, where: str) -> list[tuple[int, list[str]]]:
    """(line number where the row starts, cells) for every row with something in it."""
    # strict: an unclosed quote or text after a closing quote is an error, not a silently merged or altered cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    read: list[list[str]] = []
    try:
        read.extend(reader)
    except csv.Error as error:
        start = _row_start(text, delimiter, len(read))  # the line the failing row starts on
        if "field larger than field limit" in str(error):
            quote = '"' in line_of(text, start)
            cause = (
                f'the quote (") on line {start} is never closed, so the rest of the file became one cell: close '
                "or remove that quote"
                if quote
                else 'a table of numbers has no such cells; is it the right file? (an unclosed quote " would '
                "make the rest of the file one cell)"
            )
            raise DataFileError(
                f"{where}: {source} line {start} has a cell longer than {csv.field_size_limit():,} characters "
                f"(csv's field_size_limit): {cause}"
            ) from None
        if "unexpected end of data" in str(error):
            raise DataFileError(
                f'{where}: {source} line {start}: the quote (") that opens a cell there is never closed, so the '
                "rest of the file would be one cell; close or remove that quote"
            ) from None
        raise DataFileError(
            f"{where}: {source} line {reader.line_num} cannot be read as CSV ({error}): a quoted cell must end at "
            'its closing quote, and a quote inside a quoted cell is written twice ("")'
        ) from None
    lines = text.count("\n") + (not text.endswith("\n"))
    if len(read) == lines:  # one row per line (no quoted line breaks): row k is on line k + 1
        numbered = enumerate(read, start=1)
    else:
        numbered = zip(_row_starts(text, delimiter), read, strict=True)
    # (the first test is the fast one)
    return [(line, row) for line, row in numbered if (row and row[0].strip()) or any(cell.strip() for cell in row)]


def _row_starts(text: str, delimiter: str):
    """The line each row starts on, re-reading the text (only for files with quoted line breaks or bare \\r)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for _ in reader:
            yield start
            start = reader.line_num + 1
    except csv.Error:
        yield start


def _row_start(text: str, delimiter: str, index: int) -> int:
    """The line row `index` starts on."""
    for k, start in enumerate(_row_starts(text, delimiter)):
        if k == index:
            return start
    return 1


def line_of(text: str, number: int) -> str:
    """Line `number` (1-based) of text, found without splitting the whole text."""
    start = 0
    for _ in range(number - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


def uses_decimal_comma(rows: list[tuple[int, list[str]]], delimiter: str) -> bool:
    """Whether a file not separated by commas writes its numbers with a decimal comma (1,5)."""
    if delimiter == ",":
        return False
    return any("," in cell and _COMMA_DECIMAL.fullmatch(cell.strip()) for _, row in rows for cell in row)


def parse_number(cell: str, comma: bool) -> float | None:
    """The float a (stripped) cell holds, or None. With ``comma``: 1,5 → 1.5 and 1.234,5 → 1234.5."""
    if comma:
        if _DOT_THOUSANDS.fullmatch(cell):
            cell = cell.replace(".", "").replace(",", ".")
        elif "," in cell:
            if not _COMMA_DECIMAL.fullmatch(cell):
                return None
            cell = cell.replace(",", ".")
    try:
        return float(cell)
    except ValueError:
        return None


def show(cell: str, limit: int = 40) -> str:
    """repr of a cell, shortened: a message never quotes a 100 MB cell."""
    return repr(cell) if len(cell) <= limit else repr(cell[:limit]) + f"… ({len(cell):,} characters)"


def encoding_note(encoding: str) -> str:
    """A phrase for the Dataset's description when the text was not plain UTF-8."""
    if encoding in ("utf-8", "utf-8-sig"):
        return ""
    if encoding == "cp1252":
        return "Windows-1252 text (not UTF-8; pass encoding=... to choose another)"
    return f"{encoding} text"
