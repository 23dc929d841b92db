"""Sweep specs: reading and checking them, and the design of runs they describe.

A sweep spec (TOML, ``experiments/sweeps/``) names a base scenario, values held fixed
(``[fixed]``), replications, a root seed and either

- one design over factors (levers or uncertainties) with their levels or ranges: full
  factorial, Latin hypercube, Sobol, or an explicit table of points; or
- a ``[policies]`` part (named lever sets, or a design over levers) crossed with a
  ``[scenarios]`` part (a design over uncertainties: Latin hypercube, Sobol or a table) — the
  exploratory-modelling experiment: every policy faces the same sampled scenarios, on common
  random numbers (run (policy, scenario *s*, replication *r*) has spawn key *s* × replications
  + *r* whatever the policy).

Every run gets its own child of the root ``SeedSequence`` (spawn key = its run id, or as above),
recorded in ``runs.csv``, so any run can be re-run alone (``--run``, ``chancheng run --from``)
and gives the same rows. Reading a spec needs no numerical library (Latin hypercube and Sobol
points are drawn with scipy), so a bad spec is refused at once; running it is ``sim.batch``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import config as cfg
from sim.errors import InputError, finite_number, read_toml, shown
from sim.outcomes import PANELS, TABLES, measures
from sim.params import specs, suggest
from sim.policies import LEVERS

if TYPE_CHECKING:
    import numpy as np

DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "table")
MAX_RUNS = 1_000_000  # design points × replications at most (a million runs is weeks on a cluster)
SPEC_KEYS = ("name", "description", "scenario", "replications", "seed", "common_random_numbers", "run", "fixed",
             "design", "factors", "points", "policies", "scenarios", "outcomes", "tables")
PART_KEYS = ("kind", "samples", "factors", "points")  # of a [policies] design or a [scenarios] part
# The tables a sweep writes unless its spec lists others: the agent panels (persons, firms) are
# for single runs and studies that ask for them (a sweep of hundreds of runs would hold millions of
# panel rows).
SWEEP_TABLES = tuple(t for t in TABLES if t not in PANELS)


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
    tables: tuple[str, ...] = SWEEP_TABLES
    digest: str = ""
    # A policies × scenarios spec: (policy, scenario) names of each point, policy-major, and the
    # number of scenarios (0: a single design).
    labels: tuple[tuple[str, str], ...] = ()
    n_scenarios: int = 0

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
                policy, scenario = self.labels[point] if self.labels else ("", "")
                yield RunTask(run_id=run_id, point=point, replication=rep, values=values, base=self.base,
                              seed=self.seed_for(point, rep), tables=self.tables, source=self.source,
                              key=f"chancheng-{self.digest}-{run_id}", policy=policy, scenario=scenario)

    def seed_for(self, point: int, replication: int) -> np.random.SeedSequence:
        """The run's own child of the root seed; with common random numbers, the replication's;
        in a policies × scenarios spec, its scenario's and replication's (the same for every policy)."""
        import numpy as np

        if self.common_random_numbers:
            key = replication
        elif self.n_scenarios:
            key = (point % self.n_scenarios) * self.replications + replication
        else:
            key = point * self.replications + replication
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
    policy: str = ""  # in a policies × scenarios spec: the names of its policy and scenario
    scenario: str = ""


def read_spec(path: str | Path, keys: tuple[str, ...]) -> tuple[Path, str, dict]:
    """A spec file (a sweep's or a search's) as its path, its name for errors and its TOML
    table; a key not in ``keys`` is an ``InputError`` with the nearest allowed one."""
    path = Path(path)
    source = str(path)
    raw = read_toml(path)
    for key in raw:
        if key not in keys:
            raise InputError(suggest(key, list(keys)), source=source, field=key)
    return path, source, raw


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec; every problem is an ``InputError`` naming the file and field."""
    path, source, raw = read_spec(path, SPEC_KEYS)

    name = cfg.check_name(raw.get("name", path.stem), source)
    replications = whole_number(raw, "replications", 1, source, 1, MAX_RUNS)
    seed = whole_number(raw, "seed", 0, source, 0)
    crn = raw.get("common_random_numbers", False)
    if not isinstance(crn, bool):
        raise InputError(f"got {crn!r}; allowed: true or false", source=source, field="common_random_numbers")

    base, _ = read_base(raw, path, source)

    labels: list[tuple[str, str]] = []
    n_scenarios = 0
    if "policies" in raw or "scenarios" in raw:
        for key in ("design", "factors", "points"):
            if key in raw:
                raise InputError("a spec has either [policies] × [scenarios] or one design ([design], [factors], "
                                 "[[points]]), not both", source=source, field=key)
        policies = read_policies(raw.get("policies"), base, seed, source)
        scenarios = read_scenarios(raw.get("scenarios"), seed, source)
        factors = ()
        points = [{**p, **s} for _, p in policies for _, s in scenarios]
        labels = [(pn, sn) for pn, _ in policies for sn, _ in scenarios]
        n_scenarios = len(scenarios)
    else:
        factors = _factors(table(raw, "factors", source), source)
        design = table(raw, "design", source)
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
    tables = _names(raw, "tables", SWEEP_TABLES, TABLES, source)
    if "model" not in tables:
        raise InputError("the model table is always written; list it", source=source, field="tables")
    digest = hashlib.sha256(repr((name, base.to_toml(), points, replications, seed, crn, tables, labels)).encode())
    return SweepSpec(name=name, source=source, base=base, factors=factors, points=tuple(points),
                     replications=replications, seed=seed, common_random_numbers=crn, outcomes=outcomes,
                     tables=tables, digest=digest.hexdigest()[:16], labels=tuple(labels), n_scenarios=n_scenarios)


