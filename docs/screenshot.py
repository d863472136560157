"""Take docs/results.png: the results page after uploading examples/vendors.xlsx.

python docs/screenshot.py   (needs Debian's chromium; `make test` installs it)
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.web import create_app  # noqa: E402
from tests.test_browser import CHROMIUM, FLAGS  # noqa: E402


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/")
        page.set_input_files("#file", str(ROOT / "examples" / "vendors.xlsx"))
        page.click("button[type=submit] >> nth=0")
        page.wait_for_selector("#alerts")
        page.screenshot(path=str(ROOT / "docs" / "results.png"))
        browser.close()
    server.should_exit = True
    print(ROOT / "docs" / "results.png")


if __name__ == "__main__":
    main()
