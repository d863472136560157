"""The ``screening`` command line: parse the arguments, call the core, map errors to exit codes.

Exit status: 0 nothing flagged, 1 something flagged (match or review), 2 the
input could not be screened (the reason is one line on stderr).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from screening import EntityList, Screener, ScreeningError, Thresholds, screen_to_file
from screening.evaluation import (
    BASELINE_THRESHOLD,
    baseline_judge,
    format_comparison,
    format_table,
    load_cases,
    screener_judge,
    tally,
)
from screening.matching import DEFAULT_THRESHOLDS
from screening.report_files import default_output, report_format
from screening.report_json import name_result_json

app = typer.Typer(
    help="Screen vendor and customer names against restricted-party lists.",
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    # Help texts are plain text: in Rich's markup, "[default: detected]" is a style and vanished.
    rich_markup_mode=None,
)
lists_app = typer.Typer(help="Show the entity list.", no_args_is_help=True)
app.add_typer(lists_app, name="lists")

EXIT_FLAGGED = 1
EXIT_INPUT_ERROR = 2
# The cores this process may run on: os.cpu_count() counts the machine's,
# which taskset or a container's CPU set may not allow (each worker costs memory).
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


MatchThreshold = Annotated[float, typer.Option(help="Score (0-100) from which a name is a match.")]
ReviewThreshold = Annotated[float, typer.Option(help="Score (0-100) from which a name is flagged for review.")]


def _fail(message: str) -> NoReturn:
    # One line, whatever the message quotes from the file (a header with a newline).
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every failure into one line on stderr and exit status 2: never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except ScreeningError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")
    except Exception as exc:  # a bug of ours: still one line, and a way to report it
        _fail(f"unexpected {type(exc).__name__}: {exc}; please report this with the input file's description")


def _thresholds(match: float, review: float) -> Thresholds:
    try:
        return Thresholds(match=match, review=review)
    except ValueError as exc:
        _fail(str(exc))


class _Progress:
    """Rows per second and time left on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.finished = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 5000 or self.finished:  # the run reports its end once more
            return
        elapsed = max(time.monotonic() - self.start, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        width = 30
        bar = "#" * int(width * done / max(total, 1))
        sys.stderr.write(f"\r[{bar:<{width}}] {done:,}/{total:,} rows  {rate:,.0f} rows/s  {left:,.0f}s left ")
        if done >= total:
            sys.stderr.write("\n")
            self.finished = True
        sys.stderr.flush()


@app.command()
def screen(
    input: Annotated[Path, typer.Argument(help="The vendor spreadsheet: .xlsx, .xlsm or .csv.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Report path [default: INPUT-screened.FORMAT].")
    ] = None,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format", help="Report format [default: the output's extension, else xlsx].", show_default=False
        ),
    ] = None,
    column: Annotated[str | None, typer.Option(help="Header of the name column [default: detected].")] = None,
    sheet: Annotated[
        str | None, typer.Option(help="Screen only this sheet [default: every sheet with a name column].")
    ] = None,
    review_threshold: ReviewThreshold = DEFAULT_THRESHOLDS.review,
    match_threshold: MatchThreshold = DEFAULT_THRESHOLDS.match,
    jobs: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes that screen rows [default: one per core]; this one reads and writes the files meanwhile.",
            show_default=False,
        ),
    ] = _CORES,
) -> None:
    """Screen every row of a spreadsheet and write the flagged report.

    Exits 0 when nothing is flagged, 1 when any row is a match or review, 2 when
    the file cannot be screened.
    """
    thresholds = _thresholds(match_threshold, review_threshold)
    with _errors():
        fmt = report_format(output, format.value if format else None)
        target = output or default_output(input, fmt)
        if not target.parent.is_dir():
            raise ScreeningError(f"{target}: the folder {target.parent} does not exist")
        report = screen_to_file(
            input,
            target,
            fmt=fmt,
            column=column,
            sheet=sheet,
            thresholds=thresholds,
            progress=_Progress(),
            workers=jobs,
        )
    c = report.counts
    used = "; ".join(
        f"sheet '{s.name}', names from column '{s.name_column}' (header on row {s.header_row})"
        for s in report.run.sheets
    )
    typer.echo(
        f"Screened {report.rows_screened:,} rows of {input.name} ({used}) against list {report.run.list_version}: "
        f"{c['match']} match, {c['review']} review, {c['clear']} clear, {c['skipped']} skipped (empty name). "
        f"Report: {target}"
    )
    if c["match"] or c["review"]:
        raise typer.Exit(EXIT_FLAGGED)


