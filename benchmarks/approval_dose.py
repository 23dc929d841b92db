"""The approval reform's dose–response: fewer approval items → approval days → floor space → jobs.

    python benchmarks/approval_dose.py [--seeds 10] [--months 60] [--scale 20] [--items 71 52 30]

Runs ``baseline_2018`` with each number of approval items (the rest of the 2018 regime) on the
same seeds (common random numbers) and prints, per dose, the means by year 5 and each dose's
paired difference from the first with its 95% interval: approval working days of the building
projects approved (all, and by use), floor space delivered, private projects withdrawn, and jobs
in the last 12 months.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from sim.analysis import t_interval
from sim.config import override, resolve, with_run
from sim.runner import run

USES = ("office", "factory", "shop", "housing")


def one(task: tuple[int, int, int, int]) -> dict:
    items, seed, months, scale = task
    config = override(with_run(resolve("baseline_2018"), months=months, scale=scale),
                      [f"levers.approval.items={items}"])
    r = run(config, seed)
    p = r.projects[r.projects["month_approved"] > 0]
    return {"items": items, "seed": seed, "days": p["approval_days"].mean(),
            **{f"days_{u}": p[p["use"] == u]["approval_days"].mean() for u in USES},
            "delivered_m2": r.model["floor_space_delivered"].sum(), "withdrawn": r.model["project_withdrawals"].sum(),
            "jobs": r.model[r.model["month"] > months - 12]["jobs"].mean()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--items", type=int, nargs="+", default=[71, 52, 30])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = [(items, seed, args.months, args.scale) for items in args.items for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        table = pd.DataFrame(list(pool.map(one, tasks)))
    first = table[table["items"] == args.items[0]].set_index("seed")
    columns = [c for c in table.columns if c not in ("items", "seed")]
    print(f"{args.seeds} seeds × {args.months} months at scale {args.scale}; difference from {args.items[0]} items, "
          "mean [95% interval]")
    print(f"{'':>16}" + "".join(f"{items:>26}" for items in args.items))
    for column in columns:
        cells = []
        for items in args.items:
            dose = table[table["items"] == items].set_index("seed")
            mean = dose[column].mean()
            if items == args.items[0]:
                cells.append(f"{mean:>26,.1f}")
            else:
                d, lo, hi, _ = t_interval(dose[column] - first[column])
                cells.append(f"{f'{d:+,.1f} [{lo:+,.1f}, {hi:+,.1f}]':>26}")
        print(f"{column:>16}" + "".join(cells))


if __name__ == "__main__":
    main()
