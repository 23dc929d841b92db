"""Multi-objective search over lever mixes: NSGA-II (pymoo, ask–tell) over the model, every mix
judged over the same uncertainty scenarios on common random numbers.

An optimisation spec (TOML, ``experiments/optimize/``) names a base scenario, run settings
(``[run]``), values held fixed (``[fixed]``), the levers searched with their ranges
(``[levers]``, numeric fields only), two or more objectives (``[[objectives]]``: a district
measure of ``model.csv`` or the mix's ``cost``, each ``min`` or ``max``), an optional budget
(``[constraints] budget``) and the uncertainty scenarios every mix faces (``[scenarios]``, read by
``sim.design.read_scenarios``), with replications, a root seed, ``aggregate``, ``population`` and
``generations``.

- **Objectives.** A run's value of an outcome is its mean over the run's last 12 months
  (``sim.analysis.outcome_per_run``); a mix's value in a scenario is the mean over replications;
  over scenarios, ``aggregate = "mean"`` averages them and ``"worst"`` takes the least favourable
  one — the lowest for a ``max`` objective, the highest for a ``min`` one — for each objective
  separately (a pessimistic bound: two objectives' worst cases may come from different scenarios).
- **Common random numbers.** The run of scenario *s*, replication *r* has the seed
  ``SeedSequence(seed, spawn_key=(s × replications + r,))`` whatever the mix, so mixes are
  compared on the same draws (and the same mix always gives the same values).
- **Cost.** ``sim/data/lever_costs.csv`` (or the spec's ``costs`` file) gives yuan per unit of
  each lever field. A mix's cost is the extra spending over the base scenario:
  Σ max(0, yuan_per_unit × (value − base value)) over the levers searched. A positive
  ``yuan_per_unit`` is the cost of one unit more (floor space, staff, sensors); a negative one is
  the cost of one unit less (approval items or departments cut, hospitals merged). A change the
  other way saves nothing (cost 0): the base scenario's own spending is taken as committed, so a
  budget is new money on top of it and the search cannot pay for one lever by cutting another the
  base already counts on; such a cut is judged by its outcomes alone. Recurring costs in the file
  count 10 years (2019–2028, undiscounted).
- **Infeasible mixes.** A mix that makes no valid scenario (a rule across fields, such as the
  committee's three time shares summing to 1: it is not run), any of whose runs failed, or whose
  objective has no value (an empty measure over the last months) is infeasible (``feasible``
  False, the reason in ``note``), as is one costing more than the budget (``within_budget``
  False); NSGA-II ranks infeasible mixes by their constraint violation, behind every feasible
  one, and the search goes on.
- **Resuming.** Every evaluated candidate is appended to ``evaluations.csv`` (one fsync'd line
  each) with a hash ``key`` of its lever values. ``resume`` replays the search from the start on
  the same seed — NSGA-II asks the same candidates when told the same values — and takes every
  candidate already in the file from it instead of running it again; a torn last line is
  trimmed first. A folder of another search (``optimize.json`` holds the spec's digest) is
  refused; ``generations`` is not part of the digest, so resuming with more generations
  continues a finished search. A candidate asked again (the same lever values, in a later
  generation) is not run again either: on common random numbers it would give the same values.

Outputs in the folder: ``optimize.json``, ``spec.toml`` (a copy of the spec), ``scenario.toml``
(the resolved base), ``evaluations.csv`` (every candidate), ``pareto.csv`` (the non-dominated
feasible mixes among all evaluated, with each objective's value per scenario when there are
several) and ``figures/pareto.png``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import batch
from sim import config as cfg
from sim.design import parameter, read_base, read_scenarios, read_spec, table, whole_number
from sim.errors import TOML_LIMIT, InputError, finite_number, named, read_bounded, shown
from sim.outcomes import BAND, HIGHER, LOWER, MEASURES, measures
from sim.params import specs, suggest
from sim.policies import LEVERS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

COSTS = Path(__file__).resolve().parent / "data" / "lever_costs.csv"
COST = "cost"  # the objective that is the mix's cost, not a model outcome
SENSES = ("min", "max")
AGGREGATES = ("mean", "worst")
LAST_MONTHS = 12  # an objective is a run's mean over its last months
SPEC_KEYS = ("name", "description", "scenario", "seed", "replications", "aggregate", "population", "generations",
             "costs", "run", "fixed", "levers", "objectives", "constraints", "scenarios")
COST_COLUMNS = ("lever", "unit", "yuan_per_unit", "basis", "note")
BASES = ("assumption", "source")
MAX_POPULATION = 10_000
MAX_GENERATIONS = 10_000
MAX_RUNS = 1_000_000  # candidates × scenarios × replications at most (as for a sweep)
MARKER = "optimize.json"


@dataclass(frozen=True)
class LeverCost:
    """A row of the cost file: yuan per unit of a lever field, and why."""

    lever: str
    unit: str
    yuan_per_unit: float
    basis: str
    note: str


@dataclass(frozen=True)
class Lever:
    """A decision variable: a numeric lever field searched over [low, high]."""

    path: str  # lever.field, as in --set
    kind: str  # "int" or "float"
    low: float
    high: float
    base: float  # the base scenario's value: what a change costs from
    yuan_per_unit: float | None = None  # None: no cost in the cost file

    def value(self, x: float) -> int | float:
        """The field's value at a point the search asks (a whole number for a whole-number field)."""
        x = min(max(float(x), self.low), self.high)
        return int(round(x)) if self.kind == "int" else x

    def cost(self, value: float) -> float:
        """Yuan a value costs over the base's (0 for a change the cheap way; nan without a cost)."""
        if self.yuan_per_unit is None:
            return math.nan
        return max(0.0, self.yuan_per_unit * (value - self.base))


