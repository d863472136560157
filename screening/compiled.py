"""The modules compiled to C by ``build_native.py``, and running their sources instead when those have changed.

Python imports a compiled module (``names.cpython-311-x86_64-linux-gnu.so``)
in preference to its source, so after an edit the old compiled code would
still run. As the package is imported, :func:`use_sources_if_stale`
compares the sources with the SHA-256 written when they were compiled; if
they differ, it warns and imports every compiled module from its source
(the compiled modules call one another's compiled code directly, so it is
all or none).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import warnings
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

# In the order they import one another. Also named in the Makefile (when to
# compile again) and in pyproject.toml's pytest options (examples collected
# by tests/test_compiled.py instead).
COMPILED = ("names", "readings", "candidates", "scoring", "keys", "results", "matching")
HERE = Path(__file__).parent
STAMP = HERE / "compiled.sha256"


def compiled_files() -> list[Path]:
    """The compiled modules (and the library they share) beside the sources."""
    return sorted({path for suffix in EXTENSION_SUFFIXES for path in HERE.glob(f"*{suffix}")})


def sources_digest() -> str:
    """SHA-256 of the compiled modules' sources, in order."""
    digest = hashlib.sha256()
    for name in COMPILED:
        digest.update((HERE / f"{name}.py").read_bytes())
    return digest.hexdigest()


def is_stale() -> bool:
    """Whether compiled modules are present but were not compiled from the sources as they are now."""
    if not compiled_files():
        return False
    stamp = STAMP.read_text(encoding="ascii").strip() if STAMP.exists() else ""
    return stamp != sources_digest()


def use_sources_if_stale() -> None:
    """Import the compiled modules from their sources, with a warning, when the compiled ones are stale."""
    if not is_stale():
        return
    warnings.warn(
        "screening: its sources changed after they were compiled; running the sources (`make` compiles them again)",
        stacklevel=2,
    )
    package = sys.modules[__name__.rpartition(".")[0]]
    for name in COMPILED:
        spec = importlib.util.spec_from_file_location(f"{package.__name__}.{name}", HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(package, name, module)
