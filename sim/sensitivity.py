"""Global sensitivity analysis with SALib: which lever matters most for the jobs–housing balance.

The sweep spec's factors with ranges span the problem; SALib draws the design (Morris
trajectories or Saltelli/Sobol samples); the runs go through the ordinary sweep machinery (so
they stream, resume and run on any executor), each sample point on the spec's ``replications``
seeds — the same seeds at every point (common random numbers); each run's outcome is its average
over the last 12 months, averaged over the seeds of its point; SALib turns the point means into
indices with confidence intervals. The seeds' own spread is reported beside them: ``seed_sd``
(the pooled standard deviation of an outcome between seeds at one point) and ``seed_share`` (the
share of the runs' sum of squares that is within points — seed noise — rather than between them). With
one replication, the two are empty: the indices then hold seed noise they cannot show.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.analysis import outcome_per_run
from sim.design import SweepSpec
from sim.errors import InputError

METHODS = ("morris", "sobol")


def problem(spec: SweepSpec) -> dict:
    ranged = [f for f in spec.factors if f.levels == ()]
    if len(ranged) != len(spec.factors) or len(ranged) < 2:
        raise InputError("sensitivity needs at least two factors, each a range { low = …, high = … }",
                         source=spec.source, field="factors")
    return {"num_vars": len(ranged), "names": [f.path for f in ranged], "bounds": [[f.low, f.high] for f in ranged]}


def design(spec: SweepSpec, method: str, samples: int) -> tuple[SweepSpec, np.ndarray]:
    """The sweep to run for ``method`` (one run per sample point) and its sample matrix."""
    prob = problem(spec)
    if method == "morris":
        x = morris_sample.sample(prob, N=samples, num_levels=4, seed=spec.seed)
    else:
        if samples & (samples - 1):
            raise InputError(f"{samples} is not allowed; Sobol samples must be a power of 2", field="--samples")
        x = sobol_sample.sample(prob, N=samples, calc_second_order=False, seed=spec.seed)
    points = tuple({f.path: f.value((v - f.low) / (f.high - f.low)) for f, v in zip(spec.factors, row, strict=True)}
                   for row in x)
    x = np.array([[p[f.path] for f in spec.factors] for p in points], dtype=float)  # ints rounded as run
    digest = hashlib.sha256(f"{spec.digest}-{method}-{samples}".encode()).hexdigest()[:16]
    # The same seeds at every sample point (common random numbers): differences between points are
    # the factors' effects, not seed noise.
    return dataclasses.replace(spec, name=f"{spec.name}_{method}", points=points, common_random_numbers=True,
                               digest=digest), x


def indices(spec: SweepSpec, method: str, x: np.ndarray, model: pd.DataFrame) -> pd.DataFrame:
    """``sensitivity.csv``: per outcome and factor, μ*, μ and σ (Morris) or S1 and ST (Sobol) with
    CIs, from the outcome averaged over each point's seeds; and the seeds' spread (``seed_sd``,
    ``seed_share``)."""
    prob = problem(spec)
    reps = spec.replications
    y = outcome_per_run(model, list(spec.outcomes)).reindex(range(len(x) * reps))  # run id = point × reps + rep
    rows = []
    for outcome in spec.outcomes:
        runs = y[outcome].to_numpy(dtype=float).reshape(len(x), reps)
        values = runs.mean(axis=1)
        if reps > 1:
            within = ((runs - values[:, None]) ** 2).sum()  # sums of squares: within points, and in all
            total = ((runs - runs.mean()) ** 2).sum()
            seed = {"seed_sd": float(np.sqrt(within / (runs.size - len(runs)))),
                    "seed_share": float(within / total) if total > 0 else float("nan")}
        else:
            seed = {"seed_sd": float("nan"), "seed_share": float("nan")}
        if np.isnan(values).any():
            raise InputError(f"outcome {outcome!r} has no value in the last 12 months of some runs; use a longer "
                             "horizon, a finer scale or another outcome (then --resume reuses the runs)",
                             source=spec.source, field="outcomes")
        if method == "morris":
            r = morris_analyze.analyze(prob, x, values, num_levels=4, seed=spec.seed)
            table = {k: r[k] for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
        else:
            r = sobol_analyze.analyze(prob, values, calc_second_order=False, seed=spec.seed)
            table = {k: r[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}
        for i, factor in enumerate(prob["names"]):
            rows.append({"outcome": outcome, "factor": factor, "method": method,
                         **{k: float(v[i]) for k, v in table.items()}, "replications": reps, **seed})
    return pd.DataFrame(rows)
