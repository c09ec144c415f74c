# perjaka-analysis — two commands on a fresh machine with Python 3.11:
#   make reports   build .venv from the lock, run the main job (all province briefs)
#   make test      build .venv with the test tools from the lock, run lint + tests + notebooks
#
# Installs come from the lock in requirements/ (hashes checked), with uv when it
# can be had (on the PATH, or installed into .venv) and pip otherwise. Each
# environment is installed once and again only when pyproject.toml or its lock
# changes (stamp files in .venv/). `make lock` refreshes the lock.
PYTHON     ?= $(shell command -v python3.11 || command -v python3)
VENV       := .venv
BIN        := $(VENV)/bin
KERNEL     := perjaka
JOBS       ?= 2
UV_VERSION := 0.13.9
PIP        := $(BIN)/python -m pip --disable-pip-version-check -q
UV         := $(shell command -v uv)
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# Python caches compiled modules (.pyc) in .venv and the source tree, so the
# second and later processes (every brief's kernel, every test worker) start in
# about 3 s instead of about 11 s. A PYTHONDONTWRITEBYTECODE set by the shell
# (common in containers) would otherwise make every process recompile pandas,
# statsmodels and matplotlib from source.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: reports test lint lab data env lock clean benchmarks notebooks-sync

# $(1): lock file. The venv is made without pip (seconds faster); uv comes from
# the PATH or is installed beside it into .venv/uv with this Python's pip.
# Without either, pip is added to the venv and installs the same lock.
define install_lock
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@uv="$(UV)"; \
	if [ -z "$$uv" ]; then \
	  if [ -x $(VENV)/uv/bin/uv ] || $(PYTHON) -m pip --disable-pip-version-check -q \
	       install --target $(VENV)/uv "uv==$(UV_VERSION)" >/dev/null 2>&1; \
	  then uv="$(VENV)/uv/bin/uv"; fi; \
	fi; \
	if [ -n "$$uv" ]; then \
	  echo "installing $(1) with uv"; \
	  $$uv pip install -q --python $(BIN)/python --require-hashes -r $(1) && \
	  $$uv pip install -q --python $(BIN)/python --no-deps -e . ; \
	else \
	  echo "installing $(1) with pip (uv could not be installed)"; \
	  { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip >/dev/null; } && \
	  $(PIP) install --require-hashes -r $(1) && $(PIP) install --no-deps -e . ; \
	fi
	@$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (perjaka)" >/dev/null
	@touch $@
endef

$(VENV)/.reports: pyproject.toml requirements/reports.txt
	$(call install_lock,requirements/reports.txt)

$(VENV)/.test: pyproject.toml requirements/test.txt
	$(call install_lock,requirements/test.txt)

$(VENV)/.lab: pyproject.toml requirements/lab.txt
	$(call install_lock,requirements/lab.txt)

env: $(VENV)/.reports

data: $(VENV)/.reports
	$(BIN)/perjaka data build

reports: $(VENV)/.reports
	$(BIN)/perjaka data build
	$(BIN)/perjaka report --all --jobs $(JOBS) --pdf

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# tests never touch the user's pseudonym key. One pytest run on $(JOBS) workers
# (pytest-xdist), a file per worker at a time: unit tests, doctests and the
# analysis notebooks (tests/test_notebooks_run*.py run each with papermill on
# parameters that keep it quick). The brief notebook is run by tests/test_report.py
# (in batches) and tests/test_report_processes.py (by hand, kept kernels, a cluster):
# two files, so that the two workers share the slow report runs. tests/conftest.py
# collects them first and --no-loadscope-reorder keeps that order, so each starts on
# its own worker (by default xdist would order files by their number of tests).
test: export PERJAKA_PSEUDONYM_KEY = test-only-key
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(JOBS) --dist loadfile --no-loadscope-reorder \
	  tests perjaka_analysis

lab: $(VENV)/.lab
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

# needs uv (on the PATH, or in .venv/uv after `make test`)
lock: $(VENV)/.test
	PATH="$(abspath $(VENV))/uv/bin:$(abspath $(BIN)):$$PATH" $(BIN)/python requirements/update.py

notebooks-sync: $(VENV)/.test
	$(BIN)/jupytext --sync notebooks/*.ipynb

benchmarks: $(VENV)/.test
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) data/processed/*.parquet
