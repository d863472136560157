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

# Reinstalled whenever a source file changes (a non-editable install copies them).
$(VENV)/.installed: $(SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install -q ".[dev]"
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
