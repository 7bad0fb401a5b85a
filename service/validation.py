"""Checks values before anything is written: types, enums, ranges, lengths, URLs, text.

Used alike by the data-file reader, the mutations and the bulk import, so a value is
accepted or refused the same way whichever door it comes through. Text is normalised to
NFC ("José" typed two ways is one name); control characters and lone surrogates are
refused. Strings that look like Cypher are ordinary data: they only ever travel as
parameters.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

from service.countries import country_code
from service.model import COUNTRY_PROPERTIES, DATE_PRECISION_OF, Property

ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
MAX_LIST_ITEMS: Final = 50
MAX_SOURCE_LENGTH: Final = 2_000

# Longest text per property; any other string property is short (MAX_SHORT_TEXT).
MAX_SHORT_TEXT: Final = 200
_TEXT_LIMITS: Final = {
    "name": 300,
    "title": 500,
    "measure": 500,
    "role": 500,
    "url": 2_000,
    "description": 10_000,
    "summary": 10_000,
    "purpose": 2_000,
    "text": 2_000,
    "affiliation": 300,
    # Every citation of a fact, as long as its first one (``source``) may be.
    "sources": MAX_SOURCE_LENGTH,
}
# Multi-line prose may hold line breaks and tabs; every other control character is refused.
_MULTILINE: Final = frozenset({"description", "summary", "purpose", "text"})
# Unicode's control characters (category Cc) are exactly U+0000-U+001F and U+007F-U+009F;
# one pattern match instead of a category lookup per character. Multi-line text may hold
# tabs and line breaks.
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_THIS_YEAR: Final = dt.date.today().year
# Inclusive numeric bounds: values outside them are typing mistakes, not evidence.
_RANGES: Final[dict[str, tuple[float, float]]] = {
    "year": (1900, _THIS_YEAR + 1),
    "costRating": (1, 5),
    "minAge": (0, 25),
    "maxAge": (0, 25),
    "sampleSize": (1, 100_000_000),
    "pValue": (0, 1),
    "followUpMonths": (0, 600),
    "amount": (0, 1e12),
    "attritionPercent": (0, 100),
    "differentialAttritionPercent": (0, 100),
}
# Published dates that may give only a year or a month: "2019", "2019-06", "2019-06-14".
_PARTIAL_DATE: Final = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
# A rating whose source gives no date: the day the source was read showing it in force.
_AS_OF_DATE: Final = re.compile(r"^as of (\d{4}-\d{2}-\d{2})$", re.IGNORECASE)
_PARTIAL_DATE_FORMS: Final = "YYYY, YYYY-MM, YYYY-MM-DD or 'as of YYYY-MM-DD'"
# Effect sizes: standardised mean differences rarely exceed 3 and never sensibly 10;
# ratios are positive; percentage-point differences lie within ±100.
_EFFECT_SIZE_RANGES: Final[dict[str, tuple[float, float]]] = {
    "COHENS_D": (-10, 10),
    "HEDGES_G": (-10, 10),
    "ODDS_RATIO": (0.0001, 1000),
    "RISK_RATIO": (0.0001, 1000),
    "HAZARD_RATIO": (0.0001, 1000),
    "PERCENTAGE_POINTS": (-100, 100),
    "OTHER": (-1000, 1000),
}
_EARLIEST_DATE: Final = dt.date(1900, 1, 1)

# Names of fields that would hold personal data about a child or family. The model has
# no such fields; these get a message saying why rather than "unknown property".
PERSONAL_DATA_FIELDS: Final = frozenset(
    {
        "childname",
        "firstname",
        "lastname",
        "surname",
        "fullname",
        "dateofbirth",
        "dob",
        "birthdate",
        "address",
        "postcode",
        "nhsnumber",
        "upn",
        "ninumber",
        "phone",
        "email",
        "childid",
        "familyname",
        "parentname",
        "caseid",
        "casenumber",
    }
)


@dataclass(frozen=True)
class Problem:
    """Why one field's value was refused."""

    field: str
    reason: str


