"""Reading vendor spreadsheets: find the header, the name column, and every row.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine, CSV with
the standard library after detecting the encoding and sniffing the delimiter.
Every row below the header is kept, blank ones included, so that the report
can account for each of them.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import msoffcrypto
import python_calamine

from screening.errors import ScreeningError

CellValue = str | int | float | bool | date | datetime | time | timedelta | None

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
# How far down a sheet the header may sit (title rows, notes, blank lines above it).
HEADER_SEARCH_ROWS = 30

# Words of a header that names the party column: "Vendor", "Supplier name",
# "Customer legal name", "Counterparty", "Business name".
_PARTY_WORDS = {
    "vendor",
    "supplier",
    "customer",
    "company",
    "party",
    "counterparty",
    "business",
    "client",
    "organisation",
    "organization",
    "entity",
    "firm",
    "payee",
    "beneficiary",
    "merchant",
    "partner",
}
_NAME_WORDS = {"name", "names", "legal", "registered", "official", "full", "trading"}
_NOT_A_NAME = {
    "id",
    "no",
    "nr",
    "number",
    "num",
    "code",
    "key",
    "ref",
    "type",
    "category",
    "country",
    "address",
    "city",
    "email",
    "phone",
    "contact",
    "status",
    "date",
    "group",
    "class",
    "tax",
    "vat",
    "account",
}
_COUNTRY_WORDS = {"country", "nation", "land", "pais", "pays"}
_ADDRESS_WORDS = {"address", "street", "addr", "location"}


@dataclass(frozen=True)
class Sheet:
    """One screened table: its header and data rows, with the columns found."""

    name: str
    header_row: int  # 1-based, as the spreadsheet numbers rows
    headers: tuple[str, ...]
    name_column: int
    country_column: int | None
    address_column: int | None
    # (row number, values in header order): a tuple from read_table, an
    # iterator read once, as the file streams, from open_table.
    rows: Iterable[tuple[int, tuple[CellValue, ...]]]
    size: int | None = None  # how many rows the file says lie below the header, for progress


@dataclass(frozen=True)
class Table:
    """What was read from one input file."""

    path: Path
    sheets: tuple[Sheet, ...]
    skipped_sheets: tuple[tuple[str, str], ...]  # (sheet, why it was not screened)


def _words(header: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", header.casefold()) if w]


def name_column_rank(header: str) -> int:
    """How strongly a header says "this column holds party names" (0 = not at all).

    >>> [name_column_rank(h) for h in ["Vendor Name", "Supplier", "Name", "Vendor ID", "Vendor master export"]]
    [3, 2, 1, 0, 0]
    """
    words = _words(header)
    if not words or any(w in _NOT_A_NAME for w in words):
        return 0
    if not all(w in _PARTY_WORDS or w in _NAME_WORDS for w in words):
        return 0
    party = any(w in _PARTY_WORDS for w in words)
    named = any(w in _NAME_WORDS for w in words)
    return 3 if party and named else 2 if party else 1 if "name" in words else 0


def _find_column(headers: list[str], words: set[str]) -> int | None:
    for i, header in enumerate(headers):
        if any(w in words for w in _words(header)):
            return i
    return None


def _text(value: CellValue) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _clean(value: object) -> CellValue:
    """Calamine gives "" for an empty cell and floats for whole numbers: make them None and int."""
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (str, int, float, bool, date, datetime, time, timedelta)):
        return value
    return str(value)


def _locate_header(grid: list[list[CellValue]], column: str | None) -> tuple[int, int] | None:
    """(row index, column index) of the header cell of the name column."""
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        texts = [_text(v) for v in row]
        if column is not None:
            for c, text in enumerate(texts):
                if text.casefold() == column.strip().casefold():
                    return r, c
            continue
        ranks = [name_column_rank(t) for t in texts]
        if ranks and max(ranks) > 0:
            return r, ranks.index(max(ranks))
    if column is not None and re.fullmatch(r"[A-Za-z]{1,3}", column.strip()) and grid:
        # A column letter ("B") when no header is spelt that way: header on the first row.
        index = 0
        for ch in column.strip().upper():
            index = index * 26 + ord(ch) - 64
        return 0, index - 1
    return None


def _build_sheet(
    name: str,
    head: list[list[CellValue]],
    rest: Iterable[list[CellValue]],
    *,
    column: str | None,
    width: int,
    size: int | None,
) -> Sheet | None:
    """The sheet whose first rows are ``head`` and whose other rows ``rest`` will yield; None without a name column.

    ``width``: cells in the sheet's widest row (a header may be narrower).
    """
    found = _locate_header(head, column)
    if found is None:
        return None
    header_index, name_col = found
    raw = [_text(v) for v in head[header_index]] + [""] * width
    headers = tuple(raw[i] or f"Column {_letters(i)}" for i in range(width))

    def rows() -> Iterator[tuple[int, tuple[CellValue, ...]]]:
        for number, row in enumerate(itertools.chain(head[header_index + 1 :], rest), start=header_index + 2):
            yield number, tuple(row) + (None,) * (width - len(row))

    return Sheet(
        name=name,
        header_row=header_index + 1,
        headers=headers,
        name_column=name_col,
        country_column=_find_column(list(headers), _COUNTRY_WORDS),
        address_column=_find_column(list(headers), _ADDRESS_WORDS),
        rows=rows(),
        size=None if size is None else max(size - header_index - 1, 0),
    )


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def open_table(path: Path, *, column: str | None = None, sheet: str | None = None) -> Table:
    """Open a workbook or CSV file for screening: headers are found now, rows read as they are iterated.

    Each sheet's ``rows`` is an iterator, read once, so that a file of a
    million rows is never held in memory as Python objects. Takes the same
    arguments and raises the same errors as :func:`read_table`.
    """
    path = Path(path)
    if not path.is_file():
        raise ScreeningError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        parts = _workbook_parts(path, sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None and sheet != path.stem:
            raise ScreeningError(f"{path.name}: a CSV file has no sheets; drop --sheet {sheet!r}")
        parts = [_csv_part(path, column)]
    else:
        raise ScreeningError(f"{path.name}: unsupported file type '{suffix or 'none'}'; save it as .xlsx or .csv")
    sheets: list[Sheet] = []
    skipped: list[tuple[str, str]] = []
    seen_headers: list[str] = []
    for part in parts:
        built = (
            _build_sheet(part.name, part.head, part.rest, column=column, width=part.width, size=part.size)
            if part.head
            else None
        )
        if built is None:
            skipped.append((part.name, "empty sheet" if not part.head else "no name column"))
            seen_headers.extend(t for row in part.head[:3] for v in row if (t := _text(v)))
        else:
            sheets.append(built)
    if not sheets:
        if parts and all(not part.head for part in parts):
            raise ScreeningError(f"{path.name}: the file has no rows to screen")
        seen = ", ".join(dict.fromkeys(" ".join(h.split()) for h in seen_headers)) or "none"
        what = f"no column headed {column!r}" if column else "no column of vendor names found"
        raise ScreeningError(f"{path.name}: {what} (headers seen: {seen[:300]}); name it with --column")
    return Table(path=path, sheets=tuple(sheets), skipped_sheets=tuple(skipped))


def read_table(path: Path, *, column: str | None = None, sheet: str | None = None) -> Table:
    """Read every screenable sheet of a workbook or CSV file, all rows in memory.

    Args:
        path: the input file.
        column: the header (or column letter) of the name column; found from the headers by default.
        sheet: screen only this sheet; by default every sheet that has a name column.

    Raises:
        ScreeningError: the file cannot be read, or has no name column, or
            ``column``/``sheet`` does not exist. The message names the file.
    """
    table = open_table(path, column=column, sheet=sheet)
    return dataclasses.replace(
        table, sheets=tuple(dataclasses.replace(s, rows=tuple(s.rows), size=None) for s in table.sheets)
    )


@dataclass
class _Part:
    """A sheet as first read: its first rows, an iterator over the others, its width and length."""

    name: str
    head: list[list[CellValue]]
    rest: Iterator[list[CellValue]]
    width: int
    size: int | None


# A vendor master of a million rows unpacks to a few GB; a zip that claims
# more, or that packs more than 200 to 1 at a large size (real workbooks pack
# 5 to 20 to 1), is a decompression bomb: refused before anything is unpacked.
MAX_UNPACKED_BYTES = 8 * 1024**3
MAX_PACKING_RATIO = 200
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_container(path: Path) -> None:
    """Refuse encrypted workbooks and decompression bombs with a clear message."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head == _OLE_MAGIC and path.suffix.lower() != ".xls":
        if _is_encrypted(path):
            raise ScreeningError(
                f"{path.name}: the workbook is encrypted (password-protected); "
                "open it in Excel and save a copy without a password"
            )
        raise ScreeningError(f"{path.name}: an old binary Excel file named {path.suffix}; save it as .xlsx")
    if head[:2] != b"PK":
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # calamine says what is wrong with it
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 256 * 1024**2 and unpacked / packed > MAX_PACKING_RATIO):
        raise ScreeningError(
            f"{path.name}: unpacks to {unpacked / 1024**3:.1f} GB from {packed / 1024**2:.1f} MB, "
            "which no real workbook does (a decompression bomb?); refused"
        )


