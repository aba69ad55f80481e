# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_SETTINGS := portal.settings.dev

.PHONY: run test test-e2e fuzz bench install install-test serve lint check clean backup restore \
	prod-local prod-local-stop prod-local-check load load-work load-capacity

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs the locked set (hashes checked); re-runs only when the lock file changes.
$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/base.txt
	@touch $@

$(VENV)/.installed-test: requirements/test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/test.txt
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-test: $(VENV)/.installed-test

run: install
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py load_portal_content
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py load_demo_data
	@echo "Portail servi sur http://127.0.0.1:$(PORT)/ (administration : /admin/)"
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# One worker per core (pytest-xdist), each with its own test database (suffix _gw0, _gw1…).
test: install-test
	$(BIN)/python -m pytest -n auto

# The fuzz tests with many more examples than `make test` runs (hypothesis profile
# « fuzz », tests/fuzz/conftest.py); the end of the run prints the examples per target.
fuzz: install-test
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz

# The browser tests alone (tests/e2e): Playwright drives Debian's Chromium (/usr/bin/chromium).
test-e2e: install-test
	$(BIN)/python -m pytest -m e2e tests/e2e

# The portal as production runs it, on this machine (docker/prod-local.sh): production
# settings, PostgreSQL (PROD_LOCAL_DB, default portal_prod_local), gunicorn with 2 workers and
# 1 task worker on 127.0.0.1:$(PROD_LOCAL_PORT) (8050, beside `make run`'s 8000), in the
# background; logs and pids under var/prod-local/. FRESH=1 recreates the database.
PROD_LOCAL_PORT ?= 8050
export PROD_LOCAL_PORT

prod-local: install
	docker/prod-local.sh start $(if $(FRESH),--fresh)

prod-local-check:
	docker/prod-local.sh check

prod-local-stop:
	docker/prod-local.sh stop

# Load test on the running prod-local (locust headless, 127.0.0.1 only, bounded in time):
# both scenarios, or one with load-work / load-capacity. Figures and summaries in var/load/.
load: load-work load-capacity

load-work: install-test
	$(BIN)/python bench/load_work.py --base-url http://127.0.0.1:$(PROD_LOCAL_PORT)

load-capacity: install-test
	$(BIN)/python bench/load_capacity.py --base-url http://127.0.0.1:$(PROD_LOCAL_PORT)

# Backup and restore (portal/backup/): the database and the files under var/ (or where
# the settings put them). DJANGO_SETTINGS_MODULE and DATABASE_URL choose the portal saved.
SETTINGS = $(or $(DJANGO_SETTINGS_MODULE),$(DEV_SETTINGS))
BACKUP_DIR ?= var/backups

backup: install
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py backup_portal --into "$(BACKUP_DIR)"

restore: install
	@test -n "$(BACKUP)" || { echo "Indiquez la sauvegarde : make restore BACKUP=var/backups/<horodatage>"; exit 2; }
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py restore_portal "$(BACKUP)"

# Speed figures of document rendering (scripts, not tests): every bench/*.py in turn.
bench: install-test
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

check: install-test
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py makemigrations --check --dry-run

# Rebuilds the lock files from pyproject.toml (needs pip-tools in the venv).
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra test -o requirements/test.txt pyproject.toml

# Keeps var/backups: a clean never takes the backups with it.
clean:
	rm -rf $(VENV) .pytest_cache
	@if [ -d var ]; then find var -mindepth 1 -maxdepth 1 ! -name backups -exec rm -rf {} +; fi
