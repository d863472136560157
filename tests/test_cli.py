import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import ROOT

runner = CliRunner()


def test_screen_writes_report_next_to_input_and_exits_1_when_flagged(vendors_xlsx: Path) -> None:
    result = runner.invoke(app, ["screen", str(vendors_xlsx)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    report = vendors_xlsx.with_name("vendors-screened.xlsx")
    assert "320 rows" in result.stdout and "14 match, 2 review, 301 clear, 3 skipped" in result.stdout
    assert str(report) in result.stdout
    assert openpyxl.load_workbook(report)["Screening"].max_row == 321


def test_exit_0_when_nothing_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("Supplier\nAcme Office Supplies\nNorthwind Traders\n")
    result = runner.invoke(app, ["screen", str(path), "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clean-screened.csv").exists()


def test_output_format_and_thresholds(vendors_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = [
        "screen",
        str(vendors_xlsx),
        "-o",
        str(out),
        "--format",
        "json",
        "--review-threshold",
        "95",
        "--match-threshold",
        "99",
    ]
    assert runner.invoke(app, args, catch_exceptions=False).exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["run"]["thresholds"] == {"match": 99.0, "review": 95.0}
    assert data["run"]["counts"]["review"] == 0


def test_report_format_follows_the_output_name(vendors_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "hits.csv"
    assert runner.invoke(app, ["screen", str(vendors_xlsx), "-o", str(out)], catch_exceptions=False).exit_code == 1
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(
        "Status,Score,Matched entity,Matched name form,Restriction,Source,Explanation,Note,Sheet,Row"
    )
    assert sum(",match," in line for line in lines) == 14


def test_a_format_that_contradicts_the_output_name_exits_2(vendors_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "hits.xlsx"
    result = runner.invoke(app, ["screen", str(vendors_xlsx), "-o", str(out), "--format", "csv"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {out}: a csv report cannot end in .xlsx; change the name or the format\n"
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"not a workbook", [], "bad.xlsx: not a readable .xlsx workbook"),
        (None, ["--sheet", "Nope"], "no sheet named 'Nope'"),
        (None, ["--column", "Nope"], "no column headed 'Nope'"),
        (None, ["--review-threshold", "95", "--match-threshold", "90"], "review <= match"),
    ],
)
def test_input_errors_exit_2_with_one_line_and_no_report(
    vendors_xlsx: Path, content: bytes | None, args: list[str], message: str
) -> None:
    path = vendors_xlsx.with_name("bad.xlsx")
    path.write_bytes(content if content is not None else vendors_xlsx.read_bytes())
    result = runner.invoke(app, ["screen", str(path), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not path.with_name("bad-screened.xlsx").exists()


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2 and "nope.xlsx: no such file" in result.stderr


def test_help_shows_each_option_in_full() -> None:
    # The defaults are told in brackets, which Rich's markup had taken for styles and dropped.
    result = runner.invoke(app, ["screen", "--help"], catch_exceptions=False)
    shown = " ".join(result.stdout.split())  # (lines wrapped to the terminal)
    assert result.exit_code == 0
    assert "Report path [default: INPUT-screened.FORMAT]." in shown
    assert "Processes that screen rows [default: one per core]; this one reads" in shown


def test_check_explains_and_exits_by_result() -> None:
    flagged = runner.invoke(app, ["check", "Hikivision", "Acme Ltd"], catch_exceptions=False)
    assert flagged.exit_code == 1
    assert "Hikivision: MATCH" in flagged.stdout and "Acme Ltd: CLEAR" in flagged.stdout
    assert "via name form 'Hikivision'" in flagged.stdout and "source: 004_90ee84662eca269a.txt" in flagged.stdout
    assert runner.invoke(app, ["check", "Acme Ltd"]).exit_code == 0


def test_check_json() -> None:
    result = runner.invoke(app, ["check", "--json", "Sense Time", "ZTE"], catch_exceptions=False)
    results = json.loads(result.stdout)["results"]
    assert [(r["name"], r["status"], r["entity_id"]) for r in results] == [
        ("Sense Time", "match", "sensetime"),
        ("ZTE", "clear", None),
    ]
    assert "formerly listed" in results[1]["note"]


def test_lists_show_json_contract() -> None:
    result = runner.invoke(app, ["lists", "show", "--json"], catch_exceptions=False)
    entities = json.loads(result.stdout)
    assert {"id", "name", "aliases", "type", "status", "restrictions", "sources"} <= set(entities[0])
    assert {e["id"] for e in entities} >= {"hikvision", "huawei", "xinjiang-psb", "zte"}


def test_python_cli_py_works_from_a_checkout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "check", "Megvii"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1 and "Megvii: MATCH" in result.stdout


def test_installed_command_carries_list_and_articles(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("screening")
    if not command.exists() and not os.environ.get("CI"):
        pytest.skip("the package is not installed in this environment (make test installs it)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([str(command), "lists", "show"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "xinjiang-psb" in result.stdout and "000_70bcd44426b93788.txt" in result.stdout


def test_long_runs_show_progress_on_a_terminal_only(tmp_path: Path) -> None:
    path = tmp_path / "vendors.csv"
    path.write_text("Supplier\n" + "".join(f"Vendor {i} Trading Ltd\n" for i in range(12_000)))
    command = [sys.executable, str(ROOT / "cli.py"), "screen", str(path), "--format", "csv"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # stderr a terminal (a pseudo-terminal): one progress line, redrawn, ending at every row.
    terminal, other_end = pty.openpty()
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=other_end, env=env, timeout=120)
    os.close(other_end)
    shown = b""
    while select.select([terminal], [], [], 0)[0]:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the other end is closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert run.returncode == 0
    text = shown.decode().replace("\r\n", "\n")  # the terminal ends lines with both
    last = text.split("\r")[-1]
    assert "12,000/12,000 rows" in last and "rows/s" in last and "s left" in last
    assert text.count("\n") == 1 and text.endswith("\n")  # the finished line, once
    # stderr not a terminal: nothing but the summary on stdout.
    piped = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stderr == "" and "12,000 rows" in piped.stdout
