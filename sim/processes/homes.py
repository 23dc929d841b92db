"""Phase 6: the housing market (rules in ``sim.markets.housing``), talent apartments for
in-commuters, rents; and the housing views other phases read.

Residents consider moving — everyone a little, more so with a commute over an hour; the
displaced must move; eligible talent apply for free talent apartments (``TalentRule``). Movers
choose a street and tenure by the market's rule (never a villager's house: collective land is
not sold); the homes the displaced leave go under renewal, resettlement places their owners
leave are sold on the market. Eligible in-commuters may take a talent apartment and move in.
Rents follow occupancy (``sim.markets.partial_adjustment``); new housing comes from the
development pipeline, and villagers move into the resettlement housing built for them
(``resettle_villagers``).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import bernoulli_rows, distinct, stochastic_round
from sim.agents.residents import NO_JOB
from sim.categories import MARKET, RENEWAL, RESETTLEMENT, TALENT, VILLAGE, WORKING
from sim.flows import Flows
from sim.markets import housing as housing_market
from sim.markets import partial_adjustment


# ---------------------------------------------------------------------------------- views
def housing_costs(model) -> np.ndarray:
    """Housing cost per person a month, tenure × street (yuan)."""
    d = model.district
    rent = model.streets.rent
    owned = rent * d.population.floor_m2_per_person * d.population.resettlement_rent_share
    return np.vstack([
        rent * d.population.floor_m2_per_person,
        owned,
        rent * (1.0 - model.policy.talent.rent_discount) * d.space.talent_apartment_m2_per_resident,
        owned,  # a villager's own house
    ])


def amenity(model) -> np.ndarray:
    """Utility of living in each street, commute and housing cost aside."""
    u, streets = model.config.uncertainties, model.streets
    green = streets.green_per_person()
    school = streets.school_staffing * streets.education_access  # (a place in a well-staffed school)
    return (model.location_constant + u.green_weight * np.log(np.maximum(green, 0.1)) + u.park_weight * streets.parks
            + u.greenway_weight * streets.greenway_km + u.school_weight * school
            + u.service_weight * streets.service_quality)


def home_choice(model) -> housing_market.HomeChoice:
    """The movers' preferences (the scenario's uncertainties)."""
    u = model.config.uncertainties
    return housing_market.HomeChoice(rent_weight=u.rent_weight, commute_weight=u.home_commute_weight,
                                     moving_cost=u.moving_cost)


def firm_zone(model) -> np.ndarray:
    """Each firm row's zone under the boundaries in force (-1 outside every zone)."""
    return model.firms.zone(model.zones.coverage(model.policy.zone_alignment))


