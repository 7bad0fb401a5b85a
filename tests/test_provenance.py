"""Provenance per property: a write labels the properties it changes with its source, and
leaves the others under the source that gave them."""

from __future__ import annotations

import json

from service.writes.provenance import Status, plan

STORED = {
    "id": "p",
    "name": "Programme",
    "costRating": 2,
    "source": "A",
    "recordedBy": "loader",
    "_lock": "token",
}


def test_a_new_record_is_created_with_every_property_from_its_source() -> None:
    decided = plan(None, {"name": "Programme", "costRating": 2}, source="A")
    assert (decided.status, decided.changed, decided.kept) == (
        Status.CREATED,
        ("costRating", "name"),
        (),
    )
    assert decided.stored_citations is None


def test_the_same_values_from_the_same_source_change_nothing() -> None:
    decided = plan(STORED, {"name": "Programme", "costRating": 2}, source="A")
    assert decided.status is Status.UNCHANGED


def test_an_update_from_another_source_relabels_only_what_it_changes() -> None:
    decided = plan(STORED, {"name": "Programme", "costRating": 4}, source="B")
    assert (decided.status, decided.changed, decided.kept) == (
        Status.UPDATED,
        ("costRating",),
        ("name",),
    )
    assert json.loads(decided.stored_citations or "") == {"name": "A"}


def test_earlier_citations_are_kept_and_a_property_set_again_takes_the_new_one() -> None:
    stored = {**STORED, "source": "B", "propertySources": json.dumps({"name": "A"})}
    decided = plan(stored, {"name": "Renamed"}, source="C")
    assert decided.changed == ("name",)
    assert decided.citations == {"costRating": "B"}


def test_a_removed_property_is_changed_and_cited_by_no_one() -> None:
    decided = plan(STORED, {"costRating": None}, source="B")
    assert (decided.changed, decided.citations) == (("costRating",), {"name": "A"})


def test_a_citation_given_for_one_property_is_kept_for_it() -> None:
    decided = plan(
        None, {"name": "P", "costRating": 3}, source="A", given_citations={"costRating": "B"}
    )
    assert decided.citations == {"costRating": "B"}
