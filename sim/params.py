"""Typed parameters with units and ranges, and the checks that turn TOML tables into them.

Levers, uncertainties and run settings are frozen dataclasses whose fields are declared with
``param(...)``; ``build`` checks a table against such a class and reports the first problem with
the file, the field and what is allowed (suggesting the nearest name for a typo).
"""

from __future__ import annotations

import difflib
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from sim.errors import InputError, finite_number, shown

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

    def allowed(self, kind: str, lang: str = "en") -> str:
        """What a value of this parameter may be, in ``lang`` ("en" or "zh")."""
        zh = lang == "zh"
        if self.choices and kind != STREETS:
            return ("以下之一：" if zh else "one of ") + ", ".join(repr(c) for c in self.choices)
        if kind == "bool":
            return "true 或 false" if zh else "true or false"
        if kind == STREETS:
            names = ", ".join(repr(c) for c in self.choices) if self.choices else ("街道名称" if zh else "street names")
            return f"由 {names} 组成的列表" if zh else f"a list of {names}"
        if kind == "str":
            return "文本" if zh else "text"
        lo = "" if self.lo is None else f"{self.lo:g}"
        hi = "" if self.hi is None else f"{self.hi:g}"
        if zh:
            return f"[{lo}, {hi}] 之间的{'整数' if kind == 'int' else '数'}" + (f"（{self.unit}）" if self.unit else "")
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


def suggest(name: str, allowed: list[str], lang: str = "en") -> str:
    """An unknown name, the nearest allowed one and the allowed ones, in ``lang``."""
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
    if lang == "zh":
        hint = f"；是否应为 {close[0]!r}？" if close else "；"
        return f"未知字段 {shown(name)}{hint}可用：{', '.join(allowed)}"
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field {shown(name)}{hint} Allowed: {', '.join(allowed)}"


def unknown(name: str, allowed: list[str], *, source: str, field: str) -> InputError:
    """``InputError`` for an unknown field, in both languages."""
    return InputError(suggest(name, allowed), source=source, field=field, zh=suggest(name, allowed, "zh"))


def coerce(value: Any, kind: str, spec: Spec, *, source: str, where: str, street_names=None) -> Any:
    """Check one value against its declared kind and range; return it in canonical form."""

    def bad(what: str, what_zh: str = ""):
        return InputError(f"{what}; allowed: {spec.allowed(kind)}", source=source, field=where,
                          zh=f"{what_zh or f'取值 {shown(value)} 无效'}；允许：{spec.allowed(kind, 'zh')}")

    got = f"got {shown(value)}"

    if kind == "bool":
        if not isinstance(value, bool):
            raise bad(got)
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad(got)
        if kind == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise bad(got)
                value = int(value)
        else:
            if not finite_number(value):
                raise bad(f"{got} (not a finite number)", f"取值 {shown(value)} 不是有限的数")
            value = float(value)
        if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
            raise bad(f"{shown(value)} is out of range", f"{shown(value)} 超出范围")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise bad(got)
        if spec.choices and value not in spec.choices:
            raise bad(got)
        return value
    if kind == STREETS:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise bad(got)
        out = []
        for item in value:
            if not isinstance(item, str):
                raise bad(f"got {shown(item)}")
            if spec.choices:
                if item not in spec.choices:
                    raise bad(f"got {shown(item)}")
            elif street_names is not None:
                match = _match_street(item, street_names)
                if match is None:
                    names = ", ".join(n for n, _ in street_names)
                    raise InputError(f"unknown street {shown(item)}; allowed: {names}", source=source, field=where,
                                     zh=f"未知街道 {shown(item)}；可用：{names}")
                item = match
            if item in out:
                raise InputError(f"street {shown(item)} listed twice", source=source, field=where,
                                 zh=f"街道 {shown(item)} 重复列出")
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
        raise InputError(f"must be a table, got {shown(table)}", source=source, field=where,
                         zh=f"应为一个表，实际为 {shown(table)}")
    declared = {name: (kind, spec) for name, kind, spec, _ in specs(cls)}
    values = {}
    for key, value in table.items():
        if key not in declared:
            raise unknown(key, list(declared), source=source, field=where)
        kind, spec = declared[key]
        values[key] = coerce(value, kind, spec, source=source, where=f"{where}.{key}", street_names=street_names)
    return cls(**values)


def to_table(obj) -> dict[str, Any]:
    """A parameter object as a TOML-ready table (tuples become lists)."""
    return {name: list(v) if isinstance(v := getattr(obj, name), tuple) else v for name, *_ in specs(type(obj))}
