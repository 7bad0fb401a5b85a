"""Writes: idempotent upserts, links and deletes, each recorded in the change log."""
