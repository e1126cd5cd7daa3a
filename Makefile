# Two commands do all the set-up: `make run` and `make test`.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
PIP     := $(PYTHON) -m pip
QA      := $(VENV)/bin/qa
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup index run test lint bench clean

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

test: lint
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check qa tests bench
	$(VENV)/bin/mypy --strict -p qa.store -m qa.models

bench: index
	$(PYTHON) bench/seed_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache
	find index -mindepth 1 ! -name .gitkeep -delete
