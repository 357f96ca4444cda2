# The README's two commands: `make run` and `make test`. Both bootstrap .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench-http audit

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/rally serve

# The graphql-ws npm client test needs its package; machines without npm skip that test.
JS_CLIENTS := tests/js/node_modules/.package-lock.json

$(JS_CLIENTS): tests/js/package-lock.json
	-command -v npm >/dev/null && cd tests/js && npm ci --no-audit --no-fund --silent

# Lint and types first: they fail in seconds, before the suite's minutes.
test: $(STAMP) $(JS_CLIENTS) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check api domain gamification rally tests bench
	$(BIN)/mypy api domain gamification rally
