# termtem developer commands. `make run` and `make test` are the two commands README.md promises.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: run test lint validate clean

# Create the virtual environment and install the project with the pinned versions it was tested with.
$(BIN)/termtem: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "termtem needs $(PYTHON) on PATH (or set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	@touch $@

# Run the whole pipeline on the bundled sample (generated on first use) into the embedded SQLite database.
run: $(BIN)/termtem
	$(BIN)/termtem run

lint: $(BIN)/termtem
	$(BIN)/ruff check .

validate: $(BIN)/termtem
	$(BIN)/dagster definitions validate -w workspace.yaml

# Lint, validate the Dagster code location, then every test (SQLite and the local PostgreSQL).
test: lint validate
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .dagster_home data .pytest_cache .ruff_cache
