"""Typed settings, read from the environment; each variable is documented in the README."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be told, with its default.

    Environment variables carry the upper-case field name (``NEO4J_URI``, ``PORT``...).
    """

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Worker processes answering HTTP (WORKERS, or WEB_CONCURRENCY as Heroku and gunicorn
    # call it); unset: one per CPU core this process may run on. 1 serves from one process.
    workers: int | None = Field(
        default=None, ge=1, le=64, validation_alias=AliasChoices("workers", "web_concurrency")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # A real Neo4j 5; when unset the embedded store is started instead.
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"

    # The embedded store (used only when NEO4J_URI is unset).
    data_dir: Path = Path("./data")
    embedded_bolt_port: int = Field(default=0, ge=0, le=65535)
    embedded_http_port: int = Field(default=0, ge=0, le=65535)
    embedded_password: str = "evidence-graph-local"
    embedded_database: str = "evidence"
    embedded_start_timeout: float = Field(default=90.0, gt=0)
    # Tries to start the embedded store again after its process died, before the service
    # reports itself not alive (GET /healthz 503) for its own supervisor to restart it.
    embedded_restart_attempts: int = Field(default=5, ge=1)

    # Driver timeouts: a missing database should fail fast rather than hang a request.
    store_connect_timeout: float = Field(default=3.0, gt=0)
    store_acquire_timeout: float = Field(default=5.0, gt=0)
    # Retry budget for reads and idempotent write functions on transient failures.
    store_retry_time: float = Field(default=2.0, ge=0)
    # Transaction timeout, sent to the store and enforced by the service as well.
    store_query_timeout: float = Field(default=10.0, gt=0)
    # Retry budget when a cluster member cannot take writes now (a leader switch).
    store_leader_retry_time: float = Field(default=30.0, ge=0)
    # Connection pool. Neo4j Aura closes connections idle for 60 minutes: connections are
    # retired after 45, and one idle for over 5 minutes is checked before use.
    store_max_connection_lifetime: float = Field(default=2700.0, gt=0)
    store_max_connection_pool_size: int = Field(default=100, ge=1)
    store_liveness_check_timeout: float | None = Field(default=300.0, ge=0)
    # Seconds an idempotency key's first answer is kept for resends.
    idempotency_window: float = Field(default=24 * 3600.0, gt=0)

    # Authentication. Writes always need a bearer token; reads only when this is true.
    require_auth_for_reads: bool = False
    auth_jwt_issuer: str | None = None
    auth_jwt_audience: str | None = None
    auth_jwt_jwks_file: Path | None = None
    auth_jwt_public_key_file: Path | None = None
    auth_jwt_algorithms: str = "RS256,ES256"
    auth_jwt_agency_claim: str = "agency_id"
    auth_jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    # How long an API key's record is reused before it is read again: a revoked key is
    # refused at most this many seconds later. 0 reads it on every request.
    api_key_cache_seconds: float = Field(default=30.0, ge=0, le=300)

    # Bulk import.
    import_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    import_max_rejections: int = Field(default=1000, ge=1)
    import_timeout: float = Field(default=600.0, gt=0)
    # Seconds a client may send no bytes of a request body (import uploads) before the
    # request is refused with 408; uvicorn's own header and keep-alive timeouts below.
    body_read_timeout: float = Field(default=30.0, gt=0)
    header_read_timeout: float = Field(default=10.0, gt=0)
    keep_alive_timeout: float = Field(default=5.0, gt=0)

    # Run mutations one at a time in this process. Unset: yes on the embedded store, whose
    # isolation cannot stop concurrent writers duplicating a relationship; no on Neo4j.
    serialize_writes: bool | None = None

    # False: do not apply migrations, only wait (not ready) until another process has.
    # The worker processes of a multi-worker service run so; their parent migrates.
    apply_migrations: bool = True
    load_example_data: bool = True
    # With the example data, also the starter catalogue of programmes (examples/catalogue.json).
    load_catalogue: bool = True
    # Build and judge the whole-graph evidence views (gap map, practice gap,
    # recommendations) in the background once ready, so no user's first view waits.
    evidence_warmup: bool = True
    # Keep the judged evidence snapshot in DATA_DIR/evidence-snapshots, one file per
    # graph version, for the other worker processes and the next start to load.
    evidence_snapshot_files: bool = True
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)

    # Limits on what one request may ask for, checked before any Cypher runs.
    max_query_depth: int = Field(default=15, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_tokens: int = Field(default=2000, ge=1)
    max_directives: int = Field(default=20, ge=0)
    max_batch_size: int = Field(default=10, ge=1)
    max_query_cost: int = Field(default=200_000, ge=1)
    # Rows assumed per nested list (participants, studies...) when costing a query.
    assumed_fan_out: int = Field(default=5, ge=1)
    max_body_bytes: int = Field(default=100_000, ge=1)
    introspection: bool = True
    # Parsed and validated documents kept per process (schema/documents.py).
    document_cache_size: int = Field(default=1000, ge=1)
    # Documents registered by automatic persisted queries, per process.
    apq_cache_size: int = Field(default=1000, ge=1)
    # An Apollo persisted-query manifest: when set, only the operations in it run.
    allowed_operations_file: Path | None = None
    # Requests per window and client (per IP address for anonymous callers); 0 turns off.
    rate_limit_requests: int = Field(default=300, ge=0)
    rate_limit_window: float = Field(default=60.0, gt=0)
    # Browser origins allowed to call the API (CORS), comma-separated; none by default.
    # "http://localhost:*" allows any port of that host; "*" any origin.
    cors_allow_origins: str = ""

    @field_validator("neo4j_uri")
    @classmethod
    def _blank_uri_means_embedded(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins_are_origins(cls, value: str) -> str:
        for origin in _split(value):
            scheme, _, rest = origin.partition("://")
            if origin != "*" and (scheme not in ("http", "https") or not rest or "/" in rest):
                raise ValueError(
                    f"CORS_ALLOW_ORIGINS: {origin!r} is not an origin like https://app.example.org"
                )
            if "*" in origin and origin != "*" and not origin.endswith(":*"):
                raise ValueError(
                    f"CORS_ALLOW_ORIGINS: {origin!r}: '*' may stand only for the whole origin or the port"
                )
        return value

    @property
    def cors_origins(self) -> list[str]:
        return _split(self.cors_allow_origins)

    @property
    def worker_count(self) -> int:
        return self.workers or len(os.sched_getaffinity(0))

    @property
    def accepts_jwts(self) -> bool:
        return self.auth_jwt_issuer is not None

    @property
    def uses_embedded_store(self) -> bool:
        return self.neo4j_uri is None

    @property
    def database(self) -> str:
        return self.embedded_database if self.uses_embedded_store else self.neo4j_database


def _split(listed: str) -> list[str]:
    return [item.strip().rstrip("/") for item in listed.split(",") if item.strip()]