def talent_eligible(model, rows: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Where each resident row may rent a talent apartment (rows × streets), by the rule in force;
    ``zones`` is every firm row's zone."""
    res = model.residents
    employer = res.employer[rows]
    at_firm = employer >= 0
    employer_zone = np.where(at_firm, zones[np.where(at_firm, employer, 0)], -1)
    return model.policy.talent.eligible(res.talent[rows], employer_zone, model.district.zone_of_street())


def talent_eligible_count(model, zones: np.ndarray) -> int:
    """Residents (rows) the talent-apartment rule admits somewhere; ``zones`` is every firm row's zone."""
    res, f = model.residents, model.firms
    workers, talent_workers = res.firm_counts(f.capacity)
    in_zone = (zones >= 0) & f.alive
    return model.policy.talent.eligible_count(int(np.count_nonzero(res.talent & res.alive)), workers,
                                              talent_workers, in_zone)


# ---------------------------------------------------------------------------------- events
def displace(model, order) -> int:
    """Residents of market housing in a street must move while it is renewed (a ``Clearance``);
    return persons displaced. Their homes leave the stock as they move out (``step``) and return
    after the works."""
    res, rng = model.residents, model.rng
    n = int(stochastic_round(rng, order.persons / model.scale))
    candidates = np.flatnonzero(res.alive & (res.home == order.street) & (res.tenure == MARKET)
                                & (res.displaced == 0))
    chosen = rng.choice(candidates, size=min(n, len(candidates)), replace=False)
    res.displaced[chosen] = RENEWAL
    return len(chosen) * model.scale


def resettle_villagers(model, street: int, persons: float) -> int:
    """Villagers on a street's collective land move into its new resettlement units (allocated
    to them, at most the free places); their houses are demolished and the land they free joins
    the street's developable land by use (the data's ``[development]`` shares). Return persons
    moved."""
    res, rng, d, scale = model.residents, model.rng, model.district, model.scale
    candidates = np.flatnonzero(res.alive & (res.home == street) & (res.tenure == VILLAGE))
    room = int(model.streets.vacant_rows()[RESETTLEMENT, street])
    n = min(int(stochastic_round(rng, persons / scale)), len(candidates), room)
    chosen = rng.choice(candidates, size=n, replace=False)
    res.move(chosen, np.full(n, street), np.full(n, RESETTLEMENT))
    moved = n * scale
    model.streets.clear_village(street, moved)
    dev = d.development
    for use, share in enumerate(dev.cleared_shares()):
        model.streets.add_land(street, use, moved * dev.cleared_m2_per_villager * share)
    return moved


def sell_vacated(model, rows: np.ndarray) -> None:
    """Resettlement places their occupants leave (moving, leaving the district, dying) are sold
    or let on the market: they become market housing (resettled households own their units)."""
    model.streets.sell_resettlement(np.bincount(model.residents.home[rows], minlength=model.district.n_streets)
                                    * model.scale)


def renew_vacated(model, rows: np.ndarray) -> None:
    """Homes the displaced leave go out of the stock until the renewal works end."""
    gone = np.bincount(model.residents.home[rows], minlength=model.district.n_streets) * model.scale
    model.streets.renew(gone, back=model.steps + model.policy.renewal_works_months)


# ---------------------------------------------------------------------------------- the phase
def step(model) -> Flows:
    rng, d, u, res, scale = model.rng, model.district, model.config.uncertainties, model.residents, model.scale
    n_streets = d.n_streets
    flows = Flows()
    zones = firm_zone(model)
    work = res.work_area
    # Everyone may consider moving; a long commute (over an hour) adds to the chance; the
    # displaced must move.
    considering = [res.sample(rng, u.relocation_rate),
                   res.sample(rng, u.long_commute_relocation, "long_commute"),
                   np.flatnonzero(res.displaced > 0)]
    if model.streets.vacant_rows()[TALENT].sum() > 0:
        # Talent apartments are let on application: eligible talent not yet in one apply.
        candidates = np.flatnonzero(res.talent & (res.tenure != TALENT))
        applying = bernoulli_rows(rng, candidates, u.talent_application_rate)
        considering.append(applying[talent_eligible(model, applying, zones).any(axis=1)])
    rows = distinct(np.concatenate(considering))
    income = np.where(res.employer[rows] != NO_JOB, res.wage[rows], d.population.unemployed_income)
    movers = housing_market.Movers(
        home=res.home[rows].astype(np.int64), tenure=res.tenure[rows], income=income, work_area=work[rows],
        factor=res.factor[rows], talent_eligible=talent_eligible(model, rows, zones),
        displaced=res.displaced[rows] > 0,
    )
    options = housing_market.HomeOptions(cost=housing_costs(model), vacant=model.streets.vacant_rows(),
                                         amenity=amenity(model))
    choice = housing_market.relocate(rng, movers, options, model.minutes, home_choice(model))
    moved = choice != housing_market.STAY
    movers_rows = rows[moved]
    renew_vacated(model, movers_rows[res.displaced[movers_rows] > 0])
    sell_vacated(model, movers_rows[(res.tenure[movers_rows] == RESETTLEMENT) & (res.displaced[movers_rows] == 0)])
    # (both read the homes being left: the moves happen next)
    res.move(movers_rows, choice[moved] % n_streets, choice[moved] // n_streets)
    flows.add_street("moves_in", np.bincount(choice[moved] % n_streets, minlength=n_streets) * scale)
    rehoused = movers_rows[res.displaced[movers_rows] > 0]
    flows.add("rehoused", len(rehoused) * scale)
    flows.add("moves", len(movers_rows) * scale)
    res.displaced[rehoused] = 0
    flows += house_incommuting_talent(model, zones)

    streets = model.streets
    occupancy = streets.occupancy()[:, MARKET] / np.maximum(streets.housing[:, MARKET], 1.0)
    streets.set_rents(partial_adjustment(streets.rent, occupancy, u.rent_response, u.target_occupancy))
    return flows


def house_incommuting_talent(model, zones: np.ndarray) -> Flows:
    """In-commuters eligible for talent apartments apply too; those who take one move into the
    district and keep their job — a commute from outside becomes a short one inside."""
    rng, d, u, f, res, scale = model.rng, model.district, model.config.uncertainties, model.firms, model.residents, \
        model.scale
    flows = Flows()
    vacant = model.streets.vacant_rows()
    if vacant[TALENT].sum() == 0:
        return flows
    rule = model.policy.talent
    in_zone = zones >= 0
    firms_ok = f.alive & (in_zone if rule.zone_firms_only else True)
    talent_only = rule.talent_only
    chance = u.talent_application_rate * np.where(talent_only, f.talent_share, 1.0)
    applicants = rng.binomial(np.where(firms_ok[:, None], f.incommuters, 0), chance[:, None])  # firm × area
    firm, origin = np.divmod(np.repeat(np.arange(applicants.size), applicants.reshape(-1)), applicants.shape[1])
    n = len(firm)
    if n == 0:
        return flows
    premium = np.where(talent_only, model.talent_premium, 1.0)
    wage = (f.wage[firm] * premium).astype(np.float32)
    factor = rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, n).astype(np.float32)
    movers = housing_market.Movers(
        home=d.ext + origin, tenure=np.full(n, MARKET), income=wage, work_area=f.street[firm].astype(np.int64),
        factor=factor, displaced=np.zeros(n, dtype=bool),
        talent_eligible=(np.ones((n, d.n_streets), dtype=bool) if rule.eligibility == "talent"
                         else rule.places_for(zones[firm], d.zone_of_street())),
    )
    only_talent = np.zeros_like(vacant)
    only_talent[TALENT] = vacant[TALENT]
    place = amenity(model)
    costs = housing_costs(model)
    options = housing_market.HomeOptions(cost=costs, vacant=only_talent, amenity=place,
                                         outside_amenity=float(place.mean()), outside_cost=float(costs[MARKET].mean()))
    choice = housing_market.relocate(rng, movers, options, model.minutes, home_choice(model))
    came = np.flatnonzero(choice != housing_market.STAY)
    if len(came) == 0:
        return flows
    firm, origin = firm[came], origin[came]
    rows = res.add(len(came), home=choice[came] % d.n_streets, age=np.full(len(came), WORKING),
                   talent=np.full(len(came), talent_only), active=np.ones(len(came), dtype=bool),
                   factor=factor[came], tenure=np.full(len(came), TALENT))
    res.take_jobs(rows, firm, wage[came], f.street[firm])
    np.subtract.at(f.incommuters, (firm, origin), 1)
    flows.add("in_migrants", len(came) * scale)
    flows.add("talent_incomers", len(came) * scale)
    return flows
