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

# torch goes in first, pinned to the CPU wheel on this disk; a plain `torch` pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[dev,milvus]"
	touch $(STAMP)

# Incremental: embeds only new or changed corpus files, and does nothing when the index is fresh.
index: $(STAMP)
	$(QA) index

run: index
	$(QA) chat

# Everything, as CI runs it (.ci/run): the real model, Milvus, kill -9 and the chat. tests/README.md says more.
test: lint
	$(VENV)/bin/pytest

# The inner loop: no real model, no big files (under 2 minutes); the fake encoder stands in where vectors are needed.
test-fast: $(STAMP)
	$(VENV)/bin/pytest -m "not model and not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check qa tests bench

bench: index
	$(PYTHON) bench/seed_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache
	find index -mindepth 1 ! -name .gitkeep -delete
