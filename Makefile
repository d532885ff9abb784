# The README's commands. `make run` and `make test` work on a fresh Debian machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app conference
HOST ?= 127.0.0.1
PORT ?= 5000
AREAS := core accounts organisations registration agenda workshops badges checkin feeds reports

.PHONY: run test lint install translations messages bench serve clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

install: $(BIN)/activate translations

## Compile the German catalogues (the .po files are committed, the .mo files are built).
translations: $(BIN)/activate
	@for po in conference/translations/*/*/LC_MESSAGES/messages.po; do \
	  [ -f "$$po" ] && $(BIN)/pybabel compile -f --use-fuzzy -i "$$po" -o "$${po%.po}.mo" >/dev/null || true; \
	done

## Extract msgids of each area into its own catalogue and merge them into its German .po.
messages: $(BIN)/activate
	$(BIN)/python -m conference.core.messages

run: install
	$(FLASK) init-db
	$(FLASK) demo
	@echo "Demo logins:" && cat instance/demo-logins.txt 2>/dev/null || true
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: $(BIN)/activate
	$(BIN)/ruff check conference tests benchmarks

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto

test: install lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
