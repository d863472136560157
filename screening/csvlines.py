"""A chunk of a CSV file kept as its lines, its cells found in its bytes, a row parsed only when it is asked for.

A CSV report copies a clear row's line as it is (see
``report_files._csv_copies``), so most rows of a chunk are never needed as
cells: only their names are, to screen them. Parsing every row with the csv
module, testing each cell for blanks and freeing them all again took each
of two workers 0.82-0.89 s of its 3.7-4.1 on a million-row file. Here the
chunk's delimiters and line breaks are found with numpy (as
:mod:`screening.csvscan` finds them in the whole file), a column's cells
are cut out of the text, and only the rows that are not copied are parsed:
0.26-0.30 s.

That holds for a chunk whose quotes lie as RFC 4180 says (the scan has
checked), each row on one line, every row as wide. ``tests/test_csv_lines.py``
checks that the cells are those the csv module reads.

>>> text = 'V1,"Acme, Inc",x\\r\\nV2,Hikvision,\\r\\n'
>>> rows = LineRows.cut(text.encode(), text, text.splitlines())
>>> rows.width, rows.column(1), rows[1]
(3, ['Acme, Inc', 'Hikvision'], ['V2', 'Hikvision', None])
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from screening.cells import CellValue
from screening.csvscan import events_in

_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")


def cells_of(row: list[str]) -> list[CellValue]:
    """A row as the csv module reads it, with its blank cells (empty, or spaces alone) as None."""
    return [v if v.strip() else None for v in row]


def _space_bytes(at: int) -> np.ndarray:
    """Which bytes can be the first (``at`` 0) or last (-1) byte of a space, in the encodings a chunk can be in."""
    table = np.zeros(256, dtype=bool)
    # Every character that str.strip takes away lies below U+3001.
    for char in (c for c in map(chr, range(0x3001)) if c.isspace()):
        for encoding in ("utf-8", "cp1252", "latin-1"):
            if encoded := char.encode(encoding, errors="ignore"):
                table[encoded[at]] = True
    return table


_SPACE_FIRST, _SPACE_LAST = _space_bytes(0), _space_bytes(-1)


class LineRows(Sequence[list[CellValue]]):
    """A chunk's rows, as :func:`cells_of` reads each of its lines, with where each cell lies in the chunk's text."""

    def __init__(
        self, text: str, lines: list[str], spans: tuple[np.ndarray, np.ndarray], quoted: np.ndarray, first: np.ndarray
    ) -> None:
        self._text, self._lines = text, lines
        # Each an array of (rows, width), for each cell: its first character
        # in text and the one after its last; whether it is quoted; its
        # first byte inside the quotes (0 when empty).
        self._starts, self._ends = spans
        self._quoted, self._first = quoted, first
        self.width = self._starts.shape[1]

    @classmethod
    def cut(cls, data: bytes, text: str, lines: list[str]) -> LineRows | None:
        """The rows of a chunk, ``data`` decoded as ``text`` and cut into ``lines`` (with commas between cells).

        None when a row is not one line (a quoted cell holds a line break),
        rows differ in width, a line is blank or a cell holds spaces alone
        (read as empty: a copy of its line would not read back as the row):
        those are read by the csv module.
        """
        count = len(lines)
        b = np.frombuffer(data, dtype=np.uint8)
        where, kind, outside = events_in(b, ord(","))
        breaks = kind == _LF
        if not count or not outside[breaks].all():
            return None
        ends = where[breaks][:count]
        if len(ends) == count - 1:  # the file's last line, with no line break
            ends = np.append(ends, len(b))
        delimiters = where[(kind == ord(",")) & outside]
        before = np.searchsorted(delimiters, ends)  # delimiters before each row's end
        per_row = np.diff(before, prepend=0)
        if len(ends) != count or (per_row != per_row[0]).any() or before[-1] != len(delimiters):
            return None
        starts = np.concatenate(([0], ends[:-1] + 1))
        # A line ends before its "\r\n" (a lone "\r" is not in a chunk: see csvscan).
        ends -= (ends > starts) & (ends < len(b)) & (b.take(np.maximum(ends - 1, 0)) == _CR)
        if (ends == starts).any():
            return None
        width = int(per_row[0]) + 1
        cell_ends = np.empty((count, width), dtype=np.int64)
        cell_ends[:, :-1] = delimiters.reshape(count, width - 1)
        cell_ends[:, -1] = ends
        cell_starts = np.empty_like(cell_ends)
        cell_starts[:, 0] = starts
        cell_starts[:, 1:] = cell_ends[:, :-1] + 1
        quoted = (cell_ends > cell_starts) & (b.take(np.minimum(cell_starts, len(b) - 1)) == _QUOTE)
        inner_starts, inner_ends = cell_starts + quoted, cell_ends - quoted
        filled = inner_ends > inner_starts
        # Byte i is character i - inside[i] of the text (UTF-8 beyond ASCII
        # has continuation bytes; cp1252 and Latin-1 have none).
        inside = None if len(text) == len(b) else np.cumsum(np.append(False, (b & 0xC0) == 0x80), dtype=np.int64)
        first = np.where(filled, b.take(np.where(filled, inner_starts, 0)), 0).astype(np.uint8)
        rows = cls(text, lines, (_characters(cell_starts, inside), _characters(cell_ends, inside)), quoted, first)
        # Only a cell whose first and last bytes can be those of a space
        # needs its text looked at: in most chunks, none.
        last = b.take(np.where(filled, inner_ends - 1, 0))
        maybe = np.flatnonzero(_SPACE_FIRST.take(first) & _SPACE_LAST.take(last) & filled)
        return rows if all(map(str.strip, rows._cells(maybe))) else None

    def _cells(self, at: np.ndarray) -> list[str]:
        """The text of the cells at flat indices ``at`` (row * width + column), without their quotes."""
        spans = map(slice, self._starts.flat[at].tolist(), self._ends.flat[at].tolist())
        found = list(map(self._text.__getitem__, spans))
        for i in np.flatnonzero(self._quoted.flat[at]).tolist():
            found[i] = found[i][1:-1].replace('""', '"')
        return found

    def column(self, j: int) -> list[CellValue]:
        """Column ``j`` of every row: ``[row[j] for row in self]``, without reading the rows."""
        found = self._cells(np.arange(j, self._starts.size, self.width))
        return list(found) if all(map(str.strip, found)) else cells_of(found)  # (most columns: one test, in C)

    def starting_with(self, firsts: str) -> list[str]:
        """The cells whose first character is one of ``firsts`` (ASCII), without reading the rows."""
        wanted = np.zeros(256, dtype=bool)
        wanted[list(firsts.encode("ascii"))] = True
        return self._cells(np.flatnonzero(wanted.take(self._first)))

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, index: int) -> list[CellValue]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[CellValue]]: ...
    def __getitem__(self, index: int | slice) -> list[CellValue] | list[list[CellValue]]:
        if isinstance(index, slice):
            return list(map(cells_of, csv.reader(self._lines[index])))
        return cells_of(next(csv.reader([self._lines[index]])))

    def __iter__(self) -> Iterator[list[CellValue]]:
        return map(cells_of, csv.reader(self._lines))


def _characters(offsets: np.ndarray, inside: np.ndarray | None) -> np.ndarray:
    """Byte offsets in a chunk as character offsets in its text (see ``LineRows.cut``)."""
    return offsets if inside is None else offsets - inside.take(offsets)
