# The two set-up commands of the README: `make run` and `make test`.
# Both create .venv with the Python found as $(PYTHON) and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck pytest screenshots clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/somesossu serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy
	$(BIN)/mypy scripts

AXE := .cache/axe/node_modules/axe-core/axe.min.js

# axe-core (accessibility checks in browser tests) comes from the npm registry.
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4; \
	else echo "npm not found: browser accessibility checks will be skipped"; fi

# Everything that touches the database runs again on PostgreSQL when it is reachable (CI
# starts it): each test on its own database copied from a migrated template. That includes
# the privacy-officer scripts: they run as subprocesses given the test's database URL, and
# their tamper tests edit whichever database it is (tests/support/tamper.py). Left out there:
# pure modules (privacy, hours) and browser and Synapse tests (database-agnostic layers
# already run above).
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
PG_ARGS := -m "not browser and not matrix" --ignore=tests/privacy --ignore=tests/bot/test_hours.py

pytest: $(VENV)/.installed-dev $(AXE)
	$(BIN)/pytest -q
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "PostgreSQL reachable: running the database tests on it too"; \
		TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PG_ARGS); \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipping the PostgreSQL pass"; fi

test: lint typecheck pytest

# `make test` writes its screenshots into build/screenshots/ (ignored by git), so the tree stays
# clean. This renews the tracked ones in docs/screenshots/ (run the browser tests once more,
# writing there); look at them and commit them after a visible change.
screenshots: $(VENV)/.installed-dev $(AXE)
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -q -m browser

clean-venv:
	rm -rf $(VENV)
