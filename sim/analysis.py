"""Statistics over runs: means with 95% confidence intervals and paired scenario differences.

Comparisons use common random numbers: both scenarios run on the same seeds, so each seed gives
a paired difference and the interval is a t-interval over those differences. Long tables are
keyed by run (``run_id``) with its random stream (``seed`` and ``seed_spawn_key``): runs of a
sweep on common random numbers share a seed and stay apart by run; two scenarios' runs pair by
their stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import InputError
from sim.outcomes import measures

ZONE_METRICS = ("jobs_housing_ratio", "self_containment", "internal_capture", "mean_commute_min",
                "zone_worker_commute_min", "rent_index", "coordination_days", "approval_days_mean", "zone_entries",
                "talent_apartment_residents")


def t_interval(values: pd.Series) -> tuple[float, float, float, int]:
    """Mean and 95% t-interval of the non-missing values (nan bounds for fewer than two)."""
    v = values.dropna().to_numpy(dtype=float)
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(v.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), n
    half = float(stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


RUN = ("run_id", "seed", "seed_spawn_key")  # what keys a run in a long table (those a table has)
STREAM = ("seed", "seed_spawn_key")  # a run's random numbers: what pairs two scenarios' runs


def run_keys(frame: pd.DataFrame) -> list[str]:
    return [c for c in RUN if c in frame.columns]


def long_form(model: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """District and zone metrics as one long table: run id, seed (and spawn key), month, area,
    metric, value."""
    district_metrics = [c for c in measures("model") if c in model.columns]
    keys = run_keys(model)
    district = model.melt(id_vars=[*keys, "month"], value_vars=district_metrics, var_name="metric")
    district.insert(len(keys) + 1, "area", "district")
    zone = zones.melt(id_vars=[*run_keys(zones), "month", "zone"], value_vars=list(ZONE_METRICS), var_name="metric")
    zone = zone.rename(columns={"zone": "area"})
    return pd.concat([district, zone], ignore_index=True)


def paired_differences(base: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key and metric: each scenario's mean, the mean paired difference and its 95% interval.

    ``base`` and ``other`` are long tables with ``seed`` (and ``seed_spawn_key``), ``keys``,
    ``metric`` and ``value``; a run of one pairs with the run of the other on the same random
    numbers.
    """
    on = [*[c for c in STREAM if c in base.columns and c in other.columns], *keys, "metric"]
    both = base.drop(columns="run_id", errors="ignore").merge(other.drop(columns="run_id", errors="ignore"), on=on,
                                                               suffixes=("_base", "_other"))
    both["difference"] = both["value_other"] - both["value_base"]
    rows = []
    for key, group in both.groupby([*keys, "metric"], sort=False):
        mean, lo, hi, n = t_interval(group["difference"])
        rows.append({**dict(zip([*keys, "metric"], key, strict=True)),
                     "base_mean": group["value_base"].mean(), "other_mean": group["value_other"].mean(),
                     "difference": mean, "ci_low": lo, "ci_high": hi, "n_seeds": n})
    return pd.DataFrame(rows)


def compare(base_model, base_zones, other_model, other_zones) -> pd.DataFrame:
    """``compare.csv``: per month, area (district or zone) and metric, both means and the difference."""
    table = paired_differences(long_form(base_model, base_zones), long_form(other_model, other_zones),
                               ["month", "area"])
    return table.sort_values(["area", "metric", "month"], kind="stable").reset_index(drop=True)


def last_months(frame: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """The rows of a table's last ``months`` months."""
    return frame[frame["month"] > frame["month"].max() - months]


def final_year(long: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Each run's average over the last ``months`` months, per area and metric."""
    return last_months(long, months).groupby([*run_keys(long), "area", "metric"], as_index=False,
                                             dropna=False)["value"].mean()


def headline(base_model, base_zones, other_model, other_zones, rows: list[tuple[str, str]]) -> pd.DataFrame:
    """Last-12-month averages of chosen (area, metric) pairs: both scenarios and the paired difference."""
    table = paired_differences(final_year(long_form(base_model, base_zones)),
                               final_year(long_form(other_model, other_zones)), ["area"])
    table = table.set_index(["area", "metric"])
    return table.loc[[r for r in rows if r in table.index]].reset_index()


def band(frame: pd.DataFrame, metric: str, by: str) -> pd.DataFrame:
    """Per group and month: the mean of ``metric`` across runs and its 95% interval (for bands)."""
    rows = []
    for (group, month), values in frame.groupby([by, "month"], sort=True)[metric]:
        mean, lo, hi, n = t_interval(values)
        rows.append({by: group, "month": month, "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows)


def summarize(model: pd.DataFrame, runs: pd.DataFrame, by: str) -> pd.DataFrame:
    """``summary.csv``: per design point (or scenario) and metric, the final-month value and the
    time average over the run — each as mean, sd and 95% interval across replications."""
    ok = runs.loc[runs["status"] == "ok", ["run_id", by]]
    model = model.drop(columns=[by], errors="ignore").merge(ok, on="run_id")
    metrics = [c for c in measures("model") if c in model.columns]
    final = model[model["month"] == model.groupby("run_id")["month"].transform("max")]
    per_run = {"final": final.groupby([by, "run_id"])[metrics].mean(),
               "average": model.groupby([by, "run_id"])[metrics].mean()}
    rows = []
    for statistic, table in per_run.items():
        for group, values in table.groupby(level=0):
            for metric in metrics:
                mean, lo, hi, n = t_interval(values[metric])
                rows.append({by: group, "metric": metric, "statistic": statistic, "mean": mean,
                             "sd": float(values[metric].std(ddof=1)) if n > 1 else float("nan"),
                             "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows)


def outcome_per_run(model: pd.DataFrame, outcomes: list[str], months: int = 12) -> pd.DataFrame:
    """Each run's average of the outcomes over its last ``months`` months, indexed by run id."""
    missing = [o for o in outcomes if o not in model.columns]
    if missing:
        allowed = measures("model")
        raise InputError(f"unknown outcome {missing[0]!r}; allowed: {', '.join(allowed)}", field="outcomes")
    last = model[model["month"] > model.groupby("run_id")["month"].transform("max") - months]
    return last.groupby("run_id")[outcomes].mean()
