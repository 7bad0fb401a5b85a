"""Value checks shared by data files, mutations and imports."""

from __future__ import annotations

import datetime as dt

import pytest

from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES
from service.validation import clean_properties, clean_source, clean_text

FINDING = NODE_PROPERTIES["Finding"]


def test_text_is_nfc_normalised_and_trimmed() -> None:
    assert clean_text("name", "  Jose\u0301  ") == ("Jos\u00e9", None)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "tab\there", "contains a control character"),
        ("name", "nul\x00", "contains a control character"),
        ("name", "\ud83d", "contains a lone surrogate (not valid Unicode)"),
        ("url", "javascript:alert(1)", "must be an http(s) URL"),
        ("url", "https://", "must be an http(s) URL"),
        ("name", 42, "must be text"),
    ],
)
def test_text_refusals(field: str, value: object, reason: str) -> None:
    text, problem = clean_text(field, value)
    assert text is None and problem is not None and problem.reason == reason


def test_prose_may_hold_line_breaks() -> None:
    assert clean_text("summary", "one\ntwo\tthree")[0] == "one\ntwo\tthree"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"pValue": 1.5}, "pValue"),
        ({"pValue": -0.1}, "pValue"),
        ({"effectSize": 40.0, "effectSizeType": "COHENS_D"}, "effectSize"),
        ({"effectSize": -1.0, "effectSizeType": "ODDS_RATIO"}, "effectSize"),
        ({"followUpMonths": 601}, "followUpMonths"),
        ({"sampleSize": 0}, "sampleSize"),
        ({"sampleSize": True}, "sampleSize"),
        ({"effectSize": float("nan")}, "effectSize"),
        ({"direction": "GREAT"}, "direction"),
    ],
)
def test_finding_values_out_of_bounds(values: dict[str, object], field: str) -> None:
    _, problems = clean_properties({"measure": "m", **values}, FINDING, require=True)
    assert [p.field for p in problems] == [field]


def test_sane_finding_values_pass() -> None:
    values = {
        "measure": "m",
        "effectSize": 0.89,
        "effectSizeType": "COHENS_D",
        "pValue": 0.001,
        "sampleSize": 153,
    }
    cleaned, problems = clean_properties(values, FINDING, require=True)
    assert problems == [] and cleaned == values


def test_dates_and_currency_on_relationships() -> None:
    funds = RELATIONSHIP_TYPES["FUNDS"].properties
    cleaned, problems = clean_properties(
        {"awardedOn": "2016-03-01", "currency": "GBP", "amount": 4_800_000}, funds, require=True
    )
    assert problems == [] and cleaned["awardedOn"] == dt.date(2016, 3, 1)
    _, problems = clean_properties(
        {"awardedOn": "1 March 2016", "currency": "pounds"}, funds, require=True
    )
    assert {p.field for p in problems} == {"awardedOn", "currency"}


def test_required_fields_only_on_create_and_never_removable() -> None:
    intervention = NODE_PROPERTIES["Intervention"]
    _, problems = clean_properties({"costRating": 2}, intervention, require=True)
    assert {p.field for p in problems} == {"name", "kind"}
    assert clean_properties({"costRating": 2}, intervention, require=False)[1] == []
    _, problems = clean_properties({"name": None}, intervention, require=False)
    assert [p.reason for p in problems] == ["is required and cannot be removed"]


def test_personal_data_gets_its_own_reason() -> None:
    _, problems = clean_properties(
        {"date_of_birth": "2015-01-01"}, NODE_PROPERTIES["Agency"], require=False
    )
    assert problems[0].reason.startswith("looks like personal data about a child or family")


def test_a_source_is_required() -> None:
    assert clean_source(None)[1] is not None
    assert clean_source("Lepper (2017) CYP Now")[0] == "Lepper (2017) CYP Now"


def test_control_characters_are_exactly_unicode_category_cc_with_line_breaks_in_long_text() -> None:
    """The pattern check refuses what a per-character category lookup would, and no more."""
    import sys
    import unicodedata

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue  # lone surrogates are refused before, as invalid Unicode
        control = unicodedata.category(char) == "Cc"
        short = clean_text("name", f"a{char}b")[1]
        assert (short is not None and "control" in short.reason) == control, hex(code)
        if control:
            long_text = clean_text("description", f"a{char}b")[1]
            assert (long_text is None) == (char in "\n\t\r"), hex(code)
