"""Whatever the file holds, every row comes back once, in order, with its values; or a clean error."""

import csv
import io
import tempfile
import zipfile
from datetime import datetime, time
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from python_calamine import CalamineWorkbook

from screening import ScreeningError, screen_file
from screening.report_files import csv_safe, write_report
from screening.report_json import report_json
from screening.xlsx_writer import MAX_TEXT, XlsxWriter, row_xml, row_xml_ending, rows_xml_ending

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
text = st.text(max_size=40)
cell = st.one_of(st.none(), text, st.integers(-(10**9), 10**9), st.sampled_from(["=1+1", "+cmd", "@SUM(1)", "-2+3"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(text, min_size=2, max_size=2), max_size=15), delimiter=st.sampled_from([",", ";", "\t"]))
def test_csv_rows_are_all_reported_in_order(rows: list[list[str]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Vendor", "Note"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            report = screen_file(path)
        except ScreeningError as exc:
            assert "\n" not in str(exc)
            return
    data = report_json(report)
    assert data["run"]["rows_screened"] == len(data["rows"])
    names = [r["name"] for r in data["rows"]]
    # Every written line is a row, one of empty fields (",") included.
    if report.run.sheets[0].headers == ("Vendor", "Note"):
        assert names == [(r[0] if r[0].strip() else "") for r in rows]
        assert [r["values"]["Note"] for r in data["rows"]] == [(r[1] if r[1].strip() else None) for r in rows]


csv_cell = st.one_of(
    text, st.sampled_from(["=1+1", "+cmd", "@SUM(1)", "-2+3", "\t=1", "a\nb", "a\r\nb", 'say "hi"', "a,b"])
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(csv_cell, min_size=3, max_size=3), min_size=1, max_size=12))
@example(rows=[["Acme", "a\nb", "x"], ["Acme", "=1+1", "x"], ["Acme", "-2+3", "@x"], ["Acme", "a,b", 'say "hi"']])
def test_csv_report_gives_back_every_cell_made_safe(rows: list[list[str]]) -> None:
    """The CSV report read back holds each input cell (a formula start made text) and the row's report columns."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([["Vendor", "Note", "Other"], *rows])
        try:
            report = screen_file(path)
        except ScreeningError:
            return
        with open(write_report(report, Path(folder) / "r.csv", fmt="csv"), newline="", encoding="utf-8-sig") as f:
            written = list(csv.reader(f))
    assert written[0][:3] == ["Vendor", "Note", "Other"]
    assert len(written) == 1 + len(report.rows)
    for line, r in zip(written[1:], report.rows, strict=True):
        assert line[:3] == [csv_safe(v) for v in r.values]
        assert (line[3], line[-2], line[-1]) == (r.status, r.sheet, str(r.row))


def as_read(value: object) -> object:
    """What a value written by openpyxl reads back as."""
    if isinstance(value, str):
        if len(value) > 1 and value.startswith("="):
            return None  # openpyxl writes "=..." as a formula it does not calculate: no saved value
        # XML reads a line end as "\n", and openpyxl does not mark a text of
        # nothing but white space to be kept, so it reads back empty.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value if value.strip(" \t\n") else None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()  # calamine reads a date-time at midnight as the date
    return value


workbook_cell = st.one_of(
    cell,
    # Excel keeps 15 significant digits (and openpyxl writes no more).
    st.floats(min_value=-1e9, max_value=1e9).map(lambda f: round(f, 4)),
    st.booleans(),
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sheets=st.lists(st.lists(st.lists(workbook_cell, min_size=2, max_size=2), max_size=10), min_size=1, max_size=3),
    hidden=st.booleans(),
)
def test_workbook_rows_are_all_reported_in_order_with_their_values(
    sheets: list[list[list[object]]], hidden: bool
) -> None:
    book = openpyxl.Workbook()
    written: dict[str, list[list[object]]] = {}
    for n, rows in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = f"S{n}"
        sheet.append(["Supplier", "Amount"])
        clean = [[ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row] for row in rows]
        for row in clean:
            sheet.append(row)
        if hidden and n > 0:
            sheet.sheet_state = "hidden"
        # A sheet's last rows with nothing in them are not part of it.
        while clean and all(as_read(v) is None for v in clean[-1]):
            clean.pop()
        written[sheet.title] = clean
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.xlsx"
        book.save(path)
        try:
            report = screen_file(path)
        except ScreeningError as exc:
            assert "\n" not in str(exc)
            return
    assert sum(report.counts.values()) == len(report.rows)
    for name, rows in written.items():
        got = [r for r in report.rows if r.sheet == name]
        assert [r.row for r in got] == list(range(2, 2 + len(rows)))
        assert [list(r.values) for r in got] == [[as_read(v) for v in row] for row in rows]
        names = [as_read(row[0]) for row in rows]
        assert [r.status == "skipped" for r in got] == [name is None or not str(name).strip() for name in names]


report_cell = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),  # any character but lone surrogates
    st.sampled_from(["_x0041_", "<r>bold</r>", "a&b<c>", " padded ", "\r\n"]),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(report_cell, min_size=1, max_size=5), min_size=1, max_size=10))
def test_report_workbook_keeps_every_value(rows: list[list[object]]) -> None:
    """What the report's xlsx writer writes, a reader reads back as written: text exactly, never as markup."""
    assert_written_back(rows)


# Rows of text and numbers only: most go through the writer's one-step rows
# (screening.xlsx_writer._Template), whose check that all their text is plain
# must send every row that is not to be written cell by cell.
plain_cell = st.one_of(
    st.none(),
    # (Not U+FFFE, U+FFFF: written as Excel's "_xFFFE_", which calamine reads back as it is.)
    st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"), max_size=12),
    st.text(alphabet=" _&<>\t\n\r\x0b\xa0\u2028ab1", max_size=6),
    st.sampled_from(["_x0041_", "a_b", "a_", "_a", " a", "a ", "a\n", "\na", "R&D", "x<y", "p>q", "", "ok"]),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(plain_cell, min_size=1, max_size=6), min_size=1, max_size=6))
# Rows that each fail one part of the check, the rest of them plain.
@example(rows=[["R&D", "ok"], ["x<y"], ["p>q", 1.5]])
@example(rows=[["a", "b_x0041_c"], ["a_x0041_", "b"], ["_x0041_b", "c"], ["a]]>b", "c"]])
@example(rows=[["a ", "b"], ["a", " b"], [" a"], ["a\t"], ["a\n", "b"], ["a", "\nb"]])
@example(rows=[["", "b"], ["a", ""], [""]])
def test_report_workbook_keeps_every_text(rows: list[list[object]]) -> None:
    assert_written_back(rows)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(plain_cell, min_size=1, max_size=6),
    tail=st.lists(st.one_of(st.none(), plain_cell.filter(lambda v: isinstance(v, str))), max_size=4),
    last=st.integers(1, 10**6),
)
@example(values=["Acme"], tail=["clear", None, "R&D"], last=3)
@example(values=["Acme"], tail=["clear", None, "Sheet {1}'s"], last=3)
def test_rows_that_end_alike_are_written_as_any_row(values: list[object], tail: list[str | None], last: int) -> None:
    """The report's clear rows, whose tail (status, sheet) is checked once for all, come out as row_xml writes them."""
    assert row_xml_ending(7, values, tuple(tail), last) == row_xml(7, [*values, *tail, last])


