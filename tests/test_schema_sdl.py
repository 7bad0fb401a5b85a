"""The committed SDL (schema/schema.graphql) must match the code: run `make schema`."""

from __future__ import annotations

from schema.build import SDL_PATH, build_schema


def test_committed_sdl_matches_the_code() -> None:
    expected = build_schema().as_str() + "\n"
    assert SDL_PATH.read_text(encoding="utf-8") == expected, "schema drifted: run `make schema`"