def clean_text(
    field: str, value: Any, *, max_length: int | None = None
) -> tuple[str | None, Problem | None]:
    """NFC-normalised text, or the reason it cannot be stored."""
    if not isinstance(value, str):
        return None, Problem(field, "must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, Problem(field, "contains a lone surrogate (not valid Unicode)")
    control = _CONTROL_BUT_LINES if field in _MULTILINE else _CONTROL
    if control.search(value):
        return None, Problem(field, "contains a control character")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return None, Problem(field, "must not be empty")
    limit = max_length or _TEXT_LIMITS.get(field, MAX_SHORT_TEXT)
    if len(text) > limit:
        return None, Problem(field, f"is longer than {limit} characters")
    if field == "url" and not is_web_url(text):
        return None, Problem(field, "must be an http(s) URL")
    return text, None


def is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in text


def check_id(field: str, value: Any) -> Problem | None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        return Problem(field, "must be a lowercase slug: a-z, 0-9 and '-', at most 128 characters")
    return None


def clean_source(value: Any) -> tuple[str | None, Problem | None]:
    """A URL or a citation: every fact a client writes says where it came from."""
    if value is None:
        return None, Problem("source", "is required: give the URL or citation of the fact")
    return clean_text("source", value, max_length=MAX_SOURCE_LENGTH)


def clean_properties(
    values: Mapping[str, Any], allowed: tuple[Property, ...], *, require: bool
) -> tuple[dict[str, Any], list[Problem]]:
    """Check and normalise ``values`` against ``allowed``.

    ``require`` demands every required property (a create); otherwise only the given
    ones are checked (an update). A value of None means "remove this property".
    """
    by_name = {p.name: p for p in allowed}
    cleaned: dict[str, Any] = {}
    derived: dict[str, Any] = {}  # set from another property: a date's precision
    problems: list[Problem] = []
    for name, value in values.items():
        prop = by_name.get(name)
        if prop is None:
            problems.append(_unknown(name))
            continue
        if value is None:
            if prop.required:
                problems.append(Problem(name, "is required and cannot be removed"))
            else:
                cleaned[name] = None
            continue
        if name in DATE_PRECISION_OF:
            result, precision, problem = _clean_partial_date(name, value)
            if problem is None:
                derived[DATE_PRECISION_OF[name]] = precision
        else:
            result, problem = _clean_value(prop, value)
        if problem is None and name in COUNTRY_PROPERTIES:
            result, problem = _clean_country(name, result)
        if problem:
            problems.append(problem)
        else:
            cleaned[name] = result
    cleaned.update(derived)
    if require:
        problems += [
            Problem(p.name, "is required")
            for p in allowed
            if p.required and values.get(p.name) is None
        ]
    problems += _cross_field(cleaned)
    return cleaned, problems


def _unknown(name: str) -> Problem:
    if re.sub(r"[^a-z]", "", name.lower()) in PERSONAL_DATA_FIELDS:
        return Problem(
            name,
            "looks like personal data about a child or family, which this service never stores",
        )
    return Problem(name, "is not a property of this kind of record")


def _clean_value(prop: Property, value: Any) -> tuple[Any, Problem | None]:
    if prop.many:
        if not isinstance(value, list | tuple):
            return None, Problem(prop.name, "must be a list")
        if len(value) > MAX_LIST_ITEMS:
            return None, Problem(prop.name, f"has more than {MAX_LIST_ITEMS} items")
        items = []
        for item in value:
            cleaned, problem = _clean_scalar(prop, item)
            if problem:
                return None, problem
            items.append(cleaned)
        return items, None
    return _clean_scalar(prop, value)


def _clean_scalar(prop: Property, value: Any) -> tuple[Any, Problem | None]:
    kinds = prop.type if isinstance(prop.type, tuple) else (prop.type,)
    name = prop.name
    for kind in kinds:
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            raw = getattr(value, "value", value)
            if raw in kind.__members__:
                return raw, None
            return None, Problem(name, f"{value!r} is not one of {', '.join(kind.__members__)}")
        if kind is dt.date:
            return _clean_date(name, value)
        if kind is str:
            return clean_text(name, value)
        if kind is bool and isinstance(value, bool):
            return value, None
        # bool is an int in Python; a number field must not take true/false.
        if kind in (int, float) and isinstance(value, kind) and not isinstance(value, bool):
            return _in_range(name, value)
    expected = "/".join("number" if k is float else k.__name__ for k in kinds)
    return None, Problem(name, f"{value!r} is not a valid {expected}")


def _clean_date(name: str, value: Any) -> tuple[Any, Problem | None]:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return None, Problem(name, f"{value!r} is not a date (YYYY-MM-DD)")
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return None, Problem(name, "must be a date (YYYY-MM-DD)")
    latest = dt.date(_THIS_YEAR + 5, 12, 31)
    if not _EARLIEST_DATE <= value <= latest:
        return None, Problem(name, f"must lie between {_EARLIEST_DATE} and {latest}")
    return value, None


def _clean_partial_date(name: str, value: Any) -> tuple[Any, str | None, Problem | None]:
    """A date as published (a year, a month or a day), stored as the period's first day
    together with how much of it was given; or, when nothing was published, the day the
    source was read ("as of 2026-11-30"), with precision AS_OF."""
    if isinstance(value, str) and (as_of := _AS_OF_DATE.match(value.strip())):
        cleaned, problem = _clean_date(name, as_of[1])
        if problem:
            return None, None, Problem(name, f"{value!r} is not a date ({_PARTIAL_DATE_FORMS})")
        return cleaned, "AS_OF", None
    if isinstance(value, str) and (match := _PARTIAL_DATE.match(value.strip())):
        year, month, day = match.groups()
        precision = "DAY" if day else "MONTH" if month else "YEAR"
        if day:
            text = f"{year}-{month}-{day}"
        elif month:
            text = f"{year}-{month}-01"
        else:
            text = f"{year}-01-01"
        cleaned, problem = _clean_date(name, text)
        if problem:
            return None, None, Problem(name, f"{value!r} is not a date ({_PARTIAL_DATE_FORMS})")
        return cleaned, precision, None
    if isinstance(value, str):
        return None, None, Problem(name, f"{value!r} is not a date ({_PARTIAL_DATE_FORMS})")
    cleaned, problem = _clean_date(name, value)
    return cleaned, "DAY", problem


def _clean_country(name: str, value: Any) -> tuple[Any, Problem | None]:
    code = country_code(value) if isinstance(value, str) else None
    if code is None:
        return None, Problem(
            name,
            f"{value!r} is not a country: give an ISO 3166-1 code (GB, US) or its English name",
        )
    return code, None


def _in_range(name: str, value: float) -> tuple[Any, Problem | None]:
    if isinstance(value, float) and value != value:  # NaN
        return None, Problem(name, "must be a number")
    low, high = _RANGES.get(name, (-1e15, 1e15))
    if not low <= value <= high:
        return None, Problem(name, f"must lie between {low:g} and {high:g}")
    return value, None


def _cross_field(values: dict[str, Any]) -> list[Problem]:
    problems = []
    if (
        isinstance(values.get("minAge"), int)
        and isinstance(values.get("maxAge"), int)
        and values["minAge"] > values["maxAge"]
    ):
        problems.append(Problem("minAge", "must not exceed maxAge"))
    effect, kind = values.get("effectSize"), values.get("effectSizeType") or "OTHER"
    if isinstance(effect, int | float):
        low, high = _EFFECT_SIZE_RANGES[kind]
        if not low <= effect <= high:
            problems.append(
                Problem("effectSize", f"a {kind} must lie between {low:g} and {high:g}")
            )
    if (
        "currency" in values
        and values["currency"] is not None
        and not re.fullmatch(r"[A-Z]{3}", values["currency"])
    ):
        problems.append(Problem("currency", "must be a three-letter ISO 4217 code such as GBP"))
    return problems
