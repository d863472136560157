"""The modules build_native.py compiles: their docstring examples, and what happens when a source changes after."""

from __future__ import annotations

import ast
import doctest
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screening.compiled import COMPILED, compiled_files

from .conftest import ROOT

needs_compiled = pytest.mark.skipif(
    not compiled_files(), reason="not compiled here (make runs build_native.py, which needs a C compiler)"
)


@pytest.mark.parametrize("name", COMPILED)
def test_the_compiled_modules_docstring_examples_hold(name: str) -> None:
    # Run on the source (pytest cannot collect examples from an extension
    # module), loaded under a name of its own beside the package's modules.
    spec = importlib.util.spec_from_file_location(f"_source_of_{name}", ROOT / "screening" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        runner = doctest.DocTestRunner()
        for test in doctest.DocTestFinder().find(module):
            runner.run(test)
    finally:
        del sys.modules[spec.name]
    assert runner.tries > 0
    assert runner.failures == 0, f"{runner.failures} of the examples in screening/{name}.py failed (output above)"


@needs_compiled
def test_an_edited_source_runs_instead_of_the_stale_compiled_module(tmp_path: Path) -> None:
    for folder in ("screening", "lists", "seeds"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "screening" / "scoring.py", "a", encoding="utf-8") as f:
        f.write("\nEDITED = True\n")
    code = (
        "import screening, screening.scoring as s; "
        "print(s.EDITED, type(s.score).__name__, screening.Screener.default().check('Hikivision').status)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["True", "function", "match"]
    assert "its sources changed after they were compiled; running the sources" in run.stderr


@needs_compiled
def test_the_checkout_runs_its_compiled_modules() -> None:
    import screening.matching

    assert type(screening.matching.Screener.check).__name__ != "function"


def test_each_compiled_module_imports_only_those_before_it() -> None:
    # After an edit, the modules are loaded from their sources in this order:
    # one loaded before a module it imports would get that module's stale
    # compiled code (scoring importing from candidates failed so).
    for i, name in enumerate(COMPILED):
        tree = ast.parse((ROOT / "screening" / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module.removeprefix("screening.")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("screening.")
        }
        assert imported & set(COMPILED) <= set(COMPILED[:i]), name
