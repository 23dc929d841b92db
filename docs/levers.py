"""Each lever alone against the baseline: the table of docs/MODEL.md §8.3 (``make lever-table``).

Runs ``baseline_2018`` and every ``only_<lever>`` scenario on the same seeds (common random
numbers) for ten years and writes, per lever and outcome, the mean paired difference of the
last 12 months' average with its 95% interval to ``docs/levers.csv``; ``make docs`` turns that
file into the table (``markdown``), with one sentence per lever on the channel that carries its
effect (the lever's ``mechanism``).

    python docs/levers.py [--seeds 5] [--months 120] [--scale 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from sim import analysis
from sim.config import resolve, with_run
from sim.io import write_csv
from sim.outcomes import label
from sim.policies import LEVERS
from sim.runner import run

CSV = Path(__file__).resolve().parent / "levers.csv"
ROWS = [("district", "jobs_housing_ratio"), ("longtan", "jobs_housing_ratio"), ("district", "self_containment"),
        ("district", "mean_commute_min"), ("district", "excess_commuting"), ("district", "satisfaction")]
# The district measure each lever's channel acts on first (shown beside its mechanism).
CHANNEL = {"approval": "approval_days_12m", "zone_alignment": "resolution_days", "committee": "zone_entries",
           "industrial_space": "jobs", "talent_apartments": "talent_apartment_residents",
           "resettlement": "village_residents", "street_staff": "resolution_days",
           "smart_governance": "resolution_days", "quota_pool": "students_per_teacher_primary",
           "hospital_merger": "hospital_minutes", "public_facilities": "kindergarten_waiting",
           "park_city": "satisfaction", "transport": "mean_commute_min"}


def one(task: tuple[str, int, int, int]) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    name, seed, months, scale = task
    result = run(with_run(resolve(name), months=months, scale=scale), seed)
    return name, result.model, result.zones


def simulate(seeds: int, months: int, scale: int, workers: int) -> pd.DataFrame:
    names = ["baseline_2018", *(f"only_{lever}" for lever in LEVERS)]
    tasks = [(name, seed, months, scale) for name in names for seed in range(seeds)]
    frames: dict[str, list] = {name: [] for name in names}
    with ProcessPoolExecutor(workers) as pool:
        for name, model, zones in pool.map(one, tasks):
            frames[name].append((model, zones))
    base_model, base_zones = (pd.concat(parts) for parts in zip(*frames["baseline_2018"], strict=True))
    rows = []
    for lever in LEVERS:
        model, zones = (pd.concat(parts) for parts in zip(*frames[f"only_{lever}"], strict=True))
        table = analysis.headline(base_model, base_zones, model, zones,
                                  list(dict.fromkeys([*ROWS, ("district", CHANNEL[lever])])))
        table.insert(0, "lever", lever)
        rows.append(table)
    out = pd.concat(rows, ignore_index=True)
    out.insert(1, "seeds", seeds)
    out.insert(2, "months", months)
    out.insert(3, "scale", scale)
    return out


def cell(table: pd.DataFrame, lever: str, area: str, metric: str) -> str:
    """``+d [low, high]``, bold where the interval excludes 0."""
    row = table[(table["lever"] == lever) & (table["area"] == area) & (table["metric"] == metric)].iloc[0]
    scale = max(abs(row["difference"]), abs(row["ci_low"]), abs(row["ci_high"]))
    digits = 4 if scale < 1 else 2 if scale < 100 else 0
    text = f"{row['difference']:+.{digits}f} [{row['ci_low']:+.{digits}f}, {row['ci_high']:+.{digits}f}]"
    return f"**{text}**" if row["ci_low"] > 0 or row["ci_high"] < 0 else text


def markdown() -> str:
    """The table of docs/MODEL.md §8.3 from ``docs/levers.csv`` (``make docs``)."""
    table = pd.read_csv(CSV)
    first = table.iloc[0]
    head = [f"{label(metric, 'en')}{' (' + area + ')' if area != 'district' else ''}" for area, metric in ROWS]
    lines = [f"Each lever alone minus the baseline: mean paired difference of the last 12 months' average over "
             f"{first['seeds']} seeds ({first['months']} months at scale {first['scale']}), 95% interval in "
             f"brackets; **bold** where the interval excludes 0.",
             "",
             "| lever | " + " | ".join(head) + " | its channel's measure | channel |",
             "|---|" + "---|" * len(ROWS) + "---|---|"]
    for lever, cls in LEVERS.items():
        cells = [cell(table, lever, area, metric) for area, metric in ROWS]
        channel = f"{label(CHANNEL[lever], 'en')}: {cell(table, lever, 'district', CHANNEL[lever])}"
        lines.append(f"| `{lever}` {cls.label} | " + " | ".join(cells) + f" | {channel} | {cls.mechanism} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    write_csv(simulate(args.seeds, args.months, args.scale, args.workers), CSV)
    sys.stdout.write(f"{CSV}: written\n")


if __name__ == "__main__":
    main()
