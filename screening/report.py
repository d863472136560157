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

import dataclasses
import functools
import gc
import hashlib
import itertools
import operator
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from screening import __version__
from screening.cells import CellValue, Chunk
from screening.matching import DEFAULT_THRESHOLDS, Screener, Thresholds
from screening.results import Alert, NameResult
from screening.spreadsheet import ROW_VALUES, NumberedLines, NumberedRow, Sheet, Table, open_table
from screening.workers import batches, can_fork, frozen_run, map_in_processes

STATUSES = ("match", "review", "clear", "skipped")
UNSAVED_FORMULA = (
    "the name cell holds a formula with no saved value (the file was written by a program that does not "
    "calculate); open it in Excel, save it, and screen it again"
)


# Not frozen: a million-row run builds a million of these, and a frozen
# dataclass takes more than twice as long to build (each field is set
# through object.__setattr__).
@dataclass(slots=True)
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

    @property
    def rows_screened(self) -> int:
        return len(self.rows)

    def formatted(self, formatter: Formatter, *, clear_rows: ClearRows | None = None) -> Iterator[tuple[bytes, int]]:
        """The rows as report text (UTF-8) a batch at a time, as :meth:`Screening.formatted` gives them.

        (Rows held in memory are RowResults already: ``clear_rows`` is not used.)
        """
        return _formatted_here(self.rows, formatter)


class Screening:
    """A run whose rows are screened as they are read, for files too large to hold in memory.

    Iterate ``rows`` once, or ``formatted`` (a report writer does);
    ``counts``, ``flagged`` and the row counts in ``run`` are complete once
    it is exhausted. Only the flagged rows are kept.
    """

    def __init__(
        self,
        table: Table,
        screener: Screener,
        *,
        progress: Callable[[int, int], None] | None = None,
        workers: int = 1,
        input_sha256: str | None = None,
    ) -> None:
        self.table = table
        self.screener = screener
        self.counts = {status: 0 for status in STATUSES}
        self._flagged: list[RowResult] = []
        self._sheet_rows = {s.name: 0 for s in table.sheets}
        self._started = datetime.now(UTC).isoformat(timespec="seconds")
        self._sha256 = input_sha256 or sha256_of(table.path)
        self._progress = progress
        self._workers = workers
        self._done = 0
        sizes = [s.size for s in table.sheets]
        self._total = sum(n for n in sizes if n is not None) if None not in sizes else 0
        self.rows = self._screen()

    def _screen(self) -> Iterator[RowResult]:
        for sheet in self.table.sheets:
            # The screener reads a few batches of names ahead; their rows wait here.
            waiting: deque[list[NumberedRow]] = deque()
            names = _name_batches(sheet, waiting)
            for results in self.screener.check_batches(names, workers=self._workers):
                rows = _row_results(sheet, waiting.popleft(), results)
                self._account(sheet.name, len(rows), *_summary(rows))
                yield from rows
        self._tell_progress()  # the end, once more

    def formatted(self, formatter: Formatter, *, clear_rows: ClearRows | None = None) -> Iterator[tuple[bytes, int]]:
        """The rows as report text a batch at a time: (``formatter(rows, rows before)`` in UTF-8, rows in it).

        With more than one worker, the worker processes screen the rows and
        format them too (turning a row into report text takes longer than
        reading it), and only the flagged rows come back; this process reads
        the file and writes the text. ``formatter`` is a module-level
        function (or a partial of one): the workers inherit it.

        ``clear_rows`` writes the clear rows of a batch straight from the
        rows read, where it can (see :data:`ClearRows`).
        """
        job = (self.screener, self.table, formatter, clear_rows)
        # Objects that live through the run stay out of the collector's walks,
        # here and in the forked workers (see screening.workers).
        with frozen_run() as freeze:
            if freeze:
                gc.freeze()
            if self._workers > 1 and can_fork():
                done = map_in_processes(_format_batch, self._tasks(), processes=self._workers, shared=job)
            else:
                done = (_format_batch(job, task) for task in self._tasks())
            for text, sheet, count, counts, flagged in done:
                self._account(sheet, count, counts, flagged)
                if freeze:
                    gc.freeze()
                yield text, count
        self._tell_progress()  # the end, once more

    def _tasks(self) -> Iterator[tuple[int, list[NumberedRow] | Chunk, int]]:
        """(sheet, a batch of its rows or a chunk for a worker to read, rows before them in the report), to the workers.

        The rows of a sheet read in chunks do not pass through this process
        at all: reading a million rows and sending them on took it 4.9 to 7.1
        s of CPU, while the workers waited.
        """
        before = 0
        for i, sheet in enumerate(self.table.sheets):
            parts: Iterable[list[NumberedRow] | Chunk]
            if sheet.chunks:
                # The rows read with the header, then the chunks.
                parts = [list(itertools.islice(sheet.rows, sheet.chunks[0].first - sheet.header_row)), *sheet.chunks]
            else:
                parts = batches(sheet.rows)
            for part in parts:
                size = part.count if isinstance(part, Chunk) else len(part)
                if size:
                    yield i, part, before
                    before += size

    def _account(self, sheet: str, count: int, counts: dict[str, int], flagged: list[RowResult]) -> None:
        for status, n in counts.items():
            self.counts[status] += n
        self._flagged += flagged
        self._sheet_rows[sheet] += count
        self._done += count
        self._tell_progress()

    def _tell_progress(self) -> None:
        if self._progress is not None:
            self._progress(self._done, max(self._total, self._done))

    @property
    def flagged(self) -> tuple[RowResult, ...]:
        """Rows with an alert, ``match`` before ``review``, in row order within each."""
        return tuple(sorted(self._flagged, key=lambda r: r.status != "match"))

    @property
    def rows_screened(self) -> int:
        return sum(self.counts.values())

    @property
    def run(self) -> RunInfo:
        table = self.table
        return RunInfo(
            tool_version=__version__,
            list_version=self.screener.entities.version,
            input=table.path.name,
            input_sha256=self._sha256,
            started=self._started,
            thresholds=self.screener.thresholds,
            sheets=tuple(
                SheetInfo(s.name, s.header_row, s.headers, s.headers[s.name_column], self._sheet_rows[s.name])
                for s in table.sheets
            ),
            skipped_sheets=table.skipped_sheets,
        )


