# Two commands: `make demo` and `make test`. Both create .venv/ on first use and are quick
# when nothing changed (installs are keyed on pyproject.toml through stamp files).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.installed-core
FULL   := $(VENV)/.installed-full
SYS    := $(VENV)/.installed-system

.PHONY: demo test test-fast install install-full system-deps bench lint clean

demo: $(CORE)
	$(BIN)/editcaption demo --out editcaption-demo

# The whole suite: all extras, Debian chromium/postgresql, a throwaway PostgreSQL on 127.0.0.1.
test: $(FULL) $(SYS)
	scripts/run_tests.sh $(PYTEST_ARGS)

# Unit tests only (no training, no browser): for a quick loop while editing.
test-fast: $(FULL)
	$(BIN)/python -m pytest -q -m "not slow and not browser" $(PYTEST_ARGS)

install: $(CORE)
install-full: $(FULL)
system-deps: $(SYS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

# torch first, pinned to the CPU build, so that the `train` extra does not pull a CUDA build.
$(FULL): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q "torch==2.13.0"
	$(BIN)/python -m pip install -q -e ".[train,ray,dev]"
	touch $@ $(CORE)

$(SYS): scripts/system_deps.sh
	scripts/system_deps.sh
	touch $@

bench: $(FULL)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(FULL)
	$(BIN)/python -m ruff check src tests benchmarks

clean:
	rm -rf $(VENV) editcaption-demo test-artifacts .pytest_cache
