"""Automatic persisted queries (Apollo's APQ protocol) and the optional allow-list.

APQ (apollographql.com/docs/apollo-server/performance/apq): a client sends
``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`` instead of the
document, by GET or POST. An unknown hash gets the error ``PersistedQueryNotFound``
(``extensions.code = "PERSISTED_QUERY_NOT_FOUND"``); the client then sends the hash with
the document, which registers it. Registered documents are kept in a bounded LRU
(APQ_CACHE_SIZE) in the process and, with several worker processes, also in the
workers' shared state (service/shared_state.py): a hash registered through one worker
runs on any other. After a restart a client simply registers again, as the protocol
intends.

With ALLOWED_OPERATIONS_FILE set (an Apollo persisted-query manifest, as written by
``@apollo/generate-persisted-query-manifest``), only the operations listed there run:
by hash or by their exact text. Nothing registers at run time then.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any, Final, Protocol

from service.errors import SetupError
from service.graphql_request import GraphQLParams, RequestError

MANIFEST_FORMAT: Final = "apollo-persisted-query-manifest"


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def read_allow_list(path: Path) -> dict[str, str]:
    """The operations of a persisted-query manifest by their SHA-256 hash."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SetupError(f"ALLOWED_OPERATIONS_FILE {path} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise SetupError(
            f"ALLOWED_OPERATIONS_FILE {path} is not an {MANIFEST_FORMAT} (format, version, operations)"
        )
    operations: dict[str, str] = {}
    for position, operation in enumerate(manifest.get("operations") or []):
        body = operation.get("body") if isinstance(operation, dict) else None
        if not isinstance(body, str):
            raise SetupError(f"ALLOWED_OPERATIONS_FILE {path}: operations[{position}] has no body")
        digest = document_hash(body)
        if operation.get("id", digest) != digest:
            raise SetupError(
                f"ALLOWED_OPERATIONS_FILE {path}: operations[{position}].id is not the "
                "SHA-256 hash of its body"
            )
        operations[digest] = body
    return operations


class DocumentRegistry(Protocol):
    """Registrations shared with other processes (service/shared_state.SharedDocuments)."""

    def get(self, digest: str) -> str | None: ...
    def put(self, digest: str, document: str) -> None: ...


class PersistedQueries:
    """Turns a request's parameters into the document text to run, or refuses them."""

    def __init__(
        self,
        *,
        size: int,
        allow_list: dict[str, str] | None = None,
        shared: DocumentRegistry | None = None,
    ) -> None:
        self._size = size
        self._allow_list = allow_list
        self._shared = shared
        self._registered: OrderedDict[str, str] = OrderedDict()

    def document(self, params: GraphQLParams) -> str:
        persisted = _persisted_hash(params.extensions)
        if persisted is None:
            if params.query is None:
                raise RequestError(400, "The query parameter must be a string.")
            if self._allow_list is not None and document_hash(params.query) not in self._allow_list:
                raise _not_allowed()
            return params.query
        if params.query is not None:
            if document_hash(params.query) != persisted:
                raise RequestError(
                    400, "The persistedQuery sha256Hash is not the SHA-256 hash of the query."
                )
            if self._allow_list is not None:
                if persisted not in self._allow_list:
                    raise _not_allowed()
            else:
                self._register(persisted, params.query)
            return params.query
        known = (
            self._allow_list.get(persisted)
            if self._allow_list is not None
            else self._registered.get(persisted)
        )
        if known is None and self._allow_list is None and self._shared is not None:
            known = self._shared.get(persisted)
            if known is not None:
                self._remember(persisted, known)
        if known is None:
            if self._allow_list is not None:
                raise _not_allowed()
            raise RequestError(
                400, "PersistedQueryNotFound", status_for_json=200, code="PERSISTED_QUERY_NOT_FOUND"
            )
        if self._allow_list is None:
            self._registered.move_to_end(persisted)
        return known

    def _register(self, digest: str, query: str) -> None:
        if self._shared is not None:
            self._shared.put(digest, query)
        self._remember(digest, query)

    def _remember(self, digest: str, query: str) -> None:
        self._registered[digest] = query
        self._registered.move_to_end(digest)
        while len(self._registered) > self._size:
            self._registered.popitem(last=False)


def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestError(
            400,
            "Only version 1 of persistedQuery is supported.",
            code="PERSISTED_QUERY_NOT_SUPPORTED",
        )
    if not isinstance(digest, str) or len(digest) != 64:
        raise RequestError(400, "persistedQuery.sha256Hash must be a SHA-256 hash in hex.")
    return digest.lower()


def _not_allowed() -> RequestError:
    return RequestError(
        403,
        "Only the operations registered with this service may run (ALLOWED_OPERATIONS_FILE).",
        code="PERSISTED_QUERY_NOT_IN_LIST",
    )
