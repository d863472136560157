"""The web page and JSON API: parse the upload, call the core, map errors.

``screening serve`` runs :func:`create_app` under uvicorn. Screening runs in a
worker thread (FastAPI runs plain ``def`` endpoints in its thread pool), so
uploads are served side by side. Uploaded files go to a temporary directory
removed after the request, under a name of our own: the client's file name is
shown, escaped, but never used as a path.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening import __version__
from screening.entities import EntityList
from screening.errors import ScreeningError
from screening.matching import Screener, Thresholds
from screening.report import Report, screen_file
from screening.report_files import FORMATS, write_report
from screening.report_json import name_result_json, report_json
from screening.spreadsheet import CSV_SUFFIXES, WORKBOOK_SUFFIXES

DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024
# A client that sends nothing for this long in the middle of an upload is cut off.
DEFAULT_IDLE_SECONDS = 30.0
UPLOAD_SUFFIXES = sorted(WORKBOOK_SUFFIXES | CSV_SUFFIXES)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


# Form fields of the upload endpoints (module level: FastAPI resolves
# annotations in the module's namespace).
Upload = Annotated[UploadFile, File(description="The spreadsheet: .xlsx, .xlsm or .csv.")]
OptionalText = Annotated[str | None, Form()]
OptionalScore = Annotated[float | None, Form()]


class UploadError(Exception):
    """An upload the page answers with a message and an HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        message = " ".join(message.split())  # one line, whatever it quotes from the file
        super().__init__(message)
        self.status = status
        self.message = message


class CheckRequest(BaseModel):
    names: list[str]


class UploadLimit:
    """Refuse request bodies over ``max_bytes`` with 413, and stalled ones with 408, without reading them whole first.

    A declared Content-Length over the limit is refused before any byte is
    read; a body sent without one is counted as it arrives and cut off there.
    A client that sends nothing for ``idle_seconds`` in the middle of its
    upload (a slow or hostile client) gets 408 and its connection back;
    other users are served meanwhile, as each request waits on its own.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.idle_seconds = idle_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(scope, send, 413, self._too_large())
            return
        seen = 0
        started = False
        # Why the body was cut off (status, message). The app is told the
        # client went away, and whatever it answers is replaced by this:
        # FastAPI turns an exception raised while it reads a form into a 400.
        refusal: tuple[int, str] | None = None

        body_done = False

        async def counted() -> Message:
            nonlocal seen, refusal, body_done
            if refusal is not None:
                return {"type": "http.disconnect"}
            if body_done:
                # Once the body is in, the app may wait on the client (for a
                # disconnect) as long as it likes: no timeout.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.idle_seconds)
            except TimeoutError:
                refusal = (408, f"The upload stalled (nothing received for {self.idle_seconds:g} seconds); try again.")
                return {"type": "http.disconnect"}
            seen += len(message.get("body", b""))
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            if seen > self.max_bytes:
                refusal = (413, self._too_large())
                return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refusal is not None and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if refusal is None:
                raise
        if refusal is not None and not started:
            await _refuse(scope, send, *refusal)

    def _too_large(self) -> str:
        limit = self.max_bytes / 1024 / 1024
        return f"The file is larger than the {limit:.3g} MB upload limit; split it, or screen it with the command line."


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["path"].startswith("/api/"):
        response: Response = JSONResponse({"detail": message}, status_code=status)
    else:
        response = HTMLResponse(
            f"<!doctype html><title>Upload refused</title><p role=alert>{message}</p>", status_code=status
        )
    await response(scope, _drain, send)


async def _drain() -> Message:
    return {"type": "http.disconnect"}


class _ReportStore:
    """The last reports screened, kept in memory for their download links."""

    def __init__(self, size: int = 32) -> None:
        self._reports: OrderedDict[str, Report] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def add(self, report: Report) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._reports[token] = report
            while len(self._reports) > self._size:
                self._reports.popitem(last=False)
        return token

    def get(self, token: str) -> Report | None:
        with self._lock:
            return self._reports.get(token)


def _display_name(filename: str | None) -> str:
    """The client's file name for display only: last path part, no control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "upload"


def _thresholds(match: float | None, review: float | None) -> Thresholds:
    defaults = Thresholds()
    try:
        return Thresholds(
            match=defaults.match if match is None else match, review=defaults.review if review is None else review
        )
    except ValueError as exc:
        raise UploadError(422, str(exc)) from exc


