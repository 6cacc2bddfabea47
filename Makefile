# Klantbekwaam — two commands do all set-up:
#   make run    the demo at http://127.0.0.1:8000 (SQLite, embedded Celery broker);
#               `make run PORT=8001` serves it on another port
#   make test   the whole test suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
DEV := DJANGO_DEBUG=1
PORT ?= 8000
# Links in mail and calendars point at the port the demo runs on, unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test setup messages compilemessages makemessages lint format lock bench load clean

# Every install is pinned by constraints.txt (refreshed with `make lock`), so a fresh
# machine gets exactly the versions the suite last passed with.
$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed (set PYTHON=...)"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Developers: resolve pyproject.toml's ranges again and pin the result.
lock: $(INSTALLED)
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --extra dev --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file constraints.txt pyproject.toml

setup: $(INSTALLED) compilemessages

# Catalogues are compiled with Babel (pure Python): no GNU gettext needed.
compilemessages: $(INSTALLED)
	$(PY) scripts/compile_messages.py

# Developers only (needs GNU gettext): refresh both catalogues from the code.
makemessages: $(INSTALLED)
	$(DEV) $(PY) manage.py makemessages --locale nl --locale en --ignore ".venv/*" --ignore "var/*" --no-obsolete --add-location file

run: setup
	$(DEV) $(PY) manage.py migrate --no-input
	$(DEV) $(PY) manage.py import_course courses/content/klantgerichtheid
	$(DEV) $(PY) manage.py seed_demo
	$(DEV) SITE_URL=$(SITE_URL) $(PY) scripts/devrun.py --port $(PORT)

test: setup
	$(DEV) $(PY) -m pytest $(PYTEST_ARGS)

# Benchmark: the main pages against a floor page, the reminder sweep and reminder mail, on
# the bench database (var/bench.sqlite3, or DATABASE_URL); seeds it first if it is empty.
# Prints a table and writes bench/results.json. See docs/performance.md.
bench: setup
	DJANGO_SETTINGS_MODULE=lms.bench_settings $(PY) manage.py bench $(BENCH_ARGS)

# Load test: gunicorn (production settings) on the local PostgreSQL and Redis, 50 people
# from locust for 60 s; seeds the bench database first if it is empty. See scripts/load.py.
load: setup
	$(PY) scripts/load.py $(LOAD_ARGS)

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(INSTALLED)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf var test-artefacts staticfiles