@dataclass(frozen=True)
class Objective:
    outcome: str  # a district measure of model.csv, or "cost"
    sense: str  # "min" or "max"

    @property
    def sign(self) -> int:
        """+1 to minimise as it is, −1 to minimise its negative (pymoo minimises)."""
        return 1 if self.sense == "min" else -1


@dataclass(frozen=True)
class Problem:
    """A checked optimisation spec."""

    name: str
    description: str
    source: str
    base: cfg.Config  # the base scenario with [run] and [fixed] applied
    fixed: dict[str, Any]
    levers: tuple[Lever, ...]
    objectives: tuple[Objective, ...]
    budget: float | None
    scenarios: tuple[tuple[str, dict[str, Any]], ...]
    seed: int
    replications: int
    aggregate: str
    population: int
    generations: int
    costs: str  # the cost file read
    digest: str

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The model outcomes among the objectives (every objective but cost), in spec order."""
        return tuple(o.outcome for o in self.objectives if o.outcome != COST)

    @property
    def n_runs(self) -> int:
        """Model runs of the whole search at most (fewer when candidates repeat)."""
        return self.population * self.generations * len(self.scenarios) * self.replications

    def candidate(self, x) -> tuple:
        """The lever values at a point the search asks."""
        return tuple(lever.value(v) for lever, v in zip(self.levers, x, strict=True))

    def cost(self, values: tuple) -> float:
        return float(sum(lever.cost(v) for lever, v in zip(self.levers, values, strict=True)))

    def invalid(self, values: tuple) -> str:
        """Why the lever values make no valid scenario with the base (a rule across fields, such as
        the committee's time shares summing to 1), or ''."""
        try:
            cfg.assign(self.base, dict(zip((lv.path for lv in self.levers), values, strict=True)), source=self.source)
        except InputError as exc:
            return f"not a valid scenario: {exc.field}: {exc.message}"
        return ""

    def scenario_columns(self) -> tuple[str, ...]:
        """``outcome@scenario`` columns: each objective's value per scenario (when there are several)."""
        if len(self.scenarios) < 2:
            return ()
        return tuple(f"{o}@{name}" for o in self.outcomes for name, _ in self.scenarios)

    def columns(self) -> tuple[str, ...]:
        """The columns of ``evaluations.csv``."""
        budget = ("within_budget",) if self.budget is not None else ()
        return ("generation", "candidate", "key", *(lever.path for lever in self.levers), *self.outcomes, COST,
                *budget, "feasible", "note", *self.scenario_columns())


@dataclass(frozen=True)
class Evaluation:
    """What a candidate's runs gave: each model objective's value (user's sense, nan if failed),
    per scenario too, and why it failed ('' if it did not)."""

    objectives: tuple[float, ...]
    per_scenario: dict[str, float]
    note: str = ""


def candidate_key(values: tuple) -> str:
    """A short hash of a candidate's lever values (the same values, the same key)."""
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------ the spec
def read_costs(path: str | Path) -> dict[str, LeverCost]:
    """The cost file's rows by lever (``lever.field``); ``InputError`` naming the file, the column
    and the line for a missing column, a lever that is not a numeric lever field, a number that
    is not one, or a lever listed twice."""
    source = str(path)
    try:
        text = read_bounded(path, TOML_LIMIT).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", source=source) from None
    rows = list(csv.reader(text.splitlines()))
    header = [c.strip() for c in rows[0]] if rows else []
    for column in COST_COLUMNS:
        if column not in header:
            raise InputError(f"has no column {column!r}; allowed: a CSV file with columns {', '.join(COST_COLUMNS)}",
                             source=source, field=column)
    out: dict[str, LeverCost] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"has {len(cells)} cells, the header {len(header)}", source=source, field=f"line {line}")
        row = {k: v.strip() for k, v in zip(header, cells, strict=True)}
        where = f"{{}} (line {line})"
        try:
            section, name = cfg.parameter_path(row["lever"])
        except InputError as exc:
            raise InputError(exc.message, source=source, field=where.format("lever")) from None
        if section in ("run", "uncertainties"):
            raise InputError(f"{row['lever']} is not a lever; allowed: lever.field", source=source,
                             field=where.format("lever"))
        if _kind(section, name) not in ("int", "float"):
            raise InputError(f"{row['lever']} is not a numeric field; allowed: a lever field that is a number",
                             source=source, field=where.format("lever"))
        lever = f"{section}.{name}"
        if lever in out:
            raise InputError(f"lists {lever} twice", source=source, field=where.format("lever"))
        try:
            yuan = float(row["yuan_per_unit"])
        except ValueError:
            yuan = math.nan
        if not math.isfinite(yuan):
            raise InputError(f"got {shown(row['yuan_per_unit'])}; allowed: a number of yuan (negative where one "
                             "unit less is what costs)", source=source, field=where.format("yuan_per_unit"))
        if row["basis"] not in BASES:
            raise InputError(f"got {shown(row['basis'])}; allowed: {', '.join(BASES)}", source=source,
                             field=where.format("basis"))
        out[lever] = LeverCost(lever, row["unit"], yuan, row["basis"], row["note"])
    return out


