# Two commands: `make demo` and `make test`. Both create .venv/ on first use and are quick
# when nothing changed (installs are keyed on pyproject.toml through stamp files).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.installed-core
FULL   := $(VENV)/.installed-full
SYS    := $(VENV)/.installed-system
DOCS   := $(VENV)/.installed-docs

.PHONY: demo test test-fast test-torchvision test-labelstudio gpu-check gpu-wheels docs install install-full system-deps bench lint clean

demo: $(CORE)
	$(BIN)/editcaption demo --out editcaption-demo

# The whole suite: all extras, Debian chromium/postgresql, a throwaway PostgreSQL on 127.0.0.1.
test: $(FULL) $(SYS)
	scripts/run_tests.sh $(PYTEST_ARGS)

# Unit tests only (no training, no browser): for a quick loop while editing.
test-fast: $(FULL)
	$(BIN)/python -m pytest -q -m "not slow and not browser" $(PYTEST_ARGS)

# The training tests and the quick miniature where torchvision is installed, as on every
# machine users train on: torch 2.14.1 + torchvision 0.29.1 in their own venv (on x86_64 these
# are CUDA builds, ~5.5 GB, that run on the CPU here).
TV_VENV := .venv-torchvision
test-torchvision: $(TV_VENV)/.installed
	$(TV_VENV)/bin/python -c "import torchvision; print('torchvision', torchvision.__version__)"
	$(TV_VENV)/bin/python -m pytest -q -m "not browser" tests/train tests/reproduce $(PYTEST_ARGS)

$(TV_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(TV_VENV)
	$(TV_VENV)/bin/python -m pip install -q --upgrade pip
	$(TV_VENV)/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
	$(TV_VENV)/bin/python -m pip install -q -e ".[train,dev]"
	touch $@

# Optional, not part of `make test`: the Label Studio round trip against real servers. label-studio
# 1.23 from PyPI goes into its own venv (.venv-labelstudio); the test starts two label-studio servers
# on 127.0.0.1 with throwaway data directories and plays the scenario of
# tests/annotate/labelstudio_live.py. When label-studio cannot be installed the test is skipped, with
# a notice.
LS_VENV := .venv-labelstudio
test-labelstudio: $(FULL)
	@if [ -f $(LS_VENV)/.installed ] || { $(PYTHON) -m venv $(LS_VENV) \
	     && $(LS_VENV)/bin/python -m pip install -q "label-studio==1.23.*" && touch $(LS_VENV)/.installed; }; then \
	  $(LS_VENV)/bin/python -c "import label_studio; print('label-studio', label_studio.__version__)"; \
	  EDITCAPTION_LABEL_STUDIO=$(CURDIR)/$(LS_VENV)/bin/label-studio \
	    $(BIN)/python -m pytest -q tests/annotate/test_labelstudio.py -k live_round_trip $(PYTEST_ARGS); \
	else \
	  rm -rf $(LS_VENV); \
	  echo "NOTICE: label-studio 1.23 could not be installed; the live Label Studio round trip is SKIPPED"; \
	  $(BIN)/python -m pytest -q tests/annotate/test_labelstudio.py -k live_round_trip $(PYTEST_ARGS); \
	fi

# On a machine with an NVIDIA GPU, CUDA torch and the train extra (pip install -e '.[train]'):
# train tests on CUDA, an end-to-end CLI run on a 0.78 B Qwen3-VL in bf16, the DPO-step
# benchmark; writes benchmarks/results/gpu-check.md. No network needed (scripts/gpu_check.py).
GPU_PYTHON ?= python3
gpu-check:
	$(GPU_PYTHON) scripts/gpu_check.py --out benchmarks/results/gpu-check.md

# Wheels for gpu-check on a GPU machine without internet (see scripts/gpu_wheels.sh).
gpu-wheels: $(FULL)
	scripts/gpu_wheels.sh .whl

# The documentation site, offline: checks that the generated reference pages are current
# (scripts/gen_docs.py), then mkdocs build --strict into site/ (git-ignored).
docs: $(DOCS)
	$(BIN)/python scripts/gen_docs.py --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

$(DOCS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[docs]"
	touch $@

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
	rm -rf $(VENV) $(TV_VENV) $(LS_VENV) editcaption-demo test-artifacts .pytest_cache site
