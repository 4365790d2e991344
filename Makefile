# Two commands matter: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test setup demo lint clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/wayfinder init-db
	$(BIN)/wayfinder demo --if-empty --as-of today
	$(BIN)/wayfinder reindex --if-missing

run: demo
	$(BIN)/wayfinder run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache
