"""Sweep specs: reading and checking them, and the design of runs they describe.

A sweep spec (TOML, ``experiments/sweeps/``) names a base scenario, factors (levers or
uncertainties) with their levels or ranges, a design (full factorial, Latin hypercube, or an
explicit table of points), replications and a root seed. Every run gets its own child of the
root ``SeedSequence`` (spawn key = its run id), recorded in ``runs.csv``, so any run can be
re-run alone (``--run``) and gives the same rows. Reading a spec needs no numerical library
(a Latin hypercube draws its points with scipy), so a bad spec is refused at once; running it
is ``sim.batch``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import config as cfg
from sim.errors import InputError, finite_number, read_toml
from sim.outcomes import TABLES, measures
from sim.params import specs, suggest
from sim.policies import LEVERS

if TYPE_CHECKING:
    import numpy as np

DESIGNS = ("full_factorial", "latin_hypercube", "table")
MAX_RUNS = 1_000_000  # design points × replications at most (a million runs is weeks on a cluster)
SPEC_KEYS = ("name", "description", "scenario", "replications", "seed", "common_random_numbers", "run", "design",
             "factors", "points", "outcomes", "tables")


@dataclass(frozen=True)
class Factor:
    """A lever or uncertainty the design varies: explicit levels, or a numeric range."""

    path: str  # as in --set: lever.field or uncertainties.field
    kind: str  # the parameter's declared kind
    levels: tuple = ()
    low: float | None = None
    high: float | None = None

    def value(self, unit: float) -> Any:
        """The value at a point in [0, 1] of the range (Latin hypercube)."""
        x = self.low + unit * (self.high - self.low)
        return int(round(x)) if self.kind == "int" else float(x)


@dataclass(frozen=True)
class SweepSpec:
    name: str
    source: str
    base: cfg.Config
    factors: tuple[Factor, ...]
    points: tuple[dict[str, Any], ...]  # the design: one dict of factor values per point
    replications: int
    seed: int
    common_random_numbers: bool = False
    outcomes: tuple[str, ...] = ()
    tables: tuple[str, ...] = TABLES
    digest: str = ""

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def tasks(self, only: Iterable[int] | None = None) -> Iterator[RunTask]:
        """Every run of the design in run-id order (point-major), or just the run ids in ``only``."""
        wanted = None if only is None else set(only)
        for point, values in enumerate(self.points):
            for rep in range(self.replications):
                run_id = point * self.replications + rep
                if wanted is not None and run_id not in wanted:
                    continue
                yield RunTask(run_id=run_id, point=point, replication=rep, values=values, base=self.base,
                              seed=self.seed_for(run_id, rep), tables=self.tables, source=self.source,
                              key=f"chancheng-{self.digest}-{run_id}")

    def seed_for(self, run_id: int, replication: int) -> np.random.SeedSequence:
        """The run's own child of the root seed; with common random numbers, the replication's."""
        import numpy as np

        key = replication if self.common_random_numbers else run_id
        return np.random.SeedSequence(self.seed, spawn_key=(key,))


@dataclass(frozen=True)
class RunTask:
    """Everything one run of a sweep needs, and no more (it travels to a worker)."""

    run_id: int
    point: int
    replication: int
    values: dict[str, Any]
    base: cfg.Config = field(repr=False)
    seed: np.random.SeedSequence = field(repr=False)
    tables: tuple[str, ...] = TABLES
    source: str = ""
    key: str = ""  # a unique task name for Dask


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec; every problem is an ``InputError`` naming the file and field."""
    path = Path(path)
    source = str(path)
    raw = read_toml(path)
    for key in raw:
        if key not in SPEC_KEYS:
            raise InputError(suggest(key, list(SPEC_KEYS)), source=source, field=key)

    def number(key, default, lo, hi=2**63 - 1):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            most = f" and ≤ {hi:,}" if hi < 2**63 - 1 else ""
            raise InputError(f"got {value!r}; allowed: a whole number ≥ {lo}{most}", source=source, field=key)
        return value

    name = cfg.check_name(raw.get("name", path.stem), source)
    replications = number("replications", 1, 1, MAX_RUNS)
    seed = number("seed", 0, 0)
    crn = raw.get("common_random_numbers", False)
    if not isinstance(crn, bool):
        raise InputError(f"got {crn!r}; allowed: true or false", source=source, field="common_random_numbers")

    scenario = raw.get("scenario", cfg.DEFAULT_SCENARIO)
    if not isinstance(scenario, str):
        raise InputError("must be a scenario name or file", source=source, field="scenario")
    if scenario not in cfg.builtin_scenarios() and not Path(scenario).is_absolute():
        candidate = path.parent / scenario
        scenario = str(candidate) if candidate.exists() or scenario.endswith(".toml") else scenario
    base = cfg.resolve(scenario, field="scenario", source=source)
    run_table = raw.get("run", {})
    if not isinstance(run_table, dict):
        raise InputError("must be a table of run settings", source=source, field="run")
    base = cfg.assign(base, {f"run.{k}": v for k, v in run_table.items()}, source=source)

    factors = tuple(_factor(key, value, source) for key, value in _table(raw, "factors", source).items())
    for i, factor in enumerate(factors):
        if factor.path in (f.path for f in factors[:i]):
            raise InputError("the same parameter is a factor twice (under two spellings)", source=source,
                             field=f"factors.{factor.path}")
    design = _table(raw, "design", source)
    kind = design.get("kind", "table" if "points" in raw else "full_factorial")
    if kind not in DESIGNS:
        raise InputError(f"got {kind!r}; allowed: {', '.join(DESIGNS)}", source=source, field="design.kind")
    points = _design(kind, design, factors, raw, seed, source)
    if not points:
        raise InputError("the design has no points", source=source, field="design")
    if len(points) * replications > MAX_RUNS:
        raise InputError(f"{len(points):,} points × {replications:,} replications; allowed: at most {MAX_RUNS:,} "
                         "runs", source=source, field="replications")
    for i, point in enumerate(points):  # every point must make a valid scenario
        try:
            cfg.assign(base, point, source=source)
        except InputError as exc:
            raise InputError(f"design point {i}: {exc}") from None

    outcomes = _names(raw, "outcomes", ("jobs_housing_ratio", "self_containment", "mean_commute_min",
                                        "excess_commuting"), measures("model"), source)
    tables = _names(raw, "tables", TABLES, TABLES, source)
    if "model" not in tables:
        raise InputError("the model table is always written; list it", source=source, field="tables")
    digest = hashlib.sha256(repr((name, base.to_toml(), points, replications, seed, crn, tables)).encode())
    return SweepSpec(name=name, source=source, base=base, factors=factors, points=tuple(points),
                     replications=replications, seed=seed, common_random_numbers=crn, outcomes=outcomes,
                     tables=tables, digest=digest.hexdigest()[:16])


