"""Errors in what a caller asked for (not bugs): the schema layer reports them as such."""


class BadQueryInput(ValueError):
    """An argument the caller can fix: a malformed cursor, a page size out of range..."""

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message)
        self.argument = argument
