"""Checks, fit, validation and claims: what the model reproduces, labelled by what kind of evidence it is.

baseline_2018 and reform_2019 run on the same seeds (common random numbers). Each row is a
statistic per seed — a level, or the reform's difference from the baseline — summarised as a
mean with a 95% interval over seeds and compared with its band. Four kinds (``KINDS``):

- **check**: what the scenario puts in arrives (places, staff, m², the approval regime's days) —
  accounting, not evidence that the model is right;
- **fit**: a calibration goal (``sim.calibration.GOALS``), with the fit the posterior reached;
- **validation**: an observed figure the model was neither fitted to nor given as input
  (``sim/data/observations.toml``, each with its source), and the goals held out of the fit;
- **claim**: a direction the source article claims for its own reform, tested.

A failed row is reported as failed, with what would have to change; nothing is tuned to pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import last_months, t_interval
from sim.config import Config
from sim.errors import InputError
from sim.geography import load_district
from sim.outcomes import BALANCED_BAND as BAND
from sim.outcomes import HIGHER, MEASURES

KINDS = ("check", "fit", "validation", "claim")


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    target: str  # the target in words
    low: float  # pass when low ≤ mean ≤ high
    high: float
    value: Callable[[dict, dict], float]  # (baseline run, reform run) tables of one seed → the statistic
    mechanism: str
    if_failed: str
    kind: str = "check"
    source: str = "the scenario's own levers"


def last_year(frame: pd.DataFrame, column: str) -> float:
    return float(last_months(frame)[column].mean())


def at_end(frame: pd.DataFrame, column: str) -> float:
    return float(frame[frame["month"] == frame["month"].max()][column].mean())


def improves(metric: str) -> tuple[str, float, float]:
    """A reform − baseline difference in ``metric``'s better direction (``sim.outcomes``):
    the target in words and its bounds."""
    return ("> 0", 0.0, np.inf) if MEASURES[metric].better == HIGHER else ("< 0", -np.inf, 0.0)


def band_distance(ratio):
    """How far a jobs–housing ratio (a number or an array) lies outside the balanced band (0 inside)."""
    return np.maximum(np.maximum(BAND[0] - ratio, ratio - BAND[1]), 0.0)


def zone_last_year(zones: pd.DataFrame, zone: str, column: str) -> float:
    return last_year(zones[zones["zone"] == zone], column)


def targets(reform: Config) -> list[Target]:
    d = load_district(reform.run.data)
    lv = reform.levers
    talent_places = lv.talent_apartments.floor_m2 / d.space.talent_apartment_m2_per_resident
    resettlement_places = lv.resettlement.units * d.population.persons_per_household
    out = [
        Target("approval_reform", "approval days under the reform (last 12 months)", "≤ 90 working days", 0, 90,
               lambda b, r: last_year(r["model"], "approval_days_12m"),
               "items × days per item (online saves part) + departments × hand-over days (one window saves part) "
               "+ coordination while zones cover streets partly",
               "fewer items or departments, or a larger online/one-window saving (sim/data approvals)",
               kind="check", source="source's 90 days; the data file's items, days and departments come from it"),
        Target("approval_baseline", "approval days before the reform (last 12 months)", "well above 90 (≥ 120)",
               120, np.inf, lambda b, r: last_year(b["model"], "approval_days_12m"),
               "the pre-reform regime: 71 items, 24 departments, partial zone coverage",
               "more days per item or department, or more coordination days (sim/data approvals)",
               kind="check", source="source: the pre-reform regime (data file [approvals])"),
    ]
    for level, figure in (("primary", 16.44), ("junior", 13.71), ("senior", 10.44)):
        out.append(Target(
            f"teachers_{level}", f"{level} students per teacher under the reform (last 12 months)",
            f"1:{figure} ± 10% (source)", figure * 0.9, figure * 1.1,
            lambda b, r, level=level: last_year(r["model"], f"students_per_teacher_{level}"),
            "enrolled pupils / teachers in post: quotas at the national standard at the start, then the "
            "abolished institutions' quotas, the turnover pool's loans and headcount posts where units fall short",
            "the start's quotas above the standard (sim/data staffing.school_quota_fill, not public) or a "
            "headcount rule aiming below the standard (the source's ratios are better than the standard)",
            kind="claim", source="source article: the ratios it reports after its reform"))
    out += [
        Target("talent_delivered", "talent-apartment places delivered by the end", f"{talent_places:,.0f} places "
               "(37万 m²)", talent_places * 0.99, talent_places * 1.01,
               lambda b, r: at_end(r["model"], "talent_apartment_places"),
               "the lever's deliveries over its ramp", "the lever's ramp or start"),
        Target("talent_occupied", "talent apartments occupied at the end", "≥ 80% of places", 0.8, 1.0,
               lambda b, r: at_end(r["model"], "talent_apartment_residents")
               / max(at_end(r["model"], "talent_apartment_places"), 1.0),
               "eligible talent of zone firms apply — residents and in-commuters — and choose by rent, commute "
               "and amenity", "a larger rent discount, wider eligibility or apartments nearer the zones' jobs"),
        Target("resettlement_delivered", "resettlement places added by the end", f"{resettlement_places:,.0f} "
               "places (7631 units)", resettlement_places * 0.99, resettlement_places * 1.01,
               lambda b, r: float(r["model"]["resettlement_delivered"].sum()),
               "the lever's deliveries over its ramp", "the lever's ramp or start"),
        Target("resettlement_occupied", "resettlement housing occupied at the end", "≥ 90%", 0.9, 1.0,
               lambda b, r: at_end(r["model"], "occupancy_resettlement"),
               "households whose homes are cleared or renewed are rehoused in resettlement units first",
               "more households cleared per unit, or units sited where the cleared households live"),
        Target("space_jobs", "jobs in the streets given factories and offices, reform − baseline (last 12 m)",
               "> 0 (the space is used)", 0.0, np.inf,
               lambda b, r: (last_year(r["streets"][r["streets"]["sub_area"].isin(lv.industrial_space.streets)]
                                       .groupby("month", as_index=False)["jobs"].sum(), "jobs")
                             - last_year(b["streets"][b["streets"]["sub_area"].isin(lv.industrial_space.streets)]
                                         .groupby("month", as_index=False)["jobs"].sum(), "jobs")),
               "free floor space draws firm entry and lets firms grow and zone firms open",
               "stronger firm entry response to space (uncertainties.max_space_pull)"),
        Target("street_staff", "staff added to the streets by the end", "≥ 90 (source: 90+)", 90 - 1e-6, np.inf,
               lambda b, r: at_end(r["model"], "street_staff") - at_end(b["model"], "street_staff"),
               "district-organ quotas moved to the street governments (the staffing ledger)", "the lever's staff"),
    ]
    for zone in d.zones:
        out.append(Target(
            f"balance_{zone.key}", f"{zone.name_en}: distance of its jobs–housing ratio from 0.8–1.25, "
            "reform − baseline (last 12 months)", "< 0 (toward balance)", -np.inf, 0.0,
            lambda b, r, z=zone.key: (band_distance(zone_last_year(r["zones"], z, "jobs_housing_ratio"))
                                      - band_distance(zone_last_year(b["zones"], z, "jobs_housing_ratio"))),
            "zone jobs from approvals, space and committees; zone residents from talent apartments, "
            "resettlement and amenity",
            "for a job-poor zone, more zone jobs (space, leads) or fewer new homes there; for a job-rich one, "
            "more homes near its jobs", kind="claim", source="source article: the reform brings zones toward balance"))
    out += [
        Target("self_containment_up", "district self-containment, reform − baseline (last 12 months)",
               *improves("self_containment"), lambda b, r: last_year(r["model"], "self_containment")
               - last_year(b["model"], "self_containment"),
               "more local jobs near homes and homes near jobs", "stronger distance preference in job search",
               kind="claim", source="source article: 职住平衡 improves"),
        Target("excess_commuting_down", "excess commuting E, reform − baseline (last 12 months)",
               *improves("excess_commuting"), lambda b, r: last_year(r["model"], "excess_commuting")
               - last_year(b["model"], "excess_commuting"),
               "E falls when observed commutes approach the minimum the homes and jobs allow",
               "more job switching toward nearer jobs (on-the-job search) or moving nearer work",
               kind="claim", source="source article: 职住平衡 improves"),
    ]
    return out + fits() + observed(d)


def fits() -> list[Target]:
    """The calibration goals on the baseline's settled months (``sim.calibration``): fit rows, and
    the held-out goals as validation rows (the posterior predicts them; they were not fitted)."""
    from sim.calibration import GOALS

    out = []
    for g in GOALS:
        held = "held out of the calibration: " if g.held_out else ""
        out.append(Target(
            f"goal_{g.name}", f"{held}{g.name} in the baseline (months 13 on)", f"{g.value:g} ± {g.tolerance:g}",
            g.value - g.tolerance, g.value + g.tolerance,
            lambda b, r, g=g: g.of(b["model"][b["model"]["month"] > 12]),
            "predicted by the posterior, not fitted" if g.held_out else "a calibration goal: the posterior's fit",
            "the behavioural parameters that move it (docs/MODEL.md §8.1: screening.csv), or the goal's figure",
            kind="validation" if g.held_out else "fit", source=g.source))
    return out


OBSERVATIONS = Path(__file__).resolve().parent / "data" / "observations.toml"
STATISTICS = ("growth", "mean", "difference")
OBSERVATION_KEYS = ("key", "what", "figure", "statistic", "column", "months", "base_months", "low", "high", "band",
                    "source", "url", "excerpt", "if_failed")
DERIVED = ("mean_straight_km",)


def read_observations(path: Path = OBSERVATIONS) -> list[dict]:
    """The observed figures (``observations.toml``), checked; ``InputError`` names the row and field."""
    from sim.errors import finite_number, read_toml
    from sim.outcomes import measures
    from sim.params import suggest

    rows = read_toml(path).get("observations")
    if not isinstance(rows, list) or not rows:
        raise InputError("needs [[observations]] tables", source=str(path), field="observations")
    columns = (*measures("model"), *DERIVED)
    keys = set()
    for i, row in enumerate(rows):
        where = f"observations[{i}]"
        unknown = [k for k in row if k not in OBSERVATION_KEYS]
        if unknown:
            raise InputError(suggest(unknown[0], list(OBSERVATION_KEYS)), source=str(path), field=where)
        for name in ("key", "what", "figure", "band", "source", "url", "excerpt", "if_failed"):
            if not isinstance(row.get(name), str) or not row[name].strip():
                raise InputError("is missing or not text", source=str(path), field=f"{where}.{name}")
        if row["key"] in keys:
            raise InputError(f"{row['key']!r} is used twice; allowed: a key of its own", source=str(path),
                             field=f"{where}.key")
        keys.add(row["key"])
        if row.get("statistic") not in STATISTICS:
            raise InputError(f"{row.get('statistic')!r} is not allowed; allowed: {', '.join(STATISTICS)}",
                             source=str(path), field=f"{where}.statistic")
        if row.get("column") not in columns:
            raise InputError(f"{row.get('column')!r} is not allowed; allowed: a column of model.csv or "
                             f"{', '.join(DERIVED)}", source=str(path), field=f"{where}.column")
        spans = ("months", "base_months") if row["statistic"] == "difference" else ("months",)
        for span in spans:
            value = row.get(span)
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(m, int) and not isinstance(m, bool)
                                                                        and m >= 1 for m in value)
                    and value[0] <= value[1]):
                raise InputError(f"{value!r} is not allowed; allowed: [first, last] months, 1 ≤ first ≤ last",
                                 source=str(path), field=f"{where}.{span}")
        if not (finite_number(row.get("low")) and finite_number(row.get("high")) and row["low"] <= row["high"]):
            raise InputError("allowed: numbers with low ≤ high", source=str(path), field=f"{where}.low/high")
    return rows


def observed_statistic(row: dict, frame: pd.DataFrame, circuity: float) -> float:
    """One reform run's value of an observation's statistic (nan when the run is too short)."""
    if row["column"] == "mean_straight_km":
        frame = frame.assign(mean_straight_km=frame["mean_commute_km"] / circuity)
    values = frame.set_index("month")[row["column"]]

    def mean(span):
        part = values.loc[span[0]:span[1]]
        return float(part.mean()) if len(part) == span[1] - span[0] + 1 else float("nan")

    if row["statistic"] == "growth":
        first, last = row["months"]
        if last not in values.index or first not in values.index:
            return float("nan")
        return float(values.loc[last] / values.loc[first] - 1)
    if row["statistic"] == "mean":
        return mean(row["months"])
    return mean(row["months"]) - mean(row["base_months"])


def observed(district) -> list[Target]:
    """Validation rows: the reform scenario (what happened) against figures observed since 2019."""
    circuity = district.commute.circuity
    return [Target(row["key"], row["what"], f"{row['figure']} ({row['band']})", row["low"], row["high"],
                   lambda b, r, row=row: observed_statistic(row, r["model"], circuity),
                   "not fitted and not an input: an outcome of the whole model",
                   row["if_failed"], kind="validation",
                   source=f"{row['source']} — {row['url']} «{row['excerpt']}»") for row in read_observations()]


def evaluate(pairs: list[tuple[dict, dict]], chosen: list[Target]) -> pd.DataFrame:
    """``validation.csv``: each target's mean and 95% interval over seeds, and pass or fail."""
    rows = []
    for target in chosen:
        values = pd.Series([target.value(b, r) for b, r in pairs], dtype=float)
        mean, lo, hi, n = t_interval(values)
        passed = bool(target.low <= mean <= target.high) if n else False
        rows.append({"kind": target.kind, "target": target.key, "what": target.label, "simulated_mean": mean,
                     "ci_low": lo, "ci_high": hi, "n_seeds": n, "target_value": target.target, "passed": passed,
                     "mechanism": target.mechanism, "if_failed": "" if passed else target.if_failed,
                     "source": target.source})
    return pd.DataFrame(rows)
