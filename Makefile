# One command per habit; CI runs `make test` through .ci/run.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Node tools the tests run: the graphql-http audit suite and Neo4j's Cypher linter.
TOOLS_STAMP := tools/node_modules/.installed-stamp

# Settings for `make serve`; each is also read from the environment (see README).
PORT ?= 8000
DATA_DIR ?= ./data
export PORT DATA_DIR

.PHONY: install tools serve migrate test lint schema bench clean

install: $(STAMP)

tools: $(TOOLS_STAMP)

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $(TOOLS_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/python -m service serve

migrate: $(STAMP)
	$(BIN)/python -m service migrate

test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check service schema tests bench
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -m schema.build
	$(BIN)/python -m service.graph_file_schema

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tools/node_modules
