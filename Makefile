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

.PHONY: install tools serve migrate test lint schema bench clean vendor browser lock

# The explorer's and GraphiQL's front-end dependencies come from npm (web/package-lock.json)
# and are copied into the folders the service serves, so the pages need no other host.
WEB_STAMP := web/node_modules/.installed-stamp
VENDOR := service/static/explorer/vendor/cytoscape.min.js
GRAPHIQL_VENDOR := service/static/graphiql/vendor
GRAPHIQL_FILES := react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js \
	graphiql/graphiql.min.js graphiql/graphiql.min.css
# apt-get needs root; elsewhere go through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

install: $(STAMP)

tools: $(TOOLS_STAMP)

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	command -v npm >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs npm)
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $(TOOLS_STAMP)

# Exact versions with hashes from the lock file, then the project itself (no other packages).
$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Rewrites the lock files from pyproject.toml: requirements-dev.lock (make install, tests,
# CI), requirements-neo4j.lock and requirements-embedded.lock (the two container images).
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra tracing -o requirements-neo4j.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra embedded --extra tracing -o requirements-embedded.lock pyproject.toml

$(WEB_STAMP): web/package.json web/package-lock.json
	command -v npm >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs npm)
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_STAMP)

vendor: $(VENDOR)

$(VENDOR): $(WEB_STAMP)
	mkdir -p $(dir $(VENDOR)) $(GRAPHIQL_VENDOR)
	cp $(addprefix web/node_modules/,$(GRAPHIQL_FILES)) $(GRAPHIQL_VENDOR)/
	cp web/node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)

# Headless Chromium (Debian's package) for the explorer's browser test.
browser:
	command -v chromium >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

# Browser apps on this machine (any port of localhost) may call the local service.
# `make serve WORKERS=1` answers from one process; by default one worker per CPU core.
serve: $(STAMP) $(VENDOR)
	CORS_ALLOW_ORIGINS="$${CORS_ALLOW_ORIGINS-http://localhost:*,http://127.0.0.1:*}" \
		$(BIN)/python -m service serve

migrate: $(STAMP)
	$(BIN)/python -m service migrate

test: $(STAMP) $(TOOLS_STAMP) $(VENDOR) browser
	$(BIN)/python -m pytest

# Strict mypy checks the packages pyproject.toml lists: service, schema and bench.
lint: $(STAMP)
	$(BIN)/ruff check service schema tests bench
	$(BIN)/ruff format --check service schema tests bench
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -m schema.build
	$(BIN)/python -m service.graph_file_schema

bench: $(STAMP)
	$(BIN)/python -m bench.run
	BENCH_SCALE=2 $(BIN)/python -m bench.run
	$(BIN)/python -m bench.imports
	$(BIN)/python -m bench.exports
	$(BIN)/python -m bench.first_answers
	$(BIN)/python -m bench.changefeed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tools/node_modules web/node_modules $(dir $(VENDOR)) $(GRAPHIQL_VENDOR) test-artifacts
