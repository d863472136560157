"""Large inputs stream: memory does not grow with the row count, and several processes give the same report."""

import csv
import hashlib
import io
import itertools
import json
import random
import tempfile
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from examples.make_vendors import LISTED, ordinary_name
from screening import Screener, ScreeningError, csvfiles, screen_file, screen_to_file, workbooks
from screening.report import Screening
from screening.report_files import write_report
from screening.spreadsheet import open_table

# A vendor master repeats its vendors: a few hundred names, over and over,
# with a listed party now and then (the report keeps the flagged rows, so
# they are few here, as in real files).
_RNG = random.Random(4)
NAMES = [ordinary_name(_RNG) for _ in range(300)]
LISTED_NAMES = [name for name, _, _ in LISTED]


def rows(count: int) -> list[list[object]]:
    rng = random.Random(count)
    return [
        [f"V{i:07d}", rng.choice(LISTED_NAMES if rng.random() < 0.002 else NAMES), "CN", i * 1.5] for i in range(count)
    ]


def write_csv(path: Path, count: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Vendor ID", "Vendor Name", "Country", "Spend"])
        writer.writerows(rows(count))
    return path


def write_xlsx(path: Path, count: int) -> Path:
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("Vendors")
        sheet.write_row(0, 0, ["Vendor ID", "Vendor Name", "Country", "Spend"])
        for i, row in enumerate(rows(count), start=1):
            sheet.write_row(i, 0, row)
    return path


def peak_memory(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("write", "fmt"), [(write_csv, "csv"), (write_xlsx, "xlsx"), (write_csv, "json")])
def test_memory_does_not_grow_with_the_row_count(tmp_path: Path, write: Callable[[Path, int], Path], fmt: str) -> None:
    suffix = "xlsx" if write is write_xlsx else "csv"
    small, large = write(tmp_path / f"small.{suffix}", 8_000), write(tmp_path / f"large.{suffix}", 40_000)
    screen_to_file(small, tmp_path / f"warm.{fmt}", fmt=fmt)  # loads the list and vocabulary once
    small_peak = peak_memory(lambda: screen_to_file(small, tmp_path / f"small.{fmt}", fmt=fmt))
    large_peak = peak_memory(lambda: screen_to_file(large, tmp_path / f"large.{fmt}", fmt=fmt))
    # Five times the rows; holding them would take five times the memory.
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    assert (tmp_path / f"large.{fmt}").stat().st_size > 3 * (tmp_path / f"small.{fmt}").stat().st_size


def test_the_streamed_report_holds_every_row_in_order(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "vendors.xlsx", 20_000)
    screening = screen_to_file(path, tmp_path / "out.xlsx")
    sheet = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_name("Screening")
    table = sheet.to_python()
    assert len(table) == 20_001 and screening.rows_screened == 20_000
    assert [row[0] for row in table[1:]] == [f"V{i:07d}" for i in range(20_000)]
    flagged = sum(1 for row in table[1:] if row[4] in ("match", "review"))
    assert flagged == screening.counts["match"] + screening.counts["review"] > 0


def test_worker_processes_give_the_same_report_as_one(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "vendors.csv", 12_000)
    screen_to_file(path, tmp_path / "one.csv", fmt="csv", workers=1)
    screen_to_file(path, tmp_path / "two.csv", fmt="csv", workers=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    in_memory = screen_file(path)
    with open(tmp_path / "two.csv", encoding="utf-8-sig") as f:
        assert [r.status for r in in_memory.rows] == [row["Status"] for row in csv.DictReader(f)]


def two_sheets(path: Path) -> Path:
    """Two sheets of several batches each, their columns in different orders."""
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        first = book.add_worksheet("Suppliers")
        first.write_row(0, 0, ["Vendor ID", "Vendor Name", "Country", "Spend"])
        for i, row in enumerate(rows(9_000), start=1):
            first.write_row(i, 0, row)
        second = book.add_worksheet("Customers")
        second.write_row(0, 0, ["Customer Name", "Vendor ID"])
        for i, row in enumerate(rows(5_000), start=1):
            second.write_row(i, 0, [row[1], row[0]])
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_worker_processes_write_every_format_as_one_does(tmp_path: Path, fmt: str) -> None:
    path = two_sheets(tmp_path / "vendors.xlsx")
    one = screen_to_file(path, tmp_path / f"one.{fmt}", fmt=fmt, workers=1)
    two = screen_to_file(path, tmp_path / f"two.{fmt}", fmt=fmt, workers=2)
    assert one.counts == two.counts and one.counts["match"] > 0
    assert [(r.sheet, r.row, r.status) for r in one.flagged] == [(r.sheet, r.row, r.status) for r in two.flagged]
    assert one.run.sheets == two.run.sheets
    if fmt == "json":
        assert (
            json.loads((tmp_path / "one.json").read_text())["rows"]
            == json.loads((tmp_path / "two.json").read_text())["rows"]
        )
        return
    if fmt == "csv":  # the two sheets' columns in different orders, under the report's union of them
        assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
        return
    books = [python_calamine.CalamineWorkbook.from_path(str(tmp_path / f"{n}.xlsx")) for n in ("one", "two")]
    for name in ("Screening", "Hits"):
        first, second = (book.get_sheet_by_name(name).to_python() for book in books)
        assert len(first) == (14_001 if name == "Screening" else two.counts["match"] + two.counts["review"] + 1)
        assert first == second


def test_runs_on_two_threads_at_once_each_get_their_own_report(tmp_path: Path) -> None:
    # A procurement script may screen two files at once; each run's workers
    # must screen that run's rows.
    paths = [write_csv(tmp_path / "a.csv", 9_000), write_xlsx(tmp_path / "b.xlsx", 8_500)]
    alone = [screen_to_file(p, tmp_path / f"{p.stem}-alone.csv", fmt="csv").counts for p in paths]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda p: screen_to_file(p, tmp_path / f"{p.stem}-both.csv", fmt="csv", workers=2), paths))
    assert [run.counts for run in runs] == alone
    for p in paths:
        assert (tmp_path / f"{p.stem}-alone.csv").read_bytes() == (tmp_path / f"{p.stem}-both.csv").read_bytes()


