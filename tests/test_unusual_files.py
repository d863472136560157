"""Odd but valid workbooks: old and open formats, merged cells, unsaved formulas, the largest sheet Excel allows."""

import csv
from pathlib import Path

import openpyxl

from screening import screen_file, screen_to_file
from screening.report import UNSAVED_FORMULA

ROWS = [["Vendor", "Country"], ["Hikivision", "CN"], ["Acme Office Supplies Ltd", "US"], [12345, "DE"]]


def statuses(path: Path) -> list[tuple[object, str]]:
    return [(r.name, r.status) for r in screen_file(path).rows]


def test_legacy_xls_is_read(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Vendors")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "vendors.xls"
    book.save(str(path))
    assert statuses(path) == [("Hikivision", "match"), ("Acme Office Supplies Ltd", "clear"), ("12345", "clear")]


def test_open_document_ods_is_read(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Vendors")
    for row in ROWS:
        table_row = TableRow()
        for value in row:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    path = tmp_path / "vendors.ods"
    document.save(str(path))
    assert statuses(path) == [("Hikivision", "match"), ("Acme Office Supplies Ltd", "clear"), ("12345", "clear")]


def test_a_name_merged_over_two_rows_is_the_name_of_both(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["Vendor", "Site"], ["Hikivision", "Hangzhou"], [None, "Wuhan"], ["Acme Ltd", "Leeds"]]:
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    assert statuses(path) == [("Hikivision", "match"), ("Hikivision", "match"), ("Acme Ltd", "clear")]


def test_a_formula_with_no_saved_value_is_reported(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    # openpyxl writes formulas without calculating them: no saved value.
    for row in [["Vendor", "Country"], ['=CONCATENATE("Hik","vision")', "CN"], [None, "US"], ["Hikivision", "CN"]]:
        sheet.append(row)
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    rows = screen_file(path).rows
    assert [(r.row, r.status, r.result.note) for r in rows] == [
        (2, "skipped", UNSAVED_FORMULA),
        (3, "skipped", "empty name"),
        (4, "match", ""),
    ]


def test_the_largest_sheet_excel_allows_is_screened_to_its_last_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Vendors")
    sheet.append(["Vendor", "Country"])
    sheet.append(["Hikivision", "CN"])
    for _ in range(1_048_576 - 3):
        sheet.append([])
    sheet.append(["Acme Ltd", "US"])
    path = tmp_path / "max.xlsx"
    book.save(path)
    screening = screen_to_file(path, tmp_path / "out.csv", fmt="csv")
    assert screening.rows_screened == 1_048_575
    assert screening.counts == {"match": 1, "review": 0, "clear": 1, "skipped": 1_048_573}
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1_048_575
    assert (rows[0]["Vendor"], rows[0]["Status"], rows[0]["Row"]) == ("Hikivision", "match", "2")
    assert (rows[-1]["Vendor"], rows[-1]["Status"], rows[-1]["Row"]) == ("Acme Ltd", "clear", "1048576")
