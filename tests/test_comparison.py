"""The comparison's rules on hand-built runs: verdicts by better direction, the difference table
and the contributions' interaction."""

from __future__ import annotations

import pandas as pd

from sim import comparison
from sim import config as cfg


def test_verdicts_follow_each_metrics_better_direction():
    a = [0.50, 0.52, 0.51, 0.49, 0.50]
    up = [v + 0.05 for v in a]
    assert comparison.verdict("self_containment", a, up) == "better"  # higher is better
    assert comparison.verdict("unemployment_rate", a, up) == "worse"  # lower is better
    assert comparison.verdict("self_containment", a, [v + d for v, d in zip(a, (0.01, -0.01, 0.02, -0.02, 0),
                                                                          strict=True)]) == "same"
    assert comparison.verdict("residents", a, up) == ""  # a level: no verdict


def test_the_jobs_housing_ratio_is_better_closer_to_balance_from_either_side():
    assert comparison.verdict("jobs_housing_ratio", [0.6, 0.61, 0.62], [0.8, 0.81, 0.83]) == "better"
    assert comparison.verdict("jobs_housing_ratio", [1.6, 1.61, 1.62], [1.2, 1.21, 1.23]) == "better"
    assert comparison.verdict("jobs_housing_ratio", [0.9, 0.91, 0.92], [0.6, 0.62, 0.61]) == "worse"


def _runs(values: dict[str, list[float]], months: int = 12) -> dict[str, pd.DataFrame]:
    rows = [{"seed": s, "month": m, **{k: v[s] for k, v in values.items()}}
            for s in range(len(next(iter(values.values())))) for m in range(1, months + 1)]
    model = pd.DataFrame(rows)
    zones = model.assign(zone="longtan")
    streets = model.assign(sub_area="龙潭")
    return {"model": model, "zones": zones, "streets": streets}


def test_the_difference_table_pairs_seeds_and_the_interaction_is_what_the_parts_leave():
    a = _runs({"self_containment": [0.5, 0.6, 0.55], "jobs_housing_ratio": [0.7, 0.7, 0.7]})
    b = _runs({"self_containment": [0.6, 0.7, 0.65], "jobs_housing_ratio": [0.7, 0.7, 0.7]})
    table = comparison.differences(a, b)
    row = table[(table["level"] == "district") & (table["metric"] == "self_containment")].iloc[0]
    assert abs(row["difference"] - 0.1) < 1e-12 and row["verdict"] == "better"  # paired: no seed noise left
    alone = {"x": _runs({"self_containment": [0.55, 0.65, 0.60], "jobs_housing_ratio": [0.7, 0.7, 0.7]}),
             "y": _runs({"self_containment": [0.52, 0.62, 0.57], "jobs_housing_ratio": [0.7, 0.7, 0.7]})}
    parts = comparison.contributions(a, b, alone)
    sc = parts[parts["metric"] == "self_containment"].set_index("lever")["difference"]
    assert abs(sc["interaction"] - (0.1 - 0.05 - 0.02)) < 1e-12


def test_one_lever_takes_that_lever_family_from_b_and_the_rest_from_a():
    a, b = cfg.resolve("baseline_2018"), cfg.resolve("reform_2019")
    assert "approval" in comparison.changed_levers(a, b)
    mixed = comparison.one_lever(a, b, "approval")
    assert comparison.changed_levers(mixed, b) == [n for n in comparison.changed_levers(a, b) if n != "approval"]
