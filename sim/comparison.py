"""A comparison of two scenarios an official can read: the difference by district, zone and street
over the last twelve months with its 95% interval and a verdict, and what each lever contributed.

Both scenarios run on the same seeds (common random numbers), so every seed gives a paired
difference. The verdict asks whether that difference is better or worse for the place beyond the
seeds' noise: *better* when the whole 95% interval of the change in "goodness" lies on the better
side, *worse* when it lies on the worse side, *same* (no clear difference) otherwise. Goodness is the
value itself for a measure where higher is better, its negative where lower is better, and for the
jobs–housing ratio — whose balanced band 0.8–1.25 is symmetric about 1 on a log scale — the
negative distance |ln r| from balance. Measures with no better direction (counts such as residents)
get no verdict.

A lever's contribution is scenario A with that lever family set as in B and everything else as
in A, on the same seeds, minus A: what the lever does alone. The interaction is what the levers
do together beyond the sum of their parts, (B − A) − Σ contributions, paired by seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import analysis
from sim import config as cfg
from sim.outcomes import BAND, HIGHER, LOWER, column

BETTER, SAME, WORSE = "better", "same", "worse"

# What the difference table holds, by level (all measured in the tables the model writes).
HEADLINE = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "excess_commuting", "approval_days_12m",
            "students_per_teacher_primary", "unemployment_rate", "satisfaction")
METRICS = {
    "district": (*HEADLINE, "residents", "jobs", "rent_index"),
    "zone": ("jobs_housing_ratio", "self_containment", "mean_commute_min", "rent_index"),
    "street": ("jobs_housing_ratio", "self_containment", "mean_commute_min", "residents", "jobs", "rent_index",
               "satisfaction"),
}
TABLE_OF = {"district": "model", "zone": "zones", "street": "streets"}
AREA_OF = {"district": None, "zone": "zone", "street": "sub_area"}
DIFFERENCE_COLUMNS = ("level", "area", "metric", "a_mean", "b_mean", "difference", "ci_low", "ci_high", "n_seeds",
                      "verdict")


def goodness(metric: str, values) -> np.ndarray:
    """The values on a scale where higher is better (see the module's text); nan without a direction."""
    v = np.asarray(values, dtype=float)
    better = column(metric).better
    if better == HIGHER:
        return v
    if better == LOWER:
        return -v
    if better == BAND:
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.abs(np.log(v))
    return np.full_like(v, np.nan)


def verdict(metric: str, a_values, b_values) -> str:
    """better / same / worse for B against A, from the seeds' paired values (see the module's text);
    '' for a measure with no better direction or fewer than two seeds with values."""
    if not column(metric).better:
        return ""
    change = pd.Series(goodness(metric, b_values) - goodness(metric, a_values))
    _, low, high, n = analysis.t_interval(change)
    if n < 2 or not np.isfinite(low):
        return ""
    return BETTER if low > 0 else WORSE if high < 0 else SAME


def _per_run(frames: dict[str, pd.DataFrame], level: str, months: int) -> pd.DataFrame:
    """Each run's average over its last ``months`` months, long: seed, area, metric, value."""
    table = frames[TABLE_OF[level]]
    metrics = [m for m in METRICS[level] if m in table.columns]
    recent = analysis.last_months(table, months)
    area = AREA_OF[level]
    keys = ["seed"] + ([area] if area else [])
    long = recent.groupby(keys, as_index=False)[metrics].mean().melt(id_vars=keys, var_name="metric")
    if area:
        return long.rename(columns={area: "area"})
    return long.assign(area="district")


def differences(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], months: int = 12) -> pd.DataFrame:
    """``differences.csv``: for each level (district, zone, street), area and metric, A's and B's
    means over the last ``months`` months, B − A with its 95% interval over the paired seeds, and the
    verdict. ``a`` and ``b`` hold the ``model``, ``zones`` and ``streets`` tables of both scenarios'
    runs on the same seeds."""
    rows = []
    for level in METRICS:
        both = _per_run(a, level, months).merge(_per_run(b, level, months), on=["seed", "area", "metric"],
                                                suffixes=("_a", "_b"))
        for (area, metric), group in both.groupby(["area", "metric"], sort=False):
            mean, low, high, n = analysis.t_interval(group["value_b"] - group["value_a"])
            rows.append({"level": level, "area": area, "metric": metric, "a_mean": group["value_a"].mean(),
                         "b_mean": group["value_b"].mean(), "difference": mean, "ci_low": low, "ci_high": high,
                         "n_seeds": n, "verdict": verdict(metric, group["value_a"], group["value_b"])})
    order = {m: i for i, m in enumerate(dict.fromkeys(m for ms in METRICS.values() for m in ms))}
    table = pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))
    table["_order"] = table["metric"].map(order)
    table["_level"] = table["level"].map({level: i for i, level in enumerate(METRICS)})
    return table.sort_values(["_level", "area", "_order"], kind="stable").drop(columns=["_order", "_level"]) \
        .reset_index(drop=True)


def changed_levers(a: cfg.Config, b: cfg.Config) -> list[str]:
    """The lever families in which B differs from A, in the order the model enacts them."""
    mine, theirs = a.to_dict()["levers"], b.to_dict()["levers"]
    return [name for name in mine if mine[name] != theirs[name]]


def one_lever(a: cfg.Config, b: cfg.Config, lever: str) -> cfg.Config:
    """A with B's setting of one lever family (named ``<A>_with_<lever>``)."""
    raw = a.to_dict()
    raw["levers"][lever] = b.to_dict()["levers"][lever]
    raw["name"] = f"{a.name}_with_{lever}"
    return cfg.from_dict(raw, source=f"{b.name}: levers.{lever}")


def contributions(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], alone: dict[str, dict[str, pd.DataFrame]],
                  months: int = 12) -> pd.DataFrame:
    """``contributions.csv``: per district headline metric, B − A and each lever's contribution alone
    (its run minus A, paired by seed) with 95% intervals and verdicts, then the interaction
    (B − A minus the contributions' sum, paired by seed)."""
    base = _per_run(a, "district", months).pivot(index="seed", columns="metric", values="value")
    total = _per_run(b, "district", months).pivot(index="seed", columns="metric", values="value")
    runs = {name: _per_run(frames, "district", months).pivot(index="seed", columns="metric", values="value")
            for name, frames in alone.items()}
    rows = []
    for metric in (m for m in HEADLINE if m in base.columns):
        parts = {"total": total[metric]} | {name: run[metric] for name, run in runs.items()}
        summed = sum((run[metric] - base[metric] for run in runs.values()), pd.Series(0.0, index=base.index))
        for lever, values in parts.items():
            mean, low, high, n = analysis.t_interval(values - base[metric])
            rows.append({"lever": lever, "metric": metric, "difference": mean, "ci_low": low, "ci_high": high,
                         "n_seeds": n, "verdict": verdict(metric, base[metric], values)})
        if runs:
            mean, low, high, n = analysis.t_interval(total[metric] - base[metric] - summed)
            rows.append({"lever": "interaction", "metric": metric, "difference": mean, "ci_low": low,
                         "ci_high": high, "n_seeds": n, "verdict": ""})
    return pd.DataFrame(rows)
