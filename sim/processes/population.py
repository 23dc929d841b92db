"""Phase 7: deaths, out-migration, ageing, births and arrivals from the rest of Chengdu.

Everyone may leave, more so the long unemployed and the dissatisfied (each person's own hazard,
drawn by exact thinning); the elderly die at their rate; children come of working age and
workers retire. A child joins its parent's home where the street and tenure have a free place.
Migrants arrive pulled by open posts and held back by a tight housing market (both relative to
the start); each needs a free market home to come.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import thinned
from sim.agents.residents import ARRIVED, BORN, NO_JOB
from sim.categories import CHILD, MARKET, RESETTLEMENT, TALENT
from sim.flows import Flows
from sim.markets import admit
from sim.markets import housing as housing_market
from sim.processes.homes import amenity, home_choice, housing_costs, sell_vacated


def step(model) -> Flows:
    rng, d, u, res, scale, month = (model.rng, model.district, model.config.uncertainties, model.residents,
                                    model.scale, model.steps)
    p = d.population
    flows = Flows()
    dies = p.elderly_deaths_per_1000_year / 1000.0 / 12.0
    death = res.sample(rng, dies, "elderly")
    sell_vacated(model, death[res.tenure[death] == RESETTLEMENT])
    res.remove(death, "died")
    flows.add("deaths", len(death) * scale)

    def leave_p(rows):
        long_unemployed = (res.active[rows] & (res.employer[rows] == NO_JOB)
                           & (month - res.searching_since[rows] >= 6))
        return (u.migration_out_rate + u.unemployed_out_rate * long_unemployed
                + u.dissatisfied_out_rate / 100.0 * (100.0 - res.satisfaction[rows]))

    most = u.migration_out_rate + u.unemployed_out_rate + u.dissatisfied_out_rate
    leave = thinned(rng, res.sample(rng, most), most, leave_p)
    sell_vacated(model, leave[(res.tenure[leave] == RESETTLEMENT) & (res.displaced[leave] == 0)])
    res.remove(leave, "left")
    flows.add("out_migrants", len(leave) * scale)
    res.grow_older(rng, to_working=1.0 / (18 * 12), to_elderly=1.0 / (42 * 12), participation=p.participation,
                   month=month)

    # Births: a child joins its parent's home — where the street and tenure have a free place.
    expected = int(rng.binomial(res.living, p.births_per_1000_year / 1000.0 / 12.0))
    parents = res.draw_working(rng, expected)
    home = housing_market.option_index(res.tenure[parents], res.home[parents], d.n_streets)
    parents = parents[admit(rng, home, model.streets.vacant_rows().reshape(-1))]
    births = len(parents)
    if births:
        res.add(births, home=res.home[parents], age=np.full(births, CHILD), tenure=res.tenure[parents],
                factor=rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, births),
                entered=np.full(births, month), entry=np.full(births, BORN))
    flows.add("births", births * scale)

    # Arrivals from the rest of Chengdu: pulled by open posts and held back by a tight housing
    # market (both relative to the start); each needs a free home to come.
    n = int(rng.poisson(u.migration_in_rate * res.living * migration_pull(model)))  # (living: from the census)
    if n:
        flows.add("in_migrants", arrive(model, n))
    return flows


def migration_pull(model) -> float:
    """How attractive the district is to migrants now relative to the start (1 = as then)."""
    res, f, streets = model.residents, model.firms, model.streets
    open_posts = f.open_posts(res.firm_counts(f.capacity)[0])
    jobs = open_posts.sum() / max(np.count_nonzero(res.active), 1) / model.initial_open_share
    vacant = streets.vacant()[:, MARKET].sum()
    places = sum(streets.housing[:, MARKET])  # (in order: the bytes out are part of the model)
    homes = vacant / places / model.initial_housing_vacancy
    return float(np.clip(np.sqrt(jobs) * homes, 0.0, 3.0))


def arrive(model, n: int) -> int:
    """``n`` people from outside look for a market home in the district; return persons who came."""
    rng, d, res = model.rng, model.district, model.residents
    age, talent, active = model.external.migrants(rng, n)
    factor = rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, n).astype(np.float32)
    movers = housing_market.Movers(
        home=np.zeros(n, dtype=np.int64), tenure=np.full(n, MARKET), income=np.full(n, d.external.wage_mean),
        work_area=np.full(n, -1), factor=factor, talent_eligible=np.zeros((n, d.n_streets), dtype=bool),
        displaced=np.ones(n, dtype=bool),  # they have no home here yet: staying is not an option
    )
    vacant = model.streets.vacant_rows()
    vacant[RESETTLEMENT] = 0
    vacant[TALENT] = 0
    options = housing_market.HomeOptions(cost=housing_costs(model), vacant=vacant, amenity=amenity(model))
    choice = housing_market.relocate(rng, movers, options, model.minutes, home_choice(model))
    came = choice != housing_market.STAY
    k = int(np.count_nonzero(came))
    if k:
        res.add(k, home=choice[came] % d.n_streets, age=age[came], talent=talent[came], active=active[came],
                factor=factor[came], tenure=np.full(k, MARKET), satisfaction=np.full(k, 60.0),
                searching_since=np.full(k, model.steps), entered=np.full(k, model.steps),
                entry=np.full(k, ARRIVED))
    return k * model.scale
