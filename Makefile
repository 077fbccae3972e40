# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
# The committed locks: exact versions with hashes, resolved by `make lock` from pyproject's ranges.
LOCK := requirements.txt
DEV_LOCK := requirements-dev.txt
# Stamps: re-install when a lock or pyproject.toml changes.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
# --no-deps: only what the lock names is installed, so nothing unpinned slips in.
PIP_LOCKED := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
# The project itself, built with the locked setuptools rather than one fetched on the fly;
# setuptools' chatter about editable installs is shown only if the install fails.
PIP_PROJECT := out=$$($(PY) -m pip install --quiet --disable-pip-version-check --no-deps \
	--no-build-isolation -e . 2>&1) || { echo "$$out"; exit 1; }
# Universal locks: one file serves Linux, macOS and Windows (WSL) on Python 3.10 and newer.
UV_COMPILE := --universal --python-version 3.10 --generate-hashes --quiet --custom-compile-command "make lock"
UPGRADE ?= --upgrade

# The test runs start about 300 Python processes (servers, CLI calls, lab checks): each would
# compile the project's modules again where PYTHONDONTWRITEBYTECODE is set (as in CI), so tests
# cache bytecode, kept inside .venv rather than beside the sources.
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache $(BIN)/pytest

.PHONY: run test lint unit e2e bench soak screenshots install install-dev lock clean help

help:
	@echo "make run    start the five processes and print the shop's URL"
	@echo "make test   install the dev extras and run every test (unit, contract, browser)"
	@echo "make lint   ruff, ruff format --check, import-linter, mfe contracts check, biome (JS)"
	@echo "make unit   unit and contract tests only (no browser)"
	@echo "make e2e    browser tests only"
	@echo "make lock   refresh $(LOCK) and $(DEV_LOCK) from pyproject.toml (UPGRADE= keeps pins)"
	@echo "make soak   the seeded chaos soak: MINUTES=3 SHOPPERS=4 SEED=S (docs/security.md)"
	@echo "make bench  measure bus, composition, servers, sockets, memory (docs/performance.md)"
	@echo "make screenshots  drive the real shop and write docs/images/*.png"

# Each check names what the user must fix, in one line, instead of a traceback later on.
$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "mfe: no '$(PYTHON)' found: install Python 3.10 or newer, or run: make run PYTHON=/path/to/python3"; exit 2; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { echo "mfe: Python 3.10 or newer is needed, '$(PYTHON)' is $$($(PYTHON) -V 2>&1): install a newer one and run: make run PYTHON=python3.12"; exit 2; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "mfe: Python's venv module is missing: on Debian or Ubuntu run 'sudo apt install python3-venv', then make run again"; exit 2; }
	@echo "Creating $(VENV) with $$($(PYTHON) -V 2>&1) ..."
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "mfe: could not create $(VENV) (see above)"; exit 2; }

$(RUNTIME): $(LOCK) pyproject.toml | $(PY)
	@echo "Installing the runtime lock ($(LOCK)) into $(VENV) ..."
	@$(PIP_LOCKED) -r $(LOCK)
	@$(PIP_PROJECT)
	@touch $@

$(DEV): $(LOCK) $(DEV_LOCK) pyproject.toml | $(PY)
	@echo "Installing the runtime and dev locks ($(LOCK), $(DEV_LOCK)) into $(VENV) ..."
	@$(PIP_LOCKED) -r $(LOCK) -r $(DEV_LOCK)
	@$(PIP_PROJECT)
	@touch $@ $(RUNTIME)

install: $(RUNTIME)
install-dev: $(DEV)

# The dev lock holds only what the dev extras add, pinned to agree with the runtime lock.
lock: $(DEV)
	@echo "Resolving $(LOCK) and $(DEV_LOCK) from pyproject.toml's ranges with uv ..."
	@printf 'pip>=24\nsetuptools>=77\n' | $(BIN)/uv pip compile pyproject.toml - $(UV_COMPILE) $(UPGRADE) -o $(LOCK)
	@$(BIN)/uv pip compile pyproject.toml --extra dev -c $(LOCK) $(UV_COMPILE) $(UPGRADE) -o $(DEV_LOCK) \
		$$(sed -nE 's/^([A-Za-z0-9._-]+)==.*/--no-emit-package \1/p' $(LOCK))
	@echo "Locked $$(grep -cE '^[A-Za-z]' $(LOCK)) runtime and $$(grep -cE '^[A-Za-z]' $(DEV_LOCK)) dev pins; commit both files."

run: $(RUNTIME)
	@$(PY) -m mfe_platform.ports
	@echo "Starting host, products-v1, checkout-v1, products-v2, checkout-v2 (Procfile) ..."
	@PATH="$(BIN):$$PATH" $(PY) -m mfe_platform.readiness & \
	PATH="$(BIN):$$PATH" exec $(BIN)/honcho start -f Procfile

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mfe contracts check --require-published
	$(BIN)/biome ci --colors=off .

unit: $(DEV)
	$(PYTEST) -q -n 2 -m "not browser"

e2e: $(DEV)
	$(PYTEST) -q -n 4 -m browser

bench: $(DEV)
	$(PY) -m bench

# Four workers even on two cores: while one waits (a shop restarting, a deadline running out),
# the others use the CPU; the longest files start first (e2e/plugin.py, docs/performance.md).
test: lint
	$(PYTEST) -q -n 4

# make soak SEED=7 MINUTES=1 SHOPPERS=2 (or ARGS="--seed 7"): the same as python -m e2e.soak.
soak: $(DEV)
	$(PY) -m e2e.soak $(if $(MINUTES),--minutes $(MINUTES)) $(if $(SHOPPERS),--shoppers $(SHOPPERS)) \
		$(if $(SEED),--seed $(SEED)) $(ARGS)

screenshots: $(DEV)
	$(PY) -m e2e.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
