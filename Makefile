# `make run`: the app on its embedded defaults (SQLite file, no Redis, mail to data/outbox).
# `make test`: everything set up, then the whole suite on SQLite and PostgreSQL.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
PYTEST_WORKERS ?= 2

.PHONY: run test setup setup-test lint migrate backend prod test-sqlite test-postgres test-browser

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test
	scripts/ensure-services.sh
	scripts/ensure-chromium.sh
	scripts/ensure-axe.sh

migrate: setup
	$(PY) -m webinar_app migrate

run: setup
	$(PY) -m webinar_app migrate
	$(PY) -m webinar_app seed-demo
	$(VENV)/bin/reflex run --env dev

backend: setup
	$(PY) -m webinar_app migrate
	$(VENV)/bin/reflex run --env dev --backend-only --backend-port $${BACKEND_PORT:-8000}

prod: setup
	$(PY) -m webinar_app migrate
	$(VENV)/bin/reflex run --env prod --backend-port $${PORT:-8000} --frontend-port $${PORT:-8000}

lint: setup-test
	$(VENV)/bin/ruff check webinar_app tests bench alembic/env.py rxconfig.py

test-sqlite:
	TEST_DATABASE=sqlite $(PY) -m pytest -q -n $(PYTEST_WORKERS) -m "not browser"

test-postgres:
	TEST_DATABASE=postgres $(PY) -m pytest -q -n $(PYTEST_WORKERS) -m "not browser"

test-browser:
	TEST_DATABASE=postgres $(PY) -m pytest -q -m browser

test: setup-test
	$(VENV)/bin/ruff check webinar_app tests bench alembic/env.py rxconfig.py
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-browser
