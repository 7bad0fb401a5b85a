"""Schema changes that would break clients are caught: the live SDL is compared with the
last released one (schema/released.graphql) by graphql-core's find_breaking_changes; a
breaking change passes only when recorded in schema/deprecations.json, and a removal
only if the released schema had deprecated what it removes."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import BreakingChangeType, GraphQLSchema, build_schema, find_breaking_changes

from schema.build import build_schema as build_live_schema

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"


def _released() -> GraphQLSchema:
    return build_schema((SCHEMA_DIR / "released.graphql").read_text())


def _live() -> GraphQLSchema:
    return build_schema(build_live_schema().as_str())


def _recorded() -> set[str]:
    record = json.loads((SCHEMA_DIR / "deprecations.json").read_text())
    return {entry["change"] for entry in record["recorded"]}


def _deprecated_in(schema: GraphQLSchema) -> set[str]:
    """Type.field and Type.field(argument) names the schema marks @deprecated."""
    names = set()
    for type_name, graphql_type in schema.type_map.items():
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if getattr(field, "deprecation_reason", None):
                names.add(f"{type_name}.{field_name}")
            for argument_name, argument in getattr(field, "args", {}).items():
                if argument.deprecation_reason:
                    names.add(f"{type_name}.{field_name}({argument_name})")
    return names


def test_no_unrecorded_breaking_change_since_the_last_release() -> None:
    breaking = find_breaking_changes(_released(), _live())
    unrecorded = [
        change.description for change in breaking if change.description not in _recorded()
    ]
    assert unrecorded == [], (
        "breaking changes for clients; deprecate first (@deprecated with a reason), "
        "release, then record the removal in schema/deprecations.json"
    )


def _undeprecated_removals(released: GraphQLSchema, live: GraphQLSchema) -> list[str]:
    """Fields removed without having been deprecated in the released schema."""
    deprecated = _deprecated_in(released)
    removed = [
        change.description.removeprefix("Field ").split(" was removed")[0]
        for change in find_breaking_changes(released, live)
        if change.type is BreakingChangeType.FIELD_REMOVED
    ]
    return [field for field in removed if field not in deprecated]


def test_removals_were_deprecated_in_the_released_schema() -> None:
    assert _undeprecated_removals(_released(), _live()) == []
    sdl = (SCHEMA_DIR / "released.graphql").read_text()
    deprecated = sdl.replace(
        "  kind: InterventionKind!\n",
        '  kind: InterventionKind! @deprecated(reason: "Use kinds.")\n',
        1,
    )
    removed = sdl.replace("  kind: InterventionKind!\n", "", 1)
    assert _undeprecated_removals(build_schema(sdl), build_schema(removed)) == ["Intervention.kind"]
    assert _undeprecated_removals(build_schema(deprecated), build_schema(removed)) == []


def test_the_checker_catches_a_removed_field() -> None:
    """The comparison is not vacuous: removing a field of the released schema is caught."""
    sdl = (SCHEMA_DIR / "released.graphql").read_text()
    without_kind = sdl.replace("  kind: InterventionKind!\n", "", 1)
    assert without_kind != sdl
    changes = find_breaking_changes(_released(), build_schema(without_kind))
    assert [c.description for c in changes] == ["Field Intervention.kind was removed."]


def test_every_deprecation_gives_a_reason() -> None:
    live = _live()
    for type_name, graphql_type in live.type_map.items():
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            reason = getattr(field, "deprecation_reason", None)
            assert reason != "No longer supported", f"{type_name}.{field_name}: give a reason"
