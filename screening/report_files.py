"""Writing a :class:`~screening.report.Report` as xlsx, csv or json.

Every writer goes to a temporary file beside the target and renames it into
place, so a failed run never leaves a partial report. Cell text from the input
is written as text, never as a formula: xlsx cells as inline strings, CSV
cells that a spreadsheet would read as a formula with a leading apostrophe
(OWASP's advice on CSV injection).

The rows of a report are turned into text a batch at a time by the
``_*_rows`` functions, in the worker processes of a run that has them (see
:meth:`screening.report.Screening.formatted`). A clear row of a CSV file
goes into a CSV report as its line in the file, copied, when that line reads
back as the row (``_csv_copies``); a clear row of a workbook into an xlsx
report straight from its values (``_xlsx_clear_rows``).
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import operator
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import cast

from screening.cells import CellValue, as_text
from screening.errors import ScreeningError
from screening.matching import DEFAULT_THRESHOLDS, Screener, Thresholds
from screening.report import STATUSES, Report, RowResult, Screening, encoded, sha256_meanwhile
from screening.report_json import header_keys, json_headers, json_rows, run_json
from screening.results import NameResult
from screening.spreadsheet import ROW_NUMBER, ROW_VALUES, NumberedLines, NumberedRow, open_table
from screening.xlsx_writer import XlsxWriter, row_xml, row_xml_ending, rows_xml_ending

FORMATS = ("xlsx", "csv", "json")
ADDED_COLUMNS = (
    "Status",
    "Score",
    "Matched entity",
    "Matched name form",
    "Restriction",
    "Source",
    "Explanation",
    "Note",
    "Sheet",
    "Row",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)
_FIRST = operator.itemgetter(0)
# Values the csv module writes as csv_safe does, but for text that starts a
# formula: nothing, text, numbers (not dates: it writes them with str()).
_TEXT = frozenset({type(None), str})
_AS_IS = _TEXT | {int, float}
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def default_output(input_path: Path, fmt: str) -> Path:
    """``vendors.xlsx`` -> ``vendors-screened.xlsx`` beside it."""
    return input_path.with_name(f"{input_path.stem}-screened.{fmt}")


def report_format(output: Path | None, fmt: str | None = None) -> str:
    """The report's format: ``fmt`` when given, else the output's extension (.xlsx, .csv, .json), else xlsx.

    A report named ``hits.csv`` but written as xlsx would open as garbage,
    so a format that contradicts the output's extension is an error.

    >>> report_format(Path("hits.csv")), report_format(Path("hits.CSV"), "csv"), report_format(None)
    ('csv', 'csv', 'xlsx')
    >>> report_format(Path("hits.xlsx"), "csv")
    Traceback (most recent call last):
    screening.errors.ScreeningError: hits.xlsx: a csv report cannot end in .xlsx; change the name or the format
    """
    suffix = output.suffix.lower().removeprefix(".") if output is not None else ""
    if fmt is None:
        return suffix if suffix in FORMATS else "xlsx"
    if suffix in FORMATS and suffix != fmt:
        raise ScreeningError(f"{output}: a {fmt} report cannot end in .{suffix}; change the name or the format")
    return fmt


def write_report(report: Report | Screening, path: Path, *, fmt: str = "xlsx") -> Path:
    """Write ``report`` to ``path`` atomically, in ``fmt`` (xlsx, csv or json).

    A :class:`~screening.report.Screening` is screened as it is written,
    row by row, so that no more than a batch of rows is ever in memory.
    """
    writers: dict[str, Callable[[Report | Screening, Path], None]] = {
        "xlsx": _write_xlsx,
        "csv": _write_csv,
        "json": _write_json,
    }
    if fmt not in writers:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=f".{fmt}.tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writers[fmt](report, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def screen_to_file(
    path: str | Path,
    output: str | Path,
    *,
    fmt: str = "xlsx",
    column: str | None = None,
    sheet: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    screener: Screener | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Screening:
    """Screen every row of a vendor spreadsheet straight into a report file, however large the file.

    Rows stream from the input through the screener to the report, so that
    memory does not grow with the row count. ``workers`` processes screen
    the rows and turn them into report text while this one reads and writes
    (see :mod:`screening.workers`). The arguments are those of
    :func:`~screening.report.screen_file`, with the report's path and format.

    Returns:
        The finished :class:`~screening.report.Screening`: its ``counts``,
        ``run`` and ``flagged`` rows (the other rows are in the file only).

    Raises:
        ScreeningError: the file cannot be screened; no report is left behind.
    """
    sha256 = sha256_meanwhile(Path(path))
    table = open_table(Path(path), column=column, sheet=sheet)
    screener = screener or Screener.default(thresholds=thresholds)
    screening = Screening(table, screener, progress=progress, workers=workers, input_sha256=sha256.result())
    write_report(screening, Path(output), fmt=fmt)
    return screening


def input_columns(report: Report | Screening) -> list[str]:
    """The union of the screened sheets' headers, in order of first appearance."""
    columns: list[str] = []
    for sheet in report.run.sheets:
        for key in header_keys(sheet.headers):
            if key not in columns:
                columns.append(key)
    return columns