def _is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:  # not an Office container msoffcrypto knows: not ours to judge
        return False


def _workbook_parts(path: Path, sheet: str | None) -> list[_Part]:
    _check_container(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        if sheet is not None:
            matches = [n for n in names if n == sheet] or [n for n in names if n.casefold() == sheet.casefold()]
            if not matches:
                raise ScreeningError(f"{path.name}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
            names = matches[:1]
        parts = []
        for name in names:
            data = workbook.get_sheet_by_name(name)
            # Calamine yields every row from the first (blank ones included:
            # a formula with no cached value reads as empty, and its row must
            # still be reported, as skipped), but only the columns from the
            # first one in use: pad the columns left of it back in.
            left = data.start[1] if data.start else 0
            rows = _guarded(path, ([None] * left + [_clean(v) for v in row] for row in data.iter_rows()))
            head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
            size = data.end[0] + 1 if data.end else 0
            parts.append(_Part(name, head, rows, left + data.width if head else 0, size))
        return parts
    except ScreeningError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: Exception) -> ScreeningError:
    if isinstance(exc, python_calamine.PasswordError):
        return ScreeningError(f"{path.name}: the workbook is password-protected; save a copy without a password")
    # Calamine raises several error types for a damaged file.
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ScreeningError(
        f"{path.name}: not a readable {path.suffix} workbook ({reason}); open it in Excel and save it again as .xlsx"
    )


def _guarded(path: Path, rows: Iterator[list[CellValue]]) -> Iterator[list[CellValue]]:
    """``rows``, with a reader's failure part way through turned into a ScreeningError."""
    try:
        yield from rows
    except ScreeningError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from exc


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: a BOM decides; else UTF-8 if valid; else Windows-1252.

    >>> decode_text("Société".encode("cp1252"))
    'Société'
    """
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 reads those too.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


# File signatures of formats that are not text (zip-based workbooks, old
# Excel, PDF, images, gzip).
_BINARY_MAGIC = (b"PK\x03\x04", _OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b")


def _looks_binary(text: str) -> bool:
    """A renamed binary file: a known signature, or NUL in more than one character in ten.

    A stray NUL inside a name is kept (and reported); a file full of them is not text.
    """
    head = text[:8].encode("latin-1", "replace")
    sample = text[:4096]
    return head.startswith(_BINARY_MAGIC) or (bool(sample) and sample.count("\x00") / len(sample) > 0.1)


DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(text: str, *, tsv: bool = False) -> str:
    """The delimiter csv.Sniffer finds in the first 64 KB; tab for .tsv and comma when it finds none."""
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return "\t" if tsv else ","


def csv_encoding(path: Path) -> str:
    """The encoding of a CSV file: a BOM decides; else UTF-8 if the whole file is valid UTF-8; else Windows-1252.

    The file is read through once, in blocks, so that a file that is not
    UTF-8 past its first megabyte is not half read as UTF-8.
    """
    with open(path, "rb") as f:
        head = f.read(4)
        for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
            if head.startswith(bom):
                return encoding
        # cp1252 leaves five bytes undefined; Latin-1 reads those too.
        for encoding in ("utf-8", "cp1252"):
            f.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for block in iter(lambda: f.read(1 << 18), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                continue
    return "latin-1"


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[CellValue]]:
    """The rows of a CSV file, empty cells as None; blank lines at the end are not rows (a line of ",," is one)."""
    blank = 0
    with open(path, encoding=encoding, newline="") as f:
        try:
            for row in csv.reader(f, delimiter=delimiter):
                if not row:
                    blank += 1
                    continue
                for _ in range(blank):
                    yield []
                blank = 0
                yield [v if v.strip() else None for v in row]
        except csv.Error as exc:
            raise ScreeningError(f"{path.name}: malformed CSV ({exc}); export it again as CSV or .xlsx") from exc


def _csv_part(path: Path, column: str | None) -> _Part:
    try:
        encoding = csv_encoding(path)
        with open(path, encoding=encoding, newline="") as f:
            sample = f.read(65536)
    except (OSError, UnicodeError) as exc:
        raise ScreeningError(f"{path.name}: cannot read the file ({exc})") from exc
    if _looks_binary(sample):
        raise ScreeningError(
            f"{path.name}: not a text CSV file (it holds binary data); export it again as CSV or .xlsx"
        )
    # Only the delimiter is sniffed: the sniffer also guesses quoting, and on a
    # small sample guesses it wrong (a cell holding one '"' came back as '""').
    # Quoting follows RFC 4180, as Excel writes it.
    delimiter = sniff_delimiter(sample, tsv=path.suffix.lower() == ".tsv")
    head = list(itertools.islice(_csv_rows(path, encoding, delimiter), HEADER_SEARCH_ROWS))
    if head and _locate_header(head, column) is None:
        # The sniffer guesses from the data and can guess wrong; a delimiter
        # that shows a name column in the header is the right one.
        for other in DELIMITERS:
            rows = list(itertools.islice(_csv_rows(path, encoding, other), HEADER_SEARCH_ROWS))
            if _locate_header(rows, column) is not None:
                delimiter, head = other, rows
                break
    # A first pass over the whole file finds its widest row (the report's
    # header lists every column before the first row is written) and any
    # malformed line, before anything is screened.
    width = size = 0
    for row in _csv_rows(path, encoding, delimiter):
        width = max(width, len(row))
        size += 1
    stream = _csv_rows(path, encoding, delimiter)
    return _Part(path.stem, list(itertools.islice(stream, len(head))), stream, width, size)
