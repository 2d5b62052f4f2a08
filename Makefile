# Grassroots — the commands a developer and CI use. Each target makes .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint fmt typecheck pytest bench messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV)…" >&2
	@$(BIN)/python -m pip install --quiet --upgrade pip >&2
	@$(BIN)/python -m pip install --quiet -e ".[dev]" >&2
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/grassroots demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m django makemigrations --check --dry-run --settings=grassroots.settings
	$(BIN)/pytest --durations=15

bench: $(STAMP)
	@set -e; for b in bench/[a-z]*.py; do echo "# $$b" >&2; $(BIN)/python $$b; done

# Extract and compile the message catalogues (needs GNU gettext); the .mo files are committed.
messages: $(STAMP)
	cd src/grassroots && ../../$(BIN)/grassroots makemessages -l zh_Hans -l en --no-obsolete \
		--ignore "*/migrations/*"
	$(BIN)/python tools/compile_messages.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
