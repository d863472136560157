"""Where the rows of a CSV file lie, found from its bytes with numpy, before the rows are read.

Before screening, a CSV file is gone through once (see
:func:`screening.csvfiles.csv_part`) for its widest row, its number of rows
and where each chunk of rows starts, so that worker processes can read the
chunks by themselves. Done by the csv module, that first pass took 1.1 s of
a million-row file, with the workers waiting; this scan takes 0.25 s.

It finds the line breaks and delimiters that lie outside quoted cells by
counting quotes: one outside a cell is an odd-numbered quote. That holds
only for quotes as RFC 4180 (and Excel) writes them, which is how the csv
module reads them too: a cell's opening quote right at its start, its
closing quote right before a delimiter or a line break, and quotes inside
doubled. A file with any other quote (``5" screen`` reads as text), a lone
"\\r" (a line break to the csv module), a NUL, a quote never closed or an
encoding whose characters can hold the bytes of "\\n" or of a quote gets
``None``, and the csv module's pass instead; ``tests/test_csv_scan.py``
checks the two agree.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "vendors.csv"
>>> _ = path.write_bytes(b'Name,City\\r\\n"Acme, Inc",Paris\\r\\n"Two\\nlines",Rome\\r\\n\\r\\n')
>>> shape = scan(path, "utf-8", ",", head=1, chunk=1)
>>> shape.width, shape.rows, [(c.first, c.count, c.start, c.end) for c in shape.chunks]
(2, 3, [(1, 1, 11, 30), (2, 1, 30, 48)])
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from screening.cells import Chunk, chunks_between

# Encodings in which "\n", "\r", a quote and the delimiters are single bytes
# that no other character's bytes contain (not so in UTF-16, or in Big5).
_BYTE_SAFE = {"utf-8": 0, "utf-8-sig": 3, "cp1252": 0, "latin-1": 0}  # -> bytes of the BOM
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
# Bytes scanned at a time. A block's arrays stay within a core's cache (2 MB
# here) and are made again from memory already in use: a million-row file
# took 0.31-0.47 s in blocks of 16 MB, a third of it the kernel's, for the
# pages of new arrays; 0.22-0.24 s in blocks of 512 KB.
_BLOCK = 1 << 19
# A row longer than a cell may be, in bytes: the csv module refuses a cell
# longer than its limit (128 KB), which its pass reports as malformed.
_LONGEST = csv.field_size_limit()


@dataclass(frozen=True)
class Shape:
    """What the first pass over a CSV file finds."""

    width: int  # cells in the widest row
    rows: int  # rows, as the csv module reads them; blank lines at the end are not rows
    chunks: list[Chunk]  # the rows after the first ``head``, ``chunk`` at a time


def scan(path: Path, encoding: str, delimiter: str, *, head: int, chunk: int) -> Shape | None:
    """The file's shape, or None when its bytes do not show it for certain (see the module's docstring)."""
    begin = _BYTE_SAFE.get(encoding)
    if begin is None:
        return None
    with open(path, "rb") as f:
        f.seek(begin)
        found = _scanned(f, begin, ord(delimiter))
        size = f.tell()
    if found is None:
        return None
    ends, fields, blank, last_fields = found
    rows = len(ends)
    if size > (int(ends[-1]) + 1 if rows else begin):  # a last line with no line break
        rows += 1
        fields = np.append(fields, last_fields)
        blank = np.append(blank, False)
    written = np.flatnonzero(~blank)
    size_in_rows = int(written[-1]) + 1 if len(written) else 0
    width = int(fields.take(written).max()) + 1 if len(written) else 0
    # As the csv module's pass cuts them: at row head (or chunk), then every chunk rows, and at the end.
    bounds = [*range(head or chunk, rows + 1, chunk), rows]
    if len(bounds) < 2:
        return Shape(width, size_in_rows, [])
    starts = [int(ends[b - 1]) + 1 if b < rows else size for b in bounds]  # (b >= 1: head or chunk)
    return Shape(width, size_in_rows, chunks_between(bounds, starts, size_in_rows, rfc4180=True))


def events_in(data: np.ndarray, delimiter: int, quotes: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(where each quote, line feed and delimiter in ``data`` is, which byte, whether outside quotes).

    ``quotes``: how many came before ``data``. A quote itself counts as after it.
    """
    where = np.flatnonzero((data == _QUOTE) | (data == _LF) | (data == delimiter))
    kind = data.take(where)
    return where, kind, ((np.cumsum(kind == _QUOTE) + quotes) & 1) == 0


def _scanned(f: io.BufferedReader, begin: int, delimiter: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
    """(where each row's line break is, delimiters in each row, which rows are blank, delimiters after the last).

    ``f`` is read from ``begin`` to its end.
    """
    # A quote may open a cell after one of these bytes, and close one before them.
    edge = np.zeros(256, dtype=bool)
    edge[[delimiter, _LF, _CR, _QUOTE]] = True
    quotes = pending = 0  # quotes so far; delimiters of the row not yet ended
    ends, fields, after_cr = [], [], []
    at = begin
    last = begin - 1  # where the last line break found is
    # A block with the byte before it (the file's start counts as a line's)
    # and the byte after it (read, then read again with the next block).
    buffer = np.empty(_BLOCK + 2, dtype=np.uint8)
    buffer[0] = _LF
    while got := f.readinto(buffer.data[1:]):
        size = min(got, _BLOCK)
        if got > _BLOCK:
            f.seek(-1, io.SEEK_CUR)
        else:  # the end: a quote may close there, and a "\r" must not end the file
            buffer[size + 1] = delimiter
        around = buffer[: size + 2]
        data = around[1:-1]
        if not data.all():
            return None  # a NUL
        cr = np.flatnonzero(data == _CR)
        if (around.take(cr + 2) != _LF).any():
            return None  # a lone "\r"
        events, kind, outside = events_in(data, delimiter, quotes)
        is_quote = kind == _QUOTE
        q = events[is_quote]
        odd = (np.arange(quotes, quotes + len(q)) & 1).astype(bool)  # closing quotes (or the first of two)
        opening, closing = q[~odd], q[odd]
        if not (edge.take(around.take(opening)).all() and edge.take(around.take(closing + 2)).all()):
            return None  # a quote inside a cell, or text after a closing quote
        lf = events[(kind == _LF) & outside]
        if len(lf):
            if np.diff(lf + at, prepend=last).max() > _LONGEST + 1:  # (a line break to the next)
                return None  # a row too long for the csv module (see _LONGEST)
            last = int(lf[-1]) + at
        if at + size - 1 - last > _LONGEST:
            return None
        separators = events[(kind == delimiter) & outside]
        delimiters = np.searchsorted(separators, lf)  # before each line break
        per_row = np.diff(delimiters, prepend=0)
        if len(lf):
            per_row[0] += pending
            pending = len(separators) - int(delimiters[-1])
        else:
            pending += len(separators)
        ends.append(lf + at)
        fields.append(per_row)
        after_cr.append(around.take(lf) == _CR)  # the byte before each line break, for blank lines below
        quotes += len(q)
        buffer[0] = data[-1]
        at += size
    if quotes & 1:
        return None  # a quote never closed: the csv module's pass says where it opened
    if not ends:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), pending
    line_ends = np.concatenate(ends)
    starts = np.concatenate(([begin], line_ends[:-1] + 1))
    length = line_ends - starts - np.concatenate(after_cr)
    return line_ends, np.concatenate(fields), length == 0, pending