def _placement(report: Report | Screening, columns: list[str]) -> dict[str, list[int] | None]:
    """Where each sheet's columns go among ``columns``: None for a sheet whose columns are ``columns`` in order."""
    index = {c: i for i, c in enumerate(columns)}
    placement: dict[str, list[int] | None] = {}
    for s in report.run.sheets:
        where = [index[k] for k in header_keys(s.headers)]
        placement[s.name] = None if where == list(range(len(columns))) else where
    return placement


def _in_columns(values: Sequence[CellValue], where: list[int] | None, width: int) -> list[CellValue]:
    """A row's values under the report's input columns, ``where`` its sheet's go (see _placement)."""
    if where is None:  # one sheet, or sheets alike: the row is already in column order
        return list(values)
    cells: list[CellValue] = [None] * width
    for value, i in zip(values, where, strict=False):
        cells[i] = value
    return cells


def _ending(status: str, sheet: str) -> tuple[str | None, ...]:
    """The report's own columns of a clear row, before its row number: the status and the sheet only."""
    return (status, None, None, None, None, None, None, None, sheet)


def _added(r: RowResult) -> list[CellValue]:
    """The report's own columns for a flagged row or a row with a note (the others have a status and a place only)."""
    best = r.best
    return [
        r.status,
        best.score if best else None,
        best.entity if best else None,
        best.matched_name if best else None,
        "; ".join(best.restrictions) if best else None,
        "\n".join(s.cite() for s in best.sources) if best else None,
        "\n".join(a.explanation for a in r.alerts) or None,
        r.result.note or None,
        r.sheet,
        r.row,
    ]


# ---------------------------------------------------------------- xlsx


def _write_xlsx(report: Report | Screening, path: Path) -> None:
    with XlsxWriter(path) as book:
        columns = input_columns(report)
        header = columns + list(ADDED_COLUMNS)
        with book.sheet("Screening") as sheet:
            sheet.row(header, style="bold")
            placement = _placement(report, columns)
            formatter = functools.partial(_xlsx_rows, placement=placement, width=len(columns))
            clear_rows = functools.partial(_xlsx_clear_rows, placement=placement, width=len(columns))
            for xml, count in report.formatted(formatter, clear_rows=clear_rows):
                sheet.rows_xml(xml, count)
            sheet.autofilter(report.rows_screened + 1, len(header))

        hit_header = [
            "Sheet",
            "Row",
            "Name",
            "Status",
            "Score",
            "Entity id",
            "Entity",
            "Matched name form",
            "Restriction",
            "Sources",
            "Explanation",
        ]
        with book.sheet("Hits", widths={10: 80, 11: 80}, wrapped=frozenset({9, 10})) as hits:
            hits.row(hit_header, style="bold")
            n = 0
            for r in report.flagged:
                for alert in r.alerts:
                    n += 1
                    hits.row(
                        [
                            r.sheet,
                            r.row,
                            r.name,
                            alert.level,
                            alert.score,
                            alert.entity_id,
                            alert.entity,
                            alert.matched_name,
                            "; ".join(alert.restrictions),
                            "\n".join(s.cite() for s in alert.sources),
                            alert.explanation,
                        ],
                        style=alert.level,
                    )
            hits.autofilter(n + 1, len(hit_header))

        with book.sheet("Run", widths={1: 24, 2: 70}, frozen_header=False) as run:
            for key, value in _run_rows(report):
                run.row([key, value], first="bold")


def _xlsx_rows(rows: list[RowResult], before: int, *, placement: dict[str, list[int] | None], width: int) -> str:
    """Rows of the Screening sheet (the header is its first row); run in a worker process when there are workers."""
    xml = []
    for number, r in enumerate(rows, start=before + 2):
        status = r.result.status
        values = _in_columns(r.values, placement[r.sheet], width)
        if status == "match" or status == "review":  # filled red or amber across, blanks included
            xml.append(row_xml(number, values + _added(r), style=status, blanks=True))
        elif r.result.note:
            xml.append(row_xml(number, values + _added(r)))
        else:  # most rows: a status and where the row was, the same in row after row
            xml.append(row_xml_ending(number, values, _ending(status, r.sheet), r.row))
    return "".join(xml)


