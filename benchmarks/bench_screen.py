"""Time `screen` end to end on a generated vendor workbook and print where the time goes.

    python benchmarks/bench_screen.py [--rows 100000] [--seed 7]

The workbook is generated (seeded, so every run screens the same rows) into
benchmarks/data/: ordinary vendor names, many repeated as in a real vendor
master, a share of names never seen before, and listed parties under variant
spellings. Prints a table of rows per second for reading, matching and
writing the xlsx report, and the whole run.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

import xlsxwriter
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.make_vendors import COUNTRIES, LISTED, LOOKALIKES, ordinary_name  # noqa: E402
from screening import Screener, write_report  # noqa: E402
from screening.report import screen_table  # noqa: E402
from screening.spreadsheet import read_table  # noqa: E402


def unseen_name(rng: random.Random) -> str:
    """A made-up company name, so that the run meets many distinct names."""
    syllables = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 4))) for _ in range(rng.randint(2, 3))]
    return f"{''.join(syllables).title()} {rng.choice(['Trading', 'Industries', 'Services', 'Ltd', 'GmbH', 'Inc'])}"


SPECIAL = [name for name, _, _ in LISTED + LOOKALIKES]


def vendor_name(rng: random.Random) -> str:
    """A vendor master's name: mostly known vendors (repeated), a quarter never seen before, a few listed parties."""
    draw = rng.random()
    if draw < 0.005:
        return rng.choice(SPECIAL)
    if draw < 0.25:
        return unseen_name(rng)
    return ordinary_name(rng)


def generate(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("Vendors")
        sheet.write_row(0, 0, ["Vendor master export"])
        sheet.write_row(2, 0, ["Vendor ID", "Vendor Name", "Country", "Address", "Category", "Spend"])
        for i in range(rows):
            name = vendor_name(rng)
            country, city = rng.choice(COUNTRIES)
            sheet.write_row(
                i + 3,
                0,
                [
                    f"V{i:07d}",
                    name,
                    country,
                    f"{rng.randint(1, 999)} Main St, {city}",
                    "MRO",
                    round(rng.uniform(100, 1e6), 2),
                ],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    data = ROOT / "benchmarks" / "data"
    data.mkdir(exist_ok=True)
    path = data / f"vendors-{args.rows}.xlsx"
    if not path.exists():
        generate(path, args.rows, args.seed)

    screener = Screener.default()
    t0 = time.perf_counter()
    table = read_table(path)
    t1 = time.perf_counter()
    report = screen_table(table, screener)
    t2 = time.perf_counter()
    write_report(report, data / "report.xlsx")
    t3 = time.perf_counter()

    # The matching stage alone, on a fresh screener (no cached names), and the
    # naive approach on a sample of the same names: rapidfuzz extractOne with
    # WRatio against every name form, row by row.
    names = [r.name for r in report.rows]
    fresh = Screener.default()
    t4 = time.perf_counter()
    fresh.check_many(names)
    t5 = time.perf_counter()
    forms = [n.name for e in fresh.entities.entities for n in e.names]
    sample = names[:5000]
    t6 = time.perf_counter()
    for name in sample:
        process.extractOne(name, forms, scorer=fuzz.WRatio, score_cutoff=88)
    t7 = time.perf_counter()
    ours_rate, naive_rate = len(names) / (t5 - t4), len(sample) / (t7 - t6)

    rows = len(report.rows)
    distinct = len({r.name for r in report.rows})
    print(f"{rows:,} rows ({distinct:,} distinct names) from {path.name}; counts {report.counts}")
    print(f"{'stage':<22}{'seconds':>10}{'rows/s':>14}{'share':>8}")
    for stage, seconds in [
        ("read (calamine)", t1 - t0),
        ("match", t2 - t1),
        ("write xlsx report", t3 - t2),
        ("end to end", t3 - t0),
    ]:
        print(f"{stage:<22}{seconds:>10.2f}{rows / seconds:>14,.0f}{seconds / (t3 - t0):>8.0%}")
    print(f"\nmatching stage alone: {ours_rate:,.0f} names/s ({len(names):,} names, {distinct:,} distinct)")
    print(f"naive extractOne/WRatio, row by row: {naive_rate:,.0f} names/s (5,000-name sample)")
    print(f"speed-up: {ours_rate / naive_rate:,.1f}x")


if __name__ == "__main__":
    main()
