"""Filters combined with AND, OR and NOT into one WHERE condition over ``n0``.

A filter is a mapping of condition names (the keys of ``list_terms.FILTERS[label]``) to
values, plus optionally ``and_`` and ``or_`` (lists of filters) and ``not_`` (a filter).
The conditions of one filter must all hold, as before; nested filters get parameters of
their own (``f1_name_contains``...), so the statement stays literal text with parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from service.plans.errors import BadQueryInput

MAX_FILTER_DEPTH: Final = 4
MAX_FILTER_CONDITIONS: Final = 50
_LOGIC: Final = ("and_", "or_", "not_")


def filter_condition(
    label: str,
    conditions: Mapping[str, dict[str, str]],
    filters: Mapping[str, Any],
    params: dict[str, Any],
    *,
    prefix: str = "",
) -> str:
    """The WHERE condition for ``filters``; fills ``params`` with the values it names,
    each parameter name starting with ``prefix`` (one statement may hold several filters)."""
    counter = _Counter(prefix)
    return _condition(conditions[label], filters, params, prefix=prefix, depth=0, counter=counter)


class _Counter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.nested = 0
        self.conditions = 0


def _condition(
    fragments: Mapping[str, str],
    filters: Mapping[str, Any],
    params: dict[str, Any],
    *,
    prefix: str,
    depth: int,
    counter: _Counter,
) -> str:
    if depth > MAX_FILTER_DEPTH:
        raise BadQueryInput(
            f"filters may nest AND/OR/NOT at most {MAX_FILTER_DEPTH} deep", argument="filter"
        )
    given = {k: v for k, v in filters.items() if v is not None}
    unknown = set(given) - set(fragments) - set(_LOGIC)
    if unknown:
        raise BadQueryInput(f"unknown filter {sorted(unknown)[0]!r}", argument="filter")
    parts = []
    for name in sorted(set(given) - set(_LOGIC)):
        counter.conditions += 1
        if counter.conditions > MAX_FILTER_CONDITIONS:
            raise BadQueryInput(
                f"a filter may hold at most {MAX_FILTER_CONDITIONS} conditions", argument="filter"
            )
        params[prefix + name] = given[name]
        parts.append(re.sub(rf"\${name}\b", f"${prefix}{name}", fragments[name]))

    def nested(sub: Mapping[str, Any]) -> str:
        counter.nested += 1
        return _condition(
            fragments,
            sub,
            params,
            prefix=f"{counter.prefix}f{counter.nested}_",
            depth=depth + 1,
            counter=counter,
        )

    for sub in given.get("and_", []):
        parts.append(f"({nested(sub)})")
    if "or_" in given:
        alternatives = [f"({nested(sub)})" for sub in given["or_"]]
        parts.append("(" + " OR ".join(alternatives) + ")" if alternatives else "false")
    if "not_" in given:
        parts.append(f"NOT ({nested(given['not_'])})")
    return " AND ".join(parts) or "true"
