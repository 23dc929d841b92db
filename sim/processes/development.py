"""Phase 3: the development pipeline — every building project from land to delivery.

A project (``Projects``, one row per project whatever the scale) has a street, a use
(``sim.categories.USES``), floor space, a developer (public or private) and a stage: land →
engineering approval → construction → delivered, or withdrawn. The land stage takes the data's
land months; the approval stage the working days of the approval regime in force (with the
coordination days of a zone street while zones and streets are not aligned, the service
sub-centre's saving in its zone, full agency for major projects, and each project's own
noise); construction the months of its use. Private projects withdraw when approval outlasts
their patience; public ones wait.

The pipeline draws its random numbers from its own two streams, seeded from the model's at the
start: private starts and their noise in a fixed number of draws a month (a coupled Poisson
draw per street and use), public projects' noise in another. Two scenarios run on the same seed
thus see the same developers' luck, and a lever's effect on building is told apart from noise
(common random numbers).

The levers start public projects (talent apartments, resettlement housing, standard factories
and office buildings) as their ramps say; private developers start projects where the pro-forma
(``sim.markets.property``) says building pays, on the street's developable land. A delivered
project adds its housing places or floor space to the street; delivered resettlement housing
clears the land of the households it was built for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.population import Population
from sim.categories import (
    APPROVAL,
    CLINIC,
    CONSTRUCTION,
    DELIVERED,
    HOUSING,
    KINDERGARTEN,
    LAND,
    MARKET,
    PRIVATE_USES,
    RESETTLEMENT,
    RESETTLEMENT_HOMES,
    SCHOOL,
    STAGES,
    TALENT,
    TALENT_HOMES,
    WITHDRAWN,
)
from sim.flows import Flows
from sim.markets import property as market
from sim.processes.approvals import approval_days, zone_coordination_days
from sim.processes.homes import resettle_villagers

NOT_YET = np.iinfo(np.int32).min  # a stage's month not reached (months before the run are ≤ 0)


def month_or_none(month) -> int | None:
    return None if month == NOT_YET else int(month)


class Projects(Population):
    """Building projects in the pipeline, one row per project; finished ones go to ``finished``."""

    COLUMNS = {
        "street": (np.int8, -1),
        "use": (np.int8, -1),
        "m2": (np.float64, 0.0),  # floor space
        "public": (np.bool_, False),  # developer: the district (a lever) or a private developer
        "stage": (np.int8, LAND),
        "started": (np.int32, 0),  # month the project started (its land stage)
        "months_left": (np.float32, 0.0),  # in the land or construction stage
        "applied": (np.int32, NOT_YET),  # month it applied for engineering approval (≤ 0: before the run)
        "days_needed": (np.float32, np.nan),  # approval working days it needs
        "waited": (np.float32, 0.0),  # approval working days waited so far
        "patience": (np.float32, np.inf),  # working days it will wait (private developers)
        "approved": (np.int32, NOT_YET),  # month approved
        "noise": (np.float32, 0.0),  # its standard normal draw for the approval days' noise
    }

    def __init__(self, land_months: float, rng: np.random.Generator):
        super().__init__()
        self.land_months = land_months
        self.private_draws, self.public_draws = (np.random.default_rng(s) for s in rng.integers(2**63, size=2))
        self.finished: list[dict] = []  # projects delivered or withdrawn, in order, not yet recorded

    def start(self, street: int, use: int, m2: float, *, public: bool, month: int, noise: float | None = None,
              patience: float = np.inf) -> Flows:
        """A project starts its land stage (a public one draws its approval noise here)."""
        if noise is None:
            noise = self.public_draws.standard_normal()
        self.add(1, street=street, use=use, m2=m2, public=public, started=month, months_left=self.land_months,
                 noise=noise, patience=patience)
        flows = Flows()
        flows.add("project_starts", 1)
        flows.add("floor_space_started", m2)
        return flows

    def finish(self, rows: np.ndarray, stage: int, month: int) -> None:
        """Projects leave the pipeline, delivered or withdrawn."""
        for row in rows:
            self.finished.append(self.record(row, stage, month))
        self.remove(rows)

    def record(self, row: int, stage: int, ended: int | None) -> dict:
        """A project as ``projects.csv`` holds it (``ended``: None while it is in the pipeline)."""
        return {"project": int(self.id[row]), "street": int(self.street[row]), "use": int(self.use[row]),
                "public": bool(self.public[row]), "m2": float(self.m2[row]), "started": int(self.started[row]),
                "applied": month_or_none(self.applied[row]), "days": float(self.days_needed[row]),
                "approved": month_or_none(self.approved[row]), "stage": STAGES[stage], "ended": ended}


@dataclass
class Developers:
    """What private developers carry from the start: land prices and the rate of starts.

    ``land_price`` (yuan per m² of floor space, street × private use) is the residual land value
    at the start (``market.residual_land_price``); ``per_m2_land`` (starts a month per m² of
    developable land, by use) makes the starts at the start's margins add the uncertainties'
    yearly share of each stock (``housing_starts_per_year``, ``space_starts_per_year``)."""

    land_price: np.ndarray
    per_m2_land: np.ndarray

    @classmethod
    def at_start(cls, model) -> Developers:
        dev, u = model.district.development, model.config.uncertainties
        value = project_values(model)
        build = dev.column("build_cost")[None, :]
        carrying = market.carry(dev.interest_per_year, expected_months(model))
        land_price = market.residual_land_price(value, build, dev.hurdle, carrying)
        margins = market.margin(value, land_price, build, carrying)
        pull = market.start_rate(np.ones(len(PRIVATE_USES)), model.streets.land, margins, dev.hurdle,
                                 u.development_max_pull).sum(axis=0)  # m² of land × pull, by use
        yearly = np.array([u.space_starts_per_year] * 3 + [u.housing_starts_per_year])
        m2_a_month = yearly / 12.0 * stocks(model)
        per_m2_land = np.where(pull > 0, m2_a_month / dev.column("project_m2") / np.maximum(pull, 1e-9), 0.0)
        return cls(land_price=land_price, per_m2_land=per_m2_land)


def seed_pipeline(model) -> None:
    """The private projects under way at the start: as many as the start's rate of starts keeps in
    the pipeline (rate × months from land to delivery, a Poisson draw per street and use), each
    at a uniformly drawn point of its path, so deliveries run at their steady rate from the first
    month. They started before month 1 (``month_started`` ≤ 0)."""
    d, u, rng, p = model.district, model.config.uncertainties, model.rng, model.projects
    dev = d.development
    months = expected_months(model)
    rate = start_rates(model)
    approval = street_approval_days(model)
    n = rng.poisson(rate * months)
    for s, use in zip(*np.nonzero(n), strict=True):
        m2 = dev.column("project_m2")[use]
        k = min(int(n[s, use]), int(model.streets.land[s, use] // m2))
        if k == 0:
            continue
        age = rng.random(k) * months[s, use]
        noise = rng.standard_normal(k)
        days = approval[s] * np.exp(d.approvals.noise_sigma * noise - d.approvals.noise_sigma**2 / 2)
        patience = u.patience_days * rng.lognormal(0.0, u.patience_sigma, k)
        rows = p.add(k, street=np.full(k, s), use=np.full(k, use), m2=np.full(k, m2),
                     started=-np.floor(age).astype(np.int32), noise=noise, patience=patience)
        in_approval = age - dev.land_months
        on_land = in_approval < 0
        building = in_approval * d.info.working_days_per_month >= days
        p.months_left[rows[on_land]] = -in_approval[on_land]
        wait = rows[~on_land & ~building]
        p.stage[wait], p.days_needed[wait] = APPROVAL, days[~on_land & ~building]
        p.waited[wait] = in_approval[~on_land & ~building] * d.info.working_days_per_month
        p.patience[wait] = np.maximum(p.patience[wait], p.waited[wait])  # (it has not given up yet)
        p.applied[wait] = p.started[wait] + int(dev.land_months)
        built = rows[building]
        p.stage[built], p.days_needed[built] = CONSTRUCTION, days[building]
        p.applied[built] = p.started[built] + int(dev.land_months)
        p.approved[built] = p.applied[built] + np.ceil(days[building] / d.info.working_days_per_month).astype(np.int32)
        p.months_left[built] = np.minimum(months[s, use] - age[building], dev.build_months()[use])
        model.streets.take_land(int(s), int(use), k * m2)


# ---------------------------------------------------------------------------------- views
def stocks(model) -> np.ndarray:
    """The district's floor space (m²) by private use: offices, factories, shops, market housing."""
    floor = model.district.population.floor_m2_per_person
    return np.append(model.streets.space.sum(axis=0), model.streets.housing[:, MARKET].sum() * floor)


