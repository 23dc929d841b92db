"""Scenario discovery (情景发现) over a finished sweep: in which region of the factors does an outcome
fall below (or rise above) a threshold?

The runs of a sweep folder (``chancheng sweep``) are the cases; a run is a *case of interest*
when its outcome — the mean over its last ``months`` months — is beyond the threshold. PRIM, the
patient rule induction method (Friedman and Fisher 1999) in EMA Workbench's implementation,
peels the factor space down to a box that holds many cases of interest (coverage: the share of
them inside the box) and few others (density: the share of the box's runs that are of interest).
Its peeling trajectory trades one against the other; the box chosen on it is the densest that
still covers half of the cases and restricts at most three factors (Bryant and Lempert 2010 ask
for boxes a reader can interpret). ``peel`` is the one PRIM wrapper of the package:
``sim.robustness`` finds its failure boxes with it too.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError

PEEL_ALPHA = 0.1  # the share of the box's runs peeled off in a step (EMA's default 0.05 takes twice the steps)
MASS_MIN = 0.05  # PRIM stops peeling at a box holding this share of the runs
MIN_COVERAGE = 0.5  # the chosen box holds at least this share of the cases of interest ...
MAX_DIMENSIONS = 3  # ... and restricts at most this many factors (more overfits a few dozen runs)
MIN_RUNS = 10  # finished runs with a value of the outcome that PRIM is asked to separate, at least
FACTOR = "factor."  # the prefix of a sweep's factor columns in runs.csv (sim.batch.execute)
POLICY = "policy"  # a policies × scenarios sweep's policy label: a categorical factor (its scenario label is not)


# ------------------------------------------------------------------------------------------ PRIM
@dataclass(frozen=True)
class Limit:
    """A factor's range: ``low``–``high`` for a number, ``levels`` for a category."""

    factor: str
    low: float = math.nan
    high: float = math.nan
    levels: tuple[str, ...] = ()
    qp: float = math.nan  # PRIM's quasi-p value of the restriction, its larger side's (one-sided binomial)

    @property
    def categorical(self) -> bool:
        return bool(self.levels)

    def text(self) -> str:
        if self.categorical:
            return f"{self.factor} ∈ {{{', '.join(self.levels)}}}"
        return f"{self.factor} ∈ [{self.low:.4g}, {self.high:.4g}]"


@dataclass(frozen=True)
class Box:
    """A box on PRIM's peeling trajectory and the factors it restricts."""

    index: int
    coverage: float  # share of the cases of interest inside the box
    density: float  # share of the box's runs that are cases of interest
    mass: float  # share of all runs inside the box
    n_runs: int
    n_cases: int
    limits: tuple[Limit, ...]  # the restricted factors only, in the factors' order

    @property
    def n_restricted(self) -> int:
        return len(self.limits)

    def text(self) -> str:
        return "; ".join(limit.text() for limit in self.limits)


@dataclass(frozen=True)
class Peeling:
    """PRIM's first box: its peeling (and pasting) trajectory, the box chosen on it, and every
    factor's full range (the first box, which holds all runs)."""

    boxes: tuple[Box, ...]
    chosen: int
    ranges: tuple[Limit, ...]

    @property
    def box(self) -> Box:
        return self.boxes[self.chosen]


def choose(boxes: tuple[Box, ...], min_coverage: float = MIN_COVERAGE, max_dimensions: int = MAX_DIMENSIONS) -> int:
    """The densest box covering at least ``min_coverage`` of the cases and restricting at most
    ``max_dimensions`` factors (the first such on a tie); the whole space (0) if there is none."""
    fit = [b for b in boxes if b.coverage >= min_coverage and b.n_restricted <= max_dimensions]
    return max(fit, key=lambda b: b.density).index if fit else 0


def peel(x: pd.DataFrame, interest: np.ndarray) -> Peeling:
    """PRIM (EMA Workbench) over the columns of ``x`` that vary, for the rows where ``interest``
    is true: numeric columns as ranges, the others (text, bool) as categories."""
    import logging
    import warnings

    varying = x.loc[:, x.nunique() > 1].reset_index(drop=True)
    for name in varying.columns:
        if not _numeric(varying[name]):
            varying[name] = varying[name].astype(str)
        elif pd.api.types.is_integer_dtype(varying[name]):
            # (EMA's pasting writes a box limit halfway between two values: an integer column
            # cannot hold it under pandas 3)
            varying[name] = varying[name].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (its optional cluster back-end's absence; a pandas deprecation inside it)
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.WARNING)
        found = prim.Prim(varying, np.asarray(interest).astype(bool), mass_min=MASS_MIN,
                          peel_alpha=PEEL_ALPHA).find_box()
    trajectory, start = found.peeling_trajectory, found.box_lims[0]
    boxes = []
    for i, lim in enumerate(found.box_lims):
        restricted = [c for c in lim.columns if (lim[c] != start[c]).any()]
        qp = found.p_values[i] if i < len(found.p_values) else {}
        row = trajectory.loc[i]
        boxes.append(Box(index=i, coverage=float(row["coverage"]), density=float(row["density"]),
                         mass=float(row["mass"]), n_runs=int(row["n"]), n_cases=int(row["k"]),
                         limits=tuple(_limit(c, lim[c], qp.get(c)) for c in restricted)))
    boxes = tuple(boxes)
    return Peeling(boxes=boxes, chosen=choose(boxes), ranges=tuple(_limit(c, start[c]) for c in start.columns))


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _limit(name: str, lim: pd.Series, qp: list[float] | None = None) -> Limit:
    """A factor's limits in a box; ``qp`` the quasi-p values of its lower and upper limit (-1: not
    restricted on that side)."""
    sides = [float(q) for q in qp or () if q >= 0]
    qp = max(sides) if sides else math.nan
    low, high = lim.iloc[0], lim.iloc[1]
    if isinstance(low, set):  # a category: the same set of levels in both rows
        return Limit(name, levels=tuple(sorted(str(v) for v in low)), qp=float(qp))
    return Limit(name, low=float(low), high=float(high), qp=float(qp))


# ------------------------------------------------------------------------------------- discover
@dataclass(frozen=True)
class Discovery:
    """Scenario discovery on one sweep: the cases of interest and PRIM's box for them."""

    folder: Path
    outcome: str
    direction: str  # "below" or "above"
    threshold: float
    months: int  # the outcome is each run's mean over its last this many months
    n_runs: int  # finished runs with a value of the outcome: the cases PRIM saw
    n_cases: int  # of which of interest
    peeling: Peeling
    left_out: tuple[tuple[str, str], ...] = ()  # (factor, why) for factors PRIM did not see

    @property
    def chosen(self) -> Box:
        return self.peeling.box


def discover(folder: Path, outcome: str, *, below: float | None = None, above: float | None = None,
             months: int = 12) -> Discovery:
    """PRIM over a sweep folder's finished runs: where the outcome's mean over the last ``months``
    months is below ``below`` (or above ``above``). ``InputError`` naming the file or option if the
    folder, the outcome or the threshold cannot give an answer."""
    from sim.analysis import outcome_per_run
    from sim.io import read_table
    from sim.outcomes import measures

    folder = Path(folder)
    direction, threshold = _threshold(below, above)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InputError(f"got {months!r}; allowed: a whole number of months ≥ 1", field="--months")
    if not folder.is_dir():
        raise InputError("no such folder; give a folder chancheng sweep wrote", source=str(folder))
    if not (folder / "runs.csv").is_file() or not (folder / "model.csv").is_file():
        raise InputError("holds no runs.csv and model.csv; give a folder chancheng sweep wrote", source=str(folder))
    runs_path, model_path = folder / "runs.csv", folder / "model.csv"
    runs = read_table(runs_path, ("run_id", "status"))
    model = read_table(model_path, ("run_id", "month"))
    allowed = [m for m in measures("model") if m in model.columns]
    if outcome not in allowed:
        raise InputError(f"unknown outcome {outcome!r}; allowed: {', '.join(allowed)}", source=str(model_path),
                         field="--outcome")
    if not pd.api.types.is_numeric_dtype(model[outcome]):
        raise InputError("must be numbers; give a folder chancheng sweep wrote", source=str(model_path), field=outcome)
    factors = [c for c in runs.columns if c.startswith(FACTOR)]
    if not factors:
        raise InputError("has no factor.* columns (not a sweep's runs); give a folder chancheng sweep wrote",
                         source=str(runs_path))

    ok = runs[runs["status"] == "ok"].drop_duplicates("run_id").set_index("run_id")
    values = outcome_per_run(model[model["run_id"].isin(ok.index)], [outcome], months)[outcome].dropna()
    if len(values) < MIN_RUNS:
        raise InputError(f"has {len(values)} finished run(s) with a value of {outcome}; PRIM needs at least "
                         f"{MIN_RUNS}", source=str(runs_path))
    x = ok.loc[values.index, factors].rename(columns=lambda c: c.removeprefix(FACTOR))
    if POLICY in ok.columns and ok[POLICY].notna().any():
        x[POLICY] = _labels(runs_path, POLICY).loc[values.index]
    x, left_out = _factors(x)
    if x.shape[1] < 1:
        why = "; ".join(f"{name} ({reason})" for name, reason in left_out)
        raise InputError(f"no factor varies across the finished runs ({why}); PRIM needs at least one",
                         source=str(runs_path))

    interest = (values < threshold) if direction == "below" else (values > threshold)
    k, n = int(interest.sum()), len(values)
    if k in (0, n):
        raise InputError(f"PRIM needs some runs inside and some outside: {k} of {n} runs are {direction} "
                         f"{threshold:g} ({outcome} ranges from {values.min():.4g} to {values.max():.4g} over the "
                         "runs); give a threshold inside that range", field=f"--{direction}")
    months = min(months, int(model["month"].max()))  # (a shorter run is averaged whole)
    # (Rows in run-id order, as outcome_per_run groups them: the same runs give the same box whichever
    # order the executor finished them in.)
    peeling = peel(x, interest.to_numpy())
    return Discovery(folder=folder, outcome=outcome, direction=direction, threshold=threshold, months=months,
                     n_runs=n, n_cases=k, peeling=peeling, left_out=tuple(left_out))


