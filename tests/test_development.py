"""The development pipeline and the property market: rules on hand-built cases, then the
pipeline on a small model (``sim.markets.property``, ``sim.markets.location``,
``sim.processes.development``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import t_interval
from sim.categories import APPROVAL, CONSTRUCTION, HOUSING, LAND, OFFICE
from sim.config import resolve
from sim.markets import location
from sim.markets import property as market
from sim.model import IndustryCityModel
from sim.processes import development
from tests.conftest import small


# ---------------------------------------------------------------------------------- pro-forma
@settings(max_examples=100, deadline=None)
@given(st.floats(5.0, 200.0), st.floats(0.01, 0.1), st.floats(500.0, 8000.0), st.floats(6.0, 60.0),
       st.floats(0.0, 0.5))
def test_land_priced_at_the_start_earns_the_hurdle_and_rent_or_delay_move_the_margin(rent, cap, cost, months, hurdle):
    value = market.building_value(np.array([rent]), 0.9, cap)
    carrying = market.carry(0.06, months)
    land = market.residual_land_price(value, cost, hurdle, carrying)
    margin = market.margin(value, land, cost, carrying)
    if land[0] > 0:
        assert margin[0] == pytest.approx(hurdle)
    else:  # building does not pay even on free land
        assert margin[0] <= hurdle + 1e-12
    dearer = market.margin(market.building_value(np.array([rent * 1.1]), 0.9, cap), land, cost, carrying)
    slower = market.margin(value, land, cost, market.carry(0.06, months + 3.0))
    assert dearer[0] > margin[0] > slower[0]


def test_starts_follow_the_margin_and_the_land_left():
    rate = market.start_rate(np.array([1e-6]), np.array([[1e5, 1e5, 1e5, 0.0, 2e5]]).T,
                             np.array([[-0.1, 0.15, 0.3, 0.3, 0.3]]).T, hurdle=0.15, max_pull=1.5)
    assert rate[0, 0] == 0.0  # a negative margin: no starts
    assert rate[1, 0] == pytest.approx(0.1)  # at the hurdle: the base rate
    assert rate[2, 0] == pytest.approx(0.15)  # twice the hurdle, capped at 1.5 × the base
    assert rate[3, 0] == 0.0  # no land left
    assert rate[4, 0] == pytest.approx(2 * rate[2, 0])  # twice the land, twice the starts


def test_poisson_draws_by_inversion_are_coupled_and_poisson():
    u = np.random.default_rng(0).random(200_000)
    low = development.poisson_quantile(u, np.full(len(u), 0.3), 6)
    high = development.poisson_quantile(u, np.full(len(u), 0.6), 6)
    assert (high >= low).all()
    assert low.mean() == pytest.approx(0.3, abs=0.01) and low.var() == pytest.approx(0.3, abs=0.01)


# ---------------------------------------------------------------------------------- firm location
def hand_built_district():
    """Three streets in a row, 20 minutes apart; talent workers live by street 0."""
    minutes = np.array([[10.0, 20.0, 40.0], [20.0, 10.0, 20.0], [40.0, 20.0, 10.0]])
    talent = np.array([9000.0, 1000.0, 1000.0])
    other = np.array([3000.0, 3000.0, 3000.0])
    return minutes, talent, other


def entrant_shares(rent_ratio, talent, other, minutes, draws=20000, seed=1):
    p = location.FirmChoice(rent_weight=1.0, access_weight=1.0, agglomeration_weight=0.3, zone_weight=0.5)
    v = location.utilities(p, rent_ratio=rent_ratio, access_talent=location.access(talent, minutes, 3.6),
                           access_other=location.access(other, minutes, 3.6), talent_share=np.array([0.75]),
                           sector_jobs=np.full((3, 1), 500.0), zone_lead=np.zeros((3, 1)))
    shares = location.probabilities(v + location.size_term(np.full((3, 1), 10000.0)))[:, 0]
    chosen = np.random.default_rng(seed).choice(3, size=draws, p=shares)
    return np.bincount(chosen, minlength=3) / draws


def test_a_street_cheaper_and_nearer_to_skilled_workers_draws_more_entrants():
    minutes, talent, other = hand_built_district()
    even = np.full(3, 3000.0)
    base = entrant_shares(np.ones((3, 1)), even, other, minutes)
    assert abs(base[0] - base[2]) < 0.02  # street 0 and street 2 are alike (street 1 is the central one)
    cheaper = entrant_shares(np.array([[0.8], [1.0], [1.0]]), even, other, minutes)
    nearer = entrant_shares(np.ones((3, 1)), talent, other, minutes)
    both = entrant_shares(np.array([[0.8], [1.0], [1.0]]), talent, other, minutes)
    assert cheaper[0] > base[0] + 0.02 and nearer[0] > base[0] + 0.02
    assert both[0] > max(cheaper[0], nearer[0])


def test_the_constants_reproduce_the_start_and_a_street_without_space_draws_no_one():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(4, 2))
    target = np.array([[0.1, 0.4], [0.2, 0.3], [0.3, 0.2], [0.4, 0.1]])
    assert np.allclose(location.probabilities(v + location.constants(target, v)), target)
    v[1, 0] = -np.inf  # no free space of the kind
    assert location.probabilities(v)[1, 0] == 0.0


# ---------------------------------------------------------------------------------- the pipeline
def test_a_public_project_goes_land_approval_construction_delivered():
    m = IndustryCityModel(small(resolve("baseline_2018"), months=60, scale=50), 7)
    d, p = m.district, m.projects
    street = d.street_index("龙潭")
    before = m.streets.space[street, OFFICE]
    m.projects.start(street, OFFICE, 20000.0, public=True, month=0)
    row = int(np.flatnonzero(p.alive & p.public)[0])
    project = int(p.id[row])
    stages = []
    for month in range(1, 60):
        m.steps = month  # (the pipeline alone, month by month)
        development.advance(m)
        if not p.alive[row] or not p.public[row]:
            break
        stages.append(int(p.stage[row]))
    record = next(r for r in m.projects.finished if r["project"] == project)
    assert stages[0] == LAND and APPROVAL in stages and stages[-1] == CONSTRUCTION
    assert stages == sorted(stages)  # never back
    assert stages.count(APPROVAL) == pytest.approx(np.ceil(record["days"] / d.info.working_days_per_month), abs=1)
    assert stages.count(CONSTRUCTION) == pytest.approx(d.development.build_months_office, abs=1)
    others = sum(r["m2"] for r in m.projects.finished if r["project"] != project and r["street"] == street
                 and r["use"] == OFFICE and r["stage"] == "delivered")
    assert m.streets.space[street, OFFICE] == pytest.approx(before + 20000.0 + others)  # (others: projects under way)
    assert record["stage"] == "delivered"


def test_a_private_project_that_waits_past_its_patience_withdraws_and_gives_its_land_back():
    m = IndustryCityModel(small(resolve("baseline_2018"), months=60, scale=50), 8)
    street = m.district.street_index("保和")
    land = m.streets.land[street, HOUSING]
    m.streets.take_land(street, HOUSING, 40000.0)
    m.projects.start(street, HOUSING, 40000.0, public=False, month=0, noise=3.0, patience=10.0)
    project = m.projects.next_id - 1
    for month in range(1, 12):
        m.steps = month
        development.advance(m)
    ended = {p["project"]: p for p in m.projects.finished}
    assert ended[project]["stage"] == "withdrawn" and ended[project]["ended"] <= 5
    assert m.streets.land[street, HOUSING] == pytest.approx(land)


def starts_in(street: str, rent_factor: float, seed: int, months: int = 120, land: float | None = None):
    """Private projects started in a street over ``months`` of developers alone (the rest of the
    model held still), with its housing rent × ``rent_factor``."""
    m = IndustryCityModel(small(resolve("baseline_2018"), months=months, scale=50), seed)
    s = m.district.street_index(street)
    rent = m.streets.rent.copy()
    rent[s] *= rent_factor
    m.streets.set_rents(rent)
    if land is not None:
        m.streets.take_land(s, HOUSING, m.streets.land[s, HOUSING] - land)
    first = m.projects.next_id
    for month in range(1, months + 1):
        m.steps = month
        development.start_private(m)
    p = m.projects
    mine = p.alive & (p.id >= first) & (p.street == s) & (p.use == HOUSING)
    return int(np.count_nonzero(mine)), float(p.m2[mine].sum()), m.streets.land[s, HOUSING]


def test_higher_rents_in_a_street_bring_more_housing_starts_there():
    diff = [starts_in("青龙", 1.15, seed)[0] - starts_in("青龙", 1.0, seed)[0] for seed in range(5)]
    mean, low, high, _ = t_interval(pd.Series(diff, dtype=float))
    assert low > 0, (diff, mean, low, high)


def test_the_developable_land_caps_what_developers_start():
    _, free_m2, _ = starts_in("青龙", 1.5, seed=2)
    n, capped_m2, left = starts_in("青龙", 1.5, seed=2, land=90000.0)
    assert free_m2 > 90000.0  # with the street's land, developers start more than 90,000 m²…
    assert n >= 1 and capped_m2 <= 90000.0 and left >= 0.0  # …with 90,000 m² left (two projects), no more


def moves_out_of(street: str, rent_factor: float, seed: int) -> int:
    """Firms that move out of a street in one round of ``relocate``, with its floor-space rents ×
    ``rent_factor`` (the same considering firms and shocks either way: one seed)."""
    from sim.processes import firms

    m = IndustryCityModel(small(resolve("baseline_2018"), months=12, scale=50), seed)
    s = m.district.street_index(street)
    rents = m.streets.space_rent.copy()
    rents[s] *= rent_factor
    m.streets.set_space_market(rents, m.streets.space_occupancy)
    m.config = replace(m.config, uncertainties=replace(m.config.uncertainties, firm_relocation_rate=0.2))
    m.steps = 3  # (a review month)
    before = m.firms.street.copy()
    v = firms.location_utilities(m) + m.firm_location_constant
    firms.relocate(m, v, firms.free_space(m))
    return int(np.count_nonzero(m.firms.alive & (before == s) & (m.firms.street != s)))


def test_firms_move_out_of_a_street_whose_rents_rise():
    """Doubled rents in one street: more of its firms leave in a review round (paired by seed over
    10 seeds — a street of ≈ 40,000 jobs has few firms considering a move — the 95% interval of
    the mean difference above 0)."""
    more = pd.Series([moves_out_of("建设路", 2.0, seed) - moves_out_of("建设路", 1.0, seed) for seed in range(10)])
    assert t_interval(more)[1] > 0, more.tolist()


# ------------------------------------------------------------------ wages and the rest of Chengdu
def test_wages_follow_tightness_by_sector_and_by_skill():
    from sim.processes import jobs

    m = IndustryCityModel(small(resolve("baseline_2018"), months=24, scale=50), 0)
    f, d = m.firms, m.district
    m.steps = jobs.WAGE_REFERENCE_MONTHS + 1  # (past the first year: the references are set)
    m.vacancy_reference[:] = 0.05
    k = d.sector_index("advanced_services")
    open_posts = np.where(f.alive & (f.sector == k), f.target, 0)  # that sector all open, the others none
    other, talent = m.residents.labour.sum(axis=0)
    m.skill_gap_reference = 0.0
    premium, before = m.talent_premium, m.wage_index.copy()
    jobs.wages(m, open_posts, unemployed_talent=0, unemployed=int(0.1 * other))  # talent scarce
    assert m.wage_index[k] > before[k] and (m.wage_index[d.public_sector] == 1.0).all()
    assert np.all(m.wage_index[~d.public_sector & (np.arange(len(d.sectors)) != k)] < 1.0)
    assert m.talent_premium > premium
    premium = m.talent_premium
    jobs.wages(m, open_posts, unemployed_talent=int(0.1 * talent), unemployed=int(0.1 * talent))  # talent idle
    assert m.talent_premium < premium


def test_in_commuters_come_more_from_the_areas_nearer_their_street_and_not_from_a_full_pool():
    m = IndustryCityModel(small(resolve("baseline_2018"), months=1, scale=50), 0)
    d, ext, rng = m.district, m.external, np.random.default_rng(0)
    east, centre = d.outside_index("east"), d.outside_index("centre")
    streets = np.array([d.street_index("龙潭"), d.street_index("猛追湾")])
    posts, wage = np.full(2, 100_000), np.full(2, ext.base_wage())
    came = ext.in_commuters(rng, posts, streets, wage, 0.25, 2.0, np.zeros(len(d.outside)))
    share = came / came.sum(axis=1, keepdims=True)
    assert share[0, east] > share[1, east] and share[1, centre] > share[0, centre]
    full = ext.pool.copy() * (np.arange(len(d.outside)) == east)
    assert ext.in_commuters(rng, posts, streets, wage, 0.25, 2.0, full)[:, east].sum() == 0
