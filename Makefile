# Two commands on a fresh machine: `make run` and `make test`.
# The virtual environment is created and filled on first use, and again when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CODE   := bot knowledge handlers core

.PHONY: run test lint bench fuzz clean browser tools install-check

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	@# -qq: errors only. pip shows setuptools' editable-install notice as a warning banner
	@# that looks like a failure; it is not one.
	$(PY) -m pip install -qq --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -qq --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

lint: $(STAMP)
	$(PY) -m ruff check $(CODE) tests bench
	$(PY) -m ruff format --check $(CODE) tests bench
	$(PY) -m mypy $(CODE)

test: lint tools browser
	$(PY) -m pytest

# The curators' desk browser test drives Debian's chromium through chromium-driver (WebDriver);
# as root this installs both when missing, elsewhere it says what to install.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else echo "install chromium and chromium-driver (apt) to run the browser test"; fi

# The tests verify deploy/tanya-jamsos.service with systemd-analyze (Debian's systemd package):
# installed here when it is missing and we may (root with apt-get); otherwise that test skips
# outside CI and fails in CI.
tools:
	@command -v systemd-analyze >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && echo "installing Debian's systemd package for systemd-analyze" \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     --no-install-recommends systemd >/dev/null; } \
	  || echo "note: systemd-analyze is missing; the systemd unit test will be skipped"

# pip install of the wheel into a fresh environment outside the checkout, then
# `tanya-jamsos ask` (also part of `make test`), and the systemd unit check.
install-check: $(STAMP) tools
	$(PY) -m pytest tests/test_install.py

bench: $(STAMP)
	$(PY) bench/run.py

# Many random conversations through the engine and the renderers (FUZZ_EXAMPLES, default 2000).
fuzz: $(STAMP)
	$(PY) bench/fuzz.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
