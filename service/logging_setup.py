"""Logging, configured once per process: one line per event, key facts first."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    # The driver logs every pool event at INFO; its warnings are what matters.
    logging.getLogger("neo4j").setLevel(logging.WARNING)