def _labels(path: Path, name: str) -> pd.Series:
    """A label column of runs.csv as written, by run id (read again as text: a policy named "None"
    or "NA" is a name, not a missing value)."""
    table = pd.read_csv(path, usecols=["run_id", name, "status"], dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    table = table[table["status"] == "ok"].drop_duplicates("run_id")
    return table.set_index(table["run_id"].astype(int))[name]


def _threshold(below: float | None, above: float | None) -> tuple[str, float]:
    if (below is None) == (above is None):
        raise InputError("give one of --below X or --above X (the runs of interest are those beyond X)",
                         field="--below/--above")
    direction, value = ("below", below) if below is not None else ("above", above)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InputError(f"got {value!r}; allowed: a finite number", field=f"--{direction}")
    return direction, float(value)


def _factors(x: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The factors PRIM can use and those left out, with why."""
    left_out = []
    for name in x.columns:
        if x[name].isna().any():
            left_out.append((name, "missing in some runs"))
        elif x[name].nunique() < 2:
            left_out.append((name, "the same in every run"))
    return x.drop(columns=[name for name, _ in left_out]), left_out


# ---------------------------------------------------------------------------------------- output
def boxes_table(discovery: Discovery) -> pd.DataFrame:
    """``boxes.csv``: one row per box on the trajectory and factor it restricts (one row with no
    factor for a box that restricts none); ``levels`` for a category, ``low``–``high`` for a number."""
    rows = []
    for box in discovery.peeling.boxes:
        head = {"box": box.index, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                "n_runs": box.n_runs, "n_cases": box.n_cases, "n_restricted": box.n_restricted}
        chosen = box.index == discovery.peeling.chosen
        for limit in box.limits or (None,):
            rows.append({**head, **_limit_row(limit), "chosen": chosen})
    return pd.DataFrame(rows, columns=["box", "coverage", "density", "mass", "n_runs", "n_cases", "n_restricted",
                                       "factor", "low", "high", "levels", "qp", "chosen"])


def ranges_table(discovery: Discovery) -> pd.DataFrame:
    """Every factor PRIM saw with its full range, and the chosen box's range of it."""
    chosen = {limit.factor: limit for limit in discovery.chosen.limits}
    rows = []
    for full in discovery.peeling.ranges:
        box = chosen.get(full.factor, full)
        rows.append({"factor": full.factor, "restricted": full.factor in chosen, "full_low": full.low,
                     "full_high": full.high, "full_levels": "|".join(full.levels), "low": box.low,
                     "high": box.high, "levels": "|".join(box.levels)})
    return pd.DataFrame(rows)


def _limit_row(limit: Limit | None) -> dict[str, object]:
    if limit is None:
        return {"factor": "", "low": math.nan, "high": math.nan, "levels": "", "qp": math.nan}
    return {"factor": limit.factor, "low": limit.low, "high": limit.high, "levels": "|".join(limit.levels),
            "qp": limit.qp}


def _limit_json(limit: Limit) -> dict[str, object]:
    return {"levels": list(limit.levels)} if limit.categorical else {"low": limit.low, "high": limit.high}


def _number(value: float) -> float | None:
    """A number for JSON (which has no nan)."""
    return value if math.isfinite(value) else None


def record(discovery: Discovery) -> dict[str, object]:
    """``discovery.json``: what was asked, how many runs answered, and the chosen box."""
    box = discovery.chosen
    return {
        "sweep": str(discovery.folder),
        "outcome": discovery.outcome,
        "direction": discovery.direction,
        "threshold": discovery.threshold,
        "months": discovery.months,
        "n_runs": discovery.n_runs,
        "n_cases": discovery.n_cases,
        "factors": {r.factor: _limit_json(r) for r in discovery.peeling.ranges},
        "left_out": dict(discovery.left_out),
        "prim": {"peel_alpha": PEEL_ALPHA, "mass_min": MASS_MIN, "trajectory_boxes": len(discovery.peeling.boxes),
                 "rule": f"the densest box with coverage ≥ {MIN_COVERAGE} restricting ≤ {MAX_DIMENSIONS} factors"},
        "chosen": {"box": box.index, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                   "n_runs": box.n_runs, "n_cases": box.n_cases,
                   "limits": {limit.factor: {**_limit_json(limit), "qp": _number(limit.qp)} for limit in box.limits}},
    }


def default_folder(folder: Path, outcome: str) -> Path:
    return Path(folder) / f"discovery_{outcome}"


def write(discovery: Discovery, out: Path | None = None) -> Path:
    """``boxes.csv``, ``discovery.json`` and two figures into ``out`` (default
    ``DIR/discovery_<outcome>/``), each file atomically; return ``out``."""
    from datetime import UTC, datetime
    from importlib.metadata import version

    from sim import plots
    from sim.io import create_folder, metadata, write_csv, write_json

    started = datetime.now(UTC)
    out = default_folder(discovery.folder, discovery.outcome) if out is None else Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", source=str(out), field="--out")
    create_folder(out / "figures", out)
    boxes = boxes_table(discovery)
    write_csv(boxes, out / "boxes.csv")
    info = record(discovery)
    write_json(out / "discovery.json", {**info, "provenance": metadata(
        started, ema_workbench=version("ema_workbench"), outputs=["boxes.csv", "discovery.json",
                                                                  "figures/discovery_tradeoff.png",
                                                                  "figures/discovery_box.png"])})
    lang = plots.setup()
    figures = plots.discovery_figures(boxes, ranges_table(discovery), discovery.outcome,
                                      f"{discovery.direction} {discovery.threshold:g}", lang)
    for name, (fig, _) in figures.items():
        plots.save(fig, out / "figures" / f"discovery_{name}.png")
    return out


def summary(discovery: Discovery) -> str:
    """A few lines for the command line: the cases of interest, the chosen box and its ranges."""
    box = discovery.chosen
    lines = [f"{discovery.outcome} {discovery.direction} {discovery.threshold:g} (mean of the last "
             f"{discovery.months} months): {discovery.n_cases} of {discovery.n_runs} runs"]
    share = discovery.n_cases / discovery.n_runs
    if box.n_restricted == 0:
        lines.append(f"no box covering {MIN_COVERAGE:.0%} of them and restricting at most {MAX_DIMENSIONS} factors "
                     f"is denser than the whole design ({share:.2f}): they are spread over it")
    else:
        lines.append(f"box {box.index} of PRIM's {len(discovery.peeling.boxes)}: coverage {box.coverage:.2f}, "
                     f"density {box.density:.2f} (against {share:.2f} overall), {box.n_runs} runs")
        full = {r.factor: r for r in discovery.peeling.ranges}
        for limit in box.limits:
            of = full[limit.factor]
            whole = f"{{{', '.join(of.levels)}}}" if of.categorical else f"[{of.low:.4g}, {of.high:.4g}]"
            lines.append(f"  {limit.text()}   (of {whole}; quasi-p {limit.qp:.2g})")
    if discovery.left_out:
        lines.append("left out: " + "; ".join(f"{name} ({why})" for name, why in discovery.left_out))
    return "\n".join(lines)
