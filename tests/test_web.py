"""The JSON API and the page's server side, through the app's test client and a real server."""

import html
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import app as cli_app
from screening import screen_file
from screening.report_json import report_json
from screening.web import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(max_upload_bytes=1024 * 1024))


def upload(
    client: TestClient, path: Path, name: str | None = None, url: str = "/api/screen", **data: str
) -> httpx.Response:
    with open(path, "rb") as f:
        return client.post(url, files={"file": (name or path.name, f)}, data=data)  # type: ignore[return-value]


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_api_screen_is_the_json_report_contract(client: TestClient, vendors_xlsx: Path) -> None:
    response = upload(client, vendors_xlsx)
    assert response.status_code == 200
    got = response.json()
    expected = report_json(screen_file(vendors_xlsx))
    for data in (got, expected):
        data["run"].pop("started")
    assert got == expected


def test_api_screen_options(client: TestClient, vendors_xlsx: Path) -> None:
    data = upload(
        client, vendors_xlsx, sheet="Vendors", column="Vendor Name", match_threshold="99", review_threshold="95"
    ).json()
    assert data["run"]["thresholds"] == {"match": 99.0, "review": 95.0} and data["run"]["counts"]["review"] == 0


def test_api_check_answers_in_order(client: TestClient) -> None:
    results = client.post("/api/check", json={"names": ["Acme", "Hikivision", "ZTE"]}).json()["results"]
    assert [r["name"] for r in results] == ["Acme", "Hikivision", "ZTE"]
    assert [r["status"] for r in results] == ["clear", "match", "clear"]
    hit = results[1]
    assert {
        "name",
        "status",
        "score",
        "entity_id",
        "entity",
        "matched_name",
        "restrictions",
        "sources",
        "explanation",
    } <= set(hit)
    assert hit["entity_id"] == "hikvision" and hit["sources"][0]["article"].endswith(".txt")


def test_api_lists_is_the_cli_contract(client: TestClient) -> None:
    cli = CliRunner().invoke(cli_app, ["lists", "show", "--json"])
    assert client.get("/api/lists").json() == json.loads(cli.stdout)


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/screen", "/api/check", "/api/lists", "/healthz"} <= set(paths)
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("vendors.pdf", b"%PDF-1.4", 415, "vendors.pdf: unsupported file type '.pdf'"),
        ("vendors.xlsx", b"junk", 400, "vendors.xlsx: not a readable .xlsx workbook"),
        ("codes.csv", b"Code,Amount\nA1,3\n", 400, "vendor names found (its first rows hold: Code, Amount, A1, 3)"),
    ],
)
def test_bad_uploads_get_a_readable_message(
    client: TestClient, tmp_path: Path, name: str, content: bytes, status: int, message: str
) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    api = upload(client, path, name)
    assert api.status_code == status and message in api.json()["detail"]
    page = upload(client, path, name, url="/screen")
    assert page.status_code == status and message in html.unescape(page.text) and "Traceback" not in page.text


def test_bad_thresholds_are_422(client: TestClient, vendors_xlsx: Path) -> None:
    response = upload(client, vendors_xlsx, match_threshold="70", review_threshold="80")
    assert response.status_code == 422 and "review <= match" in response.json()["detail"]


def test_upload_over_the_limit_is_413(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"Vendor\n" + b"Acme Ltd\n" * 200_000)
    response = upload(client, path)
    assert response.status_code == 413 and "1 MB upload limit" in response.json()["detail"]
    page = upload(client, path, url="/screen")
    assert page.status_code == 413 and "upload limit" in page.text


def test_upload_file_name_is_never_a_path(client: TestClient, vendors_xlsx: Path) -> None:
    data = upload(client, vendors_xlsx, "../../etc/passwd\x00.xlsx").json()
    shown = data["run"]["input"]  # the client percent-encodes the NUL
    assert shown.startswith("passwd") and shown.endswith(".xlsx") and "/" not in shown and "\x00" not in shown
    assert not Path("/etc/passwd.xlsx").exists()


def test_names_are_shown_as_text(client: TestClient, tmp_path: Path) -> None:
    page = client.post("/check", data={"names": "<script>alert(1)</script>\nHikivision"}).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    path = tmp_path / "x.csv"
    path.write_text("Vendor\n<b>Hikvision</b>\n")
    result = upload(client, path, url="/screen").text
    assert "<b>Hikvision</b>" not in result and "&lt;b&gt;Hikvision&lt;/b&gt;" in result


def test_report_downloads(client: TestClient, vendors_xlsx: Path) -> None:
    page = upload(client, vendors_xlsx, url="/screen").text
    assert "names from column “Vendor Name”" in page and "14</b> match" in page
    token = re.search(r"/reports/([\w-]+)\.xlsx", page)
    assert token is not None
    for fmt in ("xlsx", "csv", "json"):
        response = client.get(f"/reports/{token.group(1)}.{fmt}")
        assert response.status_code == 200
        assert f"vendors-screened.{fmt}" in response.headers["content-disposition"]
    assert json.loads(client.get(f"/reports/{token.group(1)}.json").content)["run"]["rows_screened"] == 320
    assert client.get("/reports/nope.xlsx").status_code == 404


def test_eight_concurrent_uploads_all_complete(live_server: str, vendors_xlsx: Path) -> None:
    content = vendors_xlsx.read_bytes()

    def post(i: int) -> dict:  # type: ignore[type-arg]
        response = httpx.post(f"{live_server}/api/screen", files={"file": (f"v{i}.xlsx", content)}, timeout=120)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(8)))
    assert [r["run"]["input"] for r in results] == [f"v{i}.xlsx" for i in range(8)]
    assert all(r["run"]["counts"] == {"match": 14, "review": 2, "clear": 301, "skipped": 3} for r in results)


def test_a_stalled_upload_times_out_while_others_are_served(live_server: str) -> None:
    """A client that announces a body and stops sending gets 408 (the test server waits 2 s); nobody else waits."""
    import socket
    import time

    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as slow:
        slow.sendall(
            b"POST /api/screen HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; "
        )
        started = time.monotonic()
        assert httpx.get(f"{live_server}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 1.5  # served while the slow upload hangs
        answer = b""
        while b"\r\n\r\n" not in answer or b"detail" not in answer:
            chunk = slow.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"The upload stalled" in answer
