"""A CSV chunk's cells found in its bytes (screening.csvlines) are the cells the csv module reads."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.csvfiles import _lines
from screening.csvlines import LineRows, cells_of
from screening.spreadsheet import NumberedLines

# Spaces of several kinds (a cell of them alone reads as empty), quotes,
# commas, formula starts, and letters beyond ASCII.
cells = st.lists(
    st.sampled_from(["a", "Z", " ", "\u00a0", "\u3000", "\t", ",", '"', "=", "-", "é", "华", "\x85"]), max_size=5
).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    rows=st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=8),
    line_end=st.sampled_from(["\r\n", "\n"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    last_line_end=st.booleans(),
)
def test_the_cells_found_in_the_bytes_are_those_the_csv_module_reads(
    rows: list[list[str]], line_end: str, encoding: str, quoting: int, last_line_end: bool
) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end, quoting=quoting).writerows(rows)
    text = out.getvalue() if last_line_end else out.getvalue().removesuffix(line_end)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # (Chinese)
        data = text.encode("utf-8")
    lines = _lines(text, len(rows))
    assert lines is not None
    read = [cells_of(row) for row in csv.reader(lines)]
    cut = LineRows.cut(data, text, lines)
    one_line_each = len(read) == len(rows)
    same_width = len({len(row) for row in read}) == 1
    # A cell written as "" alone is a blank line to the csv module.
    no_blank_line = all(line for line in lines)
    no_spaces_alone = all(cell.strip() or not cell for row in rows for cell in row)
    if not (one_line_each and same_width and no_blank_line and no_spaces_alone):
        assert cut is None
        return
    assert cut is not None  # the chunk is not left to the csv module for nothing
    assert list(cut) == read and cut[:] == read and cut[-1] == read[-1] and cut[1:3] == read[1:3]
    assert len(cut) == len(read) and cut.width == len(read[0])
    for j in range(cut.width):
        assert cut.column(j) == [row[j] for row in read]
    assert cut.starting_with("=-\t") == [c for row in read for c in row if c is not None and c[0] in "=-\t"]


def test_a_chunk_with_a_row_over_two_lines_is_left_to_the_csv_module() -> None:
    text = 'V1,"Acme\nOffice",x\nV2,Hikvision,y\n'
    assert LineRows.cut(text.encode(), text, text.split("\n")[:2]) is None


def test_a_name_quoted_with_quotes_inside_comes_out_as_the_csv_module_reads_it() -> None:
    text = 'V1,"The ""Best"" Vendor, Ltd",x\r\nV2,華為,y\r\n'
    cut = LineRows.cut(text.encode(), text, text.splitlines())
    assert cut is not None and cut.column(1) == ['The "Best" Vendor, Ltd', "華為"]


def test_numbered_lines_give_each_row_with_its_number_however_they_are_asked_for() -> None:
    text = "V1,Acme\nV2,\nV3,Hikvision\n"
    cut = LineRows.cut(text.encode(), text, text.splitlines())
    assert cut is not None
    rows = NumberedLines(cut, 5)
    expected = [(5, ("V1", "Acme")), (6, ("V2", None)), (7, ("V3", "Hikvision"))]
    assert list(rows) == rows[:] == [rows[i] for i in range(len(rows))] == expected
    assert rows[1:] == expected[1:] and rows[-1] == expected[-1] and list(rows.numbers) == [5, 6, 7]
    assert rows.column(1) == ["Acme", None, "Hikvision"]