Formatter = Callable[[list[RowResult], int], str]  # (rows, rows before them) -> their text in the report
# (sheet, rows, the lines of a CSV file they were read from if so, their
# results, rows before them in the report) -> each clear row's text in the
# report, made without a RowResult (a CSV file's line copied, an xlsx row
# from its values), or None for a row left to the formatter; None for them
# all when it cannot make them.
ClearRows = Callable[[str, Sequence[NumberedRow], list[str] | None, list[NameResult], int], list[str | None] | None]


def _format_batch(
    job: tuple[Screener, Table, Formatter, ClearRows | None], task: tuple[int, list[NumberedRow] | Chunk, int]
) -> tuple[bytes, str, int, dict[str, int], list[RowResult]]:
    """Screen a batch of a sheet's rows and format them: (text, sheet, rows, counts, flagged rows)."""
    screener, table, formatter, clear_rows = job
    index, part, before = task
    sheet = table.sheets[index]
    batch: Sequence[NumberedRow]
    lines = None
    if isinstance(part, Chunk):
        assert sheet.read_chunk is not None
        batch, lines = sheet.read_chunk(part)
    else:
        batch = part
    results = screener.check_many(_names(sheet, batch))
    written = clear_rows(sheet.name, batch, lines, results, before) if clear_rows is not None else None
    if written is None:
        rows = _row_results(sheet, batch, results)
        return encoded(formatter(rows, before)), sheet.name, len(rows), *_summary(rows)
    # Copying a row's line takes about an eighth of the time of making a
    # RowResult and writing its cells again (0.5 µs a row against 3.7), an
    # xlsx row from its values three quarters; the rows left (flagged,
    # skipped, with a note) go to the formatter a run at a time.
    texts: list[str] = []
    counts = dict.fromkeys(STATUSES, 0)
    flagged: list[RowResult] = []
    at = 0
    for was_written, run in itertools.groupby(written, key=_IS_TEXT):
        n = len(run_texts := list(run))
        if was_written:  # clear rows, all of them (see ClearRows)
            texts += cast(list[str], run_texts)
            counts["clear"] += n
        else:
            rows = _row_results(sheet, batch[at : at + n], results[at : at + n])
            texts.append(formatter(rows, before + at))
            run_counts, run_flagged = _summary(rows)
            for status, count in run_counts.items():
                counts[status] += count
            flagged += run_flagged
        at += n
    return encoded("".join(texts)), sheet.name, len(batch), counts, flagged


