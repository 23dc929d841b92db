"""Robustness of conclusions: each lever alone and the reform package against the baseline, over
what we do not know.

Parameter sets: ``sets`` draws from the posterior of the calibrated parameters (resampled by
weight, ``posterior.csv`` of ``chancheng calibrate``; the package ships one in ``sim/data``),
each completed by a Latin-hypercube draw of every other behavioural parameter from its prior
(``sim.calibration.PRIOR``): the calibration goals cannot tell those apart, so their posterior is
their prior. Every set runs the baseline, the package (``reform_2019``) and every lever alone
(``only_<lever>``) on the same seeds (common random numbers), as one sweep (``sim.batch``: any
executor, resumable). A lever's effect in a set is its paired difference from the baseline in the
last 12 months' average, averaged over the seeds.

``conclusions.csv``, per lever and headline outcome: the effect's median and 90% interval over the
sets, the share of sets in which the median's sign holds, and — where it fails in some sets — the
box of parameters in which it fails most (PRIM, EMA Workbench): its limits, coverage (the share of
the failures inside it) and density (the share of the sets inside it that fail).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim import config as cfg
from sim.calibration import Prior
from sim.design import SweepSpec
from sim.discovery import peel
from sim.errors import InputError
from sim.outcomes import HIGHER, LOWER, MEASURES
from sim.policies import LEVERS
from sim.settings import RobustnessSettings as Settings
from sim.validation import band_distance

POSTERIOR = Path(__file__).resolve().parent / "data" / "posterior.csv"
PACKAGE = "reform_2019"
BASELINE = "baseline_2018"
# (area, metric): district measures from model.csv; a zone's balance from zones.csv as the distance
# of its jobs–housing ratio from the balanced band (0 inside it: lower is better).
HEADLINES = (("district", "jobs_housing_ratio"), ("district", "balance_distance"), ("longtan", "balance_distance"),
             ("panda", "balance_distance"), ("heritage", "balance_distance"), ("district", "self_containment"),
             ("district", "mean_commute_min"),
             ("district", "excess_commuting"), ("district", "approval_days_12m"),
             ("district", "students_per_teacher_primary"), ("district", "satisfaction"))
PRIM_MIN_FAILURES = 3  # fewer failing sets than this: no box is looked for
PRIM_MIN_SIGN_SHARE = 0.75  # a sign holding in fewer sets is no conclusion: no box is looked for
NO_BOX = {"failure_region": "", "prim_coverage": np.nan, "prim_density": np.nan}


def scenarios() -> list[str]:
    return [BASELINE, PACKAGE, *(f"only_{lever}" for lever in LEVERS)]


def read_posterior(path: Path, priors: tuple[Prior, ...]) -> pd.DataFrame:
    """Accepted sets and weights; ``InputError`` naming the file and column if it is not one."""
    from sim.io import read_table

    if not path.is_file():
        raise InputError("no such file; give the posterior.csv a calibration wrote", source=str(path),
                         field="--posterior")
    table = read_table(path, ("weight",))
    names = {p.name for p in priors}
    params = [c for c in table.columns if c in names]
    if not params:
        raise InputError(f"holds no parameter column; allowed: {', '.join(sorted(names))}", source=str(path))
    weights = pd.to_numeric(table["weight"], errors="coerce")
    if weights.isna().any() or (weights < 0).any() or weights.sum() <= 0:
        raise InputError("must be numbers ≥ 0 with a positive sum", source=str(path), field="weight")
    out = table[params].apply(pd.to_numeric, errors="coerce")
    if out.isna().any().any():
        raise InputError("must be numbers", source=str(path), field=str(out.columns[out.isna().any()][0]))
    out["weight"] = weights
    return out


def parameter_sets(posterior: pd.DataFrame, priors: tuple[Prior, ...], settings: Settings) -> pd.DataFrame:
    """``sets.csv``: ``sets`` parameter sets — calibrated ones resampled from the posterior, the
    others a Latin hypercube over their priors — one row per set."""
    from scipy.stats import qmc

    rng = np.random.default_rng(settings.seed)
    w = posterior["weight"].to_numpy(dtype=float)
    rows = rng.choice(len(posterior), size=settings.sets, replace=True, p=w / w.sum())
    calibrated = [c for c in posterior.columns if c != "weight"]
    sets = posterior.iloc[rows][calibrated].reset_index(drop=True)
    rest = [p for p in priors if p.name not in calibrated]
    unit = qmc.LatinHypercube(d=len(rest), seed=rng).random(settings.sets)
    for j, p in enumerate(rest):
        sets[p.name] = p.low + unit[:, j] * (p.high - p.low)
    sets.insert(0, "set", range(settings.sets))
    sets.insert(1, "posterior_row", rows)
    return sets


def spec(settings: Settings, sets: pd.DataFrame) -> SweepSpec:
    """The sweep: every scenario × parameter set as a point, the seeds as replications (CRN)."""
    from sim.calibration import as_values

    base = cfg.with_run(cfg.resolve(BASELINE), months=settings.months, scale=settings.scale)
    names = [c for c in sets.columns if c not in ("set", "posterior_row")]
    changed = {name: cfg.lever_values(cfg.resolve(name), base) for name in scenarios()}
    # Every point names the same fields (one column each in runs.csv): the baseline's value where a
    # scenario leaves a lever field alone.
    fields = sorted({key for values in changed.values() for key in values})
    tables = base.to_dict()["levers"]
    table = {key: tables[key.split(".")[1]][key.split(".")[2]] for key in fields}
    points = []
    for name in scenarios():
        levers = {**table, **changed[name]}
        for row in sets.itertuples(index=False):
            points.append({**levers, **as_values({n: getattr(row, n) for n in names})})
    # Every point sets every uncertainty, so the base's own uncertainty defaults enter no run (and
    # adopting a new central set does not orphan a finished robustness folder).
    fixed = {k: v for k, v in base.to_dict().items() if k != "uncertainties"}
    text = json.dumps({"base": fixed, "points": points, "seeds": settings.seeds, "seed": settings.seed},
                      sort_keys=True, ensure_ascii=False, default=list)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return SweepSpec(name="robustness", source="chancheng robustness", base=base, factors=(), points=tuple(points),
                     replications=settings.seeds, seed=settings.seed, common_random_numbers=True,
                     tables=("model", "zones"), digest=digest)


def outcomes(folder: Path, settings: Settings) -> pd.DataFrame:
    """Each run's last-12-month average of every headline, with its scenario, set and seed."""
    from sim.io import read_table

    runs = read_table(folder / "runs.csv", ("run_id", "point", "replication", "status"))
    model = read_table(folder / "model.csv", ("run_id", "month"))
    zones = read_table(folder / "zones.csv", ("run_id", "month", "zone", "jobs_housing_ratio"))
    # Runs arrive in the order they finish, which differs between executors: sort, so that the
    # same runs give the same bytes out whichever executor ran them.
    model = model.sort_values(["run_id", "month"], kind="stable")
    zones = zones.sort_values(["run_id", "month", "zone"], kind="stable")
    last = model[model["month"] > settings.months - 12]
    district = last.groupby("run_id")[[m for a, m in HEADLINES if a == "district" and m in MEASURES]].mean()
    z = zones[zones["month"] > settings.months - 12].groupby(["run_id", "zone"])["jobs_housing_ratio"].mean()
    distance = band_distance(z).unstack("zone")
    for area in [a for a, _ in HEADLINES if a != "district"]:
        district[f"{area}.balance_distance"] = distance[area]
    district["balance_distance"] = band_distance(district["jobs_housing_ratio"])
    names = scenarios()
    runs = runs[runs["status"] == "ok"].set_index("run_id")
    table = district.join(runs[["point", "replication"]], how="inner")
    table["scenario"] = [names[p // settings.sets] for p in table["point"]]
    table["set"] = table["point"] % settings.sets
    return table.rename(columns={"replication": "seed"}).reset_index()


def column(area: str, metric: str) -> str:
    return metric if area == "district" else f"{area}.{metric}"


def better(metric: str) -> str:
    """"higher", "lower" or "" (a ratio judged by its distance from the band instead)."""
    if metric == "balance_distance":
        return "lower"
    return {HIGHER: "higher", LOWER: "lower"}.get(MEASURES[metric].better, "")


def effects(per_run: pd.DataFrame) -> pd.DataFrame:
    """``effects.csv``: per lever, set and headline, the paired difference from the baseline,
    averaged over seeds."""
    cols = [column(a, m) for a, m in HEADLINES]
    base = per_run[per_run["scenario"] == BASELINE].set_index(["set", "seed"])[cols]
    rows = []
    for name in scenarios()[1:]:
        mine = per_run[per_run["scenario"] == name].set_index(["set", "seed"])[cols]
        diff = (mine - base).dropna(how="all").groupby("set").mean()
        lever = "package" if name == PACKAGE else name.removeprefix("only_")
        for area, metric in HEADLINES:
            for s, value in diff[column(area, metric)].items():
                rows.append({"lever": lever, "area": area, "metric": metric, "set": int(s), "effect": float(value)})
    return pd.DataFrame(rows)


def failure_box(x: pd.DataFrame, fails: np.ndarray) -> dict[str, object]:
    """PRIM's first box for the failing sets (``sim.discovery.peel``): on its peeling trajectory,
    the densest box that still covers at least half of the failures and restricts at most
    ``sim.discovery.MAX_DIMENSIONS`` parameters."""
    if fails.sum() < PRIM_MIN_FAILURES:
        return NO_BOX
    box = peel(x, fails).box
    return {"failure_region": box.text() or "(everywhere alike)", "prim_coverage": box.coverage,
            "prim_density": box.density}


def conclusions(table: pd.DataFrame, sets: pd.DataFrame) -> pd.DataFrame:
    """``conclusions.csv``: per lever and headline, the effect's median, 90% interval, sign share
    and the parameter region where the sign fails."""
    x = sets.drop(columns=["set", "posterior_row"]).set_index(sets["set"])
    rows = []
    for (lever, area, metric), group in table.groupby(["lever", "area", "metric"], sort=False):
        v = group.set_index("set")["effect"].dropna()
        if v.empty:
            continue
        median = float(v.median())
        sign = np.sign(median)
        holds = np.sign(v.to_numpy()) == sign if sign != 0 else v.to_numpy() == 0
        direction = better(metric)
        verdict = ("better" if (median > 0) == (direction == "higher") else "worse") if direction and median else ""
        row = {"lever": lever, "area": area, "metric": metric, "better": direction, "n_sets": len(v),
               "median": median, "p05": float(v.quantile(0.05)), "p95": float(v.quantile(0.95)),
               "sign_share": float(holds.mean()), "median_is": verdict}
        row.update(failure_box(x.loc[v.index], ~holds) if row["sign_share"] >= PRIM_MIN_SIGN_SHARE else NO_BOX)
        rows.append(row)
    return pd.DataFrame(rows)
