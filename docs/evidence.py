"""docs/MODEL.md §8's tables from the shipped evidence (``make docs``; ``make evidence`` reruns it all).

The files in ``docs/evidence/`` are copied there by ``make calibrate``, ``make validate`` and
``make robustness`` from the commands' output folders; each function below turns some of them
into a markdown table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.outcomes import label

EVIDENCE = Path(__file__).resolve().parent / "evidence"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(EVIDENCE / name, encoding="utf-8-sig")


def number(x: float) -> str:
    if pd.isna(x):
        return "—"
    a = abs(x)
    return f"{x:.3g}" if a < 1 else f"{x:.4g}" if a < 1000 else f"{x:,.0f}"


def calibration() -> str:
    """Screening, posterior, trade-offs, generations and the posterior predictive."""
    screening = read("screening.csv")
    parameters = read("parameters.csv")
    pairs = read("pairs.csv")
    generations = read("generations.csv")
    predictive = read("predictive.csv")
    reach = (screening[~screening["held_out"]].groupby("parameter")
             .agg(reach=("mu_star_tolerances", "max"), selected=("selected", "first")))
    goal = (screening[~screening["held_out"]].sort_values("mu_star_tolerances")
            .groupby("parameter").tail(1).set_index("parameter")["goal"])
    reach = reach.join(goal).sort_values("reach", ascending=False)
    lines = [f"**Screening** (Morris, {len(screening) // max(screening['goal'].nunique(), 1)} parameters): the "
             f"largest μ* over the fitted goals in units of the goal's tolerance; {int(reach['selected'].sum())} "
             "reach 1 and are calibrated. Parameters with no path to the goals score 0; those with one but "
             "little effect 0.2–0.5 (the noise of a perturbed run on the same seed).", "",
             "| parameter | largest μ* / tolerance | on goal | calibrated |", "|---|---|---|---|"]
    for name, row in reach.iterrows():
        if row["reach"] >= 0.3 or row["selected"]:
            lines.append(f"| `{name}` | {row['reach']:.2f} | {row['goal']} | {'yes' if row['selected'] else ''} |")
    rest = [n for n, r in reach.iterrows() if r["reach"] < 0.3 and not r["selected"]]
    lines += ["", f"Below 0.3 tolerances (their posterior is their prior): {', '.join(f'`{n}`' for n in rest)}.", ""]
    last = generations.iloc[-1]
    lines += [f"**Posterior** (ABC-SMC, {len(generations)} generations of {int(last['accepted'])} accepted sets; "
              f"{int(generations['evaluations'].sum()):,} evaluations; final threshold {last['epsilon']:.3g} "
              f"tolerances, acceptance {last['acceptance']:.2f} in the last generation):", "",
              "| parameter | prior | posterior median [90%] | central set (the default) | prior narrowed by | note |",
              "|---|---|---|---|---|---|"]
    for row in parameters.itertuples():
        note = f"at its {row.at_bound} bound" if isinstance(row.at_bound, str) and row.at_bound else ""
        lines.append(f"| `{row.parameter}` | [{number(row.prior_low)}, {number(row.prior_high)}] | "
                     f"{number(row.median)} [{number(row.p05)}, {number(row.p95)}] | {number(row.central)} | "
                     f"{row.shrinkage:.0%} | {note} |")
    trade = pairs[pairs["trade_off"]].sort_values("correlation", key=abs, ascending=False)
    lines += ["", "**Trade-offs** (pairs whose weighted correlation in the posterior is |r| ≥ 0.5: the goals "
              "constrain a combination of them, not each): "
              + ("; ".join(f"`{r.parameter_a}` and `{r.parameter_b}` (r = {r.correlation:+.2f})"
                           for r in trade.itertuples()) or "none") + ".", "",
              "**Goals: the posterior's predictive median and 90% interval** (each accepted set's value):", "",
              "| goal | target ± tolerance | posterior median [90%] | within tolerance | |", "|---|---|---|---|---|"]
    for row in predictive.itertuples():
        lines.append(f"| {row.goal} | {number(row.target)} ± {number(row.tolerance)} | {number(row.median)} "
                     f"[{number(row.p05)}, {number(row.p95)}] | {'yes' if row.within_tolerance else '**no**'} | "
                     f"{'held out (not fitted)' if row.held_out else 'fitted'} |")
    return "\n".join(lines)


KIND_TITLES = {"check": "Checks (what the scenario puts in arrives — accounting, not evidence)",
               "fit": "Calibration fit (the goals the parameters were fitted to)",
               "validation": "Validation (figures neither fitted nor given as input)",
               "claim": "Claims tested (the source article's directions for its own reform)"}


def validation() -> str:
    table = read("validation.csv")
    n = int(table["n_seeds"].max())
    lines = [f"`chancheng validate` on {n} seeds: {int(table['passed'].sum())} of {len(table)} rows met.", ""]
    for kind, title in KIND_TITLES.items():
        rows = table[table["kind"] == kind]
        lines += [f"**{title}**: {int(rows['passed'].sum())} of {len(rows)} met.", "",
                  "| row | simulated [95% CI] | target | result |", "|---|---|---|---|"]
        for row in rows.itertuples():
            ci = "" if pd.isna(row.ci_low) else f" [{number(row.ci_low)}, {number(row.ci_high)}]"
            lines.append(f"| {row.what} | {number(row.simulated_mean)}{ci} | {row.target_value} | "
                         f"{'pass' if row.passed else '**FAIL**'} |")
        lines.append("")
    return "\n".join(lines).rstrip()


def conclusions() -> str:
    table = read("conclusions.csv")
    metrics = list(dict.fromkeys(zip(table["area"], table["metric"], strict=True)))

    def head(area: str, metric: str) -> str:
        name = "distance from the balanced band" if metric == "balance_distance" else label(metric, "en")
        return name + ("" if area == "district" else f" ({area})")

    lines = ["Each cell: the effect against the baseline, median [90% interval] over the parameter sets, and "
             "the share of sets with the median's sign; **bold** where that share is at least 90% (a robust "
             "sign).", "", "| lever | " + " | ".join(head(a, m) for a, m in metrics) + " |",
             "|---|" + "---|" * len(metrics)]
    for lever, rows in table.groupby("lever", sort=False):
        cells = []
        for area, metric in metrics:
            r = rows[(rows["area"] == area) & (rows["metric"] == metric)].iloc[0]
            text = f"{number(r['median'])} [{number(r['p05'])}, {number(r['p95'])}] {r['sign_share']:.0%}"
            cells.append(f"**{text}**" if r["sign_share"] >= 0.9 and r["median"] != 0 else text)
        lines.append(f"| `{lever}` | " + " | ".join(cells) + " |")
    fails = table[table["failure_region"].fillna("") != ""]
    lines += ["", "**Where a conclusion fails** (PRIM: the box of parameters holding at least half of the sets in "
              "which the sign is reversed, with the share of the reversals it covers and the share of its sets "
              "reversed):", ""]
    for r in fails.itertuples():
        lines.append(f"- `{r.lever}`, {head(r.area, r.metric)} (sign holds in {r.sign_share:.0%}): "
                     f"{r.failure_region} — coverage {r.prim_coverage:.0%}, density {r.prim_density:.0%}")
    return "\n".join(lines)
