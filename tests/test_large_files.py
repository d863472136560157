"""Large inputs stream: memory does not grow with the row count, and several processes give the same report."""

import csv
import json
import random
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from examples.make_vendors import LISTED, ordinary_name
from screening import screen_file, screen_to_file

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
