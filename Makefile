# Two commands on a fresh machine: `make run` and `make test`.
# The virtual environment is created and filled on first use, and again when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CODE   := bot knowledge handlers

.PHONY: run test lint bench fuzz clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

lint: $(STAMP)
	$(PY) -m ruff check $(CODE) tests bench
	$(PY) -m ruff format --check $(CODE) tests bench
	$(PY) -m mypy $(CODE)

test: lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/run.py

# Many random conversations through the engine and the renderers (FUZZ_EXAMPLES, default 2000).
fuzz: $(STAMP)
	$(PY) bench/fuzz.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
