"""What a sheet is made of as it is read: cell values, and a sheet's first rows with an iterator over the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

CellValue = str | int | float | bool | date | datetime | time | timedelta | None

# How far down a sheet the header may sit (title rows, notes, blank lines above it).
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Chunk:
    """Rows ``first`` to ``first + count`` of a sheet (0-based, header included): bytes ``start`` to ``end`` of a file.

    A worker process reads a chunk by itself (``Part.read_chunk``), so that
    the rows of a large file need not pass through one process. (A
    workbook's chunks are read from the sheet calamine has loaded: their
    ``start`` and ``end`` are 0.)
    """

    first: int
    count: int
    start: int
    end: int
    # Every quote in the file is where RFC 4180 (and Excel) puts them, as
    # the byte scan found (screening.csvscan): a row that is one line of
    # the file reads back the same from a copy of that line.
    rfc4180: bool = False


def chunks_between(bounds: list[int], starts: list[int], rows: int, *, rfc4180: bool = False) -> list[Chunk]:
    """Chunks from each of ``bounds`` (rows before it) to the next, starting at byte ``starts[i]``, up to ``rows``.

    Rows past ``rows`` (blank lines at the end of a file) are left out, and
    so are chunks left empty.

    >>> [(c.first, c.count, c.start, c.end) for c in chunks_between([1, 3, 5], [10, 30, 50], rows=4)]
    [(1, 2, 10, 30), (3, 1, 30, 50)]
    """
    return [
        Chunk(first=first, count=min(last, rows) - first, start=start, end=end, rfc4180=rfc4180)
        for first, last, start, end in zip(bounds[:-1], bounds[1:], starts[:-1], starts[1:], strict=True)
        if min(last, rows) > first
    ]


class ChunkRows(NamedTuple):
    """A chunk as read: its rows, and the lines they are written on when a report may copy them."""

    rows: Sequence[Sequence[CellValue]]
    # Each row's line in the file, less its line break, when every row is
    # one line, its cells split by commas and quoted as RFC 4180 says, and
    # no cell is spaces alone (read as empty): then the line, copied into a
    # CSV report, reads back as the row. None otherwise.
    lines: list[str] | None


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
    # file cannot be read that way (UTF-16, a lone "\r" breaking a line, a
    # sheet with merged cells).
    chunks: tuple[Chunk, ...] = ()
    read_chunk: Callable[[Chunk], ChunkRows] | None = None


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