def rents(model) -> np.ndarray:
    """Rents (yuan per m² a month), street × private use."""
    return np.column_stack([model.streets.space_rent, model.streets.rent])


def expected_occupancy(model) -> np.ndarray:
    """The occupancy developers expect, by private use: the data's at the start."""
    d = model.district
    return np.array([1.0 - d.space.vacancy] * 3 + [1.0 - d.population.market_housing_vacancy])


def project_values(model) -> np.ndarray:
    """Value of a m² finished now, street × private use (yuan)."""
    return market.building_value(rents(model), expected_occupancy(model)[None, :],
                                 model.district.development.column("cap_rate")[None, :])


def street_approval_terms(model) -> tuple[np.ndarray, np.ndarray]:
    """Per street, what its footprint zone adds to an application under the policy in force: the
    coordination days (0 outside every zone), and whether the service sub-centre serves it."""
    d = model.district
    zone = d.zone_of_street()
    coordination = np.array([zone_coordination_days(model, int(z)) if z >= 0 else 0.0 for z in zone])
    return coordination, (zone >= 0) & (zone == d.centre_zone)


def street_approval_days(model) -> np.ndarray:
    """Expected approval working days of an ordinary project in each street under the regime in
    force: the regime's days plus the coordination of the street's zone, if any."""
    coordination, in_centre_zone = street_approval_terms(model)
    return model.policy.regime.base_days(model.district.approvals, in_centre_zone,
                                         model.approval_desk.factor) + coordination


