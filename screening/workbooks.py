"""Opening workbooks (.xlsx, .xlsm, .xls, .ods) with python-calamine, after refusing encrypted files and zip bombs.

Calamine parses the XML of a workbook without expanding entities or
fetching anything (it is not a general XML parser), so XXE and "billion
laughs" files read as plain text or fail as damaged.
"""

from __future__ import annotations

import functools
import itertools
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import unescape

import msoffcrypto
import python_calamine

from screening.cells import HEADER_SEARCH_ROWS, CellValue, Chunk, ChunkRows, Part
from screening.errors import ScreeningError
from screening.workers import BATCH as CHUNK

# A vendor master of a million rows unpacks to a few GB; a zip that claims
# more, or that packs more than 200 to 1 at a large size (real workbooks pack
# 5 to 20 to 1), is a decompression bomb: refused before anything is unpacked.
MAX_UNPACKED_BYTES = 8 * 1024**3
MAX_PACKING_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_container(path: Path) -> None:
    """Refuse encrypted workbooks and decompression bombs with a clear message."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC and path.suffix.lower() != ".xls":
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


def workbook_parts(path: Path, sheet: str | None) -> list[Part]:
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
            pad: list[CellValue] = [None] * left
            cleaned = (_cleaned(pad, row) for row in data.iter_rows())
            merged = data.merged_cell_ranges
            rows = _guarded(path, _fill_merged(cleaned, merged) if merged else cleaned)
            head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
            size = data.end[0] + 1 if data.end else 0
            width = left + data.width if head else 0
            formulas = functools.cache(functools.partial(unsaved_formulas, path, name))
            part = Part(name, head, rows, width, size, formulas)
            if not merged and size > len(head):  # (a merged cell's value fills the rows below it, in turn)
                part.chunks = tuple(Chunk(at, min(CHUNK, size - at), 0, 0) for at in range(len(head), size, CHUNK))
                part.read_chunk = _RowReader(path, data, pad)
            parts.append(part)
        return parts
    except ScreeningError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from exc


def _cleaned(pad: list[CellValue], row: Sequence[object]) -> list[CellValue]:
    # Most cells are text: kept as they are without a call to _clean.
    return pad + [v if type(v) is str and v else _clean(v) for v in row]


class _RowReader:
    """Reads a loaded sheet's rows a chunk at a time (``Part.read_chunk``), in a worker process as in this one.

    The workers are forked once the sheet is loaded, and share it: each reads
    its chunks itself, instead of this process turning every row into Python
    values and pickling it to them (in a million-row run, 2.2 s of this
    process's CPU, and 1.3 s of the workers' to unpickle). A worker is given
    chunks in order, so it reads on from where it is, passing over the
    others' rows (0.4 s a million).
    """

    def __init__(self, path: Path, data: python_calamine.CalamineSheet, pad: list[CellValue]) -> None:
        self._path, self._data, self._pad = path, data, pad
        self._rows: Iterator[Sequence[object]] | None = None
        self._at = 0  # the index of the row self._rows gives next

    def __call__(self, chunk: Chunk) -> ChunkRows:
        rows = self._rows
        if rows is None or chunk.first < self._at:
            rows, self._at = _guarded(self._path, iter(self._data.iter_rows())), 0
            self._rows = rows
        next(itertools.islice(rows, chunk.first - self._at, chunk.first - self._at), None)  # pass over
        read = [_cleaned(self._pad, row) for row in itertools.islice(rows, chunk.count)]
        self._at = chunk.first + len(read)
        if len(read) != chunk.count:
            raise ScreeningError(
                f"{self._path.name}: rows {chunk.first + 1} to {chunk.first + chunk.count} could not be read; "
                "save the workbook again from Excel and screen that copy"
            )
        return ChunkRows(read, None)


def _fill_merged(
    rows: Iterator[list[CellValue]], merged: list[tuple[tuple[int, int], tuple[int, int]]]
) -> Iterator[list[CellValue]]:
    """Give every cell of a merged range the value of its top-left cell, as Excel shows it.

    A name merged over two rows (a vendor with two sites) is the name of
    both; read as it is stored, the second row would have no name.
    """
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        starting.setdefault(r0, []).append((c0, r1, c1))
    active: list[tuple[int, int, int, CellValue]] = []  # (last row, first column, last column, value)
    for r, row in enumerate(rows):
        for c0, r1, c1 in starting.get(r, ()):
            if c0 < len(row) and row[c0] is not None:
                active.append((r1, c0, c1, row[c0]))
        for _, c0, c1, value in active:
            for c in range(c0, min(c1 + 1, len(row))):
                if row[c] is None:
                    row[c] = value
        active = [a for a in active if a[0] > r]
        yield row


def _unreadable(path: Path, exc: Exception) -> ScreeningError:
    if isinstance(exc, python_calamine.PasswordError):
        return ScreeningError(f"{path.name}: the workbook is password-protected; save a copy without a password")
    # Calamine raises several error types for a damaged file.
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ScreeningError(
        f"{path.name}: not a readable {path.suffix} workbook ({reason}); open it in Excel and save it again as .xlsx"
    )


_Row = TypeVar("_Row")  # rows as calamine gives them, or cleaned


def _guarded(path: Path, rows: Iterator[_Row]) -> Iterator[_Row]:
    """``rows``, with a reader's failure part way through turned into a ScreeningError."""
    try:
        yield from rows
    except ScreeningError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from exc


