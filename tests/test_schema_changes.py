"""Schema changes that would break clients are caught: the live SDL is compared with the
last released one (schema/released.graphql) by graphql-core's find_breaking_changes; a
breaking change passes only when recorded in schema/deprecations.json, and a removal
only if the released schema had deprecated what it removes."""

from __future__ import annotations

import json
import re
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
    """Type.field, Type.field(argument:) and Enum.VALUE names the schema marks @deprecated
    (input fields included)."""
    names = set()
    for type_name, graphql_type in schema.type_map.items():
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if getattr(field, "deprecation_reason", None):
                names.add(f"{type_name}.{field_name}")
            for argument_name, argument in getattr(field, "args", {}).items():
                if argument.deprecation_reason:
                    names.add(f"{type_name}.{field_name}({argument_name}:)")
        for value_name, value in getattr(graphql_type, "values", {}).items():
            if value.deprecation_reason:
                names.add(f"{type_name}.{value_name}")
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


# How find_breaking_changes words a removal: the removed thing's name is the group.
_REMOVALS = {
    BreakingChangeType.FIELD_REMOVED: re.compile(r"Field (\S+) was removed\."),
    BreakingChangeType.ARG_REMOVED: re.compile(r"Argument (\S+) was removed\."),
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: re.compile(r"Enum value (\S+) was removed\."),
}


def _undeprecated_removals(released: GraphQLSchema, live: GraphQLSchema) -> list[str]:
    """Fields, input fields, arguments and enum values removed without having been
    deprecated in the released schema."""
    deprecated = _deprecated_in(released)
    removed = []
    for change in find_breaking_changes(released, live):
        pattern = _REMOVALS.get(change.type)
        if pattern is not None and (match := pattern.fullmatch(change.description)):
            removed.append(match.group(1))
    return [name for name in removed if name not in deprecated]


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


def test_removing_an_argument_or_enum_value_needs_its_deprecation_too() -> None:
    live_sdl = build_live_schema().as_str()
    without_last = live_sdl.replace(
        "sort: InterventionSort! = NAME\n    direction: SortDirection! = ASC\n", "", 1
    )
    assert without_last != live_sdl
    without_value = live_sdl.replace("  COST_RATING\n", "", 1)
    assert without_value != live_sdl
    removed = sorted(
        _undeprecated_removals(build_schema(live_sdl), build_schema(without_last))
        + _undeprecated_removals(build_schema(live_sdl), build_schema(without_value))
    )
    # The first field in the SDL that takes an InterventionSort loses both arguments.
    assert "InterventionSort.COST_RATING" in removed
    [direction, sort] = [name for name in removed if name != "InterventionSort.COST_RATING"]
    assert direction.endswith("(direction:)") and sort == direction.replace("direction", "sort")
    marked = live_sdl.replace("  COST_RATING\n", '  COST_RATING @deprecated(reason: "x")\n', 1)
    assert _undeprecated_removals(build_schema(marked), build_schema(without_value)) == []


def test_the_date_field_replaced_by_a_text_field_is_deprecated_with_its_successor() -> None:
    """RatingInput.ratedOn (a Date) was superseded by ratedOnText rather than changed in
    type: released clients keep working, and the reason names what to use."""
    rating_input = _live().type_map["RatingInput"]
    reason = rating_input.fields["ratedOn"].deprecation_reason  # type: ignore[attr-defined]
    assert reason is not None and "ratedOnText" in reason
    assert "RatingInput.ratedOn" in _deprecated_in(_live())


def test_the_checker_catches_a_removed_field() -> None:
    """The comparison is not vacuous: removing a field of the released schema is caught."""
    sdl = (SCHEMA_DIR / "released.graphql").read_text()
    without_kind = sdl.replace("  kind: InterventionKind!\n", "", 1)
    assert without_kind != sdl
    changes = find_breaking_changes(_released(), build_schema(without_kind))
    assert [c.description for c in changes] == ["Field Intervention.kind was removed."]


def test_every_deprecation_gives_a_reason() -> None:
    live = _live()
    reasons = {}
    for type_name, graphql_type in live.type_map.items():
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            reasons[f"{type_name}.{field_name}"] = getattr(field, "deprecation_reason", None)
            for argument_name, argument in getattr(field, "args", {}).items():
                reasons[f"{type_name}.{field_name}({argument_name}:)"] = argument.deprecation_reason
        for value_name, value in getattr(graphql_type, "values", {}).items():
            reasons[f"{type_name}.{value_name}"] = value.deprecation_reason
    given = {name: reason for name, reason in reasons.items() if reason is not None}
    assert given, "the schema deprecates something (RatingInput.ratedOn)"
    for name, reason in given.items():
        assert reason != "No longer supported" and len(reason) > 20, f"{name}: give a reason"