def expected_months(model) -> np.ndarray:
    """Months from land purchase to delivery a developer expects, street × private use."""
    d = model.district
    approval = street_approval_days(model) / d.info.working_days_per_month
    build = d.development.build_months()[: len(PRIVATE_USES)]
    return d.development.land_months + approval[:, None] + build[None, :]


def start_rates(model) -> np.ndarray:
    """Expected private project starts this month, street × private use."""
    return market.start_rate(model.developers.per_m2_land[None, :], model.streets.land, margins(model),
                             model.district.development.hurdle, model.config.uncertainties.development_max_pull)


def margins(model) -> np.ndarray:
    """A project's margin at today's rents and approval times, street × private use."""
    dev = model.district.development
    return market.margin(project_values(model), model.developers.land_price, dev.column("build_cost")[None, :],
                         market.carry(dev.interest_per_year, expected_months(model)))


# ---------------------------------------------------------------------------------- the phase
def step(model) -> Flows:
    flows = advance(model)
    flows += start_private(model)
    return flows


def advance(model) -> Flows:
    """Projects move through their stages: deliveries, approvals and withdrawals, applications."""
    p, d, month = model.projects, model.district, model.steps
    flows = Flows()
    rows = p.rows()
    stage = p.stage[rows].copy()
    # Construction: a month less; finished buildings are delivered.
    building = rows[stage == CONSTRUCTION]
    p.months_left[building] -= 1.0
    done = building[p.months_left[building] <= 0]
    for row in done:
        flows += deliver(model, int(p.street[row]), int(p.use[row]), float(p.m2[row]))
        flows.add("floor_space_delivered", float(p.m2[row]))
    p.finish(done, DELIVERED, month)
    # Approval: a month of working days; approved projects start building; impatient ones withdraw.
    waiting = rows[stage == APPROVAL]
    p.waited[waiting] += d.info.working_days_per_month
    approved = waiting[p.waited[waiting] >= p.days_needed[waiting]]
    if len(approved):
        p.stage[approved] = CONSTRUCTION
        p.approved[approved] = month
        p.months_left[approved] = d.development.build_months()[p.use[approved]]
        flows.approvals.append((p.days_needed[approved].astype(float),
                                d.zone_of_street()[p.street[approved]].astype(int)))
    gave_up = waiting[(p.stage[waiting] == APPROVAL) & (p.waited[waiting] > p.patience[waiting])]
    for row in gave_up:
        model.streets.add_land(int(p.street[row]), int(p.use[row]), float(p.m2[row]))
    flows.add("project_withdrawals", len(gave_up))
    p.finish(gave_up, WITHDRAWN, month)
    # Land: a month less; projects whose land is ready apply for approval.
    on_land = rows[stage == LAND]
    p.months_left[on_land] -= 1.0
    applying = on_land[p.months_left[on_land] <= 0]
    if len(applying):
        apply_for_approval(model, applying)
    return flows