def _table(raw: dict, key: str, source: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InputError("must be a table", source=source, field=key)
    return value


def _names(raw: dict, key: str, default: tuple[str, ...], allowed: tuple[str, ...], source: str) -> tuple[str, ...]:
    """A list of distinct names from ``allowed`` (or ``default`` when the spec has none)."""
    names = raw.get(key, default)
    if not isinstance(names, list | tuple) or not names or not all(isinstance(n, str) for n in names):
        raise InputError(f"got {names!r}; allowed: a list of names, e.g. {list(default[:2])}", source=source,
                         field=key)
    for name in names:
        if name not in allowed:
            raise InputError(suggest(name, list(allowed)), source=source, field=key)
    if len(set(names)) < len(names):
        raise InputError("lists a name twice", source=source, field=key)
    return tuple(names)


def _factor(path: str, value: Any, source: str) -> Factor:
    where = f"factors.{path}"
    try:
        section, name = cfg.parameter_path(path)
    except InputError as exc:
        raise InputError(str(exc).split(": ", 1)[-1], source=source, field=where) from None
    if section == "run":
        raise InputError("run settings cannot be factors; set them in [run]", source=source, field=where)
    cls = cfg.Uncertainties if section == "uncertainties" else LEVERS[section]
    kind = next(k for f, k, *_ in specs(cls) if f == name)
    path = f"{section}.{name}"  # one spelling: approval.items, uncertainties.search_decay
    if isinstance(value, list):
        if not value:
            raise InputError("needs at least one level", source=source, field=where)
        return Factor(path=path, kind=kind, levels=tuple(value))
    if isinstance(value, dict) and set(value) == {"low", "high"}:
        low, high = value["low"], value["high"]
        if kind not in ("int", "float") or not all(finite_number(v) for v in (low, high)) or not low < high:
            raise InputError("a range needs a numeric field and numbers low < high", source=source, field=where)
        return Factor(path=path, kind=kind, low=float(low), high=float(high))
    raise InputError("give a list of levels, or { low = …, high = … }", source=source, field=where)


def _design(kind: str, design: dict, factors: tuple[Factor, ...], raw: dict, seed: int, source: str) -> list[dict]:
    if kind == "table":
        points = raw.get("points")
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise InputError("a table design needs [[points]] tables of factor = value", source=source,
                             field="points")
        for i, point in enumerate(points):
            seen = set()
            for key in point:
                try:
                    parameter = cfg.parameter_path(key)
                except InputError as exc:
                    raise InputError(str(exc).split(": ", 1)[-1], source=source, field=f"points[{i}]") from None
                if parameter[0] == "run":
                    raise InputError(f"sets {key}; run settings cannot differ between points: set them in [run]",
                                     source=source, field=f"points[{i}]")
                if parameter in seen:
                    raise InputError(f"sets {'.'.join(parameter)} twice (under two spellings)", source=source,
                                     field=f"points[{i}]")
                seen.add(parameter)
        return [dict(p) for p in points]
    if not factors:
        raise InputError("list at least one factor", source=source, field="factors")
    if kind == "full_factorial":
        ranged = [f.path for f in factors if not f.levels]
        if ranged:
            raise InputError("a full factorial needs levels (a list), not a range", source=source,
                             field=f"factors.{ranged[0]}")
        return [dict(zip([f.path for f in factors], combo, strict=True))
                for combo in itertools.product(*(f.levels for f in factors))]
    samples = design.get("samples")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_RUNS:
        raise InputError(f"got {samples!r}; allowed: a whole number ≥ 1 and ≤ {MAX_RUNS:,}", source=source,
                         field="design.samples")
    listed = [f.path for f in factors if f.levels]
    if listed:
        raise InputError("a Latin hypercube needs ranges { low, high }, not levels", source=source,
                         field=f"factors.{listed[0]}")
    import numpy as np
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
    return [{f.path: f.value(u) for f, u in zip(factors, row, strict=True)} for row in unit]