def assert_written_back(rows: list[list[object]]) -> None:
    """The rows written by the report's xlsx writer read back as written."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.xlsx"
        with XlsxWriter(path) as book, book.sheet("Screening") as sheet:
            for row in rows:
                sheet.row(row)
        got = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        assert_strict_xml(path)
    assert grid(got) == grid(rows)


def assert_strict_xml(path: Path) -> None:
    """Calamine reads leniently: the sheet must also be well-formed XML, and
    text with a space at either end marked to keep it (Excel strips it otherwise)."""
    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/worksheets/sheet1.xml")
    for t in ElementTree.fromstring(xml).iter(f"{{{MAIN_NS}}}t"):
        if t.text and (t.text[0].isspace() or t.text[-1].isspace()):
            assert t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve", t.text


def grid(rows: list[list[object]]) -> list[list[object]]:
    """Rows as calamine gives them back, without empty cells at their ends nor empty rows at the end."""
    out = []
    for row in rows:
        values = [as_written(v) for v in row]
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    while out and not out[-1]:
        out.pop()
    return out


def as_written(value: object) -> object:
    """A value as calamine gives it back: numbers as floats read as ints when whole, midnight as a date."""
    if value == "":
        return None
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)
    return as_read(value) if isinstance(value, datetime) else value


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["Acme", "Ltd", "CN", "97 Main St, Lyon", "華為"]), min_size=3, max_size=3),
        min_size=1,
        max_size=150,
    ),
    spoilers=st.lists(
        st.tuples(
            st.integers(0, 149),
            st.integers(0, 2),
            st.one_of(
                plain_cell,
                st.sampled_from([float("nan"), float("inf"), ""]),
                # (Made when drawn: a strategy holding the text itself has a 33 kB repr, which hypothesis warns of.)
                st.just(MAX_TEXT - 3).map(lambda n: "a" * n),
            ),
        ),
        max_size=4,
    ),
)
def test_rows_checked_together_are_written_as_each_alone(
    rows: list[list[object]], spoilers: list[tuple[int, int, object]]
) -> None:
    """A clear row's text checked with 63 others (rows_xml_ending) is written as when checked alone.

    Most rows are plain; a few cells anywhere spoil theirs: text to escape,
    an empty text, a float that is no number, a text near a cell's limit.
    """
    for row, column, value in spoilers:
        rows[row % len(rows)][column] = value
    numbered = [(i + 2, row, 1_000 + i) for i, row in enumerate(rows)]
    tail = ("clear", None, "Vendors")
    assert rows_xml_ending(numbered, tail) == [row_xml_ending(n, values, tail, last) for n, values, last in numbered]
