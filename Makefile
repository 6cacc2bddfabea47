# Klantbekwaam — two commands do all set-up:
#   make run    the demo at http://127.0.0.1:8000 (SQLite, embedded Celery broker)
#   make test   the whole test suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
DEV := DJANGO_DEBUG=1

.PHONY: run test setup messages compilemessages makemessages lint format bench clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed (set PYTHON=...)"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

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
	$(DEV) $(PY) scripts/devrun.py

test: setup
	$(DEV) $(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(INSTALLED)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf var test-artefacts staticfiles
