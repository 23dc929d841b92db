"""The district at month 0: residents, firms, streets and committees built from the data file.

The staffing ledger gets its quotas; streets get their populations, housing and places; firms
are drawn per street and sector to match the street's jobs; employed residents are placed by a
doubly-constrained gravity model (the same distance decay the job choice uses), so the first
months start near the model's own balance; in-commuters fill the rest of the filled posts.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import stochastic_round
from sim.agents.residents import EXTERNAL_JOB, NO_JOB
from sim.agents.staffing import StaffingLedger
from sim.agents.street import StreetTable
from sim.categories import CHILD, ELDERLY, MARKET, RESETTLEMENT, SPACE_TYPES, VILLAGE, WORKING
from sim.geography import District
from sim.markets import admit
from sim.processes.firms import space_used
from sim.processes.homes import amenity, housing_costs
from sim.processes.policies import staff_public_employers


def build_staffing(district: District) -> StaffingLedger:
    """The staffing ledger at the start: schools' and kindergartens' quotas meet the national
    standard for the start's pupils (times ``school_quota_fill``), hospital doctors are the data's
    level for the residents each site serves, the rest is ``[staffing]``."""
    pub, fill = district.public, district.staffing.school_quota_fill
    children = district.street_population * district.population.share_child
    pupils = children[:, None] * pub.students_per_child()[None, :]
    preschool = children * pub.preschool_share_of_children * pub.kindergarten_coverage
    served = np.bincount(StaffingLedger.nearest_hospitals(district), weights=district.street_population,
                         minlength=len(district.hospitals))
    return StaffingLedger(district, teachers=pupils / pub.standards()[None, :] * fill,
                          kindergarten_teachers=preschool / pub.standard_kindergarten * fill,
                          clinic_staff=np.full(district.n_streets, pub.clinics_per_street * pub.staff_per_clinic),
                          doctors=served * pub.doctors_per_1000 / 1000.0)


def public_places(district: District, street_population: np.ndarray):
    """School places by level, kindergarten places and community health centres per street at
    the start: the start's students and preschool children with the data's margins."""
    pub = district.public
    children = street_population * district.population.share_child
    schools = children[:, None] * pub.students_per_child()[None, :] * (1.0 + pub.school_place_spare)
    kindergartens = children * pub.preschool_share_of_children * pub.kindergarten_coverage
    return schools, kindergartens, np.full(len(street_population), pub.clinics_per_street, dtype=np.int64)


def build_streets(model) -> StreetTable:
    d = model.district
    pop = d.street_population
    school_places, kindergarten_places, clinics = public_places(d, pop)
    market = pop - d.resettled - d.villagers
    housing = np.column_stack([
        market / (1.0 - d.population.market_housing_vacancy),
        d.resettled / 0.97,  # resettlement housing nearly full (assumption)
        np.zeros(len(pop)),
        d.villagers,  # villagers' houses: full (nobody else may move in)
    ])
    # Floor-space rents follow the housing rents' location gradient (assumption).
    space_rent = d.space.rents()[None, :] * (d.rent / d.rent.mean())[:, None]
    return StreetTable(d, model.residents, model.scale, housing=housing, rent=d.rent,
                       space=np.zeros((d.n_streets, len(SPACE_TYPES))), space_rent=space_rent, land=d.land,
                       staffing=model.staffing, school_places=school_places,
                       kindergarten_places=kindergarten_places, clinics=clinics, green_m2=d.green_m2)


def draw_firm_sizes(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Posts per firm: log-normal around the sector's mean size (σ = 0.8)."""
    return np.maximum(1, np.round(mean * rng.lognormal(-0.32, 0.8, n))).astype(np.int32)


