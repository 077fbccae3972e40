# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
# Re-install when pyproject.toml changes.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: run test lint unit e2e bench screenshots install install-dev clean help

help:
	@echo "make run    start the five processes and print the shop's URL"
	@echo "make test   install the dev extras and run every test (unit, contract, browser)"
	@echo "make lint   ruff, ruff format --check, import-linter, mfe contracts check, biome (JS)"
	@echo "make unit   unit and contract tests only (no browser)"
	@echo "make e2e    browser tests only"
	@echo "make bench  measure bus, composition, servers, sockets, memory (docs/performance.md)"
	@echo "make screenshots  drive the real shop and write docs/images/*.png"

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.10+ is needed: install python3 (with venv)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(PY)
	@echo "Installing the project into $(VENV) ..."
	$(PY) -m pip install --quiet -e .
	@touch $@

$(DEV): pyproject.toml | $(PY)
	@echo "Installing the project and its dev extras into $(VENV) ..."
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(RUNTIME)

install: $(RUNTIME)
install-dev: $(DEV)

run: $(RUNTIME)
	@echo "Starting host, products-v1, checkout-v1, products-v2, checkout-v2 (Procfile) ..."
	@PATH="$(BIN):$$PATH" $(PY) -m shared_contracts.readiness & \
	PATH="$(BIN):$$PATH" exec $(BIN)/honcho start -f Procfile

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mfe contracts check
	$(BIN)/biome ci --colors=off .

unit: $(DEV)
	$(BIN)/pytest -q -n 2 -m "not browser"

e2e: $(DEV)
	$(BIN)/pytest -q -n 2 -m browser

bench: $(DEV)
	$(PY) -m bench

test: lint
	$(BIN)/pytest -q -n 2

screenshots: $(DEV)
	$(PY) -m e2e.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
