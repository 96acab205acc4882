# Two commands do all set-up: `make run` and `make test`. Both are idempotent and quick once set up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := app

STATIC_SOURCES := $(shell find static -path static/dist -prune -o -type f -print 2>/dev/null)
export HOST PORT WORKERS

.PHONY: run test install system-deps static catalogs migrate seed lint format bench bench-answers bench-pdf fleet fleet-up clean

run: install static migrate seed
	@echo "Vetted is serving on http://$(HOST):$(PORT)"
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py

# One pytest worker per core (pytest-xdist); PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= auto

test: install static
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

install: system-deps $(VENV)/.installed static/vendor/htmx.min.js catalogs

# The article PDF (WeasyPrint) needs pango and a font from Debian: installed when missing.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
system-deps:
	@missing=$$(for p in $(PDF_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "== Installing $$missing from Debian"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

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

# Fingerprinted, precompressed copies of static/ (git-ignored), rebuilt when a source changes.
static: static/dist/manifest.json

static/dist/manifest.json: $(STATIC_SOURCES) scripts/build_static.py | install
	$(BIN)/python scripts/build_static.py

# Reader pages' translations: translations/LANG/LC_MESSAGES/messages.po (committed) compiled to
# .mo (git-ignored), rebuilt when a catalog changes. README.md, "Translations", has the rest.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
catalogs: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations -l $* -i $< -o $@

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

bench: install static
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_load.py
	$(BIN)/python scripts/bench_search.py
	$(BIN)/python scripts/bench_answers.py

# nginx in front of two app servers on PostgreSQL and Redis, on loopback ports (deploy/README.md):
# `make fleet` starts it and proves they agree (the tests marked fleet); `make fleet-up` serves it.
fleet: install static
	$(BIN)/pytest -m fleet tests/fleet -v $(PYTEST_ARGS)

fleet-up: install static
	$(BIN)/python deploy/fleet.py

# Instant-answer p50/p95 at 10,000 and 100,000 synthetic articles, SQLite then PostgreSQL (minutes).
bench-pdf: install static
	$(BIN)/python scripts/bench_pdf.py

bench-answers: install
	$(BIN)/python scripts/bench_answers.py

clean:
	rm -rf $(VENV) node_modules static/vendor static/dist .pytest_cache .ruff_cache *.egg-info
