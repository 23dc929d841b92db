"""The staffing ledger (编制): quotas are conserved, every staffing lever re-allocates them, and the
units' capacities follow their staff.

Rules on the ledger alone (no model); the balance as a property over random lever values; the
levers' channels and dose–responses as directions over seeds (95% intervals of paired
differences on common random numbers), never exact numbers.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import t_interval
from sim.categories import APPROVAL_STAFF, CENTRE, EDUCATION_HEALTH, INSTITUTIONS, ORGANS, SCHOOL_UNIT, STREET
from sim.config import override, resolve
from sim.geography import load_district
from sim.initial import build_staffing
from sim.model import IndustryCityModel
from sim.processes import services
from sim.runner import run
from tests.conftest import small

SEEDS = 5
MONTHS = 24


def ledger():
    return build_staffing(load_district())


# ---------------------------------------------------------------------------------- the ledger's rules
def test_moves_loans_abolition_and_merger_keep_the_total():
    led = ledger()
    total = led.total
    streets = led.rows(STREET)
    taken = led.take_pro_rata(led.rows(ORGANS), 90.0)
    led.move(led.rows(ORGANS), taken, streets, np.full(len(streets), 90.0 / len(streets)))
    freed = led.abolish(240.0, institutions=9)
    assert freed == pytest.approx(240.0) and led.reserve == pytest.approx(240.0)
    schools = led.rows(SCHOOL_UNIT)
    led.allocate(schools, np.ones(len(schools)), 240.0)
    assert led.reserve == pytest.approx(0.0)
    lent = led.lend(led.lender, schools[:3], np.ones(3), 50.0, due=12)
    assert lent == pytest.approx(50.0) and led.on_loan == pytest.approx(50.0)
    led.merge_hospital(led.n_hospitals - 1)
    assert led.check() == [] and led.quotas.sum() == pytest.approx(total)
    assert led.return_loans(11) == 0.0 and led.return_loans(12) == pytest.approx(50.0)
    assert led.on_loan == pytest.approx(0.0, abs=1e-9) and led.check() == []


def test_a_move_must_give_what_it_takes_and_nobody_gives_more_than_they_hold():
    led = ledger()
    with pytest.raises(ValueError):
        led.move(led.rows(ORGANS), [10.0], led.rows(CENTRE), [11.0])
    held = led.quotas[led.rows(INSTITUTIONS)].sum()
    assert led.abolish(held + 1000.0) == pytest.approx(held)  # no more than the institutions hold
    assert led.lend(led.lender, led.rows(SCHOOL_UNIT)[:1], [1.0], 10.0, due=5) == 0.0  # nothing left to lend
    assert led.check() == []


def test_headcount_stays_within_its_budget_and_goes_to_education_and_health_only():
    led = ledger()
    led.need[:] = led.staff * 1.5  # everybody short
    plan = led.headcount_plan()
    assert (plan[~np.isin(led.kind, EDUCATION_HEALTH)] == 0).all()
    budget = 100 * led.headcount_cost
    led.set_headcount(plan, budget)
    assert led.headcount.sum() == pytest.approx(100.0)
    assert led.check() == []
    # "basic + headcount (more)" fills a unit's gap; "quota + headcount (less)" adds at most 10%.
    more = led.headcount_plan()
    assert np.allclose(more[led.rows(SCHOOL_UNIT)], 0.5 * led.quotas[led.rows(SCHOOL_UNIT)])
    led.need[:] = led.quotas * 1.05
    less = led.headcount_plan()
    assert np.allclose(less[led.rows(SCHOOL_UNIT)], 0.05 * led.quotas[led.rows(SCHOOL_UNIT)])


def test_a_merged_hospital_s_doctors_join_its_successor_and_its_site_closes():
    led = ledger()
    d = load_district()
    last = led.n_hospitals - 1
    into = [h.name for h in d.hospitals].index(d.hospitals[last].merge_into)
    before = led.doctors.copy()
    assert led.merge_hospital(last) == into
    assert led.doctors[last] == 0 and led.doctors[into] == pytest.approx(before[into] + before[last])
    assert not led.hospital_open[last]


# ---------------------------------------------------------------------------------- the balance, always
LEVER_VALUES = st.fixed_dictionaries({
    "street_staff.staff": st.integers(0, 600),
    "smart_governance.centre_staff": st.integers(0, 200),
    "smart_governance.start_month": st.integers(1, 6),
    "quota_pool.quotas": st.integers(0, 1500),
    "quota_pool.institutions": st.integers(0, 30),
    "quota_pool.loan_quotas": st.integers(0, 1500),
    "quota_pool.loan_months": st.integers(1, 8),
    "quota_pool.education_share": st.floats(0.0, 1.0),
    "quota_pool.headcount_budget": st.floats(1.0, 300.0),
    "hospital_merger.hospitals_after": st.integers(1, 7),
    "hospital_merger.start_month": st.integers(1, 6),
})


@settings(max_examples=15, deadline=None)
@given(LEVER_VALUES, st.sampled_from(["baseline_2018", "reform_2019"]))
def test_the_ledger_balances_every_month_whatever_the_levers(values, scenario):
    config = override(small(resolve(scenario), months=12, scale=200), [f"{k}={v}" for k, v in values.items()])
    staffing = run(config, 0).frames["staffing"]  # (the model itself stops on an imbalance)
    total = staffing[staffing["month"] == 1]["quotas"].sum()
    by_month = staffing.groupby("month")
    assert np.allclose(by_month["quotas"].sum(), total, rtol=1e-9)
    assert np.allclose(by_month["lent"].sum(), 0.0, atol=1e-6)
    assert (staffing["staff"] >= -1e-9).all()
    assert len(by_month) == 12


# ---------------------------------------------------------------------------------- channels and doses
@cache
def runs(scenario: str, sets: tuple[str, ...] = (), months: int = MONTHS) -> dict[str, pd.DataFrame]:
    config = override(small(resolve(scenario), months=months), list(sets))
    results = [run(config, seed, run_id=seed) for seed in range(SEEDS)]
    return {t: pd.concat([r.frames[t] for r in results], ignore_index=True) for t in ("model", "streets", "staffing")}


def per_seed(table: pd.DataFrame, metric) -> pd.Series:
    return table.groupby("seed").apply(metric, include_groups=False)


def late(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["month"] > MONTHS // 2]


def interval(differences: pd.Series) -> tuple[float, float]:
    _, low, high, _ = t_interval(differences)
    return low, high


def staff_of(kind: str):
    return lambda s: s[(s["unit_kind"] == kind) & (s["month"] == MONTHS)]["staff"].sum()


def test_ninety_staff_to_the_streets_leave_the_organs_and_improve_street_services():
    base, moved = runs("baseline_2018"), runs("baseline_2018", ("street_staff.staff=90",))
    for kind in ("organs", "approval"):  # the units they came from have fewer staff ...
        assert (per_seed(moved["staffing"], staff_of(kind)) < per_seed(base["staffing"], staff_of(kind))).all()
    streets = per_seed(moved["staffing"], staff_of("street")) - per_seed(base["staffing"], staff_of("street"))
    assert np.allclose(streets, 90.0)
    # ... and do less: the approval staff's load rises;
    load = (per_seed(moved["model"], lambda m: late(m)["approval_utilisation"].mean())
            - per_seed(base["model"], lambda m: late(m)["approval_utilisation"].mean()))
    assert interval(load)[0] > 0
    # the streets' grid events and convenience-service cases are handled faster.
    for column in ("resolution_days", "service_case_days"):
        diff = (per_seed(moved["model"], lambda m, c=column: late(m)[c].mean())
                - per_seed(base["model"], lambda m, c=column: late(m)[c].mean()))
        assert interval(diff)[1] < 0, column


def doses(scenario: str, field: str, values, column: str, table: str = "model", extra: tuple[str, ...] = ()):
    """Mean over seeds of the late months' ``column`` at each dose, and the paired differences
    of the last dose against the first."""
    frames = [runs(scenario, (f"{field}={v}", *extra))[table] for v in values]
    metric = [per_seed(f, lambda t: late(t)[column].mean()) for f in frames]
    return [m.mean() for m in metric], metric[-1] - metric[0]


def test_street_staff_dose__grid_resolution_falls_with_every_step():
    means, whole = doses("baseline_2018", "street_staff.staff", (0, 90, 270), "resolution_days")
    assert means[0] > means[1] > means[2], means
    assert interval(whole)[1] < 0


def test_smart_governance_dose__more_centre_staff_route_more_events_right():
    means, whole = doses("baseline_2018", "smart_governance.centre_staff", (0, 15, 30), "resolution_days",
                         extra=("smart_governance.start_month=1",))
    assert means[0] > means[1] > means[2], means
    assert interval(whole)[1] < 0
    # The centre's staff come from the organs: what it gains they lose.
    frames = runs("baseline_2018", ("smart_governance.centre_staff=30", "smart_governance.start_month=1"))
    centre = per_seed(frames["staffing"], staff_of("centre"))
    organs = per_seed(runs("baseline_2018")["staffing"], staff_of("organs")) - per_seed(frames["staffing"],
                                                                                         staff_of("organs"))
    assert np.allclose(centre, 30.0) and np.allclose(organs, 30.0)


def test_quota_pool_dose__freed_quotas_lower_students_per_teacher_and_the_institutions_shrink():
    sets = ("quota_pool.start_month=1", "quota_pool.ramp_months=6", "quota_pool.education_share=1.0",
            'quota_pool.levels=["primary"]')
    means, whole = doses("baseline_2018", "quota_pool.quotas", (0, 240, 720), "students_per_teacher_primary",
                         extra=sets)
    assert means[0] > means[1] > means[2], means
    assert interval(whole)[1] < 0
    frames = runs("baseline_2018", ("quota_pool.quotas=720", *sets))
    institutions = per_seed(runs("baseline_2018")["staffing"], staff_of("institutions")) - per_seed(
        frames["staffing"], staff_of("institutions"))
    assert np.allclose(institutions, 720.0)


def test_hospital_merger_dose__fewer_sites_mean_longer_trips_and_more_capacity_per_doctor():
    sets = ("hospital_merger.start_month=1",)
    minutes, _ = doses("baseline_2018", "hospital_merger.hospitals_after", (7, 4, 2), "hospital_minutes", extra=sets)
    doctors, whole = doses("baseline_2018", "hospital_merger.hospitals_after", (7, 4, 2), "doctors_per_1000",
                           extra=sets)
    assert minutes[0] < minutes[1] < minutes[2], minutes
    assert doctors[0] < doctors[1] < doctors[2], doctors
    assert interval(whole)[0] > 0


# ---------------------------------------------------------------------------------- capacities from staff
def test_students_per_teacher_are_enrolled_pupils_over_teachers_not_an_assumed_ratio():
    model = IndustryCityModel(small(resolve("baseline_2018"), months=1), 0)
    streets, led = model.streets, model.staffing
    services.serve(model)
    assert np.allclose(streets.students, np.minimum(streets.pupils, streets.school_places))
    assert np.allclose(streets.students_per_teacher, streets.students / streets.teachers)
    # Half the places in one street: enrolment there halves, its ratio with it; more teachers lower it.
    streets.school_places[0] = streets.pupils[0] / 2
    schools = led.rows(SCHOOL_UNIT)[:3]
    taken = led.take_pro_rata(led.rows(ORGANS), 30.0)
    led.move(led.rows(ORGANS), taken, schools, np.full(3, 10.0))
    services.serve(model)
    assert np.allclose(streets.students[0], streets.pupils[0] / 2)
    assert np.allclose(streets.students_per_teacher[0], streets.students[0] / streets.teachers[0])
    assert streets.education_access[0] < streets.education_access[1]


def test_approval_days_rise_with_the_approval_staff_s_load():
    model = IndustryCityModel(small(resolve("baseline_2018"), months=1), 0)
    desk, staff = model.approval_desk, float(model.staffing.of(APPROVAL_STAFF).sum())
    work = model.policy.regime.work(model.district.approvals)  # the pre-reform regime's
    desk.arriving = desk.arrivals
    desk.open_month(staff, work)
    calm = desk.factor
    desk.arriving = desk.arrivals * 1.5
    desk.open_month(staff, work)
    busy = desk.factor
    desk.arriving = desk.arrivals
    desk.open_month(staff / 2, work)  # the same applications with half the staff
    assert calm == pytest.approx(1.0, rel=1e-6) and busy > calm and desk.factor > busy
    desk.arriving = desk.arrivals
    desk.open_month(staff, work / 2)  # half the work per application
    assert desk.factor < calm


# ---------------------------------------------------------------------------------- the 14 → 11 adjustment
def test_the_adjustment_merges_the_abolished_streets_into_their_successors_under_one_stable_key():
    d = load_district()
    abolished = [d.street_names[i] for i in range(d.n_streets) if d.successor[i] != i]
    assert d.n_streets == 14 and sorted(abolished) == sorted(["建设路", "桃蹊路", "圣灯"])
    assert len(set(d.successor_names)) == 11
    sets = ("zone_alignment.merge_month=3",)
    kept = run(small(resolve("baseline_2018"), months=6), 0).frames
    after = run(override(small(resolve("baseline_2018"), months=6), list(sets)), 0).frames
    # The same keys with and without the adjustment: 14 sub-areas under the 11 streets, every month.
    keys = ["month", "street", "sub_area"]
    assert kept["streets"][keys].equals(after["streets"][keys])
    assert kept["streets"].groupby("month")["street"].nunique().eq(11).all()
    staffing = after["staffing"]
    unit = staffing[(staffing["unit"] == "street:建设路")].set_index("month")["staff"]
    successor = staffing[(staffing["unit"] == "street:猛追湾")].set_index("month")["staff"]
    assert unit.loc[2] > 0 and unit.loc[3] == 0 and successor.loc[3] == pytest.approx(unit.loc[2] + successor.loc[2])
    # Once merged, one street government serves both parts: one queue, one resolution time.
    streets = after["streets"][after["streets"]["month"] == 6].set_index("sub_area")
    assert streets.loc["建设路", "resolution_days"] == pytest.approx(streets.loc["猛追湾", "resolution_days"])
    assert streets.loc["建设路", "staff_per_10k"] == pytest.approx(streets.loc["猛追湾", "staff_per_10k"])
    assert np.allclose(staffing.groupby("month")["quotas"].sum(), staffing[staffing["month"] == 1]["quotas"].sum())
