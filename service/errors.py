"""Errors the operator can act on: each carries a one-line message that says what to do."""


class SetupError(Exception):
    """The service cannot start as configured; the message names the fix."""


class MigrationError(SetupError):
    """A migration file is malformed, failed, or was changed after it was applied."""
