"""How much the "三个三分之一" effect depends on the assumed pre-reform split of committee time.

    python benchmarks/committee_split.py [--seeds 5] [--months 60] [--scale 20] [--before 0.4 0.5 0.6]

The source gives the committees' new split (a third each on attraction, construction and
coordination), not the old one; the model's default (0.5 / 0.3 / 0.2, the committee lever's
defaults) is an assumption. For each assumed pre-reform attraction share a (construction and
coordination sharing the rest 60 : 40, as in the default), this runs ``baseline_2018`` with the
committee at that split and at a third each on the same seeds (common random numbers), and
prints the paired difference (thirds − before) with its 95% interval: zone firm entries over the
run, the zones' coordination days and zone firms' jobs in the last 12 months, and the district
jobs–housing ratio.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from sim.analysis import t_interval
from sim.config import override, resolve, with_run
from sim.runner import run

THIRD = 1 / 3


def one(task: tuple[float, bool, int, int, int]) -> dict:
    before, thirds, seed, months, scale = task
    split = (THIRD, THIRD, THIRD) if thirds else (before, (1 - before) * 0.6, (1 - before) * 0.4)
    config = override(with_run(resolve("baseline_2018"), months=months, scale=scale),
                      [f"levers.committee.{k}_share={v}" for k, v in zip(("attraction", "construction", "coordination"),
                                                                         split, strict=True)])
    r = run(config, seed)
    last = r.zones[r.zones["month"] > months - 12]
    return {"before": before, "thirds": thirds, "seed": seed, "zone_entries": r.model["zone_entries"].sum(),
            "coordination_days": last["coordination_days"].mean(),
            "zone_firm_jobs": last.groupby("month")["zone_firm_jobs"].sum().mean(),
            "jobs_housing_ratio": r.model[r.model["month"] > months - 12]["jobs_housing_ratio"].mean()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--before", type=float, nargs="+", default=[0.4, 0.5, 0.6])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = [(b, t, seed, args.months, args.scale) for b in args.before for t in (False, True)
             for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        table = pd.DataFrame(list(pool.map(one, tasks)))
    columns = ["zone_entries", "coordination_days", "zone_firm_jobs", "jobs_housing_ratio"]
    print(f"{args.seeds} seeds × {args.months} months at scale {args.scale}; a third each minus the pre-reform "
          "split, mean [95% interval]")
    print(f"{'before (attraction)':>22}" + "".join(f"{c:>30}" for c in columns))
    for b in args.before:
        old = table[(table["before"] == b) & ~table["thirds"]].set_index("seed")
        new = table[(table["before"] == b) & table["thirds"]].set_index("seed")
        cells = []
        for c in columns:
            d, lo, hi, _ = t_interval(new[c] - old[c])
            digits = 4 if c == "jobs_housing_ratio" else 1
            cells.append(f"{f'{d:+,.{digits}f} [{lo:+,.{digits}f}, {hi:+,.{digits}f}]':>30}")
        split = f"{b:.2f}/{(1 - b) * 0.6:.2f}/{(1 - b) * 0.4:.2f}"
        print(f"{split:>22}" + "".join(cells))


if __name__ == "__main__":
    main()
