"""A deprecated input field keeps working for released clients: RatingInput.ratedOn (a
Date) is recorded as ratedOnText would record the same date; giving both is refused."""

from __future__ import annotations

from tests.conftest import WriteClient

UPSERT = """mutation($input: RatingInput!) { upsertRating(input: $input) {
    rating { id ratedOn ratedOnPrecision } errors { code field message } } }"""
BASE = {
    "id": "test-deprecated-date",
    "scheme": "CEBC",
    "value": "2",
    "issuerId": "agency-wwcsc",
    "interventionId": "pcit",
    "source": "x",
}


async def test_the_deprecated_date_field_still_records_a_day(writes: WriteClient) -> None:
    data = await writes(UPSERT, input={**BASE, "ratedOn": "2021-03-04"})
    assert data["upsertRating"] == {
        "rating": {"id": BASE["id"], "ratedOn": "2021-03-04", "ratedOnPrecision": "DAY"},
        "errors": [],
    }


async def test_its_successor_takes_a_year_or_a_month(writes: WriteClient) -> None:
    data = await writes(UPSERT, input={**BASE, "ratedOnText": "2019-06"})
    assert data["upsertRating"]["rating"] == {
        "id": BASE["id"],
        "ratedOn": "2019-06-01",
        "ratedOnPrecision": "MONTH",
    }


async def test_both_at_once_are_refused_naming_the_successor(writes: WriteClient) -> None:
    data = await writes(UPSERT, input={**BASE, "ratedOn": "2021-03-04", "ratedOnText": "2021"})
    assert data["upsertRating"]["rating"] is None
    [error] = data["upsertRating"]["errors"]
    assert error["code"] == "VALIDATION" and error["field"] == "ratedOnText"
    assert error["message"] == "give ratedOnText or ratedOn, not both"


async def test_a_date_that_is_not_one_is_refused_by_graphql(writes: WriteClient) -> None:
    response = await writes.post(UPSERT, input={**BASE, "ratedOn": "2019-06"})
    [error] = response.json()["errors"]
    assert "ratedOn" in error["message"]
