"""Fixtures that build real input files in code."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(ROOT))  # `import cli` and `examples.make_vendors` from the checkout


def read_cases(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write a workbook: ``make_xlsx({"Sheet": [[row], ...]}, name="x.xlsx")``."""

    def make(sheets: dict[str, Sequence[Sequence[Any]]], name: str = "vendors.xlsx") -> Path:
        book = openpyxl.Workbook()
        first = True
        for title, rows in sheets.items():
            sheet = book.active if first else book.create_sheet()
            assert sheet is not None
            sheet.title = title
            first = False
            for row in rows:
                sheet.append(list(row))
        path = tmp_path / name
        book.save(path)
        return path

    return make


@pytest.fixture
def vendors_xlsx(tmp_path: Path) -> Path:
    """The example vendor master, generated fresh by its own generator."""
    from examples.make_vendors import write_workbook

    path = tmp_path / "vendors.xlsx"
    write_workbook(path)
    return path


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The web app served by a real uvicorn server on a free loopback port."""
    import socket
    import threading
    import time

    import uvicorn

    from screening.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(max_upload_bytes=2 * 1024 * 1024, upload_idle_seconds=2),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
