"""Time `screening screen` on a generated vendor master against the I/O floor and the naive matcher, in one run.

    python benchmarks/bench_screen.py [--rows 1000000] [--seed 7] [--repeat 3]

The vendor master is generated (seeded, so every run screens the same rows)
into benchmarks/data/ as .xlsx and .csv: ordinary vendor names, many
repeated as in a real vendor master, a quarter never seen before, and listed
parties under variant spellings. Prints:

- end to end, ``screening screen`` (run as a command, as a user runs it)
  against the I/O floor: reading the same file and writing the same rows
  back out with the fastest reader and writer the tool uses (calamine and
  the report's own writer for .xlsx, Python's csv module for .csv), with the peak memory;
  each pair run ``--repeat`` times in turn, and the pair with the median ratio shown;
- the matching stage alone, names per second, on one and on every core;
- the naive approach (rapidfuzz ``process.extractOne`` with WRatio against
  every name form, row by row) on a sample of the same names.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import os
import random
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import python_calamine
import xlsxwriter
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.make_vendors import COUNTRIES, LISTED, LOOKALIKES, ordinary_name  # noqa: E402
from screening import Screener  # noqa: E402
from screening.xlsx_writer import XlsxWriter  # noqa: E402

SPECIAL = [name for name, _, _ in LISTED + LOOKALIKES]
HEADER = ["Vendor ID", "Vendor Name", "Country", "Address", "Category", "Spend"]


def unseen_name(rng: random.Random) -> str:
    """A made-up company name, so that the run meets many distinct names."""
    syllables = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 4))) for _ in range(rng.randint(2, 3))]
    return f"{''.join(syllables).title()} {rng.choice(['Trading', 'Industries', 'Services', 'Ltd', 'GmbH', 'Inc'])}"


def vendor_name(rng: random.Random) -> str:
    """A vendor master's name: mostly known vendors (repeated), a quarter never seen before, a few listed parties."""
    draw = rng.random()
    if draw < 0.005:
        return rng.choice(SPECIAL)
    if draw < 0.25:
        return unseen_name(rng)
    return ordinary_name(rng)


def vendor_rows(rows: int, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    out: list[list[object]] = []
    for i in range(rows):
        country, city = rng.choice(COUNTRIES)
        spend = round(rng.uniform(100, 1e6), 2)
        out.append([f"V{i:07d}", vendor_name(rng), country, f"{rng.randint(1, 999)} Main St, {city}", "MRO", spend])
    return out


def generate(xlsx: Path, csv_path: Path, rows: int, seed: int) -> None:
    """The vendor master as .xlsx (a title row above the header, as exports have) and as .csv."""
    data = vendor_rows(rows, seed)
    with xlsxwriter.Workbook(str(xlsx), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("Vendors")
        sheet.write_row(0, 0, ["Vendor master export"])
        sheet.write_row(2, 0, HEADER)
        for i, row in enumerate(data, start=3):
            sheet.write_row(i, 0, row)
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(data)


def xlsx_floor(source: Path, target: Path) -> None:
    """Read every row with calamine and write it back with the report's writer: what any xlsx-to-xlsx run must spend."""
    sheet = python_calamine.CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0)
    with XlsxWriter(target) as book, book.sheet("Sheet1") as out:
        for row in sheet.iter_rows():
            out.row(row)


def csv_floor(source: Path, target: Path) -> None:
    with open(source, newline="", encoding="utf-8") as f, open(target, "w", newline="", encoding="utf-8") as g:
        csv.writer(g).writerows(csv.reader(f))


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def screen_command(source: Path, target: Path, fmt: str) -> tuple[float, float, str]:
    """Seconds, peak memory (MB, of the command and the workers it waited for) and summary of ``screening screen``."""
    command = [sys.executable, str(ROOT / "cli.py"), "screen", str(source), "-o", str(target), "--format", fmt]
    start = time.perf_counter()
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    out, err = child.stdout.read(), child.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)  # this child's own resource use, not the earlier ones'
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"screening screen failed: {err.strip()}")
    return seconds, usage.ru_maxrss / 1024, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="pairs of floor and screen runs, in turn (median shown)")
    args = parser.parse_args()

    data = ROOT / "benchmarks" / "data"
    data.mkdir(exist_ok=True)
    xlsx, csv_path = data / f"vendors-{args.rows}.xlsx", data / f"vendors-{args.rows}.csv"
    if not (xlsx.exists() and csv_path.exists()):
        generate(xlsx, csv_path, args.rows, args.seed)
    print(f"{args.rows:,} rows; machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")

    # An installed package has its modules' bytecode (pip writes it); the
    # command run here imports them from the repository, where
    # PYTHONDONTWRITEBYTECODE would have each run compile them again (a
    # one-row file's run took 0.51-0.68 s so, 0.34-0.36 with bytecode).
    compileall.compile_dir(ROOT / "screening", quiet=1)
    print(f"end to end, {args.repeat} pairs in turn (floor, then screen)")
    table = []
    for label, source, fmt, floor in [
        ("xlsx -> xlsx", xlsx, "xlsx", lambda: xlsx_floor(xlsx, data / "floor.xlsx")),
        ("csv -> csv", csv_path, "csv", lambda: csv_floor(csv_path, data / "floor.csv")),
    ]:
        pairs = []
        for _ in range(args.repeat):
            floor_s = timed(floor)
            ours_s, mb, summary = screen_command(source, data / f"report.{fmt}", fmt)
            pairs.append((floor_s, ours_s, mb))
        print(f"  {summary}")
        print("  pairs (floor s, screen s): " + ", ".join(f"{f:.2f}/{o:.2f}" for f, o, _ in pairs))
        table.append((label, pairs))
    # The machine's speed drifts from minute to minute (20-50%): the ratio of
    # each pair run back to back is steadier than either time; the median
    # pair is shown.
    print(f"\n{'input -> report':<18}{'I/O floor s':>12}{'screen s':>10}{'ratio':>8}{'rows/s':>12}{'peak MB':>9}")
    for label, pairs in table:
        floor_s, ours_s, _ = sorted(pairs, key=lambda p: p[1] / p[0])[len(pairs) // 2]
        mb = max(p[2] for p in pairs)
        print(
            f"{label:<18}{floor_s:>12.2f}{ours_s:>10.2f}{ours_s / floor_s:>8.2f}{args.rows / ours_s:>12,.0f}{mb:>9,.0f}"
        )

    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        names = [row[1] for row in reader]
    distinct = len(set(names))
    print(f"\nmatching stage alone ({len(names):,} names, {distinct:,} distinct), article-built list")
    print(f"{'matcher':<44}{'names':>10}{'seconds':>10}{'names/s':>12}")
    rows = []
    for workers in (1, os.cpu_count() or 1):
        screener = Screener.default()
        seconds = timed(lambda s=screener, w=workers: list(s.check_stream(names, workers=w)))
        rows.append((f"screening, {workers} process{'es' if workers > 1 else ''}", len(names), seconds))
    forms = [n.name for e in Screener.default().entities.entities for n in e.names]
    sample = names[:5000]
    naive_s = timed(lambda: [process.extractOne(n, forms, scorer=fuzz.WRatio, score_cutoff=88) for n in sample])
    rows.append(("naive extractOne/WRatio, row by row", len(sample), naive_s))
    for label, count, seconds in rows:
        print(f"{label:<44}{count:>10,}{seconds:>10.2f}{count / seconds:>12,.0f}")
    best = max(count / seconds for _, count, seconds in rows[:-1])
    print(f"speed-up over naive: {best / (len(sample) / naive_s):,.1f}x")


if __name__ == "__main__":
    main()
