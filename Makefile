# Rectify: every command a developer or CI needs. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# "test" installs the test extras too; the demo needs only the product.
EXTRAS ?=
PG_URL ?= postgres://postgres@127.0.0.1:5432
ADDRPORT ?= 127.0.0.1:8000

.PHONY: setup demo test test-postgres test-deploy test-reliability browser lint format clean bench fidelity

setup: $(VENV)/.installed$(if $(EXTRAS),-$(EXTRAS))

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

demo: setup
	$(BIN)/rectify demo --addrport $(ADDRPORT)

# Debian's chromium drives the browser tests; Playwright never downloads a browser of its own.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "!!! /usr/bin/chromium is missing and this user cannot install it: BROWSER TESTS WILL BE SKIPPED !!!"; \
	fi

test:
	$(MAKE) setup EXTRAS=test
	$(MAKE) browser
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/rectify makemigrations --check --dry-run
	$(BIN)/pytest

# The same suite on PostgreSQL, in a database made fresh for this run and dropped after it. The
# browser tests (pages in chromium, each building the demo) run once, on SQLite in `make test`: on
# PostgreSQL they took 25 of the lane's 70 minutes and test the same pages the view tests, the
# deployment smoke test and the load test already serve from PostgreSQL. `make test-postgres
# PG_MARKERS="not deploy"` runs them here too (a -m given here replaces the one in pyproject.toml).
PG_MARKERS ?= not deploy and not browser
test-postgres:
	$(MAKE) setup EXTRAS=test
	DATABASE_URL=$(PG_URL)/rectify_ci_$$(date +%s)_$$$$ $(BIN)/pytest --create-db $(if $(PG_MARKERS),-m "$(PG_MARKERS)")

# A fresh installation as docs/deployment.md makes one: production settings, `rectify serve`
# (gunicorn, 2 workers) and an RQ worker on a new PostgreSQL database (dropped after) and Redis at
# 127.0.0.1:6379, mail to a local SMTP sink; one whole round over HTTP (tests/deploy/test_smoke.py).
test-deploy:
	$(MAKE) setup EXTRAS=test
	RECTIFY_TEST_POSTGRES=$(PG_URL) RECTIFY_REQUIRE_REDIS=1 $(BIN)/pytest -m deploy tests/deploy

# Crash tests: a server killed with SIGKILL in the middle of uploads and imports; then the load test:
# liaisons, the office and the public at once on the demo site under gunicorn (RECTIFY_LOAD_SECONDS,
# default 30, and RECTIFY_LOAD_USERS, default 8). On SQLite, then on PostgreSQL (each test makes its own
# database on $(PG_URL) and drops it). `make test` skips them.
test-reliability:
	$(MAKE) setup EXTRAS=test
	RECTIFY_RELIABILITY=1 $(BIN)/pytest tests/reliability/test_kill_*.py tests/reliability/test_load.py
	RECTIFY_RELIABILITY=1 DATABASE_URL=$(PG_URL)/postgres $(BIN)/pytest tests/reliability/test_kill_*.py tests/reliability/test_load.py

lint:
	$(BIN)/ruff check src tests

format:
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis

# Figures for speed and memory, on a throwaway SQLite database (or DATABASE_URL if set).
bench: setup
	RECTIFY_DATA_DIR=$$(mktemp -d) $(BIN)/rectify benchmark

# Every document the product writes, rendered to pages and measured (scripts/document_fidelity.py): the
# demo is built in a throwaway folder, or FIDELITY_DATABASE (a DATABASE_URL) is read and left unchanged.
# LibreOffice and poppler are checking tools, never installed here: the script says how if one is missing.
FIDELITY_DATABASE ?=
fidelity: setup
	$(BIN)/python scripts/document_fidelity.py $(if $(FIDELITY_DATABASE),--database $(FIDELITY_DATABASE))
