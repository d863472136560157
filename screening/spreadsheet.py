"""Reading vendor spreadsheets: find the header, the name column, and every row.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine, CSV with
the standard library after detecting the encoding and sniffing the delimiter.
Every row below the header is kept, blank ones included, so that the report
can account for each of them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
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
    rows: tuple[tuple[int, tuple[CellValue, ...]], ...]  # (row number, values in header order)


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


def _build_sheet(name: str, grid: list[list[CellValue]], column: str | None) -> Sheet | None:
    found = _locate_header(grid, column)
    if found is None:
        return None
    header_index, name_col = found
    width = max(len(r) for r in grid)
    raw = [_text(v) for v in grid[header_index]] + [""] * width
    headers = [raw[i] or f"Column {_letters(i)}" for i in range(width)]
    rows = tuple(
        (header_index + 2 + i, tuple(row + [None] * (width - len(row))))
        for i, row in enumerate(grid[header_index + 1 :])
    )
    return Sheet(
        name=name,
        header_row=header_index + 1,
        headers=tuple(headers),
        name_column=name_col,
        country_column=_find_column(headers, _COUNTRY_WORDS),
        address_column=_find_column(headers, _ADDRESS_WORDS),
        rows=rows,
    )


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_table(path: Path, *, column: str | None = None, sheet: str | None = None) -> Table:
    """Read every screenable sheet of a workbook or CSV file.

    Args:
        path: the input file.
        column: the header (or column letter) of the name column; found from the headers by default.
        sheet: screen only this sheet; by default every sheet that has a name column.

    Raises:
        ScreeningError: the file cannot be read, or has no name column, or
            ``column``/``sheet`` does not exist. The message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ScreeningError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        grids = _read_workbook(path, sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None and sheet != path.stem:
            raise ScreeningError(f"{path.name}: a CSV file has no sheets; drop --sheet {sheet!r}")
        grids = [(path.stem, _read_csv(path))]
        if grids[0][1] and _locate_header(grids[0][1], column) is None:
            # The sniffer guesses from the data and can guess wrong; a delimiter
            # that shows a name column in the header is the right one.
            for delimiter in DELIMITERS:
                grid = _read_csv(path, delimiter)
                if _locate_header(grid, column) is not None:
                    grids = [(path.stem, grid)]
                    break
    else:
        raise ScreeningError(f"{path.name}: unsupported file type '{suffix or 'none'}'; save it as .xlsx or .csv")
    sheets: list[Sheet] = []
    skipped: list[tuple[str, str]] = []
    seen_headers: list[str] = []
    for name, grid in grids:
        built = _build_sheet(name, grid, column) if grid else None
        if built is None:
            skipped.append((name, "empty sheet" if not grid else "no name column"))
            seen_headers.extend(t for row in grid[:3] for v in row if (t := _text(v)))
        else:
            sheets.append(built)
    if not sheets:
        if grids and all(not grid for _, grid in grids):
            raise ScreeningError(f"{path.name}: the file has no rows to screen")
        seen = ", ".join(dict.fromkeys(" ".join(h.split()) for h in seen_headers)) or "none"
        what = f"no column headed {column!r}" if column else "no column of vendor names found"
        raise ScreeningError(f"{path.name}: {what} (headers seen: {seen[:300]}); name it with --column")
    return Table(path=path, sheets=tuple(sheets), skipped_sheets=tuple(skipped))


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


def _read_workbook(path: Path, sheet: str | None) -> list[tuple[str, list[list[CellValue]]]]:
    _check_container(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        if sheet is not None:
            matches = [n for n in names if n == sheet] or [n for n in names if n.casefold() == sheet.casefold()]
            if not matches:
                raise ScreeningError(f"{path.name}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
            names = matches[:1]
        grids = []
        for name in names:
            data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            # Every row calamine returns is kept, blank-looking ones included:
            # a formula with no cached value reads as empty, and its row must
            # still be reported (as skipped), never dropped.
            grid = [[_clean(v) for v in row] for row in data]
            grids.append((name, grid))
        return grids
    except ScreeningError:
        raise
    except python_calamine.PasswordError as exc:
        raise ScreeningError(
            f"{path.name}: the workbook is password-protected; save a copy without a password"
        ) from exc
    except Exception as exc:  # calamine raises several error types for a damaged file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ScreeningError(
            f"{path.name}: not a readable {path.suffix} workbook ({reason}); "
            "open it in Excel and save it again as .xlsx"
        ) from exc


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


def _read_csv(path: Path, delimiter: str | None = None) -> list[list[CellValue]]:
    try:
        text = decode_text(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise ScreeningError(f"{path.name}: cannot read the file ({exc})") from exc
    if _looks_binary(text):
        raise ScreeningError(
            f"{path.name}: not a text CSV file (it holds binary data); export it again as CSV or .xlsx"
        )
    # Only the delimiter is sniffed: the sniffer also guesses quoting, and on a
    # small sample guesses it wrong (a cell holding one '"' came back as '""').
    # Quoting follows RFC 4180, as Excel writes it.
    if delimiter is None:
        delimiter = sniff_delimiter(text, tsv=path.suffix.lower() == ".tsv")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ScreeningError(f"{path.name}: malformed CSV ({exc})") from exc
    # Blank lines at the end are not rows; a line of empty fields (",,") is one.
    while rows and not rows[-1]:
        rows.pop()
    return [[v if v.strip() else None for v in row] for row in rows]
