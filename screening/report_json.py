"""The JSON contract of a report and of a screened name (see the README).

Shared by the JSON report file, ``screening check --json`` and the web API.
"""

from __future__ import annotations

import json
import math
from typing import Any

from screening.cells import CellValue, as_text
from screening.report import Report, RowResult, Screening
from screening.results import Alert, NameResult


def header_keys(headers: tuple[str, ...]) -> list[str]:
    """Headers made unique within a sheet: a second "Notes" becomes "Notes (2)".

    The keys of a row's ``values`` here, and the input columns of the xlsx and csv reports.
    """
    seen: dict[str, int] = {}
    keys = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        keys.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return keys


def report_json(report: Report) -> dict[str, Any]:
    """The JSON contract: ``{"run": {...}, "rows": [...]}`` (see the README)."""
    headers = json_headers(report)
    return {"run": run_json(report), "rows": [row_json(r, headers[r.sheet]) for r in report.rows]}


def run_json(report: Report | Screening) -> dict[str, Any]:
    """What was screened, against which list, with which settings, and the counts."""
    run = report.run
    return {
        "tool_version": run.tool_version,
        "list_version": run.list_version,
        "input": run.input,
        "input_sha256": run.input_sha256,
        "started": run.started,
        "thresholds": {"match": run.thresholds.match, "review": run.thresholds.review},
        "rows_screened": report.rows_screened,
        "counts": dict(report.counts),
        "sheets": [
            {"name": s.name, "header_row": s.header_row, "name_column": s.name_column, "rows": s.rows}
            for s in run.sheets
        ],
        "skipped_sheets": [{"name": n, "reason": why} for n, why in run.skipped_sheets],
    }


def json_headers(report: Report | Screening) -> dict[str, list[str]]:
    """Each sheet's headers as the keys of its rows' ``values``."""
    return {s.name: header_keys(s.headers) for s in report.run.sheets}


def row_json(r: RowResult, headers: list[str]) -> dict[str, Any]:
    """One input row: where it is, its result (as :func:`name_result_json`), its values under ``headers``."""
    return {
        "sheet": r.sheet,
        "row": r.row,
        **name_result_json(r.result),
        "country": _json_value(r.country),
        "address": _json_value(r.address),
        "values": {h: _json_value(v) for h, v in zip(headers, r.values, strict=False)},
    }


def name_result_json(r: NameResult) -> dict[str, Any]:
    """One screened name, as ``screening check --json`` and ``POST /api/check`` return it."""
    best = r.best
    return {
        "name": r.name,
        "status": r.status,
        "score": best.score if best else None,
        "entity_id": best.entity_id if best else None,
        "entity": best.entity if best else None,
        "matched_name": best.matched_name if best else None,
        "restrictions": list(best.restrictions) if best else [],
        "sources": [s.to_json() for s in best.sources] if best else [],
        "explanation": best.explanation if best else None,
        "note": r.note or None,
        "alerts": [alert_json(a) for a in r.alerts],
    }


def alert_json(a: Alert) -> dict[str, Any]:
    return {
        "entity_id": a.entity_id,
        "entity": a.entity,
        "matched_name": a.matched_name,
        "score": a.score,
        "level": a.level,
        "query_norm": a.query_norm,
        "name_norm": a.name_norm,
        "restrictions": list(a.restrictions),
        "sources": [s.to_json() for s in a.sources],
        "explanation": a.explanation,
    }


def _json_value(value: CellValue) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return as_text(value)


def json_rows(rows: list[RowResult], before: int, *, headers: dict[str, list[str]]) -> str:
    """Rows of the JSON report, one a line; run in a worker process when there are workers."""
    return "".join(
        ("," if n else "") + "\n  " + json.dumps(row_json(r, headers[r.sheet]), ensure_ascii=False)
        for n, r in enumerate(rows, start=before)
    )
