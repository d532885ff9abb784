# The README's commands. `make run` and `make test` work on a fresh Debian machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app conference
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails and feeds, and the host the app answers for (README "Configuration").
PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint install translations messages bench serve clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

install: $(BIN)/activate translations

## Compile the German catalogue (the .po file is committed, the .mo file is built).
translations: $(BIN)/activate
	$(BIN)/pybabel -q compile -f -d conference/translations

## Extract every msgid (plain pybabel, babel.cfg) and merge it into the German catalogue.
## New strings arrive untranslated and tests/test_i18n.py fails until they are translated.
messages: $(BIN)/activate
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location \
	  --sort-output -o conference/translations/messages.pot conference templates
	$(BIN)/pybabel -q update -i conference/translations/messages.pot -d conference/translations \
	  -l de -w 100 --no-fuzzy-matching --ignore-obsolete
	rm conference/translations/messages.pot

## A development server: DEVELOPMENT=true also answers for localhost (conference/config.py).
DEVELOPMENT_ENV := PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) DEVELOPMENT=true

run: install
	$(DEVELOPMENT_ENV) $(FLASK) init-db
	$(DEVELOPMENT_ENV) $(FLASK) demo
	@echo "Demo logins:" && cat instance/demo-logins.txt 2>/dev/null || true
	$(DEVELOPMENT_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

lint: $(BIN)/activate
	$(BIN)/ruff check conference tests benchmarks
	$(BIN)/ruff format --check conference tests benchmarks
	$(BIN)/lint-imports

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto

test: install lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
