import csv
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from screening import screen_file, write_report

RED, AMBER = "FFF4B6B6", "FFFFE08A"


@pytest.fixture
def report_xlsx(vendors_xlsx: Path) -> Path:
    return write_report(screen_file(vendors_xlsx), vendors_xlsx.with_name("out.xlsx"))


def test_every_row_is_in_the_report_in_order(vendors_xlsx: Path) -> None:
    report = screen_file(vendors_xlsx)
    source = openpyxl.load_workbook(vendors_xlsx).active
    assert source is not None
    assert [r.row for r in report.rows] == list(range(4, source.max_row + 1))
    assert report.counts == {"match": 14, "review": 2, "clear": 301, "skipped": 3}


def test_xlsx_report_sheets_fills_and_layout(report_xlsx: Path, vendors_xlsx: Path) -> None:
    book = openpyxl.load_workbook(report_xlsx)
    assert book.sheetnames == ["Screening", "Hits", "Run"]
    sheet = book["Screening"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Vendor ID", "Vendor Name", "Country", "Address", "Category", "Annual Spend (USD)"]
    assert header[6:12] == ["Status", "Score", "Matched entity", "Matched name form", "Restriction", "Source"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:P{sheet.max_row}"
    assert sheet.max_row - 1 == 320
    by_name = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    hik = by_name["Hikivision"]
    assert hik[6].value == "match" and hik[6].fill.fgColor.rgb == RED
    assert hik[8].value == "Hangzhou Hikvision Digital Technology Co., Ltd."
    assert "004_90ee84662eca269a.txt: “The organizations include Sensetime" in hik[11].value
    assert by_name["Iflytec"][6].value == "review" and by_name["Iflytec"][6].fill.fgColor.rgb == AMBER
    assert by_name["Sensata Technologies"][6].value == "clear"
    assert isinstance(by_name["Sensata Technologies"][5].value, float)  # spend stays a number

    hits = list(book["Hits"].iter_rows(min_row=2, values_only=True))
    assert len(hits) == 16 and [h[3] for h in hits] == ["match"] * 14 + ["review"] * 2
    explanation = book["Hits"]["K2"]
    assert explanation.alignment.wrap_text and explanation.fill.fgColor.rgb == RED
    assert book["Hits"].column_dimensions["K"].width == 80 and book["Hits"].freeze_panes == "A2"
    assert book["Run"]["A1"].font.b and not book["Run"]["B1"].font.b and book["Run"].freeze_panes is None
    run = dict(book["Run"].iter_rows(values_only=True))
    assert run["Input file"] == "vendors.xlsx"
    assert run["Input SHA-256"] == hashlib.sha256(vendors_xlsx.read_bytes()).hexdigest()
    assert str(run["List version"]).startswith("2026-") and run["Rows skipped"] == 3


def test_json_contract(vendors_xlsx: Path) -> None:
    path = write_report(screen_file(vendors_xlsx), vendors_xlsx.with_name("out.json"), fmt="json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"tool_version", "list_version", "input", "input_sha256", "rows_screened", "counts"} <= set(data["run"])
    assert data["run"]["rows_screened"] == len(data["rows"]) == 320
    row = next(r for r in data["rows"] if r["name"] == "Hikivision")
    assert {k: row[k] for k in ("sheet", "status", "entity_id", "matched_name")} == {
        "sheet": "Vendors",
        "status": "match",
        "entity_id": "hikvision",
        "matched_name": "Hikivision",
    }
    assert row["restrictions"][0] == "US Entity List: addition announced 7 Oct 2019"
    assert all(set(s) == {"article", "quote"} for s in row["sources"])
    assert row["country"] == "CN" and row["values"]["Vendor Name"] == "Hikivision"
    skipped = [r for r in data["rows"] if r["status"] == "skipped"]
    assert len(skipped) == 3 and all(r["entity_id"] is None for r in skipped)


def test_csv_report_matches_xlsx_content(vendors_xlsx: Path) -> None:
    path = write_report(screen_file(vendors_xlsx), vendors_xlsx.with_name("out.csv"), fmt="csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 320
    assert sum(r["Status"] == "match" for r in rows) == 14
    assert next(r for r in rows if r["Vendor Name"] == "Iflytec")["Matched entity"] == "iFLYTEK Co., Ltd."


INJECTIONS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1", "\r=1+1"]


def test_cells_never_become_formulas(tmp_path: Path) -> None:
    csv_in = tmp_path / "in.csv"
    with open(csv_in, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Vendor", "Note"])
        for text in INJECTIONS:
            writer.writerow([text, text])
    report = screen_file(csv_in)
    xlsx = write_report(report, tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(xlsx)
    cells = [row for row in book["Screening"].iter_rows(min_row=2)]
    assert len(cells) == len(INJECTIONS)
    # Text cells ("s"), never formulas ("f"); openpyxl leaves a CR as Excel's _x000D_ escape.
    assert all(row[0].data_type == "s" and row[1].data_type == "s" for row in cells)
    assert [row[0].value.replace("_x000D_", "\r") for row in cells] == INJECTIONS
    out_csv = write_report(report, tmp_path / "out.csv", fmt="csv")
    with open(out_csv, encoding="utf-8-sig", newline="") as f:
        written = [r["Vendor"] for r in csv.DictReader(f)]
    assert all(w.startswith("'") for w in written)
    data = json.loads(write_report(report, tmp_path / "out.json", fmt="json").read_text(encoding="utf-8"))
    assert [r["name"] for r in data["rows"]] == [r.name for r in report.rows]


def test_a_failed_write_leaves_no_partial_report(vendors_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from screening import report_files

    def broken(report: object, path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setitem(report_files.__dict__, "_write_json", broken)
    target = vendors_xlsx.with_name("out.json")
    with pytest.raises(RuntimeError):
        write_report(screen_file(vendors_xlsx), target, fmt="json")
    assert not target.exists() and list(target.parent.glob(".*tmp")) == []