_IS_TEXT = functools.partial(operator.is_not, None)  # (in C, not a lambda called for each row)


def _row_results(sheet: Sheet, rows: Sequence[NumberedRow], results: list[NameResult]) -> list[RowResult]:
    name, country, address, column = sheet.name, sheet.country_column, sheet.address_column, sheet.name_column + 1
    out = []
    for (number, values), result in zip(rows, results, strict=True):
        if result.status == "skipped" and (number, column) in sheet.unsaved_formulas():
            result = dataclasses.replace(result, note=UNSAVED_FORMULA)
        out.append(
            RowResult(
                name,
                number,
                values,
                result,
                values[country] if country is not None else None,
                values[address] if address is not None else None,
            )
        )
    return out


def _summary(rows: list[RowResult]) -> tuple[dict[str, int], list[RowResult]]:
    """The rows' counts by status, and the flagged ones."""
    counts = dict.fromkeys(STATUSES, 0)
    flagged = []
    for r in rows:
        status = r.result.status
        counts[status] += 1
        if status == "match" or status == "review":
            flagged.append(r)
    return counts, flagged


def _name_batches(sheet: Sheet, waiting: deque[list[NumberedRow]]) -> Iterator[list[str]]:
    """The sheet's names a batch at a time (fewer steps a row than one at a time), each batch's rows put in ``waiting``.

    (Not ``itertools.tee``: it lets go of items 57 at a time, which would
    be 57 batches of rows.)
    """
    for batch in batches(sheet.rows):
        waiting.append(batch)
        yield _names(sheet, batch)


def _names(sheet: Sheet, rows: Sequence[NumberedRow]) -> list[str]:
    """The rows' names as text (a number or a date in the name column is screened as its text)."""
    if isinstance(rows, NumberedLines):
        names = rows.column(sheet.name_column)
    else:
        names = list(map(operator.itemgetter(sheet.name_column), map(ROW_VALUES, rows)))  # in C: about half the time
    if set(map(type, names)) <= {str}:
        return cast(list[str], names)
    return [_text(name) for name in names]


def _text(name: CellValue) -> str:
    return "" if name is None else str(name)


def _formatted_here(rows: Iterable[RowResult], formatter: Formatter) -> Iterator[tuple[bytes, int]]:
    """``rows`` as report text a batch at a time, formatted in this process."""
    before = 0
    for batch in batches(rows):
        yield encoded(formatter(batch, before)), len(batch)
        before += len(batch)


def encoded(text: str) -> bytes:
    """Report text as written to a report file: UTF-8."""
    # Encoded where it is made: a worker's text would otherwise be encoded to
    # cross to this process, decoded, and encoded again to be written (a
    # tenth of the writing process's time on a million-row report). A lone
    # surrogate, which UTF-8 cannot hold, becomes "?".
    return text.encode("utf-8", "replace")


def sha256_of(path: Path) -> str:
    """The file's SHA-256, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 18), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_meanwhile(path: Path) -> Future[str]:
    """The file's SHA-256, worked out on a thread of its own while the caller goes on (reading the file, say).

    hashlib lets other threads run while it hashes: a million-row CSV file
    took 0.05 s to hash, before any worker could start.
    """
    pool = ThreadPoolExecutor(max_workers=1)
    digest = pool.submit(sha256_of, path)
    pool.shutdown(wait=False)  # (its thread ends once the digest is done)
    return digest


def screen_table(
    table: Table, screener: Screener, *, progress: Callable[[int, int], None] | None = None, workers: int = 1
) -> Report:
    """Screen rows already read, or opened, from a file (see :func:`screen_file`)."""
    screening = Screening(table, screener, progress=progress, workers=workers)
    rows = tuple(screening.rows)
    return Report(run=screening.run, rows=rows, counts=screening.counts)


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
    table = open_table(Path(path), column=column, sheet=sheet)
    return screen_table(table, screener or Screener.default(thresholds=thresholds), progress=progress)