def awkward_csv(path: Path, *, encoding: str, line_end: str) -> Path:
    """Rows that cut chunks awkwardly: cells with line breaks, blank lines and cells, short rows, blank lines after."""
    rng = random.Random(9)
    names = NAMES[:40] + LISTED_NAMES + ["Société Générale", ' "Quoted" Ltd', "A, B & Co", "华为技术有限公司"]
    names = [n for n in names if n.encode(encoding, "replace").decode(encoding) == n]  # cp1252 has no Chinese
    cells = ["", "   ", "line one\nline two", "line one\r\nline two", "-12.5", "=1+1", "; ,\t"]
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, lineterminator=line_end)
        writer.writerow(["Vendor ID", "Vendor Name", "Note"])
        for i in range(700):
            draw = rng.random()
            if draw < 0.05:
                f.write(line_end)  # a blank line: a row of its own
            elif draw < 0.1:
                writer.writerow([f"V{i}", rng.choice(names)])  # a short row
            else:
                writer.writerow([f"V{i}", rng.choice(names), rng.choice(cells)])
        writer.writerow(["V700", names[0], "the last row"])
        f.write(line_end * 3)  # blank lines at the end are not rows
    return path


@pytest.mark.parametrize(
    ("encoding", "line_end", "chunked"),
    [
        ("utf-8", "\n", True),
        ("utf-8-sig", "\r\n", True),
        ("cp1252", "\r\n", True),
        ("utf-16", "\r\n", False),  # "\n" is not one byte
        ("utf-8", "\r", False),  # a lone "\r" ends a line read as text, not counting "\n" bytes
    ],
)
def test_workers_reading_chunks_of_a_csv_file_report_it_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, line_end: str, chunked: bool
) -> None:
    # Chunks of 37 rows, so that a small file has many, cut inside runs of
    # blank lines and next to cells that hold line breaks.
    monkeypatch.setattr(csvfiles, "CHUNK", 37)
    path = awkward_csv(tmp_path / "vendors.csv", encoding=encoding, line_end=line_end)
    assert bool(open_table(path).sheets[0].chunks) is chunked
    one = screen_to_file(path, tmp_path / "one.csv", fmt="csv", workers=1)
    two = screen_to_file(path, tmp_path / "two.csv", fmt="csv", workers=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    serial = screen_file(path)  # read in one go, by the csv module alone
    assert one.counts == two.counts == serial.counts and one.counts["match"] > 0
    with open(tmp_path / "two.csv", encoding="utf-8-sig", newline="") as f:
        written = list(csv.DictReader(f))
    assert [(int(row["Row"]), row["Vendor Name"]) for row in written] == [(r.row, r.name) for r in serial.rows]
    if line_end != "\r":  # (written with "\r" line ends, a cell's "\n" is not quoted, and ends a line)
        assert len(written) == 701


def test_a_cell_of_spaces_alone_in_a_chunk_is_empty_when_workers_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker tests a chunk's cells all at once for blanks; a chunk whose
    # only blank cell is spaces (no empty one) must still be read as empty.
    monkeypatch.setattr(csvfiles, "CHUNK", 37)
    path = tmp_path / "vendors.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Vendor ID", "Vendor Name", "Note"])
        for i in range(400):
            writer.writerow([f"V{i}", NAMES[i % 40], {50: "   ", 150: "\u3000", 250: "\t"}.get(i, "ok")])
    one = screen_to_file(path, tmp_path / "one.json", fmt="json", workers=1)
    two = screen_to_file(path, tmp_path / "two.json", fmt="json", workers=2)
    rows = [json.loads((tmp_path / f"{n}.json").read_text())["rows"] for n in ("one", "two")]
    assert one.rows_screened == two.rows_screened == 400
    assert rows[0] == rows[1]
    assert [row["values"]["Note"] for row in rows[1][50:251:100]] == [None, None, None]


