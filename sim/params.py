"""Typed parameters with units and ranges, and the checks that turn TOML tables into them.

Levers, uncertainties and run settings are frozen dataclasses whose fields are declared with
``param(...)``; ``build`` checks a table against such a class and reports the first problem with
the file, the field and what is allowed (suggesting the nearest name for a typo).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from sim.errors import InputError

STREETS = "tuple[str, ...]"  # a list of names: street names, or the spec's choices


@dataclass(frozen=True)
class Spec:
    """What a parameter means: unit, range, choices, a one-line doc and, for levers, the source's figure."""

    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    doc: str = ""
    choices: tuple[str, ...] | None = None
    reform: Any = None
    source: str = ""

    def allowed(self, kind: str) -> str:
        if self.choices and kind != STREETS:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if kind == "bool":
            return "true or false"
        if kind == STREETS:
            return "a list of " + (", ".join(repr(c) for c in self.choices) if self.choices else "street names")
        if kind == "str":
            return "text"
        lo = "" if self.lo is None else f"{self.lo:g}"
        hi = "" if self.hi is None else f"{self.hi:g}"
        noun = "a whole number" if kind == "int" else "a number"
        return f"{noun} in [{lo}, {hi}]" + (f" {self.unit}" if self.unit else "")


def param(default: Any, *, unit: str = "", lo: float | None = None, hi: float | None = None, doc: str = "",
          choices: tuple[str, ...] | None = None, reform: Any = None, source: str = ""):
    """Declare a parameter field: its default, unit, valid range and meaning."""
    spec = Spec(unit=unit, lo=lo, hi=hi, doc=doc, choices=choices, reform=reform, source=source)
    if isinstance(default, list | tuple):
        value = tuple(default)
        return field(default_factory=lambda: value, metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


def specs(cls) -> list[tuple[str, str, Spec, Any]]:
    """(name, kind, spec, default) of every declared parameter of a parameter class."""
    out = []
    for f in fields(cls):
        if "spec" not in f.metadata:
            continue
        default = f.default if f.default is not MISSING else f.default_factory()
        out.append((f.name, f.type if isinstance(f.type, str) else f.type.__name__, f.metadata["spec"], default))
    return out


def suggest(name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field {name!r}{hint} Allowed: {', '.join(allowed)}"


def coerce(value: Any, kind: str, spec: Spec, *, source: str, where: str, street_names=None) -> Any:
    """Check one value against its declared kind and range; return it in canonical form."""

    def bad(what: str):
        return InputError(f"{what}; allowed: {spec.allowed(kind)}", source=source, field=where)

    if kind == "bool":
        if not isinstance(value, bool):
            raise bad(f"got {value!r}")
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad(f"got {value!r}")
        if kind == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise bad(f"got {value!r}")
                value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise bad(f"got {value!r}")
        if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
            raise bad(f"{value!r} is out of range")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise bad(f"got {value!r}")
        if spec.choices and value not in spec.choices:
            raise bad(f"got {value!r}")
        return value
    if kind == STREETS:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise bad(f"got {value!r}")
        out = []
        for item in value:
            if not isinstance(item, str):
                raise bad(f"got {item!r}")
            if spec.choices:
                if item not in spec.choices:
                    raise bad(f"got {item!r}")
            elif street_names is not None:
                match = _match_street(item, street_names)
                if match is None:
                    raise InputError(
                        f"unknown street {item!r}; allowed: {', '.join(n for n, _ in street_names)}",
                        source=source, field=where,
                    )
                item = match
            if item in out:
                raise InputError(f"street {item!r} listed twice", source=source, field=where)
            out.append(item)
        return tuple(out)
    raise TypeError(f"unsupported parameter kind {kind}")


def _match_street(name: str, street_names) -> str | None:
    for zh, py in street_names:
        if name == zh or name.lower() == py.lower():
            return zh
    return None


def build(cls, table: Any, *, source: str, where: str, street_names=None):
    """Build a parameter class from a TOML table; missing fields keep their defaults."""
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise InputError(f"must be a table, got {table!r}", source=source, field=where)
    declared = {name: (kind, spec) for name, kind, spec, _ in specs(cls)}
    values = {}
    for key, value in table.items():
        if key not in declared:
            raise InputError(suggest(key, list(declared)), source=source, field=where)
        kind, spec = declared[key]
        values[key] = coerce(value, kind, spec, source=source, where=f"{where}.{key}", street_names=street_names)
    return cls(**values)


def to_table(obj) -> dict[str, Any]:
    """A parameter object as a TOML-ready table (tuples become lists)."""
    return {name: list(v) if isinstance(v := getattr(obj, name), tuple) else v for name, *_ in specs(type(obj))}
