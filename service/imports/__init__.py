"""Bulk import: one documented JSON format (and CSV tables), all or nothing."""
