"""The agent panels (persons.csv, firms.csv) and Mesa's conventions (keyword constructor,
DataCollector, mesa.batch_run)."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.population import Population, panel_draw
from sim.config import Config, with_run
from sim.errors import InputError
from sim.model import IndustryCityModel
from sim.outcomes import COLUMNS, measures
from sim.runner import run


@pytest.fixture(scope="module")
def panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every person and firm of a coarse run with migration turned up, followed for 24 months."""
    config = with_run(Config(), months=24, scale=500)
    config = with_run(config, panel_persons=10**6, panel_firms=10**6)  # (all of them)
    from sim.config import assign

    config = assign(config, {"uncertainties.migration_in_rate": 0.02, "uncertainties.migration_out_rate": 0.01})
    result = run(config, seed=4)
    return result.persons, result.firms


def test_the_panel_follows_each_person_from_entry_to_exit(panel):
    persons, _ = panel
    assert list(persons.columns) == ["run_id", "scenario", "seed", "seed_spawn_key", *COLUMNS["persons"]]
    by_id = persons.groupby("person")
    # An id keeps the month it entered and how; it appears once a month, in consecutive months.
    assert by_id["entered"].nunique().eq(1).all() and by_id["entry"].nunique().eq(1).all()
    assert not persons.duplicated(["person", "month"]).any()
    span = by_id["month"].agg(["min", "max", "count"])
    assert (span["max"] - span["min"] + 1 == span["count"]).all()
    # Newcomers appear first in the month they entered, with the event; the first people at month 1.
    first = persons.loc[by_id["month"].idxmin()]
    came = first[first["entry"] != "initial"]
    assert len(came) > 50 and (came["month"] == came["entered"]).all()
    assert (came["events"].str.split().str[0] == came["entry"]).all()
    assert (first.loc[first["entry"] == "initial", "month"] == 1).all()
    # A died or left row is an id's last; the id never comes back.
    gone = persons[persons["events"].str.contains("died|left")]
    assert len(gone) > 20
    assert (gone["month"].to_numpy() == span.loc[gone["person"], "max"].to_numpy()).all()
    assert not gone["person"].duplicated().any()
    assert set(gone.loc[gone["events"].str.contains("died"), "age_band"]) == {"elderly"}


def test_panel_events_match_the_state_changes(panel):
    persons, firms = panel
    p = persons.sort_values(["person", "month"])
    same = p["person"].eq(p["person"].shift())
    moved = same & (p["sub_area"].ne(p["sub_area"].shift()) | p["tenure"].ne(p["tenure"].shift()))
    assert (moved == p["events"].str.contains("moved")).all()
    aged = same & p["age_band"].ne(p["age_band"].shift())
    assert (aged == p["events"].str.contains("came_of_age|retired")).all() and aged.sum() > 5
    assert set(p.loc[p["events"].str.contains("retired"), "age_band"]) == {"elderly"}
    changed = same & p["employer"].ne(p["employer"].shift())
    job = p["events"].str.contains("job_")
    assert (changed == job).all() and changed.sum() > 50
    assert (p.loc[p["events"].str.contains("job_lost"), "employer"] == -1).all()
    workers = p[p["employer"] != -1]
    assert (workers["commute_min"] > 0).all() and (workers["workplace"] != "").all()
    assert (p.loc[p["employer"] == -1, "wage"] == 0).all()
    f = firms.sort_values(["firm", "month"])
    assert f.groupby("firm")["entered"].nunique().eq(1).all()
    exits = f[f["events"] == "exited"]
    assert len(exits) > 0 and not exits["firm"].duplicated().any()
    relocated = f["firm"].eq(f["firm"].shift()) & f["sub_area"].ne(f["sub_area"].shift())
    assert (relocated == f["events"].str.contains("relocated")).all()


def test_the_panel_is_a_sample_and_changes_no_other_row():
    config = with_run(Config(), months=6, scale=200)
    full = run(with_run(config, panel_persons=100, panel_firms=30), seed=2)
    none = run(with_run(config, panel_persons=0, panel_firms=0), seed=2)
    month = full.persons[full.persons["month"] == 1]
    assert 60 <= len(month) <= 140  # about 100 of ~6,900 rows
    assert none.persons.empty and none.firms.empty
    for name in ("model", "streets", "zones", "od", "staffing"):
        pd.testing.assert_frame_equal(full.frames[name], none.frames[name], obj=name)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 500), st.integers(1, 3000))
def test_the_sample_keeps_its_rate_for_newcomers(size, n):
    class Things(Population):
        COLUMNS = {"x": (np.int8, 0)}

    things = Things()
    things.add(n)
    things.start_panel(size)
    assert things.panel_rate == (min(1.0, size / n) if size else 0.0)
    rows = things.add(2000)
    newcomers = things.in_panel[rows].mean()
    assert abs(newcomers - things.panel_rate) < 0.06
    things.remove(rows[:10], "left")
    assert all(len(last["id"]) for _, last in things.panel_exits)
    assert not things.in_panel[rows[:10]].any()


def test_the_panel_draw_is_uniform():
    u = panel_draw(np.arange(200_000))
    assert u.min() >= 0 and u.max() < 1
    assert np.allclose(np.histogram(u, bins=10, range=(0, 1))[0] / 200_000, 0.1, atol=0.005)


def test_keyword_parameters_make_the_scenario():
    model = IndustryCityModel(scenario="reform_2019", rng=3, **{"approval.items": 60, "run.scale": 500},
                              uncertainties__search_decay=2.5)
    assert model.config.name == "reform_2019" and model.config.levers.approval.items == 60
    assert model.config.uncertainties.search_decay == 2.5 and model.scale == 500 and model.seed == 3
    with pytest.raises(InputError, match="items"):
        IndustryCityModel(**{"approval.items": -3})
    with pytest.raises(InputError, match="did you mean"):
        IndustryCityModel(**{"approval.itemz": 3})


def test_mesa_batch_run_returns_the_district_series():
    rows = mesa.batch_run(IndustryCityModel, parameters={"approval.items": [71, 52], "run.scale": 500}, rng=[1, 2],
                          max_steps=6, data_collection_period=1, number_processes=1, display_progress=False)
    table = pd.DataFrame(rows)
    assert len(table) == 2 * 2 * 6
    assert set(measures("model")) <= set(table.columns)
    assert table.groupby(["approval.items", "seed"]).size().eq(6).all()
    assert sorted(table["seed"].unique()) == [1, 2]
    # The reporters are model.csv's rows: a run of the same scenario and seed gives the same values.
    again = run(with_run(Config(), months=6, scale=500), seed=1).model
    mine = table[(table["approval.items"] == 71) & (table["seed"] == 1)].sort_values("Step")
    np.testing.assert_allclose(mine["jobs_housing_ratio"].to_numpy(), again["jobs_housing_ratio"].to_numpy())