def whole_number(raw: dict, key: str, default: int, source: str, lo: int, hi: int = 2**63 - 1) -> int:
    """A spec's whole-number setting in [lo, hi], or an ``InputError`` naming it."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        most = f" and ≤ {hi:,}" if hi < 2**63 - 1 else ""
        raise InputError(f"got {shown(value)}; allowed: a whole number ≥ {lo}{most}", source=source, field=key)
    return value


def read_base(raw: dict, path: Path, source: str) -> tuple[cfg.Config, dict[str, Any]]:
    """A spec's base scenario (``scenario``: a built-in name, or a file relative to the spec) with
    its ``[run]`` settings and its ``[fixed]`` values applied; and the fixed values, one spelling
    each (``lever.field``, ``uncertainties.field``)."""
    scenario = raw.get("scenario", cfg.DEFAULT_SCENARIO)
    if not isinstance(scenario, str):
        raise InputError("must be a scenario name or file", source=source, field="scenario")
    if scenario not in cfg.builtin_scenarios() and not Path(scenario).is_absolute():
        candidate = path.parent / scenario
        scenario = str(candidate) if candidate.exists() or scenario.endswith(".toml") else scenario
    base = cfg.resolve(scenario, field="scenario", source=source)
    run_table = table(raw, "run", source)
    base = cfg.assign(base, {f"run.{k}": v for k, v in run_table.items()}, source=source)
    fixed: dict[str, Any] = {}
    for key, value in table(raw, "fixed", source).items():
        where = f"fixed.{key}"
        section, name = parameter(key, source, where)
        if section == "run":
            raise InputError("run settings are not fixed values; set them in [run]", source=source, field=where)
        spelled = f"{section}.{name}"
        if spelled in fixed:
            raise InputError(f"sets {spelled} twice (under two spellings)", source=source, field=where)
        fixed[spelled] = value
    try:  # (all at once: a rule across fields may need two fixed values together)
        base = cfg.assign(base, fixed, source=source)
    except InputError as exc:
        spelled = (exc.field or "").removeprefix("levers.")
        where = f"fixed.{spelled}" if spelled in fixed else "fixed"
        raise InputError(exc.message, source=source, field=where) from None
    return base, fixed


def read_policies(raw: dict | None, base: cfg.Config, seed: int, source: str,
                  field: str = "policies") -> tuple[tuple[str, dict[str, Any]], ...]:
    """The ``[policies]`` part: (name, lever values) pairs, each setting the same lever fields.

    Either named lever sets — ``[policies.NAME]`` tables of ``lever.field = value``, optionally
    ``scenario = "reform_2019"`` to start from that scenario's levers — or a design over levers
    (``kind``, ``samples``, ``[policies.factors]``, ``[[policies.points]]``: as a single design).
    A lever field a policy leaves alone keeps the base scenario's value.
    """
    if raw is None:
        return (("base", {}),)
    if not isinstance(raw, dict) or not raw:
        raise InputError("must be a table of named lever sets, or a design (kind, factors)", source=source,
                         field=field)
    if any(k in PART_KEYS for k in raw):
        policies = _part(raw, "policy", "levers", _seed(seed, 1), source, field)
    else:
        policies = []
        for name, values in raw.items():
            where = f"{field}.{name}"
            cfg.check_name(name, f"{source}: {where}")
            if not isinstance(values, dict):
                raise InputError("must be a table of lever.field = value (and optionally scenario = NAME)",
                                 source=source, field=where)
            values = dict(values)
            start = values.pop("scenario", None)
            levers = {}
            if start is not None:
                if not isinstance(start, str):
                    raise InputError("must be a scenario name or file", source=source, field=f"{where}.scenario")
                levers = cfg.lever_values(cfg.resolve(start, field=f"{where}.scenario", source=source), base)
            for key in values:
                parameter(key, source, f"{where}.{key}", allowed=("levers",))
            policies.append((name, {**levers, **values}))
    return _same_fields(policies, base)


def read_scenarios(raw: dict | None, seed: int, source: str,
                   field: str = "scenarios") -> tuple[tuple[str, dict[str, Any]], ...]:
    """The ``[scenarios]`` part: (name, uncertainty values) pairs from a design over uncertainties —
    ``kind`` latin_hypercube or sobol with ``samples`` and ``[scenarios.factors]`` ranges, or
    full_factorial with levels, or ``[[scenarios.points]]`` (each may carry a ``name``). Without a
    part, one scenario: the base's uncertainties (``("base", {})``)."""
    if raw is None:
        return (("base", {}),)
    if not isinstance(raw, dict):
        raise InputError("must be a design over uncertainties (kind, samples, factors, or points)", source=source,
                         field=field)
    return tuple(_part(raw, "scenario", "uncertainties", _seed(seed, 2), source, field))


