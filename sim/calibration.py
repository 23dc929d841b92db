"""Calibration: fit the uncertain behavioural parameters to the baseline's targets.

Loss: L = Σ_goals ((simulated − target) / tolerance)², where each simulated value is the mean
over seeds of one run's statistic from month 13 on (the first year is left to settle). Every
trial runs the same seeds (common random numbers), so L is a deterministic function of the
parameters and the optimiser sees differences between parameter sets, not between draws. The
tolerance is how far off counts as one unit of misfit.

Optimiser: Nelder–Mead (scipy) on the parameters scaled to [0, 1] within their bounds (values
outside are clipped), starting from the current defaults with a first simplex a quarter of each
range wide (the loss is flat at small steps: runs are discrete), for a fixed number of evaluations.

Goals (baseline, Chengdu): mean commute ≈ 40 min and ≈ 9.5 km (public reports), 40–55% of
commutes ≤ 5 km and 10–20% over an hour (China's largest cities; the middle of each range),
unemployment ≈ 4%, 40% of employed residents working elsewhere in Chengdu (assumptions, as in
the data file), resident growth ≈ 0.7% a year (Chengdu's permanent population 2020 → 2023,
20.94 → 21.40 million) and rents rising ≈ 1% a year (assumption: they rose little in 2019–2024).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from sim import config as cfg
from sim.runner import run

PARAMETERS = (  # (parameter, lower bound, upper bound)
    ("uncertainties.job_commute_weight", 0.5, 6.0),
    ("uncertainties.search_decay", 0.0, 6.0),
    ("uncertainties.external_openings", 0.01, 0.3),
    ("uncertainties.matching_efficiency", 0.1, 1.0),
    ("uncertainties.migration_in_rate", 0.002, 0.008),
)

SIMPLEX = 0.25  # the first simplex's edge, as a share of each parameter's range


def annual_growth(model: pd.DataFrame, column: str = "residents") -> float:
    """The yearly growth rate of a column between the table's first and last month."""
    first, last = model.iloc[0], model.iloc[-1]
    years = (last["month"] - first["month"]) / 12
    return float((last[column] / first[column]) ** (1 / years) - 1) if years > 0 else 0.0


@dataclass(frozen=True)
class Goal:
    name: str
    value: float
    tolerance: float
    of: Callable[[pd.DataFrame], float]  # one run's model table from month 13 on → its statistic
    source: str

    def misfit(self, simulated: float) -> float:
        """This goal's term of the loss."""
        return ((simulated - self.value) / self.tolerance) ** 2


GOALS = (
    Goal("mean_commute_min", 40.0, 2.0, lambda m: m["mean_commute_min"].mean(), "Chengdu ≈ 40 min (public reports)"),
    Goal("mean_commute_km", 9.5, 0.75, lambda m: m["mean_commute_km"].mean(), "Chengdu ≈ 9.5 km (public reports)"),
    Goal("share_commute_le_5km", 0.475, 0.04, lambda m: m["share_commute_le_5km"].mean(),
         "40–55% in China's largest cities"),
    Goal("share_commute_gt_60min", 0.15, 0.03, lambda m: m["share_commute_gt_60min"].mean(),
         "10–20% in China's largest cities"),
    Goal("unemployment_rate", 0.04, 0.01, lambda m: m["unemployment_rate"].mean(), "assumption"),
    Goal("out_commuter_share", 0.40, 0.04, lambda m: (m["out_commuters"] / m["employed"]).mean(),
         "assumption (data file: out_commute_share)"),
    Goal("resident_growth_per_year", 0.007, 0.003, annual_growth, "Chengdu 2020 → 2023: 20.94 → 21.40 million"),
    Goal("rent_growth_per_year", 0.01, 0.01, lambda m: annual_growth(m, "rent_index"),
         "assumption: Chengdu's rents rose little in 2019–2024, ≈ 0–2% a year"),
)


def simulate(config: cfg.Config, values: dict[str, float], seeds: list[int]) -> dict[str, float]:
    """Each goal's simulated value with these parameter values: the mean over seeds."""
    trial = cfg.assign(config, values, source="calibration")
    found = {g.name: [] for g in GOALS}
    for seed in seeds:
        model = run(trial, seed).model
        settled = model[model["month"] > 12]
        for goal in GOALS:
            found[goal.name].append(float(goal.of(settled)))
    return {name: float(np.mean(v)) for name, v in found.items()}


def loss(simulated: dict[str, float]) -> float:
    return float(sum(g.misfit(simulated[g.name]) for g in GOALS))


@dataclass(frozen=True)
class Calibration:
    parameters: pd.DataFrame  # parameter, low, high, start, fitted
    fit: pd.DataFrame  # goal, target, tolerance, source, start, fitted (and each one's share of the loss)
    trials: pd.DataFrame  # every evaluation: parameter values, simulated goals, loss
    fitted: cfg.Config  # the base configuration with the fitted values


def calibrate(base: cfg.Config, seeds: list[int], evaluations: int,
              on_trial: Callable[[dict], None] | None = None) -> Calibration:
    """Fit ``PARAMETERS`` to ``GOALS`` with at most ``evaluations`` trials (each runs every seed).

    The runs need more than 24 months: the first year settles and growth needs a second.
    """
    names = [p for p, _, _ in PARAMETERS]
    low = np.array([lo for _, lo, _ in PARAMETERS])
    high = np.array([hi for _, _, hi in PARAMETERS])
    start = {p: float(getattr(base.uncertainties, cfg.parameter_path(p)[1])) for p in names}
    trials: list[dict] = []

    def objective(x: np.ndarray) -> float:
        values = dict(zip(names, (low + np.clip(x, 0, 1) * (high - low)).tolist(), strict=True))
        simulated = simulate(base, values, seeds)
        trials.append({"trial": len(trials), **values, **{f"sim.{k}": v for k, v in simulated.items()},
                       "loss": loss(simulated)})
        if on_trial is not None:
            on_trial(trials[-1])
        return trials[-1]["loss"]

    x0 = np.clip((np.array([start[p] for p in names]) - low) / (high - low), 0, 1)
    steps = np.where(x0 + SIMPLEX <= 1, SIMPLEX, -SIMPLEX)  # stay inside the bounds
    simplex = np.vstack([x0, x0 + np.diag(steps)])
    minimize(objective, x0, method="Nelder-Mead",
             options={"maxfev": evaluations, "xatol": 1e-3, "fatol": 1e-3, "initial_simplex": simplex})
    table = pd.DataFrame(trials)
    best, first = table.loc[table["loss"].idxmin()], table.iloc[0]
    parameters = pd.DataFrame([{"parameter": p, "low": lo, "high": hi, "start": start[p], "fitted": best[p]}
                               for p, lo, hi in PARAMETERS])
    fit = pd.DataFrame([{"goal": g.name, "target": g.value, "tolerance": g.tolerance, "source": g.source,
                         "start": first[f"sim.{g.name}"], "fitted": best[f"sim.{g.name}"],
                         "loss_start": g.misfit(first[f"sim.{g.name}"]),
                         "loss_fitted": g.misfit(best[f"sim.{g.name}"])} for g in GOALS])
    fitted = cfg.assign(base, {p: float(best[p]) for p in names}, source="calibration")
    return Calibration(parameters, fit, table, fitted)