@app.command()
def check(
    names: Annotated[list[str], typer.Argument(help="One or more names to screen.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    review_threshold: ReviewThreshold = DEFAULT_THRESHOLDS.review,
    match_threshold: MatchThreshold = DEFAULT_THRESHOLDS.match,
) -> None:
    """Screen names given on the command line and explain each result."""
    thresholds = _thresholds(match_threshold, review_threshold)
    with _errors():
        results = Screener.default(thresholds=thresholds).check_many(names)
    if as_json:
        payload = [name_result_json(r) for r in results]
        typer.echo(json.dumps({"results": payload}, ensure_ascii=False, indent=1))
    else:
        for r in results:
            typer.echo(f"{r.name}: {r.status.upper()}")
            for a in r.alerts:
                typer.echo(f"  {a.level} {a.score:.1f}: {a.entity} [{a.entity_id}] via name form '{a.matched_name}'")
                typer.echo(f"    restrictions: {'; '.join(a.restrictions)}")
                typer.echo(f"    why: {a.explanation}")
                for s in a.sources:
                    typer.echo(f"    source: {s.cite()}")
            if r.note:
                typer.echo(f"  note: {r.note}")
    if any(r.flagged for r in results):
        raise typer.Exit(EXIT_FLAGGED)


@app.command()
def evaluate(
    labelled: Annotated[Path, typer.Argument(help="CSV with columns name, expected, category.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run a plain rapidfuzz WRatio baseline.")] = False,
    baseline_threshold: Annotated[float, typer.Option(help="The baseline's one threshold.")] = BASELINE_THRESHOLD,
    review_threshold: ReviewThreshold = DEFAULT_THRESHOLDS.review,
    match_threshold: MatchThreshold = DEFAULT_THRESHOLDS.match,
) -> None:
    """Measure misses and false alerts on labelled names, per category."""
    thresholds = _thresholds(match_threshold, review_threshold)
    with _errors():
        cases = load_cases(labelled)
        screener = Screener.default(thresholds=thresholds)
        ours = tally(cases, screener_judge(screener))
        base = tally(cases, baseline_judge(screener.entities, threshold=baseline_threshold)) if baseline else None
    if as_json:
        payload: dict[str, object] = {"input": labelled.name, "ours": [t.to_json() for t in ours]}
        if base is not None:
            payload["baseline"] = {"threshold": baseline_threshold, "tallies": [t.to_json() for t in base]}
        typer.echo(json.dumps(payload, indent=1))
        return
    typer.echo(f"screening on {labelled.name} ({len(cases)} names)\n{format_table(ours)}")
    if base is not None:
        typer.echo(f"\nbaseline: rapidfuzz WRatio >= {baseline_threshold:g}\n{format_table(base)}")
        typer.echo(f"\nside by side\n{format_comparison(ours, base)}")


@lists_app.command("show")
def lists_show(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False) -> None:
    """Show the entities with their names, restrictions, status and sources."""
    with _errors():
        entities = EntityList.load()
    if as_json:
        typer.echo(json.dumps([e.to_json() for e in entities.entities], ensure_ascii=False, indent=1))
        return
    typer.echo(f"{entities.title}\nversion {entities.version}, {len(entities.entities)} entities\n")
    for e in entities.entities:
        typer.echo(f"{e.id}: {e.name} ({e.type}, {e.country}) - {e.status}")
        typer.echo(f"  names: {'; '.join(n.name for n in e.names)}")
        for r in e.restrictions:
            typer.echo(f"  restriction: {r.label} [{r.status}]")
            for s in r.sources:
                typer.echo(f"    source: {s.cite()}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    max_upload_mb: Annotated[float, typer.Option(help="Largest upload accepted, in MB.")] = 50,
) -> None:
    """Serve the upload page and the JSON API (docs at /docs)."""
    import uvicorn

    from screening.web import create_app

    with _errors():
        web_app = create_app(max_upload_bytes=int(max_upload_mb * 1024 * 1024))
    typer.echo(f"Serving on http://{host}:{port}/ (API docs at /docs); Ctrl-C stops.", err=True)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
