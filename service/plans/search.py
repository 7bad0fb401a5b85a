"""Text search across names, aliases and descriptions of interventions, agencies,
studies and outcomes, ranked: a match in the name (exact, then at the start, then
anywhere) above a match in an alias (exact, then anywhere) above one in the description.

On Neo4j the candidates come from the full-text index ``evidence_search`` (Lucene: word
and prefix matches, relevance scores), created and detected at start-up. The embedded
store has no full-text indexes: there every node of the asked labels is scanned for the
text as a case-insensitive substring. Both rank the candidates the same way; the
full-text index also finds words in another order and breaks ties by relevance. Which
one is in use is logged at start-up and answered by ``search { method }``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any, Final, Literal, LiteralString

from service.plans.cursor import Cursor
from service.plans.errors import BadQueryInput
from service.store import Store, StoreTimeout, StoreUnavailable

logger = logging.getLogger(__name__)

SearchMethod = Literal["FULL_TEXT_INDEX", "SUBSTRING"]
SEARCHED_LABELS: Final = ("Intervention", "Agency", "Study", "Outcome")
MAX_TEXT_LENGTH: Final = 200
FULL_TEXT_INDEX: Final = "evidence_search"

# Per label: the name, the aliases (a list) and the longer text, lower-cased, over ``n``.
_FIELDS: Final[dict[str, tuple[str, str, str]]] = {
    "Intervention": (
        "toLower(coalesce(n.name, ''))",
        "[a IN coalesce(n.aliases, []) | toLower(a)]",
        "toLower(coalesce(n.description, ''))",
    ),
    "Agency": ("toLower(coalesce(n.name, ''))", "[]", "''"),
    "Study": ("toLower(coalesce(n.title, ''))", "[]", "toLower(coalesce(n.summary, ''))"),
    "Outcome": ("toLower(coalesce(n.name, ''))", "[]", "toLower(coalesce(n.description, ''))"),
}
# 6..1: which field matched and how closely; 0: only the full-text index's own match.
_RANK: Final = (
    "CASE WHEN name = $text THEN 6 WHEN name STARTS WITH $text THEN 5 "
    "WHEN name CONTAINS $text THEN 4 WHEN $text IN aliases THEN 3 "
    "WHEN any(a IN aliases WHERE a CONTAINS $text) THEN 2 "
    "WHEN description CONTAINS $text THEN 1 ELSE 0 END"
)
MATCHED_ON: Final = {6: "NAME", 5: "NAME", 4: "NAME", 3: "ALIAS", 2: "ALIAS", 1: "DESCRIPTION"}
_PAGE: Final = (
    "WITH hit ORDER BY hit.rank DESC, hit.relevance DESC, toLower(hit.name), hit.label, hit.id "
    "WITH collect(hit) AS ranked "
    "RETURN size(ranked) AS total, ranked[$offset..$offset + $limit] AS page"
)
_HIT: Final = (
    "{label: label, id: n.id, name: coalesce(n.name, n.title), rank: rank, relevance: relevance}"
)

CREATE_FULL_TEXT_INDEX: Final = (
    "CREATE FULLTEXT INDEX evidence_search IF NOT EXISTS "
    "FOR (n:Intervention|Agency|Study|Outcome) "
    "ON EACH [n.name, n.title, n.aliases, n.description, n.summary]"
)
_PROBE: Final = (
    "CALL db.index.fulltext.queryNodes('evidence_search', 'probe') YIELD node "
    "RETURN count(node) AS n"
)
_AWAIT_INDEX: Final = "CALL db.awaitIndex('evidence_search', 300)"


@dataclass(frozen=True)
class SearchRequest:
    text: str
    labels: tuple[str, ...]
    first: int
    after: str | None = None


async def detect_full_text(store: Store) -> bool:
    """Whether this store has full-text indexes; on one that has, make sure ours exists.

    A store without them (the embedded one) refuses the procedure call or the index; a
    store that is down raises, as every other start-up step does.
    """
    try:
        await store.read(_PROBE)
        return True
    except (StoreUnavailable, StoreTimeout):
        raise
    except Exception as missing:
        logger.debug("full-text probe: %s", missing)
    try:
        await store.run_schema(CREATE_FULL_TEXT_INDEX)
        await store.run_schema(_AWAIT_INDEX)
        await store.read(_PROBE)
    except (StoreUnavailable, StoreTimeout):
        raise
    except Exception as refused:
        logger.debug("no full-text index: %s", refused)
        return False
    return True


def search_statement(method: SearchMethod, labels: tuple[str, ...]) -> LiteralString:
    """The one statement that answers a search over ``labels`` (names from the registry)."""
    if method == "FULL_TEXT_INDEX":
        wanted = " OR ".join(f"n:{label}" for label in labels)
        return (
            "CALL db.index.fulltext.queryNodes('evidence_search', $lucene) "
            f"YIELD node AS n, score AS relevance WHERE {wanted} "
            "WITH n, relevance, [l IN labels(n) WHERE l IN $labels][0] AS label, "
            "toLower(coalesce(n.name, n.title, '')) AS name, "
            "[a IN coalesce(n.aliases, []) | toLower(a)] AS aliases, "
            "toLower(coalesce(n.description, n.summary, '')) AS description "
            f"WITH n, relevance, label, {_RANK} AS rank "
            f"WITH {_HIT} AS hit {_PAGE}"
        )
    parts = []
    for index, label in enumerate(labels):
        name, aliases, description = _FIELDS[label]
        parts.append(
            f"CALL () {{ MATCH (n:{label}) "
            f"WITH n, {name} AS name, {aliases} AS aliases, {description} AS description "
            f"WITH n, {_RANK} AS rank, '{label}' AS label, 0.0 AS relevance WHERE rank > 0 "
            f"RETURN collect({_HIT}) AS hits{index} }}"
        )
    every = " + ".join(f"hits{index}" for index in range(len(labels)))
    return f"{' '.join(parts)} UNWIND {every} AS hit {_PAGE}"


async def search(
    store: Store, *, request: SearchRequest, method: SearchMethod, max_page_size: int
) -> dict[str, Any]:
    """A connection of hits (label, id, key, name, matched_on, score) and the method used."""
    text = " ".join(request.text.split()).lower()
    if not text:
        raise BadQueryInput("text must not be empty", argument="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise BadQueryInput(f"text may be at most {MAX_TEXT_LENGTH} characters", argument="text")
    if not 1 <= request.first <= max_page_size:
        raise BadQueryInput(f"first must be between 1 and {max_page_size}", argument="first")
    labels = tuple(
        label for label in SEARCHED_LABELS if label in (request.labels or SEARCHED_LABELS)
    )
    if not labels:
        raise BadQueryInput(
            f"labels must name some of {', '.join(SEARCHED_LABELS)}", argument="labels"
        )
    # Pages of a ranking are positions in it: the cursor holds the offset, and belongs to
    # this text and these labels only.
    sort = "search:" + hashlib.sha256(f"{text}|{','.join(labels)}".encode()).hexdigest()[:16]
    offset = 0
    if request.after:
        cursor = Cursor.decode(request.after, sort=sort)
        if not isinstance(cursor.key, int) or cursor.key < 0:
            raise BadQueryInput("after is not a cursor this API issued", argument="after")
        offset = cursor.key + 1
    params: dict[str, Any] = {
        "text": text,
        "labels": list(labels),
        "offset": offset,
        "limit": request.first + 1,
        "lucene": lucene_query(text),
    }
    if method == "SUBSTRING":
        del params["lucene"], params["labels"]
    [row] = await store.read(search_statement(method, labels), params)
    rows = row["page"]
    edges = []
    for position, hit in enumerate(rows[: request.first], start=offset):
        key = f"{hit['label']}:{hit['id']}"
        node = {
            "label": hit["label"],
            "id": hit["id"],
            "key": key,
            "name": hit["name"],
            "matched_on": MATCHED_ON.get(hit["rank"], "TEXT"),
            "score": float(hit["rank"]) + min(float(hit["relevance"]), 100.0) / 100.0,
        }
        edges.append({"cursor": Cursor(sort, position, key).encode(), "node": node})
    return {
        "edges": edges,
        "total_count": row["total"],
        "method": method,
        "page_info": {
            "has_next_page": len(rows) > request.first,
            "has_previous_page": offset > 0,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


_LUCENE_SPECIAL: Final = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


def lucene_query(text: str) -> str:
    """Every word of ``text``, as itself or as the start of a longer word."""
    words = [_LUCENE_SPECIAL.sub(r"\\\1", word) for word in text.split()]
    return " AND ".join(f"({word} OR {word}*)" for word in words if word)