def csv_cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize(
    ("workers", "encoding", "line_end"),
    [(1, "utf-8", "\r\n"), (2, "utf-8", "\r\n"), (2, "utf-8-sig", "\n"), (2, "cp1252", "\n")],
)
def test_rows_copied_from_their_lines_read_back_as_the_rows_written_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, encoding: str, line_end: str
) -> None:
    # A CSV report copies a clear row's line from the input when the line
    # reads back as the row. Each chunk of 37 rows here holds one row that
    # keeps its chunk from being copied, or none; the report must read back
    # cell by cell as the report written from rows held in memory.
    monkeypatch.setattr(csvfiles, "CHUNK", 37)
    spoilers = [
        None,
        ["V", "Acme Office Supplies", "=HYPERLINK()"],  # a formula: written with an apostrophe
        ["V", "Acme Office Supplies", "   "],  # spaces alone: written as an empty cell
        ["V", "Acme Office Supplies"],  # a short row: written with an empty cell after it
        ["V", "Acme Office Supplies", "line one\nline two"],  # two lines
        ["V", "Acme Office Supplies", ""],  # an empty cell: no harm
        ["V", "Acme Office Supplies", "-12.5"],  # a plain number: no harm
        ["V", "Hikvision", "flagged"],  # a flagged row: written by the formatter, the rest copied
        ["V", "", "no name"],  # skipped
    ]
    path = tmp_path / "vendors.csv"
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, lineterminator=line_end)
        writer.writerow(["Vendor ID", "Vendor Name", "Note"])
        for i in range(37 * 20):
            spoiler = spoilers[(i // 37) % len(spoilers)]
            if spoiler is not None and i % 37 == 20:
                writer.writerow([f"{spoiler[0]}{i}", *spoiler[1:]])
            elif i % 5 == 0:
                f.write(f'V{i},"{NAMES[i % 40]}","quoted, with a comma"{line_end}')
            else:
                writer.writerow([f"V{i}", NAMES[i % 40] if i % 7 else f"Société Générale {i}", "plain"])
        f.write(line_end * 2)  # blank lines after the last row, in its chunk
    screen_to_file(path, tmp_path / "copied.csv", fmt="csv", workers=workers)
    write_report(screen_file(path), tmp_path / "written.csv", fmt="csv")
    assert csv_cells(tmp_path / "copied.csv") == csv_cells(tmp_path / "written.csv")
    assert len(csv_cells(tmp_path / "copied.csv")) == 37 * 20 + 1
    # The lines were copied as they are: quotes around a name that needs none stay.
    assert f'V5,"{NAMES[5]}","quoted, with a comma",clear,' in (tmp_path / "copied.csv").read_text("utf-8-sig")


@pytest.mark.parametrize(
    "text", ["V1,a\r\nV2,b\v\r\n", "V1,a\x1c\nV2,b\n\n", "V1,Soci\u00e9t\u00e9\x85\r\nV2,b\u2028", "V1,\f\r\nV2,\r\n"]
)
def test_a_chunk_is_cut_into_lines_where_the_csv_module_ends_rows(text: str) -> None:
    # str.splitlines, which cuts a chunk into the lines to copy, also ends a
    # line at characters that the csv module reads as part of a cell.
    lines = csvfiles._lines(text, 2)
    assert lines is not None and len(lines) == 2
    assert list(csv.reader(lines)) == list(csv.reader(io.StringIO(text, newline="")))[:2]


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_workers_reading_chunks_write_other_formats_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(csvfiles, "CHUNK", 37)
    path = awkward_csv(tmp_path / "vendors.csv", encoding="utf-8", line_end="\r\n")
    one = screen_to_file(path, tmp_path / f"one.{fmt}", fmt=fmt, workers=1)
    two = screen_to_file(path, tmp_path / f"two.{fmt}", fmt=fmt, workers=2)
    assert one.counts == two.counts and one.rows_screened == 701
    assert one.run.input_sha256 == two.run.input_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    if fmt == "json":  # (the run's start time differs)
        rows = [json.loads((tmp_path / f"{n}.json").read_text())["rows"] for n in ("one", "two")]
    else:
        books = [python_calamine.CalamineWorkbook.from_path(str(tmp_path / f"{n}.xlsx")) for n in ("one", "two")]
        rows = [book.get_sheet_by_name("Screening").to_python() for book in books]
    assert rows[0] == rows[1] and len(rows[0]) >= 701


def test_a_csv_file_changed_while_workers_read_it_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfiles, "CHUNK", 500)
    path = write_csv(tmp_path / "vendors.csv", 3_000)
    screening = Screening(open_table(path), Screener.default(), workers=2)
    write_csv(path, 1_000)  # cut short after the run began
    with pytest.raises(ScreeningError, match="changed while it was being screened"):
        write_report(screening, tmp_path / "report.csv", fmt="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vendors.csv"]


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 3000), min_size=1, max_size=40),
    ends_with_newline=st.booleans(),
    block_size=st.sampled_from([7, 4096, 1 << 20]),
    data=st.data(),
)
def test_line_ends_are_found_across_blocks(
    lengths: list[int], ends_with_newline: bool, block_size: int, data: st.DataObject
) -> None:
    lines = [b"x" * n + b"\n" for n in lengths]
    if not ends_with_newline:
        lines[-1] = lines[-1][:-1] + b"x"
    complete = len(lengths) - (not ends_with_newline)  # lines that end with "\n"
    wanted = sorted(data.draw(st.sets(st.integers(1, len(lengths)))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lines.csv"
        path.write_bytes(b"".join(lines))
        offsets, newlines, last = csvfiles._line_ends(path, wanted, block_size=block_size)
    assert offsets == [sum(map(len, lines[:n])) for n in wanted]  # the last line ends the file, "\n" or not
    assert (newlines, last) == (complete, ends_with_newline)


def awkward_workbook(path: Path, *, merged: bool = False) -> Path:
    """Rows in column C on (calamine reads from the first column in use), under a title, with every kind of cell."""
    rng = random.Random(7)
    with xlsxwriter.Workbook(str(path), {"constant_memory": not merged}) as book:
        sheet = book.add_worksheet("Vendors")
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write(1, 2, "Vendor master, exported")
        sheet.write_row(3, 2, ["Vendor Name", "Country", "Since", "Spend", "Note"])
        for r in range(4, 4 + 500):
            sheet.write(r, 2, rng.choice(LISTED_NAMES if rng.random() < 0.05 else NAMES))
            if rng.random() < 0.8:
                sheet.write(r, 3, rng.choice(["CN", "DE", "", "  "]))
            sheet.write_datetime(r, 4, datetime(2010 + r % 12, 1 + r % 12, 1 + r % 28), dates)
            sheet.write_number(r, 5, rng.choice([12.0, 3.5, -1e20, 2**60]))
            if rng.random() < 0.1:
                sheet.write_boolean(r, 6, rng.random() < 0.5)
        if merged:
            sheet.merge_range(10, 3, 12, 3, "CN")
    return path


def test_workers_reading_chunks_of_a_workbook_read_its_rows_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of 37 rows: a worker reading them from the loaded sheet (in
    # order, or going back to one before) gets exactly the rows this process
    # reads from its iterator.
    monkeypatch.setattr(workbooks, "CHUNK", 37)
    path = awkward_workbook(tmp_path / "vendors.xlsx")
    sheet = open_table(path).sheets[0]
    assert len(sheet.chunks) > 10 and sheet.read_chunk is not None
    read = list(itertools.islice(sheet.rows, sheet.chunks[0].first - sheet.header_row))
    for chunk in [*sheet.chunks[::2], *sheet.chunks[1::2]]:  # forward, passing over rows, then back
        read += sheet.read_chunk(chunk)[0]
    read.sort()
    assert read == list(open_table(path).sheets[0].rows) and len(read) == 500
    one = screen_to_file(path, tmp_path / "one.csv", fmt="csv", workers=1)
    two = screen_to_file(path, tmp_path / "two.csv", fmt="csv", workers=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert one.counts == two.counts and one.counts["match"] > 0
    # A merged cell fills the rows below it as they are read in turn: no chunks.
    assert open_table(awkward_workbook(tmp_path / "merged.xlsx", merged=True)).sheets[0].chunks == ()


def test_a_chunk_narrower_than_the_file_is_written_with_its_missing_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first chunk's rows all have two cells, a later row three: the
    # report's rows all have three, the first chunk's written, not copied.
    monkeypatch.setattr(csvfiles, "CHUNK", 37)
    path = tmp_path / "vendors.csv"
    lines = ["Vendor ID,Vendor Name"] + [f"V{i},{NAMES[i]}" for i in range(40)] + ["V40,Hikvision,extra"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    screen_to_file(path, tmp_path / "chunked.csv", fmt="csv", workers=2)
    write_report(screen_file(path), tmp_path / "written.csv", fmt="csv")
    chunked = csv_cells(tmp_path / "chunked.csv")
    assert chunked == csv_cells(tmp_path / "written.csv")
    assert chunked[1][:4] == ["V0", NAMES[0], "", "clear"] and chunked[-1][:4] == ["V40", "Hikvision", "extra", "match"]


def test_clear_rows_written_from_their_values_are_the_rows_the_formatter_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run writes an xlsx report's clear rows straight from the values it
    # read; a report held in memory writes every row through _xlsx_rows.
    # Every kind of cell: text, blanks, spaces alone, dates, huge numbers, booleans.
    monkeypatch.setattr(workbooks, "CHUNK", 37)
    path = awkward_workbook(tmp_path / "vendors.xlsx")
    run = screen_to_file(path, tmp_path / "run.xlsx", workers=2)
    write_report(screen_file(path), tmp_path / "held.xlsx")
    books = [python_calamine.CalamineWorkbook.from_path(str(tmp_path / n)) for n in ("run.xlsx", "held.xlsx")]
    sheets = [book.get_sheet_by_name(name).to_python() for book in books for name in ("Screening", "Hits")]
    assert sheets[0] == sheets[2] and sheets[1] == sheets[3]
    assert run.counts["clear"] > 400 and run.counts["match"] > 0
