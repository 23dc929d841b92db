"""chancheng validate and chancheng calibrate: their tables, their rules, and docs/MODEL.md's parameters."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import calibration, validation
from sim import config as cfg
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_validate_reports_every_target_with_interval_and_verdict(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--seeds", "2", "--months", "14", "--scale", "100", "--out", str(out)]) == 0
    table = pd.read_csv(out / "validation.csv", encoding="utf-8-sig")
    keys = {t.key for t in validation.targets(cfg.resolve("reform_2019"))}
    assert set(table["target"]) == keys
    assert {"approval_reform", "teachers_primary", "talent_delivered", "resettlement_occupied", "street_staff",
            "balance_longtan", "self_containment_up", "excess_commuting_down", "goal_share_commute_le_5km",
            "residents_2021"} <= keys
    assert set(table["kind"]) == set(validation.KINDS) and table["source"].notna().all()
    # A statistic with no events in a seed is left out of it: approvals are a few a year at scale
    # 100, so a 14-month run may have none; the observed figures of 2020–2024 lie beyond 14 months;
    # every other target has both seeds.
    seeds = table.set_index("target")["n_seeds"]
    approvals = seeds.index.str.startswith("approval_")
    later = seeds.index.isin([r["key"] for r in validation.read_observations()])
    assert seeds[approvals].between(0, 2).all() and (seeds[later] == 0).all()
    assert (seeds[~approvals & ~later] == 2).all()
    both = table[table["n_seeds"] == 2]
    assert (both["ci_low"] <= both["simulated_mean"]).all() and (both["simulated_mean"] <= both["ci_high"]).all()
    # A failure says what would have to change; a pass says nothing.
    assert (table["if_failed"].fillna("").eq("") == table["passed"]).all()
    printed = capsys.readouterr().out
    assert f"{table['passed'].sum()} of {len(table)} rows met" in printed
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["scenario"].unique()) == ["baseline_2018", "reform_2019"]


def test_a_target_passes_only_inside_its_bounds():
    model = pd.DataFrame({"month": [1, 2], "approval_days_12m": [200.0, 60.0]})
    pair = ({"model": model}, {"model": model})
    chosen = [t for t in validation.targets(cfg.resolve("reform_2019")) if t.key.startswith("approval_")]
    assert chosen[0].value(*pair) == 130.0  # the mean of the last 12 months
    table = validation.evaluate([pair, pair], chosen).set_index("target")
    assert not table.loc["approval_reform", "passed"]  # 130 > 90
    assert table.loc["approval_baseline", "passed"]  # 130 ≥ 120
    assert table.loc["approval_reform", "ci_low"] == table.loc["approval_reform", "ci_high"] == 130.0


def test_band_distance_is_zero_inside_and_grows_outside():
    assert validation.band_distance(1.0) == 0.0
    assert validation.band_distance(0.6) == pytest.approx(0.2)
    assert validation.band_distance(1.5) == pytest.approx(0.25)


def test_every_row_is_labelled_and_five_validations_come_from_sources_the_fit_did_not_use():
    chosen = validation.targets(cfg.resolve("reform_2019"))
    assert {t.kind for t in chosen} == set(validation.KINDS)
    fit_sources = {g.source for g in calibration.FITTED}
    independent = [t for t in chosen if t.kind == "validation" and t.source not in fit_sources
                   and "http" in t.source]
    assert len(independent) >= 5
    # The calibration goals are fit rows (the held-out ones validation), never validation twice.
    goals = {f"goal_{g.name}": ("validation" if g.held_out else "fit") for g in calibration.GOALS}
    assert {t.key: t.kind for t in chosen if t.key in goals} == goals


def test_observed_statistics_of_a_hand_built_run():
    frame = pd.DataFrame({"month": range(1, 25), "residents": [100.0] * 12 + [110.0] * 12,
                          "mean_commute_km": [13.0] * 24})
    growth = {"statistic": "growth", "column": "residents", "months": [12, 24]}
    assert validation.observed_statistic(growth, frame, 1.3) == pytest.approx(0.10)
    mean = {"statistic": "mean", "column": "mean_straight_km", "months": [1, 12]}
    assert validation.observed_statistic(mean, frame, 1.3) == pytest.approx(10.0)
    change = {"statistic": "difference", "column": "residents", "months": [13, 24], "base_months": [1, 12]}
    assert validation.observed_statistic(change, frame, 1.3) == pytest.approx(10.0)
    assert np.isnan(validation.observed_statistic({**mean, "months": [20, 30]}, frame, 1.3))  # the run is too short


@pytest.mark.parametrize(("edit", "field"), [
    (lambda r: r.update(statistic="median"), "observations[0].statistic"),
    (lambda r: r.update(column="no_such_column"), "observations[0].column"),
    (lambda r: r.update(months=[36, 23]), "observations[0].months"),
    (lambda r: r.pop("url"), "observations[0].url"),
    (lambda r: r.update(hgih=1.0), "observations[0]"),
])
def test_a_bad_observations_file_is_refused_naming_the_row_and_field(tmp_path, edit, field):
    import tomli_w

    from sim.errors import InputError, read_toml

    raw = read_toml(validation.OBSERVATIONS)
    edit(raw["observations"][0])
    path = tmp_path / "observations.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    with pytest.raises(InputError) as err:
        validation.read_observations(path)
    assert err.value.field == field and err.value.source == str(path)


def test_model_md_lists_every_behavioural_parameter_at_its_default():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\|\s*`uncertainties\.(\w+)`\s*\|\s*([^|]+?)\s*\|", text, flags=re.MULTILINE))
    defaults = cfg.Uncertainties()
    assert set(rows) == {f.name for f in fields(defaults)}
    for name, written in rows.items():
        assert np.isclose(float(written), getattr(defaults, name)), f"docs/MODEL.md: {name} = {written}"
