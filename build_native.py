"""Compile the matching modules to C with mypyc, beside their sources (``make`` runs this).

    python build_native.py          # screening/*.so and screening/compiled.sha256
    python build_native.py --clean  # remove them: pure Python again

Screening a distinct name runs a few dozen small typed functions (analysis,
readings, the index, scoring); compiled, a name takes about a third less
time (README, "Speed"). The package runs the same without the compiled
modules, and falls back to the sources when one has changed since it was
compiled (:mod:`screening.compiled`). Without a C compiler, this says so and
leaves the package pure Python.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from screening.compiled import COMPILED, STAMP, compiled_files, sources_digest  # noqa: E402


def clean() -> None:
    for path in compiled_files():
        path.unlink()
    STAMP.unlink(missing_ok=True)


def build() -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    clean()
    sources = [f"screening/{name}.py" for name in COMPILED]
    with tempfile.TemporaryDirectory() as tmp:
        # Type-checked with the checkout's mypy settings, built away from it:
        # setuptools would take its pyproject.toml (a hatchling project) for
        # its own. One group, whose shared library lives inside the package
        # ("screening.native"), not beside it; mypyc then gives the compiled
        # modules a __file__ in a folder that does not exist, so they find the
        # package's files from the package (see names.DATA_DIR).
        work = Path(tmp)
        with contextlib.chdir(ROOT):
            extensions = mypycify(
                ["--config-file", "pyproject.toml", *sources],
                opt_level="3",
                group_name="screening.native",
                target_dir=str(work / "c"),
            )
        with contextlib.chdir(work):
            setup(
                name="screening-native",
                ext_modules=extensions,
                script_args=["--quiet", "build_ext", "--build-lib", "lib", "--build-temp", "tmp"],
            )
        for built in (work / "lib" / "screening").iterdir():
            shutil.copy2(built, ROOT / "screening" / built.name)
    STAMP.write_text(sources_digest() + "\n", encoding="ascii")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    args = parser.parse_args()
    if args.clean:
        clean()
        return
    try:
        build()
    except (Exception, SystemExit) as exc:  # setuptools exits when the compiler fails
        clean()
        print(f"build_native: not compiled ({exc}); screening runs as pure Python", file=sys.stderr)
        return
    print(f"build_native: compiled {', '.join(COMPILED)}")


if __name__ == "__main__":
    main()