def apply_for_approval(model, rows: np.ndarray) -> None:
    """Projects enter the approval stage with the working days the regime in force gives them."""
    p, d = model.projects, model.district
    coordination, in_centre_zone = street_approval_terms(model)
    street = p.street[rows]
    major = p.public[rows] | (p.m2[rows] >= d.development.major_project_m2)
    p.days_needed[rows] = approval_days(model.policy.regime, d.approvals, major, coordination[street],
                                        in_centre_zone[street], p.noise[rows], model.approval_desk.factor)
    model.approval_desk.arriving += len(rows)
    p.stage[rows] = APPROVAL
    p.applied[rows] = model.steps


def deliver(model, street: int, use: int, m2: float) -> Flows:
    """A finished building joins the street's stock; resettlement housing takes in the villagers
    it was built for, whose land is cleared; a school site opens its places (学位, over the levels
    in the proportions of the pupils per child), a kindergarten its places, a community health
    centre its coverage."""
    d, streets, flows = model.district, model.streets, Flows()
    if use < HOUSING:
        streets.deliver_space(street, use, m2)
    elif use == HOUSING:
        streets.deliver(street, MARKET, m2 / d.population.floor_m2_per_person)
    elif use == TALENT_HOMES:
        streets.deliver(street, TALENT, m2 / d.space.talent_apartment_m2_per_resident)
    elif use == RESETTLEMENT_HOMES:
        places = m2 / d.space.resettlement_unit_m2 * d.population.persons_per_household
        streets.deliver(street, RESETTLEMENT, places)
        flows.add("resettlement_delivered", places)
        flows.add("villagers_resettled", resettle_villagers(model, street, places * model.policy.cleared_per_unit))
    elif use == SCHOOL:  # (places over the levels as a catchment's pupils are: the pupils per child)
        pupils = d.public.students_per_child()
        streets.open_school(street, m2 / d.public.school_m2_per_place * pupils / pupils.sum())
    elif use == KINDERGARTEN:
        streets.open_kindergarten(street, m2 / d.public.kindergarten_m2_per_place)
    elif use == CLINIC:
        streets.open_clinic(street)
    return flows


MOST_STARTS = 3  # most projects of one use a street's developers start in a month


def poisson_quantile(u: np.ndarray, lam: np.ndarray, most: int) -> np.ndarray:
    """Poisson(λ) draws by inversion of uniform draws ``u`` (at most ``most``): for the same ``u``
    a higher λ never gives fewer — the coupling common random numbers need."""
    k = np.zeros(u.shape, dtype=np.int64)
    term = np.exp(-lam)
    cdf = term.copy()
    for i in range(1, most + 1):
        k += u > cdf
        term = term * lam / i
        cdf = cdf + term
    return k


def start_private(model) -> Flows:
    """Private developers start projects where building pays, on the land left."""
    d, u, streets, p = model.district, model.config.uncertainties, model.streets, model.projects
    dev = d.development
    flows = Flows()
    rate = start_rates(model)
    draws = p.private_draws
    starts = poisson_quantile(draws.random(rate.shape), rate, MOST_STARTS)
    noise = draws.standard_normal((*rate.shape, MOST_STARTS))
    patience = u.patience_days * np.exp(u.patience_sigma * draws.standard_normal((*rate.shape, MOST_STARTS)))
    size = dev.column("project_m2")
    for s, use in zip(*np.nonzero(starts), strict=True):
        for k in range(int(starts[s, use])):
            m2 = min(size[use], streets.land[s, use])
            if m2 < 0.25 * size[use]:  # the street's land for this use is (nearly) used up
                break
            streets.take_land(int(s), int(use), m2)
            flows += p.start(int(s), int(use), m2, public=False, month=model.steps, noise=float(noise[s, use, k]),
                             patience=float(patience[s, use, k]))
    return flows
