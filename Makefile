# Newsdesk developer commands. `make demo` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Where `make demo` serves the site; the corpus server takes the next port.
DEMO_BIND ?= 127.0.0.1:8000

.PHONY: install demo test test-sqlite test-postgres lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,bench]'
	touch $(STAMP)

install: $(STAMP)

## Serve a populated site at http://127.0.0.1:8000 (SQLite, in-process crawler, offline corpus).
## DEBUG stays off, as in production: real error pages, static files through whitenoise.
## The demo's own settings (loopback corpus, var/demo) are defaults of `newsdesk demo`.
demo: $(STAMP)
	$(BIN)/newsdesk demo --bind $(DEMO_BIND)

## Run the whole suite on SQLite, then on PostgreSQL when NEWSDESK_TEST_DATABASE_URL is set.
test: $(STAMP)
	@echo "== on SQLite"
	env -u NEWSDESK_TEST_DATABASE_URL $(BIN)/pytest -n 2 -p no:cacheprovider
	@if [ -n "$$NEWSDESK_TEST_DATABASE_URL" ]; then \
		echo "== again on $$NEWSDESK_TEST_DATABASE_URL"; \
		$(BIN)/pytest -n 2 -p no:cacheprovider; \
	fi

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy config newsdesk

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks: JSON results in bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
