"""Countries as ISO 3166-1 alpha-2 codes, whatever spelling a partner used.

Studies, trials and agencies store ``country`` as the two-letter code ("GB", "US", "NO"),
so "tested in the UK" is one comparison however the source spelled it. The UK's nations
and the usual short forms are read as "GB": ISO 3166-1 has one entry for the United
Kingdom, and England, Wales, Scotland and Northern Ireland are its subdivisions
(ISO 3166-2:GB), not countries of their own. Names come from the ISO 3166 data that
the ``pycountry`` package ships.
"""

from __future__ import annotations

from typing import Final

import pycountry

UK: Final = "GB"

# Names ISO 3166-1 does not list but partners write; all lower case.
_ALIASES: Final = {
    "uk": UK,
    "u.k.": UK,
    "britain": UK,
    "great britain": UK,
    "united kingdom": UK,
    "england": UK,
    "wales": UK,
    "scotland": UK,
    "northern ireland": UK,
    "england and wales": UK,
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states": "US",
    "america": "US",
    "holland": "NL",
    "the netherlands": "NL",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "iran": "IR",
    "vietnam": "VN",
    "turkey": "TR",
    "czech republic": "CZ",
    "taiwan": "TW",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "laos": "LA",
    "syria": "SY",
    "moldova": "MD",
}


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for a code or an English name; None when unknown."""
    key = " ".join(text.strip().split()).lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if len(key) == 2:
        found = pycountry.countries.get(alpha_2=key.upper())
        return None if found is None else str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        return None


def is_uk(code: str | None) -> bool:
    """Whether a stored country is the UK (older records may still hold a name)."""
    return code is not None and country_code(code) == UK