def _xlsx_clear_rows(
    sheet: str,
    rows: Sequence[NumberedRow],
    lines: list[str] | None,
    results: list[NameResult],
    before: int,
    *,
    placement: dict[str, list[int] | None],
    width: int,
) -> list[str | None]:
    """The xlsx report's row for each clear row, as _xlsx_rows writes it; None for the others.

    Made from the row's values, without a RowResult for it: a million-row
    run makes a million of them. 3.2-3.5 µs a row, against 4.5-4.7 (and
    2.8-3.0 with their text checked many rows at once).
    """
    where = placement[sheet]
    clear: list[int] = []
    ending: list[tuple[int, Sequence[CellValue], int]] = []  # (row in the report, values, row in the sheet)
    for i, ((number, values), result) in enumerate(zip(rows, results, strict=True)):  # (rows read once)
        if result.status == "clear" and not result.note:
            clear.append(i)
            ending.append((before + 2 + i, _in_columns(values, where, width), number))
    written: list[str | None] = [None] * len(rows)
    for i, text in zip(clear, rows_xml_ending(ending, _ending("clear", sheet)), strict=True):
        written[i] = text
    return written


def _run_rows(report: Report | Screening) -> list[tuple[str, CellValue]]:
    run = report.run
    rows: list[tuple[str, CellValue]] = [
        ("Tool version", run.tool_version),
        ("List version", run.list_version),
        ("Input file", run.input),
        ("Input SHA-256", run.input_sha256),
        ("Started (UTC)", run.started),
        ("Match threshold", run.thresholds.match),
        ("Review threshold", run.thresholds.review),
        ("Rows screened", report.rows_screened),
    ]
    rows += [(f"Rows {status}", report.counts[status]) for status in STATUSES]
    for s in run.sheets:
        rows.append(
            (f"Sheet {s.name}", f"{s.rows} rows; header on row {s.header_row}; names from column '{s.name_column}'")
        )
    for name, why in run.skipped_sheets:
        rows.append((f"Sheet {name}", f"not screened: {why}"))
    return rows


# ---------------------------------------------------------------- csv


