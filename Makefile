# Two commands do all set-up: `make run` and `make test`. Both are idempotent and quick once set up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := app

.PHONY: run test install migrate seed lint format bench bench-answers clean

run: install migrate seed
	@echo "Vetted is serving on http://$(HOST):$(PORT)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - "app:create_app()"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed static/vendor/htmx.min.js

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# htmx comes from the npm registry, pinned by package-lock.json, and is never committed.
static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python scripts/bench.py

# Instant-answer p50/p95 at 10,000 and 100,000 synthetic articles, SQLite then PostgreSQL (minutes).
bench-answers: install
	$(BIN)/python scripts/bench_answers.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .ruff_cache *.egg-info
