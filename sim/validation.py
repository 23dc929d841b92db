"""Validation: how well the model reproduces what the Chenghua source reports, and how plausible
its baseline is for Chengdu.

baseline_2018 and reform_2019 run on the same seeds (common random numbers). Each target is a
statistic per seed — a level, or the reform's difference from the baseline — summarised as a
mean with a 95% interval over seeds and compared with the target. A failed target is reported
as failed, with what would have to change; nothing is tuned to pass here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import last_months, t_interval
from sim.config import Config
from sim.geography import load_district
from sim.outcomes import BALANCED_BAND as BAND
from sim.outcomes import HIGHER, MEASURES


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


def last_year(frame: pd.DataFrame, column: str) -> float:
    return float(last_months(frame)[column].mean())


def at_end(frame: pd.DataFrame, column: str) -> float:
    return float(frame[frame["month"] == frame["month"].max()][column].mean())


def improves(metric: str) -> tuple[str, float, float]:
    """A reform − baseline difference in ``metric``'s better direction (``sim.outcomes``):
    the target in words and its bounds."""
    return ("> 0", 0.0, np.inf) if MEASURES[metric].better == HIGHER else ("< 0", -np.inf, 0.0)


def band_distance(ratio: float) -> float:
    return max(BAND[0] - ratio, 0.0, ratio - BAND[1])


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
               "fewer items or departments, or a larger online/one-window saving (sim/data approvals)"),
        Target("approval_baseline", "approval days before the reform (last 12 months)", "well above 90 (≥ 120)",
               120, np.inf, lambda b, r: last_year(b["model"], "approval_days_12m"),
               "the pre-reform regime: 71 items, 24 departments, partial zone coverage",
               "more days per item or department, or more coordination days (sim/data approvals)"),
    ]
    for level, figure in (("primary", 16.44), ("junior", 13.71), ("senior", 10.44)):
        out.append(Target(
            f"teachers_{level}", f"{level} students per teacher under the reform (last 12 months)",
            f"1:{figure} ± 10% (source)", figure * 0.9, figure * 1.1,
            lambda b, r, level=level: last_year(r["model"], f"students_per_teacher_{level}"),
            "enrolled pupils / teachers in post: quotas at the national standard at the start, then the "
            "abolished institutions' quotas, the turnover pool's loans and headcount posts where units fall short",
            "the start's quotas above the standard (sim/data staffing.school_quota_fill, not public) or a "
            "headcount rule aiming below the standard (the source's ratios are better than the standard)"))
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
            "more homes near its jobs"))
    out += [
        Target("self_containment_up", "district self-containment, reform − baseline (last 12 months)",
               *improves("self_containment"), lambda b, r: last_year(r["model"], "self_containment")
               - last_year(b["model"], "self_containment"),
               "more local jobs near homes and homes near jobs", "stronger distance preference in job search"),
        Target("excess_commuting_down", "excess commuting E, reform − baseline (last 12 months)",
               *improves("excess_commuting"), lambda b, r: last_year(r["model"], "excess_commuting")
               - last_year(b["model"], "excess_commuting"),
               "E falls when observed commutes approach the minimum the homes and jobs allow",
               "more job switching toward nearer jobs (on-the-job search) or moving nearer work"),
        Target("commute_min", "mean commute in the baseline (all months)", "35–45 min (Chengdu ≈ 40)", 35, 45,
               lambda b, r: float(b["model"]["mean_commute_min"].mean()),
               "job and home choice trade wage and cost against commute hours", "the commute weights or the "
               "commute matrix (sim/data)"),
        Target("commute_km", "mean commute in the baseline (all months)", "8–11 km (Chengdu ≈ 9.5)", 8, 11,
               lambda b, r: float(b["model"]["mean_commute_km"].mean()), "as above", "the commute matrix"),
        Target("commute_le_5km", "commutes ≤ 5 km in the baseline (all months)", "40–55% (largest Chinese cities)",
               0.40, 0.55, lambda b, r: float(b["model"]["share_commute_le_5km"].mean()),
               "local job search (search decay) and within-street trips",
               "a stronger search decay or shorter within-street distances"),
        Target("commute_gt_60min", "commutes > 60 min in the baseline (all months)", "10–20%", 0.10, 0.20,
               lambda b, r: float(b["model"]["share_commute_gt_60min"].mean()),
               "out-commuting to the rest of Chengdu and personal distance factors",
               "the outside areas' distances or shares of the openings"),
    ]
    return out


def evaluate(pairs: list[tuple[dict, dict]], chosen: list[Target]) -> pd.DataFrame:
    """``validation.csv``: each target's mean and 95% interval over seeds, and pass or fail."""
    rows = []
    for target in chosen:
        values = pd.Series([target.value(b, r) for b, r in pairs], dtype=float)
        mean, lo, hi, n = t_interval(values)
        passed = bool(target.low <= mean <= target.high) if n else False
        rows.append({"target": target.key, "what": target.label, "simulated_mean": mean, "ci_low": lo,
                     "ci_high": hi, "n_seeds": n, "target_value": target.target, "passed": passed,
                     "mechanism": target.mechanism, "if_failed": "" if passed else target.if_failed})
    return pd.DataFrame(rows)