def csv_safe(value: CellValue) -> str:
    """Text for a CSV cell that no spreadsheet will run as a formula.

    >>> csv_safe('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> csv_safe("-2+3"), csv_safe(-120.5), csv_safe("-120.5")
    ("'-2+3", '-120.5', '-120.5')
    """
    if value is None:
        return ""
    if type(value) is str:  # the common case first: most cells are text that starts with a letter
        if value[:1] in _FORMULA_FIRST and not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
        return value
    text = as_text(value)
    if text.startswith(_FORMULA_START) and not (isinstance(value, (int, float)) or _PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def _write_csv(report: Report | Screening, path: Path) -> None:
    columns = input_columns(report)
    # UTF-8 with a BOM: Excel then opens it with the right encoding. (Rows
    # come encoded, from the workers when there are some.)
    with open(path, "wb") as f:
        header = io.StringIO()
        csv.writer(header).writerow([csv_safe(c) for c in columns + list(ADDED_COLUMNS)])
        f.write(encoded("\ufeff" + header.getvalue()))
        sheets = {s.name: _csv_cell(csv_safe(s.name)) for s in report.run.sheets}
        placement = _placement(report, columns)
        formatter = functools.partial(_csv_rows, placement=placement, width=len(columns), sheets=sheets)
        copies = functools.partial(_csv_copies, placement=placement, sheets=sheets)
        for text, _ in report.formatted(formatter, clear_rows=copies):
            f.write(text)


def _csv_cell(text: str) -> str:
    """``text`` as a cell of a CSV line, quoted if it must be."""
    out = io.StringIO()
    csv.writer(out).writerow([text, ""])
    return out.getvalue()[:-3]  # less the comma before the empty cell and the line break


def _csv_rows(
    rows: list[RowResult], before: int, *, placement: dict[str, list[int] | None], width: int, sheets: dict[str, str]
) -> str:
    """Rows of the CSV report (after its header); run in a worker process when there are workers.

    ``sheets``: each sheet's name as a CSV cell. The input columns of the
    whole batch are written in one call, and each line then gets the
    report's columns: a call and a test of the cells for each row took 3.4
    µs a row, this 2.4 (a million-row run turns every row into text).
    """
    values: list[Sequence[CellValue]]
    values = [
        r.values if placement[r.sheet] is None else _in_columns(r.values, placement[r.sheet], width) for r in rows
    ]
    if not _written_as_is(values):
        values = [[csv_safe(v) for v in row] for row in values]
    out = io.StringIO()
    csv.writer(out).writerows(values)
    lines = out.getvalue().split("\r\n")
    if len(lines) != len(rows) + 1:  # a cell holds a line break written as a line's end: the rows one by one
        out = io.StringIO()
        csv.writer(out).writerows([*row, *map(csv_safe, _added(r))] for row, r in zip(values, rows, strict=True))
        return out.getvalue()
    out_lines = []
    for line, r in zip(lines, rows, strict=False):  # the text after the last line break is not a line
        result = r.result
        if result.status == "clear" and not result.note:
            # Most rows: the report's columns are a status and where the row was.
            out_lines.append(f"{line},clear,,,,,,,,{sheets[r.sheet]},{r.row}\r\n")
        else:
            out_lines.append(f"{line},{_csv_line([csv_safe(v) for v in _added(r)])}")
    return "".join(out_lines)


def _csv_copies(
    sheet: str,
    rows: Sequence[NumberedRow],
    lines: list[str] | None,
    results: list[NameResult],
    before: int,
    *,
    placement: dict[str, list[int] | None],
    sheets: dict[str, str],
) -> list[str | None] | None:
    """The CSV report's line for each clear row, its line in the input with the report's columns; None for the others.

    None for all of them if the rows were not read from lines that read
    back as them (see :class:`~screening.cells.ChunkRows`), a cell of the
    rows would be written otherwise (it starts a formula), or the sheet's
    columns are not the report's. (``before``: a CSV line holds no row
    number of the report's.)
    """
    if lines is None or placement[sheet] is not None:
        return None
    # Lines with none of a formula's first characters anywhere (most) have
    # no cell to look at one by one: 0.03 s a million rows, against 0.3.
    joined = "".join(lines)
    if any(c in joined for c in _FORMULA_START):
        if isinstance(rows, NumberedLines):  # the cells that start so, found without reading the rows
            texts = rows.rows.starting_with("".join(_FORMULA_START))
        else:  # cells read from a CSV file are text, or None where empty
            texts = cast(list[str], list(filter(None, itertools.chain.from_iterable(map(ROW_VALUES, rows)))))
        if not _no_formula_start(texts):
            return None
    cell = sheets[sheet]
    # The line _csv_rows writes for a clear row (tests/test_large_files.py compares the two).
    numbers = rows.numbers if isinstance(rows, NumberedLines) else map(ROW_NUMBER, rows)
    copied: list[str | None] = [f"{line},clear,,,,,,,,{cell},{n}\r\n" for n, line in zip(numbers, lines, strict=True)]
    for i, result in enumerate(results):
        if result.status != "clear" or result.note:
            copied[i] = None
    return copied


def _csv_line(cells: list[str]) -> str:
    """``cells`` as a CSV line, line break included."""
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


def _written_as_is(rows: list[Sequence[CellValue]]) -> bool:
    """Whether the csv module writes every cell of ``rows`` as csv_safe would: no formula start, no date.

    Tested on the batch's cells all at once, in C: cell by cell in Python,
    the test took as long as writing the row.
    """
    cells = list(itertools.chain.from_iterable(rows))
    kinds = set(map(type, cells))
    if not kinds <= _AS_IS:
        return False
    # Only text is left once empty cells are filtered out of text and nothing.
    texts = cast(Iterable[str], filter(None, cells)) if kinds <= _TEXT else (v for v in cells if type(v) is str and v)
    return _no_formula_start(list(texts))


def _no_formula_start(texts: list[str]) -> bool:
    """Whether csv_safe leaves every one of ``texts`` (none empty) as it is."""
    # The set of their first letters: half the time of a startswith for each.
    if _FORMULA_FIRST.isdisjoint(map(_FIRST, texts)):
        return True
    return all(csv_safe(t) == t for t in texts if t[0] in _FORMULA_FIRST)  # plain numbers ("-12.5") stay


def _write_json(report: Report | Screening, path: Path) -> None:
    # Rows first, one per line, as they are screened; the run, with its
    # counts, once they are all out.
    with open(path, "wb") as f:
        f.write(b'{\n "rows": [')
        for text, _ in report.formatted(functools.partial(json_rows, headers=json_headers(report))):
            f.write(text)
        run = json.dumps(run_json(report), ensure_ascii=False, indent=1)
        f.write(encoded(f'\n ],\n "run": {run}\n}}\n'))
