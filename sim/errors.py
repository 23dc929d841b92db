"""The one error type users see: it names the file, the field and what is allowed."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input (a scenario, a data file, a command-line option).

    The CLI prints ``str(error)`` on one line and exits non-zero; nothing is written.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.source = source
        self.field = field
        where = ": ".join(part for part in (source, field) if part)
        super().__init__(f"{where}: {message}" if where else message)