def build_firms(model) -> None:
    """Private firms per street and sector, plus one public employer per street and service."""
    d, rng, scale = model.district, model.rng, model.scale
    base_wage = d.wage_base
    edu, health, _ = (d.sectors[k] for k in d.public_sector_indices())
    public_total = model.staffing.posts(edu.staff_per_teacher, health.staff_per_doctor).sum(axis=1)
    private_jobs = d.street_jobs - public_total
    if (private_jobs <= 0).any():
        bad = d.street_names[int(np.argmin(private_jobs))]
        raise ValueError(f"{d.source}: street {bad} has fewer jobs than its public posts")
    for k, sector in enumerate(d.sectors):
        if sector.public:
            continue
        jobs = private_jobs * d.street_sector_shares[:, k]
        rows = stochastic_round(rng, jobs / sector.size / scale)
        for s in np.flatnonzero(rows):
            n = int(rows[s])
            model.firms.add(
                n, sector=np.full(n, k), street=np.full(n, s), zone_u=rng.random(n),
                target=draw_firm_sizes(rng, sector.size, n),
                wage=base_wage[k] * rng.lognormal(-0.02, 0.2, n), talent_share=np.full(n, sector.talent_share),
                age_months=rng.integers(36, 240, n),
            )
    for k in d.public_sector_indices():
        n = d.n_streets
        model.firms.add(n, sector=np.full(n, k), street=np.arange(n), zone_u=rng.random(n), target=np.zeros(n),
                        wage=np.full(n, base_wage[k]), talent_share=np.full(n, d.sectors[k].talent_share),
                        age_months=np.full(n, 240), public=np.ones(n, dtype=bool))
    staff_public_employers(model)
    # Non-residential stock: today's private use at the data's vacancy.
    model.streets.space[:] = space_used(model) / (1.0 - d.space.vacancy)


def build_residents(model) -> None:
    d, rng, scale = model.district, model.rng, model.scale
    p = d.population
    rows = stochastic_round(rng, d.street_population / scale)
    home = np.repeat(np.arange(d.n_streets), rows)
    n = len(home)
    u = rng.random(n)
    age = np.where(u < p.share_child, CHILD, np.where(u < p.share_child + p.share_elderly, ELDERLY, WORKING))
    working = age == WORKING
    talent = working & (rng.random(n) < p.share_talent)
    active = working & (rng.random(n) < p.participation)
    factor = rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, n)
    tenure = np.full(n, MARKET)
    # (no more rows than the places hold, which a coarse scale's rounding up could exceed)
    places = np.floor(model.streets.housing / scale + 1e-9)
    resettled = np.minimum(stochastic_round(rng, d.resettled / scale), places[:, RESETTLEMENT])
    villagers = np.minimum(stochastic_round(rng, d.villagers / scale), places[:, VILLAGE])
    for s in range(d.n_streets):
        members = np.flatnonzero(home == s)
        chosen = rng.choice(members, size=min(int(resettled[s] + villagers[s]), len(members)), replace=False)
        tenure[chosen[: int(resettled[s])]] = RESETTLEMENT
        tenure[chosen[int(resettled[s]):]] = VILLAGE
    model.residents.add(n, home=home, age=age, talent=talent, active=active, factor=factor, tenure=tenure,
                        satisfaction=np.full(n, 60.0))


def draw_firm_in_street(rng: np.random.Generator, firms, capacity: np.ndarray, street: np.ndarray) -> np.ndarray:
    """A firm row in each given street, in proportion to its remaining capacity (-1 if none left)."""
    out = np.full(len(street), -1, dtype=np.int64)
    for s in np.unique(street):
        members = np.flatnonzero(street == s)
        rows = np.flatnonzero(firms.alive & (firms.street == s) & (capacity > 0))
        if len(rows) == 0:
            continue
        cum = np.cumsum(capacity[rows])
        out[members] = rows[np.searchsorted(cum, rng.random(len(members)) * cum[-1], side="right")]
    return out


