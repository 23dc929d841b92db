"""Stylised facts of the no-reform baseline, averaged over seeds (directions and ranges, not exact numbers)."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.runner import run
from tests.conftest import small

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def ten_years(baseline):
    config = small(baseline, months=120, scale=20)
    results = [run(config, seed, run_id=i) for i, seed in enumerate(SEEDS)]
    return (pd.concat([r.model for r in results]), pd.concat([r.streets for r in results]))


def test_population_jobs_and_rents_stay_stable_over_ten_years(ten_years):
    model, _ = ten_years
    by_month = model.groupby("month").mean(numeric_only=True)
    first, last = by_month.iloc[0], by_month.iloc[-1]
    for col in ("residents", "jobs", "employed"):
        assert last[col] == pytest.approx(first[col], rel=0.12), col
    assert 0.85 < last["rent_index"] < 1.3
    assert 0.02 < last["unemployment_rate"] < 0.08


def test_commutes_are_near_chengdus(ten_years):
    model, _ = ten_years
    mean = model.mean(numeric_only=True)
    assert 33 <= mean["mean_commute_min"] <= 45
    assert 7.5 <= mean["mean_commute_km"] <= 11
    assert 0.08 <= mean["share_commute_gt_60min"] <= 0.25


def test_streets_differ_in_balance_as_a_real_districts_do(ten_years):
    _, streets = ten_years
    jhr = streets[streets["month"] == 120].groupby("street")["jobs_housing_ratio"].mean()
    assert (jhr < 0.8).sum() >= 3, jhr
    assert (jhr > 1.25).sum() >= 1, jhr
