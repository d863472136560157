"""Whatever the file holds, every row comes back once, in order, with its values; or a clean error."""

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from screening import ScreeningError, screen_file
from screening.report_files import report_json

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


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cell, min_size=2, max_size=2), max_size=12), hidden=st.booleans())
def test_workbook_rows_are_all_reported_in_order(rows: list[list[object]], hidden: bool) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Supplier", "Amount"])
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    if hidden:
        extra = book.create_sheet("Other")
        extra.sheet_state = "hidden"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.xlsx"
        book.save(path)
        try:
            report = screen_file(path)
        except ScreeningError as exc:
            assert "\n" not in str(exc)
            return
    assert [r.row for r in report.rows] == list(range(2, 2 + len(report.rows)))
    assert len(report.rows) <= len(rows)
    assert sum(report.counts.values()) == len(report.rows)
