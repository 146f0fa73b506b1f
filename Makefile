# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
TRANSLATIONS := collector/translations

.PHONY: run test install install-dev pdf-libraries translations messages lint db seed bench bench-smoke clean serve serve-env

run: install translations instance/config.py db
	@$(FLASK) schemas load
	@$(FLASK) seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	@$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	# On every core (pytest-xdist): each worker has its own database and job folder.
	$(BIN)/pytest -n auto -m "not load"
	$(BIN)/pytest -n auto --db postgresql -m "not browser and not load"
	# Every benchmark at a tiny size, and (bench/load.py) the load and fault tests against
	# gunicorn, an RQ worker, PostgreSQL and Redis (tests/load) at CI's size: 1,000
	# submissions; `make bench` runs them with 10,000.
	$(MAKE) --no-print-directory bench-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed pdf-libraries

# WeasyPrint (the printed documents' PDF) loads Pango and HarfBuzz from the system, and the
# pages need a font with Cyrillic: Debian's packages, installed where missing when make
# runs as root, else named. (.ci/run installs the same before `make test`.)
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libraries:
	@command -v dpkg >/dev/null || exit 0; \
	missing=$$(for p in $(PDF_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing $$missing for the PDF documents."; \
	  apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "The PDF documents need: sudo apt-get install" $$missing >&2; exit 1; \
	fi
install-dev: $(VENV)/.installed-dev

# Compiled catalogues (.mo) are build products, made from the .po files on every install.
translations: install
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

# Re-extract the messages after changing texts, then translate the new ones in the .po file.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k mark_for_translation -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

# A local config with a fresh secret key, made once; never committed.
instance/config.py:
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32)); print('# Served over plain http on 127.0.0.1 in development.'); print('SESSION_COOKIE_SECURE = False'); print('REMEMBER_COOKIE_SECURE = False')" > $@
	@echo "Wrote $@ with a new secret key."

db: install instance/config.py
	@$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Benchmarks print ratios against a baseline measured in the same run, and write them to
# docs/performance.md. Small by default; `SCALE=national make bench` for the whole country.
SCALE ?= small
bench: install-dev
	PYTHONPATH=. SCALE=$(SCALE) $(BIN)/python bench/run_all.py

# Every benchmark at a tiny size, as `make test` runs it: a change that breaks one fails
# the build; the ratios are printed, not judged, and the docs are left alone.
bench-smoke: install-dev
	PYTHONPATH=. SCALE=tiny $(BIN)/python bench/run_all.py

# Production on one machine: gunicorn (gunicorn.conf.py: workers, bind 127.0.0.1:8000) and
# one job worker, on PostgreSQL and Redis from the environment; Ctrl+C stops both, and
# either one stopping stops the other. Migrate first (`flask --app wsgi db upgrade`); under
# systemd use deploy/ instead. README, "Production".
SERVE_NEEDS := DATABASE_URL COLLECTOR_REDIS_URL COLLECTOR_SECRET_KEY
serve-env:
	@missing="$(strip $(foreach v,$(SERVE_NEEDS),$(if $($(v)),,$(v))))"; \
	if [ -n "$$missing" ]; then \
		echo "make serve: not set: $$missing (README, Production; deploy/collector.env.example)" >&2; \
		exit 2; \
	fi; \
	case "$$DATABASE_URL" in postgres*) ;; *) \
		echo "make serve: DATABASE_URL must name a PostgreSQL database (several processes write)" >&2; \
		exit 2;; \
	esac

serve: SHELL := /bin/bash
serve: export COLLECTOR_ACCESS_LOG ?= -
serve: serve-env install translations
	@$(BIN)/gunicorn --config gunicorn.conf.py & web=$$!; \
	$(FLASK) jobs worker & jobs=$$!; \
	trap 'kill -TERM $$web $$jobs 2>/dev/null; wait' EXIT INT TERM; \
	wait -n; status=$$?; \
	echo "make serve: a process stopped (exit $$status); stopping the other" >&2; \
	exit $$status
