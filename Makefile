# Two commands on a fresh machine:
#   make run   – set up, load demo data and serve on http://127.0.0.1:8000/
#   make test  – set up and run the whole test suite against PostgreSQL
#   make bench – benchmarks and the database fault test (bench/README.md)
#   make lock  – after changing requirements*.txt: pin every package with its hashes
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# The tests need PostgreSQL; pytest-django creates and drops test_borgerservice.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/borgerservice

.PHONY: run test bench setup lint audit messages lock clean

# Every package, direct and transitive, at the version and with the hashes of requirements-dev.lock
# (a superset of requirements.lock, which production installs the same way): a package that
# changed on the registry, or one nobody pinned, fails the install instead of slipping in.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# requirements.txt and requirements-dev.txt are the lists people edit; the locks are made from them
# (uv, pinned in requirements-dev.txt). The development lock is held to the runtime lock's versions,
# so that CI tests exactly what production installs.
lock: setup
	$(VENV)/bin/uv pip compile requirements.txt --quiet --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" --output-file requirements.lock
	$(VENV)/bin/uv pip compile requirements-dev.txt --quiet --generate-hashes --python-version 3.11 \
	  --constraint requirements.lock --custom-compile-command "make lock" --output-file requirements-dev.lock

# Local settings for trying the app: debug on, a secret key made once for this checkout.
.env:
	@printf 'DJANGO_DEBUG=true\nDJANGO_SECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (local settings; not committed)."

setup: $(VENV)/.installed .env

# Personal links in the demo and its mails point at the server that runs. A worker runs beside
# the web server, as in production, so that mail goes through the queue; it stops with the server.
run: export SITE_URL ?= http://$(HOST)
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo
	@$(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  echo "Worker started (manage.py db_worker, pid $$worker): it sends the mail."; \
	  $(PY) manage.py runserver $(HOST)

test: setup
	@command -v chromium >/dev/null || { echo "Installing Chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }
	@ldconfig -p | grep -q 'libcairo\.so\.2' && fc-list -q : || { echo "Installing cairo and fonts for the map's PNG"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcairo2 fontconfig fonts-dejavu-core) >/dev/null; }
	@ldconfig -p | grep -q 'libpangoft2-1\.0\.so\.0' || { echo "Installing Pango for the report's PDF (WeasyPrint)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0) >/dev/null; }
	@command -v soffice >/dev/null || { echo "Installing LibreOffice Impress: a test opens the report's deck with it"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-impress) >/dev/null; }
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} DJANGO_DEBUG=false DJANGO_HTTPS=false DJANGO_COLLECTED_STATIC=false \
	  SITE_URL=http://testserver EMAIL_URL=memorymail:// $(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks under gunicorn at modest sizes (bench/README.md). Each makes and drops its own
# database on the test server; the fault test runs a throwaway PostgreSQL of its own.
bench: setup
	export DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)}; \
	$(PY) bench/bench_pages.py --quick && \
	$(PY) bench/deadline_day.py --libraries 100 --users 20 && \
	$(PY) bench/release_day.py --quick && \
	$(PY) bench/db_restart.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Extract the English msgids into locale/da and compile; translate the new entries in between.
# Security: bandit reads our code (B311: random numbers only make demo and benchmark data);
# scripts/audit.py runs pip-audit on the pinned packages and fails on any hit; where no
# vulnerability service answers, it says "not audited" instead of claiming a pass.
audit: setup
	$(VENV)/bin/bandit -q -r questionnaire results jobs surveyproject -x '*/migrations/*' -s B311
	$(PY) scripts/audit.py requirements.lock

messages: setup
	$(PY) manage.py makemessages -l da --no-obsolete --no-location --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
