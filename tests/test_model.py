"""Properties of the real model that must always hold, and the read-only individual view."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.residents import NO_JOB, Residents
from sim.agents.street import Street
from sim.agents.zone import ZoneCommittee
from sim.categories import WORKING
from sim.config import Config, override
from sim.geography import load_district
from sim.model import IndustryCityModel
from sim.runner import run
from tests.conftest import small


def check_month(model: IndustryCityModel) -> None:
    res, f = model.residents, model.firms
    alive = res.alive
    employed = alive & (res.employer != NO_JOB)
    # Only working-age members of the labour force hold jobs.
    assert np.all(res.age[employed] == WORKING)
    assert np.all(res.active[employed])
    assert np.count_nonzero(employed) <= np.count_nonzero(alive & (res.age == WORKING))
    # Jobs point at live firms.
    at_firm = alive & (res.employer >= 0)
    assert f.alive[res.employer[at_firm]].all()
    # Occupancy never exceeds capacity, by street and tenure.
    streets = model.streets
    assert np.all(streets.occupancy() <= streets.housing + 1e-6), (streets.occupancy(), streets.housing)
    # The aggregates the residents keep current equal a full recount.
    census, workers, commute, od = res.recount(f.capacity)
    alive = np.flatnonzero(res.alive)
    assert (res.census == census).all()
    kept_workers, _ = res.firm_counts(f.capacity)
    assert (kept_workers == workers).all()
    assert np.allclose(res.commute[alive], commute) and (res.od[alive] == od).all()
    assert (res.od_count[1:] == np.bincount(od, minlength=len(res.od_count))[1:]).all()
    assert list(res.long_commutes) == [np.count_nonzero(res.commute_km[alive] > 5.0),
                                       np.count_nonzero(res.commute[alive] > 45.0),
                                       np.count_nonzero(res.commute[alive] > 60.0)]
    labour = res.alive & res.active
    by_skill = [np.bincount(res.home[labour & (res.talent == t)], minlength=res.n_streets) for t in (False, True)]
    assert (res.labour_by_home() == np.column_stack(by_skill)).all()
    at = alive[res.employer[alive] >= 0]
    zone = res.area_zone[res.home[at]]
    near = res.talent[at] & (zone >= 0) & (zone == res.area_zone[res.work_area[at]])
    assert (res.talent_near[: f.capacity] == np.bincount(res.employer[at][near], minlength=f.capacity)).all()
    assert np.allclose(res.commute_sum[: f.capacity], np.bincount(res.employer[alive][res.employer[alive] >= 0],
                                                                  weights=res.commute[alive][res.employer[alive] >= 0],
                                                                  minlength=f.capacity), atol=1e-3)
    # Private firms hold no more than their posts; in-commuters are never negative.
    filled = f.filled(kept_workers)
    private = f.alive & ~f.public
    assert np.all(filled[private] <= f.target[private])
    assert np.all(f.incommuters >= 0)
    # Out-commuters work in an outside area, everyone else with a job in a street.
    outside = res.employer[alive] == -2
    assert (res.work_area[alive][outside] >= model.district.ext).all()
    assert (res.work_area[alive][~outside & (res.employer[alive] >= 0)] < model.district.ext).all()


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**31), relocation=st.floats(0.0, 0.05), out_rate=st.floats(0.0, 0.01),
       in_rate=st.floats(0.0, 0.01))
def test_people_are_conserved_and_bounds_hold(seed, relocation, out_rate, in_rate):
    config = override(small(months=6, scale=100), [
        f"uncertainties.relocation_rate={relocation}", f"uncertainties.migration_out_rate={out_rate}",
        f"uncertainties.migration_in_rate={in_rate}",
    ])
    model = IndustryCityModel(config, seed)
    before = model.residents.count * model.scale
    for _ in range(6):
        model.step()
        check_month(model)
        row = model.recorder.model_rows[-1]
        after = row["residents"]
        assert after == before + row["births"] + row["in_migrants"] - row["deaths"] - row["out_migrants"]
        before = after
    frame = pd.DataFrame(model.recorder.model_rows)
    assert (frame["t_min"] <= frame["t_obs"] + 1e-9).all()
    assert (frame["t_obs"] <= frame["t_max"] + 1e-9).all()
    assert (frame["employed"] <= frame["working_age"]).all()


def test_reform_levers_keep_the_bounds():
    """The same properties with every lever pulled at once (deliveries, displacement, staff moves)."""
    from sim.config import resolve

    config = small(resolve("reform_2019"), months=14, scale=100) if _has_reform() else None
    if config is None:
        pytest.skip("reform_2019 scenario not present yet")
    model = IndustryCityModel(config, 3)
    for _ in range(14):
        model.step()
        check_month(model)


def _has_reform() -> bool:
    from sim.config import builtin_scenarios

    return "reform_2019" in builtin_scenarios()


def test_a_resident_and_a_firm_can_be_inspected_read_only():
    model = IndustryCityModel(small(months=1), 0)
    row = int(model.residents.rows()[0])
    person = model.residents.view(row)
    assert set(person) >= {"home", "age", "talent", "employer", "wage", "tenure", "satisfaction"}
    with pytest.raises(TypeError):
        person["wage"] = 1.0  # type: ignore[index]
    firm = model.firms.view(int(model.firms.rows()[0]))
    assert firm["target"] >= 1
    with pytest.raises(IndexError):
        model.residents.view(model.residents.capacity + 5)


def test_month_and_date_advance():
    model = IndustryCityModel(small(months=3), 0)
    assert model.month == 0
    model.step()
    model.step()
    assert model.month == 2
    assert model.date.strftime("%Y-%m") == "2019-02"


def test_outputs_are_in_persons_whatever_the_scale():
    # (averaged over seeds: at 100 persons a row, firm rows of the few-firm sectors are lumpy)
    coarse = sum(run(small(months=2, scale=100), seed).model.iloc[-1][["residents", "jobs"]] for seed in range(4)) / 4
    fine = sum(run(small(months=2, scale=25), seed).model.iloc[-1][["residents", "jobs"]] for seed in range(4)) / 4
    assert coarse["residents"] == pytest.approx(fine["residents"], rel=0.03)
    assert coarse["jobs"] == pytest.approx(fine["jobs"], rel=0.05)


def test_the_baseline_scenario_file_is_the_defaults():
    """baseline_2018.toml names nothing but its run settings, which are the defaults: every lever
    off, every uncertainty at its default."""
    from sim.config import resolve

    assert resolve("baseline_2018") == replace(Config(), description=resolve("baseline_2018").description)


def test_streets_and_committees_are_read_only_mesa_agents_over_the_tables():
    model = IndustryCityModel(small(months=1), 0)
    streets = list(model.agents_by_type[Street])
    committees = list(model.agents_by_type[ZoneCommittee])
    assert [s.name for s in streets] == list(model.district.street_names)
    assert [c.key for c in committees] == [z.key for z in model.district.zones]
    first = streets[0]
    assert first.rent == model.streets.rent[0] and first.residents == model.streets.residents()[0]
    with pytest.raises(ValueError):
        first.housing[0] = 0.0  # a view: the table changes only through its methods
    model.streets.deliver(0, 0, 100.0)
    assert first.housing[0] == model.streets.housing[0, 0]
    assert committees[0].coverage() == pytest.approx(model.zones.coverage(0.0)[0, committees[0].streets])


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.floats(0.0, 1.0)), min_size=1, max_size=12))
def test_persistent_ids_are_unique_and_never_reused(events):
    """Rows are recycled for newcomers; ids are not: every individual ever added has its own."""
    pop = Residents(np.zeros((3, 3)), np.zeros((3, 3)), 2)
    rng = np.random.default_rng(0)
    seen: set[int] = set()
    for n, leave in events:
        rows = pop.add(n, home=np.zeros(n, dtype=np.int8), age=np.full(n, WORKING))
        new = set(pop.id[rows].tolist())
        assert not new & seen and len(new) == n
        seen |= new
        alive = pop.rows()
        pop.remove(alive[rng.random(len(alive)) < leave])
        assert (pop.id[pop.alive] >= 0).all() and (pop.id[~pop.alive] == -1).all()


def test_od_holds_in_and_out_commuters_by_outside_area():
    result = run(small(months=12), 0)
    od, model = result.od, result.model
    d = load_district()
    last = od[od["month"] == 12]
    names = [a.name for a in d.outside]
    into = last[last["origin"].isin(names)].groupby("origin")["commuters"].sum()
    out = last[last["destination"].isin(names)].groupby("destination")["commuters"].sum()
    assert set(into.index) == set(out.index) == set(names) and (into > 0).all() and (out > 0).all()
    assert not (last["origin"].isin(names) & last["destination"].isin(names)).any()
    month = model[model["month"] == 12].iloc[0]
    assert into.sum() == pytest.approx(month["in_commuters"]) and out.sum() == pytest.approx(month["out_commuters"])
