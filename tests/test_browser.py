"""The page as compliance staff use it, in a real headless Chromium (Debian's) driven by Playwright."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a headless browser on a machine with no network: without the
# background-networking ones Chromium keeps trying to reach Google's hosts.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: make test installs it from Debian's packages")
        pytest.skip("chromium is not installed (make test installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, base_url=live_server)
    page = context.new_page()
    yield page
    context.close()


def test_upload_shows_flagged_rows_with_quotes_and_downloads_the_report(
    page: Page, vendors_xlsx: Path, tmp_path: Path
) -> None:
    page.goto("/")
    page.set_input_files("#file", str(vendors_xlsx))
    page.click("button[type=submit] >> nth=0")
    page.wait_for_selector("#alerts")
    counts = page.inner_text("#counts")
    assert all(c in counts for c in ("320 rows", "14 match", "2 review", "301 clear", "3 skipped"))
    assert "column “Vendor Name”" in page.inner_text("#used")
    rows = page.locator("#alerts tr")
    assert rows.count() == 1 + 16
    first = rows.nth(1)
    assert "match" in first.get_attribute("class")  # type: ignore[operator]
    by_vendor = {rows.nth(i).locator("td").nth(1).inner_text(): rows.nth(i).inner_text() for i in range(1, 17)}
    assert "004_90ee84662eca269a.txt" in by_vendor["Hikivision"]
    assert "surveillance camera makers Hikivision" in by_vendor["Hikivision"]
    levels = [rows.nth(i).get_attribute("class") for i in range(1, 17)]
    assert levels == ["match"] * 14 + ["review"] * 2

    with page.expect_download() as info:
        page.click("#download-xlsx")
    target = tmp_path / "downloaded.xlsx"
    info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Screening", "Hits", "Run"]
    statuses = [row[6] for row in book["Screening"].iter_rows(min_row=2, values_only=True)]
    assert len(statuses) == 320 and statuses.count("match") == 14


def test_check_a_name(page: Page) -> None:
    page.goto("/")
    page.fill("textarea[name=names]", "Hikivision\n<script>alert(1)</script>")
    page.click("form[action='/check'] button")
    page.wait_for_selector("#checked")
    text = page.inner_text("#checked")
    assert "Hikivision" in text and "match" in text and "<script>alert(1)</script>" in text
    assert "matched 'hikivision' = 'hikivision'" in text


def test_list_page(page: Page) -> None:
    page.goto("/lists")
    assert page.locator("section").count() == 11
    hikvision = page.inner_text("#entity-hikvision")
    assert "Hikivision" in hikvision and "US Entity List: addition announced 7 Oct 2019" in hikvision
    assert "removed" in page.inner_text("#entity-zte")


def test_broken_file_shows_the_message(page: Page, tmp_path: Path) -> None:
    broken = tmp_path / "vendors.xlsx"
    broken.write_bytes(b"not a workbook at all")
    page.goto("/")
    page.set_input_files("#file", str(broken))
    page.click("button[type=submit] >> nth=0")
    message = page.inner_text("#error")
    assert "vendors.xlsx: not a readable .xlsx workbook" in message
