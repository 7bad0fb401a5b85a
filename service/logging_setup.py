"""Logging, configured once per process: one JSON object per line, key facts first.

Each line carries the time, level, logger and message, and, for lines written while a
request is handled, its ``requestId`` and (once known) ``clientId``; the access log adds
``method``, ``path``, ``status`` and ``durationMs``. Credentials never reach a line: API
keys (``egk_...``), bearer tokens and the values of credential-like URL parameters are
replaced with ``[REDACTED]`` in every message and traceback, the access log included.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from contextvars import ContextVar
from typing import Any, Final

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_id: ContextVar[str | None] = ContextVar("client_id", default=None)

REDACTED: Final = "[REDACTED]"
# An API key, a bearer credential, a JWT, and the value of a URL parameter whose name
# says it holds a credential.
_SECRETS: Final = (
    (re.compile(r"egk_[A-Za-z0-9_\-]+"), f"egk_{REDACTED}"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), REDACTED),
    (
        re.compile(
            r"(?i)([?&;](?:[a-z_\-]*(?:token|key|secret|password|auth)[a-z_\-]*)=)[^&;\s\"']*"
        ),
        rf"\g<1>{REDACTED}",
    ),
)
# Attributes every LogRecord has (and uvicorn's terminal colouring of its message);
# anything else was passed with ``extra=`` and is logged.
_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "color_message"}
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request(request_id: str) -> object:
    """Mark the lines logged from here on (in this task) with ``request_id``."""
    _client_id.set(None)
    return _request_id.set(request_id)


def bind_client(client_id: str | None) -> None:
    """Name the authenticated client on the rest of the request's lines."""
    _client_id.set(client_id)


def current_client_id() -> str | None:
    return _client_id.get()


class RedactingFilter(logging.Filter):
    """Redacts a record's message in place, for loggers whose lines another formatter
    writes (uvicorn's access log when uvicorn runs the app with its own log config)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The arguments keep their shape: uvicorn's access formatter unpacks them.
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        return True


def _redacted(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


def redact_logger(name: str) -> None:
    """Redact every line of logger ``name``, whatever writes it out (idempotent)."""
    target = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            # Which worker process wrote it, when several share one log.
            "pid": record.process,
        }
        if request_id := _request_id.get():
            line["requestId"] = request_id
        if client_id := _client_id.get():
            line["clientId"] = client_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own loggers write through the root handler, in the same format; its
    # access log is replaced by the service's (service.access), which knows the client.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    # The driver logs every pool event at INFO; its warnings are what matters.
    logging.getLogger("neo4j").setLevel(logging.WARNING)
