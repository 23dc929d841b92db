"""The one error type users see: it names the file, the field and what is allowed; and reading
the TOML files users write, with that error for every way they can be unreadable."""

from __future__ import annotations

import math
import os
import stat
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOML_LIMIT = 1024 * 1024  # bytes: a scenario, sweep spec or data file is a few KB
JSON_LIMIT = 1024 * 1024  # bytes: the small JSON files chancheng writes into its folders


class InputError(ValueError):
    """Bad user input (a scenario, a data file, a command-line option).

    The CLI prints ``str(error)`` on one line and exits with status 2; nothing is written. The
    web page shows ``text(lang)``: with ``zh``, the same message in Chinese.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None, zh: str | None = None):
        self.source = source
        self.field = field
        self.message = message
        self.zh = zh
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The one-line message in ``lang`` ("zh" or "en"; English where no Chinese was given)."""
        where = ": ".join(part for part in (self.source, self.field) if part)
        message = self.zh if lang == "zh" and self.zh else self.message
        return one_line(f"{where}: {message}" if where else message)


def one_line(text: str) -> str:
    """``text`` with its control characters written as escapes (a field named "\\n" in a file
    would otherwise break the error's one line)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def shown(value, width: int = 40) -> str:
    """``repr(value)``, cut to ``width`` characters (a 400-digit number fits on the error's line)."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def finite_number(value) -> bool:
    """A TOML number (not a bool) that is finite as a float: an integer too large for a float is not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


@contextmanager
def named(path: str | Path) -> Iterator[None]:
    """An ``OSError`` while writing ``path`` (a full disk, a read-only folder) names ``path``
    (a write error carries no file name, and a temporary file's name means nothing to a user)."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def read_bounded(path: str | Path, limit: int) -> bytes:
    """A regular file's bytes, at most ``limit`` of them: ``InputError`` naming the file if it is
    missing, not a regular file (a folder, a device such as /dev/zero, a pipe), unreadable or
    larger (read no further than the limit, whatever the file claims)."""
    source = str(path)
    try:
        mode = os.stat(path).st_mode  # (before opening: opening a pipe would wait for a writer)
        if stat.S_ISDIR(mode):
            raise InputError("is a directory, not a file", source=source)
        if not stat.S_ISREG(mode):
            raise InputError("is not a regular file (a device, pipe or socket); give a file", source=source)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=source) from None
    if len(data) > limit:
        raise InputError(f"is larger than {limit // 1024} KB; allowed: a file of at most {limit // 1024} KB",
                         source=source)
    return data


def read_toml(path: str | Path) -> dict:
    """A TOML file's tables; ``InputError`` naming the file if it is missing, unreadable, too
    large or not TOML."""
    return parse_toml(read_bounded(path, TOML_LIMIT), str(path))


def parse_toml(data: bytes, source: str) -> dict:
    """TOML text as data (never executed); ``InputError`` naming ``source`` if it is not UTF-8
    TOML or nests too deeply to read."""
    try:
        return tomllib.loads(data.decode("utf-8-sig"))  # (a byte-order mark, as Notepad writes, is fine)
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", source=source, zh="不是 UTF-8 编码的文本") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", source=source, zh=f"不是有效的 TOML 文件（{exc}）") from None
    except RecursionError:
        raise InputError("nests arrays or tables too deeply; allowed: a scenario's flat tables and lists",
                         source=source, zh="数组或表嵌套过深；允许：情景文件的普通表和列表") from None