def place_workers(model) -> None:
    """Give employed residents a workplace by a doubly-constrained gravity model; fill the rest
    of the filled posts with in-commuters."""
    d, rng, res, firms = model.district, model.rng, model.residents, model.firms
    p = d.population
    workers = np.flatnonzero(res.alive & res.active & (rng.random(res.capacity) >= p.unemployment))
    supply = np.bincount(res.home[workers], minlength=d.n_streets).astype(float)

    posts = np.bincount(firms.street[firms.alive], weights=firms.target[firms.alive], minlength=d.n_streets)
    local = supply.sum() * (1.0 - p.out_commute_share)
    demand = np.append(posts / posts.sum() * local, supply.sum() * p.out_commute_share * d.outside_job_share)

    u = model.config.uncertainties
    # Job search and job choice both discount distance: start from their joint decay.
    decay = np.exp(-(u.search_decay + u.job_commute_weight) * d.minutes[: d.n_streets] / 60.0)
    a = np.ones(d.n_areas)
    for _ in range(200):  # iterative proportional fitting of P(work area | home)
        prob = decay * a[None, :]
        prob /= prob.sum(axis=1, keepdims=True)
        flows = supply[:, None] * prob
        a *= demand / np.maximum(flows.sum(axis=0), 1e-12)
    cum = np.cumsum(prob, axis=1)
    area = (rng.random(len(workers))[:, None] > cum[res.home[workers]]).sum(axis=1)
    area = np.minimum(area, d.n_areas - 1)

    # A workplace within the street, in proportion to firms' free posts; a firm takes up to 97% of
    # its posts. Those turned away draw again among the firms with room left (a few rounds).
    capacity = np.zeros(firms.capacity, dtype=np.int64)
    capacity[firms.alive] = np.floor(firms.target[firms.alive] * p.posts_filled)
    waiting = np.flatnonzero(area < d.n_streets)  # positions in ``workers``
    employer = np.full(len(workers), -1, dtype=np.int64)
    for _ in range(5):
        chosen = draw_firm_in_street(rng, firms, capacity, area[waiting])
        got = admit(rng, chosen, capacity)
        employer[waiting[got]] = chosen[got]
        np.subtract.at(capacity, chosen[got], 1)
        waiting = waiting[~got]
    hired = np.flatnonzero(employer >= 0)
    rows, firm = workers[hired], employer[hired]
    talent_post = rng.random(len(rows)) < firms.talent_share[firm]
    wage = firms.wage[firm] * np.where(talent_post & res.talent[rows], d.external.talent_wage_premium, 1.0)
    res.take_jobs(rows, firm, wage, firms.street[firm])
    away = area >= d.ext
    outside = workers[away]
    res.take_jobs(outside, EXTERNAL_JOB, model.external.wage_offers(rng, res.talent[outside]), area[away])

    # The posts left are held by in-commuters, from each area by its pull on the firm's street.
    workers_at, _ = res.firm_counts(firms.capacity)
    left = np.maximum(np.floor(firms.target * p.posts_filled) - workers_at, 0) * firms.alive
    pull = model.external.pull(u.job_commute_weight)[:, firms.street.clip(0)].T
    firms.incommuters[:] = rng.multinomial(left.astype(np.int64), pull / pull.sum(axis=1, keepdims=True))


def fit_location_constants(model, sample: int = 20000, rounds: int = 100) -> np.ndarray:
    """Street constants (unobserved amenity) that make the home-choice logit reproduce where
    people live at the start, at the data's rents — as discrete-choice models are fitted to
    market shares. Without them the first years would be a drift toward the cheapest streets."""
    rng, d, u, res = model.rng, model.district, model.config.uncertainties, model.residents
    rows = np.flatnonzero(res.alive & (res.tenure == MARKET))
    rows = rng.choice(rows, size=min(sample, len(rows)), replace=False)
    work = res.work_area[rows]
    income = np.where(res.employer[rows] != NO_JOB, res.wage[rows], d.population.unemployed_income)
    hours = d.minutes[: d.n_streets][:, np.maximum(work, 0)].T * res.factor[rows, None] / 60.0
    v = (amenity(model)[None, :] - u.home_commute_weight * np.where(work[:, None] >= 0, hours, 0.0)
         - u.rent_weight * housing_costs(model)[MARKET][None, :] / np.maximum(income, 1.0)[:, None])
    target = np.bincount(res.home[rows], minlength=d.n_streets) / len(rows)
    v = np.ascontiguousarray(v.T)  # streets × people: the sums over streets run down whole rows
    top = v.max(axis=0)  # each person's best street before the constants (the logit is shift-free)
    delta = np.zeros(d.n_streets)
    for _ in range(rounds):
        w = np.exp(v + (delta - delta.max())[:, None] - top)  # every exponent ≤ 0: no overflow
        predicted = (w / w.sum(axis=0)).mean(axis=1)
        delta += np.log(np.maximum(target, 1e-9) / np.maximum(predicted, 1e-9))
    return delta - delta.mean()