def _seed(seed: int, part: int) -> Any:
    """The seed a part's design draws with ([root, part]: policies and scenarios draw apart)."""
    return (seed, part)


def _part(raw: dict, prefix: str, section: str, seed, source: str, field: str) -> list[tuple[str, dict[str, Any]]]:
    """A design over the parameters of one ``section`` (levers or uncertainties): named points."""
    for key in raw:
        if key not in PART_KEYS:
            raise InputError(suggest(key, list(PART_KEYS)), source=source, field=f"{field}.{key}")
    factors = _factors(table(raw, "factors", source, f"{field}.factors"), source, f"{field}.factors")
    names: list[str] = []
    if "points" in raw and isinstance(raw["points"], list):
        named = []
        for i, point in enumerate(raw["points"]):
            if isinstance(point, dict) and "name" in point:
                point = dict(point)
                names.append(cfg.check_name(point.pop("name"), f"{source}: {field}.points[{i}]"))
            named.append(point)
        raw = {**raw, "points": named}
    kind = raw.get("kind", "table" if "points" in raw else "full_factorial")
    if kind not in DESIGNS:
        raise InputError(f"got {kind!r}; allowed: {', '.join(DESIGNS)}", source=source, field=f"{field}.kind")
    try:
        points = _design(kind, raw, factors, raw, seed, source)
    except InputError as exc:
        where = (exc.field or "").removeprefix("design.")
        raise InputError(exc.message, source=source, field=f"{field}.{where}" if where else field) from None
    for i, point in enumerate(points):
        for key in point:
            parameter(key, source, f"{field}.points[{i}]", allowed=(section,))
    if names and len(names) != len(points):
        raise InputError("name every point or none", source=source, field=f"{field}.points")
    names = names or [f"{prefix}_{i:0{len(str(len(points) - 1))}d}" for i in range(len(points))]
    if len(set(names)) < len(names):
        raise InputError("two points have the same name", source=source, field=f"{field}.points")
    return list(zip(names, points, strict=True))


def _same_fields(policies: list[tuple[str, dict]], base: cfg.Config) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every policy sets the same lever fields (one column each in runs.csv), in one spelling: the
    base's value where a policy leaves a field alone."""
    def spelled(key: str) -> str:
        return "levers." + ".".join(cfg.parameter_path(key))

    policies = [(name, {spelled(k): v for k, v in values.items()}) for name, values in policies]
    fields = sorted({key for _, values in policies for key in values})
    levers = base.to_dict()["levers"]
    default = {key: levers[key.split(".")[1]][key.split(".")[2]] for key in fields}
    return tuple((name, {**default, **values}) for name, values in policies)


def parameter(key: str, source: str, where: str, allowed: tuple[str, ...] = ()) -> tuple[str, str]:
    """A parameter's (section, field), or an ``InputError`` at ``where``; ``allowed`` limits the
    section to levers or uncertainties."""
    try:
        section, name = cfg.parameter_path(key)
    except InputError as exc:
        raise InputError(str(exc).split(": ", 1)[-1], source=source, field=where) from None
    kind = "uncertainties" if section == "uncertainties" else "run" if section == "run" else "levers"
    if allowed and kind not in allowed:
        wanted = "a lever (lever.field)" if allowed == ("levers",) else "an uncertainty (uncertainties.field)"
        raise InputError(f"{key} is not {wanted}", source=source, field=where)
    return section, name


def _factors(table: dict, source: str, where: str = "factors") -> tuple[Factor, ...]:
    factors = tuple(_factor(key, value, source, where) for key, value in table.items())
    for i, factor in enumerate(factors):
        if factor.path in (f.path for f in factors[:i]):
            raise InputError("the same parameter is a factor twice (under two spellings)", source=source,
                             field=f"{where}.{factor.path}")
    return factors


def table(raw: dict, key: str, source: str, where: str = "") -> dict:
    """A spec's table ``key`` (empty if absent), or an ``InputError`` if it is not a table."""
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InputError("must be a table", source=source, field=where or key)
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


def _factor(path: str, value: Any, source: str, part: str = "factors") -> Factor:
    where = f"{part}.{path}"
    section, name = parameter(path, source, where)
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
        what = "a Latin hypercube" if kind == "latin_hypercube" else "a Sobol design"
        raise InputError(f"{what} needs ranges {{ low, high }}, not levels", source=source,
                         field=f"factors.{listed[0]}")
    import numpy as np
    from scipy.stats import qmc

    if kind == "latin_hypercube":
        unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
    else:  # a scrambled Sobol sequence; its balance holds for a power of 2 samples
        unit = qmc.Sobol(d=len(factors), scramble=True, rng=np.random.default_rng(seed)).random(samples)
    return [{f.path: f.value(u) for f, u in zip(factors, row, strict=True)} for row in unit]