def load_problem(path: str | Path) -> Problem:
    """Read and check an optimisation spec; every problem is an ``InputError`` naming the file and field."""
    path, source, raw = read_spec(path, SPEC_KEYS)

    def choice(key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = raw.get(key, default)
        if value not in allowed:
            raise InputError(f"got {shown(value)}; allowed: {', '.join(map(repr, allowed))}", source=source,
                             field=key)
        return value

    name = cfg.check_name(raw.get("name", path.stem), source)
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise InputError(f"must be text, got {shown(description)}", source=source, field="description")
    seed = whole_number(raw, "seed", 0, source, 0)
    replications = whole_number(raw, "replications", 1, source, 1, MAX_RUNS)
    population = whole_number(raw, "population", 20, source, 4, MAX_POPULATION)
    generations = whole_number(raw, "generations", 10, source, 1, MAX_GENERATIONS)
    aggregate = choice("aggregate", "mean", AGGREGATES)

    base, fixed = read_base(raw, path, source)
    objectives = _objectives(raw.get("objectives"), source)
    budget = _budget(table(raw, "constraints", source), source)
    costs_path = COSTS
    if "costs" in raw:
        if not isinstance(raw["costs"], str) or not raw["costs"]:
            raise InputError(f"got {shown(raw['costs'])}; allowed: a CSV file of lever costs (relative to the spec)",
                             source=source, field="costs")
        costs_path = path.parent / raw["costs"]
    costs = read_costs(costs_path)
    needed = budget is not None or any(o.outcome == COST for o in objectives)
    levers = _levers(table(raw, "levers", source), base, fixed, costs, costs_path if needed else None, source)

    scenarios = read_scenarios(raw.get("scenarios"), seed, source)
    for i, (scenario, values) in enumerate(scenarios):
        for key in values:
            spelled = "uncertainties." + cfg.parameter_path(key)[1]
            if spelled in fixed:
                raise InputError(f"{spelled} is both fixed and varied by the scenarios; keep it in one",
                                 source=source, field=f"fixed.{spelled}")
        try:
            cfg.assign(base, values, source=source)
        except InputError as exc:
            raise InputError(f"scenario {i} ({scenario}): {exc.message}", source=source, field="scenarios") from None
    runs = population * generations * len(scenarios) * replications
    if runs > MAX_RUNS:
        raise InputError(f"{population} × {generations} generations × {len(scenarios)} scenarios × {replications} "
                         f"replications = {runs:,} runs; allowed: at most {MAX_RUNS:,}", source=source,
                         field="generations")

    # What the search depends on (not its description, nor generations: more of them continue it).
    text = json.dumps({"name": name, "base": base.to_toml(), "fixed": fixed, "levers": [vars(lv) for lv in levers],
                       "objectives": [vars(o) for o in objectives], "budget": budget, "aggregate": aggregate,
                       "scenarios": scenarios, "seed": seed, "replications": replications, "population": population,
                       "last_months": LAST_MONTHS}, sort_keys=True, ensure_ascii=False, default=list)
    return Problem(name=name, description=description, source=source, base=base, fixed=fixed, levers=levers,
                   objectives=objectives, budget=budget, scenarios=scenarios, seed=seed, replications=replications,
                   aggregate=aggregate, population=population, generations=generations, costs=str(costs_path),
                   digest=hashlib.sha256(text.encode()).hexdigest()[:16])


def _kind(section: str, name: str) -> str:
    cls = cfg.RunSettings if section == "run" else cfg.Uncertainties if section == "uncertainties" else LEVERS[section]
    return next(k for f, k, *_ in specs(cls) if f == name)


def _levers(table: dict, base: cfg.Config, fixed: dict, costs: dict[str, LeverCost], costs_needed: Path | None,
            source: str) -> tuple[Lever, ...]:
    """[levers]: the decision variables, numeric lever fields with numbers low < high both valid."""
    if not table:
        raise InputError('list at least one lever: "lever.field" = { low = …, high = … }', source=source,
                         field="levers")
    tables = base.to_dict()["levers"]
    levers: list[Lever] = []
    for key, bounds in table.items():
        where = f"levers.{key}"
        section, name = parameter(key, source, where)
        if section in ("run", "uncertainties"):
            raise InputError(f"{key} is not a lever (lever.field); uncertainties go in [scenarios], run settings in "
                             "[run]", source=source, field=where)
        spelled = f"{section}.{name}"
        kind = _kind(section, name)
        if kind not in ("int", "float"):
            raise InputError(f"{spelled} is not a number (it is {kind}); allowed: a numeric lever field",
                             source=source, field=where)
        if spelled in fixed:
            raise InputError(f"{spelled} is also in [fixed]; a lever is searched or fixed, not both", source=source,
                             field=where)
        if spelled in (lv.path for lv in levers):
            raise InputError(f"lists {spelled} twice (under two spellings)", source=source, field=where)
        if not isinstance(bounds, dict) or set(bounds) != {"low", "high"}:
            raise InputError("give a range { low = …, high = … }", source=source, field=where)
        low, high = bounds["low"], bounds["high"]
        if not all(finite_number(v) for v in (low, high)) or not low < high:
            raise InputError(f"got low = {shown(low)}, high = {shown(high)}; allowed: numbers low < high",
                             source=source, field=where)
        for end, value in (("low", low), ("high", high)):
            try:
                cfg.assign(base, {spelled: value}, source=source)
            except InputError as exc:
                raise InputError(f"at {end} = {shown(value)}: {exc.message}", source=source, field=where) from None
        cost = costs.get(spelled)
        if cost is None and costs_needed is not None:
            raise InputError(f"has no cost in {costs_needed}, which the cost objective and a budget need; allowed: "
                             f"{', '.join(costs)} (or add a row)", source=source, field=where)
        levers.append(Lever(path=spelled, kind=kind, low=float(low), high=float(high),
                            base=float(tables[section][name]),
                            yuan_per_unit=None if cost is None else cost.yuan_per_unit))
    return tuple(levers)


def _objectives(items: Any, source: str) -> tuple[Objective, ...]:
    """[[objectives]]: two or more distinct outcomes, each with its sense (a measure's better
    direction when the sense is left out)."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or len(items) < 2:
        raise InputError('give two or more [[objectives]] tables, each with outcome = "…" and sense = "min" or '
                         '"max"', source=source, field="objectives")
    allowed = [*measures("model"), COST]
    out: list[Objective] = []
    for i, item in enumerate(items):
        where = f"objectives[{i}]"
        for key in item:
            if key not in ("outcome", "sense"):
                raise InputError(suggest(key, ["outcome", "sense"]), source=source, field=f"{where}.{key}")
        outcome = item.get("outcome")
        if not isinstance(outcome, str) or outcome not in allowed:
            raise InputError(suggest(str(outcome), allowed), source=source, field=f"{where}.outcome")
        better = MEASURES[outcome].better if outcome in MEASURES else LOWER
        default = {HIGHER: "max", LOWER: "min"}.get(better)
        sense = item.get("sense", default)
        if sense not in SENSES:
            hint = " (a ratio's balance is not a direction: give one)" if better == BAND else ""
            raise InputError(f"got {shown(sense)}; allowed: 'min' or 'max'{hint}", source=source,
                             field=f"{where}.sense")
        if outcome == COST and sense != "min":
            raise InputError("cost is minimised; allowed: 'min'", source=source, field=f"{where}.sense")
        if outcome in (o.outcome for o in out):
            raise InputError(f"{outcome} is an objective twice", source=source, field=f"{where}.outcome")
        out.append(Objective(outcome, sense))
    return tuple(out)


def _budget(table: dict, source: str) -> float | None:
    for key in table:
        if key != "budget":
            raise InputError(suggest(key, ["budget"]), source=source, field=f"constraints.{key}")
    budget = table.get("budget")
    if budget is None:
        return None
    if not finite_number(budget) or budget <= 0:
        raise InputError(f"got {shown(budget)}; allowed: a number of yuan > 0", source=source,
                         field="constraints.budget")
    return float(budget)


# ---------------------------------------------------------------------------------- the search
def optimize(problem: Problem, executor, out: Path, resume: bool = False,
             evaluate: Callable[[np.ndarray], np.ndarray] | None = None,
             say: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run the search (or finish it, with ``resume``) into ``out``; return the Pareto table.

    ``executor`` is one of ``sim.batch``'s (its ``results``); ``evaluate``, if given, replaces the
    model: it maps an (n × levers) array of lever values to an (n × model objectives) array of
    their values in the user's senses (the objectives but cost, in spec order). ``say`` gets a
    line per generation.
    """
    from pymoo.core.evaluator import Evaluator
    from pymoo.problems.static import StaticProblem

    from sim.io import append_csv

    out = Path(out)
    with batch.folder_lock(out, MARKER, "optimize"):
        held = _prepare(problem, out, resume)
        path = out / "evaluations.csv"
        columns = list(problem.columns())
        written = {(g, c): key for g, c, key, _ in held}  # rows already in the file
        known: dict[str, Evaluation] = {}  # evaluations by key: the file's first, then this session's
        for _, _, key, evaluation in held:
            known.setdefault(key, evaluation)
        algorithm, space = _algorithm(problem)
        asked: list[tuple[int, int, tuple, str]] = []
        generation = 0
        runs = 0
        while algorithm.has_next():
            generation += 1
            population = algorithm.ask()
            candidates = [problem.candidate(x) for x in population.get("X")]
            keys = [candidate_key(v) for v in candidates]
            for c, key in enumerate(keys):
                if written.get((generation, c), key) != key:
                    raise InputError(f"holds another candidate {c} of generation {generation} than this search "
                                     "asks (the cost file or pymoo changed since?); choose another folder",
                                     source=str(path), field="--out")

            def record(key: str, evaluation: Evaluation, g=generation, candidates=candidates, keys=keys) -> None:
                known[key] = evaluation
                for c in (c for c, k in enumerate(keys) if k == key and (g, c) not in written):
                    append_csv(path, _frame(problem, g, c, candidates[c], key, evaluation, columns))
                    written[(g, c)] = key

            for key in dict.fromkeys(k for k in keys if k in known):
                record(key, known[key])
            todo = {k: candidates[keys.index(k)] for k in keys if k not in known}
            for key, values in todo.items():
                if note := problem.invalid(values):
                    record(key, Evaluation(tuple(math.nan for _ in problem.outcomes),
                                           dict.fromkeys(problem.scenario_columns(), math.nan), note))
            evaluated = len(todo)
            todo = {k: v for k, v in todo.items() if k not in known}
            if todo and evaluate is not None:
                _evaluate_given(problem, evaluate, todo, record)
            elif todo:
                runs += _simulate(problem, executor, todo, record)
            values, constraints = _pymoo_values(problem, candidates, [known[k] for k in keys])
            Evaluator().eval(StaticProblem(space, F=values, G=constraints), population)
            algorithm.tell(infills=population)
            asked.extend((generation, c, v, k) for c, (v, k) in enumerate(zip(candidates, keys, strict=True)))
            if say is not None:
                feasible = int((constraints <= 0).all(axis=1).sum())
                say(f"generation {generation}/{problem.generations}: {len(keys)} candidates, {evaluated} evaluated "
                    f"({len(keys) - evaluated} known), {feasible} feasible")
        evaluations = _distinct(problem, asked, known, columns)
        pareto = pareto_table(problem, evaluations)
        _write_outputs(problem, out, evaluations, pareto)
    n_failed = int(evaluations["note"].astype(bool).sum()) if len(evaluations) else 0
    pareto.attrs = {"evaluated": len(evaluations), "feasible": int(evaluations["feasible"].sum()),
                    "failed": n_failed, "runs": runs, "candidates": len(asked), "folder": str(out),
                    "over_budget": int((~evaluations["within_budget"]).sum()) if problem.budget is not None else 0}
    return pareto


def _algorithm(problem: Problem):
    """NSGA-II on the levers' box, seeded from the spec: the same spec asks the same candidates.
    The first constraint says whether the candidate's runs gave values, the second (with a
    budget) its cost over the budget, as a share of it."""
    import numpy as np
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem as Space
    from pymoo.operators.sampling.lhs import LHS
    from pymoo.termination import get_termination

    space = Space(n_var=len(problem.levers), n_obj=len(problem.objectives),
                  n_ieq_constr=1 + (problem.budget is not None),
                  xl=np.array([lv.low for lv in problem.levers]), xu=np.array([lv.high for lv in problem.levers]))
    algorithm = NSGA2(pop_size=problem.population, sampling=LHS())
    algorithm.setup(space, seed=problem.seed, termination=get_termination("n_gen", problem.generations),
                    verbose=False)
    return algorithm, space


def _pymoo_values(problem: Problem, candidates: list[tuple], evaluations: list[Evaluation]):
    """Objectives to minimise (a max objective negated) and constraints (≤ 0 feasible)."""
    import numpy as np

    values = np.zeros((len(candidates), len(problem.objectives)))
    constraints = np.zeros((len(candidates), 1 + (problem.budget is not None)))
    for i, (candidate, evaluation) in enumerate(zip(candidates, evaluations, strict=True)):
        cost = problem.cost(candidate)
        if evaluation.note:
            constraints[i, 0] = 1.0  # (its objective values stay 0: only the violation ranks it)
        else:
            by_name = {**dict(zip(problem.outcomes, evaluation.objectives, strict=True)), COST: cost}
            values[i] = [o.sign * by_name[o.outcome] for o in problem.objectives]
        if problem.budget is not None:
            constraints[i, 1] = (cost - problem.budget) / problem.budget
    return values, constraints


def _evaluate_given(problem: Problem, evaluate: Callable, todo: dict[str, tuple], record) -> None:
    """Values from a function of the lever values instead of the model."""
    import numpy as np

    x = np.array(list(todo.values()), dtype=float).reshape(len(todo), len(problem.levers))
    y = np.asarray(evaluate(x), dtype=float)
    if y.shape != (len(todo), len(problem.outcomes)):
        raise ValueError(f"evaluate gave an array of shape {y.shape}; expected {(len(todo), len(problem.outcomes))} "
                         f"(one column per objective but cost: {', '.join(problem.outcomes)})")
    empty = dict.fromkeys(problem.scenario_columns(), math.nan)
    for key, row in zip(todo, y, strict=True):
        missing = [o for o, v in zip(problem.outcomes, row, strict=True) if not math.isfinite(v)]
        note = f"evaluate gave no value of {missing[0]}" if missing else ""
        objectives = tuple(math.nan for _ in row) if note else tuple(float(v) for v in row)
        record(key, Evaluation(objectives, empty, note))


def tasks(problem: Problem, todo: dict[str, tuple]) -> Iterator:
    """The runs of the candidates ``todo`` (key → lever values): each × scenario × replication,
    run id = (candidate × scenarios + scenario) × replications + replication; the seed depends on
    the scenario and replication only (common random numbers)."""
    import numpy as np

    from sim.design import RunTask

    n_s, n_r = len(problem.scenarios), problem.replications
    for i, (key, values) in enumerate(todo.items()):
        levers = dict(zip((lv.path for lv in problem.levers), values, strict=True))
        for s, (_, uncertainties) in enumerate(problem.scenarios):
            for r in range(n_r):
                yield RunTask(run_id=(i * n_s + s) * n_r + r, point=i, replication=r,
                              values={**problem.fixed, **levers, **uncertainties}, base=problem.base,
                              seed=np.random.SeedSequence(problem.seed, spawn_key=(s * n_r + r,)), tables=("model",),
                              source=problem.source, key=f"chancheng-optimize-{problem.digest}-{key}-{s}-{r}")


def _simulate(problem: Problem, executor, todo: dict[str, tuple], record) -> int:
    """Run the candidates on the executor; record each as its last run arrives. Returns the runs."""
    import numpy as np

    from sim.analysis import outcome_per_run

    n_s, n_r = len(problem.scenarios), problem.replications
    keys = list(todo)
    per_run = np.full((len(keys), n_s, n_r, len(problem.outcomes)), np.nan)
    left = [n_s * n_r] * len(keys)
    notes = [""] * len(keys)
    runs = 0
    for result in executor.results(tasks(problem, todo)):
        i, rest = divmod(int(result.info["run_id"]), n_s * n_r)
        s, r = divmod(rest, n_r)
        if result.ok:
            per_run[i, s, r] = outcome_per_run(result.frames["model"], list(problem.outcomes), LAST_MONTHS).iloc[0]
        elif not notes[i]:
            notes[i] = f"run failed ({problem.scenarios[s][0]}, replication {r}): {result.info.get('error', '')}"
        runs += 1
        left[i] -= 1
        if left[i] == 0:
            record(keys[i], _aggregate(problem, per_run[i], notes[i]))
    if any(left):
        raise RuntimeError(f"the executor returned {runs} of {len(keys) * n_s * n_r} runs")
    return runs


def _aggregate(problem: Problem, per_run: np.ndarray, note: str) -> Evaluation:
    """A candidate's values from its runs (scenario × replication × outcome): the mean over
    replications, then the mean or the worst over scenarios."""
    import numpy as np

    by_scenario = per_run.mean(axis=1)  # scenario × outcome
    names = [name for name, _ in problem.scenarios]
    if not note and np.isnan(by_scenario).any():
        s, j = map(int, np.argwhere(np.isnan(by_scenario))[0])
        note = f"no value of {problem.outcomes[j]} over the last {LAST_MONTHS} months ({names[s]})"
    per_scenario = {f"{o}@{name}": float(by_scenario[s, j]) for j, o in enumerate(problem.outcomes)
                    for s, name in enumerate(names)} if len(names) > 1 else {}
    if note:
        return Evaluation(tuple(math.nan for _ in problem.outcomes), per_scenario, note)
    senses = {o.outcome: o.sense for o in problem.objectives}
    values = []
    for j, outcome in enumerate(problem.outcomes):
        column = by_scenario[:, j]
        if problem.aggregate == "mean":
            values.append(float(column.mean()))
        else:  # the least favourable scenario for this objective
            values.append(float(column.min() if senses[outcome] == "max" else column.max()))
    return Evaluation(tuple(values), per_scenario)


def _row(problem: Problem, generation: int, candidate: int, values: tuple, key: str,
         evaluation: Evaluation) -> dict[str, Any]:
    cost = problem.cost(values)
    row: dict[str, Any] = {"generation": generation, "candidate": candidate, "key": key,
                           **dict(zip((lv.path for lv in problem.levers), values, strict=True)),
                           **dict(zip(problem.outcomes, evaluation.objectives, strict=True)), COST: cost}
    within = problem.budget is None or cost <= problem.budget
    if problem.budget is not None:
        row["within_budget"] = within
    row["feasible"] = not evaluation.note and within
    row["note"] = evaluation.note
    return {**row, **evaluation.per_scenario}


def _frame(problem: Problem, generation: int, candidate: int, values: tuple, key: str, evaluation: Evaluation,
           columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([_row(problem, generation, candidate, values, key, evaluation)], columns=columns)


def _distinct(problem: Problem, asked: list, known: dict[str, Evaluation], columns: list[str]) -> pd.DataFrame:
    """Every distinct candidate the search asked, as first asked."""
    import pandas as pd

    first = {}
    for generation, c, values, key in asked:
        first.setdefault(key, (generation, c, values))
    rows = [_row(problem, g, c, v, key, known[key]) for key, (g, c, v) in first.items()]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("feasible", *(("within_budget",) if problem.budget is not None else ())):
        frame[column] = frame[column].astype(bool)
    return frame


def pareto_table(problem: Problem, evaluations: pd.DataFrame) -> pd.DataFrame:
    """The feasible candidates no other feasible one dominates (on every objective as good, on
    one better), sorted by the first objective."""
    import numpy as np
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    drop = ["feasible", "note", *(["within_budget"] if problem.budget is not None else [])]
    feasible = evaluations[evaluations["feasible"]]
    if feasible.empty:
        return feasible.drop(columns=drop).reset_index(drop=True)
    values = np.column_stack([o.sign * feasible[o.outcome].to_numpy(dtype=float) for o in problem.objectives])
    front = NonDominatedSorting().do(values, only_non_dominated_front=True)
    table = feasible.iloc[np.sort(front)].drop(columns=drop)
    first = problem.objectives[0]
    return table.sort_values([first.outcome, "key"], ascending=[first.sense == "min", True],
                             kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------- the folder
def _prepare(problem: Problem, out: Path, resume: bool) -> list[tuple[int, int, str, Evaluation]]:
    """Check the folder fits this search; return the candidates already in ``evaluations.csv``
    (when resuming, after trimming a torn last line)."""
    from importlib.metadata import version

    from sim.io import write_atomically, write_json

    marker = out / MARKER
    path = out / "evaluations.csv"
    if batch.holds(out, MARKER, problem.digest, "search") and path.exists() and not resume:
        raise InputError("already holds this search's evaluations; add --resume to finish (or extend) it, or "
                         "choose another folder", source=str(out), field="--out")
    rows = _read_evaluations(problem, path) if path.exists() else []
    write_json(marker, {"name": problem.name, "digest": problem.digest, "spec": problem.source,
                        "seed": problem.seed, "population": problem.population, "generations": problem.generations,
                        "replications": problem.replications, "scenarios": len(problem.scenarios),
                        "aggregate": problem.aggregate, "levers": [lv.path for lv in problem.levers],
                        "objectives": [f"{o.sense} {o.outcome}" for o in problem.objectives],
                        "budget": problem.budget, "costs": problem.costs, "pymoo": version("pymoo")})
    with named(problem.source):
        spec = Path(problem.source).read_bytes()
    write_atomically(out / "spec.toml", lambda tmp: tmp.write_bytes(spec))
    write_atomically(out / "scenario.toml", lambda tmp: cfg.save(problem.base, tmp))
    return rows


def _read_evaluations(problem: Problem, path: Path) -> list[tuple[int, int, str, Evaluation]]:
    """The complete rows of ``evaluations.csv`` (a torn last line, which a kill leaves, is trimmed
    from the file)."""
    from sim.io import write_atomically

    if not path.is_file():
        raise InputError("is not a regular file; move it aside or choose another folder", source=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is damaged (not UTF-8 text); choose another folder", source=str(path)) from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]
        kept = "".join(lines)  # (an empty file stays empty: no byte-order mark, so a header comes next)
        write_atomically(path, lambda tmp: tmp.write_text(kept, encoding="utf-8-sig" if kept else "utf-8"))
    if not lines:
        return []
    reader = csv.reader(lines)
    header = next(reader)
    if tuple(header) != problem.columns():
        raise InputError("holds other columns than this search writes; choose another folder", source=str(path))
    index = {name: i for i, name in enumerate(header)}
    scenario_columns = problem.scenario_columns()

    def number(text: str) -> float:
        return float(text) if text else math.nan

    rows = []
    for cells in reader:
        try:
            rows.append((int(cells[index["generation"]]), int(cells[index["candidate"]]), cells[index["key"]],
                         Evaluation(tuple(number(cells[index[o]]) for o in problem.outcomes),
                                    {c: number(cells[index[c]]) for c in scenario_columns}, cells[index["note"]])))
        except (ValueError, IndexError):
            raise InputError(f"holds a row that is not a candidate's ({','.join(cells)[:40]!r}); choose another "
                             "folder", source=str(path)) from None
    return rows


def _write_outputs(problem: Problem, out: Path, evaluations: pd.DataFrame, pareto: pd.DataFrame) -> None:
    from sim import plots
    from sim.io import create_folder, write_csv

    write_csv(pareto, out / "pareto.csv")
    lang = plots.setup()
    fig, _ = pareto_figure(problem, evaluations, pareto, lang)
    figures = out / "figures"
    create_folder(figures, out)
    path = figures / "pareto.png"
    tmp = figures / f".{path.stem}.tmp.png"  # (written whole, then renamed: a reader never sees half a figure)
    try:
        plots.save(fig, tmp)
        with named(path):
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------- reporting
def axis_label(name: str, sense: str, lang: str) -> str:
    """An objective's axis label with its sense; cost in million yuan."""
    from sim.outcomes import label

    if name == COST:
        text = {"zh": "成本（百万元）", "en": "cost (million yuan)"}.get(lang, "cost (million yuan) 成本（百万元）")
    else:
        text = label(name, lang)
    hint = {"max": ("越高越好", "higher is better"), "min": ("越低越好", "lower is better")}[sense]
    return f"{text} — " + {"zh": hint[0], "en": hint[1]}.get(lang, f"{hint[1]} {hint[0]}")


def pareto_figure(problem: Problem, evaluations: pd.DataFrame, pareto: pd.DataFrame, lang: str):
    """The front on the first two objectives (every feasible candidate in grey, the Pareto mixes
    on top, coloured by a third objective if there is one)."""
    import matplotlib.pyplot as plt

    def shown_values(frame, name):
        values = frame[name].to_numpy(dtype=float)
        return values / 1e6 if name == COST else values

    x, y = problem.objectives[0], problem.objectives[1]
    fig, ax = plt.subplots(figsize=(7, 5))
    feasible = evaluations[evaluations["feasible"]]
    ax.scatter(shown_values(feasible, x.outcome), shown_values(feasible, y.outcome), s=12, color="#c8c8c8",
               label={"zh": "可行方案", "en": "feasible mixes"}.get(lang, "feasible mixes 可行方案"))
    if len(pareto):
        front = pareto.sort_values(x.outcome)
        colour = problem.objectives[2] if len(problem.objectives) > 2 else None
        if colour is None:  # (with more objectives the points are a projection, not a curve)
            ax.plot(shown_values(front, x.outcome), shown_values(front, y.outcome), color="#c0392b", linewidth=0.8,
                    alpha=0.6)
        points = ax.scatter(shown_values(front, x.outcome), shown_values(front, y.outcome), s=36, zorder=3,
                            c=shown_values(front, colour.outcome) if colour else "#c0392b",
                            cmap="viridis" if colour else None,
                            label={"zh": "帕累托前沿", "en": "Pareto front"}.get(lang, "Pareto front 帕累托前沿"))
        if colour:
            fig.colorbar(points, ax=ax, label=axis_label(colour.outcome, colour.sense, lang))
    else:
        ax.text(0.5, 0.5, {"zh": "没有可行方案", "en": "no feasible mix"}.get(lang, "no feasible mix 没有可行方案"),
                transform=ax.transAxes, ha="center", va="center")
    ax.set_xlabel(axis_label(x.outcome, x.sense, lang))
    ax.set_ylabel(axis_label(y.outcome, y.sense, lang))
    ax.set_title(problem.name)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig, ax


def summary(problem: Problem, pareto: pd.DataFrame) -> str:
    """A few lines for the command line: the front's size and range, and its best mix per objective."""
    info = pareto.attrs
    counts = ""
    if "evaluated" in info:
        infeasible = info["evaluated"] - info["feasible"]
        why = ", ".join(part for part in (f"{info['failed']} with failed runs" if info["failed"] else "",
                                          f"{info['over_budget']} over budget" if info["over_budget"] else "")
                        if part)
        counts = f" of {info['evaluated']} mixes evaluated" + (f" ({infeasible} infeasible: {why})"
                                                               if infeasible else "")
    lines = [f"optimize {problem.name}: {len(pareto)} non-dominated mixes{counts}, {len(problem.scenarios)} "
             f"scenario(s) × {problem.replications} replication(s), {problem.aggregate} over scenarios"]
    if pareto.empty:
        lines.append("  no feasible mix" + (f" within the budget of {_yuan(problem.budget)}" if problem.budget else ""))
        return "\n".join(lines)
    for o in problem.objectives:
        column = pareto[o.outcome]
        best = pareto.loc[column.idxmax() if o.sense == "max" else column.idxmin()]
        mix = ", ".join(f"{lv.path}={_number(best[lv.path])}" for lv in problem.levers)
        show = _yuan if o.outcome == COST else _number
        lines.append(f"  {o.sense} {o.outcome}: {show(column.min())} – {show(column.max())}; best at {mix}"
                     + (f" (cost {_yuan(best[COST])})" if o.outcome != COST and math.isfinite(best[COST]) else ""))
    if problem.budget is not None:
        lines.append(f"  budget {_yuan(problem.budget)}; the front's dearest mix costs {_yuan(pareto[COST].max())}")
    if "folder" in info:
        lines.append(f"  → {info['folder']}/ (evaluations.csv, pareto.csv, figures/pareto.png)")
    return "\n".join(lines)


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _yuan(x: float) -> str:
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f} billion yuan"
    return f"{x / 1e6:,.1f} million yuan" if abs(x) >= 1e6 else f"{x:,.0f} yuan"
