# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint ui install clean browser postgres

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/leaderboard run --source demo
	$(BIN)/leaderboard show --top 10

LINTED := leaderboard_pipeline leaderboard_pipeline_tests $(wildcard bench)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

# The site's browser test drives Debian's chromium (installed here when missing, never downloaded by
# playwright itself) and checks pages with axe-core (from the npm registry into out/vendor/, git-ignored).
browser:
	@bash leaderboard_pipeline_tests/site/ensure_chromium.sh
	@bash leaderboard_pipeline_tests/site/ensure_axe.sh

# The production-instance test runs a throw-away server from Debian's postgresql package (installed here
# when missing; no default cluster is created).
postgres:
	@bash leaderboard_pipeline_tests/deploy/ensure_postgres.sh

# Two workers (pytest-xdist): the suite is CPU-bound and single-threaded; files stay whole on a worker.
PYTEST_WORKERS ?= 2
test: $(STAMP) lint browser postgres
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The UI shares the CLI's Dagster instance and warehouse of one source (SOURCE=demo|archive|live:
# .dagster/<source>/ and data/warehouse/<source>.duckdb), so that source's CLI runs and backfills show up.
SOURCE ?= $(or $(LEADERBOARD_SOURCE),demo)
ui: $(STAMP)
	@home=$${DAGSTER_HOME:-$(CURDIR)/.dagster/$(SOURCE)}; mkdir -p "$$home"; \
	  [ -f "$$home/dagster.yaml" ] || printf 'telemetry:\n  enabled: false\n' > "$$home/dagster.yaml"; \
	  LEADERBOARD_SOURCE=$(SOURCE) DAGSTER_HOME="$$home" $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $${PORT:-3000}

clean:
	rm -rf $(VENV) .dagster data/warehouse data/warehouse.duckdb data/warehouse.duckdb.wal
