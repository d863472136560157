"""The byte scan of a CSV file (screening.csvscan) finds the rows the csv module finds, or declines."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening import ScreeningError, csvfiles, csvscan
from screening.csvscan import scan

CHUNK = 3  # rows a chunk: small, so that chunks are cut next to every kind of row


def by_csv_module(path: Path, encoding: str, delimiter: str, head: int) -> tuple[int, int, list[object]] | None:
    """What the csv module's pass finds (None: it refuses the file)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvfiles, "scan", lambda *args, **kwargs: None)
        patch.setattr(csvfiles, "CHUNK", CHUNK)
        try:
            width, rows, chunks = csvfiles._csv_shape(path, encoding, delimiter, head=head)
        except ScreeningError:
            return None
    assert not any(c.rfc4180 for c in chunks)  # the csv module does not say how the quotes lie
    return width, rows, [(c.first, c.count, c.start, c.end) for c in chunks]


def scanned(
    path: Path, encoding: str, delimiter: str, head: int, *, block: int = csvscan._BLOCK
) -> tuple[int, int, list[object]] | None:
    """What the scan finds, reading ``block`` bytes at a time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvscan, "_BLOCK", block)
        shape = scan(path, encoding, delimiter, head=head, chunk=CHUNK)
    if shape is None:
        return None
    assert all(c.rfc4180 for c in shape.chunks)
    return shape.width, shape.rows, [(c.first, c.count, c.start, c.end) for c in shape.chunks]


def written(data: bytes) -> Path:
    path = Path(tempfile.mkdtemp()) / "vendors.csv"
    path.write_bytes(data)
    return path


cells = st.lists(st.sampled_from(["a", "é", "华", " ", ",", ";", '"', "\n", "\r\n", "\t"]), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(cells, max_size=4), max_size=12),  # an empty row is a blank line
    line_end=st.sampled_from(["\r\n", "\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    last_line_end=st.booleans(),
    head=st.integers(0, 4),
    block=st.sampled_from([1, 2, 7, 1 << 24]),
)
def test_a_file_written_as_excel_writes_csv_is_scanned_as_the_csv_module_reads_it(
    rows: list[list[str]], line_end: str, encoding: str, delimiter: str, last_line_end: bool, head: int, block: int
) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    text = out.getvalue()
    if not last_line_end:
        text = text.removesuffix(line_end)
    path = written(text.encode(encoding, "replace"))
    expected = by_csv_module(path, encoding, delimiter, head)
    assert scanned(path, encoding, delimiter, head, block=block) == expected
    assert expected is not None


@settings(max_examples=500, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"a", b" ", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\x00"]), max_size=40),
    head=st.integers(0, 4),
    block=st.sampled_from([1, 2, 7, 1 << 24]),
)
def test_any_bytes_are_scanned_as_the_csv_module_reads_them_or_left_to_it(
    data: list[bytes], head: int, block: int
) -> None:
    # Stray quotes, a lone "\r", a NUL, a quote never closed: the scan
    # declines (None) and the csv module's pass decides.
    path = written(b"".join(data))
    found = scanned(path, "utf-8", ",", head, block=block)
    if found is not None:
        assert found == by_csv_module(path, "utf-8", ",", head)


@pytest.mark.parametrize(
    "data",
    [
        b'Name,Note\n"Acme" Ltd,x\n',  # text after a closing quote: the csv module keeps it
        b'Name,Note\nAcme "5" screen,x\n',  # quotes inside a cell are text
        b"Name,Note\nAcme\rBeta,x\n",  # a lone "\r" ends a line
        b'Name,Note\n"Acme,x\n',  # never closed: the csv module's pass says where it opened
        b"Name,Note\nAc\x00me,x\n",
    ],
)
def test_quotes_and_line_breaks_it_cannot_be_sure_of_are_left_to_the_csv_module(data: bytes) -> None:
    assert scan(written(data), "utf-8", ",", head=1, chunk=CHUNK) is None


@pytest.mark.parametrize("block", range(1, 12))
def test_blocks_of_the_file_are_joined_where_a_quoted_cell_crosses_them(block: int) -> None:
    path = written(b'Name,Note\r\n"Ac""me, Inc","two\nlines"\r\n\r\nBeta,"x"\r\n,\r\n\r\n')
    found = scanned(path, "utf-8", ",", 1, block=block)
    assert found is not None and found == by_csv_module(path, "utf-8", ",", 1)


def test_a_row_longer_than_a_cell_may_be_is_left_to_the_csv_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvscan, "_LONGEST", 10)
    assert scan(written(b"Name,Note\nAcme,short\n"), "utf-8", ",", head=1, chunk=CHUNK) is not None
    assert scan(written(b"Name,Note\nAcme,a note too long\n"), "utf-8", ",", head=1, chunk=CHUNK) is None
    assert scan(written(b"Name,Note\nAcme,a note too long"), "utf-8", ",", head=1, chunk=CHUNK) is None


def test_an_encoding_in_which_a_quote_byte_may_be_part_of_a_character_is_left_to_the_csv_module() -> None:
    assert scan(written("Name\r\nAcme\r\n".encode("utf-16")), "utf-16", ",", head=1, chunk=CHUNK) is None
