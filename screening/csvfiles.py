"""Reading CSV files: the encoding (a BOM, UTF-8, else Windows-1252), the delimiter, and the rows as a stream."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from screening.cells import HEADER_SEARCH_ROWS, CellValue, Chunk, ChunkRows, Part, chunks_between
from screening.csvlines import LineRows, cells_of
from screening.csvscan import scan
from screening.errors import ScreeningError
from screening.workbooks import OLE_MAGIC
from screening.workers import BATCH as CHUNK

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _encoding(blocks: Callable[[], Iterator[bytes]]) -> str:
    """A BOM decides; else UTF-8 if every block decodes as UTF-8; else Windows-1252, else Latin-1.

    ``blocks`` reads the data from its start, each time it is called.
    """
    head = next(blocks(), b"")
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    # cp1252 leaves five bytes undefined; Latin-1 reads those too.
    for encoding in ("utf-8", "cp1252"):
        if _undecodable(blocks, encoding) is None:
            return encoding
    return "latin-1"


def _undecodable(blocks: Callable[[], Iterator[bytes]], encoding: str) -> int | None:
    """Where the first byte that ``encoding`` cannot decode is (from 0), or None when every block decodes."""
    decoder, at = codecs.getincrementaldecoder(encoding)(), 0
    try:
        for block in blocks():
            decoder.decode(block)
            at += len(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return at + exc.start
    return None


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: a BOM decides; else UTF-8 if valid; else Windows-1252.

    >>> decode_text("Société".encode("cp1252"))
    'Société'
    """
    return data.decode(_encoding(lambda: iter([data])))


