"""The district data files: the built-in Chenghua file, and a light look at a file's streets.

``sim.geography.load_district`` reads and checks a whole file (with numpy); ``street_names``
and ``outside`` read only the street names and outside areas of the built-in file, so that
checking a scenario's streets needs no numerical library (``chancheng scenarios`` and every
error answer at once).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "chenghua.toml"


@cache
def builtin_street_names() -> tuple[tuple[str, str], ...]:
    """(Chinese name, pinyin) of every street of the built-in file, in file order."""
    streets = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))["streets"]
    return tuple((s["name"], s["pinyin"]) for s in streets)


@cache
def builtin_outside() -> tuple[tuple[str, str, str], ...]:
    """(key, Chinese name, English name) of the built-in file's areas of the rest of Chengdu
    (``[[outside]]``), in file order."""
    areas = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))["outside"]
    return tuple((a["key"], a["name"], a["name_en"]) for a in areas)
