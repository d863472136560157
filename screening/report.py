"""Screening a file: rows in, one result per row out, with the run's provenance.

>>> from pathlib import Path; import tempfile
>>> path = Path(tempfile.mkdtemp()) / "vendors.csv"
>>> _ = path.write_text("Vendor,Country\\nHikivision,CN\\nAcme Office Supplies,US\\n,\\n")
>>> report = screen_file(path)
>>> [(r.row, r.name, r.status) for r in report.rows]
[(2, 'Hikivision', 'match'), (3, 'Acme Office Supplies', 'clear'), (4, '', 'skipped')]
>>> report.counts
{'match': 1, 'review': 0, 'clear': 1, 'skipped': 1}
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from screening import __version__
from screening.matching import DEFAULT_THRESHOLDS, Alert, NameResult, Screener, Thresholds
from screening.spreadsheet import CellValue, Table, read_table

STATUSES = ("match", "review", "clear", "skipped")


@dataclass(frozen=True)
class RowResult:
    """One input row and its screening result."""

    sheet: str
    row: int  # the spreadsheet's own row number
    values: tuple[CellValue, ...]  # the row as read, in the sheet's column order
    result: NameResult
    country: CellValue = None
    address: CellValue = None

    @property
    def name(self) -> str:
        return self.result.name

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return self.result.alerts

    @property
    def best(self) -> Alert | None:
        return self.result.best

    @property
    def flagged(self) -> bool:
        return self.result.flagged


@dataclass(frozen=True)
class SheetInfo:
    name: str
    header_row: int
    headers: tuple[str, ...]
    name_column: str
    rows: int


@dataclass(frozen=True)
class RunInfo:
    """Provenance of a run: what was screened, against which list, with which settings."""

    tool_version: str
    list_version: str
    input: str
    input_sha256: str
    started: str
    thresholds: Thresholds
    sheets: tuple[SheetInfo, ...]
    skipped_sheets: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Report:
    run: RunInfo
    rows: tuple[RowResult, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def flagged(self) -> tuple[RowResult, ...]:
        """Rows with an alert, ``match`` before ``review``, in row order within each."""
        return tuple(sorted((r for r in self.rows if r.flagged), key=lambda r: r.status != "match"))

    def sheet_info(self, name: str) -> SheetInfo:
        return next(s for s in self.run.sheets if s.name == name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def screen_table(table: Table, screener: Screener, *, progress: Callable[[int, int], None] | None = None) -> Report:
    """Screen rows already read from a file (see :func:`screen_file`)."""
    total = sum(len(s.rows) for s in table.sheets)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    rows: list[RowResult] = []
    for sheet in table.sheets:
        for number, values in sheet.rows:
            name = values[sheet.name_column]
            text = "" if name is None else str(name)
            rows.append(
                RowResult(
                    sheet=sheet.name,
                    row=number,
                    values=values,
                    result=screener.check(text),
                    country=values[sheet.country_column] if sheet.country_column is not None else None,
                    address=values[sheet.address_column] if sheet.address_column is not None else None,
                )
            )
            if progress is not None and len(rows) % 1000 == 0:
                progress(len(rows), total)
    if progress is not None:
        progress(len(rows), total)
    counts = {status: 0 for status in STATUSES}
    for r in rows:
        counts[r.status] += 1
    run = RunInfo(
        tool_version=__version__,
        list_version=screener.entities.version,
        input=table.path.name,
        input_sha256=_sha256(table.path),
        started=started,
        thresholds=screener.thresholds,
        sheets=tuple(
            SheetInfo(s.name, s.header_row, s.headers, s.headers[s.name_column], len(s.rows)) for s in table.sheets
        ),
        skipped_sheets=table.skipped_sheets,
    )
    return Report(run=run, rows=tuple(rows), counts=counts)


def screen_file(
    path: str | Path,
    *,
    column: str | None = None,
    sheet: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    screener: Screener | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Screen every row of a vendor spreadsheet.

    Args:
        path: an .xlsx, .xlsm or .csv file.
        column: header of the name column; detected from the headers by default.
        sheet: screen only this sheet; by default every sheet with a name column.
        thresholds: scores for ``match`` and ``review`` (ignored when ``screener`` is given).
        screener: screen against another list; the bundled one by default.
        progress: called with (rows done, rows in all) as the run goes.

    Returns:
        A :class:`Report` with one :class:`RowResult` per input row, in order.

    Raises:
        ScreeningError: the file cannot be screened; the message says why.
    """
    table = read_table(Path(path), column=column, sheet=sheet)
    return screen_table(table, screener or Screener.default(thresholds=thresholds), progress=progress)
