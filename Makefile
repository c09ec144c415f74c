# perjaka-analysis — two commands on a fresh machine with Python 3.11:
#   make reports   build .venv, install, run the main job
#   make test      build .venv with the test extras, run lint + tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.installed
KERNEL := perjaka
JOBS   ?= 2

.PHONY: reports test lint lab data env clean benchmarks notebooks-sync

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -U pip
	$(PIP) install -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (perjaka)" >/dev/null
	@touch $@

env: $(STAMP)

data: $(STAMP)
	$(BIN)/perjaka data build

reports: $(STAMP)
	$(BIN)/perjaka data build
	$(BIN)/perjaka report --all --jobs $(JOBS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# tests never touch the user's pseudonym key
test: export PERJAKA_PSEUDONYM_KEY = test-only-key
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-kernel-name $(KERNEL) notebooks/*.ipynb

lab: $(STAMP)
	$(PIP) install -e '.[lab]'
	$(BIN)/jupyter lab --notebook-dir=notebooks

notebooks-sync: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.ipynb

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/validate_scale.py

clean:
	rm -rf $(VENV) data/processed/*.parquet