def _screen_upload(upload: UploadFile, *, sheet: str | None, column: str | None, screener: Screener) -> Report:
    shown = _display_name(upload.filename)
    suffix = Path(shown).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(415, f"{shown}: unsupported file type '{suffix or 'none'}'; upload .xlsx, .xlsm or .csv")
    with tempfile.TemporaryDirectory(prefix="screening-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with open(path, "wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        try:
            report = screen_file(path, sheet=sheet or None, column=column or None, screener=screener)
        except ScreeningError as exc:
            raise UploadError(400, str(exc).replace(path.name, shown)) from exc
    return dataclasses.replace(report, run=dataclasses.replace(report.run, input=shown))


def _report_bytes(report: Report, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="screening-") as folder:
        return write_report(report, Path(folder) / f"report.{fmt}", fmt=fmt).read_bytes()


def create_app(
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    upload_idle_seconds: float = DEFAULT_IDLE_SECONDS,
    entities: EntityList | None = None,
) -> ASGIApp:
    """The web application: the page, the JSON API and its OpenAPI docs at /docs."""
    entities = entities or EntityList.load()
    default_screener = Screener(entities)
    reports = _ReportStore()

    def screener_for(match: float | None, review: float | None) -> Screener:
        thresholds = _thresholds(match, review)
        return (
            default_screener if thresholds == default_screener.thresholds else Screener(entities, thresholds=thresholds)
        )

    app = FastAPI(
        title="screening", version=__version__, description="Restricted-party screening of vendor spreadsheets."
    )

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context |= {"list_version": entities.version, "version": __version__, "suffixes": ", ".join(UPLOAD_SUFFIXES)}
        return TEMPLATES.TemplateResponse(request, name, context, status_code=status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html")

    @app.post("/screen", response_class=HTMLResponse, include_in_schema=False)
    def screen_page(
        request: Request,
        file: Upload,
        sheet: OptionalText = None,
        column: OptionalText = None,
        match_threshold: OptionalScore = None,
        review_threshold: OptionalScore = None,
    ) -> HTMLResponse:
        try:
            screener = screener_for(match_threshold, review_threshold)
            report = _screen_upload(file, sheet=sheet, column=column, screener=screener)
        except UploadError as exc:
            return page(request, "index.html", status=exc.status, error=exc.message)
        return page(request, "result.html", report=report, token=reports.add(report), formats=FORMATS)

    @app.get("/reports/{token}.{fmt}", include_in_schema=False)
    def download(token: str, fmt: str) -> Response:
        report = reports.get(token)
        if report is None or fmt not in FORMATS:
            raise HTTPException(404, "This report is no longer available; screen the file again.")
        name = f"{Path(report.run.input).stem}-screened.{fmt}"
        return Response(
            _report_bytes(report, fmt),
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"},
        )

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_page(request: Request, names: Annotated[str, Form()] = "") -> HTMLResponse:
        wanted = [n.strip() for n in names.splitlines() if n.strip()][:100]
        results = default_screener.check_many(wanted)
        return page(request, "index.html", checked=results, names=names)

    @app.get("/lists", response_class=HTMLResponse, include_in_schema=False)
    def lists_page(request: Request) -> HTMLResponse:
        return page(request, "lists.html", entities=entities)

    @app.post("/api/screen", summary="Screen a spreadsheet; the JSON report of `screening screen --format json`")
    def api_screen(
        file: Upload,
        sheet: OptionalText = None,
        column: OptionalText = None,
        match_threshold: OptionalScore = None,
        review_threshold: OptionalScore = None,
    ) -> dict[str, Any]:
        try:
            screener = screener_for(match_threshold, review_threshold)
            report = _screen_upload(file, sheet=sheet, column=column, screener=screener)
        except UploadError as exc:
            raise HTTPException(exc.status, exc.message) from exc
        return report_json(report)

    @app.post("/api/check", summary="Screen names; one result per name, in order")
    def api_check(body: CheckRequest) -> dict[str, Any]:
        return {"results": [name_result_json(r) for r in default_screener.check_many(body.names)]}

    @app.get("/api/lists", summary="The entity list, as `screening lists show --json`")
    def api_lists() -> list[dict[str, Any]]:
        return [e.to_json() for e in entities.entities]

    @app.get("/healthz", summary="Liveness, with the list version")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "list_version": entities.version}

    return UploadLimit(app, max_bytes=max_upload_bytes, idle_seconds=upload_idle_seconds)
