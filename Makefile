# Two commands for a fresh machine: `make demo` and `make test`. Each creates
# .venv and installs what it needs (the package itself with `pip install .`,
# so the installed `screening` command is what runs).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOURCES := $(shell find screening lists seeds -type f -not -name '*.pyc') cli.py pyproject.toml

.PHONY: demo test lint install examples bench clean chromium serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The dependencies (and a first install of the package).
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q ".[dev]"
	touch $@

# The matching modules compiled to C beside their sources, for speed (see
# build_native.py; without a C compiler the package stays pure Python).
COMPILED := $(patsubst %,screening/%.py,names readings candidates scoring keys results matching)
screening/compiled.sha256: $(COMPILED) build_native.py screening/compiled.py | $(VENV)/.deps
	$(BIN)/python build_native.py
	touch $@

# Reinstalled whenever a source file changes (a non-editable install copies
# them), compiled modules included.
$(VENV)/.installed: $(SOURCES) screening/compiled.sha256 | $(VENV)/.deps
	$(BIN)/python -m pip install -q --no-deps --force-reinstall .
	touch $@

install: $(VENV)/.installed

# The example is committed; it is generated only when missing (`make examples` regenerates it).
examples/vendors.xlsx: | $(VENV)/.installed
	$(BIN)/python examples/make_vendors.py $@

examples: install
	$(BIN)/python examples/make_vendors.py examples/vendors.xlsx

# Exit status 1 means "flagged rows found", which is what the demo shows.
demo: install examples/vendors.xlsx
	$(BIN)/screening screen examples/vendors.xlsx; status=$$?; [ $$status -le 1 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (nothing is downloaded at run time).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install lint chromium
	$(BIN)/python -m pytest

serve: install
	$(BIN)/screening serve

bench: install
	$(BIN)/python benchmarks/bench_screen.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
	rm -f screening/*.so screening/compiled.sha256