# File signatures of formats that are not text (zip-based workbooks, old
# Excel, PDF, images, gzip).
_BINARY_MAGIC = (b"PK\x03\x04", OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b")


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

    The file is read through, in blocks, so that a file that is not UTF-8
    past its first megabyte is not half read as UTF-8.
    """
    with open(path, "rb") as f:

        def blocks() -> Iterator[bytes]:
            f.seek(0)
            return iter(lambda: f.read(1 << 18), b"")

        encoding = _encoding(blocks)
        # A BOM decides, but the csv module would stop at the first byte that
        # does not decode, in the middle of the run.
        if any(encoding == name for _, name in _BOMS) and (bad := _undecodable(blocks, encoding)) is not None:
            name = encoding.upper().removesuffix("-SIG")
            raise ScreeningError(
                f"{path.name}: starts with a {name} byte order mark but byte {bad + 1:,} is not {name}; "
                "save it again as CSV UTF-8"
            )
        return encoding


def _malformed(path: Path, exc: csv.Error) -> ScreeningError:
    return ScreeningError(f"{path.name}: malformed CSV ({exc}); export it again as CSV or .xlsx")


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
                yield cells_of(row)
        except csv.Error as exc:
            raise _malformed(path, exc) from exc


def read_chunk(path: Path, encoding: str, delimiter: str, chunk: Chunk) -> ChunkRows:
    """The rows of ``chunk``, read as :func:`_csv_rows` reads them (in a worker process, from the file itself).

    With their lines, when a report may copy them (see :class:`~screening.cells.ChunkRows`).
    """
    with open(path, "rb") as f:
        f.seek(chunk.start)
        data = f.read(chunk.end - chunk.start)
    if chunk.start and encoding == "utf-8-sig":
        encoding = "utf-8"  # the BOM is at the start of the file only
    text = data.decode(encoding)
    lines = _lines(text, chunk.count) if chunk.rfc4180 and delimiter == "," else None
    if lines is not None and (cut := LineRows.cut(data, text, lines)) is not None:
        return ChunkRows(cut, lines)  # (most chunks)
    rows = list(csv.reader(lines)) if lines is not None else []
    if len(rows) != chunk.count:  # a quoted cell holds a line break, so a row takes more than one line
        lines = None
        rows = list(itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), chunk.count))
        if len(rows) != chunk.count:
            raise ScreeningError(f"{path.name}: the file changed while it was being screened; screen it again")
    # Most chunks have no blank cell: one test of all their cells, in C,
    # took a third of the time of testing them cell by cell.
    if all(map(str.strip, itertools.chain.from_iterable(rows))):
        return ChunkRows(rows, lines)
    if lines is not None and not all(map(str.strip, filter(None, itertools.chain.from_iterable(rows)))):
        lines = None  # a cell of spaces alone, read as empty, would be copied as spaces
    return ChunkRows([cells_of(row) for row in rows], lines)


# Where str.splitlines breaks a line besides "\n" and "\r\n" (a lone "\r"
# gets no chunks): ASCII ones first.
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _lines(text: str, count: int) -> list[str] | None:
    """The first ``count`` lines of ``text`` less their line breaks, if any lines after them are blank; else None.

    (Blank lines after a file's last row are in its last chunk.)
    """
    # splitlines took a third of the time of replacing "\r\n" and splitting
    # at "\n", but it also breaks lines at other characters.
    if not any(c in text for c in _OTHER_BREAKS[: 5 if text.isascii() else None]):
        lines = text.splitlines()
    else:
        if "\r" in text:
            text = text.replace("\r\n", "\n")  # (the scan refuses a file with a lone "\r")
        lines = text.split("\n")
    if len(lines) < count or any(lines[count:]):
        return None
    del lines[count:]
    return lines


# A last line put after the file's own: read back as a row of its own unless
# the file ends inside a quoted field, which swallows it.
_END = "\x00screening: end of file\x00"


def _csv_shape(path: Path, encoding: str, delimiter: str, *, head: int = 0) -> tuple[int, int, list[Chunk]]:
    """(widest row, rows, chunks) of a CSV file, rows counted as :func:`_csv_rows` yields them.

    The chunks hold the rows after the first ``head``, ``CHUNK`` at a time,
    for worker processes to read by themselves (none when the file's line
    breaks do not allow it: see :func:`_chunks`).

    Refuses a file with a quote that is never closed: the csv module would
    read the rest of the file, however many lines, as one cell.

    The file's bytes are scanned first (:mod:`screening.csvscan`, a quarter
    of the time); the csv module goes through the file when they do not
    show its rows for certain.
    """
    shape = scan(path, encoding, delimiter, head=head, chunk=CHUNK)
    if shape is not None:
        return shape.width, shape.rows, shape.chunks
    width = size = rows = 0
    ends: list[tuple[int, int]] = []  # (rows, lines) read at the end of each chunk
    end_of_chunk = head or CHUNK
    closed = False
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(itertools.chain(f, [_END]), delimiter=delimiter)
        try:
            # Row by row, not a batch at a time: 4,000 rows held at once made
            # the collector walk them (1.29 s a million rows, against 0.83).
            for row in reader:
                cells = len(row)
                if cells == 1 and row[0] == _END:
                    closed = True
                    break
                rows += 1
                if cells:  # blank lines at the end are not rows
                    size = rows
                    if cells > width:
                        width = cells
                if rows == end_of_chunk:
                    ends.append((rows, reader.line_num))
                    end_of_chunk += CHUNK
        except csv.Error as exc:
            raise _malformed(path, exc) from exc
    ends.append((rows, reader.line_num))
    if not closed:
        line = _last_record_start(path, encoding, delimiter)
        raise ScreeningError(
            f"{path.name}: malformed CSV (the quote opened on line {line} is never closed, so every line after it "
            "would be read as one cell); export it again as CSV or .xlsx"
        )
    return width, size, _chunks(path, encoding, ends, size)


def _chunks(path: Path, encoding: str, ends: list[tuple[int, int]], size: int) -> list[Chunk]:
    """The chunks that end at ``ends`` (rows, lines read there), the first starting at ``ends[0]``, up to row ``size``.

    Line numbers are turned into byte offsets by counting "\\n" bytes. That
    is where the lines read as text break only if no lone "\\r" breaks one,
    and only in an encoding that writes "\\n" as that one byte (not UTF-16):
    otherwise there are no chunks.
    """
    if encoding.startswith("utf-16") or len(ends) < 2:
        return []
    lines = ends[-1][1] - 1  # the last end came after reading the line put after the file's own
    offsets, newlines, ends_with_newline = _line_ends(path, [line for _, line in ends[:-1]])
    file_size = path.stat().st_size
    if lines != newlines + (not ends_with_newline and file_size > 0):
        return []  # a lone "\r" somewhere
    return chunks_between([rows for rows, _ in ends], [*offsets, file_size], size)


def _line_ends(path: Path, lines: list[int], *, block_size: int = 1 << 20) -> tuple[list[int], int, bool]:
    """(where each of ``lines`` ends, "\\n" bytes in the file, whether it ends with one).

    ``lines`` ascend; line n ends just after the file's n-th "\\n" byte, or
    at the end of the file for its last line with no "\\n". The file is read
    ``block_size`` bytes at a time.
    """
    offsets: list[int] = []
    wanted = iter(lines)
    line = next(wanted, None)
    seen = base = 0  # "\n" bytes and bytes before this block
    last = b""
    with open(path, "rb") as f:
        while block := f.read(block_size):
            count = block.count(b"\n")
            at = counted = 0  # where in the block the last line found ends, and the "\n" bytes up to there
            while line is not None and seen + count >= line:
                at = _after_newlines(block, at, line - seen - counted)
                counted = line - seen
                offsets.append(base + at)
                line = next(wanted, None)
            seen += count
            base += len(block)
            last = block[-1:]
    offsets += [base] * (len(lines) - len(offsets))
    return offsets, seen, base > 0 and last == b"\n"


def _after_newlines(block: bytes, start: int, k: int) -> int:
    """Where the ``k``-th "\\n" byte from ``start`` ends (it is there: k >= 1).

    >>> _after_newlines(b"a\\nbb\\nccc\\n", 0, 2), _after_newlines(b"a\\nbb\\nccc\\n", 2, 2)
    (5, 9)
    """
    # Counted 8 KB at a time up to the span that holds it, then found
    # line by line. (Halving the rest of the block instead counted through
    # 1 MB for each of a million-row file's 250 chunks: 0.2 s.)
    lo = start
    while (n := block.count(b"\n", lo, lo + 8192)) < k:
        lo, k = lo + 8192, k - n
    at = lo - 1
    for _ in range(k):
        at = block.index(b"\n", at + 1)
    return at + 1


def _last_record_start(path: Path, encoding: str, delimiter: str) -> int:
    """The line on which the file's last row starts."""
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        start = 1
        while True:
            begins = reader.line_num + 1
            if next(reader, None) is None:
                return start
            start = begins


def csv_part(path: Path, has_header: Callable[[list[list[CellValue]]], bool]) -> Part:
    """The file as one sheet; ``has_header`` tells whether rows read with a delimiter show the name column."""
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
    if head and not has_header(head):
        # The sniffer guesses from the data and can guess wrong; a delimiter
        # that shows a name column in the header is the right one.
        for other in DELIMITERS:
            rows = list(itertools.islice(_csv_rows(path, encoding, other), HEADER_SEARCH_ROWS))
            if has_header(rows):
                delimiter, head = other, rows
                break
    # A first pass over the whole file finds its widest row (the report's
    # header lists every column before the first row is written), its length
    # (for the progress bar) and any malformed line, before anything is
    # screened; and where chunks of rows start, for worker processes.
    width, size, chunks = _csv_shape(path, encoding, delimiter, head=len(head))
    stream = _csv_rows(path, encoding, delimiter)
    return Part(
        path.stem,
        list(itertools.islice(stream, len(head))),
        stream,
        width,
        size,
        chunks=tuple(chunks),
        read_chunk=functools.partial(read_chunk, path, encoding, delimiter),
    )
