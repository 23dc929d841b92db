"""The one error type users see: it names the file, the field and what is allowed; and reading
the TOML files users write, with that error for every way they can be unreadable."""

from __future__ import annotations

import tomllib
from pathlib import Path


class InputError(ValueError):
    """Bad user input (a scenario, a data file, a command-line option).

    The CLI prints ``str(error)`` on one line and exits non-zero; nothing is written.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.source = source
        self.field = field
        where = ": ".join(part for part in (source, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


def read_toml(path: str | Path) -> dict:
    """A TOML file's tables; ``InputError`` naming the file if it is missing, unreadable or not TOML."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=source) from None
    return parse_toml(data, source)


def parse_toml(data: bytes, source: str) -> dict:
    """TOML text as data (never executed); ``InputError`` naming ``source`` if it is not UTF-8 TOML."""
    try:
        return tomllib.loads(data.decode("utf-8-sig"))  # (a byte-order mark, as Notepad writes, is fine)
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", source=source) from None
