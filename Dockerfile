# syntax=docker/dockerfile:1
# The service for production on Neo4j 5 (set NEO4J_URI and friends):
#   docker build -t evidence-graph .
# A self-contained image with the embedded store (demos, no Neo4j needed):
#   docker build --build-arg STORE=embedded -t evidence-graph:embedded .
# Dependencies come from the hashed lock files, in layers of their own, so a change to
# the code rebuilds only the last layers.

# The front-end packages the service serves itself (GraphiQL, React, Cytoscape.js), from
# npm at the versions web/package-lock.json pins.
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim AS dependencies
# neo4j: the driver only; embedded: also the embedded store (~100 MB with its Java runtime).
ARG STORE=neo4j
COPY requirements-neo4j.lock requirements-embedded.lock /tmp/
RUN test "$STORE" = neo4j -o "$STORE" = embedded \
    && python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --require-hashes -r "/tmp/requirements-$STORE.lock"

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app evidence \
    && mkdir /data && chown evidence:evidence /data
COPY --from=dependencies /venv /venv
WORKDIR /app
# Run from the source folder: migrations/ and examples/ are found beside the code.
COPY service ./service
COPY schema ./schema
COPY migrations ./migrations
COPY examples ./examples
COPY --from=web /web/node_modules/cytoscape/dist/cytoscape.min.js ./service/static/explorer/vendor/
COPY --from=web /web/node_modules/react/umd/react.production.min.js \
     /web/node_modules/react-dom/umd/react-dom.production.min.js \
     /web/node_modules/graphiql/graphiql.min.js \
     /web/node_modules/graphiql/graphiql.min.css \
     ./service/static/graphiql/vendor/

ENV PATH=/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
USER evidence
VOLUME ["/data"]
EXPOSE 8000
# `serve` runs one worker process per CPU the container may run on, around one store; a
# CPU quota (--cpus) is not seen there, so set WORKERS (or WEB_CONCURRENCY) to match it.
# SIGTERM (docker stop) stops the workers, then the store.
# Asks /readyz on whatever PORT the container is given.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD ["python", "-m", "service.healthcheck"]
CMD ["python", "-m", "service", "serve"]
