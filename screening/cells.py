"""What a sheet is made of as it is read: cell values, and a sheet's first rows with an iterator over the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

CellValue = str | int | float | bool | date | datetime | time | timedelta | None

# How far down a sheet the header may sit (title rows, notes, blank lines above it).
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Chunk:
    """Rows ``first`` to ``first + count`` of a sheet (0-based, header included): bytes ``start`` to ``end`` of a file.

    A worker process reads a chunk by itself (``Part.read_chunk``),
    so that the rows of a large CSV file need not pass through one process.
    """

    first: int
    count: int
    start: int
    end: int


@dataclass
class Part:
    """A sheet as first read: its first rows, an iterator over the others, its width and length."""

    name: str
    head: list[list[CellValue]]
    rest: Iterator[list[CellValue]]
    width: int
    size: int | None
    # (row, column), 1-based, of cells holding a formula with no saved value
    # (they read as empty); worked out only if asked, as it reads the sheet again.
    unsaved_formulas: Callable[[], frozenset[tuple[int, int]]] = field(default=lambda: frozenset())
    # The rows after ``head`` in chunks, and what reads one; none when the
    # file cannot be read that way (a workbook, UTF-16, a lone "\r" breaking a line).
    chunks: tuple[Chunk, ...] = ()
    read_chunk: Callable[[Chunk], list[list[CellValue]]] | None = None


def as_text(value: CellValue) -> str:
    """A cell's value as text: dates and times in ISO 8601, nothing as empty.

    >>> as_text(date(2019, 10, 7)), as_text(None), as_text(3.5)
    ('2019-10-07', '', '3.5')
    """
    if value is None:
        return ""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=1024)
def column_letters(index: int) -> str:
    """A column's letters as Excel shows them, from its 0-based index.

    >>> column_letters(0), column_letters(25), column_letters(26), column_letters(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