def _clean(value: object) -> CellValue:
    """Calamine gives "" for an empty cell and floats for whole numbers: make them None and int."""
    if type(value) is float:  # the commonest after text (amounts, ids)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if value == "" or value is None:
        return None
    if isinstance(value, (str, int, float, bool, date, datetime, time, timedelta)):
        return value
    return str(value)


# A cell holding a formula and nothing else: no <v>, the value Excel saves
# when it calculates. Files written by scripts (openpyxl, pandas) often have
# these; calamine reads them as empty.
_FORMULA_ONLY = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*>'
    rb"(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?</(?:\w+:)?c>"  # an empty <v/> saves nothing either
)
_TAG = re.compile(rb"<(?:\w+:)?(sheet|Relationship)\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'\b([\w:]+)="([^"]*)"')


def unsaved_formulas(path: Path, sheet: str) -> frozenset[tuple[int, int]]:
    """(row, column), 1-based, of the cells of ``sheet`` holding a formula with no saved value (.xlsx, .xlsm).

    Reads the sheet's XML as a stream of bytes, with a pattern, not an XML
    parser: nothing in it is expanded or fetched.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return frozenset()
    found: set[tuple[int, int]] = set()
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet)
        if member is None:
            return frozenset()
        with archive.open(member) as f:
            tail = b""
            for block in iter(lambda: f.read(1 << 18), b""):
                text = tail + block
                end = text.rfind(b"</c>")
                cut = end + 4 if end >= 0 else 0
                for m in _FORMULA_ONLY.finditer(text, 0, cut):
                    found.add((int(m[2]), _column_number(m[1].decode())))
                tail = text[max(cut, len(text) - 65536) :]
    return frozenset(found)


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member that holds ``sheet``, from the workbook's sheet list and its relationships."""

    def head(name: str) -> bytes:
        with archive.open(name) as f:
            return f.read(16 << 20)  # these parts are small; a huge one is not read whole

    try:
        workbook, relations = head("xl/workbook.xml"), head("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    ids, targets = {}, {}
    for text in (workbook, relations):
        for tag, attributes in _TAG.findall(text):
            found = dict(_ATTRIBUTE.findall(attributes))
            if tag == b"sheet" and b"name" in found and b"r:id" in found:
                ids[unescape(found[b"name"].decode(), {"&quot;": '"', "&apos;": "'"})] = found[b"r:id"]
            elif tag == b"Relationship" and b"Id" in found and b"Target" in found:
                targets[found[b"Id"]] = found[b"Target"]
    target = targets.get(ids.get(sheet, b""))
    if target is None:
        return None
    name = target.decode().lstrip("/")
    return name if name.startswith("xl/") else f"xl/{name}"


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number
