"""Builds the plain selection tree a query plan needs from Strawberry's resolve info."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField
from strawberry.types.nodes import Selection as StrawberrySelection

from service.plans.selection import Selection
from service.plans.shapes import snake_case


def selection_of(info: Info) -> Selection:
    """The fields selected under the field being resolved (fragments and aliases merged)."""
    return _merge(info.selected_fields[0].selections)


def _merge(selections: Iterable[StrawberrySelection]) -> Selection:
    fields: dict[str, list[StrawberrySelection]] = {}
    for field in _flatten(selections):
        fields.setdefault(snake_case(field.name), []).extend(field.selections)
    return Selection({name: _merge(children) for name, children in fields.items()})


def _flatten(selections: Iterable[StrawberrySelection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _flatten(selection.selections)
