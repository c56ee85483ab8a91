# Two commands for a fresh machine with Python 3.11:
#   make demo   installs what it needs into .venv and runs the demo on the bundled scenario
#   make test   installs what it needs into .venv and runs the whole test suite (what CI runs)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench bench-startup clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: .stamp-install
	$(BIN)/safepassage demo --out out/demo

# The suite runs inside scripts/test-services, which starts a throw-away PostgreSQL server for the
# store tests and stops it again (on success, failure or Ctrl-C) if it started it. lint-imports
# checks the layer contract in pyproject.toml (a lower layer never imports a higher one).
test: .stamp-install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	bash scripts/test-services $(BIN)/python -m pytest -q

bench: .stamp-install
	$(BIN)/python benchmarks/plan_bench.py

bench-startup: .stamp-install
	$(BIN)/python benchmarks/startup_bench.py

clean:
	rm -rf $(VENV) .stamp-install out
