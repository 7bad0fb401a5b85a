# The service with the embedded store; set NEO4J_URI (and friends) to use a Neo4j 5 instead.

# The explorer's Cytoscape.js, from npm at the version web/package-lock.json pins.
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY schema ./schema
COPY migrations ./migrations
COPY examples ./examples
COPY --from=web /web/node_modules/cytoscape/dist/cytoscape.min.js ./service/static/explorer/vendor/
# Editable, so the service finds migrations/ and examples/ beside its code.
RUN pip install --no-cache-dir -e '.[embedded]'

ENV HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["python", "-m", "service", "serve"]
