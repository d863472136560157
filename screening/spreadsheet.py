"""Reading vendor spreadsheets: find the header, the name column, and every row.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine, CSV with
the standard library after detecting the encoding and sniffing the delimiter.
Every row below the header is kept, blank ones included, so that the report
can account for each of them.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from screening.cells import HEADER_SEARCH_ROWS, CellValue, Chunk, Part, column_letters
from screening.csvfiles import csv_part
from screening.csvlines import LineRows
from screening.errors import ScreeningError
from screening.workbooks import workbook_parts

NumberedRow = tuple[int, tuple[CellValue, ...]]  # (row number in the sheet, values)
ROW_NUMBER, ROW_VALUES = operator.itemgetter(0), operator.itemgetter(1)  # a NumberedRow's, in C (to map over rows)


class NumberedLines(Sequence[NumberedRow]):
    """A CSV chunk's rows numbered from ``first``, each read from its line only when asked for (see csvlines)."""

    def __init__(self, rows: LineRows, first: int) -> None:
        self.rows, self.first = rows, first

    def column(self, j: int) -> list[CellValue]:
        """Column ``j`` of every row, without reading the rows."""
        return self.rows.column(j)

    @property
    def numbers(self) -> range:
        """The rows' numbers, without reading the rows."""
        return range(self.first, self.first + len(self.rows))

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> NumberedRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[NumberedRow]: ...
    def __getitem__(self, index: int | slice) -> NumberedRow | list[NumberedRow]:
        if isinstance(index, slice):
            return list(zip(self.numbers[index], map(tuple, self.rows[index]), strict=True))
        return self.numbers[index], tuple(self.rows[index])

    def __iter__(self) -> Iterator[NumberedRow]:
        return zip(itertools.count(self.first), map(tuple, self.rows))


WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}

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
    rows: Iterable[NumberedRow]
    size: int | None = None  # how many rows the file says lie below the header, for progress
    # (row, column), 1-based, of cells with a formula and no saved value (see cells.Part)
    unsaved_formulas: Callable[[], frozenset[tuple[int, int]]] = lambda: frozenset()
    # The rows below those read with the header, in chunks that a worker
    # process reads by itself with ``read_chunk`` (see cells.Chunk); or none.
    # It gives the rows with the lines they are on, if a report may copy
    # them (see cells.ChunkRows).
    chunks: tuple[Chunk, ...] = ()
    read_chunk: Callable[[Chunk], tuple[Sequence[NumberedRow], list[str] | None]] | None = None


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


def _build_sheet(part: Part, column: str | None) -> Sheet | None:
    """The sheet read as ``part``, from its header down; None when it has no name column."""
    head, width = part.head, part.width
    found = _locate_header(head, column)
    if found is None:
        return None
    header_index, name_col = found
    raw = [_text(v) for v in head[header_index]] + [""] * width
    headers = tuple(raw[i] or f"Column {column_letters(i)}" for i in range(width))

    def padded(row: Sequence[CellValue]) -> tuple[CellValue, ...]:
        return tuple(row) if len(row) == width else tuple(row) + (None,) * (width - len(row))

    def rows() -> Iterator[NumberedRow]:
        for number, row in enumerate(itertools.chain(head[header_index + 1 :], part.rest), start=header_index + 2):
            yield number, padded(row)

    def read_chunk(chunk: Chunk) -> tuple[Sequence[NumberedRow], list[str] | None]:
        assert part.read_chunk is not None
        rows, lines = part.read_chunk(chunk)
        if isinstance(rows, LineRows):
            if rows.width == width:
                return NumberedLines(rows, chunk.first + 1), lines
            rows = list(rows)  # (narrower than a row elsewhere in the file)
        numbers = range(chunk.first + 1, chunk.first + 1 + len(rows))
        if set(map(len, rows)) == {width}:  # most chunks: every row full, made tuples in C
            return list(zip(numbers, map(tuple, rows), strict=True)), lines
        return list(zip(numbers, map(padded, rows), strict=True)), None  # (a short row's line lacks cells)

    return Sheet(
        name=part.name,
        header_row=header_index + 1,
        headers=headers,
        name_column=name_col,
        country_column=_find_column(list(headers), _COUNTRY_WORDS),
        address_column=_find_column(list(headers), _ADDRESS_WORDS),
        rows=rows(),
        size=None if part.size is None else max(part.size - header_index - 1, 0),
        unsaved_formulas=part.unsaved_formulas,
        chunks=part.chunks if part.read_chunk is not None else (),
        read_chunk=read_chunk,
    )


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
        parts = workbook_parts(path, sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None and sheet != path.stem:
            raise ScreeningError(f"{path.name}: a CSV file has no sheets; drop --sheet {sheet!r}")
        parts = [csv_part(path, lambda rows: _locate_header(rows, column) is not None)]
    else:
        raise ScreeningError(f"{path.name}: unsupported file type '{suffix or 'none'}'; save it as .xlsx or .csv")
    sheets: list[Sheet] = []
    skipped: list[tuple[str, str]] = []
    seen_headers: list[str] = []
    for part in parts:
        built = _build_sheet(part, column) if part.head else None
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
        raise ScreeningError(f"{path.name}: {what} (its first rows hold: {seen[:300]}); name it with --column")
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
