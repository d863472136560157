"""The public API is small and pinned; the README's examples run."""

import re
from pathlib import Path

import pytest

import screening

from .conftest import ROOT


def test_public_api_is_pinned() -> None:
    assert sorted(screening.__all__) == [
        "Alert",
        "Entity",
        "EntityList",
        "NameResult",
        "Report",
        "RowResult",
        "Screener",
        "ScreeningError",
        "Source",
        "Thresholds",
        "__version__",
        "screen_file",
        "screen_to_file",
        "write_report",
    ]
    for name in screening.__all__:
        assert getattr(screening, name) is not None


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("code", readme_examples())
def test_readme_python_examples_run(code: str, vendors_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(vendors_xlsx.parent)
    (vendors_xlsx.parent / "examples").mkdir()
    vendors_xlsx.rename(vendors_xlsx.parent / "examples" / "vendors.xlsx")
    exec(compile(code, "README.md", "exec"), {})


def test_readme_documents_every_command() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("screening screen", "screening check", "screening lists show", "screening evaluate"):
        assert command in text
