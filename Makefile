# Two commands do all the set-up: `make run` and `make test`.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
PIP     := $(PYTHON) -m pip
QA      := $(VENV)/bin/qa
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup index run test test-fast lint bench clean

setup: $(STAMP)

# A package index for the torch step only, e.g. the CPU-only build (README, "Set-up"):
#     make run TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# Empty, torch comes from pip's configured index; on Linux, PyPI's torch is the CUDA build (several GB more).
TORCH_INDEX_URL ?=
TORCH_FROM := $(if $(TORCH_INDEX_URL),from $(TORCH_INDEX_URL),from pip's default index; see TORCH_INDEX_URL in the README for the CPU-only build)
# The repository's own archive: `make run` and `make index` use ./corpus and ./index, whatever `qa config` says.
REPO_ARCHIVE := --corpus "$(CURDIR)/corpus" --index "$(CURDIR)/index"

# One line per step, with what it costs (sizes measured on the CPU build; times on a fast connection).
$(STAMP): pyproject.toml
	@echo "1/4 Creating the Python environment in $(VENV) (about 20 MB, a few seconds)…"
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	@echo "2/4 Updating pip (about 10 MB, a few seconds)…"
	@$(PIP) install --quiet --upgrade pip
	@echo "3/4 Installing torch 2.13, $(TORCH_FROM) (CPU build: about 200 MB download, 750 MB on disk, 1 minute)…"
	@$(PIP) install --quiet $(if $(TORCH_INDEX_URL),--index-url "$(TORCH_INDEX_URL)") "torch==2.13.0"
	@echo "4/4 Installing the other dependencies (about 1.3 GB on disk, 1-2 minutes)…"
	@$(PIP) install --quiet -e ".[dev,milvus]"
	@touch $(STAMP)
	@echo "Installed in $(VENV) (about 2.1 GB in all)."

# Incremental: embeds only new or changed corpus files, and does nothing when the index is fresh.
index: $(STAMP)
	@echo "Indexing ./corpus into ./index (new or changed files only; a first build of the seed corpus takes under a minute)…"
	@$(QA) index $(REPO_ARCHIVE)

run: index
	@echo "Opening the chat on ./index…"
	@$(QA) chat $(REPO_ARCHIVE)

# Tests run in TEST_WORKERS processes (pytest-xdist; 0 runs them in pytest's own process). Each worker loads the
# model and builds the seed index once; worksteal hands each worker a contiguous half of the tests, so a module's
# tests and its module fixtures stay together, and a worker that runs dry takes half of what the other has left.
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal

# Everything, as CI runs it (.ci/run): the real model, Milvus, kill -9 and the chat. tests/README.md says more.
test: lint
	$(PYTEST)

# The inner loop: no real model, no big files (under 2 minutes); the fake encoder stands in where vectors are needed.
test-fast: $(STAMP)
	$(PYTEST) -m "not model and not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check qa tests bench
	$(VENV)/bin/mypy --strict -p qa.store -m qa.models

bench: index
	$(PYTHON) bench/seed_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache
	find index -mindepth 1 ! -name .gitkeep -delete
